"""The review queue end to end: a real `xxgk review` server on 127.0.0.1 over a real published
warehouse, driven in headless Chromium through the DevTools protocol, and real `xxgk run`s.

A partial document is made the way real ones are: the sample county's published data folder is
copied, and the portal is served again with one inline report (白沙镇 2023) whose row 本年新收 lost
its seven values. The reviewer types the seven printed values (Tab/Enter), the next run publishes
the report as complete with read_by 'human' on those cells and I1 holding, an undo takes one back,
and the run after that has the cell unread again. No console error on the way.
"""
from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

import screenshot_report as chrome  # tools/, put on sys.path by conftest
from degrade import ROW_CODE, TRUTH, degraded_portal
from pipelines.crawl.serve import serve_directory

REPO = Path(__file__).resolve().parents[2]
COLUMNS = ("natural_person", "commercial", "research", "nonprofit", "legal_service", "other_org", "total")
CODES = [f"{ROW_CODE}:{c}" for c in COLUMNS]

pytestmark = pytest.mark.skipif(chrome.chromium_path() is None, reason="headless Chromium not installed")


def _env(data: Path, portal_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("XXGK_SOURCES",)}
    env.update(XXGK_DATA_DIR=str(data), DAGSTER_HOME=str(data / "dagster_home"), XXGK_SAMPLE_BASE_URL=portal_url)
    return env


def xxgk_run(env: dict) -> dict:
    """`xxgk run --json` as an operator runs it; its counters."""
    proc = subprocess.run([sys.executable, "-m", "pipelines.cli", "run", "--json"], env=env, cwd=REPO,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:] + proc.stdout[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def facts(data: Path, sql: str, params=()) -> list[tuple]:
    con = duckdb.connect(str(data / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def site(request, tmp_path_factory):
    """(data folder, env, review URL): the sample county's published data, a degraded portal on
    loopback, one `xxgk run` over it, and `xxgk review` serving the result.

    The published data is the session's pipeline run (shared with the e2e and report tests), or
    the data folder in XXGK_REVIEW_TEST_BASE_DIR (a sample-county run) while iterating."""
    reuse = os.environ.get("XXGK_REVIEW_TEST_BASE_DIR")
    if reuse:
        base = Path(reuse)
    else:
        base, result = request.getfixturevalue("pipeline")
        assert result.success
    tmp = tmp_path_factory.mktemp("review")
    data = tmp / "data"
    shutil.copytree(base, data, ignore=shutil.ignore_patterns("dagster_home", "logs", "*.lock"))
    portal = degraded_portal(tmp / "portal")
    with serve_directory(portal) as portal_url:
        env = _env(data, portal_url)
        first = xxgk_run(env)
        assert first["reports_partial"] >= 1
        server = subprocess.Popen([sys.executable, "-m", "pipelines.cli", "review", "--port", "0", "--who", "王审核"],
                                  env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            line = server.stdout.readline()
            assert line.startswith("xxgk review: http://127.0.0.1:"), line + server.stderr.read()
            url = line.split()[2]
            yield data, env, url, first
        finally:
            server.terminate()
            server.wait(10)


@pytest.fixture(scope="module")
def browser():
    with chrome.DevTools(timeout=60) as dt:
        yield dt


def wait_js(dt, expression: str, timeout: float = 20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = dt.evaluate(expression)
        if value:
            return value
        dt.drain(0.1)
    raise AssertionError(f"timed out waiting for: {expression}")


def type_and_enter(dt, text: str, ctrl: bool = False) -> None:
    """Real key events into the focused element: the text, then Enter (Ctrl+Enter)."""
    if text:
        dt.call("Input.insertText", {"text": text})
    mods = 2 if ctrl else 0
    for kind in ("keyDown", "keyUp"):
        dt.call("Input.dispatchKeyEvent", {"type": kind, "key": "Enter", "code": "Enter", "modifiers": mods,
                                           "windowsVirtualKeyCode": 13, "nativeVirtualKeyCode": 13})


def test_review_a_partial_document_publish_it_and_undo(site, browser):
    data, env, url, _ = site
    truth = json.loads(TRUTH.read_text(encoding="utf-8"))["cells"]
    dt = browser
    dt.open(url + "/")
    dt.call("Emulation.setDeviceMetricsOverride", {"width": 1500, "height": 900, "deviceScaleFactor": 1,
                                                    "mobile": False})
    wait_js(dt, "document.querySelectorAll('#qlist button').length > 0")
    queue = json.loads(dt.evaluate("JSON.stringify([...document.querySelectorAll('#qlist button')]"
                                   ".map(b => [b.dataset.kind, b.textContent, +b.querySelector('.score').textContent]))"))
    assert [q[2] for q in queue] == sorted((q[2] for q in queue), reverse=True)  # most blocking first
    ours = [n for n, (k, text, _) in enumerate(queue) if k == "unread" and "澄岚县白沙镇人民政府 2023" in text]
    assert len(ours) == 1 and "7 个单元格未读出，其中 7 个用于县级比较" in queue[ours[0]][1]
    # whole reports missing from the comparison (scans not read) come before it, the planted
    # identity failure (市场监督管理局 2022, I4) after it
    assert all(n < ours[0] for n, q in enumerate(queue) if q[0] == "failed_report")
    assert [q[1] for q in queue if q[0] == "identity"] and all(
        n > ours[0] for n, q in enumerate(queue) if q[0] == "identity")

    dt.evaluate(f"document.querySelectorAll('#qlist button')[{ours[0]}].click()")
    wait_js(dt, "document.activeElement && document.activeElement.dataset.code === 't3.new_received:natural_person'")
    labels = json.loads(dt.evaluate("JSON.stringify([...document.querySelectorAll('#panel tr[data-code]')]"
                                    ".map(tr => [tr.dataset.code, tr.querySelector('.lab-row').textContent,"
                                    " tr.querySelector('.lab-col').textContent]))"))
    assert [c for c, _, _ in labels] == CODES
    assert labels[0][1] == "一、本年新收政府信息公开申请数量" and labels[0][2] == "自然人（件）"
    # the HTML report is shown as its table, the row to read highlighted
    wait_js(dt, "document.querySelector('#viewer tr.hl-row') !== null")
    assert "本年新收" in dt.evaluate("document.querySelector('#viewer tr.hl-row').textContent")
    # before anything is typed, I1 cannot be assessed on any of the 7 columns
    wait_js(dt, "document.querySelector('#check-summary') !== null")
    assert int(dt.evaluate("document.querySelector('#check-summary').dataset.none")) >= 7

    for n, code in enumerate(CODES):
        assert dt.evaluate("document.activeElement.dataset.code") == code
        if code.endswith(":natural_person"):
            type_and_enter(dt, "abc")  # not a number: refused, nothing recorded
            wait_js(dt, "document.activeElement.classList.contains('bad')")
            assert "不是数值" in dt.evaluate("document.querySelector('#msg').textContent")
            dt.evaluate("document.activeElement.value = ''")
        type_and_enter(dt, str(truth[code]))
        if n + 1 < len(CODES):
            wait_js(dt, f"document.activeElement.dataset.code === '{CODES[n + 1]}'")
    wait_js(dt, "document.querySelectorAll('#panel tr.done').length === 7")
    # the identities, checked live on the values entered: I1 holds on every column now
    wait_js(dt, "document.querySelector('#check-summary').dataset.fail === '0' && "
                "![...document.querySelectorAll('#checks li')].some(li => li.dataset.id === 'I1')")

    shot = os.environ.get("XXGK_REVIEW_SCREENSHOT")  # docs/review.png is made this way
    if shot:
        dt.evaluate(f"document.querySelector('#panel input.val[data-code=\"{CODES[0]}\"]').focus()")
        dt.drain(0.5)
        Path(shot).write_bytes(base64.b64decode(dt.call("Page.captureScreenshot", {"format": "png"})["data"]))

    lines = [json.loads(x) for x in (data / "review" / "decisions.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(d["code"], d["kind"], d["value"], d["old_value"], d["who"]) for d in lines] == \
        [(c, "value", truth[c], None, "王审核") for c in CODES]
    sha = lines[0]["document_sha256"]
    assert all(d["document_sha256"] == sha for d in lines)

    # the planted identity failure: the printed total is confirmed as printed (Ctrl+Enter)
    dt.evaluate("document.querySelector('#qlist button[data-kind=identity]').click()")
    wait_js(dt, "document.querySelector('#panel input.val[data-code=\"t4.review.total\"]') !== null")
    dt.evaluate("document.querySelector('#panel input.val[data-code=\"t4.review.total\"]').focus()")
    dt.evaluate("document.querySelector('#panel input.note[data-code=\"t4.review.total\"]').value = '原文总计即为7'")
    type_and_enter(dt, "", ctrl=True)
    wait_js(dt, "document.querySelector('#panel tr[data-code=\"t4.review.total\"]').classList.contains('done')")
    wait_js(dt, "![...document.querySelectorAll('#qlist button')].some(b => b.dataset.kind === 'identity' || "
                "b.textContent.includes('澄岚县白沙镇人民政府 2023'))")

    # the next run publishes the report as complete, those cells read by a person
    second = xxgk_run(env)  # (its counters count the machine's readings; the warehouse has the merge)
    assert second["success"]
    rows = facts(data, "select code, value, read_by, machine_value, review_kind, reviewed_by from marts.facts "
                       "where document_id = ? and (read_by = 'human' or review_kind is not null) order by code", [sha])
    assert sorted(rows) == sorted((c, float(truth[c]), "human", None, "value", "王审核") for c in CODES)
    assert facts(data, "select status, is_latest from core.documents where document_id = ?", [sha]) == [("ok", True)]
    i1 = facts(data, "select scope, status from marts.check_results where document_id = ? and identity = 'I1'", [sha])
    assert sorted(i1) == sorted((c, "pass") for c in COLUMNS)
    total = facts(data, "select new_received_total from marts.org_year where org_id = 'baisha' and year = 2023")
    assert total == [(float(truth[f"{ROW_CODE}:total"]),)]
    confirmed = facts(data, "select value, read_by, review_kind, review_note from marts.facts f "
                            "where code = 't4.review.total' and review_kind = 'printed_as_is'")
    assert confirmed == [(7.0, "text", "printed_as_is", "原文总计即为7")]
    assert facts(data, "select count(*) from marts.facts where read_by = 'human'") == [(7,)]

    # undo the total from the page: one more appended decision, the cell is unread again
    dt.open(url + "/")
    wait_js(dt, "document.querySelectorAll('#qlist button').length > 0")
    dt.evaluate(f"location.hash = 'doc={sha}&code={ROW_CODE}:total'")
    wait_js(dt, f"document.querySelector('#panel tr[data-code=\"{ROW_CODE}:total\"] button.undo') !== null")
    dt.evaluate(f"document.querySelector('#panel tr[data-code=\"{ROW_CODE}:total\"] button.undo').click()")
    wait_js(dt, "document.querySelector('#msg').textContent.includes('已撤销')")
    decisions = [json.loads(x) for x in (data / "review" / "decisions.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(decisions) == 9 and decisions[:7] == lines and decisions[7]["kind"] == "printed_as_is"
    assert decisions[-1]["kind"] == "undo" and decisions[-1]["undoes"] == lines[-1]["id"]
    wait_js(dt, "[...document.querySelectorAll('#qlist button')].some(b => b.dataset.kind === 'unread' && "
                "b.textContent.includes('澄岚县白沙镇人民政府 2023') && b.textContent.includes('1 个单元格未读出'))")

    third = xxgk_run(env)
    assert third["success"]
    assert facts(data, "select status from core.documents where document_id = ?", [sha]) == [("partial",)]
    after = facts(data, "select code from marts.facts where document_id = ? and read_by = 'human' order by code", [sha])
    assert after == [(c,) for c in sorted(CODES[:-1])]
    assert facts(data, "select count(*) from marts.facts where document_id = ? and code = ?",
                 [sha, f"{ROW_CODE}:total"]) == [(0,)]
    assert dt.problems() == []


def test_page_image_of_a_stored_pdf_with_the_cell_box(site, browser):
    data, _, url, _ = site
    sha, page, x0, top, x1, bottom = facts(
        data, "select document_id, page, bbox_x0, bbox_top, bbox_x1, bbox_bottom from marts.facts "
              "where code = 't3.new_received:total' and page is not null and is_latest order by document_id limit 1")[0]
    dt = browser
    dt.open(url + f"/#doc={sha}&code=t3.new_received:total")
    wait_js(dt, "document.querySelector('#viewer .pagebox img') && document.querySelector('#viewer .pagebox img').complete"
                " && document.querySelector('#viewer .pagebox img').naturalWidth > 0")
    img = json.loads(dt.evaluate("(() => { const i = document.querySelector('#viewer .pagebox img');"
                                 " return JSON.stringify({src: i.src, w: i.naturalWidth, h: i.naturalHeight}); })()"))
    assert img["src"].endswith(f"/api/page/{sha}/{page}.png")
    import pypdfium2 as pdfium
    raw = facts(data, "select raw_path from core.documents where document_id = ?", [sha])[0][0]
    pdf = pdfium.PdfDocument(str(data / raw))
    width, height = pdf.get_page_size(page - 1)
    pdf.close()
    assert abs(img["w"] - width * 2) <= 1 and abs(img["h"] - height * 2) <= 1  # rendered at 144 dpi
    box = json.loads(dt.evaluate("JSON.stringify(['left','top','width','height'].map(k => "
                                 "parseFloat(document.querySelector('#viewer .hl:not(.soft)').style[k])))"))
    assert box == pytest.approx([100 * x0 / width, 100 * top / height, 100 * (x1 - x0) / width,
                                 100 * (bottom - top) / height], rel=1e-6)
    value = dt.evaluate("document.querySelector('#panel tr[data-code=\"t3.new_received:total\"] td.machine').textContent")
    printed = facts(data, "select value from marts.facts where document_id = ? and code = 't3.new_received:total'", [sha])
    assert value.startswith(str(int(printed[0][0])))
    assert dt.problems() == []


def _request(url: str, body: dict | None = None, headers: dict | None = None) -> tuple[int, dict]:
    import urllib.error
    import urllib.request

    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_api_refuses_what_it_must_not_record(site):
    data, _, url, _ = site
    path = data / "review" / "decisions.jsonl"
    before = path.read_bytes() if path.exists() else b""
    sha, code = facts(data, "select document_id, code from marts.facts where code = 't4.review.total' "
                            "and is_latest order by document_id limit 1")[0]
    # another site's page cannot post decisions; a rebinding host name is refused too
    assert _request(url + "/api/decisions", {"document_sha256": sha, "code": code, "kind": "value",
                                             "value_text": "1", "who": "x"},
                    {"Origin": "http://evil.example"})[0] == 403
    assert _request(url + "/api/queue", headers={"Host": "evil.example"})[0] == 403
    assert _request(url + "/api/document/" + "0" * 64)[0] == 404
    status, err = _request(url + "/api/decisions", {"document_sha256": sha, "code": "t9.nothing", "kind": "value",
                                                    "value_text": "1", "who": "x"})
    assert status == 400 and "layout" in err["error"]
    status, err = _request(url + "/api/decisions", {"document_sha256": sha, "code": code, "kind": "value",
                                                    "value_text": "七", "who": "x"})
    assert status == 400 and "不是数值" in err["error"]
    assert _request(url + "/api/undo", {"id": "no-such-decision", "who": "x"})[0] == 404
    assert (path.read_bytes() if path.exists() else b"") == before  # nothing was appended
    # the live check is the extractor's identities on typed values, without saving anything
    status, res = _request(url + "/api/check", {"document_sha256": sha, "values": {code: "abc"}})
    assert status == 200 and code in res["invalid"]
    parts = facts(data, "select sum(value) from marts.facts where document_id = ? and code in "
                        "('t4.review.upheld', 't4.review.corrected', 't4.review.other', 't4.review.pending')", [sha])[0][0]
    status, res = _request(url + "/api/check", {"document_sha256": sha, "values": {code: str(int(parts) + 1)}})
    i4 = next(c for c in res["identity_checks"] if c["id"] == "I4" and c["scope"] == "review")
    assert i4["ok"] is False and i4["expected"] == parts and i4["printed"] == int(parts) + 1
    assert (path.read_bytes() if path.exists() else b"") == before

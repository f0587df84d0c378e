"""The decisions store and the merge into an extraction result, on a real partial reading of a
degraded sample report (pure functions: no server, no warehouse)."""
from __future__ import annotations

import json

import pytest

from degrade import REPORT, PORTAL, ROW_CODE, ROW_LABEL, TRUTH, drop_row_values
from pipelines.core.extract import extract_bytes
from pipelines.review import decisions as store
from pipelines.review.merge import apply_decisions, unread_codes
from pipelines.stages.facts_stage import fact_rows

COLUMNS = ("natural_person", "commercial", "research", "nonprofit", "legal_service", "other_org", "total")


@pytest.fixture(scope="module")
def partial() -> dict:
    html, dropped = drop_row_values((PORTAL / REPORT).read_text(encoding="utf-8"), ROW_LABEL)
    assert dropped == 7
    return extract_bytes(html.encode("utf-8"), "degraded.html")


@pytest.fixture(scope="module")
def truth() -> dict:
    return json.loads(TRUTH.read_text(encoding="utf-8"))


def _decide(sha, code, text, kind="value", **kw):
    return store.make_decision(who="王审核", document_sha256=sha, kind=kind, code=code, value_text=text, **kw)


def test_the_degraded_report_is_partial_with_the_row_unread(partial):
    assert partial["status"] == "partial"
    assert unread_codes(partial) == sorted(f"{ROW_CODE}:{c}" for c in COLUMNS)


def test_typed_values_parse_like_printed_ones_and_refuse_text():
    assert store.parse_value("12") == (12, None)
    assert store.parse_value("1,200") == (1200, "1,200")
    assert store.parse_value("-") == (None, None)  # a printed blank: null, never 0
    assert store.parse_value("3.5") == (3.5, None)
    for bad in ("", "  ", "十二", "12a"):
        with pytest.raises(store.DecisionError):
            store.parse_value(bad)
    with pytest.raises(store.DecisionError):
        _decide("a" * 64, None, "3")  # a value decision names its cell
    with pytest.raises(store.DecisionError):
        store.make_decision(who=" ", document_sha256="a" * 64, kind="note")


def test_file_is_append_only_and_undo_restores_the_decision_before(tmp_path):
    path = tmp_path / "review" / "decisions.jsonl"
    sha = "b" * 64
    first = store.append(_decide(sha, "t4.review.upheld", "3"), path)
    second = store.append(_decide(sha, "t4.review.upheld", "4"), path)
    assert store.effective(store.read_all(path))[sha]["t4.review.upheld"]["value"] == 4
    before = path.read_bytes()
    store.append(store.make_decision(who="王审核", document_sha256=sha, kind="undo", undoes=second["id"]), path)
    assert path.read_bytes().startswith(before)  # nothing rewritten, one line more
    assert len(path.read_text(encoding="utf-8").splitlines()) == 3
    assert store.effective(store.read_all(path))[sha]["t4.review.upheld"]["id"] == first["id"]
    store.append(store.make_decision(who="王审核", document_sha256=sha, kind="undo", undoes=first["id"]), path)
    assert store.effective(store.read_all(path)) == {}
    with path.open("a", encoding="utf-8") as fh:  # a torn last line loses nothing before it
        fh.write('{"id": "torn"')
    assert len(store.read_all(path)) == 4


def test_merge_completes_the_document_keeps_the_machine_reading_and_checks_identities(partial, truth):
    sha = partial["sha256"]
    decided = {f"{ROW_CODE}:{c}": _decide(sha, f"{ROW_CODE}:{c}", str(truth["cells"][f"{ROW_CODE}:{c}"]),
                                          note="印章遮挡，据原件录入")
               for c in COLUMNS}
    merged, counts = apply_decisions(partial, decided)
    assert counts == {"human_cells": 7, "printed_as_is": 0, "dropped": 0}
    assert merged["status"] == "ok" and merged["error"] is None
    assert partial["status"] == "partial"  # the machine's result is not modified
    layout_truth = {k: v for k, v in truth["cells"].items() if k in merged["cells"]}
    assert merged["cells"] == layout_truth
    i1 = [c for c in merged["identity_checks"] if c["id"] == "I1"]
    assert len(i1) == 7 and all(c["ok"] is True for c in i1)
    assert all(c["ok"] is None for c in partial["identity_checks"] if c["id"] == "I1")
    rows = {r["code"]: r for r in fact_rows(sha, merged)}
    human = rows[f"{ROW_CODE}:total"]
    assert human["read_by"] == "human" and human["value"] == truth["cells"][f"{ROW_CODE}:total"]
    assert human["machine_value"] is None and human["review_kind"] == "value"
    assert human["reviewed_by"] == "王审核" and human["review_note"] == "印章遮挡，据原件录入"
    machine = rows["t3.carried_over:total"]
    assert machine["read_by"] == "text" and machine["review_kind"] is None


def test_a_correction_keeps_the_machine_value_and_printed_as_is_keeps_the_value(partial):
    sha = partial["sha256"]
    read = partial["cells"]["t3.carried_over:natural_person"]
    merged, counts = apply_decisions(partial, {
        "t3.carried_over:natural_person": _decide(sha, "t3.carried_over:natural_person", str(read + 5)),
        "t4.review.total": _decide(sha, "t4.review.total", None, kind="printed_as_is",
                                   old_value=partial["cells"]["t4.review.total"]),
    })
    assert counts["human_cells"] == 1 and counts["printed_as_is"] == 1
    rows = {r["code"]: r for r in fact_rows(sha, merged)}
    assert rows["t3.carried_over:natural_person"]["value"] == read + 5
    assert rows["t3.carried_over:natural_person"]["machine_value"] == read
    assert rows["t4.review.total"]["value"] == partial["cells"]["t4.review.total"]
    assert rows["t4.review.total"]["read_by"] == "text" and rows["t4.review.total"]["review_kind"] == "printed_as_is"
    assert merged["status"] == "partial"  # the unread row is still unread


def test_decisions_on_other_bytes_or_outside_the_layout_are_dropped(partial):
    other = "c" * 64
    merged, counts = apply_decisions(partial, {
        f"{ROW_CODE}:total": _decide(other, f"{ROW_CODE}:total", "9"),
        "t2.art20_1.rules.new_made": _decide(partial["sha256"], "t2.art20_1.rules.new_made", "1"),  # 2019 only
    })
    assert counts == {"human_cells": 0, "printed_as_is": 0, "dropped": 2}
    assert merged["cells"] == partial["cells"] and merged["status"] == "partial"


def test_a_scanned_report_the_machine_refused_is_entered_by_hand():
    """taoyuan 2023 is a scan (needs_ocr without OCR): a reviewer chooses its template and types
    its 200 cells from the page; the merged reading is complete, every identity holds, and every
    fact says read_by human with no machine value."""
    truth = json.loads((TRUTH.parent / "taoyuan-2023.truth.json").read_text(encoding="utf-8"))
    data = (PORTAL / truth["document_url"].lstrip("/")).read_bytes()
    failed = extract_bytes(data, "scan.pdf", ocr=False)
    assert failed["status"] == "failed" and failed["error"]["kind"] == "needs_ocr"
    sha = failed["sha256"]
    typed = {code: _decide(sha, code, "-" if v is None else str(v)) for code, v in truth["cells"].items()}
    merged, counts = apply_decisions(failed, typed)
    assert merged is failed and counts["dropped"] == 200  # no layout chosen: nothing applied
    with pytest.raises(store.DecisionError):
        store.make_decision(who="王审核", document_sha256=sha, kind="template", template_s2="2020",
                            template_s3="2021")
    layout = store.make_decision(who="王审核", document_sha256=sha, kind="template", template_s2="2021",
                                 template_s3="2021")
    half = dict(list(typed.items())[:100])
    merged, counts = apply_decisions(failed, half, layout)
    assert merged["status"] == "partial" and counts["human_cells"] == 100
    assert "needs_ocr" in merged["error"]["message"]
    merged, counts = apply_decisions(failed, typed, layout)
    assert counts == {"human_cells": 200, "printed_as_is": 0, "dropped": 0}
    assert merged["status"] == "ok" and merged["cells"] == truth["cells"]
    assert merged["identity_checks"] and all(c["ok"] is True for c in merged["identity_checks"])
    rows = fact_rows(sha, merged)
    assert len(rows) == 200 and {r["read_by"] for r in rows} == {"human"}
    assert all(r["machine_value"] is None and r["page"] is None for r in rows)

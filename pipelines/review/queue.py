"""What needs a person, most blocking first, and everything the review page shows for a document.

Read from the published warehouse (read-only: the run may swap it at any time), the cached
extraction results (the machine's reading, with its unread cells) and the decisions file.
"""
from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from contextlib import closing
from functools import lru_cache
from pathlib import Path

import duckdb

from pipelines import settings
from pipelines.core.codes import items
from pipelines.core.identities import C6, C7, RES, T4_PARTS, check_identities, t3_rows
from pipelines.review import decisions as store
from pipelines.review.merge import blank_reading, unread_codes
from pipelines.stages.extract_stage import load_result

# error kinds that still mean "this is an annual report the machine could not read"
REPORT_FAILURES = ("needs_ocr", "no_tables_found", "timeout", "out_of_memory", "worker_crashed",
                   "encrypted", "corrupt_file")

ISSUE_ZH = {"unread": "未读出的单元格", "failed_report": "未能读取的报告", "identity": "勾稽关系不符",
            "unexpected_org": "未预期的机关"}


@lru_cache(maxsize=1)
def labels() -> dict[str, dict]:
    """code -> its Chinese label (section, row path, column) and unit, from items.csv."""
    return {i.code: {"section": i.section, "row": i.row_path_zh, "column": i.column_zh, "unit": i.unit,
                     "en": i.label_en, "row_hint": _row_hint(i.row_path_zh)} for i in items()}


def _row_hint(row_path: str) -> str:
    """The leaf of a row path without its ordinal or parenthesised remark: what the table prints."""
    leaf = row_path.split("/")[-1]
    leaf = re.sub(r"（[^）]*只计[^）]*）", "", leaf)
    leaf = re.sub(r"^[（(]?[一二三四五六七八九十\d]+[）)、.．]?", "", leaf)
    return leaf.strip()[:8]


def comparison_code(code: str) -> bool:
    """Cells the county comparison (marts.org_year) is built from."""
    if code.startswith("t3."):
        return code.startswith(("t3.new_received:", "t3.carried_over:")) or code.endswith(":total")
    if code.startswith("t4."):
        return code.endswith((".total", ".corrected"))
    return False


def identity_codes(identity: str, scope: str, template_s3: str | None) -> list[str]:
    """The cells one identity check adds up (parts, then the printed total)."""
    if identity == "I1":
        return [f"t3.new_received:{scope}", f"t3.carried_over:{scope}", f"t3.result.total:{scope}",
                f"t3.carry_forward:{scope}"]
    if identity == "I2" and template_s3 in RES:
        return [f"t3.result.{r}:{scope}" for r in RES[template_s3]] + [f"t3.result.total:{scope}"]
    if identity == "I3":
        return [f"{scope}:{c}" for c in C6] + [f"{scope}:total"]
    if identity == "I4":
        return [f"t4.{scope}.{p}" for p in T4_PARTS] + [f"t4.{scope}.total"]
    if identity == "I5":
        return [scope]
    return []


def guessed_template(year: int | None) -> str:
    """The template a report of `year` most likely prints: the 2021 one from the 2021 reports on."""
    return "2021" if (year or 0) >= 2021 else "2019"


def reading(sha: str, year: int | None, decisions: list[dict] | None = None) -> tuple[dict, dict | None]:
    """(the machine's result as the reviewer works on it, the layout of a failed report).

    A report that failed to read is shown as a blank reading of the layout a reviewer chose
    (a template decision), or of the likely one for its year until somebody chooses."""
    result = load_result(sha) or {}
    if result.get("status") != "failed":
        return result, None
    decisions = store.read_all() if decisions is None else decisions
    chosen = store.templates(decisions).get(sha)
    guess = guessed_template(year)
    layout = {"template_s2": chosen["template_s2"] if chosen else guess,
              "template_s3": chosen["template_s3"] if chosen else guess, "decided": chosen is not None}
    return blank_reading(result, layout), layout


def _connect():
    path = settings.warehouse_path()
    if not path.exists():
        raise FileNotFoundError(f"no published warehouse at {path}: run `xxgk run` first")
    return closing(duckdb.connect(str(path), read_only=True))


def _rows(sql: str, params: list | None = None) -> list[dict]:
    with _connect() as con:
        cur = con.execute(sql, params or [])
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r)) for r in cur.fetchall()]


DOC_COLUMNS = ("document_id, org_id, org_name, org_name_printed, is_expected_org, year, format, status, "
               "error_kind, error_message, template_s2, template_s3, raw_path, document_url, title, "
               "is_latest, is_placed, is_parsed")


def documents() -> list[dict]:
    return _rows(f"select {DOC_COLUMNS} from core.documents order by org_name, year, document_id")


def document(sha: str) -> dict | None:
    rows = _rows(f"select {DOC_COLUMNS} from core.documents where document_id = ?", [sha])
    return rows[0] if rows else None


def build_queue() -> list[dict]:
    """Every item that needs a person, most blocking first.

    Blocking score: a report missing from the comparison altogether (1000), cells of the
    version the comparison uses (500 + 10 per cell a comparison measure is built from), an
    identity failure in that version (300 + 10 per comparison cell), an unplaced document (200);
    an older version counts a tenth."""
    docs = documents()
    parsed_org_years = {(d["org_id"], d["year"]) for d in docs if d["is_parsed"] and d["is_placed"]}
    decisions = store.read_all()
    in_force = store.effective(decisions)
    notes = {d["document_sha256"] for d in decisions if d.get("kind") == "note"}
    out: list[dict] = []
    for d in docs:
        sha = d["document_id"]
        decided = in_force.get(sha, {})
        base = {"document_id": sha, "org_name": d["org_name"] or d["org_name_printed"], "year": d["year"],
                "format": d["format"], "status": d["status"], "document_url": d["document_url"]}
        if d["status"] == "failed" and d["error_kind"] in REPORT_FAILURES and sha not in notes:
            missing = (d["org_id"], d["year"]) not in parsed_org_years
            blank, _ = reading(sha, d["year"], decisions)
            codes = unread_codes(blank)
            left = [c for c in codes if c not in decided]
            if left:
                out.append({**base, "kind": "failed_report", "codes": codes, "open": len(left),
                            "score": 1000 if missing else 100,
                            "why": ("该机关该年度在比较中整份缺失" if missing else "已有其他版本可比较")
                            + f"；已录入 {len(codes) - len(left)}/{len(codes)} 格"
                            + f"（{d['error_kind']}: {(d['error_message'] or '')[:80]}）"})
        elif d["status"] in ("ok", "partial") and len(sha) == 64:
            result = load_result(sha)
            if result and result.get("status") == "partial":
                codes = unread_codes(result)
                left = [c for c in codes if c not in decided]
                if left:
                    key = sum(comparison_code(c) for c in left)
                    score = (500 if d["is_latest"] else 50) + 10 * key + len(left)
                    out.append({**base, "kind": "unread", "codes": codes, "open": len(left), "score": score,
                                "why": f"{len(left)} 个单元格未读出，其中 {key} 个用于县级比较"})
        if not d["is_placed"] or not d["is_expected_org"]:
            if sha not in notes:
                out.append({**base, "kind": "unexpected_org", "codes": [], "open": 1, "score": 200,
                            "why": f"未预期的机关或年份：{d['org_name_printed'] or '（标题无机关）'}"
                                   f"，{d['year'] or '无年份'}；请在来源配置中添加机关或别名"})
    for c in _rows("select k.document_id, k.identity, k.scope, k.expected, k.printed, k.is_latest, "
                   "d.template_s3 from marts.check_results as k join core.documents as d using (document_id) "
                   "where k.status = 'fail' and k.identity in ('I1','I2','I3','I4','I5')"):
        codes = identity_codes(c["identity"], c["scope"], c["template_s3"])
        if codes and all(code in in_force.get(c["document_id"], {}) for code in codes[-1:]):
            continue  # the printed total was confirmed as printed or corrected: decided
        d = next((x for x in docs if x["document_id"] == c["document_id"]), None)
        if d is None:
            continue
        key = sum(comparison_code(x) for x in codes)
        out.append({"document_id": d["document_id"], "org_name": d["org_name"], "year": d["year"],
                    "format": d["format"], "status": d["status"], "document_url": d["document_url"],
                    "kind": "identity", "identity": c["identity"], "scope": c["scope"], "codes": codes,
                    "open": 1, "score": (300 if c["is_latest"] else 30) + 10 * key,
                    "why": f"{c['identity']} {c['scope']}：各项之和 {_fmt(c['expected'])}，"
                           f"印刷总计 {_fmt(c['printed'])}"})
    for item in out:
        item["kind_zh"] = ISSUE_ZH[item["kind"]]
    out.sort(key=lambda i: (-i["score"], i["org_name"] or "", i["year"] or 0, i["kind"]))
    return out


def _fmt(v) -> str:
    if v is None:
        return "—"
    return str(int(v)) if float(v).is_integer() else str(v)


def document_view(sha: str) -> dict | None:
    """Everything the review page shows for one document: its cells with labels, the machine's
    reading, where each cell is printed, and the decisions in force."""
    d = document(sha)
    if d is None:
        return None
    result, layout = reading(sha, d["year"])
    cells = result.get("cells") or {}
    unread = set(unread_codes(result)) if result.get("status") == "partial" else set()
    located = {u["code"]: u for u in (result.get("unread") or []) if u.get("code")}
    locations = result.get("cell_locations") or {}
    decided = store.effective(store.read_all()).get(sha, {})
    lab = labels()
    out_cells = []
    for code in sorted(set(cells) | unread, key=_code_order):
        loc = locations.get(code) or located.get(code) or {}
        dec = decided.get(code)
        out_cells.append({
            "code": code, "label": lab.get(code), "machine_value": cells.get(code), "read": code in cells,
            "printed_text": (result.get("raw_text_cells") or {}).get(code),
            "unread": code in unread, "page": loc.get("page"), "bbox_pt": loc.get("bbox_pt"),
            "unread_reason": (located.get(code) or {}).get("reason"),
            "decision": dec,
        })
    pages = _guess_pages(out_cells)
    for c in out_cells:
        if c["page"] is None and c["unread"]:
            c["page_guess"] = pages.get(c["code"].split(":")[0]) or pages.get(c["code"][:2])
    history = [x for x in store.read_all() if x.get("document_sha256") == sha]
    return {"document": {k: v for k, v in d.items()}, "cells": out_cells, "history": history,
            "identity_checks": check_identities(_merged_cells(cells, decided), result.get("template_s3")),
            "template_s3": result.get("template_s3"), "template_s2": result.get("template_s2"),
            "layout_to_choose": layout,
            "extraction": {"status": "failed" if layout else result.get("status"), "error": result.get("error"),
                           "read_by": result.get("read_by")}}


def _merged_cells(cells: dict, decided: dict, entered: dict | None = None) -> dict:
    merged = dict(cells)
    for code, d in decided.items():
        if d["kind"] == "value":
            merged[code] = d.get("value")
    merged.update(entered or {})
    return merged


def live_checks(sha: str, entered_text: dict[str, str]) -> dict:
    """Identities I1–I5 on the machine's cells, the decisions in force and the values being typed
    (not yet saved); a typed value that is no number is reported, not checked."""
    d = document(sha) or {}
    result, _ = reading(sha, d.get("year"))
    decided = store.effective(store.read_all()).get(sha, {})
    entered, invalid = {}, {}
    for code, text in (entered_text or {}).items():
        if not str(text).strip():
            continue
        try:
            entered[code], _ = store.parse_value(str(text))
        except store.DecisionError as exc:
            invalid[code] = str(exc)
    merged = _merged_cells(result.get("cells") or {}, decided, entered)
    return {"identity_checks": check_identities(merged, result.get("template_s3")), "invalid": invalid}


@lru_cache(maxsize=1)
def _item_order() -> dict[str, int]:
    return {it.code: n for n, it in enumerate(items())}


def _code_order(code: str):
    return _item_order().get(code, 10**6), code


def _guess_pages(cells: list[dict]) -> dict[str, int]:
    """Row (or section) -> a page where a located cell of it is printed, for unread cells without one."""
    out: dict[str, int] = {}
    for c in cells:
        if c["page"] is not None:
            out.setdefault(c["code"].split(":")[0], c["page"])
            out.setdefault(c["code"][:2], c["page"])
    return out


@contextlib.contextmanager
def raw_file(sha: str) -> Iterator[Path | None]:
    """The document's raw bytes as a verified file on disk for the `with` block, or None when the
    raw store has no intact copy. Through the raw store, wherever it lives: a local store yields
    its own file; an object store ($XXGK_RAW_URL) downloads the blob to the data folder's scratch,
    removed afterwards."""
    from pipelines.crawl.rawstore import RawCorrupt, RawStore

    d = document(sha)
    blob = Path(d["raw_path"]).name if d is not None and d["raw_path"] else ""
    if not re.fullmatch(r"[0-9a-f]{64}", blob):
        yield None
        return
    with contextlib.ExitStack() as stack:
        try:
            path = stack.enter_context(RawStore().local_copy(blob))
        except (FileNotFoundError, RawCorrupt):
            path = None
        yield path
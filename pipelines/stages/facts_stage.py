"""Turn crawl records and extraction results into the staging tables the warehouse loads."""
from __future__ import annotations

from collections.abc import Callable, Iterable

from pipelines.review import decisions as review_decisions
from pipelines.review.merge import apply_decisions
from pipelines.stages import tables
from pipelines.stages.extract_stage import load_result

DOCUMENT_COLUMNS = [
    "document_id", "source_id", "document_url", "detail_url", "title", "org_name", "org_id", "year",
    "format", "status", "error_kind", "error_message", "template_s2", "template_s3", "fetched_at",
    "raw_path", "is_correction", "read_by",
]
FACT_COLUMNS = ["document_id", "code", "value", "value_state", "raw_text", "page", "x0", "top", "x1", "bottom",
                # who read the cell (text | ocr | human) and, for a reviewed cell, the machine's
                # reading and the reviewer's decision (pipelines/review)
                "read_by", "machine_value", "review_kind", "reviewed_by", "reviewed_at", "review_note"]
CHECK_COLUMNS = ["document_id", "identity", "scope", "ok", "expected", "printed"]


def fact_rows(document_id: str, result: dict) -> list[dict]:
    """One row per printed cell; a blank stays null with state 'blank', a text cell keeps its text."""
    raw = result.get("raw_text_cells") or {}
    locations = result.get("cell_locations") or {}
    reviewed = result.get("reviewed") or {}
    rows = []
    for code, value in (result.get("cells") or {}).items():
        if value is not None:
            state = "number"
        elif raw.get(code, "").strip():
            state = "text"
        else:
            state = "blank"
        loc = locations.get(code) or {}
        bbox = loc.get("bbox_pt") or [None] * 4
        rows.append({
            "document_id": document_id, "code": code,
            "value": float(value) if value is not None else None,
            "value_state": state, "raw_text": raw.get(code),
            "page": loc.get("page"), "x0": bbox[0], "top": bbox[1], "x1": bbox[2], "bottom": bbox[3],
            **_review_columns(result, reviewed.get(code), code),
        })
    return rows


def _review_columns(result: dict, review: dict | None, code: str = "") -> dict:
    if review is None:  # a text PDF with a table OCR'd from a picture says per cell how it was read
        return {"read_by": (result.get("cell_read_by") or {}).get(code) or result.get("read_by"),
                "machine_value": None, "review_kind": None,
                "reviewed_by": None, "reviewed_at": None, "review_note": None}
    machine = review.get("machine_value")
    return {"read_by": "human" if review["kind"] == "value" else result.get("read_by"),
            "machine_value": float(machine) if _num(machine) is not None else None,
            "review_kind": review["kind"], "reviewed_by": review.get("who"),
            "reviewed_at": review.get("at"), "review_note": review.get("note")}


def check_rows(document_id: str, result: dict) -> list[dict]:
    return [
        {"document_id": document_id, "identity": c.get("id"), "scope": str(c.get("scope")),
         "ok": c.get("ok"), "expected": _num(c.get("expected")), "printed": _num(c.get("printed"))}
        for c in result.get("identity_checks") or []
    ]


def _num(v):
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None


NOT_EXTRACTED = "not_extracted"


def document_row(record: dict, result: dict | None, resolve_org: Callable[[str], str | None]) -> dict:
    """The document's row: crawl metadata wins over what the extractor read from the title."""
    crawl_failed = bool(record.get("error_kind"))
    if result is None and record.get("sha256") and not crawl_failed:
        # downloaded, but no extraction result where this step runs (the extract step ran on a
        # machine with another data folder, or its cache was removed): say so, never a bare failure
        result = {"status": "failed", "error": {
            "kind": NOT_EXTRACTED,
            "message": "no extraction result for this document in this data folder's staging/extracted/: "
                       "the extract step ran elsewhere or its result was removed; materialise "
                       "extracted_reports for this county again (on a machine sharing this data folder)"}}
    result = result or {}
    error = result.get("error") or {}
    org_name = record.get("org_name") or result.get("organisation")
    year = record.get("year") or result.get("year")
    return {
        "document_id": record["sha256"] or f"missing:{record['document_url']}",
        "source_id": record.get("source_id"),
        "document_url": record.get("document_url"),
        "detail_url": record.get("detail_url"),
        "title": record.get("title"),
        "org_name": org_name,
        "org_id": record.get("org_id") or (resolve_org(org_name) if org_name else None),
        "year": int(year) if year else None,
        "format": result.get("format") or record.get("format_hint"),
        "status": "failed" if crawl_failed else result.get("status", "failed"),
        "error_kind": record.get("error_kind") if crawl_failed else error.get("kind"),
        "error_message": record.get("error_message") if crawl_failed else error.get("message"),
        "template_s2": result.get("template_s2"),
        "template_s3": result.get("template_s3"),
        "fetched_at": record.get("fetched_at"),
        "raw_path": record.get("raw_path"),
        "is_correction": bool(record.get("is_correction")),
        "read_by": result.get("read_by"),  # text | ocr | null (not read)
    }


def build_fact_tables(records: Iterable[dict], resolve_org: Callable[[str], str | None]) -> dict[str, int]:
    """Write documents, facts and identity_checks; returns row counts.

    Reviewers' decisions ($XXGK_DATA_DIR/review/decisions.jsonl) are merged into the results of
    the documents they were made on (same sha256); a decision on other bytes is not applied."""
    docs, facts, checks = [], [], []
    seen: set[str] = set()
    decided = review_decisions.read_all()
    in_force, templates = review_decisions.effective(decided), review_decisions.templates(decided)
    review = {"human_cells": 0, "printed_as_is": 0, "dropped": 0}
    for record in records:
        result = load_result(record["sha256"]) if record.get("sha256") and not record.get("error_kind") else None
        if result is not None and record["sha256"] in in_force:
            result, counts = apply_decisions(result, in_force.pop(record["sha256"]),
                                             templates.get(record["sha256"]))
            for k, v in counts.items():
                review[k] += v
        row = document_row(record, result, resolve_org)
        if row["document_id"] in seen:  # the same bytes at another URL: the same document
            continue
        seen.add(row["document_id"])
        docs.append(row)
        if result and result.get("status") in ("ok", "partial"):
            facts.extend(fact_rows(row["document_id"], result))
            checks.extend(check_rows(row["document_id"], result))
    tables.write_table("documents", docs, DOCUMENT_COLUMNS)
    # Printed names that resolved to nothing: coverage shows them as found_unmatched, not not_found.
    from pipelines.stages.orgs_stage import write_org_suggestions

    write_org_suggestions(docs, resolve_org)
    tables.write_table("facts", facts, FACT_COLUMNS)
    tables.write_table("identity_checks", checks, CHECK_COLUMNS)
    review["dropped"] += sum(len(v) for v in in_force.values())  # documents no longer crawled
    return {"documents": len(docs), "facts": len(facts), "identity_checks": len(checks),
            **{f"review_{k}": v for k, v in review.items()}}

"""Ground truth per report (spec §16 + docs/contracts.md §2), county.json and manifest.csv."""
from __future__ import annotations

import csv
import hashlib
import io
import json

from pipelines.core.codes import all_codes

from .county import (C6, C7, COUNTY, NEVER_PUBLISHED, ORGS, SITE, YEARS, Report, res_rows,
                     t3_row_codes)

FORMAT_NOTES = {
    "trs-html": "Inline HTML tables inside <div class=\"TRS_Editor\"> of the detail page; the page also has a "
            "small 索引号/发布机构 metadata table that is not part of the report.",
    "reportlab": "ReportLab PDF (WenQuanYi Zen Hei, subset): ruled tables drawn as lines + text, page numbers "
                 "'— N —'. cell_locations: every printed non-blank value cell (text box, within ~0.5 pt of the glyph boxes pdfplumber reports); blank "
                 "cells have no entry.",
    "libreoffice-docx": "LibreOffice PDF exported from a DOCX (Noto Serif CJK SC); LibreOffice places glyph boxes "
                        "imprecisely (widths/positions of CJK glyphs drift from the drawn text). cell_locations "
                        "omitted.",
    "libreoffice-html": "LibreOffice PDF exported from HTML (writer_web_pdf_Export, Noto CJK); LibreOffice places "
                        "glyph boxes imprecisely. cell_locations omitted.",
    "python-docx": "Word attachment (.docx). pages_with_tables is null (no fixed pagination); cell_locations "
                   "omitted.",
    "libreoffice-doc": "Legacy Word 97-2003 attachment (.doc, OLE2 compound file) converted by LibreOffice "
                       "from the python-docx DOCX; reading it needs a converter (LibreOffice). "
                       "pages_with_tables is null (no fixed pagination); cell_locations omitted.",
    "scan-reportlab+pil": "Image-only PDF (120 dpi grayscale JPEG per page, slightly rotated, no text layer): "
                          "needs OCR. pages_with_tables as in the page images; cell_locations omitted.",
    "error-page": "Not a report.",
}


def check_identities(r: Report) -> list[dict]:
    """I1–I4 failures of the printed values (null cells are skipped)."""
    v = r.values
    fails: list[dict] = []

    def g(code):
        return v.get(code)
    for c in C7:
        a = [g(f"t3.new_received:{c}"), g(f"t3.carried_over:{c}"), g(f"t3.result.total:{c}"),
             g(f"t3.carry_forward:{c}")]
        if None not in a and a[0] + a[1] != a[2] + a[3]:
            fails.append({"identity": "I1", "group": c})
        parts = [g(f"t3.result.{x}:{c}") for x in res_rows(r.template_s3)]
        if None not in parts and a[2] is not None and sum(parts) != a[2]:
            fails.append({"identity": "I2", "group": c})
    for row in t3_row_codes(r.template_s3):
        parts = [g(f"t3.{row}:{c}") for c in C6]
        tot = g(f"t3.{row}:total")
        if None not in parts and tot is not None and sum(parts) != tot:
            fails.append({"identity": "I3", "group": f"t3.{row}"})
    for grp in ("review", "lit_direct", "lit_after_review"):
        parts = [g(f"t4.{grp}.{o}") for o in ("upheld", "corrected", "other", "pending")]
        tot = g(f"t4.{grp}.total")
        if None not in parts and tot is not None and sum(parts) != tot:
            fails.append({"identity": "I4", "group": grp})
    return fails


def truth_record(r: Report) -> dict:
    codes = all_codes()
    cells = dict(sorted(r.values.items()))
    assert set(cells) <= codes
    fails = check_identities(r)
    assert [(f["identity"], f["group"]) for f in fails] == [(x["identity"], x["group"]) for x in r.violations], (
        r.report_id, fails)
    notes = list(r.notes) + [FORMAT_NOTES[r.producer]]
    if r.fmt == "pdf" and r.table3_pages and len(r.table3_pages) > 1:
        notes.append(f"Table 三 breaks across pages {r.table3_pages[0]}→{r.table3_pages[-1]}.")
    if r.no_vrules:
        notes.append("Tables have NO vertical rules: horizontal lines only.")
    if r.gbk:
        notes.append("Detail page served in GBK (<meta charset=\"gbk\">).")
    raw = {k: r.raw_text[k] for k in sorted(r.raw_text) if k in cells}
    return {
        "report_id": r.report_id,
        "file": r.document_url.rsplit("/", 1)[1],
        "sha256": hashlib.sha256(r.file_bytes).hexdigest(),
        "organisation": r.organisation,
        "org_id": r.org.org_id,
        "title": r.title,
        "year": r.year,
        "published": r.published.isoformat(),
        "template_s2": r.template_s2,
        "template_s3": r.template_s3,
        "format": r.fmt,
        "producer": r.producer,
        "detail_url": r.detail_url,
        "document_url": r.document_url,
        "is_correction": r.is_correction,
        "supersedes": r.supersedes,
        "pages_with_tables": r.pages_with_tables,
        "cell_count": len(cells),
        "cells": cells,
        "raw_text_cells": raw,
        "codes_not_in_layout": sorted(codes - set(cells)) if r.fmt != "not_a_report" else [],
        "source_identity_violations": r.violations,
        "cell_locations": r.cell_locations,
        "notes": " | ".join(notes),
    }


def dumps(obj) -> bytes:
    return (json.dumps(obj, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def county_json(reports: list[Report]) -> dict:
    return {
        "county": COUNTY,
        "site": SITE,
        "fictional": True,
        "listing": "/zfxxgk/zfxxgknb/index.html",
        "years": YEARS,
        "organisations": [
            {"org_id": o.org_id, "name": o.name, "short_name": o.short, "type": o.type,
             "aliases": list(o.aliases)} for o in ORGS],
        "never_published": [{"org_id": o, "year": y} for o, y in NEVER_PUBLISHED],
        "report_count": len(reports),
        "notes": "Every org publishes one report per year 2019–2024 except never_published; one report was "
                 "republished as （更正） (is_correction/supersedes in its truth file); one detail page's attachment "
                 "link serves an HTML error page (format not_a_report).",
    }


def manifest_csv(reports: list[Report]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["report_id", "org", "year", "format", "producer", "detail_url", "document_url"])
    for r in sorted(reports, key=lambda x: x.report_id):
        w.writerow([r.report_id, r.org.org_id, r.year, r.fmt, r.producer, r.detail_url, r.document_url])
    return buf.getvalue().encode("utf-8")

"""Regenerate the sample county portal and its truth files.

    .venv/bin/python -m tools.sample_county [--out-portal data/sample_portal] [--out-truth data/sample_truth]

HTML, DOCX and ReportLab output is byte-identical across runs. LibreOffice PDFs are normalised
(dates, /ID) and are identical for the same LibreOffice build and fonts; the legacy .doc attachments
(LibreOffice `--convert-to doc` of the DOCX) carry no clock time. Without `soffice` on PATH the
committed LibreOffice PDFs and .doc files are reused (their sha256 stays in the truth).
"""
from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from . import portal, render_docx, render_libreoffice, render_pdf_reportlab, render_scan, truth
from .county import build_reports

ROOT = Path(__file__).resolve().parents[2]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tools.sample_county")
    ap.add_argument("--out-portal", default=str(ROOT / "data" / "sample_portal"))
    ap.add_argument("--out-truth", default=str(ROOT / "data" / "sample_truth"))
    args = ap.parse_args(argv)
    out_portal, out_truth = Path(args.out_portal), Path(args.out_truth)

    reports = build_reports()
    files: dict[str, bytes] = dict(portal.static_pages())
    listing: list = []

    # ---- attachments and detail pages
    lo_jobs, lo_reports = [], {}
    doc_jobs, doc_reports = [], {}
    for r in reports:
        r.detail_url = portal.detail_path(r.published, r.doc_id)
        listing.append((r.published, r.doc_id, r.title, r.detail_url))
        if r.fmt == "html":
            r.document_url = r.detail_url
            r.file_bytes = portal.report_detail(r, None)
            files[r.detail_url] = r.file_bytes
            continue
        ext = r.fmt if r.fmt in ("docx", "doc") else "pdf"
        r.document_url = portal.attachment_path(r, ext)
        files[r.detail_url] = portal.report_detail(r, r.document_url.rsplit("/", 1)[1])
        if r.fmt == "not_a_report":
            r.file_bytes = portal.ERROR_PAGE
        elif r.fmt == "docx":
            r.file_bytes = render_docx.render(r)
        elif r.fmt == "doc":
            ext_in, src = render_libreoffice.source_for(r)
            doc_jobs.append((r.report_id, ext_in, src))
            doc_reports[r.report_id] = r
            if r.report_id in render_libreoffice.FORMER_PDF_JOBS:
                lo_jobs.append(render_libreoffice.former_pdf_job(r))
        elif r.producer == "reportlab":
            r.file_bytes, info = render_pdf_reportlab.render(r)
            r.pages_with_tables, r.table3_pages = info["pages_with_tables"], info["table3_pages"]
            r.cell_locations = info["cell_locations"]
        elif r.fmt == "pdf-scanned":
            r.file_bytes, info = render_scan.render(r)
            r.pages_with_tables, r.table3_pages = info["pages_with_tables"], info["table3_pages"]
        elif r.producer.startswith("libreoffice"):
            ext_in, src = render_libreoffice.source_for(r)
            lo_jobs.append((r.report_id, ext_in, src))
            lo_reports[r.report_id] = r
        else:
            raise ValueError(r.producer)
        if r.file_bytes:
            files[r.document_url] = r.file_bytes

    if lo_jobs:
        if render_libreoffice.available():
            pdfs = render_libreoffice.convert(lo_jobs)
        else:
            print("soffice not found: reusing the committed LibreOffice PDFs", file=sys.stderr)
            pdfs = {rid: (out_portal / r.document_url.lstrip("/")).read_bytes() for rid, r in lo_reports.items()}
        for rid, pdf in pdfs.items():
            r = lo_reports.get(rid)
            if r is None:  # a former PDF job kept in the batch only for its effect on the rest
                continue
            r.file_bytes = render_libreoffice.normalize(pdf, r)
            r.pages_with_tables, r.table3_pages = render_libreoffice.page_facts(r.file_bytes)
            files[r.document_url] = r.file_bytes

    if doc_jobs:
        if render_libreoffice.available():
            docs = render_libreoffice.convert(doc_jobs, to="doc")
        else:
            print("soffice not found: reusing the committed .doc attachments", file=sys.stderr)
            docs = {rid: (out_portal / r.document_url.lstrip("/")).read_bytes() for rid, r in doc_reports.items()}
        for rid, data in docs.items():
            r = doc_reports[rid]
            r.file_bytes = data
            files[r.document_url] = data

    for n in portal.NOTICES:
        n.detail_url = portal.detail_path(n.published, n.doc_id)
        files[n.detail_url] = portal.notice_detail(n)
        listing.append((n.published, n.doc_id, n.title, n.detail_url))
    files.update(portal.listing_pages(listing))

    # ---- write
    for d in (out_portal, out_truth):
        if d.exists():
            shutil.rmtree(d)
    for path, data in sorted(files.items()):
        p = out_portal / path.lstrip("/")
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
    out_truth.mkdir(parents=True, exist_ok=True)
    for r in reports:
        (out_truth / f"{r.report_id}.truth.json").write_bytes(truth.dumps(truth.truth_record(r)))
    (out_truth / "county.json").write_bytes(truth.dumps(truth.county_json(reports)))
    (out_truth / "manifest.csv").write_bytes(truth.manifest_csv(reports))
    size = sum(len(b) for b in files.values())
    print(f"{len(reports)} reports, {len(files)} portal files, {size / 1e6:.1f} MB -> {out_portal}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

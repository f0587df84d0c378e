"""PDFs exported by LibreOffice (`soffice --headless --convert-to pdf`) from DOCX or HTML, and legacy
Word 97-2003 `.doc` files (`--convert-to doc`) from the python-docx DOCX.

LibreOffice stamps /CreationDate and a random trailer /ID; both are overwritten in place with
same-length values derived from the report, so the bytes (and sha256) are reproducible as long as
the LibreOffice version and fonts are the same. The .doc export carries no clock time (its
created/revised dates come from the DOCX core properties, which render_docx fixes) and no random
ids, so it needs no patching. Without soffice, the committed PDFs and .doc files are reused.
"""
from __future__ import annotations

import copy
import hashlib
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pypdfium2 as pdfium

from . import render_docx, render_html
from .county import Report

LO_FONT = "Noto Serif CJK SC"
# table labels never used in the prose: a page holding any of them holds part of a table
TABLE_MARKERS = ("第二十条", "信息内容", "申请人情况", "自然人", "予以公开", "不予公开", "无法提供",
                 "不予处理", "其他处理", "总计", "结转下年度", "结果维持", "尚未审结", "复议后起诉",
                 "直接起诉", "行政事业性收费", "政府集中采购")
T3_MARKERS = ("申请人情况", "本年新收", "上年结转政府信息公开申请", "予以公开", "不予公开", "无法提供",
              "不予处理", "其他处理", "结转下年度")


def available() -> bool:
    return shutil.which("soffice") is not None


# LibreOffice's PDF export is not independent per file within one soffice run: removing a document
# from the batch changes the bytes of the PDFs converted after it (same text, different streams).
# Reports that moved from a LibreOffice PDF to another format therefore keep their old PDF job in
# the batch (output discarded), so the remaining committed PDFs stay byte-identical.
FORMER_PDF_JOBS = {"xicheng-2021": "libreoffice-docx"}


def former_pdf_job(r: Report) -> tuple[str, str, bytes]:
    """(name, ext, source) of the PDF job r had before its format changed; never a report_id."""
    old = copy.copy(r)
    old.producer = FORMER_PDF_JOBS[r.report_id]
    ext, src = source_for(old)
    return f"_former_{r.report_id}", ext, src


def source_for(r: Report) -> tuple[str, bytes]:
    if r.producer == "libreoffice-doc":
        return "docx", render_docx.render(r)
    if r.producer == "libreoffice-docx":
        return "docx", render_docx.render(r, font=LO_FONT)
    return "html", render_html.office_document(r).encode("utf-8")


def convert(jobs: list[tuple[str, str, bytes]], to: str = "pdf") -> dict[str, bytes]:
    """jobs: (name, ext, source bytes) -> {name: output bytes}, one soffice run for all.

    `to` is the target extension: "pdf" or "doc" (Word 97-2003)."""
    if not jobs:
        return {}
    with tempfile.TemporaryDirectory(prefix="sample_county_lo_") as tmp:
        t = Path(tmp)
        (t / "in").mkdir()
        files = []
        for name, ext, data in jobs:
            p = t / "in" / f"{name}.{ext}"
            p.write_bytes(data)
            files.append(str(p))
        cmd = ["soffice", f"-env:UserInstallation=file://{t}/profile", "--headless",
               "--convert-to", to, "--outdir", str(t / "out"), *files]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=900)
        return {name: (t / "out" / f"{name}.{to}").read_bytes() for name, _, _ in jobs}


def normalize(pdf: bytes, r: Report) -> bytes:
    d = r.published
    stamp = f"{d.year:04d}{d.month:02d}{d.day:02d}093000"

    def fix_date(m: re.Match) -> bytes:
        old = m.group(1)
        new = (stamp.encode() + old[14:]) if len(old) >= 14 else old
        return m.group(0).replace(old, new[: len(old)])

    pdf = re.sub(rb"/(?:CreationDate|ModDate)\(D:(\d{14}[^)]*)\)", fix_date, pdf)
    stripped = re.sub(rb"/ID\s*\[[^\]]*\]", b"", pdf)
    stripped = re.sub(rb"/DocChecksum\s*/[0-9A-Fa-f]{32}", b"", stripped)
    body_hash = hashlib.md5(stripped).hexdigest().upper().encode()
    pdf = re.sub(rb"(/DocChecksum\s*/)[0-9A-Fa-f]{32}", lambda m: m.group(1) + body_hash, pdf)

    def fix_id(m: re.Match) -> bytes:
        return re.sub(rb"<[0-9A-Fa-f]{32}>", b"<" + body_hash + b">", m.group(0))

    return re.sub(rb"/ID\s*\[[^\]]*\]", fix_id, pdf)


def page_facts(pdf: bytes) -> tuple[list[int], list[int]]:
    doc = pdfium.PdfDocument(pdf)
    pages, t3 = [], []
    for i in range(len(doc)):
        text = re.sub(r"\s+", "", doc[i].get_textpage().get_text_range())
        if any(m in text for m in TABLE_MARKERS):
            pages.append(i + 1)
        if any(m in text for m in T3_MARKERS):
            t3.append(i + 1)
    doc.close()
    return pages, t3

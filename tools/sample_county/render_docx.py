"""Word attachments: the official 2021 template filled in, or a python-docx table for 2019 layouts.

python-docx writes zip entries with the current time and may stamp core properties, so the
saved package is rewritten with fixed timestamps to make the bytes reproducible.
"""
from __future__ import annotations

import copy
import datetime as dt
import io
import zipfile

import docx
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from . import prose
from .county import Report
from .tables import Grid, expand, grids

TEMPLATE_2021 = "/work/shared/corpus/official-template-2021.docx"
FIXED_ZIP_TIME = (2020, 1, 1, 0, 0, 0)


def _font(run, name: str, size: float | None = None) -> None:
    run.font.name = name
    rpr = run._element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(rfonts)
    for k in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(k), name)
    if size:
        run.font.size = Pt(size)


def _set_cell(cell, text: str, font: str, size: float, center: bool = True) -> None:
    # keep the first paragraph's formatting, replace its runs
    p = cell.paragraphs[0]
    for extra in cell.paragraphs[1:]:
        extra._element.getparent().remove(extra._element)
    for run in list(p.runs):
        run._element.getparent().remove(run._element)
    lines = text.split("\n")
    run = p.add_run(lines[0])
    _font(run, font, size)
    for line in lines[1:]:
        run.add_break()
        run2 = p.add_run(line)
        _font(run2, font, size)
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER


def fill_grid_into(table, g: Grid, font: str, size: float) -> None:
    """Write a grid's texts into an existing Word table with the same shape (official template)."""
    m = expand(g)
    for ri in range(len(g.rows)):
        for ci in range(g.ncols):
            cell, r0, c0 = m[ri][ci]
            if r0 == ri and c0 == ci:
                _set_cell(table.cell(ri, ci), cell.text, font, size, center=cell.code is not None)


def build_grid_table(document, g: Grid, font: str, size: float):
    m = expand(g)
    t = document.add_table(rows=len(g.rows), cols=g.ncols)
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    sec = document.sections[0]
    avail = sec.page_width - sec.left_margin - sec.right_margin
    tot = sum(g.widths)
    for ri, row in enumerate(t.rows):
        for ci, cell in enumerate(row.cells):
            cell.width = int(avail * g.widths[ci] / tot)
    for ci, col in enumerate(t.columns):
        col.width = int(avail * g.widths[ci] / tot)
    done = set()
    for ri in range(len(g.rows)):
        for ci in range(g.ncols):
            cell, r0, c0 = m[ri][ci]
            if (r0, c0) in done:
                continue
            done.add((r0, c0))
            a = t.cell(r0, c0)
            if cell.rowspan > 1 or cell.colspan > 1:
                a = a.merge(t.cell(r0 + cell.rowspan - 1, c0 + cell.colspan - 1))
            _set_cell(a, cell.text, font, size, center=cell.code is not None or g.name == "t4")
    return t


def _para(document, text: str, font: str, size: float, align=None, indent=True, bold=False):
    p = document.add_paragraph()
    if indent:
        p.paragraph_format.first_line_indent = Pt(size * 2)
    if align is not None:
        p.alignment = align
    run = p.add_run(text)
    run.bold = bold
    _font(run, font, size)
    return p


def _official_2021(r: Report, font: str) -> docx.Document:
    d = docx.Document(TEMPLATE_2021)
    body = d.element.body
    tables = d.tables
    gmap = {g.name: g for g in grids(r)}
    for name, t in zip(("t2", "t3", "t4"), tables):
        fill_grid_into(t, gmap[name], font, 9 if name != "t4" else 8)
    # rebuild the paragraphs around the three tables from the prose
    items = prose.paragraphs(r)
    anchors = [t._element for t in tables]
    for p in list(d.paragraphs):
        p._element.getparent().remove(p._element)
    # new paragraphs are appended to the body end then moved before the right anchor
    sect = body[-1] if body[-1].tag == qn("w:sectPr") else None
    ti = 0
    for kind, text in items:
        if kind == "table":
            ti += 1
            continue
        if kind == "title":
            p = _para(d, text, font, 18, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, bold=True)
        elif kind == "h":
            p = _para(d, text, font, 12, indent=True, bold=True)
        elif kind == "sign":
            p = _para(d, text, font, 12, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
        else:
            p = _para(d, text, font, 12)
        el = p._element
        el.getparent().remove(el)
        if ti < len(anchors):
            anchors[ti].addprevious(el)
        elif sect is not None:
            sect.addprevious(el)
        else:
            body.append(el)
    return d


def _built(r: Report, font: str) -> docx.Document:
    d = docx.Document()
    st = d.styles["Normal"]
    st.font.name = font
    st.element.rPr.rFonts.set(qn("w:eastAsia"), font)
    gmap = {g.name: g for g in grids(r)}
    for kind, text in prose.paragraphs(r):
        if kind == "title":
            _para(d, text, font, 18, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, bold=True)
        elif kind == "h":
            _para(d, text, font, 12, bold=True)
        elif kind == "sign":
            _para(d, text, font, 12, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
        elif kind == "table":
            g = gmap[text]
            build_grid_table(d, g, font, 9 if g.name != "t4" else 7.5)
            d.add_paragraph()
        else:
            _para(d, text, font, 12)
    return d


def build(r: Report, font: str = "仿宋_GB2312") -> docx.Document:
    if r.template_s2 == "2021" and r.template_s3 == "2021":
        return _official_2021(r, font)
    return _built(r, font)


def render(r: Report, font: str = "仿宋_GB2312") -> bytes:
    d = build(r, font)
    cp = d.core_properties
    stamp = dt.datetime(r.published.year, r.published.month, r.published.day, 9, 0, 0)
    cp.author = r.org.printed(r.year)[0]
    cp.last_modified_by = cp.author
    cp.title = r.title
    cp.created = stamp
    cp.modified = stamp
    cp.revision = 1
    buf = io.BytesIO()
    d.save(buf)
    return normalize_zip(buf.getvalue())


def normalize_zip(data: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            z.writestr(zi, src.read(info.filename))
    return out.getvalue()


_ = copy  # (kept for callers that deep-copy documents)

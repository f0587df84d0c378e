"""PDFs produced by LibreOffice (`soffice --convert-to pdf`) from a DOCX or an HTML page, in Noto
CJK, with drawn rules (grid, horizontal only, none: Word's "no borders"), font and size.

Creation dates and the trailer /ID are normalised (tools/sample_county/render_libreoffice), so a
rerun gives the same bytes with the same LibreOffice and fonts. One soffice run per case:
seconds, not milliseconds.
"""
from __future__ import annotations

import html
import io
import random

from tools.sample_county import prose, render_libreoffice
from tools.sample_county.county import Report
from tools.sample_county.tables import Cell, Grid, expand, grids

FONTS = ("Noto Serif CJK SC", "Noto Sans CJK SC")


def docx_source(r: Report, rng: random.Random, params: dict) -> bytes:
    import datetime as dt

    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn

    from tools.sample_county import render_docx as rd

    from .word import table_docx

    font, size = params["font"], params["font_size"]
    d = docx.Document()
    st = d.styles["Normal"]
    st.font.name = font
    st.element.rPr.rFonts.set(qn("w:eastAsia"), font)
    gmap = {g.name: g for g in grids(r)}
    for kind, text in prose.paragraphs(r):
        if kind == "title":
            rd._para(d, text, font, 18, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, bold=True)
        elif kind == "h":
            rd._para(d, text, font, 12, bold=True)
        elif kind == "sign":
            rd._para(d, text, font, 12, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
        elif kind == "table":
            g = gmap[text]
            table_docx(d, g, font, size if g.name != "t4" else size - 1.5, [], rules=params["rules"])
            d.add_paragraph()
        else:
            rd._para(d, text, font, 12)
    cp = d.core_properties
    cp.author = cp.last_modified_by = r.org.printed(r.year)[0]
    cp.title = r.title
    cp.created = cp.modified = dt.datetime(r.published.year, r.published.month, r.published.day, 9)
    cp.revision = 1
    buf = io.BytesIO()
    d.save(buf)
    return rd.normalize_zip(buf.getvalue())


def _td(c: Cell, rules: str, valign: str) -> str:
    attrs = (f' rowspan="{c.rowspan}"' if c.rowspan > 1 else "") + (f' colspan="{c.colspan}"' if c.colspan > 1 else "")
    border = {"grid": "border:1px solid #000", "hrules": "border:none;border-top:1px solid #000;"
              "border-bottom:1px solid #000", "none": "border:none"}[rules]
    text = html.escape(c.text).replace("\n", "<br/>") if c.text else "&nbsp;"
    align = "center" if (c.code is not None or c.header and c.colspan > 2) else "left"
    return f'<td{attrs} style="{border};padding:1px 3px;text-align:{align};vertical-align:{valign}">{text}</td>'


def html_source(r: Report, rng: random.Random, params: dict) -> bytes:
    gmap = {g.name: g for g in grids(r)}

    def table(name: str) -> str:
        g: Grid = gmap[name]
        expand(g)
        rows = "".join("<tr>" + "".join(_td(c, params["rules"], params["valign"]) for c in row) + "</tr>"
                       for row in g.rows)
        return f'<table width="100%" cellspacing="0" style="border-collapse:collapse">{rows}</table>'

    out = prose.html_paragraphs(r, {"title": '<p style="text-align:center;font-size:18pt"><b>{t}</b></p>',
                                    "h": "<p><b>{t}</b></p>", "p": '<p style="text-indent:2em">{t}</p>',
                                    "sign": '<p style="text-align:right">{t}</p>'}, table)
    font = params["font"]
    doc = (f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{html.escape(r.title)}</title>"
           f"<style>body{{font-family:'{font}';font-size:10.5pt}} td{{font-family:'{font}';"
           f"font-size:{params['font_size']}pt}}</style></head><body>\n" + "\n".join(out) + "\n</body></html>\n")
    return doc.encode("utf-8")


def render(family: str, r: Report, rng: random.Random) -> tuple[bytes, str, dict, dict]:
    if not render_libreoffice.available():
        raise RuntimeError("LibreOffice (soffice) is not installed: the lo_* families need it")
    params = {"producer": "libreoffice", "source": family.split("_")[1], "font": rng.choice(FONTS),
              "font_size": rng.choice([8, 9, 10]), "rules": rng.choice(["grid", "grid", "hrules", "none"]),
              "valign": rng.choice(["middle", "top"])}
    if family == "lo_docx":
        ext, src = "docx", docx_source(r, rng, params)
    else:
        ext, src = "html", html_source(r, rng, params)
    pdf = render_libreoffice.convert([("case", ext, src)])["case"]
    pdf = render_libreoffice.normalize(pdf, r)
    pages, _ = render_libreoffice.page_facts(pdf)
    return pdf, ".pdf", params, {"pages_with_tables": pages}

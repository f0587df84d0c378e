"""Inline HTML of a report as TRS editors store it (Word-pasted tables, <p><span> cells, &nbsp;)."""
from __future__ import annotations

import html

from . import prose
from .county import Report
from .tables import Cell, Grid, expand, grids

FONT = "font-family:宋体;font-size:10.5pt"


def split_grid(g: Grid, k: int) -> tuple[Grid, Grid]:
    """Split a grid before row k; spans crossing the cut continue as empty cells in part 2."""
    m = expand(g)
    top: list[list[Cell]] = []
    for ri in range(k):
        row = []
        for c in g.rows[ri]:
            if ri + c.rowspan > k:
                c = Cell(c.text, k - ri, c.colspan, c.code, c.header)
            row.append(c)
        top.append(row)
    bottom: list[list[Cell]] = [list(row) for row in g.rows[k:]]
    # continuation cells, inserted at their column position in row k
    first = []
    ci = 0
    orig = {id(c) for c in g.rows[k]}
    while ci < g.ncols:
        cell, r0, c0 = m[k][ci]
        if id(cell) in orig:
            first.append(cell)
        else:
            first.append(Cell("", r0 + cell.rowspan - k, cell.colspan, None, True))
        ci = c0 + cell.colspan
    bottom[0] = first
    return Grid(g.name, g.ncols, g.widths, top), Grid(g.name, g.ncols, g.widths, bottom)


def _cell_html(c: Cell, wide: bool) -> str:
    attrs = ""
    if c.rowspan > 1:
        attrs += f' rowspan="{c.rowspan}"'
    if c.colspan > 1:
        attrs += f' colspan="{c.colspan}"'
    text = html.escape(c.text).replace("\n", "<br/>") if c.text else "&nbsp;"
    align = "left" if (c.header and wide) else "center"
    return (f'<td{attrs} style="border:solid windowtext 1.0pt;padding:0 5.4pt" valign="middle">'
            f'<p style="text-align:{align}"><span style="{FONT}">{text}</span></p></td>')


def table_html(g: Grid) -> str:
    out = ['<table class="MsoNormalTable" border="1" cellspacing="0" cellpadding="0" width="100%" '
           'style="border-collapse:collapse;border:none">', "<tbody>"]
    for row in g.rows:
        out.append("<tr>" + "".join(_cell_html(c, g.name == "t3" and c.colspan >= 2) for c in row) + "</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def body_html(r: Report, for_office: bool = False) -> str:
    """The report body: paragraphs and tables, as inside <div class="TRS_Editor">."""
    gmap = {g.name: g for g in grids(r)}
    out = []
    for kind, text in prose.paragraphs(r):
        if kind == "title":
            if for_office:
                out.append(f'<p align="center" style="text-align:center"><b><span style="font-size:18pt">'
                           f"{html.escape(text)}</span></b></p>")
            continue
        if kind == "h":
            out.append(f'<p style="text-indent:2em"><b><span style="{FONT}">{html.escape(text)}</span></b></p>')
        elif kind == "p":
            out.append(f'<p style="text-indent:2em"><span style="{FONT}">{html.escape(text)}</span></p>')
        elif kind == "sign":
            out.append(f'<p style="text-align:right"><span style="{FONT}">{html.escape(text)}</span></p>')
        elif kind == "table":
            g = gmap[text]
            if g.name == "t3" and r.split_t3:
                k = next(i for i, row in enumerate(g.rows)
                         if any(c.code == "t3.result.withheld.internal_affairs:total" for c in row))
                a, b = split_grid(g, k)
                out.append(table_html(a))
                out.append('<p>&nbsp;</p>')
                out.append(table_html(b))
            else:
                out.append(table_html(g))
    return "\n".join(out)


def office_document(r: Report) -> str:
    """A standalone HTML document for LibreOffice (Noto CJK fonts)."""
    body = body_html(r, for_office=True).replace("宋体", "Noto Serif CJK SC")
    return ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>"
            + html.escape(r.title) + "</title>\n<style>body{font-family:'Noto Serif CJK SC';font-size:10.5pt}"
            "td{font-family:'Noto Sans CJK SC';font-size:9pt}</style></head><body>\n"
            + body + "\n</body></html>\n")

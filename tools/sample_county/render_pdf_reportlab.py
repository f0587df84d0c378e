"""PDF attachments drawn with ReportLab: ruled tables as lines + text, a TTF CJK font, page numbers.

Deterministic (invariant=1). Records the page and box of every printed value (cell_locations),
the pages holding tables 二/三/四 and the pages holding table 三 (it often breaks across pages).
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from . import prose
from .county import Report
from .tables import Grid, expand, grids

FONT_PATH = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
FONT = "WQYZenHei"
PAGE_W, PAGE_H = A4
LEFT, RIGHT, TOP, BOTTOM = 72.0, 72.0, 72.0, 80.0
BODY_W = PAGE_W - LEFT - RIGHT
_registered = False


def _register() -> None:
    global _registered
    if not _registered:
        pdfmetrics.registerFont(TTFont(FONT, FONT_PATH, subfontIndex=0))
        _registered = True


def sw(text: str, size: float) -> float:
    return pdfmetrics.stringWidth(text, FONT, size)


def wrap(text: str, size: float, width: float) -> list[str]:
    lines: list[str] = []
    for para in text.split("\n"):
        cur = ""
        for ch in para:
            if cur and sw(cur + ch, size) > width:
                lines.append(cur.rstrip())
                cur = "" if ch == " " else ch
            else:
                cur += ch
        lines.append(cur)
    return lines


@dataclass
class Layout:
    c: canvas.Canvas
    page: int = 1
    y: float = PAGE_H - TOP
    table_pages: dict = field(default_factory=dict)   # grid name -> set of pages
    locations: dict = field(default_factory=dict)
    vrules: bool = True

    def new_page(self) -> None:
        self._footer()
        self.c.showPage()
        self.page += 1
        self.y = PAGE_H - TOP

    def _footer(self) -> None:
        self.c.setFont(FONT, 9)
        t = f"— {self.page} —"
        self.c.drawString(PAGE_W / 2 - sw(t, 9) / 2, 40, t)

    def finish(self) -> None:
        self._footer()
        self.c.save()

    # -------------------------------------------------------------- text
    def text_block(self, text: str, size: float, align: str = "left", indent: float = 0.0,
                   leading: float = 1.7, space_after: float = 4.0) -> None:
        lines = wrap(" " * 0 + text, size, BODY_W - indent)
        # first-line indent of two characters for body text
        for i, line in enumerate(lines):
            if self.y - size * leading < BOTTOM:
                self.new_page()
            self.y -= size * leading
            self.c.setFont(FONT, size)
            if align == "center":
                x = PAGE_W / 2 - sw(line, size) / 2
            elif align == "right":
                x = PAGE_W - RIGHT - sw(line, size)
            else:
                x = LEFT + (indent if i == 0 else 0)
            self.c.drawString(x, self.y, line)
        self.y -= space_after

    def paragraph(self, text: str, size: float = 11) -> None:
        # wrap with the indent on the first line only
        first_w = BODY_W - 2 * size
        lines: list[str] = []
        cur, width = "", first_w
        for ch in text:
            if cur and sw(cur + ch, size) > width:
                lines.append(cur)
                cur, width = ch, BODY_W
            else:
                cur += ch
        lines.append(cur)
        for i, line in enumerate(lines):
            if self.y - size * 1.7 < BOTTOM:
                self.new_page()
            self.y -= size * 1.7
            self.c.setFont(FONT, size)
            self.c.drawString(LEFT + (2 * size if i == 0 else 0), self.y, line)
        self.y -= 4

    # -------------------------------------------------------------- tables
    def table(self, g: Grid) -> None:
        m = expand(g)
        nrows = len(g.rows)
        tot = sum(g.widths)
        colw = [w / tot * BODY_W for w in g.widths]
        colx = [LEFT + sum(colw[:i]) for i in range(g.ncols + 1)]
        fs = 9.0 * g.font_scale
        lead = fs * 1.3
        pad = 2.5
        origins = []  # (cell, r0, c0)
        for ri in range(nrows):
            for ci in range(g.ncols):
                cell, r0, c0 = m[ri][ci]
                if r0 == ri and c0 == ci:
                    origins.append((cell, r0, c0))
        heights = [fs + 2 * pad + 6] * nrows
        # single-row cells set the minimum row height
        for cell, r0, c0 in origins:
            w = colx[c0 + cell.colspan] - colx[c0] - 2 * pad
            need = len(wrap(cell.text, fs, w)) * lead + 2 * pad + 2
            if cell.rowspan == 1:
                heights[r0] = max(heights[r0], need)
        for cell, r0, c0 in origins:
            if cell.rowspan > 1:
                w = colx[c0 + cell.colspan] - colx[c0] - 2 * pad
                need = len(wrap(cell.text, fs, w)) * lead + 2 * pad + 2
                have = sum(heights[r0:r0 + cell.rowspan])
                if need > have:
                    extra = (need - have) / cell.rowspan
                    for k in range(r0, r0 + cell.rowspan):
                        heights[k] += extra
        # keep-together units: the header rows with the first data row
        keep = {"t3": 4, "t4": 4, "t2": 3}[g.name]
        # plan: page offset and top y of each row
        plan: list[tuple[int, float]] = []
        page_off, y = 0, self.y - 4
        for ri in range(nrows):
            need = heights[ri] if ri > 0 else sum(heights[:keep])
            if g.name == "t2" and ri > 0 and g.rows[ri] and g.rows[ri][0].header and g.rows[ri][0].colspan == g.ncols:
                need = sum(heights[ri:ri + 3])   # block header, column header, first item together
            if y - need < BOTTOM:
                page_off += 1
                y = PAGE_H - TOP
            plan.append((page_off, y))
            y -= heights[ri]
        # draw page by page
        c = self.c
        for p in range(page_off + 1):
            if p > 0:
                self.new_page()
            self.table_pages.setdefault(g.name, set()).add(self.page)
            c.setLineWidth(0.6)
            for cell, r0, c0 in origins:
                rows_here = [k for k in range(r0, r0 + cell.rowspan) if plan[k][0] == p]
                if not rows_here:
                    continue
                ytop = plan[rows_here[0]][1]
                ybot = plan[rows_here[-1]][1] - heights[rows_here[-1]]
                x0, x1 = colx[c0], colx[c0 + cell.colspan]
                if self.vrules:
                    c.rect(x0, ybot, x1 - x0, ytop - ybot, stroke=1, fill=0)
                else:
                    c.line(x0, ytop, x1, ytop)
                    c.line(x0, ybot, x1, ybot)
                first_frag = plan[r0][0] == p
                if not cell.text or not first_frag:
                    continue
                lines = wrap(cell.text, fs, x1 - x0 - 2 * pad)
                block_h = len(lines) * lead
                # baseline of the first line, vertically centred in the fragment
                yb = (ytop + ybot) / 2 + block_h / 2 - lead + (lead - fs) / 2 + fs * 0.12
                c.setFont(FONT, fs)
                left_align = cell.header and (c0 > 0 or g.name == "t2") and g.name != "t4" and (
                    (g.name == "t3" and cell.colspan < 3 and c0 >= 1) or (g.name == "t2" and c0 == 0
                                                                          and cell.colspan == 1))
                for i, line in enumerate(lines):
                    line = line.strip() if len(lines) > 1 else line
                    wl = sw(line, fs)
                    xl = x0 + pad + 1 if left_align else (x0 + x1) / 2 - wl / 2
                    yl = yb - i * lead
                    c.drawString(xl, yl, line)
                    if cell.code is not None and i == 0:
                        self.locations[cell.code] = {
                            "page": self.page,
                            "bbox_pt": [round(xl, 1), round(PAGE_H - (yl + fs * 0.80), 1),
                                        round(xl + wl, 1), round(PAGE_H - (yl - fs * 0.20), 1)],
                        }
        self.y = plan[-1][1] - heights[-1] - 6


def render(r: Report) -> tuple[bytes, dict]:
    """PDF bytes and layout facts: pages_with_tables, table3_pages, cell_locations."""
    _register()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    c.setTitle(r.title)
    c.setAuthor(r.org.printed(r.year)[0])
    c.setCreator("WPS 文字")
    lay = Layout(c, vrules=not r.no_vrules)
    gmap = {g.name: g for g in grids(r)}
    for kind, text in prose.paragraphs(r):
        if kind == "title":
            lay.y -= 10
            lay.text_block(text, 16, align="center", leading=1.6, space_after=12)
        elif kind == "h":
            lay.text_block(text, 12, leading=1.9, space_after=2)
        elif kind == "p":
            lay.paragraph(text)
        elif kind == "sign":
            lay.text_block(text, 11, align="right", leading=1.7, space_after=0)
        elif kind == "table":
            lay.table(gmap[text])
    lay.finish()
    pages = sorted(set().union(*lay.table_pages.values()))
    info = {
        "pages_with_tables": pages,
        "table3_pages": sorted(lay.table_pages.get("t3", ())),
        "cell_locations": dict(sorted(lay.locations.items())),
    }
    return buf.getvalue(), info

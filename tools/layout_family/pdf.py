"""ReportLab PDFs of one report under drawn layout parameters.

Everything is laid out on a *virtual* page (landscape for sideways tables) and mapped onto the
stored portrait page by one affine matrix per page, so a table can be printed sideways without
/Rotate (text runs bottom-to-top or top-to-bottom), with /Rotate 90, or upside down, while the
layout code stays the same. Rules (full grid, horizontal only, three-line, none), label column
width (how many lines a label wraps over), vertical alignment, fonts and forced page breaks
(before a row, or inside a row: some label lines on one page, the rest on the next) are
parameters. Table 三 can be pasted as a raster image instead of text.

The bytes are deterministic (ReportLab invariant=1). Every printed value's page and box are
recorded in stored-page coordinates, origin top-left (spec §16 `cell_locations`; for /Rotate
pages the box is in the unrotated MediaBox).
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field

from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas

from tools.sample_county import prose
from tools.sample_county.county import Report
from tools.sample_county.tables import Cell, Grid, expand, grids

from . import fonts

W, H = A4
HEADER_ROWS = {"t2": 2, "t3": 3, "t4": 3}
# stored-page matrix (a, b, c, d, e, f) for each orientation; the virtual page size
ORIENTATIONS = {
    "upright": ((1, 0, 0, 1, 0, 0), (W, H), 0),
    "sideways90": ((0, 1, -1, 0, W, 0), (H, W), 0),     # text runs bottom -> top
    "sideways270": ((0, -1, 1, 0, 0, H), (H, W), 0),    # text runs top -> bottom
    "upside_down": ((-1, 0, 0, -1, W, H), (W, H), 0),
    "rotate90": ((0, 1, -1, 0, W, 0), (H, W), 90),      # /Rotate 90: displays upright, landscape
}


@dataclass
class PdfParams:
    rules: str = "grid"                 # grid | hrules | three_line | none
    font: str = "STSong-Light"          # a fonts.CJK_FONTS key
    digit_font: str | None = None       # Latin font for numbers (Word: Times New Roman), None = font
    font_size: float = 8.5
    label_frac: float = 0.42            # share of the table width for table 三's 3 label columns
    t2_label_frac: float = 0.34
    valign_values: str = "middle"       # middle | top | bottom
    valign_labels: str = "middle"
    value_align: str = "center"         # center | right
    row_pad: float = 2.5                # extra height in every row (tall rows)
    orientation: str = "upright"        # ORIENTATIONS key, for the table pages
    tables_on_own_pages: bool = False   # each table starts a new page (forced for rotations)
    breaks: dict = field(default_factory=dict)   # table -> {row: "before" | label lines kept}
    repeat_header: bool = False         # repeat the header rows after a page break
    t3_image_dpi: int | None = None     # table 三 pasted as a raster image at this dpi
    t3_image_gray: bool = True
    t3_image_jpeg: int | None = None    # JPEG quality, None = PNG


class Writer:
    """A ReportLab canvas with virtual pages; tracks value locations and table pages."""

    def __init__(self, p: PdfParams, title: str, author: str, size=None):
        self.p = p
        self.buf = io.BytesIO()
        self.c = canvas.Canvas(self.buf, pagesize=size or A4, invariant=1)
        self.c.setTitle(title)
        self.c.setAuthor(author)
        self.c.setCreator("WPS 文字" if p.font == "STSong-Light" else "Microsoft Word")
        self.page = 0
        self.orient = "upright"
        self.fixed_size = size
        self.locations: dict = {}
        self.table_pages: dict = {}
        self.image_codes: set = set()
        self.breaks_applied: dict = {}      # table -> {row: "before" | label lines kept}
        self.vw, self.vh = size or (W, H)
        self.y = 0.0

    # ------------------------------------------------------------ pages
    @property
    def margins(self) -> tuple[float, float, float, float]:
        if self.fixed_size:
            return 4.0, 4.0, 4.0, -1e9
        return (60.0, 60.0, 60.0, 70.0) if self.vw > self.vh else (72.0, 72.0, 72.0, 80.0)

    @property
    def left(self) -> float:
        return self.margins[0]

    @property
    def body_w(self) -> float:
        lm, rm, _, _ = self.margins
        return self.vw - lm - rm

    @property
    def bottom(self) -> float:
        return self.margins[3]

    @property
    def top(self) -> float:
        return self.vh - self.margins[2]

    def new_page(self, orient: str | None = None) -> None:
        orient = orient or self.orient
        c = self.c
        if self.page:
            self._footer()
            c.restoreState()
            c.showPage()
        self.page += 1
        self.orient = orient
        m, (vw, vh), rot = ORIENTATIONS[orient]
        if self.fixed_size:
            m, (vw, vh), rot = (1, 0, 0, 1, 0, 0), self.fixed_size, 0
        else:
            # ReportLab swaps the stored MediaBox of a /Rotate 90 page: ask for landscape to store portrait
            c.setPageSize((H, W) if rot == 90 else (W, H))
            c.setPageRotation(rot)
        c.saveState()
        if m != (1, 0, 0, 1, 0, 0):
            c.transform(*m)
        self.vw, self.vh = vw, vh
        self.y = self.top

    def _footer(self) -> None:
        if self.fixed_size:
            return
        t = f"— {self.page} —"
        self.c.setFont(fonts.name(self.p.font), 9)
        self.c.drawString(self.vw / 2 - self.sw(t, 9) / 2, 36, t)

    def finish(self) -> bytes:
        self._footer()
        self.c.restoreState()
        self.c.showPage()
        self.c.save()
        return self.buf.getvalue()

    def stored_box(self, u0: float, v0: float, u1: float, v1: float) -> list[float]:
        """Virtual box -> stored page box [x0, top, x1, bottom], origin top-left."""
        m = (1, 0, 0, 1, 0, 0) if self.fixed_size else ORIENTATIONS[self.orient][0]
        a, b, c, d, e, f = m
        pts = [(a * u + c * v + e, b * u + d * v + f) for u in (u0, u1) for v in (v0, v1)]
        xs, ys = [x for x, _ in pts], [y for _, y in pts]
        ph = self.fixed_size[1] if self.fixed_size else H
        return [round(min(xs), 1), round(ph - max(ys), 1), round(max(xs), 1), round(ph - min(ys), 1)]

    # ------------------------------------------------------------ text
    def sw(self, text: str, size: float, font: str | None = None) -> float:
        return pdfmetrics.stringWidth(text, font or fonts.name(self.p.font), size)

    def wrap(self, text: str, size: float, width: float) -> list[str]:
        lines: list[str] = []
        for para in text.split("\n"):
            cur = ""
            for ch in para:
                if cur and self.sw(cur + ch, size) > width:
                    lines.append(cur.rstrip())
                    cur = "" if ch == " " else ch
                else:
                    cur += ch
            lines.append(cur)
        return lines

    def text_block(self, text: str, size: float, align: str = "left", first_indent: float = 0.0,
                   leading: float = 1.7, space_after: float = 4.0) -> None:
        width = self.body_w
        lines, cur, avail = [], "", width - first_indent
        for ch in text:
            if cur and self.sw(cur + ch, size) > avail:
                lines.append(cur)
                cur, avail = ch, width
            else:
                cur += ch
        lines.append(cur)
        for i, line in enumerate(lines):
            if self.y - size * leading < self.bottom:
                self.new_page("upright")
            self.y -= size * leading
            self.c.setFont(fonts.name(self.p.font), size)
            if align == "center":
                x = self.left + width / 2 - self.sw(line, size) / 2
            elif align == "right":
                x = self.left + width - self.sw(line, size)
            else:
                x = self.left + (first_indent if i == 0 else 0)
            self.c.drawString(x, self.y, line)
        self.y -= space_after

    # ------------------------------------------------------------ tables
    def col_widths(self, g: Grid, width: float) -> list[float]:
        if g.name == "t3":
            lab = self.p.label_frac * width
            val = (width - lab) / 7
            return [lab * 0.2, lab * 0.26, lab * 0.54] + [val] * 7
        if g.name == "t2":
            lab = self.p.t2_label_frac * width
            rest = g.widths[1:]
            return [lab] + [w / sum(rest) * (width - lab) for w in rest]
        return [width / g.ncols] * g.ncols

    def table(self, g: Grid, image_dpi: int | None = None) -> None:
        if image_dpi:
            self._pasted_table(g, image_dpi)
            return
        TableLayout(self, g).draw()

    def _pasted_table(self, g: Grid, dpi: int) -> None:
        """Draw the table alone on a tall page, rasterise it, paste the picture here."""
        import pypdfium2 as pdfium

        width = self.body_w
        probe = TableLayout(self, g, width=width)
        tall = sum(probe.heights) + 12
        sub = Writer(self.p, "", "", size=(width + 8, tall))
        sub.new_page()
        TableLayout(sub, g, width=width).draw()
        pdf = sub.finish()
        w_pt, h_pt = width + 8, tall
        scale = 1.0
        if h_pt > self.top - self.bottom:
            scale = (self.top - self.bottom) / h_pt
        # rasterised so that the pasted picture has `dpi` pixels per inch on the page
        doc = pdfium.PdfDocument(pdf)
        bitmap = doc[0].render(scale=dpi / 72 * scale, grayscale=self.p.t3_image_gray)
        img = bitmap.to_pil()
        doc.close()
        img = img.convert("L" if self.p.t3_image_gray else "RGB")
        out = io.BytesIO()
        if self.p.t3_image_jpeg:
            img.save(out, format="JPEG", quality=self.p.t3_image_jpeg)
        else:
            img.save(out, format="PNG")
        if self.y - h_pt * scale < self.bottom:
            self.new_page()
        x0 = self.left - 4
        y0 = self.y - h_pt * scale
        self.c.drawImage(ImageReader(io.BytesIO(out.getvalue())), x0, y0, w_pt * scale, h_pt * scale)
        self.table_pages.setdefault(g.name, set()).add(self.page)
        for code, loc in sub.locations.items():
            bx0, btop, bx1, bbot = loc["bbox_pt"]
            u0, u1 = x0 + bx0 * scale, x0 + bx1 * scale
            v1, v0 = y0 + (tall - btop) * scale, y0 + (tall - bbot) * scale
            self.locations[code] = {"page": self.page, "bbox_pt": self.stored_box(u0, v0, u1, v1)}
            self.image_codes.add(code)
        self.y = y0 - 6


class TableLayout:
    """Column and row geometry of one grid, its pagination and its drawing on a Writer."""

    def __init__(self, w: Writer, g: Grid, width: float | None = None):
        self.w, self.g, self.p = w, g, w.p
        self.m = expand(g)
        width = width or w.body_w
        self.fs = self.p.font_size * (0.95 if g.name == "t4" else 1.0)
        self.pad = 2.5
        self.colw = self._fit_values(w.col_widths(g, width))
        self.x0 = w.left
        self.colx = [self.x0 + sum(self.colw[:i]) for i in range(g.ncols + 1)]
        self.lead = self.fs * 1.25
        self.origins: list[tuple[Cell, int, int]] = []
        for ri in range(len(g.rows)):
            for ci in range(g.ncols):
                cell, r0, c0 = self.m[ri][ci]
                if r0 == ri and c0 == ci:
                    self.origins.append((cell, r0, c0))
        self.lines = {(r0, c0): self._lines(cell, c0) for cell, r0, c0 in self.origins}
        self.heights = self._heights()

    def _fit_values(self, colw: list[float]) -> list[float]:
        """Widen table 三's value columns (narrowing the labels) until the widest number has room:
        numbers of neighbouring columns never touch, as on a real page."""
        if self.g.name != "t3":
            return colw
        font = fonts.name(self.p.digit_font or self.p.font)
        widest = max(self.w.sw(c.text, self.fs, font) for row in self.g.rows for c in row if c.code)
        need = widest + 2 * self.pad + 4
        if colw[3] >= need:
            return colw
        lab = sum(colw[:3]) - 7 * (need - colw[3])
        return [lab * 0.2, lab * 0.26, lab * 0.54] + [need] * 7

    def _lines(self, cell: Cell, c0: int) -> list[str]:
        if cell.code is not None:           # a number is never wrapped (it may run into the padding)
            return [cell.text] if cell.text else []
        width = self.colx[c0 + cell.colspan] - self.colx[c0] - 2 * self.pad
        lines = self.w.wrap(cell.text, self.fs, width) if cell.text else []
        return [x.strip() for x in lines] if len(lines) > 1 else lines

    def _heights(self) -> list[float]:
        n = len(self.g.rows)
        base = self.fs + 2 * self.pad + 4
        hs = [base + self.p.row_pad] * n
        for cell, r0, c0 in self.origins:
            need = len(self.lines[(r0, c0)]) * self.lead + 2 * self.pad + 2 + self.p.row_pad
            if cell.rowspan == 1:
                hs[r0] = max(hs[r0], need)
        for cell, r0, c0 in self.origins:
            if cell.rowspan > 1:
                need = len(self.lines[(r0, c0)]) * self.lead + 2 * self.pad + 2
                have = sum(hs[r0:r0 + cell.rowspan])
                if need > have:
                    for k in range(r0, r0 + cell.rowspan):
                        hs[k] += (need - have) / cell.rowspan
        return hs

    def label_origin(self, ri: int) -> tuple[Cell, int, int] | None:
        """The row's own label (a single-row header cell), the one with most lines."""
        best = None
        for cell, r0, c0 in self.origins:
            if r0 == ri and cell.rowspan == 1 and cell.code is None and cell.text:
                if best is None or len(self.lines[(r0, c0)]) > len(self.lines[(best[1], best[2])]):
                    best = (cell, r0, c0)
        return best

    # ------------------------------------------------------------ pagination
    def paginate(self) -> list[list[tuple[int, float, float]]]:
        """Per row, its segments (page, top, bottom) in virtual coordinates (page = absolute)."""
        w, g, hs = self.w, self.g, self.heights
        hdr = HEADER_ROWS[g.name]
        breaks = self.p.breaks.get(g.name, {})
        segs: list[list[tuple[int, float, float]]] = [[] for _ in hs]
        page, y = w.page, w.y - 4
        self.split_rows: dict[int, int] = {}

        def next_page() -> None:
            nonlocal page, y
            page += 1
            y = w.top
            if self.p.repeat_header and g.name == "t3":
                for k in range(hdr):
                    segs[k].append((page, y, y - hs[k]))
                    y -= hs[k]

        for ri, h in enumerate(hs):
            need = sum(hs[:hdr + 1]) if ri == 0 else h
            if g.name == "t2" and ri > 0 and g.rows[ri] and g.rows[ri][0].header \
                    and g.rows[ri][0].colspan == g.ncols:
                need = sum(hs[ri:ri + 3])
            brk = breaks.get(ri)
            lab = self.label_origin(ri)
            if isinstance(brk, int) and lab is not None and 0 < brk < len(self.lines[(lab[1], lab[2])]):
                part_a = brk * self.lead + 2 * self.pad + 1
                if y - part_a < w.bottom:
                    next_page()
                segs[ri].append((page, y, y - part_a))
                next_page()
                part_b = h - brk * self.lead
                segs[ri].append((page, y, y - part_b))
                y -= part_b
                self.split_rows[ri] = brk
                w.breaks_applied.setdefault(g.name, {})[ri] = brk
                continue
            if brk is not None and ri > 0:
                # a one-line label cannot be split: the break falls before the row
                w.breaks_applied.setdefault(g.name, {})[ri] = "before"
                next_page()
            elif y - need < w.bottom:
                next_page()
            segs[ri].append((page, y, y - h))
            y -= h
        self.end_y = y
        return segs

    # ------------------------------------------------------------ drawing
    def draw(self) -> None:
        w, g, c, p = self.w, self.g, self.w.c, self.p
        segs = self.paginate()
        first_page = w.page
        last_page = max(s[0] for row in segs for s in row)
        hdr = HEADER_ROWS[g.name]
        for page in range(first_page, last_page + 1):
            if page > w.page:
                w.new_page()
            if not any(s[0] == page for row in segs for s in row):
                continue                       # the table did not fit under the text above: next page
            w.table_pages.setdefault(g.name, set()).add(page)
            c.setLineWidth(0.6)
            for cell, r0, c0 in self.origins:
                frags = [s for k in range(r0, r0 + cell.rowspan) for s in segs[k] if s[0] == page]
                if not frags:
                    continue
                x0, x1 = self.colx[c0], self.colx[c0 + cell.colspan]
                ytop, ybot = max(f[1] for f in frags), min(f[2] for f in frags)
                if p.rules == "grid":
                    c.rect(x0, ybot, x1 - x0, ytop - ybot, stroke=1, fill=0)
                elif p.rules == "hrules":
                    c.line(x0, ytop, x1, ytop)
                    c.line(x0, ybot, x1, ybot)
                self._cell_text(cell, r0, c0, page, segs, ytop, ybot, hdr)
            if p.rules == "three_line":
                rows_here = [s for row in segs for s in row if s[0] == page]
                top = max(s[1] for s in rows_here)
                bot = min(s[2] for s in rows_here)
                c.setLineWidth(1.2)
                c.line(self.colx[0], top, self.colx[-1], top)
                c.line(self.colx[0], bot, self.colx[-1], bot)
                head = [s for k in range(hdr) for s in segs[k] if s[0] == page]
                if head:
                    c.setLineWidth(0.6)
                    yh = min(s[2] for s in head)
                    c.line(self.colx[0], yh, self.colx[-1], yh)
        w.y = self.end_y - 6

    def _flowed_lines(self, cell: Cell, r0: int, c0: int, segs, hdr: int) -> dict[int, list[str]] | None:
        """{page: lines} for a row-spanning body label whose span a page break cuts where its
        lines do not fit in the part before the break; None when it fits (set in one piece)."""
        if cell.rowspan < 2 or cell.code is not None or r0 < hdr:
            return None
        lines = self.lines[(r0, c0)]
        frags = [s for k in range(r0, r0 + cell.rowspan) for s in segs[k]]
        pages = sorted({f[0] for f in frags})
        if len(pages) < 2:
            return None
        fs, lead = self.fs, self.lead
        here = [f for f in frags if f[0] == pages[0]]
        height = max(f[1] for f in here) - min(f[2] for f in here)
        if len(lines) * lead - (lead - fs) <= height:
            return None  # centred in the part before the break, its ink stays inside the cell
        out: dict[int, list[str]] = {}
        rest = list(lines)
        for page in pages:
            here = [f for f in frags if f[0] == page]
            height = max(f[1] for f in here) - min(f[2] for f in here)
            # set from the top: the first line's ink starts a padding below the top edge
            fit = len(rest) if page == pages[-1] else max(1, 1 + int((height - self.pad - 1.15 * fs) // lead))
            out[page], rest = rest[:fit], rest[fit:]
            if not rest:
                break
        return out

    def _cell_text(self, cell: Cell, r0: int, c0: int, page: int, segs, ytop: float, ybot: float,
                   hdr: int) -> None:
        w, p, fs, lead = self.w, self.p, self.fs, self.lead
        lines = self.lines[(r0, c0)]
        if not lines:
            return
        first_seg_page = segs[r0][0][0]
        repeated = r0 < hdr and page != first_seg_page
        flow = self._flowed_lines(cell, r0, c0, segs, hdr)
        if flow is not None:
            # a spanning label cut by a page break with more lines than fit above the break: its
            # text flows on into the cell's part on the next page (as a word processor sets it),
            # instead of spilling over the rules of the rows above and below
            if page not in flow:
                return
            lines, valign = flow[page], "top"
        elif page != first_seg_page and not repeated:
            split = r0 in self.split_rows and cell.rowspan == 1 and cell.code is None
            if not split:
                return
            lines = lines[self.split_rows[r0]:]        # the label's continuation, top of the next page
            valign = "top"
        elif r0 in self.split_rows and cell.rowspan == 1 and cell.code is None:
            lines = lines[:self.split_rows[r0]]
            valign = "top"
        elif cell.code is not None:
            valign = p.valign_values
        elif cell.header and r0 < hdr:
            valign = "middle"
        else:
            valign = p.valign_labels
        block = len(lines) * lead
        if valign == "top":
            yb = ytop - self.pad - fs * 0.9
        elif valign == "bottom":
            yb = ybot + self.pad + fs * 0.25 + (len(lines) - 1) * lead
        else:
            yb = (ytop + ybot) / 2 + block / 2 - lead + (lead - fs) / 2 + fs * 0.12
        x0, x1 = self.colx[c0], self.colx[c0 + cell.colspan]
        is_value = cell.code is not None
        font = fonts.name(p.digit_font) if (is_value and p.digit_font) else fonts.name(p.font)
        left_label = (not is_value) and r0 >= hdr and (self.g.name == "t3" and cell.colspan < 3 and c0 >= 1
                                                       or self.g.name == "t2" and c0 == 0 and cell.colspan == 1)
        w.c.setFont(font, fs)
        for i, line in enumerate(lines):
            wl = w.sw(line, fs, font)
            if left_label:
                xl = x0 + self.pad + 1
            elif is_value and p.value_align == "right":
                xl = x1 - self.pad - 2 - wl
            else:
                xl = (x0 + x1) / 2 - wl / 2
            yl = yb - i * lead
            w.c.drawString(xl, yl, line)
            if is_value and i == 0:
                w.locations[cell.code] = {"page": page,
                                          "bbox_pt": w.stored_box(xl, yl - fs * 0.2, xl + wl, yl + fs * 0.8)}


def render(r: Report, p: PdfParams) -> tuple[bytes, dict]:
    """(PDF bytes, layout facts: pages_with_tables, cell_locations, image_codes)."""
    fonts.register(p.font)
    if p.digit_font:
        fonts.register(p.digit_font)
    w = Writer(p, r.title, r.org.printed(r.year)[0])
    w.new_page("upright")
    gmap = {g.name: g for g in grids(r)}
    own_pages = p.tables_on_own_pages or p.orientation != "upright"
    for kind, text in prose.paragraphs(r):
        if kind == "title":
            w.y -= 10
            w.text_block(text, 16, align="center", leading=1.6, space_after=12)
        elif kind == "h":
            if own_pages and text.startswith("五、"):
                w.new_page("upright")
            elif own_pages and text.startswith(("二、", "三、", "四、")):
                w.new_page(p.orientation)
            w.text_block(text, 12, leading=1.9, space_after=2)
        elif kind == "p":
            w.text_block(text, 11, first_indent=22)
        elif kind == "sign":
            w.text_block(text, 11, align="right", space_after=0)
        elif kind == "table":
            g = gmap[text]
            w.table(g, image_dpi=p.t3_image_dpi if g.name == "t3" else None)
    data = w.finish()
    pages = sorted(set().union(*w.table_pages.values()))
    return data, {"pages_with_tables": pages, "cell_locations": dict(sorted(w.locations.items())),
                  "image_codes": sorted(w.image_codes),
                  "breaks_applied": {k: {str(r): b for r, b in sorted(v.items())} for k, v in w.breaks_applied.items()},
                  "table_pages": {k: sorted(v) for k, v in w.table_pages.items()}}

"""PDF bytes -> model.Document.

Cheap first: pypdfium2 reads every page's text layer (milliseconds) to find the pages that
hold tables 二/三/四 and to spot garbage text (U+FFFD, `(cid:N)`, no CJK on a ruled page).
Camelot lattice then runs on those pages only and gives the grid (ruling lines, spans).
Cell text is not taken from Camelot: LibreOffice 7.4 + Noto CJK exports have zero font
ascent/descent and Camelot then places glyphs about a line low (pitfalls.md). Instead
pdfplumber's character positions are assigned to the grid cells by their centres.
Where a page has table text but no ruled grid, the grid comes from horizontal rule segments
(`tables_from_words`) when they give the columns, else from word positions under the
template's column headers (`pdf_positions.PositionReader`; an ambiguous value is reported, never
placed). Rotated pages (/Rotate) are redrawn upright first (`upright`), so positions are those
of the displayed page. Pages whose text is garbage and prose pages carrying large images (tables
pasted as pictures) are reported as `needs_ocr`, never mapped.
"""
from __future__ import annotations

import io
import logging
import re
import warnings
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache

from .geometry import (RuleGrid, cluster_means, connected_rule_tables, double_lines, grid_from_rules, groups_1d,
                       merged_double_rules, span_sets, stacked_rule_tables)
from .model import Cell, Document, Table
from .normalise import norm
from .pdf_positions import PositionReader, unsure
from .reader_errors import ReaderError

log = logging.getLogger(__name__)

# Strings that occur inside tables 二/三/四 and rarely in prose (compared whitespace-free).
TABLE_PAGE_MARKERS = (
    "第二十条第", "信息内容", "申请人情况", "本年新收政府信息公开申请", "上年结转政府信息公开申请",
    "本年度办理结果", "属于国家秘密", "本机关不掌握", "没有现成信息需要另行制作", "信访举报投诉类申请",
    "要求提供公开出版物", "结转下年度继续办理", "结果维持", "结果纠正", "尚未审结", "未经复议直接起诉",
    "复议后起诉", "本年制发件数", "本年新制作数量", "处理决定数量", "商业企业", "科研机构",
)
_CJK = re.compile(r"[\u3400-\u9fff]")
_CID = re.compile(r"\(cid:\d+\)")


ReadError = ReaderError  # one error class for every reader (reader_errors.py)


@dataclass
class PageInfo:
    number: int  # 1-based
    text: str
    has_markers: bool
    garbled: bool
    path_objects: int
    image_objects: int
    height: float = 842.0
    rotation: int = 0  # the page's /Rotate
    image_share: float = 0.0  # share of the page covered by image objects
    text_angle: int = 0  # the direction most glyphs run in (0, 90, 180, 270), from the text matrices
    rules: PageRules | None = None  # table pages only: the page's ruling lines (None: not looked at)


@dataclass
class PageRules:
    """What the page's own vector drawing says about ruling lines, read once by pdfium.

    `h_segments`: the horizontal edges pdfplumber would report, as (top, x0, x1) longer than
    3 pt; None when the page draws something this reading does not model (a form XObject, a
    Bézier curve, a shifted MediaBox), so pdfplumber must be asked. `vertical`: False only when
    nothing on the page (no image, shading, form, curve, nor any path segment rising
    LATTICE_DY or more) could draw a vertical rule, so Camelot's lattice cannot find a grid.
    """

    h_segments: list[tuple[float, float, float]] | None
    vertical: bool


@dataclass
class PdfRead:
    document: Document
    pages: list[PageInfo]
    table_pages: list[int]
    garbled_table_pages: list[int] = field(default_factory=list)
    metadata_title: str | None = None  # the document-information /Title, if any
    image_table_pages: list[int] = field(default_factory=list)  # large images, no table text


# ---------------------------------------------------------------- text layer


def text_is_garbled(text: str) -> bool:
    """True when a page's text layer cannot be trusted (missing ToUnicode maps and the like)."""
    chars = re.sub(r"\s", "", text)
    if not chars:
        return False
    bad = chars.count("\ufffd") + 5 * len(_CID.findall(text))
    if bad / len(chars) > 0.02:
        return True
    cjk = len(_CJK.findall(chars))
    return len(chars) >= 40 and cjk / len(chars) < 0.05


def _open(data: bytes):
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        msg = str(exc)
        if "password" in msg.lower():
            raise ReadError("encrypted", "the PDF is password-protected; supply the password or an "
                                         "unencrypted copy") from exc
        raise ReadError("corrupt_file", f"pdfium cannot open the PDF ({msg}); re-download the file") from exc


def _page_info(number: int, page, textpage, glyphs: list | None = None) -> PageInfo:
    import ctypes

    import pypdfium2.raw as pdfium_c

    text = textpage.get_text_range()
    paths = images = 0
    image_area = 0.0
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    # the raw object loop: pypdfium2's helper objects cost more than the counting itself
    for i in range(pdfium_c.FPDFPage_CountObjects(page.raw)):
        obj = pdfium_c.FPDFPage_GetObject(page.raw, i)
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind == pdfium_c.FPDF_PAGEOBJ_PATH:
            paths += 1
        elif kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            images += 1
            if pdfium_c.FPDFPageObj_GetBounds(obj, ctypes.byref(left), ctypes.byref(bottom), ctypes.byref(right),
                                              ctypes.byref(top)):  # an image without bounds covers nothing
                image_area += max(0.0, right.value - left.value) * max(0.0, top.value - bottom.value)
    flat = norm(text)
    area = max(page.get_width() * page.get_height(), 1.0)
    return PageInfo(number, text, any(k in flat for k in TABLE_PAGE_MARKERS), text_is_garbled(text),
                    paths, images, page.get_height(), page.get_rotation(), min(1.0, image_area / area),
                    text_angle(textpage, glyphs))


def _char_angle(textpage, i: int) -> int | None:
    """The glyph's direction in degrees, snapped to 0/90/180/270 (None: unknown or oblique)."""
    import math

    import pypdfium2.raw as pdfium_c

    rad = pdfium_c.FPDFText_GetCharAngle(textpage.raw, i)
    if rad < 0:
        return None
    deg = math.degrees(rad) % 360
    snapped = int(round(deg / 90.0)) * 90 % 360
    return snapped if abs((deg - snapped + 180) % 360 - 180) <= 10 else None


def page_glyphs(textpage) -> list[tuple[int, str, int | None]]:
    """(index, text, direction) of each printed (non-blank) character, read once per page and
    shared by `text_angle` and `page_chars`.

    The text is `get_text_range(i, 1)` (empty for a character pdfium leaves out of the text),
    taken from the character's code point where that is the same thing (every character of the
    corpus, the samples and the generator families), which is much cheaper.
    """
    import pypdfium2.raw as pdfium_c

    raw = textpage.raw
    out = []
    for i in range(textpage.count_chars()):
        u = pdfium_c.FPDFText_GetUnicode(raw, i)
        if pdfium_c.FPDFText_GetTextIndexFromCharIndex(raw, i) == -1:
            ch = ""
        elif 0 < u < 0xD800 or 0xE000 <= u <= 0xFFFF:
            ch = chr(u)
        else:  # outside the basic plane, or no code point: as pypdfium2 decodes it
            ch = textpage.get_text_range(i, 1)
        if ch.strip():
            out.append((i, ch, _char_angle(textpage, i)))
    return out


def text_angle(textpage, glyphs: list | None = None) -> int:
    """The direction most of a page's glyphs run in.

    A table printed sideways on a portrait page without /Rotate (text running bottom to top)
    has its glyphs at 90° while the page's heading may stay at 0°: the majority decides.
    """
    counts: dict[int, int] = {}
    for _, _, a in page_glyphs(textpage) if glyphs is None else glyphs:
        if a is not None:
            counts[a] = counts.get(a, 0) + 1
    return max(counts, key=lambda a: (counts[a], a == 0)) if counts else 0


def page_chars(page, textpage, glyphs: list | None = None) -> list[dict]:
    """Printed characters with tight glyph boxes (top-left origin).

    pdfium's tight boxes come from the glyph outlines, so they stay right where a font has
    zero ascent/descent (LibreOffice 7.4 + Noto CJK) and layout-based boxes fall a line low.
    """
    import ctypes

    import pypdfium2.raw as pdfium_c
    from pypdfium2 import PdfiumError

    height = page.get_height()
    raw = textpage.raw
    ox, oy = ctypes.c_double(), ctypes.c_double()
    tl, tr, tb, tt = ctypes.c_double(), ctypes.c_double(), ctypes.c_double(), ctypes.c_double()
    loose = pdfium_c.FS_RECTF()
    out = []
    for i, ch, angle in page_glyphs(textpage) if glyphs is None else glyphs:
        if angle not in (0, None):
            continue  # text in another direction (a heading beside a sideways table, a stamp)
        if not pdfium_c.FPDFText_GetCharBox(raw, i, ctypes.byref(tl), ctypes.byref(tr), ctypes.byref(tb),
                                            ctypes.byref(tt)):
            raise PdfiumError("Failed to get charbox.")
        left, bottom, right, top = tl.value, tb.value, tr.value, tt.value
        if right <= left and top <= bottom:
            continue  # generated character without a glyph
        pdfium_c.FPDFText_GetCharOrigin(raw, i, ctypes.byref(ox), ctypes.byref(oy))
        # FPDFText_GetFontSize is in text space (199 under a 0.05 matrix): use the loose box height
        if not pdfium_c.FPDFText_GetLooseCharBox(raw, i, ctypes.byref(loose)):
            raise PdfiumError("Failed to get charbox.")
        lb, lt = loose.bottom, loose.top
        size = (lt - lb) if lt - lb > 0.5 else (top - bottom)
        out.append({"text": ch, "x0": left, "x1": right, "top": height - top, "bottom": height - bottom,
                    # the baseline is shared by a line; tight boxes are not (一 is a thin stroke)
                    "baseline": height - oy.value, "origin_x": ox.value,
                    "size": size})
    return out


LATTICE_DY = 1.0  # points: a path segment rising this much may be part of a vertical rule


def page_rules(page) -> PageRules:
    """The page's ruling lines from its top-level drawing objects (see PageRules).

    Reproduces pdfminer's path painting as pdfplumber reports it (a subpath of one segment is a
    line, a closed axis-aligned four-sided one a rectangle with a top and a bottom edge, any
    other a polyline whose horizontal steps are edges), so `tables_from_words` gets the same
    segments without pdfplumber parsing the whole page again (most of a ruled page's reading
    time went there).
    """
    import ctypes

    import pypdfium2.raw as pdfium_c

    import numpy as np

    def exact(v: float) -> float:
        # pdfium keeps coordinates as 32-bit floats; pdfminer parses the content stream's decimals
        # as doubles. The shortest decimal that gives the same float32 is the one written in the
        # file, so both readings agree to the last bit (a box edge at 140.05 rounds alike).
        return float(str(np.float32(v)))

    left, bottom, right, top = (exact(v) for v in page.get_mediabox())
    modelled = (left, bottom) == (0, 0) and tuple(exact(v) for v in page.get_cropbox()) == (left, bottom, right, top) \
        and page.get_rotation() % 360 == 0
    lines, rects, polylines = [], [], []
    vertical = False
    m = pdfium_c.FS_MATRIX()
    x, y = ctypes.c_float(), ctypes.c_float()
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    for i in range(pdfium_c.FPDFPage_CountObjects(page.raw)):
        obj = pdfium_c.FPDFPage_GetObject(page.raw, i)
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind == pdfium_c.FPDF_PAGEOBJ_TEXT:
            continue
        if kind != pdfium_c.FPDF_PAGEOBJ_PATH:
            return PageRules(None, True)  # an image, shading or form may draw anything
        pdfium_c.FPDFPath_GetDrawMode(obj, ctypes.byref(fill), ctypes.byref(stroke))
        if not fill.value and not stroke.value:
            continue  # not painted (pdfminer skips `n`)
        pdfium_c.FPDFPageObj_GetMatrix(obj, ctypes.byref(m))
        a, b, c, d, e, f = (exact(v) for v in (m.a, m.b, m.c, m.d, m.e, m.f))
        subpaths: list[list[tuple[float, float]]] = []
        for k in range(pdfium_c.FPDFPath_CountSegments(obj)):
            seg = pdfium_c.FPDFPath_GetPathSegment(obj, k)
            step = pdfium_c.FPDFPathSegment_GetType(seg)
            if step not in (pdfium_c.FPDF_SEGMENT_MOVETO, pdfium_c.FPDF_SEGMENT_LINETO):
                return PageRules(None, True)  # a curve
            pdfium_c.FPDFPathSegment_GetPoint(seg, ctypes.byref(x), ctypes.byref(y))
            px, py = exact(x.value), exact(y.value)
            point = (a * px + c * py + e, b * px + d * py + f)
            if step == pdfium_c.FPDF_SEGMENT_MOVETO or not subpaths:
                subpaths.append(([point], []))
            else:
                subpaths[-1][0].append(point)  # pdfium adds the closing point of `h` itself
            if pdfium_c.FPDFPathSegment_GetClose(seg):
                subpaths[-1][1].append(len(subpaths[-1][0]) - 1)
        for pts, closed_at in subpaths:
            if any(abs(q[1] - p[1]) >= LATTICE_DY for p, q in zip(pts, pts[1:])):
                vertical = True
            if len(pts) == 2 or (len(pts) == 3 and closed_at == [2] and pts[2] == pts[0]):
                lines.append(pts[:2])  # pdfminer's `m l` and `m l h`
            elif len(pts) == 5 and pts[4] == pts[0] and _axis_aligned_box(pts):
                rects.append(pts)
            elif len(pts) > 1:
                polylines.append(pts)
    if not modelled:
        return PageRules(None, vertical)
    segs = []
    for (x0, y0), (x1, y1) in lines:
        if y0 == y1 and abs(x1 - x0) > 3:
            segs.append((top - y0, min(x0, x1), max(x0, x1)))
    for pts in rects:
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        if max(xs) - min(xs) > 3:
            segs.append((top - max(ys), min(xs), max(xs)))
            segs.append((top - min(ys), min(xs), max(xs)))
    for pts in polylines:
        for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
            if y0 == y1 and abs(x1 - x0) > 3:
                segs.append((top - y0, min(x0, x1), max(x0, x1)))
    return PageRules(segs, vertical)


def _axis_aligned_box(pts) -> bool:
    (x0, y0), (x1, y1), (x2, y2), (x3, y3), _ = pts
    return (x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0) or (y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0)


def read_pages(data: bytes, char_pages=None, info: dict | None = None
               ) -> tuple[list[PageInfo], dict[int, list[dict]]]:
    """Every page's text facts; characters of the table pages (chosen by `char_pages(pages)`).

    `info`, when given, receives the document-information title under "title".
    """
    pdf = _open(data)
    pages: list[PageInfo] = []
    chars: dict[int, list[dict]] = {}
    try:
        if info is not None:
            try:
                info["title"] = (pdf.get_metadata_value("Title") or "").strip() or None
            except Exception:  # a broken info dictionary is no reason to fail the document
                info["title"] = None
        handles = []
        for i in range(len(pdf)):
            page = pdf[i]
            tp = page.get_textpage()
            glyphs = page_glyphs(tp)
            pages.append(_page_info(i + 1, page, tp, glyphs))
            handles.append((page, tp, glyphs))
        wanted = char_pages(pages) if char_pages else []
        for number in wanted:
            page, tp, glyphs = handles[number - 1]
            chars[number] = page_chars(page, tp, glyphs)
            pages[number - 1].rules = page_rules(page)
        for page, tp, _ in handles:
            tp.close()
            page.close()
    finally:
        pdf.close()
    return pages, chars


# a page opening with a row of numbers, maybe under the rest of a header row the page break cut
# (维 / 持 / 纠 / 正 …: short pieces of column names, one to four characters a line)
_OPENS_WITH_VALUES = re.compile(r"\s*(?:[\u4e00-\u9fff]{1,4}\s+){0,60}(?:[+\-]?\d[\d.,]*\s+){2,}[+\-]?\d")


def pick_table_pages(pages: list[PageInfo]) -> list[int]:
    """Pages with table markers, plus a page sandwiched between two of them, plus a page after
    one of them that opens with a row of numbers (a table's rows carried over the page break
    below a header printed at the foot of the page before: table 四's one row of values, maybe
    under the rest of its header row)."""
    marked = {p.number for p in pages if p.has_markers and not p.garbled}
    for p in pages:
        if p.number - 1 in marked and p.number + 1 in marked:
            marked.add(p.number)
    for p in pages:
        if p.number - 1 in marked and not p.garbled and _OPENS_WITH_VALUES.match(p.text):
            marked.add(p.number)
    return sorted(marked)


# ---------------------------------------------------------------- Camelot grid + pdfplumber text


def _grid_from_camelot(tb, page_height: float) -> RuleGrid:
    cells = tb.cells
    nrows, ncols = len(cells), len(cells[0])
    xs = [cells[0][c].x1 for c in range(ncols)] + [cells[0][ncols - 1].x2]
    ys = [page_height - cells[r][0].y2 for r in range(nrows)] + [page_height - cells[nrows - 1][0].y1]
    find, union = span_sets(nrows, ncols)

    for r in range(nrows):
        for c in range(ncols):
            if c + 1 < ncols and not (cells[r][c].right or cells[r][c + 1].left):
                union((r, c), (r, c + 1))
            if r + 1 < nrows and not (cells[r][c].bottom or cells[r + 1][c].top):
                union((r, c), (r + 1, c))
    return RuleGrid(xs, ys, [[find((r, c)) for c in range(ncols)] for r in range(nrows)])


HAIRLINE_GAP = 6.0  # points: a grid row or column this thin and empty (no text line fits) lies between double rules


def _without_hairline_gaps(grid: RuleGrid, chars: list[dict]) -> RuleGrid:
    """A grid without the hairline rows and columns between double rules.

    An HTML table with separate borders (`<table border=1>`) boxes every cell on its own: each
    rule is drawn twice, side by side or a point or two apart, and Camelot may see both, cutting
    a thin empty row or column between two cells (and a cell beside it in two: a row's 总计 in
    a sliver above and the rest below, read as a row of its own). Those rows and columns
    (thinner than HAIRLINE_GAP, holding no character) are dropped; the cells on either side
    stay apart unless they already were one span."""
    nrows, ncols = grid.shape
    centres = [c for c in (_char_centre(ch) for ch in chars if ch["text"].strip())
               if grid.xs[0] <= c[0] < grid.xs[-1] and grid.ys[0] <= c[1] < grid.ys[-1]]  # this table's

    def empty_thin(edges: list[float], k: int, axis: int) -> bool:
        return (edges[k + 1] - edges[k] < HAIRLINE_GAP
                and not any(edges[k] <= c[axis] < edges[k + 1] for c in centres))

    rows = [r for r in range(nrows) if not empty_thin(grid.ys, r, 1)]
    cols = [c for c in range(ncols) if not empty_thin(grid.xs, c, 0)]
    if (len(rows), len(cols)) == (nrows, ncols) or not rows or len(cols) < 2:
        return grid
    # each kept row (column) runs from its own top (left) edge to the next kept one's
    ys = [grid.ys[r] for r in rows] + [grid.ys[nrows]]
    xs = [grid.xs[c] for c in cols] + [grid.xs[ncols]]
    first: dict = {}
    owner = [[first.setdefault(grid.owner[r][c], (i, j)) for j, c in enumerate(cols)] for i, r in enumerate(rows)]
    return RuleGrid(xs, ys, owner)


def _stepped_outline_spans(grid: RuleGrid, chars: list[dict]) -> RuleGrid:
    """A grid whose spans at the table's left or right edge holding only a number printed
    inside one of their rows, not their top one, are cut back into single cells.

    A browser may print one row a column wider than the others (a row span counting a hidden
    row, display:none, pushes that row's cells one column right): its last value stands beyond
    the right border of the rows above, and Camelot joins that column over all the rows into a
    tall span. Joined, the value goes to the span's top row (a row eight values long, the wide
    row one short); cut, it stays in the row it is printed in, where the row's value count
    decides (mapping.s3_row_values)."""
    nrows, ncols = grid.shape
    owner = [list(row) for row in grid.owner]
    for (r0, c0) in {o for row in grid.owner for o in row}:
        r1 = max(r for r in range(nrows) if grid.owner[r][c0] == (r0, c0))
        c1 = max(c for c in range(ncols) if grid.owner[r0][c] == (r0, c0))
        if r1 == r0 or not (c0 == 0 or c1 == ncols - 1):
            continue
        # beside a cell spanning the same rows it is one tall row's cell (a row the page break
        # cut, a label cell above it ending a few points into it), no stepped outline
        inner = c0 - 1 if c1 == ncols - 1 else c1 + 1
        if 0 <= inner < ncols and len({grid.owner[r][inner] for r in range(r0, r1 + 1)}) == 1 and (
                (r0 == 0 or grid.owner[r0 - 1][inner] != grid.owner[r0][inner])
                and (r1 == nrows - 1 or grid.owner[r1 + 1][inner] != grid.owner[r1][inner])):
            continue
        x0, x1, top, bottom = grid.xs[c0], grid.xs[c1 + 1], grid.ys[r0], grid.ys[r1 + 1]
        inside = [ch for ch in chars if ch["text"].strip() and x0 <= _char_centre(ch)[0] < x1
                  and top <= _char_centre(ch)[1] < bottom]
        if not inside or not all(re.fullmatch(r"[\d.,+\-]", ch["text"]) for ch in inside):
            continue
        rows = {bisect_right(grid.ys, _char_centre(ch)[1]) - 1 for ch in inside}
        r = rows.pop() if len(rows) == 1 else r0
        if r == r0 or not (grid.ys[r] <= min(ch["top"] for ch in inside)
                           and max(ch["bottom"] for ch in inside) <= grid.ys[r + 1]):
            continue
        for rr in range(r0, r1 + 1):
            for cc in range(c0, c1 + 1):
                owner[rr][cc] = (rr, cc)
    return RuleGrid(grid.xs, grid.ys, owner)


def _chars_text(chars: list[dict]) -> str:
    """Characters of one cell -> text: lines by baseline, a space where a gap is wide, \\n between lines."""
    if not chars:
        return ""
    lines: list[list[dict]] = []
    for ch in sorted(chars, key=lambda ch: ch.get("baseline", ch["bottom"])):
        base = ch.get("baseline", ch["bottom"])
        if lines and abs(lines[-1][0].get("baseline", lines[-1][0]["bottom"]) - base) <= max(
                1.5, 0.3 * ch["size"]):
            lines[-1].append(ch)
        else:
            lines.append([ch])
    out = []
    for line in lines:
        line.sort(key=lambda ch: ch.get("origin_x", ch["x0"]))
        s, prev = "", None
        for ch in line:
            if prev is not None and ch["x0"] - prev["x1"] > 0.6 * max(ch["size"], 1):
                s += " "
            s += ch["text"]
            prev = ch
        out.append(s)
    return "\n".join(out)


def _char_centre(ch: dict) -> tuple[float, float]:
    return (ch["x0"] + ch["x1"]) / 2, (ch["top"] + ch["bottom"]) / 2


def table_from_grid(page: int, grid: RuleGrid, chars: list[dict], source: str) -> Table:
    """A grid of page `page` filled with the characters (or OCR words) whose centres fall in its cells."""
    nrows, ncols = grid.shape
    buckets: dict[tuple[int, int], list[dict]] = {}
    for ch in chars:
        if not ch["text"].strip():
            continue
        x, y = _char_centre(ch)
        c = bisect_right(grid.xs, x) - 1
        r = bisect_right(grid.ys, y) - 1
        if 0 <= r < nrows and 0 <= c < ncols:
            buckets.setdefault(grid.owner[r][c], []).append(ch)
    rows = []
    for r in range(nrows):
        row = []
        for c in range(ncols):
            own = grid.owner[r][c]
            if own != (r, c):
                row.append(Cell("", page, None, covered=True))
                continue
            r1 = max(rr for rr in range(r, nrows) if grid.owner[rr][c] == own)
            c1 = max(cc for cc in range(c, ncols) if grid.owner[r][cc] == own)
            bbox = (round(grid.xs[c], 1), round(grid.ys[r], 1), round(grid.xs[c1 + 1], 1),
                    round(grid.ys[r1 + 1], 1))
            inside = buckets.get(own, [])
            # OCR words carry a recognition score: an unsure number needs an identity to vouch for it
            row.append(Cell(_chars_text(inside), page, bbox, unsure=unsure(inside)))
        rows.append(row)
    return Table(rows, page, source)


class _RenderBackend:
    """Camelot image backend rendering at RENDER_DPI, grey.

    Camelot 2.0.0 ignores its `resolution` argument on the in-memory path and renders at
    300 dpi; ruling lines are found just as well at 150 dpi in a quarter of the pixels.
    The document is opened once for all the pages Camelot asks for (one backend per call).
    """

    def __init__(self):
        self._doc = None
        self._path = None

    def _page(self, pdf_path: str, page: int):
        import pypdfium2 as pdfium

        if self._doc is None or self._path != pdf_path:
            self.close()
            self._doc, self._path = pdfium.PdfDocument(pdf_path), pdf_path
        return self._doc[page - 1]

    def close(self) -> None:
        if self._doc is not None:
            self._doc.close()
            self._doc = None

    def convert(self, pdf_path: str, png_path: str, page: int = 1) -> None:
        self._page(pdf_path, page).render(scale=RENDER_DPI / 72).to_pil().save(png_path)

    def to_array(self, pdf_path: str, page: int = 1):
        import cv2
        import numpy as np

        bitmap = self._page(pdf_path, page).render(scale=RENDER_DPI / 72, grayscale=True)
        grey = bitmap.to_numpy()
        grey = np.ascontiguousarray(grey[:, :, 0] if grey.ndim == 3 else grey)
        return cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR)  # Camelot wants BGR; B = G = R = grey


RENDER_DPI = 150
RULE_TOL = 1.5  # points: segments of one ruling line, or one grid edge, lie this close


def _camelot_tables(source, pages: list[int]):
    import camelot

    backend = _RenderBackend()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # boxes_flow=None: no hierarchical grouping of text boxes (pdfminer's costliest layout
            # step). It only orders boxes; the text lines, which Camelot uses to tell an empty grid
            # and a rotated page, are the same, and the cells come from the ruling lines
            return list(camelot.read_pdf(source, pages=",".join(map(str, pages)), flavor="lattice",
                                         suppress_stdout=True, backend=backend,
                                         layout_kwargs={"boxes_flow": None}))
    finally:
        backend.close()


# ---------------------------------------------------------------- grids without vertical rules


def tables_from_words(data: bytes, number: int, chars: list[dict],
                      h_segments: list[tuple[float, float, float]] | None = None) -> list[Table]:
    """Grids for tables drawn with horizontal rules only.

    Row edges are the rules; column edges are the end points of the rule segments (a
    generator draws each cell's top border). Rows merge where no rule crosses a column
    (row spans); neighbouring cells merge where a word runs across their shared edge
    (column spans), since there is no vertical rule to say so.
    """
    segs = h_segments if h_segments is not None else _plumber_h_segments(data, number)
    if len(segs) < 3:
        return []
    words = _words(chars)
    boxes = [(w["x0"], w["top"], w["x1"], w["bottom"]) for w in words]
    tables = []
    groups = stacked_rule_tables(segs, RULE_TOL, _not_a_row(words))
    for k, group in enumerate(groups):
        group = _closing_cut_rows(group, words, first=k == 0, last=k == len(groups) - 1)
        grid = grid_from_rules(group, tol=RULE_TOL, text=boxes)
        if grid is not None:
            tables.append(table_from_grid(number, _without_hairline_gaps(grid, chars), chars, "hrules+pdfium-chars"))
    return tables


def _closing_cut_rows(group: list[tuple[float, float, float]], words: list[dict], first: bool, last: bool
                      ) -> list[tuple[float, float, float]]:
    """A table's rules plus an edge closing a row the page cut off from its rule.

    A browser prints a table row split by a page break (or the first row of a continued table)
    without the rule on the page side: the row's values lie above the table's first rule at the
    top of the page, or below its last rule at the foot, outside every grid row. Such a band is
    taken as one more row when it is all the page prints beyond the table, lies within the
    table's width, is no taller than a row of the table allows, and prints two numbers at least.
    """
    ys = cluster_means([s[0] for s in group], RULE_TOL)
    if len(ys) < 2:
        return group
    x0, x1 = min(s[1] for s in group), max(s[2] for s in group)
    tallest = max(max(b - a for a, b in zip(ys, ys[1:])), 40.0)

    def band_row(band: list[dict]) -> bool:
        return (len(band) > 0 and all(x0 - 2 <= w["x0"] and w["x1"] <= x1 + 2 for w in band)
                and max(w["bottom"] for w in band) - min(w["top"] for w in band) <= 1.5 * tallest
                and sum(1 for w in band if _NUMBER_TOKEN.fullmatch(w["text"])) >= 2)

    def centre(w: dict) -> float:
        return (w["top"] + w["bottom"]) / 2

    out = list(group)
    above = [w for w in words if centre(w) < ys[0]]
    if first and band_row(above):
        out.append((min(w["top"] for w in above) - 1, x0, x1))
    below = [w for w in words if centre(w) > ys[-1]]
    if last and band_row(below):
        out.append((max(w["bottom"] for w in below) + 1, x0, x1))
    return out


def _plumber_h_segments(data: bytes, number: int) -> list[tuple[float, float, float]]:
    """Horizontal edges longer than 3 pt as (top, x0, x1), when `page_rules` could not read them."""
    return _edge_rules(plumber_edges(data, number))[0]


def _edge_rules(edges: list[dict]) -> tuple[list[tuple[float, float, float]], list[tuple[float, float, float]]]:
    """pdfplumber edges longer than 3 pt as rules: horizontal (top, x0, x1), vertical (x0, top, bottom)."""
    h = [(e["top"], e["x0"], e["x1"]) for e in edges if e["orientation"] == "h" and e["x1"] - e["x0"] > 3]
    v = [(e["x0"], e["top"], e["bottom"]) for e in edges if e["orientation"] == "v" and e["bottom"] - e["top"] > 3]
    return h, v


def plumber_edges(data: bytes, number: int) -> list[dict]:
    """pdfplumber's `page.edges` of page `number`, read without the page's text.

    The edges come from the page's painted paths alone, but pdfplumber lays out every character
    too: loading the fonts (a Chromium page holds dozens of font subsets) and placing the glyphs
    took most of the time. The same interpreter skipping the text operators paints the same
    paths, so gives the same edges to the last bit (all 261 table pages of 83 chromium_html
    draws compared), in a quarter of the time (0.12 s a page instead of 0.48 s); a test
    compares both on a drawn page.
    """
    import pdfplumber
    from pdfplumber.page import PDFPageAggregatorWithMarkedContent
    from pdfplumber.utils.exceptions import PdfminerException

    with pdfplumber.open(io.BytesIO(data), pages=[number]) as pl:
        page = pl.pages[0]
        device = PDFPageAggregatorWithMarkedContent(pl.rsrcmgr, pageno=page.page_number, laparams=pl.laparams)
        try:
            _paths_only_interpreter()(pl.rsrcmgr, device).process_page(page.page_obj)
        except Exception as exc:  # as pdfplumber's own `page.layout` reports it
            raise PdfminerException(exc) from exc
        page._layout = device.get_result()  # the cache of pdfplumber's `layout` property
        return page.edges


@lru_cache(maxsize=1)
def _paths_only_interpreter():
    """The class below, built once (pdfminer is imported only when a page needs it)."""
    from pdfminer.pdfinterp import PDFPageInterpreter
    from pdfminer.pdftypes import dict_value

    class PathsOnly(PDFPageInterpreter):
        """pdfminer's interpreter without text: no font is loaded, no string shown. Text
        operators change the text state only, never the paths nor the graphics state."""

        def init_resources(self, resources) -> None:
            if resources:
                resources = {k: v for k, v in dict_value(resources).items() if k != "Font"}
            super().init_resources(resources)

        def do_Tf(self, fontid, fontsize) -> None:  # noqa: N802 (pdfminer's operator names)
            return None

        def do_TJ(self, seq) -> None:  # noqa: N802 (Tj, ' and " show text through TJ)
            return None

    return PathsOnly


def _without_second_readings(tables: list[Table]) -> list[Table]:
    """The tables without any that lies inside another one and reads the same: a second reading
    of part of a table, not a table of its own.

    Camelot may find a ruled region twice, the whole table and a block of it (double rules, each
    cell boxed on its own, leave an inner outline): the block's rows would come again as second
    rows for the same cells (chromium_html-10085: seven rows of table 三, 49 numbers listed as
    unmapped). A table is dropped only when every cell of it holding text reads exactly what the
    other table's cell at its centre reads, so each of its numbers stays placed once; a table
    set inside one cell of another (its text merged there) is kept."""
    boxes = [_table_box(t) for t in tables]
    dropped: set[int] = set()
    for i, inner in enumerate(tables):
        for j, outer in enumerate(tables):
            if i == j or j in dropped or not _box_within(boxes[i], boxes[j]) or (
                    _box_within(boxes[j], boxes[i]) and j > i):  # the same box twice: keep the first
                continue
            if _reads_the_same(inner, outer):
                dropped.add(i)
                break
    return [t for k, t in enumerate(tables) if k not in dropped]


def _box_within(a, b, pad: float = 2.0) -> bool:
    return _inside(a[0], a[1], b, pad) and _inside(a[2], a[3], b, pad)


def _reads_the_same(inner: Table, outer: Table) -> bool:
    """True when every cell of `inner` holding text has the same text as `outer`'s cell at its centre."""
    outer_cells = [c for row in outer.rows for c in row if c.bbox and not c.covered]
    texts = 0
    for row in inner.rows:
        for c in row:
            if c.covered or not c.text.strip() or not c.bbox:
                continue
            x, y = (c.bbox[0] + c.bbox[2]) / 2, (c.bbox[1] + c.bbox[3]) / 2
            home = [o for o in outer_cells if _inside(x, y, o.bbox, pad=0)]
            if len(home) != 1 or home[0].text != c.text:
                return False
            texts += 1
    return texts > 0


def _table_box(t: Table) -> tuple[float, float, float, float]:
    boxes = [c.bbox for row in t.rows for c in row if c.bbox]
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes),
            max(b[3] for b in boxes))


def _inside(x: float, y: float, box, pad: float = 1.0) -> bool:
    return box[0] - pad <= x <= box[2] + pad and box[1] - pad <= y <= box[3] + pad


def _numbers_in(tables: list[Table]) -> int:
    return sum(len(_NUMBER_TOKEN.findall(c.text)) for t in tables for row in t.rows for c in row)


def _orphan_numbers(tables: list[Table], chars: list[dict]) -> int:
    """Numeric words on the page outside every table found."""
    boxes = [_table_box(t) for t in tables]
    n = 0
    for w in _words(chars):
        cx, cy = (w["x0"] + w["x1"]) / 2, (w["top"] + w["bottom"]) / 2
        if re.fullmatch(r"[+\-]?[\d.,]+", w["text"]) and not any(_inside(cx, cy, b) for b in boxes):
            n += 1
    return n


def _plumber_tables(data: bytes, number: int, chars: list[dict], known: list[Table]) -> list[Table]:
    """Ruled tables pdfplumber finds that do not overlap the ones already found."""
    import pdfplumber

    boxes = [_table_box(t) for t in known]
    out = []
    with pdfplumber.open(io.BytesIO(data), pages=[number]) as pl:
        for ft in pl.pages[0].find_tables():
            x0, top, x1, bottom = ft.bbox
            if any(_inside((x0 + x1) / 2, (top + bottom) / 2, b) for b in boxes):
                continue
            # pdfplumber's cells (x0, top, x1, bottom) drawn as their four sides: the grid and
            # its spans come out of the shared rules -> grid geometry
            h = [(y, x0, x1) for x0, top, x1, bottom in ft.cells for y in (top, bottom)]
            v = [(x, top, bottom) for x0, top, x1, bottom in ft.cells for x in (x0, x1)]
            grid = grid_from_rules(h, v, tol=RULE_TOL)
            if grid is None or grid.shape[1] < 2:
                continue
            out.append(table_from_grid(number, grid, chars, "pdfplumber-lines+pdfium-chars"))
    return out


DOUBLE_GAP = 4.5  # points: two parallel rules this close, nothing between, are one border drawn twice
DOUBLE_LINES_MIN = 4  # double lines a page needs (each way) before its tables are read from them


def _double_ruled_tables(data: bytes, number: int, chars: list[dict],
                         h_segments: list[tuple[float, float, float]] | None,
                         min_double: int = DOUBLE_LINES_MIN) -> list[Table] | None:
    """Tables of a page whose every line is a pair of rules a few points apart, from its vector
    rules (None: the page draws no such lines).

    `<table border=1>` without cellspacing=0 boxes each cell on its own, the boxes 1-3 pt apart.
    Camelot sees each pair as two lines with a sliver between and cuts the grid into fragments
    (1x2 tables, a row's cells in separate tables). Each pair is one border at its mean
    (geometry.merged_double_rules); the page's rules then make whole grids the usual way.
    `h_segments` (the page's horizontal edges, when pdfium could read them) spare pdfplumber
    on pages drawing no double line. min_double=0 reads any page's vector rules this way.
    """
    if h_segments is not None and double_lines(h_segments, DOUBLE_GAP, RULE_TOL) < min_double:
        return None
    h, v = _edge_rules(plumber_edges(data, number))
    if min(double_lines(h, DOUBLE_GAP, RULE_TOL), double_lines(v, DOUBLE_GAP, RULE_TOL)) < min_double:
        return None
    boxes = [(w["x0"], w["top"], w["x1"], w["bottom"]) for w in _words(chars)]
    out = []
    # boxes a pair's gap apart are one table; each table's pairs are merged on their own (the
    # lines of two tables on one page would chain into one another)
    for th, tv in connected_rule_tables(h, v, reach=DOUBLE_GAP):
        th = merged_double_rules(th, DOUBLE_GAP, RULE_TOL, boxes)
        tv = merged_double_rules(tv, DOUBLE_GAP, RULE_TOL, [(b[1], b[0], b[3], b[2]) for b in boxes])
        grid = grid_from_rules(th, tv, tol=RULE_TOL)
        if grid is None or grid.shape[1] < 2 or grid.shape[0] * grid.shape[1] < 2:
            continue
        grid = _stepped_outline_spans(_without_hairline_gaps(grid, chars), chars)
        out.append(table_from_grid(number, grid, chars, "double-rules+pdfium-chars"))
    return out or None


def _words(chars: list[dict]) -> list[dict]:
    """Runs of characters on one baseline without a wide gap: {x0, x1, top, bottom}."""
    out: list[dict] = []
    pens: list[tuple[dict, float | None]] = []  # per word: its last character, its em (pen step)
    # characters by line, then left to right: a line is baselines within a point of its first
    # (rounding to whole points split a line whose glyphs a browser set a few hundredths apart
    # around .5 into two sequences, and a word in two)
    def base(c: dict) -> float:
        return c.get("baseline", c["bottom"])

    starts = [g[0] for g in groups_1d((base(c) for c in chars), 1.0, chain=False)]
    for ch in sorted(chars, key=lambda c: (bisect_right(starts, base(c)), c["x0"])):
        w = out[-1] if out else None
        # a glyph far wider than its size is a thin stroke whose size is its own box (一 is a
        # point high where the font gives no ascent and descent: Skia's subsets): the gap after
        # the word is measured in the word's size then
        em = max(ch["size"], 1)
        if w and ch["size"] < 0.5 * (ch["x1"] - ch["x0"]):
            em = max(em, w["size"])
        # a character far left of the word (a neighbour on a baseline rounded the other way)
        # starts a word of its own: only a word gap, or a small kerning overlap, joins
        if (w and abs(w["baseline"] - ch.get("baseline", ch["bottom"])) < 1.5
                and -0.5 * em < ch["x0"] - w["x1"] < 0.6 * em
                and not _pen_jumps(*pens[-1], ch)):
            w["x1"] = max(w["x1"], ch["x1"])
            w["top"], w["bottom"] = min(w["top"], ch["top"]), max(w["bottom"], ch["bottom"])
            w["text"] += ch["text"]
            w["size"] = max(w["size"], ch["size"])
            w["glyphs"].append((ch.get("origin_x"), ch["x0"], ch["x1"]))
            last, em = pens[-1]
            if _IDEOGRAPH.match(last["text"]) and _IDEOGRAPH.match(ch["text"]) and "origin_x" in ch:
                em = ch["origin_x"] - last["origin_x"]
            pens[-1] = (ch, em)
        else:
            out.append({"x0": ch["x0"], "x1": ch["x1"], "top": ch["top"], "bottom": ch["bottom"],
                        "baseline": ch.get("baseline", ch["bottom"]), "text": ch["text"],
                        "size": ch["size"],
                        # per character (pen origin, x0, x1): numbers set touching are split by it
                        "glyphs": [(ch.get("origin_x"), ch["x0"], ch["x1"])]})
            pens.append((ch, None))
    return out


_IDEOGRAPH = re.compile(r"[\u3400-\u9fff]")


def _pen_jumps(last: dict, em: float | None, ch: dict) -> bool:
    """True when two ideographs sit further apart than the word's own em: two texts on one
    baseline (a heading spanning rows, printed beside one of its rows' labels), not one run.

    Ideographs of one run advance the pen by one em each (or by one wider step, all alike, in
    distributed text); a word's em is known once it holds two ideographs in a row."""
    return (em is not None and "origin_x" in ch and _IDEOGRAPH.match(last["text"]) is not None
            and _IDEOGRAPH.match(ch["text"]) is not None and ch["origin_x"] - last["origin_x"] > 1.25 * em)


_SECTION_HEADING = re.compile(r"^[一二三四五六]、.*情况")
_TABLE_HEADER_OPENINGS = ("行政复议", "第二十条", "信息内容", "（本列数据", "(本列数据", "申请人情况")


def _not_a_row(words: list[dict]):
    """For `stacked_rule_tables`: the band between two rule lines is no table row (the tables
    split there) when it is blank, a section heading, or tall without a row of values."""

    def splits(a: float, b: float) -> bool:
        inside = [w for w in words if a < (w["top"] + w["bottom"]) / 2 < b]
        band = "".join(w["text"] for w in inside)
        # a tall band is text between two tables, unless it holds a row of values: a label
        # wrapped over many lines in a narrow column makes a table row taller than 80 pt
        values = sum(1 for w in inside if _NUMBER_TOKEN.fullmatch(w["text"]))
        if not band or _SECTION_HEADING.match(norm(band)):
            return True
        # a table's own header rows (行政复议 / 行政诉讼 over column names wrapped in two lines
        # each, between a three-line table's top rule and the rule under its header) may be as
        # tall: a band opening with a table header's words is no text between tables
        return b - a > 80 and values < 2 and not norm(band).startswith(_TABLE_HEADER_OPENINGS)

    return splits


# ---------------------------------------------------------------- entry points


def upright(data: bytes, turn: dict[int, int] | None = None) -> bytes:
    """A copy of the PDF whose rotated pages (/Rotate 90/180/270) are redrawn unrotated.

    Each rotated page becomes a form XObject (pdfium builds its matrix from /Rotate) on a page of
    the displayed size, so text positions, rules and page numbers are those a reader sees.
    `turn` ({page number: degrees clockwise}) turns pages further: a table printed sideways or
    upside down without /Rotate is turned so its text reads left to right.
    """
    import pypdfium2 as pdfium

    src = _open(data)
    dst = pdfium.PdfDocument.new()
    try:
        for i in range(len(src)):
            page = src[i]
            if turn and turn.get(i + 1):
                page.set_rotation((page.get_rotation() + turn[i + 1]) % 360)
            rot = page.get_rotation() % 360
            if rot == 0:
                dst.import_pages(src, [i])
                continue
            left, bottom, right, top = page.get_mediabox()
            w, h = right - left, top - bottom
            size = (w, h) if rot == 180 else (h, w)
            # FPDF_NewXObjectFromPage gives the form the page's /Rotate as its matrix: placed as
            # is, the content lands upright on a page of the displayed size
            obj = src.page_as_xobject(i, dst).as_pageobject()
            new = dst.new_page(*size)
            new.insert_obj(obj)
            new.gen_content()
        buf = io.BytesIO()
        dst.save(buf)
        return buf.getvalue()
    finally:
        dst.close()
        src.close()


def without_copy_protection(data: bytes) -> bytes:
    """A copy of a PDF that opens without a password but forbids copying, with that restriction
    removed (the bytes unchanged otherwise). Such reports are readable: Camelot and pdfplumber
    refuse them ("text extraction is not allowed"), so they are handed the unlocked copy."""
    import pypdfium2.raw as pdfium_c

    pdf = _open(data)  # a password-protected file fails here as `encrypted`
    try:
        if pdfium_c.FPDF_GetSecurityHandlerRevision(pdf.raw) < 0:
            return data
        buf = io.BytesIO()
        pdf.save(buf, flags=pdfium_c.FPDF_REMOVE_SECURITY)
        return buf.getvalue()
    finally:
        pdf.close()


def read_pdf_detailed(data: bytes, path: str | None = None) -> PdfRead:
    unlocked = without_copy_protection(data)
    if unlocked is not data:
        data, path = unlocked, None  # the readers must read the unlocked copy, not the file
    info: dict = {}
    pages, chars = read_pages(data, pick_table_pages, info)
    if any(p.rotation % 360 for p in pages):
        data, path = upright(data), None  # Camelot must read the upright copy, not the file
        pages, chars = read_pages(data, pick_table_pages)
    # glyphs at 90° (counter-clockwise, reading bottom to top) need the page turned 270° clockwise
    # (a table page without markers of its own, between two that have them, turns too)
    picked = set(pick_table_pages(pages))
    turn = {p.number: (360 - p.text_angle) % 360 for p in pages if p.text_angle and p.number in picked}
    if turn:  # tables printed sideways or upside down: turn those pages until their text is upright
        data, path = upright(data, turn), None
        pages, chars = read_pages(data, pick_table_pages)
    text = "\n".join(p.text for p in pages)
    table_pages = sorted(chars)
    garbled = [p.number for p in pages if p.garbled and (p.has_markers or p.path_objects >= 20)]
    has_text = any(len(norm(p.text)) >= 20 and not p.garbled for p in pages)
    doc = Document(text=text, tables=[], format="pdf" if has_text else "pdf-scanned")
    result = PdfRead(doc, pages, table_pages, garbled, info.get("title"),
                     [p.number for p in pages if p.image_share >= 0.05 and p.number not in table_pages
                      and not p.garbled])
    if not table_pages:
        return result
    tables_by_page: dict[int, list] = {}
    positions = PositionReader()
    read_by_positions: set[int] = set()
    # Camelot's lattice needs vertical rules: pages that draw none are not handed to it
    ruled = [n for n in table_pages if pages[n - 1].rules is None or pages[n - 1].rules.vertical]
    # pages whose lines are all double rules are read from their vector rules, whatever Camelot
    # would find there: those pages are not handed to it either
    doubled_tables = {n: _double_ruled_tables(data, n, chars[n], _h_segments(pages[n - 1])) for n in ruled}
    lattice = [n for n in ruled if not doubled_tables[n]]
    for tb in _camelot_tables(path or data, lattice) if lattice else []:
        tables_by_page.setdefault(int(tb.page), []).append(tb)
    for number in table_pages:
        height = pages[number - 1].height
        found = sorted(tables_by_page.get(number, []), key=lambda tb: -tb.cells[0][0].y2)  # top first
        page_tables = []
        doubled = doubled_tables.get(number)
        if doubled:
            found, page_tables = [], doubled
        for tb in found:
            if len(tb.cells) * len(tb.cells[0]) < 2:
                continue  # a single ruled box is not a table
            grid = _grid_from_camelot(tb, height)
            grid = _stepped_outline_spans(_without_hairline_gaps(grid, chars[number]), chars[number])
            page_tables.append(table_from_grid(number, grid, chars[number], "camelot-lattice+pdfium-chars"))
        page_tables = _without_second_readings(page_tables)
        if page_tables and _values_merged(page_tables):
            # Camelot's grid lacks column edges the page draws (boxes a point apart, each rule
            # drawn twice, seen as one thick line where they cross): the vector rules may give them
            vector = _double_ruled_tables(data, number, chars[number], None, min_double=0)
            if vector and not _values_merged(vector):
                page_tables = vector
        if not page_tables:
            rules = pages[number - 1].rules
            page_tables = tables_from_words(data, number, chars[number], rules and rules.h_segments)
            if (not page_tables or _values_merged(page_tables)
                    or _orphan_numbers(page_tables, chars[number]) > max(2, _numbers_in(page_tables))):
                # no rules, horizontal rules that do not give the columns, or rules around the
                # header only (a three-line table): place words under the template's headers
                if number - 1 in chars and number - 1 not in read_by_positions:
                    # another reader took the page before: a table it opened may continue here
                    positions.follow(number - 1, _words(chars[number - 1]))
                page_tables = positions.page_tables(number, _words(chars[number]))
                read_by_positions.add(number)
        elif _orphan_numbers(page_tables, chars[number]) >= 7:
            # Camelot can miss a one-row table (a table's last row alone atop a page)
            page_tables = page_tables + _plumber_tables(data, number, chars[number], page_tables)
            page_tables.sort(key=lambda t: min(c.bbox[1] for row in t.rows for c in row if c.bbox))
        doc.tables.extend(page_tables)
    doc.unplaced.extend(positions.unplaced)
    return result


def _h_segments(page: PageInfo) -> list[tuple[float, float, float]] | None:
    return page.rules.h_segments if page.rules else None


_NUMBER_TOKEN = re.compile(r"(?<!\S)[+\-]?\d[\d.,]*(?!\S)")


def _values_merged(tables: list[Table]) -> bool:
    """True when a cell holds numbers of several columns or of several rows.

    Side by side on one line: the grid lacks column edges (horizontal rules only). On several
    lines: the grid lacks row edges (a three-line table: one rule above, one under the header,
    one below). Either way the rules do not give the cells: words are placed by position.
    """
    for t in tables:
        for row in t.rows:
            for c in row:
                lines_with_numbers = [ln for ln in c.text.split("\n") if _NUMBER_TOKEN.search(ln)]
                if len(lines_with_numbers) >= 2:
                    return True
                # per line: a label and a row's numbers in one cell ("一、本年新收…⏎98 123 93 …",
                # a lone data row under a three-line header) hold several numbers on a line too
                if any(len(_NUMBER_TOKEN.findall(ln)) >= 2 for ln in c.text.split("\n")):
                    return True
    return False


def read_pdf(data: bytes) -> Document:
    return read_pdf_detailed(data).document

"""HTML page -> Document: decoded visible text and every data <table> as a span-expanded grid.

Report pages come from many CMSs: GBK or UTF-8 (sometimes mislabelled), Word-exported
markup with <p><span> inside every cell, layout tables around the article. The reader
never raises on markup; whatever lxml recovers is read.
"""
from __future__ import annotations

import codecs
import re

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import Comment, Declaration, Doctype, ProcessingInstruction

from pipelines.core.model import Cell, Document, Table

MAX_SPAN = 200  # rowspan/colspan above this are hostile, not layout
MAX_ROWS = 5_000  # per table
MAX_TABLE_CELLS = 100_000  # grid positions per table
MAX_DOC_CELLS = 1_000_000  # grid positions per page; later tables are dropped
MAX_TABLES = 2_000

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16-LE: its BOM starts the same way
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Every GB label a page may declare; GB18030 decodes all of them (superset).
_GB_LABELS = {"gb2312", "gbk", "gb18030", "x-gbk", "gb_2312-80", "csgb2312", "cp936", "ms936", "euc-cn", "x-euc-cn", "windows-936"}
_META_CHARSET = re.compile(rb"""<meta[^>]{0,500}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.I)

_NOT_TEXT = (Comment, Declaration, Doctype, ProcessingInstruction)
_INVISIBLE = {"script", "style", "noscript", "template", "head", "iframe", "object", "embed", "svg", "select", "button"}
# Elements whose start and end are line boundaries in rendered text.
_BLOCK = {
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details", "dialog",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4",
    "h5", "h6", "header", "hr", "html", "li", "main", "nav", "ol", "p", "pre", "section", "summary",
    "table", "tbody", "tfoot", "thead", "tr", "ul",
}
_CELL = {"td", "th"}
_NL, _TAB = "\x00N", "\x00T"  # placeholders that survive whitespace collapsing
_SPACES = re.compile(r"[ \t\r\n\f\v\u00a0\u3000\u2002\u2003\u2009\u200b\ufeff]+")


def read_html(data: bytes) -> Document:
    """Decode and parse an HTML report page; never raises on malformed markup or bytes."""
    # NUL is never page text, and the text renderer uses it for its placeholders.
    soup = BeautifulSoup(decode_html(data).replace("\x00", ""), "lxml")
    head_lines = _title_lines(soup)
    body_text = _visible_text(soup)
    tables = _data_tables(soup)
    lines = head_lines + [line for line in body_text.split("\n") if line]
    return Document(text="\n".join(lines), tables=tables, format="html")


# --- decoding --------------------------------------------------------------------------


def decode_html(data: bytes) -> str:
    """BOM, then the declared charset, then strict UTF-8, then GB18030, then lossy GB18030."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(enc, errors="replace")
    declared = _declared_charset(data[:8192])
    candidates = []
    if declared in _GB_LABELS:
        # A page labelled GBK whose bytes are valid non-ASCII UTF-8 is mislabelled:
        # real GBK text is practically never valid UTF-8.
        candidates += ["utf-8", "gb18030"]
    elif declared:
        candidates.append(declared)
    candidates += ["utf-8", "gb18030"]
    for enc in candidates:
        try:
            return data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("gb18030", errors="replace")


def _declared_charset(head: bytes) -> str | None:
    m = _META_CHARSET.search(head)
    if not m:
        return None
    label = m.group(1).decode("ascii", "ignore").lower()
    if label in _GB_LABELS:
        return label
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    # A page cannot really be UTF-16 if its meta tag was readable as ASCII.
    return None if name.startswith("utf-16") or name.startswith("utf-32") else name


# --- text ------------------------------------------------------------------------------


def _title_lines(soup: BeautifulSoup) -> list[str]:
    """The report title first (h1, then <title>), for the mapper's organisation/year lookup."""
    out: list[str] = []
    for el in (soup.find("h1"), soup.find("title")):
        if isinstance(el, Tag):
            t = _clean(el.get_text(" "))
            if t and t not in out:
                out.append(t)
    return out


def _render(root: Tag, skip_tables: bool = False) -> str:
    """Text of `root` with block boundaries as newlines and cell boundaries as tabs.

    Iterative (no recursion) so deeply nested hostile markup cannot overflow the stack.
    """
    parts: list[str] = []
    stack: list[object] = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, str) and not isinstance(node, NavigableString):
            parts.append(node)  # a placeholder pushed below
        elif isinstance(node, NavigableString):
            if not isinstance(node, _NOT_TEXT):
                parts.append(str(node))
        elif isinstance(node, Tag):
            name = (node.name or "").lower()
            if name in _INVISIBLE or (skip_tables and name == "table" and node is not root):
                continue
            if name == "br":
                parts.append(_NL)
                continue
            if name in _CELL and node is not root and node.find("table") is None:
                # A data cell is one tab-separated field of its row line, as in a PDF text layer.
                parts += [_TAB, _cell_text(node).replace("\n", " "), _TAB]
                continue
            sep = _NL if name in _BLOCK else _TAB if name in _CELL else None
            if sep:
                parts.append(sep)
                stack.append(sep)
            stack.extend(reversed(node.contents))
    return _tidy("".join(parts))


def _tidy(raw: str) -> str:
    """Collapse source whitespace (as a browser does), then turn placeholders into real breaks."""
    text = _SPACES.sub(" ", raw)
    lines = []
    for line in text.split(_NL):
        cells = [c.strip() for c in line.split(_TAB)]
        line = "\t".join(c for c in cells if c)
        if line:
            lines.append(line)
    return "\n".join(lines)


def _visible_text(soup: BeautifulSoup) -> str:
    root = soup.body if isinstance(soup.body, Tag) else soup
    return _render(root)


def _cell_text(td: Tag) -> str:
    # A <p>/<div>/<br> boundary inside a cell is a line break; tabs cannot occur (no cells inside).
    return _render(td, skip_tables=True).replace("\t", " ")


def _clean(s: str) -> str:
    return _SPACES.sub(" ", s).strip()


# --- tables ----------------------------------------------------------------------------


def _data_tables(soup: BeautifulSoup) -> list[Table]:
    """Every innermost <table> in document order; a table holding tables is page layout."""
    out: list[Table] = []
    budget = MAX_DOC_CELLS
    for table in soup.find_all("table", limit=MAX_TABLES * 4):
        if len(out) >= MAX_TABLES:
            break
        if table.find("table") is not None:
            continue
        grid = _grid(table)
        size = len(grid) * (len(grid[0]) if grid else 0)
        if not grid or size > budget:
            continue
        budget -= size
        out.append(Table(rows=grid, source="html"))
    return out


def _span(td: Tag, attr: str) -> int:
    """HTML span attribute as a browser reads it: leading digits, junk ignored; 0 kept (rowspan=0)."""
    value = td.get(attr)
    if isinstance(value, list):
        value = value[0] if value else None
    m = re.match(r"\s*\+?(\d{1,7})", value or "")
    if not m:
        return 1
    return min(int(m.group(1)), MAX_SPAN)


_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|mso-hide\s*:\s*all|visibility\s*:\s*hidden", re.I)


def _hidden(el: Tag) -> bool:
    style = el.get("style")
    return el.has_attr("hidden") or bool(style and _HIDDEN_STYLE.search(str(style)))


def _grid(table: Tag) -> list[list[Cell]]:
    """Expand rowspan/colspan: text at the top-left position, covered positions flagged."""
    # a row the browser does not show (display:none, Word's mso-hide:all) is not printed
    rows = [tr for tr in table.find_all("tr", limit=MAX_ROWS) if not _hidden(tr)]
    n_rows = len(rows)
    placed: dict[tuple[int, int], Cell] = {}
    for r, tr in enumerate(rows):
        if len(placed) >= MAX_TABLE_CELLS:
            n_rows = r
            break
        c = 0
        for td in tr.find_all(["td", "th"], recursive=False):
            if _hidden(td):
                continue
            while (r, c) in placed:
                c += 1
            if c >= MAX_SPAN:
                break
            colspan = max(1, _span(td, "colspan"))
            rowspan = _span(td, "rowspan")
            rowspan = n_rows - r if rowspan == 0 else rowspan  # 0 = to the end of the table
            rowspan = max(1, min(rowspan, n_rows - r))  # browsers clip spans at the table's end
            colspan = min(colspan, MAX_SPAN - c)
            placed[(r, c)] = Cell(text=_cell_text(td))
            for dr in range(rowspan):
                for dc in range(colspan):
                    # first writer wins where hostile spans overlap
                    placed.setdefault((r + dr, c + dc), Cell(text="", covered=True))
            c += colspan
    if not placed:
        return []
    width = 1 + max(c for _, c in placed)
    n_rows = min(n_rows, 1 + max(r for r, _ in placed), max(1, MAX_TABLE_CELLS // width))
    # A position no <td> reaches (short row) was never printed: covered, never a blank.
    return [[placed.get((r, c)) or Cell(text="", covered=True) for c in range(width)] for r in range(n_rows)]

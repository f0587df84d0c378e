"""DOCX -> Document: body text in reading order and every table as a span-expanded grid.

Grids are built from the WordprocessingML itself (w:gridSpan, w:vMerge, w:hMerge,
w:gridBefore/After) because python-docx's cell objects repeat a merged cell at every
position it covers, which would read a merged label as many cells.
"""
from __future__ import annotations

import io
import re
import zipfile
import zlib

import docx
from docx.oxml.ns import qn

from pipelines.core.model import Cell, Document, Table
from pipelines.core.reader_errors import (
    CORRUPT_FILE,
    ENCRYPTED,
    NOT_A_REPORT,
    TOO_LARGE,
    UNSUPPORTED_FORMAT,
    ReaderError,
)

MAX_SPAN = 200  # Word itself allows 63 grid columns; anything larger is hostile
MAX_ROWS = 5_000  # per table
MAX_TABLE_CELLS = 100_000  # grid positions per table
MAX_DOC_CELLS = 1_000_000  # grid positions per document; later tables are dropped
MAX_ZIP_ENTRIES = 10_000
MAX_UNZIPPED_BYTES = 300 * 1024 * 1024  # zip-bomb guard

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")

# Elements whose content is a layer around ordinary block/row/cell content.
_WRAPPERS = {qn("w:sdt"), qn("w:customXml"), qn("w:sdtContent")}
# Subtrees that are not visible text: deleted revisions, the duplicate fallback of a
# drawing, field instructions.
_SKIP = {
    qn("w:del"),
    qn("w:moveFrom"),
    "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback",
    qn("w:instrText"),
    qn("w:delText"),
    qn("w:rPr"),
    qn("w:pPr"),
}
_W_T, _W_TAB, _W_BR, _W_CR = qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr")
_W_P, _W_TBL, _W_TR, _W_TC, _W_R = qn("w:p"), qn("w:tbl"), qn("w:tr"), qn("w:tc"), qn("w:r")
_W_VAL = qn("w:val")


def read_docx(data: bytes) -> Document:
    """Read a .docx; raise ReaderError (never anything else) when the bytes are no usable Word file."""
    _check_container(data)
    try:
        body = docx.Document(io.BytesIO(data)).element.body
    except Exception as exc:  # third-party parser on hostile bytes: any failure means a broken file
        if "not a Word file" in str(exc):
            raise ReaderError(NOT_A_REPORT, f"a ZIP package but not a Word document ({exc})") from exc
        raise ReaderError(CORRUPT_FILE, f"cannot open as DOCX: {type(exc).__name__}: {exc}") from exc

    lines: list[str] = []
    tables: list[Table] = []
    budget = MAX_DOC_CELLS  # grid positions left for this document
    for block in _iter_blocks(body):
        if block.tag == _W_P:
            lines.append(_clean(_paragraph_text(block)))
        else:
            for tbl in _table_and_nested(block):
                grid = _table_grid(tbl)
                size = len(grid) * (len(grid[0]) if grid else 0)
                if size > budget:
                    continue
                budget -= size
                tables.append(Table(rows=grid, source="docx"))
                lines.extend(_grid_text(grid))
    text = "\n".join(line for line in lines if line)
    return Document(text=text, tables=tables, format="docx")


# --- container checks ------------------------------------------------------------------


# python-docx parses every XML part into an lxml tree at about 15-20× its size: the XML parts are
# capped far below the whole package (a real report's document.xml is under 5 MB).
MAX_XML_PART_BYTES = 40 * 1024 * 1024
MAX_XML_TOTAL_BYTES = 80 * 1024 * 1024


def _check_container(data: bytes) -> None:
    """Refuse before parsing what would not fit: too many entries, or parts that inflate far
    beyond their size (a zip bomb). Declared sizes are checked first, then the XML parts are
    inflated in a streaming pass that stops at the cap, because a header can lie."""
    if data[:8] == _OLE_MAGIC:
        if _ENCRYPTED_STREAM in data:
            raise ReaderError(ENCRYPTED, "password-protected Office document (OLE EncryptedPackage)")
        raise ReaderError(UNSUPPORTED_FORMAT, "legacy binary Word .doc (OLE), not DOCX")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise ReaderError(CORRUPT_FILE, f"not a readable ZIP/DOCX container: {exc}") from exc
    mb = 1024 * 1024
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_ZIP_ENTRIES:
            raise ReaderError(TOO_LARGE, f"ZIP has {len(infos)} entries")
        declared = sum(i.file_size for i in infos)
        if declared > MAX_UNZIPPED_BYTES:
            raise ReaderError(TOO_LARGE, f"the {len(data) / mb:.1f} MB DOCX declares {declared / mb:.0f} MB "
                                         f"unpacked (cap {MAX_UNZIPPED_BYTES // mb} MB): refused as a zip bomb")
        xml = [i for i in infos if i.filename.lower().endswith((".xml", ".rels"))]
        total = 0
        for info in xml:
            if info.file_size > MAX_XML_PART_BYTES:
                raise ReaderError(TOO_LARGE, f"{info.filename} inflates to {info.file_size / mb:.0f} MB (the "
                                             f"DOCX is {len(data) / mb:.1f} MB; cap {MAX_XML_PART_BYTES // mb} MB "
                                             "per part): refused as a zip bomb")
            total += _inflated_size(zf, info, MAX_XML_PART_BYTES, len(data))
            if total > MAX_XML_TOTAL_BYTES:
                raise ReaderError(TOO_LARGE, f"the DOCX's XML inflates to more than {MAX_XML_TOTAL_BYTES // mb} "
                                             f"MB (the file is {len(data) / mb:.1f} MB): refused as a zip bomb")
        names = {i.filename for i in infos}
    if "[Content_Types].xml" not in names:
        raise ReaderError(NOT_A_REPORT, "ZIP file without [Content_Types].xml: not an Office document")


def _inflated_size(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int, package_size: int) -> int:
    """Bytes `info` really inflates to, counted in 1 MB steps and never held; stops past `cap`."""
    total = 0
    try:
        with zf.open(info) as fh:
            while chunk := fh.read(1024 * 1024):
                total += len(chunk)
                if total > cap:
                    raise ReaderError(TOO_LARGE, f"{info.filename} inflates past {cap // 1024 // 1024} MB (the "
                                                 f"DOCX is {package_size / 1024 / 1024:.1f} MB): refused as a zip bomb")
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
        raise ReaderError(CORRUPT_FILE, f"{info.filename} cannot be inflated: {exc}") from exc
    return total


# --- body walking ----------------------------------------------------------------------


def _iter_children(el, wanted: str):
    """Children with tag `wanted`, looking through sdt/customXml wrappers."""
    stack = list(reversed(list(el)))
    while stack:
        child = stack.pop()
        if child.tag == wanted:
            yield child
        elif child.tag in _WRAPPERS:
            stack.extend(reversed(list(child)))


def _iter_blocks(body):
    """Paragraphs and tables of the body in document order."""
    stack = list(reversed(list(body)))
    while stack:
        child = stack.pop()
        if child.tag in (_W_P, _W_TBL):
            yield child
        elif child.tag in _WRAPPERS:
            stack.extend(reversed(list(child)))


def _table_and_nested(tbl):
    """The table, then every table nested in its cells, in document order."""
    out = []
    stack = [tbl]
    while stack:
        t = stack.pop()
        out.append(t)
        inner = []
        for tr in _iter_children(t, _W_TR):
            for tc in _iter_children(tr, _W_TC):
                inner.extend(_iter_children(tc, _W_TBL))
        stack.extend(reversed(inner))
    return out


def _paragraph_text(p) -> str:
    """Visible text of one paragraph: runs, tabs, breaks; nested text-box paragraphs on new lines."""
    parts: list[str] = []
    stack = list(reversed(list(p)))
    while stack:
        el = stack.pop()
        tag = el.tag
        if not isinstance(tag, str) or tag in _SKIP:
            continue
        if tag == _W_R and _is_hidden(el):
            continue
        if tag == _W_T:
            parts.append(el.text or "")
        elif tag == _W_TAB:
            parts.append("\t")
        elif tag in (_W_BR, _W_CR):
            parts.append("\n")
        else:
            if tag == _W_P:  # a paragraph inside a text box
                parts.append("\n")
            stack.extend(reversed(list(el)))
    return "".join(parts)


def _is_hidden(run) -> bool:
    rpr = run.find(qn("w:rPr"))
    if rpr is None:
        return False
    vanish = rpr.find(qn("w:vanish"))
    return vanish is not None and vanish.get(_W_VAL, "true") not in ("false", "0", "off")


def _cell_text(tc) -> str:
    """Paragraphs of the cell (not of nested tables) joined by newlines, each line cleaned."""
    lines = (_clean(_paragraph_text(p)) for p in _iter_children(tc, _W_P))
    return "\n".join(line for line in lines if line)


# --- grid ------------------------------------------------------------------------------


def _int_prop(parent, tag: str, default: int) -> int:
    if parent is None:
        return default
    el = parent.find(qn(tag))
    if el is None:
        return default
    m = re.match(r"\s*(\d{1,6})", el.get(_W_VAL, ""))
    return int(m.group(1)) if m else default


def _merge_state(tcpr, tag: str) -> str | None:
    """'restart', 'continue' or None for w:vMerge / w:hMerge (a bare element means continue)."""
    if tcpr is None:
        return None
    el = tcpr.find(qn(tag))
    if el is None:
        return None
    return "restart" if el.get(_W_VAL, "continue") == "restart" else "continue"


def _row_hidden(trpr) -> bool:
    el = trpr.find(qn("w:hidden")) if trpr is not None else None
    return el is not None and el.get(_W_VAL, "true") not in ("false", "0", "off")


def _padding() -> Cell:
    # Grid positions with no w:tc at all (gridBefore/After, short rows): never a printed blank.
    return Cell(text="", covered=True)


def _table_grid(tbl) -> list[list[Cell]]:
    rows: list[list[Cell]] = []
    # Per row, which positions hold a real cell (origin or span), to tell a vMerge
    # continuation with something above it from one without.
    real_rows: list[list[bool]] = []
    cells_used = 0
    for tr in _iter_children(tbl, _W_TR):
        if len(rows) >= MAX_ROWS or cells_used >= MAX_TABLE_CELLS:
            break
        trpr = tr.find(qn("w:trPr"))
        if _row_hidden(trpr):
            continue  # Word does not print a hidden row: its stale values are not the report's
        row: list[Cell] = []
        real: list[bool] = []
        for _ in range(min(_int_prop(trpr, "w:gridBefore", 0), MAX_SPAN)):
            row.append(_padding())
            real.append(False)
        for tc in _iter_children(tr, _W_TC):
            if len(row) >= MAX_SPAN:
                break
            tcpr = tc.find(qn("w:tcPr"))
            span = max(1, min(_int_prop(tcpr, "w:gridSpan", 1), MAX_SPAN - len(row)))
            col = len(row)
            above_is_real = bool(real_rows) and col < len(real_rows[-1]) and real_rows[-1][col]
            continues = (_merge_state(tcpr, "w:vMerge") == "continue" and above_is_real) or (
                _merge_state(tcpr, "w:hMerge") == "continue" and col > 0 and real[-1]
            )
            if continues:
                row.extend(Cell(text="", covered=True) for _ in range(span))
            else:
                row.append(Cell(text=_cell_text(tc)))
                row.extend(Cell(text="", covered=True) for _ in range(span - 1))
            real.extend([True] * span)
        for _ in range(min(_int_prop(trpr, "w:gridAfter", 0), MAX_SPAN - len(row))):
            row.append(_padding())
            real.append(False)
        rows.append(row)
        real_rows.append(real)
        cells_used += len(row)
    width = max((len(r) for r in rows), default=0)
    if width == 0:
        return []
    for r in rows:
        r.extend(_padding() for _ in range(width - len(r)))
    return rows


def _grid_text(grid: list[list[Cell]]) -> list[str]:
    """One text line per row, cells tab-separated, like a PDF text layer would give."""
    return ["\t".join(c.text.replace("\n", " ") for c in row if not c.covered and c.text) for row in grid]


def _clean(s: str) -> str:
    # Word pads labels with tabs, no-break and ideographic spaces; the mapper normalises the rest.
    return re.sub(r"[ \t\u00a0\u3000]+", " ", s).strip()

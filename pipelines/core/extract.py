"""Bytes in, contract dict out (shared/spec/extract-contract.md; docs/contracts.md §1).

The route is chosen from the content (magic bytes), never the file name. Nothing here
raises on a bad input: every failure becomes `status: failed` with an error kind a program
can branch on. `extract_many` runs each document in its own worker process with a time
limit, because Camelot's memory grows with pages processed in one process (pitfalls.md).
"""
from __future__ import annotations

import errno
import hashlib
import io
import logging
import multiprocessing as mp
import multiprocessing.connection
import os
import re
import time
import traceback
import zipfile
from pathlib import Path
from typing import Iterable, Iterator

from .identities import check_identities
from .mapping import STRAY_NUMBER, allowed_codes, map_document
from .model import Document
from .reader_errors import ReaderError
from .titles import title_info

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_S = 120.0


def _result(path: str, sha: str) -> dict:
    return {"path": path, "sha256": sha, "status": "failed", "error": None, "format": None,
            "organisation": None, "year": None, "template_s2": None, "template_s3": None,
            "cells": {}, "raw_text_cells": {}, "cell_locations": {}, "identity_checks": [],
            "unmapped": [], "unread": [], "read_by": None, "cell_read_by": {}}


def _fail(out: dict, kind: str, message: str) -> dict:
    out["status"] = "failed"
    out["error"] = {"kind": kind, "message": message}
    return out


def sniff(data: bytes) -> str | None:
    """'pdf' | 'docx' | 'html' | None from the first bytes and, for zips, the member list."""
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "ole"  # legacy .doc or a password-protected Office file: the DOCX reader says which
    if head.startswith(b"PK"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                if "word/document.xml" in zf.namelist():
                    return "docx"
        except zipfile.BadZipFile:
            # a local file header but no readable central directory: a truncated or damaged
            # Office file; the DOCX reader reports it as corrupt_file
            return "docx" if head.startswith(b"PK\x03\x04") else None
        return None
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<!doctype html", b"<html", b"<?xml", b"<head", b"<meta", b"<body", b"<table",
                        b"<div", b"<!--")) or b"<html" in data[:4096].lower():
        return "html"
    return None


def _read(kind: str, data: bytes, path: str | None):
    """Document plus PDF diagnostics (None for other formats)."""
    if kind == "pdf":
        from .pdf_reader import read_pdf_detailed

        read = read_pdf_detailed(data, path)
        return read.document, read
    if kind == "docx":
        from .docx_reader import read_docx

        return read_docx(data), None
    if kind == "ole":
        from .legacy_doc import read_doc

        return read_doc(data), None
    from .html_reader import read_html

    return read_html(data), None


def extract_bytes(data: bytes, name: str = "", *, ocr: bool | None = None, _path: str | None = None) -> dict:
    """One document's bytes -> the contract object. Never raises.

    `ocr` (default: env XXGK_OCR=1) lets a scanned PDF be OCR'd instead of failing `needs_ocr`;
    its cells are kept only when the reading is complete and every identity I1–I4 holds.
    """
    from .ocr import enabled

    sha = hashlib.sha256(data or b"").hexdigest()
    out = _result(name, sha)
    try:
        return _extract(data, out, _path, enabled(ocr))
    except ReaderError as exc:  # the reader knows what is wrong: pass its kind and message on
        return _fail(out, exc.kind, exc.message)
    except (MemoryError, OSError) as exc:
        if isinstance(exc, OSError) and not _memory_symptom(exc):
            return _fail(out, "corrupt_file", f"could not read the document: {type(exc).__name__}: {exc}")
        return _fail(out, "out_of_memory", "extraction needed more memory than the worker's limit "
                                           "(XXGK_EXTRACT_MAX_MEMORY_MB); the document was skipped")
    except Exception as exc:  # a reader bug must not take the batch down, nor be blamed on the source
        if _memory_symptom(exc):  # under the worker's address-space cap, libraries fail in odd ways
            return _fail(out, "out_of_memory", "extraction needed more memory than the worker's limit "
                                               "(XXGK_EXTRACT_MAX_MEMORY_MB); the document was skipped "
                                               f"({type(exc).__name__}: {str(exc)[:160]})")
        where = traceback.extract_tb(exc.__traceback__)[-1]
        log.warning("extract %s: %s", name, traceback.format_exc())
        return _fail(out, READER_BUG, f"a bug in the extractor, not a fault of the document "
                                      f"({type(exc).__name__}: {exc} at {Path(where.filename).name}:"
                                      f"{where.lineno}); the raw file is kept, report it")


_MEMORY_SYMPTOMS = re.compile(r"cannot allocate memory|failed to map segment|bad_alloc|out of memory|"
                              r"memory allocation", re.I)


def _memory_symptom(exc: BaseException) -> bool:
    """An exception that is really the address-space cap: a library that could not map or
    allocate (ImportError "failed to map segment", std::bad_alloc, ENOMEM)."""
    seen = 0
    while exc is not None and seen < 5:
        if isinstance(exc, MemoryError) or _MEMORY_SYMPTOMS.search(str(exc)) or \
                getattr(exc, "errno", None) == errno.ENOMEM:
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def _extract(data: bytes, out: dict, path: str | None, use_ocr: bool = False) -> dict:
    if not data or not data.strip():
        return _fail(out, "empty_file", "the file is empty; re-download it")
    kind = sniff(data)
    if kind is None:
        return _fail(out, "not_a_report", "not a PDF, DOCX or HTML document")
    out["format"] = "doc" if kind == "ole" else kind
    doc, pdf_read = _read(kind, data, path)
    out["format"] = doc.format or kind
    org, year = title_info(doc.text)
    if org is None and pdf_read is not None and pdf_read.metadata_title:
        # LibreOffice exports of HTML pages can drop the <h1> title (an empty first page) but keep
        # the page title as the PDF's /Title: use it when the text has none, with a matching year
        m_org, m_year = title_info(pdf_read.metadata_title)
        if m_org and (year is None or m_year in (None, year)):
            org, year = m_org, year or m_year
    out["organisation"], out["year"] = org, year

    if pdf_read is not None:
        starts = report_starts([p.text for p in pdf_read.pages])
        if len(starts) > 1:
            return _fail(out, "multiple_reports", "this file holds {} reports (tables start again on pages {}): "
                         "one document must be one report, split the file".format(
                             len(starts), ", ".join(str(p) for p in starts)))

    if pdf_read is not None and out["format"] == "pdf-scanned":
        if use_ocr:
            return _extract_ocr(data, out)
        return _fail(out, "needs_ocr", "the PDF has no usable text layer (scanned or garbled); OCR it")

    out["read_by"] = "text"
    m = map_document(doc)
    _fill_cells(out, m)
    if use_ocr and pdf_read is not None:
        pages = pages_to_ocr(pdf_read)
        complete = set(out["cells"]) == allowed_codes(m.template_s2, m.template_s3) and m.template_s3
        if pages and not complete:
            mixed = _extract_mixed(data, dict(out), doc, pdf_read, pages)
            if mixed is not None:
                return mixed
    return _status(out, m, doc, pdf_read)


def pages_to_ocr(pdf_read) -> list[int]:
    """Pages of a text PDF whose tables are not in the text layer: a garbled font on a table
    page, or a large image (a table pasted as a picture) on a page next to the tables."""
    near = set()
    for n in set(pdf_read.table_pages) | set(pdf_read.garbled_table_pages):
        near.update((n - 1, n, n + 1))
    anywhere = not pdf_read.table_pages
    images = {p.number for p in pdf_read.pages if p.image_share >= 0.05 and not p.garbled
              and (p.number in near or anywhere)}
    # a ruled table whose words carry no table marker next to a garbled page: the same garbled
    # font in a table, with the page's heading in a readable one (the page reads as not garbled)
    ruled_unreadable = {p.number for p in pdf_read.pages if p.path_objects >= 20 and not p.has_markers
                        and pdf_read.garbled_table_pages and p.number in near}
    return sorted(set(pdf_read.garbled_table_pages) | images | ruled_unreadable)


def _extract_mixed(data: bytes, out: dict, doc: Document, pdf_read, pages: list[int]) -> dict | None:
    """A text PDF whose tables are partly pixels: OCR those pages, keep the text layer elsewhere.

    The OCR'd pages' tables replace the text tables of the same pages; OCR'd cells are kept
    only when the reading vouches for them (`keep_vouched_ocr_cells`, with text-layer cells as
    trusted partners in the identities). None when OCR is not installed or reads nothing.
    """
    from .ocr import read_pages_by_ocr

    started = time.monotonic()
    try:
        ocr_docs, stats = read_pages_by_ocr(data, pages)
    except ImportError:
        return None
    except (MemoryError, ReaderError):
        raise
    except Exception:  # an OCR engine failure leaves the text reading as it was
        log.warning("ocr %s: %s", out["path"], traceback.format_exc())
        return None
    seconds = time.monotonic() - started
    best = None
    for ocr_doc in ocr_docs:
        tables = sorted([t for t in doc.tables if t.page not in pages] + ocr_doc.tables,
                        key=lambda t: t.page or 0)  # stable: the text tables keep their order
        merged = Document(text=doc.text, tables=tables, format=doc.format,
                          unplaced=[u for u in doc.unplaced if u.get("page") not in pages] + ocr_doc.unplaced)
        reading = dict(out, cells={}, raw_text_cells={}, cell_locations={}, unmapped=[], unread=[])
        m = map_document(merged)
        _fill_cells(reading, m)
        reading["unmapped"].extend(merged.unplaced)
        ocr_codes = {c for c, loc in reading["cell_locations"].items() if loc["page"] in pages}
        keep_vouched_ocr_cells(reading, m, only=ocr_codes)
        kept = ocr_codes & set(reading["cells"])
        if best is None or len(reading["cells"]) > len(best[0]["cells"]):
            best = (reading, m, merged, kept)
    reading, m, merged, kept = best
    log.info("ocr %s pages %s: %.1f s, %d OCR'd cells kept", out["path"], pages, seconds, len(kept))
    if not kept:
        return None
    reading["read_by"] = "ocr"
    reading["cell_read_by"] = {c: ("ocr" if c in kept else "text") for c in reading["cells"]}
    pdf_read.garbled_table_pages, pdf_read.image_table_pages = [], []  # read: no longer a reason to OCR
    return _status(reading, m, merged, pdf_read)


_SECTION_HEADING = re.compile(r"^\s*([二三四])\s*[、.．]\s*(主动公开政府信息|收到和处理政府信息公开申请|"
                              r"政府信息公开行政复议|因政府信息公开工作被申请行政复议)")


def report_starts(page_texts: list[str]) -> list[int]:
    """Pages where a report's statutory sections begin; more than one means several reports.

    A report prints 二、主动公开政府信息情况, 三、收到和处理…, 四、…行政复议… once each, in this
    order (the introduction names them inside a sentence, never at a line start). A heading
    that comes again, or goes back to an earlier number, starts another report.
    """
    starts: list[int] = []
    last = None
    for number, text in enumerate(page_texts, 1):
        for line in (text or "").splitlines():
            m = _SECTION_HEADING.match(line)
            if not m:
                continue
            section = "二三四".index(m.group(1))
            if last is None or section <= last:
                starts.append(number)
            last = section
    return starts


def _fill_cells(out: dict, m) -> None:
    out["template_s2"], out["template_s3"] = m.template_s2, m.template_s3
    allowed = allowed_codes(m.template_s2, m.template_s3)
    for code in sorted(m.cells):
        placed = m.cells[code]
        if code not in allowed:
            m.unmapped.append({"section": code[:2], "label": code, "values": [placed.cell.text]})
            continue
        out["cells"][code] = placed.value.value
        if placed.value.raw is not None:
            out["raw_text_cells"][code] = placed.value.raw
        if placed.cell.page is not None and placed.cell.bbox is not None:
            out["cell_locations"][code] = {"page": placed.cell.page, "bbox_pt": list(placed.cell.bbox)}
    out["unmapped"] = m.unmapped
    out["identity_checks"] = check_identities(out["cells"], m.template_s3)
    out["unread"] = unread_cells(m, out["cells"])


_SECTION_OF_PREFIX = {"t2": "二", "t3": "三", "t4": "四"}


def unread_cells(m, cells: dict) -> list[dict]:
    """Cells of the printed layout that were not read, each with where a person should look.

    A cell the reader saw but could not read (OCR unsure, under a stamp) carries its own page
    and box; a cell never found carries the pages of its section's tables.
    """
    if not (m.template_s2 or m.template_s3 or m.sections):
        return []
    out = []
    for code in sorted(allowed_codes(m.template_s2, m.template_s3) - set(cells)):
        section = _SECTION_OF_PREFIX[code.split(".", 1)[0]]
        cell = m.unread.get(code)
        if cell is not None:
            out.append({"code": code, "section": section, "page": cell.page,
                        "bbox_pt": list(cell.bbox) if cell.bbox else None, "reason": cell.unread})
        else:
            pages = m.section_pages.get(section, [])
            out.append({"code": code, "section": section, "page": pages[0] if pages else None,
                        "bbox_pt": None, "pages": pages,
                        "reason": "not found in the document's tables" if section in m.sections
                        else f"table {section} not found"})
    return out


def _extract_ocr(data: bytes, out: dict) -> dict:
    """OCR a scanned PDF and keep, cell by cell, what the reading can vouch for.

    OCR gives two readings (the image's ruled grid, then word positions under the headers);
    the one that keeps more cells is emitted. A wrong number is worse than none, so a cell is
    kept only when, for tables 三 and 四, at least one identity I1–I4 that reads it holds on the
    OCR'd values, and for table 二 (no identity) when it was recognised with confidence; every
    cell of an identity that fails is left unread unless another identity that reads it holds
    (a misread cell breaks both its row's and its column's identities), and so is every blank
    (OCR cannot tell a printed blank from a number it missed). What is left unread is listed in
    `unread` with its page and box and the document is `partial`; the rest of its cells load.
    """
    from .ocr import read_scanned

    started = time.monotonic()
    try:
        docs, stats = read_scanned(data)
    except ImportError as exc:
        return _fail(out, "needs_ocr", f"the PDF has no usable text layer and OCR is not installed "
                                       f"({exc.name or exc}); install rapidocr and onnxruntime")
    except (MemoryError, ReaderError):
        raise
    except Exception as exc:  # an OCR engine failure leaves the document as it was: unread
        log.warning("ocr %s: %s", out["path"], traceback.format_exc())
        return _fail(out, "needs_ocr", f"the PDF has no usable text layer and OCR failed "
                                       f"({type(exc).__name__}: {exc})")
    seconds = time.monotonic() - started
    org, year = title_info(docs[0].text)
    out["organisation"], out["year"] = out["organisation"] or org, out["year"] or year
    base = dict(out)
    readings = []
    for doc in docs:  # the image's ruled grid first, then word positions under the headers
        reading = dict(base, cells={}, raw_text_cells={}, cell_locations={}, unmapped=[], unread=[])
        m = map_document(doc)
        _fill_cells(reading, m)
        reading["unmapped"].extend(doc.unplaced)
        dropped = keep_vouched_ocr_cells(reading, m)
        how = "image grid" if any(t.source == "ocr-image-grid" for t in doc.tables) else "word positions"
        log.info("ocr %s by %s: %d pages in %.1f s, %d cells kept, %d left unread", out["path"], how,
                 len(stats), seconds, len(reading["cells"]), dropped)
        readings.append((reading, m, how))
    reading, m, how = max(readings, key=lambda r: len(r[0]["cells"]))  # the first of equals
    if not reading["cells"]:
        return _fail(base, "needs_ocr", f"the PDF has no usable text layer; OCR ran on {len(stats)} pages "
                                        f"({seconds:.0f} s) but read no number it could vouch for")
    reading["format"], reading["read_by"] = "pdf-scanned", "ocr"
    expected = allowed_codes(m.template_s2, m.template_s3)
    if m.template_s2 and m.template_s3 and set(reading["cells"]) == expected and not reading["unread"]:
        reading["status"], reading["error"] = "ok", None
        return reading
    reading["status"] = "partial"
    lacking = len(expected - set(reading["cells"]))
    reading["error"] = {"kind": "incomplete",
                        "message": f"scanned PDF read by OCR ({how}, {len(stats)} pages, {seconds:.0f} s): "
                                   f"{len(reading['cells'])} cells read, {lacking} left unread (listed "
                                   "with their page and box for a person to read)"
                                   + ("; template of a section unknown" if not (m.template_s2 and m.template_s3)
                                      else "")}
    return reading


def keep_vouched_ocr_cells(reading: dict, m, only: set[str] | None = None) -> int:
    """Move the OCR'd cells the reading cannot vouch for to `unread`; return how many moved.

    `only`: the codes read by OCR (the others came from a text layer and are trusted as they
    are); None: every cell was OCR'd.
    """
    from .identities import domain_ok, identity_members, member_holds
    from .model import Cell

    cells = reading["cells"]
    ocrd = set(cells) if only is None else set(only) & set(cells)
    why: dict[str, str] = {}
    for code, value in cells.items():
        if code not in ocrd:
            continue
        if value is None:
            placed = m.cells.get(code)
            # a cell whose ink the OCR saw but could not read as a number says what it saw
            why[code] = ((placed.cell.unsure if placed is not None and placed.cell.unsure else None)
                         or "blank in the OCR reading: a printed blank or a number OCR missed")
        elif not domain_ok(code, value):
            why[code] = "OCR'd value is not a count this cell can hold"
    members = identity_members(m.template_s3)
    holds = {(id_, scope): member_holds(id_, [cells.get(c) if c not in why else None for c in codes])
             for id_, scope, codes in members}
    # an identity that holds vouches for every cell it reads; a misread cell breaks each identity
    # it is in (its row's and its column's), so a cell of a failing identity that another holding
    # identity reads is not the misread one and is kept: only cells no holding identity reads go
    vouched = {c for id_, scope, codes in members if holds[(id_, scope)] for c in codes}
    for id_, scope, codes in members:
        if holds[(id_, scope)] is False:
            for c in codes:
                if c in ocrd and c not in vouched:
                    why.setdefault(c, f"OCR'd values break {id_} ({scope}): which one is misread is not known")
    for id_, scope, codes in members:
        # a failing identity whose every OCR'd cell another identity vouches for: its misreads
        # cancel out elsewhere (two wrong cells of one column summing right), so none of its
        # cells can be trusted
        mine = [c for c in codes if c in ocrd]
        if holds[(id_, scope)] is False and mine and not any(c in why for c in mine):
            for c in mine:
                why.setdefault(c, f"OCR'd values break {id_} ({scope}) while the identities across it hold: "
                                  "misreads that cancel out are not ruled out")
    for code in ocrd:
        placed = m.cells.get(code)
        if code.startswith(("t3.", "t4.")) and code not in vouched:
            why.setdefault(code, "no identity confirms this OCR'd number (a cell it sums with is unread)")
        elif placed is not None and placed.cell.unsure and code not in vouched:
            why.setdefault(code, placed.cell.unsure)  # table 二: no identity, so the score decides
    for code, reason in why.items():
        loc = reading["cell_locations"].pop(code, None)
        reading["raw_text_cells"].pop(code, None)
        del cells[code]
        placed = m.cells.get(code)
        page = loc["page"] if loc else (placed.cell.page if placed else None)
        bbox = tuple(loc["bbox_pt"]) if loc else (placed.cell.bbox if placed else None)
        m.unread[code] = Cell(placed.cell.text if placed else "", page, bbox, unread=reason)
    reading["identity_checks"] = check_identities(cells, m.template_s3)
    reading["unread"] = unread_cells(m, cells)
    return len(why)


def _status(out: dict, m, doc: Document, pdf_read) -> dict:
    garbled = pdf_read.garbled_table_pages if pdf_read is not None else []
    images = pdf_read.image_table_pages if pdf_read is not None else []
    out["unmapped"].extend(doc.unplaced)
    if not out["cells"]:
        if garbled:
            return _fail(out, "needs_ocr", f"table pages {garbled} have a garbled text layer; OCR them")
        if images:
            return _fail(out, "needs_ocr", f"the tables are images on pages {images} (text layer has prose "
                                           "only); OCR those pages")
        if not doc.tables:
            if _looks_like_report(doc.text):
                return _fail(out, "no_tables_found", "the report text has no readable tables 二/三/四 "
                                                     "(images or attachments?)")
            return _fail(out, "not_a_report", "no annual-report title or tables found")
        return _fail(out, "no_tables_found", "tables found, but none of them is table 二, 三 or 四")
    expected = allowed_codes(m.template_s2, m.template_s3)
    # a number no mapper placed nor rejected means the table was not understood: the cells
    # read beside it (a blank that may be that number's) cannot be trusted to be complete
    stray = sum(len(u["values"]) for u in out["unmapped"] if u.get("reason") == STRAY_NUMBER)
    # a number listed unmapped (a row not understood) in a table where a cell was read blank:
    # the blank may be that number's, so the table is not known to be read whole
    doubtful = doubtful_blanks(out["cells"], out["unmapped"])
    complete = (m.template_s2 and m.template_s3 and set(out["cells"]) == set(expected) and not stray
                and not doubtful)
    if complete:
        out["status"], out["error"] = "ok", None
        return out
    out["status"] = "partial"
    missing = sorted({"二", "三", "四"} - m.sections)
    if garbled:
        out["error"] = {"kind": "needs_ocr", "message": f"table pages {garbled} have a garbled text layer"}
    elif images:
        out["error"] = {"kind": "needs_ocr", "message": f"tables on pages {images} are images; OCR them"}
    else:
        lacking = len(expected - set(out["cells"]))
        out["error"] = {"kind": "no_tables_found" if missing else "incomplete",
                        "message": (f"sections not found: {''.join(missing)}; " if missing else "")
                        + f"{lacking} layout cells not found"
                        + (f"; {stray} printed numbers not placed in any cell" if stray else "")
                        + (f"; {doubtful} printed numbers listed unmapped in a table with cells read blank "
                           "(a blank may be one of them)" if doubtful else "")
                        + ("; template of a section unknown" if not (m.template_s2 and m.template_s3) else "")}
    return out


def doubtful_blanks(cells: dict, unmapped: list[dict]) -> int:
    """How many numbers are listed unmapped (for a reason other than a stray number) in a
    statutory table where some cell was read blank."""
    blank_tables = {_SECTION_OF_PREFIX[c[:2]] for c, v in cells.items() if v is None and c[:2] in _SECTION_OF_PREFIX}
    count = 0
    for u in unmapped:
        section = _SECTION_OF_PREFIX.get(u.get("section"), u.get("section"))
        if u.get("reason") != STRAY_NUMBER and section in blank_tables:
            count += sum(1 for v in u.get("values", []) if any(ch.isdigit() for ch in str(v)))
    return count


def _looks_like_report(text: str) -> bool:
    flat = "".join((text or "").split())
    return "信息公开" in flat and ("年度报告" in flat or "年报" in flat or "情况的报告" in flat)


READER_BUG = "reader_bug"  # our fault: counted apart from the sources' broken files
MISSING_FILE = "missing_file"
RAW_CORRUPT = "raw_corrupt"
_SHA_NAME_RE = re.compile(r"^[0-9a-f]{64}$")


def extract_path(path, ocr: bool | None = None) -> dict:
    """Extract one file. A file named by its own sha256 (the raw store's layout) is checked
    against that name first: a damaged stored copy must never become a wrong number."""
    p = Path(path)
    try:
        if p.is_dir():
            raise IsADirectoryError(errno.EISDIR, "is a directory")
        data = p.read_bytes()
    except OSError as exc:
        out = _result(str(p), None)
        if isinstance(exc, (FileNotFoundError, IsADirectoryError, NotADirectoryError)):
            return _fail(out, MISSING_FILE, f"no file at {p}: {exc.strerror or exc}")
        return _fail(out, MISSING_FILE if exc.errno == errno.EACCES else "corrupt_file",
                     f"cannot read {p}: {exc.strerror or exc}")
    if _SHA_NAME_RE.match(p.name) and p.parent.name == p.name[:2]:
        actual = hashlib.sha256(data).hexdigest()
        if actual != p.name:
            out = _result(str(p), actual)
            return _fail(out, RAW_CORRUPT, f"the stored copy {p} no longer matches its sha256 (damaged on "
                                           "disk); re-download it (the next xxgk run does)")
    return extract_bytes(data, str(p), ocr=ocr, _path=str(p))


# ---------------------------------------------------------------- batch with a per-document limit

# A worker serves several documents (forking one per document cost as much as the reading
# itself), then is replaced: after RECYCLE_AFTER documents, or as soon as its resident memory
# passes RECYCLE_RSS_MB (Camelot's memory grows with pages read in one process, pitfalls.md).
RECYCLE_AFTER = int(os.environ.get("XXGK_EXTRACT_RECYCLE_AFTER", "20"))
RECYCLE_RSS_MB = int(os.environ.get("XXGK_EXTRACT_RECYCLE_RSS_MB", "1024"))


def _limit_memory() -> None:
    """Cap the worker's address space: one hostile PDF must not take the machine down."""
    mb = int(os.environ.get("XXGK_EXTRACT_MAX_MEMORY_MB", "6144"))
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (mb * 1024 * 1024, mb * 1024 * 1024))
    except (ImportError, ValueError, OSError):  # not on this platform: the time limit still holds
        pass


def _rss_mb() -> float:
    try:
        with open("/proc/self/statm", "rb") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return 0.0


def _worker(conn, ocr: bool | None = None) -> None:
    """Serve paths from `conn` until told to stop (None) or the parent goes away; each answer
    carries the worker's resident memory so the parent can recycle it."""
    try:
        _limit_memory()
        while True:
            try:
                path = conn.recv()
            except (EOFError, OSError):
                return
            if path is None:
                return
            try:
                result = extract_path(path, ocr=ocr)
            except MemoryError:
                result = _fail(_result(path, None), "out_of_memory",
                               "extraction needed more memory than the worker's limit "
                               "(XXGK_EXTRACT_MAX_MEMORY_MB); the document was skipped")
            conn.send((result, _rss_mb()))
    finally:
        conn.close()


def _timeout_result(path: str, seconds: float) -> dict:
    try:
        sha = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        sha = None
    return _fail(_result(path, sha), "timeout", f"extraction took longer than {seconds:.0f} s; "
                                                "the document was skipped")


def _crashed_result(path: str, exitcode) -> dict:
    return _fail(_result(path, None), "worker_crashed",
                 f"the extraction worker died (exit code {exitcode}: out of memory or a crash in a "
                 "native library); the raw file is kept for review")


def _preload_readers() -> None:
    """Import the readers' heavy libraries once, in the parent, before workers are forked.

    Each forked worker then starts with them loaded instead of importing them again on its
    first document after every recycle (Camelot pulls in pandas and OpenCV: seconds).
    """
    try:
        import camelot  # noqa: F401
        import pdfplumber  # noqa: F401
        import pypdfium2  # noqa: F401

        from . import docx_reader, html_reader, pdf_reader  # noqa: F401
    except Exception:  # a library that cannot load fails the documents that need it, with its error
        log.warning("preloading the readers' libraries failed: %s", traceback.format_exc())


POOL_STATS = {"workers_started": 0, "workers_recycled": 0, "workers_killed": 0}  # this process's totals


class _Slot:
    """One worker process and the document it is reading."""

    def __init__(self, ctx, ocr):
        POOL_STATS["workers_started"] += 1
        self.conn, child = ctx.Pipe(duplex=True)
        self.proc = ctx.Process(target=_worker, args=(child, ocr), daemon=True)
        self.proc.start()
        child.close()
        self.task: int | None = None
        self.started = 0.0
        self.served = 0

    def give(self, i: int, path: str) -> None:
        self.conn.send(path)
        self.task, self.started = i, time.monotonic()

    def stop(self, kill: bool = False) -> None:
        if kill:
            self.proc.kill()
        else:
            try:
                self.conn.send(None)
            except OSError:
                pass
        self.proc.join(5)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join(1)
        self.conn.close()


def extract_many(paths: Iterable, timeout_s: float = DEFAULT_TIMEOUT_S,
                 workers: int | None = None, ocr: bool | None = None) -> Iterator[dict]:
    """Yield one contract dict per path, in input order.

    Documents run in worker processes under an address-space cap; a worker is killed (and
    replaced) when one document exceeds `timeout_s`, and recycled after RECYCLE_AFTER documents
    or when its memory passes RECYCLE_RSS_MB. `ocr` as in `extract_bytes`.
    """
    paths = [str(p) for p in paths]
    workers = max(1, min(workers or min(os.cpu_count() or 1, 4), len(paths) or 1))
    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
    if ctx.get_start_method() == "fork" and paths:
        _preload_readers()
    results: dict[int, dict] = {}
    slots: list[_Slot] = []
    next_i = emit_i = 0
    try:
        while emit_i < len(paths):
            while next_i < len(paths) and (len(slots) < workers or any(s.task is None for s in slots)):
                idle = next((s for s in slots if s.task is None), None)
                if idle is None:
                    idle = _Slot(ctx, ocr)
                    slots.append(idle)
                try:
                    idle.give(next_i, paths[next_i])
                except OSError:  # the idle worker died meanwhile: replace it
                    idle.stop(kill=True)
                    slots.remove(idle)
                    continue
                next_i += 1
            for slot in [s for s in slots if s.task is not None]:
                i, retire, kill = slot.task, False, False
                if slot.conn.poll():
                    try:
                        results[i], rss = slot.conn.recv()
                        slot.served += 1
                        retire = slot.served >= RECYCLE_AFTER or rss > RECYCLE_RSS_MB
                    except (EOFError, OSError):
                        slot.proc.join(1)
                        results[i], retire, kill = _crashed_result(paths[i], slot.proc.exitcode), True, True
                elif not slot.proc.is_alive():
                    results[i], retire, kill = _crashed_result(paths[i], slot.proc.exitcode), True, True
                elif time.monotonic() - slot.started > timeout_s:
                    results[i], retire, kill = _timeout_result(paths[i], timeout_s), True, True
                else:
                    continue
                slot.task = None
                if retire:
                    POOL_STATS["workers_killed" if kill else "workers_recycled"] += 1
                    slot.stop(kill=kill)
                    slots.remove(slot)
                    if kill:
                        from .legacy_doc import reap_orphans

                        reap_orphans()  # a LibreOffice the killed worker started
            while emit_i in results:
                yield results.pop(emit_i)
                emit_i += 1
            busy = [s.conn for s in slots if s.task is not None]
            if busy:
                mp.connection.wait(busy, timeout=0.2)
    finally:
        for slot in slots:
            slot.stop(kill=slot.task is not None)

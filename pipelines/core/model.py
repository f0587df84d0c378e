"""Plain data passed between the readers (PDF, HTML, DOCX) and the code mapper."""
from __future__ import annotations

from dataclasses import dataclass, field

BBox = tuple[float, float, float, float]  # x0, top, x1, bottom in PDF points, origin top-left


@dataclass
class Cell:
    """One grid position after spans are expanded.

    A span's text sits in its top-left position only; the positions it covers
    have text "" and covered=True, so a covered position is never read as a blank.
    """

    text: str
    page: int | None = None  # 1-based, PDFs only
    bbox: BBox | None = None
    covered: bool = False
    # why the printed content could not be read (OCR unsure, a stamp over it): such a cell is
    # listed as unread, never placed, never taken for a printed blank
    unread: str | None = None
    # OCR recognised this number with a low score: placed, but kept only if an identity vouches
    unsure: str | None = None


@dataclass
class Table:
    """One table region as read from the document, rows of equal length."""

    rows: list[list[Cell]]
    page: int | None = None
    source: str = ""  # e.g. "camelot-lattice", "html", "docx", "words"


@dataclass
class Document:
    """What a reader gives the mapper: the text (for title, year, headings) and tables in order."""

    text: str
    tables: list[Table] = field(default_factory=list)
    format: str = ""  # pdf | pdf-scanned | html | docx | doc
    # what a reader saw but would not place (e.g. a number between two columns of an unruled
    # table): contract `unmapped` entries {section, label, values, page?, reason?}
    unplaced: list[dict] = field(default_factory=list)

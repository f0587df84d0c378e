"""What the reviewer looks at: a PDF page rendered from the stored raw bytes, or the tables of an
HTML/Word document as the extractor's readers see them."""
from __future__ import annotations

import io
import threading
from functools import lru_cache
from pathlib import Path

RENDER_SCALE = 2.0  # 144 dpi: digits of a 10.5 pt table are easily legible
_pdfium_lock = threading.Lock()  # pdfium is not thread-safe


class PageError(ValueError):
    pass


@lru_cache(maxsize=64)
def render_pdf_page(path: str, page: int, scale: float = RENDER_SCALE) -> tuple[bytes, float, float]:
    """(PNG bytes, page width pt, page height pt) of 1-based `page` of the PDF at `path`."""
    import pypdfium2 as pdfium

    with _pdfium_lock:
        pdf = pdfium.PdfDocument(Path(path).read_bytes())
        try:
            if not 1 <= page <= len(pdf):
                raise PageError(f"page {page} out of range 1..{len(pdf)}")
            p = pdf[page - 1]
            width, height = p.get_size()
            image = p.render(scale=scale, draw_annots=True).to_pil()
            p.close()
        finally:
            pdf.close()
    buf = io.BytesIO()
    image.save(buf, format="PNG", optimize=False)
    return buf.getvalue(), width, height


def pdf_page_count(path: str) -> int:
    import pypdfium2 as pdfium

    with _pdfium_lock:
        pdf = pdfium.PdfDocument(Path(path).read_bytes())
        try:
            return len(pdf)
        finally:
            pdf.close()


def pdf_page_sizes(path: str) -> list[tuple[float, float]]:
    import pypdfium2 as pdfium

    with _pdfium_lock:
        pdf = pdfium.PdfDocument(Path(path).read_bytes())
        try:
            return [tuple(pdf.get_page_size(i)) for i in range(len(pdf))]
        finally:
            pdf.close()


@lru_cache(maxsize=32)
def document_tables(path: str) -> list[list[list[dict]]]:
    """Tables of an HTML, DOCX or legacy DOC file as rows of {text, covered} (spans expanded),
    read by the same readers the extractor uses."""
    from pipelines.core.extract import sniff

    data = Path(path).read_bytes()
    kind = sniff(data)
    if kind == "html":
        from pipelines.core.html_reader import read_html as reader
    elif kind == "docx":
        from pipelines.core.docx_reader import read_docx as reader
    elif kind == "ole":
        from pipelines.core.legacy_doc import read_doc as reader
    else:
        raise PageError(f"not an HTML or Word document ({kind or 'unknown format'})")
    doc = reader(data)
    return [[[{"text": c.text, "covered": c.covered} for c in row] for row in t.rows] for t in doc.tables]

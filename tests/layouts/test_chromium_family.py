"""The chromium_html layout family (tools/layout_family/chromium.py): HTML printed to PDF by
headless Chromium. Truth = what is printed, same bytes per seed, Chromium/Skia the producer, the
drawn page set-up really in the PDF. These say nothing about the readers
(tests/layouts/test_reader_families.py reads the family's test seeds)."""
from __future__ import annotations

import re

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest

from tools.layout_family import TEST_SEEDS, chromium, draw, missing_program
from tools.sample_county.county import C7, t3_row_codes

needs_chromium = pytest.mark.skipif(not chromium.available(), reason="Chromium is not installed")
SEEDS = TEST_SEEDS["chromium_html"]
T4 = [f"t4.{g}.{o}" for g in ("review", "lit_direct", "lit_after_review")
      for o in ("upheld", "corrected", "other", "pending", "total")]


def _number_tokens(data: bytes) -> list[str]:
    doc = pdfium.PdfDocument(data)
    try:
        text = " ".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    finally:
        doc.close()
    return re.findall(r"(?<![\d.])[+\-]?\d+(?:\.\d+)?(?![\d.])", text)


def _runs(tokens: list[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1)}


def _path_objects(page) -> int:
    return sum(1 for k in range(pdfium_c.FPDFPage_CountObjects(page.raw))
               if pdfium_c.FPDFPageObj_GetType(pdfium_c.FPDFPage_GetObject(page.raw, k))
               == pdfium_c.FPDF_PAGEOBJ_PATH)


@needs_chromium
@pytest.mark.parametrize("seed", SEEDS)
def test_truth_is_printed_row_by_row(seed, drawn):
    """Every row of table 三 (7 values) and table 四 (15) is printed as one run of numbers, in
    the template's column order, equal to the truth."""
    case = drawn("chromium_html", seed)
    tokens = _number_tokens(case.data)
    runs7, runs15 = _runs(tokens, 7), _runs(tokens, 15)
    for row in t3_row_codes(case.template_s3):
        printed = tuple(str(case.truth[f"t3.{row}:{c}"]) for c in C7)
        assert printed in runs7, (row, printed)
    assert tuple(str(case.truth[c]) for c in T4) in runs15


@needs_chromium
def test_same_seed_same_bytes_and_the_print_date_is_the_publication_date(drawn):
    case = drawn("chromium_html", SEEDS[0])
    again = draw("chromium_html", SEEDS[0])
    assert again.data == case.data
    dates = re.findall(rb"/(?:CreationDate|ModDate)\s*\(D:(\d{14})", case.data)
    assert len(dates) == 2 and dates[0] == dates[1] and dates[0].endswith(b"093000")
    # the date is the report's publication date (the year after the report's year), not today's
    assert {int(d[:4]) for d in dates} == {case.year + 1}


@needs_chromium
@pytest.mark.parametrize("seed", SEEDS)
def test_producer_is_chromium_skia(seed, drawn):
    case = drawn("chromium_html", seed)
    assert case.suffix == ".pdf" and case.params["producer"] == "chromium"
    assert re.search(rb"/Producer \(Skia/PDF m\d+\)", case.data)
    assert b"HeadlessChrome" in case.data


@needs_chromium
@pytest.mark.parametrize("seed", SEEDS)
def test_page_size_and_borders_are_as_drawn(seed, drawn):
    """A4 portrait or landscape per `landscape`; borders (Skia paints them as filled rectangles,
    path objects) on the table pages exactly when the drawn rules have any."""
    case = drawn("chromium_html", seed)
    doc = pdfium.PdfDocument(case.data)
    try:
        sizes = {tuple(round(v) for v in doc[i].get_size()) for i in range(len(doc))}
        assert sizes == ({(842, 595)} if case.params["landscape"] else {(595, 842)})
        paths = sum(_path_objects(doc[n - 1]) for n in case.pages_with_tables)
    finally:
        doc.close()
    ruled = case.params["source"] == "word" or case.params["rules"] != "none"
    assert (paths > 0) == ruled, (case.params, paths)


@needs_chromium
def test_word_page_with_hidden_rows_prints_a_row_one_column_wider(drawn):
    """The Chromium quirk the word source is kept for: a display:none row still counted by a row
    span above it pushes the row under the span's end one column right, its 总计 beyond the
    right edge of every other row (the reader must still read it in the row's own order)."""
    case = next((drawn("chromium_html", s) for s in SEEDS
                 if drawn("chromium_html", s).params["source"] == "word"
                 and drawn("chromium_html", s).params["hidden_rows"]), None)
    assert case is not None, "a test seed must draw a Word page with hidden rows"
    doc = pdfium.PdfDocument(case.data)
    try:
        pages = [doc[n - 1] for n in case.pages_with_tables]
        right = {}
        for page in pages:
            tp = page.get_textpage()
            h = page.get_height()
            for code in ("t3.result.total:total", "t3.carry_forward:total", "t3.new_received:total"):
                for box in _boxes_of(tp, str(case.truth[code])):
                    right.setdefault(code, []).append((box, h))
    finally:
        doc.close()
    carry = max(b[2] for b, _ in right["t3.carry_forward:total"])
    others = min(max(b[2] for b, _ in right[c]) for c in ("t3.result.total:total", "t3.new_received:total"))
    assert carry > others + 15


def _boxes_of(textpage, needle: str) -> list[tuple[float, float, float, float]]:
    """(left, bottom, right, top) of every occurrence of `needle` printed as a whole number."""
    text = textpage.get_text_range()
    out = []
    for m in re.finditer(rf"(?<![\d.]){re.escape(needle)}(?![\d.])", text):
        boxes = [textpage.get_charbox(i) for i in range(m.start(), m.end())]
        out.append((min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes),
                    max(b[3] for b in boxes)))
    return out


def test_without_chromium_the_family_is_skipped_with_a_reason(monkeypatch):
    monkeypatch.setattr(chromium, "binary", lambda: None)
    assert missing_program("chromium_html") == "Chromium is not installed"
    assert missing_program("grid") is None
    with pytest.raises(RuntimeError, match="Chromium is not installed"):
        draw("chromium_html", 0)

"""Every cell of a word-position table has a box, a blank one too.

The word-position reader (`pdf_positions.PositionReader`) has no cell borders: a value cell's box
is its words' box. A value cell holding no word (a printed blank, a number OCR missed) gets the
intersection of its row's band (the row label's vertical extent and the value line) and its
column's band (half-way to the neighbouring columns), so an unread cell listed by `xxgk extract
--json` points a person at the place its value would be printed, as a ruled grid's cell would.
"""
from __future__ import annotations

import pytest

from pipelines.core.pdf_positions import PositionReader, _numeric
from pipelines.core.pdf_reader import _words, pick_table_pages, read_pages
from tools.layout_family import draw

S3_HEADS = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]


def _w(text, x0, x1, base, size=8.0):
    return {"text": text, "x0": x0, "x1": x1, "top": base - size, "bottom": base, "baseline": base,
            "size": size}


def _inside(inner, outer, tol=1.0) -> bool:
    return (outer[0] - tol <= inner[0] and inner[2] <= outer[2] + tol
            and outer[1] - tol <= inner[1] and inner[3] <= outer[3] + tol)


def test_a_blank_cell_of_a_synthetic_table_3_row_lies_between_its_neighbours():
    """Table 三 read line by line (the OCR route): the 3rd value of a row is not printed."""
    words = [_w("申请人情况", 300, 340, 100)]
    words += [_w(h, 200 + 40 * k, 230 + 40 * k, 112) for k, h in enumerate(S3_HEADS)]
    full = [_w("一、本年新收政府信息公开申请数量", 40, 180, 130)]
    full += [_w(str(11 + k), 208 + 40 * k, 222 + 40 * k, 130) for k in range(7)]
    gap = [_w("二、上年结转政府信息公开申请数量", 40, 180, 150)]
    gap += [_w(str(21 + k), 208 + 40 * k, 222 + 40 * k, 150) for k in range(7) if k != 2]
    reader = PositionReader(repair_s3=True)
    tables = reader.page_tables(3, words + full + gap)
    assert reader.unplaced == []
    row = next(r for t in tables for r in t.rows if r[0].text.startswith("二、"))
    values = [c for c in row if c.text != row[0].text and not c.covered][-7:]
    assert [c.text for c in values] == ["21", "22", "", "24", "25", "26", "27"]
    blank, left, right = values[2], values[1], values[3]
    assert blank.page == 3 and blank.bbox is not None
    x0, top, x1, bottom = blank.bbox
    # between its neighbours' printed numbers, over the place the missing one would sit
    # (centred under 科研机构 at x 288, as 13 is in the row above)
    assert left.bbox[2] <= x0 < 288 - 7 and 288 + 7 < x1 <= right.bbox[0]
    # on its own line: the row's words span 142..150, the row above ends at 130
    assert (top, bottom) == (142.0, 150.0)
    # the printed cells keep their words' boxes
    assert left.bbox == (248.0, 142.0, 262.0, 150.0)


def test_a_one_column_block_of_table_2_gives_its_blank_the_header_width():
    """Table 二's 行政许可 block read line by line (the OCR route): one value column; a row whose
    number was not seen gets a blank spanning its header's width on the row's line."""
    words = [_w("二、主动公开政府信息情况", 40, 200, 60),
             _w("第二十条第（五）项", 200, 300, 80),
             _w("信息内容", 60, 100, 95), _w("本年处理决定数量", 250, 330, 95),
             _w("行政许可", 60, 100, 110), _w("45", 284, 296, 110),
             _w("其他对外管理服务事项", 60, 140, 125)]
    reader = PositionReader(repair_s3=True)
    tables = reader.page_tables(1, words)
    rows = {r[0].text: r for t in tables for r in t.rows}
    assert rows["行政许可"][1].bbox == (284.0, 102.0, 296.0, 110.0)
    blank = rows["其他对外管理服务事项"][1]
    assert blank.text == "" and blank.bbox is not None
    x0, top, x1, bottom = blank.bbox
    assert 246 <= x0 <= 250 and 330 <= x1 <= 334 and (top, bottom) == (117.0, 125.0)


def _table_pages(case):
    pages, chars = read_pages(case.data, pick_table_pages)
    return {n: _words(chars[n]) for n in sorted(chars)}


def _read(pages: dict, drop: tuple[int, dict] | None = None):
    reader = PositionReader()
    out = []
    for n, words in pages.items():
        if drop is not None and n == drop[0]:
            words = [w for w in words if w is not drop[1]]
        out.extend(reader.page_tables(n, words))
    return out, reader.unplaced


@pytest.fixture(scope="module")
def borderless():
    """A borderless page set: labels wrapped over 2–3 lines, values centred in tall rows."""
    case = draw("borderless", 9800)
    assert case.params["rules"] == "none"
    return _table_pages(case)


def test_a_value_taken_out_of_a_real_layout_leaves_a_box_over_where_it_was_printed(borderless):
    """Each number of tables 二 and 三 taken out in turn (as if OCR had missed it): the emptied
    cell's box holds the number's printed box, lies between its row's neighbours, spans its
    row's label (a wrapped label makes a tall row), and every other cell reads as before."""
    full, unplaced = _read(borderless)
    assert unplaced == []
    before = {(t.page, i, j): c for t in full for i, r in enumerate(t.rows) for j, c in enumerate(r)}
    # a row left with no number at all is a label row (its cells are not found, as before):
    # only numbers with another on their line are taken out
    numbers = [(n, w) for n, ws in borderless.items() for w in ws if _numeric(w) and n in (1, 2)
               and any(o is not w and _numeric(o) and abs(o["baseline"] - w["baseline"]) < 2 for o in ws)]
    assert len(numbers) > 100
    tall = 0
    for n, w in numbers[::4]:
        tables, unplaced = _read(borderless, (n, w))
        assert unplaced == []
        after = {(t.page, i, j): c for t in tables for i, r in enumerate(t.rows) for j, c in enumerate(r)}
        assert after.keys() == before.keys()
        changed = [k for k in before if after[k] != before[k]]
        assert len(changed) == 1, (w["text"], changed)
        (page, i, j), = changed
        was, blank = before[(page, i, j)], after[(page, i, j)]
        assert (was.text, blank.text, blank.page) == (w["text"], "", n)
        assert _inside(was.bbox, blank.bbox), (w["text"], was.bbox, blank.bbox)
        label = after[(page, i, 0)]
        x0, top, x1, bottom = blank.bbox
        for other in (after.get((page, i, j - 1)), after.get((page, i, j + 1))):
            if other is not None and other.text and other is not label:
                # neighbours' numbers lie outside the blank's column band
                assert other.bbox[2] <= x0 + 0.5 or other.bbox[0] >= x1 - 0.5, (w["text"], other)
        assert top <= label.bbox[1] and label.bbox[3] <= bottom  # the row's whole band
        tall += label.bbox[3] - label.bbox[1] > 2 * (w["bottom"] - w["top"])
    assert tall >= 5  # some of them were tall rows, the value line inside the label's lines

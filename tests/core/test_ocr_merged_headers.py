"""Table 三's header read by OCR with the headers of narrow columns boxed as one word.

Scan 9908 (300 dpi, hrules, 32 pt columns, values set right): the detector boxed 科研机构,
社会公益组织 and 法律服务机构 as `科研机社会公法律服` over `构` and `益组织务机构`. Their
centres were taken for column centres, so every row's 法律服务机构 value lay between two
columns and the whole table went unplaced (25 of 200 cells read). The words below are that
page's OCR boxes (points, top-left origin).
"""
from __future__ import annotations

from pipelines.core.pdf_positions import PositionReader


def _w(text, x0, top, x1, bottom, baseline):
    return {"text": text, "x0": x0, "x1": x1, "top": top, "bottom": bottom, "baseline": baseline,
            "ocr_score": 0.99}


WORDS = [
    _w('三、收到和处理政府信息公开申请情况', 74.5, 82.3, 275.4, 98.0, 98.0),
    _w('申请人情况', 388.8, 103.6, 431.6, 116.3, 116.3),
    _w('(本列数据的勾稽关系为:第一项加第二项之和,等于第', 73.1, 121.4, 294.1, 134.5, 134.5),
    _w('法人或其他组织', 379.4, 121.8, 441.0, 134.5, 134.5),
    _w('三项加第四项之和)', 147.6, 134.1, 222.5, 145.6, 153.2),
    _w('自然人', 298.8, 136.2, 326.9, 150.2, 153.2),
    _w('商业企', 332.6, 139.6, 358.6, 152.8, 153.2),
    _w('科研机社会公法律服', 363.2, 139.2, 456.8, 153.2, 153.2),
    _w('总计', 500.0, 135.8, 514.4, 150.2, 153.2),
    _w('业', 338.4, 150.7, 352.8, 165.1, 165.1),
    _w('构', 371.2, 151.1, 385.6, 164.2, 165.1),
    _w('益组织务机构', 397.1, 150.2, 457.2, 164.7, 165.1),
    _w('其他', 467.3, 143.9, 483.5, 160.0, 165.1),
    _w('一、本年新收政府信息公开申请数量', 112.0, 169.8, 256.7, 182.1, 184.2),
    _w('108', 312.5, 170.2, 326.2, 183.8, 184.2),
    _w('123', 344.2, 169.3, 358.6, 184.2, 184.2),
    _w('105', 377.3, 170.6, 390.2, 183.8, 184.2),
    _w('112', 410.0, 170.6, 423.0, 183.8, 184.2),
    _w('129', 442.1, 170.2, 455.0, 183.3, 184.2),
    _w('105', 474.5, 170.2, 488.2, 183.8, 184.2),
    _w('682', 507.2, 170.6, 520.2, 183.8, 184.2),
    _w('二、上年结转政府信息公开申请数量', 111.6, 188.0, 256.7, 200.7, 201.6),
    _w('9', 317.9, 189.3, 326.5, 201.2, 201.6),
    _w('6', 349.6, 188.9, 359.6, 201.6, 201.6),
    _w('4', 382.0, 188.9, 392.4, 201.6, 201.6),
    _w('7', 414.4, 188.9, 424.4, 201.6, 201.6),
    _w('1', 446.8, 188.9, 456.8, 201.6, 201.6),
    _w('2', 478.8, 188.9, 489.2, 201.6, 201.6),
    _w('29', 510.5, 188.9, 519.5, 201.6, 201.6),
    _w('(一)予以公开', 119.2, 206.3, 171.7, 219.4, 219.8),
    _w('1', 317.2, 207.1, 327.2, 219.8, 219.8),
    _w('8', 349.6, 207.1, 359.6, 219.8, 219.8),
    _w('6', 382.0, 207.1, 392.4, 219.8, 219.8),
    _w('3', 414.4, 207.1, 424.4, 219.8, 219.8),
    _w('7', 446.8, 207.1, 456.8, 219.4, 219.8),
    _w('6', 479.5, 207.5, 489.6, 219.8, 219.8),
    _w('31', 510.5, 207.1, 519.5, 219.8, 219.8),
]


def _rows(words):
    reader = PositionReader(repair_s3=True)
    rows = {}
    for t in reader.page_tables(2, words):
        for r in t.rows:
            if any(c.text for c in r[1:]):
                rows[r[0].text] = [c.text for c in r[-7:]]
    return rows, reader.unplaced


def test_a_header_box_spanning_several_columns_gives_no_column():
    rows, unplaced = _rows(WORDS)
    assert unplaced == []
    assert rows["一、本年新收政府信息公开申请数量"] == ["108", "123", "105", "112", "129", "105", "682"]
    assert rows["二、上年结转政府信息公开申请数量"] == ["9", "6", "4", "7", "1", "2", "29"]
    assert ["1", "8", "6", "3", "7", "6", "31"] in rows.values()  # (一)予以公开, under its parent


def test_the_same_header_from_a_text_layer_is_taken_as_printed():
    """Only a recognised (OCR) box is judged by its width: a text layer's word is what was printed."""
    text_layer = [{k: v for k, v in w.items() if k != "ocr_score"} for w in WORDS]
    _, unplaced = _rows(text_layer)
    assert unplaced and "between two columns" in unplaced[0]["reason"]


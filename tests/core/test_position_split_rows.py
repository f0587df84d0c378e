"""Table 二 read line by line from OCR words: a tall row's label and values on two lines.

In a tall row with the label set at the top and the values at the bottom (scan 9809: hrules,
row padding), OCR gives the label and the values as two lines 7 pt apart; the mapper read the
values' line as a row labelled by its first number (1137, with 887 and 2906 as its values), and
the label's row as blanks. The words below are that page's OCR boxes (points, top-left origin).
"""
from __future__ import annotations

from pipelines.core.pdf_positions import PositionReader


def _w(text, x0, top, x1, bottom, baseline=None):
    # OCR words of one text line (box centres within half a line) share its lowest bottom
    return {"text": text, "x0": x0, "x1": x1, "top": top, "bottom": bottom,
            "baseline": bottom if baseline is None else baseline, "ocr_score": 0.99}


HEAD = [_w("主动公开政府信息情况", 97.2, 83.6, 216.4, 97.6),
        _w("第二十条第(一)项", 260.6, 104.8, 333.7, 116.3),
        _w("信息内容", 131.0, 123.5, 160.6, 136.7), _w("本年制发件数", 246.6, 123.5, 292.3, 136.2, 136.7),
        _w("本年废止件数", 346.3, 123.5, 394.6, 136.2, 136.7), _w("现行有效件数", 449.3, 123.9, 495.4, 135.4, 136.7),
        # 规章 a line with its values: their centres lie within half a line
        _w("规章", 77.0, 140.1, 89.6, 152.8, 157.5), _w("1070", 261.7, 145.2, 278.3, 157.5),
        _w("2554", 362.2, 145.6, 379.8, 156.6, 157.5), _w("1316", 464.4, 145.6, 481.7, 156.6, 157.5)]
LABEL = [_w("行政规范性文件", 75.2, 159.2, 130.3, 169.3)]
# 行政规范性文件 7 pt above its values: more than half a line, a line of its own
VALUES = [_w("1137", 261.0, 164.2, 277.9, 176.6), _w("887", 364.3, 164.7, 379.1, 176.1, 176.6),
          _w("2906", 463.7, 164.2, 482.8, 176.6)]
FEES = [_w("第二十条第(八)项", 260.6, 311.5, 333.0, 322.6),
        _w("信息内容", 77.0, 330.2, 106.2, 342.1), _w("本年收费金额(单位:万元)", 320.0, 330.2, 419.4, 341.2, 342.1),
        _w("行政事业性收费", 75.2, 349.7, 130.3, 359.9), _w("148.05", 359.3, 354.8, 382.7, 365.4)]


def _rows(words):
    reader = PositionReader(repair_s3=True)
    rows = {}
    for t in reader.page_tables(2, words):
        for r in t.rows:
            rows.setdefault(r[0].text, []).append([c.text for c in r[1:]])
    return rows, reader.unplaced


def test_a_label_over_its_values_is_one_row():
    rows, unplaced = _rows(HEAD + LABEL + VALUES + FEES)
    assert rows["行政规范性文件"] == [["1137", "887", "2906"]]
    assert rows["规章"] == [["1070", "2554", "1316"]]
    assert rows["行政事业性收费"] == [["148.05", "", ""]]
    assert "" not in rows and unplaced == []  # no row of values without its label


def test_values_over_their_label_are_one_row_too():
    """Values set at the top of the row, the label lower (the same overlap, the other order)."""
    lifted = [dict(w, top=w["top"] - 12, bottom=w["bottom"] - 12, baseline=w["bottom"] - 12) for w in VALUES]
    rows, _ = _rows(HEAD + LABEL + lifted)
    assert rows["行政规范性文件"] == [["1137", "887", "2906"]]


def test_values_between_two_labels_are_not_given_either():
    """A values line whose box overlaps the label line above and the one below (a label OCR
    split off, or two rows set tight): which row it belongs to is not known, nothing is joined."""
    below = [_w("其他对外管理服务事项", 75.2, 172.0, 150.0, 182.0)]
    rows, _ = _rows(HEAD + LABEL + VALUES + below)
    assert rows["行政规范性文件"] == [["", "", ""]]
    assert rows["其他对外管理服务事项"] == [["", "", ""]]
    # left without a label, as the mapper reports it (an unknown row), never given one
    assert rows[""] == [["1137", "887", "2906"]]


def test_a_label_and_values_a_line_apart_stay_apart():
    """The values line of the next row, below a label whose box it does not reach."""
    lowered = [dict(w, top=w["top"] + 14, bottom=w["bottom"] + 14, baseline=w["bottom"] + 14) for w in VALUES]
    rows, _ = _rows(HEAD + LABEL + lowered)
    assert rows["行政规范性文件"] == [["", "", ""]]


def test_boxes_that_touch_by_a_point_are_two_rows():
    """OCR boxes run taller than the ink: a label line over the values of a tight next row may
    touch it by a point or two (its own values missed, the next row's label missed). Too little
    to call them one row: nothing is joined."""
    touching = [dict(w, top=167.8, bottom=w["bottom"] + 3.0, baseline=w["bottom"] + 3.0) for w in VALUES]
    rows, _ = _rows(HEAD + LABEL + touching)
    assert rows["行政规范性文件"] == [["", "", ""]]
    assert rows[""] == [["1137", "887", "2906"]]

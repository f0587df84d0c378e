"""Unruled tables read by word positions (`pdf_positions`): cases of the layout generator (tuning
seeds) that each lost rows of table 二 or 三 before their cause was fixed; now every cell equals
the truth, none wrong.
"""
from __future__ import annotations

import pytest

from lost_cells import assert_every_cell_right, assert_lost_cells_read, read_case

CASES = {
    # （六）其他处理 printed at the top of its rows (labels top-aligned, values bottom-aligned) lies
    # nearer the last values of （五） than its own first values: placed by its rows' label extent
    ("page_break", 1010): ("t3.result.not_processed.",),
    # a page break after （六）'s first row: 逾期不补正 is on the next page, so （六） is known as a
    # heading by the numbered label printed beside it, not by the 2021 words
    ("page_break", 1053): ("t3.result.other.no_correction:",),
    # right-aligned values under centred headers, one row alone in its block: one value per
    # column, each off its header by the same amount, placed in order
    ("page_break", 1014): ("t2.art20_5.licensing.",),
    ("page_break", 1025): ("t2.art20_1.",),
    # three-line: （六）其他处理 centred on its rows, its line 其他处 printed beside 期不补正、 of
    # row 1's label with a gap under 0.6 em: one word, until the pen jumping past one em between
    # two ideographs splits it (two texts on one baseline)
    ("three_line", 1016): ("t3.result.other.no_correction:",),
    # three-line, labels centred, values top-aligned: 三、 (its 、 leaving a wide gap) and 本年 on
    # one line; 本年 joined 二、's label above by the hanging-punctuation allowance, 二、's label then
    # reached down past （一）'s values and took them: 7 wrong numbers before this was fixed
    ("mixed", 1102): ("t3.carried_over:", "t3.result.granted:"),
    # ...but words right under a label above stay its own: （五 (its bracket lost to the wrap) beside
    # 开出版物, the end of 3.要求提供公开出版物 (lost that row when the bare ordinal came first)
    ("borderless", 1128): ("t3.result.not_processed.publication:",),
    ("mixed", 1180): ("t3.result.withheld.",),
    # table 二's first row (规章) set tight under its column headers was taken for a wrapped
    # header line: its values then had no row label
    ("page_break", 1069): ("t2.art20_1.rules.",),
    ("borderless", 1028): ("t2.art20_1.rules.",),
}


@pytest.fixture(scope="module", params=sorted(CASES), ids=lambda k: f"{k[0]}-{k[1]}")
def read(request):
    return (request.param, *read_case(*request.param))


def test_the_lost_rows_are_read(read):
    key, case, got = read
    assert_lost_cells_read(case, got, CASES[key], at_least=3)


def test_every_cell_and_no_wrong_number(read):
    _, case, got = read
    assert_every_cell_right(case, got)

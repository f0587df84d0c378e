"""Generator cases (`tools.layout_family`, tuning seeds) where a heading or a whole page of table
三 was lost before its cause was fixed; now every cell equals the truth, none wrong."""
from __future__ import annotations

import pytest

from lost_cells import assert_every_cell_right, assert_lost_cells_read, read_case

CASES = {
    # hrules, a page break after （一）予以公开: 三、本年度办理结果, centred on the one row it spans on
    # that page, prints over the row above and is read as fragments; (一)…(七) exist only under
    # it, so a level-2 row after 二、 is filed under 三 (22 rows were unplaced)
    ("mixed", 1013): "t3.result.",
    # upside-down table pages; the middle page of table 三 has no marker words of its own and was
    # never turned upright, so all its rows were dropped
    ("mixed", 1044): "t3.result.other.",
    # full grid, a page break inside （四）'s first row: （四）无法提供, centred on the part of its span
    # on that page, prints into the row above; its rows then sat under （三） and were refused
    # (their labels name （四）'s rows). A 1. whose words name the next group's first row opens it
    ("page_break", 1084): "t3.result.unable.",
    # the same with （三）不予公开 after （二）: only 不予公 stays in its row; 1.属于国家秘密 names （三）'s
    # first row, and （三） follows （二）
    ("page_break", 1147): "t3.result.withheld.",
    # hrules, 三、本年度办理结果's first line 三、 printed over 二、上年结转…'s label in its cell: a bare
    # ordinal line followed by another ordinal is not the row's own
    ("page_break", 1153): "t3.carried_over:",
    # （六）其他处理's fragment 其他处 beside 1、申请人无正当 (the rest of that label past the page break):
    # the start of the next group's heading opens it
    ("page_break", 1176): "t3.result.other.",
}


@pytest.fixture(scope="module", params=sorted(CASES), ids=lambda k: f"{k[0]}-{k[1]}")
def read(request):
    return (request.param, *read_case(*request.param))


def test_the_lost_rows_are_read(read):
    key, case, got = read
    assert_lost_cells_read(case, got, CASES[key], at_least=7)


def test_every_cell_and_no_wrong_number(read):
    _, case, got = read
    assert_every_cell_right(case, got)

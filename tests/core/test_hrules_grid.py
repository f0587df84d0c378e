"""Tables drawn with horizontal rules only (`tools.layout_family` hrules cases, tuning seeds).

The grid comes from the rules (`geometry.grid_from_rules`): rows between rules, columns at the
rule segments' ends, spans where no rule crosses or where text runs over an edge. Each case below
lost a whole row of table 三 before its cause was fixed; now every cell equals the truth.
"""
from __future__ import annotations

import pytest

from lost_cells import assert_every_cell_right, assert_lost_cells_read, read_case

CASES = {
    # a label wrapped over six lines in a narrow column made its row taller than 80 pt, and the
    # rule groups split tables at a tall gap: the row between the two groups was in neither
    1000: "t3.result.other.unpaid_fee:",
    # （四）无法提供, centred on the rows it spans, printed beside 2.没有现成信息… with a small gap:
    # the joined word merged the heading's cell with the row's label cell (not a rectangle)
    1017: "t3.result.unable.needs_creation:",
    # a page break leaves （六）其他处理 spanning one row on the page, beside its label lines: the
    # pen jumps between 处 and 期 (two cells' texts on one baseline), so they are not one text
    1027: "t3.result.other.",
}


@pytest.fixture(scope="module", params=sorted(CASES))
def read(request):
    return (request.param, *read_case("hrules", request.param))


def test_the_lost_row_is_read(read):
    seed, case, got = read
    assert_lost_cells_read(case, got, CASES[seed], at_least=7)


def test_every_cell_and_no_wrong_number(read):
    _, case, got = read
    assert_every_cell_right(case, got)

"""Table 四: a row that prints nothing is no row of values to list as unmapped."""
from __future__ import annotations

from pipelines.core.mapping import Mapping, map_section4
from pipelines.core.model import Cell

HEADER = ["行政复议", "行政诉讼"]
VALUES = [str(v) for v in range(1, 16)]


def _row(texts, **kw):
    return [Cell(t, 4, (0, 0, 1, 1), **kw) for t in texts]


def test_a_blank_sliver_row_is_not_listed_and_the_values_row_is_placed():
    """chromium_html seed 10158: table 四's header row cut by a page break left a one-cell blank
    row at the foot of page 3 (listed as unmapped with values [''] though it prints no number)."""
    m = Mapping()
    map_section4([_row(HEADER), _row([""]), _row(VALUES)], m)
    assert m.unmapped == []
    assert {code: p.cell.text for code, p in m.cells.items()} == {
        f"t4.{g}.{o}": VALUES[5 * i + k] for i, g in enumerate(("review", "lit_direct", "lit_after_review"))
        for k, o in enumerate(("upheld", "corrected", "other", "pending", "total"))}


def test_a_short_row_of_numbers_is_still_listed():
    m = Mapping()
    map_section4([_row(HEADER), _row(["3", "", "4"])], m)
    assert m.unmapped == [{"section": "四", "label": "", "values": ["3", "", "4"],
                           "reason": "not 15 values in the row"}]


def test_a_short_row_of_unread_cells_is_still_listed():
    m = Mapping()
    map_section4([_row(HEADER), _row(["", ""], unread="under a stamp")], m)
    assert len(m.unmapped) == 1 and m.unmapped[0]["values"] == ["", ""]

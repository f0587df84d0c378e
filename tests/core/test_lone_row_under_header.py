"""Nothing silently dropped: a three-line table with one data row alone under its header on a page
gives a rules-based cell holding the label and the row's numbers on separate lines. That cell's
numbers are not placed by the rules, so the page is read by position instead (before, the 7
numbers of row 一 of table 三 were in no cell and not in `unmapped`)."""
from __future__ import annotations

from pipelines.core.extract import extract_bytes
from pipelines.core.model import Cell, Table
from pipelines.core.pdf_reader import _values_merged
from tools.layout_family import draw
from tools.layout_family.score import score


def _table(*texts: str) -> Table:
    return Table(page=3, rows=[[Cell(text=t) for t in texts]], source="test")


def test_a_label_and_a_row_of_numbers_in_one_cell_is_merged():
    assert _values_merged([_table("一、本年新收政府信息公开申请数量\n98 123 93 122 122 125 683")])
    assert _values_merged([_table("98\n123")])  # numbers of two rows
    assert _values_merged([_table("98 123")])  # numbers of two columns
    assert not _values_merged([_table("一、本年新收政府信息公开申请数量", "98", "123")])
    assert not _values_merged([_table("第二十条第（一）项\n规章", "5")])


def test_mixed_9103_reads_every_cell():
    case = draw("mixed", 9103)
    result = extract_bytes(case.data, case.name)
    sc = score(case, result["cells"])
    assert (sc.right, sc.wrong) == (sc.total, 0), sc
    assert result["status"] == "ok" and result["unmapped"] == []


def test_numbers_inside_a_label_cell_are_listed_when_the_rules_are_kept(monkeypatch):
    """The sweep behind that choice: were the rules' cells kept, the row's numbers inside the
    label's cell would be listed in `unmapped`, and the document partial, not dropped unseen."""
    import pipelines.core.pdf_reader as pdf_reader

    monkeypatch.setattr(pdf_reader, "_values_merged", lambda tables: False)
    case = draw("mixed", 9103)
    result = extract_bytes(case.data, case.name)
    assert result["status"] == "partial"
    listed = [u for u in result["unmapped"] if u["section"] == "三"]
    assert listed and "98 123 93 122 122 125 683" in listed[0]["values"][0]


def test_a_number_listed_unmapped_beside_a_cell_read_blank_is_not_ok():
    """A row the reader could not place (listed with its reason) in a table where a cell was
    read blank: that blank may be the number's, so the document cannot be `ok`. Where no cell
    of that table is blank, an extra row listed unmapped is no doubt about the cells read."""
    from pipelines.core.extract import doubtful_blanks

    cells = {"t3.result.granted:total": 5, "t3.result.partial:total": None, "t2.art20_1.rules.issued": 3}
    row = {"section": "三", "label": "3.其他", "values": ["12", "", "7"], "reason": "8 values where the table has 7 columns"}
    assert doubtful_blanks(cells, [row]) == 2
    assert doubtful_blanks(cells, [dict(row, section="二")]) == 0  # table 二 has no blank cell
    assert doubtful_blanks(dict(cells, **{"t3.result.partial:total": 0}), [row]) == 0
    assert doubtful_blanks(cells, [dict(row, values=["说明"])]) == 0  # no number listed

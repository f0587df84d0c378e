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

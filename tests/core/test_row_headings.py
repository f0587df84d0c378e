"""Table 三's row headings: a heading printed mid-way down its rows, and a row under the wrong one.

Unruled and three-line tables (and grids that lost a span) print （三）不予公开 beside the middle
of the rows it heads, so its first numbered rows come before it. Those rows are filed under it
only when their numbers run 1, 2, … up to the heading's row and their labels agree; a row whose
label names another heading's row is never filed by its number.
"""
from __future__ import annotations

from pipelines.core.mapping import map_document
from pipelines.core.model import Cell, Document, Table


def _row(*labels: str, base: int) -> list[Cell]:
    pad = [Cell("", covered=True)] * (2 - len(labels))
    return [*pad, *(Cell(t) for t in labels), *(Cell(str(base + k)) for k in range(6)), Cell(str(6 * base + 15))]


def _doc(rows: list[list[Cell]]) -> Document:
    header = [Cell("三、收到和处理政府信息公开申请情况"), Cell("", covered=True), Cell("申请人情况"),
              *(Cell("", covered=True) for _ in range(6))]
    names = [Cell(""), Cell(""), *(Cell(t) for t in ("自然人", "商业企业", "科研机构", "社会公益组织",
                                                     "法律服务机构", "其他", "总计"))]
    return Document(text="", tables=[Table(rows=[header, names, *rows])])


def test_a_heading_printed_beside_its_second_row_heads_the_first_too():
    m = map_document(_doc([
        _row("三、本年度办理结果", "（一）予以公开", base=10),
        _row("（二）部分公开", base=20),
        _row("1.属于国家秘密", base=30),
        _row("（三）不予公开", "2.其他法律行政法规禁止公开", base=40),
        _row("3.危及“三安全一稳定”", base=50),
    ]))
    assert m.cells["t3.result.granted:natural_person"].cell.text == "10"
    assert m.cells["t3.result.withheld.state_secret:natural_person"].cell.text == "30"
    assert m.cells["t3.result.withheld.law_prohibited:commercial"].cell.text == "41"
    assert m.cells["t3.result.withheld.security_stability:total"].cell.text == str(6 * 50 + 15)
    assert m.unmapped == []


def test_rows_whose_numbers_do_not_lead_up_to_the_heading_are_not_filed():
    m = map_document(_doc([
        _row("三、本年度办理结果", "（一）予以公开", base=10),
        _row("（二）部分公开", base=20),
        _row("2.其他法律行政法规禁止公开", base=30),  # 1. is missing: which heading is not known
        _row("（三）不予公开", "3.危及“三安全一稳定”", base=40),
    ]))
    assert not any(c.startswith("t3.result.withheld.law_prohibited") for c in m.cells)
    assert [u["values"][0] for u in m.unmapped] == ["30"]
    assert m.cells["t3.result.withheld.security_stability:natural_person"].cell.text == "40"


def test_a_row_whose_label_names_another_heading_is_never_filed_by_its_number():
    # （四）无法提供 fused onto the wrong rows: 1.属于国家秘密 belongs under （三）
    m = map_document(_doc([
        _row("三、本年度办理结果", "（一）予以公开", base=10),
        _row("（四）无法提供", "1.属于国家秘密", base=30),
        _row("2.没有现成信息需要另行制作", base=40),
    ]))
    assert not any(c.startswith("t3.result.unable.not_held") for c in m.cells)
    assert any(u["values"][0] == "30" and "different rows" in u["reason"] for u in m.unmapped)
    assert m.cells["t3.result.unable.needs_creation:natural_person"].cell.text == "40"

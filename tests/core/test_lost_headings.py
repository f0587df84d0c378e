"""Generator cases (`tools.layout_family`, tuning seeds) where a heading or a whole page of table
三 was lost before its cause was fixed; now every cell equals the truth, none wrong."""
from __future__ import annotations

import pytest

from pipelines.core.extract import extract_bytes
from tools.layout_family import draw
from tools.layout_family.score import score

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
    family, seed = request.param
    case = draw(family, seed)
    return request.param, case, extract_bytes(case.data, case.name, ocr=False)


def test_the_lost_rows_are_read(read):
    key, case, got = read
    lost = {k: v for k, v in case.truth.items() if k.startswith(CASES[key])}
    assert len(lost) >= 7
    assert {k: got["cells"].get(k) for k in lost} == lost


def test_every_cell_and_no_wrong_number(read):
    key, case, got = read
    s = score(case, got["cells"])
    assert (s.right, s.wrong, s.missed) == (s.total, 0, 0)
    assert got["status"] == "ok" and got["unmapped"] == []


def _t3(rows: list[list[str]]):
    """A ruled table 三 with the given label cells per row; row k's values are 10k+0 … 10k+5, total."""
    from pipelines.core.mapping import map_document
    from pipelines.core.model import Cell, Document, Table

    header = [Cell("三、收到和处理政府信息公开申请情况"), Cell("", covered=True), Cell("申请人情况"),
              *(Cell("", covered=True) for _ in range(6))]
    names = [Cell(""), Cell(""), *(Cell(t) for t in ("自然人", "商业企业", "科研机构", "社会公益组织",
                                                     "法律服务机构", "其他", "总计"))]
    body = []
    for k, labels in enumerate(rows, start=1):
        pad = [Cell("", covered=True)] * (2 - len(labels))
        body.append([*pad, *(Cell(t) for t in labels), *(Cell(str(10 * k + j)) for j in range(6)),
                     Cell(str(60 * k + 15))])
    return map_document(Document(text="", tables=[Table(rows=[header, names, *body])]))


def test_a_first_row_naming_the_next_group_opens_it_when_its_heading_is_lost():
    m = _t3([["三、本年度办理结果", "（一）予以公开"], ["（三）不予公开", "8.属于行政查询事项"],
             ["无法提", "1.本机关不掌握相关政府信息"], ["2.没有现成信息需要另行制作"]])
    assert m.cells["t3.result.unable.not_held:natural_person"].cell.text == "30"
    assert m.cells["t3.result.unable.needs_creation:total"].cell.text == str(60 * 4 + 15)
    assert m.unmapped == []


def test_a_later_row_naming_the_next_group_is_still_refused():
    # only a group's first row (1.) can open it: a 2. naming （四）'s row under （三） is not filed
    m = _t3([["三、本年度办理结果", "（一）予以公开"], ["（三）不予公开", "1.属于国家秘密"],
             ["2.没有现成信息需要另行制作"]])
    assert not any(c.startswith("t3.result.unable.") or c.startswith("t3.result.withheld.law_")
                   for c in m.cells)
    assert any(u["values"][0] == "30" and "different rows" in u["reason"] for u in m.unmapped)


def test_a_number_restarting_under_the_same_heading_is_not_filed():
    # （五）'s 1. is missing; a 1. after its 3. belongs to a group whose heading was lost, and its
    # words name no row: filing it as （五）1. would print a wrong number
    m = _t3([["三、本年度办理结果", "（一）予以公开"], ["（五）不予处理", "2.重复申请"],
             ["3.要求提供公开出版物"], ["1、申请人无正当"]])
    assert m.cells["t3.result.not_processed.publication:natural_person"].cell.text == "30"
    assert not any(c.startswith("t3.result.not_processed.petition") for c in m.cells)
    assert [u["values"][0] for u in m.unmapped if "restarts" in u["reason"]] == ["40"]

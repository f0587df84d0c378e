"""Table 三 whose header spans disagree (Word "save as web page"): the data rows decide.

The real case (issue 10): 自然人 spans grid columns 4–5 in one header row while 商业企业 spans
5–6 in the next, with an empty cell under 自然人, and every data row prints its 7 values with
商业企业's value spanning two grid columns. Reading the columns from the upper header shifted
five applicant columns by one, read a covered position as a blank 科研机构 and dropped 总计.
The test rebuilds that shape from a real sample report (non-zero values) and checks every cell.
"""
from __future__ import annotations

import json
from pathlib import Path

from bs4 import BeautifulSoup

from pipelines.core.extract import extract_bytes
from pipelines.core.mapping import STRAY_NUMBER, map_document
from pipelines.core.model import Cell, Document, Table

DATA = Path(__file__).resolve().parents[2] / "data"
TRUTH = DATA / "sample_truth" / "chengguan-2024.truth.json"


def _misaligned_html(truth: dict) -> bytes:
    html = (DATA / "sample_portal" / truth["document_url"].lstrip("/")).read_bytes()
    soup = BeautifulSoup(html, "html.parser")
    table = next(t for t in soup.find_all("table") if "申请人情况" in t.get_text())
    rows = table.find_all("tr")
    head1, head2, head3 = rows[0], rows[1], rows[2]
    head1.find_all("td")[1]["colspan"] = "8"  # 申请人情况 over the 8 grid columns
    natural = head2.find_all("td")[0]
    assert "自然人" in natural.get_text()
    natural["colspan"], natural["rowspan"] = "2", "1"  # upper row: 自然人 over grid columns 4–5
    spacer = soup.new_tag("td")  # lower row: an empty cell under 自然人, 商业企业 over 5–6
    head3.find_all("td")[0].insert_before(spacer)
    head3.find_all("td")[1]["colspan"] = "2"
    for tr in rows[3:]:
        tds = tr.find_all("td", recursive=False)
        values = [td for td in tds if td.get_text(strip=True).isdigit() or not td.get_text(strip=True)]
        if len(values) >= 7:
            values[-6]["colspan"] = "2"  # the data rows follow the lower row: 商业企业's value spans 2
    # a hidden row (Word keeps deleted-looking rows as mso-hide) before the first data row, with
    # other numbers: the browser does not show it, so it is not the report's
    import copy

    ghost = copy.copy(rows[3])
    ghost["style"] = "display:none;mso-hide:all"
    for td in ghost.find_all("td"):
        if td.get_text(strip=True).isdigit():
            td.string = "999"
    rows[3].insert_before(ghost)
    return str(soup).encode("utf-8")


def test_misaligned_header_spans_read_from_the_data_rows():
    truth = json.loads(TRUTH.read_text(encoding="utf-8"))
    got = extract_bytes(_misaligned_html(truth), "misaligned.html")
    t3 = {k: v for k, v in truth["cells"].items() if k.startswith("t3.")}
    assert any(v for k, v in t3.items() if k.endswith(":research")), "the case needs non-zero 科研机构 values"
    assert {k: got["cells"].get(k, "missing") for k in t3} == t3
    assert got["cells"] == truth["cells"]
    assert got["status"] == "ok", got["error"]
    assert got["unmapped"] == []


def _cells(*texts: str, covered_after: int | None = None) -> list[Cell]:
    out = [Cell(t) for t in texts]
    if covered_after is not None:  # a colspan of 2 on the value at this index
        out.insert(covered_after + 1, Cell("", covered=True))
    return out


def _t3_doc(rows: list[list[Cell]]) -> Document:
    header = [Cell("三、收到和处理政府信息公开申请情况"), *_cells("申请人情况", "", "", "", "", "", "", "")]
    names = [Cell(""), *_cells("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计", "")]
    return Document(text="", tables=[Table(rows=[header, names, *rows])])


def test_a_row_that_does_not_hold_seven_values_is_listed_never_shifted():
    # the header points at columns 1..7; the row prints 8 numbers (an extra one beyond 总计)
    row = [Cell("一、本年新收政府信息公开申请数量"), *_cells("5", "1", "2", "3", "4", "6", "21", "9")]
    m = map_document(_t3_doc([row]))
    assert not any(code.startswith("t3.new_received") for code in m.cells)
    assert m.unmapped and m.unmapped[0]["values"] == ["5", "1", "2", "3", "4", "6", "21", "9"]


def test_a_covered_position_is_never_read_as_a_blank():
    # 6 printed values, one spanning two grid columns: 7 grid positions but one value missing
    row = [Cell("一、本年新收政府信息公开申请数量"), *_cells("5", "1", "2", "3", "4", "15", covered_after=1)]
    m = map_document(_t3_doc([row]))
    assert not any(code.startswith("t3.new_received") for code in m.cells)
    assert [u["values"] for u in m.unmapped] == [["5", "1", "2", "3", "4", "15"]]


def test_every_printed_number_is_placed_or_listed():
    # table 四 with 15 outcome columns and a row printing a 16th number beyond them
    outcomes = [Cell(w) for w in ("维持", "纠正", "其他", "尚未审结", "总计")] * 3
    rows = [[Cell("四、因政府信息公开工作被申请行政复议、提起行政诉讼情况")] + [Cell("", covered=True)] * 15,
            [Cell("行政复议"), *[Cell("", covered=True)] * 4, Cell("行政诉讼"), *[Cell("", covered=True)] * 10],
            [*outcomes, Cell("")],
            [Cell(str(i)) for i in range(16)]]
    m = map_document(Document(text="", tables=[Table(rows=rows)]))
    assert m.cells["t4.lit_after_review.total"].cell.text == "14"
    assert [(u["values"], u["reason"]) for u in m.unmapped] == [(["15"], STRAY_NUMBER)]

from pipelines.core.extract import extract_bytes
from pipelines.core.identities import check_identities, violations
from pipelines.core.mapping import map_document
from pipelines.core.model import Cell, Document, Table

T4_HEAD = [
    ["行政复议"] * 5 + ["行政诉讼"] * 10,
    ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] + ["未经复议直接起诉"] * 5 + ["复议后起诉"] * 5,
    ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 3,
]


def _t4_html(values: list[str]) -> bytes:
    rows = "".join("<tr>" + "".join(f"<td>{t}</td>" for t in r) + "</tr>" for r in T4_HEAD + [values])
    return ("<html><head><meta charset='utf-8'></head><body><h1>某镇2023年政府信息公开工作年度报告</h1>"
            "<p>四、政府信息公开行政复议、行政诉讼情况</p><table>" + rows + "</table></body></html>").encode()


def test_planted_i4_violation_is_flagged_and_printed_value_kept():
    values = ["5", "2", "0", "0", "0"] + ["1", "0", "0", "0", "1"] + ["0"] * 5
    got = extract_bytes(_t4_html(values), "planted.html")
    assert got["cells"]["t4.review.total"] == 0  # printed, not repaired to 7
    assert got["cells"]["t4.review.upheld"] == 5
    i4 = {c["scope"]: c for c in got["identity_checks"] if c["id"] == "I4"}
    assert i4["review"] == {"id": "I4", "scope": "review", "ok": False, "expected": 7, "printed": 0}
    assert i4["lit_direct"]["ok"] is True and i4["lit_after_review"]["ok"] is True
    assert violations(got["identity_checks"]) == [
        {"identity": "I4", "group": "review", "sum_of_parts": 7, "printed_total": 0}]


def test_blank_inputs_are_not_assessable():
    cells = {f"t4.review.{o}": v for o, v in zip(("upheld", "corrected", "other", "pending", "total"),
                                                  (1, None, 0, 0, 1))}
    (i4,) = [c for c in check_identities(cells, None) if c["id"] == "I4" and c["scope"] == "review"]
    assert i4 == {"id": "I4", "scope": "review", "ok": None, "expected": None, "printed": 1}


def _t3_cells(template: str, bump: int = 0) -> dict:
    from pipelines.core.identities import C6, RES

    cells = {}
    for r in RES[template]:
        for c in C6:
            cells[f"t3.result.{r}:{c}"] = 1 if c == "natural_person" else 0
    n = len(RES[template])
    for c in C6:
        v = n if c == "natural_person" else 0
        cells[f"t3.result.total:{c}"] = v
        cells[f"t3.new_received:{c}"] = v
        cells[f"t3.carried_over:{c}"] = 0
        cells[f"t3.carry_forward:{c}"] = 0
    for row in ["new_received", "carried_over", "result.total", "carry_forward"] + [f"result.{r}" for r in RES[template]]:
        cells[f"t3.{row}:total"] = sum(cells[f"t3.{row}:{c}"] for c in C6)
    cells["t3.result.granted:total"] += bump
    return cells


def test_i1_i2_i3_pass_on_consistent_tables():
    for tpl, rows in (("2019", 23), ("2021", 25)):
        checks = check_identities(_t3_cells(tpl), tpl)
        assert sum(c["id"] == "I3" for c in checks) == rows
        assert sum(c["id"] == "I1" for c in checks) == 7 == sum(c["id"] == "I2" for c in checks)
        assert all(c["ok"] is True for c in checks)


def test_i3_and_i2_violations():
    checks = check_identities(_t3_cells("2021", bump=2), "2021")
    bad = {(c["id"], c["scope"]): (c["expected"], c["printed"]) for c in checks if c["ok"] is False}
    assert bad == {("I3", "t3.result.granted"): (1, 3), ("I2", "total"): (23, 21)}


def test_i5_domain():
    checks = check_identities({"t2.art20_5.licensing.delta": -3, "t2.art20_8.fees.amount": 26.55,
                               "t3.new_received:total": 2.5, "t4.review.total": -1}, None)
    i5 = {c["scope"]: c for c in checks if c["id"] == "I5"}
    assert set(i5) == {"t3.new_received:total", "t4.review.total"}
    assert i5["t4.review.total"]["printed"] == -1 and i5["t4.review.total"]["ok"] is False


def test_mapper_places_2019_other_row_and_drops_nothing():
    """A hand-made 2019 table 三 grid: （六）其他处理 carries its own values."""
    labels = [("一、本年新收政府信息公开申请数量", "", ""), ("二、上年结转政府信息公开申请数量", "", ""),
              ("三、本年度办理结果", "（一）予以公开", ""), ("", "（六）其他处理", ""), ("", "（七）总计", ""),
              ("四、结转下年度继续办理", "", "")]
    head = [Cell(t) for t in ("（本列数据的勾稽关系为：…）", "", "", "自然人", "商业企业", "科研机构", "社会公益组织",
                              "法律服务机构", "其他", "总计")]
    rows = [head] + [[Cell(a), Cell(b), Cell(c)] + [Cell(str(i))] * 6 + [Cell(str(6 * i))]
                     for i, (a, b, c) in enumerate(labels, start=1)]
    m = map_document(Document("", [Table(rows)]))
    assert m.template_s3 == "2019"
    assert m.cells["t3.result.other.total:total"].value.value == 24
    assert m.cells["t3.carry_forward:natural_person"].value.value == 6
    assert m.unmapped == []

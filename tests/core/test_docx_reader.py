"""docx_reader: grids from w:gridSpan / w:vMerge, body order, errors on broken containers."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from pipelines.core.docx_reader import read_docx
from pipelines.core.reader_errors import ReaderError

READERS = Path(__file__).resolve().parents[1] / "fixtures" / "readers"
TEMPLATE = "corpus/official-template-2021.docx"


def texts(table):
    return [[c.text for c in row] for row in table.rows]


def covered(table):
    return [[c.covered for c in row] for row in table.rows]


def _docx_bytes(build) -> bytes:
    d = docx.Document()
    build(d)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


@pytest.fixture(scope="module")
def template(shared_dir):
    return read_docx((shared_dir / TEMPLATE).read_bytes())


def test_template_tables_shapes(template):
    assert template.format == "docx"
    assert [(len(t.rows), len(t.rows[0])) for t in template.tables] == [(14, 4), (28, 10), (4, 15)]
    assert all(t.source == "docx" for t in template.tables)


def test_template_table3_header_spans(template):
    t3 = template.tables[1]
    g, cov = texts(t3), covered(t3)
    # top-left note: 3 cols x 3 rows
    assert g[0][0] == "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    assert [cov[r][c] for r in range(3) for c in range(3)] == [False] + [True] * 8
    # 申请人情况 spans the 7 data columns
    assert g[0][3] == "申请人情况" and cov[0][4:] == [True] * 6
    # 自然人 rowspan 2, 法人或其他组织 colspan 5, 总计 rowspan 2
    assert g[1][3:] == ["自然人", "法人或其他组织", "", "", "", "", "总计"]
    assert cov[1][5:9] == [True] * 4 and cov[2][3] and cov[2][9]
    assert g[2][4:9] == ["商业\n企业", "科研\n机构", "社会公益组织", "法律服务机构", "其他"]


def test_template_table3_label_columns(template):
    g, cov = texts(template.tables[1]), covered(template.tables[1])
    assert g[3][0] == "一、本年新收政府信息公开申请数量" and cov[3][1:3] == [True, True]
    assert g[5][0] == "三、本年度办理结果"
    assert [cov[r][0] for r in range(6, 27)] == [True] * 21  # 22 rows in the first label column
    assert not cov[27][0] and g[27][0] == "四、结转下年度继续办理"
    assert g[7][1:3] == ["（三）不予公开", "1.属于国家秘密"] and all(cov[r][1] for r in range(8, 15))
    assert g[23][1] == "（六）其他处理" and g[25][2] == "3.其他"
    assert g[26][1] == "（七）总计" and cov[26][2]
    # value cells are printed blanks (template padding U+3000 stripped), never covered
    assert all(g[r][c] == "" and not cov[r][c] for r in range(3, 28) for c in range(3, 10))


def test_template_table2_and_4(template):
    t2, t4 = texts(template.tables[0]), texts(template.tables[2])
    assert t2[0] == ["第二十条第（一）项", "", "", ""] and covered(template.tables[0])[0][1:] == [True] * 3
    assert t2[1] == ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"]  # runs joined
    assert t2[6][0] == "行政许可" and covered(template.tables[0])[6] == [False, False, True, True]
    assert t2[12][1] == "本年收费金额（单位：万元）"
    assert t4[0][0] == "行政复议" and t4[0][5] == "行政诉讼"
    assert t4[1][5] == "未经复议直接起诉" and t4[1][10] == "复议后起诉"
    assert covered(template.tables[2])[2][:5] == [True] * 5  # outcome headers rowspan 2


def test_template_text_in_body_order(template):
    lines = template.text.split("\n")
    assert lines[0] == "政府信息公开工作年度报告格式模板"
    i2 = lines.index("二、主动公开政府信息情况")
    i3 = lines.index("三、收到和处理政府信息公开申请情况")
    assert lines.index("第二十条第（一）项") == i2 + 1  # table text follows its heading
    assert i2 < lines.index("信息内容\t本年制发件数\t本年废止件数\t现行有效件数") < i3
    assert lines[-1] == "（文字描述，收取信息处理费情况在此处报告。）"


def test_filled_fixture_values():
    doc = read_docx((READERS / "qingshan-zrzy-2022.docx").read_bytes())
    assert doc.text.split("\n")[0] == "青山县自然资源局2022年政府信息公开工作年度报告"
    t2, t3, t4 = doc.tables
    assert texts(t2)[3] == ["行政规范性文件", "2", "4", "9"]
    assert texts(t2)[13][:2] == ["行政事业性收费", "3.5"]
    assert texts(t3)[3] == ["一、本年新收政府信息公开申请数量", "", "", "99", "75", "15", "10", "13", "7", "219"]
    assert texts(t3)[26][3:] == ["99", "76", "14", "10", "14", "10", "223"]
    assert texts(t4)[3] == ["2", "4", "0", "4", "10", "0", "1", "4", "1", "6", "1", "1", "2", "2", "6"]


def test_vmerge_gridspan_gridbefore_and_nested_tables():
    def build(d):
        d.add_paragraph("标题")
        t = d.add_table(rows=3, cols=3)
        t.cell(0, 0).merge(t.cell(1, 1))  # 2x2 span
        t.cell(0, 0).text = "A"
        t.cell(0, 2).text = "B"
        t.cell(2, 0).text = "C"
        inner = t.cell(2, 2).add_table(rows=1, cols=2)
        inner.cell(0, 0).text = "x"
        inner.cell(0, 1).text = "y"
        d.add_paragraph("结尾")

    doc = read_docx(_docx_bytes(build))
    outer, inner = doc.tables
    assert texts(outer) == [["A", "", "B"], ["", "", ""], ["C", "", ""]]
    assert covered(outer) == [[False, True, False], [True, True, False], [False, False, False]]
    assert texts(inner) == [["x", "y"]]
    lines = doc.text.split("\n")
    assert lines[0] == "标题" and lines[-1] == "结尾"


def test_grid_before_and_short_rows_are_padded_as_covered():
    def build(d):
        t = d.add_table(rows=2, cols=3)
        for c, x in enumerate("abc"):
            t.cell(0, c).text = x
        tr = t.rows[1]._tr
        for tc in tr.findall(qn("w:tc"))[1:]:  # keep one w:tc in row 2 ...
            tr.remove(tc)
        before = OxmlElement("w:gridBefore")  # ... placed after a one-column gap
        before.set(qn("w:val"), "1")
        tr.get_or_add_trPr().insert(0, before)

    (t,) = read_docx(_docx_bytes(build)).tables
    assert [len(r) for r in t.rows] == [3, 3]
    assert covered(t)[1] == [True, False, True]  # gap, the real (blank) cell, missing trailing cell


@pytest.mark.parametrize(
    "data, kind",
    [
        (b"", "corrupt_file"),
        (b"not a zip at all", "corrupt_file"),
        (b"PK\x03\x04" + b"\x00" * 100, "corrupt_file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "unsupported_format"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le"), "encrypted"),
    ],
)
def test_broken_containers_raise_reader_error(data, kind):
    with pytest.raises(ReaderError) as exc:
        read_docx(data)
    assert exc.value.kind == kind
    assert isinstance(exc.value, ValueError)


def _zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buf.getvalue()


def test_zip_that_is_not_a_word_document():
    with pytest.raises(ReaderError) as exc:
        read_docx(_zip({"hello.txt": b"hi"}))
    assert exc.value.kind == "not_a_report"


def test_truncated_docx_is_corrupt():
    data = (READERS / "qingshan-zrzy-2022.docx").read_bytes()
    with pytest.raises(ReaderError) as exc:
        read_docx(data[: len(data) // 2])
    assert exc.value.kind == "corrupt_file"


def test_docx_with_broken_document_xml_is_corrupt():
    src = zipfile.ZipFile(io.BytesIO((READERS / "qingshan-zrzy-2022.docx").read_bytes()))
    files = {n: src.read(n) for n in src.namelist()}
    files["word/document.xml"] = files["word/document.xml"][:5000]
    with pytest.raises(ReaderError) as exc:
        read_docx(_zip(files))
    assert exc.value.kind == "corrupt_file"

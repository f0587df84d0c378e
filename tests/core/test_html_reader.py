"""html_reader: decoding, span expansion, cell text, layout tables, hostile input."""
from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.core.html_reader import MAX_SPAN, decode_html, read_html

READERS = Path(__file__).resolve().parents[1] / "fixtures" / "readers"


def texts(table):
    return [[c.text for c in row] for row in table.rows]


def covered(table):
    return [[c.covered for c in row] for row in table.rows]


# --- decoding ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data, expected",
    [
        ('<meta charset="gbk"><p>桃源镇</p>'.encode("gbk"), "桃源镇"),
        ('<meta http-equiv="Content-Type" content="text/html; charset=gb2312"><p>镇</p>'.encode("gbk"), "镇"),
        ("<p>没有声明的GBK页面</p>".encode("gbk"), "没有声明的GBK页面"),
        ("<p>没有声明的UTF-8页面</p>".encode("utf-8"), "没有声明的UTF-8页面"),
        # mislabelled: declared GBK, really UTF-8
        ('<meta charset="gbk"><p>水泉镇</p>'.encode("utf-8"), "水泉镇"),
        # declared UTF-8, really GBK
        ('<meta charset="utf-8"><p>水泉镇</p>'.encode("gbk"), "水泉镇"),
        (b"\xef\xbb\xbf" + "<p>带BOM</p>".encode("utf-8"), "带BOM"),
        ("<p>UTF-16页面</p>".encode("utf-16"), "UTF-16页面"),
        # GB18030-only character (not in GBK)
        ('<meta charset="gb2312"><p>𠀀镇</p>'.encode("gb18030"), "𠀀镇"),
    ],
)
def test_decoding(data, expected):
    assert expected in decode_html(data)
    assert expected in read_html(data).text


def test_undecodable_bytes_do_not_raise():
    assert isinstance(decode_html(b"\x81\x30\xff\xfe\x80"), str)


# --- spans and cell text ----------------------------------------------------------------


def test_rowspan_colspan_expand_to_rectangle():
    doc = read_html(
        b"<table>"
        b"<tr><td rowspan=2 colspan=2>A</td><td>B</td></tr>"
        b"<tr><td>C</td></tr>"
        b"<tr><td>D</td><td colspan=2>E</td></tr>"
        b"</table>"
    )
    (t,) = doc.tables
    assert texts(t) == [["A", "", "B"], ["", "", "C"], ["D", "E", ""]]
    assert covered(t) == [[False, True, False], [True, True, False], [False, False, True]]
    assert t.source == "html" and doc.format == "html"


def test_cell_text_joins_p_span_br_and_normalises_spaces():
    html = (
        "<table><tr>"
        "<td><p><span>商业</span></p><p><span>企业</span></p></td>"
        "<td>本年<br>制发件数</td>"
        "<td><p><span>&nbsp;行政&nbsp;许可\u3000</span></p></td>"
        "<td><p><span>&nbsp;</span></p></td>"
        "<td>\n  12\n  </td>"
        "</tr></table>"
    )
    (t,) = read_html(html.encode("utf-8")).tables
    assert texts(t) == [["商业\n企业", "本年\n制发件数", "行政 许可", "", "12"]]
    assert covered(t) == [[False] * 5]  # an empty printed cell is a blank, not covered


def test_short_rows_are_padded_as_covered():
    (t,) = read_html(b"<table><tr><td>a</td><td>b</td><td>c</td></tr><tr><td>d</td></tr></table>").tables
    assert texts(t) == [["a", "b", "c"], ["d", "", ""]]
    assert covered(t)[1] == [False, True, True]


def test_span_attribute_junk_and_zero():
    (t,) = read_html(
        b"<table><tr><td colspan='2abc'>a</td><td rowspan=0>z</td></tr>"
        b"<tr><td colspan=-3>b</td><td colspan=x>c</td></tr><tr><td>d</td></tr></table>"
    ).tables
    assert texts(t) == [["a", "", "z"], ["b", "c", ""], ["d", "", ""]]
    assert covered(t) == [[False, True, False], [False, False, True], [False, True, True]]


def test_layout_table_is_dropped_inner_tables_kept_in_order():
    html = (
        "<table class=layout><tr><td>导航</td></tr><tr><td>"
        "<table><tr><td>表一</td></tr></table><p>正文</p>"
        "<table><tr><td>表二</td></tr></table>"
        "</td></tr></table><table><tr><td>页脚</td></tr></table>"
    )
    doc = read_html(html.encode("utf-8"))
    assert [t.rows[0][0].text for t in doc.tables] == ["表一", "表二", "页脚"]


def test_text_has_title_first_and_block_lines():
    html = (
        "<html><head><title>XX镇2021年政府信息公开工作年度报告_XX县</title><script>var x='<p>no</p>'</script>"
        "</head><body><div>导航</div><h1>XX镇2021年政府信息公开工作年度报告</h1>"
        "<p>一、总体情况</p><p>全年<span>收到</span>申请3件。</p><!-- 注释 -->"
        "<table><tr><td><p>规章</p></td><td>0</td></tr></table></body></html>"
    )
    lines = read_html(html.encode("utf-8")).text.split("\n")
    assert lines[0] == "XX镇2021年政府信息公开工作年度报告"
    assert lines[1] == "XX镇2021年政府信息公开工作年度报告_XX县"
    assert "一、总体情况" in lines and "全年收到申请3件。" in lines
    assert "规章\t0" in lines
    assert not any("注释" in x or "no" in x for x in lines)


# --- hostile input ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x00\x01\x02garbage\xff",
        b"<table><tr><td",
        b"<table><tr><td rowspan=999999999 colspan=999999999>x</td></tr><tr><td>y</td></tr></table>",
        b"<div>" * 20000 + b"deep",
        b"<table>" * 3000 + b"<tr><td>1",
        b"<table><tr>" + b"<td colspan=200>x</td>" * 500 + b"</tr></table>",
        bytes(range(256)) * 50,
    ],
)
def test_hostile_input_never_raises_and_stays_bounded(data):
    doc = read_html(data)
    for t in doc.tables:
        assert t.rows and len({len(r) for r in t.rows}) == 1
        assert len(t.rows[0]) <= MAX_SPAN
        assert len(t.rows) * len(t.rows[0]) <= 100_000


def test_huge_spans_are_capped():
    (t,) = read_html(b"<table><tr><td rowspan=999999 colspan=999999>x</td></tr><tr><td>y</td></tr></table>").tables
    assert len(t.rows[0]) == MAX_SPAN
    assert len(t.rows) == 2  # rowspan clipped at the table's end
    assert t.rows[1][0].covered  # y is pushed right of the span
    assert [c.text for c in t.rows[1] if not c.covered] == []  # ... and beyond the cap, dropped


# --- fixtures ---------------------------------------------------------------------------


def test_gbk_fixture_tables_and_text():
    doc = read_html((READERS / "taoyuan-town-2021-gbk.html").read_bytes())
    assert doc.text.split("\n")[0] == "桃源镇人民政府2021年政府信息公开工作年度报告"
    assert "统计期限自2021年1月1日起至2021年12月31日止" in doc.text
    # layout table dropped; 二, 三, 四 and the footer remain
    assert [(len(t.rows), len(t.rows[0])) for t in doc.tables] == [(14, 4), (28, 10), (4, 15), (1, 2)]
    t2, t3, t4, footer = doc.tables
    assert texts(t2)[1] == ["信息内容", "本年\n制发件数", "本年废止件数", "现行有效件数"]
    assert texts(t2)[2] == ["规章", "0", "", "0"]  # printed blank
    assert covered(t2)[2] == [False, False, False, False]
    assert texts(t2)[6] == ["行政 许可", "124", "", ""] and covered(t2)[6] == [False, False, True, True]
    assert texts(t2)[13] == ["行政事业性收费", "26.55", "", ""]

    assert t3.rows[0][0].text.startswith("（本列数据的勾稽关系为")
    assert all(t3.rows[r][c].covered for r in range(3) for c in range(3) if (r, c) != (0, 0))
    assert texts(t3)[0][3] == "申请人情况" and all(covered(t3)[0][4:])
    assert texts(t3)[1][3:] == ["自然人", "法人或其他组织", "", "", "", "", "总计"]
    assert covered(t3)[2][3] and covered(t3)[2][9]  # 自然人 / 总计 rowspan 2
    assert texts(t3)[2][4:9] == ["商业\n企业", "科研\n机构", "社会公益\n组织", "法律服务\n机构", "其他"]
    assert texts(t3)[5][0] == "三、本 年 度 办 理 结 果"
    assert all(t3.rows[r][0].covered for r in range(6, 27))  # rowspan 22
    assert texts(t3)[7][1:3] == ["（三）不予 公开", "1.属于国家秘密"]
    assert texts(t3)[26][1] == "（七）总计" and covered(t3)[26][2]
    assert texts(t3)[27][0] == "四、结转下年度继续办理"
    assert texts(t4)[3] == ["2", "4", "1", "2", "9", "0", "1", "1", "0", "2", "4", "1", "4", "1", "10"]
    assert texts(footer)[0][0] == "主办单位：青山县人民政府办公室"


def test_split_table_fixture_gives_two_consecutive_tables():
    doc = read_html((READERS / "shuiquan-town-2019-split.html").read_bytes())
    assert [(len(t.rows), len(t.rows[0])) for t in doc.tables] == [(18, 5), (11, 10), (15, 10), (4, 15)]
    t2, t3a, t3b, _ = doc.tables
    # 2019 colspan=2 rendering: values sit under the expanded header positions
    assert texts(t2)[5] == ["信息内容", "上一年项目数量", "", "本年增/减", "处理决定数量"]
    assert texts(t2)[6] == ["行政许可", "61", "", "+36", "97"]
    assert covered(t2)[6] == [False, False, True, False, False]
    assert texts(t2)[17] == ["政府集中采购", "1", "", "251000元", ""]
    assert texts(t3a)[-1][2] == "4.保护第三方合法权益"
    # the continuation starts with empty (not covered) rowspan cells, then the label
    assert texts(t3b)[0][:3] == ["", "", "5.属于三类内部事务信息"]
    assert covered(t3b)[0][:3] == [False, False, False]
    assert covered(t3b)[1][:2] == [True, True]
    assert texts(t3b)[12][1] == "（六）其他处理" and covered(t3b)[12][2]  # 2019: one row, colspan 2
    assert texts(t3b)[14][0] == "四、结转下年度继续办理"

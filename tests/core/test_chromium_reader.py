"""What a PDF printed by headless Chromium (Skia) does that other producers do not, and how the
text-layer readers take it (issue 10: read any table geometry, never a wrong number):

- glyph boxes: Skia's font subsets carry no ascent/descent, so a thin glyph's size is its own
  box (一 is a point high) and a line's baselines differ by hundredths around .5;
- two one-line labels stacked a line apart with no rule between them read as one wrapped label;
- its pagination: a row cut by a page break has no rule on the page side; table 四's header at
  a page's foot leaves its row of values alone atop the next page, with no table marker;
- a Word page's hidden row (display:none) still counted by a row span prints the row under the
  span's end one column wider: its last value beyond the right border of the rows above.
"""
from __future__ import annotations

import pytest

from pipelines.core.extract import extract_bytes
from pipelines.core.geometry import RuleGrid
from pipelines.core.mapping import Mapping, map_section2
from pipelines.core.model import Cell
from pipelines.core.pdf_positions import Block, _split_at_ordinals, _split_at_value_rows, _within_starts
from pipelines.core.pdf_reader import (PageInfo, _closing_cut_rows, _not_a_row, _stepped_outline_spans,
                                       _without_hairline_gaps, _words, pick_table_pages)


def ch(text, x0, baseline, size=9.0, top=None, bottom=None, width=8.3):
    return {"text": text, "x0": x0, "x1": x0 + width, "top": baseline - 7.5 if top is None else top,
            "bottom": baseline + 0.3 if bottom is None else bottom, "baseline": baseline,
            "origin_x": x0 - 0.4, "size": size}


def word(text, x0, baseline, size=9.0):
    return {"text": text, "x0": x0, "x1": x0 + size * len(text), "top": baseline - 7.5,
            "bottom": baseline + 0.3, "baseline": baseline, "size": size}


# ---------------------------------------------------------------- words


def test_a_thin_glyph_whose_box_is_its_size_stays_in_its_word():
    # 上一年项目数量: 一's box (and size) is a point high; its gap to 上 is a fraction of an em
    chars = [ch("上", 215.6, 640.49), ch("一", 224.7, 640.49, size=1.04, top=635.9, bottom=636.9),
             ch("年", 233.6, 640.49), ch("项", 242.6, 640.49)]
    assert [w["text"] for w in _words(chars)] == ["上一年项"]


def test_a_line_whose_baselines_straddle_half_a_point_is_one_line():
    # rounding 640.49 and 640.51 to whole points put 上 after the rest of its line
    chars = [ch("上", 215.6, 640.51), ch("年", 224.7, 640.49), ch("项", 233.6, 640.49)]
    assert [w["text"] for w in _words(chars)] == ["上年项"]


def test_only_a_thin_glyph_borrows_the_words_size():
    # (五)不予处理 and 1.信访… in two columns a few points apart: the digit's own size decides,
    # however large the label's glyphs are (a tall STSong box would have joined the columns)
    chars = [ch("理", 100.0, 500.0, size=14.0), ch("1", 115.0, 500.0, size=9.0, width=4.5)]
    assert [w["text"] for w in _words(chars)] == ["理", "1"]


def test_a_word_gap_still_splits():
    chars = [ch("规", 36.0, 600.0), ch("章", 44.9, 600.0), ch("1", 264.9, 600.0, width=4.0)]
    assert [w["text"] for w in _words(chars)] == ["规章", "1"]


# ---------------------------------------------------------------- label blocks


def test_a_heading_column_set_close_to_the_next_label_column_is_split_at_the_inner_ordinal():
    # narrow unruled columns: 三、 and (一)予以公开, （四） and 2.没有现成信 print as one word
    assert [w["text"] for w in _split_at_ordinals(word("三、(一)予以公开", 72.9, 475.5))] == ["三、", "(一)予以公开"]
    assert [w["text"] for w in _split_at_ordinals(word("（四）2.没有现成信", 96.7, 436.5))] == ["（四）", "2.没有现成信"]
    # a label's own words, brackets inside it, or an ordinal alone are never cut
    for text in ("四、结转下年度继续办理", "1、申请人无正当理由", "(七)总计", "(二)部分公开(区分处理的，只计这一情形)"):
        assert [w["text"] for w in _split_at_ordinals(word(text, 70.0, 400.0))] == [text]


def test_two_stacked_labels_each_with_its_values_are_two_labels():
    # 规章 / 行政规范性文件 a line apart without a rule: joined as one wrapped label, the block
    # claimed 规章's values under the name 规章行政规范性文件 (three wrong numbers)
    b = Block([word("规章", 36.0, 599.2), word("行政规范性文件", 36.0, 618.5)])
    out = _split_at_value_rows([b], [599.2, 618.5])
    assert [x.text for x in out] == ["规章", "行政规范性文件"]


def test_a_wrapped_label_with_one_value_row_stays_whole():
    b = Block([word("5.要求行政机关确认或", 36.0, 600.0), word("重新出具已获取信息", 36.0, 613.0)])
    out = _split_at_value_rows([b], [606.5])
    assert [x.text for x in out] == ["5.要求行政机关确认或重新出具已获取信息"]


def test_the_cut_is_where_the_lines_step_furthest_or_nowhere():
    # two wrapped labels (top-aligned values): the wider step between them is the row's padding
    b = Block([word("1.申请人无正当理由", 36.0, 600.0), word("逾期不补正", 36.0, 612.0),
               word("2.申请人逾期未按", 36.0, 628.0), word("收费通知", 36.0, 640.0)])
    out = _split_at_value_rows([b], [600.0, 628.0])
    assert [x.text for x in out] == ["1.申请人无正当理由逾期不补正", "2.申请人逾期未按收费通知"]
    # values centred between lines: the one step between the two value rows is the cut
    even = Block([word("甲甲", 36.0, 600.0), word("乙乙", 36.0, 612.0), word("丙丙", 36.0, 624.0),
                  word("丁丁", 36.0, 636.0)])
    assert [x.text for x in _split_at_value_rows([even], [606.0, 630.0])] == ["甲甲乙乙", "丙丙丁丁"]
    # every step alike between the two value rows: no cut is surer than another, nothing is cut
    assert len(_split_at_value_rows([even], [600.0, 636.0])) == 1


def test_a_heading_spanning_rows_is_never_cut():
    # 三、本年度办理结果 one character a line in a narrow column, beside many rows of values
    chars = "三、本年度办理结果"
    b = Block([word(t, 72.9, 348.8 + 14.2 * k) for k, t in enumerate(chars)])
    out = _split_at_value_rows([b], [348.8, 365.3, 410.3, 426.0])
    assert [x.text for x in out] == [chars]


def test_a_cut_label_gets_back_its_bare_ordinal():
    # 四、 (its 、 leaves a wide gap) stood alone while 结转下年度继续办理 joined (七)总计 above
    above = Block([word("(七)总计", 65.3, 94.5), word("结转下年度继续办理", 83.2, 111.7)])
    ordinal = Block([word("四、", 62.8, 111.7, size=10.5)])
    ordinal.words[0]["x1"] = 75.9
    out = _split_at_value_rows([above, ordinal], [94.5, 111.7])
    assert sorted(x.text for x in out) == ["(七)总计", "四、结转下年度继续办理"]


def test_a_cut_label_gets_back_its_bare_ordinal_even_after_it_joined_a_word_below():
    # 二、 joined 本 (三、本年度… wrapped in a narrow column below it) while 上年结转… joined the
    # label above: both cuts are made, and 二、 goes back to the words right of it
    above = Block([word("一、本年新收申请数量", 95.6, 468.8), word("上年结转申请数量", 115.7, 484.5)])
    two = Block([word("二、", 95.7, 484.5, size=8.5), word("本", 92.9, 501.0, size=8.5)])
    two.words[0]["x1"] = 108.6
    out = _split_at_value_rows([above, two], [468.8, 484.5, 501.0])
    assert sorted(x.text for x in out) == ["一、本年新收申请数量", "二、上年结转申请数量", "本"]


def test_values_flush_right_under_headers_flush_left_are_read_between_header_starts():
    # 上一年项目数量 starts its column, 本年增/减 the next: 8 ends before 本年增/减 starts although
    # its centre is nearer that header's; one value per column, in order
    starts = [305.2, 467.9]
    assert _within_starts([word("8", 458.2, 268.5, size=4.9), word("+1", 778.0, 268.5, size=5.3)], starts)
    # a value running past the next header's start, or a value missing, is not placed by order
    assert not _within_starts([word("88", 462.0, 268.5, size=4.9), word("+1", 778.0, 268.5, size=5.3)], starts)
    assert not _within_starts([word("+1", 778.0, 268.5)], starts)


def _cells(*texts):
    return [Cell(t, 2, (0, 0, 1, 1)) for t in texts]


def test_a_repeated_header_of_another_block_does_not_place_the_rows_under_it():
    # a browser repeats the table's <thead> (第二十条第（一）项 and its three columns) on the page
    # where block (六)'s rows continue: 行政处罚 prints one number, its block has one column
    rows = [_cells("第二十条第（一）项", "", "", ""), _cells("信息内容", "本年制发件数", "本年废止件数", "现行有效件数"),
            _cells("行政处罚", "", "3", ""), _cells("行政强制", "", "117", "")]
    m = Mapping()
    map_section2(rows, m)
    got = {k: c.text for k, c in ((k, p.cell) for k, p in m.cells.items())}
    assert got == {"t2.art20_6.penalty.decisions": "3", "t2.art20_6.coercion.decisions": "117"}


# ---------------------------------------------------------------- grids


def _grid(nrows: int, ncols: int, owner) -> RuleGrid:
    return RuleGrid([float(40 * c) for c in range(ncols + 1)], [float(20 * r) for r in range(nrows + 1)], owner)


def test_a_value_beyond_the_rows_above_stays_in_its_row():
    # 3 rows x 3 columns; the last column joined over all rows (no rules there but the last
    # row's); the last row's 194 is printed in that column: it belongs to the last row
    owner = [[(r, 0), (r, 1), (0, 2)] for r in range(3)]
    chars = [ch("1", 84.0, 56.0, width=4.0), ch("9", 88.0, 56.0, width=4.0), ch("4", 92.0, 56.0, width=4.0)]
    for c in chars:
        c["top"], c["bottom"] = 46.0, 56.5
    cut = _stepped_outline_spans(_grid(3, 3, owner), chars)
    assert [cut.owner[r][2] for r in range(3)] == [(0, 2), (1, 2), (2, 2)]


def test_a_merged_label_or_a_number_in_the_spans_top_row_is_kept():
    owner = [[(r, 0), (r, 1), (0, 2)] for r in range(3)]
    label = [ch("其", 84.0, 36.0), ch("他", 93.0, 36.0)]
    for c in label:
        c["top"], c["bottom"] = 26.0, 36.5
    assert _stepped_outline_spans(_grid(3, 3, owner), label).owner == owner
    top_number = [ch("7", 84.0, 16.0, width=4.0, top=6.0, bottom=16.5)]
    assert _stepped_outline_spans(_grid(3, 3, owner), top_number).owner == owner
    # an inner column (not at the table's edge) is never cut
    inner = [[(r, 0), (0, 1), (r, 2)] for r in range(3)]
    mid = [ch("5", 44.0, 56.0, width=4.0, top=46.0, bottom=56.5)]
    assert _stepped_outline_spans(_grid(3, 3, inner), mid).owner == inner


def test_hairline_gaps_between_double_rules_are_dropped():
    # <table border=1>: every cell boxed on its own; Camelot cut a 2.9 pt sliver row under the
    # first row's top, splitting the last column's cell: 27 read as a row of its own
    xs, ys = [0.0, 100.0, 103.0, 150.0], [0.0, 2.9, 20.0, 40.0]
    owner = [[(0, 0), (0, 1), (0, 2)], [(0, 0), (0, 1), (1, 2)], [(2, 0), (2, 1), (2, 2)]]
    chars = [ch("7", 10.0, 15.0, width=4.0, top=8.0, bottom=15.5), ch("2", 120.0, 15.0, width=4.0, top=8.0, bottom=15.5),
             ch("9", 120.0, 35.0, width=4.0, top=28.0, bottom=35.5)]
    g = _without_hairline_gaps(RuleGrid(xs, ys, owner), chars)
    assert g.ys == [2.9, 20.0, 40.0] and g.xs == [0.0, 103.0, 150.0]
    assert g.owner == [[(0, 0), (0, 1)], [(1, 0), (1, 1)]]
    # a thin row or column holding a character, or a wide empty one, stays
    assert _without_hairline_gaps(RuleGrid(xs, ys, owner), chars + [ch("1", 100.5, 1.5, width=1.0, top=0.5, bottom=2.5)]
                                  ).shape == (3, 3)


def test_a_row_cut_from_its_rule_by_the_page_top_is_closed():
    rules = [(100.0, 50.0, 500.0), (130.0, 50.0, 500.0), (160.0, 50.0, 500.0)]
    cut_row = [word("3.要求提供公开", 60.0, 80.0), word("212", 200.0, 80.0), word("192", 260.0, 80.0)]
    below = [word("4.无正当理由", 60.0, 115.0), word("125", 200.0, 115.0)]
    out = _closing_cut_rows(rules, cut_row + below, first=True, last=True)
    assert len(out) == 4 and min(s[0] for s in out) == pytest.approx(80.0 - 7.5 - 1)
    # prose above the table (wider than it) is not a row; nor is a band without two numbers
    prose = [word("政府信息公开工作取得了一定成效但也存在一些不足", 30.0, 80.0)]
    assert _closing_cut_rows(rules, prose + below, first=True, last=True) == rules
    assert _closing_cut_rows(rules, [word("3.要求提供", 60.0, 80.0), word("212", 200.0, 80.0)] + below,
                             first=True, last=True) == rules
    # only the page's first table can lose its top rule to the page
    assert _closing_cut_rows(rules, cut_row + below, first=False, last=True) == rules


def test_a_tall_table_header_between_a_three_line_tables_rules_is_no_text_between_tables():
    # table 四's header (行政复议 / 行政诉讼 over names wrapped in two lines) is over 80 pt tall
    header = [word("行政复议", 150.0, 20.0), word("行政诉讼", 450.0, 20.0)] + [
        word("结果", 60.0 + 30 * k, 20.0 + 14 * line) for k in range(15) for line in range(1, 6)]
    prose = [word("政府信息公开工作取得了一定成效", 60.0, 20.0 + 14 * line) for line in range(6)]
    assert not _not_a_row(header)(5.0, 100.0)
    assert _not_a_row(prose)(5.0, 100.0)


def test_a_page_opening_with_a_row_of_values_after_a_table_page_is_read():
    def page(n, text, markers):
        return PageInfo(n, text, markers, False, 0, 0)

    pages = [page(1, "一、总体情况 ……", False), page(2, "四、… 行政复议 行政诉讼 结果维持", True),
             page(3, "3 2 3 4 12 4 1 5 5 15 2 4 2 2 10\n五、存在的主要问题", False),
             page(4, "2023 年 我局 …", False)]
    assert pick_table_pages(pages) == [2, 3]
    # the rest of the header row cut by the break (维 / 持 …) above the values
    pages[2] = page(3, "维\r\n持\r\n纠\r\n正\r\n19 46 53 2 120 4 1 5 5 15 2 4 2 2 10", False)
    assert pick_table_pages(pages) == [2, 3]
    pages[2] = page(3, "五、存在的主要问题及改进情况 2023 年 12 月", False)
    assert pick_table_pages(pages) == [2]


# ---------------------------------------------------------------- end to end


def test_word_page_printed_by_chromium_reads_every_cell_in_its_row():
    """word_html seed 1 (hidden rows 16 and 19 inside row spans) printed by Chromium: the rows
    under the spans' ends are printed a column wider (结转's 总计 beyond the table's right
    border). Read before: 186/200, two rows unmapped (8 values / 6 values)."""
    from tools.layout_family import chromium, draw
    from tools.layout_family.score import score

    if not chromium.available():
        pytest.skip("Chromium is not installed")
    case = draw("word_html", 1)
    assert case.params["hidden_rows"]
    got = extract_bytes(chromium.print_to_pdf(case.data), "word_html-1.pdf")
    s = score(case, got["cells"])
    assert (s.right, s.wrong, got["unmapped"]) == (s.total, 0, [])


def test_a_table_with_default_cellspacing_read_from_its_horizontal_rules(monkeypatch):
    """<table border=1> with HTML's default cellspacing=2: every rule twice, two points apart.
    On this page Camelot finds no grid and the horizontal-rule reader takes it: its hairline
    columns between the double rules are dropped (each row had read as 14 cells: 67/200)."""
    from tools.layout_family import chromium, draw
    from tools.layout_family.score import score

    if not chromium.available():
        pytest.skip("Chromium is not installed")
    portal_page = chromium.portal_page

    def spaced(r, p):
        p.update(rules="html_border", cellspacing=2)
        return portal_page(r, p)

    monkeypatch.setattr(chromium, "portal_page", spaced)
    case = draw("chromium_html", 211)
    assert case.params["source"] == "portal" and case.params["cellspacing"] == 2
    got = extract_bytes(case.data, "chromium_html-211.pdf")
    s = score(case, got["cells"])
    assert (s.right, s.wrong) == (s.total, 0)

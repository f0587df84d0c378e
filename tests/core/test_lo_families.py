"""LibreOffice-produced PDFs (generator families lo_html, lo_docx, tuning seeds) that once lost
cells: the lost cells are read now, and no cell of the document is wrong."""
from __future__ import annotations

import pytest

from lost_cells import assert_every_cell_right, assert_lost_cells_read, read_case
from pipelines.core.pdf_positions import split_touching_numbers
from tools.layout_family.score import score
from tools.sample_county import render_libreoffice

needs_soffice = pytest.mark.skipif(not render_libreoffice.available(), reason="LibreOffice (soffice) not installed")


@needs_soffice
def test_unruled_table_header_cut_by_page_break_is_continued_on_the_next_page():
    # lo_html 1002 (no rules): table 三's header row starts at the foot of page 2 (申请人情况 only)
    # and 自然人 ... 总计 open page 3; table 四's 行政复议/行政诉讼 line ends page 3, its leaf headers
    # open page 4. Both tables were dropped whole (no columns on the header's page): 9/200.
    case, got = read_case("lo_html", 1002)
    assert_lost_cells_read(case, got, ("t3.", "t4."), at_least=190)
    assert_every_cell_right(case, got)


@needs_soffice
def test_bracketed_unit_note_of_a_table_2_header_is_part_of_that_header():
    # lo_html 1000 (horizontal rules): 本年收费金额（单位：万元） comes as three words, 本年收费金额 /
    # （单位： / 万元）, each a column of its own; 901.06, centred under the whole header, sat under
    # （单位： and was listed as placed in no cell.
    case, got = read_case("lo_html", 1000)
    assert_lost_cells_read(case, got, "t2.art20_8.fees.amount", at_least=1)
    assert_every_cell_right(case, got)



@needs_soffice
def test_labels_wrapped_at_libreoffice_line_pitch_stay_one_label():
    # lo_docx 1006 (no rules, Noto Serif CJK 10 pt, values centred): LibreOffice sets Noto CJK at
    # ~1.65 em a line (glyph boxes ~0.93 em), past the 1.7 box-height continuation window. The
    # pitch is learned per column: 本年/度办/理结/果 (三、本年度办理结果 wrapped in a narrow column)
    # interleave with (二)部分公开(区分处理的，只计/这一情形，… so steps between consecutive page lines
    # disagree (16.5, 6.8, 9.7 pt). Read 179/200 at first, then 193/200 with （二）部分公开's values
    # listed unplaced (这一情形，… began a label of its own); every cell now.
    case, got = read_case("lo_docx", 1006)
    assert_lost_cells_read(case, got, "t3.result.partial:", at_least=7)
    assert_every_cell_right(case, got)


@needs_soffice
def test_wrap_pitch_counts_the_half_steps_of_a_label_centred_between_lines():
    # lo_docx 1005 (horizontal rules, 8 pt): （六）其他处/理 centred beside two-line labels steps
    # half a line, so only 5 of 8 steps agreed on the 13.2 pt pitch; 1、申请人…逾期不 / 补正、… /
    # 府信息公开申请 then broke into labels of their own and （六）'s rows 1 and 2 went unread (186/200)
    case, got = read_case("lo_docx", 1005)
    assert_lost_cells_read(case, got, ("t3.result.other.no_correction:", "t3.result.other.unpaid_fee:"), at_least=14)
    assert_every_cell_right(case, got)


@needs_soffice
def test_table_2_block_header_at_a_page_foot_gives_the_columns_of_its_rows_on_the_next_page():
    # lo_docx 1001 (horizontal rules, 8 pt): 第二十条第（一）项 and its 信息内容 … 现行有效件数 header
    # end page 1 (read by its rules), 规章 / 行政规范性文件 open page 2 (read by position): the
    # position reader had never seen the header, so both rows were dropped (194/200)
    case, got = read_case("lo_docx", 1001)
    assert_lost_cells_read(case, got, "t2.art20_1.", at_least=6)
    assert_every_cell_right(case, got)


@needs_soffice
def test_numbers_set_touching_are_split_where_the_pen_jumps_and_a_heading_rest_labels_no_row():
    # lo_html 1027 (no rules, Noto Sans CJK 10 pt): other_org and total of 一、本年新收 and (七)总计
    # print as one word (365725221: 3657 | 25221, a pen step of 8.5 pt where each digit advances
    # 5.5), listed unplaced; 他处理, the rest of (六)其他处理 cut by the page break, sat beside
    # 2、申请人逾期未按收费通知… and took its values from it (both listed: 179/200)
    case, got = read_case("lo_html", 1027)
    assert_lost_cells_read(case, got, ("t3.new_received:", "t3.result.total:", "t3.result.other.unpaid_fee:"),
                           at_least=21)
    assert_every_cell_right(case, got)


@needs_soffice
def test_table_4_whose_first_header_line_ends_the_page_before_is_table_4():
    # lo_docx 1033 (full grid, 2019): 行政复议 / 行政诉讼 is the last line of page 3, the grid of
    # page 4 begins at 未经复议直接起诉; its 15 values were filed under table 三 ("15 values where
    # the table has 7 columns") and table 四 was missing
    case, got = read_case("lo_docx", 1033)
    assert_lost_cells_read(case, got, "t4.", at_least=15)
    assert_every_cell_right(case, got)


@needs_soffice
def test_wrapped_table_2_header_continued_on_the_next_page_is_not_a_row_of_blanks():
    # lo_docx 1097 (full grid, 2019): 本年新 / 制作数量 wraps over the page break; the row
    # "| 制作数量 | 公开数量 |" on page 2 was taken for 规章 (empty label in the first row of block
    # (一)): three blanks, status ok, and the printed 规章 row listed as a second row
    case, got = read_case("lo_docx", 1097)
    assert_lost_cells_read(case, got, "t2.art20_1.rules.", at_least=3)
    assert_every_cell_right(case, got)


def _number(text: str, x: float, steps: list[float], size: float = 9.0) -> dict:
    """A word of digits as pdf_reader._words gives it: per glyph (pen origin, x0, x1)."""
    glyphs, pen = [], x
    for k, _ in enumerate(text):
        glyphs.append((pen, pen + 0.3, pen + 4.8))
        pen += steps[k] if k < len(steps) else 5.5
    return {"text": text, "x0": glyphs[0][1], "x1": glyphs[-1][2], "top": 100.0, "bottom": 109.0,
            "baseline": 108.0, "size": size, "glyphs": glyphs}


PAGE = ("12345", "67890", "23456", "78901", "34567", "89012") * 2  # each digit followed 4 times or more


def _page(*odd: dict) -> list[dict]:
    return [_number(t, 60.0 * k, []) for k, t in enumerate(PAGE)] + list(odd)


def _split(*odd: dict) -> list[str]:
    return [p["text"] for p in split_touching_numbers(_page(*odd))[len(PAGE):]]


def test_touching_numbers_split_only_at_a_clear_pen_jump_into_parts_of_two_digits_or_more():
    parts = split_touching_numbers(_page(_number("316625445", 300.0, [5.5, 5.5, 5.5, 8.5])))[len(PAGE):]
    assert [(p["text"], p["touching"]) for p in parts] == [("3166", True), ("25445", True)]
    assert parts[0]["x1"] == 300.0 + 3 * 5.5 + 4.8 and parts[1]["x0"] == 300.0 + 3 * 5.5 + 8.5 + 0.3
    # a step a little uneven (0.6 pt) is not a gap, and makes the word's other steps untrustworthy
    assert _split(_number("316625445", 300.0, [5.5, 6.1, 5.5, 8.5])) == ["316625445"]
    # a one-digit part (3 | 16625445) could be a digit the font sets wide: not split
    assert _split(_number("316625445", 300.0, [8.5])) == ["316625445"]
    # digits whose advance the page does not show three times are never guessed at
    assert [p["text"] for p in split_touching_numbers([_number("9876", 0.0, [5.5, 8.5, 5.5])])] == ["9876"]
    assert [p["text"] for p in split_touching_numbers(_page(_number("9876", 0.0, [5.5, 8.5, 5.5])))[-2:]
            ] == ["98", "76"]

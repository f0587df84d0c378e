from pipelines.core.values import is_value_like, parse_cell


def test_plain_numbers_have_no_raw_text():
    assert parse_cell("3001") == parse_cell(" 3001 ")
    cv = parse_cell("3001")
    assert (cv.value, cv.raw, cv.state) == (3001, None, "number")
    assert isinstance(cv.value, int)
    assert (parse_cell("24\n3").value, parse_cell("24\n3").raw) == (243, None)  # wrapped in a narrow cell
    cv = parse_cell("96171.6")
    assert (cv.value, cv.raw) == (96171.6, None) and isinstance(cv.value, float)


def test_blank_is_null_not_zero():
    for text in ("", "   ", None, "\n"):
        cv = parse_cell(text)
        assert (cv.value, cv.raw, cv.state) == (None, None, "blank")


def test_signed_values_keep_their_sign_and_raw_text():
    assert (parse_cell("+1036").value, parse_cell("+1036").raw) == (1036, "+1036")
    assert (parse_cell("-12").value, parse_cell("-12").raw) == (-12, None)  # a bare negative number
    assert parse_cell("－3").value == -3  # full-width minus


def test_unit_inside_the_cell():
    cv = parse_cell("251000元")
    assert (cv.value, cv.raw, cv.unit, cv.state) == (251000, "251000元", "元", "number")
    cv = parse_cell("26.55万元")
    assert (cv.value, cv.unit) == (26.55, "万元")


def test_thousands_separators_and_full_width_digits():
    assert (parse_cell("1,234").value, parse_cell("1,234").raw) == (1234, "1,234")
    assert (parse_cell("1，234").value) == 1234
    cv = parse_cell("１２３")
    assert (cv.value, cv.raw) == (123, "１２３")


def test_text_cells_are_null_with_raw_text():
    for text in ("—", "/", "无", "——"):
        cv = parse_cell(text)
        assert (cv.value, cv.raw, cv.state) == (None, text, "text")
        assert is_value_like(text)
    assert not is_value_like("商业企业")
    assert parse_cell("约30").value is None

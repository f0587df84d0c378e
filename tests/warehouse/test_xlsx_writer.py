"""The streaming workbook writer, read back by openpyxl (as an analyst's tools read it): values
and their types where they were put, empty cells empty, text XML-safe, sheets in order."""
from __future__ import annotations

import decimal

import pandas as pd
from openpyxl import load_workbook

from pipelines.warehouse.xlsx import MAX_CELL_CHARS, StreamingWorkbook, column_letters


def test_column_letters():
    assert [column_letters(n) for n in (1, 26, 27, 52, 59, 703)] == ["A", "Z", "AA", "AZ", "BG", "AAA"]


def test_values_types_and_positions_survive_the_round_trip(tmp_path):
    wb = StreamingWorkbook(scratch=tmp_path)
    data = wb.create_sheet("单位年度指标")
    wide = [f"列{i}" for i in range(60)]
    data.append(wide)
    data.append(["县自然资源局", 2020, None, 0.75, True, "a<b & \"c\" >d", "\x01bell\x0b", "x" * 40000,
                 decimal.Decimal("12.50"), float("nan"), -3, ""])
    first = wb.create_sheet("数据字典", 0)  # inserted in front, as openpyxl's create_sheet(title, 0)
    first.append(["表名", "说明"])
    wb.save(tmp_path / "m.xlsx")
    assert not list(tmp_path.glob(".xlsx-*")) and not list(tmp_path.glob("*.tmp"))  # scratch removed

    book = load_workbook(tmp_path / "m.xlsx")
    assert book.sheetnames == ["数据字典", "单位年度指标"]
    ws = book["单位年度指标"]
    assert [c.value for c in ws[1]] == wide and ws.cell(1, 60).value == "列59"
    row = [c.value for c in ws[2]]
    assert row[:6] == ["县自然资源局", 2020, None, 0.75, True, "a<b & \"c\" >d"]
    assert isinstance(row[1], int) and ws.cell(2, 3).value is None  # the blank stays blank, not 0 or ''
    assert row[6] == "bell" and len(row[7]) == MAX_CELL_CHARS
    assert row[8] == 12.5 and row[9] == "nan" and row[10] == -3
    assert book["数据字典"]["A1"].value == "表名"
    frame = pd.read_excel(tmp_path / "m.xlsx", sheet_name="单位年度指标")
    assert list(frame.columns[:2]) == ["列0", "列1"] and frame.iloc[0, 1] == 2020

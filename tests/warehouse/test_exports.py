"""Exports of the marts: Chinese headers, a data dictionary beside them, whole numbers as integers,
rows sorted by organisation and year, and one .xlsx workbook (read back with openpyxl)."""
from __future__ import annotations

import csv
import re

import pyarrow.parquet as pq
import pytest
from openpyxl import load_workbook

from pipelines.warehouse.exports import BOM, DICTIONARY_FILE, DICTIONARY_HEADER, WORKBOOK_FILE, export_marts

MARTS = {"check_results", "comparison", "county_summary", "coverage", "documents_to_review", "facts", "org_year"}
CJK = re.compile(r"[\u4e00-\u9fff]")


def read_csv(path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


@pytest.fixture(scope="module")
def exported(warehouse, tmp_path_factory):
    folder = tmp_path_factory.mktemp("exports")
    return folder, export_marts(warehouse.db_path, folder)


def columns(warehouse, table) -> list[tuple[str, str]]:
    return warehouse.query(
        "select column_name, comment from duckdb_columns() where schema_name = 'marts' and table_name = ? "
        "order by column_index", [table])


def test_every_mart_is_exported_with_chinese_headers(warehouse, exported):
    folder, out = exported
    assert set(out) == MARTS
    for table, info in out.items():
        n = warehouse.query(f"select count(*) from marts.{table}")[0][0]
        assert info["rows"] == n
        assert pq.read_metadata(info["parquet"]).num_rows == n
        raw = info["csv"].read_bytes()
        assert raw.startswith(BOM) and not raw[3:].startswith(BOM)
        rows = read_csv(info["csv"])
        assert len(rows) == n + 1
        cols = columns(warehouse, table)
        # the header is the Chinese name of each column, in the mart's order, every one with Chinese
        assert rows[0] == [comment.split("｜")[0] for _, comment in cols], table
        assert all(CJK.search(h) for h in rows[0]), (table, [h for h in rows[0] if not CJK.search(h)])
        assert len(set(rows[0])) == len(rows[0]), f"{table}: two columns share a Chinese header"
        # Parquet keeps the English names for programs (the dictionary maps them)
        assert pq.read_schema(info["parquet"]).names == [c for c, _ in cols]
    org_year = read_csv(out["org_year"]["csv"])
    assert org_year[0][org_year[0].index("办理结果总计")] == "办理结果总计"
    assert "县自然资源局" in out["coverage"]["csv"].read_text(encoding="utf-8-sig")
    # no temporary files left behind
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted([f"{t}.csv" for t in MARTS] + [f"{t}.parquet" for t in MARTS]
                           + [DICTIONARY_FILE, WORKBOOK_FILE])


def test_data_dictionary_maps_chinese_to_english(warehouse, exported):
    folder, out = exported
    rows = read_csv(folder / DICTIONARY_FILE)
    assert rows[0] == DICTIONARY_HEADER
    body = rows[1:]
    expected = []
    for table in sorted(MARTS):
        types = dict(warehouse.query(
            "select column_name, data_type from duckdb_columns() where schema_name = 'marts' and table_name = ?",
            [table]))
        for name, comment in columns(warehouse, table):
            zh, en = comment.split("｜", 1)
            expected.append([table, out[table]["label_zh"], zh, name, types[name], en])
    assert body == expected
    handled = next(r for r in body if r[0] == "org_year" and r[3] == "handled")
    assert handled[2] == "办理结果总计" and handled[4] == "DOUBLE" and "t3.result.total:total" in handled[5]
    # the header of every CSV is found in the dictionary, column by column
    for table, info in out.items():
        header = read_csv(info["csv"])[0]
        assert header == [r[2] for r in body if r[0] == table]


def test_whole_numbers_are_integers_and_decimals_stay(exported):
    _, out = exported
    rows = read_csv(out["org_year"]["csv"])
    header, body = rows[0], rows[1:]
    cell = {(r[header.index("单位编号")], r[header.index("报告年度")]): r for r in body}
    a2020 = cell[("qc-chengguan", "2020")]
    assert a2020[header.index("办理结果总计")] == "12"            # stored as DOUBLE 12.0
    assert a2020[header.index("公开率")] == "0.75"
    a2021 = cell[("qc-chengguan", "2021")]
    assert a2021[header.index("行政事业性收费金额（万元）")] == "26.55"
    assert a2020[header.index("行政事业性收费金额（万元）")] == ""   # not on the 2019 template: blank
    text = out["facts"]["csv"].read_text(encoding="utf-8-sig")
    assert not re.search(r",-?\d+\.0(,|\r?\n)", text), "a whole number written with .0"
    facts = read_csv(out["facts"]["csv"])
    fh = facts[0]
    delta = next(r for r in facts[1:] if r[fh.index("统计项代码")] == "t2.art20_6.penalty.delta")
    assert delta[fh.index("数值")] == "-1"


def test_rows_sorted_by_organisation_and_year(warehouse, exported):
    _, out = exported
    for table in ("org_year", "facts", "coverage", "check_results", "comparison"):
        rows = read_csv(out[table]["csv"])
        header, body = rows[0], rows[1:]
        keys = [(r[header.index("单位名称")], r[header.index("单位编号")], int(r[header.index("报告年度")]))
                for r in body if r[header.index("单位名称")]]
        assert keys == sorted(keys), table
    # the Parquet rows come in the same order
    import pyarrow.parquet as pq

    t = pq.read_table(out["org_year"]["parquet"]).to_pylist()
    assert [(r["org_name"], r["year"]) for r in t] == sorted((r["org_name"], r["year"]) for r in t)


def test_xlsx_workbook_of_the_marts(warehouse, exported):
    folder, out = exported
    wb = load_workbook(folder / WORKBOOK_FILE, read_only=True)
    try:
        assert wb.sheetnames[0] == "数据字典"
        assert set(wb.sheetnames[1:]) == {info["label_zh"] for info in out.values()}
        for table, info in out.items():
            ws = wb[info["label_zh"]]
            rows = list(ws.iter_rows(values_only=True))
            assert len(rows) == info["rows"] + 1
            assert list(rows[0]) == read_csv(info["csv"])[0]
        ws = wb[out["org_year"]["label_zh"]]
        rows = list(ws.iter_rows(values_only=True))
        h = list(rows[0])
        a2020 = next(r for r in rows[1:] if r[h.index("单位编号")] == "qc-chengguan" and r[h.index("报告年度")] == 2020)
        handled = a2020[h.index("办理结果总计")]
        assert handled == 12 and isinstance(handled, int)              # a count is a number, an integer
        assert a2020[h.index("公开率")] == pytest.approx(0.75)
        assert a2020[h.index("行政事业性收费金额（万元）")] is None       # blank stays blank, not 0
        dictionary = list(wb["数据字典"].iter_rows(values_only=True))
        assert [list(r) for r in dictionary] == read_csv(folder / DICTIONARY_FILE)
    finally:
        wb.close()


def test_export_while_the_process_already_has_the_file_open(warehouse, tmp_path):
    """In a Dagster run the published file is already open in the process: the export must not
    ask DuckDB for a connection with a different configuration (DuckDB refuses it)."""
    import duckdb

    held = duckdb.connect(str(warehouse.db_path), read_only=True)
    try:
        out = export_marts(warehouse.db_path, tmp_path / "exports")
        assert out["org_year"]["rows"] == held.execute("select count(*) from marts.org_year").fetchone()[0]
    finally:
        held.close()


def test_a_table_too_long_for_the_workbook_is_left_out_and_said_so(warehouse, tmp_path):
    """A province's facts do not fit a workbook people can open: over the row cap a table is only in
    CSV and Parquet, and the workbook's 说明 sheet names it, its rows and its files."""
    facts = warehouse.query("select count(*) from marts.facts")[0][0]
    org_year = warehouse.query("select count(*) from marts.org_year")[0][0]
    assert org_year < facts
    out = export_marts(warehouse.db_path, tmp_path, max_xlsx_rows=facts - 1)
    assert out["facts"]["xlsx"] is None and out["org_year"]["xlsx"] == tmp_path / WORKBOOK_FILE
    assert len(read_csv(out["facts"]["csv"])) == facts + 1  # the full table is still exported
    wb = load_workbook(tmp_path / WORKBOOK_FILE, read_only=True)
    try:
        assert wb.sheetnames[:2] == ["数据字典", "说明"]
        assert out["facts"]["label_zh"] not in wb.sheetnames
        assert out["org_year"]["label_zh"] in wb.sheetnames
        notes = [list(r) for r in wb["说明"].iter_rows(values_only=True)]
        assert notes[0] == ["表名", "表中文名", "行数", "说明"]
        assert [r[:3] for r in notes[1:]] == [["facts", out["facts"]["label_zh"], facts]]
        assert "facts.csv" in notes[1][3] and "facts.parquet" in notes[1][3]
    finally:
        wb.close()

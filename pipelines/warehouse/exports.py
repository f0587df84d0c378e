"""Export every table of schema `marts` for people and programs, Chinese first.

Beside the warehouse, in the exports folder:
- `<table>.csv`: UTF-8 with BOM (Excel opens it as UTF-8), headers in Chinese;
- `marts.xlsx`: one workbook, a sheet per table (Chinese sheet names and headers) plus 数据字典;
  a table longer than $XXGK_XLSX_MAX_ROWS rows (default 100,000: the facts of a few counties;
  Excel itself stops at 1,048,576) is left out of it, and a sheet 说明 says so and names its CSV
  and Parquet files (a province's facts are millions of cells);
- `data_dictionary.csv`: 表名 · 中文列名 · 英文列名 · 数据类型 · 说明, one row per column;
- `<table>.parquet`: for programs, English column names (the dictionary maps them).

The Chinese header of a column is its DuckDB comment up to `｜` (dbt writes the comments from
dbt_models/models/marts/_marts.yml, descriptions `中文名｜English`); the rest is the description.
Counts are stored as DOUBLE (a blank cell is NULL, and some cells are decimals), so in CSV and
xlsx a whole number is written as an integer (16, not 16.0) and any other number as it is.
Rows are sorted by organisation and year (then the table's key), the same in every format.
"""
from __future__ import annotations

import csv
import datetime as dt
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

BOM = b"\xef\xbb\xbf"
SEPARATOR = "｜"
DICTIONARY_FILE = "data_dictionary.csv"
WORKBOOK_FILE = "marts.xlsx"
DICTIONARY_HEADER = ["表名", "表中文名", "中文列名", "英文列名", "数据类型", "说明"]
DICTIONARY_SHEET = "数据字典"
NOTES_SHEET = "说明"
NOTES_HEADER = ["表名", "表中文名", "行数", "说明"]
DEFAULT_XLSX_MAX_ROWS = 100_000


def xlsx_max_rows() -> int:
    given = os.environ.get("XXGK_XLSX_MAX_ROWS")
    return max(0, int(given)) if given else DEFAULT_XLSX_MAX_ROWS

# Sort order: the organisation's name (the printed one where a table has no other), then these
# columns a table has, in this order, then its key (first column).
SORT_COLUMNS = ["county", "org_id", "year", "grouping", "org_type", "measure", "identity", "scope", "code"]


def _q(ident: str) -> str:
    return '"' + ident.replace('"', '""') + '"'


def _lit(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


@dataclass
class Column:
    name: str
    data_type: str
    label_zh: str
    description: str


def split_comment(name: str, comment: str | None) -> tuple[str, str]:
    """`中文名｜English description` → (中文名, English description); without `｜` the
    column name stands in for the Chinese name (a column nobody described)."""
    if comment and SEPARATOR in comment:
        zh, en = comment.split(SEPARATOR, 1)
        return zh.strip(), en.strip()
    return name, (comment or "").strip()


def _columns(con, schema: str, table: str) -> list[Column]:
    rows = con.execute(
        "SELECT column_name, data_type, comment FROM duckdb_columns() "
        "WHERE schema_name = ? AND table_name = ? ORDER BY column_index",
        [schema, table],
    ).fetchall()
    return [Column(n, t, *split_comment(n, c)) for n, t, c in rows]


def _table_label(con, schema: str, table: str) -> tuple[str, str]:
    comment = con.execute(
        "SELECT comment FROM duckdb_tables() WHERE schema_name = ? AND table_name = ?", [schema, table]
    ).fetchone()[0]
    return split_comment(table, comment)


def order_by(columns: list[Column]) -> str:
    names = [c.name for c in columns]
    name = next((c for c in ("org_name", "org_name_printed") if c in names), None)
    keys = ([name] if name else []) + [c for c in SORT_COLUMNS if c in names]
    if names and names[0] not in keys:
        keys.append(names[0])
    return ", ".join(f"{_q(k)} NULLS LAST" for k in keys)


def _text_expr(c: Column) -> str:
    """The column as the text people read: whole numbers without `.0`, timestamps in ISO form."""
    col = _q(c.name)
    if c.data_type in ("DOUBLE", "FLOAT", "REAL"):
        return (f"CASE WHEN {col} = trunc({col}) AND abs({col}) < 1e15 "
                f"THEN CAST(CAST({col} AS BIGINT) AS VARCHAR) ELSE CAST({col} AS VARCHAR) END")
    if c.data_type == "BOOLEAN":
        return f"CASE WHEN {col} THEN 'true' WHEN NOT {col} THEN 'false' END"
    return f"CAST({col} AS VARCHAR)"


def _xlsx_value(v):
    """A workbook cell value: whole floats as int, timestamps (tz-aware) as ISO text."""
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return int(v)
    if isinstance(v, (dt.datetime, dt.time)) and getattr(v, "tzinfo", None) is not None:
        return v.isoformat()
    return v  # text: the writer drops characters XML cannot hold and cuts at Excel's 32,767


def _sheet_title(label: str, used: set[str]) -> str:
    title = "".join(ch for ch in label if ch not in "[]:*?/\\")[:31] or "sheet"
    base, n = title, 2
    while title in used:
        suffix = f"_{n}"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(title)
    return title


def export_marts(db_path: str | Path, exports_dir: str | Path, schema: str = "marts",
                 max_xlsx_rows: int | None = None) -> dict[str, dict]:
    """Write the CSV, Parquet, workbook and data dictionary of every table in `schema`.

    Opens `db_path` read-only (use the published file, or the build file once dbt is done).
    Everything is written to a temporary folder first and renamed into place.
    Returns {table: {"rows", "parquet", "csv", "xlsx", "dictionary", "label_zh"}}; "xlsx" is None
    for a table longer than `max_xlsx_rows` (default: xlsx_max_rows()), which the workbook leaves out.
    """
    from pipelines.warehouse.xlsx import StreamingWorkbook

    max_xlsx_rows = xlsx_max_rows() if max_xlsx_rows is None else max_xlsx_rows

    exports_dir = Path(exports_dir)
    exports_dir.mkdir(parents=True, exist_ok=True)
    out: dict[str, dict] = {}
    # No config= here: a process that already has the file open (the Dagster run) refuses a
    # second connection with a different configuration.
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        con.execute("SET enable_progress_bar = false")  # this connection only: no bar in run logs
        tables = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = ? AND table_type = 'BASE TABLE' ORDER BY table_name",
                [schema],
            ).fetchall()
        ]
        if not tables:
            raise LookupError(f"no tables in schema {schema!r} of {db_path}: was dbt build run?")
        with tempfile.TemporaryDirectory(dir=exports_dir, prefix=".export-") as tmpdir:
            tmp = Path(tmpdir)
            workbook = StreamingWorkbook(scratch=tmp)
            dictionary_sheet = workbook.create_sheet(DICTIONARY_SHEET)
            dictionary_sheet.append(DICTIONARY_HEADER)
            dictionary_rows: list[list[str]] = []
            left_out: list[list] = []
            used_titles = {DICTIONARY_SHEET, NOTES_SHEET}
            for t in tables:
                rel = f"{_q(schema)}.{_q(t)}"
                columns = _columns(con, schema, t)
                table_zh, _ = _table_label(con, schema, t)
                ordering = order_by(columns)
                rows = con.execute(f"SELECT count(*) FROM {rel}").fetchone()[0]
                for c in columns:
                    dictionary_rows.append([t, table_zh, c.label_zh, c.name, c.data_type, c.description])

                pq_tmp = tmp / f"{t}.parquet"
                con.execute(
                    f"COPY (SELECT * FROM {rel} ORDER BY {ordering}) TO {_lit(str(pq_tmp))} "
                    "(FORMAT parquet, COMPRESSION zstd)"
                )

                csv_body = tmp / f"{t}.body.csv"
                select_text = ", ".join(f"{_text_expr(c)} AS {_q(c.label_zh)}" for c in columns)
                con.execute(
                    f"COPY (SELECT {select_text} FROM {rel} ORDER BY {ordering}) TO {_lit(str(csv_body))} "
                    "(FORMAT csv, HEADER true, DELIMITER ',', QUOTE '\"')"
                )
                csv_tmp = tmp / f"{t}.csv"
                with csv_tmp.open("wb") as fh, csv_body.open("rb") as body:
                    fh.write(BOM)
                    shutil.copyfileobj(body, fh)
                csv_body.unlink()

                out[t] = {"rows": rows, "parquet": exports_dir / f"{t}.parquet",
                          "csv": exports_dir / f"{t}.csv", "label_zh": table_zh}
                if rows > max_xlsx_rows:
                    left_out.append([t, table_zh, rows, f"超过工作簿每表 {max_xlsx_rows:,} 行的上限，未放入本工作簿；"
                                                        f"全部数据见 {t}.csv（Excel 可打开）或 {t}.parquet"])
                    continue
                sheet = workbook.create_sheet(_sheet_title(table_zh, used_titles))
                sheet.append([c.label_zh for c in columns])
                cur = con.execute(f"SELECT * FROM {rel} ORDER BY {ordering}")
                while batch := cur.fetchmany(5000):
                    for r in batch:
                        sheet.append([_xlsx_value(v) for v in r])

            for r in dictionary_rows:
                dictionary_sheet.append(r)
            if left_out:
                notes = workbook.create_sheet(NOTES_SHEET, 1)  # beside the dictionary, where people look first
                notes.append(NOTES_HEADER)
                for r in left_out:
                    notes.append(r)
            workbook.save(tmp / WORKBOOK_FILE)
            with (tmp / DICTIONARY_FILE).open("w", encoding="utf-8-sig", newline="") as fh:
                writer = csv.writer(fh)
                writer.writerow(DICTIONARY_HEADER)
                writer.writerows(dictionary_rows)

            for t in tables:
                os.replace(tmp / f"{t}.parquet", out[t]["parquet"])
                os.replace(tmp / f"{t}.csv", out[t]["csv"])
            os.replace(tmp / WORKBOOK_FILE, exports_dir / WORKBOOK_FILE)
            os.replace(tmp / DICTIONARY_FILE, exports_dir / DICTIONARY_FILE)
            omitted = {r[0] for r in left_out}
            for t in tables:
                out[t]["xlsx"] = None if t in omitted else exports_dir / WORKBOOK_FILE
                out[t]["dictionary"] = exports_dir / DICTIONARY_FILE
    finally:
        con.close()
    return out

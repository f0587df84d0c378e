"""Export every table of schema `marts` to Parquet and to CSV (UTF-8 with BOM, for Excel)."""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import duckdb

BOM = b"\xef\xbb\xbf"


def _q(ident: str) -> str:
    return '"' + ident.replace('"', '""') + '"'


def _lit(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def export_marts(db_path: str | Path, exports_dir: str | Path, schema: str = "marts") -> dict[str, dict]:
    """Write `<exports_dir>/<table>.parquet` and `<exports_dir>/<table>.csv` for each marts table.

    Opens `db_path` read-only (use the published file, or the build file once dbt is done).
    Each output is written to a temporary file and renamed into place. Returns
    {table: {"rows": n, "parquet": path, "csv": path}}.
    """
    exports_dir = Path(exports_dir)
    exports_dir.mkdir(parents=True, exist_ok=True)
    out: dict[str, dict] = {}
    con = duckdb.connect(str(db_path), read_only=True)
    try:
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
            for t in tables:
                rel = f"{_q(schema)}.{_q(t)}"
                rows = con.execute(f"SELECT count(*) FROM {rel}").fetchone()[0]

                pq_tmp = tmp / f"{t}.parquet"
                con.execute(
                    f"COPY (SELECT * FROM {rel}) TO {_lit(str(pq_tmp))} "
                    "(FORMAT parquet, COMPRESSION zstd)"
                )
                csv_body = tmp / f"{t}.body.csv"
                con.execute(
                    f"COPY (SELECT * FROM {rel}) TO {_lit(str(csv_body))} "
                    "(FORMAT csv, HEADER true, DELIMITER ',', QUOTE '\"')"
                )
                csv_tmp = tmp / f"{t}.csv"
                with csv_tmp.open("wb") as fh, csv_body.open("rb") as body:
                    fh.write(BOM)
                    shutil.copyfileobj(body, fh)
                csv_body.unlink()

                pq_final = exports_dir / f"{t}.parquet"
                csv_final = exports_dir / f"{t}.csv"
                os.replace(pq_tmp, pq_final)
                os.replace(csv_tmp, csv_final)
                out[t] = {"rows": rows, "parquet": pq_final, "csv": csv_final}
    finally:
        con.close()
    return out

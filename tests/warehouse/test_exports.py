from __future__ import annotations

import csv

import pyarrow.parquet as pq

from pipelines.warehouse.exports import BOM, export_marts


def test_exports_parquet_and_bom_csv(warehouse, tmp_path):
    out = export_marts(warehouse.db_path, tmp_path / "exports")
    assert set(out) == {"check_results", "comparison", "coverage", "documents_to_review", "facts", "org_year"}
    for table, info in out.items():
        n = warehouse.query(f"select count(*) from marts.{table}")[0][0]
        assert info["rows"] == n
        assert pq.read_metadata(info["parquet"]).num_rows == n
        raw = info["csv"].read_bytes()
        assert raw.startswith(BOM)
        assert not raw[3:].startswith(BOM)
        with info["csv"].open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
        assert len(rows) == n + 1
        cols = [c for (c,) in warehouse.query(
            "select column_name from duckdb_columns() where schema_name = 'marts' and table_name = ? "
            "order by column_index", [table])]
        assert rows[0] == cols
    text = out["coverage"]["csv"].read_text(encoding="utf-8-sig")
    assert "县自然资源局" in text and "parse_failed" in text
    # no temporary files left behind
    assert sorted(p.suffix for p in (tmp_path / "exports").iterdir()) == [".csv"] * len(out) + [".parquet"] * len(out)

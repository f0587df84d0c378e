"""The build warehouse comes through dagster-duckdb's DuckDBResource: its file is the data folder's
build file, resolved when a connection opens (not when the definitions are imported), and the raw
load writes through it."""
from __future__ import annotations

import sys
from pathlib import Path

from pipelines import settings
from pipelines.defs.resources import WarehouseDuckDB


def test_the_resource_opens_the_build_file_of_the_data_folder_in_force_at_connection(tmp_path, monkeypatch):
    resource = WarehouseDuckDB()  # as the definitions build it, before any data folder is chosen
    monkeypatch.setenv("XXGK_DATA_DIR", str(tmp_path / "night"))
    assert resource.path() == str(tmp_path / "night" / "build" / "warehouse.duckdb")
    with resource.get_connection() as con:
        con.execute("create table t as select 42 as answer")
    assert settings.build_warehouse_path().exists()
    explicit = WarehouseDuckDB(database=str(tmp_path / "other.duckdb"))
    with explicit.get_connection() as con:
        assert con.execute("select count(*) from duckdb_tables()").fetchone()[0] == 0  # another file


def test_the_raw_load_goes_through_the_resource(tmp_path, monkeypatch):
    import duckdb

    from pipelines.warehouse.load import load_staging

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "warehouse"))
    from test_partitioned_load import _stage

    monkeypatch.setenv("XXGK_DATA_DIR", str(tmp_path / "data"))
    _stage("a", 2, 1.0)
    _stage("b", 3, 2.0)
    resource = WarehouseDuckDB()
    opened = []

    def connect():
        opened.append(resource.path())
        return resource.get_connection()

    counts = load_staging(settings.staging_dir(), resource.path(), connect=connect)
    assert opened == [str(settings.build_warehouse_path())]
    assert (counts["documents"], counts["facts"]) == (5, 5)
    con = duckdb.connect(str(settings.build_warehouse_path()), read_only=True)
    try:
        assert con.execute("select partition_key, sum(value) from raw.facts group by 1 order by 1").fetchall() == [
            ("a", 2.0), ("b", 6.0)]
    finally:
        con.close()

"""The raw load per county: a night where one county changed reloads that county's files alone,
the others' rows stay as loaded, and a county no longer staged leaves the warehouse."""
from __future__ import annotations

import duckdb

from pipelines.stages import tables
from pipelines.stages.facts_stage import CHECK_COLUMNS, DOCUMENT_COLUMNS, FACT_COLUMNS
from pipelines.stages.orgs_stage import ORG_COLUMNS, YEAR_COLUMNS
from pipelines.warehouse.load import load_staging


def _stage(county: str, n_docs: int, value: float) -> None:
    with tables.county_scope(county):
        docs = [{"document_id": f"{county}-{i}", "source_id": county, "org_id": f"{county}-org", "year": 2023,
                 "status": "ok"} for i in range(n_docs)]
        tables.write_table("documents", docs, DOCUMENT_COLUMNS)
        tables.write_table("facts", [{"document_id": d["document_id"], "code": "t2.r1.c1", "value": value,
                                      "value_state": "number"} for d in docs], FACT_COLUMNS)
        tables.write_table("identity_checks", [], CHECK_COLUMNS)
        tables.write_table("expected_orgs", [{"org_id": f"{county}-org", "name": "甲镇", "org_type": "乡镇",
                                              "county": county, "source_id": county}], ORG_COLUMNS)
        tables.write_table("expected_years", [{"year": 2023, "source_id": county}], YEAR_COLUMNS)


def test_only_the_changed_county_is_reloaded(tmp_path, monkeypatch):
    monkeypatch.setenv("XXGK_DATA_DIR", str(tmp_path))
    db = tmp_path / "w.duckdb"
    _stage("a", 2, 1.0)
    _stage("b", 3, 2.0)
    first: dict = {}
    counts = load_staging(tmp_path / "staging", db, first)
    assert (counts["documents"], counts["facts"]) == (5, 5)
    assert first == {"reloaded": 10}  # 5 tables x 2 counties (the optional ones are absent)

    _stage("b", 4, 7.0)  # county b re-extracted
    second: dict = {}
    counts = load_staging(tmp_path / "staging", db, second)
    assert second == {"reloaded": 5, "kept": 5}
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("select partition_key, count(*), sum(value) from raw.facts group by 1 order by 1"
                           ).fetchall() == [("a", 2, 2.0), ("b", 4, 28.0)]
    finally:
        con.close()

    for path in (tmp_path / "staging").glob("*/a.parquet"):  # county a no longer staged
        path.unlink()
    third: dict = {}
    counts = load_staging(tmp_path / "staging", db, third)
    assert third == {"kept": 5} and (counts["documents"], counts["facts"]) == (4, 4)

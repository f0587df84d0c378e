"""Staging on S3-compatible object storage ($XXGK_STAGING_URL=s3://bucket/prefix): the stages write
their tables and states into a real moto S3 server on 127.0.0.1 through fsspec/s3fs, and the raw
load reads them from there into a real DuckDB file, one county at a time."""
from __future__ import annotations

import duckdb
import pytest

from pipelines import settings
from pipelines.stages import listing_probe, tables
from pipelines.stages.crawl_stage import read_registry
from pipelines.stages.facts_stage import CHECK_COLUMNS, DOCUMENT_COLUMNS, FACT_COLUMNS
from pipelines.stages.orgs_stage import ORG_COLUMNS, YEAR_COLUMNS
from pipelines.warehouse.load import StagingUnreadable, load_staging

BUCKET = "xxgk-staging"


@pytest.fixture(scope="module")
def s3_bucket(s3_server):
    """The session's S3 server, with this module's bucket."""
    s3_server.client.create_bucket(Bucket=BUCKET)
    return s3_server


@pytest.fixture
def s3_staging(s3_bucket, tmp_path, monkeypatch, request):
    """Staging on s3://xxgk-staging/<test name>/staging, configured only through the environment."""
    prefix = f"{request.node.name}/staging"
    for name, value in {"XXGK_DATA_DIR": str(tmp_path), "XXGK_STAGING_URL": f"s3://{BUCKET}/{prefix}",
                        **s3_bucket.env}.items():
        monkeypatch.setenv(name, value)
    return s3_bucket.client, prefix


def _keys(client, prefix: str) -> list[str]:
    listed = client.list_objects_v2(Bucket=BUCKET, Prefix=prefix + "/").get("Contents", [])
    return sorted(o["Key"][len(prefix) + 1:] for o in listed)


def _stage(county: str, n_docs: int, value: float) -> None:
    with tables.county_scope(county):
        docs = [{"document_id": f"{county}-{i}", "source_id": county, "org_id": f"{county}-org", "year": 2023,
                 "status": "ok"} for i in range(n_docs)]
        tables.write_table("documents", docs, DOCUMENT_COLUMNS)
        tables.write_table("facts", [{"document_id": d["document_id"], "code": "t2.r1.c1", "value": value + i,
                                      "value_state": "number", "page": 1} for i, d in enumerate(docs)],
                           FACT_COLUMNS)
        tables.write_table("identity_checks", [], CHECK_COLUMNS)
        tables.write_table("expected_orgs", [{"org_id": f"{county}-org", "name": "甲镇", "org_type": "乡镇",
                                              "county": county, "source_id": county}], ORG_COLUMNS)
        tables.write_table("expected_years", [{"year": 2023, "source_id": county}], YEAR_COLUMNS)


def _facts(db) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("select partition_key, document_id, value from raw.facts order by 2").fetchall()
    finally:
        con.close()


def test_tables_and_states_live_in_the_bucket(s3_staging, tmp_path):
    client, prefix = s3_staging
    _stage("a", 2, 1.0)
    with tables.county_scope("b"):
        tables.write_json("crawl_counters", {"found": 3, "名称": "乙县"})
    assert _keys(client, prefix) == ["crawl_counters/b.json", "documents/a.parquet", "expected_orgs/a.parquet",
                                     "expected_years/a.parquet", "facts/a.parquet", "identity_checks/a.parquet"]
    assert not (tmp_path / "staging").exists()  # nothing staged on the local disk
    assert tables.counties_with("facts") == ["a"] and tables.counties_with("crawl_counters") == ["b"]
    assert tables.exists("facts") and not tables.exists("crawl_status")
    assert [(r["document_id"], r["value"], r["read_by"]) for r in tables.read_records("facts")] == [
        ("a-0", 1.0, None), ("a-1", 2.0, None)]
    assert tables.read_json_per_county("crawl_counters") == {"b": {"found": 3, "名称": "乙县"}}
    listing_probe.record_full_crawl("b", "f" * 64)  # the probe's state: written, then forgotten
    assert "listing_probe/b.json" in _keys(client, prefix)
    listing_probe.forget("b")
    listing_probe.forget("b")  # forgetting twice is no error
    assert "listing_probe/b.json" not in _keys(client, prefix)
    with tables.county_scope("b"):
        assert tables.read_json("crawl_counters") == {"found": 3, "名称": "乙县"}
        assert not tables.exists("facts") and tables.read_json("absent_state") == {}
    with tables.county_scope("c"):  # a damaged registry is set aside (kept, renamed), never a traceback
        client.put_object(Bucket=BUCKET, Key=f"{prefix}/crawl_documents/c.parquet", Body=b"PAR1 not parquet")
        rows, notes = read_registry()
    assert rows == [] and "c.parquet: unreadable" in notes[0]
    aside = [k for k in _keys(client, prefix) if k.startswith("crawl_documents/")]
    assert len(aside) == 1 and aside[0].startswith("crawl_documents/c.parquet.damaged-")
    assert tables.counties_with("crawl_documents") == []


def test_load_from_s3_reloads_only_the_changed_county(s3_staging, tmp_path):
    db = tmp_path / "build" / "warehouse.duckdb"
    _stage("a", 2, 1.0)
    _stage("b", 3, 10.0)
    first: dict = {}
    counts = load_staging(settings.staging_url(), db, first)
    assert (counts["documents"], counts["facts"], counts["expected_orgs"], counts["identity_checks"]) == (5, 5, 2, 0)
    assert first == {"reloaded": 10}  # 5 tables x 2 counties (the optional ones are absent)
    assert _facts(db) == [("a", "a-0", 1.0), ("a", "a-1", 2.0),
                          ("b", "b-0", 10.0), ("b", "b-1", 11.0), ("b", "b-2", 12.0)]

    _stage("b", 4, 7.0)  # county b re-extracted: its objects are written again, a's are not
    second: dict = {}
    counts = load_staging(settings.staging_url(), db, second)
    # the signature is the object's ETag (its content's digest): of b's five tables only documents
    # and facts changed; its orgs, years and (empty) checks were rewritten with the same bytes
    assert second == {"reloaded": 2, "kept": 8} and (counts["documents"], counts["facts"]) == (6, 6)
    assert _facts(db) == [("a", "a-0", 1.0), ("a", "a-1", 2.0),
                          ("b", "b-0", 7.0), ("b", "b-1", 8.0), ("b", "b-2", 9.0), ("b", "b-3", 10.0)]
    con = duckdb.connect(str(db), read_only=True)
    try:  # b's facts were loaded after a's
        sig = dict(con.execute("select partition_key, signature from raw._loaded_partitions "
                               "where table_name = 'facts'").fetchall())
        a_at, b_at = (con.execute("select loaded_at from raw._loaded_partitions where table_name = 'facts' "
                                  "and partition_key = ?", [c]).fetchone()[0] for c in "ab")
    finally:
        con.close()
    etag = client_etag(s3_staging, "facts/a.parquet")
    assert sig["a"].endswith(":" + etag) and b_at > a_at

    third: dict = {}
    load_staging(settings.staging_url(), db, third)
    assert third == {"kept": 10}  # nothing changed: nothing read again


def client_etag(s3_staging, key: str) -> str:
    client, prefix = s3_staging
    return client.head_object(Bucket=BUCKET, Key=f"{prefix}/{key}")["ETag"].strip('"')


def test_a_damaged_or_absent_object_is_a_clear_error(s3_staging, tmp_path):
    client, prefix = s3_staging
    db = tmp_path / "w.duckdb"
    _stage("a", 2, 1.0)
    _stage("b", 3, 10.0)
    load_staging(settings.staging_url(), db)
    before = _facts(db)

    client.put_object(Bucket=BUCKET, Key=f"{prefix}/facts/b.parquet", Body=b"PAR1 half a file")
    with pytest.raises(StagingUnreadable, match=r"staging table facts of county b: s3://.*/facts/b\.parquet "
                                                r"cannot be read"):
        load_staging(settings.staging_url(), db)
    assert _facts(db) == before  # one transaction: the failed load left the warehouse as it was

    for county in "ab":
        client.delete_object(Bucket=BUCKET, Key=f"{prefix}/documents/{county}.parquet")
    with pytest.raises(FileNotFoundError, match=r"staging tables missing under s3://.*: documents"):
        load_staging(settings.staging_url(), db)


def test_a_local_staging_url_must_be_the_data_folders(tmp_path, monkeypatch):
    monkeypatch.setenv("XXGK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("XXGK_STAGING_URL", str(tmp_path / "elsewhere"))
    with pytest.raises(ValueError, match="local staging is the data folder's staging/"):
        tables.staging_path("facts")
    monkeypatch.setenv("XXGK_STAGING_URL", f"file://{tmp_path / 'data' / 'staging'}")
    assert tables.staging_path("facts") == tmp_path / "data" / "staging" / "facts.parquet"


def test_a_damaged_local_county_file_is_the_same_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("XXGK_DATA_DIR", str(tmp_path))
    _stage("a", 2, 1.0)
    (tmp_path / "staging" / "facts" / "a.parquet").write_bytes(b"PAR1 half a file")
    with pytest.raises(StagingUnreadable, match=r"staging table facts of county a: .*/staging/facts/a\.parquet "
                                                r"cannot be read"):
        load_staging(settings.staging_url(), tmp_path / "w.duckdb")

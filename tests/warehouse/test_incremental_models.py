"""dbt's incremental models (facts_all, facts_latest, marts.facts) rebuild only the counties loaded
since they were built: the other counties' rows are left as they are, the result equals a build
from scratch, a county gone leaves, and a changed models digest rebuilds everything."""
from __future__ import annotations

import dataclasses
import hashlib
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pipelines import settings
from pipelines.warehouse.load import load_staging
from pipelines.warehouse.models_digest import models_digest, needs_full_refresh

MODELS = ("core.facts_all", "core.facts_latest", "marts.facts")
SELECT = ["--select", "+facts", "+facts_latest"]


def _stage_county(kit, staging: Path, county: str, docs) -> None:
    """The fixture's documents as county `county` (its own document and organisation ids) in the
    per-county staging layout the pipeline writes."""
    docs = [dataclasses.replace(d, key=f"{county}-{d.key}",
                                org_id=f"{county}-{d.org_id}" if d.org_id else None) for d in docs]
    single = staging.parent / f"single-{county}"
    shutil.rmtree(single, ignore_errors=True)
    kit.write_staging(single, docs)
    tables = {
        "documents": pd.read_parquet(single / "documents.parquet").assign(source_id=county),
        "facts": pd.concat([pd.read_parquet(p) for p in sorted((single / "facts").glob("*.parquet"))]),
        "identity_checks": pd.read_parquet(single / "identity_checks.parquet"),
        "expected_orgs": pd.read_parquet(single / "expected_orgs.parquet").assign(source_id=county),
        "expected_years": pd.read_parquet(single / "expected_years.parquet").assign(source_id=county),
    }
    tables["expected_orgs"]["org_id"] = county + "-" + tables["expected_orgs"]["org_id"]
    for name, df in tables.items():
        (staging / name).mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.Table.from_pandas(df, preserve_index=False), staging / name / f"{county}.parquet")


def _build(kit, data: Path, target: Path, digest: str = "d1") -> None:
    load_staging(data / "staging", data / "build" / "warehouse.duckdb")
    run = kit.run_dbt(["run", *SELECT, "--vars", f"{{models_digest: {digest}}}"], data, target)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]


def _rows(data: Path, model: str) -> list[tuple]:
    con = duckdb.connect(str(data / "build" / "warehouse.duckdb"), read_only=True)
    try:
        cols = [r[0] for r in con.execute(f"DESCRIBE {model}").fetchall()]
        order = ", ".join(f'"{c}"' for c in cols)
        return con.execute(f"SELECT {order} FROM {model} ORDER BY {order}").fetchall()
    finally:
        con.close()


def _sql(data: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(data / "build" / "warehouse.duckdb"))
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _mark(data: Path) -> None:
    """Plant a marker in every county's rows: a rebuilt county loses it."""
    for m in MODELS:
        _sql(data, f"UPDATE {m} SET review_note = 'kept-as-built'")


def _marked(data: Path, model: str) -> dict[str, int]:
    """Rows still carrying the marker, per county."""
    return dict(_sql(data, f"SELECT d.partition_key, count(*) FROM {model} AS f "
                           "JOIN raw.documents AS d USING (document_id) "
                           "WHERE f.review_note = 'kept-as-built' GROUP BY 1"))


def test_incremental_models_rebuild_only_changed_counties(kit, tmp_path):
    data, target = tmp_path / "night", tmp_path / "target"
    staging = data / "staging"
    docs = kit.build_docs()
    for county in ("a", "b", "c"):
        _stage_county(kit, staging, county, docs)
    _build(kit, data, target)
    n_a = _sql(data, "SELECT count(*) FROM marts.facts WHERE org_id LIKE 'a-%'")[0][0]
    assert n_a > 100
    for county in ("b", "c"):
        assert _sql(data, f"SELECT count(*) FROM marts.facts WHERE org_id LIKE '{county}-%'")[0][0] == n_a

    # night 2: county b re-extracted, one of its values changed and its correction withdrawn;
    # county c no longer staged
    _mark(data)
    for p in staging.glob("*/c.parquet"):
        p.unlink()
    changed = []
    for d in docs:
        if d.key == "A2021c":
            continue
        if d.key == "B2021":
            d = dataclasses.replace(d, cells={**d.cells, "t2.r1.c1": 4321.0})
        changed.append(d)
    _stage_county(kit, staging, "b", changed)
    _build(kit, data, target)
    for m in MODELS:
        marked = _marked(data, m)
        assert marked.get("a", 0) > 0, m  # county a's rows were left as built
        assert "b" not in marked, m  # county b's rows were rebuilt
        c_ids = ", ".join(f"'{hashlib.sha256(f'c-{d.key}'.encode()).hexdigest()}'" for d in docs)
        assert _sql(data, f"SELECT count(*) FROM {m} WHERE document_id IN ({c_ids})") == [(0,)], m  # c left
    assert _sql(data, "SELECT count(*) FROM marts.facts WHERE org_id LIKE 'c-%'") == [(0,)]
    assert _sql(data, "SELECT value FROM marts.facts WHERE org_id = 'b-qc-qingxi' AND year = 2021 "
                      "AND code = 't2.r1.c1'") == [(4321.0,)]
    # without the correction, b's 2021 original is the latest version again
    assert _sql(data, "SELECT DISTINCT document_id FROM core.facts_latest WHERE org_id = 'b-qc-chengguan' "
                      "AND year = 2021") == [(hashlib.sha256(b"b-A2021").hexdigest(),)]

    # the same staging built from scratch gives the same rows (the marker aside)
    _sql(data, "UPDATE core.facts_all SET review_note = NULL WHERE review_note = 'kept-as-built'")
    _sql(data, "UPDATE core.facts_latest SET review_note = NULL WHERE review_note = 'kept-as-built'")
    _sql(data, "UPDATE marts.facts SET review_note = NULL WHERE review_note = 'kept-as-built'")
    fresh = tmp_path / "fresh"
    shutil.copytree(staging, fresh / "staging")
    _build(kit, fresh, tmp_path / "target2")
    for m in MODELS:
        assert _rows(data, m) == _rows(fresh, m), m

    # another models digest (a model changed): every county is rebuilt
    _mark(data)
    _build(kit, data, target, digest="d2")
    for m in MODELS:
        assert _marked(data, m) == {}, m


def test_models_digest_follows_the_models_and_the_codes(tmp_path):
    project = tmp_path / "dbt"
    shutil.copytree(settings.DBT_PROJECT_DIR / "models", project / "models")
    shutil.copytree(settings.DBT_PROJECT_DIR / "macros", project / "macros")
    shutil.copy2(settings.DBT_PROJECT_DIR / "dbt_project.yml", project / "dbt_project.yml")
    items = tmp_path / "items.csv"
    items.write_text("code,label\nt2.r1.c1,制定件数\n", encoding="utf-8")
    first = models_digest(project, items)
    assert models_digest(project, items) == first and len(first) == 16
    (project / "models" / "core" / "facts_all.sql").write_text(
        (project / "models" / "core" / "facts_all.sql").read_text() + "\n-- changed\n")
    second = models_digest(project, items)
    assert second != first
    items.write_text("code,label\nt2.r1.c1,制定件数（件）\n", encoding="utf-8")
    assert models_digest(project, items) not in (first, second)


def test_a_build_under_another_digest_needs_a_full_refresh(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    try:
        assert needs_full_refresh(con, "d1") is False  # nothing built yet
        con.execute("CREATE SCHEMA dbt_state")
        con.execute("CREATE TABLE dbt_state.built_partitions (model VARCHAR, partition_key VARCHAR, "
                    "loaded_at TIMESTAMPTZ, models_digest VARCHAR)")
        con.execute("INSERT INTO dbt_state.built_partitions VALUES ('core.facts_all', 'a', now(), 'd1')")
        assert needs_full_refresh(con, "d1") is False
        assert needs_full_refresh(con, "d2") is True
    finally:
        con.close()

"""Two counties, each a partition: `xxgk run` ingests them in two processes (their portals are on
different hosts), then builds one warehouse. The next night one portal is down: that county's run
fails, the other's stays green, the warehouse is published with both counties' rows (the failed
one's from its last good crawl) and coverage says crawl_failed with the reason."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pipelines import settings
from pipelines.crawl.serve import serve_directory

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "crawl"))
from test_registry_unmatched_e2e import (BODIES, COLUMN, PRINTED, build_saved_column,  # noqa: E402
                                         write_profile)

pytestmark = pytest.mark.skipif(not (settings.SAMPLE_PORTAL_DIR / "index.html").exists(),
                                reason="data/sample_portal/ not generated")


def _profile(sources: Path, source_id: str, org_id: str, base_url: str) -> None:
    write_profile(sources, base_url, source_id, f"{source_id}县", f"{org_id},{PRINTED},县直部门,,,\n")


def _xxgk_run(env: dict) -> tuple[int, dict, str]:
    proc = subprocess.run([str(Path(sys.executable).with_name("xxgk")), "run", "--json"], env=env,
                          capture_output=True, text=True, timeout=600)
    lines = proc.stdout.strip().splitlines()
    return proc.returncode, json.loads(lines[-1]) if lines else {}, proc.stderr


def _query(data: Path, sql: str) -> list:
    con = duckdb.connect(str(data / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_a_county_whose_portal_is_down_leaves_the_others_published(tmp_path, dbt_manifest):
    site_a, site_b, sources, data = (tmp_path / n for n in ("site_a", "site_b", "sources", "data"))
    build_saved_column(site_a)
    build_saved_column(site_b)
    for page in (site_b / COLUMN.lstrip("/")).rglob("t*.htm"):  # other bytes: other documents
        page.write_bytes(page.read_bytes().replace(b"</body>", b"<!-- county b --></body>"))
    env = {**os.environ, "XXGK_DATA_DIR": str(data), "DAGSTER_HOME": str(data / "dagster_home"),
           "XXGK_SOURCES": "county_a,county_b", "XXGK_SOURCES_DIR": str(sources), "XXGK_WORKERS": "2",
           "XXGK_OCR": "0"}
    env.pop("XXGK_SAMPLE_BASE_URL", None)

    with serve_directory(site_a) as url_a:
        with serve_directory(site_b, host="127.0.0.2") as url_b:
            _profile(sources, "county_a", "kfq_a", url_a)
            _profile(sources, "county_b", "kfq_b", url_b)
            rc, first, err = _xxgk_run(env)
        assert rc == 0, err[-3000:]
        assert first["counties"] == ["county_a", "county_b"] and first["counties_failed"] == []
        # one log per process: the two hosts were crawled by two processes side by side
        assert {p.name for p in (data / "logs").glob("xxgk-run-county_*.log")} == {
            "xxgk-run-county_a.log", "xxgk-run-county_b.log"}
        per_source = "select source_id, count(*), count(org_id) from raw.documents group by 1 order by 1"
        assert _query(data, per_source) == [("county_a", len(BODIES), len(BODIES)),
                                            ("county_b", len(BODIES), len(BODIES))]
        facts_b = _query(data, "select count(*) from raw.facts f join raw.documents d using (document_id) "
                               "where d.source_id = 'county_b'")[0][0]
        assert facts_b == 1396

        # the next night county_b's portal is down (nothing listens there any more)
        rc, second, err = _xxgk_run(env)
    assert rc == 1, "a failed county makes the run's exit status say so"
    assert second["counties_failed"] == ["county_b"]
    # county_a's listing is as it was: no run for it tonight (stages/listing_probe.py)
    assert second["counties_unchanged"] == ["county_a"]
    assert len(second["run_ids"]) == 2  # county_b's ingest run and the warehouse run, none for county_a
    import dagster as dg  # what the UI shows on county_a's partition: read, unchanged, no run

    with dg.DagsterInstance.from_config(str(data / "dagster_home")) as instance:
        seen = instance.fetch_observations(dg.AssetKey("downloaded_reports"), limit=10).records
    assert [(r.partition_key, r.asset_observation.metadata["listings_unchanged"].value) for r in seen] == [
        ("county_a", True)]
    assert any(line.startswith("downloaded_reports") for line in second["failed_steps"])
    # published anyway: county_a as crawled now, county_b's documents from its last good crawl
    assert _query(data, per_source) == [("county_a", len(BODIES), len(BODIES)),
                                        ("county_b", len(BODIES), len(BODIES))]
    status = _query(data, "select source_id, status, reason from raw.crawl_status order by 1")
    assert [(s, st) for s, st, _ in status] == [("county_a", "ok"), ("county_b", "crawl_failed")]
    assert "CrawlIncomplete" in status[1][2] or "Connection" in status[1][2], status[1][2]
    coverage = _query(data, "select org_id, list(distinct status), list(distinct source_crawl_status) "
                            "from marts.coverage group by 1 order by 1")
    assert coverage == [("kfq_a", ["published"], ["ok"]), ("kfq_b", ["published"], ["crawl_failed"])]
    assert _query(data, "select count(*) from marts.org_year")[0][0] == 2 * len(BODIES)

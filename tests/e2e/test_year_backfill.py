"""An operator backfills one report year across every county, as the UI's backfill dialog does
it: a backfill of xxgk_ingest_county over the county partitions, tagged xxgk/rerun_years. Here
through `dagster job backfill` (the same backfill, from the command line) against the project's
instance, with a real `dagster-daemon` taking the queued runs: each county's run crawls, finds
nothing new, and still extracts that year's report again, and only it."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipelines import settings
from pipelines.automation_names import INGEST_JOB, RERUN_YEARS_TAG
from pipelines.crawl.serve import serve_directory

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "crawl"))
from test_registry_unmatched_e2e import BODIES, PRINTED, build_saved_column, write_profile  # noqa: E402

pytestmark = pytest.mark.skipif(not (settings.SAMPLE_PORTAL_DIR / "index.html").exists(),
                                reason="data/sample_portal/ not generated")
REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _wait_for_runs(home: Path, n: int, timeout_s: float = 300) -> list:
    import dagster as dg

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with dg.DagsterInstance.from_config(str(home)) as instance:
            runs = [r for r in instance.get_runs() if r.tags.get(RERUN_YEARS_TAG)]
            if len(runs) == n and all(r.is_finished for r in runs):
                return runs
        time.sleep(2)
    raise AssertionError(f"{n} backfill runs did not finish in {timeout_s} s")


def test_a_year_backfill_reextracts_that_year_in_every_county(tmp_path, dbt_manifest):
    site, sources, data = tmp_path / "site", tmp_path / "sources", tmp_path / "data"
    build_saved_column(site)
    home = data / "dagster_home"
    env = {**os.environ, "XXGK_DATA_DIR": str(data), "DAGSTER_HOME": str(home),
           "XXGK_SOURCES": "county_a,county_b", "XXGK_SOURCES_DIR": str(sources), "XXGK_WORKERS": "2",
           "XXGK_OCR": "0"}
    env.pop("XXGK_SAMPLE_BASE_URL", None)
    year = sorted(BODIES)[2]
    with serve_directory(site) as url:
        for source_id, org_id in (("county_a", "kfq_a"), ("county_b", "kfq_b")):
            write_profile(sources, url, source_id, f"{source_id}县", f"{org_id},{PRINTED},县直部门,,,\n")
        night = subprocess.run([str(BIN / "xxgk"), "run", "--json"], env=env, capture_output=True, text=True,
                               timeout=600)
        assert night.returncode == 0, night.stderr[-3000:]

        daemon = subprocess.Popen([str(BIN / "dagster-daemon"), "run", "-w", str(REPO / "workspace.yaml")],
                                  cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            backfill = subprocess.run(
                [str(BIN / "dagster"), "job", "backfill", "-w", str(REPO / "workspace.yaml"), "-j", INGEST_JOB,
                 "--partitions", "county_a,county_b", "--tags", json.dumps({RERUN_YEARS_TAG: str(year)}),
                 "--noprompt"], cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
            assert backfill.returncode == 0, backfill.stdout[-2000:] + backfill.stderr[-2000:]
            runs = _wait_for_runs(home, 2)
        finally:
            daemon.terminate()
            daemon.wait(timeout=60)

    import dagster as dg

    assert sorted(r.tags.get("dagster/partition") for r in runs) == ["county_a", "county_b"]
    assert all(r.status == dg.DagsterRunStatus.SUCCESS for r in runs), [r.status for r in runs]
    with dg.DagsterInstance.from_config(str(home)) as instance:
        for run in runs:
            mats = [e.asset_materialization for e in instance.all_logs(
                run.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION)
                if e.asset_materialization.asset_key == dg.AssetKey("extracted_reports")]
            assert len(mats) == 1, run.run_id
            meta = {k: v.value for k, v in mats[0].metadata.items()}
            # the county's one report of that year extracted again; the other years reused
            assert (meta["rerun_chosen"], meta["extracted"], meta["skipped_unchanged"]) == (
                1, 1, len(BODIES) - 1), meta

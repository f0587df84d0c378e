"""What operators see in the code location: described automations, I1–I5, a freshness check on the
published warehouse, and quiet runs that leave no dbt artefacts in the repository."""
from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

import dagster as dg

from pipelines.automation_names import (ALL_ASSETS_JOB, FAILURE_SENSOR, FRESHNESS_SENSOR, FROM_REGISTRY_JOB,
                                        NIGHTLY_SCHEDULE, REGISTRY_SENSOR)

REPO = Path(__file__).resolve().parents[2]


def test_automations_are_described_and_checks_are_in_place(dbt_manifest):
    from pipelines.definitions import defs

    repo = defs.get_repository_def()
    automations = [repo.get_schedule_def(NIGHTLY_SCHEDULE),
                   *(repo.get_sensor_def(n) for n in (REGISTRY_SENSOR, FAILURE_SENSOR, FRESHNESS_SENSOR))]
    for automation in automations:
        assert len((automation.description or "").split()) >= 8, automation.name
    # the failure alert runs as soon as the daemon does; the others wait for an operator
    assert repo.get_sensor_def(FAILURE_SENSOR).default_status == dg.DefaultSensorStatus.RUNNING
    assert repo.get_sensor_def(FRESHNESS_SENSOR).default_status == dg.DefaultSensorStatus.STOPPED

    checks = repo.asset_graph.asset_check_keys
    identity = {c.name for c in checks if c.asset_key == dg.AssetKey("report_facts")}
    assert identity == {f"identity_I{i}" for i in range(1, 6)}
    freshness = [c for c in checks if c.asset_key == dg.AssetKey("published_warehouse")]
    assert len(freshness) == 1
    # freshness is the sensor's to evaluate, never inside a pipeline run (it would race the publish)
    for job in (ALL_ASSETS_JOB, FROM_REGISTRY_JOB):
        assert not any("freshness" in n for n in repo.get_job(job).graph.node_dict), job

    # dbt tests are checks that never block: a failing error-severity test fails `dbt build` itself
    dbt_checks = [spec for key, a in repo.assets_defs_by_key.items() if key.path[0] in ("core", "marts")
                  for spec in a.check_specs]
    assert dbt_checks and not any(spec.blocking for spec in dbt_checks)


def test_only_stale_dbt_invocation_folders_are_removed(tmp_path):
    from pipelines.defs.warehouse import STALE_INVOCATION_AGE_S, remove_stale_invocation_dirs

    target = tmp_path / "target"
    old, fresh = target / "dbt_models-0a5e113-5715e30", target / "dbt_models-3a84c7c-ce2c37f"
    for folder in (old, fresh):
        (folder / "compiled").mkdir(parents=True)
        (folder / "run_results.json").write_text("{}")
    (target / "manifest.json").write_text("{}")
    now = 1_800_000_000.0
    os.utime(old, (now - STALE_INVOCATION_AGE_S - 60,) * 2)
    os.utime(fresh, (now - 60,) * 2)
    assert remove_stale_invocation_dirs(target, now=now) == [old]
    assert sorted(p.name for p in target.iterdir()) == ["dbt_models-3a84c7c-ce2c37f", "manifest.json"]


def test_a_run_where_nothing_changed_is_quiet_and_dbt_leaves_the_repository_clean(
        pipeline, tmp_path, monkeypatch, caplog):
    data, first = pipeline
    assert first.success
    # the full run: dbt's artefacts went to the data folder, none to dbt_models/target/
    assert (data / "build" / "dbt" / "run_results.json").is_file()
    assert not list((REPO / "dbt_models" / "target").glob(f"*-{first.run_id[:7]}-*"))
    evaluated = {e.check_name for e in first.get_asset_check_evaluations()}
    assert {f"identity_I{i}" for i in range(1, 6)} <= evaluated

    # the same data folder (copied: other tests read the original) run again, nothing changed
    copy = tmp_path / "data"
    shutil.copytree(data, copy, ignore=shutil.ignore_patterns("dagster_home"))
    monkeypatch.setenv("XXGK_DATA_DIR", str(copy))
    monkeypatch.delenv("XXGK_SAMPLE_BASE_URL", raising=False)
    monkeypatch.delenv("XXGK_SOURCES", raising=False)
    from pipelines.definitions import defs

    with caplog.at_level(logging.WARNING), dg.DagsterInstance.ephemeral() as instance:
        from pipelines.launch import execute_county_in_process
        second = execute_county_in_process(instance)
        observed = instance.fetch_observations(dg.AssetKey("published_warehouse"), limit=1).records
    assert second.success
    assert [e.asset_key for e in second.get_asset_materialization_events()] == []
    assert len(observed) == 1  # the warehouse is confirmed current instead
    noise = [r.getMessage() for r in caplog.records if "emitted no result" in r.getMessage()]
    assert noise == []

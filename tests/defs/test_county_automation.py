"""The nightly schedule asks for one ingest run per enabled county (partitions added, portal host
tagged for the per-host run limit); the publish sensor builds the warehouse only once some county
staged new facts and no county run is left queued or running."""
from __future__ import annotations

import datetime

import dagster as dg


def test_nightly_requests_one_run_per_county_tagged_with_its_host(tmp_path, monkeypatch):
    from pipelines.defs.automation import nightly

    monkeypatch.setenv("XXGK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("XXGK_SOURCES", "sample_county,faku_trs,weishan_hanweb")
    with dg.instance_for_test() as instance:
        when = datetime.datetime(2026, 3, 1, 2, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
        requests = nightly(dg.build_schedule_context(instance=instance, scheduled_execution_time=when))
        assert [r.partition_key for r in requests] == ["sample_county", "faku_trs", "weishan_hanweb"]
        assert [r.run_key for r in requests] == [f"2026-03-01:{c}" for c in
                                                 ("sample_county", "faku_trs", "weishan_hanweb")]
        hosts = [r.tags["xxgk/host"] for r in requests]
        assert hosts[0] == "www.chenglan.gov.cn" and len(set(hosts)) == 3
        assert instance.get_dynamic_partitions("county") == ["sample_county", "faku_trs", "weishan_hanweb"]


def _materialize(instance, key: str, partition: str | None = None) -> None:
    instance.report_runless_asset_event(dg.AssetMaterialization(asset_key=key, partition=partition))


def test_publish_sensor_waits_for_new_facts_and_for_county_runs_to_finish(tmp_path, monkeypatch):
    from pipelines.automation_names import INGEST_JOB
    from pipelines.defs.automation import publish_after_counties

    monkeypatch.setenv("XXGK_DATA_DIR", str(tmp_path))
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions("county", ["a", "b"])
        evaluate = lambda: publish_after_counties(dg.build_sensor_context(instance=instance))  # noqa: E731
        assert isinstance(evaluate(), dg.SkipReason)  # nothing staged yet
        _materialize(instance, "report_facts", "a")
        run = instance.add_run(dg.DagsterRun(job_name=INGEST_JOB, run_id="1" * 32,
                                             status=dg.DagsterRunStatus.STARTED, tags={"dagster/partition": "b"}))
        skip = evaluate()
        assert isinstance(skip, dg.SkipReason) and "still queued or running" in skip.skip_message
        instance.report_run_failed(run)  # county b failed: county a's facts are published anyway
        request = evaluate()
        assert isinstance(request, dg.RunRequest) and request.run_key.startswith("facts-")
        _materialize(instance, "published_warehouse")
        assert isinstance(evaluate(), dg.SkipReason)

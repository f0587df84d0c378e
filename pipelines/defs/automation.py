"""Jobs, the nightly schedule and the sensors (all stopped until an operator starts them).

A county is a partition of the ingest assets. The nightly schedule asks for one ingest run per
enabled county (tagged with the portal's host, so the instance's run queue can keep one run per
host at a time); once no county run is left queued or running and some county has new facts,
`publish_after_counties` builds and publishes the warehouse once for all of them.
"""

import dagster as dg

from pipelines.automation_names import (ALL_ASSETS_JOB, FROM_REGISTRY_JOB, INGEST_JOB, NIGHTLY_SCHEDULE,
                                        REGISTRY_SENSOR, WAREHOUSE_JOB, WAREHOUSE_SENSOR)
from pipelines.defs.ingest import COUNTY_PARTITIONS
from pipelines.defs.warehouse import warehouse_freshness_checks
from pipelines.instance import register_counties

HOST_TAG = "xxgk/host"  # dagster.yaml limits runs per unique value of this tag (politeness per portal)
COUNTY_TAG = "xxgk/county"

# The freshness check is the freshness sensor's to run, on its own: inside a run it could go
# before the publish and report the warehouse stale just as the run refreshes it.
_not_freshness = dg.AssetSelection.checks(*warehouse_freshness_checks)
_ingest = dg.AssetSelection.groups("ingest")

all_assets_job = dg.define_asset_job(
    ALL_ASSETS_JOB, selection=dg.AssetSelection.all() - _not_freshness,
    description="One county end to end: crawl, extract, load, build and publish (pick the county partition).")

ingest_job = dg.define_asset_job(
    INGEST_JOB, selection=_ingest,  # partitioned by county, as its assets are
    description="One county: crawl its portal, download, extract and stage its facts (no warehouse build).")

warehouse_job = dg.define_asset_job(
    WAREHOUSE_JOB, selection=dg.AssetSelection.all() - _ingest - _not_freshness,
    description="Load every county's staged facts, build the dbt models, publish the warehouse and reports.")

# Everything after the crawl: re-reads the county's registry, extracts what is new, rebuilds and publishes.
from_registry_job = dg.define_asset_job(
    FROM_REGISTRY_JOB,
    selection=dg.AssetSelection.assets("downloaded_reports").downstream(include_self=False) - _not_freshness,
    description="One county: extract, load, build and publish from the document registry, without crawling.",
)


def county_run_request(source_id: str, run_key: str | None = None, **tags: str) -> dg.RunRequest:
    """An ingest run of one county, tagged with its portal's host for the per-host run limit."""
    from pipelines.stages.crawl_stage import portal_host

    return dg.RunRequest(run_key=run_key, partition_key=source_id,
                         tags={COUNTY_TAG: source_id, HOST_TAG: portal_host(source_id), **tags})


@dg.schedule(
    name=NIGHTLY_SCHEDULE, job=ingest_job, cron_schedule="30 2 * * *", execution_timezone="Asia/Shanghai",
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description=("Every night at 02:30 Beijing time: one ingest run per enabled county (crawl, and when "
                 "something changed, extract and stage); the publish_after_counties sensor then builds and "
                 "publishes the warehouse once. Stopped until an operator starts it."),
)
def nightly(context: dg.ScheduleEvaluationContext):
    night = context.scheduled_execution_time.strftime("%Y-%m-%d")
    return [county_run_request(s, run_key=f"{night}:{s}") for s in register_counties(context.instance)]


_ACTIVE = [dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.STARTING,
           dg.DagsterRunStatus.STARTED]


def newest_materialization_id(instance: dg.DagsterInstance, key: str) -> int:
    records = instance.fetch_materializations(dg.AssetKey(key), limit=1).records
    return records[0].storage_id if records else 0


@dg.sensor(
    name=WAREHOUSE_SENSOR, job=warehouse_job, minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description=("Every minute: when some county has new facts staged since the warehouse was last loaded "
                 "and no county run is queued or running, build and publish the warehouse once. "
                 "Start it with the nightly schedule."),
)
def publish_after_counties(context: dg.SensorEvaluationContext):
    instance = context.instance
    facts = newest_materialization_id(instance, "report_facts")
    if facts <= newest_materialization_id(instance, "published_warehouse"):
        return dg.SkipReason("no county has staged new facts since the last publish")
    busy = instance.get_run_records(dg.RunsFilter(job_name=INGEST_JOB, statuses=_ACTIVE), limit=1)
    if busy:
        return dg.SkipReason("county runs are still queued or running")
    return dg.RunRequest(run_key=f"facts-{facts}")


def documents_pending_extraction() -> list[str]:
    """sha256 of registry documents a run would extract now, every county: never extracted by the
    current extractor, a damaged cache entry, or a failure that can heal (see extract_stage)."""
    from pipelines.defs.ingest import registry_rows_as_they_are
    from pipelines.stages.extract_stage import extractable
    from pipelines.stages.extract_stage import documents_to_extract

    return documents_to_extract([sha for sha, _ in extractable(registry_rows_as_they_are())])


def counties_with_pending_work() -> dict[str, str]:
    """{county: why} for the counties with documents to extract or a crawl never published."""
    from pipelines.stages import tables
    from pipelines.stages.change_detection import unpublished_crawl

    out = {}
    for county in tables.counties_with("crawl_documents"):
        with tables.county_scope(county):
            pending = documents_pending_extraction()
            if pending:
                out[county] = f"{len(pending)}:{pending[0]}"
            elif unpublished_crawl():
                out[county] = "publish"
    return out


@dg.sensor(
    name=REGISTRY_SENSOR, job=from_registry_job, minimum_interval_seconds=300,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description=("Every 5 minutes: for each county whose document registry holds documents the current "
                 "extractor has not read (or whose failure can heal), or whose crawl was never published, "
                 "run xxgk_from_registry on that county to finish them without crawling again. "
                 "Stopped until started."),
)
def registry_pending(context: dg.SensorEvaluationContext):
    """Documents in a county's registry that are not extracted by the current extractor, or a crawl
    that was never published (a run that failed half-way): finish them without crawling again."""
    pending = counties_with_pending_work()
    if not pending:
        return dg.SkipReason("the published warehouse is up to date with every county's document registry")
    register_counties(context.instance)
    known = set(context.instance.get_dynamic_partitions(COUNTY_PARTITIONS.name))
    # one run per county and distinct backlog: the same backlog is not requested twice
    return [county_run_request(c, run_key=f"{c}:{why}", reason=f"pending: {why.split(':')[0]}")
            for c, why in sorted(pending.items()) if c in known]


defs = dg.Definitions(jobs=[all_assets_job, ingest_job, warehouse_job, from_registry_job], schedules=[nightly],
                      sensors=[registry_pending, publish_after_counties])

"""The whole pipeline as one job with its nightly schedule, and a sensor that finishes work the
document registry says is pending (both stopped until an operator starts them)."""

import dagster as dg

from pipelines.automation_names import ALL_ASSETS_JOB, FROM_REGISTRY_JOB, NIGHTLY_SCHEDULE, REGISTRY_SENSOR
from pipelines.defs.warehouse import warehouse_freshness_checks
from pipelines.stages.change_detection import unpublished_crawl

# The freshness check is the freshness sensor's to run, on its own: inside a run it could go
# before the publish and report the warehouse stale just as the run refreshes it.
_not_freshness = dg.AssetSelection.checks(*warehouse_freshness_checks)

all_assets_job = dg.define_asset_job(ALL_ASSETS_JOB, selection=dg.AssetSelection.all() - _not_freshness,
                                     description="Crawl, extract, load, build and publish every source.")

# Everything after the crawl: re-reads the registry, extracts what is new, rebuilds and publishes.
from_registry_job = dg.define_asset_job(
    FROM_REGISTRY_JOB,
    selection=dg.AssetSelection.assets("downloaded_reports").downstream(include_self=False) - _not_freshness,
    description="Extract, load, build and publish from the document registry, without crawling.",
)

nightly = dg.ScheduleDefinition(
    name=NIGHTLY_SCHEDULE, job=all_assets_job, cron_schedule="30 2 * * *",
    execution_timezone="Asia/Shanghai", default_status=dg.DefaultScheduleStatus.STOPPED,
    description=("Every night at 02:30 Beijing time: crawl every source, and when something changed "
                 "(or a failed extraction can heal) extract, load, build and publish the warehouse. "
                 "Stopped until an operator starts it."),
)


def documents_pending_extraction() -> list[str]:
    """sha256 of registry documents a run would extract now: never extracted by the current
    extractor, a damaged cache entry, or a failure that can heal (see extract_stage)."""
    from pipelines.defs.ingest import extractable, registry_rows_as_they_are
    from pipelines.stages.extract_stage import documents_to_extract

    return documents_to_extract([sha for sha, _ in extractable(registry_rows_as_they_are())])


@dg.sensor(
    name=REGISTRY_SENSOR, job=from_registry_job, minimum_interval_seconds=300,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description=("Every 5 minutes: when the document registry holds documents the current extractor has "
                 "not read (or whose failure can heal), or a crawl that was never published, run "
                 "xxgk_from_registry to finish them without crawling again. Stopped until started."),
)
def registry_pending(context: dg.SensorEvaluationContext):
    """Documents in the registry that are not extracted by the current extractor, or a crawl that
    was never published (a run that failed half-way): finish them without crawling again."""
    pending = documents_pending_extraction()
    if not pending and not unpublished_crawl():
        return dg.SkipReason("the published warehouse is up to date with the document registry")
    # one run per distinct backlog: the same backlog is not requested twice
    key = f"{len(pending)}:{pending[0] if pending else 'publish'}"
    return dg.RunRequest(run_key=key, tags={"reason": f"{len(pending)} document(s) pending extraction"})


defs = dg.Definitions(jobs=[all_assets_job, from_registry_job], schedules=[nightly], sensors=[registry_pending])

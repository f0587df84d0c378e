"""The whole pipeline as one job with its nightly schedule, and a sensor that finishes work the
document registry says is pending (both stopped until an operator starts them)."""

import dagster as dg

from pipelines.automation_names import ALL_ASSETS_JOB
from pipelines.stages.change_detection import documents_pending_extraction, unpublished_crawl

all_assets_job = dg.define_asset_job(ALL_ASSETS_JOB, selection=dg.AssetSelection.all(),
                                     description="Crawl, extract, load, build and publish every source.")

# Everything after the crawl: re-reads the registry, extracts what is new, rebuilds and publishes.
from_registry_job = dg.define_asset_job(
    "xxgk_from_registry",
    selection=dg.AssetSelection.assets("downloaded_reports").downstream(include_self=False),
    description="Extract, load, build and publish from the document registry, without crawling.",
)

nightly = dg.ScheduleDefinition(
    name="nightly_refresh", job=all_assets_job, cron_schedule="30 2 * * *",
    execution_timezone="Asia/Shanghai", default_status=dg.DefaultScheduleStatus.STOPPED,
)


@dg.sensor(job=from_registry_job, minimum_interval_seconds=300, default_status=dg.DefaultSensorStatus.STOPPED)
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

"""The whole pipeline as one job, and its nightly schedule (stopped until an operator starts it)."""

import dagster as dg

from pipelines.automation_names import ALL_ASSETS_JOB

all_assets_job = dg.define_asset_job(ALL_ASSETS_JOB, selection=dg.AssetSelection.all(),
                                     description="Crawl, extract, load, build and publish every source.")

nightly = dg.ScheduleDefinition(
    name="nightly_refresh", job=all_assets_job, cron_schedule="30 2 * * *",
    execution_timezone="Asia/Shanghai", default_status=dg.DefaultScheduleStatus.STOPPED,
)

defs = dg.Definitions(jobs=[all_assets_job], schedules=[nightly])

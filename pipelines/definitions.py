"""The Dagster code location: merges the per-domain definitions in pipelines/defs/."""
import dagster as dg

from pipelines.defs import alerts, automation, distributed, ingest, report, warehouse

# distributed.defs: the Celery flavour of the all-assets job, empty without dagster-celery
defs = dg.Definitions.merge(ingest.defs, warehouse.defs, report.defs, automation.defs, alerts.defs, distributed.defs,
                            dg.Definitions(executor=dg.in_process_executor))


# Module-level functions so Dagster can reconstruct the jobs in another process.
def all_assets_job():
    """One county end to end in one run (tests, and a one-county UI run)."""
    return defs.resolve_job_def(automation.ALL_ASSETS_JOB)


def ingest_job():
    """One county's crawl, extraction and staging: `xxgk run` launches one per county."""
    return defs.resolve_job_def(automation.INGEST_JOB)


def warehouse_job():
    """Load, build and publish the warehouse from every county's staging: once, after the counties."""
    return defs.resolve_job_def(automation.WAREHOUSE_JOB)

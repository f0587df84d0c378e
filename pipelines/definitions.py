"""The Dagster code location: merges the per-domain definitions in pipelines/defs/."""
import dagster as dg

from pipelines.defs import alerts, automation, ingest, report, warehouse

defs = dg.Definitions.merge(ingest.defs, warehouse.defs, report.defs, automation.defs, alerts.defs,
                            dg.Definitions(executor=dg.in_process_executor))


def all_assets_job():
    """The job `xxgk run` launches (a module-level function so Dagster can reconstruct it)."""
    return defs.resolve_job_def(automation.ALL_ASSETS_JOB)

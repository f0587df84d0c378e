"""The all-assets job on Celery workers, for a province run on several machines.

Each step of the run becomes a Celery task on a Redis broker; `dagster-celery worker start` processes
on any machine with this repository, its venv and the shared data folder and Dagster storage take
them (README: 一省多机). The job selects exactly what the in-process all-assets job selects, partitions
included, so it follows the assets as they change; only the executor differs.

Registered only when dagster-celery is installed. Nothing connects at import: the broker is read
from the run's config when a run starts (by default from $XXGK_CELERY_BROKER).
"""

import dagster as dg

from pipelines.defs.automation import all_assets_job

CELERY_ALL_ASSETS_JOB = "xxgk_all_assets_celery"
BROKER_ENV = "XXGK_CELERY_BROKER"  # e.g. redis://broker-host:6379/0

# The run's default executor config: broker and results backend both on the Redis named by
# $XXGK_CELERY_BROKER (results are small: the serialized events of one step). A run may give
# other URLs, or any Celery setting under config_source, in its own run config.
CELERY_RUN_CONFIG = {"execution": {"config": {"broker": {"env": BROKER_ENV}, "backend": {"env": BROKER_ENV}}}}


def _celery_definitions() -> dg.Definitions:
    try:
        from dagster_celery import celery_executor
    except ImportError:  # the distributed extra is not installed: the local jobs are unaffected
        return dg.Definitions()
    job = dg.define_asset_job(
        CELERY_ALL_ASSETS_JOB, selection=all_assets_job.selection, executor_def=celery_executor,
        config=CELERY_RUN_CONFIG,
        description=("The all-assets job with every step sent to Celery workers over a Redis broker "
                     f"(${BROKER_ENV}); workers need this repository, its venv and the shared data folder."),
    )
    return dg.Definitions(jobs=[job])


defs = _celery_definitions()


def celery_all_assets_job():
    """The Celery job resolved from the code location (module-level, so Dagster and the workers can
    reconstruct it in their own processes)."""
    from pipelines.definitions import defs as location

    return location.resolve_job_def(CELERY_ALL_ASSETS_JOB)

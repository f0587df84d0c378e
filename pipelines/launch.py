"""Run the all-assets job in this process, but registered the way the UI registers its runs
(with the `xxgk` code location as origin), so `make ui` can show and re-execute it."""
from __future__ import annotations

import sys

import dagster as dg

from pipelines import settings
from pipelines.automation_names import ALL_ASSETS_JOB
from pipelines.instance import owner_tags

LOCATION_NAME = "xxgk"  # the location name in workspace.yaml


def _create_run(instance: dg.DagsterInstance, location, run_config: dict):
    repo = location.get_repositories()["__repository__"]
    remote_job = repo.get_full_job(ALL_ASSETS_JOB)
    plan = location.get_execution_plan(remote_job, run_config, step_keys_to_execute=None,
                                       known_state=None, instance=instance)
    return instance.create_run(
        job_name=ALL_ASSETS_JOB, run_id=None, run_config=run_config,
        resolved_op_selection=None, step_keys_to_execute=None, op_selection=None, status=None,
        root_run_id=None, parent_run_id=None, tags={"launched_by": "xxgk run", **owner_tags()},
        job_snapshot=remote_job.job_snapshot,
        execution_plan_snapshot=plan.execution_plan_snapshot,
        parent_job_snapshot=remote_job.parent_job_snapshot,
        remote_job_origin=remote_job.get_remote_origin(),
        job_code_origin=remote_job.get_python_origin(),
        asset_selection=None, asset_check_selection=None, asset_graph=repo.asset_graph,
    )


def run_all_assets(instance: dg.DagsterInstance, run_config: dict) -> dg.ExecuteJobResult:
    from dagster._core.execution.api import execute_run
    from dagster._core.remote_origin import InProcessCodeLocationOrigin
    from dagster._core.types.loadable_target_origin import LoadableTargetOrigin

    from pipelines import definitions

    origin = InProcessCodeLocationOrigin(
        LoadableTargetOrigin(executable_path=sys.executable, module_name="pipelines.definitions",
                             working_directory=str(settings.REPO_ROOT)),
        location_name=LOCATION_NAME,
    )
    with origin.create_location(instance) as location:
        run = _create_run(instance, location, run_config)
    return execute_run(dg.reconstructable(definitions.all_assets_job), run, instance)

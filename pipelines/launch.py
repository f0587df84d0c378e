"""How `xxgk run` drives Dagster: one ingest run per county, then one warehouse run, all recorded
in the project's instance (the UI shows them), through public Dagster APIs only.

Counties run side by side in worker processes (at most $XXGK_WORKERS at a time, default one per
core), counties on the same portal host one after another (politeness). A county that fails
fails its own run; the warehouse is still built from every county's last good staging.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field

import dagster as dg

from pipelines import settings
from pipelines.instance import owner_tags

LAUNCHED_BY = {"launched_by": "xxgk run"}


@dataclass
class RunOutcome:
    """What the summary needs of a finished run, whichever process ran it."""

    run_id: str
    job_name: str
    success: bool
    county: str | None = None
    events: list = field(default_factory=list)  # DagsterEvent

    @classmethod
    def from_instance(cls, instance: dg.DagsterInstance, run_id: str) -> RunOutcome:
        run = instance.get_run_by_id(run_id)
        events = [e.dagster_event for e in instance.all_logs(run_id) if e.dagster_event is not None]
        return cls(run_id=run_id, job_name=run.job_name, success=run.status == dg.DagsterRunStatus.SUCCESS,
                   county=(run.tags or {}).get("dagster/partition"), events=events)

    @property
    def all_events(self) -> list:
        return self.events

    def get_asset_materialization_events(self) -> list:
        return [e for e in self.events if e.event_type_value == "ASSET_MATERIALIZATION"]


def _execute(job_fn, instance: dg.DagsterInstance, run_config: dict, tags: dict) -> str:
    result = dg.execute_job(dg.reconstructable(job_fn), instance=instance, run_config=run_config,
                            tags={**LAUNCHED_BY, **owner_tags(), **tags}, raise_on_error=False)
    return result.run_id


def ingest_run_config(base: dict, workers: int | None, force: bool) -> dict:
    config = json.loads(json.dumps(base))
    if force:
        config.setdefault("ops", {})["downloaded_reports"] = {"config": {"force": True}}
    if workers:
        config.setdefault("resources", {})["xxgk"] = {"config": {"workers": workers}}
    return config


def run_counties_here(instance: dg.DagsterInstance, counties: list[str], run_config: dict) -> list[str]:
    """One ingest run per county in this process, one after another; returns their run ids."""
    from pipelines import definitions
    from pipelines.defs.automation import COUNTY_TAG, HOST_TAG
    from pipelines.stages.crawl_stage import portal_host

    return [_execute(definitions.ingest_job, instance, run_config,
                     {"dagster/partition": c, COUNTY_TAG: c, HOST_TAG: portal_host(c)}) for c in counties]


def host_groups(counties: list[str]) -> list[list[str]]:
    """Counties grouped by portal host (a group runs in one process, one county after another),
    largest groups first so the longest chains start early."""
    from pipelines.stages.crawl_stage import portal_host

    groups: dict[str, list[str]] = {}
    for c in counties:
        groups.setdefault(portal_host(c), []).append(c)
    return sorted(groups.values(), key=len, reverse=True)


def plan_processes(counties: list[str], workers: int) -> tuple[list[list[str]], int]:
    """(county lists, one per process; extraction workers per run): at most `workers` processes
    busy at once in all, each county's run extracting with the cores its process is given."""
    groups = host_groups(counties)
    processes = max(1, min(workers, len(groups)))
    lanes: list[list[str]] = [[] for _ in range(processes)]
    for group in groups:  # longest first onto the emptiest lane
        min(lanes, key=len).extend(group)
    return [lane for lane in lanes if lane], max(1, workers // processes)


def run_counties(instance: dg.DagsterInstance, counties: list[str], run_config: dict, *, force: bool = False,
                 workers: int | None = None, log=None) -> list[RunOutcome]:
    """Ingest every county: in this process when one process is planned, else in child processes
    (`python -m pipelines.launch ingest`) that record their runs in the same instance."""
    workers = workers or settings.workers()
    lanes, per_run = plan_processes(counties, workers)
    config = ingest_run_config(run_config, per_run, force)
    if len(lanes) == 1:
        run_ids = run_counties_here(instance, lanes[0], config)
    else:
        children = []
        for lane in lanes:
            cmd = [sys.executable, "-m", "pipelines.launch", "ingest", json.dumps(config), *lane]
            log_path = settings.logs_dir() / f"xxgk-run-{lane[0]}.log"
            log_path.parent.mkdir(parents=True, exist_ok=True)
            out = log_path.open("w", encoding="utf-8")
            children.append((lane, subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=out, text=True,
                                                    env=os.environ.copy()), out))
        run_ids = []
        for lane, proc, out in children:
            stdout, _ = proc.communicate()
            out.close()
            ids = [line.split(" ", 1)[1] for line in stdout.splitlines() if line.startswith("RUN ")]
            if proc.returncode != 0 and log is not None:
                log(f"the process running {', '.join(lane)} exited with {proc.returncode} "
                    f"(log: {settings.logs_dir() / f'xxgk-run-{lane[0]}.log'})")
            run_ids += ids
    outcomes = [RunOutcome.from_instance(instance, r) for r in run_ids]
    # a process that died before recording a county's run: that county failed, visibly
    ran = {o.county for o in outcomes}
    outcomes += [RunOutcome(run_id="", job_name="xxgk_ingest_county", success=False, county=c)
                 for lane in lanes for c in lane if c not in ran]
    return outcomes


def build_warehouse(instance: dg.DagsterInstance, run_config: dict) -> RunOutcome:
    from pipelines import definitions

    return RunOutcome.from_instance(instance, _execute(definitions.warehouse_job, instance, run_config, {}))


def staged_new_facts(outcomes: list[RunOutcome]) -> bool:
    """Some county run staged facts (its crawl found something new, or --force)."""
    return any(e.asset_key is not None and e.asset_key.path[-1] == "report_facts"
               for o in outcomes for e in o.get_asset_materialization_events())


def main(argv: list[str]) -> int:
    """Child process: `python -m pipelines.launch ingest CONFIG_JSON COUNTY...` prints `RUN <id>`."""
    if argv[:1] != ["ingest"] or len(argv) < 3:
        print("usage: python -m pipelines.launch ingest RUN_CONFIG_JSON COUNTY...", file=sys.stderr)
        return 2
    config, counties = json.loads(argv[1]), argv[2:]
    instance = dg.DagsterInstance.get()
    for run_id in run_counties_here(instance, counties, config):
        print(f"RUN {run_id}", flush=True)
    return 0



def execute_county_in_process(instance: dg.DagsterInstance, county: str | None = None, **kwargs):
    """The all-assets job for one county (default: the only enabled source) in this process:
    crawl → publish in one run. Tests and one-off runs use it; returns Dagster's result."""
    from pipelines import definitions
    from pipelines.instance import register_counties

    enabled = register_counties(instance)
    county = county or enabled[0]
    return definitions.all_assets_job().execute_in_process(instance=instance, partition_key=county, **kwargs)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""The project's own Dagster instance and tool environment, under the data folder."""
from __future__ import annotations

import os
import time

from pipelines import settings

DAGSTER_YAML = """\
# Written by xxgk: the project's own Dagster instance.
telemetry:
  enabled: false
concurrency:
  pools:
    default_limit: 1   # the duckdb pool: one writer of the warehouse at a time
  runs:
    # politeness: one queued run at a time per portal host (county runs carry the xxgk/host tag)
    tag_concurrency_limits:
      - key: "xxgk/host"
        value:
          applyLimitPerUniqueValue: true
        limit: 1
run_coordinator:
  module: dagster.core.run_coordinator
  class: QueuedRunCoordinator
"""


def prepare_environment() -> None:
    """Set the variables Dagster and dbt read, and write dagster.yaml once."""
    data = settings.data_dir()
    os.environ["XXGK_DATA_DIR"] = str(data)
    os.environ.setdefault("DAGSTER_HOME", str(settings.dagster_home()))
    os.environ["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    os.environ.setdefault("DO_NOT_TRACK", "1")
    home = os.environ["DAGSTER_HOME"]
    os.makedirs(home, exist_ok=True)
    cfg = os.path.join(home, "dagster.yaml")
    if not os.path.exists(cfg):
        with open(cfg, "w", encoding="utf-8") as fh:
            fh.write(DAGSTER_YAML)
    (data / "build").mkdir(parents=True, exist_ok=True)


def ensure_dbt_manifest() -> None:
    """dagster-dbt loads a prebuilt manifest; build it here once if `make` did not."""
    import subprocess
    import sys

    manifest = settings.DBT_PROJECT_DIR / "target" / "manifest.json"
    if manifest.exists():
        return
    dbt = os.path.join(os.path.dirname(sys.executable), "dbt")
    subprocess.run([dbt, "parse", "--quiet", "--project-dir", str(settings.DBT_PROJECT_DIR),
                    "--profiles-dir", str(settings.DBT_PROJECT_DIR)], check=True)


# ---------------------------------------------------------------- one run per data folder

class DataDirProblem(RuntimeError):
    """The data folder cannot be used (read-only, missing permissions, or busy): one line for people."""


def check_data_dir_writable() -> None:
    """Fail in one clear line, before Dagster or SQLite print a traceback about a read-only folder."""
    import tempfile

    data = settings.data_dir()
    try:
        data.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=data, prefix=".xxgk-write-check-"):
            pass
        home = settings.dagster_home()
        if home.exists():
            with tempfile.NamedTemporaryFile(dir=home, prefix=".xxgk-write-check-"):
                pass
    except OSError as exc:
        raise DataDirProblem(f"the data folder {data} is not writable ({exc.strerror or exc}): "
                             "give this user write access, or set XXGK_DATA_DIR to a writable folder") from None


def process_start_ticks(pid: int) -> str | None:
    """When `pid` started (clock ticks since boot, from /proc), to tell a live process from a
    reused pid; None when the process does not exist."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read().decode(errors="replace")
        return stat.rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        if not os.path.isdir("/proc"):  # no procfs: existence is all we can know
            try:
                os.kill(pid, 0)
                return ""
            except ProcessLookupError:
                return None
            except PermissionError:
                return ""
        return None


def process_alive(pid: int, start_ticks: str | None) -> bool:
    now = process_start_ticks(pid)
    if now is None:
        return False
    return not start_ticks or not now or now == start_ticks


PID_TAG, PID_START_TAG = "xxgk/pid", "xxgk/pid_start"


def owner_tags() -> dict[str, str]:
    """Tags naming this process on a run it creates, so a later run can tell it died."""
    return {PID_TAG: str(os.getpid()), PID_START_TAG: process_start_ticks(os.getpid()) or ""}


class DataDirLock:
    """An exclusive flock on `$XXGK_DATA_DIR/.xxgk-run.lock` for the whole of `xxgk run`: two runs on
    one data folder would load, build and publish each other's data. The kernel drops the lock when
    the holder dies (SIGKILL included), so a killed run never leaves it behind."""

    def __init__(self, path=None):
        self.path = path or settings.data_dir() / ".xxgk-run.lock"
        self._fd: int | None = None

    def holder(self) -> str:
        try:
            with open(self.path, encoding="utf-8") as fh:
                return fh.read().strip() or "unknown"
        except OSError:
            return "unknown"

    def acquire(self, wait: bool, on_wait=None) -> None:
        import fcntl

        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                os.close(fd)
                raise DataDirProblem(f"another xxgk run is using {settings.data_dir()} ({self.holder()}); "
                                     "it was not started (without --no-wait it waits for the other run)") from None
            if on_wait:
                on_wait(self.holder())
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()} since {time.strftime('%Y-%m-%d %H:%M:%S %Z')}\n".encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            import fcntl

            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


# ---------------------------------------------------------------- runs a kill left behind

def reap_stale_runs(instance) -> list[str]:
    """Mark runs of `xxgk run` whose process is dead as failed (queued ones as canceled) and free the
    concurrency slots and queue entries that finished or vanished runs still hold.

    A run killed with SIGKILL stays STARTED and keeps its `duckdb` pool slot forever; every later
    run then waits at the first warehouse asset with no output (pitfalls.md). Called under the
    data-folder lock, so no other `xxgk run` can be mid-flight. Returns one line per action."""
    import dagster as dg
    from dagster._core.storage.dagster_run import NOT_FINISHED_STATUSES

    actions: list[str] = []
    for run in instance.get_runs(filters=dg.RunsFilter(statuses=list(NOT_FINISHED_STATUSES))):
        tags = run.tags or {}
        if tags.get("launched_by") != "xxgk run" or run.parent_run_id:
            # launched by the UI or the daemon (a re-execution copies the tags of the xxgk run it
            # re-executes, pid included): Dagster's own run monitoring owns those
            continue
        pid = tags.get(PID_TAG)
        if pid and pid.isdigit() and process_alive(int(pid), tags.get(PID_START_TAG)):
            continue
        message = (f"xxgk run: the process of this run (pid {pid or 'unknown'}) is gone (killed?); "
                   "marked by the next xxgk run so its slots are freed")
        if run.status in (dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.NOT_STARTED):
            instance.report_run_canceled(run, message=message)
            actions.append(f"run {run.run_id[:8]} ({run.status.value}) canceled: its process is gone")
        else:
            instance.report_run_failed(run, message=message)
            actions.append(f"run {run.run_id[:8]} ({run.status.value}) marked failed: its process is gone")
    storage = instance.event_log_storage
    if getattr(storage, "supports_global_concurrency_limits", False):
        holders: set[str] = set()
        for key in storage.get_concurrency_keys():
            info = storage.get_concurrency_info(key)
            holders |= {s.run_id for s in info.claimed_slots} | {p.run_id for p in info.pending_steps}
        for run_id in sorted(holders):
            run = instance.get_run_by_id(run_id)
            if run is None or run.is_finished:
                storage.free_concurrency_slots_for_run(run_id)
                actions.append(f"freed the concurrency slots and queue entries of run {run_id[:8]} "
                               f"({run.status.value if run else 'deleted'})")
    return actions


def register_counties(instance) -> list[str]:
    """Add every enabled source as a county partition (an existing one is left as it is).
    Here, not in the definitions, so `xxgk run` need not import them on a night with nothing to do."""
    from pipelines.automation_names import COUNTY_PARTITIONS_NAME
    from pipelines.stages.crawl_stage import enabled_sources

    wanted = enabled_sources()
    known = set(instance.get_dynamic_partitions(COUNTY_PARTITIONS_NAME))
    new = [s for s in wanted if s not in known]
    if new:
        instance.add_dynamic_partitions(COUNTY_PARTITIONS_NAME, new)
    return wanted


def warehouse_confirmed_current(confirmed_by: str):
    """An observation of published_warehouse saying it is current with every source now (its
    freshness restarts), with who confirmed it: a crawl that found nothing new, or `xxgk run`."""
    import dagster as dg

    return dg.AssetObservation(asset_key="published_warehouse", metadata={
        "dagster/last_updated_timestamp": dg.MetadataValue.timestamp(time.time()),
        "confirmed_by": confirmed_by,
    })

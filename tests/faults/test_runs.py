"""Items 1, 8 and 11 (run side): runs a kill left STARTED are reaped and their pool slot and queue
entries freed; two runs on one data folder never interleave; a read-only data folder is one line."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.storage.dagster_run import DagsterRun

from pipelines import instance as I

REPO = Path(__file__).resolve().parents[2]
XXGK = [sys.executable, "-m", "pipelines.cli"]


@pytest.fixture
def dagster_instance(tmp_path):
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text(I.DAGSTER_YAML, encoding="utf-8")
    with dg.DagsterInstance.from_config(str(home)) as inst:
        yield inst


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _run(inst, status, tags, parent: str | None = None) -> str:
    run_id = str(uuid.uuid4())
    inst.add_run(DagsterRun(job_name="__ASSET_JOB", run_id=run_id, status=status, tags=tags,
                            parent_run_id=parent, root_run_id=parent))
    return run_id


def test_killed_runs_are_reaped_and_their_slots_freed(dagster_instance):
    inst = dagster_instance
    storage = inst.event_log_storage
    storage.set_concurrency_slots("duckdb", 1)
    dead = {"launched_by": "xxgk run", I.PID_TAG: str(_dead_pid()), I.PID_START_TAG: "1"}
    killed_in_dbt = _run(inst, dg.DagsterRunStatus.STARTED, dead)
    killed_waiting = _run(inst, dg.DagsterRunStatus.STARTED, dead)
    killed_queued = _run(inst, dg.DagsterRunStatus.NOT_STARTED, dead)  # created, never began
    alive = _run(inst, dg.DagsterRunStatus.STARTED, {"launched_by": "xxgk run", **I.owner_tags()})
    from_ui = _run(inst, dg.DagsterRunStatus.STARTED, {})  # not ours: Dagster's monitoring owns it
    reexecuted = _run(inst, dg.DagsterRunStatus.STARTED, dead, parent=killed_in_dbt)  # UI copy of our tags
    assert storage.claim_concurrency_slot("duckdb", killed_in_dbt, "dbt_models").is_claimed
    assert not storage.claim_concurrency_slot("duckdb", killed_waiting, "raw_tables").is_claimed  # queued

    actions = I.reap_stale_runs(inst)

    runs = (killed_in_dbt, killed_waiting, killed_queued, alive, from_ui, reexecuted)
    status = {r: inst.get_run_by_id(r).status for r in runs}
    assert status == {killed_in_dbt: dg.DagsterRunStatus.FAILURE, killed_waiting: dg.DagsterRunStatus.FAILURE,
                      killed_queued: dg.DagsterRunStatus.CANCELED, alive: dg.DagsterRunStatus.STARTED,
                      from_ui: dg.DagsterRunStatus.STARTED, reexecuted: dg.DagsterRunStatus.STARTED}
    info = storage.get_concurrency_info("duckdb")
    assert info.claimed_slots == [] and info.pending_steps == []
    assert any("freed" in a and killed_in_dbt[:8] in a for a in actions)
    # the next run gets the slot at once instead of waiting forever
    assert storage.claim_concurrency_slot("duckdb", alive, "raw_tables").is_claimed
    assert I.reap_stale_runs(inst) == []  # a live run keeps its slot


def test_pid_reuse_is_not_taken_for_the_same_process():
    me = os.getpid()
    assert I.process_alive(me, I.process_start_ticks(me))
    assert not I.process_alive(me, "1")  # same pid, another start time: a different process
    assert not I.process_alive(_dead_pid(), None)


def _env(data: Path) -> dict:
    env = {**os.environ, "XXGK_DATA_DIR": str(data), "DAGSTER_HOME": str(data / "dagster_home")}
    env.pop("XXGK_SAMPLE_BASE_URL", None)
    return env


def test_second_run_on_one_data_folder_refuses_or_waits(tmp_path, monkeypatch):
    data = tmp_path / "data"
    data.mkdir()
    monkeypatch.setenv("XXGK_DATA_DIR", str(data))
    lock = I.DataDirLock()
    lock.acquire(wait=False)  # a run in progress
    try:
        refused = subprocess.run([*XXGK, "run", "--no-wait"], env=_env(data), cwd=REPO,
                                 capture_output=True, text=True, timeout=120)
        assert refused.returncode == 2
        assert refused.stderr.strip().count("\n") == 0
        assert f"another xxgk run is using {data} (pid {os.getpid()}" in refused.stderr
        waiting = subprocess.Popen([*XXGK, "run"], env=_env(data), cwd=REPO, stderr=subprocess.PIPE,
                                   stdout=subprocess.DEVNULL, text=True, start_new_session=True)
        try:
            line = waiting.stderr.readline()
            assert "waiting for it to finish" in line
            time.sleep(1.0)
            assert waiting.poll() is None  # still waiting ...
            assert not (data / "dagster_home").exists() and not (data / "raw").exists()  # ... and did nothing
        finally:
            os.killpg(waiting.pid, 9)
            waiting.wait()
    finally:
        lock.release()
    # the kernel dropped the killed waiter's claim: the folder is free again
    lock.acquire(wait=False)
    lock.release()


@pytest.mark.skipif(shutil.which("chattr") is None, reason="chattr not available")
def test_read_only_data_folder_is_one_clear_line(tmp_path):
    data = tmp_path / "data"
    (data / "dagster_home").mkdir(parents=True)
    (data / "dagster_home" / "dagster.yaml").write_text(I.DAGSTER_YAML, encoding="utf-8")
    if subprocess.run(["chattr", "+i", str(data), str(data / "dagster_home")], capture_output=True).returncode:
        pytest.skip("cannot make a folder read-only here (chattr +i refused)")
    try:
        res = subprocess.run([*XXGK, "run"], env=_env(data), cwd=REPO, capture_output=True, text=True,
                             timeout=120)
    finally:
        subprocess.run(["chattr", "-i", str(data), str(data / "dagster_home")])
    assert res.returncode == 2
    assert res.stderr.strip().count("\n") == 0, res.stderr
    assert f"the data folder {data} is not writable" in res.stderr
    assert "Traceback" not in res.stderr + res.stdout


def test_leftovers_of_a_killed_publish_are_removed_at_start(dagster_instance, tmp_path, monkeypatch):
    from pipelines.cli import recover_from_kills

    data = tmp_path / "data"
    data.mkdir()
    monkeypatch.setenv("XXGK_DATA_DIR", str(data))
    published = data / "warehouse.duckdb"
    published.write_bytes(b"the published file")
    leftovers = [data / ".warehouse.duckdb.3f2a.tmp", data / ".warehouse.duckdb.3f2a.tmp.wal"]
    for p in leftovers:
        p.write_bytes(b"half a copy")
    unrelated = data / "notes.tmp"
    unrelated.write_bytes(b"not ours")
    actions = recover_from_kills(dagster_instance)
    assert not any(p.exists() for p in leftovers)
    assert published.read_bytes() == b"the published file" and unrelated.exists()
    assert sum("interrupted publish" in a for a in actions) == 2

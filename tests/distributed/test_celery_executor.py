"""The all-assets job on the Celery executor, for real: a Redis broker on 127.0.0.1 and two
`dagster-celery` worker processes started here, sharing one data folder and Dagster storage with
this process, and the raw store and staging on object storage (a moto S3 server on 127.0.0.1, as
$XXGK_RAW_URL and $XXGK_STAGING_URL). The run's steps are executed by the workers (not by this
process), both workers take steps, the raw bytes and staging tables are objects in the bucket,
and the published warehouse holds the same facts as the local in-process run of the same county
(the session's `pipeline` fixture)."""
from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.distributed

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
COUNTY = "sample_county"
BUCKET = "xxgk-province"
WORKERS = ("xxgk-w1", "xxgk-w2")
# The worker config the README gives: the broker (and results backend) from $XXGK_CELERY_BROKER.
WORKER_YAML = """\
execution:
  config:
    broker: {env: XXGK_CELERY_BROKER}
    backend: {env: XXGK_CELERY_BROKER}
"""


def _redis_server() -> str:
    found = shutil.which("redis-server")
    if found:
        return found
    if os.geteuid() != 0:
        pytest.skip("redis-server is not installed and this user cannot install it "
                    "(apt-get install redis-server; .ci/run installs it)")
    # as root, install it from Debian the way .ci/run does
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", "redis-server"],
                   check=True, env=env, stdout=subprocess.DEVNULL)
    return shutil.which("redis-server") or "/usr/bin/redis-server"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(what: str, ready, timeout_s: float, procs=()) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for p in procs:
            assert p.poll() is None, f"{what}: process {p.args[:3]} exited with {p.returncode}"
        if ready():
            return
        time.sleep(0.3)
    raise AssertionError(f"{what}: not ready after {timeout_s} s")


def _stop(proc: subprocess.Popen) -> None:
    """SIGTERM the process group (the dagster-celery CLI, its celery worker and pool children)."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=5)


def _broker_answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_timeout=1).ping())
    except redis.exceptions.ConnectionError:
        return False


def _workers_answering(url: str) -> set[str]:
    from celery import Celery

    app = Celery("xxgk-test-ping", broker=url)
    try:
        return {name.split("@")[0] for reply in app.control.ping(timeout=1.0) for name in reply}
    finally:
        app.close()


@pytest.fixture(scope="module")
def celery_run(tmp_path_factory, dbt_manifest, pipeline, s3_server):
    """(data folder, the run's result, the run's event log entries, the test process's pid, the
    keys of the objects in the bucket after the run).

    The local run (`pipeline`) goes first: once a Celery client lives in this process, kombu's
    after-fork hook can crash the extraction's forked workers of a later in-process run."""
    import dagster as dg

    tmp = tmp_path_factory.mktemp("celery")
    data = tmp / "data"
    home = data / "dagster_home"
    port = _free_port()
    broker = f"redis://127.0.0.1:{port}/0"
    procs: list[subprocess.Popen] = []
    with pytest.MonkeyPatch.context() as mp, contextlib.ExitStack() as stack:
        s3_server.client.create_bucket(Bucket=BUCKET)
        for name, value in {"XXGK_RAW_URL": f"s3://{BUCKET}/raw", "XXGK_STAGING_URL": f"s3://{BUCKET}/staging",
                            **s3_server.env}.items():
            mp.setenv(name, value)  # the workers inherit them below
        mp.setenv("XXGK_DATA_DIR", str(data))
        mp.setenv("DAGSTER_HOME", str(home))
        mp.delenv("XXGK_SAMPLE_BASE_URL", raising=False)
        mp.delenv("XXGK_SOURCES", raising=False)
        mp.setenv("XXGK_CELERY_BROKER", broker)
        from pipelines.defs.distributed import CELERY_RUN_CONFIG, celery_all_assets_job
        from pipelines.instance import prepare_environment

        prepare_environment()
        # the instance's storage is created here, once: two workers starting on a fresh
        # DAGSTER_HOME would both create its SQLite tables and one would fail
        instance = stack.enter_context(dg.DagsterInstance.get())
        # the workers import this checkout's pipelines, and find `celery` in this venv
        env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
               "PYTHONPATH": os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH")) if p)}
        try:
            procs.append(subprocess.Popen(
                [_redis_server(), "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                 "--appendonly", "no", "--dir", str(tmp)],
                stdout=subprocess.DEVNULL, start_new_session=True))
            _wait_for("redis-server", lambda: _broker_answers(broker), 20, procs)
            (tmp / "celery.yaml").write_text(WORKER_YAML, encoding="utf-8")
            for name in WORKERS:
                log = stack.enter_context(open(tmp / f"{name}.log", "wb"))
                procs.append(subprocess.Popen(
                    [str(BIN / "dagster-celery"), "worker", "start", "-A", "dagster_celery.app",
                     "-y", str(tmp / "celery.yaml"), "-n", name, "--loglevel", "WARNING",
                     # solo: the step runs in the worker's main process, one at a time; a prefork
                     # pool child is daemonic and may not start the extraction's processes
                     "--", "--pool=solo", "--concurrency=1", "--without-gossip", "--without-mingle"],
                    cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
            _wait_for("two celery workers", lambda: _workers_answering(broker) >= set(WORKERS), 90, procs)

            job = celery_all_assets_job()
            assert job.executor_def.name == "celery"
            tags = {}
            if job.partitions_def is not None:  # one county per partition
                instance.add_dynamic_partitions(job.partitions_def.name, [COUNTY])
                tags = {"dagster/partition": COUNTY}
            result = dg.execute_job(
                dg.reconstructable(celery_all_assets_job), instance=instance, tags=tags,
                run_config=CELERY_RUN_CONFIG)  # the broker from $XXGK_CELERY_BROKER, as the README runs it
            entries = instance.all_logs(result.run_id)
            objects = [o["Key"] for page in s3_server.client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET)
                       for o in page.get("Contents", [])]
            yield data, result, entries, os.getpid(), objects
        finally:
            for p in reversed(procs):
                _stop(p)
            for name in WORKERS:
                log = tmp / f"{name}.log"
                if log.exists():
                    sys.stderr.write(f"--- {name}.log (tail)\n{log.read_text(errors='replace')[-3000:]}\n")


def _steps_by_worker(entries) -> dict[str, str]:
    """{step key: Celery worker name} from the engine event each worker reports when it starts a step."""
    out = {}
    for e in entries:
        ev = e.dagster_event
        if ev is not None and ev.is_engine_event and ev.step_key and "in celery worker" in (ev.message or ""):
            out[ev.step_key] = ev.engine_event_data.metadata["Celery worker"].value.split("@")[0]
    return out


def test_the_run_succeeds_with_every_step_executed_by_a_worker(celery_run):
    _, result, entries, my_pid, _ = celery_run
    assert result.success, [e.message for e in result.all_events if e.is_failure]
    succeeded = {e.dagster_event.step_key for e in entries
                 if e.dagster_event is not None and e.dagster_event.event_type_value == "STEP_SUCCESS"}
    assert {"downloaded_reports", "extracted_reports", "report_facts", "raw_tables", "dbt_models",
            "published_warehouse"} <= succeeded
    by_worker = _steps_by_worker(entries)
    assert set(by_worker) == succeeded
    assert set(by_worker.values()) <= set(WORKERS)
    # every step's events were written by a worker process, none by this (the orchestrating) one
    step_pids = {e.dagster_event.pid for e in entries if e.dagster_event is not None and e.dagster_event.step_key
                 and e.dagster_event.event_type_value in ("STEP_START", "STEP_SUCCESS", "ASSET_MATERIALIZATION")}
    assert step_pids and my_pid not in step_pids
    materialized = {e.dagster_event.asset_key.to_user_string() for e in entries
                    if e.dagster_event is not None and e.dagster_event.event_type_value == "ASSET_MATERIALIZATION"}
    assert {"downloaded_reports", "report_facts", "raw/facts", "published_warehouse"} <= materialized


def test_both_workers_took_steps(celery_run):
    """The plan has parallel steps (five identity checks beside the raw load, after report_facts),
    so with one slot each both workers are handed some."""
    _, _, entries, _, _ = celery_run
    by_worker = _steps_by_worker(entries)
    assert set(by_worker.values()) == set(WORKERS), by_worker
    pids = {w: {e.dagster_event.pid for e in entries if e.dagster_event is not None
                and e.dagster_event.event_type_value == "STEP_START" and by_worker.get(e.dagster_event.step_key) == w}
            for w in WORKERS}
    # two workers, two processes
    assert pids[WORKERS[0]] and pids[WORKERS[1]] and not (pids[WORKERS[0]] & pids[WORKERS[1]]), pids


def _facts(data: Path) -> list[tuple]:
    con = duckdb.connect(str(data / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute("select document_id, code, value, value_state from raw.facts "
                           "order by document_id, code").fetchall()
    finally:
        con.close()


def test_the_published_warehouse_equals_the_local_run(celery_run, pipeline):
    data, result, _, _, _ = celery_run
    assert result.success
    local_data, local_result = pipeline
    assert local_result.success
    distributed, local = _facts(data), _facts(local_data)
    assert len(local) > 10_000
    assert distributed == local
    documents = "select document_id, status, error_kind from raw.documents order by document_id"
    with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as a, \
            duckdb.connect(str(local_data / "warehouse.duckdb"), read_only=True) as b:
        assert a.execute(documents).fetchall() == b.execute(documents).fetchall()


def test_raw_bytes_and_staging_tables_are_objects_in_the_bucket(celery_run):
    """What machines would share over object storage went there: every downloaded report's bytes
    and every staging table of the county; the data folder keeps no raw blob and no staging table
    (only the per-machine extraction cache)."""
    data, result, _, _, objects = celery_run
    assert result.success
    with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
        raw_paths = {r[0] for r in con.execute(
            "select raw_path from raw.documents where raw_path is not null").fetchall()}
    assert len(raw_paths) > 50
    assert raw_paths <= {k for k in objects if k.startswith("raw/")}  # raw/<sha[:2]>/<sha>, as on disk
    staged = {k for k in objects if k.startswith("staging/")}
    for table in ("documents", "facts", "identity_checks", "expected_orgs", "crawl_documents"):
        assert f"staging/{table}/{COUNTY}.parquet" in staged, table
    assert not list((data / "raw").glob("??/*"))  # no blob on the local disk
    assert not list((data / "staging").rglob("*.parquet"))  # no staging table on the local disk
    assert list((data / "staging" / "extracted").glob("*.json"))  # the extraction cache stays local


def test_the_celery_job_exists_only_where_dagster_celery_imports(monkeypatch, dbt_manifest):
    from pipelines.defs import distributed

    assert [j.name for j in distributed._celery_definitions().jobs] == [distributed.CELERY_ALL_ASSETS_JOB]
    monkeypatch.setitem(sys.modules, "dagster_celery", None)  # import fails as when not installed
    assert not list(distributed._celery_definitions().jobs or [])

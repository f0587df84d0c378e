"""publish(): an analyst's open read-only connection is neither blocked nor sees a half-built file."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import duckdb

from pipelines.warehouse.publish import PUBLISHED_STORAGE_VERSION, publish, storage_version

READER = textwrap.dedent(
    """
    import json, sys, duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    print("ready", flush=True)
    for line in sys.stdin:
        if line.strip() == "quit":
            break
        a = con.execute("select max(v) from a").fetchone()[0]
        b = con.execute("select max(v), count(*) from b").fetchone()
        print(json.dumps([a, b[0], b[1]]), flush=True)
    con.close()
    """
)


def write_version(build, version: int) -> None:
    """The build file at `version`: a.v = version, b = version * 1000 rows all equal to version."""
    con = duckdb.connect(str(build))
    try:
        con.execute("create or replace table a as select ? as v", [version])
        con.execute("create or replace table b as select ? as v from range(? * 1000)", [version, version])
    finally:
        con.close()


def read_fresh(path) -> list:
    con = duckdb.connect(str(path), read_only=True)
    try:
        a = con.execute("select max(v) from a").fetchone()[0]
        b = con.execute("select max(v), count(*) from b").fetchone()
        return [a, b[0], b[1]]
    finally:
        con.close()


def publish_with_deadline(build, published, seconds: float = 120.0) -> float:
    """Run publish in a thread; fail if it is blocked (does not finish in time)."""
    err: list[BaseException] = []

    def run():
        try:
            publish(build, published)
        except BaseException as e:  # noqa: BLE001
            err.append(e)

    t0 = time.monotonic()
    th = threading.Thread(target=run, daemon=True)
    th.start()
    th.join(seconds)
    assert not th.is_alive(), "publish blocked by the open reader"
    if err:
        raise err[0]
    return time.monotonic() - t0


def test_publish_while_reader_holds_old_file(tmp_path):
    build = tmp_path / "build" / "warehouse.duckdb"
    build.parent.mkdir()
    published = tmp_path / "warehouse.duckdb"

    write_version(build, 1)
    publish(build, published)

    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(published)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert reader.stdout.readline().strip() == "ready"

        def reader_sees():
            reader.stdin.write("read\n")
            reader.stdin.flush()
            return json.loads(reader.stdout.readline())

        assert reader_sees() == [1, 1, 1000]
        for version in (2, 3):
            write_version(build, version)
            publish_with_deadline(build, published)  # fails if the open reader blocks it
            # the reader keeps reading the old, consistent file
            assert reader_sees() == [1, 1, 1000]
            # a new connection (no other connection to the path in this process) sees the new data
            assert read_fresh(published) == [version, version, version * 1000]
        reader.stdin.write("quit\n")
        reader.stdin.flush()
        assert reader.wait(timeout=20) == 0, reader.stderr.read()
    finally:
        if reader.poll() is None:
            reader.kill()
            reader.wait()
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".warehouse.duckdb.")]
    assert leftovers == []
    assert not (tmp_path / "warehouse.duckdb.wal").exists()


def test_publish_dbt_built_warehouse(warehouse, tmp_path):
    build = tmp_path / "build" / "warehouse.duckdb"
    build.parent.mkdir()
    shutil.copy2(warehouse.db_path, build)
    published = tmp_path / "warehouse.duckdb"
    publish(build, published)
    con = duckdb.connect(str(published), read_only=True)
    try:
        n = con.execute("select count(*) from marts.org_year").fetchone()[0]
    finally:
        con.close()
    assert n == 4


# ---- readable by DuckDB 1.x ------------------------------------------------------------------

DUCKDB_CLI = Path(sys.executable).with_name("duckdb")  # the pinned duckdb-cli 1.5.x (requirements.lock)


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(DUCKDB_CLI), *args], capture_output=True, text=True, timeout=60)


def test_the_shipped_cli_is_duckdb_1x():
    assert DUCKDB_CLI.is_file(), "duckdb-cli is not installed in the venv (requirements.lock)"
    out = cli("--version")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("v1."), out.stdout


def test_published_warehouse_opens_in_duckdb_1x(warehouse, tmp_path):
    build = tmp_path / "build" / "warehouse.duckdb"
    build.parent.mkdir()
    shutil.copy2(warehouse.db_path, build)
    published = tmp_path / "warehouse.duckdb"
    publish(build, published)

    # the build file is DuckDB 2.x's own format, which the 1.x client refuses ...
    refused = cli("-readonly", str(build), "-c", "select 1")
    assert refused.returncode != 0 and "version number" in refused.stderr + refused.stdout
    assert storage_version(build).startswith("v2.")
    # ... the published copy is written in the 1.0 format, which it reads: the marts and their comments
    assert storage_version(published) == PUBLISHED_STORAGE_VERSION + "+"
    sql = ("select (select count(*) from marts.org_year) as org_years, "
           "(select count(*) from marts.facts) as facts, "
           "(select sum(handled) from marts.org_year) as handled, "
           "(select comment from duckdb_columns() where schema_name = 'marts' and table_name = 'org_year' "
           "and column_name = 'handled') as handled_comment")
    out = cli("-readonly", "-json", str(published), "-c", sql)
    assert out.returncode == 0, out.stderr
    [row] = json.loads(out.stdout)
    assert row["org_years"] == 4
    assert row["facts"] == warehouse.query("select count(*) from marts.facts")[0][0]
    assert row["handled"] == warehouse.query("select sum(handled) from marts.org_year")[0][0]
    assert row["handled_comment"] == warehouse.query(
        "select comment from duckdb_columns() where schema_name = 'marts' and table_name = 'org_year' "
        "and column_name = 'handled'")[0][0]
    # read-only: the 1.x client cannot write to it
    wrote = cli("-readonly", str(published), "-c", "create table marts.x as select 1")
    assert wrote.returncode != 0 and "read-only mode" in wrote.stderr + wrote.stdout
    assert not (tmp_path / "warehouse.duckdb.wal").exists()


def test_make_sql_opens_the_published_warehouse_read_only(warehouse, tmp_path):
    build = tmp_path / "build" / "warehouse.duckdb"
    build.parent.mkdir()
    shutil.copy2(warehouse.db_path, build)
    publish(build, tmp_path / "warehouse.duckdb")
    repo = Path(__file__).resolve().parents[2]
    env = {**os.environ, "XXGK_DATA_DIR": str(tmp_path)}
    # -o: the venv is in place (the suite runs in it); never reinstall from inside a test
    make = ["make", "-s", "-C", str(repo), "-o", ".venv/.installed-stamp", "sql"]
    out = subprocess.run(make, input="select count(*) as n, sum(handled) as handled from marts.org_year;\n",
                         env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    expected = warehouse.query("select count(*), sum(handled) from marts.org_year")[0]
    assert re.search(rf"\b{expected[0]}\b", out.stdout) and re.search(rf"\b{int(expected[1])}\b", out.stdout), out.stdout
    wrote = subprocess.run(make, input="create table marts.x as select 1;\n", env=env, capture_output=True,
                           text=True, timeout=120)
    assert "read-only mode" in wrote.stdout + wrote.stderr
    # with no published warehouse, it says what to do
    missing = subprocess.run(make, input="", env={**os.environ, "XXGK_DATA_DIR": str(tmp_path / "none")},
                             capture_output=True, text=True, timeout=120)
    assert missing.returncode != 0 and "run make demo first" in missing.stderr


def test_the_command_the_run_summary_prints_opens_the_warehouse(warehouse, tmp_path):
    import io
    import shlex

    from pipelines.run_summary import print_summary

    build = tmp_path / "build" / "warehouse.duckdb"
    build.parent.mkdir()
    shutil.copy2(warehouse.db_path, build)
    published = publish(build, tmp_path / "warehouse.duckdb")
    buf = io.StringIO()
    print_summary({"success": True, "warehouse": str(published)}, file=buf)
    [line] = [x for x in buf.getvalue().splitlines() if "open it with" in x]
    command = line.split("open it with", 1)[1].split("(or python")[0].strip()
    argv = shlex.split(command)
    assert argv[0] == str(DUCKDB_CLI) and argv[1:] == ["-readonly", str(published)]
    # run it as printed, from a shell whose PATH does not hold the venv
    out = subprocess.run(argv + ["-csv", "-c", "select count(*) from marts.org_year"], capture_output=True,
                         text=True, timeout=60, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["count_star()", "4"]

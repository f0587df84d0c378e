"""publish(): an analyst's open read-only connection is neither blocked nor sees a half-built file."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
import threading
import time

import duckdb

from pipelines.warehouse.publish import publish

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

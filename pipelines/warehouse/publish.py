"""Publish the finished build file as the analysts' warehouse: in a storage format DuckDB 1.x
reads, swapped in atomically.

Storage format. The build file is written by DuckDB 2.x in its own storage format, which DuckDB
1.x refuses ("version number 69 … can only read versions between 64 and 68"), and the CLI,
ODBC/JDBC and BI drivers analysts use often lag behind. So the published copy is not a byte copy:
the build is copied table by table (COPY FROM DATABASE: schemas, tables, views, comments) into a
new file attached with STORAGE_VERSION `PUBLISHED_STORAGE_VERSION`, which every DuckDB from 1.0 on
reads (tested with the 1.5 CLI; DuckDB 2.x reads it too).

Atomic for readers. Analysts keep read-only connections on the published file. DuckDB allows
one writer per file and a writer locks out even readers, so the run never writes to the published
file: it writes the copy to a temporary file in the published file's folder (same file system)
and `os.replace`s it over the published path. On POSIX the rename is atomic: a reader that
already has the old file open keeps reading the old inode (consistent, old data) and is not
blocked; any connection opened afterwards sees the new file.

Note for callers: DuckDB caches database instances per path inside one process, so a
`duckdb.connect(published)` in a process that still holds a connection to the old file reuses
the old instance. Fresh data needs a fresh process, or all old connections closed first.
"""
from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path

import duckdb

# The oldest storage format that keeps what the marts use; DuckDB 1.0 and every later release read it.
PUBLISHED_STORAGE_VERSION = "v1.0.0"
_COPY_ALIAS = "xxgk_published_copy"


def _fsync_path(path: Path, flags: int = os.O_RDONLY) -> None:
    try:
        fd = os.open(path, flags)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _lit(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _tables(con: duckdb.DuckDBPyConnection, database: str) -> list[tuple[str, str, int]]:
    return con.execute(
        "SELECT schema_name, table_name, estimated_size FROM duckdb_tables() "
        "WHERE database_name = ? ORDER BY 1, 2",
        [database],
    ).fetchall()


def write_portable_copy(build_path: Path, out_path: Path,
                        storage_version: str = PUBLISHED_STORAGE_VERSION) -> None:
    """Copy every schema, table, view and comment of `build_path` into a new file `out_path`
    written in `storage_version`. `build_path` must not be open in another process (the
    CHECKPOINT that folds its write-ahead log in needs the write lock)."""
    if out_path.exists():
        raise FileExistsError(out_path)
    con = duckdb.connect(str(build_path))
    try:
        con.execute("CHECKPOINT")
        source = con.execute("SELECT current_database()").fetchone()[0]
        con.execute(f"ATTACH {_lit(str(out_path))} AS {_COPY_ALIAS} "
                    f"(STORAGE_VERSION {_lit(storage_version)})")
        try:
            con.execute(f'COPY FROM DATABASE "{source}" TO {_COPY_ALIAS}')
            copied = [(s, t) for s, t, _ in _tables(con, _COPY_ALIAS)]
            expected = [(s, t) for s, t, _ in _tables(con, source)]
            if copied != expected:
                raise RuntimeError(f"the published copy lacks tables: {sorted(set(expected) - set(copied))}")
            con.execute(f"CHECKPOINT {_COPY_ALIAS}")
        finally:
            con.execute(f"DETACH {_COPY_ALIAS}")
    finally:
        con.close()
    wal = build_path.with_name(build_path.name + ".wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise RuntimeError(f"{wal} still holds data after CHECKPOINT: is the build file open elsewhere?")


def publish(build_path: str | Path, published_path: str | Path) -> Path:
    """Write a DuckDB-1.x-readable copy of the build file next to `published_path`, then
    os.replace it over. The build file must not be open in another process.
    Returns the published path."""
    build_path = Path(build_path).resolve()
    published_path = Path(published_path).resolve()
    if not build_path.is_file():
        raise FileNotFoundError(f"build warehouse not found: {build_path}")
    if build_path == published_path:
        raise ValueError("build and published paths must differ")

    published_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = published_path.with_name(f".{published_path.name}.{uuid.uuid4().hex}.tmp")
    tmp_wal = tmp.with_name(tmp.name + ".wal")
    try:
        write_portable_copy(build_path, tmp)
        if tmp_wal.exists():
            raise RuntimeError(f"{tmp_wal} left after DETACH: the copy is not self-contained")
        _fsync_path(tmp)
        os.chmod(tmp, 0o644)
        # A stale WAL beside the published file would be replayed onto the new file.
        # Readers are read-only and never write one, so any WAL here is left over from a crash.
        stale_wal = published_path.with_name(published_path.name + ".wal")
        if stale_wal.exists():
            stale_wal.unlink()
        os.replace(tmp, published_path)
        _fsync_path(published_path.parent)
    except BaseException:
        tmp.unlink(missing_ok=True)
        tmp_wal.unlink(missing_ok=True)
        raise
    return published_path


def storage_version(path: str | Path) -> str | None:
    """The storage format a DuckDB file was written in (e.g. 'v1.0.0+'), as DuckDB reports it."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        tags = con.execute(
            "SELECT tags FROM duckdb_databases() WHERE database_name = current_database()"
        ).fetchone()[0]
    finally:
        con.close()
    return (tags or {}).get("storage_version")


def remove_stale_temp_files(published_path: str | Path) -> list[Path]:
    """Delete the temp copies `publish` leaves when killed between copy and rename
    (`.warehouse.duckdb.<id>.tmp` and its `.wal`). Call only while no publish can be running
    (under the run lock)."""
    published_path = Path(published_path)
    removed = []
    for pattern in (f".{published_path.name}.*.tmp", f".{published_path.name}.*.tmp.wal"):
        for tmp in published_path.parent.glob(pattern):
            tmp.unlink(missing_ok=True)
            removed.append(tmp)
    return removed


def duckdb_cli() -> str:
    """The DuckDB command-line client the project installs beside its Python (duckdb-cli, a 1.x
    client that reads the published format), by absolute path so a printed command works without
    the venv on PATH; plain `duckdb` when it is not there."""
    cli = Path(sys.executable).with_name("duckdb")
    return str(cli) if cli.is_file() else "duckdb"

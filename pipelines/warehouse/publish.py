"""Swap the finished build file over the published warehouse, atomically.

Analysts keep read-only connections on the published file. DuckDB allows one writer per file
and a writer locks out even readers, so the run never writes to the published file: it copies
the finished build file to a temporary file in the published file's folder (same file system)
and `os.replace`s it over the published path. On POSIX the rename is atomic: a reader that
already has the old file open keeps reading the old inode (consistent, old data) and is not
blocked; any connection opened afterwards sees the new file.

Note for callers: DuckDB caches database instances per path inside one process, so a
`duckdb.connect(published)` in a process that still holds a connection to the old file reuses
the old instance. Fresh data needs a fresh process, or all old connections closed first.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import duckdb


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def publish(build_path: str | Path, published_path: str | Path) -> Path:
    """CHECKPOINT the build file, copy it next to `published_path`, then os.replace it over.

    The build file must not be open in another process (the CHECKPOINT needs the write lock).
    Returns the published path.
    """
    build_path = Path(build_path).resolve()
    published_path = Path(published_path).resolve()
    if not build_path.is_file():
        raise FileNotFoundError(f"build warehouse not found: {build_path}")
    if build_path == published_path:
        raise ValueError("build and published paths must differ")

    # Fold the write-ahead log into the file so the copy is complete on its own.
    con = duckdb.connect(str(build_path))
    try:
        con.execute("CHECKPOINT")
    finally:
        con.close()
    wal = build_path.with_name(build_path.name + ".wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise RuntimeError(f"{wal} still holds data after CHECKPOINT: is the build file open elsewhere?")

    published_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{published_path.name}.", suffix=".tmp", dir=published_path.parent
    )
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out, build_path.open("rb") as src:
            shutil.copyfileobj(src, out, length=16 * 1024 * 1024)
            out.flush()
            os.fsync(out.fileno())
        shutil.copymode(build_path, tmp)
        # A stale WAL beside the published file would be replayed onto the new file.
        # Readers are read-only and never write one, so any WAL here is left over from a crash.
        stale_wal = published_path.with_name(published_path.name + ".wal")
        if stale_wal.exists():
            stale_wal.unlink()
        os.replace(tmp, published_path)
        _fsync_dir(published_path.parent)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return published_path

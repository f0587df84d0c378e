"""The digest of everything the dbt models' output depends on besides the raw tables.

dbt's incremental models (macros/incremental_partitions.sql) rebuild only the counties loaded
since they were built; a changed model, macro, project file or items.csv (labels), or another
dbt version, changes this digest, and every county is rebuilt in the same transaction. The
pipeline passes it to dbt as var `models_digest`.
"""
from __future__ import annotations

import hashlib
from importlib import metadata
from pathlib import Path

from pipelines.core.codes import ITEMS_CSV

_PROJECT_PARTS = ("models", "macros", "dbt_project.yml")
_PACKAGES = ("dbt-core", "dbt-duckdb", "duckdb")


def models_digest(project_dir: Path, items_csv: Path = ITEMS_CSV) -> str:
    """SHA-256 (first 16 hex digits) over the project's model and macro files, dbt_project.yml,
    items.csv and the dbt/DuckDB versions. File names count as well as contents."""
    h = hashlib.sha256()
    files: list[Path] = []
    for part in _PROJECT_PARTS:
        p = project_dir / part
        files.extend(sorted(f for f in p.rglob("*") if f.is_file()) if p.is_dir() else [p] if p.is_file() else [])
    for f in files:
        h.update(f.relative_to(project_dir).as_posix().encode() + b"\0" + f.read_bytes() + b"\0")
    h.update(b"items.csv\0" + Path(items_csv).read_bytes() + b"\0")
    for pkg in _PACKAGES:
        try:
            h.update(f"{pkg}=={metadata.version(pkg)}\0".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{pkg}==?\0".encode())
    return h.hexdigest()[:16]


def needs_full_refresh(con, digest: str) -> bool:
    """True when an incremental model was built under another digest: a changed model may have
    changed its columns, which only `dbt build --full-refresh` rebuilds (an incremental run would
    keep a dropped column). `con` is a connection to the build file."""
    try:
        built = {r[0] for r in con.execute(
            "SELECT DISTINCT models_digest FROM dbt_state.built_partitions").fetchall()}
    except Exception:  # noqa: BLE001 (no such table: nothing built incrementally yet)
        return False
    return bool(built - {digest})

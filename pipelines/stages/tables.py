"""Read and write the staging tables (Parquet) that the stages hand to each other.

Staging is kept per county (per source profile, the Dagster partition): inside `county_scope(c)`
table `t` is `staging/t/<c>.parquet` and state `s` is `staging/s/<c>.json`, so one county's run
replaces only its own files, and a county whose crawl failed keeps its last good tables. Outside a
scope, reads see every county at once (the warehouse load, the sensors, the run summary) and
writes go to the single-file layout `staging/t.parquet` (used by tests of one stage alone).
"""
from __future__ import annotations

import contextlib
import contextvars
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from pipelines import settings

_COUNTY: contextvars.ContextVar[str | None] = contextvars.ContextVar("xxgk_county", default=None)


@contextlib.contextmanager
def county_scope(county: str) -> Iterator[str]:
    """Stage reads and writes inside the block are this county's."""
    if not county or "/" in county or county.startswith("."):
        raise ValueError(f"not a county id: {county!r}")
    token = _COUNTY.set(county)
    try:
        yield county
    finally:
        _COUNTY.reset(token)


def current_county() -> str | None:
    return _COUNTY.get()


def staging_path(name: str) -> Path:
    county = _COUNTY.get()
    if county:
        return settings.staging_dir() / name / f"{county}.parquet"
    return settings.staging_dir() / f"{name}.parquet"


def json_path(name: str) -> Path:
    county = _COUNTY.get()
    if county:
        return settings.staging_dir() / name / f"{county}.json"
    return settings.staging_dir() / f"{name}.json"


def counties_with(name: str) -> list[str]:
    """The counties that have staging table or state `name`."""
    folder = settings.staging_dir() / name
    if not folder.is_dir():
        return []
    return sorted({p.stem for p in folder.iterdir() if p.suffix in (".parquet", ".json")})


def exists(name: str) -> bool:
    """Table `name` is there: this county's, or (outside a scope) any county's or the single file."""
    if _COUNTY.get() or staging_path(name).exists():
        return staging_path(name).exists()
    return any((settings.staging_dir() / name).glob("*.parquet"))


def write_table(name: str, rows: list[dict], columns: list[str]) -> Path:
    """Write rows atomically (temp file, then rename) so a reader never sees half a table."""
    path = staging_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame = pd.DataFrame(rows, columns=columns)
    tmp = path.with_suffix(".parquet.tmp")
    frame.to_parquet(tmp, index=False)
    os.replace(tmp, path)
    return path


def read_table(name: str) -> pd.DataFrame:
    """This county's table; outside a scope the single file, else every county's together."""
    path = staging_path(name)
    if _COUNTY.get() or path.exists():
        return pd.read_parquet(path)
    parts = sorted((settings.staging_dir() / name).glob("*.parquet"))
    if not parts:
        raise FileNotFoundError(f"no staging table {name} under {settings.staging_dir()}")
    frames = [pd.read_parquet(p) for p in parts]
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


def read_records(name: str) -> list[dict]:
    """Rows as dicts with None (not NaN) for missing values."""
    frame = read_table(name)
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def write_json(name: str, payload: dict) -> Path:
    path = json_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(payload, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    os.replace(tmp, path)
    return path


def read_json(name: str) -> dict:
    path = json_path(name)
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def read_json_per_county(name: str) -> dict[str, dict]:
    """{county: payload} of state `name` for every county that has it (damaged files skipped)."""
    out = {}
    for county in counties_with(name):
        try:
            out[county] = json.loads((settings.staging_dir() / name / f"{county}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
    return out

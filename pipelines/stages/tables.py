"""Read and write the staging tables (Parquet) that the stages hand to each other."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd

from pipelines import settings


def staging_path(name: str) -> Path:
    return settings.staging_dir() / f"{name}.parquet"


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
    return pd.read_parquet(staging_path(name))


def read_records(name: str) -> list[dict]:
    """Rows as dicts with None (not NaN) for missing values."""
    frame = read_table(name)
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def write_json(name: str, payload: dict) -> Path:
    path = settings.staging_dir() / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(payload, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    os.replace(tmp, path)
    return path


def read_json(name: str) -> dict:
    path = settings.staging_dir() / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}

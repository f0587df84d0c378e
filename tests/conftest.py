"""Shared fixtures: paths to the shared corpus and a dbt manifest built once per session."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"

os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.exists():
        pytest.skip(f"shared corpus not found at {SHARED}")
    return SHARED


@pytest.fixture(scope="session")
def dbt_manifest() -> Path:
    """`dbt parse` once, as `make` does, so definitions load the manifest without parsing."""
    manifest = REPO / "dbt_models" / "target" / "manifest.json"
    if not manifest.exists():
        dbt = Path(sys.executable).with_name("dbt")
        subprocess.run([str(dbt), "parse", "--quiet", "--project-dir", str(REPO / "dbt_models"),
                        "--profiles-dir", str(REPO / "dbt_models")], check=True)
    return manifest

"""Fixtures for crawl tests: a throw-away data folder and raw store per test."""
from __future__ import annotations

from pathlib import Path

import pytest
from crawl_testkit import REPO  # noqa: F401  (puts the repository on sys.path first)

from pipelines.crawl.rawstore import RawStore


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    d = tmp_path / "data"
    d.mkdir()
    monkeypatch.setenv("XXGK_DATA_DIR", str(d))
    return d


@pytest.fixture
def store(data_dir) -> RawStore:
    return RawStore(data_dir)

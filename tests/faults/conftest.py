"""Fault injection: hostile servers on 127.0.0.1, damaged files, killed processes, concurrent runs.

Every test here reproduces one failure of issue 12 for real (no mocks): it fails on the code
before the fix and passes after."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

CRAWL_TESTS = Path(__file__).resolve().parents[1] / "crawl"
if str(CRAWL_TESTS) not in sys.path:
    sys.path.insert(0, str(CRAWL_TESTS))

from crawl_testkit import REPO  # noqa: E402,F401  (puts the repository on sys.path first)

from pipelines.crawl.rawstore import RawStore  # noqa: E402


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    d = tmp_path / "data"
    d.mkdir()
    monkeypatch.setenv("XXGK_DATA_DIR", str(d))
    return d


@pytest.fixture
def store(data_dir) -> RawStore:
    return RawStore(data_dir)

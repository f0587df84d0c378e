"""A document that needs more memory than the worker may use fails alone, with a kind to act on."""
from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.core.extract import extract_many

REAL = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "real"


def test_memory_limit_fails_the_document_not_the_call(monkeypatch):
    pdf = REAL / "huaian-city-2024.pdf"
    if not pdf.exists():
        pytest.skip(f"real corpus not found at {REAL}")
    monkeypatch.setenv("XXGK_EXTRACT_MAX_MEMORY_MB", "150")
    (starved,) = list(extract_many([pdf], timeout_s=60))
    assert starved["status"] == "failed"
    assert starved["error"]["kind"] in ("out_of_memory", "worker_crashed"), starved["error"]
    assert starved["cells"] == {}
    monkeypatch.setenv("XXGK_EXTRACT_MAX_MEMORY_MB", "3000")
    (fed,) = list(extract_many([pdf], timeout_s=120))
    assert fed["status"] == "ok" and fed["cells"]["t3.new_received:natural_person"] == 3001

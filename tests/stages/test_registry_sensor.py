"""The registry sensor asks for a run of the county whose documents wait for the current extractor,
or whose earlier failure could heal."""
from __future__ import annotations

import shutil

import dagster as dg
import pytest

from pipelines.stages import tables
from pipelines.stages.extract_stage import reader_capabilities, store_result


def _registry(shas: list[str]) -> None:
    from pipelines.stages.crawl_stage import CRAWL_COLUMNS

    with tables.county_scope("sample_county"):
        tables.write_table("crawl_documents", [
            {"document_url": f"http://x.gov.cn/{s}.pdf", "sha256": s, "raw_path": f"raw/{s}", "error_kind": None}
            for s in shas], CRAWL_COLUMNS)


def _one_request(result) -> dg.RunRequest:
    assert isinstance(result, list) and len(result) == 1 and isinstance(result[0], dg.RunRequest), result
    assert result[0].partition_key == "sample_county"
    assert result[0].tags["xxgk/host"] == "www.chenglan.gov.cn"
    return result[0]


def test_sensor_requests_a_run_for_unextracted_documents(tmp_path, monkeypatch):
    monkeypatch.setenv("XXGK_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("XXGK_SOURCES", raising=False)
    from pipelines.defs.automation import registry_pending

    a, b = "a" * 64, "b" * 64
    _registry([a, b])
    store_result(a, {"status": "ok", "sha256": a, "cells": {}}, reader_capabilities())
    with dg.instance_for_test() as instance:
        result = _one_request(registry_pending(dg.build_sensor_context(instance=instance)))
        assert result.run_key == f"sample_county:1:{b}"
        store_result(b, {"status": "failed", "sha256": b, "error": {"kind": "not_a_report", "message": ""}},
                     reader_capabilities())
        result = registry_pending(dg.build_sensor_context(instance=instance))
        assert isinstance(result, dg.SkipReason)


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice (soffice) not installed")
def test_sensor_requests_a_run_when_a_failure_can_heal(tmp_path, monkeypatch):
    monkeypatch.setenv("XXGK_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("XXGK_SOURCES", raising=False)
    from pipelines.defs.automation import registry_pending

    a = "a" * 64
    _registry([a])
    now = reader_capabilities()
    failed = {"status": "failed", "sha256": a, "error": {"kind": "needs_converter", "message": ""}}
    with dg.instance_for_test() as instance:
        store_result(a, failed, {**now, "converter": True})  # tried with a converter: stays failed
        assert isinstance(registry_pending(dg.build_sensor_context(instance=instance)), dg.SkipReason)
        store_result(a, failed, {**now, "converter": False})  # tried without, and one is here now
        assert _one_request(registry_pending(dg.build_sensor_context(instance=instance))).run_key == \
            f"sample_county:1:{a}"


def test_sensor_leaves_a_damaged_registry_for_the_crawl_to_report(tmp_path, monkeypatch):
    """Asking leaves the file alone: the next crawl sets it aside and says so in its summary."""
    monkeypatch.setenv("XXGK_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("XXGK_SOURCES", raising=False)
    from pipelines.defs.automation import documents_pending_extraction

    _registry(["a" * 64])
    with tables.county_scope("sample_county"):
        path = tables.staging_path("crawl_documents")
    path.write_bytes(path.read_bytes()[:40])
    assert documents_pending_extraction() == []
    assert path.exists() and len(path.read_bytes()) == 40

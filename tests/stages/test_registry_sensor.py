"""The registry sensor asks for a run exactly when documents wait for the current extractor."""
from __future__ import annotations

import dagster as dg

from pipelines.stages import tables
from pipelines.stages.extract_stage import cache_path


def _registry(shas: list[str]) -> None:
    from pipelines.stages.crawl_stage import CRAWL_COLUMNS

    tables.write_table("crawl_documents", [
        {"document_url": f"http://x.gov.cn/{s}.pdf", "sha256": s, "raw_path": f"raw/{s}", "error_kind": None}
        for s in shas], CRAWL_COLUMNS)


def test_sensor_requests_a_run_for_unextracted_documents(tmp_path, monkeypatch):
    monkeypatch.setenv("XXGK_DATA_DIR", str(tmp_path))
    from pipelines.defs.automation import registry_pending

    a, b = "a" * 64, "b" * 64
    _registry([a, b])
    cache_path(a).parent.mkdir(parents=True, exist_ok=True)
    cache_path(a).write_text("{}")
    with dg.instance_for_test() as instance:
        result = registry_pending(dg.build_sensor_context(instance=instance))
        assert isinstance(result, dg.RunRequest)
        assert result.run_key == f"1:{b}"
        cache_path(b).write_text("{}")
        result = registry_pending(dg.build_sensor_context(instance=instance))
        assert isinstance(result, dg.SkipReason)

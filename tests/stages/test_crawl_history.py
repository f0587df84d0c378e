"""A report whose bytes change at the same URL (a silent correction) is a new version; the
earlier version stays in the registry. Crawled over HTTP from a copy of the sample portal."""
from __future__ import annotations

import shutil
import time

import pytest

from pipelines import settings
from pipelines.crawl.serve import serve_directory
from pipelines.stages import tables
from pipelines.stages.crawl_stage import crawl_sources, enabled_profiles


@pytest.fixture()
def portal_copy(tmp_path, monkeypatch):
    portal = tmp_path / "portal"
    shutil.copytree(settings.SAMPLE_PORTAL_DIR, portal)
    monkeypatch.setenv("XXGK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("XXGK_SOURCES", raising=False)
    with serve_directory(portal) as url:
        monkeypatch.setenv("XXGK_SAMPLE_BASE_URL", url)
        yield portal


def test_changed_bytes_at_the_same_url_keep_both_versions(portal_copy):
    rows, first, _ = crawl_sources(enabled_profiles())
    assert first.downloaded == 101 and first.not_modified == 0
    inline = next(r for r in rows if r["format_hint"] == "html" and not r["error_kind"])
    path = inline["document_url"].split("www.chenglan.gov.cn", 1)[1]
    page = portal_copy / path.lstrip("/")
    page.write_bytes(page.read_bytes().replace(b"</body>", b"<!-- republished --></body>"))
    time.sleep(1.1)  # a later fetch time, and a newer Last-Modified for the changed file

    rows2, second, _ = crawl_sources(enabled_profiles())
    assert second.downloaded == 1 and second.not_modified == 100
    registry = [r for r in tables.read_records("crawl_documents") if r["document_url"] == inline["document_url"]]
    assert len(registry) == 2
    old, new = sorted(registry, key=lambda r: r["fetched_at"])
    assert old["sha256"] == inline["sha256"] and new["sha256"] != inline["sha256"]
    assert old["fetched_at"] == inline["fetched_at"]  # first-fetched time is kept
    assert len(tables.read_records("crawl_documents")) == 103  # 102 current + 1 earlier version

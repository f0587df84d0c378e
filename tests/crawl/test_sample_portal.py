"""Crawl the sample county portal over HTTP and compare with its truth files."""
from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest

from pipelines import settings
from pipelines.crawl import fetch as F
from pipelines.crawl.discover import crawl_source
from pipelines.crawl.fetch import Fetcher
from pipelines.crawl.profile import load_profile
from pipelines.crawl.serve import serve_directory

pytestmark = pytest.mark.skipif(not (settings.SAMPLE_PORTAL_DIR / "index.html").exists(),
                                reason="data/sample_portal/ not generated")


def truths() -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(settings.SAMPLE_TRUTH_DIR.glob("*.truth.json"))]


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    from pipelines.crawl.rawstore import RawStore

    store = RawStore(tmp_path_factory.mktemp("data"))
    with serve_directory(settings.SAMPLE_PORTAL_DIR) as base:
        profile = load_profile("sample_county.toml", base_url=base)
        with Fetcher.from_profile(profile, store=store) as fetcher:
            result = crawl_source(profile, fetcher)
    return result, store


def test_profile_mirrors_county_json():
    county = json.loads((settings.SAMPLE_TRUTH_DIR / "county.json").read_text(encoding="utf-8"))
    profile = load_profile("sample_county.toml", base_url="http://127.0.0.1:1")
    assert profile.county == county["county"]
    assert list(profile.years) == county["years"]
    assert {(o.org_id, o.name, o.type) for o in profile.orgs} == {
        (o["org_id"], o["name"], o["type"]) for o in county["organisations"]}


def test_document_count_equals_truth_files(crawled):
    result, _ = crawled
    assert len(result.documents) == len(truths())
    assert not result.truncated and not result.unknown_orgs


def test_documents_match_truth(crawled):
    result, store = crawled
    by_url = {urlsplit(d.document_url).path: d for d in result.documents}
    for t in truths():
        d = by_url.get(t["document_url"])
        assert d is not None, f"{t['report_id']}: {t['document_url']} not found"
        assert urlsplit(d.detail_url).path == t["detail_url"], t["report_id"]
        assert (d.org_id, d.year, d.is_correction) == (t["org_id"], t["year"], t["is_correction"]), t["report_id"]
        assert d.sha256 == t["sha256"], t["report_id"]
        assert store.get(d.sha256) is not None
        if t["format"] == "not_a_report":
            assert (d.error_kind, d.format_hint) == (F.NOT_A_REPORT, "html"), t["report_id"]
        else:
            assert d.error_kind is None, (t["report_id"], d.error_message)
            assert d.format_hint == {"pdf-scanned": "pdf"}.get(t["format"], t["format"]), t["report_id"]


def test_every_exchange_logged(crawled):
    result, store = crawled
    log = store.read_log()
    urls = {e["url"] for e in log}
    assert all(d.document_url in urls for d in result.documents)
    assert all({"url", "time", "status", "headers", "sha256", "bytes", "error_kind", "error"} <= set(e) for e in log)

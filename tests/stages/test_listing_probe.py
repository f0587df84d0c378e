"""The listing probe: a county whose listing pages are as they were at its last successful full
crawl is left out of the night; anything else (a new or edited listing, a failed crawl, a stale
full crawl, a changed environment, an unreadable portal) means a full run. Real HTTP server on
127.0.0.1 serving a saved TRS column; real staging files."""
from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import pytest

from pipelines import settings
from pipelines.crawl.serve import serve_directory
from pipelines.stages import listing_probe, tables
from pipelines.stages.change_detection import CRAWL_FINGERPRINT, PUBLISHED_FINGERPRINT

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "crawl"))
from test_registry_unmatched_e2e import COLUMN, PRINTED, build_saved_column, write_profile  # noqa: E402

pytestmark = pytest.mark.skipif(not (settings.SAMPLE_PORTAL_DIR / "index.html").exists(),
                                reason="data/sample_portal/ not generated")
COUNTY = "probe_county"


@pytest.fixture
def portal(tmp_path, monkeypatch):
    site, sources = tmp_path / "site", tmp_path / "sources"
    reports = build_saved_column(site)
    monkeypatch.setenv("XXGK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("XXGK_SOURCES_DIR", str(sources))
    monkeypatch.setenv("XXGK_SOURCES", COUNTY)
    monkeypatch.setenv("XXGK_OCR", "0")
    monkeypatch.delenv("XXGK_FULL_CRAWL_DAYS", raising=False)
    monkeypatch.delenv("XXGK_SAMPLE_BASE_URL", raising=False)
    with serve_directory(site) as base_url:
        write_profile(sources, base_url, COUNTY, "澄岚县", f"kfq,{PRINTED},县直部门,,,\n")
        yield site, reports


def _rewrite(path: Path, old: bytes, new: bytes) -> None:
    """Edit a served file, its mtime a minute on: the server's validators are second-grained."""
    path.write_bytes(path.read_bytes().replace(old, new, 1))
    later = path.stat().st_mtime + 60
    os.utime(path, (later, later))


def _as_after_a_good_run(fingerprint: str, when: dt.datetime | None = None) -> None:
    """The state a successful, published run of the county leaves (written as the stages write it)."""
    with tables.county_scope(COUNTY):
        tables.write_table("crawl_status", [{"source_id": COUNTY, "status": "ok", "reason": None,
                                             "attempted_at": "2026-11-29T02:30:00+00:00",
                                             "last_ok_at": "2026-11-29T02:30:00+00:00"}],
                           ["source_id", "status", "reason", "attempted_at", "last_ok_at"])
        tables.write_json(CRAWL_FINGERPRINT, {"fingerprint": "crawl-1"})
        tables.write_json(PUBLISHED_FINGERPRINT, {"fingerprint": "crawl-1"})
    settings.warehouse_path().parent.mkdir(parents=True, exist_ok=True)
    settings.warehouse_path().write_bytes(b"")  # only its existence matters to the change detector
    listing_probe.record_full_crawl(COUNTY, fingerprint, when)


def test_listing_fingerprint_follows_the_listing_not_the_detail_pages(portal):
    site, reports = portal
    first = listing_probe.probe_county(COUNTY)
    assert first.fingerprint and not first.skip and first.reason == "no earlier successful run"
    assert listing_probe.probe_county(COUNTY).fingerprint == first.fingerprint  # same bytes, same hash

    # a report replaced in place under the same link: the listing cannot show it (the weekly full
    # crawl is what finds it; documented in the module)
    detail = site / reports[2021][0].lstrip("/")
    _rewrite(detail, b"</body>", "<p>更正</p></body>".encode())
    assert listing_probe.probe_county(COUNTY).fingerprint == first.fingerprint

    # a new report in the listing
    index = site / COLUMN.lstrip("/") / "index.html"
    _rewrite(index, b'<ul class="list">', f'<ul class="list"><li><a href="./202611/t20261130_9999.htm">{PRINTED}'
                                          f'2026年政府信息公开工作年度报告</a></li>'.encode())
    assert listing_probe.probe_county(COUNTY).fingerprint != first.fingerprint


def test_a_county_is_left_out_only_when_everything_is_as_at_its_last_good_run(portal, monkeypatch):
    site, _ = portal
    fingerprint = listing_probe.probe_county(COUNTY).fingerprint
    _as_after_a_good_run(fingerprint)
    same = listing_probe.probe_county(COUNTY)
    assert same.skip, same.reason
    assert same.reason.startswith("listings unchanged")

    monkeypatch.setenv("XXGK_FULL_CRAWL_DAYS", "0")  # a full crawl every night
    assert not listing_probe.probe_county(COUNTY).skip
    monkeypatch.delenv("XXGK_FULL_CRAWL_DAYS")
    _as_after_a_good_run(fingerprint, when=dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=8))
    stale = listing_probe.probe_county(COUNTY)
    assert not stale.skip and stale.reason.startswith("last full crawl 8.0 days")

    _as_after_a_good_run(fingerprint)
    monkeypatch.setenv("XXGK_OCR", "1")  # OCR switched on: documents may read differently now
    changed = listing_probe.probe_county(COUNTY)
    assert not changed.skip and "extractor, models" in changed.reason
    monkeypatch.setenv("XXGK_OCR", "0")
    assert listing_probe.probe_county(COUNTY).skip

    with tables.county_scope(COUNTY):  # the schedule's run of the county failed since
        tables.write_table("crawl_status", [{"source_id": COUNTY, "status": "crawl_failed", "reason": "x",
                                             "attempted_at": "", "last_ok_at": ""}],
                           ["source_id", "status", "reason", "attempted_at", "last_ok_at"])
    assert listing_probe.probe_county(COUNTY).reason == "its last crawl failed"

    _as_after_a_good_run(fingerprint)
    with tables.county_scope(COUNTY):  # crawled, but the warehouse was not published from it
        tables.write_json(CRAWL_FINGERPRINT, {"fingerprint": "crawl-2"})
    assert listing_probe.probe_county(COUNTY).reason == "documents wait for extraction or publishing"

    _as_after_a_good_run(fingerprint)
    from pipelines.stages.crawl_stage import CRAWL_COLUMNS

    failed = {c: None for c in CRAWL_COLUMNS} | {"source_id": COUNTY, "document_url": "http://x/r.pdf",
                                                 "in_latest_crawl": True, "error_kind": "http_error",
                                                 "http_status": 404}
    with tables.county_scope(COUNTY):  # a dead link: nothing to retry; a 503: worth asking again
        tables.write_table("crawl_documents", [failed], CRAWL_COLUMNS)
        assert listing_probe.probe_county(COUNTY).skip
        tables.write_table("crawl_documents", [failed | {"http_status": 503}], CRAWL_COLUMNS)
        assert listing_probe.probe_county(COUNTY).reason == "downloads that failed last time may succeed now"
        tables.write_table("crawl_documents", [failed | {"error_kind": "timeout", "http_status": None}],
                           CRAWL_COLUMNS)
        assert not listing_probe.probe_county(COUNTY).skip
        tables.staging_path("crawl_documents").unlink()

    _as_after_a_good_run(fingerprint)
    listing_probe.forget(COUNTY)  # its last run failed
    assert listing_probe.probe_county(COUNTY).reason == "no earlier successful run"

    _as_after_a_good_run(fingerprint)
    (site / COLUMN.lstrip("/") / "index.html").unlink()  # the listing answers 404
    gone = listing_probe.probe_county(COUNTY)
    assert gone.fingerprint is None and not gone.skip and "CrawlIncomplete" in gone.reason

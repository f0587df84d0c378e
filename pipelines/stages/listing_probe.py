"""A county whose portal listings are unchanged is not crawled again every night.

A full crawl asks the portal for every listing page, every detail page and every attachment
(conditionally: most answer 304, but each is a request, and politeness spaces them). Before
starting a county's run, `xxgk run` reads only the county's listing pages (for an enumerated
Hanweb module: its organisation × year pages) and hashes what they say: the report links they
list, their titles, and the pages' own bytes. When that hash, and everything else the county's
staging is built from (extractor, OCR switch, models, review decisions, profile and registry:
`change_detection.environment_digest`), equal those of the county's last successful run, the
last full crawl is recent enough, its crawl is published, no document waits for a
(re)extraction and no download failed for a reason that can pass, the county is left as it is: no run, no requests beyond the listings.

What this cannot see: a report replaced in place (same detail page and attachment URL) while
the listing pages stay byte-identical. A full crawl therefore still runs when the last one is
older than $XXGK_FULL_CRAWL_DAYS (default 7; 0 = every night); `xxgk run --force` always crawls.
Any doubt (a probe that fails, a missing or damaged state file) means a full run.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from pipelines import settings
from pipelines.stages import tables

PROBE_STATE = "listing_probe"
DEFAULT_FULL_CRAWL_DAYS = 7.0


@dataclass(frozen=True)
class ProbeOutcome:
    county: str
    fingerprint: str | None  # None: the probe could not read the listings
    skip: bool  # True: the county's last run stands; no run tonight
    reason: str  # why it runs (or why it may be skipped), for the log and the summary


def full_crawl_days() -> float:
    given = os.environ.get("XXGK_FULL_CRAWL_DAYS")
    return max(0.0, float(given)) if given else DEFAULT_FULL_CRAWL_DAYS


def listing_fingerprint(profile, fetcher) -> str:
    """sha256 of what the county's listings say now. Raises when a listing cannot be read."""
    from pipelines.crawl.discover import (CrawlIncomplete, CrawlResult, enumerate_candidates, failure_can_pass,
                                          find_candidates)

    h = hashlib.sha256()
    if profile.enumerate:  # no listing: the organisation × year pages are the index
        candidates = enumerate_candidates(profile)
        with ThreadPoolExecutor(max_workers=max(1, profile.http.max_concurrency)) as pool:
            results = list(pool.map(fetcher.fetch, [c.detail_url for c in candidates]))
        for c, res in sorted(zip(candidates, results), key=lambda pair: pair[0].detail_url):
            if failure_can_pass(res.error_kind, res.status):
                raise CrawlIncomplete(profile.id, [{"url": c.detail_url, "error_kind": res.error_kind,
                                                    "error": res.error}])
            # the bytes (a 304 answers with the cached ones), or why there are none: never the
            # status itself, which is 200 on the night the page was first fetched and 304 after
            h.update(json.dumps([c.detail_url, res.sha256] if res.ok else
                                [c.detail_url, res.error_kind, res.status]).encode())
        return h.hexdigest()
    result = CrawlResult(source_id=profile.id)
    candidates = find_candidates(profile, fetcher, result)
    if result.listing_failures:
        raise CrawlIncomplete(profile.id, result.listing_failures, result)
    for c in sorted(candidates, key=lambda c: c.detail_url):
        h.update(json.dumps([c.detail_url, c.anchor_text, c.listing_url]).encode())
    # the pages' own bytes too (dates, re-ordering, notices): a change there costs a full crawl
    h.update(json.dumps(sorted(result.page_sha256.items())).encode())
    return h.hexdigest()


def probe_county(county: str, now: dt.datetime | None = None) -> ProbeOutcome:
    """Read the county's listings and decide whether its run can be left out tonight."""
    from pipelines.crawl.fetch import Fetcher
    from pipelines.crawl.profile import load_profile
    from pipelines.crawl.rawstore import RawStore
    from pipelines.crawl.discover import failure_can_pass
    from pipelines.stages.change_detection import environment_digest, unpublished_crawl
    from pipelines.stages.crawl_stage import profile_path, reachable_base_url, read_registry
    from pipelines.stages.extract_stage import documents_to_extract, extractable

    now = now or dt.datetime.now(dt.timezone.utc)
    try:
        path = profile_path(county)
        with reachable_base_url(path) as base_url:
            profile = load_profile(path, base_url=base_url)
            with Fetcher.from_profile(profile, store=RawStore(settings.data_dir())) as fetcher:
                fingerprint = listing_fingerprint(profile, fetcher)
                fetcher.state.save()
    except Exception as exc:  # noqa: BLE001 (the run itself reports the failure properly)
        return ProbeOutcome(county, None, False, f"listings not read ({type(exc).__name__}: {str(exc)[:300]}): full crawl")
    with tables.county_scope(county):
        state = _read_state()
        environment = environment_digest()
        if not state:
            return ProbeOutcome(county, fingerprint, False, "no earlier successful run")
        if state.get("fingerprint") != fingerprint:
            return ProbeOutcome(county, fingerprint, False, "listings changed")
        if state.get("environment") != environment:
            return ProbeOutcome(county, fingerprint, False, "extractor, models, decisions or profile changed")
        age_days = _age_days(state.get("full_crawl_at"), now)
        if age_days is None or age_days >= full_crawl_days():
            return ProbeOutcome(county, fingerprint, False,
                                f"last full crawl {'unknown' if age_days is None else f'{age_days:.1f} days'} ago")
        if _last_crawl_failed():
            return ProbeOutcome(county, fingerprint, False, "its last crawl failed")
        rows = read_registry()[0] if tables.exists("crawl_documents") else []
        if unpublished_crawl() or documents_to_extract([sha for sha, _ in extractable(rows)]):
            return ProbeOutcome(county, fingerprint, False, "documents wait for extraction or publishing")
        if any(r.get("in_latest_crawl") and r.get("error_kind") and failure_can_pass(r["error_kind"], r.get("http_status"))
               for r in rows):  # a full crawl asks for it again, as every full crawl does
            return ProbeOutcome(county, fingerprint, False, "downloads that failed last time may succeed now")
    return ProbeOutcome(county, fingerprint, True,
                        f"listings unchanged since the full crawl {age_days:.1f} days ago")


def record_full_crawl(county: str, fingerprint: str | None, when: dt.datetime | None = None) -> None:
    """After the county's run succeeded: the listings it was probed with, and when it crawled."""
    if not fingerprint:
        return
    from pipelines.stages.change_detection import environment_digest

    when = when or dt.datetime.now(dt.timezone.utc)
    with tables.county_scope(county):
        tables.write_json(PROBE_STATE, {"fingerprint": fingerprint, "environment": environment_digest(),
                                        "full_crawl_at": when.isoformat(timespec="seconds")})


def forget(county: str) -> None:
    """The county's next run is a full one (its run failed, or was forced)."""
    with tables.county_scope(county):
        tables.json_path(PROBE_STATE).unlink(missing_ok=True)


def probe_counties(counties: list[str], threads: int = 8) -> dict[str, ProbeOutcome]:
    """Every county probed, several at once (each on its own portal; politeness per host is the
    fetcher's). Counties of one host are probed one after another."""
    from pipelines.launch import host_groups

    groups = host_groups(counties)

    def run_group(group: list[str]) -> list[ProbeOutcome]:
        return [probe_county(c) for c in group]

    with ThreadPoolExecutor(max_workers=max(1, min(threads, len(groups)))) as pool:
        return {o.county: o for outcomes in pool.map(run_group, groups) for o in outcomes}


def skipped_counters(county: str) -> dict:
    """The crawl counters of a county left out tonight (the run summary reads them)."""
    with tables.county_scope(county):
        rows = [r for r in (tables.read_records("crawl_documents") if tables.exists("crawl_documents") else [])
                if r.get("in_latest_crawl")]
        counters = {"sources": 1, "discovered": len(rows), "downloaded": 0, "not_modified": 0,
                    "failed": sum(bool(r.get("error_kind")) for r in rows),
                    "failed_by_kind": {}, "download_retried": 0, "download_retried_healed": 0,
                    "listing_unchanged": len(rows)}
        for r in rows:
            if r.get("error_kind"):
                counters["failed_by_kind"][r["error_kind"]] = counters["failed_by_kind"].get(r["error_kind"], 0) + 1
        tables.write_json("crawl_counters", counters)
    return counters


def _read_state() -> dict:
    try:
        state = tables.read_json(PROBE_STATE)
        return state if isinstance(state, dict) else {}
    except (OSError, ValueError):
        return {}


def _age_days(iso: str | None, now: dt.datetime) -> float | None:
    try:
        return (now - dt.datetime.fromisoformat(iso)).total_seconds() / 86400
    except (TypeError, ValueError):
        return None


def _last_crawl_failed() -> bool:
    """The county's last crawl attempt (any run: `xxgk run`, the schedule, the UI) did not succeed."""
    if not tables.staging_path("crawl_status").exists():
        return True
    rows = tables.read_records("crawl_status")
    return not rows or rows[0].get("status") != "ok"

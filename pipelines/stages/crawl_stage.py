"""Crawl every enabled source profile into the raw store and record what was found."""
from __future__ import annotations

import contextlib
import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path

from pipelines import settings
from pipelines.stages import tables

CRAWL_COLUMNS = [
    "source_id", "document_url", "detail_url", "title", "anchor_text", "org_name", "org_id", "year",
    "is_correction", "sha256", "raw_path", "content_type", "size", "fetched_at", "http_status",
    "format_hint", "error_kind", "error_message", "in_latest_crawl",
]


@dataclass
class CrawlSummary:
    sources: int = 0
    discovered: int = 0
    downloaded: int = 0
    not_modified: int = 0
    failed: int = 0
    failed_by_kind: dict[str, int] = field(default_factory=dict)


def enabled_profiles() -> list[Path]:
    """The profiles this run crawls: $XXGK_SOURCES (comma-separated ids) or the sample county."""
    wanted = [s for s in os.environ.get("XXGK_SOURCES", "sample_county").split(",") if s]
    return [settings.SOURCES_DIR / f"{s}.toml" for s in wanted]


@contextlib.contextmanager
def reachable_base_url(profile_path: Path):
    """The sample county is a folder, not a site: serve it on loopback unless a URL is given."""
    given = os.environ.get("XXGK_SAMPLE_BASE_URL")
    if profile_path.stem != "sample_county" or given:
        yield given
        return
    from pipelines.crawl.serve import serve_directory

    # A stable port keeps URLs stable across runs, so the next crawl gets 304s, not re-downloads.
    port = int(os.environ.get("XXGK_SAMPLE_PORT", "18631"))
    with contextlib.ExitStack() as stack:
        try:
            base_url = stack.enter_context(serve_directory(settings.SAMPLE_PORTAL_DIR, port=port))
        except OSError:  # taken: any free port still crawls right, it only re-downloads
            base_url = stack.enter_context(serve_directory(settings.SAMPLE_PORTAL_DIR))
        yield base_url


def public_url(url: str | None, served_at: str, public_base: str) -> str | None:
    """The URL a document has on the site the local copy stands for."""
    if url and url.startswith(served_at.rstrip("/") + "/"):
        return public_base.rstrip("/") + url[len(served_at.rstrip("/")):]
    return url


def crawl_sources(profile_paths: list[Path]) -> tuple[list[dict], CrawlSummary, list]:
    """Crawl each profile; returns the document rows, the counters and the loaded profiles."""
    from pipelines.crawl.discover import crawl
    from pipelines.crawl.fetch import Fetcher
    from pipelines.crawl.profile import load_profile
    from pipelines.crawl.rawstore import RawStore

    rows, summary, profiles = [], CrawlSummary(), []
    for path in profile_paths:
        with reachable_base_url(path) as base_url:
            profile = load_profile(path, base_url=base_url)
            profiles.append(profile)
            with Fetcher.from_profile(profile, store=RawStore(settings.data_dir())) as fetcher:
                records = crawl(profile, fetcher)
        summary.sources += 1
        for rec in records:
            row = dataclasses.asdict(rec)
            if profile.public_base_url and base_url:
                for key in ("document_url", "detail_url"):
                    row[key] = public_url(row[key], base_url, profile.public_base_url)
            rows.append(row)
            summary.discovered += 1
            if row.get("error_kind"):
                summary.failed += 1
                summary.failed_by_kind[row["error_kind"]] = summary.failed_by_kind.get(row["error_kind"], 0) + 1
            elif row.get("http_status") == 304:
                summary.not_modified += 1
            else:
                summary.downloaded += 1
    tables.write_table("crawl_documents", merge_history(rows), CRAWL_COLUMNS)
    return rows, summary, profiles


def merge_history(current: list[dict]) -> list[dict]:
    """Every version ever fetched stays: a report whose bytes changed at the same URL (a silent
    correction) keeps its earlier version. `fetched_at` is when a version was first fetched.
    Failed fetches count for the current crawl only; they are not history."""
    previous = tables.read_records("crawl_documents") if tables.staging_path("crawl_documents").exists() else []
    first_fetched = {(r["document_url"], r["sha256"]): r["fetched_at"] for r in previous if r["sha256"]}
    merged, seen = [], set()
    for row in current:
        key = (row["document_url"], row["sha256"])
        row = {**row, "in_latest_crawl": True}
        if row["sha256"] and not row["error_kind"]:
            row["fetched_at"] = first_fetched.get(key, row["fetched_at"])
            seen.add(key)
        merged.append(row)
    merged += [{**r, "in_latest_crawl": False} for r in previous
               if r["sha256"] and not r["error_kind"] and (r["document_url"], r["sha256"]) not in seen]
    return merged

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
    failed_sources: list[str] = field(default_factory=list)  # listing pages unreadable: crawl not used
    set_aside: list[str] = field(default_factory=list)  # damaged state files renamed and rebuilt


def enabled_sources() -> list[str]:
    """The ids of the profiles this run crawls: $XXGK_SOURCES (comma-separated) or the sample county.
    Each is a county partition of the ingest assets."""
    return list(dict.fromkeys(s.strip() for s in os.environ.get("XXGK_SOURCES", "sample_county").split(",")
                              if s.strip()))


def profile_path(source_id: str) -> Path:
    """`<id>.toml` in $XXGK_SOURCES_DIR when there is one there, else in pipelines/sources/."""
    extra = settings.extra_sources_dir()
    if extra is not None and (extra / f"{source_id}.toml").is_file():
        return extra / f"{source_id}.toml"
    return settings.SOURCES_DIR / f"{source_id}.toml"


def portal_host(source_id: str) -> str:
    """The host a source's crawl talks to (the public site a local copy stands for), for politeness
    limits per host; a profile that cannot be read is its own host."""
    from urllib.parse import urlsplit

    from pipelines.crawl.profile import ProfileError, load_profile

    try:
        profile = load_profile(profile_path(source_id), base_url="http://placeholder.invalid")
    except (ProfileError, OSError):
        return source_id
    url = profile.public_base_url or (profile.start_urls[0] if profile.start_urls else "")
    return urlsplit(url).hostname or source_id


def enabled_profiles() -> list[Path]:
    """The profile files of the enabled sources."""
    return [profile_path(s) for s in enabled_sources()]


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
    """Crawl each profile; returns the document rows, the counters and the loaded profiles.

    A source whose listing pages could not all be read fails (CrawlIncomplete, raised after every
    source was tried): its reports would otherwise vanish from the registry without a word."""
    from pipelines.crawl.discover import CrawlIncomplete, crawl_source
    from pipelines.crawl.fetch import Fetcher
    from pipelines.crawl.profile import load_profile
    from pipelines.crawl.rawstore import RawStore

    rows, summary, profiles = [], CrawlSummary(), []
    incomplete: list[CrawlIncomplete] = []
    store = RawStore(settings.data_dir())
    for path in profile_paths:
        with reachable_base_url(path) as base_url:
            profile = load_profile(path, base_url=base_url)
            profiles.append(profile)
            with Fetcher.from_profile(profile, store=store) as fetcher:
                summary.set_aside += fetcher.state.set_aside
                try:
                    records = crawl_source(profile, fetcher).documents
                except CrawlIncomplete as exc:
                    incomplete.append(exc)
                    summary.failed_sources.append(profile.id)
                    continue
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
    if incomplete:
        # the registry keeps the last complete crawl; the published warehouse stays as it was
        tables.write_json("crawl_counters", {
            "sources": summary.sources, "discovered": summary.discovered, "downloaded": summary.downloaded,
            "not_modified": summary.not_modified, "failed": summary.failed,
            "failed_by_kind": summary.failed_by_kind, "failed_sources": summary.failed_sources})
        raise CrawlIncomplete(incomplete[0].source_id, [f for e in incomplete for f in e.failures]) \
            if len(incomplete) == 1 else RuntimeError("; ".join(str(e) for e in incomplete))
    previous, set_aside = read_registry()
    summary.set_aside += set_aside
    tables.write_json(SET_ASIDE_NOTES, {"notes": summary.set_aside})  # `xxgk run` prints them
    merged = verify_raw(merge_history(rows, previous), store)
    for row in merged:
        if row["in_latest_crawl"] and row["error_kind"] == RAW_CORRUPT:
            summary.failed += 1
            summary.failed_by_kind[RAW_CORRUPT] = summary.failed_by_kind.get(RAW_CORRUPT, 0) + 1
            summary.downloaded -= 1
    tables.write_table("crawl_documents", merged, CRAWL_COLUMNS)
    return [r for r in merged if r["in_latest_crawl"]], summary, profiles


RAW_CORRUPT = "raw_corrupt"
SET_ASIDE_NOTES = "crawl_set_aside"


def read_registry() -> tuple[list[dict], list[str]]:
    """The previous crawl's rows; a damaged file is set aside (renamed, never deleted) and the
    registry rebuilt from this crawl, so one bad file cannot fail every later run."""
    path = tables.staging_path("crawl_documents")
    if not tables.exists("crawl_documents"):
        return [], []
    try:
        rows = tables.read_records("crawl_documents")
        if rows and not {"document_url", "sha256", "error_kind", "fetched_at"} <= set(rows[0]):
            raise ValueError("columns missing")
        return rows, []
    except Exception as exc:  # pyarrow raises several types on a damaged file
        aside = tables.set_aside_damaged(path)
        return [], [f"{path.name}: unreadable ({type(exc).__name__}: {str(exc)[:120]}); moved to {aside.name}, "
                    "rebuilt from this crawl (earlier versions of changed reports are no longer listed)"]


def verify_raw(rows: list[dict], store) -> list[dict]:
    """Check each stored blob against its sha256 (a changed digit on disk must never become a wrong
    fact). A blob this crawl could not re-download whole is marked `raw_corrupt` and is not extracted."""
    out, checked = [], {}
    for row in rows:
        sha = row.get("sha256")
        if sha and not row.get("error_kind"):
            if sha not in checked:
                checked[sha] = store.verify(sha)
            if not checked[sha]:
                row = {**row, "error_kind": RAW_CORRUPT,
                       "error_message": f"the stored copy {row.get('raw_path')} no longer matches its sha256 "
                                        "(damaged on disk) and the source did not serve these bytes again; "
                                        "it is not extracted"}
        out.append(row)
    return out


def merge_history(current: list[dict], previous: list[dict] | None = None) -> list[dict]:
    """Every version ever fetched stays: a report whose bytes changed at the same URL (a silent
    correction) keeps its earlier version. `fetched_at` is when a version was first fetched.
    Failed fetches count for the current crawl only; they are not history."""
    if previous is None:
        previous = read_registry()[0]
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

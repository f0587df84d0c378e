"""Crawling county portals for 政府信息公开工作年度报告 (no Dagster, no DuckDB here).

Typical use (serve_directory lives in pipelines.crawl.serve, so `python -m` can run it):

    profile = load_profile("sample_county.toml", base_url=url)
    with Fetcher.from_profile(profile, store=RawStore()) as fetcher:
        records = crawl(profile, fetcher)
"""
from pipelines.crawl.discover import CrawlResult, DocumentRecord, NoDocumentsFound, crawl, crawl_source
from pipelines.crawl.fetch import Fetcher, FetchResult, decode_html, sniff
from pipelines.crawl.orgs import resolve_org
from pipelines.crawl.profile import Profile, ProfileError, load_profile, load_profiles, rebase_profile
from pipelines.crawl.rawstore import RawStore
from pipelines.crawl.titles import parse_title

__all__ = [
    "CrawlResult", "DocumentRecord", "FetchResult", "Fetcher", "NoDocumentsFound", "Profile", "ProfileError",
    "RawStore", "crawl", "crawl_source", "decode_html", "load_profile", "load_profiles", "parse_title",
    "rebase_profile", "resolve_org", "sniff",
]

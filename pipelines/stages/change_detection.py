"""Decide whether a crawl changed anything the published warehouse was built from."""
from __future__ import annotations

import hashlib
import json

from pipelines import settings
from pipelines.stages import tables
from pipelines.stages.extract_stage import EXTRACTOR_VERSION

CRAWL_FINGERPRINT = "crawl_fingerprint"
PUBLISHED_FINGERPRINT = "published_fingerprint"


def _models_digest() -> str:
    """The dbt project's sources: a changed model must rebuild the marts even if no report changed."""
    h = hashlib.sha256()
    for path in sorted(settings.DBT_PROJECT_DIR.rglob("*")):
        if path.suffix in (".sql", ".yml") and "target" not in path.parts:
            h.update(path.relative_to(settings.DBT_PROJECT_DIR).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def crawl_fingerprint(rows: list[dict]) -> str:
    """Same documents, same bytes, same errors, same extractor, models and review decisions →
    same fingerprint."""
    docs = sorted((r.get("document_url") or "", r.get("sha256") or "", r.get("error_kind") or "",
                   r.get("title") or "") for r in rows)
    payload = json.dumps({"docs": docs, "environment": environment_digest()})
    return hashlib.sha256(payload.encode()).hexdigest()


def environment_digest() -> str:
    """Everything besides the portal's bytes that a county's staging is built from: the extractor,
    OCR on or off, the dbt models, the review decisions, and the county's profile, families and
    registry CSV (outside a county scope, every enabled profile's)."""
    from pipelines.core import ocr
    from pipelines.review.decisions import digest as review_digest
    from pipelines.stages.crawl_stage import profile_path
    from pipelines.stages.orgs_stage import sources_digest  # profiles, families, registry CSVs

    county = tables.current_county()  # a county's fingerprint covers its own profile only
    payload = json.dumps({"extractor": EXTRACTOR_VERSION, "ocr": ocr.enabled(), "models": _models_digest(),
                          "review": review_digest(),
                          "sources": sources_digest([profile_path(county)] if county else None)})
    return hashlib.sha256(payload.encode()).hexdigest()


def record_crawl(fingerprint: str) -> None:
    tables.write_json(CRAWL_FINGERPRINT, {"fingerprint": fingerprint})


def mark_published() -> None:
    """Called once the warehouse built from the last crawl of every county is published."""
    for county in tables.counties_with(CRAWL_FINGERPRINT):
        with tables.county_scope(county):
            tables.write_json(PUBLISHED_FINGERPRINT, _read_json_or_empty(CRAWL_FINGERPRINT))
    if tables.json_path(CRAWL_FINGERPRINT).exists():  # the single-file layout (one stage run alone)
        tables.write_json(PUBLISHED_FINGERPRINT, _read_json_or_empty(CRAWL_FINGERPRINT))


def unchanged_since_publish(fingerprint: str) -> bool:
    """Nothing to do: same fingerprint as the published build, and every registry document has
    its extraction result (a run killed mid-extraction, e.g. an interrupted --force after an
    extractor bump, left some without: skipping would leave the counters and the warehouse apart)."""
    published = _read_json_or_empty(PUBLISHED_FINGERPRINT).get("fingerprint")
    return (published == fingerprint and settings.warehouse_path().exists()
            and not documents_pending_extraction())


def _read_json_or_empty(name: str) -> dict:
    """A damaged fingerprint file only costs one rebuild; it is set aside, never a traceback."""
    try:
        value = tables.read_json(name)
        return value if isinstance(value, dict) else {}
    except (OSError, ValueError):
        try:
            tables.set_aside_damaged(tables.json_path(name))
        except OSError:
            pass
        return {}


def documents_pending_extraction() -> list[str]:
    """sha256 of registry documents with no result from the current extractor version (a new
    extractor release, or a run that stopped half-way)."""
    from pipelines.stages.crawl_stage import read_registry
    from pipelines.stages.extract_stage import cache_path

    return sorted({r["sha256"] for r in read_registry()[0]
                   if r["sha256"] and not r["error_kind"] and not cache_path(r["sha256"]).exists()})


def unpublished_crawl() -> bool:
    """The last crawl (of this county; outside a county scope, of any county) found something the
    published warehouse was not built from."""
    if tables.current_county() is None and tables.counties_with(CRAWL_FINGERPRINT):
        return any(_county_unpublished(c) for c in tables.counties_with(CRAWL_FINGERPRINT))
    crawled = _read_json_or_empty(CRAWL_FINGERPRINT).get("fingerprint")
    return bool(crawled) and not unchanged_since_publish(crawled)


def _county_unpublished(county: str) -> bool:
    with tables.county_scope(county):
        return unpublished_crawl()

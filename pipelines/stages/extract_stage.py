"""Extract every downloaded report once, and again only when another try could change the outcome.

Results are cached per content hash and extractor version (`cache_path`). Each entry also records
what the reader could do when it ran (`reader_capabilities`: converter on PATH, OCR on and its
engine importable, versions), how many times in a row it failed, and a digest of the result:

- a success, or a permanent failure (`not_a_report`, `corrupt_file`, ...), is kept until the bytes
  (a new sha256) or the versions change;
- a failure for want of a capability (`needs_converter`, `needs_ocr`) is retried as soon as the
  capability is there (LibreOffice installed, `XXGK_OCR=1`);
- a failure by chance (`timeout`, `worker_crashed`, `out_of_memory`) or of the raw store at the
  time (`missing_file`, `raw_corrupt`: the crawl re-downloads) is retried on the next run, up to
  MAX_TRANSIENT_ATTEMPTS times in a row, so one hostile file cannot cost every nightly run its
  time limit for ever;
- a damaged entry (not JSON, wrong shape, digest mismatch) is moved aside to
  `staging/extracted/damaged/` and the document extracted again, instead of failing the run.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import shutil
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from pipelines import settings

log = logging.getLogger(__name__)

# Bump when the extractor's output changes, so cached results are recomputed.
EXTRACTOR_VERSION = "3"

CACHE_FORMAT = 2  # entries written as {"format", "capabilities", "attempts", "digest", "result"}

# Failure kinds, by what could make another try succeed. Transient: chance (a busy machine, a
# crashed worker) or a raw file missing or damaged at the time, which the crawl re-downloads.
TRANSIENT_KINDS = frozenset({"timeout", "worker_crashed", "out_of_memory", "missing_file", "raw_corrupt"})
NEEDS_CONVERTER = "needs_converter"
NEEDS_OCR = "needs_ocr"
# Anything else (not_a_report, corrupt_file, encrypted, no_tables_found, ...) is a property of the
# bytes and the reader: retried only when one of them changes.
MAX_TRANSIENT_ATTEMPTS = 3


@dataclass
class ExtractSummary:
    extracted: int = 0
    skipped_unchanged: int = 0
    failed: int = 0
    failed_by_kind: dict[str, int] = field(default_factory=dict)
    retried: int = 0  # documents extracted again because an earlier failure could heal
    retried_by_kind: dict[str, int] = field(default_factory=dict)  # by the earlier failure's kind
    retried_healed: int = 0  # of those, now parsed (ok or partial)
    cache_discarded: int = 0  # damaged cache entries moved aside and re-extracted


# ---------------------------------------------------------------- what the reader can do


def _reader_version() -> str | None:
    """A version constant of the extraction core, if it declares one."""
    import pipelines.core as core

    for name in ("READER_VERSION", "EXTRACTOR_VERSION", "__version__"):
        value = getattr(core, name, None)
        if value is not None:
            return str(value)
    return None


def _ocr_enabled() -> bool:
    from pipelines.core import ocr

    return ocr.enabled()


def reader_capabilities() -> dict:
    """What a reader in this process can do; part of every cache entry's key."""
    ocr_engine = importlib.util.find_spec("rapidocr") is not None
    return {
        "extractor": EXTRACTOR_VERSION,
        "reader": _reader_version(),
        "converter": bool(shutil.which("soffice") or shutil.which("libreoffice")),
        "ocr": _ocr_enabled() and ocr_engine,
    }


def retry_reason(entry: dict | None, now: dict) -> str | None:
    """Why a cached entry should be extracted again under capabilities `now` (None: reuse it).

    `entry` is what `read_entry` returns; an entry without recorded capabilities (written before
    they were recorded) counts as made without any, so its healable failures are retried once.
    """
    if entry is None:
        return "not extracted"
    result = entry["result"]
    if result.get("status") != "failed":
        # A good reading is not thrown away because a capability is missing now (a daemon started
        # with a narrower PATH, or without XXGK_OCR): the warehouse would lose reports.
        return None
    kind = (result.get("error") or {}).get("kind")
    then = entry.get("capabilities") or {}
    if kind == NEEDS_CONVERTER and now["converter"] and not then.get("converter"):
        return "a document converter is available now"
    if kind == NEEDS_OCR and now["ocr"] and not then.get("ocr"):
        return "OCR is on now"
    if kind in TRANSIENT_KINDS and entry.get("attempts", 1) < MAX_TRANSIENT_ATTEMPTS:
        return f"{kind} may not happen again"
    return None


# ---------------------------------------------------------------- the cache


def cache_dir() -> Path:
    # Always the local staging folder, even with staging on object storage ($XXGK_STAGING_URL):
    # a per-machine cache of results, rebuilt from the raw bytes, read by this machine's steps.
    return settings.staging_dir() / "extracted"


def cache_path(sha256: str) -> Path:
    """One entry per document and extractor version (the reader's capabilities are inside)."""
    reader = _reader_version()
    tag = f"-r{hashlib.sha256(reader.encode()).hexdigest()[:8]}" if reader else ""
    return cache_dir() / f"{sha256}.v{EXTRACTOR_VERSION}{tag}.json"


def _digest(result: dict) -> str:
    return hashlib.sha256(json.dumps(result, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def _damage(payload, sha256: str) -> str | None:
    """What is wrong with a decoded cache file, or None when it is sound."""
    if not isinstance(payload, dict):
        return "not a JSON object"
    if "result" in payload:  # the current format
        result = payload["result"]
        if not isinstance(result, dict):
            return "result is not an object"
        if payload.get("digest") != _digest(result):
            return "digest mismatch (the result was altered after it was written)"
    else:  # written before entries carried a digest: the bare result
        result = payload
    if result.get("status") not in ("ok", "partial", "failed"):
        return f"no valid status ({result.get('status')!r})"
    if result.get("sha256") not in (None, sha256):
        return "the result belongs to another document"
    if result["status"] == "failed" and not isinstance(result.get("error"), dict):
        return "a failure without an error"
    if not isinstance(result.get("cells", {}), dict):
        return "cells is not an object"
    return None


def _set_aside(path: Path, why: str) -> None:
    aside = cache_dir() / "damaged"
    aside.mkdir(parents=True, exist_ok=True)
    # unique: two damaged copies of one entry within a second are both kept
    target = aside / f"{path.name}.{time.strftime('%Y%m%dT%H%M%S', time.gmtime())}.{uuid.uuid4().hex[:8]}"
    try:
        os.replace(path, target)
    except FileNotFoundError:  # another reader moved it first
        return
    log.warning("damaged extraction cache entry %s (%s): moved to %s; the document is extracted again",
                path.name, why, target)


def read_entry(sha256: str, set_aside: bool = True) -> dict | None:
    """The cache entry {capabilities, attempts, result} of a document, or None when there is none.

    A damaged file counts as absent, so the next extraction replaces it instead of every run
    failing on it; with `set_aside` it is moved to staging/extracted/damaged/ (kept for review).
    """
    path = cache_path(sha256)
    try:
        raw = path.read_bytes()
        payload = json.loads(raw.decode("utf-8"))
        why = _damage(payload, sha256)
    except FileNotFoundError:
        return None
    except OSError as exc:
        why = f"unreadable: {exc.strerror or exc}"
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        why = f"not JSON: {exc}"
    if why:
        if set_aside:
            _set_aside(path, why)
        return None
    if "result" in payload:
        return payload
    return {"capabilities": None, "attempts": 1, "result": payload}


def load_result(sha256: str) -> dict | None:
    """The cached extraction result of a document (contract dict), or None."""
    entry = read_entry(sha256)
    return entry["result"] if entry else None


def store_result(sha256: str, result: dict, capabilities: dict, attempts: int = 1) -> None:
    path = cache_path(sha256)
    path.parent.mkdir(parents=True, exist_ok=True)
    entry = {"format": CACHE_FORMAT, "capabilities": capabilities, "attempts": attempts,
             "digest": _digest(result), "result": result}
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(entry, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


def _kind(result: dict | None) -> str | None:
    if not result or result.get("status") != "failed":
        return None
    return (result.get("error") or {}).get("kind") or "unknown"


def documents_to_extract(shas: list[str]) -> list[str]:
    """sha256 of the documents a run would extract now: never extracted (or the entry is damaged),
    or an earlier failure that could heal under the current capabilities."""
    now = reader_capabilities()
    return sorted({s for s in shas if retry_reason(read_entry(s, set_aside=False), now)})


def extractable(records: list[dict]) -> list[tuple[str, Path]]:
    """(sha256, raw file) of every downloaded document the registry holds."""
    return [(r["sha256"], settings.data_dir() / r["raw_path"])
            for r in records if r.get("sha256") and r.get("raw_path") and not r.get("error_kind")]


def select_documents(rows: list[dict], documents: list[str] = (), orgs: list[str] = (),
                     years: list[int] = ()) -> set[str]:
    """sha256 of the registry rows an operator named: a document by its sha256 (or a prefix of at
    least 8 characters) or its URL; organisation-years by org_id and/or year (both given: both
    must match). Nothing named: nothing selected."""
    wanted = [d.strip().lower() for d in documents if d.strip()]
    urls = {d.strip() for d in documents if d.strip()}
    orgs, years = set(orgs), {int(y) for y in years}
    out: set[str] = set()
    for r in rows:
        sha = (r.get("sha256") or "").lower()
        if not sha:
            continue
        by_document = r.get("document_url") in urls or any(len(w) >= 8 and sha.startswith(w) for w in wanted)
        by_org_year = bool(orgs or years) and (not orgs or r.get("org_id") in orgs) and (
            not years or (r.get("year") is not None and int(r["year"]) in years))
        if by_document or by_org_year:
            out.add(sha)
    return out


FIRST_REPORT_YEAR = 2008  # the disclosure regulations took effect on 1 May 2008


def parse_rerun_years(text: str | None, this_year: int) -> list[int]:
    """The years of a rerun tag ("2023", "2022, 2023"): ValueError naming the bad part when one
    is not a report year (2008 .. this year), so a typo fails the run instead of matching
    nothing in every county."""
    years = []
    for part in (text or "").replace("，", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit() or not FIRST_REPORT_YEAR <= int(part) <= this_year:
            raise ValueError(f"not a report year: {part!r} (expected {FIRST_REPORT_YEAR}..{this_year}, "
                             "comma-separated)")
        years.append(int(part))
    return sorted(set(years))


def extract_documents(shas_and_paths: list[tuple[str, Path]], timeout_s: float | None = None,
                      workers: int | None = None, force: set[str] | None = None) -> ExtractSummary:
    """Extract each (sha256, raw file) without a reusable result (see the module docstring).
    `timeout_s`: the per-document time limit (default: the extractor's); `workers`: worker
    processes (default: the extractor's, one per core up to 4); `force`: sha256 to extract again
    even when their result could be reused (an operator's rerun of chosen documents)."""
    from pipelines.core.extract import extract_many

    summary = ExtractSummary()
    now = reader_capabilities()
    todo: list[tuple[str, Path, dict | None]] = []
    for sha, path in dict(shas_and_paths).items():
        existed = cache_path(sha).exists()
        entry = read_entry(sha)
        if existed and entry is None:
            summary.cache_discarded += 1
        why = "asked for again" if force and sha in force else retry_reason(entry, now)
        if why is None:
            summary.skipped_unchanged += 1
            continue
        if entry is not None:
            log.info("extracting %s again: %s", sha[:12], why)
        todo.append((sha, path, entry))
    if not todo:
        return summary
    limit = {} if timeout_s is None else {"timeout_s": timeout_s}
    if workers:
        limit["workers"] = workers
    from pipelines.crawl.rawstore import RawStore

    # a remote raw store (XXGK_RAW_URL=s3://…) lends files on disk to the workers; a local one, its own
    with RawStore().local_files([(sha, p) for sha, p, _ in todo]) as files:
        results = extract_many([str(p) for _, p in files], **limit)
        for (sha, _, before), result in zip(todo, results):
            earlier = _kind(before["result"]) if before else None
            kind = _kind(result)
            # consecutive transient failures of the same kind count towards MAX_TRANSIENT_ATTEMPTS
            attempts = before.get("attempts", 1) + 1 if before and earlier == kind and kind in TRANSIENT_KINDS else 1
            store_result(sha, result, now, attempts)
            summary.extracted += 1
            if earlier:
                summary.retried += 1
                summary.retried_by_kind[earlier] = summary.retried_by_kind.get(earlier, 0) + 1
                summary.retried_healed += kind is None
            if kind:
                summary.failed += 1
                summary.failed_by_kind[kind] = summary.failed_by_kind.get(kind, 0) + 1
    return summary

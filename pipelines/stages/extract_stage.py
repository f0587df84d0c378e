"""Extract every downloaded report once: results are cached by content hash and extractor version."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from pipelines import settings

# Bump when the extractor's output changes, so cached results are recomputed.
EXTRACTOR_VERSION = "3"


@dataclass
class ExtractSummary:
    extracted: int = 0
    skipped_unchanged: int = 0
    failed: int = 0
    failed_by_kind: dict[str, int] = field(default_factory=dict)


def cache_path(sha256: str) -> Path:
    """One result per document, extractor version and OCR setting (XXGK_OCR=1 re-reads scans)."""
    from pipelines.core import ocr

    variant = ".ocr" if ocr.enabled() else ""
    return settings.staging_dir() / "extracted" / f"{sha256}.v{EXTRACTOR_VERSION}{variant}.json"


def load_result(sha256: str) -> dict | None:
    path = cache_path(sha256)
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def _store_result(sha256: str, result: dict) -> None:
    path = cache_path(sha256)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


def extract_documents(shas_and_paths: list[tuple[str, Path]]) -> ExtractSummary:
    """Extract each (sha256, raw file) not extracted before by this extractor version."""
    from pipelines.core.extract import extract_many

    summary = ExtractSummary()
    todo = []
    for sha, path in dict(shas_and_paths).items():
        if cache_path(sha).exists():
            summary.skipped_unchanged += 1
        else:
            todo.append((sha, path))
    if todo:
        results = extract_many([str(p) for _, p in todo])
        for (sha, _), result in zip(todo, results):
            _store_result(sha, result)
            summary.extracted += 1
            if result.get("status") == "failed":
                kind = (result.get("error") or {}).get("kind", "unknown")
                summary.failed += 1
                summary.failed_by_kind[kind] = summary.failed_by_kind.get(kind, 0) + 1
    return summary

"""The extraction cache retries what could heal, keeps what cannot, and survives damaged entries.

Real extraction of real files (a legacy .doc through LibreOffice, inline HTML reports, an HTML
error page), in a data folder under tmp_path; "no converter" is a PATH without `soffice`.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

from pipelines.stages import extract_stage as es

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "data/sample_portal/zfxxgk/zfxxgknb/202102/P020210225034665675908.doc"  # legacy .doc
HTML_OK = REPO / "tests/fixtures/readers/taoyuan-town-2021-gbk.html"  # an inline report
NOT_A_REPORT = REPO / "tests/fixtures/focused/bad-404.html"  # an error page under a report's link
SCANNED = REPO / "tests/fixtures/focused/image-tables.pdf"  # tables as images: needs_ocr

needs_soffice = pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice (soffice) not installed")


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def docs(*paths: Path) -> list[tuple[str, Path]]:
    return [(sha(p), p) for p in paths]


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("XXGK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("XXGK_OCR", "0")  # OCR is on by default; these tests switch it on themselves
    return tmp_path / "data"


@pytest.fixture
def no_converter(tmp_path, monkeypatch):
    """A PATH on which neither soffice nor libreoffice exists (as before LibreOffice was installed)."""
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    assert not es.reader_capabilities()["converter"]
    return monkeypatch


@needs_soffice
def test_installing_the_converter_heals_needs_converter_on_a_plain_rerun(data_dir, monkeypatch, tmp_path):
    path_with_soffice = os.environ["PATH"]
    batch = docs(DOC, HTML_OK, NOT_A_REPORT)
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))

    first = es.extract_documents(batch)
    assert (first.extracted, first.retried) == (3, 0)
    assert first.failed_by_kind == {"needs_converter": 1, "not_a_report": 1}
    # without a converter nothing can heal: a rerun extracts nothing
    assert es.documents_to_extract([s for s, _ in batch]) == []
    again = es.extract_documents(batch)
    assert (again.extracted, again.skipped_unchanged) == (0, 3)

    monkeypatch.setenv("PATH", path_with_soffice)  # LibreOffice installed
    assert es.documents_to_extract([s for s, _ in batch]) == [sha(DOC)]
    healed = es.extract_documents(batch)
    assert (healed.extracted, healed.skipped_unchanged) == (1, 2)
    assert (healed.retried, healed.retried_healed) == (1, 1)
    assert healed.retried_by_kind == {"needs_converter": 1}
    result = es.load_result(sha(DOC))
    assert result["status"] in ("ok", "partial") and result["format"] == "doc"
    assert result["cells"]  # the report's numbers are there now
    # the permanent failure stays as it was, and is not tried again
    assert es.load_result(sha(NOT_A_REPORT))["error"]["kind"] == "not_a_report"
    assert es.extract_documents(batch).extracted == 0


def test_switching_ocr_on_retries_needs_ocr_only(data_dir, monkeypatch):
    assert not es.reader_capabilities()["ocr"]  # XXGK_OCR=0
    batch = docs(SCANNED, NOT_A_REPORT)
    first = es.extract_documents(batch)
    assert first.failed_by_kind == {"needs_ocr": 1, "not_a_report": 1}
    assert es.documents_to_extract([s for s, _ in batch]) == []
    monkeypatch.setenv("XXGK_OCR", "1")
    assert es.reader_capabilities()["ocr"]
    assert es.documents_to_extract([s for s, _ in batch]) == [sha(SCANNED)]


def test_a_chance_failure_is_retried_up_to_the_cap(data_dir):
    batch = docs(HTML_OK)
    for attempt in range(1, es.MAX_TRANSIENT_ATTEMPTS + 1):
        # a time limit of 0 s: the worker is killed before it can answer
        summary = es.extract_documents(batch, timeout_s=0)
        assert (summary.extracted, summary.failed_by_kind) == (1, {"timeout": 1})
        assert summary.retried == (attempt > 1)
        assert es.read_entry(sha(HTML_OK))["attempts"] == attempt
    # MAX_TRANSIENT_ATTEMPTS timeouts in a row: the next plain run leaves it alone
    assert es.documents_to_extract([sha(HTML_OK)]) == []
    assert es.extract_documents(batch).skipped_unchanged == 1


def test_a_chance_failure_heals_on_the_next_run(data_dir):
    batch = docs(HTML_OK)
    assert es.extract_documents(batch, timeout_s=0).failed_by_kind == {"timeout": 1}
    summary = es.extract_documents(batch)
    assert (summary.retried, summary.retried_healed, summary.retried_by_kind) == (1, 1, {"timeout": 1})
    assert es.load_result(sha(HTML_OK))["status"] == "ok"


def test_retry_reason_by_kind_and_capability():
    none = {"extractor": "3", "reader": None, "converter": False, "ocr": False}
    everything = {**none, "converter": True, "ocr": True}

    def entry(kind: str | None, caps: dict | None = none, attempts: int = 1) -> dict:
        result = {"status": "failed", "error": {"kind": kind, "message": ""}} if kind else {"status": "ok"}
        return {"capabilities": caps, "attempts": attempts, "result": result}

    assert es.retry_reason(None, none) == "not extracted"
    for kind in ("not_a_report", "corrupt_file", "encrypted", "no_tables_found", None):
        assert es.retry_reason(entry(kind), everything) is None, kind
    assert es.retry_reason(entry("needs_converter"), none) is None
    assert es.retry_reason(entry("needs_converter"), everything)
    assert es.retry_reason(entry("needs_converter", everything), everything) is None  # tried with it
    assert es.retry_reason(entry("needs_ocr"), {**none, "ocr": True})
    assert es.retry_reason(entry("needs_ocr", {**none, "ocr": True}), everything) is None  # OCR gate said no
    for kind in ("timeout", "worker_crashed", "out_of_memory", "missing_file", "raw_corrupt"):
        assert es.retry_reason(entry(kind), none)
        assert es.retry_reason(entry(kind, attempts=es.MAX_TRANSIENT_ATTEMPTS), everything) is None
    # an entry from before capabilities were recorded: its healable failure gets one more try
    assert es.retry_reason(entry("needs_converter", None), everything)
    assert es.retry_reason(entry("not_a_report", None), everything) is None


def _damaged_files(data: Path) -> list[Path]:
    return sorted((data / "staging/extracted/damaged").glob("*"))


def test_a_damaged_cache_entry_is_kept_aside_and_the_document_extracted_again(data_dir):
    batch = docs(HTML_OK)
    es.extract_documents(batch)
    good = es.load_result(sha(HTML_OK))
    path = es.cache_path(sha(HTML_OK))

    path.write_bytes(path.read_bytes()[:500])  # cut short, as by a full disk or a kill
    assert es.documents_to_extract([sha(HTML_OK)]) == [sha(HTML_OK)]
    assert path.exists()  # asking (the sensor, the crawl's gate) moves nothing
    summary = es.extract_documents(batch)
    assert (summary.cache_discarded, summary.extracted, summary.retried) == (1, 1, 0)
    assert es.load_result(sha(HTML_OK)) == good
    aside = _damaged_files(data_dir)
    assert len(aside) == 1 and len(aside[0].read_bytes()) == 500

    # valid JSON with one number changed: the digest catches it, the printed value comes back
    entry = json.loads(path.read_text(encoding="utf-8"))
    code, value = next((k, v) for k, v in entry["result"]["cells"].items() if isinstance(v, int))
    entry["result"]["cells"][code] = value + 1
    path.write_text(json.dumps(entry, ensure_ascii=False), encoding="utf-8")
    assert es.load_result(sha(HTML_OK)) is None  # never served
    summary = es.extract_documents(batch)
    assert (summary.cache_discarded, summary.extracted) == (0, 1)  # load_result had set it aside already
    assert es.load_result(sha(HTML_OK))["cells"][code] == value
    assert len(_damaged_files(data_dir)) == 2


def test_an_entry_of_another_document_or_shape_is_damaged(data_dir):
    batch = docs(HTML_OK, NOT_A_REPORT)
    es.extract_documents(batch)
    # the 404 page's entry copied over the report's: it would put one document's result on another
    shutil.copyfile(es.cache_path(sha(NOT_A_REPORT)), es.cache_path(sha(HTML_OK)))
    for junk in (b"\xff\xfe not utf-8", b"[1, 2]", b'{"result": "x"}'):
        es.cache_path(sha(NOT_A_REPORT)).write_bytes(junk)
        assert es.read_entry(sha(NOT_A_REPORT), set_aside=False) is None, junk
    summary = es.extract_documents(batch)
    assert (summary.cache_discarded, summary.extracted) == (2, 2)
    assert es.load_result(sha(HTML_OK))["status"] == "ok"
    assert es.load_result(sha(NOT_A_REPORT))["error"]["kind"] == "not_a_report"


def test_an_entry_written_before_capabilities_were_recorded_is_still_used(data_dir):
    """Data folders from before this cache format: a bare result is reused, not re-extracted."""
    batch = docs(HTML_OK)
    es.extract_documents(batch)
    path = es.cache_path(sha(HTML_OK))
    bare = json.loads(path.read_text(encoding="utf-8"))["result"]
    path.write_text(json.dumps(bare, ensure_ascii=False), encoding="utf-8")
    summary = es.extract_documents(batch)
    assert (summary.skipped_unchanged, summary.extracted, summary.cache_discarded) == (1, 0, 0)
    assert es.load_result(sha(HTML_OK)) == bare


def test_a_raw_file_missing_at_extraction_is_retried_once_it_is_back(data_dir, tmp_path):
    raw = tmp_path / "raw" / sha(HTML_OK)
    batch = [(sha(HTML_OK), raw)]
    first = es.extract_documents(batch)  # the raw store lost the file (the crawl re-downloads it)
    assert first.failed_by_kind == {"missing_file": 1}
    raw.parent.mkdir(parents=True)
    shutil.copyfile(HTML_OK, raw)
    again = es.extract_documents(batch)
    assert (again.retried, again.retried_healed, again.retried_by_kind) == (1, 1, {"missing_file": 1})
    assert es.load_result(sha(HTML_OK))["status"] == "ok"

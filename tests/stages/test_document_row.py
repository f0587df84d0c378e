"""A document's staged row says why it has no facts: a crawl failure keeps the crawl's kind; a
downloaded document without an extraction result in this data folder is `not_extracted` with what
to do, never a failure without a kind (a silent loss in coverage)."""
from __future__ import annotations

from pipelines.stages.facts_stage import NOT_EXTRACTED, document_row

RECORD = {"sha256": "ab" * 32, "document_url": "http://x/1.pdf", "source_id": "c1", "org_id": "liuxi",
          "year": 2023, "raw_path": "raw/ab/" + "ab" * 32}


def test_downloaded_but_not_extracted_here_is_named():
    row = document_row(RECORD, None, lambda name: None)
    assert (row["status"], row["error_kind"]) == ("failed", NOT_EXTRACTED)
    assert "extracted_reports" in row["error_message"] and row["document_id"] == "ab" * 32


def test_a_crawl_failure_keeps_its_own_kind():
    failed = {**RECORD, "sha256": None, "error_kind": "http_404", "error_message": "HTTP 404"}
    row = document_row(failed, None, lambda name: None)
    assert (row["status"], row["error_kind"], row["error_message"]) == ("failed", "http_404", "HTTP 404")
    assert row["document_id"] == "missing:http://x/1.pdf"


def test_an_extracted_document_keeps_its_result():
    ok = {"status": "ok", "format": "pdf", "template_s2": "2021", "template_s3": "2021", "read_by": "text"}
    row = document_row(RECORD, ok, lambda name: None)
    assert (row["status"], row["error_kind"], row["format"], row["read_by"]) == ("ok", None, "pdf", "text")

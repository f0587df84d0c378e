"""Item 1 end to end: `xxgk run` killed with SIGKILL of its whole process group while dbt runs
(the run holds the duckdb pool slot), then a plain `xxgk run` must finish by itself and publish
every cell right. Before the fix the second run waited at the first warehouse asset forever
(the hang guard below turns that into a failure).

The reference is the sample county's truth files, which a clean run matches cell for cell
(tests/e2e/test_pipeline.py), so no second clean run is spent here."""
from __future__ import annotations

import json
import math
import os
from pathlib import Path
from urllib.parse import urlparse

import dagster as dg
import duckdb

from pipelines.bench.faults import finish, kill_at, start_run
from pipelines.core.legacy_doc import soffice_path

REPO = Path(__file__).resolve().parents[2]
TEXT_FORMATS = {"pdf", "html", "docx"} | ({"doc"} if soffice_path() else set())


def _wrong_cells(warehouse: Path) -> tuple[int, list]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        docs = {urlparse(u).path: d for u, d in con.execute("select document_url, document_id from raw.documents").fetchall()}
        facts: dict[str, dict] = {}
        for doc_id, code, value in con.execute("select document_id, code, value from raw.facts").fetchall():
            facts.setdefault(doc_id, {})[code] = value
    finally:
        con.close()
    checked, wrong = 0, []
    for path in sorted((REPO / "data" / "sample_truth").glob("*.truth.json")):
        truth = json.loads(path.read_text(encoding="utf-8"))
        if truth["format"] not in TEXT_FORMATS:
            continue
        got = facts.get(docs.get(truth["document_url"]), {})
        if set(got) != set(truth["cells"]):
            wrong.append((truth["report_id"], "cells differ", len(got), len(truth["cells"])))
            continue
        for code, want in truth["cells"].items():
            have = got[code]
            checked += 1
            if not ((want is None and have is None) or (
                    want is not None and have is not None and math.isclose(have, want, abs_tol=1e-9))):
                wrong.append((truth["report_id"], code, want, have))
    return checked, wrong


def test_kill_during_dbt_then_plain_run_recovers(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    port = 18900 + os.getpid() % 50
    assert kill_at(data, port, "dbt", timeout=900), "the run ended before dbt started"
    assert not (data / "warehouse.duckdb").exists()  # killed before anything was published

    with dg.DagsterInstance.from_config(str(data / "dagster_home")) as inst:
        stuck = inst.get_runs(filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED]))
        assert len(stuck) == 1  # the killed run, still STARTED, holding the pool slot
        held = inst.event_log_storage.get_concurrency_info("duckdb").claimed_slots
        assert [s.run_id for s in held] == [stuck[0].run_id]

    rc, counters, err = finish(start_run(data, port), timeout=900)
    assert rc == 0, err[-2000:]
    assert f"run {stuck[0].run_id[:8]} (STARTED) marked failed" in err
    # the killed run's extraction results were kept (a document that failed on time may be retried)
    assert counters["extract_skipped_unchanged"] >= 90
    assert counters["extract_extracted"] + counters["extract_skipped_unchanged"] == 101
    # every text report parses (the scanned two too when OCR is on); nothing failed as our bug
    assert counters["reports_parsed"] >= (99 if soffice_path() else 90)
    assert not {"reader_bug", "timeout", "worker_crashed", "not_extracted"} & set(counters["failed_by_kind"])
    assert counters["reports_parsed"] + counters["reports_failed"] == counters["discovered"]
    checked, wrong = _wrong_cells(data / "warehouse.duckdb")
    assert wrong == [] and checked > 10_000

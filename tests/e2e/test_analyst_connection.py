"""An analyst holds a read-only connection on the published warehouse while the next run
rebuilds and publishes: the run succeeds and the analyst never sees a half-built warehouse."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb

# one snapshot per query: the row counts of three marts and the facts' checksum
SNAPSHOT_SQL = """select (select count(*) from marts.org_year), (select count(*) from marts.facts),
                         (select count(*) from marts.coverage),
                         (select round(sum(value), 4) from marts.facts where value_state = 'number')"""

ANALYST = textwrap.dedent("""
    import json, sys, time, duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    print("connected", flush=True)
    seen = set()
    while True:
        row = con.execute(sys.argv[2]).fetchone()
        seen.add(json.dumps(row))
        if sys.stdin.readline().strip() == "stop":
            break
    print(json.dumps(sorted(seen)), flush=True)
""")


def _snapshot(path: Path):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return json.dumps(con.execute(SNAPSHOT_SQL).fetchone())
    finally:
        con.close()


def test_second_run_publishes_while_an_analyst_is_connected(pipeline):
    data, result = pipeline
    assert result.success
    published = data / "warehouse.duckdb"
    before = _snapshot(published)
    analyst = subprocess.Popen([sys.executable, "-c", ANALYST, str(published), SNAPSHOT_SQL], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True)
    assert analyst.stdout.readline().strip() == "connected"
    env = {**os.environ, "XXGK_DATA_DIR": str(data), "DAGSTER_HOME": str(data / "dagster_home")}
    run = subprocess.Popen([str(Path(sys.executable).with_name("xxgk")), "run", "--force", "--json"], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    polls = 0
    while run.poll() is None:  # the analyst keeps querying for as long as the run lasts
        analyst.stdin.write("go\n")
        analyst.stdin.flush()
        polls += 1
        time.sleep(0.2)
    out, err = run.communicate()
    analyst.stdin.write("stop\n")
    analyst.stdin.flush()
    seen = json.loads(analyst.stdout.readline())
    analyst.wait(timeout=30)

    assert run.returncode == 0, err[-3000:]
    counters = json.loads(out.strip().splitlines()[-1])
    assert counters["success"] and not counters["unchanged_since_last_publish"]
    # the counters `xxgk run --json` prints agree with the sample county's truth
    truths = [json.loads(p.read_text(encoding="utf-8"))
              for p in (Path(__file__).resolve().parents[2] / "data" / "sample_truth").glob("*.truth.json")]
    from pipelines.core.legacy_doc import soffice_path

    unreadable = {"pdf-scanned": "needs_ocr", "not_a_report": "not_a_report"}
    if soffice_path() is None:  # a legacy .doc needs LibreOffice
        unreadable["doc"] = "needs_converter"
    expected_kinds: dict[str, int] = {}
    for t in truths:
        if t["format"] in unreadable:
            expected_kinds[unreadable[t["format"]]] = expected_kinds.get(unreadable[t["format"]], 0) + 1
    assert counters["discovered"] == len(truths)
    assert counters["failed_by_kind"] == expected_kinds
    assert counters["reports_parsed"] == len(truths) - sum(expected_kinds.values())
    assert counters["extract_extracted"] == 0  # nothing new: every document's result is reused
    assert polls > 10
    # the open connection saw exactly one state, the complete warehouse it opened
    assert seen == [before]
    # a new connection sees the newly published warehouse, complete
    assert _snapshot(published) == before


def test_xxgk_run_records_a_county_run_and_a_warehouse_run(pipeline):
    """`xxgk run` records one ingest run per county (partition and portal host tagged, so the UI
    lists it under the county and the run queue can limit runs per host) and one warehouse run, with
    the code that reconstructs them (public `execute_job`, no private launch APIs)."""
    import dagster as dg

    data, _ = pipeline
    instance = dg.DagsterInstance.from_config(str(data / "dagster_home"))
    try:
        runs = instance.get_runs(filters=dg.RunsFilter(tags={"launched_by": "xxgk run"}))
        assert runs, "test_second_run_publishes_while_an_analyst_is_connected runs `xxgk run` first"
        ingest = [r for r in runs if r.job_name == "xxgk_ingest_county"]
        assert ingest and all(r.status == dg.DagsterRunStatus.SUCCESS for r in ingest)
        assert {r.tags["dagster/partition"] for r in ingest} == {"sample_county"}
        assert {r.tags["xxgk/host"] for r in ingest} == {"www.chenglan.gov.cn"}
        assert ingest[0].job_code_origin.repository_origin.code_pointer.module == "pipelines.definitions"
        assert instance.get_dynamic_partitions("county") == ["sample_county"]
    finally:
        instance.dispose()

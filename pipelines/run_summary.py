"""What a run did, from its own events and the published warehouse, for people and for scripts."""
from __future__ import annotations

import sys
from typing import TextIO

from pipelines import settings

# asset -> (metadata keys to report, prefix in the counters); the crawl's come from crawl_counters.json
_COUNTERS = {
    "extracted_reports": (["extracted", "skipped_unchanged", "retried", "retried_healed", "retried_by_kind",
                           "cache_discarded"], "extract_"),
    "report_facts": (["documents", "facts"], ""),
}


def _meta_value(entry):
    return getattr(entry, "value", entry)


_SUMMED = {"extract_extracted", "extract_skipped_unchanged", "extract_retried", "extract_retried_healed",
           "extract_cache_discarded", "documents", "facts"}


def collect_counters(results, counties: list[str] | None = None) -> dict:
    """Counters of this invocation's runs (asset metadata, summed over the counties' runs), plus
    the warehouse's totals. `results`: one run's result, or a list of them (launch.RunOutcome)."""
    from pipelines.stages import tables

    results = results if isinstance(results, list) else [results]
    counters: dict = {"success": bool(results) and all(r.success for r in results),
                      "run_id": results[-1].run_id if results else "", "run_ids": [r.run_id for r in results],
                      "extract_extracted": 0, "extract_skipped_unchanged": 0, "extract_retried": 0,
                      "extract_retried_healed": 0, "extract_retried_by_kind": {}, "extract_cache_discarded": 0}
    # the crawl's counters are written every run, also when nothing changed and the asset skips
    per_county = tables.read_json_per_county("crawl_counters")
    if counties is not None:
        per_county = {c: v for c, v in per_county.items() if c in counties}
    if not per_county and tables.read_json("crawl_counters"):  # one stage run in the single-file layout
        per_county = {"": tables.read_json("crawl_counters")}
    for k in ("discovered", "downloaded", "not_modified", "failed", "download_retried", "download_retried_healed"):
        counters[k] = sum(int(c.get(k, 0) or 0) for c in per_county.values())
    counters["download_failed_by_kind"] = {}
    for c in per_county.values():
        for kind, n in (c.get("failed_by_kind") or {}).items():
            counters["download_failed_by_kind"][kind] = counters["download_failed_by_kind"].get(kind, 0) + n
    counters["counties"] = sorted({r.county for r in results if getattr(r, "county", None)}) or counties or []
    counters["counties_failed"] = sorted({r.county for r in results if getattr(r, "county", None) and not r.success})
    materialized = set()
    for result in results:
        for event in result.get_asset_materialization_events():
            mat = event.step_materialization_data.materialization
            name = mat.asset_key.path[-1]
            materialized.add(name)
            keys, prefix = _COUNTERS.get(name, ([], ""))
            for key in keys:
                if key in mat.metadata:
                    value = _meta_value(mat.metadata[key])
                    if prefix + key in _SUMMED and isinstance(value, (int, float)):
                        counters[prefix + key] = counters.get(prefix + key, 0) + value
                    elif isinstance(value, dict) and isinstance(counters.get(prefix + key), dict):
                        for k, v in value.items():
                            counters[prefix + key][k] = counters[prefix + key].get(k, 0) + v
                    else:
                        counters[prefix + key] = value
    failed_checks = {
        f"{ev.event_specific_data.asset_key.to_user_string()}:{ev.event_specific_data.check_name}"
        for result in results for ev in result.all_events
        if ev.event_type_value == "ASSET_CHECK_EVALUATION" and not ev.event_specific_data.passed
    }
    counters["identity_checks_failed"] = sorted(failed_checks)
    counters["unchanged_since_last_publish"] = "downloaded_reports" not in materialized
    counters.update(warehouse_totals())
    counters.update(current_document_states())
    return counters


def current_document_states() -> dict:
    """Parse outcome of each document the latest crawl found (history versions not counted)."""
    from pipelines.stages import tables
    from pipelines.stages.extract_stage import load_result
    from pipelines.stages.facts_stage import NOT_EXTRACTED

    if not tables.exists("crawl_documents"):
        return {}
    parsed = partial = failed = 0
    kinds: dict[str, int] = {}
    for row in tables.read_records("crawl_documents"):
        if not row.get("in_latest_crawl"):
            continue
        result = None if row["error_kind"] or not row["sha256"] else load_result(row["sha256"])
        status = (result or {}).get("status", "failed")
        if status == "failed":
            kind = row["error_kind"] or ((result or {}).get("error") or {}).get("kind") or NOT_EXTRACTED
            kinds[kind] = kinds.get(kind, 0) + 1
            failed += 1
        else:
            parsed += 1
            partial += status == "partial"
    return {"reports_parsed": parsed, "reports_partial": partial, "reports_failed": failed,
            "failed_by_kind": kinds}


def warehouse_totals() -> dict:
    """Facts and identity failures in the published file (every version the registry holds)."""
    import duckdb

    path = settings.warehouse_path()
    if not path.exists():
        return {"warehouse": None}
    con = duckdb.connect(str(path), read_only=True)
    try:
        facts = con.execute("select count(*) from raw.facts").fetchone()[0]
        checks = con.execute("select count(distinct document_id) from raw.identity_checks where ok = false").fetchone()[0]
    finally:
        con.close()
    return {"facts_loaded": int(facts), "documents_breaking_an_identity": int(checks), "warehouse": str(path)}


def print_summary(c: dict, file: TextIO = sys.stdout) -> None:
    p = lambda *a: print(*a, file=file)  # noqa: E731
    p("")
    run = f"run {c['run_id'][:8]}" if c.get("run_id") else "no run needed"
    p("xxgk run " + ("succeeded" if c.get("success") else "FAILED") + f" ({run})")
    if len(c.get("counties") or []) > 1 or c.get("counties_failed"):
        failed = c.get("counties_failed") or []
        p(f"  sources (counties)  {len(c.get('counties') or [])}, {len(failed)} failed"
          + (f": {', '.join(failed)} (their earlier data stays published; coverage says crawl_failed)"
             if failed else ""))
    p(f"  reports found       {c.get('discovered', 0)}")
    if c.get("counties_unchanged"):
        n = len(c["counties_unchanged"])
        p(f"  left as they are    {n} source(s) whose listing pages are unchanged since their last full crawl: "
          f"not crawled again, nothing rebuilt for them ({', '.join(c['counties_unchanged'][:5])}"
          f"{', …' if n > 5 else ''})")
    p(f"  downloaded          {c.get('downloaded', 0)} new, {c.get('not_modified', 0)} not modified, "
      f"{c.get('failed', 0)} failed at download")
    p(f"  extracted           {c.get('extract_extracted', 0)} now, {c.get('extract_skipped_unchanged', 0)} unchanged (skipped)")
    if c.get("download_retried"):
        p(f"  download retried    {c['download_retried']} that failed last run: "
          f"{c.get('download_retried_healed', 0)} downloaded now")
    if c.get("extract_retried"):
        kinds = ", ".join(f"{k} {v}" for k, v in sorted((c.get("extract_retried_by_kind") or {}).items()))
        p(f"  retried             {c['extract_retried']} earlier failure(s) that could heal ({kinds}): "
          f"{c.get('extract_retried_healed', 0)} now parsed")
    if c.get("extract_cache_discarded"):
        p(f"  damaged cache       {c['extract_cache_discarded']} extraction result(s) set aside in "
          f"{settings.staging_dir() / 'extracted' / 'damaged'}; those documents were extracted again")
    if c.get("unchanged_since_last_publish"):
        p("                      nothing changed since the last publish: extraction, load and dbt skipped")
    p(f"  parsed              {c.get('reports_parsed', 0)} ({c.get('reports_partial', 0)} partial)")
    kinds = ", ".join(f"{k} {v}" for k, v in sorted((c.get('failed_by_kind') or {}).items())) or "none"
    p(f"  failed              {c.get('reports_failed', 0)} ({kinds})")
    p(f"  facts loaded        {c.get('facts_loaded', 0)}")
    checks = ", ".join(c.get("identity_checks_failed") or []) or "none"
    p(f"  identity checks     {c.get('documents_breaking_an_identity', 0)} document(s) break an identity "
      f"in their own print (flagged, values kept); failed checks this run: {checks}")
    if c.get("warehouse"):
        p(f"  warehouse           {c['warehouse']}")
        from pipelines.warehouse.publish import duckdb_cli

        p(f"  open it with        {duckdb_cli()} -readonly {c['warehouse']}   "
          f"(or python: duckdb.connect(path, read_only=True)); marts are in schema marts")
    report = settings.data_dir() / "reports" / "index.html"
    if report.exists():
        p(f"  county report       {report}  (static HTML, works offline)")
    p(f"SUMMARY found={c.get('discovered', 0)} downloaded={c.get('downloaded', 0)} "
      f"parsed={c.get('reports_parsed', 0)} failed={c.get('reports_failed', 0)} "
      f"facts={c.get('facts_loaded', 0)} checks_failed={len(c.get('identity_checks_failed') or [])} "
      f"retried={c.get('extract_retried', 0)}")

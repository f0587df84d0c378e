"""The `xxgk` command: run the pipeline, extract files, serve the sample portal, review."""
from __future__ import annotations

import argparse
import contextlib
import json
import sys

from pipelines import settings
from pipelines.instance import ensure_dbt_manifest, prepare_environment


def _cmd_run(args: argparse.Namespace) -> int:
    from pipelines.instance import DataDirLock, DataDirProblem, check_data_dir_writable

    try:
        check_data_dir_writable()
        lock = DataDirLock()
        lock.acquire(wait=not args.no_wait, on_wait=lambda holder: print(
            f"xxgk run: another run is using {settings.data_dir()} ({holder}); waiting for it to finish "
            "(--no-wait refuses instead)", file=sys.stderr, flush=True))
    except DataDirProblem as exc:
        print(f"xxgk run: error: {exc}", file=sys.stderr)
        return 2
    try:
        return _run_locked(args)
    finally:
        lock.release()


def recover_from_kills(instance) -> list[str]:
    """What an earlier run killed mid-way left behind, undone before this run starts (under the lock)."""
    from pipelines.core.legacy_doc import reap_orphans
    from pipelines.instance import reap_stale_runs
    from pipelines.warehouse.publish import remove_stale_temp_files

    actions = reap_stale_runs(instance)
    actions += [f"removed {p.name}, left by an interrupted publish" for p in
                remove_stale_temp_files(settings.warehouse_path())]
    actions += reap_orphans()
    return actions


def failure_lines(result) -> list[str]:
    """Why steps failed, one line each (the full traceback stays in the instance's event log)."""
    lines = []
    for ev in getattr(result, "all_events", []):
        if ev.event_type_value == "STEP_FAILURE":
            err = getattr(ev.event_specific_data, "error", None)
            cause = err
            while cause is not None and getattr(cause, "cause", None) is not None \
                    and cause.cls_name in ("DagsterExecutionStepExecutionError", "DagsterUserCodeExecutionError"):
                cause = cause.cause
            text = (cause.message if cause is None or cause.message.startswith(cause.cls_name)
                    else f"{cause.cls_name}: {cause.message}") if cause is not None else "failed"
            text = text.strip()
            lines.append(f"{ev.step_key}: {text.splitlines()[0] if text else 'failed'}")
    return lines


def _set_aside_notes() -> list[str]:
    """Damaged crawl-state files this run renamed aside and rebuilt (written by the crawl stage)."""
    from pipelines.stages import tables
    from pipelines.stages.crawl_stage import SET_ASIDE_NOTES

    try:
        return list(tables.read_json(SET_ASIDE_NOTES).get("notes") or [])
    except (OSError, ValueError, AttributeError):
        return []


def _run_locked(args: argparse.Namespace) -> int:
    prepare_environment()
    ensure_dbt_manifest()
    import dagster as dg

    from pipelines.instance import register_counties
    from pipelines.run_summary import collect_counters, print_summary

    instance = dg.DagsterInstance.get()
    for line in recover_from_kills(instance):
        print(f"xxgk run: {line}", file=sys.stderr)
    run_config = {}
    if not args.verbose:  # the event log stays complete in the instance (and the UI)
        run_config["loggers"] = {"console": {"config": {"log_level": "WARNING"}}}
    counties = register_counties(instance)
    if args.verbose:
        outcomes, left_out = _run_counties_then_warehouse(instance, counties, run_config, args.force)
    else:  # dbt's own progress lines go to a log file; the summary says where
        log_path = settings.data_dir() / "logs" / "xxgk-run-latest.log"
        log_path.parent.mkdir(parents=True, exist_ok=True)
        print(f"xxgk run: crawling {len(counties)} source(s), extracting, loading, building; progress in "
              f"{log_path}", file=sys.stderr)
        with log_path.open("w", encoding="utf-8") as log, contextlib.redirect_stdout(log):
            outcomes, left_out = _run_counties_then_warehouse(instance, counties, run_config, args.force)
    counters = collect_counters(outcomes, counties)
    counters["counties_unchanged"] = left_out
    if not outcomes and left_out:  # nothing needed a run: every county's listings are as crawled
        counters["success"] = True
    counters["failed_steps"] = [line for o in outcomes for line in failure_lines(o)]
    print_summary(counters, file=sys.stdout if not args.json else sys.stderr)
    for line in counters["failed_steps"]:
        print(f"  failed step         {line}", file=sys.stdout if not args.json else sys.stderr)
    for note in _set_aside_notes():
        print(f"  damaged state file  {note}", file=sys.stdout if not args.json else sys.stderr)
    if args.json:
        print(json.dumps(counters, ensure_ascii=False))
    return 0 if counters["success"] else 1


def _run_counties_then_warehouse(instance, counties: list[str], run_config: dict,
                                  force: bool) -> tuple[list, list[str]]:
    """One ingest run per county whose listings changed (see stages/listing_probe.py), then one
    warehouse run when some county staged new facts (or the warehouse is missing, or --force).
    A failed county does not stop the others or the build. Returns (run outcomes, counties left
    as they are)."""
    from pipelines.launch import build_warehouse, run_counties, staged_new_facts
    from pipelines.stages import listing_probe

    log = lambda line: print(f"xxgk run: {line}", file=sys.stderr)  # noqa: E731
    probes = {} if force else listing_probe.probe_counties(counties)
    left_out = [c for c in counties if c in probes and probes[c].skip]
    for c in left_out:
        listing_probe.skipped_counters(c)
    _observe_left_out(instance, [probes[c] for c in left_out])
    if left_out:
        log(f"{len(left_out)} of {len(counties)} county(ies) left as they are: listings unchanged since their "
            f"last full crawl (full crawl every {listing_probe.full_crawl_days():g} days; --force crawls all)")
    to_run = [c for c in counties if c not in left_out]
    outcomes = run_counties(instance, to_run, run_config, force=force, log=log) if to_run else []
    for o in outcomes:
        if o.county and o.success:
            listing_probe.record_full_crawl(o.county, probes[o.county].fingerprint if o.county in probes else None)
        elif o.county:
            listing_probe.forget(o.county)
    if left_out and not outcomes:
        _confirm_fresh(instance, len(left_out))
    from pipelines.stages import tables

    # a county that failed is rebuilt too: its coverage must say crawl_failed (its data stays)
    failed = any(not o.success for o in outcomes)
    if tables.exists("documents") and (force or failed or staged_new_facts(outcomes)
                                       or not settings.warehouse_path().exists()):
        outcomes.append(build_warehouse(instance, run_config))
    return outcomes, left_out


def _observe_left_out(instance, probes: list) -> None:
    """The UI shows, on each county partition of downloaded_reports, that tonight its listings were
    read and found unchanged (an observation: nothing was materialised)."""
    import dagster as dg

    for p in probes:
        instance.report_runless_asset_event(dg.AssetObservation(
            asset_key="downloaded_reports", partition=p.county,
            metadata={"listings_unchanged": True, "why_no_run": p.reason, "listing_fingerprint": p.fingerprint}))


def _confirm_fresh(instance, counties: int) -> None:
    """Nothing ran: the published warehouse is still current with every county's portal, so its
    freshness restarts now (as an ingest run that found nothing new would record)."""
    from pipelines.instance import warehouse_confirmed_current

    instance.report_runless_asset_event(warehouse_confirmed_current(
        f"xxgk run: the listings of all {counties} county(ies) unchanged since their last full crawl"))


def _cmd_init_instance(args: argparse.Namespace) -> int:
    prepare_environment()
    ensure_dbt_manifest()
    import os

    print(f"DAGSTER_HOME={os.environ['DAGSTER_HOME']}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="xxgk", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run every asset on the project's Dagster instance")
    run.add_argument("--json", action="store_true", help="print the counters as one JSON object on the last line")
    run.add_argument("--verbose", action="store_true", help="print Dagster's event log while running")
    run.add_argument("--force", action="store_true",
                     help="rebuild and publish even when nothing changed since the last publish")
    run.add_argument("--no-wait", action="store_true",
                     help="refuse at once when another xxgk run is using the data folder (default: wait)")
    run.set_defaults(func=_cmd_run)
    # these two take their own options: main() hands them over before this parser runs
    sub.add_parser("extract", help="extract tables from files to JSON Lines (see `xxgk extract --help`)")
    sub.add_parser("serve-sample", help="serve data/sample_portal on 127.0.0.1 (see `xxgk serve-sample --help`)")
    sub.add_parser("review", help="the review queue in the browser on 127.0.0.1 (see `xxgk review --help`)")
    init = sub.add_parser("init-instance", help="write the Dagster instance config and the dbt manifest")
    init.set_defaults(func=_cmd_init_instance)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["extract"]:  # its options are the extractor's own: pass them through untouched
        from pipelines.core.cli_extract import main as extract_main

        return extract_main(argv[1:])
    if argv[:1] == ["serve-sample"]:
        from pipelines.crawl.serve import main as serve_main

        return serve_main(argv[1:])
    if argv[:1] == ["review"]:
        from pipelines.review.server import main as review_main

        return review_main(argv[1:])
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())

"""The `xxgk` command: run the pipeline, extract files, serve the sample portal, review."""
from __future__ import annotations

import argparse
import contextlib
import json
import sys

from pipelines import settings
from pipelines.instance import ensure_dbt_manifest, prepare_environment


def _cmd_run(args: argparse.Namespace) -> int:
    prepare_environment()
    ensure_dbt_manifest()
    import dagster as dg

    from pipelines.launch import run_all_assets
    from pipelines.run_summary import collect_counters, print_summary

    instance = dg.DagsterInstance.get()
    run_config = {"ops": {"downloaded_reports": {"config": {"force": True}}}} if args.force else {}
    if not args.verbose:  # the event log stays complete in the instance (and the UI)
        run_config["loggers"] = {"console": {"config": {"log_level": "WARNING"}}}
    if args.verbose:
        result = run_all_assets(instance, run_config)
    else:  # dbt's own progress lines go to a log file; the summary says where
        log_path = settings.data_dir() / "logs" / "xxgk-run-latest.log"
        log_path.parent.mkdir(parents=True, exist_ok=True)
        print(f"xxgk run: crawling, extracting, loading, building; progress in {log_path}", file=sys.stderr)
        with log_path.open("w", encoding="utf-8") as log, contextlib.redirect_stdout(log):
            result = run_all_assets(instance, run_config)
    counters = collect_counters(result)
    print_summary(counters, file=sys.stdout if not args.json else sys.stderr)
    if args.json:
        print(json.dumps(counters, ensure_ascii=False))
    return 0 if result.success else 1


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

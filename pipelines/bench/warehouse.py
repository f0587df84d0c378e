"""`make bench-warehouse`: what the incremental warehouse saves on a night where one county of many
changed. Synthetic staging for N counties (every code of the 2021 template, random values), a first
build, then one county re-staged; that night is built twice from the same state: incrementally (as
the pipeline does) and with `--full-refresh` (what a table-materialised project does every night).
Prints the raw load and dbt times, the three incremental models' own time from run_results.json, and
the ratios; the last line is one JSON object.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pipelines import settings

INCREMENTAL = ("facts_all", "facts_latest", "facts")


def stage_county(staging: Path, county: str, n_docs: int, seed: int) -> None:
    """One county's staging files: n_docs reports of 2021-template organisations over three years."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from pipelines.core.codes import layout_codes
    from pipelines.stages.facts_stage import CHECK_COLUMNS, DOCUMENT_COLUMNS, FACT_COLUMNS
    from pipelines.stages.orgs_stage import ORG_COLUMNS, YEAR_COLUMNS

    rnd = random.Random(seed)
    codes = sorted(layout_codes("2021", "2021"))
    years = (2021, 2022, 2023)
    n_orgs = max(1, n_docs // len(years))
    docs, facts = [], []
    for i in range(n_docs):
        org, year = f"{county}-o{i % n_orgs:03d}", years[(i // n_orgs) % len(years)]
        doc_id = f"{county}-{seed}-{i:04d}".ljust(64, "0")
        docs.append({c: None for c in DOCUMENT_COLUMNS} | {
            "document_id": doc_id, "source_id": county, "org_id": org, "org_name": f"{org}镇", "year": year,
            "status": "ok", "format": "pdf", "template_s2": "2021", "template_s3": "2021",
            "fetched_at": f"{year + 1}-02-01T10:00:00+08:00", "is_correction": False, "read_by": "text"})
        for j, code in enumerate(codes):
            facts.append({c: None for c in FACT_COLUMNS} | {
                "document_id": doc_id, "code": code, "value": float(rnd.randint(0, 500)), "value_state": "number",
                "page": 2 + j // 60, "x0": 100.0, "top": 100.0 + j % 60, "x1": 120.0, "bottom": 110.0 + j % 60})
    tables = {
        "documents": (docs, DOCUMENT_COLUMNS), "facts": (facts, FACT_COLUMNS), "identity_checks": ([], CHECK_COLUMNS),
        "expected_orgs": ([{"org_id": f"{county}-o{k:03d}", "name": f"{county}-o{k:03d}镇", "org_type": "township",
                            "county": county, "source_id": county} for k in range(n_orgs)], ORG_COLUMNS),
        "expected_years": ([{"year": y, "source_id": county} for y in years], YEAR_COLUMNS),
    }
    for name, (rows, cols) in tables.items():
        (staging / name).mkdir(parents=True, exist_ok=True)
        table = pa.Table.from_pylist([{c: r.get(c) for c in cols} for r in rows]) if rows else pa.table(
            {c: pa.array([], pa.string()) for c in cols})
        pq.write_table(table, staging / name / f"{county}.parquet")


def dbt(data: Path, target: Path, *args: str) -> tuple[float, dict[str, float]]:
    """One `dbt build` (as the pipeline runs it): wall seconds and each model's execution time."""
    from pipelines.warehouse.models_digest import models_digest

    env = {**os.environ, "XXGK_DATA_DIR": str(data), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    cmd = [str(Path(sys.executable).with_name("dbt")), "build", *args, "--project-dir", str(settings.DBT_PROJECT_DIR),
           "--profiles-dir", str(settings.DBT_PROJECT_DIR), "--target-path", str(target),
           "--vars", json.dumps({"models_digest": models_digest(settings.DBT_PROJECT_DIR)})]
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-4000:])
        raise SystemExit("dbt build failed")
    results = json.loads((target / "run_results.json").read_text())["results"]
    return wall, {r["unique_id"].split(".")[-1]: r["execution_time"] for r in results
                  if r["unique_id"].startswith("model.")}


def load(data: Path) -> float:
    from pipelines.warehouse.load import load_staging

    start = time.perf_counter()
    load_staging(data / "staging", data / "build" / "warehouse.duckdb")
    return time.perf_counter() - start


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--counties", type=int, default=20)
    ap.add_argument("--docs-per-county", type=int, default=75)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="xxgk-bench-wh-") as tmp:
        night = Path(tmp) / "night"
        for c in range(args.counties):
            stage_county(night / "staging", f"county_{c:02d}", args.docs_per_county, seed=c)
        load(night)
        first_s, _ = dbt(night, Path(tmp) / "target")
        # the next night county_00 was extracted again (other values)
        stage_county(night / "staging", "county_00", args.docs_per_county, seed=1000)
        full = Path(tmp) / "full"
        shutil.copytree(night, full)
        load_inc = load(night)
        inc_s, inc_models = dbt(night, Path(tmp) / "target")
        load(full)
        full_s, full_models = dbt(full, Path(tmp) / "target_full", "--full-refresh")
        n_facts = args.counties * args.docs_per_county
        inc_m = sum(inc_models.get(m, 0.0) for m in INCREMENTAL)
        full_m = sum(full_models.get(m, 0.0) for m in INCREMENTAL)
        out = {
            "counties": args.counties, "documents": n_facts, "first_build_s": round(first_s, 1),
            "one_county_changed_load_s": round(load_inc, 2),
            "dbt_incremental_s": round(inc_s, 1), "dbt_full_refresh_s": round(full_s, 1),
            "dbt_ratio": round(inc_s / full_s, 3),
            "incremental_models_s": round(inc_m, 2), "same_models_full_s": round(full_m, 2),
            "models_ratio": round(inc_m / full_m, 3) if full_m else None,
            "per_model_incremental": {m: round(inc_models.get(m, 0.0), 2) for m in INCREMENTAL},
            "per_model_full": {m: round(full_models.get(m, 0.0), 2) for m in INCREMENTAL},
        }
        print(f"{args.counties} counties x {args.docs_per_county} documents; one county changed")
        print(f"  dbt build, incremental: {inc_s:.1f} s; with --full-refresh: {full_s:.1f} s "
              f"(ratio {out['dbt_ratio']})")
        print(f"  the three incremental models: {inc_m:.2f} s vs {full_m:.2f} s (ratio {out['models_ratio']})")
        print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

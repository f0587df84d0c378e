"""Load the staging tables into DuckDB, build the dbt models, publish the analysts' copy.

Every asset here writes the DuckDB build file, so all sit in the `duckdb` pool (limit 1).
"""

import contextlib
import datetime
import json
import os
import shutil
import sys
import time
import warnings
from pathlib import Path

import dagster as dg
import duckdb
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from pipelines import settings
from pipelines.automation_names import FRESHNESS_SENSOR
from pipelines.defs.ingest import report_facts
from pipelines.defs.resources import WarehouseDuckDB
from pipelines.stages.change_detection import mark_published
from pipelines.warehouse.models_digest import models_digest, needs_full_refresh

DUCKDB_POOL = "duckdb"
RAW_TABLES = ["documents", "facts", "identity_checks", "expected_orgs", "expected_years", "items",
              "crawl_status", "org_validity", "org_suggestions"]
# when each county's files were loaded: the incremental dbt models read it (a dbt source, so an
# asset of the graph, written by raw_tables like the tables above)
LOAD_LOG = "_loaded_partitions"

dbt_project = DbtProject(project_dir=settings.DBT_PROJECT_DIR, profiles_dir=settings.DBT_PROJECT_DIR)


class SchemaQualifiedTranslator(DagsterDbtTranslator):
    """Models are keyed schema/name (marts/facts), so they never clash with raw/facts."""

    def get_asset_key(self, dbt_resource_props):
        if dbt_resource_props["resource_type"] in ("model", "seed", "snapshot"):
            return dg.AssetKey([dbt_resource_props["schema"].split("_")[-1], dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props):
        return "warehouse"

    def get_asset_check_spec(self, asset_spec, manifest, unique_id, project):
        """dbt tests as non-blocking checks. An error-severity test that fails already fails
        `dbt build`, hence the step, so nothing is published; marked blocking, they also made every
        run where nothing changed (dbt skipped) warn "Blocking asset check … emitted no result"."""
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        return spec._replace(blocking=False) if spec is not None else None


@dg.multi_asset(
    specs=[dg.AssetSpec(["raw", t], deps=[report_facts], group_name="warehouse", kinds={"duckdb"})
           for t in [*RAW_TABLES, LOAD_LOG]],
    pool=DUCKDB_POOL,
)
def raw_tables(context: dg.AssetExecutionContext, warehouse_duckdb: WarehouseDuckDB):
    """Delete-then-insert the staging tables into schema raw of the build file."""
    from pipelines.warehouse.load import load_staging

    stats: dict = {}
    counts = load_staging(settings.staging_url(), warehouse_duckdb.path(), stats,
                          connect=warehouse_duckdb.get_connection) or {}
    context.log.info(f"raw load: {stats.get('reloaded', 0)} county file(s) reloaded, {stats.get('kept', 0)} unchanged")
    files = {"county_files_reloaded": int(stats.get("reloaded", 0)),
             "county_files_unchanged": int(stats.get("kept", 0))}
    for t in RAW_TABLES:
        yield dg.MaterializeResult(asset_key=["raw", t], metadata={"rows": int(counts.get(t, 0)), **files})
    yield dg.MaterializeResult(asset_key=["raw", LOAD_LOG], metadata=files)


@dbt_assets(manifest=dbt_project.manifest_path, project=dbt_project, pool=DUCKDB_POOL,
            dagster_dbt_translator=SchemaQualifiedTranslator())
def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    """staging → core → marts, with dbt tests (identity tests warn: sources do break them)."""
    # dbt resolves the profile's path against its own working folder: give it the absolute one.
    os.environ["XXGK_DATA_DIR"] = str(settings.data_dir())
    removed = remove_stale_invocation_dirs(settings.DBT_PROJECT_DIR / "target")
    if removed:
        context.log.info(f"removed {len(removed)} dbt artefact folder(s) left in dbt_models/target by earlier runs")
    # the incremental models rebuild every county when the models changed (models_digest.py)
    digest = models_digest(settings.DBT_PROJECT_DIR)
    args = ["build", "--vars", json.dumps({"models_digest": digest})]
    if settings.build_warehouse_path().is_file():
        with contextlib.closing(duckdb.connect(str(settings.build_warehouse_path()), read_only=True)) as con:
            if needs_full_refresh(con, digest):
                context.log.info("the models changed since the last build: every model is rebuilt in full")
                args.append("--full-refresh")
    yield from dbt.cli(args, context=context, target_path=settings.dbt_target_dir()).stream()


STALE_INVOCATION_AGE_S = 3600


def remove_stale_invocation_dirs(target: Path, now: float | None = None) -> list[Path]:
    """Per-invocation folders (`<op>-<run>-<id>`) that dagster-dbt's default target path left in
    the project's target/ (earlier versions of this code, killed runs); manifest.json and the
    parse cache stay. Only folders untouched for an hour go: another data folder's build may be
    writing a fresh one."""
    now = time.time() if now is None else now
    removed = []
    for child in target.glob("*-*-*") if target.is_dir() else []:
        if child.is_dir() and now - child.stat().st_mtime > STALE_INVOCATION_AGE_S:
            shutil.rmtree(child, ignore_errors=True)
            removed.append(child)
    return removed


@dg.asset(group_name="warehouse", deps=[dbt_models], pool=DUCKDB_POOL, kinds={"duckdb", "parquet"})
def published_warehouse(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """Swap the finished build over $XXGK_DATA_DIR/warehouse.duckdb and export the marts."""
    from pipelines.warehouse.exports import export_marts
    from pipelines.warehouse.publish import publish

    publish(settings.build_warehouse_path(), settings.warehouse_path())
    mark_published()
    exported = export_marts(settings.warehouse_path(), settings.exports_dir())
    return dg.MaterializeResult(metadata={
        "path": dg.MetadataValue.path(str(settings.warehouse_path())),
        "exports": dg.MetadataValue.path(str(settings.exports_dir())),
        "exported_tables": len(exported or []),
    })


with warnings.catch_warnings():
    # superseded by FreshnessPolicy, whose evaluation needs the freshness daemon switched on in the
    # instance; a freshness *check* runs anywhere (sensor, UI, tests) and records a pass/fail result
    warnings.simplefilter("ignore", category=dg.SupersessionWarning)
    warehouse_freshness_checks = dg.build_last_update_freshness_checks(
        assets=[published_warehouse],
        lower_bound_delta=datetime.timedelta(hours=settings.freshness_max_age_hours()),
        severity=dg.AssetCheckSeverity.WARN,
    )
    # evaluates the check whenever the warehouse could have turned stale (its description is
    # Dagster's own); start it with the nightly schedule
    warehouse_freshness_sensor = dg.build_sensor_for_freshness_checks(
        freshness_checks=warehouse_freshness_checks, name=FRESHNESS_SENSOR, minimum_interval_seconds=600,
        default_status=dg.DefaultSensorStatus.STOPPED,
    )

defs = dg.Definitions(
    assets=[raw_tables, dbt_models, published_warehouse],
    asset_checks=warehouse_freshness_checks,
    sensors=[warehouse_freshness_sensor],
    # the venv's dbt, whatever PATH the UI or a scheduler was started with
    resources={"dbt": DbtCliResource(project_dir=dbt_project,
                                     dbt_executable=str(Path(sys.executable).with_name("dbt"))),
               "warehouse_duckdb": WarehouseDuckDB()},
)

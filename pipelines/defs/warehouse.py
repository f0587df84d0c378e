"""Load the staging tables into DuckDB, build the dbt models, publish the analysts' copy.

Every asset here writes the DuckDB build file, so all sit in the `duckdb` pool (limit 1).
"""

import os
import sys
from pathlib import Path

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from pipelines import settings
from pipelines.defs.ingest import report_facts
from pipelines.stages.change_detection import mark_published

DUCKDB_POOL = "duckdb"
RAW_TABLES = ["documents", "facts", "identity_checks", "expected_orgs", "expected_years", "items"]

dbt_project = DbtProject(project_dir=settings.DBT_PROJECT_DIR, profiles_dir=settings.DBT_PROJECT_DIR)


class SchemaQualifiedTranslator(DagsterDbtTranslator):
    """Models are keyed schema/name (marts/facts), so they never clash with raw/facts."""

    def get_asset_key(self, dbt_resource_props):
        if dbt_resource_props["resource_type"] in ("model", "seed", "snapshot"):
            return dg.AssetKey([dbt_resource_props["schema"].split("_")[-1], dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props):
        return "warehouse"


@dg.multi_asset(
    specs=[dg.AssetSpec(["raw", t], deps=[report_facts], group_name="warehouse", kinds={"duckdb"})
           for t in RAW_TABLES],
    pool=DUCKDB_POOL,
)
def raw_tables(context: dg.AssetExecutionContext):
    """Delete-then-insert the staging tables into schema raw of the build file."""
    from pipelines.warehouse.load import load_staging

    settings.build_warehouse_path().parent.mkdir(parents=True, exist_ok=True)
    counts = load_staging(settings.staging_dir(), settings.build_warehouse_path()) or {}
    for t in RAW_TABLES:
        yield dg.MaterializeResult(asset_key=["raw", t], metadata={"rows": int(counts.get(t, 0))})


@dbt_assets(manifest=dbt_project.manifest_path, project=dbt_project, pool=DUCKDB_POOL,
            dagster_dbt_translator=SchemaQualifiedTranslator())
def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    """staging → core → marts, with dbt tests (identity tests warn: sources do break them)."""
    # dbt resolves the profile's path against its own working folder: give it the absolute one.
    os.environ["XXGK_DATA_DIR"] = str(settings.data_dir())
    yield from dbt.cli(["build"], context=context).stream()


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


defs = dg.Definitions(
    assets=[raw_tables, dbt_models, published_warehouse],
    # the venv's dbt, whatever PATH the UI or a scheduler was started with
    resources={"dbt": DbtCliResource(project_dir=dbt_project,
                                     dbt_executable=str(Path(sys.executable).with_name("dbt")))},
)

"""Run settings as a Dagster resource: set per run in the launchpad, or by environment."""
from __future__ import annotations

import dagster as dg
from dagster_duckdb import DuckDBResource
from pydantic import Field

from pipelines import settings


class XxgkSettings(dg.ConfigurableResource):
    """Knobs an operator may set per run (Launchpad → resources.xxgk.config)."""

    # extraction worker processes in one county's run; 0: $XXGK_WORKERS, else one per core (≤ 4)
    workers: int = 0

    def extract_workers(self) -> int | None:
        if self.workers > 0:
            return self.workers
        import os

        return settings.workers() if os.environ.get("XXGK_WORKERS") else None


class WarehouseDuckDB(DuckDBResource):
    """The build warehouse, through dagster-duckdb's resource. `database` empty (the default): the
    build file under the data folder the run is given ($XXGK_DATA_DIR/build/warehouse.duckdb),
    resolved when a connection is opened, never at import. The assets that write it sit in the
    `duckdb` pool (limit 1): DuckDB has one writer per file."""

    database: str = Field(default="", description="DuckDB file; empty: $XXGK_DATA_DIR/build/warehouse.duckdb")

    def path(self) -> str:
        return self.database or str(settings.build_warehouse_path())

    def get_connection(self):
        if not self.database:
            settings.build_warehouse_path().parent.mkdir(parents=True, exist_ok=True)
            return DuckDBResource(database=self.path(), connection_config=self.connection_config).get_connection()
        return super().get_connection()

"""The DuckDB side of the pipeline: load staging Parquet, publish the build file, export marts.

No Dagster imports here, and no connection is opened at import time: every function opens a
short-lived connection and closes it before returning (one writer per DuckDB file).
"""
from pipelines.warehouse.exports import export_marts
from pipelines.warehouse.load import load_staging
from pipelines.warehouse.publish import publish

__all__ = ["export_marts", "load_staging", "publish"]

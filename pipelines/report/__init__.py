"""Static, offline county report pages built from the published warehouse (no Dagster here)."""
from pipelines.report.build import build_county_report, county_data

__all__ = ["build_county_report", "county_data"]

"""xxgk-warehouse: the Dagster code location and the extraction core."""

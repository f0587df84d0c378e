"""Names shared by the definitions, the CLI and the tests."""
ALL_ASSETS_JOB = "xxgk_all_assets"
FROM_REGISTRY_JOB = "xxgk_from_registry"
INGEST_JOB = "xxgk_ingest_county"
WAREHOUSE_JOB = "xxgk_build_warehouse"
WAREHOUSE_SENSOR = "publish_after_counties"
NIGHTLY_SCHEDULE = "nightly_refresh"
REGISTRY_SENSOR = "registry_pending"
FAILURE_SENSOR = "run_failure_alert"
FRESHNESS_SENSOR = "warehouse_freshness"
COUNTY_PARTITIONS_NAME = "county"  # the dynamic partitions of the ingest assets: one per source profile id
# A run tag naming report years to extract again (comma-separated, e.g. "2023" or "2022,2023"): a
# backfill of xxgk_ingest_county over every county partition with this tag backfills a year.
RERUN_YEARS_TAG = "xxgk/rerun_years"

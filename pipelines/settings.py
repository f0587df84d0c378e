"""One place for every path the project writes: all of it lives under XXGK_DATA_DIR."""
from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    """The run-output folder: $XXGK_DATA_DIR, or `data/` in the repository."""
    return Path(os.environ.get("XXGK_DATA_DIR") or REPO_ROOT / "data").resolve()


def raw_dir() -> Path:
    return data_dir() / "raw"


def raw_url() -> str:
    """Where the raw store keeps its blobs: $XXGK_RAW_URL, an fsspec URL such as
    `s3://bucket/prefix` (object storage shared by every worker), or by default the local raw_dir().
    The fetch log and HTTP validator state stay in raw_dir() either way."""
    return os.environ.get("XXGK_RAW_URL") or str(raw_dir())


def raw_storage_options(url: str) -> dict:
    """fsspec options for a remote raw store: for s3:// the endpoint of an S3-compatible server
    from $XXGK_S3_ENDPOINT_URL (MinIO, moto, …; credentials come from the standard AWS variables),
    no listing cache, so a blob another worker wrote is seen at once, and reads of one GET (not a
    HEAD then ranged GETs: blobs are reports of a few MB)."""
    if not url.startswith(("s3://", "s3a://")):
        return {}
    options: dict = {"use_listings_cache": False, "max_concurrency": 1}
    endpoint = os.environ.get("XXGK_S3_ENDPOINT_URL")
    if endpoint:
        options["client_kwargs"] = {"endpoint_url": endpoint}
    return options


def staging_dir() -> Path:
    """The local staging folder: the staging tables and states by default (see staging_url()), and
    always the per-machine extraction cache `extracted/` (rebuilt from the raw bytes)."""
    return data_dir() / "staging"


def staging_url() -> str:
    """Where the staging tables (Parquet) and states (JSON) that the stages hand to each other and
    the warehouse load reads live: $XXGK_STAGING_URL, an fsspec URL such as `s3://bucket/prefix`
    (object storage shared by every worker; endpoint and options as for the raw store, see
    raw_storage_options()), or by default the local staging_dir()."""
    return os.environ.get("XXGK_STAGING_URL") or str(staging_dir())


def warehouse_path() -> Path:
    """The published warehouse analysts open."""
    return data_dir() / "warehouse.duckdb"


def build_warehouse_path() -> Path:
    """The file the run writes; it is swapped over warehouse_path() when complete."""
    return data_dir() / "build" / "warehouse.duckdb"


def exports_dir() -> Path:
    return data_dir() / "exports"


def dagster_home() -> Path:
    return data_dir() / "dagster_home"


def dbt_target_dir() -> Path:
    """dbt's artefacts of the run's build (run_results.json, compiled SQL, dbt.log): one folder per
    data folder, replaced by each build, so nothing piles up in the repository's dbt_models/target/."""
    return data_dir() / "build" / "dbt"


def logs_dir() -> Path:
    return data_dir() / "logs"


def freshness_max_age_hours() -> float:
    """How old the published warehouse may be before its freshness check fails:
    $XXGK_FRESHNESS_MAX_AGE_HOURS, default 26 (the nightly run plus two hours of slack)."""
    return float(os.environ.get("XXGK_FRESHNESS_MAX_AGE_HOURS") or 26)


def extra_sources_dir() -> Path | None:
    """$XXGK_SOURCES_DIR: a folder of county profiles (and their registry CSVs) outside the
    repository, searched before pipelines/sources/; their `extends` families still come from here."""
    given = os.environ.get("XXGK_SOURCES_DIR")
    return Path(given).resolve() if given else None


def workers() -> int:
    """How many processes a run may keep busy ($XXGK_WORKERS, default: every core): county runs
    side by side, and extraction workers within them."""
    given = os.environ.get("XXGK_WORKERS")
    return max(1, int(given)) if given else max(1, os.cpu_count() or 1)


SAMPLE_PORTAL_DIR = REPO_ROOT / "data" / "sample_portal"
SAMPLE_TRUTH_DIR = REPO_ROOT / "data" / "sample_truth"
SOURCES_DIR = REPO_ROOT / "pipelines" / "sources"
DBT_PROJECT_DIR = REPO_ROOT / "dbt_models"

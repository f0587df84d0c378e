"""Shared fixtures: paths to the shared corpus, a dbt manifest built once per session, and a real
S3 API on 127.0.0.1."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"

os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
# OCR is on by default in the product. The pipeline-level tests run with it off: the sample
# county's two scans then stay unread documents (what coverage, the review queue and the failure
# counters are tested on), and the suite does not OCR them in every pipeline run. OCR itself is
# tested where it is asked for (tests/core/test_ocr.py, test_focused_fixtures.py, tests/layouts).
os.environ.setdefault("XXGK_OCR", "0")


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.exists():
        pytest.skip(f"shared corpus not found at {SHARED}")
    return SHARED


@pytest.fixture(scope="session")
def dbt_manifest() -> Path:
    """`dbt parse` once, as `make` does, so definitions load the manifest without parsing."""
    manifest = REPO / "dbt_models" / "target" / "manifest.json"
    if not manifest.exists():
        dbt = Path(sys.executable).with_name("dbt")
        subprocess.run([str(dbt), "parse", "--quiet", "--project-dir", str(REPO / "dbt_models"),
                        "--profiles-dir", str(REPO / "dbt_models")], check=True)
    return manifest


@pytest.fixture(scope="session")
def pipeline(tmp_path_factory, dbt_manifest):
    """One real run of every asset against the sample portal on loopback, in a fresh data folder,
    shared by the end-to-end, report and query tests: (data folder, the run's result)."""
    import dagster as dg

    data = tmp_path_factory.mktemp("xxgk_data")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XXGK_DATA_DIR", str(data))
        mp.setenv("DAGSTER_HOME", str(data / "dagster_home"))
        mp.delenv("XXGK_SAMPLE_BASE_URL", raising=False)
        mp.delenv("XXGK_SOURCES", raising=False)
        from pipelines.automation_names import ALL_ASSETS_JOB
        from pipelines.definitions import defs
        from pipelines.instance import prepare_environment

        prepare_environment()
        with dg.DagsterInstance.ephemeral() as instance:
            from pipelines.launch import execute_county_in_process
            result = execute_county_in_process(instance, raise_on_error=False)
    return data, result


@pytest.fixture(scope="session")
def s3_server():
    """A moto S3 server (a real S3 API over HTTP) on a free port of 127.0.0.1, once per session:
    `endpoint`, a boto3 `client`, and `env`, the variables that point the pipeline (and any worker
    process started with them) at it. Each test module makes its own bucket."""
    import boto3
    from moto import server as moto_server

    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    endpoint = "http://{}:{}".format(*server.get_host_and_port())
    env = {"XXGK_S3_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
           "AWS_DEFAULT_REGION": "us-east-1"}
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test",
                          aws_secret_access_key="test")
    yield SimpleNamespace(endpoint=endpoint, client=client, env=env)
    server.stop()

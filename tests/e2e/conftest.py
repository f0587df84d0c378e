"""One real pipeline run against the sample portal, shared by the end-to-end tests."""
from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def pipeline(tmp_path_factory, dbt_manifest):
    """Every asset materialised in-process on an ephemeral instance, into a fresh data folder."""
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
            result = defs.resolve_job_def(ALL_ASSETS_JOB).execute_in_process(instance=instance,
                                                                               raise_on_error=False)
        yield data, result

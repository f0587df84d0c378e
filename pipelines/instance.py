"""The project's own Dagster instance and tool environment, under the data folder."""
from __future__ import annotations

import os

from pipelines import settings

DAGSTER_YAML = """\
# Written by xxgk: the project's own Dagster instance.
telemetry:
  enabled: false
concurrency:
  pools:
    default_limit: 1   # the duckdb pool: one writer of the warehouse at a time
run_coordinator:
  module: dagster.core.run_coordinator
  class: QueuedRunCoordinator
"""


def prepare_environment() -> None:
    """Set the variables Dagster and dbt read, and write dagster.yaml once."""
    data = settings.data_dir()
    os.environ["XXGK_DATA_DIR"] = str(data)
    os.environ.setdefault("DAGSTER_HOME", str(settings.dagster_home()))
    os.environ["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    os.environ.setdefault("DO_NOT_TRACK", "1")
    home = os.environ["DAGSTER_HOME"]
    os.makedirs(home, exist_ok=True)
    cfg = os.path.join(home, "dagster.yaml")
    if not os.path.exists(cfg):
        with open(cfg, "w", encoding="utf-8") as fh:
            fh.write(DAGSTER_YAML)
    (data / "build").mkdir(parents=True, exist_ok=True)


def ensure_dbt_manifest() -> None:
    """dagster-dbt loads a prebuilt manifest; build it here once if `make` did not."""
    import subprocess
    import sys

    manifest = settings.DBT_PROJECT_DIR / "target" / "manifest.json"
    if manifest.exists():
        return
    dbt = os.path.join(os.path.dirname(sys.executable), "dbt")
    subprocess.run([dbt, "parse", "--quiet", "--project-dir", str(settings.DBT_PROJECT_DIR),
                    "--profiles-dir", str(settings.DBT_PROJECT_DIR)], check=True)

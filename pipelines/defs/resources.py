"""Run settings as a Dagster resource: set per run in the launchpad, or by environment."""
from __future__ import annotations

import dagster as dg

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

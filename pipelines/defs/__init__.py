"""Per-domain Dagster definitions; each module exposes `defs`."""

"""Extraction core: bytes in, facts out. Knows nothing of Dagster or DuckDB."""

"""Benchmarks: scripts that print figures (never assertions on wall-clock time)."""

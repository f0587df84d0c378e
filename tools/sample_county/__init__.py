"""Deterministic generator of the embedded sample county portal (data/sample_portal) and its truth
(data/sample_truth). Run: .venv/bin/python -m tools.sample_county"""

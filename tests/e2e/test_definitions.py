"""The code location loads, and its wiring keeps the promises operators rely on."""
from __future__ import annotations

import dagster as dg


def test_definitions_load_with_schedule_checks_and_pool(dbt_manifest):
    from pipelines.definitions import defs

    repo = defs.get_repository_def()
    keys = {k.to_user_string() for k in repo.asset_graph.get_all_asset_keys()}
    for expected in ["downloaded_reports", "extracted_reports", "report_facts", "raw/facts",
                     "published_warehouse"]:
        assert expected in keys
    # the marts built by dbt are assets of the same graph
    assert {"marts/facts", "marts/org_year", "marts/coverage"} <= keys or \
        any(k.endswith("org_year") for k in keys)

    schedule = repo.get_schedule_def("nightly_refresh")
    assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED
    assert schedule.cron_schedule == "30 2 * * *"

    checks = {c.name for c in repo.asset_graph.asset_check_keys}
    assert {"identity_I1", "identity_I2", "identity_I3", "identity_I4"} <= checks

    # every asset that writes the DuckDB file is in the one-writer pool
    graph = repo.asset_graph
    writers = [k for k in graph.get_all_asset_keys()
               if k.path[0] in ("raw", "marts", "core", "staging") or k.path[-1] == "published_warehouse"]
    assert writers
    for key in writers:
        node = graph.get(key)
        pools = {op.pool for op in node.assets_def.node_def.iterate_op_defs()} \
            if hasattr(node.assets_def.node_def, "iterate_op_defs") else {node.assets_def.op.pool}
        assert pools == {"duckdb"}, (key, pools)

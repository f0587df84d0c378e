"""Chinese labels, peer comparisons and the dbt guards of the contract, on the session warehouse
(conftest.py: 青川县, townships 城关镇 and 青溪镇, one department that never published)."""
from __future__ import annotations

import csv
import json
import re
import shutil
import statistics

import duckdb
import pytest

from pipelines.core.codes import ITEMS_CSV

CJK = re.compile(r"[\u4e00-\u9fff]")
MARTS = ["check_results", "comparison", "county_summary", "coverage", "documents_to_review", "facts", "org_year"]


def items() -> dict[str, dict]:
    with open(ITEMS_CSV, encoding="utf-8", newline="") as fh:
        return {r["code"]: r for r in csv.DictReader(fh)}


def latest_cells(wh, key: str) -> dict:
    return wh.docs[key].cells


# ---- Chinese first -----------------------------------------------------------------------------

def test_every_fact_row_has_its_chinese_labels(warehouse):
    missing = warehouse.query(
        "select count(*) filter (where label_zh is null or row_label_zh is null or section_label_zh is null "
        "or label_en is null or unit is null), "
        "count(*) filter (where column_label_zh is null), count(*) filter (where is_derived), count(*) "
        "from marts.facts")[0]
    assert missing[0] == 0 and missing[1] == 0
    assert missing[2] > 0  # derived rows are among them
    it = items()
    rows = warehouse.query_dicts(
        "select code, section_label_zh, row_label_zh, column_label_zh, label_zh, label_en from marts.facts "
        "where not is_derived")
    for r in rows:
        i = it[r["code"]]
        assert (r["section_label_zh"], r["row_label_zh"], r["column_label_zh"], r["label_en"]) == (
            i["section"], i["row_path_zh"], i["column_zh"], i["label_en"])
        assert r["label_zh"] == f"{i['row_path_zh']}｜{i['column_zh']}"


def test_derived_rows_are_labelled_as_in_the_template(warehouse):
    rows = {r["code"]: r for r in warehouse.query_dicts(
        "select * from marts.facts where document_id = ? and is_derived", [warehouse.docs["A2020"].document_id])}
    w = rows["t3.result.withheld.subtotal:total"]
    assert w["label_zh"] == "三、本年度办理结果/（三）不予公开/小计｜总计"
    assert w["section_label_zh"] == "三、收到和处理政府信息公开申请情况"
    assert w["label_en"] == "withheld: subtotal of the 8 reasons [total]"
    assert w["unit"] == "件" and w["value"] == 1
    u = rows["t3.result.unable.subtotal:commercial"]
    assert u["label_zh"] == "三、本年度办理结果/（四）无法提供/小计｜法人或其他组织/商业企业"
    assert u["column_label_zh"] == "法人或其他组织/商业企业"
    n = rows["t3.result.not_processed.subtotal:natural_person"]
    assert n["row_label_zh"] == "三、本年度办理结果/（五）不予处理/小计" and n["column_label_zh"] == "自然人"
    # 2021's derived 其他处理 total carries the template's （六）其他处理 label
    o = warehouse.query_dicts("select * from marts.facts where document_id = ? and code = 't3.result.other.total:total'",
                              [warehouse.docs["A2021c"].document_id])[0]
    assert o["is_derived"] and o["row_label_zh"] == "三、本年度办理结果/（六）其他处理" and o["value"] == 3


def test_every_mart_column_has_a_chinese_comment(warehouse):
    rows = warehouse.query(
        "select table_name, column_name, comment from duckdb_columns() where schema_name = 'marts'")
    assert {t for t, _, _ in rows} == set(MARTS)
    bad = [(t, c, m) for t, c, m in rows if not m or "｜" not in m or not CJK.search(m.split("｜")[0])]
    assert bad == []
    comments = {c: m for t, c, m in rows if t == "org_year"}
    assert comments["handled"].startswith("办理结果总计｜")
    assert comments["new_received_commercial"].startswith("本年新收申请（商业企业）｜")
    assert comments["disclosure_rate"].startswith("公开率｜")
    tables = dict(warehouse.query("select table_name, comment from duckdb_tables() where schema_name = 'marts'"))
    assert tables["org_year"].startswith("单位年度指标｜")


def test_org_name_and_type_on_facts_and_check_results(warehouse):
    fail = warehouse.query_dicts("select * from marts.check_results where identity = 'I4' and status = 'fail'")
    assert [(r["org_id"], r["org_name"], r["org_type"], r["peer_group"], r["year"]) for r in fail] == [
        ("qc-qingxi", "青溪镇", "township", "乡镇", 2021)]
    assert warehouse.query(
        "select count(*) from marts.check_results where org_id is not null and (org_name is null or org_type is null)"
    )[0][0] == 0
    facts = warehouse.query("select distinct org_id, org_name, org_type, peer_group, org_name_printed from marts.facts "
                            "order by org_id")
    assert facts == [("qc-chengguan", "城关镇", "township", "乡镇", "城关镇"),
                     ("qc-qingxi", "青溪镇", "township", "乡镇", "青溪镇")]


# ---- peer comparisons --------------------------------------------------------------------------

def _handled(cells):
    return cells["t3.result.total:total"]


def _disclosed(cells):
    return cells["t3.result.granted:total"] + cells["t3.result.partial:total"]


def test_peer_groups_medians_ranks_and_completeness(warehouse):
    latest = {2020: ["A2020", "B2020"], 2021: ["A2021c", "B2021"]}
    for year, keys in latest.items():
        handled = {warehouse.docs[k].org_id: _handled(warehouse.docs[k].cells) for k in keys}
        rows = {r["org_id"]: r for r in warehouse.query_dicts(
            "select * from marts.comparison where year = ? and measure = 'handled'", [year])}
        assert set(rows) == set(handled)
        for org, r in rows.items():
            assert r["peer_group"] == "乡镇" and r["org_type"] == "township"
            assert r["peer_total"] == sum(handled.values())
            assert r["peer_median"] == statistics.median(handled.values())
            assert r["rank_in_peer_group"] == 1 + sum(v > handled[org] for v in handled.values())
            assert r["share_of_peer_group"] == pytest.approx(handled[org] / sum(handled.values()))
            # two reports in of three organisations expected in the county, two of two townships
            assert (r["county_reports_in"], r["county_orgs_expected"]) == (2, 3)
            assert r["county_completeness"] == pytest.approx(2 / 3)
            assert (r["peer_reports_in"], r["peer_orgs_expected"], r["peer_completeness"]) == (2, 2, 1.0)
            assert r["measure_label_zh"] == "办理结果总计" and r["unit"] == "件"
            assert r["county_pooled_rate"] is None  # a count has a total, not a pooled rate


def test_pooled_county_rate_beside_the_median(warehouse):
    for year, keys in {2020: ["A2020", "B2020"], 2021: ["A2021c", "B2021"]}.items():
        cells = [warehouse.docs[k].cells for k in keys]
        with_rate = [c for c in cells if _handled(c) > 0]
        pooled = sum(_disclosed(c) for c in with_rate) / sum(_handled(c) for c in with_rate)
        median = statistics.median(_disclosed(c) / _handled(c) for c in with_rate)
        rows = warehouse.query_dicts(
            "select * from marts.comparison where year = ? and measure = 'disclosure_rate'", [year])
        assert len(rows) == 2
        for r in rows:
            assert r["county_pooled_rate"] == pytest.approx(pooled)
            assert r["peer_pooled_rate"] == pytest.approx(pooled)
            assert r["county_median"] == pytest.approx(median)
            assert r["unit"] == "比率"
    # 2021: 城关镇 16/22, 青溪镇 5/6: pooled 21/28 = 0.75, the mean of the rates would be 0.78
    r = warehouse.query("select distinct county_pooled_rate from marts.comparison "
                        "where year = 2021 and measure = 'disclosure_rate'")
    assert r == [(pytest.approx(21 / 28),)]


def test_county_summary_has_every_group_and_its_completeness(warehouse):
    rows = {(r["year"], r["group_zh"]): r for r in warehouse.query_dicts(
        "select * from marts.county_summary where measure = 'handled'")}
    assert set(rows) == {(y, g) for y in (2020, 2021) for g in ("全县", "乡镇", "县直部门")}
    a, b = warehouse.docs["A2020"].cells, warehouse.docs["B2020"].cells
    county = rows[(2020, "全县")]
    assert (county["total"], county["reports_in"], county["orgs_expected"], county["is_complete"]) == (
        _handled(a) + _handled(b), 2, 3, False)
    assert county["completeness"] == pytest.approx(2 / 3)
    dept = rows[(2020, "县直部门")]  # expected, never published: a row that says so
    assert (dept["total"], dept["median"], dept["reports_in"], dept["orgs_expected"], dept["completeness"]) == (
        None, None, 0, 1, 0.0)
    town = rows[(2021, "乡镇")]
    assert town["is_complete"] and town["n_orgs_with_value"] == 2
    rate = warehouse.query_dicts("select * from marts.county_summary where year = 2021 and group_zh = '全县' "
                                 "and measure = 'disclosure_rate'")[0]
    assert rate["pooled_rate"] == pytest.approx(21 / 28) and rate["total"] is None


# ---- dbt guards the contract -------------------------------------------------------------------

def test_marts_have_enforced_contracts(warehouse):
    manifest = json.loads((warehouse.target / "manifest.json").read_text())
    models = {n["name"]: n for n in manifest["nodes"].values()
              if n["resource_type"] == "model" and n["schema"] == "marts"}
    assert set(models) == set(MARTS)
    for name, node in models.items():
        assert node["config"]["contract"]["enforced"], name
        declared = {c: v["data_type"] for c, v in node["columns"].items()}
        actual = dict(warehouse.query(
            "select column_name, lower(data_type) from duckdb_columns() where schema_name = 'marts' "
            "and table_name = ?", [name]))
        assert declared == actual, name


def test_unit_tests_and_range_tests_ran(warehouse):
    status = {r["unique_id"]: r["status"] for r in warehouse.run_results["results"]}
    assert status["unit_test.xxgk.documents.documents_version_ranking"] == "pass"
    assert status["unit_test.xxgk.facts_all.facts_all_derived_subtotals"] == "pass"
    between = [u for u in status if u.startswith("test.xxgk.between_")]
    assert any("org_year_disclosure_rate" in u for u in between)
    assert any("comparison_county_completeness" in u for u in between)
    assert any("org_year_handled" in u for u in between)
    assert all(status[u] == "pass" for u in between)
    agree = [u for u in status if "assert_coverage_agrees_with_org_year" in u]
    assert len(agree) == 1 and status[agree[0]] == "pass"


@pytest.fixture
def tampered(warehouse, tmp_path):
    """A copy of the session warehouse for dbt runs that must find something wrong; the dbt
    targets below start from the session's parse (partial parsing) to keep these runs short."""
    data = tmp_path / "data"
    (data / "build").mkdir(parents=True)
    shutil.copy2(warehouse.db_path, data / "build" / "warehouse.duckdb")
    for target in ("target", "t1", "t2"):
        (tmp_path / target).mkdir()
        shutil.copy2(warehouse.target / "partial_parse.msgpack", tmp_path / target / "partial_parse.msgpack")
    return data


def test_range_and_agreement_tests_catch_breaches(warehouse, tampered, tmp_path, kit):
    db = tampered / "build" / "warehouse.duckdb"
    con = duckdb.connect(str(db))
    try:
        con.execute("update marts.org_year set disclosure_rate = 1.5 where org_id = 'qc-chengguan' and year = 2020")
        con.execute("update marts.org_year set handled = -3 where org_id = 'qc-qingxi' and year = 2020")
        con.execute("update marts.comparison set county_completeness = 1.2 where year = 2021")
        con.execute("delete from marts.org_year where org_id = 'qc-qingxi' and year = 2021")
    finally:
        con.close()
    res = kit.run_dbt(["test", "--select", "test_name:between", "assert_coverage_agrees_with_org_year"],
                      tampered, tmp_path / "target")
    results = json.loads((tmp_path / "target" / "run_results.json").read_text())["results"]
    status = {r["unique_id"]: r["status"] for r in results}
    bad = {u: s for u, s in status.items() if s != "pass"}

    def one(fragment):
        [u] = [u for u in status if fragment in u]
        return status[u]

    assert one("between_org_year_disclosure_rate__1__0") == "warn"   # a source value: warn, never repaired
    assert one("between_org_year_handled__0") == "warn"
    assert one("between_comparison_county_completeness__1__0") == "fail"  # computed here: an error
    assert one("assert_coverage_agrees_with_org_year") == "fail"
    assert len(bad) == 4, bad
    assert res.returncode != 0


def test_source_freshness_on_fetch_time(warehouse, tampered, tmp_path, kit):
    # the session's documents were fetched in 2021-2022: stale
    kit.run_dbt(["source", "freshness", "--select", "source:raw.documents"], tampered, tmp_path / "t1")
    stale = json.loads((tmp_path / "t1" / "sources.json").read_text())["results"]
    assert [(r["unique_id"], r["status"]) for r in stale] == [("source.xxgk.raw.documents", "error")]
    con = duckdb.connect(str(tampered / "build" / "warehouse.duckdb"))
    try:
        con.execute("update raw.documents set fetched_at = now() - interval 3 day")
    finally:
        con.close()
    kit.run_dbt(["source", "freshness", "--select", "source:raw.documents"], tampered, tmp_path / "t2")
    fresh = json.loads((tmp_path / "t2" / "sources.json").read_text())["results"]
    assert [(r["unique_id"], r["status"]) for r in fresh] == [("source.xxgk.raw.documents", "pass")]
    assert fresh[0]["max_loaded_at_time_ago_in_s"] == pytest.approx(3 * 86400, rel=0.01)


def test_agreement_test_is_an_asset_check_of_coverage(dbt_manifest):
    """A dbt test over two models needs `meta.dagster.ref` to become a Dagster asset check (else
    Dagster logs a warning and an observation at every run)."""
    import dagster as dg

    from pipelines.definitions import defs

    checks = defs.resolve_asset_graph().asset_check_keys
    assert dg.AssetCheckKey(dg.AssetKey(["marts", "coverage"]), "assert_coverage_agrees_with_org_year") in checks

"""The marts built by real dbt over the session fixture (see conftest.py for the planted data)."""
from __future__ import annotations

import statistics

import duckdb
import pytest

from pipelines.warehouse.load import load_staging


def org_year(wh, org_id, year) -> dict:
    rows = wh.query_dicts("select * from marts.org_year where org_id = ? and year = ?", [org_id, year])
    assert len(rows) == 1
    return rows[0]


def test_load_counts(warehouse):
    docs = warehouse.docs.values()
    assert warehouse.load_counts["documents"] == len(warehouse.docs)
    assert warehouse.load_counts["facts"] == sum(len(d.cells or {}) for d in docs)
    assert warehouse.load_counts["items"] == 226
    assert warehouse.load_counts["expected_orgs"] == 3


def test_load_is_delete_then_insert(tmp_path, kit):
    staging = tmp_path / "staging"
    kit.write_staging(staging, kit.build_docs())
    db = tmp_path / "build" / "w.duckdb"
    first = load_staging(staging, db)
    second = load_staging(staging, db)
    assert first == second
    con = duckdb.connect(str(db), read_only=True)
    try:
        n = con.execute("select count(*) from raw.documents").fetchone()[0]
        tz = con.execute("select typeof(fetched_at) from raw.documents limit 1").fetchone()[0]
    finally:
        con.close()
    assert n == first["documents"]
    assert tz == "TIMESTAMP WITH TIME ZONE"
    # no connection left open: the file can be opened read-write again at once
    duckdb.connect(str(db)).close()


def test_dbt_build_leaves_no_lock(warehouse):
    con = duckdb.connect(str(warehouse.db_path))  # read-write: fails if dbt still held it
    con.close()


def test_manifest_written(warehouse):
    assert (warehouse.target / "manifest.json").stat().st_size > 10_000


def test_disclosure_rate_known_org_year(warehouse):
    a2020 = org_year(warehouse, "qc-chengguan", 2020)
    # 2019 template: granted 7 + partial 2 over handled 12
    assert a2020["handled"] == 12
    assert (a2020["granted"], a2020["partial"]) == (7, 2)
    assert a2020["disclosure_rate"] == pytest.approx(9 / 12)
    assert (a2020["withheld"], a2020["unable"], a2020["not_processed"], a2020["other"]) == (1, 1, 0, 1)
    assert a2020["other_is_derived"] is False
    assert a2020["new_received_total"] == 12 and a2020["new_received_commercial"] == 2
    assert a2020["carried_over_total"] == 1 and a2020["carry_forward"] == 1
    assert a2020["normative_docs_issued"] == 3
    assert a2020["normative_docs_issued_code"] == "t2.art20_1.normative_docs.new_made"
    assert a2020["normative_docs_issued_comparability"] == "similar_only"
    assert a2020["normative_docs_total_published"] == 10 and a2020["normative_docs_in_force"] is None
    assert a2020["fees_amount_wan"] is None and a2020["licensing_decisions"] == 40
    assert a2020["review_total"] == 1 and a2020["review_corrected_share"] == 0


def test_zero_handled_gives_null_rate(warehouse):
    assert org_year(warehouse, "qc-qingxi", 2020)["disclosure_rate"] is None


def test_latest_version_is_the_correction(warehouse):
    a2021 = org_year(warehouse, "qc-chengguan", 2021)
    corr = warehouse.docs["A2021c"]
    assert a2021["document_id"] == corr.document_id
    assert (a2021["version"], a2021["n_versions"], a2021["is_correction"]) == (2, 2, True)
    # values of the correction, not of the original
    assert a2021["carried_over_total"] == 1
    assert a2021["handled"] == 22
    assert a2021["disclosure_rate"] == pytest.approx((12 + 4) / 22)
    # 2021 other = no_correction + unpaid_fee + misc, derived
    assert a2021["other"] == 3 and a2021["other_is_derived"] is True
    assert a2021["fees_amount_wan"] == pytest.approx(26.55)
    assert a2021["normative_docs_issued_code"] == "t2.art20_1.normative_docs.issued"
    # both versions stay in marts.facts
    rows = warehouse.query(
        "select document_id, version, is_latest from marts.facts where org_id = 'qc-chengguan' and year = 2021 "
        "and code = 't3.carried_over:total' order by version"
    )
    orig = warehouse.docs["A2021"]
    assert rows == [(orig.document_id, 1, False), (corr.document_id, 2, True)]


def test_facts_one_row_per_document_code(warehouse):
    n, n_distinct = warehouse.query(
        "select count(*), count(distinct (document_id, code)) from marts.facts"
    )[0]
    assert n == n_distinct
    # every printed cell of every parsed, placed document, plus derived rows
    printed = sum(len(d.cells or {}) for d in warehouse.docs.values() if d.org_id)
    assert warehouse.query("select count(*) from marts.facts where not is_derived")[0][0] == printed
    row = warehouse.query_dicts(
        "select * from marts.facts where document_id = ? and code = 't2.art20_9.procurement.amount'",
        [warehouse.docs["A2020"].document_id],
    )[0]
    assert row["value"] == 251000 and row["raw_text"] == "251000元" and row["value_state"] == "text"
    assert row["section"] == "二" and row["section_template"] == "2019" and row["item_template"] == "2019"
    assert row["page"] == 2 and row["bbox_x1"] > row["bbox_x0"]
    blank = warehouse.query(
        "select value, value_state from marts.facts where document_id = ? and code = 't2.art20_9.procurement.projects'",
        [warehouse.docs["A2020"].document_id],
    )
    assert blank == [(None, "blank")]


def test_coverage_states(warehouse, kit):
    rows = {(r["org_id"], r["year"]): r for r in warehouse.query_dicts("select * from marts.coverage")}
    assert len(rows) == len(kit.ORGS) * len(kit.YEARS)
    assert rows[("qc-chengguan", 2020)]["status"] == "published"
    assert rows[("qc-chengguan", 2021)]["status"] == "published"
    assert rows[("qc-chengguan", 2021)]["n_documents"] == 2
    b2020 = rows[("qc-qingxi", 2020)]
    assert b2020["status"] == "published" and b2020["all_zero"] is True  # all-zero is published
    failed = rows[("qc-zrzyj", 2020)]
    assert failed["status"] == "parse_failed"
    assert failed["reason"].startswith("no_tables_found")
    assert failed["document_id"] == warehouse.docs["C2020"].document_id
    assert rows[("qc-zrzyj", 2021)]["status"] == "not_found"
    assert rows[("qc-zrzyj", 2021)]["document_id"] is None


def test_x1_fails_where_planted(warehouse, kit):
    x1 = {
        (r["org_id"], r["scope"]): r
        for r in warehouse.query_dicts("select * from marts.check_results where identity = 'X1' and year = 2021")
    }
    assert len(x1) == 2 * len(kit.C7)
    b = x1[("qc-qingxi", "total")]
    assert (b["status"], b["expected"], b["printed"], b["severity"]) == ("fail", 0, 2, "hard")
    assert b["compared_document_id"] == warehouse.docs["B2020"].document_id
    # A passes because the correction (not the original, carried_over 0) is the latest version
    assert x1[("qc-chengguan", "total")]["status"] == "pass"
    assert x1[("qc-chengguan", "total")]["document_id"] == warehouse.docs["A2021c"].document_id
    fails = {k for k, r in x1.items() if r["status"] == "fail"}
    assert fails == {("qc-qingxi", "total"), ("qc-qingxi", "natural_person")}


def test_i4_violation_reported_and_soft_checks(warehouse):
    rows = warehouse.query_dicts(
        "select * from marts.check_results where identity = 'I4' and status = 'fail'"
    )
    assert [(r["org_id"], r["year"], r["scope"], r["expected"], r["printed"]) for r in rows] == [
        ("qc-qingxi", 2021, "review", 3, 0)
    ]
    # X3 needs both years on the 2021 template: 2020 was on 2019 -> not assessable
    x3 = warehouse.query("select distinct status from marts.check_results where identity = 'X3'")
    assert x3 == [("not_assessable",)]
    x4 = warehouse.query_dicts(
        "select * from marts.check_results where identity = 'X4' and org_id = 'qc-chengguan' "
        "and scope = 'normative_docs.within_year'"
    )
    assert [(r["status"], r["expected"], r["printed"], r["severity"]) for r in x4] == [("pass", 3, 10, "soft")]


def test_identity_tests_warn_not_fail(warehouse):
    status = {r["unique_id"].split(".")[2]: r["status"] for r in warehouse.run_results["results"]}
    assert status["check_results_no_failed_X1"] == "warn"
    assert status["check_results_no_failed_I4"] == "warn"
    assert status["assert_i4_reconciles_in_facts"] == "warn"
    assert status["check_results_no_failed_I1"] == "pass"
    errors = {k: v for k, v in status.items() if v in ("error", "fail")}
    assert not errors


def test_comparison_against_independent_computation(warehouse):
    # independent: the handled totals of the latest versions, from the fixture numbers
    def handled(key):
        return warehouse.docs[key].cells["t3.result.total:total"]

    handled_by = {
        2020: {"qc-chengguan": handled("A2020"), "qc-qingxi": handled("B2020")},
        2021: {"qc-chengguan": handled("A2021c"), "qc-qingxi": handled("B2021")},
    }
    rows = warehouse.query_dicts("select * from marts.comparison where measure = 'handled'")
    assert len(rows) == 4
    for r in rows:
        values = handled_by[r["year"]]
        v = values[r["org_id"]]
        assert r["value"] == v
        assert r["county_total"] == sum(values.values())
        assert r["county_median"] == pytest.approx(statistics.median(values.values()))
        assert r["rank_in_county"] == 1 + sum(1 for x in values.values() if x > v)
        total = sum(values.values())
        assert r["share_of_county"] == (pytest.approx(v / total) if total else None)
        prev = handled_by.get(r["year"] - 1, {}).get(r["org_id"])
        assert r["prev_year_value"] == prev
        assert r["change_from_prev"] == (None if prev is None else v - prev)
    a = next(r for r in rows if r["org_id"] == "qc-chengguan" and r["year"] == 2021)
    assert (a["value"], a["county_total"], a["county_median"], a["rank_in_county"]) == (22, 28, 14, 1)
    # the 2019 new_made vs 2021 issued change is flagged
    nd = warehouse.query(
        "select change_comparability from marts.comparison where measure = 'normative_docs_issued' "
        "and org_id = 'qc-chengguan' and year = 2021"
    )
    assert nd == [("similar_only",)]


def test_every_mart_column_documented(warehouse):
    rows = warehouse.query(
        "select table_name, column_name from duckdb_columns() where schema_name = 'marts' "
        "and coalesce(comment, '') = ''"
    )
    assert rows == []
    tables = warehouse.query("select table_name from duckdb_tables() where schema_name = 'marts' order by 1")
    assert [t for (t,) in tables] == ["check_results", "comparison", "county_summary", "coverage",
                                      "documents_to_review", "facts", "org_year"]


def test_load_optional_and_required_tables(tmp_path, kit):
    staging = tmp_path / "staging"
    kit.write_staging(staging, kit.build_docs())
    (staging / "identity_checks.parquet").unlink()
    counts = load_staging(staging, tmp_path / "w.duckdb")
    assert counts["identity_checks"] == 0 and counts["documents"] > 0
    (staging / "documents.parquet").unlink()
    with pytest.raises(FileNotFoundError, match="documents"):
        load_staging(staging, tmp_path / "w.duckdb")
    # the failed load left the previous contents in place
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    try:
        assert con.execute("select count(*) from raw.documents").fetchone()[0] == counts["documents"]
    finally:
        con.close()


def test_unplaced_documents_are_kept_for_review(warehouse):
    rows = warehouse.query("select org_name_printed, year, review_reason from marts.documents_to_review "
                           "order by review_reason")
    assert set(rows) == {("青川县新华乡人民政府", 2021, "unexpected_organisation"),
                         (None, None, "no_organisation_in_title")}
    # an unexpected organisation's report never becomes a row of the county's coverage
    assert warehouse.query("select count(*) from marts.coverage where org_name like '%新华乡%'") == [(0,)]

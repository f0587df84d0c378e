"""docs/queries.md: every ```sql block runs against a freshly published warehouse, its answer is
checked against values computed here from data/sample_truth (never copied from the output), and
the answer table printed in the document is the one the query returns today."""
from __future__ import annotations

import math
import re
import statistics
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "queries.md"
PCT_TOL = 0.05 + 1e-9   # answers round percentages to one decimal


# ---- the document ----------------------------------------------------------------------------

def parse_doc(text: str) -> dict[str, dict]:
    """query id → {"sql", "table": [header, *rows] as printed}: each `<!-- query: id -->` marker is
    followed by one ```sql block and then the answer, a markdown table."""
    out = {}
    parts = re.split(r"<!--\s*query:\s*([\w-]+)\s*-->", text)
    for qid, body in zip(parts[1::2], parts[2::2]):
        m = re.search(r"```sql\n(.*?)```", body, re.S)
        assert m, f"{qid}: no ```sql block after the marker"
        lines = body[m.end():].splitlines()
        start = next((i for i, line in enumerate(lines) if line.startswith("|")), None)
        assert start is not None, f"{qid}: no answer table"
        table = []
        for line in lines[start:]:
            if not line.startswith("|"):
                break
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if not all(re.fullmatch(r":?-+:?", c) for c in cells):
                table.append(cells)
        out[qid] = {"sql": m.group(1).strip(), "table": table}
    return out


def show(v) -> str:
    """A result value as the document prints it: NULL blank, 3.0 → 3, booleans lower case."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    return str(v)


def markdown_table(cols: list[str], rows: list[tuple]) -> str:
    """The answer table for the document (used to write docs/queries.md)."""
    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    lines += ["| " + " | ".join(show(v) for v in r) + " |" for r in rows]
    return "\n".join(lines)


def run(con, sql: str) -> tuple[list[str], list[dict]]:
    cur = con.execute(sql)
    cols = [d[0] for d in cur.description]
    return cols, [dict(zip(cols, r)) for r in cur.fetchall()]


# ---- fixtures ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def doc() -> dict[str, dict]:
    return parse_doc(DOC.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def con(warehouse_path):
    c = duckdb.connect(str(warehouse_path), read_only=True)
    yield c
    c.close()


@pytest.fixture(scope="module")
def answers(doc, con) -> dict[str, list[dict]]:
    return {qid: run(con, q["sql"])[1] for qid, q in doc.items()}


# ---- helpers over the truth ------------------------------------------------------------------

def _name(truth, org):
    return truth.orgs[org]["name"]


def _v(truth, t, code):
    v = truth.cell(t, code)
    return None if v is None else float(v)


def same(a, b, tol=1e-9) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    return math.isclose(float(a), float(b), abs_tol=tol)


def assert_rows(got: list[dict], want: list[dict], pct_cols=()):
    assert len(got) == len(want), (len(got), len(want))
    for i, (g, w) in enumerate(zip(got, want)):
        for col, wv in w.items():
            tol = PCT_TOL if col in pct_cols else 1e-9
            assert same(g[col], wv, tol), (i, col, g[col], wv, g)


def _pct(x):
    return None if x is None else 100 * x


# ---- the document as a whole -----------------------------------------------------------------

EXPECTED_IDS = {"top_townships_2023", "rate_latest_year", "yoy_change", "missing_or_failed",
                "identity_failures", "county_totals", "peer_group_rates_2024", "county_completeness",
                "peer_group_totals_2020"}
PEER_GROUP = {"township": "乡镇", "street": "街道", "department": "县直部门"}


def test_the_document_has_its_queries(doc):
    assert set(doc) == EXPECTED_IDS
    for qid, q in doc.items():
        assert "marts." in q["sql"], qid


def test_printed_answers_are_what_the_queries_return(doc, con):
    for qid, q in doc.items():
        cols, rows = run(con, q["sql"])
        printed = [cols] + [[show(r[c]) for c in cols] for r in rows]
        assert q["table"] == printed, f"{qid}: docs/queries.md shows a stale answer"


# ---- each answer against the truth -----------------------------------------------------------

def test_top_townships_2023(answers, truth):
    rows = []
    for (org, year), t in truth.latest.items():
        if year == 2023 and truth.orgs[org]["type"] == "township":
            rows.append({"org_name": _name(truth, org), "new_received_total": _v(truth, t, "t3.new_received:total"),
                         "handled": _v(truth, t, "t3.result.total:total"),
                         "disclosure_rate_pct": _pct(truth.disclosure_rate(t))})
    rows.sort(key=lambda r: (-(r["new_received_total"] if r["new_received_total"] is not None else -math.inf),
                             r["org_name"]))
    assert_rows(answers["top_townships_2023"], rows[:5], pct_cols={"disclosure_rate_pct"})


def test_rate_latest_year(answers, truth):
    latest = max(y for _, y in truth.latest)
    rows = []
    for (org, year), t in truth.latest.items():
        if year == latest and truth.orgs[org]["type"] in ("township", "street"):
            rows.append({"org_name": _name(truth, org), "org_type": truth.orgs[org]["type"],
                         "handled": _v(truth, t, "t3.result.total:total"),
                         "granted": _v(truth, t, "t3.result.granted:total"),
                         "partial": _v(truth, t, "t3.result.partial:total"),
                         "disclosure_rate_pct": _pct(truth.disclosure_rate(t))})
    rows.sort(key=lambda r: (r["disclosure_rate_pct"] is None, -(r["disclosure_rate_pct"] or 0), r["org_name"]))
    assert_rows(answers["rate_latest_year"], rows, pct_cols={"disclosure_rate_pct"})


def test_yoy_change(answers, truth):
    rows = []
    for (org, year), t in truth.latest.items():
        if year != 2024 or truth.orgs[org]["type"] not in ("township", "street"):
            continue
        now = _v(truth, t, "t3.new_received:total")
        prev_t = truth.latest.get((org, 2023))
        prev = _v(truth, prev_t, "t3.new_received:total") if prev_t else None
        change = None if now is None or prev is None else now - prev
        rows.append({"org_name": _name(truth, org), "applications_2023": prev, "applications_2024": now,
                     "change_from_prev": change,
                     "change_pct": 100 * change / prev if change is not None and prev else None})
    rows.sort(key=lambda r: (r["change_from_prev"] is None, -(r["change_from_prev"] or 0), r["org_name"]))
    assert_rows(answers["yoy_change"], rows, pct_cols={"change_pct"})
    # taoyuan's 2023 report is a scan: no previous value, no change — not a drop from 0
    assert any(r["applications_2023"] is None for r in answers["yoy_change"])


def test_missing_or_failed(answers, truth):
    kind = {"pdf-scanned": "needs_ocr", "not_a_report": "not_a_report"}
    rows = []
    for (org, year), status in truth.coverage.items():
        if status == "published":
            continue
        found = [t for t in truth.truths if (t["org_id"], t["year"]) == (org, year)]
        rows.append({"org_name": _name(truth, org), "year": year, "status": status,
                     "reason_kind": kind[found[-1]["format"]] if found else None,
                     "n_documents": len(found)})
    rows.sort(key=lambda r: (r["year"], r["org_name"]))
    assert_rows(answers["missing_or_failed"], rows)
    never = {(_name(truth, g["org_id"]), g["year"]) for g in truth.county["never_published"]}
    assert {(r["org_name"], r["year"]) for r in answers["missing_or_failed"] if r["status"] == "not_found"} == never


def test_identity_failures(answers, truth):
    latest_ids = {t["report_id"] for t in truth.latest.values()}
    rows = []
    for t in truth.truths:
        for v in t.get("source_identity_violations", []):
            rows.append({"org_name": _name(truth, t["org_id"]), "year": t["year"], "identity": v["identity"],
                         "scope": str(v["group"]), "relation": "=", "expected": float(v["sum_of_parts"]),
                         "printed": float(v["printed_total"]), "is_latest": t["report_id"] in latest_ids})
    assert rows
    rows.sort(key=lambda r: (r["year"], r["org_name"], r["identity"], r["scope"]))
    assert_rows(answers["identity_failures"], rows)


def test_county_totals(answers, truth):
    rows = []
    for year in truth.county["years"]:
        ts = [t for (o, y), t in truth.latest.items() if y == year]
        handled = sum(_v(truth, t, "t3.result.total:total") for t in ts)
        disclosed = sum(_v(truth, t, "t3.result.granted:total") + _v(truth, t, "t3.result.partial:total")
                        for t in ts)
        rates = [r for r in (truth.disclosure_rate(t) for t in ts) if r is not None]
        rows.append({"year": year, "reports": len(ts),
                     "on_2021_template": sum(t["template_s3"] == "2021" for t in ts),
                     "applications": sum(_v(truth, t, "t3.new_received:total") for t in ts),
                     "handled": handled, "disclosed": disclosed,
                     "pooled_rate_pct": 100 * disclosed / handled,
                     "median_rate_pct": 100 * statistics.median(rates)})
    assert_rows(answers["county_totals"], rows, pct_cols={"pooled_rate_pct", "median_rate_pct"})


# ---- peer groups and completeness (questions 7-9) --------------------------------------------

def _expected_by_type(truth) -> dict[str, int]:
    out: dict[str, int] = {}
    for o in truth.county["organisations"]:
        out[o["type"]] = out.get(o["type"], 0) + 1
    return out


def _pooled(truth, ts):
    """All disclosed over all handled, over the reports that have a rate."""
    ts = [t for t in ts if truth.disclosure_rate(t) is not None]
    handled = sum(_v(truth, t, "t3.result.total:total") for t in ts)
    disclosed = sum(_v(truth, t, "t3.result.granted:total") + _v(truth, t, "t3.result.partial:total") for t in ts)
    return disclosed / handled


def test_peer_group_rates_2024(answers, truth):
    expected = _expected_by_type(truth)
    by_type: dict[str, list] = {}
    for (org, year), t in truth.latest.items():
        if year == 2024:
            by_type.setdefault(truth.orgs[org]["type"], []).append((org, t))
    rows = []
    for typ, members in by_type.items():
        rates = {org: truth.disclosure_rate(t) for org, t in members}
        values = [r for r in rates.values() if r is not None]
        for org, rate in rates.items():
            rows.append({"org_name": _name(truth, org), "peer_group": PEER_GROUP[typ], "rate_pct": _pct(rate),
                         "rank_in_peer_group": None if rate is None else 1 + sum(v > rate for v in values),
                         "peer_median_pct": 100 * statistics.median(values),
                         "peer_pooled_pct": 100 * _pooled(truth, [t for _, t in members]),
                         "peer_reports": f"{len(members)}/{expected[typ]}"})
    rows.sort(key=lambda r: (r["peer_group"], r["rank_in_peer_group"] is None, r["rank_in_peer_group"] or 0,
                             r["org_name"]))
    assert_rows(answers["peer_group_rates_2024"], rows,
                pct_cols={"rate_pct", "peer_median_pct", "peer_pooled_pct"})
    # three groups, each ranked on its own: a rank 1 in every group
    got = answers["peer_group_rates_2024"]
    assert {r["peer_group"] for r in got if r["rank_in_peer_group"] == 1} == {"乡镇", "街道", "县直部门"}


def test_county_completeness(answers, truth):
    n_orgs = len(truth.county["organisations"])
    rows = []
    for year in truth.county["years"]:
        ts = [t for (o, y), t in truth.latest.items() if y == year]
        rates = [r for r in (truth.disclosure_rate(t) for t in ts) if r is not None]
        rows.append({"year": year, "reports_in": len(ts), "orgs_expected": n_orgs,
                     "is_complete": len(ts) == n_orgs,
                     "pooled_rate_pct": 100 * _pooled(truth, ts),
                     "median_rate_pct": 100 * statistics.median(rates), "n_orgs_with_value": len(rates)})
    assert_rows(answers["county_completeness"], rows, pct_cols={"pooled_rate_pct", "median_rate_pct"})
    # the reports that are not in are exactly the org-years coverage does not publish
    missing = {y: sum(1 for (o, yy), s in truth.coverage.items() if yy == y and s != "published")
               for y in truth.county["years"]}
    assert {r["year"]: r["orgs_expected"] - r["reports_in"] for r in answers["county_completeness"]} == missing


def test_peer_group_totals_2020(answers, truth):
    expected = _expected_by_type(truth)
    groups: dict[str, list] = {"全县": []}
    for (org, year), t in truth.latest.items():
        if year == 2020:
            groups["全县"].append(t)
            groups.setdefault(PEER_GROUP[truth.orgs[org]["type"]], []).append(t)
    want = {"全县": sum(expected.values()), **{PEER_GROUP[k]: v for k, v in expected.items()}}
    rows = []
    for name, ts in groups.items():
        apps = [_v(truth, t, "t3.new_received:total") for t in ts]
        rows.append({"group_zh": name, "reports": f"{len(ts)}/{want[name]}", "applications": sum(apps),
                     "median_applications": statistics.median(apps)})
    rows.sort(key=lambda r: (r["group_zh"] != "全县", r["group_zh"]))
    assert_rows(answers["peer_group_totals_2020"], rows)

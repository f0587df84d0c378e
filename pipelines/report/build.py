"""Read the marts of a published warehouse and write one self-contained HTML page per county.

Each page carries its data as one JSON blob (<script type="application/json" id="report-data">)
and a small vanilla-JS renderer (pipelines/report/static.py) that draws inline SVG charts and the
sortable table: no CDN, no network fetch, so the page works from a file:// URL or an e-mail.

Values are passed through as printed: a blank cell is JSON null and is drawn blank, never 0.
"""
from __future__ import annotations

import datetime as dt
import html
import json
import math
import re
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

import duckdb

from pipelines.report.static import CSS, JS

TYPE_ORDER = {"township": 0, "street": 1, "department": 2}

# org_year columns left out of the sortable table (keys, or shown another way).
TABLE_SKIP = {"org_year_key", "county", "document_id", "document_url", "org_id"}
# First columns of the table, in this order; the rest follow in warehouse order.
TABLE_FIRST = ["org_name", "org_type", "year", "new_received_total", "handled", "disclosure_rate"]
RATE_COLUMNS = {"disclosure_rate", "review_corrected_share", "litigation_corrected_share"}


def _plain(value: Any) -> Any:
    """JSON-safe scalar: Decimal → float, NaN → None, dates → ISO text."""
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def _records(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    cur = con.execute(sql, params or [])
    cols = [d[0] for d in cur.description]
    return [{c: _plain(v) for c, v in zip(cols, row)} for row in cur.fetchall()]


def _column_docs() -> dict[str, str]:
    """org_year column descriptions from the dbt docs (tooltips on the table headers); optional."""
    try:
        import yaml

        from pipelines import settings

        doc = yaml.safe_load((settings.DBT_PROJECT_DIR / "models" / "marts" / "_marts.yml")
                             .read_text(encoding="utf-8"))
        model = next(m for m in doc["models"] if m["name"] == "org_year")
        return {c["name"]: str(c.get("description", "")).strip() for c in model["columns"]}
    except Exception:  # the report is still complete without tooltips
        return {}


def counties(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "select county from marts.coverage where county is not null "
        "union select county from marts.org_year where county is not null order by 1").fetchall()
    return [r[0] for r in rows]


def county_data(con: duckdb.DuckDBPyConnection, county: str) -> dict:
    """Everything one county page shows, as plain JSON-able values."""
    coverage = _records(con, """
        select org_id, org_name, org_type, year, status, reason, document_url, n_documents, n_parsed,
               latest_version, template_s2, template_s3, all_zero
        from marts.coverage where county = ? order by org_id, year""", [county])
    org_year = _records(con, "select * from marts.org_year where county = ? order by org_id, year",
                        [county])

    # Organisations: the expected list first (its order), then any org found only in org_year.
    orgs: dict[str, dict] = {}
    try:
        expected = _records(con, "select org_id, name, org_type from raw.expected_orgs where county = ?",
                            [county])
    except duckdb.Error:
        expected = []
    for o in expected:
        orgs.setdefault(o["org_id"], {"org_id": o["org_id"], "org_name": o["name"],
                                      "org_type": o["org_type"]})
    for r in coverage + org_year:
        orgs.setdefault(r["org_id"], {"org_id": r["org_id"], "org_name": r["org_name"],
                                      "org_type": r["org_type"]})
    order = {oid: i for i, oid in enumerate(orgs)}
    org_list = sorted(orgs.values(),
                      key=lambda o: (TYPE_ORDER.get(o["org_type"] or "", 9), order[o["org_id"]]))
    for o in org_list:
        o["short_name"] = short_name(o["org_name"] or o["org_id"], county)
    order_of = {o["org_id"]: i for i, o in enumerate(org_list)}

    org_year.sort(key=lambda r: (order_of.get(r["org_id"], len(order_of)), r["year"]))
    years = sorted({r["year"] for r in coverage} | {r["year"] for r in org_year})
    org_ids = [o["org_id"] for o in org_list]

    checks = _records(con, """
        select identity, severity, scope, org_id, year, is_latest, relation, expected, printed,
               detail, document_id
        from marts.check_results
        where status = 'fail' and org_id in (select unnest(?::varchar[]))
        order by org_id, year, identity, scope""", [org_ids]) if org_ids else []

    trend = _records(con, """
        with y as (select distinct year from marts.coverage where county = ?)
        select y.year,
               count(o.org_id) as n_published,
               count(o.new_received_total) as n_with_applications,
               sum(o.new_received_total) as new_received_total,
               count(o.disclosure_rate) as n_with_rate,
               avg(o.disclosure_rate) as mean_disclosure_rate,
               median(o.disclosure_rate) as median_disclosure_rate,
               sum(o.handled) as handled_total
        from y left join marts.org_year as o on o.year = y.year and o.county = ?
        group by y.year order by y.year""", [county, county])
    n_expected = {r["year"]: r["n"] for r in _records(
        con, "select year, count(*) as n from marts.coverage where county = ? group by year", [county])}
    for t in trend:
        t["n_expected"] = n_expected.get(t["year"], 0)

    docs = _column_docs()
    all_cols = list(org_year[0].keys()) if org_year else _records(
        con, "select column_name from information_schema.columns "
             "where table_schema = 'marts' and table_name = 'org_year' order by ordinal_position")
    if all_cols and isinstance(all_cols[0], dict):
        all_cols = [c["column_name"] for c in all_cols]
    table_cols = [c for c in TABLE_FIRST if c in all_cols] + [
        c for c in all_cols if c not in TABLE_FIRST and c not in TABLE_SKIP]
    columns = [{"name": c, "doc": docs.get(c, ""), "kind": "rate" if c in RATE_COLUMNS else None}
               for c in table_cols]

    status_counts: dict[str, int] = {}
    for r in coverage:
        status_counts[r["status"]] = status_counts.get(r["status"], 0) + 1

    return {
        "county": county,
        "years": years,
        "orgs": org_list,
        "coverage": coverage,
        "org_year": org_year,
        "failed_checks": checks,
        "trend": trend,
        "columns": columns,
        "status_counts": status_counts,
        "generated_at": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }


def short_name(name: str, county: str) -> str:
    """澄岚县石桥镇人民政府 → 石桥镇; 澄岚县东城街道办事处 → 东城街道; 澄岚县教育局 → 教育局."""
    s = name
    if county and s.startswith(county) and len(s) > len(county):
        s = s[len(county):]
    s = re.sub(r"(人民政府|办事处)$", "", s)
    return s or name


def _json_for_script(data: dict) -> str:
    """JSON that cannot close its <script> element early."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render_page(data: dict) -> str:
    county = html.escape(data["county"])
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{county} · 政府信息公开工作年度报告 · 县级概览</title>
<style>{CSS}</style>
</head>
<body>
<header class="top">
  <p class="crumbs"><a href="index.html">所有县 · all counties</a></p>
  <h1>{county} <span class="sub">政府信息公开工作年度报告 · 县级概览</span></h1>
  <p class="lede">Annual reports on government information disclosure, as printed, from the published
  warehouse (marts.org_year, marts.coverage, marts.check_results). Blank cells stay blank.</p>
  <div id="summary" class="cards"></div>
</header>
<main>
  <section id="trend">
    <h2>全县趋势 · County trend</h2>
    <div class="row" id="trend-charts"></div>
  </section>
  <section id="applications">
    <h2>本年新收申请 · Applications received (t3 new received, total)</h2>
    <p class="note">One chart per organisation (乡镇 townships, 街道 streets, 部门 departments), same
    vertical scale throughout; ✕ not found, ! parse failed, a dashed box is a blank printed cell.</p>
    <div id="sm-applications"></div>
  </section>
  <section id="rates">
    <h2>公开率 · Disclosure rate ((granted + partial) / handled)</h2>
    <p class="note">0–100 %. "–" where nothing was handled (rate undefined).</p>
    <div id="sm-rates"></div>
  </section>
  <section id="heatmaps">
    <div class="row">
      <div class="col"><h2>报告覆盖 · Coverage</h2><div id="hm-coverage"></div></div>
      <div class="col"><h2>勾稽关系未通过 · Failed identity checks</h2><div id="hm-checks"></div>
        <div id="check-list"></div></div>
    </div>
  </section>
  <section id="table-section">
    <h2>机构 × 年度 · marts.org_year</h2>
    <p class="note">Click a header to sort (again to reverse); blanks always sort last.</p>
    <div class="table-wrap"><table id="org-year-table"></table></div>
  </section>
</main>
<footer>Generated {html.escape(data["generated_at"])} from the published warehouse.
Self-contained page: no network access needed.</footer>
<noscript><p class="noscript">This report draws its charts with JavaScript; enable it to see them.</p></noscript>
<script type="application/json" id="report-data">{_json_for_script(data)}</script>
<script>{JS}</script>
</body>
</html>
"""


def render_index(entries: list[dict]) -> str:
    items = "\n".join(
        f'<li><a href="{html.escape(e["href"])}">{html.escape(e["county"])}</a> '
        f'<span class="note">{e["n_orgs"]} organisations · {e["years"]} · '
        f'{e["published"]} published, {e["parse_failed"]} parse failed, {e["not_found"]} not found</span></li>'
        for e in entries) or "<li>No county in the warehouse.</li>"
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head><meta charset="utf-8"><title>县级概览 · County reports</title><style>{CSS}</style></head>
<body><header class="top"><h1>县级概览 <span class="sub">County reports</span></h1></header>
<main><ul class="index">
{items}
</ul></main></body></html>
"""


def _file_name(county: str) -> str:
    safe = re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", county).strip(" .") or "county"
    return f"{safe}.html"


def build_county_report(db_path: Path, out_dir: Path) -> list[Path]:
    """Write `<out_dir>/<county>.html` for every county in the warehouse plus `index.html`.

    Returns the county pages followed by the index."""
    db_path, out_dir = Path(db_path), Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    entries: list[dict] = []
    with duckdb.connect(str(db_path), read_only=True) as con:
        for county in counties(con):
            data = county_data(con, county)
            path = out_dir / _file_name(county)
            tmp = path.with_suffix(".html.tmp")
            tmp.write_text(render_page(data), encoding="utf-8")
            tmp.replace(path)
            written.append(path)
            sc = data["status_counts"]
            ys = data["years"]
            entries.append({
                "county": county, "href": quote(path.name), "n_orgs": len(data["orgs"]),
                "years": f"{ys[0]}–{ys[-1]}" if ys else "no years",
                "published": sc.get("published", 0), "parse_failed": sc.get("parse_failed", 0),
                "not_found": sc.get("not_found", 0)})
    index = out_dir / "index.html"
    index.write_text(render_index(entries), encoding="utf-8")
    written.append(index)
    return written

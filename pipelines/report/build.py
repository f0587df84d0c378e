"""Read the marts of a published warehouse and write one self-contained HTML page per county.

Each page carries its data as one JSON blob (<script type="application/json" id="report-data">)
and a small vanilla-JS renderer (pipelines/report/static.py) that draws inline SVG charts and the
sortable tables: no CDN, no network fetch, so the page works from a file:// URL or an e-mail.

The page speaks Chinese only (its readers are county analysts); column names stay in data-*
attributes for tests and the #sort= link, never in visible text. Values are passed through as
printed: a blank cell is JSON null and is drawn blank, never 0.

County figures are computed here in SQL over the marts (marts.org_year, marts.coverage,
marts.check_results, marts.facts), so the page does not depend on optional mart columns:
  - peer groups are the organisation types 乡镇 / 街道 / 县直部门; medians are taken within a group;
  - the pooled rate of a group (or of the county) is Σ(予以公开 + 部分公开) / Σ办理结果总计 over the
    organisations that printed all three cells (the county's own rate, not a mean of rates);
  - every county figure carries its completeness: reports in / organisations expected that year.
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

# Peer groups, in the order the page shows them (a group the county lacks is left out).
PEER_GROUPS = [("township", "乡镇"), ("street", "街道"), ("department", "县直部门"),
               ("county_government", "县政府")]
TYPE_ORDER = {t: i for i, (t, _) in enumerate(PEER_GROUPS)}
TYPE_LABEL = dict(PEER_GROUPS)

APPLICANTS = [("natural_person", "自然人"), ("commercial", "商业企业"), ("research", "科研机构"),
              ("nonprofit", "社会公益组织"), ("legal_service", "法律服务机构"), ("other_org", "其他法人或组织"),
              ("total", "总计")]

# The org_year columns the table shows, in order: (column, Chinese header as in the statutory
# template, unit, kind). kind: num (printed number), rate (share shown in %), or a value map below.
# Columns not listed (keys, template codes, new mart columns) are not shown.
TABLE_COLUMNS: list[tuple[str, str, str, str]] = [
    ("org_name", "机构（当年报告署名）", "", "text"),
    ("org_type", "类别", "", "org_type"),
    ("year", "年度", "", "year"),
    ("new_received_total", "本年新收申请·总计", "件", "num"),
    ("handled", "办理结果·总计", "件", "num"),
    ("disclosure_rate", "公开率", "%", "rate"),
    *[(f"new_received_{c}", f"本年新收申请·{zh}", "件", "num") for c, zh in APPLICANTS if c != "total"],
    *[(f"carried_over_{c}", f"上年结转申请·{zh}", "件", "num") for c, zh in APPLICANTS],
    ("granted", "予以公开", "件", "num"),
    ("partial", "部分公开", "件", "num"),
    ("withheld", "不予公开", "件", "num"),
    ("unable", "无法提供", "件", "num"),
    ("not_processed", "不予处理", "件", "num"),
    ("other", "其他处理", "件", "num"),
    ("carry_forward", "结转下年度继续办理", "件", "num"),
    ("review_total", "行政复议·总计", "件", "num"),
    ("review_corrected", "行政复议·结果纠正", "件", "num"),
    ("review_corrected_share", "行政复议纠错率", "%", "rate"),
    ("lit_direct_total", "行政诉讼·未经复议直接起诉·总计", "件", "num"),
    ("lit_after_review_total", "行政诉讼·复议后起诉·总计", "件", "num"),
    ("litigation_total", "行政诉讼·总计", "件", "num"),
    ("litigation_corrected", "行政诉讼·结果纠正", "件", "num"),
    ("litigation_corrected_share", "行政诉讼纠错率", "%", "rate"),
    ("normative_docs_issued", "规范性文件·本年制发", "件", "num"),
    ("normative_docs_issued_comparability", "规范性文件制发·口径", "", "comparability"),
    ("normative_docs_in_force", "规范性文件·现行有效", "件", "num"),
    ("normative_docs_total_published", "规范性文件·对外公开总数", "件", "num"),
    ("licensing_decisions", "行政许可·处理决定", "件", "num"),
    ("penalty_decisions", "行政处罚·处理决定", "件", "num"),
    ("coercion_decisions", "行政强制·处理决定", "件", "num"),
    ("fees_amount_wan", "行政事业性收费·本年收费金额", "万元", "num"),
    ("template_s3", "第三部分表格版本", "", "template"),
    ("version", "版本", "", "version"),
    ("read_by", "读取方式", "", "read_by"),
]
COLUMN_NOTES = {
    "disclosure_rate": "（予以公开 + 部分公开）÷ 办理结果总计；未办理任何申请时无公开率",
    "review_corrected_share": "行政复议结果纠正 ÷ 行政复议总计",
    "litigation_corrected_share": "行政诉讼结果纠正 ÷ 行政诉讼总计",
    "normative_docs_issued": "2021 年版表格为“本年制发件数”；2019 年版为“本年新制作数量”，口径相近",
    "org_name": "报告标题中该机构当年所署的名称（机构更名后仍按当年名称）",
    "fees_amount_wan": "2021 年版表格第二部分“本年收费金额（单位：万元）”",
    "template_s3": "2019 年版或 2021 年版政府信息公开工作年度报告格式",
}

# Failure reasons (marts.coverage.reason is "<kind>: <message>") in plain Chinese.
REASON_ZH = {
    "needs_ocr": "扫描件，没有可读的文字层（需要文字识别）",
    "not_a_report": "链接打开的不是报告文件（例如错误页）",
    "needs_converter": "旧版 Word（.doc）文件，需要转换工具才能读取",
    "corrupt_file": "文件损坏，无法打开",
    "timeout": "读取超时",
    "out_of_memory": "读取时内存不足",
    "worker_crashed": "读取进程意外退出",
    "http_error": "下载失败",
    "no_tables": "未找到报告表格",
}

# The accounting identities (marts.check_results.identity) in words.
IDENTITY_ZH = {
    "I1": "第三部分：本年新收 + 上年结转 = 办理结果总计 + 结转下年度",
    "I2": "第三部分：办理结果总计 = 各项办理结果之和",
    "I3": "第三部分：各行总计 = 各类申请人之和",
    "I4": "第四部分：总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结",
    "I5": "数值应为非负整数（收费金额为非负数）",
    "X1": "本年“上年结转” = 上一年“结转下年度继续办理”",
    "X2": "第二部分：本年“上一年项目数量” = 上一年项目数量 + 上一年增减",
    "X3": "第二部分：现行有效件数 ≈ 上年现行有效 + 本年制发 − 本年废止",
    "X4": "第二部分：本年新公开 ≤ 对外公开总数，且总数不少于上年",
}
SEVERITY_ZH = {"hard": "必须成立", "soft": "通常成立（提示）"}
SCOPE_ZH = {
    **dict(APPLICANTS),
    "review": "行政复议", "lit_direct": "行政诉讼（未经复议直接起诉）",
    "lit_after_review": "行政诉讼（复议后起诉）", "all": "全部单元格",
    "licensing": "行政许可", "other_services": "其他对外管理服务事项", "penalty": "行政处罚",
    "coercion": "行政强制", "fees": "行政事业性收费", "rules": "规章", "normative_docs": "规范性文件",
    "normative_docs.within_year": "规范性文件（本年）", "normative_docs.vs_prev_year": "规范性文件（与上年比）",
    "rules.within_year": "规章（本年）", "rules.vs_prev_year": "规章（与上年比）",
}

# Beijing time has had no daylight saving since 1991: a fixed offset is exact.
BEIJING = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")


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


def _has_column(con: duckdb.DuckDBPyConnection, schema: str, table: str, column: str) -> bool:
    return con.execute(
        "select count(*) from information_schema.columns "
        "where table_schema = ? and table_name = ? and column_name = ?", [schema, table, column]
    ).fetchone()[0] > 0


def beijing_time(now: dt.datetime | None = None) -> str:
    """'2026年11月30日 13:25（北京时间）' for an aware datetime (default: now)."""
    now = (now or dt.datetime.now(dt.timezone.utc)).astimezone(BEIJING)
    return f"{now.year}年{now.month}月{now.day}日 {now:%H:%M}（北京时间）"


def reason_zh(reason: str | None) -> str:
    """'needs_ocr: the PDF has …' → the Chinese sentence for its kind."""
    if not reason:
        return ""
    kind = reason.split(":", 1)[0].strip()
    return REASON_ZH.get(kind, "无法读取（原因未归类，详见数据仓库的报告覆盖表）" if kind else "")


def pooled_rate(disclosed: float | None, handled: float | None) -> float | None:
    return disclosed / handled if disclosed is not None and handled else None


def counties(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "select county from marts.coverage where county is not null "
        "union select county from marts.org_year where county is not null order by 1").fetchall()
    return [r[0] for r in rows]


def peer_stats(con: duckdb.DuckDBPyConnection, county: str) -> list[dict]:
    """One row per year × peer group plus one per year for the whole county (org_type null):
    completeness, applications (sum, median) and disclosure rate (pooled, median)."""
    rows = _records(con, """
        with g as (
            select c.year, c.org_type, c.org_id, o.org_id as published_org,
                   o.new_received_total, o.disclosure_rate, o.granted, o.partial, o.handled,
                   o.handled is not null and o.granted is not null and o.partial is not null as poolable
            from marts.coverage as c
            left join marts.org_year as o on o.org_id = c.org_id and o.year = c.year
            where c.county = ?
        )
        select year, org_type, grouping(org_type) = 1 as is_county,
               count(*) as n_expected,
               count(published_org) as n_published,
               count(new_received_total) as n_with_applications,
               sum(new_received_total) as new_received_total,
               median(new_received_total) as median_new_received,
               count(disclosure_rate) as n_with_rate,
               median(disclosure_rate) as median_disclosure_rate,
               count(*) filter (where poolable) as n_pooled,
               sum(granted + partial) filter (where poolable) as pooled_disclosed,
               sum(handled) filter (where poolable) as pooled_handled
        from g
        group by grouping sets ((year, org_type), (year))
        order by year, is_county desc, org_type""", [county])
    for r in rows:
        r["pooled_disclosure_rate"] = pooled_rate(r["pooled_disclosed"], r["pooled_handled"])
        if r["is_county"]:
            r["org_type"] = None
    rows.sort(key=lambda r: (r["year"], -1 if r["is_county"] else TYPE_ORDER.get(r["org_type"], 9)))
    return rows


def peer_ranks(con: duckdb.DuckDBPyConnection, county: str) -> list[dict]:
    """Each published org × year within its peer group: rank and share of applications, rank of
    the disclosure rate (1 = highest), over the organisations of the group that printed a value."""
    return _records(con, """
        select org_id, year, org_type,
               case when new_received_total is not null then rank() over (
                   partition by year, org_type order by new_received_total desc nulls last) end
                   as rank_new_received,
               count(new_received_total) over (partition by year, org_type) as n_ranked_new_received,
               new_received_total / nullif(sum(new_received_total) over (partition by year, org_type), 0)
                   as share_new_received,
               case when disclosure_rate is not null then rank() over (
                   partition by year, org_type order by disclosure_rate desc nulls last) end
                   as rank_disclosure_rate,
               count(disclosure_rate) over (partition by year, org_type) as n_ranked_disclosure_rate
        from marts.org_year where county = ?
        order by year, org_type, org_id""", [county])


def printed_names(con: duckdb.DuckDBPyConnection, county: str) -> dict[str, str]:
    """document_id → the organisation's name as printed in that report's title (core.documents),
    where the warehouse has it; the page falls back to the canonical name."""
    try:
        rows = con.execute("""
            select o.document_id, d.org_name_printed
            from marts.org_year as o join core.documents as d using (document_id)
            where o.county = ? and d.org_name_printed is not null""", [county]).fetchall()
    except duckdb.Error:
        return {}
    return dict(rows)


def human_cells(con: duckdb.DuckDBPyConnection, org_ids: list[str]) -> int:
    """Cells of the current reports that a person entered (marts.facts.read_by = 'human'); 0 until
    the review app (issue 9) writes any, and 0 on a warehouse without the column."""
    if not org_ids or not _has_column(con, "marts", "facts", "read_by"):
        return 0
    latest = "and is_latest" if _has_column(con, "marts", "facts", "is_latest") else ""
    return con.execute(
        f"select count(*) from marts.facts where read_by = 'human' {latest} "
        "and org_id in (select unnest(?::varchar[]))", [org_ids]).fetchone()[0]


def t3_row_labels(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """t3 row code → its label in the template (last part of row_path_zh), for identity scopes."""
    try:
        rows = con.execute("""
            select split_part(code, ':', 1) as row_code, max(split_part(row_path_zh, '/', -1))
            from raw.items where code like 't3.%' group by 1""").fetchall()
    except duckdb.Error:
        return {}
    return {code: re.sub(r"^[（(][一二三四五六七八九十]+[）)]|^[一二三四五六七八九十]+、|^\d+\.", "", label)
            for code, label in rows}


def check_text(c: dict, row_labels: dict[str, str]) -> dict:
    """Chinese wording of one failed check."""
    scope = c["scope"] or ""
    where = SCOPE_ZH.get(scope) or row_labels.get(scope) or scope
    rel = "应等于" if c["relation"] == "=" else "应不少于"
    return {"rule": IDENTITY_ZH.get(c["identity"], c["identity"]), "where": where,
            "severity": SEVERITY_ZH.get(c["severity"], c["severity"] or ""), "relation": rel}


def county_data(con: duckdb.DuckDBPyConnection, county: str, now: dt.datetime | None = None) -> dict:
    """Everything one county page shows, as plain JSON-able values."""
    coverage = _records(con, """
        select org_id, org_name, org_type, year, status, reason, document_url, n_documents, n_parsed,
               latest_version, template_s2, template_s3, all_zero
        from marts.coverage where county = ? order by org_id, year""", [county])
    for r in coverage:
        r["reason_zh"] = reason_zh(r["reason"])
    org_year = _records(con, "select * from marts.org_year where county = ? order by org_id, year",
                        [county])
    # the name printed that year: marts.org_year.org_name_printed where the marts have it, else
    # core.documents, else the canonical name
    printed = {} if org_year and "org_name_printed" in org_year[0] else printed_names(con, county)
    for r in org_year:
        r["org_name_canonical"] = r["org_name"]
        r["org_name"] = r.get("org_name_printed") or printed.get(r["document_id"]) or r["org_name"]

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
        orgs.setdefault(r["org_id"], {"org_id": r["org_id"],
                                      "org_name": r.get("org_name_canonical", r["org_name"]),
                                      "org_type": r["org_type"]})
    order = {oid: i for i, oid in enumerate(orgs)}
    org_list = sorted(orgs.values(),
                      key=lambda o: (TYPE_ORDER.get(o["org_type"] or "", 9), order[o["org_id"]]))
    for o in org_list:
        o["short_name"] = short_name(o["org_name"] or o["org_id"], county)
        o["type_zh"] = TYPE_LABEL.get(o["org_type"], "其他")
        o["former_names"] = former_names(
            [(r["year"], r["org_name"]) for r in org_year if r["org_id"] == o["org_id"]],
            o["short_name"], county)
    order_of = {o["org_id"]: i for i, o in enumerate(org_list)}
    for r in org_year:
        r["short_name"] = short_name(r["org_name"], county)

    org_year.sort(key=lambda r: (order_of.get(r["org_id"], len(order_of)), r["year"]))
    years = sorted({r["year"] for r in coverage} | {r["year"] for r in org_year})
    org_ids = [o["org_id"] for o in org_list]

    checks = _records(con, """
        select identity, severity, scope, org_id, year, is_latest, relation, expected, printed,
               document_id
        from marts.check_results
        where status = 'fail' and org_id in (select unnest(?::varchar[]))
        order by org_id, year, identity, scope""", [org_ids]) if org_ids else []
    row_labels = t3_row_labels(con)
    name_of = {(r["org_id"], r["year"]): r["org_name"] for r in org_year}
    for c in checks:
        c.update(check_text(c, row_labels))
        c["org_name"] = name_of.get((c["org_id"], c["year"])) or orgs.get(c["org_id"], {}).get("org_name")

    stats = peer_stats(con, county)
    trend = [r for r in stats if r["is_county"]]
    groups = [r for r in stats if not r["is_county"]]

    columns = [{"name": c, "label": label, "unit": unit, "kind": kind, "doc": COLUMN_NOTES.get(c, "")}
               for c, label, unit, kind in TABLE_COLUMNS if not org_year or c in org_year[0]]

    status_counts: dict[str, int] = {}
    for r in coverage:
        status_counts[r["status"]] = status_counts.get(r["status"], 0) + 1

    return {
        "county": county,
        "years": years,
        "orgs": org_list,
        "peer_groups": [g for g in ({"org_type": t, "label": zh,
                                     "n_orgs": sum(1 for o in org_list if o["org_type"] == t)}
                                    for t, zh in PEER_GROUPS) if g["n_orgs"]],
        "coverage": coverage,
        "org_year": org_year,
        "failed_checks": checks,
        "trend": trend,
        "peer_stats": groups,
        "peer_ranks": peer_ranks(con, county),
        "columns": columns,
        "status_counts": status_counts,
        "human_cells": human_cells(con, org_ids),
        "generated_at": beijing_time(now),
    }


def short_name(name: str, county: str) -> str:
    """澄岚县石桥镇人民政府 → 石桥镇; 澄岚县东城街道办事处 → 东城街道; 澄岚县教育局 → 教育局."""
    s = name
    if county and s.startswith(county) and len(s) > len(county):
        s = s[len(county):]
    s = re.sub(r"(人民政府|办事处)$", "", s)
    return s or name


def former_names(printed: list[tuple[int, str]], current_short: str, county: str) -> list[dict]:
    """Names an organisation printed that differ from its current one, with their years:
    [(2019, 澄岚县清水乡), (2021, 澄岚县清水乡人民政府)] → [{"name": "清水乡", "from": 2019, "to": 2021}]."""
    spans: list[dict] = []
    for year, name in sorted(printed):
        s = short_name(name, county)
        if s == current_short:
            continue
        if spans and spans[-1]["name"] == s and spans[-1]["to"] == year - 1:
            spans[-1]["to"] = year
        else:
            spans.append({"name": s, "from": year, "to": year})
    return spans


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
<title>{county} · 政府信息公开工作年度报告 · 全县概览</title>
<style>{CSS}</style>
</head>
<body>
<header class="top">
  <p class="crumbs no-print"><a href="index.html">全部县（区）</a></p>
  <h1>{county}<span class="sub">政府信息公开工作年度报告 · 全县概览</span></h1>
  <p class="lede">根据各机构公开发布的政府信息公开工作年度报告汇总。数值照报告原样录入：报告留空的单元格保持空白，不按 0 计；
  全县和各类机构的合计、中位数只计算已收到的报告，每个数字旁注明“已收报告数 / 应报机构数”。</p>
  <div id="summary" class="cards"></div>
</header>
<main>
  <section id="trend">
    <h2>全县趋势</h2>
    <p class="note">全县公开率 = 全县（予以公开 + 部分公开）合计 ÷ 全县办理结果总计，是全县整体的比率，不是各机构公开率的平均数；
    中位数为各机构公开率的中位数。</p>
    <div class="row" id="trend-charts"></div>
  </section>
  <section id="peers">
    <h2>同类机构比较（乡镇、街道、县直部门）</h2>
    <p class="note">中位数只在同类机构之内计算；“合计公开率”是该类机构整体的比率。括号内为已收报告数 / 应报机构数。</p>
    <div class="table-wrap"><table id="peer-table" class="data"></table></div>
    <h3 class="peer-org-title">各机构在同类中的位置 <label class="no-print">年度 <select id="peer-year"></select></label>
      <span class="print-only" id="peer-year-print"></span></h3>
    <p class="note">排名按数值从高到低，1 为最高；只在报告中填有该数值的同类机构之间排名。</p>
    <div class="table-wrap"><table id="peer-org-table" class="data"></table></div>
  </section>
  <section id="applications">
    <h2>各机构本年新收政府信息公开申请数量（件）</h2>
    <p class="note">每个机构一张图，纵轴刻度全部相同；✕ 表示未找到当年报告，! 表示找到报告但无法读取，虚线框表示报告中该单元格留空。</p>
    <div id="sm-applications"></div>
  </section>
  <section id="rates">
    <h2>各机构公开率（%）</h2>
    <p class="note">公开率 =（予以公开 + 部分公开）÷ 办理结果总计；“–”表示当年未办理申请，公开率无从计算。
    虚线为同类机构公开率中位数。</p>
    <div id="sm-rates"></div>
  </section>
  <section id="heatmaps">
    <div class="row">
      <div class="col"><h2>报告收集情况</h2><div id="hm-coverage"></div></div>
      <div class="col"><h2>勾稽关系未通过</h2><div id="hm-checks"></div>
        <div id="check-list"></div></div>
    </div>
  </section>
  <section id="table-section">
    <h2>各机构逐年明细</h2>
    <p class="note no-print">点击表头排序（再次点击反向）；空白单元格总排在最后。表格可左右滑动。</p>
    <div class="table-wrap"><table id="org-year-table" class="data"></table></div>
  </section>
</main>
<footer>
  <p id="human-cells">人工录入的单元格：{data["human_cells"]} 个（其余单元格均由程序从报告原文读取）。</p>
  <p>生成时间：<span id="generated-at">{html.escape(data["generated_at"])}</span>，数据来自已发布的数据仓库。
  本页为独立的离线文件，无需联网即可查看和打印。</p>
</footer>
<noscript><p class="noscript">本页的图表和表格需要浏览器允许运行脚本才能显示。</p></noscript>
<script type="application/json" id="report-data">{_json_for_script(data)}</script>
<script>{JS}</script>
</body>
</html>
"""


def render_index(entries: list[dict], generated_at: str) -> str:
    items = "\n".join(
        f'<li><a href="{html.escape(e["href"])}">{html.escape(e["county"])}</a> '
        f'<span class="note">{e["n_orgs"]} 个机构 · {e["years"]} · '
        f'已发布 {e["published"]} 份，无法读取 {e["parse_failed"]} 份，未找到 {e["not_found"]} 份</span></li>'
        for e in entries) or "<li>数据仓库中还没有任何县的数据。</li>"
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>政府信息公开工作年度报告 · 各县概览</title><style>{CSS}</style></head>
<body><header class="top"><h1>政府信息公开工作年度报告<span class="sub">各县概览</span></h1></header>
<main><ul class="index">
{items}
</ul></main>
<footer><p>生成时间：{html.escape(generated_at)}</p></footer></body></html>
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
    now = dt.datetime.now(dt.timezone.utc)
    with duckdb.connect(str(db_path), read_only=True) as con:
        for county in counties(con):
            data = county_data(con, county, now)
            path = out_dir / _file_name(county)
            tmp = path.with_suffix(".html.tmp")
            tmp.write_text(render_page(data), encoding="utf-8")
            tmp.replace(path)
            written.append(path)
            sc = data["status_counts"]
            ys = data["years"]
            entries.append({
                "county": county, "href": quote(path.name), "n_orgs": len(data["orgs"]),
                "years": f"{ys[0]}–{ys[-1]} 年" if ys else "尚无年度",
                "published": sc.get("published", 0), "parse_failed": sc.get("parse_failed", 0),
                "not_found": sc.get("not_found", 0)})
    index = out_dir / "index.html"
    index.write_text(render_index(entries, beijing_time(now)), encoding="utf-8")
    written.append(index)
    return written

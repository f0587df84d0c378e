"""The CSS and the vanilla JavaScript inlined into every county page (no library, no network).

The script reads the JSON blob `#report-data` and draws, all labels in Chinese: summary cards, the
county trend (applications; pooled county rate beside the median), the peer-group tables, the small
multiples (one SVG per organisation and measure, `data-org` / `data-measure`), the coverage and
failed-check heat maps (one rect per org x year, `data-org` / `data-year` / `data-status`) and the
sortable org_year table. `#sort=<column>:<ascending|descending>` in the URL sorts on load.
Column names live only in data-* attributes; visible text is Chinese.

Layout: readable from 360 px wide (charts scale down, wide tables and heat maps scroll inside
their own container, never the page); `@media print` lays the page out for A4.
"""

CSS = r"""
:root { --fg:#1f2328; --muted:#656d76; --line:#d0d7de; --bg:#ffffff; --panel:#f6f8fa;
  --bar:#3b6fb6; --bar2:#8fb1de; --rate:#c0562f; --median:#7a3e9d;
  --published:#4c9a5f; --zero:#a8d5b1; --failed:#e08a2c; --missing:#c9453a; }
* { box-sizing: border-box; }
html, body, svg text, button, select, table { font-family: "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC",
  "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "PingFang SC", "Microsoft YaHei", sans-serif; }
body { margin: 0; color: var(--fg); background: var(--bg); font-size: 14px; line-height: 1.5; }
header.top, main, footer { max-width: 1360px; margin: 0 auto; padding: 0 20px; }
header.top { padding-top: 14px; }
h1 { font-size: 26px; margin: 4px 0 2px; }
h1 .sub { display: inline-block; font-size: 16px; font-weight: normal; color: var(--muted); margin-left: 10px; }
h2 { font-size: 17px; margin: 22px 0 6px; border-bottom: 1px solid var(--line); padding-bottom: 3px; }
h3 { font-size: 14px; margin: 12px 0 4px; color: var(--muted); font-weight: 600; }
.lede, .note, .crumbs { color: var(--muted); margin: 2px 0; font-size: 12.5px; }
a { color: #0b5cad; text-decoration: none; } a:hover { text-decoration: underline; }
.cards { display: flex; gap: 10px; flex-wrap: wrap; margin: 10px 0 4px; }
.card { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 6px 12px; min-width: 130px; flex: 0 1 auto; }
.card .k { font-size: 12px; color: var(--muted); } .card .v { font-size: 21px; font-weight: 600; }
.card .u { font-size: 13px; font-weight: normal; margin-left: 2px; } .card .n { font-size: 11.5px; color: var(--muted); }
.card.bad .v { color: var(--missing); } .card.warn .v { color: var(--failed); }
.row { display: flex; gap: 24px; flex-wrap: wrap; align-items: flex-start; }
.col { flex: 1 1 560px; min-width: 0; }
.chart { background: #fff; }
svg.wide { width: 100%; max-width: 640px; height: auto; }
.scroll-x { overflow-x: auto; max-width: 100%; }
.chart .axis { stroke: var(--line); } .chart .grid { stroke: #eef1f4; }
.chart text { font-size: 11px; fill: var(--fg); } .chart text.muted { fill: var(--muted); }
.chart text.title { font-size: 13px; font-weight: 600; }
.chart text.val { font-size: 10px; } .chart text.glyph { font-size: 11px; font-weight: 700; }
.chart .bar { fill: var(--bar); } .chart .bar:hover { fill: #24518f; }
.chart .blank { fill: none; stroke: var(--muted); stroke-dasharray: 2 2; }
.chart .pooled { stroke: var(--rate); fill: none; stroke-width: 2; }
.chart .median { stroke: var(--median); fill: none; stroke-width: 2; stroke-dasharray: 5 3; }
.chart .pt-pooled { fill: var(--rate); } .chart .pt-median { fill: var(--median); }
.chart .grp-median { stroke: var(--median); fill: none; stroke-width: 1.2; stroke-dasharray: 3 3; }
.chart .tpl { stroke: #9aa4ae; stroke-dasharray: 3 3; }
.grid-sm { display: grid; grid-template-columns: repeat(auto-fill, minmax(206px, 1fr)); gap: 8px 10px; }
.sm.sm-street { background: #fbfaf4; } .sm.sm-department { background: #f7f9fc; }
.sm { border: 1px solid var(--line); border-radius: 5px; padding: 3px 4px 0; min-width: 0; }
.sm .name { font-size: 12.5px; font-weight: 600; margin: 0 2px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.sm .name .t { color: var(--muted); font-weight: normal; font-size: 11px; margin-left: 4px; }
.heat rect.cell { stroke: #fff; stroke-width: 1.5; }
.heat text.cell { font-size: 11px; text-anchor: middle; dominant-baseline: central; pointer-events: none; }
.legend { display: flex; gap: 12px; flex-wrap: wrap; font-size: 12px; color: var(--muted); margin: 4px 0; }
.legend i { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 4px; vertical-align: -2px; }
.table-wrap { overflow: auto; max-width: 100%; max-height: 640px; border: 1px solid var(--line); border-radius: 5px; margin: 4px 0; }
table.data { border-collapse: collapse; font-size: 12px; white-space: nowrap; }
table.data th, table.data td { padding: 3px 7px; border-bottom: 1px solid #eef1f4; }
table.data thead th { position: sticky; top: 0; background: var(--panel); border-bottom: 1px solid var(--line);
  text-align: left; font-weight: 600; z-index: 1; }
table.sortable thead th { cursor: pointer; user-select: none; }
table.sortable thead th:hover { background: #e8edf3; }
table.data thead th[aria-sort=ascending]::after { content: " ▲"; font-size: 10px; }
table.data thead th[aria-sort=descending]::after { content: " ▼"; font-size: 10px; }
table.data td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.data tbody tr:hover { background: #f3f7fc; }
table.data tr.county-row td { font-weight: 600; background: #f3f6fa; }
table.data tr.group-head td { font-weight: 600; background: var(--panel); color: var(--muted); }
table.data td .sub { color: var(--muted); font-size: 11px; margin-left: 3px; }
table.data td.missing { color: var(--missing); } table.data td.failed { color: var(--failed); }
select { font-size: 13px; margin-left: 6px; }
.print-only { display: none; }
ul.index li { margin: 6px 0; font-size: 16px; }
footer { color: var(--muted); font-size: 12px; padding: 18px 20px 30px; }
footer p { margin: 3px 0; }
.noscript { color: var(--missing); max-width: 1360px; margin: 0 auto; padding: 0 20px; }
@media (max-width: 600px) {
  header.top, main, footer { padding-left: 12px; padding-right: 12px; }
  h1 { font-size: 22px; } h1 .sub { display: block; margin-left: 0; font-size: 14px; }
  .card { min-width: 0; flex: 1 1 40%; padding: 5px 9px; } .card .v { font-size: 18px; }
  .grid-sm { grid-template-columns: repeat(auto-fill, minmax(160px, 1fr)); }
  .sm svg { width: 100%; height: auto; }
}
@media print {
  @page { size: A4; margin: 12mm 10mm; }
  :root { --panel: #f3f3f3; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  body { font-size: 10.5pt; }
  header.top, main, footer { max-width: none; padding: 0; }
  .no-print { display: none !important; }
  .print-only { display: inline; }
  a { color: inherit; }
  h2 { break-after: avoid; page-break-after: avoid; }
  .sm, .card, svg, tr, .legend { break-inside: avoid; page-break-inside: avoid; }
  #table-section { break-before: page; page-break-before: always; }
  .table-wrap, .scroll-x { overflow: visible; max-height: none; border: 0; }
  table.data { font-size: 8pt; white-space: normal; width: 100%; }
  table.data td[data-col=org_name] { min-width: 11em; }
  table.data td[data-col=org_type], table.data td[data-col=year] { white-space: nowrap; }
  table.data th, table.data td { padding: 2px 4px; }
  table.data thead th { position: static; }
  table.data .screen-col { display: none; }
  svg.wide { max-width: 100%; }
  .grid-sm { grid-template-columns: repeat(4, 1fr); }
  .sm svg { width: 100%; height: auto; }
}
"""

JS = r"""
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("report-data").textContent);
  var SVGNS = "http://www.w3.org/2000/svg";
  var TYPE_ZH = {}; D.peer_groups.forEach(function (g) { TYPE_ZH[g.org_type] = g.label; });
  var STATUS = {
    published: { label: "已发布", color: "var(--published)" },
    parse_failed: { label: "找到报告但无法读取", color: "var(--failed)" },
    not_found: { label: "未找到报告", color: "var(--missing)" }
  };
  var READ_BY = { text: "程序读取", ocr: "文字识别（扫描件）", human: "人工录入" };
  var COMPARABILITY = { comparable: "可比", similar_only: "口径相近" };
  // Columns the printed page keeps (the rest are screen-only, see @media print).
  var PRINT_COLS = ["org_name", "org_type", "year", "new_received_total", "handled", "disclosure_rate", "granted",
    "partial", "withheld", "unable", "not_processed", "other", "carry_forward", "review_total", "litigation_total", "fees_amount_wan"];

  function h(tag, attrs) {
    var e = document.createElement(tag);
    setAttrs(e, attrs);
    for (var i = 2; i < arguments.length; i++) add(e, arguments[i]);
    return e;
  }
  function s(tag, attrs) {
    var e = document.createElementNS(SVGNS, tag);
    setAttrs(e, attrs);
    for (var i = 2; i < arguments.length; i++) add(e, arguments[i]);
    return e;
  }
  function setAttrs(e, attrs) {
    if (!attrs) return;
    Object.keys(attrs).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) return;
      if (k === "text") e.textContent = String(v); else e.setAttribute(k, String(v));
    });
  }
  function add(e, kid) {
    if (kid === null || kid === undefined || kid === false) return;
    if (Array.isArray(kid)) { kid.forEach(function (k) { add(e, k); }); return; }
    e.appendChild(typeof kid === "object" ? kid : document.createTextNode(String(kid)));
  }
  function tip(text) { return s("title", { text: text }); }

  // Printed numbers as printed: null (blank) -> "", integers without ".0".
  function fmt(v) {
    if (v === null || v === undefined) return "";
    if (typeof v === "number") return Number.isInteger(v) ? String(v) : String(Math.round(v * 1e6) / 1e6);
    if (typeof v === "boolean") return v ? "是" : "否";
    return String(v);
  }
  function pct(v, digits) {
    if (v === null || v === undefined) return "";
    return (v * 100).toFixed(digits === undefined ? 1 : digits) + "%";
  }
  function withUnit(v, unit) { var t = fmt(v); return t === "" ? "空白" : t + " " + unit; }
  function key(org, year) { return org + "|" + year; }
  function completeness(n, of) { return n + "/" + of + " 份报告"; }

  var years = D.years;
  var orgYear = {}; D.org_year.forEach(function (r) { orgYear[key(r.org_id, r.year)] = r; });
  var cov = {}; D.coverage.forEach(function (r) { cov[key(r.org_id, r.year)] = r; });
  var orgById = {}; D.orgs.forEach(function (o) { orgById[o.org_id] = o; });
  var ranks = {}; D.peer_ranks.forEach(function (r) { ranks[key(r.org_id, r.year)] = r; });
  var groupStat = {}; D.peer_stats.forEach(function (g) { groupStat[g.org_type + "|" + g.year] = g; });
  var trendOf = {}; D.trend.forEach(function (t) { trendOf[t.year] = t; });
  var fails = {}; D.failed_checks.forEach(function (c) {
    var k = key(c.org_id, c.year); (fails[k] = fails[k] || []).push(c);
  });
  // The name an organisation printed in its report that year (its current short name otherwise).
  function nameIn(org, year) {
    var r = orgYear[key(org, year)];
    return r ? r.short_name : (orgById[org] ? orgById[org].short_name : org);
  }
  function statusOf(org, year) {
    var c = cov[key(org, year)];
    if (c) return c.status;
    return orgYear[key(org, year)] ? "published" : "not_found";
  }
  function niceMax(v) {
    if (!(v > 0)) return 1;
    var p = Math.pow(10, Math.floor(Math.log10(v))), m = v / p;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 2.5 ? 2.5 : m <= 5 ? 5 : 10) * p;
  }

  // ---- summary cards -------------------------------------------------------------------------
  (function summary() {
    var sc = D.status_counts, total = D.coverage.length;
    var latest = D.trend.length ? D.trend[D.trend.length - 1] : null;
    var latestFails = D.failed_checks.filter(function (c) { return c.is_latest; }).length;
    function card(id, k, v, unit, note, cls) {
      return h("div", { "class": "card " + (cls || ""), id: "card-" + id },
        h("div", { "class": "k", text: k }),
        h("div", { "class": "v" }, h("span", { "class": "num", text: v }), unit ? h("span", { "class": "u", text: unit }) : null),
        note ? h("div", { "class": "n", text: note }) : null);
    }
    add(document.getElementById("summary"), [
      card("orgs", "应报机构", D.orgs.length, "个", D.peer_groups.map(function (g) { return g.label + " " + g.n_orgs; }).join(" · ")),
      card("years", "年度", years.length ? years[0] + "–" + years[years.length - 1] : "–", "年"),
      card("published", "已收报告", (sc.published || 0) + " / " + total, "份", "已收报告数 / 应报机构数 × 年度数"),
      card("parse-failed", "找到但无法读取", sc.parse_failed || 0, "份", null, sc.parse_failed ? "warn" : ""),
      card("not-found", "未找到", sc.not_found || 0, "份", null, sc.not_found ? "bad" : ""),
      card("failed-checks", "勾稽关系未通过", latestFails, "处", "只计各年度最新版本", latestFails ? "bad" : ""),
      latest ? card("applications", latest.year + " 年全县新收申请", fmt(latest.new_received_total), "件",
        completeness(latest.n_published, latest.n_expected)) : null,
      latest ? card("rate", latest.year + " 年全县公开率", pct(latest.pooled_disclosure_rate), "",
        completeness(latest.n_pooled, latest.n_expected) + "；机构中位数 " + pct(latest.median_disclosure_rate)) : null,
      card("human", "人工录入单元格", D.human_cells, "个")
    ]);
  })();

  // ---- county trend --------------------------------------------------------------------------
  function xBands(x0, width) {
    var bw = width / Math.max(years.length, 1);
    return { bw: bw, at: function (i) { return x0 + i * bw + bw / 2; } };
  }
  function templateMarker(svg, xb, top, bottom) {
    var i = years.indexOf(2021);
    if (i <= 0 || years[i - 1] !== 2020) return;
    var x = xb.at(i) - xb.bw / 2;
    add(svg, [s("line", { "class": "tpl", x1: x, x2: x, y1: top, y2: bottom }),
      s("text", { x: x + 3, y: top + 9, "class": "muted", "font-size": 10, text: "2021 年起使用新版表格" })]);
  }

  (function trend() {
    var wrap = document.getElementById("trend-charts");
    // drawn at the width available (300-640 px) so that text keeps its size on a phone
    var W = Math.max(300, Math.min(640, Math.floor(wrap.clientWidth || 640)));
    var H = 290, L = 40, R = 10, T = 56, B = 46, ih = H - T - B;
    var narrow = (W - L - R) / Math.max(years.length, 1) < 72;
    function reportsLabel(n, of) { return narrow ? n + "/" + of : completeness(n, of); }
    var svg = s("svg", { "class": "chart wide", width: W, height: H, viewBox: "0 0 " + W + " " + H, id: "trend-applications", role: "img",
      "aria-label": "全县各年度新收政府信息公开申请合计" });
    var max = niceMax(Math.max.apply(null, D.trend.map(function (t) { return t.new_received_total || 0; }).concat([1])));
    var xb = xBands(L, W - L - R);
    add(svg, [s("text", { x: 4, y: 16, "class": "title", text: "全县本年新收申请合计（件）" }),
      s("text", { x: 4, y: 31, "class": "muted", "font-size": 10.5, text: "年份下为已收报告数 / 应报机构数" })]);
    for (var g = 0; g <= 4; g++) {
      var gy = T + ih - ih * g / 4;
      add(svg, [s("line", { "class": g ? "grid" : "axis", x1: L, x2: W - R, y1: gy, y2: gy }),
        s("text", { x: L - 5, y: gy + 4, "text-anchor": "end", "class": "muted", text: fmt(max * g / 4) })]);
    }
    D.trend.forEach(function (t, i) {
      var cx = xb.at(i), bw = Math.min(46, xb.bw * 0.6);
      var gEl = s("g", { "data-year": t.year, "data-value": fmt(t.new_received_total),
        "data-reports": t.n_published, "data-expected": t.n_expected });
      if (t.new_received_total !== null) {
        var bh = ih * t.new_received_total / max;
        add(gEl, s("rect", { "class": "bar", x: cx - bw / 2, y: T + ih - bh, width: bw, height: bh },
          tip(t.year + " 年：" + fmt(t.new_received_total) + " 件，来自 " + t.n_with_applications + " 份报告（应报 " + t.n_expected + " 个机构）")));
        add(gEl, s("text", { "class": "val", x: cx, y: T + ih - bh - 4, "text-anchor": "middle", text: fmt(t.new_received_total) }));
      }
      add(gEl, [s("text", { x: cx, y: H - B + 15, "text-anchor": "middle", text: t.year }),
        s("text", { "class": "muted completeness", x: cx, y: H - B + 30, "text-anchor": "middle", "font-size": 10,
          text: reportsLabel(t.n_published, t.n_expected) })]);
      add(svg, gEl);
    });
    templateMarker(svg, xb, T - 6, T + ih);
    add(wrap, svg);

    // pooled county rate beside the median of organisations' rates
    var svg2 = s("svg", { "class": "chart wide", width: W, height: H, viewBox: "0 0 " + W + " " + H, id: "trend-rates", role: "img",
      "aria-label": "全县公开率与各机构公开率中位数" });
    add(svg2, [s("text", { x: 4, y: 16, "class": "title", text: "公开率：全县合计与机构中位数" }),
      s("text", { x: 4, y: 31, "class": "muted", "font-size": 10.5, text: "年份下为计入全县公开率的报告数 / 应报机构数" })]);
    for (var q = 0; q <= 4; q++) {
      var qy = T + ih - ih * q / 4;
      add(svg2, [s("line", { "class": q ? "grid" : "axis", x1: L, x2: W - R, y1: qy, y2: qy }),
        s("text", { x: L - 5, y: qy + 4, "text-anchor": "end", "class": "muted", text: (q * 25) + "%" })]);
    }
    function line(field, cls, other, label, nOf) {
      var d = "", pen = false;
      D.trend.forEach(function (t, i) {
        var v = t[field], o = t[other];
        var dy = (o === null || v > o || (v === o && cls === "pooled")) ? -8 : 15;
        if (v === null) { pen = false; return; }
        var x = xb.at(i), y = T + ih - ih * v;
        d += (pen ? "L" : "M") + x.toFixed(1) + " " + y.toFixed(1) + " "; pen = true;
        add(svg2, [s("circle", { "class": "pt-" + cls, cx: x, cy: y, r: 3.5, "data-year": t.year, "data-field": field, "data-value": String(v) },
          tip(t.year + " 年" + label + "：" + pct(v) + "（" + nOf(t) + "）")),
          s("text", { "class": "val", x: x, y: y + dy, "text-anchor": "middle", text: pct(v, 1) })]);
      });
      add(svg2, s("path", { "class": cls, d: d }));
    }
    line("pooled_disclosure_rate", "pooled", "median_disclosure_rate", "全县公开率（合计）",
      function (t) { return "全县予以公开与部分公开合计 " + fmt(t.pooled_disclosed) + " 件 ÷ 办理结果合计 " + fmt(t.pooled_handled) + " 件，" + completeness(t.n_pooled, t.n_expected); });
    line("median_disclosure_rate", "median", "pooled_disclosure_rate", "机构公开率中位数",
      function (t) { return t.n_with_rate + " 个机构有公开率，" + completeness(t.n_published, t.n_expected); });
    D.trend.forEach(function (t, i) {
      add(svg2, [s("text", { x: xb.at(i), y: H - B + 15, "text-anchor": "middle", text: t.year }),
        s("text", { "class": "muted completeness", x: xb.at(i), y: H - B + 30, "text-anchor": "middle", "font-size": 10,
          "data-year": t.year, text: reportsLabel(t.n_pooled, t.n_expected) })]);
    });
    add(svg2, [s("line", { "class": "pooled", x1: 4, x2: 24, y1: 42, y2: 42 }), s("text", { x: 28, y: 46, text: "全县公开率（合计）" }),
      s("line", { "class": "median", x1: 150, x2: 170, y1: 42, y2: 42 }), s("text", { x: 174, y: 46, text: "机构公开率中位数" })]);
    templateMarker(svg2, xb, T - 6, T + ih);
    add(wrap, svg2);
  })();

  // ---- peer groups ---------------------------------------------------------------------------
  function td(col, v, shown, cls, title) {
    return h("td", { "data-col": col, "data-v": v === null || v === undefined ? "" : String(v),
      "class": cls || (typeof v === "number" ? "num" : null), title: title || null, text: shown });
  }
  (function peerTable() {
    var t = document.getElementById("peer-table");
    var heads = ["年度", "范围", "已收报告 / 应报机构", "新收申请合计（件）", "新收申请中位数（件）", "合计公开率", "公开率中位数"];
    var body = h("tbody");
    years.forEach(function (y) {
      var rows = [trendOf[y]].concat(D.peer_groups.map(function (g) { return groupStat[g.org_type + "|" + y]; }));
      rows.forEach(function (r, i) {
        if (!r) return;
        var group = r.is_county ? "county" : r.org_type;
        add(body, h("tr", { "class": r.is_county ? "county-row" : null, "data-year": y, "data-group": group }, [
          td("year", y, i === 0 ? String(y) : "", "num"),
          td("group", group, r.is_county ? "全县" : TYPE_ZH[r.org_type]),
          td("completeness", r.n_published + "/" + r.n_expected, r.n_published + " / " + r.n_expected, "num"),
          td("new_received_total", r.new_received_total, fmt(r.new_received_total), null,
            r.n_with_applications + " 份报告填有新收申请数"),
          td("median_new_received", r.median_new_received, fmt(r.median_new_received), null,
            r.n_with_applications + " 个机构的中位数"),
          td("pooled_disclosure_rate", r.pooled_disclosure_rate, pct(r.pooled_disclosure_rate), null,
            "（予以公开 + 部分公开）" + fmt(r.pooled_disclosed) + " 件 ÷ 办理结果 " + fmt(r.pooled_handled) + " 件，" + completeness(r.n_pooled, r.n_expected)),
          td("median_disclosure_rate", r.median_disclosure_rate, pct(r.median_disclosure_rate), null,
            r.n_with_rate + " 个机构有公开率（未办理申请的机构没有公开率）")
        ]));
      });
    });
    add(t, [h("thead", null, h("tr", null, heads.map(function (x) { return h("th", { scope: "col", text: x }); }))), body]);
  })();

  (function peerOrgs() {
    var sel = document.getElementById("peer-year"), t = document.getElementById("peer-org-table");
    years.forEach(function (y) { add(sel, h("option", { value: y, text: y + " 年" })); });
    var heads = ["机构（当年报告署名）", "新收申请（件）", "同类排名", "占同类合计", "公开率", "同类排名", "同类公开率中位数", "与中位数相差"];
    function draw(y) {
      t.textContent = "";
      document.getElementById("peer-year-print").textContent = y + " 年";
      var body = h("tbody");
      D.peer_groups.forEach(function (g) {
        var st = groupStat[g.org_type + "|" + y];
        if (!st) return;
        add(body, h("tr", { "class": "group-head", "data-group": g.org_type },
          h("td", { colspan: heads.length, text: g.label + "（" + completeness(st.n_published, st.n_expected) +
            "；新收申请中位数 " + withUnit(st.median_new_received, "件") + "，合计公开率 " + (pct(st.pooled_disclosure_rate) || "无") + "）" })));
        var members = D.orgs.filter(function (o) { return o.org_type === g.org_type; });
        members.sort(function (a, b) {
          var ra = ranks[key(a.org_id, y)], rb = ranks[key(b.org_id, y)];
          var va = ra && ra.rank_new_received !== null ? ra.rank_new_received : 1e9, vb = rb && rb.rank_new_received !== null ? rb.rank_new_received : 1e9;
          return va - vb;
        });
        members.forEach(function (o) {
          var r = orgYear[key(o.org_id, y)], rk = ranks[key(o.org_id, y)];
          var tr = h("tr", { "data-org": o.org_id, "data-year": y, "data-group": g.org_type });
          if (!r) {
            var stt = statusOf(o.org_id, y);
            add(tr, [td("org_name", o.org_name, o.short_name), h("td", { colspan: heads.length - 1, "class": stt === "not_found" ? "missing" : "failed",
              "data-col": "status", "data-v": stt, text: STATUS[stt] ? STATUS[stt].label : stt })]);
            add(body, tr); return;
          }
          var diff = r.disclosure_rate !== null && st.median_disclosure_rate !== null ? r.disclosure_rate - st.median_disclosure_rate : null;
          add(tr, [
            td("org_name", r.org_name, r.org_name),
            td("new_received_total", r.new_received_total, fmt(r.new_received_total)),
            td("rank_new_received", rk.rank_new_received, rk.rank_new_received === null ? "" : rk.rank_new_received + " / " + rk.n_ranked_new_received, "num"),
            td("share_new_received", rk.share_new_received, pct(rk.share_new_received)),
            td("disclosure_rate", r.disclosure_rate, r.disclosure_rate === null ? "–" : pct(r.disclosure_rate)),
            td("rank_disclosure_rate", rk.rank_disclosure_rate, rk.rank_disclosure_rate === null ? "" : rk.rank_disclosure_rate + " / " + rk.n_ranked_disclosure_rate, "num"),
            td("group_median_disclosure_rate", st.median_disclosure_rate, pct(st.median_disclosure_rate)),
            td("diff_from_median", diff, diff === null ? "" : (diff >= 0 ? "+" : "−") + Math.abs(diff * 100).toFixed(1) + " 个百分点")
          ]);
          add(body, tr);
        });
      });
      add(t, [h("thead", null, h("tr", null, heads.map(function (x) { return h("th", { scope: "col", text: x }); }))), body]);
      t.setAttribute("data-year", y);
    }
    sel.addEventListener("change", function () { draw(+sel.value); });
    if (years.length) { sel.value = String(years[years.length - 1]); draw(years[years.length - 1]); }
  })();

  // ---- small multiples -----------------------------------------------------------------------
  var SW = 200, SH = 112, SL = 6, SR = 6, ST = 14, SB = 18;
  function smallMultiples(targetId, measure, draw) {
    // one grid per peer group (乡镇, 街道, 县直部门), organisations in their listed order
    var target = document.getElementById(targetId);
    D.peer_groups.concat([{ org_type: null, label: "其他" }]).forEach(function (grp) {
      var members = D.orgs.filter(function (o) { return grp.org_type === null ? !TYPE_ZH[o.org_type] : o.org_type === grp.org_type; });
      if (!members.length) return;
      add(target, h("h3", { text: grp.label + "（" + members.length + " 个）" }));
      var grid = h("div", { "class": "grid-sm", "data-group": grp.org_type || "other" });
      members.forEach(function (o) {
        var svg = s("svg", { "class": "chart", width: SW, height: SH, viewBox: "0 0 " + SW + " " + SH,
          "data-org": o.org_id, "data-org-type": o.org_type, "data-measure": measure, role: "img",
          "aria-label": o.org_name });
        var xb = xBands(SL, SW - SL - SR);
        add(svg, s("line", { "class": "axis", x1: SL, x2: SW - SR, y1: SH - SB, y2: SH - SB }));
        years.forEach(function (y, i) {
          add(svg, s("text", { x: xb.at(i), y: SH - 5, "text-anchor": "middle", "class": "muted", "font-size": 9.5, text: "'" + String(y).slice(2) }));
        });
        draw(svg, o, xb);
        var former = (o.former_names || []).map(function (f) {
          return (f.from === f.to ? f.from : f.from + "–" + f.to) + " 年署名" + f.name; }).join("，");
        add(grid, h("div", { "class": "sm sm-" + (o.org_type || "other") },
          h("div", { "class": "name", title: o.org_name + (former ? "（" + former + "）" : "") }, o.short_name,
            h("span", { "class": "t", text: former ? "（" + former + "）" : (TYPE_ZH[o.org_type] || "") })), svg));
      });
      add(target, grid);
    });
  }
  function missingGlyph(svg, org, year, x) {
    var st = statusOf(org, year), c = cov[key(org, year)];
    var g = st === "not_found" ? "✕" : "!";
    add(svg, s("text", { "class": "glyph", x: x, y: SH - SB - 4, "text-anchor": "middle", fill: STATUS[st] ? STATUS[st].color : "#999",
      "data-year": year, "data-status": st, text: g }, tip(year + " 年：" + (STATUS[st] ? STATUS[st].label : st) + (c && c.reason_zh ? "：" + c.reason_zh : ""))));
  }

  var appMax = niceMax(Math.max.apply(null, D.org_year.map(function (r) { return r.new_received_total || 0; }).concat([1])));
  smallMultiples("sm-applications", "new_received", function (svg, o, xb) {
    var ih = SH - ST - SB, bw = Math.min(22, xb.bw * 0.62);
    years.forEach(function (y, i) {
      var r = orgYear[key(o.org_id, y)], x = xb.at(i);
      if (!r) { missingGlyph(svg, o.org_id, y, x); return; }
      var v = r.new_received_total;
      var g = s("g", { "data-year": y, "data-value": fmt(v) });
      if (v === null) {
        add(g, s("rect", { "class": "blank", x: x - bw / 2, y: SH - SB - 12, width: bw, height: 12 }, tip(r.short_name + " " + y + " 年：报告中此项留空")));
      } else {
        var bh = ih * v / appMax;
        add(g, s("rect", { "class": "bar", x: x - bw / 2, y: SH - SB - bh, width: bw, height: Math.max(bh, 0) },
          tip(r.short_name + " " + y + " 年：" + fmt(v) + " 件" + (r.is_correction ? "（更正后的版本）" : ""))));
        add(g, s("text", { "class": "val", x: x, y: SH - SB - bh - 3, "text-anchor": "middle", text: fmt(v) }));
      }
      add(svg, g);
    });
  });
  smallMultiples("sm-rates", "disclosure_rate", function (svg, o, xb) {
    var ih = SH - ST - SB - 10, top = ST + 10;
    add(svg, [s("line", { "class": "grid", x1: SL, x2: SW - SR, y1: top, y2: top }),
      s("line", { "class": "grid", x1: SL, x2: SW - SR, y1: top + ih / 2, y2: top + ih / 2 })]);
    // the peer group's median rate, dashed
    var md = "", mpen = false;
    years.forEach(function (y, i) {
      var st = groupStat[o.org_type + "|" + y], v = st ? st.median_disclosure_rate : null;
      if (v === null) { mpen = false; return; }
      md += (mpen ? "L" : "M") + xb.at(i).toFixed(1) + " " + (top + ih - ih * v).toFixed(1) + " "; mpen = true;
    });
    if (md) add(svg, s("path", { "class": "grp-median", d: md }, tip("同类机构公开率中位数")));
    var d = "", pen = false;
    years.forEach(function (y, i) {
      var r = orgYear[key(o.org_id, y)], x = xb.at(i);
      if (!r) { pen = false; missingGlyph(svg, o.org_id, y, x); return; }
      var v = r.disclosure_rate;
      var g = s("g", { "data-year": y, "data-value": v === null ? "" : String(v) });
      if (v === null) {
        pen = false;
        add(g, s("text", { "class": "val muted", x: x, y: SH - SB - 4, "text-anchor": "middle", text: "–" },
          tip(r.short_name + " " + y + " 年：办理结果总计为 " + (fmt(r.handled) || "空白") + "，公开率无从计算")));
      } else {
        var py = top + ih - ih * v;
        d += (pen ? "L" : "M") + x.toFixed(1) + " " + py.toFixed(1) + " "; pen = true;
        add(g, [s("circle", { "class": "pt-pooled", cx: x, cy: py, r: 3 },
          tip(r.short_name + " " + y + " 年：" + pct(v) + " =（予以公开 " + fmt(r.granted) + " 件 + 部分公开 " + fmt(r.partial) + " 件）÷ 办理结果总计 " + fmt(r.handled) + " 件")),
          s("text", { "class": "val", x: x, y: py - 5, "text-anchor": "middle", text: pct(v, 0) })]);
      }
      add(svg, g);
    });
    svg.insertBefore(s("path", { "class": "pooled", d: d }), svg.firstChild);
  });

  // ---- heat maps -----------------------------------------------------------------------------
  var CW = 64, CH = 22, LW = 132, HT = 22;
  function heatMap(id, cellFor) {
    var W = LW + CW * years.length + 4, H = HT + CH * D.orgs.length + 4;
    var svg = s("svg", { "class": "chart heat", id: id, width: W, height: H, viewBox: "0 0 " + W + " " + H });
    years.forEach(function (y, j) {
      add(svg, s("text", { x: LW + CW * j + CW / 2, y: 15, "text-anchor": "middle", "font-weight": 600, text: y }));
    });
    D.orgs.forEach(function (o, i) {
      var y0 = HT + CH * i;
      add(svg, s("text", { x: LW - 6, y: y0 + CH / 2 + 4, "text-anchor": "end", text: o.short_name }, tip(o.org_name)));
      years.forEach(function (y, j) {
        var c = cellFor(o, y), x0 = LW + CW * j;
        var attrs = { "class": "cell", x: x0, y: y0, width: CW, height: CH, fill: c.fill, "data-org": o.org_id, "data-year": y };
        Object.keys(c.data || {}).forEach(function (k) { attrs["data-" + k] = c.data[k]; });
        add(svg, [s("rect", attrs, tip(nameIn(o.org_id, y) + " " + y + " 年：" + c.tip)),
          s("text", { "class": "cell", x: x0 + CW / 2, y: y0 + CH / 2, fill: c.ink || "#fff", text: c.text })]);
      });
    });
    return h("div", { "class": "scroll-x" }, svg);
  }
  function legend(items) {
    return h("div", { "class": "legend" }, items.map(function (it) {
      return h("span", null, h("i", { style: "background:" + it[0] }), it[1]);
    }));
  }

  (function coverage() {
    var target = document.getElementById("hm-coverage");
    add(target, legend([["var(--published)", "已发布"], ["var(--zero)", "已发布，全部为 0"],
      ["var(--failed)", "找到报告但无法读取"], ["var(--missing)", "未找到报告"]]));
    add(target, heatMap("coverage-heatmap", function (o, y) {
      var st = statusOf(o.org_id, y), c = cov[key(o.org_id, y)] || {};
      if (st === "published") {
        var corrected = (c.n_documents || 0) > 1;
        return { fill: c.all_zero ? "var(--zero)" : "var(--published)", ink: c.all_zero ? "#1f4d2b" : "#fff",
          text: corrected ? "第" + (c.latest_version || "?") + "版 更正" : (c.all_zero ? "0" : "✓"),
          data: { status: st }, tip: "已发布" + (corrected ? "，共 " + c.n_documents + " 个版本（采用第 " + c.latest_version + " 版）" : "")
            + (c.all_zero ? "，全部数值为 0" : "") + (c.template_s3 ? "，" + c.template_s3 + " 年版表格" : "") };
      }
      if (st === "parse_failed") return { fill: "var(--failed)", text: "无法读取", data: { status: st }, tip: "找到报告但无法读取：" + (c.reason_zh || "") };
      return { fill: "var(--missing)", text: "未找到", data: { status: st }, tip: "未找到报告" };
    }));
  })();

  (function checks() {
    var target = document.getElementById("hm-checks");
    var maxFails = 1;
    Object.keys(fails).forEach(function (k) {
      maxFails = Math.max(maxFails, fails[k].filter(function (c) { return c.is_latest; }).length);
    });
    add(target, legend([["#f3f5f7", "全部通过"], ["hsl(4, 70%, 55%)", "有未通过项（颜色越深越多）"], ["#dde1e6", "没有可读的报告"]]));
    add(target, heatMap("checks-heatmap", function (o, y) {
      var all = fails[key(o.org_id, y)] || [];
      var latest = all.filter(function (c) { return c.is_latest; });
      var older = all.length - latest.length;
      if (!orgYear[key(o.org_id, y)]) return { fill: "#dde1e6", ink: "#656d76", text: "·", data: { fails: "", status: statusOf(o.org_id, y) }, tip: "没有可读的报告" };
      if (!latest.length) return { fill: "#f3f5f7", ink: "#9aa4ae", text: older ? "(" + older + ")" : "0", data: { fails: 0 },
        tip: "全部通过或无法核对" + (older ? "；已被更正的旧版本有 " + older + " 处未通过" : "") };
      var light = 62 - 22 * (latest.length / maxFails);
      return { fill: "hsl(4, 70%, " + light + "%)", text: String(latest.length), data: { fails: latest.length },
        tip: latest.map(function (c) { return c.where + "：" + c.rule + "，" + c.relation + " " + fmt(c.expected) + "，报告所印为 " + fmt(c.printed); }).join("；") };
    }));
    var list = document.getElementById("check-list");
    if (!D.failed_checks.length) { add(list, h("p", { "class": "note", text: "所有勾稽关系均已通过。" })); return; }
    var rows = D.failed_checks.map(function (c) {
      return h("tr", { "data-org": c.org_id, "data-year": c.year, "data-identity": c.identity },
        [c.org_name || c.org_id, c.year, c.rule + "（" + c.severity + "）", c.where,
         c.relation + " " + fmt(c.expected), fmt(c.printed), c.is_latest ? "最新版本" : "已被更正的旧版本"].map(function (v) { return h("td", { text: v }); }));
    });
    add(list, h("p", { "class": "note", text: "报告所印数值照原样保留，不作修改。" }));
    add(list, h("div", { "class": "table-wrap" }, h("table", { "class": "data checks" },
      h("thead", null, h("tr", null, ["机构（当年报告署名）", "年度", "勾稽关系", "检查对象", "应为", "报告所印", "版本"].map(function (t) { return h("th", { text: t }); }))),
      h("tbody", null, rows))));
  })();

  // ---- sortable org_year table ---------------------------------------------------------------
  function shown(c, r) {
    var v = r[c.name];
    if (v === null || v === undefined) return "";
    switch (c.kind) {
      case "rate": return pct(v);
      case "org_type": return TYPE_ZH[v] || "其他";
      case "year": return String(v);
      case "comparability": return COMPARABILITY[v] || v;
      case "template": return v + " 年版";
      case "version": return "第 " + v + " 版" + (r.is_correction ? "（更正）" : "");
      case "read_by": return READ_BY[v] || v;
      default: return fmt(v);
    }
  }
  (function table() {
    var t = document.getElementById("org-year-table");
    t.className = "data sortable";
    var cols = D.columns;
    function cls(c) { return PRINT_COLS.indexOf(c.name) < 0 ? "screen-col" : null; }
    var head = h("tr", null, cols.map(function (c) {
      return h("th", { scope: "col", "data-col": c.name, "class": cls(c), title: c.doc || null, tabindex: 0,
        text: c.label + (c.unit ? "（" + c.unit + "）" : "") });
    }));
    var body = h("tbody");
    D.org_year.forEach(function (r, ri) {
      var tr = h("tr", { "data-i": ri, "data-org": r.org_id, "data-year": r.year });
      cols.forEach(function (c) {
        var v = r[c.name], text = shown(c, r);
        var cell = h("td", { "data-col": c.name, "data-v": v === null || v === undefined ? "" : String(v),
          "class": [typeof v === "number" && c.kind !== "year" ? "num" : null, cls(c)].filter(Boolean).join(" ") || null });
        if (c.name === "org_name" && r.document_url) add(cell, h("a", { href: r.document_url, title: "打开原报告", text: text }));
        else cell.textContent = text;
        add(tr, cell);
      });
      add(body, tr);
    });
    add(t, [h("thead", null, head), body]);
    var numeric = cols.map(function (c) {
      var any = false, all = true;
      D.org_year.forEach(function (r) {
        var v = r[c.name];
        if (v === null || v === undefined) return;
        any = true; if (typeof v !== "number") all = false;
      });
      return any && all;
    });
    function sortBy(ci, dir) {
      var ths = head.children;
      for (var k = 0; k < ths.length; k++) ths[k].removeAttribute("aria-sort");
      ths[ci].setAttribute("aria-sort", dir);
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var va = a.cells[ci].getAttribute("data-v"), vb = b.cells[ci].getAttribute("data-v");
        var ia = +a.getAttribute("data-i"), ib = +b.getAttribute("data-i");
        if (va === "" || vb === "") return va === vb ? ia - ib : (va === "" ? 1 : -1);   // blanks last
        var c = numeric[ci] ? parseFloat(va) - parseFloat(vb) : va.localeCompare(vb, "zh-CN", { numeric: true });
        if (dir === "descending") c = -c;
        return c || ia - ib;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    }
    function onHeader(ci) {
      var cur = head.children[ci].getAttribute("aria-sort");
      sortBy(ci, cur === "ascending" ? "descending" : "ascending");
    }
    Array.prototype.forEach.call(head.children, function (th, ci) {
      th.addEventListener("click", function () { onHeader(ci); });
      th.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); onHeader(ci); } });
    });
    var m = /#sort=([A-Za-z0-9_]+):(ascending|descending)/.exec(location.hash || "");
    if (m) {
      var ci = cols.map(function (c) { return c.name; }).indexOf(m[1]);
      if (ci >= 0) sortBy(ci, m[2]);
    }
    add(document.getElementById("table-section"), h("p", { "class": "note print-only",
      text: "打印版只列主要栏目；全部栏目见屏幕版或数据导出文件。" }));
  })();

  document.documentElement.setAttribute("data-rendered", "true");
})();
"""

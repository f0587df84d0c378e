"""The CSS and the vanilla JavaScript inlined into every county page (no library, no network).

The script reads the JSON blob `#report-data` and draws: summary cards, the county trend, the
small multiples (one SVG per organisation and measure, `data-org` / `data-measure`), the coverage
and failed-check heat maps (one rect per org x year, `data-org` / `data-year` / `data-status`) and
the sortable org_year table. `#sort=<column>:<ascending|descending>` in the URL sorts on load.
"""

CSS = r"""
:root { --fg:#1f2328; --muted:#656d76; --line:#d0d7de; --bg:#ffffff; --panel:#f6f8fa;
  --bar:#3b6fb6; --bar2:#8fb1de; --rate:#c0562f; --median:#7a3e9d;
  --published:#4c9a5f; --zero:#a8d5b1; --failed:#e08a2c; --missing:#c9453a; }
* { box-sizing: border-box; }
html, body, svg text, button, table { font-family: "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC",
  "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "PingFang SC", "Microsoft YaHei", sans-serif; }
body { margin: 0; color: var(--fg); background: var(--bg); font-size: 14px; line-height: 1.45; }
header.top, main, footer { max-width: 1360px; margin: 0 auto; padding: 0 20px; }
header.top { padding-top: 14px; }
h1 { font-size: 26px; margin: 4px 0 2px; }
h1 .sub { font-size: 16px; font-weight: normal; color: var(--muted); margin-left: 8px; }
h2 { font-size: 17px; margin: 20px 0 6px; border-bottom: 1px solid var(--line); padding-bottom: 3px; }
h3 { font-size: 14px; margin: 10px 0 4px; color: var(--muted); font-weight: 600; }
.lede, .note, .crumbs { color: var(--muted); margin: 2px 0; font-size: 12.5px; }
a { color: #0b5cad; text-decoration: none; } a:hover { text-decoration: underline; }
.cards { display: flex; gap: 10px; flex-wrap: wrap; margin: 10px 0 4px; }
.card { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 6px 12px; min-width: 130px; }
.card .k { font-size: 12px; color: var(--muted); } .card .v { font-size: 21px; font-weight: 600; }
.card.bad .v { color: var(--missing); } .card.warn .v { color: var(--failed); }
.row { display: flex; gap: 24px; flex-wrap: wrap; align-items: flex-start; }
.col { flex: 1 1 560px; min-width: 0; }
.chart { background: #fff; }
.chart .axis { stroke: var(--line); } .chart .grid { stroke: #eef1f4; }
.chart text { font-size: 11px; fill: var(--fg); } .chart text.muted { fill: var(--muted); }
.chart text.title { font-size: 13px; font-weight: 600; }
.chart text.val { font-size: 10px; } .chart text.glyph { font-size: 11px; font-weight: 700; }
.chart .bar { fill: var(--bar); } .chart .bar:hover { fill: #24518f; }
.chart .blank { fill: none; stroke: var(--muted); stroke-dasharray: 2 2; }
.chart .mean { stroke: var(--rate); fill: none; stroke-width: 2; }
.chart .median { stroke: var(--median); fill: none; stroke-width: 2; stroke-dasharray: 5 3; }
.chart .pt-mean { fill: var(--rate); } .chart .pt-median { fill: var(--median); }
.chart .tpl { stroke: #9aa4ae; stroke-dasharray: 3 3; }
.grid-sm { display: grid; grid-template-columns: repeat(auto-fill, minmax(206px, 1fr)); gap: 8px 10px; }
.sm.sm-street { background: #fbfaf4; } .sm.sm-department { background: #f7f9fc; }
.sm { border: 1px solid var(--line); border-radius: 5px; padding: 3px 4px 0; }
.sm .name { font-size: 12.5px; font-weight: 600; margin: 0 2px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.sm .name .t { color: var(--muted); font-weight: normal; font-size: 11px; margin-left: 4px; }
.heat rect.cell { stroke: #fff; stroke-width: 1.5; }
.heat text.cell { font-size: 11px; text-anchor: middle; dominant-baseline: central; pointer-events: none; }
.legend { display: flex; gap: 12px; flex-wrap: wrap; font-size: 12px; color: var(--muted); margin: 4px 0; }
.legend i { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 4px; vertical-align: -2px; }
.table-wrap { overflow: auto; max-height: 640px; border: 1px solid var(--line); border-radius: 5px; }
table.data { border-collapse: collapse; font-size: 12px; white-space: nowrap; }
table.data th, table.data td { padding: 3px 7px; border-bottom: 1px solid #eef1f4; }
table.data thead th { position: sticky; top: 0; background: var(--panel); border-bottom: 1px solid var(--line);
  cursor: pointer; user-select: none; text-align: left; font-weight: 600; z-index: 1; }
table.data thead th:hover { background: #e8edf3; }
table.data thead th[aria-sort=ascending]::after { content: " ▲"; font-size: 10px; }
table.data thead th[aria-sort=descending]::after { content: " ▼"; font-size: 10px; }
table.data td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.data tbody tr:hover { background: #f3f7fc; }
table.checks { border-collapse: collapse; font-size: 12px; margin-top: 6px; }
table.checks th, table.checks td { border-bottom: 1px solid #eef1f4; padding: 2px 8px; text-align: left; }
ul.index li { margin: 6px 0; font-size: 16px; }
footer { color: var(--muted); font-size: 12px; padding: 18px 20px 30px; }
.noscript { color: var(--missing); max-width: 1360px; margin: 0 auto; padding: 0 20px; }
"""

JS = r"""
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("report-data").textContent);
  var SVGNS = "http://www.w3.org/2000/svg";
  var TYPE_SHORT = { township: "乡镇", street: "街道", department: "部门" };
  var STATUS = {
    published: { label: "已发布 published", color: "var(--published)" },
    parse_failed: { label: "解析失败 parse failed", color: "var(--failed)" },
    not_found: { label: "未找到 not found", color: "var(--missing)" }
  };

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
    if (typeof v === "boolean") return v ? "true" : "false";
    return String(v);
  }
  function pct(v, digits) {
    if (v === null || v === undefined) return "";
    return (v * 100).toFixed(digits === undefined ? 1 : digits) + "%";
  }
  function key(org, year) { return org + "|" + year; }

  var years = D.years;
  var orgYear = {}; D.org_year.forEach(function (r) { orgYear[key(r.org_id, r.year)] = r; });
  var cov = {}; D.coverage.forEach(function (r) { cov[key(r.org_id, r.year)] = r; });
  var orgName = {}; D.orgs.forEach(function (o) { orgName[o.org_id] = o.short_name; });
  var fails = {}; D.failed_checks.forEach(function (c) {
    var k = key(c.org_id, c.year); (fails[k] = fails[k] || []).push(c);
  });
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
    function card(k, v, cls) { return h("div", { "class": "card " + (cls || "") }, h("div", { "class": "k", text: k }), h("div", { "class": "v", text: v })); }
    add(document.getElementById("summary"), [
      card("机构 organisations", D.orgs.length),
      card("年度 years", years.length ? years[0] + "–" + years[years.length - 1] : "–"),
      card("已发布 published", (sc.published || 0) + " / " + total),
      card("解析失败 parse failed", sc.parse_failed || 0, sc.parse_failed ? "warn" : ""),
      card("未找到 not found", sc.not_found || 0, sc.not_found ? "bad" : ""),
      card("勾稽未通过 failed checks", latestFails, latestFails ? "bad" : ""),
      latest ? card(latest.year + " 新收申请 applications", fmt(latest.new_received_total)) : null
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
      s("text", { x: x + 3, y: top + 9, "class": "muted", "font-size": 10, text: "2021 新模板 new template" })]);
  }

  (function trend() {
    var wrap = document.getElementById("trend-charts");
    var W = 640, H = 270, L = 46, R = 14, T = 34, B = 44, ih = H - T - B;
    // total applications
    var svg = s("svg", { "class": "chart", width: W, height: H, viewBox: "0 0 " + W + " " + H, id: "trend-applications", role: "img",
      "aria-label": "County total applications received per year" });
    var max = niceMax(Math.max.apply(null, D.trend.map(function (t) { return t.new_received_total || 0; }).concat([1])));
    var xb = xBands(L, W - L - R);
    add(svg, s("text", { x: 4, y: 16, "class": "title", text: "全县新收申请合计 · Total applications received" }));
    for (var g = 0; g <= 4; g++) {
      var gy = T + ih - ih * g / 4;
      add(svg, [s("line", { "class": g ? "grid" : "axis", x1: L, x2: W - R, y1: gy, y2: gy }),
        s("text", { x: L - 5, y: gy + 4, "text-anchor": "end", "class": "muted", text: fmt(max * g / 4) })]);
    }
    D.trend.forEach(function (t, i) {
      var cx = xb.at(i), bw = Math.min(46, xb.bw * 0.6);
      var gEl = s("g", { "data-year": t.year, "data-value": fmt(t.new_received_total) });
      if (t.new_received_total !== null) {
        var bh = ih * t.new_received_total / max;
        add(gEl, s("rect", { "class": "bar", x: cx - bw / 2, y: T + ih - bh, width: bw, height: bh },
          tip(t.year + ": " + fmt(t.new_received_total) + " applications from " + t.n_with_applications + " reports")));
        add(gEl, s("text", { "class": "val", x: cx, y: T + ih - bh - 4, "text-anchor": "middle", text: fmt(t.new_received_total) }));
      }
      add(gEl, [s("text", { x: cx, y: H - B + 15, "text-anchor": "middle", text: t.year }),
        s("text", { x: cx, y: H - B + 29, "text-anchor": "middle", "class": "muted", "font-size": 10,
          text: t.n_published + "/" + t.n_expected + " 份报告" })]);
      add(svg, gEl);
    });
    templateMarker(svg, xb, T - 6, T + ih);
    add(wrap, svg);

    // mean / median disclosure rate
    var svg2 = s("svg", { "class": "chart", width: W, height: H, viewBox: "0 0 " + W + " " + H, id: "trend-rates", role: "img",
      "aria-label": "Mean and median disclosure rate per year" });
    add(svg2, s("text", { x: 4, y: 16, "class": "title", text: "公开率 · Disclosure rate, mean and median over organisations" }));
    for (var q = 0; q <= 4; q++) {
      var qy = T + ih - ih * q / 4;
      add(svg2, [s("line", { "class": q ? "grid" : "axis", x1: L, x2: W - R, y1: qy, y2: qy }),
        s("text", { x: L - 5, y: qy + 4, "text-anchor": "end", "class": "muted", text: (q * 25) + "%" })]);
    }
    function line(field, cls, other) {
      var d = "", pen = false;
      D.trend.forEach(function (t, i) {
        var v = t[field], o = t[other];
        var dy = (o === null || v > o || (v === o && cls === "mean")) ? -8 : 15;
        if (v === null) { pen = false; return; }
        var x = xb.at(i), y = T + ih - ih * v;
        d += (pen ? "L" : "M") + x.toFixed(1) + " " + y.toFixed(1) + " "; pen = true;
        add(svg2, [s("circle", { "class": "pt-" + cls, cx: x, cy: y, r: 3.5, "data-year": t.year, "data-field": field },
          tip(t.year + " " + field + ": " + pct(v) + " (" + t.n_with_rate + " organisations with a rate)")),
          s("text", { "class": "val", x: x, y: y + dy, "text-anchor": "middle", text: pct(v, 0) })]);
      });
      add(svg2, s("path", { "class": cls, d: d }));
    }
    line("mean_disclosure_rate", "mean", "median_disclosure_rate");
    line("median_disclosure_rate", "median", "mean_disclosure_rate");
    D.trend.forEach(function (t, i) {
      add(svg2, [s("text", { x: xb.at(i), y: H - B + 15, "text-anchor": "middle", text: t.year }),
        s("text", { x: xb.at(i), y: H - B + 29, "text-anchor": "middle", "class": "muted", "font-size": 10, text: "n=" + t.n_with_rate })]);
    });
    add(svg2, [s("line", { "class": "mean", x1: W - 200, x2: W - 180, y1: 12, y2: 12 }), s("text", { x: W - 176, y: 16, text: "均值 mean" }),
      s("line", { "class": "median", x1: W - 110, x2: W - 90, y1: 12, y2: 12 }), s("text", { x: W - 86, y: 16, text: "中位数 median" })]);
    templateMarker(svg2, xb, T - 6, T + ih);
    add(wrap, svg2);
  })();

  // ---- small multiples -----------------------------------------------------------------------
  var SW = 200, SH = 112, SL = 6, SR = 6, ST = 14, SB = 18;
  function smallMultiples(targetId, measure, draw) {
    // one grid, organisations in type order (townships, streets, departments); the type is on each card
    var grid = h("div", { "class": "grid-sm" });
    D.orgs.forEach(function (o) {
      var svg = s("svg", { "class": "chart", width: SW, height: SH, viewBox: "0 0 " + SW + " " + SH,
        "data-org": o.org_id, "data-org-type": o.org_type, "data-measure": measure, role: "img",
        "aria-label": o.org_name + " " + measure });
      var xb = xBands(SL, SW - SL - SR);
      add(svg, s("line", { "class": "axis", x1: SL, x2: SW - SR, y1: SH - SB, y2: SH - SB }));
      years.forEach(function (y, i) {
        add(svg, s("text", { x: xb.at(i), y: SH - 5, "text-anchor": "middle", "class": "muted", "font-size": 9.5, text: "'" + String(y).slice(2) }));
      });
      draw(svg, o, xb);
      add(grid, h("div", { "class": "sm sm-" + (o.org_type || "other") }, h("div", { "class": "name", title: o.org_name }, o.short_name,
        h("span", { "class": "t", text: TYPE_SHORT[o.org_type] || o.org_type || "" })), svg));
    });
    add(document.getElementById(targetId), grid);
  }
  function missingGlyph(svg, org, year, x) {
    var st = statusOf(org, year), c = cov[key(org, year)];
    var g = st === "not_found" ? "✕" : "!";
    add(svg, s("text", { "class": "glyph", x: x, y: SH - SB - 4, "text-anchor": "middle", fill: STATUS[st] ? STATUS[st].color : "#999",
      "data-year": year, "data-status": st, text: g }, tip(year + ": " + (STATUS[st] ? STATUS[st].label : st) + (c && c.reason ? " — " + c.reason : ""))));
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
        add(g, s("rect", { "class": "blank", x: x - bw / 2, y: SH - SB - 12, width: bw, height: 12 }, tip(y + ": blank in the report")));
      } else {
        var bh = ih * v / appMax;
        add(g, s("rect", { "class": "bar", x: x - bw / 2, y: SH - SB - bh, width: bw, height: Math.max(bh, 0) },
          tip(o.short_name + " " + y + ": " + fmt(v) + " 件" + (r.is_correction ? " (更正 corrected version)" : ""))));
        add(g, s("text", { "class": "val", x: x, y: SH - SB - bh - 3, "text-anchor": "middle", text: fmt(v) }));
      }
      add(svg, g);
    });
  });
  smallMultiples("sm-rates", "disclosure_rate", function (svg, o, xb) {
    var ih = SH - ST - SB - 10, top = ST + 10;
    add(svg, [s("line", { "class": "grid", x1: SL, x2: SW - SR, y1: top, y2: top }),
      s("line", { "class": "grid", x1: SL, x2: SW - SR, y1: top + ih / 2, y2: top + ih / 2 })]);
    var d = "", pen = false;
    years.forEach(function (y, i) {
      var r = orgYear[key(o.org_id, y)], x = xb.at(i);
      if (!r) { pen = false; missingGlyph(svg, o.org_id, y, x); return; }
      var v = r.disclosure_rate;
      var g = s("g", { "data-year": y, "data-value": v === null ? "" : String(v) });
      if (v === null) {
        pen = false;
        add(g, s("text", { "class": "val muted", x: x, y: SH - SB - 4, "text-anchor": "middle", text: "–" },
          tip(y + ": nothing handled (handled = " + fmt(r.handled) + "), rate undefined")));
      } else {
        var py = top + ih - ih * v;
        d += (pen ? "L" : "M") + x.toFixed(1) + " " + py.toFixed(1) + " "; pen = true;
        add(g, [s("circle", { "class": "pt-mean", cx: x, cy: py, r: 3 },
          tip(o.short_name + " " + y + ": " + pct(v) + " = (" + fmt(r.granted) + " + " + fmt(r.partial) + ") / " + fmt(r.handled))),
          s("text", { "class": "val", x: x, y: py - 5, "text-anchor": "middle", text: pct(v, 0) })]);
      }
      add(svg, g);
    });
    svg.insertBefore(s("path", { "class": "mean", d: d }), svg.firstChild);
  });

  // ---- heat maps -----------------------------------------------------------------------------
  var CW = 64, CH = 22, LW = 132, HT = 22;
  function heatMap(targetId, id, cellFor) {
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
        add(svg, [s("rect", attrs, tip(o.short_name + " " + y + ": " + c.tip)),
          s("text", { "class": "cell", x: x0 + CW / 2, y: y0 + CH / 2, fill: c.ink || "#fff", text: c.text })]);
      });
    });
    return svg;
  }
  function legend(items) {
    return h("div", { "class": "legend" }, items.map(function (it) {
      return h("span", null, h("i", { style: "background:" + it[0] }), it[1]);
    }));
  }

  (function coverage() {
    var target = document.getElementById("hm-coverage");
    add(target, legend([["var(--published)", "已发布 published"], ["var(--zero)", "全零 all-zero report"],
      ["var(--failed)", "解析失败 parse failed"], ["var(--missing)", "未找到 not found"]]));
    add(target, heatMap("hm-coverage", "coverage-heatmap", function (o, y) {
      var st = statusOf(o.org_id, y), c = cov[key(o.org_id, y)] || {};
      if (st === "published") {
        var corrected = (c.n_documents || 0) > 1;
        return { fill: c.all_zero ? "var(--zero)" : "var(--published)", ink: c.all_zero ? "#1f4d2b" : "#fff",
          text: corrected ? "v" + (c.latest_version || "?") + " 更正" : (c.all_zero ? "0" : "✓"),
          data: { status: st }, tip: "published" + (corrected ? ", " + c.n_documents + " versions (latest v" + c.latest_version + ")" : "")
            + (c.all_zero ? ", all cells zero" : "") + (c.template_s3 ? ", template " + c.template_s3 : "") };
      }
      if (st === "parse_failed") return { fill: "var(--failed)", text: "解析失败", data: { status: st }, tip: "parse failed: " + (c.reason || "") };
      return { fill: "var(--missing)", text: "未找到", data: { status: st }, tip: "no report found" };
    }));
  })();

  (function checks() {
    var target = document.getElementById("hm-checks");
    var maxFails = 1;
    Object.keys(fails).forEach(function (k) {
      maxFails = Math.max(maxFails, fails[k].filter(function (c) { return c.is_latest; }).length);
    });
    add(target, legend([["#f3f5f7", "0 failed"], ["hsl(4, 70%, 55%)", "≥ 1 failed check (darker = more)"], ["#dde1e6", "no parsed report"]]));
    add(target, heatMap("hm-checks", "checks-heatmap", function (o, y) {
      var all = fails[key(o.org_id, y)] || [];
      var latest = all.filter(function (c) { return c.is_latest; });
      var older = all.length - latest.length;
      if (!orgYear[key(o.org_id, y)]) return { fill: "#dde1e6", ink: "#656d76", text: "·", data: { fails: "", status: statusOf(o.org_id, y) }, tip: "no parsed report" };
      if (!latest.length) return { fill: "#f3f5f7", ink: "#9aa4ae", text: older ? "(" + older + ")" : "0", data: { fails: 0 },
        tip: "all checks pass or not assessable" + (older ? "; " + older + " failed in superseded versions" : "") };
      var light = 62 - 22 * (latest.length / maxFails);
      return { fill: "hsl(4, 70%, " + light + "%)", text: String(latest.length), data: { fails: latest.length },
        tip: latest.map(function (c) { return c.identity + " " + c.scope + ": expected " + c.relation + " " + fmt(c.expected) + ", printed " + fmt(c.printed); }).join("; ") };
    }));
    var list = document.getElementById("check-list");
    if (!D.failed_checks.length) { add(list, h("p", { "class": "note", text: "No identity check fails." })); return; }
    var rows = D.failed_checks.map(function (c) {
      return h("tr", { "data-org": c.org_id, "data-year": c.year }, [orgName[c.org_id] || c.org_id, c.year, c.identity + " (" + c.severity + ")", c.scope,
        c.relation + " " + fmt(c.expected), fmt(c.printed), c.is_latest ? "latest" : "superseded", c.detail || ""].map(function (v) { return h("td", { text: v }); }));
    });
    add(list, h("table", { "class": "checks" },
      h("thead", null, h("tr", null, ["机构", "年度", "identity", "scope", "expected", "printed", "version", "detail"].map(function (t) { return h("th", { text: t }); }))),
      h("tbody", null, rows)));
  })();

  // ---- sortable org_year table ---------------------------------------------------------------
  (function table() {
    var t = document.getElementById("org-year-table");
    t.className = "data";
    var cols = D.columns;
    var head = h("tr", null, cols.map(function (c, i) {
      return h("th", { scope: "col", "data-col": c.name, title: c.doc || c.name, tabindex: 0, text: c.name });
    }));
    var body = h("tbody");
    D.org_year.forEach(function (r, ri) {
      var tr = h("tr", { "data-i": ri, "data-org": r.org_id, "data-year": r.year });
      cols.forEach(function (c) {
        var v = r[c.name];
        var shown = c.kind === "rate" ? pct(v) : fmt(v);
        var td = h("td", { "data-col": c.name, "data-v": v === null || v === undefined ? "" : String(v),
          "class": typeof v === "number" ? "num" : null });
        if (c.name === "org_name" && r.document_url) add(td, h("a", { href: r.document_url, title: r.document_url, text: shown }));
        else td.textContent = shown;
        add(tr, td);
      });
      add(body, tr);
    });
    add(t, [h("thead", null, head), body]);
    var numeric = cols.map(function (c, i) {
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
  })();

  document.documentElement.setAttribute("data-rendered", "true");
})();
"""

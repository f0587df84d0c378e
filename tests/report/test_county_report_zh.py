"""The county report for its Chinese readers: every visible word Chinese, units, Beijing time, the
name each organisation printed that year, peer groups with medians within groups, the pooled county
rate beside the median, completeness on every county figure, print layout and phone width.

Values are checked against the sample county's truth files (tests/report/conftest.py), layout in
headless Chromium at 360 px (phone) and 1280 px (desktop) and with print media."""
from __future__ import annotations

import datetime as dt
import io
import math
import re
import statistics
import unicodedata

import duckdb
import pytest
from bs4 import BeautifulSoup

import screenshot_report as chrome  # tools/, put on sys.path by conftest

from pipelines.report import build_county_report
from pipelines.report.build import beijing_time, former_names, human_cells

needs_chromium = pytest.mark.skipif(
    chrome.chromium_path() is None,
    reason="headless Chromium not installed (apt-get install -y --no-install-recommends chromium)")

GROUPS = ("township", "street", "department")
GROUP_ZH = {"township": "乡镇", "street": "街道", "department": "县直部门", "county": "全县"}


@pytest.fixture(scope="module")
def built(warehouse_path, tmp_path_factory, truth) -> dict:
    out = tmp_path_factory.mktemp("county_report_zh")
    before = dt.datetime.now(dt.timezone.utc)
    build_county_report(warehouse_path, out)
    after = dt.datetime.now(dt.timezone.utc)
    return {"page": out / f"{truth.county['county']}.html", "index": out / "index.html",
            "before": before, "after": after}


@pytest.fixture(scope="module")
def dom(built) -> BeautifulSoup:
    return BeautifulSoup(chrome.dump_dom(built["page"]), "lxml")


# ---- the truth, per peer group -----------------------------------------------------------------

def _group_truth(truth, year: int, group: str) -> dict:
    """What the page must say for one year and peer group ('county' = all organisations)."""
    orgs = [o for o, v in truth.orgs.items() if group == "county" or v["type"] == group]
    ts = [truth.latest[(o, year)] for o in orgs if (o, year) in truth.latest]
    new = [truth.cell(t, "t3.new_received:total") for t in ts]
    new = [v for v in new if v is not None]
    rates = [r for r in (truth.disclosure_rate(t) for t in ts) if r is not None]
    parts = [(truth.cell(t, "t3.result.granted:total"), truth.cell(t, "t3.result.partial:total"),
              truth.cell(t, "t3.result.total:total")) for t in ts]
    parts = [p for p in parts if None not in p]
    handled = sum(h for _, _, h in parts)
    return {"n_expected": len(orgs), "n_published": len(ts), "n_pooled": len(parts),
            "new_received_total": sum(new), "median_new_received": statistics.median(new) if new else None,
            "median_disclosure_rate": statistics.median(rates) if rates else None,
            "pooled_disclosure_rate": sum(g + p for g, p, _ in parts) / handled if handled else None}


def _close(got: str, want) -> bool:
    if want is None:
        return got == ""
    return math.isclose(float(got), float(want), rel_tol=1e-9, abs_tol=1e-12)


# ---- pure helpers --------------------------------------------------------------------------------

def test_beijing_time_is_utc_plus_eight_across_midnight():
    assert beijing_time(dt.datetime(2026, 11, 30, 23, 30, tzinfo=dt.timezone.utc)) == "2026年12月1日 07:30（北京时间）"
    assert beijing_time(dt.datetime(2024, 1, 5, 2, 5, tzinfo=dt.timezone.utc)) == "2024年1月5日 10:05（北京时间）"


def test_former_names_are_spans_of_years():
    printed = [(2019, "澄岚县清水乡"), (2020, "澄岚县清水乡人民政府"), (2021, "澄岚县清水乡"),
               (2022, "澄岚县清水镇人民政府"), (2023, "澄岚县清水镇")]
    assert former_names(printed, "清水镇", "澄岚县") == [{"name": "清水乡", "from": 2019, "to": 2021}]
    assert former_names([(2019, "澄岚县教育局")], "教育局", "澄岚县") == []


def test_human_cells_counts_read_by_human_in_current_reports(tmp_path):
    db = tmp_path / "w.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.facts (org_id varchar, code varchar)")
        assert human_cells(con, ["a"]) == 0            # no read_by column yet: 0, no error
        con.execute("alter table marts.facts add column read_by varchar")
        con.execute("alter table marts.facts add column is_latest boolean")
        con.execute("insert into marts.facts values ('a','x','human',true), ('a','y','human',true), "
                    "('a','z','human',false), ('a','w','text',true), ('b','x','human',true)")
        assert human_cells(con, ["a"]) == 2            # superseded versions and other counties left out
        assert human_cells(con, ["a", "b"]) == 3


# ---- the page ----------------------------------------------------------------------------------

def _visible_and_tooltip_text(soup: BeautifulSoup) -> str:
    soup = BeautifulSoup(str(soup), "lxml")
    for el in soup.select("script, style"):
        el.decompose()
    attrs = [el.get(a) for el in soup.find_all(True) for a in ("title", "aria-label", "placeholder", "alt")
             if el.get(a)]
    head_title = soup.title.get_text() if soup.title else ""
    return " ".join([soup.body.get_text(" "), head_title, *attrs])


@needs_chromium
def test_every_word_on_the_page_is_chinese(dom, built):
    text = _visible_and_tooltip_text(dom)
    assert "全县趋势" in text and "同类机构比较" in text
    assert re.findall(r"[A-Za-z_]{2,}", text) == []      # no marts.org_year, template_s2, I4, hard, UTC ...
    index = BeautifulSoup(built["index"].read_text(encoding="utf-8"), "lxml")
    assert re.findall(r"[A-Za-z_]{2,}", _visible_and_tooltip_text(index)) == []


@needs_chromium
def test_units_on_counts_and_money(dom, truth):
    heads = {th["data-col"]: th.get_text() for th in dom.select("#org-year-table thead th")}
    assert heads["new_received_total"] == "本年新收申请·总计（件）"
    assert heads["handled"].endswith("（件）") and heads["granted"] == "予以公开（件）"
    assert heads["fees_amount_wan"] == "行政事业性收费·本年收费金额（万元）"
    assert heads["disclosure_rate"] == "公开率（%）"
    assert all(h.endswith(("（件）", "（万元）", "（%）")) for c, h in heads.items()
               if c not in ("org_name", "org_type", "year", "normative_docs_issued_comparability",
                            "template_s3", "version", "read_by"))
    latest = max(truth.county["years"])
    card = dom.select_one("#card-applications")
    assert card.select_one(".u").get_text() == "件"
    want = _group_truth(truth, latest, "county")
    assert card.select_one(".num").get_text() == str(int(want["new_received_total"]))
    assert card.select_one(".n").get_text() == f"{want['n_published']}/{want['n_expected']} 份报告"


@needs_chromium
def test_generated_in_beijing_time(dom, built):
    text = dom.select_one("#generated-at").get_text()
    m = re.fullmatch(r"(\d{4})年(\d{1,2})月(\d{1,2})日 (\d{2}):(\d{2})（北京时间）", text)
    assert m, text
    shown = dt.datetime(*map(int, m.groups()), tzinfo=dt.timezone(dt.timedelta(hours=8)))
    # the build happened between before and after; the page shows it to the minute, in UTC+8
    assert built["before"].replace(second=0, microsecond=0) <= shown <= built["after"]


@needs_chromium
def test_each_org_year_shows_the_name_printed_that_year(dom, truth):
    rows = dom.select("#org-year-table tbody tr")
    assert len(rows) == len(truth.latest)
    for r in rows:
        t = truth.latest[(r["data-org"], int(r["data-year"]))]
        assert r.select_one('td[data-col="org_name"]').get_text() == t["organisation"], t["report_id"]
    # 清水乡 became 清水镇 in 2022: both names appear, each in its own years
    names = {int(r["data-year"]): r.select_one('td[data-col="org_name"]').get_text()
             for r in rows if r["data-org"] == "qingshui"}
    assert all("清水乡" in names[y] for y in names if y <= 2021)
    assert all("清水镇" in names[y] for y in names if y >= 2022)
    card = dom.select_one('svg[data-org="qingshui"][data-measure=new_received]').parent
    assert "2019–2021 年署名清水乡" in card.select_one(".name").get_text()


@needs_chromium
def test_peer_group_table_matches_the_truth(dom, truth):
    checked = 0
    for year in truth.county["years"]:
        for group in ("county", *GROUPS):
            want = _group_truth(truth, year, group)
            tr = dom.select_one(f'#peer-table tr[data-year="{year}"][data-group="{group}"]')
            assert tr is not None, (year, group)
            cell = {td["data-col"]: td for td in tr.select("td")}
            assert cell["group"].get_text() == GROUP_ZH[group]
            assert cell["completeness"].get_text() == f"{want['n_published']} / {want['n_expected']}", (year, group)
            for col in ("new_received_total", "median_new_received", "median_disclosure_rate",
                        "pooled_disclosure_rate"):
                assert _close(cell[col]["data-v"], want[col]), (year, group, col, cell[col]["data-v"], want[col])
            checked += 1
    assert checked == 4 * len(truth.county["years"])
    # the county's 2019 rate is its pooled rate, printed beside (and different from) the median
    tr = dom.select_one('#peer-table tr[data-year="2019"][data-group="county"]')
    want = _group_truth(truth, 2019, "county")
    assert tr.select_one('td[data-col="pooled_disclosure_rate"]').get_text() == f"{want['pooled_disclosure_rate'] * 100:.1f}%"
    assert want["pooled_disclosure_rate"] != pytest.approx(want["median_disclosure_rate"], abs=1e-3)


@needs_chromium
def test_county_trend_carries_pooled_rate_median_and_completeness(dom, truth):
    for year in truth.county["years"]:
        want = _group_truth(truth, year, "county")
        g = dom.select_one(f'svg#trend-applications g[data-year="{year}"]')
        assert (int(g["data-reports"]), int(g["data-expected"])) == (want["n_published"], want["n_expected"])
        assert g.select_one("text.completeness").get_text().startswith(f"{want['n_published']}/{want['n_expected']}")
        pooled = dom.select_one(f'svg#trend-rates circle[data-field="pooled_disclosure_rate"][data-year="{year}"]')
        median = dom.select_one(f'svg#trend-rates circle[data-field="median_disclosure_rate"][data-year="{year}"]')
        assert _close(pooled["data-value"], want["pooled_disclosure_rate"]), year
        assert _close(median["data-value"], want["median_disclosure_rate"]), year
        note = dom.select_one(f'svg#trend-rates text.completeness[data-year="{year}"]').get_text()
        assert note.startswith(f"{want['n_pooled']}/{want['n_expected']}"), year
    # no mean of organisations' rates anywhere
    assert not dom.select('[data-field="mean_disclosure_rate"]')


@needs_chromium
def test_ranks_and_shares_within_the_peer_group(dom, truth):
    year = int(dom.select_one("#peer-org-table")["data-year"])
    assert year == max(truth.county["years"])
    for group in GROUPS:
        members = [o for o, v in truth.orgs.items() if v["type"] == group]
        vals = {o: truth.cell(truth.latest[(o, year)], "t3.new_received:total")
                for o in members if (o, year) in truth.latest}
        ranked = {o: v for o, v in vals.items() if v is not None}
        total = sum(ranked.values())
        for o in members:
            tr = dom.select_one(f'#peer-org-table tr[data-org="{o}"]')
            assert tr["data-group"] == group
            if o not in vals:
                assert tr.select_one('td[data-col="status"]')["data-v"] == truth.coverage[(o, year)]
                continue
            want_rank = 1 + sum(1 for v in ranked.values() if v > ranked[o])
            rank = tr.select_one('td[data-col="rank_new_received"]')
            assert rank.get_text() == f"{want_rank} / {len(ranked)}", o
            assert _close(tr.select_one('td[data-col="share_new_received"]')["data-v"],
                          ranked[o] / total if total else None), o
            median = _group_truth(truth, year, group)["median_disclosure_rate"]
            assert _close(tr.select_one('td[data-col="group_median_disclosure_rate"]')["data-v"], median), o


@needs_chromium
def test_people_entered_cells_line(dom, warehouse_path):
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        has = con.execute("select count(*) from information_schema.columns where table_schema = 'marts' "
                          "and table_name = 'facts' and column_name = 'read_by'").fetchone()[0]
        n = con.execute("select count(*) from marts.facts where read_by = 'human' and is_latest").fetchone()[0] if has else 0
    assert dom.select_one("#human-cells").get_text().startswith(f"人工录入的单元格：{n} 个")
    assert dom.select_one("#card-human .num").get_text() == str(n)


# ---- layout: phone, desktop, print -------------------------------------------------------------

LAYOUT_JS = """(() => {
  const W = window.innerWidth, html = document.documentElement, body = document.body;
  const scrollers = '.table-wrap, .scroll-x';
  const outside = Array.from(document.querySelectorAll('body *')).filter(e => {
    if (e.closest(scrollers) && !e.matches(scrollers)) return false;
    const r = e.getBoundingClientRect();
    return r.width > 0 && (r.right > W + 0.5 || r.left < -0.5);
  }).map(e => e.tagName + '#' + e.id + '.' + e.className);
  const wraps = Array.from(document.querySelectorAll('table')).map(t => {
    const w = t.closest('.table-wrap');
    return {id: t.id, wrapped: !!w, overflowX: w ? getComputedStyle(w).overflowX : null,
            scrolls: w ? w.scrollWidth > w.clientWidth : null, right: w ? w.getBoundingClientRect().right : null};
  });
  const trend = Array.from(document.querySelectorAll('#trend-charts svg')).map(s =>
    s.getBoundingClientRect().width / s.viewBox.baseVal.width);
  return {W, htmlWidth: html.scrollWidth, bodyWidth: body.scrollWidth,
          overflow: [getComputedStyle(html).overflowX, getComputedStyle(body).overflowX], outside, wraps, trend,
          rendered: html.dataset.rendered};
})()"""


@needs_chromium
def test_readable_from_360_px_to_desktop_without_page_overflow(built):
    with chrome.DevTools() as page:
        results = {}
        for width in (360, 1280):
            page.open(chrome.file_url(built["page"]), width=width)
            results[width] = page.evaluate(LAYOUT_JS)
        problems = page.problems()
    assert problems == []
    for width, r in results.items():
        assert r["rendered"] == "true"
        assert r["W"] == width
        assert r["overflow"] == ["visible", "visible"]              # nothing hidden to pass the check
        assert r["htmlWidth"] <= width and r["bodyWidth"] <= width, (width, r["htmlWidth"], r["bodyWidth"])
        assert r["outside"] == [], (width, r["outside"])
        ids = {w["id"] for w in r["wraps"]}
        assert {"peer-table", "peer-org-table", "org-year-table"} <= ids
        for w in r["wraps"]:                                         # every table scrolls in its own box
            assert w["wrapped"] and w["overflowX"] == "auto" and w["right"] <= width, (width, w)
    phone = {w["id"]: w for w in results[360]["wraps"]}
    assert phone["org-year-table"]["scrolls"] and phone["peer-table"]["scrolls"]
    # trend charts are drawn for the width, not shrunk: text keeps its size on a phone
    assert results[360]["trend"] and all(abs(s - 1) < 0.02 for s in results[360]["trend"])


@needs_chromium
def test_print_layout(built, truth):
    import pdfplumber

    css = BeautifulSoup(built["page"].read_text(encoding="utf-8"), "lxml").select_one("style").get_text()
    assert "@media print" in css and "@page" in css
    js = """(() => {
      const st = s => getComputedStyle(document.querySelector(s));
      return {crumbs: st('.crumbs').display,
              select: getComputedStyle(document.getElementById('peer-year').closest('label')).display,
              wrap: [st('.table-wrap').overflowX, st('.table-wrap').maxHeight],
              screenCol: st('#org-year-table td.screen-col').display,
              printCol: st('#org-year-table td[data-col="new_received_total"]').display,
              printOnly: st('#peer-year-print').display, sticky: st('#org-year-table thead th').position};
    })()"""
    with chrome.DevTools() as page:
        page.open(chrome.file_url(built["page"]), media="print")
        got = page.evaluate(js)
        pdf = page.print_pdf()
        problems = page.problems()
    assert problems == []
    assert got == {"crumbs": "none", "select": "none", "wrap": ["visible", "none"], "screenCol": "none",
                   "printCol": "table-cell", "printOnly": "inline", "sticky": "static"}
    assert pdf[:5] == b"%PDF-"
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        sizes = {(round(p.width), round(p.height)) for p in doc.pages}
        text = unicodedata.normalize("NFKC", "\n".join(p.extract_text() or "" for p in doc.pages[:4]))
        n_pages = len(doc.pages)
    assert sizes == {(595, 842)}                                      # A4 portrait
    assert 3 <= n_pages <= 40
    pooled_2019 = _group_truth(truth, 2019, "county")["pooled_disclosure_rate"]
    for words in ("政府信息公开工作年度报告", "全县趋势", "同类机构比较", f"{pooled_2019 * 100:.1f}%"):
        assert words in text.replace(" ", ""), words


@needs_chromium
def test_failed_checks_and_unreadable_reports_are_explained_in_chinese(dom, truth):
    planted = [(t, v) for t in truth.latest.values() for v in t.get("source_identity_violations", [])]
    assert planted
    zh_group = {"review": "行政复议", "lit_direct": "行政诉讼（未经复议直接起诉）", "lit_after_review": "行政诉讼（复议后起诉）"}
    for t, v in planted:
        org, year, identity = t["org_id"], t["year"], v["identity"]
        row = dom.select_one(f'#check-list tr[data-org="{org}"][data-year="{year}"][data-identity="{identity}"]')
        cells = [td.get_text() for td in row.select("td")]
        assert cells[0] == t["organisation"] and cells[1] == str(t["year"])
        assert cells[2].startswith("第四部分：总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结")
        assert cells[3:] == [zh_group[v["group"]], f"应等于 {v['sum_of_parts']}", str(v["printed_total"]), "最新版本"]
    reasons = {"pdf-scanned": "扫描件，没有可读的文字层（需要文字识别）", "not_a_report": "链接打开的不是报告文件（例如错误页）"}
    unreadable = [t for t in truth.truths if t["format"] in reasons]
    assert len(unreadable) == 3
    for t in unreadable:
        org, year = t["org_id"], t["year"]
        glyph = dom.select_one(f'svg[data-org="{org}"][data-measure=new_received] text.glyph[data-year="{year}"]')
        assert glyph["data-status"] == "parse_failed"
        assert glyph.select_one("title").get_text() == f"{t['year']} 年：找到报告但无法读取：{reasons[t['format']]}"


def test_printed_name_comes_from_org_year_when_the_marts_carry_it(warehouse_path, tmp_path, truth):
    """With marts.org_year.org_name_printed (issue 8's mart column) the page uses it, and it no
    longer needs core.documents."""
    import shutil

    from pipelines.report.build import county_data

    db = tmp_path / "w.duckdb"
    shutil.copyfile(warehouse_path, db)
    with duckdb.connect(str(db)) as con:
        if not con.execute("select count(*) from information_schema.columns where table_schema = 'marts' "
                           "and table_name = 'org_year' and column_name = 'org_name_printed'").fetchone()[0]:
            con.execute("alter table marts.org_year add column org_name_printed varchar")
        con.execute("update marts.org_year set org_name_printed = '印：' || org_id || year")
        con.execute("drop schema if exists core cascade")
        data = county_data(con, truth.county["county"])
    assert data["org_year"] and all(r["org_name"] == f"印：{r['org_id']}{r['year']}" for r in data["org_year"])


def test_a_county_government_is_its_own_peer_group(warehouse_path, tmp_path, truth):
    """Registries may list a 县政府 (county_government): it gets its own group, never mixed with
    the departments, and a group the county lacks is not shown."""
    import shutil

    from pipelines.report.build import county_data

    db = tmp_path / "w.duckdb"
    shutil.copyfile(warehouse_path, db)
    with duckdb.connect(str(db)) as con:
        for table in ("raw.expected_orgs", "marts.coverage", "marts.org_year"):
            con.execute(f"update {table} set org_type = 'county_government' where org_id = 'jiaoyu'")
        con.execute("update raw.expected_orgs set org_type = 'township' where org_type = 'street'")
        con.execute("update marts.coverage set org_type = 'township' where org_type = 'street'")
        con.execute("update marts.org_year set org_type = 'township' where org_type = 'street'")
        data = county_data(con, truth.county["county"])
    assert [(g["label"], g["n_orgs"]) for g in data["peer_groups"]] == [("乡镇", 12), ("县直部门", 4), ("县政府", 1)]
    year = max(truth.county["years"])
    gov = next(r for r in data["peer_stats"] if r["year"] == year and r["org_type"] == "county_government")
    assert (gov["n_published"], gov["n_expected"]) == (1, 1)
    assert gov["new_received_total"] == truth.cell(truth.latest[("jiaoyu", year)], "t3.new_received:total")
    dept = next(r for r in data["peer_stats"] if r["year"] == year and r["org_type"] == "department")
    assert dept["n_expected"] == 4

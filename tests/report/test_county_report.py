"""The static county report: built from a freshly published warehouse, then opened in headless
Chromium and checked against the sample county's truth files (not against the warehouse)."""
from __future__ import annotations

import json
import math
from pathlib import Path
from urllib.parse import quote

import pytest
from bs4 import BeautifulSoup

import screenshot_report as chrome  # tools/, put on sys.path by conftest

from pipelines.report import build_county_report

REPO = Path(__file__).resolve().parents[2]
needs_chromium = pytest.mark.skipif(
    chrome.chromium_path() is None,
    reason="headless Chromium not installed (apt-get install -y --no-install-recommends chromium)")


def fmt(v) -> str:
    """A printed number as the page shows it: blank → '', 3.0 → '3'."""
    if v is None:
        return ""
    return str(int(v)) if float(v).is_integer() else str(v)


@pytest.fixture(scope="module")
def report(warehouse_path, tmp_path_factory, truth) -> dict:
    out = tmp_path_factory.mktemp("county_report")
    paths = build_county_report(warehouse_path, out)
    return {"paths": paths, "page": out / f"{truth.county['county']}.html", "index": out / "index.html"}


@pytest.fixture(scope="module")
def dom(report) -> BeautifulSoup:
    return BeautifulSoup(chrome.dump_dom(report["page"]), "lxml")


def test_one_page_per_county_and_an_index(report, truth):
    assert report["paths"] == [report["page"], report["index"]]
    index = BeautifulSoup(report["index"].read_text(encoding="utf-8"), "lxml")
    links = [(a["href"], a.get_text()) for a in index.select("ul.index a")]
    assert links == [(quote(report["page"].name), truth.county["county"])]


def test_page_is_self_contained(report):
    text = report["page"].read_text(encoding="utf-8")
    soup = BeautifulSoup(text, "lxml")
    assert not soup.select("script[src], link[href], img[src], iframe, object, embed")
    styles = " ".join(s.get_text() for s in soup.select("style"))
    assert "@import" not in styles and "url(" not in styles
    code = soup.select("script:not([type])")[0].get_text().replace('"http://www.w3.org/2000/svg"', "SVGNS")
    for api in ("fetch(", "XMLHttpRequest", "import(", "WebSocket", "http://", "https://"):
        assert api not in code, api
    # the data blob is valid JSON and keeps blanks as null
    blob = json.loads(soup.select_one("script#report-data").get_text())
    taoyuan_2020 = next(r for r in blob["org_year"] if (r["org_id"], r["year"]) == ("taoyuan", 2020))
    assert taoyuan_2020["new_received_natural_person"] is None
    assert taoyuan_2020["new_received_total"] == 0


@needs_chromium
def test_one_applications_chart_per_organisation(dom, truth):
    charts = dom.select("svg[data-org][data-measure=new_received]")
    assert sorted(c["data-org"] for c in charts) == sorted(truth.orgs)
    townships = [o for o, v in truth.orgs.items() if v["type"] == "township"]
    assert sorted(c["data-org"] for c in charts if c["data-org-type"] == "township") == sorted(townships)
    rates = dom.select("svg[data-org][data-measure=disclosure_rate]")
    assert sorted(c["data-org"] for c in rates) == sorted(truth.orgs)


@needs_chromium
def test_charts_show_the_printed_applications_and_rates(dom, truth):
    checked = 0
    for (org, year), t in truth.latest.items():
        want = fmt(truth.cell(t, "t3.new_received:total"))
        bar = dom.select_one(f'svg[data-org="{org}"][data-measure=new_received] g[data-year="{year}"]')
        assert bar is not None, (org, year)
        assert bar["data-value"] == want, (org, year)
        label = bar.select_one("text.val")
        assert label is not None and label.get_text() == want, (org, year)
        point = dom.select_one(f'svg[data-org="{org}"][data-measure=disclosure_rate] g[data-year="{year}"]')
        rate = truth.disclosure_rate(t)
        if rate is None:
            assert point["data-value"] == "", (org, year)
        else:
            assert math.isclose(float(point["data-value"]), rate, rel_tol=1e-9), (org, year)
            label = point.select_one("text.val").get_text()
            assert label.endswith("%") and abs(float(label[:-1]) - rate * 100) <= 0.5 + 1e-9, (org, year)
        checked += 1
    assert checked >= 95
    # e.g. 城关镇 2023, read straight from its truth file
    t = truth.latest[("chengguan", 2023)]
    assert dom.select_one('svg[data-org="chengguan"][data-measure=new_received] g[data-year="2023"] text.val'
                          ).get_text() == fmt(t["cells"]["t3.new_received:total"])


@needs_chromium
def test_unpublished_years_are_marked_not_drawn_as_zero(dom, truth):
    for (org, year), status in truth.coverage.items():
        if status == "published":
            continue
        bar = dom.select_one(f'svg[data-org="{org}"][data-measure=new_received] g[data-year="{year}"]')
        assert bar is None, (org, year)
        glyph = dom.select_one(f'svg[data-org="{org}"][data-measure=new_received] text.glyph[data-year="{year}"]')
        assert glyph is not None and glyph["data-status"] == status, (org, year)


@needs_chromium
def test_county_trend_is_the_sum_of_the_truth(dom, truth):
    for year in truth.county["years"]:
        vals = [truth.cell(t, "t3.new_received:total") for (o, y), t in truth.latest.items() if y == year]
        g = dom.select_one(f'svg#trend-applications g[data-year="{year}"]')
        assert g["data-value"] == fmt(sum(v for v in vals if v is not None)), year


@needs_chromium
def test_coverage_heat_map(dom, truth):
    cells = dom.select("svg#coverage-heatmap rect[data-org][data-year]")
    got = {(c["data-org"], int(c["data-year"])): c["data-status"] for c in cells}
    assert got == truth.coverage
    for gap in truth.county["never_published"]:
        assert got[(gap["org_id"], gap["year"])] == "not_found"


@needs_chromium
def test_failed_checks_heat_map(dom, truth):
    planted: dict[tuple[str, int], int] = {}
    for t in truth.latest.values():
        if t.get("source_identity_violations"):
            planted[(t["org_id"], t["year"])] = len(t["source_identity_violations"])
    assert planted, "the sample county plants at least one violation"
    cells = dom.select("svg#checks-heatmap rect[data-org][data-year]")
    fails = {(c["data-org"], int(c["data-year"])): c["data-fails"] for c in cells}
    assert {k: int(v) for k, v in fails.items() if v not in ("", "0")} == planted
    for k, status in truth.coverage.items():
        assert (fails[k] == "") == (status != "published"), k
    rows = dom.select("#check-list tbody tr")
    assert sorted((r["data-org"], int(r["data-year"])) for r in rows) == sorted(planted)


def _column(dom, name) -> list[str]:
    return [td.get_text() for td in dom.select(f'#org-year-table tbody td[data-col="{name}"]')]


@needs_chromium
def test_table_holds_every_published_org_year_with_printed_values(dom, truth):
    rows = dom.select("#org-year-table tbody tr")
    assert sorted((r["data-org"], int(r["data-year"])) for r in rows) == sorted(truth.latest)
    for r in rows:
        t = truth.latest[(r["data-org"], int(r["data-year"]))]
        for col, code in (("new_received_total", "t3.new_received:total"),
                          ("new_received_natural_person", "t3.new_received:natural_person"),
                          ("carried_over_total", "t3.carried_over:total"),
                          ("handled", "t3.result.total:total")):
            td = r.select_one(f'td[data-col="{col}"]')
            assert td.get_text() == fmt(truth.cell(t, code)), (r["data-org"], r["data-year"], col)
    # a blank printed cell stays blank (taoyuan 2020 left the applicant columns empty)
    blank = [k for k, t in truth.latest.items() if t["cells"].get("t3.new_received:natural_person", 0) is None]
    assert blank
    for org, year in blank:
        td = dom.select_one(f'#org-year-table tr[data-org="{org}"][data-year="{year}"] '
                            f'td[data-col="new_received_natural_person"]')
        assert td.get_text() == "" and td["data-v"] == ""


@needs_chromium
def test_sort_from_the_url_is_numeric_with_blanks_last(report, truth):
    soup = BeautifulSoup(chrome.dump_dom(report["page"], "sort=new_received_natural_person:descending"), "lxml")
    assert soup.select_one('th[data-col="new_received_natural_person"]')["aria-sort"] == "descending"
    got = [td["data-v"] for td in soup.select('#org-year-table tbody td[data-col="new_received_natural_person"]')]
    values = [truth.cell(t, "t3.new_received:natural_person") for t in truth.latest.values()]
    nums = sorted((v for v in values if v is not None), reverse=True)
    assert [float(v) for v in got[:len(nums)]] == nums
    assert got[len(nums):] == [""] * (len(values) - len(nums))


@needs_chromium
def test_headers_sort_on_click_and_the_page_logs_no_error(report):
    with chrome.DevTools() as page:
        page.open(chrome.file_url(report["page"]))
        assert page.evaluate("document.documentElement.dataset.rendered") == "true"
        js = """(() => {
          const th = document.querySelector('th[data-col="new_received_total"]');
          const col = () => Array.from(document.querySelectorAll(
              '#org-year-table tbody td[data-col="new_received_total"]')).map(td => td.dataset.v);
          th.click(); const asc = [th.getAttribute('aria-sort'), col()];
          th.click(); const desc = [th.getAttribute('aria-sort'), col()];
          const name = document.querySelector('th[data-col="org_name"]');
          name.click();
          return {asc, desc, others: [th.getAttribute('aria-sort'), name.getAttribute('aria-sort')]};
        })()"""
        res = page.evaluate(js)
        problems, requests = page.problems(), page.requests()
    assert res["asc"][0] == "ascending" and res["desc"][0] == "descending"
    asc = [float(v) for v in res["asc"][1]]
    assert asc == sorted(asc) and asc[0] < asc[-1]
    assert [float(v) for v in res["desc"][1]] == sorted(asc, reverse=True)   # numeric, not "9" > "10"
    assert res["others"] == [None, "ascending"]   # one sorted column at a time
    assert problems == []
    assert requests and all(u.startswith("file://") for u in requests), requests


@needs_chromium
def test_no_console_output_in_chromium_log(report, tmp_path):
    # the page itself logs nothing: any console line (and every "Uncaught ...") is a failure
    msgs, _ = chrome.console_messages(report["page"])
    assert msgs == []
    # ... and the log capture does see errors when a page has them
    broken = tmp_path / "broken.html"
    broken.write_text("<!DOCTYPE html><script>console.error('bad');</script><script>null.x()</script>")
    seen = [m["message"] for m in chrome.console_messages(broken)[0]]
    assert any("bad" in m for m in seen) and any("Uncaught" in m for m in seen)
    with chrome.DevTools() as page:
        page.open(chrome.file_url(broken))
        assert any(p.startswith("console.error") for p in page.problems())
        assert any(p.startswith("Uncaught") for p in page.problems())


@needs_chromium
def test_screenshot(report, tmp_path):
    png = chrome.screenshot(report["page"], tmp_path / "county.png")
    assert chrome.png_size(png) == (1400, 2400)
    assert png.stat().st_size > 100_000   # charts and text, not a blank page
    committed = REPO / "docs" / "county-report.png"
    assert committed.exists() and chrome.png_size(committed) == (1400, 2400)
    phone = chrome.screenshot(report["page"], tmp_path / "phone.png", "360,1600")
    assert chrome.png_size(phone) == (360, 1600) and phone.stat().st_size > 50_000
    assert chrome.png_size(REPO / "docs" / "county-report-phone.png")[0] == 360


def test_dagster_asset_writes_the_report(report_data_dir, monkeypatch):
    import dagster as dg

    from pipelines.defs.report import county_report, defs

    assert defs.resolve_assets_def("county_report").group_names_by_key[dg.AssetKey("county_report")] == "report"
    assert dg.AssetKey("published_warehouse") in county_report.asset_deps[dg.AssetKey("county_report")]
    monkeypatch.setenv("XXGK_DATA_DIR", str(report_data_dir))
    result = dg.materialize([county_report])
    assert result.success
    md = result.asset_materializations_for_node("county_report")[0].metadata
    pages = [Path(p) for p in md["pages"].value]
    assert pages and all(p.exists() for p in pages)
    assert pages[-1] == report_data_dir / "reports" / "index.html"

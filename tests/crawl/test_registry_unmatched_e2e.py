"""End to end, as a new user adds a county: one TOML profile (extends "trs") and one registry CSV,
crawled from a TRS-shaped saved 年报 column on 127.0.0.1 by the real Dagster job, loaded and built
by dbt. The organisation is registered under its formal name (…管理委员会) while its reports print
another: coverage must say found_unmatched with the printed name and the line to add, never
not_found. (That the suggested line, once appended, places the reports and triggers a rebuild is
tested without a second run in test_registry_suggestions.py.)"""
from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import duckdb
import pytest
from bs4 import BeautifulSoup

from pipelines import settings
from pipelines.crawl.serve import serve_directory

PRINTED = "澄岚经济开发区"
FORMAL = "澄岚县经济开发区管理委员会"
# Title year → a saved inline report of the sample portal (org_id, year) whose tables we reuse.
BODIES = {2019: ("liuxi", 2019), 2020: ("liuxi", 2020), 2021: ("liuxi", 2021), 2022: ("liuxi", 2022),
          2023: ("hekou", 2023), 2024: ("liuxi", 2024), 2025: ("baisha", 2024)}
COLUMN = "/kfq/zfxxgk/ndbg"

pytestmark = pytest.mark.skipif(not (settings.SAMPLE_PORTAL_DIR / "index.html").exists(),
                                reason="data/sample_portal/ not generated")


def _truth(org_id: str, year: int) -> dict:
    for path in settings.SAMPLE_TRUTH_DIR.glob("*.truth.json"):
        t = json.loads(path.read_text(encoding="utf-8"))
        if (t["org_id"], t["year"], t["format"], t["is_correction"]) == (org_id, year, "html", False):
            return t
    raise LookupError((org_id, year))


def _page(title: str, editor: str) -> bytes:
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head><body>'
            f'<div class="article"><h1 class="title">{title}</h1><div class="TRS_Editor">{editor}</div>'
            "</div></body></html>").encode("utf-8")


def build_saved_column(root: Path) -> dict[int, tuple[str, dict]]:
    """10 items: 7 reports (one per year, tables of real sample reports) and 3 other documents,
    at ./YYYYMM/tYYYYMMDD_<id>.htm as a TRS column saves them. Returns year → (path, truth)."""
    col = root / COLUMN.lstrip("/")
    items, reports = [], {}
    for i, (year, (org_id, body_year)) in enumerate(sorted(BODIES.items())):
        truth = _truth(org_id, body_year)
        saved = (settings.SAMPLE_PORTAL_DIR / urlsplit(truth["document_url"]).path.lstrip("/")).read_bytes()
        editor = BeautifulSoup(saved, "html.parser").select_one(".TRS_Editor").decode_contents()
        rel = f"{year + 1}01/t{year + 1}01{10 + i:02d}_{4400 + i}.htm"
        title = f"{PRINTED}{year}年政府信息公开工作年度报告"
        (col / rel).parent.mkdir(parents=True, exist_ok=True)
        (col / rel).write_bytes(_page(title, editor))
        items.append((rel, title))
        reports[year] = (f"{COLUMN}/{rel}", truth)
    for i, title in enumerate(["关于做好2023年度政府信息公开工作年度报告编制工作的通知",
                               f"{PRINTED}政府信息公开指南", f"{PRINTED}2022年度部门决算公开"]):
        rel = f"202303/t202303{15 + i}_{4500 + i}.htm"
        (col / rel).parent.mkdir(parents=True, exist_ok=True)
        (col / rel).write_bytes(_page(title, "<p>不是年报。</p>"))
        items.append((rel, title))
    links = "".join(f'<li><a href="./{rel}" title="{t}" target="_blank">{t}</a></li>' for rel, t in reversed(items))
    (col / "index.html").write_bytes(
        ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>政府信息公开年报</title></head><body>'
         f'<ul class="list">{links}</ul><script>createPageHTML(1, 0, "index", "html");</script>'
         "</body></html>").encode("utf-8"))
    (root / "robots.txt").write_text("User-agent: *\nAllow: /\n", encoding="utf-8")
    return reports


def write_county(sources: Path, base_url: str) -> Path:
    # merged away after 2020, and created in 2024: expected only in their valid years
    return write_profile(sources, base_url, "kfq_trs", "澄岚县", f"kfq,{FORMAL},县直部门,,,\n"
                         "laocheng,澄岚县老城乡人民政府,乡镇,,,2020\nxincheng,澄岚县新城街道办事处,街道,,2024,\n")


def write_profile(sources: Path, base_url: str, source_id: str, county: str, registry_rows: str) -> Path:
    """A county profile over the saved column at `base_url`, and its registry CSV."""
    (sources / "registry").mkdir(parents=True, exist_ok=True)
    (sources / "registry" / f"{source_id}.csv").write_text(
        "org_id,name,type,aliases,valid_from,valid_to\n" + registry_rows, encoding="utf-8")
    path = sources / f"{source_id}.toml"
    path.write_text(f"""extends = "trs"
id = "{source_id}"
name = "{PRINTED} 政府信息公开年报 (saved TRS column)"
county = "{county}"
start_urls = ["{base_url}{COLUMN}/index.html"]
years = [2019, 2020, 2021, 2022, 2023, 2024, 2025]
registry = "registry/{source_id}.csv"

[listing]
column_path_pattern = "{COLUMN}/"

[http]
# a local copy: no need for the public portals' politeness
rate_limit = 200.0
max_concurrency = 4
timeout_s = 10
retries = 1
backoff_base_s = 0.05
""", encoding="utf-8")
    return path


def run_job(data: Path):
    import dagster as dg

    from pipelines.automation_names import ALL_ASSETS_JOB
    from pipelines.definitions import defs
    from pipelines.instance import prepare_environment

    prepare_environment()
    with dg.DagsterInstance.ephemeral() as instance:
        from pipelines.launch import execute_county_in_process
        result = execute_county_in_process(instance, raise_on_error=False)
    assert result.success, [e.message for e in result.all_events if e.is_failure]
    return duckdb.connect(str(data / "warehouse.duckdb"), read_only=True)


def test_found_but_unmatched_reports_show_in_coverage_with_the_line_to_add(tmp_path, monkeypatch, dbt_manifest):
    site, sources, data = tmp_path / "site", tmp_path / "sources", tmp_path / "data"
    reports = build_saved_column(site)
    monkeypatch.setenv("XXGK_DATA_DIR", str(data))
    monkeypatch.setenv("DAGSTER_HOME", str(data / "dagster_home"))
    monkeypatch.setenv("XXGK_SOURCES", "kfq_trs")
    monkeypatch.delenv("XXGK_SAMPLE_BASE_URL", raising=False)
    monkeypatch.setattr(settings, "SOURCES_DIR", sources)

    with serve_directory(site) as base_url:
        write_county(sources, base_url)
        con = run_job(data)
        try:
            docs = con.execute("select document_id, org_name, org_id, year, status from raw.documents "
                               "order by year").fetchall()
            # every report crawled and parsed under its printed name; the three other items skipped
            assert [(name, oid, year, status) for _, name, oid, year, status in docs] == [
                (PRINTED, None, y, "ok") for y in sorted(BODIES)]
            # every printed cell loaded, equal to the sample report it was taken from
            n_cells = sum(len(truth["cells"]) for _, truth in reports.values())
            assert con.execute("select count(*) from raw.facts").fetchone()[0] == n_cells == 1396
            for doc_id, _, _, year, _ in docs:
                got = dict(con.execute("select code, value from raw.facts where document_id = ?", [doc_id]).fetchall())
                assert got == reports[year][1]["cells"], year

            coverage = con.execute(
                "select year, status, org_name, org_name_printed, suggested_registry_line, document_url, reason "
                "from marts.coverage where org_id = 'kfq' order by year").fetchall()
            assert [(y, s, n, p, line) for y, s, n, p, line, _, _ in coverage] == [
                (y, "found_unmatched", FORMAL, PRINTED, f"kfq,{PRINTED}") for y in sorted(BODIES)]
            assert [urlsplit(url).path for *_, url, _ in coverage] == [reports[y][0] for y in sorted(BODIES)]
            assert all(reason.startswith(f"unmatched_organisation: printed as {PRINTED}") for *_, reason in coverage)
            # the registry's valid years bound the grid; the other organisations published nothing
            assert con.execute("select org_id, list(year order by year), list(distinct status) from marts.coverage "
                               "where org_id <> 'kfq' group by org_id order by org_id").fetchall() == [
                ("laocheng", [2019, 2020], ["not_found"]), ("xincheng", [2024, 2025], ["not_found"])]
            assert con.execute("select count(*) from marts.org_year").fetchone() == (0,)
        finally:
            con.close()

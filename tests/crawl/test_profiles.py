"""The real-shape profiles, crawled offline against saved pages of each shape on 127.0.0.1."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from crawl_testkit import FAST, FIXTURES

from pipelines.crawl import fetch as F
from pipelines.crawl.discover import crawl_source
from pipelines.crawl.fetch import Fetcher
from pipelines.crawl.profile import load_profile, load_profiles, rebase_profile
from pipelines.crawl.serve import FolderHandler, serve_directory


def offline(name: str, base: str):
    """The profile pointed at the local server, with test-speed politeness."""
    profile = rebase_profile(load_profile(name, http_overrides=FAST), base)
    assert profile.allowed_hosts == ("127.0.0.1",)
    return profile


def run(profile, store):
    with Fetcher.from_profile(profile, store=store) as fetcher:
        return crawl_source(profile, fetcher)


def test_every_profile_loads():
    profiles = {p.id: p for p in load_profiles(base_url="http://127.0.0.1:8000")}
    assert {"faku_trs", "nilka_channel", "weishan_hanweb", "sample_county"} <= set(profiles)
    assert profiles["sample_county"].allowed_hosts == ("127.0.0.1",)
    for p in profiles.values():
        assert p.http.user_agent.startswith("xxgk-warehouse/0.1")
        assert p.allowed_hosts and p.start_urls


def test_trs_profile(store):
    with serve_directory(FIXTURES / "trs") as base:
        result = run(offline("faku_trs.toml", base), store)
    by_title = {d.title: d for d in result.documents}
    assert len(result.documents) == 9, sorted(by_title)
    assert not any("通知" in t for t in by_title)  # the notice in the column is skipped
    # all three createPageHTML pages of the 部门 column were walked
    assert {u.rsplit("/", 1)[1] for u in result.pages_fetched if "/bmzfgznb/" in u} == {
        "index.html", "index_1.html", "index_2.html"}
    pdf = by_title["法库县卫生健康局2022年政府信息公开工作年度报告"]
    assert pdf.format_hint == "pdf" and pdf.document_url.endswith(".pdf") and pdf.detail_url.endswith(".html")
    docx = by_title["法库县财政局2022年政府信息公开工作年度报告"]
    assert docx.format_hint == "docx"
    inline = by_title["法库县教育局2022年政府信息公开工作年度报告"]
    assert inline.format_hint == "html" and inline.document_url == inline.detail_url
    assert (inline.org_id, inline.year) == ("faku_jyj", 2022)
    gbk = by_title["法库镇2022年政府信息公开工作年度报告"]  # the GBK page's title decoded
    assert gbk.org_id == "faku_fkz"
    corrected = [d for d in result.documents if d.is_correction]
    assert len(corrected) == 1 and corrected[0].year == 2021 and corrected[0].org_id == "faku_fkz"
    assert by_title["法库县人民政府2022年政府信息公开工作年度报告"].org_id == "faku_county"
    assert all(d.error_kind is None and d.sha256 and d.raw_path for d in result.documents)
    assert sorted(result.unknown_orgs) == ["法库县卫生健康局", "法库县民政局", "法库县财政局"]


def test_channel_profile(store):
    with serve_directory(FIXTURES / "channel") as base:
        result = run(offline("nilka_channel.toml", base), store)
    assert len(result.documents) == 14
    assert {u.rsplit("/", 1)[1] for u in result.pages_fetched} == {"list.shtml", "list_2.shtml", "list_3.shtml"}
    assert all(d.format_hint == "html" and d.error_kind is None for d in result.documents)
    assert {d.year for d in result.documents} == {2022, 2023}
    assert result.unknown_orgs == ["那拉提种羊场"]  # recorded for review, not dropped
    assert sum(d.org_id is None for d in result.documents) == 2


class HanwebHandler(FolderHandler):
    """The annual-report module answers by query string; saved pages are named area_year.html."""

    def translate_path(self, path: str) -> str:
        parts = urlsplit(path)
        q = parse_qs(parts.query)
        root = Path(self.directory)
        if parts.path == "/module/xxgk/xxgkAnnualReport.jsp":
            saved = root / "annual" / f"{q.get('area', [''])[0]}_{q.get('fbtime', [''])[0]}.html"
            return str(saved if saved.is_file() else root / "annual" / "empty.html")
        if parts.path == "/module/download/downfile.jsp":
            return str(root / "annual" / f"download_{q.get('filename', [''])[0]}")
        return super().translate_path(path)


def test_hanweb_profile(store):
    with serve_directory(FIXTURES / "hanweb", handler=HanwebHandler) as base:
        profile = offline("weishan_hanweb.toml", base)
        result = run(profile, store)
    assert profile.kind == "enumerate"
    assert len(result.documents) == 2
    assert len(result.absent) == len(profile.years) - 2  # organ × year without a report: skipped
    inline, attached = sorted(result.documents, key=lambda d: d.year)
    assert (inline.year, inline.format_hint, inline.org_id) == (2020, "html", "weishan_113708260043292687")
    assert inline.org_name == "微山县发展和改革局"  # decoded from GBK
    assert "fbtime=2020" in inline.document_url
    assert (attached.year, attached.format_hint) == (2021, "pdf")
    assert "downfile.jsp" in attached.document_url and "fbtime=2021" in attached.detail_url


def test_hanweb_offline_never_touches_the_real_host(store):
    with serve_directory(FIXTURES / "hanweb", handler=HanwebHandler) as base:
        profile = offline("weishan_hanweb.toml", base)
        with Fetcher.from_profile(profile, store=store) as f:
            assert f.fetch("http://www.weishan.gov.cn/").error_kind == F.OFF_HOST


def test_profile_errors_are_clear():
    from pipelines.crawl.profile import ProfileError, profile_from_dict

    base = {"id": "x", "name": "x", "county": "x县", "start_urls": ["{base_url}/"]}
    for bad, message in [
        (base, "pass base_url"),
        ({**base, "start_urls": ["http://a/"], "listing": {"report_pattern": "("}}, "bad regex"),
        ({**base, "start_urls": ["http://a/"], "listng": {}}, "unknown key"),
        ({**base, "start_urls": ["http://a/"], "orgs": [{"org_id": "a", "name": "a", "type": "village"}]}, "type"),
    ]:
        try:
            profile_from_dict(bad)
        except ProfileError as exc:
            assert message in str(exc)
        else:
            raise AssertionError(f"accepted {bad}")

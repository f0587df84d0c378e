"""The generated province (tools/province): deterministic per seed, the requested counties and
documents, one loopback address per county, and each county's generated profile, loaded by the
repository's loader, crawls exactly the documents generated from real HTTP servers on 127.0.0.x.
The whole pipeline over a province is `make bench-scale`, not a test."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from pipelines.crawl.discover import CrawlIncomplete, crawl_source
from pipelines.crawl.fetch import Fetcher
from pipelines.crawl.profile import load_profile
from pipelines.crawl.rawstore import RawStore
from tools.province.generate import generate, read_manifest
from tools.province.serve import free_port, serve_province

COUNTIES, DOCS = 3, 7  # one county of each CMS family; 7 reports → 2 organisations × 6 years, 5 unpublished


def tree_digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def province(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("province")
    hosts = [f"127.0.0.{k + 10}" for k in range(1, COUNTIES + 1)]
    port = free_port(hosts, start=19700)
    return out, generate(out, COUNTIES, seed="7", docs_per_county=DOCS, port=port, pdf_share=0.4)


def test_counts_families_and_distinct_hosts(province):
    out, info = province
    counties = info["counties"]
    assert [c["id"] for c in counties] == ["prov001", "prov002", "prov003"]
    assert [c["family"] for c in counties] == ["trs", "hanweb", "channel"]
    assert [c["host"] for c in counties] == ["127.0.0.11", "127.0.0.12", "127.0.0.13"]
    assert len({c["name"] for c in counties}) == COUNTIES
    assert [c["documents"] for c in counties] == [DOCS] * COUNTIES and info["documents"] == COUNTIES * DOCS
    manifest = read_manifest(out)
    assert len(manifest) == COUNTIES * DOCS and len({m["document_url"] for m in manifest}) == COUNTIES * DOCS
    assert {m["format"] for m in manifest} == {"html", "pdf"}
    assert sorted(p.name for p in (out / "sources").glob("*.toml")) == ["prov001.toml", "prov002.toml", "prov003.toml"]


def test_same_seed_same_bytes_other_seed_other_bytes(province, tmp_path):
    out, info = province
    again = generate(tmp_path / "again", COUNTIES, seed="7", docs_per_county=DOCS, port=info["port"],
                     pdf_share=0.4, jobs=2)
    assert again == info
    assert tree_digest(tmp_path / "again") == tree_digest(out)
    other = generate(tmp_path / "other", COUNTIES, seed="8", docs_per_county=DOCS, port=info["port"], pdf_share=0.4)
    assert [c["name"] for c in other["counties"]] != [c["name"] for c in info["counties"]]
    assert read_manifest(tmp_path / "other") != read_manifest(out)


def test_each_profile_loads_and_crawls_exactly_the_generated_documents(province, tmp_path):
    out, info = province
    manifest = read_manifest(out)
    store = RawStore(tmp_path / "data")
    with serve_province(out):
        for c in info["counties"]:
            profile = load_profile(out / c["profile"])
            assert profile.families[0] == c["family"] and profile.allowed_hosts == (c["host"],)
            assert len(profile.orgs) == 2 and all(o.org_id.startswith(c["id"] + "_") for o in profile.orgs)
            with Fetcher.from_profile(profile, store=store) as fetcher:
                result = crawl_source(profile, fetcher)
            found = {d.document_url: (d.org_id, d.year, d.format_hint, d.error_kind) for d in result.documents}
            want = {m["document_url"]: (m["org_id"], int(m["year"]), m["format"], None)
                    for m in manifest if m["county_id"] == c["id"]}
            assert found == want, c["id"]
            assert result.unknown_orgs == []
            # the bytes crawled are the bytes generated
            sha = {m["document_url"]: m["sha256"] for m in manifest}
            assert all(d.sha256 == sha[d.document_url] for d in result.documents)


def test_a_county_made_to_fail_fails_alone(province, tmp_path):
    out, info = province
    trs, hanweb = info["counties"][0], info["counties"][1]
    store = RawStore(tmp_path / "data")
    with serve_province(out, fail=trs["id"]) as servers:
        profile = load_profile(out / trs["profile"], http_overrides={"retries": 0})
        with Fetcher.from_profile(profile, store=store) as fetcher, pytest.raises(CrawlIncomplete) as err:
            crawl_source(profile, fetcher)
        assert "500" in str(err.value)
        other = load_profile(out / hanweb["profile"])
        with Fetcher.from_profile(other, store=store) as fetcher:
            assert len(crawl_source(other, fetcher).documents) == DOCS
        servers.restore(trs["id"])
        with Fetcher.from_profile(profile, store=store) as fetcher:
            assert len(crawl_source(profile, fetcher).documents) == DOCS
        servers.fail(trs["id"], "refuse")  # the server is closed: connections are refused
        with Fetcher.from_profile(profile, store=store) as fetcher, pytest.raises(CrawlIncomplete) as err:
            crawl_source(profile, fetcher)
        assert "connection" in str(err.value).lower()
        with Fetcher.from_profile(other, store=store) as fetcher:
            assert len(crawl_source(other, fetcher).documents) == DOCS


def test_the_listing_probe_is_stable_across_nights_for_every_cms_family(province, tmp_path, monkeypatch):
    """The night after a crawl the portal answers 304 where it answered 200: the probe's
    fingerprint of each family's listings (TRS and channel listing pages, Hanweb's organisation ×
    year pages) must not change for that, or an unchanged county is crawled again every night."""
    from pipelines.crawl.fetch import Fetcher as F
    from pipelines.stages.listing_probe import listing_fingerprint

    out, info = province
    store = RawStore(tmp_path / "data")
    with serve_province(out):
        for c in info["counties"]:
            profile = load_profile(out / c["profile"])
            with F.from_profile(profile, store=store) as fetcher:
                first = listing_fingerprint(profile, fetcher)  # 200s: first sight
            with F.from_profile(profile, store=store) as fetcher:
                second = listing_fingerprint(profile, fetcher)  # 304s: cached bytes
                assert any(e.get("etag") or e.get("last_modified") for e in fetcher.state._data.values())
            assert first == second, c["family"]

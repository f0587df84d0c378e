"""Printed names that resolve to no registered organisation: what is suggested, and that the
suggested registry line, once appended, makes the name resolve."""
from __future__ import annotations

import pytest

from pipelines.crawl.orgs import guess_org_type, resolve_org, suggest_org
from pipelines.crawl.profile import load_registry, profile_from_dict
from pipelines.stages import tables
from pipelines.stages.orgs_stage import OrgResolver, write_org_suggestions

REGISTRY = """org_id,name,type,aliases,valid_from,valid_to
kfq,澄岚县经济开发区管理委员会,县直部门,,,
chengguan,澄岚县城关镇人民政府,乡镇,城关镇,,
jiaoyu,澄岚县教育局,县直部门,县教育局,,
yuntai,澄岚县云台乡人民政府,乡镇,云台乡,,
"""


@pytest.fixture
def profile(tmp_path):
    csv_path = tmp_path / "registry.csv"
    csv_path.write_text(REGISTRY, encoding="utf-8")
    return profile_from_dict({"id": "chenglan", "name": "澄岚县", "county": "澄岚县",
                              "start_urls": ["http://127.0.0.1:9/"], "registry": str(csv_path)})


@pytest.mark.parametrize("printed, suggested", [
    ("澄岚经济开发区", "kfq"),  # the county's stem without 县, no 管理委员会
    ("澄岚县经济开发区", "kfq"),
    ("经济开发区管委会", "kfq"),
    ("澄岚县云台镇人民政府", "yuntai"),  # the 乡 became a 镇 after the registry was written
    ("云台镇", "yuntai"),
    ("澄岚县云台山景区管理处", None),  # shares 云台 but is another body
    ("澄岚县城关镇政府", None),  # resolves: no suggestion is asked for (see below)
    ("那拉提种羊场", None),  # like nothing registered
    ("", None),
])
def test_suggest_org(profile, printed, suggested):
    if resolve_org(printed, profile):
        assert suggested is None  # resolving names are never suggestion cases
        return
    org = suggest_org(printed, profile.orgs, profile.county)
    assert (org.org_id if org else None) == suggested
    # a suggestion is never applied: the name still does not resolve
    assert resolve_org(printed, profile) is None


def test_equally_alike_organisations_give_no_suggestion(tmp_path):
    p = profile_from_dict({"id": "x", "name": "x", "county": "澄岚县", "start_urls": ["http://127.0.0.1:9/"],
                           "orgs": [{"org_id": "a", "name": "澄岚县高新区管理委员会", "type": "department"},
                                    {"org_id": "b", "name": "澄岚县高新区办公室", "type": "department"}]})
    assert suggest_org("澄岚县高新区", p.orgs, p.county) is None


def test_guess_org_type():
    assert [guess_org_type(n) for n in ("桃源乡", "西城街道办事处", "那拉提种羊场", "石桥镇人民政府")] == [
        "乡镇", "街道", "县直部门", "乡镇"]


def test_suggestion_rows_and_the_line_round_trips(profile, tmp_path, monkeypatch):
    monkeypatch.setenv("XXGK_DATA_DIR", str(tmp_path / "data"))
    docs = [
        {"document_id": "d1", "source_id": "chenglan", "org_name": "澄岚经济开发区", "org_id": None},
        {"document_id": "d2", "source_id": "chenglan", "org_name": "澄岚县城关镇", "org_id": "chengguan"},
        {"document_id": "d3", "source_id": "chenglan", "org_name": "那拉提种羊场", "org_id": None},
        {"document_id": "d4", "source_id": "chenglan", "org_name": None, "org_id": None},
    ]
    assert write_org_suggestions(docs, OrgResolver([profile])) == 2
    rows = {r["document_id"]: r for r in tables.read_records("org_suggestions")}
    assert set(rows) == {"d1", "d3"}
    assert rows["d1"]["org_name_printed"] == "澄岚经济开发区"
    assert rows["d1"]["suggested_org_id"] == "kfq"
    assert rows["d1"]["suggested_registry_line"] == "kfq,澄岚经济开发区"
    assert rows["d1"]["registry_file"] == profile.registry_path
    assert rows["d3"]["suggested_org_id"] is None
    assert rows["d3"]["suggested_registry_line"] == "<org_id>,那拉提种羊场,县直部门"

    # a person appends the suggested line: the printed name now resolves to the formal organisation
    csv_path = tmp_path / "registry.csv"
    csv_path.write_text(REGISTRY + rows["d1"]["suggested_registry_line"] + "\n", encoding="utf-8")
    fixed = profile_from_dict({"id": "chenglan", "name": "澄岚县", "county": "澄岚县",
                               "start_urls": ["http://127.0.0.1:9/"], "registry": str(csv_path)})
    assert resolve_org("澄岚经济开发区", fixed) == "kfq"
    kfq = fixed.org_by_id("kfq")
    assert kfq.name == "澄岚县经济开发区管理委员会" and kfq.aliases == ("澄岚经济开发区",)
    assert len(load_registry(csv_path)) == 4  # an alias line adds no organisation


def test_a_plain_callable_resolver_still_records_the_printed_name(tmp_path, monkeypatch):
    monkeypatch.setenv("XXGK_DATA_DIR", str(tmp_path / "data"))
    docs = [{"document_id": "d1", "source_id": "s", "org_name": " 某某开发区 ", "org_id": None}]
    assert write_org_suggestions(docs, lambda name: None) == 1
    [row] = tables.read_records("org_suggestions")
    assert (row["org_name_printed"], row["suggested_registry_line"]) == ("某某开发区", None)


def test_editing_the_registry_changes_the_crawl_fingerprint(tmp_path, monkeypatch):
    """Adding the suggested line must rebuild the warehouse on the next run, not "nothing changed"."""
    from pipelines import settings
    from pipelines.stages.change_detection import crawl_fingerprint
    from pipelines.stages.orgs_stage import sources_digest

    (tmp_path / "registry").mkdir()
    registry = tmp_path / "registry" / "chenglan.csv"
    registry.write_text(REGISTRY, encoding="utf-8")
    (tmp_path / "chenglan.toml").write_text(
        'extends = "trs"\nid = "chenglan"\nname = "澄岚县"\ncounty = "澄岚县"\n'
        'start_urls = ["http://127.0.0.1:9/"]\nregistry = "registry/chenglan.csv"\n', encoding="utf-8")
    monkeypatch.setattr(settings, "SOURCES_DIR", tmp_path)
    monkeypatch.setenv("XXGK_SOURCES", "chenglan")
    monkeypatch.setenv("XXGK_DATA_DIR", str(tmp_path / "data"))
    rows = [{"document_url": "http://127.0.0.1:9/a.htm", "sha256": "ab" * 32, "error_kind": None, "title": "t"}]
    digest, fingerprint = sources_digest(), crawl_fingerprint(rows)
    assert (sources_digest(), crawl_fingerprint(rows)) == (digest, fingerprint)  # stable
    registry.write_text(REGISTRY + "kfq,澄岚经济开发区\n", encoding="utf-8")
    assert sources_digest() != digest and crawl_fingerprint(rows) != fingerprint


def test_expected_organisations_carry_their_valid_years(tmp_path, monkeypatch):
    from pipelines.stages.orgs_stage import write_expected

    monkeypatch.setenv("XXGK_DATA_DIR", str(tmp_path / "data"))
    reg = tmp_path / "r.csv"
    reg.write_text("org_id,name,type,valid_from,valid_to\na,甲镇,乡镇,,2020\nb,乙街道,街道,2022,\nc,丙局,县直部门,,\n",
                   encoding="utf-8")
    p = profile_from_dict({"id": "s", "name": "s", "county": "某县", "start_urls": ["http://127.0.0.1:9/"],
                           "registry": str(reg), "years": [2019, 2024]})
    write_expected([p])
    assert tables.read_records("org_validity") == [
        {"org_id": "a", "valid_from": None, "valid_to": 2020}, {"org_id": "b", "valid_from": 2022, "valid_to": None}]
    orgs = {r["org_id"]: r for r in tables.read_records("expected_orgs")}
    assert (orgs["c"]["org_type"], orgs["c"]["source_id"], orgs["b"]["org_type"]) == ("department", "s", "street")
    assert [r["year"] for r in tables.read_records("expected_years")] == [2019, 2024]

"""County profiles extend CMS families: deep merge, provenance, chains, and the shipped profiles."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipelines import settings
from pipelines.crawl.profile import (DEFAULT_TITLE_SELECTORS, ProfileError, deep_merge, load_profile,
                                     load_profiles)

FAMILIES = settings.SOURCES_DIR / "families"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


COUNTY = """
id = "{id}"
name = "测试县"
county = "测试县"
start_urls = ["http://127.0.0.1:9/zfxxgk/index.html"]
"""


def test_deep_merge_tables_by_key_arrays_and_scalars_whole():
    base = {"listing": {"max_pages": 80, "max_depth": 3}, "detail": {"title_selectors": ["h1", "title"]},
            "years": [2019, 2020]}
    over = {"listing": {"max_pages": 5}, "detail": {"title_selectors": ["h2"]}, "years": [2024]}
    merged = deep_merge(base, over)
    assert merged == {"listing": {"max_pages": 5, "max_depth": 3}, "detail": {"title_selectors": ["h2"]},
                      "years": [2024]}
    assert base["listing"] == {"max_pages": 80, "max_depth": 3}  # inputs untouched


def test_county_extends_the_trs_family(tmp_path):
    path = write(tmp_path / "ceshi.toml", 'extends = "trs"\n' + COUNTY.format(id="ceshi") + """
[listing]
column_path_pattern = "/zfxxgk/"
max_pages = 7

[http]
rate_limit = 3.0
""")
    p = load_profile(path)
    assert p.families == ("trs", "public_portal")
    # from the county file
    assert (p.listing.column_path_pattern, p.listing.max_pages, p.http.rate_limit) == ("/zfxxgk/", 7, 3.0)
    # from trs.toml (not the code's defaults)
    assert p.listing.max_depth == 3 and p.detail.content_selectors == (".TRS_Editor", ".TRS_UEDITOR", "#zoom")
    assert p.detail.title_selectors != DEFAULT_TITLE_SELECTORS
    assert p.listing.detail_href_pattern.startswith(r"/\d{6}/t\d{8}_")
    # from public_portal.toml, two levels up
    assert (p.http.max_concurrency, p.http.retries, p.http.backoff_base_s) == (1, 3, 2.0)


def test_a_family_next_to_the_profile_wins_and_chains_resolve(tmp_path):
    write(tmp_path / "families" / "mycms.toml", 'extends = "trs"\n[detail]\ncontent_selectors = [".zw"]\n')
    p = load_profile(write(tmp_path / "ceshi.toml", 'extends = "mycms"\n' + COUNTY.format(id="ceshi")))
    assert p.families == ("mycms", "trs", "public_portal")
    assert p.detail.content_selectors == (".zw",)
    assert p.detail.title_selectors == ("h1.title", ".xxgk_title", "h2", "title")  # still trs's


def test_errors_name_the_family_file_the_bad_value_came_from(tmp_path):
    fam = write(tmp_path / "families" / "broken.toml", '[listing]\nreport_pattern = "年报("\n')
    with pytest.raises(ProfileError) as err:
        load_profile(write(tmp_path / "ceshi.toml", 'extends = "broken"\n' + COUNTY.format(id="ceshi")))
    assert (err.value.file, err.value.key) == (str(fam), "listing.report_pattern")
    assert "bad regex" in err.value.problem
    # overriding the bad value in the county file repairs it: the county's value wins
    fixed = load_profile(write(tmp_path / "ceshi.toml", 'extends = "broken"\n' + COUNTY.format(id="ceshi")
                               + '[listing]\nreport_pattern = "年报"\n'))
    assert fixed.listing.report_pattern == "年报"


@pytest.mark.parametrize("family_text, key, problem", [
    ('id = "x"\n', "id", "a family holds only"),
    ('[[orgs]]\norg_id = "a"\n', "orgs", "a family holds only"),
    ('[listing]\nmax_page = 3\n', "listing.max_page", "did you mean 'max_pages'"),
    ('extends = "loop"\n', "extends", "extends itself"),
])
def test_family_mistakes(tmp_path, family_text, key, problem):
    fam = write(tmp_path / "families" / "loop.toml", family_text)
    with pytest.raises(ProfileError) as err:
        load_profile(write(tmp_path / "ceshi.toml", 'extends = "loop"\n' + COUNTY.format(id="ceshi")))
    assert err.value.key == key and problem in err.value.problem
    assert err.value.file == str(fam)


def test_unknown_family_lists_the_known_ones(tmp_path):
    with pytest.raises(ProfileError) as err:
        load_profile(write(tmp_path / "ceshi.toml", 'extends = "trss"\n' + COUNTY.format(id="ceshi")))
    assert err.value.key == "extends" and "no family 'trss'" in err.value.problem
    assert "trs" in err.value.problem and "hanweb" in err.value.problem and "channel" in err.value.problem


def test_shipped_profiles_extend_a_family_and_keep_their_settings():
    profiles = {p.id: p for p in load_profiles(base_url="http://127.0.0.1:8000")}
    assert {pid: p.families[0] for pid, p in profiles.items()} == {
        "faku_trs": "trs", "nilka_channel": "channel", "weishan_hanweb": "hanweb", "sample_county": "trs"}
    sample = profiles["sample_county"]
    # the sample portal's own narrower detail pattern and fast local politeness override the family
    assert sample.listing.detail_href_pattern == r"/\d{6}/t\d{8}_\d+\.html$"
    assert (sample.http.rate_limit, sample.http.max_concurrency, sample.listing.max_pages) == (200.0, 4, 40)
    assert sample.http.max_bytes == 52428800  # from public_portal.toml
    faku = profiles["faku_trs"]
    assert (faku.http.rate_limit, faku.listing.max_pages, faku.allowed_hosts) == (0.5, 80, (".faku.gov.cn",))
    assert profiles["weishan_hanweb"].kind == "enumerate"
    assert profiles["weishan_hanweb"].orgs[0].area == "113708260043292687"


def test_family_files_are_not_profiles():
    assert not any(p.path and "/families/" in p.path for p in load_profiles(base_url="http://127.0.0.1:8000"))
    assert {p.stem for p in FAMILIES.glob("*.toml")} >= {"trs", "hanweb", "channel", "public_portal"}


def test_sample_registry_mirrors_county_json():
    """The sample registry CSV and the generator's county.json must not drift (names, types, printed names)."""
    county = json.loads((settings.SAMPLE_TRUTH_DIR / "county.json").read_text(encoding="utf-8"))
    profile = load_profile("sample_county.toml", base_url="http://127.0.0.1:1")
    assert profile.registry_path.endswith("registry/sample_county.csv")
    assert {o.org_id: (o.name, o.type, set(o.aliases)) for o in profile.orgs} == {
        o["org_id"]: (o["name"], o["type"], {o["short_name"], *o["aliases"]}) for o in county["organisations"]}

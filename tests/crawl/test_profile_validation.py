"""A profile is checked when loaded: each mistake is a ProfileError naming file, key and problem."""
from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.crawl.profile import ProfileError, load_profile, load_registry

GOOD = """extends = "trs"
id = "ceshi"
name = "测试县"
county = "测试县"
start_urls = ["http://127.0.0.1:9/zfxxgk/index.html"]
years = [2021, 2022]
"""


def load_with(tmp_path: Path, top: str = "", section: str = "", *, text: str | None = None):
    path = tmp_path / "ceshi.toml"
    path.write_text(text if text is not None else GOOD + top + "\n" + section, encoding="utf-8")
    return load_profile(path), path


def error_of(tmp_path: Path, *args, **kwargs) -> tuple[ProfileError, Path]:
    with pytest.raises(ProfileError) as err:
        load_with(tmp_path, *args, **kwargs)
    return err.value, tmp_path / "ceshi.toml"


def test_the_good_profile_loads(tmp_path):
    profile, _ = load_with(tmp_path)
    assert (profile.id, profile.years, profile.allowed_hosts) == ("ceshi", (2021, 2022), ("127.0.0.1",))


@pytest.mark.parametrize("top, section, key, problem", [
    # unknown keys, with a hint
    ("start_url = ['http://a.gov.cn/']", "", "start_url", "unknown key (did you mean 'start_urls'?)"),
    ("", "[listng]\nmax_pages = 3", "listng", "unknown key (did you mean 'listing'?)"),
    ("", "[detail]\ntitle_selector = ['h1']", "detail.title_selector", "did you mean 'title_selectors'?"),
    ("", "[http]\nrate = 1", "http.rate", "unknown key"),
    # bad CSS selectors (checked with soupsieve, as BeautifulSoup will use them)
    ("", "[detail]\ntitle_selectors = ['h1..title']", "detail.title_selectors", "bad CSS selector 'h1..title'"),
    ("", "[detail]\ncontent_selectors = ['div[class=']", "detail.content_selectors", "bad CSS selector"),
    ("", "[detail]\nattachment_selector = 'a[href'", "detail.attachment_selector", "bad CSS selector"),
    ("", "[detail]\nattachment_scope_selectors = ['.article >']", "detail.attachment_scope_selectors",
     "bad CSS selector"),
    # bad regexes
    ("", "[listing]\nreport_pattern = '年报('", "listing.report_pattern", "bad regex '年报('"),
    ("", "[listing]\ndetail_href_pattern = '[0-9'", "listing.detail_href_pattern", "bad regex"),
    ("", "[detail]\nattachment_exclude_pattern = '*表'", "detail.attachment_exclude_pattern", "bad regex"),
    ("", "[listing]\npage_script_pattern = 'createPageHTML\\((\\d+)'", "listing.page_script_pattern",
     "needs a (?P<count>…) group"),
    # bad URLs and hosts
    ("", "", "start_urls[0]", "needs http:// or https:// and a host"),
    ("public_base_url = 'www.chenglan.gov.cn'", "", "public_base_url", "needs http:// or https://"),
    ("allowed_hosts = ['http://a.gov.cn/']", "", "allowed_hosts[0]", "is not a host name"),
    ("", "[enumerate]\nurl_template = 'http://a.gov.cn/x.jsp?area={area}'", "enumerate.url_template",
     "must contain {year}"),
    # wrong types and values
    ("", "[listing]\nmax_pages = '80'", "listing.max_pages", "must be an integer"),
    ("", "[http]\nrate_limit = 0", "http.rate_limit", "must be > 0"),
    ("", "[http]\nretries = -1", "http.retries", "must be >= 0"),
    ("", "[http]\nrespect_robots = 'no'", "http.respect_robots", "must be true or false"),
    ("", "[detail]\ncontent_selectors = '.TRS_Editor'", "detail.content_selectors", "must be an array of strings"),
    ("", "[detail]\nattachment_extensions = ['pdf']", "detail.attachment_extensions", "start with a dot"),
    ("", "[enumerate]\nurl_tmpl = 'x'", "enumerate.url_tmpl", "unknown key"),
    ("", "[[orgs]]\norg_id = 'a'\nname = '某镇'\ntype = 'village'", "orgs[0].type", "not one of 乡镇, 街道, 县直部门"),
    ("", "[[orgs]]\norg_id = 'a'\nname = '某镇'\ntype = '乡镇'\nvalid_from = 2023\nvalid_to = 2020",
     "orgs[0].valid_to", "before valid_from"),
])
def test_each_mistake_names_file_key_and_problem(tmp_path, top, section, key, problem):
    if key == "start_urls[0]":  # a URL without scheme replaces the good one
        text = GOOD.replace('"http://127.0.0.1:9/zfxxgk/index.html"', '"127.0.0.1:9/zfxxgk/index.html"')
        err, path = error_of(tmp_path, text=text)
    else:
        err, path = error_of(tmp_path, top, section)
    assert (err.file, err.key) == (str(path), key)
    assert problem in err.problem, err.problem
    assert str(err).startswith(f"{path}: {key}: ")


@pytest.mark.parametrize("drop", ["id", "name", "county", "start_urls"])
def test_missing_required_key(tmp_path, drop):
    text = "\n".join(line for line in GOOD.splitlines() if not line.startswith(drop + " "))
    err, path = error_of(tmp_path, text=text)
    assert (err.file, err.key, err.problem) == (str(path), drop, "missing required key")


def test_id_must_match_the_file_name(tmp_path):
    err, path = error_of(tmp_path, text=GOOD.replace('id = "ceshi"', 'id = "other"'))
    assert err.key == "id" and "differs from the file name 'ceshi.toml'" in err.problem


def test_bad_toml_and_missing_file(tmp_path):
    err, path = error_of(tmp_path, text=GOOD + "[listing\n")
    assert err.file == str(path) and err.key is None and "not valid TOML" in err.problem
    with pytest.raises(ProfileError, match="file not found"):
        load_profile(tmp_path / "nowhere.toml")


# ---------------------------------------------------------------- the registry CSV

def registry_error(tmp_path: Path, csv_text: str) -> ProfileError:
    reg = tmp_path / "registry" / "ceshi.csv"
    reg.parent.mkdir(exist_ok=True)
    reg.write_text(csv_text, encoding="utf-8")
    with pytest.raises(ProfileError) as err:
        load_with(tmp_path, 'registry = "registry/ceshi.csv"')
    assert err.value.file == str(reg)
    return err.value


HEADER = "org_id,name,type,aliases,valid_from,valid_to\n"


@pytest.mark.parametrize("body, key, problem", [
    ("a,某镇,村,,,\n", "line 2, type", "not one of 乡镇, 街道, 县直部门, 县政府"),
    ("a,某镇,乡镇,,20x0,\n", "line 2, valid_from", "is not a year"),
    ("a,某镇,乡镇,,,\na,某乡,乡镇,,,\n", "line 3, org_id", "defined twice"),
    ("b,某镇,,,,\n", "line 2, type", "not one of"),  # an alias line needs its organisation above
    ("a b,某镇,乡镇,,,\n", "line 2, org_id", "is not an id"),
    ("a,某镇,乡镇,,,,x,y\n", "line 2", "fields for 6 columns"),
    ("a,,乡镇,,,\n", "line 2, name", "missing organisation name"),
])
def test_registry_mistakes_name_the_csv_line(tmp_path, body, key, problem):
    err = registry_error(tmp_path, HEADER + body)
    assert err.key == key and problem in err.problem, (err.key, err.problem)


def test_registry_header_mistakes(tmp_path):
    err = registry_error(tmp_path, "org_id,name,kind\n")
    assert err.key == "line 1, column 'kind'" and "unknown column" in err.problem
    err = registry_error(tmp_path, "org_id,name\n")
    assert err.key == "line 1" and "missing column 'type'" in err.problem
    assert "registry CSV not found" in registry_error_missing(tmp_path).problem


def registry_error_missing(tmp_path: Path) -> ProfileError:
    with pytest.raises(ProfileError) as err:
        load_with(tmp_path, 'registry = "registry/absent.csv"')
    return err.value


def test_registry_reads_types_aliases_years_comments_and_bom(tmp_path):
    reg = tmp_path / "r.csv"
    reg.write_text("\ufeff# a comment line\n" + HEADER
                   + "qs,测试县清水镇人民政府,乡镇,清水镇|清水乡,,\n"
                   + "xc,测试县西城街道办事处,街道,,2021,\n"
                   + "old,测试县老乡人民政府,township,,,2020\n"
                   + "qs,清水乡人民政府\n", encoding="utf-8")
    orgs = {o.org_id: o for o in load_registry(reg)}
    assert orgs["qs"].type == "township" and orgs["qs"].aliases == ("清水镇", "清水乡", "清水乡人民政府")
    assert (orgs["xc"].type, orgs["xc"].valid_from, orgs["xc"].valid_to) == ("street", 2021, None)
    assert orgs["old"].valid_in(2020) and not orgs["old"].valid_in(2021) and not orgs["xc"].valid_in(2020)


def test_registry_and_inline_orgs_may_not_define_one_id_twice(tmp_path):
    (tmp_path / "r.csv").write_text(HEADER + "a,某镇,乡镇,,,\n", encoding="utf-8")
    with pytest.raises(ProfileError, match="org_id 'a' defined twice"):
        load_with(tmp_path, 'registry = "r.csv"', "[[orgs]]\norg_id = 'a'\nname = '某乡'\ntype = '乡镇'")


def test_check_command_reports_each_profile(tmp_path, capsys):
    from pipelines.crawl.profile import check_main

    good = tmp_path / "ceshi.toml"
    good.write_text(GOOD, encoding="utf-8")
    bad = tmp_path / "huai.toml"
    bad.write_text(GOOD.replace('"ceshi"', '"huai"') + "[detail]\ntitle_selectors = ['h1..t']\n", encoding="utf-8")
    assert check_main([str(good)]) == 0
    assert check_main([str(good), str(bad)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("通过 ok  ceshi (测试县): family trs → public_portal; 0 organisations")
    assert out[2] == f"错误 error  {bad}: detail.title_selectors: bad CSS selector 'h1..t': Malformed class selector at position 2"

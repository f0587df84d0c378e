"""Organisation names as printed → the profile's org_id."""
import pytest

from pipelines.crawl.orgs import org_key, resolve_org
from pipelines.crawl.profile import profile_from_dict

PROFILE = profile_from_dict({
    "id": "t", "name": "t", "county": "新源县", "start_urls": ["http://127.0.0.1/"],
    "orgs": [
        {"org_id": "almlz", "name": "阿勒玛勒镇", "type": "township", "aliases": ["阿勒玛勒乡"]},
        {"org_id": "xyz", "name": "新源镇", "type": "township"},
        {"org_id": "tfl", "name": "驼峰路街道", "type": "street"},
        {"org_id": "jyj", "name": "新源县教育局", "type": "department"},
        {"org_id": "county", "name": "新源县人民政府", "type": "county_government"},
    ],
})


@pytest.mark.parametrize("name, org_id", [
    ("阿勒玛勒镇", "almlz"),
    ("阿勒玛勒镇人民政府", "almlz"),
    ("阿勒玛勒乡人民政府", "almlz"),  # a 乡 that became a 镇 (alias)
    ("新源县阿勒玛勒镇", "almlz"),
    ("伊犁哈萨克自治州新源县阿勒玛勒镇人民政府", "almlz"),
    (" 阿勒玛勒 镇 ", "almlz"),
    ("新源镇人民政府", "xyz"),
    ("驼峰路街道办事处", "tfl"),
    ("驼峰路街道办", "tfl"),
    ("新源县教育局", "jyj"),
    ("教育局", "jyj"),
    ("新源县人民政府", "county"),
    ("新源县", "county"),
    ("那拉提镇", None),  # unknown: the caller records it for review
    ("", None),
    (None, None),
])
def test_resolve_org(name, org_id):
    assert resolve_org(name, PROFILE) == org_id


def test_ambiguous_key_gives_none():
    p = profile_from_dict({
        "id": "t", "name": "t", "county": "X县", "start_urls": ["http://127.0.0.1/"],
        "orgs": [{"org_id": "a", "name": "城关镇", "type": "township"},
                 {"org_id": "b", "name": "新城镇", "type": "township", "aliases": ["城关镇"]}],
    })
    assert resolve_org("城关镇", p) is None and resolve_org("新城镇", p) == "b"


def test_org_key():
    assert org_key("XX镇人民政府") == org_key("XX镇") == "XX镇"
    assert org_key("驼峰路街道办事处") == "驼峰路街道"

"""Title shapes of spec §13."""
import pytest

from pipelines.crawl.titles import parse_title, year_from_text


@pytest.mark.parametrize("title, org, year, corr", [
    ("青川县城关镇2021年政府信息公开工作年度报告", "青川县城关镇", 2021, False),
    ("XX镇2023年政府信息公开工作年度报告", "XX镇", 2023, False),
    ("2025年金厂镇政府信息公开工作年度报告", "金厂镇", 2025, False),
    ("阿勒玛勒镇 2023 年 政府信息公开 工作年度报告", "阿勒玛勒镇", 2023, False),  # spaced title
    ("新源县教育局关于2021年度政府信息公开情况的报告", "新源县教育局", 2021, False),
    ("驼峰路街道办事处政府信息公开工作年度报告", "驼峰路街道办事处", None, False),
    ("城关镇2020年度政务信息公开工作年度报", "城关镇", 2020, False),  # truncated
    ("青川县城关镇2021年政府信息公开工作年度报告（更正）", "青川县城关镇", 2021, True),
    ("（更正）青川县城关镇2021年政府信息公开工作年度报告", "青川县城关镇", 2021, True),
    ("【更正】2022年木斯镇政府信息公开工作年度报告", "木斯镇", 2022, True),
    ("城关镇\u30002019年\u00a0政府信息公开年报", "城关镇", 2019, False),
])
def test_parse_title(title, org, year, corr):
    info = parse_title(title)
    assert (info.org, info.year, info.is_correction) == (org, year, corr)


def test_no_report_title():
    info = parse_title("关于开展2021年政务公开培训的通知")
    assert info.year is None and info.org is None


def test_year_never_from_url_but_from_period():
    assert year_from_text("本报告统计期限自2020年1月1日起至2020年12月31日止。") == 2020
    assert year_from_text("没有统计期限") is None

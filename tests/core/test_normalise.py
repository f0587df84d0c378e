from pipelines.core.normalise import Ordinal, norm, split_ordinal
from pipelines.core.titles import title_info


def test_norm_deletes_whitespace_quotes_and_unifies_brackets():
    assert norm("三、 本 年 度 办 理 结 果") == "三、本年度办理结果"
    assert norm("（一）予以公开") == norm("(一) 予以公开") == "(一)予以公开"
    assert norm("3.危及“三安全一稳定”") == "3.危及三安全一稳定"
    assert norm("商业\n企业") == "商业企业"
    assert norm("本年收费金额（单位：万元）") == "本年收费金额(单位:万元)"


def test_split_ordinal_levels():
    assert split_ordinal("三、本年度办理结果") == (Ordinal(1, 3), "本年度办理结果")
    assert split_ordinal("（四）无") == (Ordinal(2, 4), "无")
    assert split_ordinal("(五") == (Ordinal(2, 5), "")  # bracket lost at a page break
    assert split_ordinal("2.其他法律行政止公开") == (Ordinal(3, 2), "其他法律行政止公开")
    assert split_ordinal("1、申请人无正当理由逾期不补正") == (Ordinal(3, 1), "申请人无正当理由逾期不补正")
    assert split_ordinal("法提供") == (None, "法提供")
    assert split_ordinal("12") == (None, "12")
    assert split_ordinal("2.5") == (None, "2.5")


def test_titles():
    assert title_info("- 1 -\n淮安市人民政府\n2024 年政府信息公开工作年度报告\n本报告由") == ("淮安市人民政府", 2024)
    assert title_info("阿勒玛勒镇 2023 年政府信息公开工作 年度报告") == ("阿勒玛勒镇", 2023)
    assert title_info("2025年金厂镇政府信息公开工作年度报告") == ("金厂镇", 2025)
    assert title_info("某县人民政府关于2021年度政府信息公开情况的报告") == ("某县人民政府", 2021)
    assert title_info("驼峰路街道办事处政府信息公开工作年度报告\n统计期限自2020年1月1日") == ("驼峰路街道办事处", 2020)
    # prose is never a title
    assert title_info("（二）依申请公开。2020 年，我镇共受理政府信息公开申请3件") == (None, None)

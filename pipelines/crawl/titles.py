"""Report titles: is this anchor a 年报, and which organisation and year does it name.

Spec §13: delete the whitespace first, then match `(20\\d{2})年度?.{0,30}?政[府务]信息公开`.
The year comes from the title (or the statistics period in the body), never from the URL.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# Whitespace including the ideographic space and NBSP that portals put in titles.
_WS_RE = re.compile(r"[\s\u3000\u00a0\u200b\ufeff]+")
YEAR_TITLE_RE = re.compile(r"(20\d{2})年度?(.{0,30}?)政[府务]信息公开")
NO_YEAR_RE = re.compile(r"政[府务]信息公开")
CORRECTION_RE = re.compile(r"[（(【\[]?更正[）)】\]]?")
# Statistics period in a report body: 统计期限自2020年1月1日起至2020年12月31日止.
PERIOD_RE = re.compile(r"(20\d{2})年1月1日[起]?[至到—-]+(?:(20\d{2})年)?12月31日")
# Noise around the organisation name.
_ORG_PREFIX_RE = re.compile(r"^(?:[（(【\[][^）)】\]]*[）)】\]]|关于|转发|附件\d*[:：]?)+")
_ORG_SUFFIX_RE = re.compile(r"(?:关于|的|[:：,，、—\-_|·]|[（(【\[]?更正[）)】\]]?)+$")


@dataclass(frozen=True)
class TitleInfo:
    normalized: str
    org: str | None
    year: int | None
    is_correction: bool


def normalize_title(title: str) -> str:
    """Title with every kind of whitespace deleted."""
    return _WS_RE.sub("", title or "")


def _clean_org(text: str) -> str | None:
    text = CORRECTION_RE.sub("", text)
    prev = None
    while prev != text:  # strip layered noise such as 【更正】关于
        prev = text
        text = _ORG_PREFIX_RE.sub("", text)
        text = _ORG_SUFFIX_RE.sub("", text)
    return text or None


def parse_title(title: str) -> TitleInfo:
    """Organisation, year and correction flag of a report title.

    `XX镇2023年政府信息公开工作年度报告` → org XX镇; year-first titles
    `2025年金厂镇政府信息公开…` take the org after the year; titles without a
    year give the text before 政府信息公开 as org and year None.
    """
    norm = normalize_title(title)
    is_correction = bool(re.search(r"更正", norm))
    m = YEAR_TITLE_RE.search(norm)
    if m:
        year = int(m.group(1))
        before = _clean_org(norm[: m.start()])
        between = _clean_org(m.group(2))
        # `关于2021年度政府信息公开情况` has nothing between year and 政府; year-first has the org there.
        org = before or between
        return TitleInfo(norm, org, year, is_correction)
    m = NO_YEAR_RE.search(norm)
    if m:
        return TitleInfo(norm, _clean_org(norm[: m.start()]), None, is_correction)
    return TitleInfo(norm, None, None, is_correction)


def year_from_text(text: str) -> int | None:
    """Year of the statistics period stated in a report body, if any."""
    m = PERIOD_RE.search(normalize_title(text))
    return int(m.group(1)) if m else None


def matches(pattern: re.Pattern[str] | str, text: str) -> bool:
    """Search a (profile) pattern in whitespace-free text."""
    return re.search(pattern, normalize_title(text)) is not None

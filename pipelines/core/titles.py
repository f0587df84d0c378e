"""Organisation and report year from a report's title lines (spec §13 "Title, year and dates").

Whitespace is deleted first (titles are often letter-spaced), then the year is found with
`(20\\d{2})年度?.{0,30}?政[府务]信息公开`. The organisation is the text before the year on the
same line, or after it for year-first titles, or the line above for two-line titles
(`淮安市人民政府` / `2024 年政府信息公开工作年度报告`).
"""
from __future__ import annotations

import re
import unicodedata

TITLE_YEAR = re.compile(r"(20\d{2})年度?(.{0,30}?)政[府务]信息公开")
PERIOD_YEAR = re.compile(r"统计期限?自?(20\d{2})年")
_TRAIL = " \t:：,，.。、;；·-—_()（）[]【】《》"
_PAGE_NO = re.compile(r"-?\d+-?|第\d+页(?:共\d+页)?")
# sentence punctuation marks prose, not a title line
_PROSE = re.compile(r"[。；;，,：:]")


def _squash(line: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", line)).replace("\u3000", "")


def _clean_org(org: str) -> str:
    org = org.strip(_TRAIL)
    for suffix in ("关于", "的"):
        if org.endswith(suffix):
            org = org[: -len(suffix)]
    return org.strip(_TRAIL)


def title_info(text: str, max_lines: int = 25) -> tuple[str | None, int | None]:
    """(organisation, year) from the first lines of a document's text; None where not found."""
    lines = [_squash(ln) for ln in (text or "").splitlines()]
    # page numbers such as "- 1 -" are not title lines
    lines = [ln for ln in lines if ln and not _PAGE_NO.fullmatch(ln)][:max_lines]
    for i, line in enumerate(lines):
        m = TITLE_YEAR.search(line)
        if not m or _PROSE.search(line[: m.start()]) or _PROSE.search(m.group(0)) or len(line) > 80:
            continue  # prose such as `（二）依申请公开。2020年我镇…政府信息公开` is no title
        year = int(m.group(1))
        before = _clean_org(line[: m.start()])
        between = _clean_org(m.group(2))
        if before:
            return before, year
        if between:
            return between, year
        if i > 0 and len(lines[i - 1]) <= 40 and not _PROSE.search(lines[i - 1]):
            return _clean_org(lines[i - 1]) or None, year
        return None, year
    # no year in the title: organisation from a `XX政府信息公开…报告` line, year from the period
    org = None
    for line in lines:
        m = re.search(r"^(.{2,40}?)(?:20\d{2}年度?)?政[府务]信息公开.{0,8}(?:年报|报告)", line)
        if m and not _PROSE.search(m.group(1)):
            org = _clean_org(m.group(1)) or None
            break
    m = PERIOD_YEAR.search("".join(lines))
    return org, (int(m.group(1)) if m else None)

"""Label normalisation (spec §9) and leading-ordinal parsing.

`norm` makes two printings of one label compare equal; `split_ordinal` takes the
enumerator off the front (一、 / (一) / 1. / 1、) and keeps it as a hint, because
ordinals are stable where the label text has typos and truncations.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_QUOTES = "“”\"「」'‘’『』"
_WS = re.compile(r"\s+")

CN_NUM = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}

# level 1: 一、  level 2: (一)  level 3: 1. / 1、 / 1． / (1) / 1)
_L1 = re.compile(r"^([一二三四五六七八九十])[、.,]")
# a closing bracket may be lost where a page break splits the label: `(五` / `)不予处理`
_L2 = re.compile(r"^\(([一二三四五六七八九十])(?:\)|$)")
_L3 = re.compile(r"^(?:\(([1-9])\)|([1-9])(?:[.、,)]|(?=[^\d.])))")


def norm(text: str | None) -> str:
    """NFKC, no whitespace at all, no quote characters."""
    if not text:
        return ""
    s = unicodedata.normalize("NFKC", text)
    s = _WS.sub("", s)
    return s.translate({ord(q): None for q in _QUOTES})


@dataclass(frozen=True)
class Ordinal:
    level: int  # 1: 一、  2: (一)  3: 1.
    number: int


def split_ordinal(text: str | None) -> tuple[Ordinal | None, str]:
    """('(三)不予公开') -> (Ordinal(2, 3), '不予公开'); text is normalised first.

    A level-3 ordinal needs a separator (1. / 1、) or a following non-digit, so a
    bare number such as '12' is never read as an ordinal.
    """
    s = norm(text)
    m = _L2.match(s)
    if m:
        return Ordinal(2, CN_NUM[m.group(1)]), s[m.end():]
    m = _L1.match(s)
    if m:
        return Ordinal(1, CN_NUM[m.group(1)]), s[m.end():]
    m = _L3.match(s)
    if m and not re.match(r"^\d+(?:\.\d+)?$", s):
        return Ordinal(3, int(m.group(1) or m.group(2))), s[m.end():]
    return None, s


def contains_any(text: str, needles: tuple[str, ...] | list[str]) -> bool:
    return any(n in text for n in needles)

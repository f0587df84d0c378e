"""Parse one printed table cell into (value, raw_text).

Never repairs: a blank is None (not 0), a dash or 无 is None with its raw text kept,
and a value with a sign, unit or separator keeps the printed text beside the number.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# bare number: optional sign, digits with optional thousands separators, optional decimals
_NUM = re.compile(r"^([+\-]?)(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?$")
_UNITS = ("万元", "元", "件", "项", "个", "次", "条", "人", "家")
_TEXT_NULLS = {"—", "——", "-", "--", "/", "\\", "无", "空", "暂无", "…", "——/", "－", "―", "─", "一"}


@dataclass(frozen=True)
class CellValue:
    value: int | float | None
    raw: str | None  # printed text when it is not a bare number (plus sign, unit, separator); else None
    state: str  # "number" | "blank" | "text"
    unit: str | None = None


def _clean(text: str) -> str:
    s = unicodedata.normalize("NFKC", text or "")
    # a number wrapped inside a narrow cell keeps a newline or spaces between digits
    s = re.sub(r"\s+", "", s)
    s = s.replace("−", "-").replace("–", "-").replace("﹣", "-").replace("＋", "+")
    return s


def parse_cell(text: str | None) -> CellValue:
    raw = (text or "").strip()
    if not raw:
        return CellValue(None, None, "blank")
    s = _clean(raw)
    if not s:
        return CellValue(None, None, "blank")
    unit = None
    for u in _UNITS:
        if s.endswith(u) and len(s) > len(u):
            unit, s = u, s[: -len(u)]
            break
    m = _NUM.match(s)
    if m:
        sign, digits, frac = m.groups()
        digits = digits.replace(",", "")
        if frac:
            value: int | float = float(sign + digits + frac)
        else:
            value = int(sign + digits)
        # "-3" is a bare number; "+3" is not (the value drops the printed plus)
        # a line break inside a wrapped narrow cell is layout, not printed content
        if re.sub(r"\s+", "", raw) == s and sign != "+" and unit is None and "," not in m.group(2):
            return CellValue(value, None, "number")
        return CellValue(value, raw, "number", unit)
    return CellValue(None, raw, "text", unit)


def is_value_like(text: str | None) -> bool:
    """True for a number or an accepted blank marker: used to tell data cells from labels."""
    cv = parse_cell(text)
    if cv.state == "number":
        return True
    if cv.state == "blank":
        return True
    return _clean(cv.raw or "") in _TEXT_NULLS


def is_number(text: str | None) -> bool:
    return parse_cell(text).state == "number"

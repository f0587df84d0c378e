"""The canonical cell codes (a copy of shared/spec/items.csv; a test keeps them equal)."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

ITEMS_CSV = Path(__file__).with_name("items.csv")


@dataclass(frozen=True)
class Item:
    code: str
    template: str  # "2019" | "2021" | "both"
    section: str
    row_path_zh: str
    column_zh: str
    label_en: str
    unit: str


@lru_cache(maxsize=1)
def items() -> tuple[Item, ...]:
    with ITEMS_CSV.open(encoding="utf-8") as fh:
        return tuple(Item(**row) for row in csv.DictReader(fh))


@lru_cache(maxsize=1)
def all_codes() -> frozenset[str]:
    return frozenset(i.code for i in items())


def section_of(code: str) -> str:
    """'二', '三' or '四' from a code's prefix."""
    return {"t2": "二", "t3": "三", "t4": "四"}[code.split(".", 1)[0]]


def layout_codes(template_s2: str | None, template_s3: str | None) -> frozenset[str]:
    """The codes a report prints for the given per-section templates (t4 is in both)."""
    out = set()
    for it in items():
        sec = section_of(it.code)
        tpl = {"二": template_s2, "三": template_s3, "四": "both"}[sec]
        if tpl is None:
            continue
        if it.template == "both" or it.template == tpl:
            out.add(it.code)
    return frozenset(out)

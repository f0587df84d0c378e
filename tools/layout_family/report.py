"""A random report (organisation, year, title, label style, values) as a sample_county Report,
so the sample county's grids (tables.py) and prose (prose.py) draw its tables and text."""
from __future__ import annotations

import datetime as dt
import random

from tools.sample_county.county import Org, Report

from .values import draw_values, identity_failures, plant_break

COUNTIES = ["青岚县", "松溪县", "云阳县", "安平县", "临川县", "石门县", "宁远县", "河西县", "长宁县",
            "鹤峰县", "泰和县", "桐梓县", "德安县", "庆云县", "望江县", "南漳县"]
TOWN_ROOTS = ["城关", "石桥", "柳溪", "白沙", "龙泉", "河口", "清水", "桃源", "云台", "马场", "新华",
              "红旗", "太平", "永安", "长乐", "黄田", "梅林", "双河", "金山", "大坪"]
DEPARTMENTS = ["教育局", "自然资源局", "市场监督管理局", "公安局", "人力资源和社会保障局", "民政局",
               "财政局", "交通运输局", "卫生健康委员会", "住房和城乡建设局", "农业农村局", "审计局"]


def draw_org(rng: random.Random) -> tuple[Org, str]:
    """(Org, name as printed in the title)."""
    county = rng.choice(COUNTIES)
    kind = rng.choice(["township", "township", "street", "department"])
    root = rng.choice(TOWN_ROOTS)
    if kind == "township":
        short = root + rng.choice(["镇", "镇", "乡"])
        full = f"{county}{short}人民政府"
        printed = rng.choice([full, f"{county}{short}", short + "人民政府"])
    elif kind == "street":
        short = root + "街道"
        full = f"{county}{short}办事处"
        printed = rng.choice([full, f"{county}{short}"])
    else:
        short = "县" + rng.choice(DEPARTMENTS)
        full = county + short[1:]
        printed = full
    return Org(f"lf-{rng.randrange(10**6):06d}", full, short, kind, "busy"), printed


def draw_style(rng: random.Random, template_s2: str) -> dict:
    """Label variants seen in real reports (spec §8), as tables.py understands them."""
    return {
        "brackets": rng.choice(["full", "full", "half", "mixed"]),
        "spaced": rng.random() < 0.3,
        "wrap_headers": rng.random() < 0.4,
        "normative_2019_label": template_s2 == "2021" and rng.random() < 0.15,
        "note_halfwidth": rng.random() < 0.3,
        "other_numbering": rng.choice(["1.", "1.", "1、"]),
        "heading1": "一、工作基本情况" if rng.random() < 0.1 else "一、总体情况",
    }


def draw_report(rng: random.Random, *, template: tuple[str, str] | None = None,
                identity_break: str | None = None, plus_signs: bool | None = None,
                magnitudes: tuple[int, ...] | None = None) -> Report:
    """A report with random organisation, year, template, label style and reconciling values.

    `template` defaults to 2021/2021 (four in five) or 2019/2019; `identity_break` ("I3" | "I4")
    plants one printed identity failure, recorded in `violations`.
    """
    if template is None:
        template = ("2021", "2021") if rng.random() < 0.8 else ("2019", "2019")
    s2, s3 = template
    year = rng.randint(2021, 2025) if s3 == "2021" else rng.randint(2019, 2020)
    org, printed = draw_org(rng)
    title = (f"{printed}{year}年政府信息公开工作年度报告" if rng.random() < 0.8
             else f"{year}年{printed}政府信息公开工作年度报告")
    published = dt.date(year + 1, rng.randint(1, 3), rng.randint(5, 28))
    r = Report(f"{org.org_id}-{year}", org, year, s2, s3, "pdf", "layout-family", title, printed,
               published)
    r.values = draw_values(rng, s2, s3, *([magnitudes] if magnitudes else []))
    r.style = draw_style(rng, s2)
    if s2 == "2019" and (plus_signs if plus_signs is not None else rng.random() < 0.4):
        for code, x in sorted(r.values.items()):
            if code.endswith(".delta") and x > 0:
                r.raw_text[code] = f"+{x}"
    if identity_break:
        plant_break(rng, r.values, identity_break, s3)
        r.violations = [{"identity": i, "group": g} for i, g in identity_failures(r.values, s3)]
    return r

"""The fictional 澄岚县: organisations, years, the planted cases and every printed value.

Everything here is deterministic: each random stream is seeded with a string
(`random.Random("<seed>:<org>:<year>")`), which Python hashes with SHA-512, so the
numbers never depend on PYTHONHASHSEED or on iteration order elsewhere.
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from pipelines.core.codes import all_codes, layout_codes

SEED = "chenglan-2025"
COUNTY = "澄岚县"
COUNTY_PINYIN = "chenglan"
SITE = "http://www.chenglan.gov.cn"  # fictional; the portal is served from data/sample_portal/
YEARS = list(range(2019, 2025))

C6 = ["natural_person", "commercial", "research", "nonprofit", "legal_service", "other_org"]
C7 = C6 + ["total"]

# t3 result rows in canonical order; "other.*" rows depend on the section-三 template.
RES_COMMON = [
    "granted", "partial",
    "withheld.state_secret", "withheld.law_prohibited", "withheld.security_stability",
    "withheld.third_party", "withheld.internal_affairs", "withheld.process_info",
    "withheld.enforcement_file", "withheld.admin_query",
    "unable.not_held", "unable.needs_creation", "unable.unclear",
    "not_processed.petition", "not_processed.duplicate", "not_processed.publication",
    "not_processed.mass_repeat", "not_processed.confirm_reissue",
]
RES_OTHER_2019 = ["other.total"]
RES_OTHER_2021 = ["other.no_correction", "other.unpaid_fee", "other.misc"]

# relative weights used to spread handled applications over the result rows
RES_WEIGHTS = {
    "granted": 55, "partial": 8,
    "withheld.state_secret": 0.3, "withheld.law_prohibited": 1, "withheld.security_stability": 0.5,
    "withheld.third_party": 3, "withheld.internal_affairs": 2, "withheld.process_info": 2,
    "withheld.enforcement_file": 1, "withheld.admin_query": 2,
    "unable.not_held": 12, "unable.needs_creation": 3, "unable.unclear": 2,
    "not_processed.petition": 4, "not_processed.duplicate": 3, "not_processed.publication": 0.5,
    "not_processed.mass_repeat": 0.5, "not_processed.confirm_reissue": 1,
    "other.no_correction": 2, "other.unpaid_fee": 0.3, "other.misc": 2,
}
COL_WEIGHTS = {"natural_person": 80, "commercial": 12, "research": 0.7, "nonprofit": 1.2,
               "legal_service": 3, "other_org": 3}


def res_rows(template_s3: str) -> list[str]:
    return RES_COMMON + (RES_OTHER_2019 if template_s3 == "2019" else RES_OTHER_2021)


def t3_row_codes(template_s3: str) -> list[str]:
    return ["new_received", "carried_over"] + [f"result.{r}" for r in res_rows(template_s3)] + [
        "result.total", "carry_forward"]


@dataclass(frozen=True)
class Org:
    org_id: str
    name: str            # canonical name (latest)
    short: str           # as used in titles, e.g. 城关镇 / 县教育局
    type: str            # township | street | department
    activity: str        # quiet | moderate | busy
    aliases: tuple[str, ...] = ()
    name_until: tuple[tuple[int, str, str], ...] = ()  # (last_year, name, short) for renamed orgs

    def printed(self, year: int) -> tuple[str, str]:
        """(full name, short name) as printed in the given year's report."""
        for last, name, short in self.name_until:
            if year <= last:
                return name, short
        return self.name, self.short


def _town(oid, short, activity, kind="township", **kw):
    full = f"{COUNTY}{short}人民政府" if kind == "township" else f"{COUNTY}{short}办事处"
    return Org(oid, full, short, kind, activity, **kw)


ORGS: list[Org] = [
    _town("chengguan", "城关镇", "busy"),
    _town("shiqiao", "石桥镇", "moderate"),
    _town("liuxi", "柳溪镇", "moderate"),
    _town("baisha", "白沙镇", "quiet"),
    _town("longquan", "龙泉镇", "quiet"),
    _town("hekou", "河口镇", "quiet"),
    Org("qingshui", f"{COUNTY}清水镇人民政府", "清水镇", "township", "quiet",
        aliases=(f"{COUNTY}清水乡人民政府", "清水乡人民政府", "清水镇人民政府", "清水乡", "清水镇"),
        name_until=((2021, f"{COUNTY}清水乡人民政府", "清水乡"),)),
    _town("taoyuan", "桃源乡", "quiet"),
    _town("yuntai", "云台乡", "quiet"),
    _town("machang", "马场乡", "quiet"),
    _town("dongcheng", "东城街道", "busy", kind="street"),
    _town("xicheng", "西城街道", "moderate", kind="street"),
    Org("jiaoyu", f"{COUNTY}教育局", "县教育局", "department", "moderate"),
    Org("ziranziyuan", f"{COUNTY}自然资源局", "县自然资源局", "department", "busy"),
    Org("shichang", f"{COUNTY}市场监督管理局", "县市场监督管理局", "department", "busy"),
    Org("gongan", f"{COUNTY}公安局", "县公安局", "department", "moderate"),
    Org("renshe", f"{COUNTY}人力资源和社会保障局", "县人力资源和社会保障局", "department", "moderate"),
]
ORG_BY_ID = {o.org_id: o for o in ORGS}

# ---------------------------------------------------------------- planted cases
NEVER_PUBLISHED = [("machang", 2020)]
NOT_A_REPORT = ("gongan", 2019)          # the attachment link serves an HTML error page
CORRECTED = ("liuxi", 2021)              # republished later as （更正）
VIOLATION = ("shichang", 2022)           # printed t4 review total is wrong (I4)
TEMPLATE_OVERRIDES = {                   # (org, year) -> (template_s2, template_s3)
    ("ziranziyuan", 2021): ("2019", "2019"),   # a 2021 report still on the 2019 format
    ("yuntai", 2020): ("2021", "2021"),        # a 2020 report already on the 2021 format
    ("gongan", 2024): ("2021", "2019"),        # mixed like hongze-2024
}
BLANK_APPLICANTS = ("taoyuan", 2020)     # only the 总计 column of table 三 is filled
DASH_CELLS = ("hekou", 2023)             # 规章 row printed as — — —
PROCUREMENT_YUAN = ("jiaoyu", 2019)      # 采购总金额 printed as 251000元
YEAR_FIRST_TITLE = ("jiaoyu", 2022)

# delivery format per (org, year); everything not listed is inline HTML.
# producer names: "trs-html", "reportlab", "libreoffice-docx", "libreoffice-html",
# "python-docx", "libreoffice-doc", "scan-reportlab+pil", "error-page"
FORMATS: dict[tuple[str, int], tuple[str, str]] = {
    # ReportLab PDFs
    ("gongan", 2024): ("pdf", "reportlab"),
    ("gongan", 2022): ("pdf", "reportlab"),
    ("longquan", 2022): ("pdf", "reportlab"),
    ("longquan", 2021): ("pdf", "reportlab"),
    ("longquan", 2020): ("pdf", "reportlab"),
    ("jiaoyu", 2019): ("pdf", "reportlab"),
    ("jiaoyu", 2020): ("pdf", "reportlab"),
    ("jiaoyu", 2023): ("pdf", "reportlab"),
    ("shichang", 2019): ("pdf", "reportlab"),
    ("shichang", 2024): ("pdf", "reportlab"),
    ("renshe", 2021): ("pdf", "reportlab"),
    ("hekou", 2019): ("pdf", "reportlab"),
    ("qingshui", 2020): ("pdf", "reportlab"),
    ("qingshui", 2023): ("pdf", "reportlab"),
    ("chengguan", 2023): ("pdf", "reportlab"),
    ("machang", 2024): ("pdf", "reportlab"),
    # LibreOffice PDFs (from DOCX or from HTML)
    ("ziranziyuan", 2021): ("pdf", "libreoffice-docx"),
    ("ziranziyuan", 2022): ("pdf", "libreoffice-docx"),
    ("ziranziyuan", 2019): ("pdf", "libreoffice-docx"),
    ("ziranziyuan", 2023): ("pdf", "libreoffice-docx"),
    ("dongcheng", 2022): ("pdf", "libreoffice-docx"),
    ("dongcheng", 2024): ("pdf", "libreoffice-docx"),
    ("baisha", 2020): ("pdf", "libreoffice-docx"),
    ("renshe", 2019): ("pdf", "libreoffice-html"),
    ("renshe", 2022): ("pdf", "libreoffice-html"),
    ("shiqiao", 2019): ("pdf", "libreoffice-html"),
    ("shiqiao", 2024): ("pdf", "libreoffice-html"),
    ("liuxi", 2023): ("pdf", "libreoffice-html"),
    ("yuntai", 2022): ("pdf", "libreoffice-html"),
    ("chengguan", 2020): ("pdf", "libreoffice-html"),
    # Word attachments
    ("chengguan", 2021): ("docx", "python-docx"),
    ("renshe", 2023): ("docx", "python-docx"),
    ("xicheng", 2019): ("docx", "python-docx"),
    ("yuntai", 2024): ("docx", "python-docx"),
    # legacy Word 97-2003 attachments: the python-docx DOCX converted to .doc by LibreOffice
    ("dongcheng", 2020): ("doc", "libreoffice-doc"),     # 2019 template
    ("xicheng", 2021): ("doc", "libreoffice-doc"),       # 2021 official template
    # scanned, image-only PDFs
    ("taoyuan", 2023): ("pdf-scanned", "scan-reportlab+pil"),
    ("machang", 2022): ("pdf-scanned", "scan-reportlab+pil"),
    # the broken attachment
    NOT_A_REPORT: ("not_a_report", "error-page"),
}
CORRECTION_FORMAT = ("pdf", "reportlab")
NO_VERTICAL_RULES = {("longquan", 2022), ("gongan", 2022)}
GBK_PAGES_EVERY = 4            # every 4th inline HTML page is served as GBK
COLSPAN_QUIRK = ("baisha", 2019)          # 2019 t2 with colspan=2 on the first value cells
SPLIT_T3_TABLES = ("shiqiao", 2022)       # table 三 split into two <table> elements


def default_templates(year: int) -> tuple[str, str]:
    return ("2019", "2019") if year <= 2020 else ("2021", "2021")


# ---------------------------------------------------------------- value model
@dataclass
class YearValues:
    """All values of one org × year, for every code of both templates."""
    values: dict[str, float | int | None] = field(default_factory=dict)


def _split(rng: random.Random, n: int, weights: dict[str, float]) -> dict[str, int]:
    keys = list(weights)
    w = [weights[k] for k in keys]
    out = {k: 0 for k in keys}
    for _ in range(n):
        out[rng.choices(keys, w)[0]] += 1
    return out


def _volume(rng: random.Random, activity: str, year: int) -> int:
    if activity == "busy":
        return rng.randint(40, 260)
    if activity == "moderate":
        return rng.randint(3, 28)
    return rng.choice([0, 0, 0, 0, 0, 1, 2, 3])


def generate_values(orgs: list[Org] | None = None, seed: str = SEED
                    ) -> dict[tuple[str, int], dict[str, float | int | None]]:
    """Values for every org × year (including the never-published and broken ones),
    chained so that X1/X2/X3 hold. Other fictional counties (tools.province) pass their own
    orgs and seed, and get no planted cases."""
    sample = orgs is None
    out: dict[tuple[str, int], dict] = {}
    for org in ORGS if sample else orgs:
        state: dict = {}
        for year in YEARS:
            rng = random.Random(f"{seed}:{org.org_id}:{year}")
            v: dict[str, float | int | None] = {}
            dep = org.type == "department"
            busy = org.activity == "busy"
            # ---- t3
            if year == YEARS[0]:
                if org.activity == "quiet":
                    carried = {c: 0 for c in C6}
                else:
                    carried = _split(rng, rng.randint(0, 6 if busy else 2), COL_WEIGHTS)
            else:
                carried = dict(state["carry_forward"])
            n_new = _volume(rng, org.activity, year)
            new = _split(rng, n_new, COL_WEIGHTS)
            if org.activity == "quiet":
                new = {c: (new[c] if c == "natural_person" else 0) for c in C6}
                new["natural_person"] = n_new
            carry_fw = {}
            for c in C6:
                avail = new[c] + carried[c]
                k = 0
                if avail and org.activity != "quiet" and rng.random() < (0.5 if busy else 0.25):
                    k = min(avail, rng.randint(1, max(1, avail // 12)))
                carry_fw[c] = k
            res = {r: {} for r in RES_COMMON + RES_OTHER_2021}
            for c in C6:
                handled = new[c] + carried[c] - carry_fw[c]
                split = _split(rng, handled, RES_WEIGHTS)
                for r in res:
                    res[r][c] = split[r]
            rows = {"new_received": new, "carried_over": carried, "carry_forward": carry_fw}
            for r, cols in res.items():
                rows[f"result.{r}"] = cols
            rows["result.other.total"] = {c: sum(res[r][c] for r in RES_OTHER_2021) for c in C6}
            rows["result.total"] = {c: new[c] + carried[c] - carry_fw[c] for c in C6}
            for row, cols in rows.items():
                for c in C6:
                    v[f"t3.{row}:{c}"] = cols[c]
                v[f"t3.{row}:total"] = sum(cols[c] for c in C6)
            state["carry_forward"] = carry_fw
            # ---- t4
            for g in ("review", "lit_direct", "lit_after_review"):
                parts = [0, 0, 0, 0]
                if busy and rng.random() < {"review": 0.8, "lit_direct": 0.5, "lit_after_review": 0.3}[g]:
                    parts = [rng.randint(0, 4), rng.randint(0, 2), rng.randint(0, 1), rng.randint(0, 2)]
                elif org.activity == "moderate" and g == "review" and rng.random() < 0.3:
                    parts = [1, 0, 0, rng.randint(0, 1)]
                for name, p in zip(("upheld", "corrected", "other", "pending"), parts):
                    v[f"t4.{g}.{name}"] = p
                v[f"t4.{g}.total"] = sum(parts)
            # ---- t2 (both templates' measures, chained across years)
            v["t2.art20_1.rules.new_made"] = v["t2.art20_1.rules.new_published"] = 0
            v["t2.art20_1.rules.total_published"] = 0
            v["t2.art20_1.rules.issued"] = v["t2.art20_1.rules.repealed"] = 0
            v["t2.art20_1.rules.in_force"] = 0
            made = rng.randint(0, 6) if dep else rng.choice([0, 0, 0, 1, 2])
            pub_total = state.get("total_published", rng.randint(4, 30) if dep else rng.randint(0, 6))
            pub_total += made
            state["total_published"] = pub_total
            v["t2.art20_1.normative_docs.new_made"] = made
            v["t2.art20_1.normative_docs.new_published"] = made
            v["t2.art20_1.normative_docs.total_published"] = pub_total
            repealed = rng.choice([0, 0, 0, 1, 2]) if dep else rng.choice([0, 0, 0, 0, 1])
            in_force = state.get("in_force", rng.randint(5, 25) if dep else rng.randint(0, 5))
            repealed = min(repealed, in_force)
            in_force = in_force + made - repealed
            state["in_force"] = in_force
            v["t2.art20_1.normative_docs.issued"] = made
            v["t2.art20_1.normative_docs.repealed"] = repealed
            v["t2.art20_1.normative_docs.in_force"] = in_force
            for block, row, base_dep, base_town, dec_dep, dec_town in (
                ("art20_5", "licensing", (20, 160), (0, 12), (80, 3200), (0, 40)),
                ("art20_5", "other_services", (5, 60), (0, 20), (10, 900), (0, 60)),
                ("art20_6", "penalty", (10, 90), (0, 6), (2, 320), (0, 8)),
                ("art20_6", "coercion", (0, 20), (0, 2), (0, 40), (0, 2)),
            ):
                key = f"prev_{row}"
                prev = state.get(key, rng.randint(*(base_dep if dep else base_town)))
                delta = rng.choice([-3, -2, -1, 0, 0, 0, 1, 2, 4, 7]) if (dep or prev) else rng.choice([0, 0, 1])
                delta = max(delta, -prev)
                state[key] = prev + delta
                v[f"t2.{block}.{row}.prev_items"] = prev
                v[f"t2.{block}.{row}.delta"] = delta
                lo, hi = dec_dep if dep else dec_town
                dec = rng.randint(lo, hi)
                if org.activity == "quiet" and rng.random() < 0.6:
                    dec = 0
                v[f"t2.{block}.{row}.decisions"] = dec
            fprev = state.get("prev_fees", rng.randint(1, 8) if dep else 0)
            fdelta = rng.choice([0, 0, 0, -1, 1]) if dep else 0
            fdelta = max(fdelta, -fprev)
            state["prev_fees"] = fprev + fdelta
            v["t2.art20_8.fees.prev_items"] = fprev
            v["t2.art20_8.fees.delta"] = fdelta
            if dep and org.org_id in ("ziranziyuan", "shichang", "gongan"):
                v["t2.art20_8.fees.amount"] = round(rng.randint(50, 9000) / 100, 2)
            else:
                v["t2.art20_8.fees.amount"] = 0
            projects = rng.randint(0, 6) if dep else rng.choice([0, 0, 0, 1, 2])
            v["t2.art20_9.procurement.projects"] = projects
            v["t2.art20_9.procurement.amount"] = rng.randint(20, 900) * 100 * projects if projects else 0
            out[(org.org_id, year)] = v
    if not sample:
        return out
    # fixed, recognisable values for planted cases
    z = out[("ziranziyuan", 2022)]
    z["t2.art20_8.fees.amount"] = 26.55
    j = out[PROCUREMENT_YUAN]
    j["t2.art20_9.procurement.projects"] = 3
    j["t2.art20_9.procurement.amount"] = 251000
    return out


def check_all_codes(values: dict) -> None:
    codes = all_codes()
    for key, v in values.items():
        assert set(v) == set(codes), (key, set(codes) ^ set(v))


# ---------------------------------------------------------------- reports
@dataclass
class Report:
    report_id: str
    org: Org
    year: int
    template_s2: str | None
    template_s3: str | None
    fmt: str
    producer: str
    title: str
    organisation: str
    published: dt.date
    values: dict = field(default_factory=dict)        # printed layout only: code -> number|None
    raw_text: dict = field(default_factory=dict)
    violations: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    is_correction: bool = False
    supersedes: str | None = None
    gbk: bool = False
    no_vrules: bool = False
    colspan_quirk: bool = False
    split_t3: bool = False
    style: dict = field(default_factory=dict)
    doc_id: int = 0
    # filled by the renderers / portal
    detail_url: str = ""
    document_url: str = ""
    file_bytes: bytes = b""
    pages_with_tables: list | None = None
    cell_locations: dict = field(default_factory=dict)
    table3_pages: list | None = None


def _pub_date(rng: random.Random, org: Org, year: int) -> dt.date:
    if org.type == "department":
        return dt.date(year + 1, 1, rng.randint(10, 30))
    month = rng.choice([1, 1, 2, 3])
    return dt.date(year + 1, month, rng.randint(5, 28))


def _layout_values(all_v: dict, s2: str, s3: str) -> dict:
    codes = layout_codes(s2, s3)
    return {c: all_v[c] for c in sorted(codes)}


def build_reports() -> list[Report]:
    vals = generate_values()
    check_all_codes(vals)
    reports: list[Report] = []
    html_count = 0
    doc_id = 4_377_000
    for year in YEARS:
        for org in ORGS:
            if (org.org_id, year) in NEVER_PUBLISHED:
                continue
            rng = random.Random(f"{SEED}:pub:{org.org_id}:{year}")
            fmt, producer = FORMATS.get((org.org_id, year), ("html", "trs-html"))
            s2, s3 = TEMPLATE_OVERRIDES.get((org.org_id, year), default_templates(year))
            full, short = org.printed(year)
            printed_org = full if org.type == "department" or rng.random() < 0.5 else f"{COUNTY}{short}"
            title = f"{printed_org}{year}年政府信息公开工作年度报告"
            if (org.org_id, year) == YEAR_FIRST_TITLE:
                title = f"{year}年{printed_org}政府信息公开工作年度报告"
            doc_id += rng.randint(3, 40)
            rid = f"{org.org_id}-{year}"
            r = Report(rid, org, year, s2, s3, fmt, producer, title, printed_org,
                       _pub_date(rng, org, year), doc_id=doc_id)
            if fmt == "not_a_report":
                r.template_s2 = r.template_s3 = None
                r.notes.append("The attachment link of this detail page returns HTTP 200 with an HTML "
                               "'页面不存在' error page instead of the PDF; there is nothing to extract.")
                reports.append(r)
                continue
            r.values = _layout_values(vals[(org.org_id, year)], s2, s3)
            if fmt == "html":
                html_count += 1
                r.gbk = html_count % GBK_PAGES_EVERY == 0
            r.no_vrules = (org.org_id, year) in NO_VERTICAL_RULES
            r.colspan_quirk = (org.org_id, year) == COLSPAN_QUIRK
            r.split_t3 = (org.org_id, year) == SPLIT_T3_TABLES
            r.style = _style(rng, r)
            _plant(r)
            reports.append(r)
            if (org.org_id, year) == CORRECTED:
                reports.append(_correction(r, vals))
    return reports


def _style(rng: random.Random, r: Report) -> dict:
    return {
        "brackets": rng.choice(["full", "full", "half", "mixed"]),
        "spaced": rng.random() < 0.35,
        "wrap_headers": rng.random() < 0.5,
        "normative_2019_label": r.template_s2 == "2021" and rng.random() < 0.2,
        "note_halfwidth": rng.random() < 0.3,
        "other_numbering": rng.choice(["1.", "1.", "1、"]),
        "heading1": "一、工作基本情况" if rng.random() < 0.12 else "一、总体情况",
    }


def _plant(r: Report) -> None:
    key = (r.org.org_id, r.year)
    v = r.values
    # signed deltas on the 2019 section-二 layout: print some positives with '+'
    if r.template_s2 == "2019":
        plus_rng = random.Random(f"{SEED}:plus:{r.report_id}")
        if plus_rng.random() < 0.4:
            for code in sorted(v):
                if code.endswith(".delta") and isinstance(v[code], int) and v[code] > 0:
                    r.raw_text[code] = f"+{v[code]}"
        amt = v.get("t2.art20_9.procurement.amount")
        if key == PROCUREMENT_YUAN:
            r.raw_text["t2.art20_9.procurement.amount"] = f"{amt}元"
            r.notes.append("采购总金额 is printed with its unit: 251000元.")
    if key == BLANK_APPLICANTS:
        for code in list(v):
            if code.startswith("t3.") and not code.endswith(":total"):
                v[code] = None
        r.notes.append("Table 三: only the 总计 column is filled; the six applicant columns are printed "
                       "blank (null, not 0).")
    if key == DASH_CELLS:
        for m in ("issued", "repealed", "in_force"):
            v[f"t2.art20_1.rules.{m}"] = None
            r.raw_text[f"t2.art20_1.rules.{m}"] = "—"
        r.notes.append("The 规章 row of table 二 is printed as — — — (value null, raw text '—').")
    if key == VIOLATION:
        parts = [v[f"t4.review.{p}"] for p in ("upheld", "corrected", "other", "pending")]
        if sum(parts) == 0:
            v["t4.review.upheld"], v["t4.review.corrected"] = 2, 1
            parts = [2, 1, 0, 0]
            v["t4.review.total"] = 3
        printed = sum(parts) + 1
        v["t4.review.total"] = printed
        r.violations.append({
            "identity": "I4", "group": "review", "sum_of_parts": sum(parts), "printed_total": printed,
            "text": f"行政复议: 结果维持 {parts[0]} + 结果纠正 {parts[1]} + 其他结果 {parts[2]} + "
                    f"尚未审结 {parts[3]} = {sum(parts)}, but 总计 is printed as {printed}",
        })
        r.notes.append("Planted source error: 行政复议 总计 is one more than the sum of its parts (I4).")
    if key in TEMPLATE_OVERRIDES:
        r.notes.append(f"Template differs from the year's default: 二 = {r.template_s2}, 三 = {r.template_s3}.")
    if r.colspan_quirk:
        r.notes.append("Table 二 (2019 layout) puts colspan=2 on the first value cell of the 行政许可, "
                       "其他对外管理服务事项, 行政处罚 and 行政强制 rows and on header cells; map by grid position.")
    if r.split_t3:
        r.notes.append("Table 三 is split into two <table> elements after row （三）4.")
    if key == YEAR_FIRST_TITLE:
        r.notes.append("Year-first title.")


def _correction(orig: Report, vals: dict) -> Report:
    """The later （更正） republication: same org/year, a few cells differ, identities still hold."""
    import copy
    c = copy.deepcopy(orig)
    c.report_id = orig.report_id + "-gz"
    c.is_correction = True
    c.supersedes = orig.report_id
    c.fmt, c.producer = CORRECTION_FORMAT
    c.gbk = False
    c.title = orig.title + "（更正）"
    c.published = dt.date(orig.year + 1, 5, 18)
    c.doc_id = orig.doc_id + 90_000
    c.notes = ["Corrected republication of " + orig.report_id + "; it supersedes it."]
    v = c.values
    # move two natural-person applications from 予以公开 to 部分公开 and one to 无法提供 (the corrected
    # print), and fix the t2 licensing decisions; totals and carry-over stay the same
    assert v["t3.result.granted:natural_person"] >= 3, "corrected report needs >= 3 granted"
    for src, dst, n in (("granted", "partial", 2), ("granted", "unable.not_held", 1)):
        for col in ("natural_person", "total"):
            v[f"t3.result.{src}:{col}"] -= n
            v[f"t3.result.{dst}:{col}"] += n
    v["t2.art20_5.licensing.decisions"] = (v["t2.art20_5.licensing.decisions"] or 0) + 12
    c.notes.append("Differs from the original in t3.result.granted/partial/unable.not_held "
                   "(natural_person, total) and t2.art20_5.licensing.decisions.")
    return c

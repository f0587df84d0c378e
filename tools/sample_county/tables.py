"""Tables 二/三/四 as a renderer-neutral grid: rows of cells at their origin (HTML-style spans).

Every renderer (HTML, ReportLab, python-docx, and through them LibreOffice and the scan) draws
the same grid, so one report's printed labels and values are identical across formats.
"""
from __future__ import annotations

from dataclasses import dataclass

from .county import C7, Report, t3_row_codes


@dataclass
class Cell:
    text: str
    rowspan: int = 1
    colspan: int = 1
    code: str | None = None     # value cells only
    header: bool = False


@dataclass
class Grid:
    name: str                   # t2 | t3 | t4
    ncols: int
    widths: list[float]         # relative column widths
    rows: list[list[Cell]]
    font_scale: float = 1.0


def fmt_value(r: Report, code: str) -> str:
    if code in r.raw_text:
        return r.raw_text[code]
    v = r.values[code]
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.2f}".rstrip("0").rstrip(".") if v != int(v) else str(int(v))
    return str(v)


def _b(r: Report, s: str, section: str) -> str:
    """Apply the report's bracket style to a label with full-width brackets."""
    mode = r.style.get("brackets", "full")
    half = mode == "half" or (mode == "mixed" and section == "t3")
    return s.replace("（", "(").replace("）", ")") if half else s


def _sp(r: Report, s: str) -> str:
    """Spaced-out merged labels such as `本 年 度 办 理 结 果`."""
    return " ".join(s) if r.style.get("spaced") else s


def _wrap(r: Report, s: str, at: int) -> str:
    return s[:at] + "\n" + s[at:] if r.style.get("wrap_headers") else s


def vcell(r: Report, code: str, colspan: int = 1) -> Cell:
    return Cell(fmt_value(r, code), colspan=colspan, code=code)


def h(text: str, rowspan: int = 1, colspan: int = 1) -> Cell:
    return Cell(text, rowspan, colspan, header=True)


# ------------------------------------------------------------------ table 二
def grid_t2(r: Report) -> Grid:
    return _t2_2019(r) if r.template_s2 == "2019" else _t2_2021(r)


def _t2_2019(r: Report) -> Grid:
    q = r.colspan_quirk
    n = 5 if q else 4
    w = [0.34, 0.11, 0.11, 0.22, 0.22] if q else [0.34, 0.22, 0.22, 0.22]
    rows: list[list[Cell]] = []

    def block(no: str):
        rows.append([h(_b(r, f"第二十条第（{no}）项", "t2"), colspan=n)])

    block("一")
    if q:
        rows.append([h("信息内容"), h(_wrap(r, "本年新制作数量", 3)), h(_wrap(r, "本年新公开数量", 3)),
                     h("对外公开总数量", colspan=2)])
    else:
        rows.append([h("信息内容"), h(_wrap(r, "本年新制作数量", 3)), h(_wrap(r, "本年新公开数量", 3)),
                     h("对外公开总数量")])
    for row, label in (("rules", "规章"), ("normative_docs", "规范性文件")):
        cells = [h(label)] + [vcell(r, f"t2.art20_1.{row}.{m}") for m in ("new_made", "new_published")]
        cells.append(vcell(r, f"t2.art20_1.{row}.total_published", colspan=2 if q else 1))
        rows.append(cells)
    for no, block_code, items in (("五", "art20_5", (("licensing", "行政许可"), ("other_services", "其他对外管理服务事项"))),
                                  ("六", "art20_6", (("penalty", "行政处罚"), ("coercion", "行政强制")))):
        block(no)
        rows.append([h("信息内容"), h("上一年项目数量", colspan=2 if q else 1), h("本年增/减"),
                     h("处理决定数量")])
        for row, label in items:
            rows.append([h(label), vcell(r, f"t2.{block_code}.{row}.prev_items", 2 if q else 1),
                         vcell(r, f"t2.{block_code}.{row}.delta"),
                         vcell(r, f"t2.{block_code}.{row}.decisions")])
    block("八")
    rows.append([h("信息内容"), h("上一年项目数量", colspan=2 if q else 1), h("本年增/减", colspan=2)])
    rows.append([h("行政事业性收费"), vcell(r, "t2.art20_8.fees.prev_items", 2 if q else 1),
                 vcell(r, "t2.art20_8.fees.delta", 2)])
    block("九")
    rows.append([h("信息内容"), h("采购项目数量", colspan=2 if q else 1), h("采购总金额", colspan=2)])
    rows.append([h("政府集中采购"), vcell(r, "t2.art20_9.procurement.projects", 2 if q else 1),
                 vcell(r, "t2.art20_9.procurement.amount", 2)])
    return Grid("t2", n, w, rows)


def _t2_2021(r: Report) -> Grid:
    rows: list[list[Cell]] = []

    def block(no: str):
        rows.append([h(_b(r, f"第二十条第（{no}）项", "t2"), colspan=4)])

    block("一")
    rows.append([h("信息内容"), h("本年制发件数"), h("本年废止件数"), h("现行有效件数")])
    norm = "规范性文件" if r.style.get("normative_2019_label") else "行政规范性文件"
    for row, label in (("rules", "规章"), ("normative_docs", norm)):
        rows.append([h(label)] + [vcell(r, f"t2.art20_1.{row}.{m}") for m in ("issued", "repealed", "in_force")])
    block("五")
    rows.append([h("信息内容"), h("本年处理决定数量", colspan=3)])
    rows.append([h("行政许可"), vcell(r, "t2.art20_5.licensing.decisions", 3)])
    block("六")
    rows.append([h("信息内容"), h("本年处理决定数量", colspan=3)])
    rows.append([h("行政处罚"), vcell(r, "t2.art20_6.penalty.decisions", 3)])
    rows.append([h("行政强制"), vcell(r, "t2.art20_6.coercion.decisions", 3)])
    block("八")
    rows.append([h("信息内容"), h(_b(r, "本年收费金额（单位：万元）", "t2"), colspan=3)])
    rows.append([h("行政事业性收费"), vcell(r, "t2.art20_8.fees.amount", 3)])
    return Grid("t2", 4, [0.34, 0.22, 0.22, 0.22], rows)


# ------------------------------------------------------------------ table 三
T3_LABELS = {
    "new_received": "一、本年新收政府信息公开申请数量",
    "carried_over": "二、上年结转政府信息公开申请数量",
    "result.granted": "（一）予以公开",
    "result.partial": "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "result.withheld.state_secret": "1.属于国家秘密",
    "result.withheld.law_prohibited": "2.其他法律行政法规禁止公开",
    "result.withheld.security_stability": "3.危及“三安全一稳定”",
    "result.withheld.third_party": "4.保护第三方合法权益",
    "result.withheld.internal_affairs": "5.属于三类内部事务信息",
    "result.withheld.process_info": "6.属于四类过程性信息",
    "result.withheld.enforcement_file": "7.属于行政执法案卷",
    "result.withheld.admin_query": "8.属于行政查询事项",
    "result.unable.not_held": "1.本机关不掌握相关政府信息",
    "result.unable.needs_creation": "2.没有现成信息需要另行制作",
    "result.unable.unclear": "3.补正后申请内容仍不明确",
    "result.not_processed.petition": "1.信访举报投诉类申请",
    "result.not_processed.duplicate": "2.重复申请",
    "result.not_processed.publication": "3.要求提供公开出版物",
    "result.not_processed.mass_repeat": "4.无正当理由大量反复申请",
    "result.not_processed.confirm_reissue": "5.要求行政机关确认或重新出具已获取信息",
    "result.other.total": "（六）其他处理",
    "result.other.no_correction": "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "result.other.unpaid_fee": "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "result.other.misc": "3.其他",
    "result.total": "（七）总计",
    "carry_forward": "四、结转下年度继续办理",
}
GROUPS = {"withheld": "（三）不予公开", "unable": "（四）无法提供", "not_processed": "（五）不予处理",
          "other": "（六）其他处理"}
T3_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"


def grid_t3(r: Report) -> Grid:
    s3 = r.template_s3
    rowcodes = t3_row_codes(s3)
    note = T3_NOTE
    if r.style.get("note_halfwidth"):
        note = "(本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和)"
    rows: list[list[Cell]] = [
        [h(note, rowspan=3, colspan=3), h("申请人情况", colspan=7)],
        [h("自然人", rowspan=2), h("法人或其他组织", colspan=5), h("总计", rowspan=2)],
        [h(_wrap(r, "商业企业", 2)), h(_wrap(r, "科研机构", 2)), h("社会公益组织"), h("法律服务机构"), h("其他")],
    ]
    n_result = len(rowcodes) - 3
    seen_group: set[str] = set()
    num = r.style.get("other_numbering", "1.")
    for rc in rowcodes:
        vals = [vcell(r, f"t3.{rc}:{c}") for c in C7]
        label = T3_LABELS[rc]
        if rc in ("new_received", "carried_over", "carry_forward"):
            rows.append([h(label, colspan=3)] + vals)
            continue
        lead: list[Cell] = []
        if rc == "result.granted":
            lead.append(h(_sp(r, "三、本年度办理结果"), rowspan=n_result))
        parts = rc.split(".")
        if len(parts) == 3 and not (parts[1] == "other" and s3 == "2019"):
            g = parts[1]
            if g not in seen_group:
                seen_group.add(g)
                span = sum(1 for x in rowcodes if x.startswith(f"result.{g}."))
                glabel = GROUPS[g]
                glabel = glabel[:3] + _sp(r, glabel[3:]) if r.style.get("spaced") else glabel
                lead.append(h(_b(r, glabel, "t3"), rowspan=span))
            if g == "other":
                label = label.replace("1.", num, 1).replace("2.", num.replace("1", "2"), 1).replace(
                    "3.", num.replace("1", "3"), 1)
            rows.append(lead + [h(label)] + vals)
        else:
            rows.append(lead + [h(_b(r, label, "t3"), colspan=2)] + vals)
    widths = [0.07, 0.10, 0.25] + [0.08] * 7
    return Grid("t3", 10, widths, rows, font_scale=0.9)


# ------------------------------------------------------------------ table 四
def grid_t4(r: Report) -> Grid:
    outs = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    ww = (lambda s: s if s == "总计" else s[:2] + "\n" + s[2:]) if r.style.get("wrap_headers") else (lambda s: s)
    rows = [
        [h("行政复议", colspan=5), h("行政诉讼", colspan=10)],
        [h(ww(o), rowspan=2) for o in outs] + [h("未经复议直接起诉", colspan=5), h("复议后起诉", colspan=5)],
        [h(ww(o)) for o in outs] + [h(ww(o)) for o in outs],
        [vcell(r, f"t4.{g}.{o}") for g in ("review", "lit_direct", "lit_after_review")
         for o in ("upheld", "corrected", "other", "pending", "total")],
    ]
    return Grid("t4", 15, [1 / 15] * 15, rows, font_scale=0.85)


def grids(r: Report) -> list[Grid]:
    return [grid_t2(r), grid_t3(r), grid_t4(r)]


def expand(g: Grid) -> list[list[tuple[Cell, int, int] | None]]:
    """Positions of every origin cell: matrix[row][col] = (cell, row0, col0) for the covering cell."""
    nrows = len(g.rows)
    m: list[list] = [[None] * g.ncols for _ in range(nrows)]
    for ri, row in enumerate(g.rows):
        ci = 0
        for cell in row:
            while ci < g.ncols and m[ri][ci] is not None:
                ci += 1
            if ci >= g.ncols:
                raise ValueError(f"{g.name}: row {ri} overflows")
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    m[ri + dr][ci + dc] = (cell, ri, ci)
            ci += cell.colspan
    for ri, row in enumerate(m):
        if any(x is None for x in row):
            raise ValueError(f"{g.name}: row {ri} has holes")
    return m

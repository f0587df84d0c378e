"""Document -> canonical codes.

One mapper for every reader: the tables of a Document are read as one stream of rows,
each row is assigned to section 二/三/四 by its header markers (a table with no markers
continues the section before it, which is how a table broken across pages is joined),
the template is detected per section (spec §7), and rows are placed by ordinals first and
normalised label text second (§9). Only codes of the printed layout are emitted; rows that
cannot be placed go to `unmapped`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .codes import items
from .model import Cell, Document
from .normalise import CN_NUM, Ordinal, contains_any, norm, split_ordinal
from .values import CellValue, is_number, is_value_like, parse_cell

# ---------------------------------------------------------------- section markers

S2_MARKERS = ("第二十条", "信息内容")
S3_MARKERS = ("申请人情况", "本年新收", "勾稽关系")
S4_MARKERS = ("行政复议",)
S4_SECOND = ("行政诉讼", "维持", "纠正", "审结", "起诉")
# table 四's own sub-headers: they mark it where its 行政复议/行政诉讼 line was left on the page before
S4_OWN = ("未经复议直接起诉", "复议后起诉")

S2_2019 = ("本年新制作", "对外公开总数量", "上一年项目数量", "本年增/减", "本年增/", "采购项目数",
           "其他对外管理服务事项")
S2_2021 = ("本年制发", "本年废止", "现行有效", "本年处理决定数量", "本年收费金额", "本年发件")
S3_2021 = ("逾期不补正", "逾期未按收费通知")

# ---------------------------------------------------------------- section 二 vocabulary

T2_ROWS = (  # (label needle, row code); order matters: longer labels first
    ("其他对外管理服务事项", "other_services"),
    ("行政规范性文件", "normative_docs"),
    ("规范性文件", "normative_docs"),
    ("规章", "rules"),
    ("行政许可", "licensing"),
    ("行政处罚", "penalty"),
    ("行政强制", "coercion"),
    ("行政事业性收费", "fees"),
    ("事业性收费", "fees"),
    ("政府集中采购", "procurement"),
    ("集中采购", "procurement"),
)
T2_BLOCK = {"rules": 1, "normative_docs": 1, "licensing": 5, "other_services": 5, "penalty": 6,
            "coercion": 6, "fees": 8, "procurement": 9}
T2_MEASURES = {
    "2019": {"rules": ("new_made", "new_published", "total_published"),
             "normative_docs": ("new_made", "new_published", "total_published"),
             "licensing": ("prev_items", "delta", "decisions"),
             "other_services": ("prev_items", "delta", "decisions"),
             "penalty": ("prev_items", "delta", "decisions"),
             "coercion": ("prev_items", "delta", "decisions"),
             "fees": ("prev_items", "delta"),
             "procurement": ("projects", "amount")},
    "2021": {"rules": ("issued", "repealed", "in_force"),
             "normative_docs": ("issued", "repealed", "in_force"),
             "licensing": ("decisions",), "penalty": ("decisions",), "coercion": ("decisions",),
             "fees": ("amount",)},
}
T2_MEASURE_TEXT = (  # header needle -> measure, used when header and value counts disagree
    ("本年新制作", "new_made"), ("本年新公开", "new_published"), ("对外公开总数", "total_published"),
    ("上一年项目", "prev_items"), ("本年增", "delta"), ("处理决定", "decisions"),
    ("采购项目", "projects"), ("采购总金额", "amount"), ("本年制发", "issued"), ("本年发件", "issued"),
    ("本年废止", "repealed"), ("现行有效", "in_force"), ("收费金额", "amount"),
)
BLOCK_RE = re.compile(r"第二十条第\(?([一二三四五六七八九十])\)?项?")

# ---------------------------------------------------------------- section 三 vocabulary

C7 = ("natural_person", "commercial", "research", "nonprofit", "legal_service", "other_org", "total")
L1_TEXT = (("本年新收", 1), ("上年结转", 2), ("办理结果", 3), ("结转下", 4), ("继续办理", 4))
L1_CODE = {1: "t3.new_received", 2: "t3.carried_over", 4: "t3.carry_forward"}
L2_TEXT = (("予以公开", 1), ("部分公开", 2), ("不予公开", 3), ("无法提供", 4), ("不予处理", 5),
           ("其他处理", 6), ("总计", 7), ("合计", 7))
L2_PARENT = {3: "withheld", 4: "unable", 5: "not_processed", 6: "other"}
L2_NAMES = {3: "不予公开", 4: "无法提供", 5: "不予处理", 6: "其他处理"}
L2_LEAF = {1: "t3.result.granted", 2: "t3.result.partial", 7: "t3.result.total"}
L3_TEXT = {
    3: (("国家秘密", 1), ("禁止公开", 2), ("三安全一稳定", 3), ("第三方", 4), ("内部事务", 5),
        ("过程性", 6), ("执法案卷", 7), ("行政查询", 8)),
    4: (("不掌握", 1), ("另行制作", 2), ("补正后", 3)),
    5: (("信访", 1), ("重复申请", 2), ("出版物", 3), ("大量反复", 4), ("重新出具", 5)),
    6: (("逾期不补正", 1), ("收费通知", 2), ("其他", 3)),
}
L3_CODE = {
    3: ("state_secret", "law_prohibited", "security_stability", "third_party", "internal_affairs",
        "process_info", "enforcement_file", "admin_query"),
    4: ("not_held", "needs_creation", "unclear"),
    5: ("petition", "duplicate", "publication", "mass_repeat", "confirm_reissue"),
    6: ("no_correction", "unpaid_fee", "misc"),
}
S3_HEADER_WORDS = ("申请人情况", "自然人", "商业企业", "科研机构", "法人或其他组织", "勾稽", "社会公益",
                   "法律服务")

# ---------------------------------------------------------------- section 四 vocabulary

T4_GROUPS = ("review", "lit_direct", "lit_after_review")
T4_OUTCOMES = ("upheld", "corrected", "other", "pending", "total")
T4_OUTCOME_WORDS = ("维持", "纠正", "其他", "审结", "总计", "合计")


@dataclass
class Placed:
    value: CellValue
    cell: Cell


@dataclass
class Mapping:
    template_s2: str | None = None
    template_s3: str | None = None
    cells: dict[str, Placed] = field(default_factory=dict)
    unmapped: list[dict] = field(default_factory=list)
    sections: set[str] = field(default_factory=set)
    flags: list[str] = field(default_factory=list)
    listed: set[int] = field(default_factory=set)  # id() of cells already listed in `unmapped`
    unread: dict[str, Cell] = field(default_factory=dict)  # code -> a cell seen but not readable
    section_pages: dict[str, list[int]] = field(default_factory=dict)  # pages each section's rows are on


def _unmapped(m: Mapping, section: str, label: str, cells: list[Cell], reason: str | None = None) -> None:
    """List cells the mapper saw but did not place (their printed text, in order)."""
    entry = {"section": section, "label": label, "values": [c.text for c in cells]}
    if reason:
        entry["reason"] = reason
    m.unmapped.append(entry)
    m.listed.update(id(c) for c in cells)


# ---------------------------------------------------------------- helpers


def _live(row: list[Cell]) -> list[tuple[int, Cell]]:
    """(column index, cell) for positions that are not covered by a span."""
    return [(i, c) for i, c in enumerate(row) if not c.covered]


def _row_text(row: list[Cell]) -> str:
    return "".join(norm(c.text) for c in row)


def _section_of_row(text: str) -> str | None:
    if contains_any(text, S3_MARKERS):
        return "三"
    if ("行政复议" in text and contains_any(text, S4_SECOND)) or contains_any(text, S4_OWN):
        return "四"
    if contains_any(text, S2_MARKERS):
        return "二"
    return None


def _put(m: Mapping, code: str, cell: Cell, section: str, label: str) -> None:
    if cell.unread:
        m.unread.setdefault(code, cell)
        return
    if code in m.cells:  # a second row for one code: keep the first, report the other
        _unmapped(m, section, label, [cell], "a second row for the same cell")
        return
    m.cells[code] = Placed(parse_cell(cell.text), cell)


def split_sections(doc: Document) -> dict[str, list[list[Cell]]]:
    """Rows of each section in document order; a table without markers continues the last section."""
    out: dict[str, list[list[Cell]]] = {"二": [], "三": [], "四": []}
    current: str | None = None
    for table in doc.tables:
        for row in table.rows:
            sec = _section_of_row(_row_text(row))
            if sec:
                current = sec
            if current:
                out[current].append(row)
    return out


# ---------------------------------------------------------------- section 二


def detect_template_s2(rows: list[list[Cell]]) -> tuple[str | None, bool]:
    """('2019'|'2021'|None, conflict) from header markers; counts decide a conflict."""
    text = "".join(_row_text(r) for r in rows)
    hits19 = sum(k in text for k in S2_2019)
    hits21 = sum(k in text for k in S2_2021)
    if not hits19 and not hits21:
        return None, False
    return ("2019" if hits19 > hits21 else "2021"), bool(hits19 and hits21)


def _t2_row_code(label: str) -> str | None:
    for needle, code in T2_ROWS:
        if needle in label:
            return code
    return None


def map_section2(rows: list[list[Cell]], m: Mapping) -> None:
    tpl, conflict = detect_template_s2(rows)
    m.template_s2 = tpl
    if conflict:
        m.flags.append("template_s2: both 2019 and 2021 markers")
    if tpl is None:
        return
    block: int | None = None
    header_cols: list[tuple[int, str]] = []
    rows_in_block = 0
    for row in rows:
        live = _live(row)
        if not live:
            continue
        text = _row_text(row)
        bm = BLOCK_RE.search(text)
        if "第二十条" in text and len([c for _, c in live if norm(c.text)]) <= 2:
            block = CN_NUM[bm.group(1)] if bm else None
            header_cols, rows_in_block = [], 0
            continue
        first = norm(live[0][1].text)
        values = live[1:]
        if "信息内容" in first or (values and not any(is_value_like(c.text) for _, c in values)
                                    and any(w in text for w, _ in T2_MEASURE_TEXT)):
            header_cols = [(i, norm(c.text)) for i, c in values if norm(c.text)]
            continue
        printed = [c for _, c in values if norm(c.text)]
        if not first and printed and not any(is_value_like(c.text) for c in printed):
            continue  # the rest of a wrapped column header (本年新 / 制作数量 cut by a page break)
        code = _t2_row_code(first)
        if code is None and not first and block == 1 and rows_in_block == 0:
            code = "rules"  # htq 徐望镇 2025: empty label where 规章 belongs
        rows_in_block += 1
        if code is None or code not in T2_MEASURES[tpl]:
            if any(norm(c.text) for _, c in values):
                _unmapped(m, "二", live[0][1].text, [c for _, c in values], "row label not in the template")
            continue
        measures = T2_MEASURES[tpl][code]
        prefix = f"t2.art20_{T2_BLOCK[code]}.{code}"
        printed_values = [c for _, c in values if norm(c.text)]
        if block is not None and block != T2_BLOCK[code] and len(printed_values) == len(measures):
            # the row's label names another block than the header above it: a header repeated
            # on a new page (a browser repeats a table's <thead>, 第二十条第（一）项 and its
            # columns, over the rows of block (六)). Its columns are not this row's; the label
            # is, and the row prints as many numbers as its block has columns, in their order
            placed = list(zip(measures, printed_values))
        else:
            placed = _t2_place(measures, values, header_cols, row)
        for measure, cell in placed:
            _put(m, f"{prefix}.{measure}", cell, "二", first)
        m.sections.add("二")


def _t2_place(measures, values, header_cols, row) -> list[tuple[str, Cell]]:
    """Pair measures with value cells: by count when it matches, else under the header.

    Under the header, each measure owns the grid columns from its header cell up to the next
    one (a ruled span, or a column an unruled reader split in two): the one printed value in
    that range is the measure's, a lone blank cell is its printed blank, and two values in one
    range are not guessed (the final sweep lists them).
    """
    if len(values) == len(measures):
        return [(ms, c) for ms, (_, c) in zip(measures, values)]
    if len(header_cols) == len(measures):
        out = []
        starts = [col for col, _ in header_cols] + [len(row)]
        for k, ms in enumerate(measures):
            live = [row[j] for j in range(starts[k], min(starts[k + 1], len(row))) if not row[j].covered]
            printed = [c for c in live if norm(c.text)]
            if len(printed) == 1:
                out.append((ms, printed[0]))
            elif not printed and len(live) == 1:
                out.append((ms, live[0]))
        return out
    by_text = []
    for col, htext in header_cols:
        for needle, ms in T2_MEASURE_TEXT:
            if needle in htext and ms in measures and col < len(row) and not row[col].covered:
                by_text.append((ms, row[col]))
                break
    if by_text:
        return by_text
    return [(ms, c) for ms, (_, c) in zip(measures, values)]


# ---------------------------------------------------------------- section 三


def _s3_value_cols(rows: list[list[Cell]]) -> dict[int, list[int]]:
    """Per row width, the 7 value columns: under 自然人 when a header says so, else the last 7."""
    start_by_width: dict[int, int] = {}
    for row in rows:
        for i, c in enumerate(row):
            if norm(c.text) == "自然人" and len(row) - i >= 7:
                start_by_width.setdefault(len(row), i)
    return {w: list(range(s, s + 7)) for w, s in start_by_width.items()}


def _match_text(text: str, table: tuple[tuple[str, int], ...]) -> int | None:
    for needle, number in table:
        if needle in text:
            return number
    return None


def s3_row_values(row: list[Cell], vcols: list[int]) -> tuple[list[Cell], list[Cell] | None, list[Cell]]:
    """(label cells, the 7 value cells or None, every live cell after the label) of one row of table 三.

    The data row decides, not the header: Word exports print header spans that disagree with
    each other (自然人 over two grid columns in one header row, 商业企业 shifted by one in the
    next) while every data row holds exactly 7 printed values, some with a colspan. So 7 live
    value cells after the label are the 7 columns in template order. With more cells (empty
    spacer cells before or after the values), the 7 are the one run of 7 cells with nothing
    printed outside it, the header's columns choosing only between runs that both qualify; else
    None: never a covered position read as a blank, never a value shifted into its neighbour's
    column.
    """
    live = _live(row)
    last_label = max((i for i, c in live if not is_value_like(c.text)), default=-1)
    label_cells = [c for i, c in live if i <= last_label and norm(c.text)]
    tail = [(i, c) for i, c in live if i > last_label]
    tail_cells = [c for _, c in tail]
    if len(tail) == 7:
        return label_cells, tail_cells, tail_cells
    # more cells than columns: spacer cells (empty, before or after the values). The 7 values
    # are a run of 7 cells with nothing printed outside it; if several runs qualify (printed
    # blanks at an edge), the header's columns choose among them, else nothing is placed
    windows = [k for k in range(len(tail) - 6)
               if not any(norm(c.text) for j, (_, c) in enumerate(tail) if not k <= j < k + 7)]
    if len(windows) == 1:
        return label_cells, tail_cells[windows[0]:windows[0] + 7], tail_cells
    by_header = [k for k in windows if [i for i, _ in tail[k:k + 7]] == list(vcols)]
    if len(by_header) == 1:
        return label_cells, [row[i] for i in vcols], tail_cells
    return label_cells, None, tail_cells


def map_section3(rows: list[list[Cell]], m: Mapping) -> None:
    value_cols_by_width = _s3_value_cols(rows)
    l1 = l2 = None
    found_2021_rows = False
    own_six: tuple[list[Cell], str] | None = None
    pending: list[tuple[str, list[Cell], str]] = []  # (row code, value cells, label) in order
    last_label_ref: list[str] | None = None
    numbered: tuple[int | None, int] = (None, 0)  # (group, its last row number) of the rows filed
    # numbered rows seen before their heading: a heading printed mid-way down the rows it spans
    # (a grid without the span, or unruled) comes after its first children
    orphans: list[tuple[int, list[Cell], str, list[Cell]]] = []

    def drop_orphans():
        for _, _, o_label, o_tail in orphans:
            _unmapped(m, "三", o_label, o_tail, "row label not recognised")
        orphans.clear()

    for row in rows:
        width = len(row)
        vcols = value_cols_by_width.get(width) or list(range(max(0, width - 7), width))
        if len(vcols) < 7:
            continue
        label_cells, value_cells, tail = s3_row_values(row, vcols)
        label = "".join(norm(c.text) for c in label_cells)
        has_values = any(norm(c.text) for c in tail)
        if contains_any(_row_text(row), S3_HEADER_WORDS) and not any(is_number(c.text) for c in tail):
            continue  # header row (also when repeated after a page break)
        if value_cells is None and has_values:
            _unmapped(m, "三", label, tail, f"{len(tail)} values where the table has 7 columns")
            value_cells = []
        row_l3 = None
        matched_any = False
        disagree = False
        heading = None  # a level-1 or level-2 ordinal printed on this row
        for c in label_cells:
            ordn, rest = split_ordinal(_without_stray_ordinal(c.text))
            if ordn is None:
                ordn = _ordinal_from_text(rest, l1, l2)
            elif l1 == 3 and _opens_next_group(ordn, rest, l2):
                # number and words both name the next group's first row: that group's heading
                # was printed where the reader lost it (centred on rows past a page break)
                l2 = l2 + 1
            elif _label_disagrees(ordn, rest, l2):
                disagree = True
            if ordn is None:
                continue
            matched_any = True
            if ordn.level in (1, 2):
                heading = ordn
            if ordn.level == 1:
                l1, l2 = ordn.number, None
            elif ordn.level == 2:
                # (一)…(七) exist only under 三、本年度办理结果: after 一、/二、 they mean its heading
                # was printed where the reader lost it (centred on rows past a page break)
                l1 = 3 if l1 in (None, 1, 2, 3) else l1
                l2 = None if disagree else ordn.number  # rows under an unsure heading stay unplaced
            else:
                row_l3 = ordn.number
                if l2 == 6 and (contains_any(rest, S3_2021) or ordn.number in (1, 2, 3)):
                    found_2021_rows = True
        if not matched_any:
            if label and not has_values and last_label_ref is not None:
                last_label_ref[0] += label  # page-break wrap: the label continues the row above
                continue
            if has_values and value_cells:
                _unmapped(m, "三", label, tail, "row label not recognised")
            continue
        if orphans and heading is not None:
            if (heading.level == 2 and heading.number in L2_PARENT and not disagree and row_l3 is not None
                    and [o[0] for o in orphans] == list(range(1, row_l3))):
                for n, o_values, o_label, o_tail in orphans:
                    if _label_disagrees(Ordinal(3, n), split_ordinal(o_label)[1], heading.number):
                        _unmapped(m, "三", o_label, o_tail, "the row's number and its label name different rows")
                    else:
                        pending.append((_s3_row_code(3, heading.number, n), o_values, [o_label]))
                orphans.clear()
            else:
                drop_orphans()
        if not value_cells:
            continue  # a label-only row, or values already listed as unmapped above
        if disagree:
            if has_values:
                _unmapped(m, "三", label, tail, "the row's number and its label name different rows")
            continue
        if row_l3 is not None and heading is None and l2 in L2_PARENT and numbered[0] == l2 \
                and row_l3 <= numbered[1]:
            # numbers never restart inside a group: the next group's heading was lost, and
            # nothing says which group this row is in
            if has_values:
                _unmapped(m, "三", label, tail, "the row's number restarts under the same heading")
            continue
        if row_l3 is not None:
            numbered = (l2, row_l3)
        code = _s3_row_code(l1, l2, row_l3)
        if code is None:
            if l2 == 6 and row_l3 is None and l1 == 3:
                own_six = (value_cells, label)
            elif row_l3 is not None and l1 in (None, 3) and l2 not in L2_PARENT and heading is None:
                if orphans and row_l3 != orphans[-1][0] + 1:
                    drop_orphans()
                orphans.append((row_l3, value_cells, label, tail))
            elif has_values:
                _unmapped(m, "三", label, tail, "row label not recognised")
            continue
        if not has_values and pending and pending[-1][0] == code:
            # nothing printed, and its words name the row just filed: the rest of that row's
            # label past a page break (with a cut heading's rest, 其他处理 beside 理由逾期不补正…)
            pending[-1][2][0] += label
            continue
        ref = [label]
        pending.append((code, value_cells, ref))
        last_label_ref = ref
    drop_orphans()
    if found_2021_rows:
        m.template_s3 = "2021"
        if own_six and any(norm(c.text) for c in own_six[0]):
            _unmapped(m, "三", own_six[1], own_six[0], "subtotal row the 2021 template does not have")
    elif own_six is not None:
        m.template_s3 = "2019"
        pending.append(("t3.result.other.total", own_six[0], [own_six[1]]))
    for code, value_cells, ref in pending:
        for suffix, cell in zip(C7, value_cells):
            _put(m, f"{code}:{suffix}", cell, "三", ref[0])
        m.sections.add("三")


def _opens_next_group(ordn: Ordinal, rest: str, l2: int | None) -> bool:
    """True for a 1. whose words name the first row of the group after `l2` (1.属于国家秘密 after
    （二）, 1.本机关不掌握… after （三）8.): the template's order says which heading was lost."""
    return (ordn == Ordinal(3, 1) and l2 in (2, 3, 4, 5) and _match_text(rest, L3_TEXT[l2 + 1]) == 1
            and (l2 == 2 or _label_disagrees(ordn, rest, l2)))


def _without_stray_ordinal(text: str) -> str:
    """A cell's label without a first line that is a bare ordinal followed by a line opening with
    another ordinal of the same level (三、 over 二、上年结转…): a heading spanning the rows below,
    centred on the part of its span left on a page, printed over this row; its ordinal is not
    this row's (a label's own ordinal is followed by its own words)."""
    lines = [ln for ln in text.split("\n") if norm(ln)]
    if len(lines) >= 2:
        first, _ = split_ordinal(lines[0])
        second, _ = split_ordinal(lines[1])
        if (first is not None and not split_ordinal(lines[0])[1] and second is not None
                and second.level == first.level and second != first):
            return "\n".join(lines[1:])
    return text


def _label_disagrees(ordn: Ordinal, rest: str, l2: int | None) -> bool:
    """True when a printed row number and the label's words name different template rows.

    The number is trusted over the words (labels carry typos), but a label that clearly names
    another row (1.属于国家秘密 under （四）无法提供) means the rows were put together wrongly
    (a heading misplaced, a row of another group): placing it by its number would file its
    values under the wrong row.
    """
    if not rest:
        return False
    if ordn.level == 2:
        named = _match_text(rest, L2_TEXT)
        return named is not None and named != ordn.number
    if ordn.level == 3 and l2 in L3_TEXT:
        named = _match_text(rest, L3_TEXT[l2])
        if named is not None:
            return named != ordn.number
        specific = tuple((needle, n) for parent, table in L3_TEXT.items() if parent != l2
                         for needle, n in table if needle != "其他")
        return _match_text(rest, specific) is not None
    return False


def _ordinal_from_text(rest: str, l1: int | None, l2: int | None) -> Ordinal | None:
    n = _match_text(rest, L1_TEXT)
    if n is not None and not (n == 4 and "上年结转" in rest):
        return Ordinal(1, n)
    if l1 == 3 or l1 is None:
        n = _match_text(rest, L2_TEXT)
        if n is not None:
            return Ordinal(2, n)
    if l1 == 3 and l2 in (2, 3, 4, 5) and len(rest) >= 3 and L2_NAMES[l2 + 1].startswith(rest):
        # the start of the next group's heading, cut where it wraps (其他处 / 理 with 理 lost over
        # a page break): the template's order and the words agree
        return Ordinal(2, l2 + 1)
    if l2 in L3_TEXT:
        n = _match_text(rest, L3_TEXT[l2])
        if n is not None:
            return Ordinal(3, n)
    return None


def _s3_row_code(l1: int | None, l2: int | None, l3: int | None) -> str | None:
    if l1 in L1_CODE and l2 is None:
        return L1_CODE[l1]
    if l1 != 3 or l2 is None:
        return None
    if l2 in L2_LEAF and l3 is None:
        return L2_LEAF[l2]
    if l2 in L2_PARENT and l3 is not None and 1 <= l3 <= len(L3_CODE[l2]):
        return f"t3.result.{L2_PARENT[l2]}.{L3_CODE[l2][l3 - 1]}"
    return None


# ---------------------------------------------------------------- section 四


def map_section4(rows: list[list[Cell]], m: Mapping) -> None:
    outcome_cols: list[int] = []
    for row in rows:
        live = _live(row)
        texts = [norm(c.text) for _, c in live]
        if any("行政复议" in t or "行政诉讼" in t or "起诉" in t for t in texts) or any(
                contains_any(t, T4_OUTCOME_WORDS) for t in texts):
            cols = [i for i, c in live if contains_any(norm(c.text), T4_OUTCOME_WORDS)
                    and "起诉" not in norm(c.text)]
            outcome_cols = sorted(set(outcome_cols) | set(cols))
            continue
        if not live or not all(is_value_like(c.text) for _, c in live):
            continue
        if len(live) == 15:
            cells = [c for _, c in live]
        elif (len(outcome_cols) == 15 and max(outcome_cols) < len(row)
              and not any(row[i].covered for i in outcome_cols)):
            cells = [row[i] for i in outcome_cols]
        else:
            nonblank = [c for _, c in live if norm(c.text)]
            if not nonblank and not any(c.unread for _, c in live):
                continue  # prints nothing (a header row's sliver a page break cut off): no number to list
            if len(nonblank) != 15:
                _unmapped(m, "四", "", [c for _, c in live], "not 15 values in the row")
                continue
            cells = nonblank
        for k, cell in enumerate(cells):
            _put(m, f"t4.{T4_GROUPS[k // 5]}.{T4_OUTCOMES[k % 5]}", cell, "四", "")
        m.sections.add("四")
        return


# ---------------------------------------------------------------- entry point


def map_document(doc: Document) -> Mapping:
    m = Mapping()
    parts = split_sections(doc)
    for sec, rows in parts.items():
        pages = sorted({c.page for row in rows for c in row if c.page is not None})
        if pages:
            m.section_pages[sec] = pages
    map_section2(parts["二"], m)
    map_section3(parts["三"], m)
    map_section4(parts["四"], m)
    list_unplaced_numbers(parts, m)
    return m


STRAY_NUMBER = "printed number not placed in any cell"


def _has_number_line(text: str | None) -> bool:
    """A multi-line cell with a line of numbers only: a row's values that ended up inside its
    label's cell ("一、本年新收…⏎98 123 93 …") are printed numbers too."""
    return bool(text) and "\n" in text and any(
        line.split() and all(is_number(t) for t in line.split()) for line in text.split("\n"))


def list_unplaced_numbers(parts: dict[str, list[list[Cell]]], m: Mapping) -> None:
    """Every number printed in a statutory table ends up placed or listed: never silently dropped.

    The section mappers list the rows they recognise but cannot place; this sweep catches the
    rest (a 总计 beyond the columns a header pointed at, a number in a row the mapper skipped).
    """
    placed = {id(p.cell) for p in m.cells.values()}
    for section, rows in parts.items():
        for row in rows:
            stray = [c for _, c in _live(row) if id(c) not in placed and id(c) not in m.listed
                     and not c.unread and (is_number(c.text) or _has_number_line(c.text))]
            if stray:
                label = "".join(norm(c.text) for _, c in _live(row) if not is_value_like(c.text))
                _unmapped(m, section, label, stray, STRAY_NUMBER)


def allowed_codes(template_s2: str | None, template_s3: str | None) -> frozenset[str]:
    """Codes the printed layout has; a section of unknown template allows its `both` codes only."""
    out = set()
    for it in items():
        sec = it.code.split(".", 1)[0]
        tpl = {"t2": template_s2, "t3": template_s3, "t4": "both"}[sec]
        if it.template == "both" or (tpl is not None and it.template == tpl):
            out.add(it.code)
    return frozenset(out)

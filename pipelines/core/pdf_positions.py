"""Tables 二/三/四 without vertical rules (or without any rules), read by word positions.

Where a page has no ruled grid, columns are known from the template instead: the header
words give each value column's x-centre (an "anchor"):

- 三: 自然人 … 总计 and the five 法人或其他组织 sub-headers between them (7 anchors);
- 二: the words after `信息内容` on each column-header line;
- 四: the outcome headers (结果维持 … 总计, wrapped or not) below `行政复议 行政诉讼` (15 anchors).

Every text line of a section becomes one row: words left of the first value column are label
cells, each value word goes to the nearest anchor. A value that sits between two anchors, or
two values that fall on one anchor, are not guessed: the line goes to `unplaced` (the contract's
`unmapped`) and its codes stay absent, so the document is `partial`. The anchors of a section
carry over to the next page (a table continued without a repeated header). Cell boxes are
the words' text boxes: there are no cell borders to report.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .model import Cell, Table
from .normalise import norm, split_ordinal
from .values import is_value_like

_HEADING = re.compile(r"^[一二三四五六七]、.*情况$")  # a report section heading, never a table row
S3_LEAF_SKIP = ("申请人情况", "法人或其他组织", "自然人", "总计", "勾稽", "第一项", "第三项")
T4_SPAN_WORDS = ("复议", "诉讼", "起诉")
AMBIGUOUS = 0.25  # a value whose distances to two anchors differ by less than this share of their gap


def lines_of(words: list[dict]) -> list[list[dict]]:
    """Words grouped by baseline, top to bottom, each line left to right."""
    out: list[list[dict]] = []
    for w in sorted(words, key=lambda w: (w["baseline"], w["x0"])):
        if out and abs(out[-1][0]["baseline"] - w["baseline"]) < 2.0:
            out[-1].append(w)
        else:
            out.append([w])
    return [sorted(line, key=lambda w: w["x0"]) for line in out]


def _cx(w: dict) -> float:
    return (w["x0"] + w["x1"]) / 2


def _cluster_centres(xs: list[float], tol: float = 6.0) -> list[float]:
    groups: list[list[float]] = []
    for x in sorted(xs):
        if groups and x - groups[-1][-1] <= tol:
            groups[-1].append(x)
        else:
            groups.append([x])
    return [sum(g) / len(g) for g in groups]


def _numeric(w: dict) -> bool:
    return is_value_like(w["text"]) and bool(re.search(r"\d", w["text"]))


@dataclass
class PositionReader:
    """Reads the unruled table pages of one document in page order (state carries over pages)."""

    section: str | None = None
    anchors: list[float] = field(default_factory=list)
    boundary: float = 0.0
    unplaced: list[dict] = field(default_factory=list)
    # OCR'd pages (ocr.py): rebuild table 三's row labels from the template's row order, since
    # OCR lines split a row-spanning label (三、本年度办理结果, (三)不予公开) into fragments that
    # sit on whichever row is at the span's middle, and a wrapped label's values on its own line
    repair_s3: bool = False
    _s3_parent: int | None = None
    _s3_last: int = 0
    _s3_results: bool = False

    def page_tables(self, number: int, words: list[dict]) -> list[Table]:
        lines = lines_of(words)
        tables: list[Table] = []
        rows: list[tuple[list[Cell], list[Cell]]] = []  # (label cells, value cells)
        row_secs: list[str | None] = []

        def flush():
            nonlocal rows
            if rows and self.repair_s3 and "三" in row_secs:
                rows = self._repair_s3(rows, row_secs)
            row_secs.clear()
            if rows:
                nl = max(len(lab) for lab, _ in rows)
                nv = max(len(val) for _, val in rows)
                blank = Cell("", number, None)
                tables.append(Table([lab + [blank] * (nl - len(lab)) + val + [blank] * (nv - len(val))
                                     for lab, val in rows], number, "word-positions"))
            rows = []

        i = 0
        while i < len(lines):
            line = lines[i]
            text = norm("".join(w["text"] for w in line))
            if _HEADING.match(text):
                flush()
                self.section, self.anchors = None, []
                i += 1
                continue
            started = self._start(text, lines, i)
            if started:
                flush()
                if self.section == "三":  # the header band: the first line marks the section
                    rows.append(([_cell(number, line)], []))
                    row_secs.append(None)
                    i += max(1, len(_band(lines, i)))
                    continue
            row_section = self.section
            if row_section == "二" and "第二十条" in text:
                row = ([_cell(number, line)], [])  # a block header: one cell, never a value
            elif row_section is None or not self.anchors:
                i += 1
                continue
            else:
                row = self._row(number, line, row_section)
            if row is not None:
                rows.append(row)
                row_secs.append(row_section)
            if row_section == "四" and row is not None and sum(_is_num_text(c.text) for c in row[1]) >= 15:
                flush()
                self.section, self.anchors = None, []  # table 四 has one value row
            i += 1
        flush()
        return tables

    # -------------------------------------------------------- OCR repair of table 三 labels

    def _repair_s3(self, rows, secs):
        """Rows of table 三 with labels rebuilt from the template order (OCR only).

        Each value row keeps its own ordinal label (the rightmost label word with an ordinal);
        label fragments left of it are dropped, and a level-3 row gets its parent label from the
        numbering (a restart at 1. moves to the next parent: (三), (四), (五), (六)). A printed
        parent fragment that disagrees with that order blanks the row's values (left unread,
        never guessed). A line of values without an ordinal joins the ordinal line above it
        when that line had no values (a wrapped label with its values centred lower).
        """
        parents = {3: "(三)不予公开", 4: "(四)无法提供", 5: "(五)不予处理", 6: "(六)其他处理"}
        out: list[tuple[list[Cell], list[Cell]]] = []
        last_ordinal_row: int | None = None
        for (lab, val), sec in zip(rows, secs):
            if sec != "三":
                out.append((lab, val))
                continue
            has_vals = any(norm(c.text) for c in val)
            own_i, own = None, None
            for i, c in enumerate(lab):
                o, _ = split_ordinal(c.text)
                if o is not None:
                    own_i, own = i, o
            if own is None:
                if has_vals and last_ordinal_row is not None and not any(
                        norm(c.text) for c in out[last_ordinal_row][1]):
                    plab, _ = out[last_ordinal_row]
                    out[last_ordinal_row] = (plab, val)
                    last_ordinal_row = None
                elif has_vals:
                    out.append((lab, val))  # unplaceable: the mapper reports it
                continue
            printed = [split_ordinal(c.text)[0] for c in lab[:own_i]]
            new_lab = [lab[own_i]]
            conflict = False
            if own.level == 1:
                self._s3_results = own.number == 3
                self._s3_parent, self._s3_last = None, 0
            elif own.level == 2:
                if not self._s3_results:
                    new_lab.insert(0, Cell("三、本年度办理结果", lab[own_i].page, None))
                    self._s3_results = True
                self._s3_parent, self._s3_last = own.number, 0
            else:
                if self._s3_parent in parents and own.number > self._s3_last:
                    parent = self._s3_parent
                else:
                    parent = 3 if self._s3_parent in (None, 1, 2) else self._s3_parent + 1
                self._s3_parent, self._s3_last = parent, own.number
                if parent not in parents or not self._s3_results:
                    conflict = True
                else:
                    new_lab.insert(0, Cell(parents[parent], lab[own_i].page, None))
                conflict = conflict or any(o is not None and o.level == 2 and o.number != parent
                                           for o in printed)
            if any(o is not None and o.level == 1 and o.number != 3 for o in printed):
                conflict = True  # a fragment of another level-1 label on this line: not ours
            if conflict:
                val = [Cell("", c.page, None) for c in val]
            out.append((new_lab, val))
            last_ordinal_row = len(out) - 1
        return out

    # -------------------------------------------------------- anchors

    def _start(self, text: str, lines: list[list[dict]], i: int) -> bool:
        """Set section and anchors when line i opens a table (or a new block of table 二)."""
        if "申请人情况" in text:
            band = _band(lines, i)
            words = [w for line in band for w in line]
            first = next((w for w in words if norm(w["text"]) == "自然人"), None)
            last = next((w for w in words if norm(w["text"]) == "总计"), None)
            anchors: list[float] = []
            if first and last:
                leaves = [_cx(w) for w in words if first["x1"] < _cx(w) < last["x0"]
                          and not any(k in norm(w["text"]) for k in S3_LEAF_SKIP)]
                anchors = [_cx(first)] + _cluster_centres(leaves) + [_cx(last)]
            if len(anchors) != 7:
                anchors = _anchors_from_values(lines, i, 7)
            self._set("三", anchors)
            return True
        if "行政复议" in text and ("行政诉讼" in text or "诉讼" in text):
            band = _band(lines, i)
            xs = [_cx(w) for line in band[1:] for w in line
                  if not any(k in norm(w["text"]) for k in T4_SPAN_WORDS)]
            anchors = _cluster_centres(xs)
            if len(anchors) != 15:
                anchors = _anchors_from_values(lines, i, 15)
            self._set("四", anchors)
            return True
        line = lines[i]
        if norm(line[0]["text"]).startswith("信息内容") and len(line) >= 2:
            self._set("二", _cluster_centres([_cx(w) for w in line[1:]]))
            self.boundary = min(w["x0"] for w in line[1:]) - 2
            return False  # same table: a new column header inside table 二
        if "第二十条" in text and self.section != "二":
            self._set("二", [])
            return True
        return False

    def _set(self, section: str, anchors: list[float]) -> None:
        self.section, self.anchors = section, anchors
        if len(anchors) >= 2:
            self.boundary = anchors[0] - (anchors[1] - anchors[0]) / 2
        elif anchors:
            self.boundary = anchors[0] - 20

    # -------------------------------------------------------- rows

    def _row(self, number: int, line: list[dict], section: str) -> tuple[list[Cell], list[Cell]] | None:
        anchors = self.anchors
        label = [w for w in line if _cx(w) < self.boundary]
        rest = [w for w in line if _cx(w) >= self.boundary]
        slots: list[list[dict]] = [[] for _ in anchors]
        problem = None
        for w in rest:
            d = sorted((abs(_cx(w) - a), k) for k, a in enumerate(anchors))
            k = d[0][1]
            if _numeric(w) and len(d) > 1:
                gap = abs(anchors[d[0][1]] - anchors[d[1][1]])
                if d[1][0] - d[0][0] < AMBIGUOUS * gap:
                    problem = f"value {w['text']!r} lies between two columns"
            if _numeric(w) and any(_numeric(o) for o in slots[k]):
                problem = f"two values under one column header ({slots[k][0]['text']!r}, {w['text']!r})"
            slots[k].append(w)
        if problem:
            self.unplaced.append({"section": section, "label": " ".join(w["text"] for w in label),
                                  "values": [w["text"] for w in rest], "page": number, "reason": problem})
            return None
        return [_cell(number, [w]) for w in label], [_cell(number, ws) for ws in slots]


def _is_num_text(t: str) -> bool:
    return bool(t) and is_value_like(t) and bool(re.search(r"\d", t))


def _cell(number: int, words: list[dict]) -> Cell:
    if not words:
        return Cell("", number, None)
    text = " ".join(w["text"] for w in words)
    box = (round(min(w["x0"] for w in words), 1), round(min(w["top"] for w in words), 1),
           round(max(w["x1"] for w in words), 1), round(max(w["bottom"] for w in words), 1))
    return Cell(text, number, box)


def _band(lines: list[list[dict]], i: int) -> list[list[dict]]:
    """Lines from i up to (not including) the first line with a numeric word."""
    out = []
    for line in lines[i:]:
        if any(_numeric(w) for w in line):
            break
        out.append(line)
    return out


def _anchors_from_values(lines: list[list[dict]], i: int, n: int) -> list[float]:
    """Anchors from the first line below i whose last n words are all numbers."""
    for line in lines[i:]:
        nums = [w for w in line if _numeric(w)]
        if len(nums) == n:
            return [_cx(w) for w in nums]
    return []

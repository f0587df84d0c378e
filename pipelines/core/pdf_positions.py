"""Tables 二/三/四 without vertical rules (or without any rules), read by word positions.

Where a page has no ruled grid, columns are known from the template instead: the header
words give each value column's x-centre (an "anchor"):

- 三: 自然人 … 总计 and the five 法人或其他组织 sub-headers between them (7 anchors);
- 二: the words after `信息内容` on each column-header line;
- 四: the outcome headers (结果维持 … 总计, wrapped or not) below `行政复议 行政诉讼` (15 anchors).

Rows: in tables 二 and 三 of a text layer, labels wrap over several lines and values sit
vertically centred (or top or bottom aligned) in tall rows, so rows are built from bands
(`_band_rows`: label blocks matched to value lines); table 四 and OCR pages go line by line.
Words left of the first value column are label cells, each value word goes to its column. A value that sits between two anchors, or
two values that fall on one anchor, are not guessed (two numbers set touching are split only at a
clear jump of the pen, `split_touching_numbers`): the line goes to `unplaced` (the contract's
`unmapped`) and its codes stay absent, so the document is `partial`. The anchors of a section
carry over to the next page (a table continued without a repeated header), also from a page
whose rules gave the cells (`follow`). Cell boxes are
the words' text boxes; a value cell without words (a printed blank, a number OCR missed) gets
its row's band across its column's band, the place a person should look (`_row`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from .geometry import cluster_means
from .mapping import T2_ROWS
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


_DIGITS = re.compile(r"^\d+$")


def split_touching_numbers(words: list[dict], samples: dict | None = None) -> list[dict]:
    """The page's words, a word of digits that is two numbers set touching in a narrow column
    (316625445: 3166 and 25445 in neighbouring columns) split where the pen jumps.

    Each digit advances the pen by its own width (1 is narrower in Noto Serif), the same wherever
    it is printed at one size, so the page's numbers give each digit's advance (`samples` carries
    the steps seen on earlier pages: (digit, size) -> steps). Two numbers in neighbouring cells
    leave a wider step. A split is made only where it is certain: every step of the word has a
    known advance (three samples), the other steps match theirs within 5%, each wide step is a
    quarter of a digit wider or more, every part has two digits or more. The parts must still
    land squarely in distinct columns (`_row`), else they stay unread."""
    samples = {} if samples is None else samples
    for w in words:
        if _digit_glyphs(w):
            g = w["glyphs"]
            for k in range(len(g) - 1):
                samples.setdefault((w["text"][k], round(w["size"], 1)), []).append(g[k + 1][0] - g[k][0])
    advance = {key: sorted(v)[len(v) // 2] for key, v in samples.items() if len(v) >= 3}
    out = []
    for w in words:
        out.extend(_split_at_pen_jumps(w, advance) if _digit_glyphs(w) and len(w["text"]) >= 4 else [w])
    return out


def _digit_glyphs(w: dict) -> bool:
    g = w.get("glyphs")
    return bool(g) and bool(_DIGITS.match(w["text"])) and len(g) == len(w["text"]) and all(
        x[0] is not None for x in g)


def _split_at_pen_jumps(w: dict, advance: dict[tuple[str, float], float]) -> list[dict]:
    g = w["glyphs"]
    cuts = []
    for k in range(len(g) - 1):
        adv = advance.get((w["text"][k], round(w["size"], 1)))
        if not adv:
            return [w]
        extra = g[k + 1][0] - g[k][0] - adv
        if extra >= 0.25 * adv:
            cuts.append(k + 1)
        elif abs(extra) > 0.05 * adv:
            return [w]  # an uneven step: not a number set in this font, or not one run
    bounds = [0] + cuts + [len(g)]
    if not cuts or any(b - a < 2 for a, b in zip(bounds, bounds[1:])):
        return [w]
    return [dict(w, text=w["text"][a:b], x0=g[a][1], x1=g[b - 1][2], glyphs=g[a:b], touching=True)
            for a, b in zip(bounds, bounds[1:])]


def _cx(w: dict) -> float:
    return (w["x0"] + w["x1"]) / 2


def _header_band(lines: list[list[dict]], i: int) -> list[list[dict]]:
    """Line i and the lines just above and below it that wrap the same header row (no numbers,
    no block heading, within about a line and a half)."""
    size = max(_size(w) for w in lines[i])
    out = [lines[i]]
    for step in (-1, 1):
        k = i + step
        while 0 <= k < len(lines):
            ln = lines[k]
            text = norm("".join(w["text"] for w in ln))
            near = abs(ln[0]["baseline"] - out[0 if step < 0 else -1][0]["baseline"]) <= 1.6 * size
            # a row label just under the header (rows set tight) begins the body
            row_label = step > 0 and any(needle in text for needle, _ in T2_ROWS)
            if (not near or row_label or any(_numeric(w) for w in ln) or "第二十条" in text
                    or _HEADING.match(text)):
                break
            if step < 0:
                out.insert(0, ln)
            else:
                out.append(ln)
            k += step
    return out


def _joined_centres(heads: list[dict]) -> list[float]:
    """Centres of the header texts, a bracketed note joined to the words it follows: a unit note in
    brackets (本年收费金额（单位：万元）) may come as words of its own, and the value sits under the
    middle of the whole header, not under one of its words."""
    out: list[float] = []
    for line in lines_of(heads):
        run = [line[0]]
        for w in line[1:]:
            text = "".join(x["text"] for x in run)
            open_note = text.count("（") + text.count("(") > text.count("）") + text.count(")")
            if (w["text"][:1] in "（(" or open_note) and w["x0"] - run[-1]["x1"] < _size(w):
                run.append(w)  # a bracketed note a glyph's bearing away: the same header
                continue
            out.append((run[0]["x0"] + run[-1]["x1"]) / 2)
            run = [w]
        out.append((run[0]["x0"] + run[-1]["x1"]) / 2)
    return out


def _cluster_centres(xs: list[float], tol: float = 6.0) -> list[float]:
    return cluster_means(xs, tol)


def _numeric(w: dict) -> bool:
    return is_value_like(w["text"]) and bool(re.search(r"\d", w["text"]))


@dataclass
class PositionReader:
    """Reads the unruled table pages of one document in page order (state carries over pages)."""

    section: str | None = None
    anchors: list[float] = field(default_factory=list)
    starts: list[float] = field(default_factory=list)  # table 二: where each column's header text starts
    boundary: float = 0.0
    unplaced: list[dict] = field(default_factory=list)
    # OCR'd pages (ocr.py): rebuild table 三's row labels from the template's row order, since
    # OCR lines split a row-spanning label (三、本年度办理结果, (三)不予公开) into fragments that
    # sit on whichever row is at the span's middle, and a wrapped label's values on its own line
    repair_s3: bool = False
    _s3_parent: int | None = None
    _s3_last: int = 0
    _s3_results: bool = False
    _carry_header: bool = False  # a table's header row was cut by the page's foot
    pitch: float | None = None  # the wrap pitch of labels learned on an earlier page
    _digit_steps: dict = field(default_factory=dict)  # pen steps after each digit, per size

    def page_tables(self, number: int, words: list[dict]) -> list[Table]:
        if self.repair_s3:
            # OCR boxes two label columns set close as one word ((三)不予1.属于国家秘密): the row's
            # own label starts at the inner ordinal (the text route splits them in _label_blocks)
            words = [p for w in words for p in ([w] if _numeric(w) else _split_at_ordinals(w))]
        lines = lines_of(split_touching_numbers(words, self._digit_steps))
        tables: list[Table] = []
        rows: list[tuple[list[Cell], list[Cell]]] = []  # (label cells, value cells)
        row_secs: list[str | None] = []

        body: list[list[dict]] = []  # lines of a section 二/三 body, turned into rows together
        body_section: list[str | None] = [None]

        def flush_body():
            if body:
                for row in self._band_rows(number, body, body_section[0]):
                    rows.append(row)
                    row_secs.append(body_section[0])
                body.clear()

        def flush():
            nonlocal rows
            flush_body()
            if rows and self.repair_s3 and "二" in row_secs:
                rows, row_secs[:] = _join_split_rows(rows, row_secs, "二")
            if rows and self.repair_s3 and "三" in row_secs:
                rows = self._repair_s3(rows, row_secs)
            row_secs.clear()
            if rows:
                nl = max(len(lab) for lab, _ in rows)
                nv = max(len(val) for _, val in rows)
                # padding is not print: a label-only row must never read as a row of blanks
                pad = Cell("", number, None, covered=True)
                tables.append(Table([lab + [pad] * (nl - len(lab)) + val + [pad] * (nv - len(val))
                                     for lab, val in rows], number, "word-positions"))
            rows = []

        i = 0
        if self._carry_header and lines:
            # the table's header row was cut by the page break (its first line at the foot of
            # the previous page): the rest of the header opens this page, read the columns there
            i = self._continue_header(lines)
        while i < len(lines):
            line = lines[i]
            text = norm("".join(w["text"] for w in line))
            if _HEADING.match(text):
                flush()
                self.section, self.anchors = None, []
                i += 1
                continue
            if norm(line[0]["text"]).startswith("信息内容") or "申请人情况" in text or "行政复议" in text:
                flush_body()  # before _start moves to the next table
            if (self.section == "二" and norm(line[0]["text"]).startswith("信息内容")
                    and not self.repair_s3):
                band = _header_band(lines, i)
                self._start(text, lines, i)
                heads = [w for band_line in band for w in band_line]
                # one header row for the mapper (template markers, column names), then the body
                rows.append(([_cell(number, [line[0]])],
                             [_cell(number, [w for w in heads if w is not line[0]
                                             and abs(_cx(w) - a) == min(abs(_cx(w) - b) for b in self.anchors)])
                              for a in self.anchors]))
                row_secs.append("二")
                last = max(bl[0]["baseline"] for bl in band)
                while i < len(lines) and lines[i][0]["baseline"] <= last + 0.5:
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
                if self.section == "四" and self._carry_header:  # the marker row: columns follow
                    rows.append(([_cell(number, line)], []))
                    row_secs.append(None)
                    i += 1
                    continue
            row_section = self.section
            if row_section == "二" and "第二十条" in text:
                flush_body()
                row = ([_cell(number, line)], [])  # a block header: one cell, never a value
            elif row_section is None or not self.anchors:
                i += 1
                continue
            elif row_section in ("二", "三") and not self.repair_s3:
                body.append(line)  # rows are built from the whole body: labels wrap over lines
                body_section[0] = row_section
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

    def follow(self, number: int, words: list[dict]) -> None:
        """Read a page another reader took (its rules gave the cells) only for the state it leaves:
        a table 二 block header at the page's foot, its rows opening the next page, gives the
        columns those rows are read under here. Its tables and unplaced values are not kept: the
        other reader's stand."""
        kept = list(self.unplaced)
        self.page_tables(number, words)
        self.unplaced[:] = kept

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
        parents = _S3_PARENTS
        out: list[tuple[list[Cell], list[Cell]]] = []
        last_ordinal_row: int | None = None
        vertical = _vertical_heading_cells([lab for (lab, _), sec in zip(rows, secs) if sec == "三"])
        for (lab, val), sec in zip(rows, secs):
            if sec != "三":
                out.append((lab, val))
                continue
            # a heading printed down a narrow column (三、 / 本年 / 度办 / …) spans the rows beside
            # it: its pieces are no row's label, and its bare ordinal opens no row
            lab = [c for c in lab if id(c) not in vertical]
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
            if (own.level == 2 and own.number == self._s3_parent and own.number in parents
                    and self._s3_last and own_i == 0 and has_vals and last_ordinal_row is not None
                    and not any(norm(c.text) for c in out[last_ordinal_row][1])):
                # the heading of the group the row above was filed under, printed centred beside
                # that row's wrapped label (the rest of the group past a page break): a heading
                # holds no values, the ones on its line are that row's
                plab, _ = out[last_ordinal_row]
                out[last_ordinal_row] = (plab, val)
                last_ordinal_row = None
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
                val = [Cell("", c.page, c.bbox) for c in val]  # unread: where to look stays
            out.append((new_lab, val))
            last_ordinal_row = len(out) - 1
        return out

    # -------------------------------------------------------- rows from bands (text route)

    def _band_rows(self, number: int, lines: list[list[dict]], section: str | None
                   ) -> list[tuple[list[Cell], list[Cell]]]:
        """Rows of a table body whose labels wrap over several lines.

        Borderless and three-line tables print a label over 2–3 lines with its values vertically
        centred (or top or bottom aligned) in a tall row, so a value line and its label's lines
        do not share a baseline. Label words are joined into blocks (a block starts at an ordinal
        and continues on the next lines that overlap it horizontally); every line holding numbers
        right of the label boundary is a value row; the row labels (leaves) are matched to value
        rows top to bottom, each value row taking the leaf nearest to it that is nearer to it than
        to any other value row. Table 三's parent labels (三、本年度办理结果, (三)不予公开 …), which
        sit mid-way down the rows they span, are emitted as label-only rows just before the run
        of numbered rows (1. 2. 3. …) they head. A value row no leaf claims is reported, never
        given a neighbour's label.
        """
        value_rows: list[tuple[float, list[dict]]] = []
        label_words: list[dict] = []
        for line in lines:
            rest = [w for w in line if _cx(w) >= self.boundary]
            label_words.extend(w for w in line if _cx(w) < self.boundary)
            if any(_numeric(w) for w in rest):
                value_rows.append((line[0]["baseline"], rest))
            elif rest:
                label_words.extend(rest)  # text right of the boundary without numbers: wrapped labels
        blocks, pitch = _label_blocks(label_words, self.pitch)
        self.pitch = pitch or self.pitch
        blocks = _split_at_value_rows(blocks, [y for y, _ in value_rows])
        if section == "三":
            blocks = [b for b in blocks if not _heading_rest(b, blocks)]
        s3_2021 = section == "三" and (any("逾期不补正" in b.text or "收费通知" in b.text for b in blocks)
                                      or any(_heads_beside(b, blocks) for b in blocks))
        leaves = [b for b in blocks if not (section == "三" and _is_s3_parent(b, s3_2021))]
        parents = [b for b in blocks if b not in leaves]
        pairs = _match(leaves, [y for y, _ in value_rows])
        columns = self._learn_columns([words for _, words in value_rows])
        out: list[tuple[float, list[Cell], list[Cell], Block | None]] = []  # (y, labels, values, leaf)
        claimed = set()
        for li, vj in pairs:
            claimed.add(vj)
            y, words = value_rows[vj]
            leaf = leaves[li]
            row = self._row(number, words, section or "", label_text=leaf.text, columns=columns,
                            band=(leaf.ink_top, leaf.ink_bottom))
            if row is None:
                continue
            out.append((y, [leaves[li].cell(number)], row[1], leaves[li]))
        for vj, (y, words) in enumerate(value_rows):
            if vj not in claimed:
                self.unplaced.append({"section": section or "", "label": "", "page": number,
                                      "values": [w["text"] for w in words],
                                      "reason": "values on a line no row label can be matched to"})
        matched = {li for li, _ in pairs}
        for li, b in enumerate(leaves):
            if li not in matched:
                out.append((b.centre, [b.cell(number)], [], b))
        out.sort(key=lambda r: r[0])
        for p in sorted(parents, key=lambda b: b.centre):
            at = _parent_position(p, out)
            out.insert(at, (p.centre, [p.cell(number)], [], None))
        return [(labels, values) for _, labels, values, _ in out]

    # -------------------------------------------------------- anchors

    def _start(self, text: str, lines: list[list[dict]], i: int) -> bool:
        """Set section and anchors when line i opens a table (or a new block of table 二)."""
        if "申请人情况" in text:
            band = _band(lines, i)
            anchors = _s3_header_anchors([w for line in band for w in line])
            if len(anchors) != 7:
                anchors = _anchors_from_values(lines, i, 7)
            self._set("三", anchors)
            self._carry_header = len(anchors) != 7 and i + len(band) >= len(lines)
            return True
        if "行政复议" in text and ("行政诉讼" in text or "诉讼" in text):
            band = _band(lines, i)
            xs = [_cx(w) for line in band[1:] for w in line
                  if not any(k in norm(w["text"]) for k in T4_SPAN_WORDS)]
            anchors = _cluster_centres(xs)
            if len(anchors) != 15:
                anchors = _anchors_from_values(lines, i, 15)
            self._set("四", anchors)
            self._carry_header = len(anchors) != 15 and i + len(band) >= len(lines)
            return True
        line = lines[i]
        if norm(line[0]["text"]).startswith("信息内容"):
            # the column headers may wrap above and below the 信息内容 line (本年新 / 制作数量)
            heads = [w for band_line in _header_band(lines, i) for w in band_line
                     if w["x0"] > line[0]["x1"]]
            if heads:
                self._set("二", _cluster_centres(_joined_centres(heads), tol=max(6.0, _size(heads[0]))))
                self.boundary = min(w["x0"] for w in heads) - 2
                near = [min(range(len(self.anchors)), key=lambda k: abs(_cx(w) - self.anchors[k])) for w in heads]
                self.starts = [min(w["x0"] for w, k in zip(heads, near) if k == a) for a in range(len(self.anchors))]
            return False  # same table: a new column header inside table 二
        if "第二十条" in text and self.section != "二":
            self._set("二", [])
            return True
        return False

    def _continue_header(self, lines: list[list[dict]]) -> int:
        """Columns of a table whose header row continues at the top of this page; the index of
        the first body line (0 when the columns cannot be read: the body is then left unread)."""
        self._carry_header = False
        band = _band(lines, 0)
        words = [w for line in band for w in line]
        if self.section == "三":
            anchors = _s3_header_anchors(words)
            n = 7
        elif self.section == "四":
            anchors = _cluster_centres([_cx(w) for w in words
                                        if not any(k in norm(w["text"]) for k in T4_SPAN_WORDS)])
            n = 15
        else:
            return 0
        if len(anchors) != n:
            anchors = _anchors_from_values(lines, 0, n)
        if len(anchors) != n:
            return 0
        self._set(self.section, anchors)
        return len(band)

    def _set(self, section: str, anchors: list[float]) -> None:
        self.section, self.anchors, self.starts = section, anchors, []
        if len(anchors) >= 2:
            self.boundary = anchors[0] - (anchors[1] - anchors[0]) / 2
        elif anchors:
            self.boundary = anchors[0] - 20

    # -------------------------------------------------------- rows

    def _row(self, number: int, line: list[dict], section: str, label_text: str | None = None,
             columns: tuple[str, list[float]] | None = None, band: tuple[float, float] | None = None
             ) -> tuple[list[Cell], list[Cell]] | None:
        """Label cells and one value cell per column for one line of values.

        Each value is placed by position: against the columns learned from the full lines of
        the same table (left edges, centres or right edges, whichever the values are aligned
        on) when there are at least two, else against the header centres. A line printing as
        many values as there are columns must also read them in order. A value between two
        columns, one nearer another column than its order says, or two values on one column,
        are not guessed.

        A value cell that holds no word (a printed blank, or a number the reader did not see)
        gets the box where its value would be printed: its row's band (the line's words and
        `band`, the vertical extent of the row's label) across its column's band
        (`_column_bands`), so that an unread cell can be looked at like a ruled grid's.
        """
        anchors = self.anchors
        label = [w for w in line if _cx(w) < self.boundary]
        rest = [w for w in line if _cx(w) >= self.boundary]
        slots: list[list[dict]] = [[] for _ in anchors]
        problem = None
        values = [w for w in rest if _value_word(w)]
        key, centres = columns if columns else ("cx", anchors)
        by_order = _shifted_alike(values, centres, _KEYS[key]) or _within_starts(values, self.starts)
        for w in rest:
            x = _KEYS[key](w)
            d = sorted((abs(x - a), k) for k, a in enumerate(centres))
            k = d[0][1]
            if w.get("touching") and (len(d) < 2 or d[1][0] - d[0][0] < 0.5 * abs(
                    centres[d[0][1]] - centres[d[1][1]])):
                # a part of numbers set touching must sit squarely under one column of its own
                problem = f"numbers set touching ({w['text']!r}) not squarely under a column"
            if len(values) == len(anchors) and _value_word(w):
                k = values.index(w)  # as many values as columns: the k-th value is the k-th column
                if by_order and not (w.get("touching") and d[0][1] != k):
                    slots[k].append(w)
                    continue
                if d[0][1] != k:
                    problem = f"value {w['text']!r} lies nearer another column's header"
            if _numeric(w) and len(d) > 1:
                gap = abs(centres[d[0][1]] - centres[d[1][1]])
                if d[1][0] - d[0][0] < AMBIGUOUS * gap:
                    problem = f"value {w['text']!r} lies between two columns"
            if _numeric(w) and any(_numeric(o) for o in slots[k]):
                problem = f"two values under one column header ({slots[k][0]['text']!r}, {w['text']!r})"
            slots[k].append(w)
        if problem:
            self.unplaced.append({"section": section, "label": label_text or " ".join(w["text"] for w in label),
                                  "values": [w["text"] for w in rest], "page": number, "reason": problem})
            return None
        values_out = [_cell(number, ws) for ws in slots]
        if not all(slots) and line:
            top, bottom = min(w["top"] for w in line), max(w["bottom"] for w in line)
            if band is not None:
                top, bottom = min(top, band[0]), max(bottom, band[1])
            for k, (x0, x1) in enumerate(self._column_bands(key, centres)):
                if not slots[k]:
                    values_out[k] = Cell("", number, (round(x0, 1), round(top, 1), round(x1, 1), round(bottom, 1)))
        return [_cell(number, [w]) for w in label], values_out

    def _column_bands(self, key: str, centres: list[float]) -> list[tuple[float, float]]:
        """Each value column's horizontal extent (x0, x1) in points, as a ruled grid's cell would
        span it: columns placed by centre end half-way to their neighbours; right-aligned columns
        (key x1) run from the previous column's right edge to their own, left-aligned ones (x0)
        from their own left edge to the next one's. The outer edges lie a column's width (the
        nearest gap) out, never left of the label boundary; a lone column spans the label
        boundary's distance from its centre on either side."""
        n = len(centres)
        if n == 0:
            return []
        if n == 1:
            half = max(abs(centres[0] - self.boundary), 6.0)
            edges = [centres[0] - half, centres[0] + half]
            return [(max(edges[0], self.boundary) if self.boundary < centres[0] else edges[0], edges[1])]
        pad = 1.0  # a glyph's bearing past the edge the values share
        gaps = [b - a for a, b in zip(centres, centres[1:])]
        if key == "x1":
            edges = [centres[0] - gaps[0]] + list(centres)
            bands = [(edges[k] + pad, edges[k + 1] + pad) for k in range(n)]
        elif key == "x0":
            edges = list(centres) + [centres[-1] + gaps[-1]]
            bands = [(edges[k] - pad, edges[k + 1] - pad) for k in range(n)]
        else:
            mids = [(a + b) / 2 for a, b in zip(centres, centres[1:])]
            edges = [centres[0] - gaps[0] / 2] + mids + [centres[-1] + gaps[-1] / 2]
            bands = [(edges[k], edges[k + 1]) for k in range(n)]
        first = (max(bands[0][0], self.boundary), bands[0][1])
        return [first if first[0] < first[1] else bands[0]] + bands[1:]

    def _learn_columns(self, rows: list[list[dict]]) -> tuple[str, list[float]] | None:
        """Column positions from the lines that print a value in every column.

        Each column's values share a left edge, a centre or a right edge (the table's alignment);
        the key whose positions vary least across those lines is the one to place the others by.
        """
        n = len(self.anchors)
        full = [vals for vals in ([w for w in r if _value_word(w)] for r in rows) if len(vals) == n]
        if len(full) < 2 or n < 2:
            return None  # one line cannot vouch for its own alignment: the headers decide
        best = None
        for key, fx in _KEYS.items():
            cols = [[fx(vals[k]) for vals in full] for k in range(n)]
            spread = sum(max(c) - min(c) for c in cols)
            centres = [sorted(c)[len(c) // 2] for c in cols]
            if best is None or spread < best[0]:
                best = (spread, key, centres)
        return best[1], best[2]

def _join_split_rows(rows: list[tuple[list[Cell], list[Cell]]], secs: list[str | None], section: str
                     ) -> tuple[list[tuple[list[Cell], list[Cell]]], list[str | None]]:
    """Rows of `section` read line by line (OCR) whose label and values came as two lines, joined.

    In a tall row the label may sit at the top and the values at the bottom (or the other way
    round), more than half a line apart: OCR gives two lines, one a label without values, the
    next values without a label, which the mapper would read as a row labelled by its first
    number. Two such neighbouring rows are one row when their printed boxes overlap vertically
    (by 30% of the shorter box's height or more; lines more than half a line apart overlap by
    up to half) and neither overlaps another row of the other kind the same way (else nothing
    is joined: the values stay unplaced, never given a neighbour's label). A joined row's blank
    cells span both lines.
    """
    def texts(cells: list[Cell]) -> list[Cell]:
        return [c for c in cells if norm(c.text) and c.bbox is not None]

    def kind(k: int) -> str | None:
        if k < 0 or k >= len(rows) or secs[k] != section:
            return None
        lab, val = rows[k]
        if texts(lab) and val and not texts(val):
            return "label"
        if not texts(lab) and any(_is_num_text(c.text) for c in val):
            return "values"
        return None

    def span(k: int) -> tuple[float, float]:
        lab, val = rows[k]
        boxes = [c.bbox for c in texts(lab) + texts(val)]
        return min(b[1] for b in boxes), max(b[3] for b in boxes)

    def overlap(a: int, b: int) -> bool:
        # by a good share of a line: OCR boxes run taller than the ink, so the boxes of two
        # one-line rows set tight may touch by a point or two
        (t0, b0), (t1, b1) = span(a), span(b)
        return min(b0, b1) - max(t0, t1) >= 0.3 * min(b0 - t0, b1 - t1)

    def pairs_with(k: int, other: str) -> list[int]:
        return [j for j in (k - 1, k + 1) if kind(j) == other and overlap(k, j)]

    out, out_secs = [], []
    k = 0
    while k < len(rows):
        j = k + 1
        kinds = (kind(k), kind(j))
        if sorted(kinds, key=str) == ["label", "values"]:
            lab_k, val_k = (k, j) if kinds[0] == "label" else (j, k)
            if pairs_with(lab_k, "values") == [val_k] and pairs_with(val_k, "label") == [lab_k]:
                top, bottom = min(span(k)[0], span(j)[0]), max(span(k)[1], span(j)[1])
                values = [c if norm(c.text) or c.bbox is None
                          else replace(c, bbox=(c.bbox[0], top, c.bbox[2], bottom)) for c in rows[val_k][1]]
                out.append((rows[lab_k][0], values))
                out_secs.append(section)
                k += 2
                continue
        out.append(rows[k])
        out_secs.append(secs[k])
        k += 1
    return out, out_secs


@dataclass
class Block:
    """One printed row label: words joined over the lines it wraps onto."""

    words: list[dict]

    @property
    def text(self) -> str:
        lines = lines_of(self.words)
        return "".join("".join(w["text"] for w in line) for line in lines)

    @property
    def top(self) -> float:
        return min(w["baseline"] for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w["baseline"] for w in self.words)

    @property
    def ink_top(self) -> float:
        return min(w["top"] for w in self.words)

    @property
    def ink_bottom(self) -> float:
        return max(w["bottom"] for w in self.words)

    @property
    def centre(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def x0(self) -> float:
        return min(w["x0"] for w in self.words)

    @property
    def x1(self) -> float:
        return max(w["x1"] for w in self.words)

    def cell(self, number: int) -> Cell:
        c = _cell(number, self.words)
        return Cell(self.text, number, c.bbox)


def _size(w: dict) -> float:
    """The font size where the reader knows it (a tight glyph box of 、 is a point high)."""
    return max(w.get("size") or 0.0, w["bottom"] - w["top"], 4.0)


def _label_blocks(words: list[dict], known_pitch: float | None = None) -> tuple[list[Block], float | None]:
    """Row labels from label words: a block starts at an ordinal (一、 (一) 1.) or where nothing
    continues; a word continues the block whose words on the line just above overlap it
    horizontally (within about a line and a half, or the page's wrap pitch), else the word just
    left of it on its own line when the gap is a word gap, not a column gap. Also returns the
    wrap pitch used (None when the page shows none)."""
    blocks: list[Block] = []
    words = [part for w in words for part in _split_at_ordinals(w)]
    lines = lines_of(words)
    pitch = _wrap_pitch(lines, known_pitch)
    most_steps = pitch or _wrap_pitch(lines, None, share=0.5)  # only to keep a word from a row above

    def reach(w: dict) -> float:
        # LibreOffice sets Noto CJK at ~1.8 em a line: its wrapped labels sit further apart than
        # 1.7 em, but always at one pitch, shared by most unnumbered lines of the page
        return max(1.7 * _size(w), pitch + 0.5 if pitch and pitch <= 1.9 * _size(w) else 0.0)

    for line in lines:
        prev: tuple[dict, Block] | None = None
        for w in line:
            ordinal, _ = split_ordinal(w["text"])
            target = None
            if ordinal is None:
                # a wrapped line may start a little left of the line above (hanging punctuation)
                best = -0.8 * _size(w)
                # a word a word-gap after the one before it is that one's label's, unless a label
                # above wraps onto this line: one wrap pitch below it (the page's, else the label's
                # own when it wraps), not a row lower
                after_word = prev is not None and w["x0"] - prev[0]["x1"] < _size(w)
                for b in blocks:
                    limit = reach(w)
                    if after_word:
                        step = pitch or _own_pitch(b) or most_steps
                        limit = min(limit, step + 0.5) if step else limit
                    above = [x for x in b.words if 0.5 < w["baseline"] - x["baseline"] <= limit]
                    if not above:
                        continue
                    overlap = min(w["x1"], max(x["x1"] for x in above)) - max(w["x0"], min(x["x0"] for x in above))
                    if overlap > best:
                        best, target = overlap, b
                if (prev is not None and not split_ordinal(prev[1].text)[1] and best <= 0
                        and w["x0"] - prev[0]["x1"] < 1.5 * _size(w)):
                    # a bare ordinal (三、, its 、 leaving a wide gap) is followed by its own words,
                    # unless they lie right under a label above: the hanging-punctuation allowance
                    # never takes them from it
                    target = prev[1]
                elif target is None and prev is not None and w["x0"] - prev[0]["x1"] < _size(w):
                    target = prev[1]
            if target is None:
                target = Block([])
                blocks.append(target)
            target.words.append(w)
            prev = (w, target)
    return blocks, pitch


def _split_at_value_rows(blocks: list[Block], ys: list[float]) -> list[Block]:
    """Blocks cut where two value rows fall inside one block's lines.

    Two one-line labels stacked a line apart with no rule between them (规章 / 行政规范性文件 in a
    borderless table printed by a browser) join into one block as a wrapped label would; but a
    wrapped label has one value row, so a block holding two has two labels. It is cut between
    the two rows where its lines step furthest apart (a row's padding lies between two labels, a
    wrap does not); when no step is the clear widest, the block stays whole and claims one row at
    most (the other is reported, never given its neighbour's label). Headings that span rows
    are not cut."""
    out: list[Block] = []
    cut_off: list[Block] = []  # the lower pieces of cut blocks (kept alive: compared by identity)
    work = list(blocks)
    while work:
        b = work.pop(0)
        inside = sorted(y for y in ys if b.top - 1 <= y <= b.bottom + 1)
        lines = lines_of(b.words)
        base = [line[0]["baseline"] for line in lines]
        cut = None
        # a heading spanning rows by design (三、本年度办理结果, (三)不予公开, maybe one
        # character a line in a narrow column) holds many value rows and is never cut
        if len(inside) >= 2 and len(lines) >= 2 and not _is_s3_parent(b, True):
            lo, hi = inside[0], inside[1]
            # a cut between line k and k+1 keeps the first row's values above it and the second's below
            steps = [(base[k + 1] - base[k], k) for k in range(len(lines) - 1)
                     if base[k] >= lo - 1 and base[k + 1] <= hi + 1]
            steps.sort(reverse=True)
            if len(steps) == 1 or (len(steps) > 1 and steps[0][0] - steps[1][0] > 0.5):
                cut = steps[0][1]
        if cut is None:
            out.append(b)
            continue
        upper = {id(w) for line in lines[:cut + 1] for w in line}
        lower = Block([w for w in b.words if id(w) not in upper])
        cut_off.append(lower)
        work[:0] = [Block([w for w in b.words if id(w) in upper]), lower]
    # a cut-off label's bare ordinal (四、, its 、 leaving a wide gap) sits just left of its first
    # line: it was left a block of its own (or joined to a word below) when its words joined
    # the label above
    for b in [x for x in out if any(x is c for c in cut_off)]:
        first = lines_of(b.words)[0]
        for o in out:
            if (o is not b and split_ordinal(o.text)[0] is not None and not norm(split_ordinal(o.text)[1])
                    and abs(o.bottom - first[0]["baseline"]) <= 1
                    and 0 <= first[0]["x0"] - o.x1 < 1.5 * _size(first[0])):
                b.words[:0] = o.words
                out.remove(o)
                break
    return out


def _own_pitch(b: Block) -> float | None:
    """The step between the lines of one wrapped label (None for a one-line label)."""
    ys = [line[0]["baseline"] for line in lines_of(b.words)]
    steps = [y1 - y0 for y0, y1 in zip(ys, ys[1:])]
    return min(steps) if steps else None


def _wrap_pitch(lines: list[list[dict]], known: float | None = None, share: float | None = None
                ) -> float | None:
    """The baseline step between a label word and the word right above it in the same column
    (overlapping it), for words that start no label, when at least three-quarters of such steps
    agree (to 0.3 pt, or half of it) and there are six (all of them when there are four or five). Steps are taken per column: two label
    columns wrapped side by side (三、本年度办理结果 beside (二)部分公开…) interleave their lines,
    so steps between consecutive lines of the page mix both columns."""
    words = [w for line in lines for w in line]
    steps = []
    for w in words:
        if split_ordinal(w["text"])[0] is not None:
            continue
        above = [x for x in words if 0.5 < w["baseline"] - x["baseline"] < 2.2 * _size(w)
                 and min(w["x1"], x["x1"]) > max(w["x0"], x["x0"])]
        if above:
            steps.append(round(w["baseline"] - max(x["baseline"] for x in above), 1))

    def agree(s: float) -> int:  # a label centred on an even number of lines steps half a pitch
        return sum(abs(t - s) <= 0.3 or abs(2 * t - s) <= 0.6 for t in steps)

    if share is not None:
        # the step most steps agree on (three at least), the smaller of two as common: steps from
        # one row's label down to the next row's are longer than wraps and may be as many
        best = max(steps, key=lambda s: (agree(s), -s)) if steps else None
        return best if best is not None and agree(best) >= max(3.0, share * len(steps)) else None
    if len(steps) < 4:
        # too few to learn from (a page of one-line labels): the pitch learned on an earlier
        # page of the table holds when every step here agrees with it
        return known if known and steps and agree(known) == len(steps) else None

    best = max(steps, key=lambda s: (agree(s), s))
    # a few steps (a page holding only the first rows of a table) must all agree
    return best if agree(best) >= (0.75 if len(steps) >= 6 else 1.0) * len(steps) else None


# after an ideograph, or right after a bare ordinal opening the word (三、(一)予以公开, （四）2.没有现成…:
# a heading's column and the next label column set close in a narrow unruled table)
_INNER_ORDINAL = re.compile(r"(?:(?<=[\u4e00-\u9fff])|(?<=^[一二三四五六七八九十]、)|(?<=^[（(][一二三四五六七八九十][）)]))"
                            r"(?=[（(][一二三四五六七八九十][）)]|[1-9][.、．])")


def _split_at_ordinals(w: dict) -> list[dict]:
    """A word that runs from one label into the next (（四）无法1.本机关…: two columns set close)
    split where the second label's ordinal starts, x shared out by characters."""
    cuts = [m.start() for m in _INNER_ORDINAL.finditer(w["text"])]
    if not cuts:
        return [w]
    out, start = [], 0
    n = len(w["text"])
    width = w["x1"] - w["x0"]
    for end in cuts + [n]:
        part = dict(w, text=w["text"][start:end], x0=w["x0"] + width * start / n, x1=w["x0"] + width * end / n)
        out.append(part)
        start = end
    return out


def _is_s3_parent(b: Block, template_2021: bool) -> bool:
    """Labels of table 三 that head other rows and hold no values of their own."""
    ordinal, _ = split_ordinal(b.text)
    if ordinal is None:
        return False
    if ordinal.level == 1:
        return ordinal.number == 3  # 三、本年度办理结果
    if ordinal.level == 2:
        return ordinal.number in (3, 4, 5) or (ordinal.number == 6 and template_2021)
    return False


S3_HEADINGS = ("本年度办理结果", "不予公开", "无法提供", "不予处理", "其他处理")  # rows that head others


def _heading_rest(b: Block, blocks: list[Block]) -> bool:
    """True for the rest of a heading of table 三 cut by a page break (理结 / 果 of 三、本年度办理结果,
    他处理 of (六)其他处理, opening the next page, their ordinals left on the page before): no
    ordinal, a piece of a heading, printed left of a numbered label beside it. It labels no row
    of its own and would otherwise claim the values of the row beside it."""
    text = norm(b.text)
    if split_ordinal(b.text)[0] is not None or not text or not any(text in h for h in S3_HEADINGS):
        return False
    # beside: the printed boxes overlap vertically (baselines alone miss a fragment set a line
    # higher than the label beside it, e.g. flowed top-aligned onto the next page's first row
    # while that row's label is centred in it)
    return any(split_ordinal(o.text)[0] is not None and o.x0 >= b.x1 and o.ink_top <= b.ink_bottom
               and o.ink_bottom >= b.ink_top for o in blocks)


# table 三's level-2 headings that span rows, by their number; printed down a narrow column
# (vertical), each heading's words follow its ordinal
_S3_PARENTS = {3: "(三)不予公开", 4: "(四)无法提供", 5: "(五)不予处理", 6: "(六)其他处理"}
_VERTICAL_HEADS = {(1, 3): "本年度办理结果",
                   **{(2, n): split_ordinal(label)[1] for n, label in _S3_PARENTS.items()}}


def _vertical_heading_cells(labels: list[list[Cell]]) -> set[int]:
    """ids of the label cells (OCR route, table 三, one list per line top to bottom) that are the
    pieces of a heading printed vertically in a narrow first column: a line's first cell an
    ordinal of a heading that spans rows (三、 of 本年度办理结果, (四) of 无法提供 …) with at most
    two characters after it, then, each the first cell of a later line, pieces of one or two
    characters stacked right under it in the same column (overlapping it horizontally, a line or
    less apart), which spell that heading's words (all of them, or their beginning when the page
    ends first). Such a heading is a parent spanning the rows beside it, never a row: its bare
    ordinal, taken for the row's own, would file the rows that follow under the wrong parent."""
    def first(k: int) -> Cell | None:
        cells = [c for c in labels[k] if c.bbox is not None and norm(c.text)]
        return min(cells, key=lambda c: c.bbox[0]) if cells else None

    out: set[int] = set()
    for i in range(len(labels)):
        head = first(i)
        if head is None or id(head) in out:
            continue
        ordinal, rest = split_ordinal(head.text)
        words = _VERTICAL_HEADS.get((ordinal.level, ordinal.number)) if ordinal is not None else None
        if words is None or len(rest) > 2 or not words.startswith(rest):
            continue
        pieces, spelled, prev = [head], rest, head.bbox
        for k in range(i + 1, len(labels)):
            c = first(k)
            if c is None:
                continue
            x0, top, x1, bottom = c.bbox
            text = norm(c.text)
            over = min(x1, prev[2]) - max(x0, prev[0])
            if top - prev[3] > prev[3] - prev[1] or top <= prev[1]:
                break  # not stacked right under the piece above: the column ends
            if (over < 0.5 * min(x1 - x0, prev[2] - prev[0]) or len(text) > 2
                    or split_ordinal(text)[0] is not None or not words.startswith(spelled + text)):
                break
            pieces.append(c)
            spelled, prev = spelled + text, c.bbox
            if spelled == words:
                break
        if len(pieces) >= 2 and len(spelled) >= 2:
            out.update(id(c) for c in pieces)
    return out


def _shifted_alike(values: list[dict], centres: list[float], x) -> bool:
    """True when a line prints one value per column, in order, each the same distance from its
    column's anchor: right- or left-aligned values under centred headers sit off-centre by the
    same amount (a row alone in its block has no other line to learn the alignment from), so
    the order places them; values each off by a different amount stay ambiguous."""
    if len(values) != len(centres) or len(centres) < 2:
        return False
    offsets = [x(v) - c for v, c in zip(values, centres)]
    gap = min(b - a for a, b in zip(centres, centres[1:]))
    return gap > 0 and max(offsets) - min(offsets) < AMBIGUOUS * gap and all(
        abs(o) < gap / 2 for o in offsets)


def _within_starts(values: list[dict], starts: list[float]) -> bool:
    """True when a line prints one value per column, in order, each inside its column as the
    header texts start them: header k's text starts the column, header k+1's ends it (headers
    set flush left over right-aligned values: each value sits nearer the next header's centre,
    yet wholly between its own header's start and the next one's)."""
    n = len(starts)
    if n < 2 or len(values) != n or starts != sorted(starts):
        return False
    return all(starts[k] - 2 <= v["x0"] and (k + 1 == n or v["x1"] < starts[k + 1] - 1)
               for k, v in enumerate(values))


def _heads_beside(b: Block, blocks: list[Block]) -> bool:
    """True for （六）其他处理 printed beside a numbered row's label: the 2021 heading of rows 1–3
    (its rows' own words may sit past a page break), not the 2019 row of values."""
    ordinal, _ = split_ordinal(b.text)
    if ordinal is None or (ordinal.level, ordinal.number) != (2, 6):
        return False
    for o in blocks:
        own, _ = split_ordinal(o.text)
        if (own is not None and own.level == 3 and o.x0 >= b.x1
                and o.top <= b.bottom + 1 and o.bottom >= b.top - 1):
            return True
    return False


def _match(leaves: list[Block], ys: list[float]) -> list[tuple[int, int]]:
    """(leaf, value row) pairs: each value row takes its nearest leaf when that leaf is also
    nearer to it than to any other value row (mutual nearest); everything else stays unmatched."""
    pairs = []
    if not leaves or not ys:
        return pairs

    def dist(b: Block, y: float) -> float:
        return 0.0 if b.top - 1 <= y <= b.bottom + 1 else min(abs(y - b.top), abs(y - b.bottom))

    for j, y in enumerate(ys):
        i = min(range(len(leaves)), key=lambda k: (dist(leaves[k], y), abs(leaves[k].centre - y)))
        d = dist(leaves[i], y)
        nearest_j = min(range(len(ys)), key=lambda k: (dist(leaves[i], ys[k]), abs(leaves[i].centre - ys[k])))
        if nearest_j != j:
            continue
        others = [dist(leaves[k], y) for k in range(len(leaves)) if k != i]
        if others and min(others) <= d:
            continue  # two labels equally near: not guessed
        pairs.append((i, j))
    return pairs


def _parent_position(p: Block, rows: list) -> int:
    """Where a parent label's row goes among the rows (sorted by y): before the first row of
    the run of numbered rows it heads (the run whose extent holds its centre, else the nearest);
    三、本年度办理结果 before the first (一)…(七) row."""
    ordinal, _ = split_ordinal(p.text)
    if ordinal is not None and ordinal.level == 1:
        for k, r in enumerate(rows):
            o = split_ordinal(r[3].text)[0] if r[3] is not None else None
            if o is not None and o.level == 2:
                return k
        return next((k for k, r in enumerate(rows) if r[0] > p.centre), len(rows))
    runs: list[list[int]] = []
    last = 0
    for k, r in enumerate(rows):
        o = split_ordinal(r[3].text)[0] if r[3] is not None else None
        if o is None or o.level != 3:
            last = 0
            continue
        if o.number <= last or not runs or runs[-1][-1] != k - 1:
            runs.append([])
        runs[-1].append(k)
        last = o.number
    if not runs:
        return next((k for k, r in enumerate(rows) if r[0] > p.centre), len(rows))

    def gap(run: list[int]) -> float:
        # the run's extent is that of its labels, not of its values: a heading printed at the top
        # of its span (labels top-aligned, values bottom-aligned) may sit nearer the previous
        # run's last values than its own first ones, never outside its own labels
        lo = min(min(rows[k][0], rows[k][3].top) for k in run)
        hi = max(max(rows[k][0], rows[k][3].bottom) for k in run)
        return 0.0 if lo <= p.centre <= hi else min(abs(p.centre - lo), abs(p.centre - hi))

    return min(runs, key=gap)[0]


_KEYS = {"x0": lambda w: w["x0"], "cx": _cx, "x1": lambda w: w["x1"]}


def _value_word(w: dict) -> bool:
    """A printed value: a number, or a blank marker such as — (never a label word)."""
    return is_value_like(w["text"]) and bool(norm(w["text"]))


def _is_num_text(t: str) -> bool:
    return bool(t) and is_value_like(t) and bool(re.search(r"\d", t))


def _cell(number: int, words: list[dict]) -> Cell:
    if not words:
        return Cell("", number, None)
    text = " ".join(w["text"] for w in words)
    box = (round(min(w["x0"] for w in words), 1), round(min(w["top"] for w in words), 1),
           round(max(w["x1"] for w in words), 1), round(max(w["bottom"] for w in words), 1))
    return Cell(text, number, box, unsure=unsure(words))


def unsure(words: list[dict]) -> str | None:
    """Why a cell's OCR'd number cannot be trusted (a low recognition score, or the word's own
    `note`: read a second time, see ocr._recheck_wide_numbers, or under a grey seal, ocr.UNDER_SEAL),
    else None."""
    from .ocr import OCR_MIN_SCORE

    scores = [w["ocr_score"] for w in words if w.get("ocr_score") is not None and _numeric(w)]
    if scores and min(scores) < OCR_MIN_SCORE:
        return f"OCR unsure of this number (score {min(scores):.2f})"
    return next((w["note"] for w in words if w.get("note") and _numeric(w)), None)


def _band(lines: list[list[dict]], i: int) -> list[list[dict]]:
    """Lines from i up to (not including) the first line with a numeric word."""
    out = []
    for k, line in enumerate(lines[i:]):
        if any(_numeric(w) for w in line):
            break
        if k and any(split_ordinal(w["text"])[0] is not None for w in line):
            # a row label wrapped above its values: the body has begun (its ordinal may follow
            # the rest of a heading cut by a page break: 本年 (二)部分公开…)
            break
        out.append(line)
    return out


def _s3_header_anchors(words: list[dict]) -> list[float]:
    """Table 三's seven applicant-column centres from its header words: 自然人, the leaf headers
    between it and 总计, 总计 (fewer when the header does not read whole)."""
    first = next((w for w in words if norm(w["text"]) == "自然人"), None)
    last = next((w for w in words if norm(w["text"]) == "总计"), None)
    if not (first and last):
        return []
    # OCR may box the headers of two or three narrow columns as one word (科研机社会公法律服,
    # scan/9908): its centre is no column's. A leaf header fits its column, so a recognised box
    # wider than one and a half column pitches is left out (the values then give the columns)
    pitch = (_cx(last) - _cx(first)) / 6
    leaves = [_cx(w) for w in words if first["x1"] < _cx(w) < last["x0"]
              and not any(k in norm(w["text"]) for k in S3_LEAF_SKIP)
              and not ("ocr_score" in w and w["x1"] - w["x0"] > 1.5 * pitch)]
    return [_cx(first)] + _cluster_centres(leaves) + [_cx(last)]


def _anchors_from_values(lines: list[list[dict]], i: int, n: int) -> list[float]:
    """Anchors from the first line below i whose last n words are all numbers."""
    for line in lines[i:]:
        nums = [w for w in line if _numeric(w)]
        if len(nums) == n:
            return [_cx(w) for w in nums]
    return []

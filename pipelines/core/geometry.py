"""Plane geometry the readers share: 1-D clustering of coordinates, disjoint sets, and ruling
lines cut into tables and grids.

Every reader turns positions into structure the same few ways: coordinates that are "the
same line" grouped within a tolerance (rule positions, column centres, header anchors),
merged grid positions grouped into spans, and a page's rules grouped into tables whose row
and column edges and spans come from where rules are and are not (the vector rules of a text
PDF and the rules seen in an OCR'd image alike, in points). One implementation of each, here.
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from typing import Callable, Hashable, Iterable


def groups_1d(values: Iterable[float], tol: float, *, chain: bool = True) -> list[list[float]]:
    """Sorted values split into groups where a gap exceeds `tol`.

    chain=True compares each value with the group's last value (a group may drift: word
    centres along a column); chain=False with the group's first value (a group never spans
    more than `tol`: a ruling line drawn as several segments).
    """
    groups: list[list[float]] = []
    for v in sorted(values):
        if groups and v - groups[-1][-1 if chain else 0] <= tol:
            groups[-1].append(v)
        else:
            groups.append([v])
    return groups


def cluster_means(values: Iterable[float], tol: float, min_size: int = 1) -> list[float]:
    """The mean of each chained group with at least `min_size` members."""
    return [sum(g) / len(g) for g in groups_1d(values, tol) if len(g) >= min_size]


def cluster_leaders(values: Iterable[float], tol: float) -> list[float]:
    """The first (smallest) value of each group no wider than `tol`: rule positions."""
    return [g[0] for g in groups_1d(values, tol, chain=False)]


def disjoint_sets(keys: Iterable[Hashable]) -> tuple[Callable, Callable]:
    """(find, union) over `keys`; a union's root is the smaller key (the top-left grid position
    owns a merged span)."""
    parent = {k: k for k in keys}

    def find(a):
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    def union(a, b):
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    return find, union


def span_sets(nrows: int, ncols: int) -> tuple[Callable, Callable]:
    """Disjoint sets over the positions of a grid: merged cells become one set owned by its
    top-left position."""
    return disjoint_sets((r, c) for r in range(nrows) for c in range(ncols))


# ---------------------------------------------------------------- ruling lines -> tables -> grids
#
# A rule is (position across, start, end along), in PDF points with the origin top-left:
# a horizontal rule is (y, x0, x1), a vertical one (x, y0, y1). The vector reader gets them
# from the PDF's drawing (exact), the OCR reader from the page image (pixels / scale), and both
# turn them into grids here, so a table is cut into cells the same way whatever drew it.

Rule = tuple[float, float, float]


@dataclass
class RuleGrid:
    """Column x-edges (len ncols+1), row y-edges (len nrows+1, top-left origin), both
    increasing, and for each grid position the top-left position of the span holding it."""

    xs: list[float]
    ys: list[float]
    owner: list[list[tuple[int, int]]]

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.ys) - 1, len(self.xs) - 1


def crossed(rules: Iterable[Rule], at: float, along: float, tol: float) -> bool:
    """True when a rule lies within `tol` of `at` and covers `along` (within `tol` of its ends)."""
    return any(abs(s[0] - at) <= tol and s[1] - tol <= along <= s[2] + tol for s in rules)


def stacked_rule_tables(h: list[Rule], tol: float,
                        splits: Callable[[float, float], bool]) -> list[list[Rule]]:
    """Horizontal rules only (no verticals to connect them) -> the rules of each table, top to bottom.

    Consecutive rule lines belong to one table unless `splits(upper_y, lower_y)` says the band
    between them is not a table row (the caller reads the text there: blank, a heading, a tall
    band of prose). A table needs two rule lines.
    """
    if not h:
        return []
    ys = cluster_means([s[0] for s in h], tol)
    groups, current = [], [ys[0]]
    for a, b in zip(ys, ys[1:]):
        if splits(a, b):
            groups.append(current)
            current = [b]
        else:
            current.append(b)
    groups.append(current)
    return [[s for s in h if g[0] - tol <= s[0] <= g[-1] + tol] for g in groups if len(g) >= 2]


def connected_rule_tables(h: list[Rule], v: list[Rule], reach: float, *, min_rules: int = 4,
                          min_width: float = 100, min_height: float = 8
                          ) -> list[tuple[list[Rule], list[Rule]]]:
    """Horizontal and vertical rules -> (h, v) of each table, top to bottom.

    A table is a connected set of rules (touching within `reach`: the verticals join the rows)
    at least `min_rules` strong and `min_width` x `min_height` large (a lone underline or a
    frame around a word is no table); it keeps every rule inside its box, connected or not
    (a rule broken where the picture is noisy).
    """
    boxes = [(s[1], s[0], s[2], s[0]) for s in h] + [(s[0], s[1], s[0], s[2]) for s in v]
    find, union = disjoint_sets(range(len(boxes)))
    for i, a in enumerate(boxes):
        for j in range(i + 1, len(boxes)):
            b = boxes[j]
            if (a[0] - reach <= b[2] and b[0] - reach <= a[2] and a[1] - reach <= b[3]
                    and b[1] - reach <= a[3]):
                union(i, j)
    sets: dict[int, list[tuple]] = {}
    for i, b in enumerate(boxes):
        sets.setdefault(find(i), []).append(b)
    out = []
    for members in sets.values():
        x0, top = min(b[0] for b in members), min(b[1] for b in members)
        x1, bottom = max(b[2] for b in members), max(b[3] for b in members)
        if len(members) >= min_rules and x1 - x0 > min_width and bottom - top > min_height:
            out.append((top, [s for s in h if top - reach <= s[0] <= bottom + reach and s[2] > x0 and s[1] < x1],
                        [s for s in v if x0 - reach <= s[0] <= x1 + reach and s[2] > top and s[1] < bottom]))
    return [(th, tv) for _, th, tv in sorted(out, key=lambda t: t[0])]


def _merged_collinear(rules: list[Rule], tol: float, gap: float) -> list[Rule]:
    """Rules at one position (within `tol`) whose pieces overlap or nearly meet -> one rule each."""
    out: list[Rule] = []
    for group in groups_1d([s[0] for s in rules], tol):
        at = sum(group) / len(group)
        pieces = sorted((s for s in rules if group[0] - 1e-9 <= s[0] <= group[-1] + 1e-9),
                        key=lambda s: s[1])
        start, end = pieces[0][1], pieces[0][2]
        for _, a, b in pieces[1:]:
            if a <= end + gap:
                end = max(end, b)
            else:
                out.append((at, start, end))
                start, end = a, b
        out.append((at, start, end))
    return out


def joined_rules(h: list[Rule], v: list[Rule], reach: float, tol: float = 1.5,
                 gap: float = 4.0) -> tuple[list[Rule], list[Rule]]:
    """One table's rules without the strays: a line is kept when it ends on the table's lines.

    A ruled table's lines end where they meet its other lines, or at its outer edge (a table
    cut by a page break may lack its last rule). A stroke that ends in the middle of a cell is
    no border: the arc of a seal stamped over the table, or a signature's stroke, seen as a
    short straight line in a scanned image. Left in, it would split the cells it crosses into
    extra columns or rows and every value of those rows would be read shifted or not at all.

    Collinear pieces are joined first (within `gap`: a scanned line broken by noise). A line
    (every piece at one position) is kept when at least two of its pieces' ends meet a rule
    across it or lie at the table's edge: a line broken by a wider gap still has its two outer
    ends joined; a stray stroke has at most one (it may start near a border). Without rules
    across (no verticals), rules are kept as they are.
    """
    h = _merged_collinear(list(h), tol, gap)
    v = _merged_collinear(list(v), tol, gap)
    if not h or not v:
        return h, v

    def joined_ends(pieces: list[Rule], across: list[Rule]) -> int:
        lo = min(s[0] for s in across)
        hi = max(s[0] for s in across)
        return sum(1 for p in pieces for end in (p[1], p[2])
                   if end <= lo + reach or end >= hi - reach
                   or any(abs(s[0] - end) <= reach and s[1] - reach <= p[0] <= s[2] + reach for s in across))

    def kept(rules: list[Rule], across: list[Rule]) -> list[Rule]:
        out = []
        for group in groups_1d([s[0] for s in rules], tol):
            pieces = [s for s in rules if group[0] - 1e-9 <= s[0] <= group[-1] + 1e-9]
            if joined_ends(pieces, across) >= 2:
                out.extend(pieces)
        return out

    for _ in range(3):  # a stray dropped may leave another one's end free
        kept_h = kept(h, v)
        kept_v = kept(v, kept_h or h)
        if (len(kept_h), len(kept_v)) == (len(h), len(v)):
            break
        h, v = kept_h, kept_v
    return h, v


def grid_from_rules(h: list[Rule], v: list[Rule] = (), tol: float = 1.5,
                    text: Iterable[tuple[float, float, float, float]] = ()) -> RuleGrid | None:
    """One table's rules -> its grid: edges and merged spans (None: fewer than two edges a way).

    Row edges are the horizontal rules; with verticals, their ends too (a table's first or last
    row alone on a page may lack its outer rule). Column edges are the vertical rules; without
    any, the ends of the horizontal rule segments (each cell's top border is drawn on its own).
    Edges are the means of rule positions within `tol` of each other (a line drawn, or seen, as
    several pieces).

    Spans: two cells one above the other merge where no horizontal rule crosses the middle of
    their column at the edge between them. Side by side, they merge where no vertical rule
    crosses their edge at the middle of the row; in a table without vertical rules, where a
    `text` box (x0, top, x1, bottom) runs across their edge and both cells span the same rows
    (a merged cell is a rectangle: a heading spanning rows, printed beside one of its rows'
    labels at the same height, joins no cell).
    """
    v = list(v)
    ends = [min(s[1] for s in v), max(s[2] for s in v)] if v else []
    ys = cluster_means([s[0] for s in h] + ends, tol)
    xs = cluster_means([s[0] for s in v] if v else [e for s in h for e in (s[1], s[2])], tol)
    if len(ys) < 2 or len(xs) < 2:
        return None
    nrows, ncols = len(ys) - 1, len(xs) - 1
    mid_x = [(xs[c] + xs[c + 1]) / 2 for c in range(ncols)]
    mid_y = [(ys[r] + ys[r + 1]) / 2 for r in range(nrows)]
    # open[r][c]: no horizontal rule between rows r and r+1 in column c
    open_below = [[not crossed(h, ys[r + 1], mid_x[c], tol) for c in range(ncols)] for r in range(nrows - 1)]
    find, union = span_sets(nrows, ncols)
    for r in range(nrows - 1):
        for c in range(ncols):
            if open_below[r][c]:
                union((r, c), (r + 1, c))
    if v:
        for r in range(nrows):
            for c in range(ncols - 1):
                if not crossed(v, xs[c + 1], mid_y[r], tol):
                    union((r, c), (r, c + 1))
    else:
        def rows_spanned(r: int, c: int) -> tuple[int, int]:
            top, bottom = r, r
            while top > 0 and open_below[top - 1][c]:
                top -= 1
            while bottom < nrows - 1 and open_below[bottom][c]:
                bottom += 1
            return top, bottom

        for x0, top, x1, bottom in text:
            r = bisect_right(ys, (top + bottom) / 2) - 1
            if not 0 <= r < nrows:
                continue
            for c in range(ncols - 1):
                if x0 < xs[c + 1] - 1 and x1 > xs[c + 1] + 1 and rows_spanned(r, c) == rows_spanned(r, c + 1):
                    union((r, c), (r, c + 1))
    return RuleGrid(xs, ys, [[find((r, c)) for c in range(ncols)] for r in range(nrows)])


def merged_double_rules(rules: list[Rule], gap: float = 4.5, tol: float = 1.5,
                        text: Iterable[tuple[float, float, float, float]] = ()) -> list[Rule]:
    """Rules with each double line (two parallel lines more than `tol` and at most `gap` apart,
    running side by side, nothing printed between them) moved onto their mean: one border.

    An HTML table with separate borders (`<table border=1>`, HTML's default cellspacing 2) boxes
    every cell on its own, its boxes a few points apart: every table line is a pair of rules with
    a sliver between. Read as they are, each sliver is a row or column of its own and a ruled
    grid falls apart into fragments. No text line fits in `gap`; a `text` box centred between
    the pair keeps them apart all the same: (x0, top, x1, bottom) for horizontal rules, (top, x0,
    bottom, x1) for vertical ones (along, across, along, across). Lines within `tol` are one line already (grid_from_rules).
    """
    lines = [sum(g) / len(g) for g in groups_1d([s[0] for s in rules], tol)]
    if len(lines) < 2:
        return list(rules)
    boxes = list(text)
    members: dict[float, list[Rule]] = {at: [] for at in lines}
    for s in rules:
        members[min(lines, key=lambda at: abs(at - s[0]))].append(s)

    def side_by_side(a: float, b: float) -> bool:
        pa, pb = members[a], members[b]
        overlap = sum(max(0.0, min(p[2], q[2]) - max(p[1], q[1])) for p in pa for q in pb)
        # both lines of a pair run the same way (a short stroke by a rule is no second line)
        longer = max(sum(p[2] - p[1] for p in pa), sum(q[2] - q[1] for q in pb))
        if longer <= 0 or overlap < 0.5 * longer:
            return False
        lo, hi = min(p[1] for p in pa + pb), max(p[2] for p in pa + pb)
        return not any(a < (t[1] + t[3]) / 2 < b and t[0] < hi and t[2] > lo for t in boxes)

    moved: dict[float, float] = {}
    k = 0
    while k < len(lines):
        a = lines[k]
        if k + 1 < len(lines) and tol < lines[k + 1] - a <= gap and side_by_side(a, lines[k + 1]):
            b = lines[k + 1]
            moved[a] = moved[b] = (a + b) / 2
            k += 2
        else:
            moved[a] = a
            k += 1
    out = []
    for at, pieces in members.items():
        out.extend((moved[at] if moved[at] != at else s[0], s[1], s[2]) for s in pieces)
    return out


def double_lines(rules: list[Rule], gap: float = 4.5, tol: float = 1.5) -> int:
    """How many lines of `rules` merged_double_rules joins with a neighbour (no text given)."""
    before = len(groups_1d([s[0] for s in rules], tol))
    after = len(groups_1d([s[0] for s in merged_double_rules(rules, gap, tol)], tol))
    return before - after


def rules_off_rings(h: list[Rule], v: list[Rule], rings: Iterable[tuple[float, float, float]],
                    tol: float = 1.5) -> tuple[list[Rule], list[Rule]]:
    """The rules (h: (y, x0, x1), v: (x, y0, y1)) without the pieces of a seal's ring.

    A ring's near-vertical and near-horizontal arcs are seen as short ruling lines; one whose
    ends both meet a row's rules would split that row's cells (scan/9913). A rule is the ring's
    when every point along it lies within the ring's band: `tol` plus a tenth of the radius
    (the ring's own stroke) of its circle (cx, cy, r). A table's own line crossing the ring is
    longer than any straight piece the band can hold, so it stays.
    """
    rings = list(rings)
    if not rings:
        return list(h), list(v)

    def on_ring(points: list[tuple[float, float]]) -> bool:
        return any(all(abs(((x - cx) ** 2 + (y - cy) ** 2) ** 0.5 - r) <= tol + 0.1 * r for x, y in points)
                   for cx, cy, r in rings)

    def points(a: float, b: float) -> list[float]:
        return [a + (b - a) * k / 8 for k in range(9)]

    keep_h = [rule for rule in h if not on_ring([(x, rule[0]) for x in points(rule[1], rule[2])])]
    keep_v = [rule for rule in v if not on_ring([(rule[0], y) for y in points(rule[1], rule[2])])]
    return keep_h, keep_v

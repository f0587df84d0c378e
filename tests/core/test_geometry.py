"""The shared rules -> tables -> grids geometry (pipelines/core/geometry.py), on hand-drawn rules.

Coordinates are PDF points, origin top-left: a horizontal rule is (y, x0, x1), a vertical one
(x, y0, y1). The vector reader (pdf_reader.tables_from_words) and the OCR reader
(ocr.grid_tables) both cut their tables this way.
"""
from __future__ import annotations

import pytest

from pipelines.core.geometry import (
    connected_rule_tables, crossed, grid_from_rules, groups_1d, joined_rules, stacked_rule_tables)


def ruled_grid(xs, ys, *, skip_h=(), skip_v=()):
    """Full grid rules, one segment per cell side (as a generator or a scan's pieces give them);
    skip_h: (row edge index, column) sides left out; skip_v: (column edge index, row)."""
    h = [(ys[r], xs[c], xs[c + 1]) for r in range(len(ys)) for c in range(len(xs) - 1)
         if (r, c) not in skip_h]
    v = [(xs[c], ys[r], ys[r + 1]) for c in range(len(xs)) for r in range(len(ys) - 1)
         if (c, r) not in skip_v]
    return h, v


def test_two_tables_stacked_on_a_page_give_two_grids_with_their_own_edges():
    h1, v1 = ruled_grid([50, 150, 250, 350], [100, 120, 140])
    h2, v2 = ruled_grid([60, 200, 300], [300, 325, 350, 375])
    tables = connected_rule_tables(h2 + h1, v1 + v2, 3.0)  # listed bottom table first
    assert len(tables) == 2
    grids = [grid_from_rules(th, tv, tol=2.5) for th, tv in tables]
    assert [(g.xs, g.ys) for g in grids] == [([50, 150, 250, 350], [100, 120, 140]),
                                             ([60, 200, 300], [300, 325, 350, 375])]
    assert [g.shape for g in grids] == [(2, 3), (3, 2)]
    # no span: every position owns itself
    assert all(grids[1].owner[r][c] == (r, c) for r in range(3) for c in range(2))


def test_a_merged_cell_spans_the_positions_no_rule_separates():
    # a header cell over columns 1-2 (no vertical at x=250 in row 0) and a label over rows 1-2
    # of column 0 (no horizontal at y=140 under column 0)
    h, v = ruled_grid([50, 150, 250, 350], [100, 120, 140, 160], skip_h={(2, 0)}, skip_v={(2, 0)})
    g = grid_from_rules(h, v, tol=2.5)
    assert g.shape == (3, 3)
    assert g.owner[0] == [(0, 0), (0, 1), (0, 1)]
    assert [g.owner[r][0] for r in range(3)] == [(0, 0), (1, 0), (1, 0)]
    assert g.owner[2][1:] == [(2, 1), (2, 2)]


def test_a_rule_broken_into_pieces_is_one_edge_and_one_table():
    # a scanned rule seen as three pieces a little off each other, with gaps under the reach
    h = [(100.0, 50, 140), (100.8, 141.5, 250), (99.6, 252, 350),
         (130, 50, 350), (160, 50, 350)]
    v = [(50, 100, 160), (200, 100, 160), (350, 100, 160)]
    tables = connected_rule_tables(h, v, 3.0)
    assert len(tables) == 1 and len(tables[0][0]) == 5
    g = grid_from_rules(*tables[0], tol=2.5)
    # the edge is the pieces' mean, with the verticals' top ends (100): (100 + 100.8 + 99.6 + 100) / 4
    assert g.ys == [pytest.approx(100.1), 130, 160]
    assert g.xs == [50, 200, 350]
    # the broken rule still closes every column: no cell of row 0 merges down
    assert g.owner[1] == [(1, 0), (1, 1)]
    # a point in a 1.5 pt gap between two pieces is crossed within the tolerance, not without
    assert crossed(h, 100, 141, 2.5)
    assert not crossed(h, 100, 141, 0.5)


def test_outer_rule_missing_is_closed_by_the_verticals_ends():
    # a table's last row alone atop a page: no top rule, the verticals start at y=80
    h = [(100, 50, 350)]
    v = [(50, 80, 100), (200, 80, 100), (350, 80, 100)]
    g = grid_from_rules(h, v, tol=2.5)
    assert g.ys == [80, 100] and g.xs == [50, 200, 350]


def test_a_frame_or_an_underline_is_no_table():
    frame = ([(10, 50, 90), (30, 50, 90)], [(50, 10, 30), (90, 10, 30)])  # 40 pt wide box
    underline = ([(500, 50, 400)], [])
    assert connected_rule_tables(frame[0] + underline[0], frame[1], 3.0) == []


def test_horizontal_rules_only_columns_from_the_segments_ends_and_spans_from_text():
    # each cell's top border drawn on its own: x edges 50, 150, 250, 350
    xs, ys = [50, 150, 250, 350], [100, 120, 140, 160]
    h = [(y, xs[c], xs[c + 1]) for y in ys for c in range(3)]
    # row 0 header text running over the edge at 250 (a header over two columns);
    # a value in row 1 inside column 1 (joins nothing)
    text = [(170, 105, 330, 115), (190, 125, 210, 135)]
    g = grid_from_rules(h, tol=1.5, text=text)
    assert g.xs == xs and g.ys == ys
    assert g.owner[0] == [(0, 0), (0, 1), (0, 1)]
    assert g.owner[1] == [(1, 0), (1, 1), (1, 2)]


def test_horizontal_rules_only_a_label_spanning_rows_joins_no_cell_beside_it():
    # column 0 holds one label over rows 0-1 (no rule under row 0 in column 0); a text printed
    # across the edge at x=150 in row 0 would join a 2-row cell with a 1-row cell: not a rectangle
    xs, ys = [50, 150, 250], [100, 120, 140]
    h = [(y, xs[c], xs[c + 1]) for y in ys for c in range(2) if not (y == 120 and c == 0)]
    g = grid_from_rules(h, tol=1.5, text=[(120, 105, 180, 115)])
    assert [g.owner[r][0] for r in range(2)] == [(0, 0), (0, 0)]
    assert g.owner[0][1] == (0, 1) and g.owner[1][1] == (1, 1)
    # the same text with the rule under column 0 drawn: both cells span row 0 only, they join
    h.append((120, 50, 150))
    g = grid_from_rules(h, tol=1.5, text=[(120, 105, 180, 115)])
    assert g.owner[0] == [(0, 0), (0, 0)] and g.owner[1] == [(1, 0), (1, 1)]


def test_stacked_horizontal_rules_split_where_the_caller_says_the_band_is_no_row():
    # table A: lines at 100, 120, 140; a heading between 140 and 300; table B: 300, 330
    # (line 300 drawn as two pieces 0.5 pt apart); one lone rule at 700 after a blank band
    h = [(100, 50, 350), (120, 50, 350), (140, 50, 350), (300, 50, 200), (300.5, 200, 350),
         (330, 50, 350), (700, 50, 350)]
    asked = []

    def splits(a, b):
        asked.append((a, b))
        return b - a > 80

    tables = stacked_rule_tables(h, 1.5, splits)
    assert asked == [(100, 120), (120, 140), (140, 300.25), (300.25, 330), (330, 700)]
    assert tables == [h[:3], h[3:6]]  # the lone rule at 700 makes no table
    g = grid_from_rules(tables[1], tol=1.5)
    assert g.ys == [300.25, 330] and g.xs == [50, 200, 350]


def test_groups_1d_chained_and_bounded():
    assert groups_1d([0, 1, 2, 3, 10], 1.5) == [[0, 1, 2, 3], [10]]
    assert groups_1d([0, 1, 2, 3, 10], 1.5, chain=False) == [[0, 1], [2, 3], [10]]


def test_cell_rectangles_drawn_as_their_sides_give_the_same_cells():
    # pdfplumber reports cells, not rules (pdf_reader._plumber_tables): a header over two
    # columns, a label over two rows, four plain cells
    cells = [(50, 100, 150, 140), (150, 100, 350, 120), (150, 120, 250, 140), (250, 120, 350, 140),
             (50, 140, 150, 160), (150, 140, 250, 160), (250, 140, 350, 160)]
    h = [(y, x0, x1) for x0, top, x1, bottom in cells for y in (top, bottom)]
    v = [(x, top, bottom) for x0, top, x1, bottom in cells for x in (x0, x1)]
    g = grid_from_rules(h, v, tol=1.5)
    assert g.xs == [50, 150, 250, 350] and g.ys == [100, 120, 140, 160]
    assert g.owner == [[(0, 0), (0, 1), (0, 1)],
                       [(0, 0), (1, 1), (1, 2)],
                       [(2, 0), (2, 1), (2, 2)]]


def test_a_seals_arcs_over_a_ruled_table_are_no_borders():
    """A seal stamped over a scanned table is seen as short straight strokes where its ring runs
    near vertical or near horizontal. They end inside cells, not on the table's lines: dropped,
    the grid is the table's own (before, rows under the seal read 9 values in 7 columns)."""
    xs, ys = [50, 150, 200, 250, 300], [100, 120, 140, 160, 180]
    h, v = ruled_grid(xs, ys, skip_v={(1, 0)})  # the label spans the first row's two columns
    seal = [(213.0, 131.0, 149.5),  # the ring's left side: crosses the rule at 140, ends in cells
            (287.5, 133.0, 151.0),  # its right side
            (127.0, 202.0, 238.0)]  # its top, from near one vertical to the middle of a cell
    kept_h, kept_v = joined_rules(h + [seal[2]], v + seal[:2], 3.0, tol=2.5)
    assert sorted({round(s[0]) for s in kept_v}) == xs
    assert sorted({round(s[0]) for s in kept_h}) == ys
    g = grid_from_rules(kept_h, kept_v, tol=2.5)
    assert g.xs == xs and g.ys == ys
    assert g.owner[0][:2] == [(0, 0), (0, 0)]  # the label's span survives
    # the same rules through grid_from_rules without the filter: the strokes make two extra
    # columns and an extra row
    assert grid_from_rules(h + [seal[2]], v + seal[:2], tol=2.5).shape == (5, 6)


def test_joined_rules_keeps_broken_lines_and_a_table_cut_by_a_page_break():
    # a vertical broken by noise (a 3 pt gap, under `gap`), and a table whose last row has no
    # bottom rule (cut by the page break): its verticals end free at the table's edge
    h = [(100, 50, 350), (130, 50, 350)]
    v = [(50, 100, 116), (50, 119, 150), (200, 100, 150), (350, 100, 150)]
    kept_h, kept_v = joined_rules(h, v, 3.0, tol=2.5)
    assert kept_h == h
    assert sorted(kept_v) == [(50, 100, 150), (200, 100, 150), (350, 100, 150)]
    # a broken piece whose gap is too wide to join ends free inside the table: dropped,
    # while its partner that ends at the bottom edge stays
    v2 = [(50, 100, 110), (50, 121, 150), (200, 100, 150), (350, 100, 150)]
    assert sorted(joined_rules(h, v2, 3.0, tol=2.5)[1]) == [(50, 100, 110), (50, 121, 150),
                                                             (200, 100, 150), (350, 100, 150)]
    # no verticals: nothing to end on, every rule is kept
    assert joined_rules(h, [], 3.0) == (h, [])


def test_a_seal_rings_arcs_are_no_rules_but_table_lines_across_it_are():
    """scan/9913: a grey seal's ring crossed a row; its two near-vertical arcs met the row's top
    and bottom rules and split its cells (9 for 7 columns). Pieces lying along a ring go; a
    table's line through the ring, or a short rule away from it, stays."""
    from pipelines.core.geometry import rules_off_rings

    ring = (388.0, 446.0, 40.0)
    h = [(406.0, 100.0, 520.0), (434.0, 100.0, 520.0),  # the table's rows, across the ring
         (406.5, 375.0, 401.0)]  # the ring's top: a flat piece along it
    v = [(348.2, 434.0, 458.0), (427.8, 434.0, 458.0),  # the ring's left and right arcs in one row
         (359.8, 250.0, 700.0),  # a column line through the ring
         (300.0, 434.0, 458.0)]  # a short rule of the table away from the ring
    kept_h, kept_v = rules_off_rings(h, v, [ring])
    assert kept_h == h[:2]
    assert kept_v == v[2:]
    assert rules_off_rings(h, v, []) == (h, v)

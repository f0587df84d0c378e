"""Double rules: `<table border=1>` without cellspacing=0 boxes every cell on its own, the boxes
a few points apart, so each table line is a pair of parallel rules (geometry.merged_double_rules,
pdf_reader._double_ruled_tables).

Coordinates are PDF points, origin top-left: a horizontal rule is (y, x0, x1), a vertical one
(x, y0, y1).
"""
from __future__ import annotations

import pytest

from pipelines.core.extract import extract_bytes
from pipelines.core.geometry import double_lines, grid_from_rules, merged_double_rules


def boxed_cells(xs, ys, spacing):
    """Every cell (xs[c]..xs[c+1], ys[r]..ys[r+1]) drawn as its own box, inset by half the
    spacing, inside an outer table box: what Chromium prints for <table border=1 cellspacing>."""
    half = spacing / 2
    h, v = [], []
    for r in range(len(ys) - 1):
        for c in range(len(xs) - 1):
            x0, x1, y0, y1 = xs[c] + half, xs[c + 1] - half, ys[r] + half, ys[r + 1] - half
            h += [(y0, x0, x1), (y1, x0, x1)]
            v += [(x0, y0, y1), (x1, y0, y1)]
    x0, x1, y0, y1 = xs[0] - half, xs[-1] + half, ys[0] - half, ys[-1] + half
    h += [(y0, x0, x1), (y1, x0, x1)]
    v += [(x0, y0, y1), (x1, y0, y1)]
    return h, v


XS, YS = [50, 150, 250, 350], [100, 125, 150]


def test_boxes_two_points_apart_make_one_grid_with_each_pair_of_rules_one_edge():
    h, v = boxed_cells(XS, YS, 2.25)
    raw = grid_from_rules(h, v, tol=1.5)
    assert raw.shape == (5, 7)  # as drawn: a sliver row / column between every two cells
    grid = grid_from_rules(merged_double_rules(h), merged_double_rules(v), tol=1.5)
    assert grid.shape == (2, 3)
    # (the outer row edges also count the verticals' ends, a point off: within a fraction of it)
    assert grid.xs == pytest.approx(XS, abs=0.3) and grid.ys == pytest.approx(YS, abs=0.3)
    assert all(grid.owner[r][c] == (r, c) for r in range(2) for c in range(3))
    assert double_lines(h) == 3 and double_lines(v) == 4


def test_a_merged_cell_stays_merged_when_its_neighbours_are_boxed_apart():
    h, v = boxed_cells(XS, YS, 3.0)
    half = 1.5
    # row 0, columns 1-2 one box (a header over two columns): no rules at x=250 in row 0
    h = [s for s in h if not (s[0] in (YS[0] + half, YS[1] - half) and s[1] in (XS[1] + half, XS[2] + half))]
    v = [s for s in v if not (s[0] in (XS[1] + half, XS[2] - half, XS[2] + half, XS[3] - half)
                              and s[1] == YS[0] + half)]
    h += [(YS[0] + half, XS[1] + half, XS[3] - half), (YS[1] - half, XS[1] + half, XS[3] - half)]
    v += [(XS[1] + half, YS[0] + half, YS[1] - half), (XS[3] - half, YS[0] + half, YS[1] - half)]
    grid = grid_from_rules(merged_double_rules(h), merged_double_rules(v), tol=1.5)
    assert grid.shape == (2, 3)
    assert grid.owner[0] == [(0, 0), (0, 1), (0, 1)]
    assert grid.owner[1] == [(1, 0), (1, 1), (1, 2)]


def test_two_close_rules_with_text_between_them_stay_two():
    h = [(100, 50, 350), (103, 50, 350), (130, 50, 350)]
    assert sorted({s[0] for s in merged_double_rules(h)}) == [101.5, 130]
    # a (tiny) word centred between the two rules: not one border drawn twice
    text = [(60, 100.8, 70, 102.2)]
    assert sorted({s[0] for s in merged_double_rules(h, text=text)}) == [100, 103, 130]
    # a word beside the rules, not between them along their length, does not keep them apart
    assert sorted({s[0] for s in merged_double_rules(h, text=[(400, 100.8, 420, 102.2)])}) == [101.5, 130]


def test_close_rules_that_do_not_run_side_by_side_or_lie_too_far_apart_stay_apart():
    # a short stroke near a long rule (under a word) is not its second line
    assert sorted({s[0] for s in merged_double_rules([(100, 50, 350), (102.5, 60, 80)])}) == [100, 102.5]
    # rules 6 pt apart are two lines (a sliver row there is a row, if text fits)
    assert sorted({s[0] for s in merged_double_rules([(100, 50, 350), (106, 50, 350)])}) == [100, 106]
    # rules within the tolerance are left for the grid's own clustering
    assert sorted({s[0] for s in merged_double_rules([(100, 50, 350), (101, 50, 350)])}) == [100, 101]


def test_a_chromium_portal_page_with_cellspacing_3_reads_whole_from_its_double_rules():
    """chromium_html seed 84: <table border=1 cellspacing=3>; Camelot cut its tables into
    fragments (113/198 before the double-rule reader, 0 wrong)."""
    from tools.layout_family import chromium, draw
    from tools.layout_family.score import score

    if not chromium.available():
        pytest.skip("Chromium is not installed")
    case = draw("chromium_html", 84)
    assert (case.params["rules"], case.params["cellspacing"]) == ("html_border", 3)
    from pipelines.core.pdf_reader import read_pdf_detailed

    sources = {t.source for t in read_pdf_detailed(case.data).document.tables}
    assert "double-rules+pdfium-chars" in sources and "camelot-lattice+pdfium-chars" not in sources
    got = extract_bytes(case.data, "chromium_html-84.pdf")
    s = score(case, got["cells"])
    assert (s.right, s.wrong, got["unmapped"], got["status"]) == (s.total, 0, [], "ok")


def test_the_chromium_test_seeds_hold_a_double_ruled_page():
    """test_reader_families reads chromium_html's test seeds whole: one of them is a
    <table border=1> page with its boxes apart, so the double-rule reader is in that gate."""
    from tools.layout_family import TEST_SEEDS, chromium, draw

    if not chromium.available():
        pytest.skip("Chromium is not installed")
    drawn = [draw("chromium_html", s).params for s in TEST_SEEDS["chromium_html"]]
    assert any(p.get("rules") == "html_border" and p.get("cellspacing", 0) > 0 for p in drawn)


def test_a_camelot_grid_holding_a_row_s_values_in_one_cell_gives_way_to_the_vector_rules():
    """chromium_html seed 8774: <table border=1 cellspacing=1>, its rules a point apart (one line
    each to the grid's tolerance). Camelot's grid of table 三's last page lacked the value
    columns (a row's label and values in one cell: 179/200, flagged partial, 0 wrong); the
    page's vector rules give them."""
    from tools.layout_family import chromium, draw
    from tools.layout_family.score import score
    from pipelines.core.pdf_reader import read_pdf_detailed

    if not chromium.available():
        pytest.skip("Chromium is not installed")
    case = draw("chromium_html", 8774)
    assert (case.params["rules"], case.params["cellspacing"]) == ("html_border", 1)
    sources = [t.source for t in read_pdf_detailed(case.data).document.tables if t.page == 4]
    assert sources == ["double-rules+pdfium-chars"] * 2
    got = extract_bytes(case.data, "chromium_html-8774.pdf")
    s = score(case, got["cells"])
    assert (s.right, s.wrong, got["unmapped"], got["status"]) == (s.total, 0, [], "ok")


def _table(top_left, rows, source="camelot-lattice+pdfium-chars", size=(40.0, 20.0)):
    """A table whose cell (r, c) is a size[0] x size[1] box from top_left; None marks a covered cell."""
    from pipelines.core.model import Cell, Table

    x0, y0 = top_left
    w, h = size
    out = []
    for r, row in enumerate(rows):
        cells = []
        for c, text in enumerate(row):
            if text is None:
                cells.append(Cell("", 1, None, covered=True))
            else:
                cells.append(Cell(text, 1, (x0 + c * w, y0 + r * h, x0 + (c + 1) * w, y0 + (r + 1) * h)))
        out.append(cells)
    return Table(out, 1, source)


def test_a_block_of_a_table_read_again_inside_it_is_dropped_and_its_numbers_stay_placed_once():
    """Camelot may return a ruled table and, again, a block of it (chromium_html-10085: seven rows
    of table 三 twice, 49 numbers listed as second rows for the same cells)."""
    from pipelines.core.pdf_reader import _without_second_readings

    outer = _table((50, 100), [["label", "1", "2"], ["row b", "3", "4"], ["row c", "5", "6"]])
    block = _table((90, 120), [["3", "4"], ["5", "6"]])  # rows b-c, value columns: the same cells
    assert _without_second_readings([outer, block]) == [outer]
    assert _without_second_readings([block, outer]) == [outer]
    # a table inside another whose cells read otherwise is kept: a table set inside one cell
    # (its numbers merged in the outer cell) or a different reading of the region
    other = _table((90, 120), [["3", "4"], ["5", "7"]])
    assert _without_second_readings([outer, other]) == [outer, other]
    # tables side by side, or overlapping without one inside the other, are kept
    beside = _table((200, 100), [["label", "1", "2"]])
    assert _without_second_readings([outer, beside]) == [outer, beside]
    # the same table twice: one is kept
    again = _table((50, 100), [["label", "1", "2"], ["row b", "3", "4"], ["row c", "5", "6"]])
    assert _without_second_readings([outer, again]) == [outer]


def test_a_chromium_page_whose_table_camelot_finds_twice_lists_no_number_twice():
    """chromium_html seed 10085: <table border=1 cellspacing=2>, table 三's page read by Camelot,
    which returned the table and a block of its last seven rows: 200/200 right, status ok, but
    49 numbers listed as unmapped ("a second row for the same cell")."""
    from tools.layout_family import chromium, draw
    from tools.layout_family.score import score

    if not chromium.available():
        pytest.skip("Chromium is not installed")
    case = draw("chromium_html", 10085)
    assert (case.params["rules"], case.params["cellspacing"]) == ("html_border", 2)
    got = extract_bytes(case.data, "chromium_html-10085.pdf")
    s = score(case, got["cells"])
    assert (s.right, s.wrong, got["unmapped"], got["status"]) == (s.total, 0, [], "ok")


def test_the_page_edges_read_without_text_are_pdfplumber_s_own():
    """The double-rule reader takes a page's edges from pdfminer's paths with the text operators
    skipped (no font loaded): every edge, every attribute, as pdfplumber's full reading gives them,
    on a drawn <table border=1> page and on a ReportLab grid page."""
    import io

    import pdfplumber

    from pipelines.core.pdf_reader import pick_table_pages, plumber_edges, read_pages
    from tools.layout_family import chromium, draw

    drawn = [draw("grid", 0).data]
    if chromium.available():
        drawn.append(draw("chromium_html", 84).data)
    for data in drawn:
        _, chars = read_pages(data, pick_table_pages)
        assert chars
        for number in sorted(chars):
            with pdfplumber.open(io.BytesIO(data), pages=[number]) as pl:
                page = pl.pages[0]
                full, printed = page.edges, len(page.chars)
            assert printed > 100 and len(full) > 20  # a table page: text to skip, rules to keep
            assert plumber_edges(data, number) == full

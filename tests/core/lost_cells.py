"""Shared checks of the generator cases that once lost cells (test_hrules_grid, test_lost_headings,
test_unruled_rows): the lost cells are read now, and the whole document is right."""
from __future__ import annotations

from pipelines.core.extract import extract_bytes
from tools.layout_family import draw
from tools.layout_family.score import score


def read_case(family: str, seed: int):
    """(case, the extractor's result with OCR off) for one generator case."""
    case = draw(family, seed)
    return case, extract_bytes(case.data, case.name, ocr=False)


def assert_lost_cells_read(case, got, prefixes, at_least: int) -> None:
    """Every truth cell whose code starts with `prefixes` (a str or a tuple) is read as printed."""
    lost = {k: v for k, v in case.truth.items() if k.startswith(prefixes)}
    assert len(lost) >= at_least
    assert {k: got["cells"].get(k) for k in lost} == lost


def assert_every_cell_right(case, got) -> None:
    s = score(case, got["cells"])
    assert (s.right, s.wrong, s.missed) == (s.total, 0, 0)
    assert got["status"] == "ok" and got["unmapped"] == []

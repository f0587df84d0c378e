"""Score one extraction result against a case's truth.

- right: the code was extracted with the truth's value (a printed blank read as null counts).
- wrong: a number was extracted that differs from the printed one, or a number where the print
  is blank: the one thing a reader must never do.
- missed: not extracted, or null where a number is printed (unread: flagged, not guessed).
Cells under a red seal (`case.under_stamp`) are not in the denominator of `legible`: reading
them right or leaving them unread is fine, reading them wrong is still wrong.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Score:
    right: int
    wrong: int
    missed: int
    total: int
    legible_right: int
    legible_total: int
    wrong_cells: dict

    @property
    def accuracy(self) -> float:
        """Right cells over legible cells (all cells unless a seal covers some)."""
        return self.legible_right / self.legible_total if self.legible_total else 1.0


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return type(a) is not bool and type(b) is not bool and abs(a - b) < 1e-9


def score(case, cells: dict) -> Score:
    right = wrong = missed = lr = lt = 0
    wrong_cells = {}
    for code, want in case.truth.items():
        got = cells.get(code)
        stamped = code in case.under_stamp
        if code in cells and _same(got, want):
            right += 1
            lr += 0 if stamped else 1
        elif got is not None:
            wrong += 1
            wrong_cells[code] = (want, got)
        else:
            missed += 1
        lt += 0 if stamped else 1
    return Score(right, wrong, missed, len(case.truth), lr, lt, wrong_cells)

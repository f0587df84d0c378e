"""Random printed values for one report: non-zero, and reconciling under identities I1–I5.

Every stream is a `random.Random` handed in by the caller, so a family's values depend on its
seed only. `plant_break` changes one printed number so that exactly one identity fails, and
says which: the truth then carries it as a source violation (the reader must reproduce the
printed number and flag the identity, never repair it).
"""
from __future__ import annotations

import random

from pipelines.core.codes import layout_codes
from tools.sample_county.county import C6, C7, res_rows, t3_row_codes

T4_GROUPS = ("review", "lit_direct", "lit_after_review")
T4_PARTS = ("upheld", "corrected", "other", "pending")


MAGNITUDES = (9, 60, 400, 3000)


def draw_values(rng: random.Random, template_s2: str, template_s3: str,
                magnitudes: tuple[int, ...] = MAGNITUDES) -> dict:
    """code -> printed number for every cell of the layout; none is 0 or blank."""
    hi = rng.choice(magnitudes)          # magnitude of a cell: one to four digits, totals larger
    v: dict = {}
    rows: dict[str, dict[str, int]] = {}
    res = res_rows(template_s3)
    for r in res:
        rows[f"result.{r}"] = {c: rng.randint(1, hi) for c in C6}
    total = {c: sum(rows[f"result.{r}"][c] for r in res) for c in C6}
    rows["result.total"] = total
    carried, forward, new = {}, {}, {}
    for c in C6:
        forward[c] = rng.randint(1, hi)
        carried[c] = rng.randint(1, min(hi, total[c] + forward[c] - 1))
        new[c] = total[c] + forward[c] - carried[c]          # I1: new + carried = total + forward
    rows["new_received"], rows["carried_over"], rows["carry_forward"] = new, carried, forward
    for row in t3_row_codes(template_s3):
        for c in C6:
            v[f"t3.{row}:{c}"] = rows[row][c]
        v[f"t3.{row}:total"] = sum(rows[row][c] for c in C6)   # I3
    small = rng.choice([5, 20, 90])
    for g in T4_GROUPS:
        parts = [rng.randint(1, small) for _ in T4_PARTS]
        for p, x in zip(T4_PARTS, parts):
            v[f"t4.{g}.{p}"] = x
        v[f"t4.{g}.total"] = sum(parts)                          # I4
    if template_s2 == "2021":
        for row in ("rules", "normative_docs"):
            for m in ("issued", "repealed", "in_force"):
                v[f"t2.art20_1.{row}.{m}"] = rng.randint(1, hi)
        for code in ("t2.art20_5.licensing.decisions", "t2.art20_6.penalty.decisions",
                     "t2.art20_6.coercion.decisions"):
            v[code] = rng.randint(1, hi * 3)
        v["t2.art20_8.fees.amount"] = _amount(rng)
    else:
        for row in ("rules", "normative_docs"):
            for m in ("new_made", "new_published", "total_published"):
                v[f"t2.art20_1.{row}.{m}"] = rng.randint(1, hi)
        for block, row in (("art20_5", "licensing"), ("art20_5", "other_services"),
                           ("art20_6", "penalty"), ("art20_6", "coercion")):
            v[f"t2.{block}.{row}.prev_items"] = rng.randint(1, hi)
            v[f"t2.{block}.{row}.delta"] = _signed(rng, hi)
            v[f"t2.{block}.{row}.decisions"] = rng.randint(1, hi * 3)
        v["t2.art20_8.fees.prev_items"] = rng.randint(1, 9)
        v["t2.art20_8.fees.delta"] = _signed(rng, 5)
        v["t2.art20_9.procurement.projects"] = rng.randint(1, 20)
        v["t2.art20_9.procurement.amount"] = rng.randint(1, 9000) * 100
    assert set(v) == set(layout_codes(template_s2, template_s3))
    return v


def _amount(rng: random.Random) -> float | int:
    """万元 with up to two decimals, never a trailing zero that printing would drop."""
    x = rng.randint(1, 99999)
    if rng.random() < 0.2:
        return x if x % 100 else x + 1
    while x % 10 == 0:
        x += 1
    return round(x / 100, 2)


def _signed(rng: random.Random, hi: int) -> int:
    x = rng.randint(1, hi)
    return -x if rng.random() < 0.4 else x


def identity_failures(values: dict, template_s3: str) -> list[tuple[str, str]]:
    """(identity, group) of every I1–I4 failure in the printed values (blanks skip a check)."""
    g = values.get
    out = []
    for c in C7:
        a = [g(f"t3.new_received:{c}"), g(f"t3.carried_over:{c}"), g(f"t3.result.total:{c}"),
             g(f"t3.carry_forward:{c}")]
        if None not in a and a[0] + a[1] != a[2] + a[3]:
            out.append(("I1", c))
        parts = [g(f"t3.result.{r}:{c}") for r in res_rows(template_s3)]
        if None not in parts and a[2] is not None and sum(parts) != a[2]:
            out.append(("I2", c))
    for row in t3_row_codes(template_s3):
        parts = [g(f"t3.{row}:{c}") for c in C6]
        tot = g(f"t3.{row}:total")
        if None not in parts and tot is not None and sum(parts) != tot:
            out.append(("I3", f"t3.{row}"))
    for grp in T4_GROUPS:
        parts = [g(f"t4.{grp}.{p}") for p in T4_PARTS]
        tot = g(f"t4.{grp}.total")
        if None not in parts and tot is not None and sum(parts) != tot:
            out.append(("I4", grp))
    return out


def domain_failures(values: dict) -> list[str]:
    """I5: counts are integers >= 0, deltas signed integers, the 2021 fee a decimal >= 0."""
    bad = []
    for code, x in values.items():
        if x is None:
            continue
        if code == "t2.art20_8.fees.amount":
            ok = isinstance(x, (int, float)) and x >= 0
        elif code.endswith(".delta"):
            ok = isinstance(x, int)
        else:
            ok = isinstance(x, int) and x >= 0
        if not ok:
            bad.append(code)
    return bad


def plant_break(rng: random.Random, values: dict, identity: str, template_s3: str) -> dict:
    """Change one printed number so that `identity` (I3 or I4) fails once; the violation record.

    I3 moves a row's printed 总计 (that also breaks I1/I2 on the total column unless the row is
    a result sub-row: only sub-rows are picked, and the result.total row's own I2 on `total`
    then fails too: both are recorded). I4 moves a t4 group's printed 总计.
    """
    if identity == "I4":
        grp = rng.choice(T4_GROUPS)
        parts = sum(values[f"t4.{grp}.{p}"] for p in T4_PARTS)
        values[f"t4.{grp}.total"] = parts + rng.choice([1, 2, 10])
        return {"identity": "I4", "group": grp, "sum_of_parts": parts,
                "printed_total": values[f"t4.{grp}.total"]}
    if identity == "I3":
        row = rng.choice([f"result.{r}" for r in res_rows(template_s3)])
        parts = sum(values[f"t3.{row}:{c}"] for c in C6)
        values[f"t3.{row}:total"] = parts + rng.choice([1, 2, 10])
        return {"identity": "I3", "group": f"t3.{row}", "sum_of_parts": parts,
                "printed_total": values[f"t3.{row}:total"]}
    raise ValueError(f"cannot plant {identity}: only I3 and I4")

"""Within-report identities I1–I5 (spec §11) as contract `identity_checks` entries.

Each entry is `{id, scope, ok, expected, printed}`: `expected` is what the parts add up to,
`printed` is the printed total. A check with a blank (null) or missing input cannot be
assessed and is reported with ok=None. Values are never changed here.
"""
from __future__ import annotations

from numbers import Number

C6 = ("natural_person", "commercial", "research", "nonprofit", "legal_service", "other_org")
C7 = C6 + ("total",)
_RES_COMMON = (
    ["granted", "partial"]
    + [f"withheld.{x}" for x in ("state_secret", "law_prohibited", "security_stability", "third_party",
                                 "internal_affairs", "process_info", "enforcement_file", "admin_query")]
    + [f"unable.{x}" for x in ("not_held", "needs_creation", "unclear")]
    + [f"not_processed.{x}" for x in ("petition", "duplicate", "publication", "mass_repeat",
                                      "confirm_reissue")]
)
RES = {
    "2019": tuple(_RES_COMMON + ["other.total"]),
    "2021": tuple(_RES_COMMON + ["other.no_correction", "other.unpaid_fee", "other.misc"]),
}
T4_GROUPS = ("review", "lit_direct", "lit_after_review")
T4_PARTS = ("upheld", "corrected", "other", "pending")


def _num(x) -> bool:
    return isinstance(x, Number) and not isinstance(x, bool)


def _sum(values: list):
    if not values or not all(_num(v) for v in values):
        return None
    total = sum(values)
    return round(total, 6) if isinstance(total, float) else total


def _check(id_: str, scope: str, parts: list, printed) -> dict:
    expected = _sum(parts)
    if expected is None or not _num(printed):
        return {"id": id_, "scope": scope, "ok": None, "expected": expected,
                "printed": printed if _num(printed) else None}
    return {"id": id_, "scope": scope, "ok": expected == printed, "expected": expected, "printed": printed}


def t3_rows(template_s3: str | None) -> list[str]:
    if template_s3 not in RES:
        return []
    return (["t3.new_received", "t3.carried_over"] + [f"t3.result.{r}" for r in RES[template_s3]]
            + ["t3.result.total", "t3.carry_forward"])


def identity_members(template_s3: str | None) -> list[tuple[str, str, list[str]]]:
    """(id, scope, every code the check reads) for I1–I4, in the order `check_identities` gives."""
    out: list[tuple[str, str, list[str]]] = []
    if template_s3 in RES:
        for c in C7:
            out.append(("I1", c, [f"t3.new_received:{c}", f"t3.carried_over:{c}", f"t3.result.total:{c}",
                                  f"t3.carry_forward:{c}"]))
        for c in C7:
            out.append(("I2", c, [f"t3.result.{r}:{c}" for r in RES[template_s3]] + [f"t3.result.total:{c}"]))
        for row in t3_rows(template_s3):
            out.append(("I3", row, [f"{row}:{c}" for c in C7]))
    for g in T4_GROUPS:
        out.append(("I4", g, [f"t4.{g}.{p}" for p in T4_PARTS] + [f"t4.{g}.total"]))
    return out


def member_holds(id_: str, values: list) -> bool | None:
    """Whether one identity holds on its members' values (`identity_members` order); None when
    a member is missing or blank."""
    if not values or not all(_num(v) for v in values):
        return None
    if id_ == "I1":
        return _sum(values[:2]) == _sum(values[2:])
    return _sum(values[:-1]) == values[-1]


def check_identities(cells: dict, template_s3: str | None) -> list[dict]:
    """All I1–I5 entries for one report's `cells` (code -> printed value or None)."""
    out: list[dict] = []
    has_t3 = any(k.startswith("t3.") for k in cells)
    if has_t3 and template_s3 in RES:
        for c in C7:
            out.append(_check("I1", c, [cells.get(f"t3.new_received:{c}"), cells.get(f"t3.carried_over:{c}")],
                              _sum([cells.get(f"t3.result.total:{c}"), cells.get(f"t3.carry_forward:{c}")])))
        for c in C7:
            out.append(_check("I2", c, [cells.get(f"t3.result.{r}:{c}") for r in RES[template_s3]],
                              cells.get(f"t3.result.total:{c}")))
        for row in t3_rows(template_s3):
            out.append(_check("I3", row, [cells.get(f"{row}:{c}") for c in C6], cells.get(f"{row}:total")))
    if any(k.startswith("t4.") for k in cells):
        for g in T4_GROUPS:
            out.append(_check("I4", g, [cells.get(f"t4.{g}.{p}") for p in T4_PARTS], cells.get(f"t4.{g}.total")))
    out.extend(domain_checks(cells))
    return out


def domain_ok(code: str, value) -> bool:
    """I5: counts are integers >= 0, deltas signed integers, the 2021 fee a decimal >= 0."""
    if code.endswith(".delta"):
        return isinstance(value, int)
    if code == "t2.art20_8.fees.amount" or code == "t2.art20_9.procurement.amount":
        return _num(value) and value >= 0
    return isinstance(value, int) and value >= 0


def domain_checks(cells: dict) -> list[dict]:
    """One I5 entry per failing printed value, or one passing summary entry."""
    bad = [(code, v) for code, v in sorted(cells.items()) if v is not None and not domain_ok(code, v)]
    if not bad:
        assessed = any(v is not None for v in cells.values())
        return [{"id": "I5", "scope": "all", "ok": True if assessed else None, "expected": None,
                 "printed": None}]
    return [{"id": "I5", "scope": code, "ok": False, "expected": None, "printed": v} for code, v in bad]


def violations(checks: list[dict]) -> list[dict]:
    """Failing checks in the ground-truth `source_identity_violations` shape."""
    return [{"identity": c["id"], "group": c["scope"], "sum_of_parts": c["expected"],
             "printed_total": c["printed"]} for c in checks if c["ok"] is False]

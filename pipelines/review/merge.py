"""Apply reviewers' decisions to one extraction result (pure: dicts in, dict out).

The machine's reading is never lost: each reviewed cell keeps `machine_value` (what the
extractor read, null when it read nothing) and its printed text, and says who decided, when and
why. Identities are checked again on the merged cells by the one implementation
(pipelines.core.identities); a partial document whose every layout cell is now read is complete.
"""
from __future__ import annotations

import copy

from pipelines.core.identities import check_identities
from pipelines.core.mapping import allowed_codes


def unread_codes(result: dict) -> list[str]:
    """The layout cells the extractor did not read, in code order.

    The extractor's own `unread` list when it gives one; otherwise every code of the printed
    layout (allowed_codes of its templates) that is not among the cells read."""
    listed = result.get("unread")
    if listed:
        return sorted({u["code"] for u in listed if u.get("code")})
    expected = allowed_codes(result.get("template_s2"), result.get("template_s3"))
    return sorted(expected - set(result.get("cells") or {}))


def blank_reading(result: dict, template: dict) -> dict:
    """A report the machine could not read at all, as a reading of the layout a reviewer chose
    with no cell read yet: the cells people enter are all it will hold."""
    out = copy.deepcopy(result)
    machine = result.get("error") or {}
    out.update(status="partial", template_s2=template["template_s2"], template_s3=template["template_s3"],
               cells={}, raw_text_cells={}, cell_locations={}, unread=[], unmapped=[], read_by="human",
               error={"kind": "incomplete", "message": "entered by people in xxgk review (the machine: "
                      f"{machine.get('kind')}: {machine.get('message')})"})
    return out


def apply_decisions(result: dict, decisions: dict[str, dict], template: dict | None = None) -> tuple[dict, dict]:
    """(merged result, counts) for one document's decisions in force (code -> decision).

    A decision for a code the document's layout does not have is not applied (counted as
    dropped). The merged result carries `reviewed`: code -> {kind, machine_value, who, at, note}.
    A report that failed to read takes the cells people entered once a reviewer chose its
    `template` (a template decision); without one its decisions are dropped.
    """
    counts = {"human_cells": 0, "printed_as_is": 0, "dropped": 0}
    if result.get("status") == "failed" and template is not None \
            and template.get("document_sha256") == result.get("sha256"):
        result = blank_reading(result, template)
    if not decisions or result.get("status") not in ("ok", "partial"):
        counts["dropped"] = len(decisions or {})
        return result, counts
    out = copy.deepcopy(result)
    unread_before = set(unread_codes(result))
    allowed = allowed_codes(out.get("template_s2"), out.get("template_s3"))
    cells, raw = out.setdefault("cells", {}), out.setdefault("raw_text_cells", {})
    reviewed = out.setdefault("reviewed", {})
    for code, d in sorted(decisions.items()):
        if code not in allowed or d.get("document_sha256") != out.get("sha256"):
            counts["dropped"] += 1
            continue
        machine = cells.get(code)
        reviewed[code] = {"kind": d["kind"], "machine_value": machine, "machine_read": code in cells,
                          "who": d.get("who"), "at": d.get("at"), "note": d.get("note") or None}
        if d["kind"] == "value":
            cells[code] = d.get("value")
            if d.get("raw_text"):
                raw[code] = d["raw_text"]
            else:
                raw.pop(code, None)
            counts["human_cells"] += 1
        else:
            counts["printed_as_is"] += 1
    out["identity_checks"] = check_identities(cells, out.get("template_s3"))
    if out.get("status") == "partial" and out.get("template_s2") and out.get("template_s3"):
        entered = {c for c, r in reviewed.items() if r["kind"] == "value"}
        lacking = (unread_before | (allowed - set(cells))) - entered
        if not lacking:
            out["status"], out["error"] = "ok", None
        elif reviewed and (out.get("error") or {}).get("kind") == "incomplete":
            out["error"] = {"kind": "incomplete",
                            "message": f"{len(lacking)} layout cells still unread after review; "
                                       + (out["error"].get("message") or "")}
    return out, counts

"""Reviewers' decisions, appended one JSON line each to $XXGK_DATA_DIR/review/decisions.jsonl.

The file is never rewritten: no pipeline run writes it, and an undo is one more line that names
the decision it takes back. Every decision carries the sha256 of the document it was made on, so
a republished report (other bytes) does not inherit it and goes back to the queue.

A decision line:
    {"id", "at" (UTC ISO), "who", "document_sha256", "code" (null for a note on the document),
     "kind": "value" | "printed_as_is" | "template" | "note" | "undo",
     "value" (the number read by the person; null = a printed blank), "raw_text" (as typed),
     "old_value" (what the cell held when the person decided), "note", "undoes" (id, for undo),
     "template_s2", "template_s3" (for "template": the layout of a report the machine could not
     read at all, so its cells can be entered by hand)}
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import uuid
from datetime import datetime, timezone
from pathlib import Path

from pipelines import settings
from pipelines.core.values import parse_cell

log = logging.getLogger(__name__)

KINDS = ("value", "printed_as_is", "template", "note", "undo")
TEMPLATES = ("2019", "2021")
CELL_KINDS = ("value", "printed_as_is")  # decisions that change what a cell publishes
BLANK_INPUTS = ("-", "—", "空", "blank")  # what a reviewer types for a printed blank cell


class DecisionError(ValueError):
    """A decision that cannot be recorded; the message says what to change."""


def decisions_path() -> Path:
    return settings.data_dir() / "review" / "decisions.jsonl"


def parse_value(text: str) -> tuple[int | float | None, str | None]:
    """What a reviewer typed -> (value, raw text kept when it is not a bare number).

    The same parser as the extractor's (a typed '1,200' is 1200 with its text kept); a typed
    dash is a printed blank (null, never 0); text that is no number is refused."""
    typed = (text or "").strip()
    if not typed:
        raise DecisionError("请输入数值（空白单元格请输入 -）: type the value, or - for a printed blank")
    if typed in BLANK_INPUTS:
        return None, None
    cell = parse_cell(typed)
    if cell.state != "number":
        raise DecisionError(f"“{typed}” 不是数值: not a number (type digits, or - for a printed blank)")
    return cell.value, cell.raw


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def make_decision(*, who: str, document_sha256: str, kind: str, code: str | None = None,
                  value_text: str | None = None, old_value=None, note: str = "",
                  undoes: str | None = None, template_s2: str | None = None,
                  template_s3: str | None = None) -> dict:
    """A validated decision line (not yet written)."""
    who = (who or "").strip()
    if not who:
        raise DecisionError("审核人不能为空: say who decides (the reviewer's name)")
    if kind not in KINDS:
        raise DecisionError(f"unknown decision kind {kind!r}; one of {', '.join(KINDS)}")
    if not (isinstance(document_sha256, str) and len(document_sha256) == 64):
        raise DecisionError("document_sha256 must be the 64-hex sha256 of the document")
    if kind in CELL_KINDS and not code:
        raise DecisionError(f"a {kind} decision needs the cell code")
    if kind == "template" and (template_s2 not in TEMPLATES or template_s3 not in TEMPLATES):
        raise DecisionError("模板须为 2019 或 2021: template_s2 and template_s3 must be 2019 or 2021")
    if kind == "undo" and not undoes:
        raise DecisionError("an undo names the decision it takes back (undoes)")
    value, raw = parse_value(value_text) if kind == "value" else (None, None)
    if kind == "printed_as_is":
        value = old_value
    out = {"id": uuid.uuid4().hex, "at": _now(), "who": who, "document_sha256": document_sha256,
           "code": code, "kind": kind, "value": value, "raw_text": raw, "old_value": old_value,
           "note": (note or "").strip(), "undoes": undoes}
    if kind == "template":
        out.update(code=None, template_s2=template_s2, template_s3=template_s3)
    return out


def append(decision: dict, path: Path | None = None) -> dict:
    """Append one decision (one line, flushed and synced) under an exclusive lock."""
    path = path or decisions_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(decision, ensure_ascii=False, sort_keys=True) + "\n"
    with path.open("a", encoding="utf-8") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            fh.write(line)
            fh.flush()
            os.fsync(fh.fileno())
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
    return decision


def read_all(path: Path | None = None) -> list[dict]:
    """Every decision in file order; a line that is not JSON (a torn write) is skipped and logged."""
    path = path or decisions_path()
    if not path.exists():
        return []
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:
            log.warning("%s line %d is not JSON: skipped", path, n)
    return out


def effective(decisions: list[dict]) -> dict[str, dict[str, dict]]:
    """document_sha256 -> code -> the decision in force for that cell.

    Decisions apply in file order; an undo takes its target out, so the decision before it (or
    the machine's reading) is in force again."""
    undone = {d.get("undoes") for d in decisions if d.get("kind") == "undo"}
    out: dict[str, dict[str, dict]] = {}
    for d in decisions:
        if d.get("kind") in CELL_KINDS and d.get("id") not in undone and d.get("code"):
            out.setdefault(d["document_sha256"], {})[d["code"]] = d
    return out


def templates(decisions: list[dict]) -> dict[str, dict]:
    """document_sha256 -> the template decision in force (the last one not undone)."""
    undone = {d.get("undoes") for d in decisions if d.get("kind") == "undo"}
    return {d["document_sha256"]: d for d in decisions if d.get("kind") == "template" and d.get("id") not in undone}


def digest(path: Path | None = None) -> str:
    """sha256 of the decisions file ('' when there is none): a new decision must rebuild the facts."""
    path = path or decisions_path()
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else ""

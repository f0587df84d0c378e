"""A partial sample document, made the way real ones are: a copy of the sample portal in which one
inline HTML report lost the values of one table row (the cells are gone, the row label stays)."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PORTAL = REPO / "data" / "sample_portal"
# 澄岚县白沙镇人民政府 2023 (inline HTML, 2021 template): its truth is data/sample_truth/baisha-2023
REPORT = "zfxxgk/zfxxgknb/202401/t20240118_4378595.html"
TRUTH = REPO / "data" / "sample_truth" / "baisha-2023.truth.json"
ROW_LABEL = "本年新收"  # section 三, row 一: the applications a county compares first
ROW_CODE = "t3.new_received"


def drop_row_values(html: str, label: str) -> tuple[str, int]:
    """The page with every numeric cell of the table row labelled `label` removed; (page, cells dropped)."""
    out, dropped = [], 0
    for line in html.split("\n"):
        if line.startswith("<tr") and label in line:
            cells = re.findall(r"<td.*?</td>", line)
            keep = [c for c in cells if not re.search(r">\s*\d+\s*</span>", c)]
            dropped += len(cells) - len(keep)
            line = "<tr>" + "".join(keep) + "</tr>"
        out.append(line)
    return "\n".join(out), dropped


def degraded_portal(dest: Path) -> Path:
    """A copy of the sample portal under `dest` with the report's row values dropped."""
    shutil.copytree(PORTAL, dest)
    page = dest / REPORT
    text, dropped = drop_row_values(page.read_text(encoding="utf-8"), ROW_LABEL)
    assert dropped == 7, f"expected the 7 values of row {ROW_LABEL}, dropped {dropped}"
    page.write_text(text, encoding="utf-8")
    return dest

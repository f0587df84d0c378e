"""Build a LibreOffice-exported test PDF from the official 2021 template (run by hand).

    .venv/bin/python tests/core/make_lo_fixture.py OUT_DIR

Fills every value cell of /work/shared/corpus/official-template-2021.docx with numbers that
satisfy I1–I4, writes OUT_DIR/lo-2021.docx, OUT_DIR/lo-2021.expected.json and converts the
docx with `soffice --headless --convert-to pdf` (LibreOffice + Noto CJK: the shifted glyph
boxes of pitfalls.md).
"""
from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import docx

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO.parent / "shared" / "corpus" / "official-template-2021.docx"
C6 = ("natural_person", "commercial", "research", "nonprofit", "legal_service", "other_org")
RES = (["granted", "partial"]
       + [f"withheld.{x}" for x in ("state_secret", "law_prohibited", "security_stability", "third_party",
                                    "internal_affairs", "process_info", "enforcement_file", "admin_query")]
       + [f"unable.{x}" for x in ("not_held", "needs_creation", "unclear")]
       + [f"not_processed.{x}" for x in ("petition", "duplicate", "publication", "mass_repeat",
                                         "confirm_reissue")]
       + ["other.no_correction", "other.unpaid_fee", "other.misc"])


def values(seed: int = 7) -> dict:
    rnd = random.Random(seed)
    cells: dict = {
        "t2.art20_1.rules.issued": 1, "t2.art20_1.rules.repealed": 0, "t2.art20_1.rules.in_force": 3,
        "t2.art20_1.normative_docs.issued": 5, "t2.art20_1.normative_docs.repealed": 2,
        "t2.art20_1.normative_docs.in_force": 25, "t2.art20_5.licensing.decisions": 124,
        "t2.art20_6.penalty.decisions": 46, "t2.art20_6.coercion.decisions": 7,
        "t2.art20_8.fees.amount": 26.55,
    }
    rows = {r: {c: (rnd.choice([0, 0, 1, 2, 3, 12, 40]) if c in ("natural_person", "commercial") else
                    rnd.choice([0, 0, 0, 1])) for c in C6} for r in RES}
    for c in C6:
        total = sum(rows[r][c] for r in RES)
        carried = rnd.choice([0, 1, 2])
        forward = rnd.choice([0, 1, 3])
        new = total + forward - carried
        if new < 0:
            forward -= new
            new = 0
        for row, v in (("new_received", new), ("carried_over", carried), ("result.total", total),
                       ("carry_forward", forward)):
            cells[f"t3.{row}:{c}"] = v
        for r in RES:
            cells[f"t3.result.{r}:{c}"] = rows[r][c]
    t3rows = ["new_received", "carried_over"] + [f"result.{r}" for r in RES] + ["result.total", "carry_forward"]
    for r in t3rows:
        cells[f"t3.{r}:total"] = sum(cells[f"t3.{r}:{c}"] for c in C6)
    for g in ("review", "lit_direct", "lit_after_review"):
        parts = [rnd.choice([0, 1, 2, 5]) for _ in range(4)]
        for o, v in zip(("upheld", "corrected", "other", "pending"), parts):
            cells[f"t4.{g}.{o}"] = v
        cells[f"t4.{g}.total"] = sum(parts)
    return cells, t3rows


def fill(out_dir: Path) -> Path:
    cells, t3rows = values()
    d = docx.Document(str(TEMPLATE))
    for p in d.paragraphs:
        if p.text.strip() == "政府信息公开工作年度报告格式模板":
            p.text = "青川县城关镇2023年政府信息公开工作年度报告"
    t2, t3, t4 = d.tables[:3]
    t2_rows = {2: ("rules", ("issued", "repealed", "in_force")),
               3: ("normative_docs", ("issued", "repealed", "in_force")),
               6: ("licensing", ("decisions",)), 9: ("penalty", ("decisions",)),
               10: ("coercion", ("decisions",)), 13: ("fees", ("amount",))}
    block = {"rules": 1, "normative_docs": 1, "licensing": 5, "penalty": 6, "coercion": 6, "fees": 8}
    for ri, (row, measures) in t2_rows.items():
        cs = t2.rows[ri].cells
        for k, ms in enumerate(measures):
            cs[1 + k].text = str(cells[f"t2.art20_{block[row]}.{row}.{ms}"])
    for k, r in enumerate(t3rows):
        cs = t3.rows[3 + k].cells
        for j, c in enumerate(C6 + ("total",)):
            cs[3 + j].text = str(cells[f"t3.{r}:{c}"])
    cs = t4.rows[3].cells
    for k, g in enumerate(("review", "lit_direct", "lit_after_review")):
        for j, o in enumerate(("upheld", "corrected", "other", "pending", "total")):
            cs[5 * k + j].text = str(cells[f"t4.{g}.{o}"])
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "lo-2021.docx"
    d.save(str(path))
    (out_dir / "lo-2021.expected.json").write_text(json.dumps(cells, ensure_ascii=False, indent=1))
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(out_dir), str(path)],
                   check=True, capture_output=True, timeout=180)
    return out_dir / "lo-2021.pdf"


if __name__ == "__main__":
    print(fill(Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/lo")))

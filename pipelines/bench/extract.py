"""Extraction accuracy and speed: our extractor against a naive Camelot baseline (`make bench-extract`).

    python -m pipelines.bench.extract [--runs 3] [--no-baseline]

Files: ../shared/corpus/real/*.pdf (with their .truth.json) and every text-layer PDF, HTML and
DOCX of the sample county (data/sample_truth/*.truth.json; `document_url` is the path under
data/sample_portal/). For PDFs the baseline is `camelot.read_pdf(path, pages="all",
flavor="lattice")` with Camelot's own cell text, turned into model.Table and mapped by the
same `mapping.map_document`, so the difference is the reading, not the mapping.

A cell is right when the extracted value equals the truth's (null included); total is the
number of printed cells in the truth. Times are wall-clock medians of `--runs` runs per file
on whatever else the machine is doing: compare ratios measured in one run, not absolutes.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import warnings
from pathlib import Path

from pipelines.core.extract import extract_path
from pipelines.core.mapping import allowed_codes, map_document
from pipelines.core.model import Cell, Document, Table

REPO = Path(__file__).resolve().parents[2]
REAL = REPO.parent / "shared" / "corpus" / "real"
DATA = REPO / "data"


def cases() -> list[tuple[Path, dict]]:
    out = []
    for t in sorted(REAL.glob("*.truth.json")):
        pdf = t.with_name(t.name[: -len(".truth.json")] + ".pdf")
        if pdf.is_file():
            truth = json.loads(t.read_text(encoding="utf-8"))
            truth.setdefault("format", "pdf")
            out.append((pdf, truth))
    for t in sorted((DATA / "sample_truth").glob("*.truth.json")):
        truth = json.loads(t.read_text(encoding="utf-8"))
        if truth.get("format") in ("pdf", "html", "docx", "doc") and truth.get("document_url"):
            out.append((DATA / "sample_portal" / truth["document_url"].lstrip("/"), truth))
    return out


def score(truth: dict, cells: dict) -> tuple[int, int]:
    expected = truth["cells"]
    right = sum(1 for code, v in expected.items()
                if code in cells and cells[code] == v and (v is None) == (cells[code] is None))
    return right, len(expected)


def timed(fn, runs: int):
    times, result = [], None
    for _ in range(runs):
        t = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t) * 1000)
    return result, statistics.median(times)


def camelot_baseline(path: Path) -> dict:
    """Naive lattice over all pages, Camelot's cell text, our mapper."""
    import camelot

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        found = camelot.read_pdf(str(path), pages="all", flavor="lattice", suppress_stdout=True)
    tables = []
    for tb in found:
        rows = []
        for r, row in enumerate(tb.cells):
            out_row = []
            for c, cell in enumerate(row):
                text = str(tb.df.iat[r, c]) if r < tb.df.shape[0] and c < tb.df.shape[1] else ""
                out_row.append(Cell(text, int(tb.page), (cell.x1, cell.y1, cell.x2, cell.y2)))
            rows.append(out_row)
        tables.append(Table(rows, int(tb.page), "camelot-lattice"))
    m = map_document(Document(text="", tables=tables, format="pdf"))
    allowed = allowed_codes(m.template_s2, m.template_s3)
    return {code: p.value.value for code, p in m.cells.items() if code in allowed}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3, help="runs per file; the median time is reported")
    ap.add_argument("--no-baseline", action="store_true", help="skip the Camelot baseline")
    args = ap.parse_args(argv)
    rows = []
    all_cases = cases()
    if not all_cases:
        print("no files with truth found (../shared/corpus/real, data/sample_truth)", file=sys.stderr)
        return 1
    head = f"{'file':<34} {'format':<6} {'ours right/total':>17} {'ours ms':>8}   {'camelot right/total':>19} {'camelot ms':>10}"
    print(head)
    print("-" * len(head))
    for path, truth in all_cases:
        got, ms = timed(lambda: extract_path(path), args.runs)
        right, total = score(truth, got["cells"])
        row = {"file": path.name, "format": truth["format"], "right": right, "total": total, "ms": ms}
        base = ""
        if truth["format"] == "pdf" and not args.no_baseline:
            cells, bms = timed(lambda: camelot_baseline(path), args.runs)
            bright, _ = score(truth, cells)
            row.update(b_right=bright, b_ms=bms)
            base = f"{bright:>10}/{total:<8} {bms:>10.0f}"
        rows.append(row)
        print(f"{path.name[:34]:<34} {truth['format']:<6} {right:>8}/{total:<8} {ms:>8.0f}   {base}", flush=True)
    print("-" * len(head))
    for fmt in ("pdf", "html", "docx", "doc"):
        sel = [r for r in rows if r["format"] == fmt]
        if sel:
            r_, t_ = sum(r["right"] for r in sel), sum(r["total"] for r in sel)
            print(f"ours   {fmt:<5} {len(sel):>3} files  {r_}/{t_} cells = {100 * r_ / t_:.2f}%  "
                  f"median {statistics.median(r['ms'] for r in sel):.0f} ms/report")
    r_, t_ = sum(r["right"] for r in rows), sum(r["total"] for r in rows)
    print(f"ours   all   {len(rows):>3} files  {r_}/{t_} cells = {100 * r_ / t_:.2f}%")
    based = [r for r in rows if "b_ms" in r]
    if based:
        br, bt = sum(r["b_right"] for r in based), sum(r["total"] for r in based)
        orr = sum(r["right"] for r in based)
        ours_ms, base_ms = sum(r["ms"] for r in based), sum(r["b_ms"] for r in based)
        print(f"PDFs only ({len(based)} files): ours {orr}/{bt} = {100 * orr / bt:.2f}%, "
              f"camelot lattice baseline {br}/{bt} = {100 * br / bt:.2f}%")
        print(f"speed: ours {ours_ms / len(based):.0f} ms/report, baseline {base_ms / len(based):.0f} ms/report, "
              f"ratio baseline/ours = {base_ms / ours_ms:.2f}x (same run)")
    print(f"note: wall-clock medians of {args.runs} runs per file on a shared, noisy machine; "
          "compare the ratio, not absolute times")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Extraction accuracy and speed: our extractor against a naive Camelot baseline (`make bench-extract`).

    python -m pipelines.bench.extract [--runs 3] [--no-baseline] [--only corpus|families]
                                      [--families a,b] [--seeds 10] [--scan-seeds 2] [--ocr]

Files: ../shared/corpus/real/*.pdf (with their .truth.json) and every text-layer PDF, HTML and
DOCX of the sample county (data/sample_truth/*.truth.json; `document_url` is the path under
data/sample_portal/). For PDFs the baseline is `camelot.read_pdf(path, pages="all",
flavor="lattice")` with Camelot's own cell text, turned into model.Table and mapped by the
same `mapping.map_document`, so the difference is the reading, not the mapping.

Then the layout families (tools/layout_family): for each family, the test seeds plus the first
`--seeds` held-out seeds (never used by tests), extracted with the defaults (`--ocr` forces OCR
on); printed per family and per route (text layer / OCR): cells right, wrong numbers, cells
missed, documents per status, OCR seconds per page; and the speed of our reader with worker
isolation (`extract_many`, one worker) against the naive Camelot lattice reader on the same
text-layer family PDFs, measured in the same run.

A cell is right when the extracted value equals the truth's (null included); total is the
number of printed cells in the truth. A wrong number is a value read that differs from the
printed one; on scans, cells under a red seal may stay unread (tools/layout_family/score.py). Times are wall-clock medians of `--runs` runs per file
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
    ap.add_argument("--only", choices=("corpus", "families"), help="run one part only")
    ap.add_argument("--families", default="", help="comma-separated layout families (default: all)")
    ap.add_argument("--seeds", type=int, default=10, help="held-out seeds per family (besides the test seeds)")
    ap.add_argument("--scan-seeds", type=int, default=2, help="held-out seeds for the scan family")
    ap.add_argument("--ocr", action="store_true", help="force OCR on (default: the extractor's default)")
    ap.add_argument("--per-case", action="store_true", help="print one line per family case")
    ap.add_argument("--speed-docs", type=int, default=2,
                    help="held-out seeds per text-layer PDF family in the speed comparison with Camelot")
    args = ap.parse_args(argv)
    status = 0
    if args.only != "families":
        status = corpus_bench(args)
    if args.only != "corpus":
        print()
        status = families_bench(args) or status
    return status


def corpus_bench(args) -> int:
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


# ---------------------------------------------------------------- layout families


def _family_cases(args):
    from tools.layout_family import FAMILIES, HELD_OUT_SEEDS, TEST_SEEDS, missing_program

    wanted = [f for f in args.families.split(",") if f] or list(FAMILIES)
    unknown = set(wanted) - set(FAMILIES)
    if unknown:
        raise SystemExit(f"unknown families: {', '.join(sorted(unknown))}; one of {', '.join(FAMILIES)}")
    for family in wanted:
        if missing_program(family):
            print(f"{family}: skipped ({missing_program(family)})")
            continue
        n = args.scan_seeds if family == "scan" else args.seeds
        for seed in TEST_SEEDS[family]:
            yield family, seed, False
        for seed in HELD_OUT_SEEDS[:n]:
            yield family, seed, True


def _page_count(data: bytes) -> int:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    try:
        return len(doc)
    finally:
        doc.close()


def families_bench(args) -> int:
    """Per-family and per-route accuracy on drawn layout families, wrong numbers, OCR s/page, and
    the speed of our isolated reader against the naive Camelot lattice reader (same PDFs, same run)."""
    import collections
    import tempfile

    from pipelines.core.extract import extract_bytes, extract_many
    from tools.layout_family import draw
    from tools.layout_family.score import score

    ocr = True if args.ocr else None
    fam: dict[str, dict] = collections.defaultdict(lambda: collections.Counter())
    route: dict[str, dict] = collections.defaultdict(lambda: collections.Counter())
    statuses: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    text_pdfs: list[tuple[str, bytes, object]] = []
    ocr_seconds = ocr_pages = 0.0
    head = (f"{'family':<13} {'seeds':>5} {'right/legible':>15} {'acc%':>7} {'held-out%':>9} {'wrong':>6} "
            f"{'missed':>6} {'ms/doc':>7}  statuses")
    print("layout families (tools/layout_family), extracted with the defaults" + (" + OCR" if ocr else ""))
    print(head)
    print("-" * len(head))
    current = None

    def flush(name):
        c = fam[name]
        acc = 100 * c["lr"] / c["lt"] if c["lt"] else 0.0
        held = 100 * c["h_lr"] / c["h_lt"] if c["h_lt"] else 0.0
        st = " ".join(f"{k}:{v}" for k, v in sorted(statuses[name].items()))
        print(f"{name:<13} {c['n']:>5} {c['lr']:>7}/{c['lt']:<7} {acc:>7.2f} {held:>9.2f} {c['wrong']:>6} "
              f"{c['missed']:>6} {c['ms'] / max(c['n'], 1):>7.0f}  {st}", flush=True)

    for family, seed, held_out in _family_cases(args):
        if current and family != current:
            flush(current)
        current = family
        case = draw(family, seed)
        t = time.perf_counter()
        got = extract_bytes(case.data, case.name, ocr=ocr)
        ms = (time.perf_counter() - t) * 1000
        s = score(case, got["cells"])
        c = fam[family]
        c.update(n=1, lr=s.legible_right, lt=s.legible_total, wrong=s.wrong, missed=s.missed, ms=ms)
        if held_out:
            c.update(h_lr=s.legible_right, h_lt=s.legible_total)
        statuses[family][got["status"]] += 1
        r = route[case.route]
        r.update(n=1, lr=s.legible_right, lt=s.legible_total, wrong=s.wrong, missed=s.missed)
        if got.get("read_by") == "ocr" or (case.route == "ocr" and ocr):
            ocr_seconds += ms / 1000
            ocr_pages += _page_count(case.data) if case.suffix == ".pdf" else 0
        if case.route == "text" and case.suffix == ".pdf" and held_out and \
                sum(1 for n, _, _ in text_pdfs if n.startswith(family + "-")) < args.speed_docs:
            text_pdfs.append((case.name, case.data, case))
        if args.per_case:
            print(f"  {case.name:<22} {'held-out' if held_out else 'test':<8} {s.legible_right:>4}/{s.legible_total:<4} "
                  f"wrong {s.wrong:<3} missed {s.missed:<4} {got['status']:<8} {ms:>6.0f} ms", flush=True)
        if s.wrong:
            print(f"  wrong numbers in {case.name}: {dict(list(s.wrong_cells.items())[:5])}", flush=True)
    if current:
        flush(current)
    print("-" * len(head))
    for name in ("text", "ocr"):
        c = route.get(name)
        if c:
            print(f"route {name:<5} {c['n']:>4} docs  {c['lr']}/{c['lt']} legible cells = "
                  f"{100 * c['lr'] / max(c['lt'], 1):.2f}%  wrong numbers {c['wrong']}  missed {c['missed']}")
    total_wrong = sum(c["wrong"] for c in fam.values())
    print(f"wrong numbers, all families: {total_wrong}")
    if ocr_pages:
        print(f"OCR: {ocr_seconds / ocr_pages:.1f} s/page ({ocr_pages:.0f} pages of OCR-route documents)")
    else:
        print("OCR: no document was read by OCR in this run (OCR off by default? try --ocr)")
    if text_pdfs and not args.no_baseline:
        with tempfile.TemporaryDirectory(prefix="bench_families_") as tmp:
            paths = []
            for name, data, _ in text_pdfs:
                p = Path(tmp) / name
                p.write_bytes(data)
                paths.append(p)
            t = time.perf_counter()
            results = list(extract_many(paths, workers=1, ocr=ocr))
            ours = time.perf_counter() - t
            t = time.perf_counter()
            base_right = base_total = 0
            for p, (_, _, case) in zip(paths, text_pdfs):
                cells = camelot_baseline(p)
                base_right += score(case, cells).right
                base_total += len(case.truth)
            base = time.perf_counter() - t
            ours_right = sum(score(case, res["cells"]).right for (_, _, case), res in zip(text_pdfs, results))
        print(f"text-layer family PDFs ({len(paths)} held-out docs): ours with worker isolation (extract_many, "
              f"1 worker) {1000 * ours / len(paths):.0f} ms/doc, {ours_right}/{base_total} cells; camelot lattice "
              f"baseline {1000 * base / len(paths):.0f} ms/doc, {base_right}/{base_total} cells; "
              f"speed ratio baseline/ours = {base / ours:.2f}x (same run)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

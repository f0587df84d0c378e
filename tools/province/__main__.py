"""Generate a fictional province of N counties (see tools/province/__init__.py).

    .venv/bin/python -m tools.province --counties 20 --seed 1 --out /tmp/province [--docs-per-county 75]
    .venv/bin/python -m tools.province --out /tmp/province --serve      # serve it until Ctrl-C
"""
from __future__ import annotations

import argparse
import os
import sys
import threading
import time

from .generate import DEFAULT_PORT, generate


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tools.province")
    ap.add_argument("--counties", type=int, default=3)
    ap.add_argument("--seed", default="1")
    ap.add_argument("--out", required=True, help="folder to write (its sources/, sites/, truth/ are replaced)")
    ap.add_argument("--docs-per-county", type=int, default=75)
    ap.add_argument("--port", type=int, default=DEFAULT_PORT, help="port every county's address serves on")
    ap.add_argument("--pdf-share", type=float, default=0.4, help="share of reports attached as ReportLab PDFs")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="generator processes")
    ap.add_argument("--serve", action="store_true", help="serve the province in --out (no generation)")
    args = ap.parse_args(argv)
    if args.serve:
        from .serve import serve_province

        with serve_province(args.out) as servers:
            for c in servers.counties.values():
                print(f"{c['id']} {c['name']} ({c['family']}): {c['base_url']}/", flush=True)
            try:
                threading.Event().wait()
            except KeyboardInterrupt:
                pass
        return 0
    t0 = time.monotonic()
    province = generate(args.out, args.counties, args.seed, args.docs_per_county, args.port, args.pdf_share,
                        args.jobs)
    fams: dict[str, int] = {}
    for c in province["counties"]:
        fams[c["family"]] = fams.get(c["family"], 0) + 1
    print(f"{len(province['counties'])} counties {fams}, {province['documents']} documents, "
          f"{time.monotonic() - t0:.1f} s -> {args.out} (profiles in {args.out}/sources)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

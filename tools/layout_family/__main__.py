"""Write one layout-family case and its truth: python -m tools.layout_family FAMILY SEED [OUT_DIR]

    python -m tools.layout_family borderless 7 /tmp/cases
    -> /tmp/cases/borderless-7.pdf and /tmp/cases/borderless-7.pdf.truth.json (spec §16 format
       plus family, seed, params, under_stamp, image_codes)
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import FAMILIES, draw


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("family", choices=FAMILIES)
    ap.add_argument("seed", type=int)
    ap.add_argument("out", nargs="?", default=".", type=Path)
    ap.add_argument("--identity-break", choices=("I3", "I4"), help="plant one printed identity failure")
    args = ap.parse_args(argv)
    case = draw(args.family, args.seed, identity_break=args.identity_break)
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / case.name
    path.write_bytes(case.data)
    truth = path.with_name(path.name + ".truth.json")
    truth.write_text(json.dumps(case.truth_record(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{path} ({len(case.data)} bytes, {len(case.truth)} cells, route {case.route})")
    print(truth)
    return 0


if __name__ == "__main__":
    sys.exit(main())

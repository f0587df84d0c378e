"""`xxgk extract PATH... --json`: one JSON object per input on stdout (JSON Lines), logs on stderr.

Exit 0 when every input was processed, failed ones included; 2 on a usage error.
"""
from __future__ import annotations

import argparse
import json
import logging
import sys

from .extract import DEFAULT_TIMEOUT_S, extract_many, extract_path


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="xxgk extract",
                                description="Extract tables 二/三/四 of 政府信息公开工作年度报告 files.")
    p.add_argument("paths", nargs="+", metavar="PATH", help="PDF, DOCX or HTML files")
    p.add_argument("--json", action="store_true", help="JSON Lines on stdout (the only output format)")
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S,
                   help=f"seconds per document (default {DEFAULT_TIMEOUT_S:.0f})")
    p.add_argument("--workers", type=int, default=None, help="parallel worker processes")
    p.add_argument("--in-process", action="store_true",
                   help="no worker processes and no time limit (debugging)")
    ocr = p.add_mutually_exclusive_group()
    ocr.add_argument("--ocr", dest="ocr", action="store_true", default=None,
                     help="OCR pages without a usable text layer (the default; env XXGK_OCR=0 turns "
                          "it off). An OCR'd cell is kept only when it is read with confidence and, in "
                          "tables 三/四, an identity that reads it holds; the rest is listed as unread")
    ocr.add_argument("--no-ocr", dest="ocr", action="store_false",
                     help="never OCR: scans and pictures of tables stay needs_ocr")
    p.add_argument("-v", "--verbose", action="store_true")
    return p


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["extract"]:
        argv = argv[1:]
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # argparse exits on usage errors and --help
        return int(exc.code or 0)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s")
    log = logging.getLogger("xxgk.extract")
    results = (map(lambda p: extract_path(p, ocr=args.ocr), args.paths) if args.in_process
               else extract_many(args.paths, timeout_s=args.timeout, workers=args.workers, ocr=args.ocr))
    for res in results:
        sys.stdout.write(json.dumps(res, ensure_ascii=False) + "\n")
        sys.stdout.flush()
        log.info("%s: %s %s", res["path"], res["status"], (res["error"] or {}).get("kind", ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""`xxgk extract ../shared/corpus/real/*.pdf --json`, the command outside checks call, end to end."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REAL = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "real"


def test_console_script_reads_every_cell_of_the_real_corpus():
    pdfs = sorted(REAL.glob("*.pdf"))
    if not pdfs:
        pytest.skip(f"real corpus not found at {REAL}")
    xxgk = Path(sys.executable).with_name("xxgk")
    proc = subprocess.run([str(xxgk), "extract", *map(str, pdfs), "--json"], capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == len(pdfs)  # one JSON object per input, logs on stderr
    right = total = 0
    for pdf, line in zip(pdfs, lines):
        got = json.loads(line)
        truth = json.loads(pdf.with_suffix(".truth.json").read_text(encoding="utf-8"))
        assert got["path"] == str(pdf) and got["status"] == "ok" and got["error"] is None
        assert (got["template_s2"], got["template_s3"]) == (truth["template_s2"], truth["template_s3"])
        assert set(got["cells"]) == set(truth["cells"])
        total += len(truth["cells"])
        right += sum(got["cells"][c] == v for c, v in truth["cells"].items())
    assert (right, total) == (386, 386)

"""Bad inputs fail fast with the right error kind; the CLI prints JSON Lines and exits 0."""
from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

from pipelines.core.cli_extract import main
from pipelines.core.extract import extract_bytes, extract_many, extract_path

REAL = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "real"


def _kind(data: bytes, name: str = "x") -> tuple[str, str | None]:
    r = extract_bytes(data, name)
    return r["status"], (r["error"] or {}).get("kind")


def test_empty_and_random_bytes():
    assert _kind(b"") == ("failed", "empty_file")
    assert _kind(b"  \n") == ("failed", "empty_file")
    assert _kind(os.urandom(4096).replace(b"%PDF", b"xxxx").replace(b"PK", b"xx")) == ("failed", "not_a_report")


def test_truncated_pdf():
    if not REAL.is_dir():
        pytest.skip(f"real corpus not found at {REAL}")
    data = (REAL / "hongze-2024.pdf").read_bytes()[:20000]
    assert _kind(data, "hongze-truncated.pdf") == ("failed", "corrupt_file")


def test_encrypted_pdf():
    reportlab = pytest.importorskip("reportlab")
    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, encrypt=pdfencrypt.StandardEncryption("secret", ownerPassword="owner"))
    c.drawString(100, 750, "2023")
    c.save()
    assert _kind(buf.getvalue(), "enc.pdf") == ("failed", "encrypted")


def test_pdf_without_text_layer_needs_ocr():
    pytest.importorskip("reportlab")
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    for i in range(20):
        c.line(50, 100 + 20 * i, 500, 100 + 20 * i)
    c.save()
    r = extract_bytes(buf.getvalue(), "scan.pdf")
    assert (r["status"], r["format"], r["error"]["kind"]) == ("failed", "pdf-scanned", "needs_ocr")
    assert r["cells"] == {}


def test_html_error_page_is_not_a_report():
    page = "<!DOCTYPE html><html><head><title>404</title></head><body><h1>页面不存在</h1></body></html>"
    assert _kind(page.encode("utf-8"), "err.html") == ("failed", "not_a_report")


def test_zip_that_is_not_word():
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("a.txt", "hello")
    assert _kind(buf.getvalue(), "a.zip") == ("failed", "not_a_report")


def test_missing_file():
    r = extract_path("/nonexistent/report.pdf")
    assert (r["status"], r["error"]["kind"]) == ("failed", "missing_file")


def test_extract_many_time_limit_and_order(tmp_path):
    if not REAL.is_dir():
        pytest.skip(f"real corpus not found at {REAL}")
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    res = list(extract_many([REAL / "hongze-2024.pdf", empty], timeout_s=0.05, workers=2))
    assert [r["path"] for r in res] == [str(REAL / "hongze-2024.pdf"), str(empty)]
    assert res[0]["error"]["kind"] == "timeout" and res[0]["status"] == "failed"
    assert res[1]["error"]["kind"] == "empty_file"


def test_cli_json_lines(tmp_path, capsys):
    if not REAL.is_dir():
        pytest.skip(f"real corpus not found at {REAL}")
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"\x00\x01garbage")
    code = main(["extract", str(REAL / "hongze-2024.pdf"), str(bad), "--json"])
    out = capsys.readouterr().out.splitlines()
    assert code == 0
    rows = [json.loads(line) for line in out]
    assert [r["status"] for r in rows] == ["ok", "failed"]
    assert rows[0]["cells"]["t3.new_received:total"] == 95
    assert rows[1]["error"]["kind"] == "not_a_report"
    assert main(["extract"]) == 2  # usage error

"""Focused fixtures (tools/make_focused_fixtures.py -> tests/fixtures/focused/): one hostile trait each.

Values in these fixtures are non-zero and pairwise distinct, so a value read from the wrong
row or column cannot match its code by accident.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import struct
import subprocess
import time
from pathlib import Path

import pytest

from pipelines.core import legacy_doc
from pipelines.core.extract import extract_bytes, extract_many, extract_path

FOCUSED = Path(__file__).resolve().parents[1] / "fixtures" / "focused"
LO_FIXTURES = Path(__file__).with_name("fixtures")
SECTION_PAGE = {"t2": 2, "t3": 3, "t4": 4}  # every generated report has one table per page


def _truth(name: str) -> dict:
    t = json.loads((FOCUSED / f"{name}.truth.json").read_text(encoding="utf-8"))
    assert t["sha256"] == hashlib.sha256((FOCUSED / name).read_bytes()).hexdigest(), \
        "fixture changed: re-run tools/make_focused_fixtures.py"
    return t


def _diff(expected: dict, got: dict) -> dict:
    return {c: (expected.get(c, "<absent>"), got.get(c, "<absent>")) for c in expected.keys() | got.keys()
            if expected.get(c, "<absent>") != got.get(c, "<absent>")
            or type(expected.get(c)) is not type(got.get(c))}


def test_fixture_values_are_distinct_and_non_zero():
    cells = _truth("norules.pdf")["cells"]
    assert len(cells) == 200
    assert 0 not in cells.values() and None not in cells.values()
    assert len(set(cells.values())) == len(cells)


@pytest.fixture(scope="module", params=["hrules.pdf", "norules.pdf", "rotated.pdf"])
def readable(request):
    return _truth(request.param), extract_path(FOCUSED / request.param)


def test_readable_pdf_every_cell(readable):
    truth, got = readable
    assert (got["status"], got["error"], got["format"]) == ("ok", None, "pdf")
    assert _diff(truth["cells"], got["cells"]) == {}
    assert (got["template_s2"], got["template_s3"]) == ("2021", "2021")
    assert (got["organisation"], got["year"]) == (truth["organisation"], truth["year"])
    assert got["unmapped"] == []
    assert all(c["ok"] is True for c in got["identity_checks"]) and len(got["identity_checks"]) > 0


def test_readable_pdf_locations(readable):
    """Every numeric cell has a location on the page of its table; text boxes lie inside."""
    truth, got = readable
    assert set(got["cell_locations"]) == set(truth["cells"])
    for code, loc in got["cell_locations"].items():
        assert loc["page"] == SECTION_PAGE[code[:2]], code
        x0, top, x1, bottom = loc["bbox_pt"]
        assert 0 <= x0 < x1 and 0 <= top < bottom, code
    for code, loc in truth["cell_locations"].items():
        g, t = got["cell_locations"][code]["bbox_pt"], loc["bbox_pt"]
        assert got["cell_locations"][code]["page"] == loc["page"], code
        assert g[0] - 1 <= t[0] and g[1] - 1 <= t[1] and t[2] <= g[2] + 1 and t[3] <= g[3] + 1, code


def test_rotated_locations_are_on_the_displayed_landscape_page():
    got = extract_path(FOCUSED / "rotated.pdf")
    boxes = [loc["bbox_pt"] for loc in got["cell_locations"].values()]
    assert len(boxes) == 200
    # displayed page is 842 x 595 (portrait MediaBox with /Rotate 90): y never exceeds 595
    assert max(b[3] for b in boxes) <= 595.3 and max(b[2] for b in boxes) > 595.3


def test_unruled_ambiguous_value_is_not_guessed():
    """A number halfway between two column headers is reported, never assigned."""
    from pipelines.core.pdf_positions import PositionReader

    def w(text, x0, x1, base):
        return {"text": text, "x0": x0, "x1": x1, "top": base - 8, "bottom": base, "baseline": base}

    heads = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
    words = [w("申请人情况", 300, 340, 100)]
    words += [w(h, 200 + 40 * k, 230 + 40 * k, 112) for k, h in enumerate(heads)]
    row = [w("一、本年新收政府信息公开申请数量", 40, 180, 130)]
    row += [w(str(11 + k), 208 + 40 * k, 222 + 40 * k, 130) for k in range(7)]
    row[3] = w("14", 248 + 60, 262 + 60, 130)  # 商业企业's neighbour, shifted between 科研/社会公益
    reader = PositionReader()
    tables = reader.page_tables(3, words + row)
    assert len(reader.unplaced) == 1 and reader.unplaced[0]["values"][2] == "14"
    assert "between two columns" in reader.unplaced[0]["reason"]
    assert not any("11" == c.text for t in tables for r in t.rows for c in r)


@pytest.mark.parametrize("name", ["garbled.pdf", "image-tables.pdf"])
def test_unreadable_table_text_without_ocr_needs_ocr_and_emits_no_number(name):
    truth = _truth(name)
    got = extract_path(FOCUSED / name, ocr=False)
    assert got["status"] == truth["expect"]["status"] == "failed"
    assert got["error"]["kind"] == truth["expect"]["error_kind"] == "needs_ocr"
    assert got["cells"] == {} and got["cell_locations"] == {}
    # the prose page still gives the title
    assert (got["organisation"], got["year"]) == ("青川县桃源镇人民政府", 2023)


@pytest.mark.parametrize("name", ["garbled.pdf", "image-tables.pdf"])
def test_tables_in_pixels_are_read_by_ocr_by_default(name, monkeypatch):
    """A garbled font or tables pasted as pictures in a text PDF: OCR on those pages (the
    default), every cell kept equals the print (the same values as hrules.pdf), the rest unread."""
    monkeypatch.delenv("XXGK_OCR", raising=False)
    printed = _truth("hrules.pdf")["cells"]
    got = extract_path(FOCUSED / name)
    assert got["read_by"] == "ocr" and got["status"] in ("ok", "partial")
    wrong = {c: (v, printed[c]) for c, v in got["cells"].items() if v != printed[c]}
    assert wrong == {}
    assert len(got["cells"]) >= 190, got["error"]  # measured: 200 of 200 on both
    assert {u["code"] for u in got["unread"]} == set(printed) - set(got["cells"])
    assert set(got["cell_read_by"].values()) <= {"ocr", "text"} and "ocr" in got["cell_read_by"].values()


def test_garbled_text_layer_really_is_garbage():
    import pypdfium2 as pdfium

    text = pdfium.PdfDocument(str(FOCUSED / "garbled.pdf"))[2].get_textpage().get_text_range()
    assert "申请人情况" not in text and "自然人" not in text


def test_libreoffice_hostile_font_metrics():
    """LibreOffice 7.4 + Noto CJK export (zero ascent/descent) of the filled official template."""
    expected = json.loads((LO_FIXTURES / "lo-2021.expected.json").read_text(encoding="utf-8"))
    got = extract_path(LO_FIXTURES / "lo-2021.pdf")
    assert got["status"] == "ok" and _diff(expected, got["cells"]) == {}
    assert set(got["cell_locations"]) == set(expected)


def test_docx_from_the_official_template():
    truth = _truth("template-2021.docx")
    got = extract_path(FOCUSED / "template-2021.docx")
    assert (got["status"], got["format"]) == ("ok", "docx")
    assert _diff(truth["cells"], got["cells"]) == {}


# ---------------------------------------------------------------- legacy .doc


@pytest.fixture(scope="module")
def doc_bytes(tmp_path_factory) -> bytes:
    if legacy_doc.soffice_path() is None:
        pytest.skip("LibreOffice (soffice) is not installed: the .doc fixture cannot be made")
    tmp = tmp_path_factory.mktemp("doc")
    shutil.copy(FOCUSED / "template-2021.docx", tmp / "report.docx")
    subprocess.run([legacy_doc.soffice_path(), f"-env:UserInstallation=file://{tmp}/profile", "--headless",
                    "--convert-to", "doc", "--outdir", str(tmp), str(tmp / "report.docx")],
                   check=True, capture_output=True, timeout=120)
    data = (tmp / "report.doc").read_bytes()
    assert data[:8] == legacy_doc.OLE_MAGIC
    return data


def test_doc_reads_every_cell(doc_bytes):
    truth = _truth("template-2021.docx")
    got = extract_bytes(doc_bytes, "report.doc")
    assert (got["status"], got["error"], got["format"]) == ("ok", None, "doc")
    assert _diff(truth["cells"], got["cells"]) == {}
    assert (got["organisation"], got["year"]) == (truth["organisation"], truth["year"])


def test_doc_without_libreoffice_needs_converter(doc_bytes, monkeypatch):
    monkeypatch.setattr(legacy_doc, "soffice_path", lambda: None)
    got = extract_bytes(doc_bytes, "report.doc")
    assert (got["status"], got["error"]["kind"], got["format"]) == ("failed", "needs_converter", "doc")
    assert "LibreOffice" in got["error"]["message"]
    assert got["cells"] == {}


def test_encrypted_ole_files(doc_bytes):
    # a .doc whose FIB says fEncrypted
    start, _ = legacy_doc.ole_streams(doc_bytes)["WordDocument"]
    off = (start + 1) << struct.unpack_from("<H", doc_bytes, 0x1E)[0]
    enc = bytearray(doc_bytes)
    enc[off + 0x0B] |= 0x01
    got = extract_bytes(bytes(enc), "locked.doc")
    assert (got["status"], got["error"]["kind"]) == ("failed", "encrypted")
    # an encrypted OOXML package: the directory entry is `EncryptedPackage`
    pkg = bytearray(doc_bytes)
    at = pkg.index("WordDocument".encode("utf-16-le"))
    name = "EncryptedPackage".encode("utf-16-le") + b"\x00\x00"
    pkg[at: at + len(name)] = name
    struct.pack_into("<H", pkg, at + 0x40, len(name))
    got = extract_bytes(bytes(pkg), "locked.docx")
    assert (got["status"], got["error"]["kind"]) == ("failed", "encrypted")


def test_ole_that_is_not_word_is_not_a_report(doc_bytes):
    data = bytearray(doc_bytes)
    at = data.index("WordDocument".encode("utf-16-le"))
    data[at: at + 24] = "Workbook\x00\x00\x00\x00".encode("utf-16-le")
    struct.pack_into("<H", data, at + 0x40, 18)
    got = extract_bytes(bytes(data), "book.xls")
    assert (got["status"], got["error"]["kind"]) == ("failed", "not_a_report")
    assert "Excel" in got["error"]["message"]


# ---------------------------------------------------------------- bad inputs in one batch


def test_bad_inputs_fail_fast_with_their_kind_and_the_good_file_survives():
    bad = sorted(p for p in FOCUSED.iterdir() if p.name.startswith("bad-") and not p.name.endswith(".json"))
    assert len(bad) == 7
    paths = [FOCUSED / "norules.pdf", *bad]
    t = time.monotonic()
    results = list(extract_many(paths, timeout_s=60, workers=4))
    assert time.monotonic() - t < 30
    assert [r["path"] for r in results] == [str(p) for p in paths]
    good = results[0]
    assert good["status"] == "ok" and len(good["cells"]) == 200
    for p, r in zip(bad, results[1:]):
        expect = _truth(p.name)["expect"]
        assert (r["status"], r["error"]["kind"]) == ("failed", expect["error_kind"]), p.name
        assert r["cells"] == {} and r["error"]["message"], p.name

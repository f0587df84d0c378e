"""extract_bytes on the HTML/DOCX reader fixtures gives exactly the truth (spec §16)."""
from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest

from pipelines.core.extract import extract_bytes

READERS = Path(__file__).resolve().parents[1] / "fixtures" / "readers"
FIXTURES = sorted(p for p in READERS.iterdir() if p.suffix in (".html", ".docx"))


def _truth(path: Path) -> dict:
    return json.loads(path.with_name(path.stem + ".truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module", params=FIXTURES, ids=lambda p: p.name)
def case(request):
    path = request.param
    data = path.read_bytes()
    truth = _truth(path)
    assert truth["sha256"] == hashlib.sha256(data).hexdigest(), "re-run make_reader_fixtures.py"
    return truth, extract_bytes(data, path.name)


def test_fixture_set_is_complete():
    assert {p.name for p in FIXTURES} == {
        "taoyuan-town-2021-gbk.html", "shuiquan-town-2019-split.html", "qingshan-zrzy-2022.docx"}


def test_status_format_and_templates(case):
    truth, out = case
    assert out["error"] is None and out["status"] == "ok"
    assert out["format"] == truth["file"].rsplit(".", 1)[1]
    assert (out["template_s2"], out["template_s3"]) == (truth["template_s2"], truth["template_s3"])


def test_title_info(case):
    truth, out = case
    assert out["year"] == truth["year"]
    assert out["organisation"] == truth["organisation"]


def test_every_cell_equals_truth(case):
    truth, out = case
    expected, got = truth["cells"], out["cells"]
    wrong = {c: (expected.get(c, "<absent>"), got.get(c, "<absent>"))
             for c in expected.keys() | got.keys() if expected.get(c, "<absent>") != got.get(c, "<absent>")}
    assert not wrong, f"{len(wrong)} codes differ (truth, extracted): {dict(sorted(wrong.items()))}"


def test_no_code_outside_layout(case):
    truth, out = case
    assert not set(out["cells"]) & set(truth["codes_not_in_layout"])


def test_raw_text_cells(case):
    truth, out = case
    for code, raw in truth["raw_text_cells"].items():
        assert out["raw_text_cells"].get(code) == raw, code


def test_identities_pass_as_in_source(case):
    truth, out = case
    assert not truth["source_identity_violations"]
    failed = [c for c in out["identity_checks"] if not c["ok"]]
    assert not failed, failed


def _rezip(path: Path, drop: str = "", patch: dict | None = None) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as dst:
        for name in src.namelist():
            if name != drop:
                dst.writestr(name, (patch or {}).get(name, src.read(name)))
    return buf.getvalue()


@pytest.mark.parametrize("how, kind", [("no_content_types", "not_a_report"), ("broken_xml", "corrupt_file")])
def test_docx_reader_error_kind_reaches_the_contract(how, kind):
    """A ReaderError's kind and message are the contract's error, not a generic wrapper."""
    path = READERS / "qingshan-zrzy-2022.docx"
    if how == "no_content_types":
        data = _rezip(path, drop="[Content_Types].xml")
    else:
        xml = zipfile.ZipFile(io.BytesIO(path.read_bytes())).read("word/document.xml")
        data = _rezip(path, patch={"word/document.xml": xml[:5000]})
    out = extract_bytes(data, "broken.docx")
    assert out["status"] == "failed"
    assert out["error"]["kind"] == kind
    assert not out["error"]["message"].startswith("could not read the document")

"""A file holding two reports (石桥镇 2019 then 河口镇 2019 in one PDF) is refused, never read
as one report under the first organisation with cells taken from the second."""
from __future__ import annotations

import io
import json
from pathlib import Path

import pypdfium2 as pdfium

from pipelines.core.extract import extract_bytes, report_starts

DATA = Path(__file__).resolve().parents[2] / "data"


def _sample(report_id: str) -> bytes:
    truth = json.loads((DATA / "sample_truth" / f"{report_id}.truth.json").read_text(encoding="utf-8"))
    return (DATA / "sample_portal" / truth["document_url"].lstrip("/")).read_bytes()


def _joined(*pdfs: bytes) -> bytes:
    dst = pdfium.PdfDocument.new()
    for data in pdfs:
        dst.import_pages(pdfium.PdfDocument(data))
    buf = io.BytesIO()
    dst.save(buf)
    return buf.getvalue()


def test_two_reports_in_one_pdf_are_refused_with_the_pages_they_start_on():
    first, second = _sample("shiqiao-2019"), _sample("hekou-2019")
    assert extract_bytes(first, "shiqiao.pdf", ocr=False)["status"] == "ok"  # each alone reads
    assert extract_bytes(second, "hekou.pdf", ocr=False)["status"] == "ok"
    got = extract_bytes(_joined(first, second), "two.pdf", ocr=False)
    assert got["status"] == "failed" and got["error"]["kind"] == "multiple_reports"
    assert got["cells"] == {}
    assert "2 reports" in got["error"]["message"] and "pages 2, 6" in got["error"]["message"]


def test_section_headings_named_in_a_sentence_do_not_start_a_report():
    intro = "全文包括总体情况、二、主动公开政府信息情况、三、收到和处理政府信息公开申请情况"
    pages = [intro + "\n二、主动公开政府信息情况\n三、收到和处理政府信息公开申请情况",
             "四、政府信息公开行政复议、行政诉讼情况\n五、存在的主要问题及改进情况"]
    assert report_starts(pages) == [1]
    assert report_starts(pages + ["二、主动公开政府信息情况"]) == [1, 3]


FIXTURES = Path(__file__).parent / "fixtures"


def test_a_copy_protected_pdf_is_read():
    """tests/core/fixtures/copy-protected.pdf: the focused template-2021.docx exported by
    LibreOffice 7.4 with a permission password and copying forbidden (no open password). Camelot
    refused it ("text extraction is not allowed") and the report failed; it is read in full."""
    import pypdfium2.raw as pdfium_c

    data = (FIXTURES / "copy-protected.pdf").read_bytes()
    pdf = pdfium.PdfDocument(data)
    assert pdfium_c.FPDF_GetSecurityHandlerRevision(pdf.raw) >= 0  # really protected
    assert not pdfium_c.FPDF_GetDocPermissions(pdf.raw) & (1 << 4)  # copying forbidden
    pdf.close()
    truth = json.loads((Path(__file__).parents[1] / "fixtures" / "focused" / "template-2021.docx.truth.json")
                       .read_text(encoding="utf-8"))
    got = extract_bytes(data, "copy-protected.pdf", ocr=False)
    assert got["status"] == "ok", got["error"]
    assert got["cells"] == truth["cells"]

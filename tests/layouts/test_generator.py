"""The layout-family generator itself (tools/layout_family): truth, determinism, and that the drawn
parameters really are in the bytes. These say nothing about the readers."""
from __future__ import annotations

import io
import re
import shutil
import zipfile

import pdfplumber
import pytest
from lxml import html as lxml_html

from pipelines.core.codes import all_codes, layout_codes
from tools.layout_family import FAMILIES, NEEDS_CHROMIUM, NEEDS_SOFFICE, draw
from tools.layout_family.score import score
from tools.layout_family.values import domain_failures, identity_failures

CHEAP = [f for f in FAMILIES if f not in NEEDS_SOFFICE + NEEDS_CHROMIUM and f != "scan"]  # chromium: test_chromium_family.py


@pytest.mark.parametrize("family", CHEAP)
def test_truth_is_the_layout_and_reconciles(family):
    for seed in (0, 1, 2):
        case = draw(family, seed)
        assert set(case.truth) == layout_codes(case.template_s2, case.template_s3)
        assert identity_failures(case.truth, case.template_s3) == []
        assert domain_failures(case.truth) == []
        assert 0 not in case.truth.values() and None not in case.truth.values()
        rec = case.truth_record()
        assert set(rec["cells"]) | set(rec["codes_not_in_layout"]) == all_codes()
        assert not set(rec["cells"]) & set(rec["codes_not_in_layout"])
        assert case.organisation in case.title and str(case.year) in case.title


def test_seeds_draw_different_reports():
    a, b = draw("grid", 0), draw("grid", 1)
    assert a.truth != b.truth and a.data != b.data


def test_both_templates_occur():
    seen = {draw("hrules", s).template_s3 for s in range(12)}
    assert seen == {"2019", "2021"}


@pytest.mark.parametrize("identity", ["I3", "I4"])
def test_planted_identity_break_is_in_the_truth(identity):
    clean = draw("grid", 5)
    broken = draw("grid", 5, identity_break=identity)
    assert broken.violations and {v["identity"] for v in broken.violations} >= {identity}
    fails = identity_failures(broken.truth, broken.template_s3)
    assert [(v["identity"], v["group"]) for v in broken.violations] == fails
    assert sum(1 for k in clean.truth if clean.truth[k] != broken.truth[k]) == 1


@pytest.mark.parametrize("family", CHEAP)
def test_same_seed_same_bytes(family):
    assert draw(family, 3).data == draw(family, 3).data


def test_score_counts_wrong_and_missed():
    case = draw("grid", 0)
    cells = dict(case.truth)
    code_a, code_b, code_c = sorted(cells)[:3]
    cells[code_a] = cells[code_a] + 1
    del cells[code_b]
    cells[code_c] = None
    s = score(case, cells)
    assert (s.right, s.wrong, s.missed, s.total) == (len(case.truth) - 3, 1, 2, len(case.truth))
    assert s.wrong_cells == {code_a: (case.truth[code_a], case.truth[code_a] + 1)}


# ---------------------------------------------------------------- the traits are in the bytes
def _pages(case):
    return pdfplumber.open(io.BytesIO(case.data))


def _t3_pages(case):
    return case.pages_with_tables


def _lines(page):
    edges = [(e["x0"], e["top"], e["x1"], e["bottom"]) for e in page.lines]
    for r in page.rects:
        x0, t, x1, b = r["x0"], r["top"], r["x1"], r["bottom"]
        edges += [(x0, t, x1, t), (x0, b, x1, b), (x0, t, x0, b), (x1, t, x1, b)]
    vertical = [e for e in edges if abs(e[0] - e[2]) < 0.5 and abs(e[1] - e[3]) > 1]
    horizontal = [e for e in edges if abs(e[1] - e[3]) < 0.5 and abs(e[0] - e[2]) > 1]
    return vertical, horizontal


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_rules_families_draw_their_rules(seed):
    for family in ("grid", "hrules", "three_line", "borderless"):
        case = draw(family, seed)
        with _pages(case) as pdf:
            for n in case.pages_with_tables:
                vertical, horizontal = _lines(pdf.pages[n - 1])
                if family == "grid":
                    assert len(vertical) > 10 and len(horizontal) > 10, (family, n)
                elif family == "hrules":
                    assert not vertical and len(horizontal) > 6, (family, n)
                elif family == "three_line":
                    # a rule above, one under the header, one below: per page fragment of each table
                    assert not vertical and 2 <= len(horizontal) <= 9, (family, n, len(horizontal))
                    widths = {round(e[2] - e[0]) for e in horizontal}
                    assert len(widths) <= 3, widths       # full-width rules only, never a cell rule
                else:
                    assert not vertical and not horizontal, (family, n)


def test_borderless_labels_wrap_and_values_sit_between_label_lines():
    case = draw("borderless", 1)
    with _pages(case) as pdf:
        page = pdf.pages[case.pages_with_tables[1] - 1]
        words = page.extract_words(keep_blank_chars=False, use_text_flow=True)
        label = [w for w in words if re.match(r"1[.、]申请人", w["text"])]
        assert label, "the long （六） label is on the table-三 page"
        value = str(case.truth["t3.result.other.no_correction:natural_person"])
        row_top = label[0]["top"]
        below = [w for w in words if w["x0"] < label[0]["x1"] and row_top < w["top"] < row_top + 40
                 and not any(c.isdigit() for c in w["text"])]
        assert below, "the label wraps onto further lines"
        vals = [w for w in words if w["text"] == value and abs(w["top"] - row_top) < 40]
        assert vals and vals[0]["top"] > row_top + 2, "the value is lower than the label's first line"


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_rotation_families_rotate_the_table_text(seed):
    for family in ("sideways", "upside_down", "rotate90"):
        case = draw(family, seed)
        orient = case.params["orientation"]
        with _pages(case) as pdf:
            page = pdf.pages[case.pages_with_tables[-1] - 1]
            digits = [c for c in page.chars if c["text"].isdigit()]
            a, b, c_, d = digits[0]["matrix"][:4]
            if orient == "sideways90":
                assert (a, b, c_, d) == (0, 1, -1, 0)          # bottom to top
            elif orient == "sideways270":
                assert (a, b, c_, d) == (0, -1, 1, 0)          # top to bottom
            elif orient == "upside_down":
                assert (a, b, c_, d) == (-1, 0, 0, -1)
            else:
                assert page.rotation == 90
        raw = case.data
        assert (b"/Rotate 90" in raw) == (orient == "rotate90")
        # the first page (title, prose) stays upright
        with _pages(case) as pdf:
            first = [c for c in pdf.pages[0].chars if c["text"].strip()]
            assert first[0]["matrix"][:4] == (1, 0, 0, 1)


def test_page_break_family_breaks_table_three_inside_a_row():
    """An inside-row break: the row's values on one page, the end of its label on the next."""
    from tools.sample_county.county import t3_row_codes
    from tools.sample_county.tables import T3_LABELS

    checked = 0
    for seed in range(8):
        case = draw("page_break", seed)
        assert set(case.params["breaks_applied"]["t3"]) == set(case.params["breaks"]["t3"])
        for ri, kept in case.params["breaks_applied"]["t3"].items():
            if kept == "before":
                continue
            row = t3_row_codes(case.template_s3)[int(ri) - 3]
            page = case.cell_locations[f"t3.{row}:natural_person"]["page"]
            assert {case.cell_locations[f"t3.{row}:{c}"]["page"] for c in ("commercial", "total")} == {page}
            tail = "".join(re.findall(r"[\u4e00-\u9fff]", T3_LABELS[row]))[-2:]
            with _pages(case) as pdf:
                before = (pdf.pages[page - 1].extract_text() or "").replace(" ", "")
                after = (pdf.pages[page].extract_text() or "").replace(" ", "")
            assert tail in after and tail not in before.split(str(case.truth[f"t3.{row}:natural_person"]))[-1][:40]
            checked += 1
    assert checked >= 2


def test_pasted_image_family_has_table_three_only_as_pixels():
    for seed in (0, 1, 2):
        case = draw("pasted_image", seed)
        dpi = case.params["t3_image_dpi"]
        assert 96 <= dpi <= 150
        assert case.image_codes == {c for c in case.truth if c.startswith("t3.")}
        assert case.route == "ocr"
        with _pages(case) as pdf:
            pages = [p for p in pdf.pages if p.images]
            assert len(pages) == 1
            img = pages[0].images[0]
            assert abs(img["srcsize"][0] / ((img["x1"] - img["x0"]) / 72) - dpi) < 2
            text = "".join((p.extract_text() or "") for p in pdf.pages)
        assert "申请人情况" not in text and "予以公开" not in text
        assert "第二十条" in text and "行政复议" in text      # tables 二 and 四 stay text


def _html_tables(case):
    doc = lxml_html.fromstring(case.data)
    return doc.findall(".//table")


@pytest.mark.parametrize("seed", range(6))
def test_word_html_misaligned_spans_and_hidden_rows(seed):
    case = draw("word_html", seed)
    t3 = _html_tables(case)[1]
    rows = t3.findall("tr")
    text = lambda el: "".join(el.itertext()).strip()  # noqa: E731
    nat = next(td for td in rows[1].findall("td") if text(td) == "自然人")
    if case.params["span_pattern"] == "issue":
        assert nat.get("colspan") == "2" and nat.get("rowspan") is None
        assert text(rows[2].findall("td")[0]) == ""                 # the empty cell under 自然人
    else:
        assert nat.get("rowspan") == "2"
    hidden = [i for i, tr in enumerate(rows) if "display:none" in (tr.get("style") or "")]
    assert hidden == case.params["hidden_rows"]
    # one value cell per data row spans two grid columns: the wide applicant column
    first_data = next(tr for i, tr in enumerate(rows) if i >= 3 and i not in hidden)
    spans = [td.get("colspan") for td in first_data.findall("td") if re.fullmatch(r"-?[\d.]+", text(td))]
    assert spans.count("2") == 1 and len(spans) == 7


@pytest.mark.parametrize("seed", range(4))
def test_word_docx_hidden_rows_and_spans(seed):
    case = draw("word_docx", seed)
    xml = zipfile.ZipFile(io.BytesIO(case.data)).read("word/document.xml").decode()
    assert xml.count("<w:hidden/>") == len(case.params["hidden_rows"])
    assert '<w:gridSpan w:val="2"/>' in xml
    if case.params["hidden_rows"]:
        assert "<w:vanish/>" in xml


# ---------------------------------------------------------------- scans and LibreOffice
@pytest.fixture(scope="module")
def scan_case(drawn):
    return drawn("scan", 0)


def test_scan_is_image_only_at_the_drawn_dpi(scan_case):
    case = scan_case
    assert 150 <= case.params["dpi"] <= 300
    assert all(abs(a) <= 1.5 for a in case.params["skew_deg"])
    assert case.route == "ocr" and case.image_codes == set(case.truth)
    with _pages(case) as pdf:
        assert all(not p.chars for p in pdf.pages)
        for p in pdf.pages:
            img = p.images[0]
            assert abs(img["srcsize"][0] / (p.width / 72) - case.params["dpi"]) < 2


def test_scan_seal_covers_the_cells_it_says(scan_case):
    import numpy as np
    import pypdfium2 as pdfium

    case = scan_case
    seal = case.params["seals"][0]
    assert case.under_stamp and case.under_stamp <= set(case.truth)
    assert seal["on"] in case.under_stamp or any(
        s["on"] in case.under_stamp for s in case.params["seals"])
    if case.params["colour"]:
        doc = pdfium.PdfDocument(case.data)
        img = np.asarray(doc[seal["page"] - 1].render(scale=1).to_pil().convert("RGB")).astype(int)
        doc.close()
        red = (img[..., 0] > 150) & (img[..., 1] < 110) & (img[..., 2] < 120)
        cx, cy = (int(v) for v in seal["centre_pt"])
        rad = int(seal["radius_pt"])
        assert red[cy - rad - 8:cy + rad + 8, cx - rad - 8:cx + rad + 8].sum() > 200    # the seal is red ink
        assert red.sum() - red[cy - rad - 8:cy + rad + 8, cx - rad - 8:cx + rad + 8].sum() < 50


def test_scan_same_seed_same_bytes(scan_case):
    assert draw("scan", 0).data == scan_case.data


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
@pytest.mark.parametrize("family", ["lo_docx", "lo_html"])
def test_libreoffice_families(family, drawn):
    case = drawn(family, 0)
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(case.data)
    assert "LibreOffice" in doc.get_metadata_dict().get("Producer", "")
    doc.close()
    assert identity_failures(case.truth, case.template_s3) == []
    with _pages(case) as pdf:
        text = "".join(p.extract_text() or "" for p in pdf.pages)
        fonts_used = {c["fontname"] for p in pdf.pages for c in p.chars}
    assert "申请人情况" in text and str(case.truth["t3.result.total:total"]) in text
    assert any("Noto" in f for f in fonts_used)
    if family == "lo_html":         # one soffice rerun is enough to show the normalised bytes repeat
        assert draw(family, 0).data == case.data


def test_command_line_writes_the_case_and_its_truth(tmp_path):
    import hashlib
    import json

    from tools.layout_family.__main__ import main

    assert main(["borderless", "4", str(tmp_path)]) == 0
    data = (tmp_path / "borderless-4.pdf").read_bytes()
    truth = json.loads((tmp_path / "borderless-4.pdf.truth.json").read_text(encoding="utf-8"))
    assert truth["sha256"] == hashlib.sha256(data).hexdigest()
    assert data == draw("borderless", 4).data
    assert truth["cells"] == draw("borderless", 4).truth and truth["params"]["rules"] == "none"

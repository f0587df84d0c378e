"""Every text-layer PDF of the generated sample county matches its truth file."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipelines.core.extract import extract_path
from pipelines.core.identities import violations

DATA = Path(__file__).resolve().parents[2] / "data"
TRUTHS = sorted((DATA / "sample_truth").glob("*.truth.json"))
PDF_TRUTHS = [t for t in TRUTHS if json.loads(t.read_text(encoding="utf-8")).get("format") == "pdf"]


@pytest.mark.skipif(not PDF_TRUTHS, reason="no sample county under data/sample_truth")
@pytest.mark.parametrize("truth_path", PDF_TRUTHS, ids=lambda p: p.name[: -len(".truth.json")])
def test_sample_pdf(truth_path):
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    got = extract_path(DATA / "sample_portal" / truth["document_url"].lstrip("/"))
    assert got["cells"] == truth["cells"]
    assert got["raw_text_cells"] == truth.get("raw_text_cells", {})
    assert (got["template_s2"], got["template_s3"]) == (truth["template_s2"], truth["template_s3"])
    assert (got["organisation"], got["year"]) == (truth["organisation"], truth["year"])
    assert got["status"] == "ok" and got["error"] is None
    assert sorted((v["identity"], v["group"]) for v in violations(got["identity_checks"])) == sorted(
        (v["identity"], v["group"]) for v in truth["source_identity_violations"])
    # every printed number has a location on a page that holds tables
    numeric = {c for c, v in truth["cells"].items() if v is not None}
    assert numeric <= set(got["cell_locations"])
    pages = set(truth.get("pages_with_tables") or []) or {loc["page"] for loc in got["cell_locations"].values()}
    assert {loc["page"] for loc in got["cell_locations"].values()} <= pages
    # truth boxes here are text boxes; ours are cell boxes: the text must sit inside the cell
    locs = truth.get("cell_locations") or {}
    if truth.get("producer") == "reportlab":
        assert set(locs) >= numeric, "ReportLab truths give every number's box"
    for code, loc in locs.items():
        mine = got["cell_locations"][code]
        g, t = mine["bbox_pt"], loc["bbox_pt"]
        assert mine["page"] == loc["page"], code
        assert g[0] - 2 <= t[0] and g[1] - 2 <= t[1] and t[2] <= g[2] + 2 and t[3] <= g[3] + 2, code


def test_scanned_sample_pdfs_need_ocr():
    scanned = [t for t in TRUTHS if json.loads(t.read_text(encoding="utf-8")).get("format") == "pdf-scanned"]
    if not scanned:
        pytest.skip("no scanned sample PDFs")
    for t in scanned:
        truth = json.loads(t.read_text(encoding="utf-8"))
        got = extract_path(DATA / "sample_portal" / truth["document_url"].lstrip("/"))
        assert (got["status"], got["format"], got["error"]["kind"]) == ("failed", "pdf-scanned", "needs_ocr")
        assert got["cells"] == {}

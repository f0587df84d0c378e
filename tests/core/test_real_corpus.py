"""Both real reports: every printed cell, the layouts, locations and identities equal the truth."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipelines.core.codes import all_codes
from pipelines.core.extract import extract_path
from pipelines.core.identities import violations

REPO = Path(__file__).resolve().parents[2]
REAL = REPO.parent / "shared" / "corpus" / "real"
FIXTURES = Path(__file__).with_name("fixtures")


def need_corpus() -> None:
    if not REAL.is_dir():
        pytest.skip(f"real corpus not found at {REAL} (expected ../shared/corpus next to the repo)")


FILES = ["huaian-city-2024", "hongze-2024"]


@pytest.fixture(scope="module", params=FILES)
def case(request):
    need_corpus()
    truth = json.loads((REAL / f"{request.param}.truth.json").read_text(encoding="utf-8"))
    return truth, extract_path(REAL / f"{request.param}.pdf")


def test_every_cell_equals_truth(case):
    truth, got = case
    wrong = {k: (v, got["cells"].get(k, "MISSING")) for k, v in truth["cells"].items()
             if got["cells"].get(k, "MISSING") != v or type(got["cells"].get(k)) is not type(v)}
    assert wrong == {}
    assert len(got["cells"]) == len(truth["cells"]) in (186, 200)


def test_no_code_outside_the_layout(case):
    truth, got = case
    assert set(got["cells"]) == set(truth["cells"])
    assert not set(got["cells"]) & set(truth["codes_not_in_layout"])
    assert set(got["cells"]) <= all_codes()


def test_layout_and_title(case):
    truth, got = case
    assert (got["template_s2"], got["template_s3"]) == (truth["template_s2"], truth["template_s3"])
    assert (got["organisation"], got["year"]) == (truth["organisation"], truth["year"])
    assert got["status"] == "ok" and got["error"] is None and got["format"] == "pdf"
    assert got["sha256"] == truth["sha256"]
    assert got["raw_text_cells"] == truth["raw_text_cells"]


def test_cell_locations(case):
    truth, got = case
    far = {}
    for code, loc in truth["cell_locations"].items():
        mine = got["cell_locations"][code]
        dist = max(abs(a - b) for a, b in zip(mine["bbox_pt"], loc["bbox_pt"]))
        if mine["page"] != loc["page"] or dist > 3.0:
            far[code] = (loc, mine)
    assert far == {}


def test_identities_match_source(case):
    truth, got = case
    assert violations(got["identity_checks"]) == truth["source_identity_violations"]
    by_id = {}
    for c in got["identity_checks"]:
        by_id.setdefault(c["id"], []).append(c)
    counts = {k: len(v) for k, v in by_id.items() if k != "I5"}
    assert counts == {k: v for k, v in truth["identities_checked"].items() if k != "total"}
    assert all(c["ok"] is True for c in got["identity_checks"])


def test_known_values(case):
    truth, got = case
    if truth["file"].startswith("huaian"):
        assert got["cells"]["t2.art20_8.fees.amount"] == 96171.6
        assert got["cells"]["t2.art20_6.penalty.decisions"] == 3985758
        assert got["cells"]["t3.result.other.misc:total"] == 110  # （六）3、其他 after the page break
        assert got["cells"]["t3.result.unable.needs_creation:natural_person"] == 11  # `（四）无`/`法提供`
    else:
        assert got["cells"]["t3.new_received:total"] == 95
        assert got["cells"]["t3.result.other.total:total"] == 0
        assert "t3.result.other.misc:total" not in got["cells"]


def test_libreoffice_export_with_shifted_glyphs():
    """LibreOffice 7.4 + Noto CJK PDF made from the official template (tests/core/make_lo_fixture.py)."""
    expected = json.loads((FIXTURES / "lo-2021.expected.json").read_text(encoding="utf-8"))
    got = extract_path(FIXTURES / "lo-2021.pdf")
    assert got["status"] == "ok"
    assert got["cells"] == expected
    assert (got["organisation"], got["year"]) == ("青川县城关镇", 2023)

"""One published warehouse per session for the report and example-query tests, and the sample
county's truth (data/sample_truth) reduced to what an analyst sees: the latest version per org x year.

The warehouse is built the way `xxgk run` builds it: every asset of the all-assets job executed
in process against the sample portal on loopback, in a throw-away data folder (about a minute).
Set XXGK_REPORT_TEST_DATA_DIR to a data folder holding a published warehouse.duckdb of the sample
county to skip that run while iterating.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from pipelines.core.legacy_doc import soffice_path

REPO = Path(__file__).resolve().parents[2]
TRUTH_DIR = REPO / "data" / "sample_truth"
# A legacy .doc is read through LibreOffice; where it is not installed it is not published data.
TEXT_FORMATS = {"pdf", "html", "docx"} | ({"doc"} if soffice_path() else set())

if str(REPO / "tools") not in sys.path:
    sys.path.insert(0, str(REPO / "tools"))


@pytest.fixture(scope="session")
def report_data_dir(request) -> Path:
    """A data folder with a freshly published warehouse.duckdb of the sample county."""
    reuse = os.environ.get("XXGK_REPORT_TEST_DATA_DIR")
    if reuse:
        data = Path(reuse).resolve()
        assert (data / "warehouse.duckdb").exists(), f"no warehouse.duckdb in {data}"
        return data

    data, result = request.getfixturevalue("pipeline")
    assert result.success, [e.message for e in result.all_events if e.is_failure]
    assert (data / "warehouse.duckdb").exists()
    return data


@pytest.fixture(scope="session")
def warehouse_path(report_data_dir) -> Path:
    return report_data_dir / "warehouse.duckdb"


# ---- the truth, independently of the warehouse -----------------------------------------------

def county() -> dict:
    return json.loads((TRUTH_DIR / "county.json").read_text(encoding="utf-8"))


def truths() -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(TRUTH_DIR.glob("*.truth.json"))]


def latest_truths() -> dict[tuple[str, int], dict]:
    """(org_id, year) → the truth of the report an analyst reads: text formats only (scans and
    error pages do not parse), a correction replacing the report it supersedes."""
    ts = [t for t in truths() if t["format"] in TEXT_FORMATS]
    superseded = {t["supersedes"] for t in ts if t.get("supersedes")}
    out: dict[tuple[str, int], dict] = {}
    for t in ts:
        if t["report_id"] in superseded:
            continue
        k = (t["org_id"], t["year"])
        assert k not in out, f"two current reports for {k}"
        out[k] = t
    return out


def coverage_truth() -> dict[tuple[str, int], str]:
    """Every expected org x year → published | parse_failed | not_found, from the truth files."""
    c = county()
    found = {(t["org_id"], t["year"]) for t in truths()}
    parsed = set(latest_truths())
    out = {}
    for o in c["organisations"]:
        for y in c["years"]:
            k = (o["org_id"], y)
            out[k] = "published" if k in parsed else "parse_failed" if k in found else "not_found"
    return out


def orgs_by_id() -> dict[str, dict]:
    return {o["org_id"]: o for o in county()["organisations"]}


def cell(t: dict, code: str):
    return t["cells"].get(code)


def disclosure_rate(t: dict) -> float | None:
    handled = cell(t, "t3.result.total:total")
    granted, partial = cell(t, "t3.result.granted:total"), cell(t, "t3.result.partial:total")
    if not handled or granted is None or partial is None:
        return None
    return (granted + partial) / handled


@pytest.fixture(scope="session")
def truth():
    """The truth helpers above, as a fixture (test modules do not import conftest)."""
    from types import SimpleNamespace

    return SimpleNamespace(county=county(), truths=truths(), latest=latest_truths(),
                           coverage=coverage_truth(), orgs=orgs_by_id(), cell=cell,
                           disclosure_rate=disclosure_rate)

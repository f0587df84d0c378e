"""Checks of the committed sample county portal (data/sample_portal) and its truth (data/sample_truth).

Reads committed files only: no LibreOffice, fonts or generator run needed.
"""
from __future__ import annotations

import csv
import hashlib
import json
from collections import Counter, defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PORTAL = ROOT / "data" / "sample_portal"
TRUTH = ROOT / "data" / "sample_truth"
ITEMS = ROOT / "pipelines" / "core" / "items.csv"

C6 = ["natural_person", "commercial", "research", "nonprofit", "legal_service", "other_org"]
C7 = C6 + ["total"]
RES_COMMON = [
    "granted", "partial",
    "withheld.state_secret", "withheld.law_prohibited", "withheld.security_stability",
    "withheld.third_party", "withheld.internal_affairs", "withheld.process_info",
    "withheld.enforcement_file", "withheld.admin_query",
    "unable.not_held", "unable.needs_creation", "unable.unclear",
    "not_processed.petition", "not_processed.duplicate", "not_processed.publication",
    "not_processed.mass_repeat", "not_processed.confirm_reissue",
]
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy Word 97-2003 .doc (OLE2 compound file)
LAYOUT_SIZES = {("2019", "2019"): 198, ("2021", "2021"): 200, ("2021", "2019"): 186, ("2019", "2021"): 212}


def _items() -> dict[str, str]:
    with ITEMS.open(encoding="utf-8") as fh:
        return {row["code"]: row["template"] for row in csv.DictReader(fh)}


def _truths() -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(TRUTH.glob("*.truth.json"))]


TRUTHS = _truths()
REPORTS = [t for t in TRUTHS if t["format"] != "not_a_report"]
COUNTY = json.loads((TRUTH / "county.json").read_text(encoding="utf-8"))


def _res(t3: str) -> list[str]:
    return RES_COMMON + (["other.total"] if t3 == "2019" else ["other.no_correction", "other.unpaid_fee",
                                                                  "other.misc"])


def identity_failures(t: dict) -> list[tuple[str, str, float, float]]:
    """(identity, group, sum_of_parts, printed_total) for I1–I4; null cells are skipped."""
    v = t["cells"]
    out = []
    rows = ["new_received", "carried_over"] + [f"result.{r}" for r in _res(t["template_s3"])] + [
        "result.total", "carry_forward"]
    for c in C7:
        a = [v[f"t3.{x}:{c}"] for x in ("new_received", "carried_over", "result.total", "carry_forward")]
        if None not in a and a[0] + a[1] != a[2] + a[3]:
            out.append(("I1", c, a[0] + a[1], a[2] + a[3]))
        parts = [v[f"t3.result.{r}:{c}"] for r in _res(t["template_s3"])]
        if None not in parts and a[2] is not None and sum(parts) != a[2]:
            out.append(("I2", c, sum(parts), a[2]))
    for row in rows:
        parts = [v[f"t3.{row}:{c}"] for c in C6]
        tot = v[f"t3.{row}:total"]
        if None not in parts and tot is not None and sum(parts) != tot:
            out.append(("I3", f"t3.{row}", sum(parts), tot))
    for g in ("review", "lit_direct", "lit_after_review"):
        parts = [v[f"t4.{g}.{o}"] for o in ("upheld", "corrected", "other", "pending")]
        tot = v[f"t4.{g}.total"]
        if None not in parts and tot is not None and sum(parts) != tot:
            out.append(("I4", g, sum(parts), tot))
    return out


def test_truth_files_exist():
    assert len(REPORTS) >= 80
    assert (TRUTH / "manifest.csv").exists()


@pytest.mark.parametrize("t", REPORTS, ids=lambda t: t["report_id"])
def test_codes_partition_all_226(t):
    items = _items()
    assert len(items) == 226
    cells, missing = set(t["cells"]), set(t["codes_not_in_layout"])
    assert not cells & missing
    assert cells | missing == set(items)
    assert len(cells) == LAYOUT_SIZES[(t["template_s2"], t["template_s3"])]
    for code in cells:
        tpl = items[code]
        sec_tpl = t["template_s2"] if code.startswith("t2.") else t["template_s3"]
        assert tpl == "both" or code.startswith("t4.") or tpl == sec_tpl, code
    assert set(t["raw_text_cells"]) <= cells
    for code, val in t["cells"].items():
        assert val is None or isinstance(val, (int, float)), code
        if val is not None and not code.endswith(".delta"):
            assert val >= 0, code
        if val is None and code not in t["raw_text_cells"]:
            pass  # printed blank


@pytest.mark.parametrize("t", REPORTS, ids=lambda t: t["report_id"])
def test_identities_hold_except_listed(t):
    fails = identity_failures(t)
    listed = [(x["identity"], x["group"], x["sum_of_parts"], x["printed_total"])
              for x in t["source_identity_violations"]]
    assert fails == listed


def test_exactly_one_planted_violation():
    bad = [t["report_id"] for t in REPORTS if t["source_identity_violations"]]
    assert len(bad) == 1


@pytest.mark.parametrize("t", TRUTHS, ids=lambda t: t["report_id"])
def test_sha256_matches_served_file(t):
    path = PORTAL / t["document_url"].lstrip("/")
    data = path.read_bytes()
    assert hashlib.sha256(data).hexdigest() == t["sha256"]
    assert t["file"] == path.name
    assert (PORTAL / t["detail_url"].lstrip("/")).exists()
    if t["format"] in ("pdf", "pdf-scanned"):
        assert data.startswith(b"%PDF")
        assert t["pages_with_tables"]
    elif t["format"] == "docx":
        assert data.startswith(b"PK")
    elif t["format"] == "doc":
        assert data.startswith(OLE_MAGIC) and path.suffix == ".doc"
        assert t["pages_with_tables"] is None
    elif t["format"] == "not_a_report":
        assert t["document_url"].endswith(".pdf") and data.lstrip().startswith(b"<html")
        assert t["cells"] == {}


def test_x1_across_years():
    by_org = defaultdict(dict)
    superseded = {t["supersedes"] for t in REPORTS if t["supersedes"]}
    for t in REPORTS:
        if t["report_id"] in superseded:
            continue
        by_org[t["org_id"]][t["year"]] = t["cells"]
    checked = 0
    for org, years in by_org.items():
        for y, cells in years.items():
            prev = years.get(y - 1)
            if prev is None:
                continue
            for c in C7:
                a, b = cells[f"t3.carried_over:{c}"], prev[f"t3.carry_forward:{c}"]
                if a is None or b is None:
                    continue
                assert a == b, (org, y, c)
                checked += 1
    assert checked > 300


def test_organisations_and_coverage():
    orgs = COUNTY["organisations"]
    types = Counter(o["type"] for o in orgs)
    assert types["township"] + types["street"] >= 10 and types["township"] >= 8
    assert types["department"] >= 4
    assert any(o["aliases"] for o in orgs)
    ids = {o["org_id"] for o in orgs}
    assert COUNTY["never_published"]
    have = {(t["org_id"], t["year"]) for t in TRUTHS}
    for np_ in COUNTY["never_published"]:
        assert np_["org_id"] in ids and (np_["org_id"], np_["year"]) not in have
    for o in ids:
        for y in COUNTY["years"]:
            assert (o, y) in have or {"org_id": o, "year": y} in COUNTY["never_published"]


def test_formats_and_producers():
    fmts = Counter(t["format"] for t in TRUTHS)
    for f in ("html", "pdf", "docx", "doc", "pdf-scanned", "not_a_report"):
        assert fmts[f] >= 1, f
    assert fmts["docx"] >= 3
    pdf_producers = {t["producer"] for t in TRUTHS if t["format"] == "pdf"}
    assert len(pdf_producers) >= 2
    assert fmts["html"] / len(TRUTHS) > 0.45


def test_legacy_doc_attachments():
    """.doc reports (LibreOffice's Word 97-2003 export of the DOCX) on both section layouts; the
    served bytes are the ones the truth's sha256 names."""
    docs = [t for t in REPORTS if t["format"] == "doc"]
    assert docs
    assert {t["template_s3"] for t in docs} == {"2019", "2021"}
    for t in docs:
        assert t["producer"] == "libreoffice-doc"
        assert t["document_url"].endswith(".doc") and t["document_url"] != t["detail_url"]
        data = (PORTAL / t["document_url"].lstrip("/")).read_bytes()
        assert data.startswith(OLE_MAGIC)
        assert hashlib.sha256(data).hexdigest() == t["sha256"], t["report_id"]


def test_template_exceptions_present():
    combos = Counter((t["year"], t["template_s2"], t["template_s3"]) for t in REPORTS)
    assert any(y >= 2021 and (s2, s3) == ("2019", "2019") for y, s2, s3 in combos)
    assert any(y <= 2020 and (s2, s3) == ("2021", "2021") for y, s2, s3 in combos)
    assert any((s2, s3) == ("2021", "2019") for _, s2, s3 in combos)


def test_correction():
    corr = [t for t in REPORTS if t["is_correction"]]
    assert len(corr) == 1
    c = corr[0]
    orig = next(t for t in REPORTS if t["report_id"] == c["supersedes"])
    assert "（更正）" in c["title"] and c["published"] > orig["published"]
    assert (orig["org_id"], orig["year"]) == (c["org_id"], c["year"])
    assert any(orig["cells"][k] != c["cells"][k] for k in c["cells"])


def test_listing_pages_link_every_report():
    pages = sorted((PORTAL / "zfxxgk" / "zfxxgknb").glob("index*.html"))
    assert len(pages) >= 3
    text = "".join(p.read_text(encoding="utf-8") for p in pages)
    for t in TRUTHS:
        rel = "./" + t["detail_url"].split("/zfxxgk/zfxxgknb/", 1)[1]
        assert f'href="{rel}"' in text, t["report_id"]
    assert (PORTAL / "robots.txt").exists() and (PORTAL / "index.html").exists()


def test_detail_pages_decode_and_link_attachments():
    for t in TRUTHS:
        raw = (PORTAL / t["detail_url"].lstrip("/")).read_bytes()
        enc = "gbk" if b'charset="gbk"' in raw else "utf-8"
        page = raw.decode(enc)
        assert '<h1 class="title">' in page
        if t["document_url"] != t["detail_url"]:
            assert f'href="./{t["file"]}"' in page


def test_manifest_matches_truth():
    with (TRUTH / "manifest.csv").open(encoding="utf-8") as fh:
        rows = {r["report_id"]: r for r in csv.DictReader(fh)}
    assert set(rows) == {t["report_id"] for t in TRUTHS}
    for t in TRUTHS:
        assert rows[t["report_id"]]["document_url"] == t["document_url"]


def test_size_budget():
    size = sum(p.stat().st_size for p in PORTAL.rglob("*") if p.is_file())
    assert size < 25_000_000

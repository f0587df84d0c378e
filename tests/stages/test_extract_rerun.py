"""An operator reruns chosen documents of a county (Launchpad config of extracted_reports): by
sha256 (or an 8+ character prefix), URL, organisation and/or year. Those are extracted again; the
others' results are reused; a selection that matches nothing is refused by the asset."""
from __future__ import annotations

import hashlib
import json
from urllib.parse import urlsplit

import pytest

from pipelines import settings
from pipelines.stages import tables
from pipelines.stages.extract_stage import extract_documents, parse_rerun_years, select_documents

A, B = "ab" * 32, "cd" * 32
ROWS = [{"sha256": A, "document_url": "http://x/1.htm", "org_id": "liuxi", "year": 2021},
        {"sha256": B, "document_url": "http://x/2.htm", "org_id": "hekou", "year": 2022},
        {"sha256": None, "document_url": "http://x/3.pdf", "org_id": "liuxi", "year": 2022}]  # failed download


def _two_html_reports() -> list[tuple[dict, bytes, str]]:
    """(truth, bytes, sha256) of the first two inline HTML reports of the sample county."""
    out = []
    for truth in sorted(settings.SAMPLE_TRUTH_DIR.glob("*.truth.json")):
        t = json.loads(truth.read_text(encoding="utf-8"))
        if t["format"] == "html" and len(out) < 2:
            data = (settings.SAMPLE_PORTAL_DIR / urlsplit(t["document_url"]).path.lstrip("/")).read_bytes()
            out.append((t, data, hashlib.sha256(data).hexdigest()))
    assert len(out) == 2
    return out


def _county_with_two_reports():
    """County c1's registry (two downloaded inline reports, raw bytes in place) and an instance
    that knows the partition: what a crawl leaves for extracted_reports."""
    import dagster as dg

    from pipelines.stages.crawl_stage import CRAWL_COLUMNS

    rows = []
    for t, data, sha in _two_html_reports():
        raw = settings.data_dir() / "raw" / sha[:2] / sha
        raw.parent.mkdir(parents=True, exist_ok=True)
        raw.write_bytes(data)
        rows.append({c: None for c in CRAWL_COLUMNS} | {
            "source_id": "c1", "document_url": t["document_url"], "org_id": t["org_id"], "year": t["year"],
            "sha256": sha, "raw_path": f"raw/{sha[:2]}/{sha}", "in_latest_crawl": True})
    with tables.county_scope("c1"):
        tables.write_table("crawl_documents", rows, CRAWL_COLUMNS)
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("county", ["c1"])
    return rows, instance


def test_select_documents():
    assert select_documents(ROWS, documents=["ABABABAB"]) == {A}
    assert select_documents(ROWS, documents=["abab"]) == set()  # too short a prefix to be sure
    assert select_documents(ROWS, documents=["http://x/2.htm", A]) == {A, B}
    assert select_documents(ROWS, orgs=["liuxi"]) == {A}  # the failed download has nothing to extract
    assert select_documents(ROWS, years=[2022]) == {B}
    assert select_documents(ROWS, orgs=["liuxi"], years=[2022]) == set()
    assert select_documents(ROWS, orgs=["liuxi", "hekou"], years=[2021, 2022]) == {A, B}
    assert select_documents(ROWS) == set()


@pytest.mark.skipif(not settings.SAMPLE_TRUTH_DIR.exists(), reason="data/sample_truth/ not generated")
def test_a_chosen_document_is_extracted_again_the_others_reused(tmp_path, monkeypatch):
    monkeypatch.setenv("XXGK_DATA_DIR", str(tmp_path / "data"))
    pairs = []
    for i, (_, data, sha) in enumerate(_two_html_reports()):
        path = tmp_path / f"{i}.html"
        path.write_bytes(data)
        pairs.append((sha, path))
    with tables.county_scope("c1"):
        first = extract_documents(pairs, workers=1)
        again = extract_documents(pairs, workers=1)
        chosen = extract_documents(pairs, workers=1, force={pairs[1][0]})
    assert (first.extracted, first.skipped_unchanged) == (2, 0)
    assert (again.extracted, again.skipped_unchanged) == (0, 2)
    assert (chosen.extracted, chosen.skipped_unchanged, chosen.failed) == (1, 1, 0)


@pytest.mark.skipif(not settings.SAMPLE_TRUTH_DIR.exists(), reason="data/sample_truth/ not generated")
def test_the_asset_reruns_what_the_launchpad_names_and_refuses_a_typo(tmp_path, monkeypatch):
    """Materialised as the UI does it: one county partition of extracted_reports with a config."""
    import dagster as dg

    from pipelines.defs.ingest import extracted_reports
    from pipelines.defs.resources import XxgkSettings

    monkeypatch.setenv("XXGK_DATA_DIR", str(tmp_path / "data"))
    rows, instance = _county_with_two_reports()

    def materialize(config: dict):
        return dg.materialize([extracted_reports], instance=instance, partition_key="c1", raise_on_error=False,
                              resources={"xxgk": XxgkSettings(workers=1)},
                              run_config={"ops": {"extracted_reports": {"config": config}}})

    def metadata(result) -> dict:
        mat = result.asset_materializations_for_node("extracted_reports")[0]
        return {k: v.value for k, v in mat.metadata.items() if k in ("extracted", "skipped_unchanged")}

    assert metadata(materialize({})) == {"extracted": 2, "skipped_unchanged": 0}
    assert metadata(materialize({})) == {"extracted": 0, "skipped_unchanged": 2}
    one = materialize({"orgs": [rows[0]["org_id"]], "years": [rows[0]["year"]]})
    assert metadata(one) == {"extracted": 1, "skipped_unchanged": 1}
    typo = materialize({"documents": ["deadbeefdeadbeef"]})
    assert not typo.success
    failure = next(e for e in typo.all_events if e.event_type_value == "STEP_FAILURE")
    assert "No document of county c1 matches" in failure.step_failure_data.user_failure_data.description


def test_rerun_years_tag():
    assert parse_rerun_years("2023", 2026) == [2023]
    assert parse_rerun_years(" 2023，2021, 2023 ", 2026) == [2021, 2023]
    assert parse_rerun_years(None, 2026) == [] and parse_rerun_years("", 2026) == []
    for bad in ("2O23", "2027", "2007", "2023-2024"):
        with pytest.raises(ValueError, match="not a report year"):
            parse_rerun_years(bad, 2026)


@pytest.mark.skipif(not settings.SAMPLE_TRUTH_DIR.exists(), reason="data/sample_truth/ not generated")
def test_a_year_backfill_tag_reruns_that_year_and_passes_a_county_without_it(tmp_path, monkeypatch):
    """The tag a backfill over every county carries (RERUN_YEARS_TAG): the county's documents of
    that year are extracted again; a county with no report of that year has nothing to redo and
    its run stays green; a year that cannot be one fails the run with the reason."""
    import dagster as dg

    from pipelines.automation_names import RERUN_YEARS_TAG
    from pipelines.defs.ingest import extracted_reports
    from pipelines.defs.resources import XxgkSettings

    monkeypatch.setenv("XXGK_DATA_DIR", str(tmp_path / "data"))
    rows, instance = _county_with_two_reports()

    def materialize(tag: str | None):
        return dg.materialize([extracted_reports], instance=instance, partition_key="c1", raise_on_error=False,
                              resources={"xxgk": XxgkSettings(workers=1)},
                              tags={RERUN_YEARS_TAG: tag} if tag else None)

    def metadata(result) -> dict:
        mat = result.asset_materializations_for_node("extracted_reports")[0]
        return {k: v.value for k, v in mat.metadata.items() if k in ("extracted", "skipped_unchanged", "rerun_chosen")}

    assert metadata(materialize(None)) == {"extracted": 2, "skipped_unchanged": 0, "rerun_chosen": 0}
    year = rows[1]["year"]
    n_year = sum(r["year"] == year for r in rows)
    assert metadata(materialize(str(year))) == {"extracted": n_year, "skipped_unchanged": 2 - n_year,
                                                "rerun_chosen": n_year}
    assert metadata(materialize("2009")) == {"extracted": 0, "skipped_unchanged": 2, "rerun_chosen": 0}
    typo = materialize("2O23")
    assert not typo.success
    failure = next(e for e in typo.all_events if e.event_type_value == "STEP_FAILURE")
    assert "not a report year: '2O23'" in failure.step_failure_data.user_failure_data.description

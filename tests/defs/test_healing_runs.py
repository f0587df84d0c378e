"""A plain run retries what could heal, and a run that finds nothing new keeps the warehouse fresh.

Real Dagster materialisations of the crawl and extraction assets against a three-report copy of the
sample portal on 127.0.0.1 (a legacy .doc, an inline HTML report, a .docx whose attachment appears
later); "LibreOffice not installed yet" is a PATH without `soffice`. The published warehouse itself is out of scope here: its
fingerprint is recorded as the publish step records it.
"""
from __future__ import annotations

import datetime
import io
import os
import shutil
from pathlib import Path

import dagster as dg
import pytest

REPO = Path(__file__).resolve().parents[2]
PORTAL = REPO / "data" / "sample_portal"
REPORTS = {  # detail page -> its attachment, if any
    "zfxxgk/zfxxgknb/202102/t20210225_4377532.html": "zfxxgk/zfxxgknb/202102/P020210225034665675908.doc",
    "zfxxgk/zfxxgknb/202301/t20230112_4378229.html": None,
}
LATE_DOCX = ("zfxxgk/zfxxgknb/202001/t20200123_4377280.html", "zfxxgk/zfxxgknb/202001/P020200123034663680320.docx")


def small_portal(root: Path) -> Path:
    """The sample portal's front pages listing three reports; the third one's attachment is not
    there yet (HTTP 404) until `publish_late_docx`."""
    for rel in ["index.html", "zfxxgk/index.html", *REPORTS, *filter(None, REPORTS.values()), LATE_DOCX[0]]:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(PORTAL / rel, root / rel)
    listings = sorted((PORTAL / "zfxxgk/zfxxgknb").glob("index*.html"))
    lines = [line for page in listings for line in page.read_text(encoding="utf-8").splitlines()]
    # each report's own line of the real listing (its title says organisation and year)
    items = "".join(next(line for line in lines if f'href="./{rel.split("zfxxgknb/")[1]}"' in line) + "\n"
                    for rel in [*REPORTS, LATE_DOCX[0]])
    head = (PORTAL / "zfxxgk/zfxxgknb/index.html").read_text(encoding="utf-8").split('<ul class="list_ul">')[0]
    (root / "zfxxgk/zfxxgknb/index.html").write_text(
        head + '<ul class="list_ul">\n' + items + "</ul>\n</div>\n</body>\n</html>\n", encoding="utf-8")
    return root


@pytest.fixture
def portal_run(tmp_path, monkeypatch, dbt_manifest):
    """materialize(crawl + extraction) on one instance and one data folder; returns run(**env)."""
    from pipelines.crawl.serve import serve_directory
    from pipelines.defs.ingest import downloaded_reports, extracted_reports
    from pipelines.defs.resources import XxgkSettings

    monkeypatch.setenv("XXGK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("XXGK_SOURCES", raising=False)
    monkeypatch.delenv("XXGK_OCR", raising=False)
    site = small_portal(tmp_path / "site")
    with dg.DagsterInstance.ephemeral() as instance, serve_directory(site) as base_url:
        monkeypatch.setenv("XXGK_SAMPLE_BASE_URL", base_url)

        def run() -> dg.ExecuteInProcessResult:
            instance.add_dynamic_partitions("county", ["sample_county"])
            result = dg.materialize([downloaded_reports, extracted_reports], instance=instance,
                                    partition_key="sample_county", resources={"xxgk": XxgkSettings()})
            assert result.success
            return result

        run.instance = instance
        run.publish_late_docx = lambda: shutil.copyfile(PORTAL / LATE_DOCX[1], site / LATE_DOCX[1])
        yield run


def materialized(result) -> dict[str, dict]:
    return {e.asset_key.to_user_string(): {k: getattr(v, "value", v) for k, v in
                                            e.step_materialization_data.materialization.metadata.items()}
            for e in result.get_asset_materialization_events()}


def _publish_as_built():
    """What published_warehouse records once it has swapped the build in."""
    from pipelines import settings
    from pipelines.stages.change_detection import mark_published

    mark_published()
    settings.warehouse_path().write_bytes(b"")  # only its existence matters to the change detector


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice (soffice) not installed")
def test_a_plain_run_retries_needs_converter_once_libreoffice_is_installed(portal_run, tmp_path, monkeypatch):
    path_with_soffice = os.environ["PATH"]
    (tmp_path / "bin").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))  # LibreOffice not installed yet

    first = materialized(portal_run())
    assert first["downloaded_reports"]["failed"] == 1  # the .docx is not on the server yet
    assert first["extracted_reports"]["extracted"] == 2
    assert first["extracted_reports"]["failed_by_kind"] == {"needs_converter": 1}
    _publish_as_built()

    # nothing changed, and nothing could heal: the run stops after the crawl, which did try the
    # failed download again
    idle = materialized(portal_run())
    assert set(idle) == set()
    from pipelines.stages import tables

    crawl = tables.read_json_per_county("crawl_counters")["sample_county"]
    assert (crawl["download_retried"], crawl["download_retried_healed"]) == (1, 0)

    monkeypatch.setenv("PATH", path_with_soffice)  # installed: a plain run, no --force
    portal_run.publish_late_docx()  # and the portal serves the missing attachment now
    result = portal_run()
    healed = materialized(result)
    assert healed["downloaded_reports"]["documents_to_extract"] == 2  # the .doc to retry, the new .docx
    assert (healed["downloaded_reports"]["download_retried"], healed["downloaded_reports"]["failed"]) == (1, 0)
    ex = healed["extracted_reports"]
    assert (ex["extracted"], ex["skipped_unchanged"], ex["retried"], ex["retried_healed"]) == (2, 1, 1, 1)
    assert ex["retried_by_kind"] == {"needs_converter": 1} and ex["failed_by_kind"] == {}

    # what `xxgk run` prints and --json carries
    from pipelines import settings
    from pipelines.run_summary import collect_counters, print_summary

    settings.warehouse_path().unlink()  # the stand-in above is no DuckDB file
    counters = collect_counters(result)
    assert (counters["extract_retried"], counters["extract_retried_healed"]) == (1, 1)
    assert (counters["download_retried"], counters["download_retried_healed"]) == (1, 1)
    assert counters["extract_retried_by_kind"] == {"needs_converter": 1}
    out = io.StringIO()
    print_summary(counters, file=out)
    assert "retried             1 earlier failure(s) that could heal (needs_converter 1): 1 now parsed" \
        in out.getvalue()
    assert "download retried    1 that failed last run: 1 downloaded now" in out.getvalue()
    assert out.getvalue().rstrip().endswith("retried=1")


def test_a_run_that_finds_nothing_new_keeps_the_published_warehouse_fresh(portal_run):
    from dagster._core.test_utils import freeze_time

    from pipelines.defs.warehouse import published_warehouse, warehouse_freshness_checks

    def freshness(at: datetime.datetime | None = None) -> dg.AssetCheckEvaluation:
        def evaluate():
            return dg.materialize([published_warehouse, *warehouse_freshness_checks],
                                  instance=portal_run.instance,
                                  selection=dg.AssetSelection.checks(*warehouse_freshness_checks))
        if at is None:
            result = evaluate()
        else:
            with freeze_time(at):
                result = evaluate()
        (evaluation,) = result.get_asset_check_evaluations()
        assert evaluation.asset_key == dg.AssetKey("published_warehouse")
        return evaluation

    portal_run()
    _publish_as_built()
    # no publish recorded in this instance yet: the warehouse cannot be called fresh
    assert not freshness().passed

    portal_run()  # nothing new on the portal: no materialisation, but an observation
    (obs,) = portal_run.instance.fetch_observations(dg.AssetKey("published_warehouse"), limit=5).records
    assert "confirmed_by" in obs.asset_observation.metadata
    assert freshness().passed
    # two days later without another run it is overdue
    later = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=48)
    assert not freshness(later).passed

"""Crawl, download, extract and normalise: the assets up to the staging tables."""

import time

import dagster as dg

from pipelines import settings
from pipelines.stages import tables
from pipelines.stages.change_detection import crawl_fingerprint, record_crawl, unchanged_since_publish
from pipelines.stages.crawl_stage import crawl_sources, enabled_profiles, read_registry
from pipelines.stages.extract_stage import documents_to_extract, extract_documents
from pipelines.stages.facts_stage import build_fact_tables
from pipelines.stages.orgs_stage import org_resolver, write_expected

IDENTITIES = {
    "I1": "new received + carried over = handled + carried forward, per applicant column",
    "I2": "(七)总计 = sum of the result rows, per applicant column",
    "I3": "row total = sum of the six applicant columns, per section 三 row",
    "I4": "section 四 total = upheld + corrected + other + pending, per group",
    "I5": "every printed value is in its domain: counts are integers >= 0, deltas signed integers, "
          "fees decimals >= 0",
}


def registry_rows_as_they_are() -> list[dict]:
    """The registry's rows without side effects: a damaged file is left for the crawl, which sets it
    aside and reports it (read_registry would set it aside here, and the crawl would not know)."""
    try:
        return tables.read_records("crawl_documents") if tables.staging_path("crawl_documents").exists() else []
    except Exception:  # noqa: BLE001 (pyarrow raises several types on a damaged file)
        return []


def extractable(records: list[dict]) -> list[tuple[str, object]]:
    """(sha256, raw file) of every downloaded document the registry holds."""
    return [(r["sha256"], settings.data_dir() / r["raw_path"])
            for r in records if r.get("sha256") and r.get("raw_path") and not r.get("error_kind")]


class CrawlConfig(dg.Config):
    force: bool = False  # rebuild downstream even when nothing changed since the last publish


@dg.asset(group_name="ingest", kinds={"python"}, output_required=False)
def downloaded_reports(context: dg.AssetExecutionContext, config: CrawlConfig):
    """Crawl each enabled source over HTTP, store new bytes in the raw store, list every report found.

    When nothing changed since the last published warehouse, nothing downstream runs."""
    # downloads that failed last time: the crawl fetches them again (nothing is cached for a failure)
    failed_before = {r["document_url"] for r in registry_rows_as_they_are()
                     if r.get("error_kind") and r.get("in_latest_crawl") and r.get("document_url")}
    rows, summary, profiles = crawl_sources(enabled_profiles())
    write_expected(profiles)
    if summary.discovered == 0:
        raise dg.Failure("No report found on any source: a crawl that finds nothing is a failure.")
    fingerprint = crawl_fingerprint(rows)
    record_crawl(fingerprint)
    counters = {
        "sources": summary.sources, "discovered": summary.discovered, "downloaded": summary.downloaded,
        "not_modified": summary.not_modified, "failed": summary.failed,
        "failed_by_kind": summary.failed_by_kind,
        "download_retried": sum(r.get("document_url") in failed_before for r in rows),
        "download_retried_healed": sum(r.get("document_url") in failed_before and not r.get("error_kind")
                                       for r in rows),
    }
    tables.write_json("crawl_counters", counters)
    # failures that could heal (a converter installed since, OCR switched on, a timeout) are
    # retried by a plain run, even when the crawl found nothing new
    to_extract = documents_to_extract([sha for sha, _ in extractable(rows)])
    if unchanged_since_publish(fingerprint) and not config.force and not to_extract:
        context.log.info(f"Nothing changed since the last publish: {counters}; downstream assets skip.")
        # the published warehouse is confirmed current with every source: its freshness restarts now
        context.log_event(dg.AssetObservation(asset_key="published_warehouse", metadata={
            "dagster/last_updated_timestamp": dg.MetadataValue.timestamp(time.time()),
            "confirmed_by": "a complete crawl found nothing new since the last publish",
        }))
        return
    yield dg.MaterializeResult(metadata={
        **{k: v for k, v in counters.items() if k != "failed_by_kind"},
        "documents_to_extract": len(to_extract),
        "failed_by_kind": dg.MetadataValue.json(summary.failed_by_kind),
    })


@dg.asset(group_name="ingest", deps=[downloaded_reports], kinds={"python", "camelot"})
def extracted_reports(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """Extract tables 二/三/四 from every new document (unchanged ones are skipped by content hash)."""
    summary = extract_documents(extractable(read_registry()[0]))
    if summary.cache_discarded:
        context.log.warning(f"{summary.cache_discarded} damaged extraction cache entries moved to "
                            f"{settings.staging_dir() / 'extracted' / 'damaged'}; those documents were extracted again")
    return dg.MaterializeResult(metadata={
        "extracted": summary.extracted, "skipped_unchanged": summary.skipped_unchanged,
        "failed": summary.failed, "failed_by_kind": dg.MetadataValue.json(summary.failed_by_kind),
        "retried": summary.retried, "retried_healed": summary.retried_healed,
        "retried_by_kind": dg.MetadataValue.json(summary.retried_by_kind),
        "cache_discarded": summary.cache_discarded,
    })


@dg.asset(group_name="ingest", deps=[extracted_reports], kinds={"python", "parquet"})
def report_facts(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """One fact per printed cell with its document, page and cell location; documents; identity checks."""
    counts = build_fact_tables(tables.read_records("crawl_documents"), org_resolver())
    return dg.MaterializeResult(metadata={k: int(v) for k, v in counts.items()})


def _identity_check(identity: str, description: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(asset=report_facts, name=f"identity_{identity}", description=description,
                    blocking=False)
    def _check() -> dg.AssetCheckResult:
        checks = tables.read_table("identity_checks")
        docs = tables.read_table("documents")[["document_id", "org_name", "year"]]
        these = checks[checks.identity == identity]
        failing = these[these.ok.eq(False)].merge(docs, on="document_id", how="left")
        return dg.AssetCheckResult(
            passed=failing.empty,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={
                "documents_checked": int(these.document_id.nunique()),
                "failures": int(len(failing)),
                "failing": dg.MetadataValue.json(
                    failing[["org_name", "year", "scope", "expected", "printed"]]
                    .astype(object).where(failing.notna(), None).to_dict("records")),
            },
        )

    return _check


defs = dg.Definitions(
    assets=[downloaded_reports, extracted_reports, report_facts],
    asset_checks=[_identity_check(k, v) for k, v in IDENTITIES.items()],
)

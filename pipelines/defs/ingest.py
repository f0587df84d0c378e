"""Crawl, download, extract and normalise: the assets up to the staging tables, one county
(source profile) per partition. A county whose portal is down fails its own partition; the other
counties' runs stay green and the warehouse keeps the failed county's last good tables."""

import datetime

import dagster as dg

from pipelines import settings
from pipelines.automation_names import COUNTY_PARTITIONS_NAME, RERUN_YEARS_TAG
from pipelines.defs.resources import XxgkSettings
from pipelines.instance import warehouse_confirmed_current
from pipelines.stages import tables
from pipelines.stages.change_detection import crawl_fingerprint, record_crawl, unchanged_since_publish
from pipelines.stages.crawl_stage import crawl_sources, profile_path, read_registry
from pipelines.stages.extract_stage import (documents_to_extract, extract_documents, extractable, parse_rerun_years,
                                           select_documents)
from pipelines.stages.facts_stage import build_fact_tables
from pipelines.stages.orgs_stage import org_resolver, write_expected

# One partition per source profile id (pipelines/sources/<id>.toml or $XXGK_SOURCES_DIR/<id>.toml);
# `xxgk run`, the nightly schedule and the registry sensor add the enabled ones.
COUNTY_PARTITIONS = dg.DynamicPartitionsDefinition(name=COUNTY_PARTITIONS_NAME)
CRAWL_STATUS = "crawl_status"
CRAWL_STATUS_COLUMNS = ["source_id", "status", "reason", "attempted_at", "last_ok_at"]


def record_crawl_status(source_id: str, error: BaseException | None) -> None:
    """The county's last crawl attempt (loaded as raw.crawl_status; coverage shows crawl_failed)."""
    now = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    previous = tables.read_records(CRAWL_STATUS) if tables.staging_path(CRAWL_STATUS).exists() else []
    last_ok = now if error is None else (previous[0].get("last_ok_at") if previous else None)
    reason = None if error is None else f"{type(error).__name__}: {str(error)[:500]}"
    tables.write_table(CRAWL_STATUS, [{"source_id": source_id, "status": "ok" if error is None else "crawl_failed",
                                       "reason": reason, "attempted_at": now, "last_ok_at": last_ok}],
                       CRAWL_STATUS_COLUMNS)

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
        return tables.read_records("crawl_documents") if tables.exists("crawl_documents") else []
    except Exception:  # noqa: BLE001 (pyarrow raises several types on a damaged file)
        return []


class CrawlConfig(dg.Config):
    force: bool = False  # rebuild downstream even when nothing changed since the last publish


@dg.asset(group_name="ingest", kinds={"python"}, output_required=False, partitions_def=COUNTY_PARTITIONS)
def downloaded_reports(context: dg.AssetExecutionContext, config: CrawlConfig):
    """Crawl the county's source over HTTP, store new bytes in the raw store, list every report found.

    When nothing changed since the last published warehouse, nothing downstream runs."""
    with tables.county_scope(context.partition_key):
        # run to the end inside the county's scope: a generator resumed elsewhere would not be in it
        results = list(_crawl_county(context, config))
    yield from results


def _crawl_county(context: dg.AssetExecutionContext, config: CrawlConfig):
    from pipelines.crawl.profile import load_profile

    source_id = tables.current_county()
    path = profile_path(source_id)
    # downloads that failed last time: the crawl fetches them again (nothing is cached for a failure)
    failed_before = {r["document_url"] for r in registry_rows_as_they_are()
                     if r.get("error_kind") and r.get("in_latest_crawl") and r.get("document_url")}
    try:
        # the registry's organisations are expected even when the portal cannot be read
        write_expected([load_profile(path, base_url="http://placeholder.invalid")])
        rows, summary, profiles = crawl_sources([path])
        if summary.discovered == 0:
            raise dg.Failure(f"No report found on source {source_id}: a crawl that finds nothing is a failure.")
    except BaseException as exc:
        record_crawl_status(source_id, exc)
        raise
    record_crawl_status(source_id, None)
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
    # a year backfill (RERUN_YEARS_TAG) extracts those years again even when the crawl found nothing
    rerun_years = bool(context.run.tags.get(RERUN_YEARS_TAG))
    if unchanged_since_publish(fingerprint) and not config.force and not to_extract and not rerun_years:
        context.log.info(f"Nothing changed since the last publish: {counters}; downstream assets skip.")
        # the published warehouse is confirmed current with every source: its freshness restarts now
        context.log_event(warehouse_confirmed_current("a complete crawl found nothing new since the last publish"))
        return
    yield dg.MaterializeResult(metadata={
        **{k: v for k, v in counters.items() if k != "failed_by_kind"},
        "documents_to_extract": len(to_extract),
        "failed_by_kind": dg.MetadataValue.json(summary.failed_by_kind),
    })


class ExtractConfig(dg.Config):
    """Rerun chosen documents of the county (Launchpad → ops.extracted_reports.config): they are
    extracted again even when their result could be reused; the rest as usual."""

    documents: list[str] = []  # sha256 (or its first 8+ characters) or document URL
    orgs: list[str] = []  # org_id: every document of these organisations (with `years`: of those years)
    years: list[int] = []  # report years: every document of these years (with `orgs`: of those organisations)


@dg.asset(group_name="ingest", deps=[downloaded_reports], kinds={"python", "camelot"},
          partitions_def=COUNTY_PARTITIONS)
def extracted_reports(context: dg.AssetExecutionContext, xxgk: XxgkSettings,
                      config: ExtractConfig) -> dg.MaterializeResult:
    """Extract tables 二/三/四 from every new document (unchanged ones are skipped by content hash)."""
    with tables.county_scope(context.partition_key):
        rows = read_registry()[0]
        try:
            tagged_years = parse_rerun_years(context.run.tags.get(RERUN_YEARS_TAG),
                                             datetime.date.today().year)
        except ValueError as exc:
            raise dg.Failure(f"run tag {RERUN_YEARS_TAG}: {exc}") from exc
        force = select_documents(rows, config.documents, config.orgs, config.years)
        if (config.documents or config.orgs or config.years) and not force:
            raise dg.Failure(f"No document of county {context.partition_key} matches the rerun asked for "
                             f"(documents={config.documents}, orgs={config.orgs}, years={config.years}): "
                             "check the sha256, URL, org_id or year against marts.coverage.")
        if tagged_years:
            # a year backfill spans every county: one without a report of that year has nothing to redo
            by_year = select_documents(rows, years=tagged_years)
            context.log.info(f"{RERUN_YEARS_TAG}={tagged_years}: {len(by_year)} document(s) of those years")
            force |= by_year
        if force:
            context.log.info(f"extracting {len(force)} chosen document(s) again")
        summary = extract_documents(extractable(rows), workers=xxgk.extract_workers(), force=force)
    if summary.cache_discarded:
        context.log.warning(f"{summary.cache_discarded} damaged extraction cache entries moved to "
                            f"{settings.staging_dir() / 'extracted' / 'damaged'}; those documents were extracted again")
    return dg.MaterializeResult(metadata={
        "extracted": summary.extracted, "skipped_unchanged": summary.skipped_unchanged,
        "rerun_chosen": len(force),
        "failed": summary.failed, "failed_by_kind": dg.MetadataValue.json(summary.failed_by_kind),
        "retried": summary.retried, "retried_healed": summary.retried_healed,
        "retried_by_kind": dg.MetadataValue.json(summary.retried_by_kind),
        "cache_discarded": summary.cache_discarded,
    })


@dg.asset(group_name="ingest", deps=[extracted_reports], kinds={"python", "parquet"},
          partitions_def=COUNTY_PARTITIONS)
def report_facts(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """One fact per printed cell with its document, page and cell location; documents; identity checks."""
    with tables.county_scope(context.partition_key) as county:
        counts = build_fact_tables(tables.read_records("crawl_documents"), org_resolver([profile_path(county)]))
    return dg.MaterializeResult(metadata={k: int(v) for k, v in counts.items()})


@dg.multi_asset_check(
    specs=[dg.AssetCheckSpec(name=f"identity_{i}", asset=report_facts, description=d, blocking=False)
           for i, d in IDENTITIES.items()],
    can_subset=True,
)
def report_facts_identities(context: dg.AssetCheckExecutionContext):
    """The identities I1–I5 over every county's latest staging (a check result is not per
    partition), read once for all five (one step per county run, not five)."""
    checks = tables.read_table("identity_checks")
    docs = tables.read_table("documents")[["document_id", "org_name", "year"]]
    for key in context.selected_asset_check_keys:
        identity = key.name.removeprefix("identity_")
        these = checks[checks.identity == identity]
        failing = these[these.ok.eq(False)].merge(docs, on="document_id", how="left")
        yield dg.AssetCheckResult(
            asset_key=key.asset_key, check_name=key.name,
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


defs = dg.Definitions(
    assets=[downloaded_reports, extracted_reports, report_facts],
    asset_checks=[report_facts_identities],
    resources={"xxgk": XxgkSettings()},
)

"""The static county report: one offline HTML page per county, built from the published warehouse."""

import dagster as dg

from pipelines import settings


@dg.asset(group_name="report", deps=[dg.AssetKey("published_warehouse")], kinds={"html"})
def county_report(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """Write $XXGK_DATA_DIR/reports/<county>.html (inline SVG charts, sortable table) and index.html."""
    from pipelines.report import build_county_report

    out_dir = settings.data_dir() / "reports"
    paths = build_county_report(settings.warehouse_path(), out_dir)
    context.log.info(f"county report: {len(paths) - 1} county page(s) in {out_dir}")
    return dg.MaterializeResult(metadata={
        "index": dg.MetadataValue.path(str(out_dir / "index.html")),
        "pages": dg.MetadataValue.json([str(p) for p in paths]),
        "n_counties": len(paths) - 1,
    })


defs = dg.Definitions(assets=[county_report])

"""The expected organisations and years of every crawled source, and the name → org_id resolver."""
from __future__ import annotations

from collections.abc import Callable

from pipelines.stages import tables

ORG_COLUMNS = ["org_id", "name", "org_type", "county", "source_id", "aliases"]
YEAR_COLUMNS = ["year", "source_id"]


def write_expected(profiles: list) -> None:
    """Seed the registry from the profiles: coverage is judged against these, not against what was found."""
    orgs = [
        {"org_id": o.org_id, "name": o.name, "org_type": o.type, "county": p.county, "source_id": p.id,
         "aliases": "|".join(o.aliases)}
        for p in profiles for o in p.orgs
    ]
    years = [{"year": y, "source_id": p.id} for p in profiles for y in p.years]
    tables.write_table("expected_orgs", orgs, ORG_COLUMNS)
    tables.write_table("expected_years", years, YEAR_COLUMNS)


def org_resolver() -> Callable[[str], str | None]:
    """Resolve a printed name against every crawled source's organisations."""
    from pipelines.crawl.profile import load_profile
    from pipelines.stages.crawl_stage import enabled_profiles

    profiles = [load_profile(p, base_url="http://placeholder.invalid") for p in enabled_profiles()]

    def resolve(name: str) -> str | None:
        from pipelines.crawl.orgs import resolve_org

        return next((oid for p in profiles if (oid := resolve_org(name, p))), None)

    return resolve

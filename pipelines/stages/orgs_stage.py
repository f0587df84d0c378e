"""The expected organisations and years of every crawled source, the name → org_id resolver, and
the suggestions shown for names that resolve to nothing."""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from pathlib import Path

from pipelines.stages import tables

ORG_COLUMNS = ["org_id", "name", "org_type", "county", "source_id", "aliases", "valid_from", "valid_to"]
YEAR_COLUMNS = ["year", "source_id"]
VALIDITY_COLUMNS = ["org_id", "valid_from", "valid_to"]
SUGGESTION_COLUMNS = ["document_id", "source_id", "org_name_printed", "suggested_org_id",
                      "suggested_registry_line", "registry_file"]


def write_expected(profiles: list) -> None:
    """Seed the registry from the profiles: coverage is judged against these, not against what was found.

    An organisation with valid years (it was created or merged away) is expected only in those years.
    """
    orgs = [
        {"org_id": o.org_id, "name": o.name, "org_type": o.type, "county": p.county, "source_id": p.id,
         "aliases": "|".join(o.aliases), "valid_from": o.valid_from, "valid_to": o.valid_to}
        for p in profiles for o in p.orgs
    ]
    years = [{"year": y, "source_id": p.id} for p in profiles for y in p.years]
    validity = [{k: o[k] for k in VALIDITY_COLUMNS} for o in orgs
                if o["valid_from"] is not None or o["valid_to"] is not None]
    tables.write_table("expected_orgs", orgs, ORG_COLUMNS)
    tables.write_table("expected_years", years, YEAR_COLUMNS)
    tables.write_table("org_validity", validity, VALIDITY_COLUMNS)


class OrgResolver:
    """Resolve a printed name against the crawled sources' registries; suggest for the rest."""

    def __init__(self, profiles: list):
        self.profiles = profiles

    def __call__(self, name: str) -> str | None:
        from pipelines.crawl.orgs import resolve_org

        return next((oid for p in self.profiles if (oid := resolve_org(name, p))), None)

    def suggestion(self, name: str, source_id: str | None) -> dict:
        """What a person should add to the registry so `name` resolves next time: an alias line of
        the registered organisation it most likely is, or the line of a new organisation."""
        from pipelines.crawl.orgs import guess_org_type, suggest_org
        from pipelines.crawl.profile import registry_alias_line, registry_new_org_line

        profile = next((p for p in self.profiles if p.id == source_id), None)
        if profile is None:
            return {"suggested_org_id": None, "suggested_registry_line": None, "registry_file": None}
        org = suggest_org(name, profile.orgs, profile.county)
        line = (registry_alias_line(org.org_id, name) if org
                else registry_new_org_line(name, guess_org_type(name)))
        return {"suggested_org_id": org.org_id if org else None, "suggested_registry_line": line,
                "registry_file": profile.registry_path}


def org_resolver(paths: list[Path] | None = None) -> OrgResolver:
    """Resolve a printed name against the organisations of these profiles (default: every enabled
    source). A county's documents are resolved against its own registry only: 城关镇 is in many."""
    from pipelines.crawl.profile import load_profile
    from pipelines.stages.crawl_stage import enabled_profiles

    return OrgResolver([load_profile(p, base_url="http://placeholder.invalid")
                        for p in (enabled_profiles() if paths is None else paths)])


def write_org_suggestions(documents: Iterable[dict], resolver: Callable[[str], str | None]) -> int:
    """One row per document whose printed organisation resolved to nothing: the printed name and
    the registry line that would place it (coverage shows these as found_unmatched)."""
    suggest = getattr(resolver, "suggestion", None)
    rows = []
    for doc in documents:
        if doc.get("org_id") or not (doc.get("org_name") or "").strip():
            continue
        printed = doc["org_name"].strip()
        extra = suggest(printed, doc.get("source_id")) if suggest else {
            "suggested_org_id": None, "suggested_registry_line": None, "registry_file": None}
        rows.append({"document_id": doc["document_id"], "source_id": doc.get("source_id"),
                     "org_name_printed": printed, **extra})
    tables.write_table("org_suggestions", rows, SUGGESTION_COLUMNS)
    return len(rows)


def sources_digest(paths: list[Path] | None = None) -> str:
    """The bytes of every enabled profile, the families it extends and its registry CSV: a person
    who adds a registry line (or fixes a selector) gets a rebuild, not "nothing changed"."""
    from pipelines.crawl.profile import ProfileError, load_profile
    from pipelines.stages.crawl_stage import enabled_profiles

    digest = hashlib.sha256()
    for path in enabled_profiles() if paths is None else paths:
        try:
            files = load_profile(path, base_url="http://placeholder.invalid").files
        except ProfileError as exc:  # the crawl reports it; here it only has to differ
            digest.update(str(exc).encode())
            continue
        for name in files:
            digest.update(name.encode())
            digest.update(Path(name).read_bytes())
    return digest.hexdigest()

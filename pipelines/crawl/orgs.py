"""Organisation registry: map an organisation name as printed to the profile's org_id.

Names vary: `XX镇人民政府` vs `XX镇`, `XX街道办事处` vs `XX街道`, a county prefix,
stray whitespace, a 乡 that became a 镇 (listed as an alias in the profile).
Unknown or ambiguous names give None so the caller records them for review.
"""
from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:  # only for type hints; keeps this module free of I/O imports
    from pipelines.crawl.profile import Profile

_NOISE_RE = re.compile(r"[\s\u3000\u00a0·•.,，、:：()（）\[\]【】<>《》\"'“”]+")
# Longest first so 街道办事处 wins over 办事处.
_SUFFIXES = ("街道办事处", "街道办", "人民政府", "办事处", "政府")
_SUFFIX_REPLACEMENT = {"街道办事处": "街道", "街道办": "街道"}


def _strip_suffix(name: str) -> str:
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)] + _SUFFIX_REPLACEMENT.get(suffix, "")
    return name


def org_key(name: str, county: str = "") -> str:
    """Comparison key: no whitespace/punctuation, no government suffix, no county prefix.

    The county prefix is kept when nothing else would remain (the county government itself).
    """
    key = _NOISE_RE.sub("", unicodedata.normalize("NFKC", name or ""))
    key = _strip_suffix(key)
    if county:
        county_key = _NOISE_RE.sub("", unicodedata.normalize("NFKC", county))
        # Anything up to the county name is a prefecture/province prefix.
        idx = key.find(county_key)
        if idx >= 0 and len(key) > idx + len(county_key):
            key = _strip_suffix(key[idx + len(county_key):])
    return key


def build_index(orgs: Iterable, county: str = "") -> dict[str, str | None]:
    """key → org_id; a key claimed by two organisations maps to None (ambiguous)."""
    index: dict[str, str | None] = {}
    for org in orgs:
        for variant in (org.name, *org.aliases):
            key = org_key(variant, county)
            if not key:
                continue
            if key in index and index[key] != org.org_id:
                index[key] = None
            else:
                index[key] = org.org_id
    return index


def resolve_org(name: str | None, profile: "Profile") -> str | None:
    """org_id of a printed organisation name, or None when unknown or ambiguous."""
    if not name:
        return None
    index = profile.org_index()
    return index.get(org_key(name, profile.county))

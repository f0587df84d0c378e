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


# ---------------------------------------------------------------- suggestions for unmatched names
# A printed name that resolves to nothing is never placed by guesswork: it is recorded, and a
# person is shown the registered organisation it most likely is, with the line to add.
_FORM_SUFFIXES = ("管理委员会", "管委会", "委员会", "办公室", "管理处")
_COUNTY_LEVEL_RE = re.compile(r"(自治县|县|区|市|旗)$")
_SUGGEST_MIN_RATIO = 0.75


def _loose_key(name: str, county: str) -> str:
    """org_key without the county's stem (澄岚 of 澄岚县) and without the body's form (管理委员会);
    乡 and 镇 alike."""
    key = org_key(name, county)
    stem = _COUNTY_LEVEL_RE.sub("", _NOISE_RE.sub("", unicodedata.normalize("NFKC", county or "")))
    if len(stem) >= 2 and key.startswith(stem) and len(key) > len(stem) + 1:
        key = key[len(stem):]
    for suffix in _FORM_SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix) + 1:
            return key[: -len(suffix)]
    # A 乡 that became a 镇 (撤乡设镇) prints its new name before the registry knows it.
    return re.sub(r"(?<=..)[乡镇]$", "镇", key)


def _likeness(a: str, b: str) -> float:
    """1.0 for equal loose keys, 0.9 when one contains the other (≥ 3 characters), else the
    difflib ratio."""
    from difflib import SequenceMatcher

    if a == b:
        return 1.0
    if min(len(a), len(b)) >= 3 and (a in b or b in a):
        return 0.9
    return SequenceMatcher(None, a, b).ratio()


def suggest_org(name: str | None, orgs: Iterable, county: str = ""):
    """The registered organisation a printed name most likely means, or None.

    Only for names that do not resolve: a suggestion is shown to a person, never applied. None
    when nothing is alike enough or two organisations are equally alike.
    """
    key = _loose_key(name or "", county)
    if len(key) < 2:
        return None
    best: dict[str, tuple[float, object]] = {}
    for org in orgs:
        for variant in (org.name, *org.aliases):
            score = _likeness(key, _loose_key(variant, county))
            if score > best.get(org.org_id, (0.0, None))[0]:
                best[org.org_id] = (score, org)
    ranked = sorted(best.values(), key=lambda s: -s[0])
    if not ranked or ranked[0][0] < _SUGGEST_MIN_RATIO:
        return None
    if len(ranked) > 1 and ranked[1][0] == ranked[0][0]:
        return None  # ambiguous: a person decides
    return ranked[0][1]


def guess_org_type(name: str) -> str:
    """Registry type (in Chinese, as the CSV writes it) from the shape of a printed name."""
    key = _NOISE_RE.sub("", unicodedata.normalize("NFKC", name or ""))
    if re.search(r"街道(办事处|办)?$", key):
        return "街道"
    if re.search(r"[镇乡](人民政府)?$", key):
        return "乡镇"
    return "县直部门"

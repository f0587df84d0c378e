"""Source profiles: one TOML file per county in pipelines/sources/.

A profile is the only thing to change when a site changes. It may `extends = "trs"` a CMS family
(pipelines/sources/families/trs.toml): the county file is deep-merged over the family (tables key
by key, arrays and scalars replaced whole). Its organisations come from a registry CSV
(`registry = "registry/<id>.csv"`) and/or inline [[orgs]]. Every key and value is checked when the
file is loaded (unknown key, bad regex, bad CSS selector, bad URL, wrong type, missing key): a
mistake is a ProfileError naming the file, the key and the problem, never a silently different
crawl. `{base_url}` in any string is substituted at load time (the sample portal is served on a
free 127.0.0.1 port).
"""
from __future__ import annotations

import csv
import dataclasses
import io
import re
import sys
import tomllib
import types
import typing
from dataclasses import dataclass
from difflib import get_close_matches
from functools import cached_property
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import urlsplit, urlunsplit

import soupsieve

from pipelines import settings

DEFAULT_USER_AGENT = "xxgk-warehouse/0.1 (+contact in README)"
ORG_TYPES = ("township", "street", "department", "county_government")

# Defaults follow spec §13 (column names, path segments) and are overridable per profile.
DEFAULT_REPORT_PATTERN = r"政[府务]信息公开.{0,12}(年度报告|年报|年度报|情况的?报告|工作报告)"
DEFAULT_EXCLUDE_PATTERN = r"通知|的函|报送|做好|编制|提醒|指南|制度|目录|公告|解读|培训|申请表"
DEFAULT_COLUMN_PATTERN = r"政[府务]信息公开(工作)?年[报度]|信息公开(工作)?年度报告|信息公开年报|^年度报告$|^年报$"
DEFAULT_NAV_PATTERN = r"^(政府信息公开|政务公开|信息公开|政府信息公开目录|乡镇信息公开|部门信息公开|乡镇|镇街|街镇|部门)$"
DEFAULT_SUBCOLUMN_PATTERN = r"^(20\d{2}年?度?|乡镇|镇街|街镇|乡镇街道|部门|县直部门|乡镇年报|部门年报)$"
DEFAULT_COLUMN_PATH_PATTERN = r"/(zfxxgknb|xxgknb|gknb|ndbg|xxgkndbg)(/|$)"
DEFAULT_NEXT_TEXT_PATTERN = r"^(下一页|下页|\d{1,3})$"
DEFAULT_PAGE_HREF_PATTERN = r"index_\d+\.s?html?$"
# TRS columns often build their pager in JS: createPageHTML(6, 0, "index", "html"), or with
# `var countPage = 6` first. `count` is required; `stem`/`ext` default to the page's own name.
DEFAULT_PAGE_SCRIPT_PATTERN = r"(?:countPage\s*=\s*|createPageHTML\(\s*)(?P<count>\d+)"
DEFAULT_TITLE_SELECTORS = ("h1.title", ".article-title", ".detail-title", "h1", "h2.title", "title")
DEFAULT_CONTENT_SELECTORS = (".TRS_Editor", "#zoom", ".article-content", ".content", "#content")
DEFAULT_ATTACHMENT_EXTENSIONS = (".pdf", ".doc", ".docx", ".wps")
DEFAULT_ATTACHMENT_EXCLUDE = r"申请表|登记表|指南|目录"


class ProfileError(ValueError):
    """A profile (or family, or registry CSV) that cannot be used as written.

    The message names the file, the key (dotted: `listing.report_pattern`, `orgs[2].type`, or
    `line 7, type` in a CSV) and the problem; the attributes carry the same three parts.
    """

    def __init__(self, file: str, key: str | None, problem: str):
        self.file, self.key, self.problem = file, key, problem
        super().__init__(f"{file}: {key}: {problem}" if key else f"{file}: {problem}")


@dataclass(frozen=True)
class Org:
    org_id: str
    name: str
    type: str
    aliases: tuple[str, ...] = ()
    area: str | None = None  # Hanweb `area=` code, when reports are enumerated
    valid_from: int | None = None  # first report year expected (the body was created that year)
    valid_to: int | None = None  # last report year expected (merged away or dissolved after it)

    def valid_in(self, year: int) -> bool:
        return (self.valid_from is None or year >= self.valid_from) and (self.valid_to is None or year <= self.valid_to)


@dataclass(frozen=True)
class ListingSpec:
    report_pattern: str = DEFAULT_REPORT_PATTERN
    exclude_pattern: str = DEFAULT_EXCLUDE_PATTERN
    column_pattern: str = DEFAULT_COLUMN_PATTERN
    nav_pattern: str = DEFAULT_NAV_PATTERN
    subcolumn_pattern: str = DEFAULT_SUBCOLUMN_PATTERN
    column_path_pattern: str = DEFAULT_COLUMN_PATH_PATTERN
    next_text_pattern: str = DEFAULT_NEXT_TEXT_PATTERN
    page_href_pattern: str = DEFAULT_PAGE_HREF_PATTERN
    page_script_pattern: str = DEFAULT_PAGE_SCRIPT_PATTERN
    detail_href_pattern: str = ""  # optional: detail URLs must also match this
    max_pages: int = 60  # every HTML page fetched while walking (start, nav, listing)
    max_depth: int = 3  # nav hops from a start page


@dataclass(frozen=True)
class DetailSpec:
    title_selectors: tuple[str, ...] = DEFAULT_TITLE_SELECTORS
    content_selectors: tuple[str, ...] = DEFAULT_CONTENT_SELECTORS
    attachment_selector: str = "a[href]"
    attachment_scope_selectors: tuple[str, ...] = ()  # empty: the whole page
    attachment_extensions: tuple[str, ...] = DEFAULT_ATTACHMENT_EXTENSIONS
    attachment_exclude_pattern: str = DEFAULT_ATTACHMENT_EXCLUDE


@dataclass(frozen=True)
class EnumerateSpec:
    """Hanweb annual-report module: iterate area × fbtime instead of walking listings."""

    url_template: str  # with {area} and {year}


@dataclass(frozen=True)
class HttpSpec:
    rate_limit: float = 1.0  # requests per second per host
    max_concurrency: int = 2  # per host
    timeout_s: float = 30.0  # read timeout
    connect_timeout_s: float = 10.0
    max_bytes: int = 50 * 1024 * 1024
    retries: int = 3
    backoff_base_s: float = 1.0
    backoff_max_s: float = 60.0
    retry_after_cap_s: float = 120.0
    max_redirects: int = 5
    user_agent: str = DEFAULT_USER_AGENT
    encoding: str | None = None  # hint when a page declares nothing and is not UTF-8
    respect_robots: bool = True


@dataclass(frozen=True)
class Profile:
    id: str
    name: str
    county: str
    start_urls: tuple[str, ...]
    allowed_hosts: tuple[str, ...]
    listing: ListingSpec
    detail: DetailSpec
    http: HttpSpec
    orgs: tuple[Org, ...] = ()
    years: tuple[int, ...] = ()
    enumerate: EnumerateSpec | None = None
    path: str | None = None  # the TOML file it came from
    notes: str = ""
    # A local copy served for crawling stands for this public site: recorded URLs use it.
    public_base_url: str = ""
    families: tuple[str, ...] = ()  # the `extends` chain, nearest first
    registry_path: str | None = None  # the organisation registry CSV, when there is one
    files: tuple[str, ...] = ()  # every file it was read from: profile, families, registry

    @property
    def kind(self) -> str:
        return "enumerate" if self.enumerate else "listing"

    @cached_property
    def _org_index(self) -> dict[str, str | None]:
        from pipelines.crawl.orgs import build_index

        return build_index(self.orgs, self.county)

    def org_index(self) -> dict[str, str | None]:
        return self._org_index

    def org_by_id(self, org_id: str) -> Org | None:
        return next((o for o in self.orgs if o.org_id == org_id), None)


# ---------------------------------------------------------------- the keys a file may hold

SECTIONS: dict[str, type] = {"listing": ListingSpec, "detail": DetailSpec, "http": HttpSpec,
                             "enumerate": EnumerateSpec}
# Top-level keys of a county profile, with the type each value must have.
PROFILE_KEYS: dict[str, Any] = {
    "extends": str, "id": str, "name": str, "county": str, "start_urls": tuple[str, ...],
    "allowed_hosts": tuple[str, ...], "years": tuple[int, ...], "notes": str, "public_base_url": str,
    "registry": str, "orgs": list, **{k: dict for k in SECTIONS},
}
REQUIRED_KEYS = ("id", "name", "county", "start_urls")
# A family holds what a CMS shares across counties: how its pages look, not which site or orgs.
FAMILY_KEYS = ("extends", "description", "listing", "detail", "http")
FAMILIES_DIR = settings.SOURCES_DIR / "families"

_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_]*$")
_ORG_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]*$")
_HOST_RE = re.compile(r"^\.?[a-z0-9]([a-z0-9\-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9\-]*[a-z0-9])?)*$")
# Numbers that must be > 0 (the rest of the numeric settings must be >= 0).
_POSITIVE = {"rate_limit", "max_concurrency", "timeout_s", "connect_timeout_s", "max_bytes", "max_pages"}
YEAR_RANGE = (2000, 2100)


def _did_you_mean(key: str, known) -> str:
    close = get_close_matches(key, list(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _type_name(hint: Any) -> str:
    if hint is dict:
        return "a table"
    if hint is list:
        return "an array of tables"
    if typing.get_origin(hint) is tuple:
        elem = typing.get_args(hint)[0]
        return "an array of " + {str: "strings", int: "integers", float: "numbers"}.get(elem, str(elem))
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return " or ".join("nothing" if a is type(None) else _type_name(a) for a in typing.get_args(hint))
    return {str: "a string", int: "an integer", float: "a number", bool: "true or false"}.get(hint, str(hint))


def _is_type(value: Any, hint: Any) -> bool:
    if hint is type(None):
        return value is None
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if hint in (str, dict, list):
        return isinstance(value, hint)
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is tuple:
        return isinstance(value, (list, tuple)) and all(_is_type(v, args[0]) for v in value)
    if origin in (typing.Union, types.UnionType):
        return any(_is_type(value, a) for a in args)
    return isinstance(value, hint)


# ---------------------------------------------------------------- reading files, extends, merging

def _read_toml(path: Path) -> dict:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ProfileError(str(path), None, "file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(str(path), None, f"not valid TOML: {exc}") from exc


def _check_keys(raw: Mapping[str, Any], allowed, file: str, *, family: bool) -> None:
    """Unknown keys, at the top and inside each section, name the file they are written in."""
    for key, value in raw.items():
        if key not in allowed:
            hint = (" (a family holds only listing, detail and http: site, organisations and years "
                    "belong in the county profile)") if family and key in PROFILE_KEYS else _did_you_mean(key, allowed)
            raise ProfileError(file, key, f"unknown key{hint}")
        if key in SECTIONS and isinstance(value, dict):
            names = [f.name for f in dataclasses.fields(SECTIONS[key])]
            for sub in value:
                if sub not in names:
                    raise ProfileError(file, f"{key}.{sub}", f"unknown key{_did_you_mean(sub, names)}")


def _family_path(name: str, referrer: Path) -> Path:
    """`extends = "trs"` → families/trs.toml next to the profile, else the repository's families;
    a value ending in .toml is a path relative to the file that names it."""
    if name.endswith(".toml"):
        return (referrer.parent / name).resolve()
    for folder in (referrer.parent / "families", referrer.parent, FAMILIES_DIR):
        candidate = folder / f"{name}.toml"
        if candidate.is_file():
            return candidate
    return FAMILIES_DIR / f"{name}.toml"


def _leaves(raw: Mapping[str, Any], prefix: str = "") -> dict[str, None]:
    out: dict[str, None] = {}
    for key, value in raw.items():
        dotted = f"{prefix}{key}"
        out[dotted] = None
        if isinstance(value, dict):
            out.update(_leaves(value, dotted + "."))
    return out


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """The override wins key by key; tables merge recursively; arrays and scalars are replaced
    whole (an array is never concatenated, so a county can drop a family's selector)."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _resolve_extends(raw: dict, path: Path, chain: tuple[Path, ...] = ()
                     ) -> tuple[dict, dict[str, str], tuple[str, ...], tuple[str, ...]]:
    """The file merged over everything it extends: (merged, dotted key → file it came from,
    family names nearest first, family files)."""
    file = str(path)
    parent_name = raw.get("extends")
    if parent_name is None:
        return raw, {k: file for k in _leaves(raw)}, (), ()
    if not isinstance(parent_name, str) or not parent_name:
        raise ProfileError(file, "extends", "must name a family, e.g. extends = \"trs\"")
    parent_path = _family_path(parent_name, path)
    if not parent_path.is_file():
        known = sorted(p.stem for p in FAMILIES_DIR.glob("*.toml"))
        raise ProfileError(file, "extends", f"no family {parent_name!r} (looked for {parent_path}; "
                                            f"families: {', '.join(known)})")
    if parent_path.resolve() in chain or parent_path.resolve() == path.resolve():
        raise ProfileError(file, "extends", f"{parent_name!r} extends itself through {parent_path}")
    parent = _read_toml(parent_path)
    _check_keys(parent, FAMILY_KEYS, str(parent_path), family=True)
    base, origins, names, files = _resolve_extends(parent, parent_path, chain + (path.resolve(),))
    own = {k: v for k, v in raw.items() if k != "extends"}
    origins = {**origins, **{k: file for k in _leaves(own)}}
    return deep_merge(base, own), origins, (parent_name, *names), (str(parent_path), *files)


# ---------------------------------------------------------------- checking values

def _compile_selector(selector: str) -> str | None:
    try:
        soupsieve.compile(selector)
    except Exception as exc:  # SelectorSyntaxError, and TypeError for odd values
        return f"bad CSS selector {selector!r}: {str(exc).splitlines()[0]}"
    return None


def _url_problem(url: str, *, template: bool = False) -> str | None:
    probe = url.replace("{area}", "a").replace("{year}", "2020") if template else url
    try:
        parts = urlsplit(probe)
        host = parts.hostname
    except ValueError as exc:
        return f"bad URL {url!r}: {exc}"
    if parts.scheme not in ("http", "https") or not host:
        return f"bad URL {url!r}: needs http:// or https:// and a host"
    if " " in probe:
        return f"bad URL {url!r}: contains a space"
    return None


def _check_section(cls: type, table: Mapping[str, Any], section: str, where) -> None:
    hints = typing.get_type_hints(cls)
    for name, value in table.items():
        key = f"{section}.{name}"
        if not _is_type(value, hints[name]):
            raise ProfileError(where(key), key, f"must be {_type_name(hints[name])}, got {value!r}")
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if value < 0 or (value == 0 and name in _POSITIVE):
                raise ProfileError(where(key), key, f"must be {'> 0' if name in _POSITIVE else '>= 0'}, got {value!r}")
        if name.endswith("_pattern") and value:
            try:
                compiled = re.compile(value)
            except re.error as exc:
                raise ProfileError(where(key), key, f"bad regex {value!r}: {exc}") from exc
            if name == "page_script_pattern" and "count" not in compiled.groupindex:
                raise ProfileError(where(key), key, "needs a (?P<count>…) group: the number of listing pages")
        if name.endswith(("_selector", "_selectors")):
            for sel in (value,) if isinstance(value, str) else value:
                if problem := _compile_selector(sel):
                    raise ProfileError(where(key), key, problem)
        if name == "attachment_extensions":
            bad = [e for e in value if not re.fullmatch(r"\.[A-Za-z0-9]+", e)]
            if bad:
                raise ProfileError(where(key), key, f"extensions start with a dot, e.g. \".pdf\"; got {bad}")
        if name == "url_template":
            if problem := _url_problem(value, template=True):
                raise ProfileError(where(key), key, problem)
            missing = [p for p in ("{area}", "{year}") if p not in value]
            if missing:
                raise ProfileError(where(key), key, f"must contain {' and '.join(missing)}")


def _build(cls, table: Mapping[str, Any] | None, section: str, where):
    table = dict(table or {})
    _check_section(cls, table, section, where)
    missing = [f.name for f in dataclasses.fields(cls)
               if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING and f.name not in table]
    if missing:
        raise ProfileError(where(section), f"{section}.{missing[0]}", "missing required key")
    for f in dataclasses.fields(cls):
        if f.name in table and isinstance(table[f.name], list):
            table[f.name] = tuple(table[f.name])
    return cls(**table)


ORG_TYPE_NAMES = {"乡镇": "township", "乡": "township", "镇": "township", "街道": "street",
                  "县直部门": "department", "部门": "department", "县政府": "county_government",
                  **{t: t for t in ORG_TYPES}}
ORG_TYPE_LABELS = {"township": "乡镇", "street": "街道", "department": "县直部门", "county_government": "县政府"}


def _org_type(value: Any, file: str, key: str) -> str:
    kind = ORG_TYPE_NAMES.get(str(value).strip())
    if kind is None:
        raise ProfileError(file, key, f"type {value!r} is not one of 乡镇, 街道, 县直部门, 县政府 "
                                      f"(or {', '.join(ORG_TYPES)})")
    return kind


def _year(value: Any, file: str, key: str) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        year = int(str(value).strip())
    except ValueError:
        raise ProfileError(file, key, f"{value!r} is not a year") from None
    if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        raise ProfileError(file, key, f"year {year} outside {YEAR_RANGE[0]}–{YEAR_RANGE[1]}")
    return year


def _make_org(fields: Mapping[str, Any], file: str, where: str) -> Org:
    key = where + (", " if where.startswith("line ") else ".")  # CSV: `line 4, type`; TOML: `orgs[0].type`
    org_id = str(fields.get("org_id") or "").strip()
    if not _ORG_ID_RE.match(org_id):
        raise ProfileError(file, f"{key}org_id", f"{org_id!r} is not an id (letters, digits, _ and -)")
    name = str(fields.get("name") or "").strip()
    if not name:
        raise ProfileError(file, f"{key}name", "missing organisation name")
    valid_from = _year(fields.get("valid_from"), file, f"{key}valid_from")
    valid_to = _year(fields.get("valid_to"), file, f"{key}valid_to")
    if valid_from and valid_to and valid_from > valid_to:
        raise ProfileError(file, f"{key}valid_to", f"{valid_to} is before valid_from {valid_from}")
    aliases = fields.get("aliases") or ()
    if isinstance(aliases, str):
        aliases = aliases.split("|")
    return Org(org_id=org_id, name=name, type=_org_type(fields.get("type"), file, f"{key}type"),
               aliases=tuple(a.strip() for a in aliases if a and a.strip()),
               area=(str(fields["area"]).strip() or None) if fields.get("area") else None,
               valid_from=valid_from, valid_to=valid_to)


# ---------------------------------------------------------------- the organisation registry CSV

REGISTRY_COLUMNS = ("org_id", "name", "type", "aliases", "valid_from", "valid_to", "area")


def load_registry(path: Path | str) -> tuple[Org, ...]:
    """Organisations from a registry CSV (UTF-8, a BOM is fine; `#` lines are comments).

    Columns: org_id, name, type (乡镇 | 街道 | 县直部门 | 县政府), aliases (printed names, `|`
    between them), valid_from, valid_to (years, blank = open), area (Hanweb code). A line whose
    org_id is already defined and whose type is blank adds its name as one more printed name of
    that organisation: the line `marts.coverage` suggests for a found_unmatched report.
    """
    path = Path(path)
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ProfileError(file, None, "registry CSV not found") from None
    except UnicodeDecodeError as exc:
        raise ProfileError(file, None, f"not UTF-8 ({exc.reason} at byte {exc.start}): save it as UTF-8") from exc
    numbered = [(n, line) for n, line in enumerate(text.splitlines(), 1)
                if line.strip() and not line.lstrip().startswith("#")]
    if not numbered:
        raise ProfileError(file, None, "empty registry: needs a header line " + ",".join(REGISTRY_COLUMNS))
    rows = list(csv.reader([line for _, line in numbered]))
    header = [h.strip() for h in rows[0]]
    for col in header:
        if col not in REGISTRY_COLUMNS:
            raise ProfileError(file, f"line {numbered[0][0]}, column {col!r}",
                               f"unknown column{_did_you_mean(col, REGISTRY_COLUMNS)}")
    for col in ("org_id", "name", "type"):
        if col not in header:
            raise ProfileError(file, f"line {numbered[0][0]}", f"missing column {col!r}")
    orgs: dict[str, dict] = {}
    for (lineno, _), cells in zip(numbered[1:], rows[1:]):
        if len(cells) > len(header):
            raise ProfileError(file, f"line {lineno}", f"{len(cells)} fields for {len(header)} columns "
                                                      "(a name with a comma needs double quotes)")
        fields = {h: c.strip() for h, c in zip(header, cells)}
        org_id, kind = fields.get("org_id", ""), fields.get("type", "")
        if not kind and org_id in orgs:  # a printed name of an organisation defined above
            if not fields.get("name"):
                raise ProfileError(file, f"line {lineno}, name", "an alias line needs the printed name")
            orgs[org_id]["aliases"] += [fields["name"]] + [a for a in fields.get("aliases", "").split("|") if a]
            continue
        if org_id in orgs:
            raise ProfileError(file, f"line {lineno}, org_id",
                               f"{org_id!r} is defined twice (leave type blank to add a printed name)")
        fields["aliases"] = [a for a in fields.get("aliases", "").split("|") if a.strip()]
        fields["_line"] = lineno
        orgs[org_id] = fields
    return tuple(_make_org(f, file, f"line {f.pop('_line')}") for f in orgs.values())


def _csv_line(values: list[str]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="").writerow(values)
    return buf.getvalue()


def registry_alias_line(org_id: str, printed_name: str) -> str:
    """The registry line that makes `printed_name` resolve to `org_id` (type left blank)."""
    return _csv_line([org_id, printed_name])


def registry_new_org_line(printed_name: str, type_label: str) -> str:
    """The line of a new organisation; `<org_id>` must be replaced (it fails validation as is)."""
    return _csv_line(["<org_id>", printed_name, type_label])


# ---------------------------------------------------------------- the profile

def _substitute(value: Any, mapping: Mapping[str, str]) -> Any:
    """Replace `{name}` placeholders in every string; regexes keep their own braces."""
    if isinstance(value, str):
        for key, repl in mapping.items():
            value = value.replace("{" + key + "}", repl)
        return value
    if isinstance(value, list):
        return [_substitute(v, mapping) for v in value]
    if isinstance(value, dict):
        return {k: _substitute(v, mapping) for k, v in value.items()}
    return value


def _host_of(url: str, file: str, key: str) -> str:
    if problem := _url_problem(url):
        raise ProfileError(file, key, problem)
    return urlsplit(url).hostname or ""


def profile_from_dict(raw: Mapping[str, Any], *, base_url: str | None = None,
                      http_overrides: Mapping[str, Any] | None = None, path: str | None = None,
                      origins: Mapping[str, str] | None = None, families: tuple[str, ...] = ()) -> Profile:
    """Check every key and value, then build the Profile. `origins` maps dotted keys to the file
    (profile or family) each value came from, so an error names the file to edit."""
    file = path or "<profile>"
    origins = origins or {}

    def where(key: str) -> str:
        return origins.get(key) or origins.get(key.split(".")[0]) or file

    _check_keys(raw, PROFILE_KEYS, file, family=False)
    if base_url is not None:
        raw = _substitute(dict(raw), {"base_url": base_url.rstrip("/")})
    for key in REQUIRED_KEYS:
        if key not in raw:
            raise ProfileError(file, key, "missing required key")
    for key, hint in PROFILE_KEYS.items():
        if key in raw and not _is_type(raw[key], hint):
            raise ProfileError(where(key), key, f"must be {_type_name(hint)}, got {raw[key]!r}")
    if "{base_url}" in repr(raw):
        raise ProfileError(file, None, "uses {base_url}; pass base_url= to load_profile")
    if not _ID_RE.match(raw["id"]):
        raise ProfileError(file, "id", f"{raw['id']!r}: use lower-case letters, digits and _")
    if path and Path(path).suffix == ".toml" and Path(path).stem != raw["id"]:
        raise ProfileError(file, "id", f"{raw['id']!r} differs from the file name {Path(path).name!r}: "
                                       "XXGK_SOURCES finds a profile by its file name")
    start_urls = tuple(raw["start_urls"])
    if not start_urls:
        raise ProfileError(file, "start_urls", "needs at least one URL")
    for i, url in enumerate(start_urls):
        _host_of(url, where("start_urls"), f"start_urls[{i}]")
    if raw.get("public_base_url") and (problem := _url_problem(raw["public_base_url"])):
        raise ProfileError(where("public_base_url"), "public_base_url", problem)
    for i, host in enumerate(raw.get("allowed_hosts", ())):
        if not _HOST_RE.match(host.lower()):
            raise ProfileError(where("allowed_hosts"), f"allowed_hosts[{i}]",
                               f"{host!r} is not a host name (no scheme, path or port; a leading dot allows subdomains)")
    years = tuple(raw.get("years", ()))
    for i, y in enumerate(years):
        _year(y, where("years"), f"years[{i}]")

    orgs: list[Org] = []
    registry_path = None
    if "registry" in raw:
        registry_path = Path(raw["registry"])
        if not registry_path.is_absolute():
            registry_path = (Path(where("registry")).parent if where("registry") != "<profile>"
                             else settings.SOURCES_DIR) / registry_path
        orgs += load_registry(registry_path)
    for i, o in enumerate(raw.get("orgs", [])):
        key = f"orgs[{i}]"
        if not isinstance(o, dict):
            raise ProfileError(file, key, "must be a table ([[orgs]])")
        names = [f.name for f in dataclasses.fields(Org)]
        for k in o:
            if k not in names:
                raise ProfileError(file, f"{key}.{k}", f"unknown key{_did_you_mean(k, names)}")
        orgs.append(_make_org(o, file, key))
    seen: set[str] = set()
    for org in orgs:
        if org.org_id in seen:
            raise ProfileError(file, "orgs", f"org_id {org.org_id!r} defined twice (registry and [[orgs]]?)")
        seen.add(org.org_id)

    http = dict(raw.get("http", {}))
    http.update(http_overrides or {})
    enum = _build(EnumerateSpec, raw["enumerate"], "enumerate", where) if "enumerate" in raw else None
    allowed = tuple(h.lower() for h in raw.get("allowed_hosts", ())) or tuple(
        dict.fromkeys(urlsplit(u).hostname for u in start_urls + ((enum.url_template,) if enum else ()))
    )
    return Profile(
        id=raw["id"], name=raw["name"], county=raw["county"], start_urls=start_urls,
        allowed_hosts=allowed, listing=_build(ListingSpec, raw.get("listing"), "listing", where),
        detail=_build(DetailSpec, raw.get("detail"), "detail", where),
        http=_build(HttpSpec, http, "http", where), orgs=tuple(orgs),
        years=tuple(int(y) for y in years), enumerate=enum, path=path,
        notes=raw.get("notes", ""), public_base_url=raw.get("public_base_url", ""),
        families=families, registry_path=str(registry_path) if registry_path else None,
    )


def load_profile(path: Path | str, *, base_url: str | None = None,
                 http_overrides: Mapping[str, Any] | None = None) -> Profile:
    """Read one TOML profile, merged over the family it `extends`, checked before use.

    `base_url` fills `{base_url}`; `http_overrides` patches [http] (tests use tiny backoffs and
    timeouts). Anything unusable raises ProfileError naming the file, the key and the problem.
    """
    path = Path(path)
    if not path.is_absolute() and not path.exists():
        path = settings.SOURCES_DIR / path
    raw = _read_toml(path)
    _check_keys(raw, PROFILE_KEYS, str(path), family=False)
    merged, origins, families, family_files = _resolve_extends(raw, path)
    merged.pop("description", None)  # a family's own description
    profile = profile_from_dict(merged, base_url=base_url, http_overrides=http_overrides, path=str(path),
                                origins=origins, families=families)
    files = (str(path), *family_files, *((profile.registry_path,) if profile.registry_path else ()))
    return dataclasses.replace(profile, files=files)


def load_profiles(directory: Path | str | None = None, **kwargs: Any) -> list[Profile]:
    """Every `*.toml` in pipelines/sources/ (kwargs go to load_profile); families/ are not profiles."""
    directory = Path(directory or settings.SOURCES_DIR)
    return [load_profile(p, **kwargs) for p in sorted(directory.glob("*.toml"))]


def rebase_profile(profile: Profile, base_url: str) -> Profile:
    """The same profile pointed at another origin (saved pages served on 127.0.0.1).

    Every URL on an allowed host keeps its path and query but takes base_url's scheme and host.
    """
    base = urlsplit(base_url)

    def move(url: str) -> str:
        # Templates hold `{area}`/`{year}`, which urlsplit leaves alone in path and query.
        parts = urlsplit(url)
        return urlunsplit((base.scheme, base.netloc, parts.path, parts.query, parts.fragment))

    enum = profile.enumerate
    return dataclasses.replace(
        profile,
        start_urls=tuple(move(u) for u in profile.start_urls),
        allowed_hosts=(base.hostname or "",),
        enumerate=EnumerateSpec(url_template=move(enum.url_template)) if enum else None,
    )


def check_main(argv: list[str] | None = None) -> int:
    """`python -m pipelines.crawl.check_profiles [FILE…]`: load and check profiles without crawling
    (every profile in pipelines/sources/ when no file is given). Exit status 1 on any error."""
    args = list(sys.argv[1:] if argv is None else argv)
    paths = args or [str(p) for p in sorted(settings.SOURCES_DIR.glob("*.toml"))]
    status = 0
    for arg in paths:
        try:
            p = load_profile(arg, base_url="http://127.0.0.1:1")  # fills {base_url} where used
        except ProfileError as exc:
            print(f"错误 error  {exc}")
            status = 1
            continue
        years = f"{min(p.years)}–{max(p.years)}" if p.years else "none"
        types: dict[str, int] = {}
        for o in p.orgs:
            types[ORG_TYPE_LABELS[o.type]] = types.get(ORG_TYPE_LABELS[o.type], 0) + 1
        print(f"通过 ok  {p.id} ({p.county}): family {' → '.join(p.families) or '(none)'}; "
              f"{len(p.orgs)} organisations {types}; years {years}; {p.kind} from {p.start_urls[0]}")
    return status

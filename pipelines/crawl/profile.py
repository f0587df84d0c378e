"""Source profiles: one TOML file per county in pipelines/sources/.

A profile is the only thing to change when a site changes. `{base_url}` in any string is
substituted at load time (the sample portal is served on a free 127.0.0.1 port).
"""
from __future__ import annotations

import dataclasses
import re
import tomllib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import urlsplit, urlunsplit

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
    """A profile file that cannot be used as written."""


@dataclass(frozen=True)
class Org:
    org_id: str
    name: str
    type: str
    aliases: tuple[str, ...] = ()
    area: str | None = None  # Hanweb `area=` code, when reports are enumerated


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


def _build(cls, table: Mapping[str, Any] | None, where: str):
    table = dict(table or {})
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = set(table) - names
    if unknown:
        raise ProfileError(f"{where}: unknown keys {sorted(unknown)}")
    for f in dataclasses.fields(cls):
        if f.name in table and isinstance(table[f.name], list):
            table[f.name] = tuple(table[f.name])
    return cls(**table)


def _check_patterns(spec: Any, where: str) -> None:
    for f in dataclasses.fields(spec):
        if f.name.endswith("_pattern") and getattr(spec, f.name):
            try:
                re.compile(getattr(spec, f.name))
            except re.error as exc:
                raise ProfileError(f"{where}.{f.name}: bad regex: {exc}") from exc


def _host_of(url: str) -> str:
    host = urlsplit(url).hostname
    if not host:
        raise ProfileError(f"not an absolute URL: {url!r}")
    return host


def profile_from_dict(raw: Mapping[str, Any], *, base_url: str | None = None,
                      http_overrides: Mapping[str, Any] | None = None, path: str | None = None) -> Profile:
    where = path or "<profile>"
    if base_url is not None:
        raw = _substitute(dict(raw), {"base_url": base_url.rstrip("/")})
    if "{base_url}" in repr(raw):
        raise ProfileError(f"{where}: uses {{base_url}}; pass base_url= to load_profile")
    for key in ("id", "name", "county", "start_urls"):
        if key not in raw:
            raise ProfileError(f"{where}: missing key {key!r}")
    orgs = []
    for i, o in enumerate(raw.get("orgs", [])):
        org = _build(Org, o, f"{where}: orgs[{i}]")
        if org.type not in ORG_TYPES:
            raise ProfileError(f"{where}: orgs[{i}].type {org.type!r} not in {ORG_TYPES}")
        orgs.append(org)
    http = dict(raw.get("http", {}))
    http.update(http_overrides or {})
    start_urls = tuple(raw["start_urls"])
    enum = _build(EnumerateSpec, raw["enumerate"], f"{where}: enumerate") if "enumerate" in raw else None
    allowed = tuple(h.lower() for h in raw.get("allowed_hosts", ())) or tuple(
        dict.fromkeys(_host_of(u) for u in start_urls + ((enum.url_template,) if enum else ()))
    )
    listing = _build(ListingSpec, raw.get("listing"), f"{where}: listing")
    detail = _build(DetailSpec, raw.get("detail"), f"{where}: detail")
    _check_patterns(listing, f"{where}: listing")
    _check_patterns(detail, f"{where}: detail")
    known = {"id", "name", "county", "start_urls", "allowed_hosts", "listing", "detail", "http",
             "orgs", "years", "enumerate", "notes", "public_base_url"}
    if set(raw) - known:
        raise ProfileError(f"{where}: unknown keys {sorted(set(raw) - known)}")
    return Profile(
        id=raw["id"], name=raw["name"], county=raw["county"], start_urls=start_urls,
        allowed_hosts=allowed, listing=listing, detail=detail,
        http=_build(HttpSpec, http, f"{where}: http"), orgs=tuple(orgs),
        years=tuple(int(y) for y in raw.get("years", ())), enumerate=enum, path=path,
        notes=raw.get("notes", ""), public_base_url=raw.get("public_base_url", ""),
    )


def load_profile(path: Path | str, *, base_url: str | None = None,
                 http_overrides: Mapping[str, Any] | None = None) -> Profile:
    """Read one TOML profile. `base_url` fills `{base_url}`; `http_overrides` patches [http]
    (tests use tiny backoffs and timeouts)."""
    path = Path(path)
    if not path.is_absolute() and not path.exists():
        path = settings.SOURCES_DIR / path
    with open(path, "rb") as fh:
        raw = tomllib.load(fh)
    return profile_from_dict(raw, base_url=base_url, http_overrides=http_overrides, path=str(path))


def load_profiles(directory: Path | str | None = None, **kwargs: Any) -> list[Profile]:
    """Every `*.toml` in pipelines/sources/ (kwargs go to load_profile)."""
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

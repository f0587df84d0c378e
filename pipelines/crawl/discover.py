"""Find a county's report documents: walk to the 年报 column, page through listings, open each
detail page and keep its report attachments (or the page itself when the report is inline).

Failures become records with error_kind/error_message; the crawl keeps going. A source that
yields nothing raises NoDocumentsFound: zero is a failure to report, never a quiet success.
"""
from __future__ import annotations

import dataclasses
import re
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from posixpath import splitext
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

from bs4 import BeautifulSoup

from pipelines.crawl import fetch as F
from pipelines.crawl.fetch import FetchResult, Fetcher, host_allowed, now_iso
from pipelines.crawl.orgs import resolve_org
from pipelines.crawl.profile import Profile
from pipelines.crawl.rawstore import RawStore
from pipelines.crawl.titles import normalize_title, parse_title, year_from_text

REPORT_KINDS = ("pdf", "docx", "doc")
_EXT_SUFFIX_RE = re.compile(r"\.(pdf|docx?|wps)$", re.I)
_FILE_EXT_RE = re.compile(r"\.(pdf|docx?|wps|xlsx?|zip|rar|7z|jpe?g|png|gif|ofd|txt)$", re.I)


class NoDocumentsFound(RuntimeError):
    """A source produced zero report documents (site changed, blocked, or profile wrong)."""


class CrawlIncomplete(RuntimeError):
    """A listing page of a source could not be read: the reports it lists would silently vanish
    (and coverage would call them not_found), so the source's crawl is a failure, not a result."""

    def __init__(self, source_id: str, failures: list[dict], result: "CrawlResult | None" = None):
        self.source_id, self.failures, self.result = source_id, failures, result
        shown = "; ".join(f"{f['url']}: {f['error_kind']}: {f['error']}" for f in failures[:3])
        more = f" (and {len(failures) - 3} more)" if len(failures) > 3 else ""
        super().__init__(f"source {source_id!r}: {len(failures)} listing page(s) could not be read, so the "
                         f"crawl is incomplete and was not used: {shown}{more}")


# Page errors that say nothing about the site's content (a dead nav link answers 404 for good);
# anything else on a listing page, or any server-side failure on a navigation page, may hide reports.
_TRANSIENT_KINDS = {F.TIMEOUT, F.DEADLINE, F.CONNECTION, F.SHORT_BODY, F.TOO_MANY_REDIRECTS}


@dataclass
class DocumentRecord:
    """One report document found (docs/contracts.md §3), successful or not."""

    document_url: str
    detail_url: str
    title: str
    anchor_text: str
    sha256: str | None
    raw_path: str | None  # relative to the data folder
    content_type: str | None  # as the server declared it; trust format_hint instead
    size: int | None
    fetched_at: str  # ISO 8601, UTC
    http_status: int | None
    format_hint: str  # sniffed: html | pdf | docx | doc | image | zip | unknown | empty | ""
    error_kind: str | None
    error_message: str | None
    source_id: str
    # Beyond §3, parsed from the title here so the staging step need not re-parse:
    org_name: str | None = None
    org_id: str | None = None  # None: unknown organisation, to review
    year: int | None = None
    is_correction: bool = False

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class Candidate:
    detail_url: str
    anchor_text: str
    listing_url: str
    org_id: str | None = None  # known up front when enumerated (Hanweb area)
    enumerated: bool = False


@dataclass
class CrawlResult:
    source_id: str
    documents: list[DocumentRecord] = field(default_factory=list)
    pages_fetched: list[str] = field(default_factory=list)  # start, nav and listing pages
    page_sha256: dict[str, str] = field(default_factory=dict)  # url → sha256 of the page read
    page_errors: list[dict] = field(default_factory=list)  # {url, error_kind, error}
    absent: list[str] = field(default_factory=list)  # enumerated pages with no report
    unknown_orgs: list[str] = field(default_factory=list)
    truncated: bool = False  # max_pages reached before the walk ended
    listing_failures: list[dict] = field(default_factory=list)  # page_errors that may hide reports


# ---------------------------------------------------------------- pure helpers

def canonical_url(url: str) -> str:
    """URL without fragment (the same page linked as #top and plain)."""
    p = urlsplit(url)
    return urlunsplit((p.scheme, p.netloc.lower(), p.path or "/", p.query, ""))


def anchors(soup: BeautifulSoup, base_url: str) -> list[tuple[str, str]]:
    """(absolute URL, text) of every followable anchor; `title=` wins over truncated text."""
    out = []
    for a in soup.find_all("a", href=True):
        href = a["href"].strip()
        if not href or href.startswith("#"):
            continue
        url = urljoin(base_url, href)
        if not F.link_scheme_allowed(url):  # JavaScript:, mailto:, data: … in any letter case
            continue
        text = a.get_text(" ", strip=True)
        title = (a.get("title") or "").strip()
        if len(normalize_title(title)) > len(normalize_title(text)):
            text = title
        out.append((canonical_url(url), text))
    return out


# Column names that look like titles: `乡镇政府信息公开年报` names a group, not an organisation.
_GENERIC_ORG_RE = re.compile(r"^(各?乡镇|部门|镇街|街镇|县直部门|县级部门|乡镇街道|本级|县级|市级|区级|各部门|本站)?$")


def is_report_anchor(text: str, url: str, profile: Profile) -> bool:
    """A link to one report: matches the pattern, is no notice, and names a year or an organisation."""
    norm = normalize_title(text)
    spec = profile.listing
    if not re.search(spec.report_pattern, norm) or re.search(spec.exclude_pattern, norm):
        return False
    info = parse_title(norm)
    if info.year is None and _GENERIC_ORG_RE.match(info.org or ""):
        return False  # a column link such as 政府信息公开年报
    return not spec.detail_href_pattern or re.search(spec.detail_href_pattern, url) is not None


def is_excluded_report_like(text: str, profile: Profile) -> bool:
    """Notices about reports (关于报送…年度报告的通知): never followed."""
    norm = normalize_title(text)
    return bool(re.search(profile.listing.report_pattern, norm) and re.search(profile.listing.exclude_pattern, norm))


def script_pages(html: str, page_url: str, profile: Profile) -> list[str]:
    """Listing pages announced by a TRS createPageHTML(count, current, stem, ext) call."""
    m = re.search(profile.listing.page_script_pattern, html) if profile.listing.page_script_pattern else None
    if not m:
        return []
    count = min(int(m.group("count")), profile.listing.max_pages)
    groups = m.groupdict()
    own = re.match(r"^(?P<stem>[\w-]+?)(?:_\d+)?\.(?P<ext>\w+)$", urlsplit(page_url).path.rsplit("/", 1)[-1])
    stem = groups.get("stem") or (own.group("stem") if own else "index")
    ext = groups.get("ext") or (own.group("ext") if own else "html")
    return [canonical_url(urljoin(page_url, f"{stem}_{i}.{ext}")) for i in range(1, count)]


def select_text(soup: BeautifulSoup, selectors: tuple[str, ...]) -> str:
    for sel in selectors:
        try:
            node = soup.select_one(sel)
        except Exception:  # a bad selector in a profile must not stop the crawl
            continue
        if node is not None:
            text = node.get_text(" ", strip=True)
            if text:
                return text
    return ""


def attachment_links(soup: BeautifulSoup, base_url: str, profile: Profile) -> list[tuple[str, str]]:
    """(URL, text) of attachment links with a report extension, in page order, deduplicated."""
    spec = profile.detail
    scopes = []
    for sel in spec.attachment_scope_selectors:
        try:
            scopes += soup.select(sel)
        except Exception:
            continue
    scopes = scopes or [soup]
    exts = tuple(e.lower() for e in spec.attachment_extensions)
    seen, out = set(), []
    for scope in scopes:
        try:
            links = scope.select(spec.attachment_selector)
        except Exception:
            links = scope.find_all("a", href=True)
        for a in links:
            href = (a.get("href") or "").strip()
            if not href or href.startswith("#") or not F.link_scheme_allowed(urljoin(base_url, href)):
                continue
            url = canonical_url(urljoin(base_url, href))
            text = a.get_text(" ", strip=True) or (a.get("title") or "").strip()
            path_ext = splitext(unquote(urlsplit(url).path))[1].lower()
            # The URL path or the link text must name a report format (download.jsp?id=… "x.pdf").
            if path_ext not in exts and not normalize_title(text).lower().endswith(exts):
                continue
            if spec.attachment_exclude_pattern and re.search(spec.attachment_exclude_pattern, normalize_title(text)):
                continue
            if url not in seen:
                seen.add(url)
                out.append((url, text))
    return out


# ---------------------------------------------------------------- walking listings

def find_candidates(profile: Profile, fetcher: Fetcher, result: CrawlResult) -> list[Candidate]:
    """Walk from the start pages: nav links → 年报 column → every listing page."""
    spec = profile.listing
    listing_q: deque[tuple[str, int]] = deque()  # pagination and 年报 columns first
    nav_q: deque[tuple[str, int]] = deque((canonical_url(u), 0) for u in profile.start_urls)
    seen: set[str] = set()
    found: dict[str, Candidate] = {}
    attempted = 0  # failed fetches count too, so dead links cannot stretch the walk

    listing_urls: set[str] = set()

    def push(queue: deque, url: str, depth: int) -> None:
        if url not in seen and host_allowed(url, profile.allowed_hosts) and not _FILE_EXT_RE.search(urlsplit(url).path):
            queue.append((url, depth))
            if queue is listing_q:
                listing_urls.add(url)

    while listing_q or nav_q:
        url, depth = listing_q.popleft() if listing_q else nav_q.popleft()
        if url in seen:
            continue
        if attempted >= spec.max_pages:
            result.truncated = True
            result.page_errors.append({"url": url, "error_kind": "max_pages",
                                       "error": f"max_pages={spec.max_pages} reached; not fetched"})
            break
        seen.add(url)
        attempted += 1
        is_listing = url in listing_urls or depth == 0
        res = fetcher.fetch(url)
        if not res.ok or res.kind != "html":
            error = {"url": url, "error_kind": res.error_kind or F.NOT_A_REPORT,
                     "error": res.error or f"listing page is {res.kind}, not HTML"}
            result.page_errors.append(error)
            if is_listing or _server_side(res):
                result.listing_failures.append(error)
            continue
        result.pages_fetched.append(url)
        result.page_sha256[url] = res.sha256 or ""
        seen.add(canonical_url(res.final_url))
        html = res.text()
        soup = BeautifulSoup(html, "lxml")
        links = anchors(soup, res.final_url)
        reports = [(u, t) for u, t in links if is_report_anchor(t, u, profile)]
        for u, t in reports:
            if u not in found:  # an off-host report link is kept: its fetch records `off_host`
                found[u] = Candidate(u, t, url)
        listing_like = bool(reports) or re.search(spec.column_path_pattern, urlsplit(url).path) is not None
        report_urls = {u for u, _ in reports}
        for u, t in links:
            if u in report_urls or u in seen or is_excluded_report_like(t, profile):
                continue
            norm = normalize_title(t)
            path = urlsplit(u).path
            if listing_like and (re.fullmatch(spec.next_text_pattern, norm) or re.search(spec.page_href_pattern, path)):
                push(listing_q, u, depth)  # pagination: same depth, walked exhaustively
            elif re.search(spec.column_pattern, norm) or (listing_like and re.fullmatch(spec.subcolumn_pattern, norm)):
                push(listing_q, u, depth + 1)
            elif depth < spec.max_depth and (re.fullmatch(spec.nav_pattern, norm) or _is_org_name(norm, profile)
                                             or (not listing_like and _is_column_index(path, spec))):
                push(nav_q, u, depth + 1)
        if listing_like:
            for u in script_pages(html, res.final_url, profile):
                push(listing_q, u, depth)
    return list(found.values())


def failure_can_pass(error_kind: str | None, status: int | None) -> bool:
    """A failure of the server or the network (5xx, 429, timeout, broken body), not a dead link:
    asking again later may succeed."""
    return error_kind in _TRANSIENT_KINDS or (status is not None and (status >= 500 or status == 429))


def _server_side(res: FetchResult) -> bool:
    return failure_can_pass(res.error_kind, res.status)


def _is_column_index(path: str, spec) -> bool:
    """A 年报 column's own page (`/zfxxgk/zfxxgknb/` or `…/index.html`), not an article under it."""
    return re.search(spec.column_path_pattern, path) is not None and (
        path.endswith("/") or re.search(r"/index(_\d+)?\.s?html?$", path) is not None)


def _is_org_name(text: str, profile: Profile) -> bool:
    """A link to a township/department sub-site (乡镇信息公开 > 中村乡 > 年报)."""
    return bool(text) and len(text) <= 20 and resolve_org(text, profile) is not None


def enumerate_candidates(profile: Profile) -> list[Candidate]:
    """Hanweb annual-report module: one URL per organisation area × year."""
    template = profile.enumerate.url_template
    return [Candidate(canonical_url(template.format(area=org.area, year=year)), "", "", org.org_id, True)
            for org in profile.orgs if org.area for year in profile.years]


# ---------------------------------------------------------------- detail pages

def _record(profile: Profile, cand: Candidate, *, document_url: str, title: str,
            res: FetchResult | None, store: RawStore, error_kind: str | None = None,
            error: str | None = None, org_id: str | None = None, year_hint: int | None = None) -> DocumentRecord:
    info = parse_title(title or cand.anchor_text)
    if info.year is None and cand.anchor_text:
        info = dataclasses.replace(info, year=parse_title(cand.anchor_text).year)
    org_name = info.org or parse_title(cand.anchor_text).org
    sha = raw_path = None
    if res is not None and res.body is not None:
        blob = store.put(res.body)  # even an error page under a .pdf link: evidence for review
        sha, raw_path = blob.sha256, blob.rel_path
    return DocumentRecord(
        document_url=document_url, detail_url=cand.detail_url, title=title, anchor_text=cand.anchor_text,
        sha256=sha, raw_path=raw_path, content_type=res.content_type if res else None,
        size=res.size if res else None, fetched_at=res.fetched_at if res else now_iso(),
        http_status=res.status if res else None, format_hint=res.kind if res and res.body is not None else "",
        error_kind=error_kind if error_kind else (res.error_kind if res else None),
        error_message=error if error else (res.error if res else None), source_id=profile.id,
        org_name=org_name, org_id=org_id or cand.org_id or resolve_org(org_name, profile),
        year=info.year or year_hint, is_correction=info.is_correction,
    )


def process_candidate(profile: Profile, fetcher: Fetcher, store: RawStore, cand: Candidate,
                      result: CrawlResult) -> list[DocumentRecord]:
    res = fetcher.fetch(cand.detail_url)
    if not res.ok:
        return [_record(profile, cand, document_url=cand.detail_url, title=cand.anchor_text, res=res, store=store)]
    kind = res.kind
    if kind in REPORT_KINDS:  # the listing linked the file itself
        return [_record(profile, cand, document_url=res.final_url, title=cand.anchor_text, res=res, store=store)]
    if kind != "html":
        return [_record(profile, cand, document_url=res.final_url, title=cand.anchor_text, res=res, store=store,
                        error_kind=F.NOT_A_REPORT, error=f"detail page is {kind}")]
    html = res.text()
    soup = BeautifulSoup(html, "lxml")
    title = select_text(soup, profile.detail.title_selectors) or cand.anchor_text
    attachments = attachment_links(soup, res.final_url, profile)
    body_text = select_text(soup, profile.detail.content_selectors)
    if cand.enumerated and not parse_title(title).org and not attachments and not re.search(
            r"政[府务]信息公开", normalize_title(body_text)):
        result.absent.append(cand.detail_url)  # this organ has no report for this year
        return []
    if not attachments:
        return [_record(profile, cand, document_url=res.final_url, title=title, res=res, store=store,
                        year_hint=year_from_text(body_text))]
    out = []
    for url, text in attachments:
        att = fetcher.fetch(url)
        # One page may carry several organisations' reports: a report-like link text names its own.
        text = _EXT_SUFFIX_RE.sub("", text)
        att_title = text if parse_title(text).year and parse_title(text).org else title
        if att.ok and att.kind not in REPORT_KINDS:
            out.append(_record(profile, cand, document_url=att.final_url, title=att_title, res=att, store=store,
                               error_kind=F.NOT_A_REPORT,
                               error=f"attachment bytes are {att.kind}, not PDF/DOC/DOCX"))
        else:
            out.append(_record(profile, cand, document_url=att.final_url if att.ok else url, title=att_title,
                               res=att, store=store))
    return out


# ---------------------------------------------------------------- entry points

def crawl_source(profile: Profile, fetcher: Fetcher) -> CrawlResult:
    """The full outcome of crawling one source: documents plus page errors and unknown orgs."""
    store = fetcher.store or RawStore()
    result = CrawlResult(source_id=profile.id)
    if profile.enumerate:
        candidates = enumerate_candidates(profile)
    else:
        candidates = find_candidates(profile, fetcher, result)
    workers = max(1, profile.http.max_concurrency)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix=f"crawl-{profile.id}") as pool:
        batches = list(pool.map(lambda c: process_candidate(profile, fetcher, store, c, result), candidates))
    seen_docs: set[str] = set()
    for batch in batches:
        for rec in batch:
            if rec.document_url in seen_docs:  # the same attachment linked from two pages
                continue
            seen_docs.add(rec.document_url)
            result.documents.append(rec)
            if rec.org_name and rec.org_id is None and rec.org_name not in result.unknown_orgs:
                result.unknown_orgs.append(rec.org_name)
    fetcher.state.save()
    if result.listing_failures:
        raise CrawlIncomplete(profile.id, result.listing_failures, result)
    if not result.documents:
        errors = "; ".join(f"{e['url']}: {e['error_kind']}" for e in result.page_errors[:5])
        raise NoDocumentsFound(
            f"source {profile.id!r}: 0 report documents ({len(candidates)} candidate links, "
            f"{len(result.pages_fetched)} pages walked{', errors: ' + errors if errors else ''})")
    return result


def crawl(profile: Profile, fetcher: Fetcher) -> list[DocumentRecord]:
    """One DocumentRecord per report document found (docs/contracts.md §3)."""
    return crawl_source(profile, fetcher).documents

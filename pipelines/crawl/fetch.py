"""A polite HTTP fetcher: robots.txt, per-host rate limit and concurrency cap, retries with
backoff, redirects only within allowed hosts, a streaming size cap, conditional requests,
and content sniffed by magic bytes. Every downloaded byte is treated as hostile.
"""
from __future__ import annotations

import codecs
import email.utils
import http.client
import io
import json
import os
import random
import re
import socket
import tempfile
import threading
import time
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator
from urllib.parse import urljoin, urlsplit

import requests
import urllib3
from protego import Protego

from pipelines.crawl.profile import DEFAULT_USER_AGENT, HttpSpec, Profile
from pipelines.crawl.rawstore import RawStore, inside, sha256_hex

# error_kind values (also used by discover.py)
OFF_HOST = "off_host"
REDIRECT_OFF_HOST = "redirect_off_host"
TOO_MANY_REDIRECTS = "too_many_redirects"
ROBOTS_DISALLOWED = "robots_disallowed"
TOO_LARGE = "too_large"
TIMEOUT = "timeout"
DEADLINE = "deadline"  # the whole download took too long (a trickling server)
CONNECTION = "connection"
HTTP_ERROR = "http_error"
SHORT_BODY = "short_body"
BAD_URL = "bad_url"
NOT_A_REPORT = "not_a_report"

# Response headers worth keeping in the fetch log.
LOG_HEADERS = ("content-type", "content-length", "content-disposition", "etag", "last-modified",
               "location", "retry-after", "server", "date")
_ROBOTS_MAX_BYTES = 512 * 1024
_CHUNK = 64 * 1024
# A read timeout alone never fires on a server that sends one byte every few seconds: every
# exchange also has a deadline for the whole body, and every fetch (retries and redirects
# included) one for all its attempts. XXGK_FETCH_DEADLINE_S overrides the per-request one.
DEFAULT_DEADLINE_S = 120.0
ALLOWED_SCHEMES = ("http", "https")


def link_scheme_allowed(url: str) -> bool:
    """Only http(s) URLs become documents or links (`JavaScript:`, `data:`, `file:` never do)."""
    return urlsplit(url.strip()).scheme.lower() in ALLOWED_SCHEMES


def _short_message(url: str, got: int, declared: int) -> str:
    return (f"{url}: the connection closed after {got} of the {declared} bytes its Content-Length "
            "announced (truncated download; not stored)")


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


# ---------------------------------------------------------------- content sniffing

def sniff(body: bytes | None) -> str:
    """Kind of a body from its bytes only: pdf, docx, zip, doc, html, image, empty or unknown."""
    if not body:
        return "empty"
    head = body[:1024]
    if b"%PDF-" in head:  # readers accept junk before the header
        return "pdf"
    if body.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(body)) as zf:  # names only; nothing is extracted
                names = zf.namelist()
        except (zipfile.BadZipFile, ValueError, OSError):
            return "unknown"
        return "docx" if any(n.startswith("word/") for n in names) else "zip"
    if body.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "doc"  # OLE2: .doc and old .wps
    if body.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        return "image"
    text = head.lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n").lower().replace(b"\x00", b"")
    if text.startswith(b"<") and re.search(rb"<(!doctype\s+html|html|head|body|meta|title|table|div|p)\b", text):
        return "html"
    return "unknown"


# ---------------------------------------------------------------- decoding pages

_META_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.I)
_HEADER_CHARSET_RE = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-:.]+)", re.I)
# Declared GBK/GB2312 pages routinely contain GB18030-only characters: decode with the superset.
_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030",
            "cp936": "gb18030", "utf8": "utf-8"}
_WEAK = {"iso-8859-1", "latin-1", "latin1", "us-ascii", "ascii", "windows-1252"}


def _norm_charset(name: str | None) -> str | None:
    if not name:
        return None
    name = name.strip().lower()
    name = _ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_html(body: bytes, content_type: str | None = None, hint: str | None = None) -> tuple[str, str]:
    """(text, encoding): BOM, then charset in header/meta, then the hint, UTF-8 strict, GB18030."""
    for bom, enc in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                     (codecs.BOM_UTF16_BE, "utf-16-be")):
        if body.startswith(bom):
            return body[len(bom):].decode(enc, errors="replace"), enc
    candidates: list[str | None] = []
    m = _HEADER_CHARSET_RE.search(content_type or "")
    header_cs = m.group(1) if m else None
    if header_cs and header_cs.lower() not in _WEAK:  # servers default to latin-1 wrongly
        candidates.append(header_cs)
    m = _META_CHARSET_RE.search(body[:4096])
    if m:
        candidates.append(m.group(1).decode("ascii", "ignore"))
    candidates += [hint, "utf-8"]
    for cand in candidates:
        enc = _norm_charset(cand)
        if not enc:
            continue
        try:
            return body.decode(enc), enc
        except (UnicodeDecodeError, LookupError):
            continue
    return body.decode("gb18030", errors="replace"), "gb18030"


# ---------------------------------------------------------------- results

@dataclass
class FetchResult:
    url: str  # as requested
    final_url: str  # after allowed redirects
    status: int | None
    headers: dict[str, str] = field(default_factory=dict)  # LOG_HEADERS subset, lower-case names
    body: bytes | None = None
    fetched_at: str = field(default_factory=now_iso)
    error_kind: str | None = None
    error: str | None = None
    from_cache: bool = False  # 304: body reloaded from the raw store
    attempts: int = 0
    encoding_hint: str | None = None

    @property
    def ok(self) -> bool:
        return self.error_kind is None and self.body is not None

    @property
    def sha256(self) -> str | None:
        return sha256_hex(self.body) if self.body is not None else None

    @property
    def size(self) -> int | None:
        return len(self.body) if self.body is not None else None

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")

    @property
    def kind(self) -> str:
        return sniff(self.body)

    def text(self) -> str:
        return decode_html(self.body or b"", self.content_type, self.encoding_hint)[0]


@dataclass
class _Exchange:
    """One HTTP request/response (no redirects, no retries)."""

    status: int | None
    headers: dict[str, str]
    body: bytes | None
    error_kind: str | None = None
    error: str | None = None

    @property
    def transient(self) -> bool:
        if self.error_kind in (TIMEOUT, CONNECTION, SHORT_BODY):
            return True
        return self.status is not None and (self.status >= 500 or self.status == 429)


# ---------------------------------------------------------------- politeness

class HostGate:
    """Per-host concurrency cap plus a minimum interval between request starts."""

    def __init__(self, rate_limit: float, max_concurrency: int):
        self.interval = 1.0 / rate_limit if rate_limit > 0 else 0.0
        self._sem = threading.BoundedSemaphore(max(1, max_concurrency))
        self._lock = threading.Lock()
        self._next = 0.0

    def delay_until(self, t: float) -> None:
        """Push the next start back (Retry-After, robots Crawl-delay)."""
        with self._lock:
            self._next = max(self._next, t)

    @contextmanager
    def slot(self) -> Iterator[None]:
        with self._sem:
            with self._lock:
                wait = self._next - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                self._next = time.monotonic() + self.interval
            yield


def parse_retry_after(value: str | None, cap: float) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date), capped."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), cap)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, min((when - datetime.now(timezone.utc)).total_seconds(), cap))


def backoff_delay(attempt: int, base: float, cap: float) -> float:
    """Exponential backoff with full jitter around the nominal delay."""
    nominal = min(cap, base * (2 ** attempt))
    return nominal * random.uniform(0.5, 1.5)


def host_allowed(url: str, allowed_hosts: tuple[str, ...]) -> bool:
    """`host` entries match the hostname; `host:port` the netloc; `.suffix` any subdomain."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ALLOWED_SCHEMES or not parts.hostname:
        return False
    host = parts.hostname.lower()
    netloc = f"{host}:{parts.port}" if parts.port else host
    for entry in allowed_hosts:
        entry = entry.lower()
        if entry.startswith(".") and (host.endswith(entry) or host == entry[1:]):
            return True
        if entry == host or entry == netloc:
            return True
    return False


# ---------------------------------------------------------------- validator state

class ValidatorState:
    """url → {etag, last_modified, sha256}: a small JSON file under the data folder."""

    def __init__(self, path: Path | None, data_dir: Path | None):
        self.path = inside(data_dir, path) if (path and data_dir) else path
        self._lock = threading.Lock()
        self._dirty = 0
        self._data: dict[str, dict] = {}
        self.set_aside: list[str] = []  # what was wrong with the file, for the run's report
        if self.path and self.path.exists():
            try:
                loaded = json.loads(self.path.read_text(encoding="utf-8"))
                if not isinstance(loaded, dict):
                    raise ValueError(f"a JSON {type(loaded).__name__}, not an object")
                self._data = loaded
            except (OSError, ValueError) as exc:
                # a damaged state file only costs full downloads; it is kept aside for a look
                stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
                aside = self.path.with_name(f"{self.path.name}.damaged-{stamp}")
                try:
                    os.replace(self.path, aside)
                except OSError:
                    aside = self.path
                self.set_aside.append(f"{self.path.name}: unreadable ({type(exc).__name__}); moved to "
                                      f"{aside.name}; conditional requests start afresh")

    def get(self, url: str) -> dict | None:
        with self._lock:
            entry = self._data.get(url)
        return entry if isinstance(entry, dict) else None

    def set(self, url: str, entry: dict) -> None:
        with self._lock:
            self._data[url] = entry
            self._dirty += 1
            dirty = self._dirty
        if dirty >= 20:
            self.save()

    def drop(self, url: str) -> None:
        with self._lock:
            if self._data.pop(url, None) is not None:
                self._dirty += 1

    def save(self) -> None:
        if not self.path:
            return
        with self._lock:
            if not self._dirty and self.path.exists():
                return
            payload = json.dumps(self._data, ensure_ascii=False, sort_keys=True)
            self._dirty = 0
        _write_atomically(self.path, payload)


def _write_atomically(path: Path, text: str) -> None:
    """A temporary file beside `path`, renamed over it: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)


def county_state_path(store: RawStore, source_id: str, allowed_hosts: tuple[str, ...] = ()) -> Path:
    """`raw/http_state/<source id>.json`; seeded once from the shared `raw/http_state.json` that
    earlier versions kept for every source (its entries for this source's hosts), so an upgrade
    keeps asking conditionally instead of downloading everything again."""
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", source_id) or source_id.startswith("."):
        raise ValueError(f"not a source id: {source_id!r}")
    path = store.root / "http_state" / f"{source_id}.json"
    legacy = store.root / "http_state.json"
    if not path.exists() and legacy.exists():
        try:
            shared = json.loads(legacy.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            shared = None  # a damaged shared file: this county starts afresh, the file stays
        if isinstance(shared, dict):
            shared = {u: e for u, e in shared.items() if host_allowed(u, tuple(allowed_hosts))}
            _write_atomically(path, json.dumps(shared, ensure_ascii=False, sort_keys=True))
    return path


# ---------------------------------------------------------------- the fetcher

class Fetcher:
    """Fetch URLs politely. Thread-safe; one instance per crawl run.

    `store`: the raw store; with it, every 200 body is kept by hash, every exchange is logged
    and conditional requests are made from `state_path` (default raw/http_state.json).
    """

    def __init__(self, *, allowed_hosts: tuple[str, ...] | list[str], http: HttpSpec | None = None,
                 store: RawStore | None = None, state_path: Path | str | None = None,
                 session: requests.Session | None = None, deadline_s: float | None = None):
        self.allowed_hosts = tuple(allowed_hosts)
        self.http = http or HttpSpec()
        # per exchange (one request and its body); a whole fetch gets twice that for retries
        self.deadline_s = float(deadline_s or os.environ.get("XXGK_FETCH_DEADLINE_S") or DEFAULT_DEADLINE_S)
        self.store = store
        if store and state_path is None:
            state_path = store.root / "http_state.json"
        self.state = ValidatorState(Path(state_path) if state_path else None,
                                    store.data_dir if store else None)
        self.session = session or requests.Session()
        self.session.headers.update({"User-Agent": self.http.user_agent or DEFAULT_USER_AGENT,
                                     "Accept-Encoding": "gzip, deflate"})
        self._gates: dict[str, HostGate] = {}
        self._robots: dict[str, Protego | None] = {}
        self._robots_errors: dict[str, str] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_profile(cls, profile: Profile, store: RawStore | None = None, **kwargs) -> "Fetcher":
        """A fetcher for one source, its validators in `raw/http_state/<id>.json`: one file per
        county, so counties crawled side by side (processes, threads) never overwrite each
        other's validators, and a save writes one county's URLs, not a province's."""
        if store is not None and "state_path" not in kwargs:
            kwargs["state_path"] = county_state_path(store, profile.id, profile.allowed_hosts)
        return cls(allowed_hosts=profile.allowed_hosts, http=profile.http, store=store, **kwargs)

    def close(self) -> None:
        self.state.save()
        self.session.close()

    def __enter__(self) -> "Fetcher":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- public

    def fetch(self, url: str, *, conditional: bool = True) -> FetchResult:
        """GET `url`. Never raises for network or HTTP problems: see `error_kind`."""
        result = FetchResult(url=url, final_url=url, status=None, encoding_hint=self.http.encoding)
        current = url
        give_up_at = time.monotonic() + 2 * self.deadline_s  # all attempts and redirects together
        for _hop in range(self.http.max_redirects + 1):
            problem = self._check_url(current, first=current == url)
            if problem:
                result.error_kind, result.error = problem
                return result
            ex, attempts = self._get_with_retries(current, conditional=conditional, give_up_at=give_up_at)
            result.attempts += attempts
            result.final_url, result.status, result.headers = current, ex.status, ex.headers
            if ex.error_kind:
                result.error_kind, result.error = ex.error_kind, ex.error
                return result
            if ex.status in (301, 302, 303, 307, 308):
                location = ex.headers.get("location")
                if not location:
                    result.error_kind, result.error = HTTP_ERROR, f"{ex.status} without Location"
                    return result
                nxt = urljoin(current, location.strip())
                if not host_allowed(nxt, self.allowed_hosts):
                    result.error_kind = REDIRECT_OFF_HOST
                    result.error = f"{current} redirects to {nxt}, outside {list(self.allowed_hosts)}"
                    return result
                current = nxt
                continue
            if ex.status == 304:
                cached = self._cached_body(current)
                if cached is None:  # validators without a blob: ask again unconditionally
                    self.state.drop(current)
                    ex, attempts = self._get_with_retries(current, conditional=False, give_up_at=give_up_at)
                    result.attempts += attempts
                    result.status, result.headers = ex.status, ex.headers
                    if ex.error_kind or ex.status != 200:
                        result.error_kind = ex.error_kind or HTTP_ERROR
                        result.error = ex.error or f"{current} answered HTTP {ex.status}"
                        return result
                    result.body = ex.body
                    self._remember(current, ex)
                    return result
                result.body, result.from_cache = cached, True
                return result
            if ex.status != 200:
                result.error_kind, result.error = HTTP_ERROR, f"{current} answered HTTP {ex.status}"
                return result
            result.body = ex.body
            self._remember(current, ex)
            return result
        result.error_kind = TOO_MANY_REDIRECTS
        result.error = f"more than {self.http.max_redirects} redirects from {url} (last: {current})"
        return result

    # -- checks

    def _check_url(self, url: str, *, first: bool) -> tuple[str, str] | None:
        parts = urlsplit(url)
        if parts.scheme.lower() not in ALLOWED_SCHEMES or not parts.hostname:
            return BAD_URL, f"not an http(s) URL: {url!r}"
        if not host_allowed(url, self.allowed_hosts):
            return (OFF_HOST if first else REDIRECT_OFF_HOST), f"{url} is outside {list(self.allowed_hosts)}"
        if self.http.respect_robots and not self._robots_allow(url):
            reason = self._robots_errors.get(self._origin(url))
            return ROBOTS_DISALLOWED, f"robots.txt disallows {url}" + (f" ({reason})" if reason else "")
        return None

    @staticmethod
    def _origin(url: str) -> str:
        p = urlsplit(url)
        return f"{p.scheme}://{p.netloc}"

    def _gate(self, url: str) -> HostGate:
        netloc = urlsplit(url).netloc.lower()
        with self._lock:
            gate = self._gates.get(netloc)
            if gate is None:
                gate = self._gates[netloc] = HostGate(self.http.rate_limit, self.http.max_concurrency)
            return gate

    def _robots_allow(self, url: str) -> bool:
        origin = self._origin(url)
        with self._lock:
            known = origin in self._robots
            parser = self._robots.get(origin)
        if not known:
            parser = self._load_robots(origin)
            with self._lock:
                self._robots[origin] = parser
        if parser is None:
            return False
        return parser.can_fetch(url, self.http.user_agent)

    def _load_robots(self, origin: str) -> Protego | None:
        """Parser for origin; None means "disallow all" (server error or 401/403).

        Protego, not urllib.robotparser: the stdlib parser ignores `*` and `$` in paths, so
        `Disallow: /*.pdf$` allowed every PDF; Protego follows RFC 9309 and Google's conventions."""
        ex, _ = self._get_with_retries(origin + "/robots.txt", conditional=False, max_bytes=_ROBOTS_MAX_BYTES,
                                       log=True)
        # One same-origin redirect is common (http → https is another origin: treated as absent).
        if ex.status in (301, 302, 303, 307, 308) and ex.headers.get("location"):
            nxt = urljoin(origin + "/robots.txt", ex.headers["location"])
            if self._origin(nxt) == origin:
                ex, _ = self._get_with_retries(nxt, conditional=False, max_bytes=_ROBOTS_MAX_BYTES)
        if ex.error_kind == TOO_LARGE:
            parser = Protego.parse("")
        elif ex.error_kind or (ex.status is not None and ex.status >= 500):
            # Unreachable robots.txt: be conservative, as the big crawlers are.
            self._robots_errors[origin] = f"robots.txt unavailable: {ex.error or ex.status}"
            return None
        elif ex.status in (401, 403):
            self._robots_errors[origin] = f"robots.txt answered {ex.status}"
            return None
        elif ex.status == 200 and ex.body:
            parser = Protego.parse(decode_html(ex.body, ex.headers.get("content-type"))[0])
        else:
            parser = Protego.parse("")  # 404 and friends: no rules
        delay = parser.crawl_delay(self.http.user_agent)
        if delay:
            gate = self._gate(origin)
            gate.interval = max(gate.interval, min(float(delay), self.http.retry_after_cap_s))
        return parser

    # -- requests

    def _cached_body(self, url: str) -> bytes | None:
        entry = self.state.get(url)
        if not (entry and self.store and self.store.has(str(entry.get("sha256") or ""))):
            return None
        return self.store.get(entry["sha256"])

    def _remember(self, url: str, ex: _Exchange) -> None:
        if not self.store or ex.body is None:
            return
        blob = self.store.put(ex.body)
        etag, modified = ex.headers.get("etag"), ex.headers.get("last-modified")
        if etag or modified:
            self.state.set(url, {"etag": etag, "last_modified": modified, "sha256": blob.sha256})

    def _conditional_headers(self, url: str) -> dict[str, str]:
        entry = self.state.get(url)
        if not entry or not self.store or not self.store.has(str(entry.get("sha256") or "")):
            return {}
        headers = {}
        if entry.get("etag"):
            headers["If-None-Match"] = entry["etag"]
        if entry.get("last_modified"):
            headers["If-Modified-Since"] = entry["last_modified"]
        return headers

    def _get_with_retries(self, url: str, *, conditional: bool, max_bytes: int | None = None,
                          log: bool = True, give_up_at: float | None = None) -> tuple[_Exchange, int]:
        headers = self._conditional_headers(url) if conditional else {}
        gate = self._gate(url)
        give_up_at = give_up_at or time.monotonic() + 2 * self.deadline_s
        attempts = 0
        while True:
            with gate.slot():
                deadline = min(time.monotonic() + self.deadline_s, give_up_at)
                ex = self._get_once(url, headers, max_bytes or self.http.max_bytes, deadline)
            attempts += 1
            if log:
                self._log(url, ex, attempts)
            delay = backoff_delay(attempts - 1, self.http.backoff_base_s, self.http.backoff_max_s)
            if ex.status == 429 or ex.status == 503:
                after = parse_retry_after(ex.headers.get("retry-after"), self.http.retry_after_cap_s)
                if after is not None:
                    delay = max(delay, after)
            out_of_time = time.monotonic() + delay >= give_up_at
            if not ex.transient or attempts > self.http.retries or out_of_time:
                if ex.transient and attempts > 1:
                    why = "the fetch's time ran out" if out_of_time and attempts <= self.http.retries else "giving up"
                    if ex.error_kind is None:  # a 5xx or 429 answer
                        ex.error_kind, ex.error = HTTP_ERROR, f"{url} answered HTTP {ex.status}"
                    ex.error = f"{ex.error} (attempt {attempts}, {why})"
                return ex, attempts
            gate.delay_until(time.monotonic() + delay)  # the whole host waits, not just this URL
            time.sleep(delay)

    def _get_once(self, url: str, headers: dict[str, str], max_bytes: int, deadline: float) -> _Exchange:
        timeout = (min(self.http.connect_timeout_s, self.http.timeout_s), self.http.timeout_s)
        started = time.monotonic()
        try:
            resp = self.session.get(url, headers=headers, timeout=timeout, stream=True, allow_redirects=False)
        except requests.Timeout as exc:
            return _Exchange(None, {}, None, TIMEOUT, f"{url}: no answer within {self.http.timeout_s:.0f} s "
                                                      f"({type(exc).__name__})")
        except requests.ConnectionError as exc:
            return _Exchange(None, {}, None, CONNECTION, f"{url}: could not connect ({type(exc).__name__}: {exc})")
        except requests.RequestException as exc:
            return _Exchange(None, {}, None, BAD_URL, f"{url}: {type(exc).__name__}: {exc}")
        with resp:
            kept = {k: resp.headers[k] for k in LOG_HEADERS if k in resp.headers}
            if resp.status_code != 200:
                return _Exchange(resp.status_code, kept, None)  # error bodies are not kept
            declared = resp.headers.get("content-length", "")
            declared_n = int(declared) if declared.isdigit() else None
            if declared_n is not None and declared_n > max_bytes:
                return _Exchange(200, kept, None, TOO_LARGE,
                                 f"{url}: Content-Length {declared} is above the cap of {max_bytes} bytes")
            buf = bytearray()
            raw = resp.raw
            try:
                while True:
                    if time.monotonic() > deadline:
                        # not transient: a server this slow will be as slow on the next attempt
                        return _Exchange(200, kept, None, DEADLINE,
                                         f"{url}: download not finished after {time.monotonic() - started:.0f} s "
                                         f"(deadline {self.deadline_s:.0f} s; {raw.tell()} bytes received"
                                         + (f" of {declared_n}" if declared_n is not None else "")
                                         + "): the server sends too slowly")
                    # read1 returns as soon as any bytes arrive, so the deadline is checked while
                    # a server trickles; decoded (gzip) bytes are counted, so a bomb stops at the cap.
                    chunk = raw.read1(_CHUNK, decode_content=True)
                    if not chunk:
                        break
                    buf += chunk
                    if len(buf) > max_bytes:
                        return _Exchange(200, kept, None, TOO_LARGE,
                                         f"{url}: body exceeds the cap of {max_bytes} bytes"
                                         + (" once decompressed" if "content-encoding" in resp.headers else ""))
            except (urllib3.exceptions.ReadTimeoutError, requests.Timeout, socket.timeout) as exc:
                return _Exchange(200, kept, None, TIMEOUT,
                                 f"{url}: the server stopped sending for {self.http.timeout_s:.0f} s mid-body "
                                 f"({raw.tell()} bytes received" + (f" of {declared_n}" if declared_n else "")
                                 + f"; {type(exc).__name__})")
            except (urllib3.exceptions.ProtocolError, urllib3.exceptions.IncompleteRead,
                    http.client.IncompleteRead) as exc:
                if declared_n is not None and raw.tell() < declared_n:
                    return _Exchange(200, kept, None, SHORT_BODY, _short_message(url, raw.tell(), declared_n))
                return _Exchange(200, kept, None, CONNECTION, f"{url}: connection broken mid-body "
                                                              f"({type(exc).__name__}: {exc})")
            except (urllib3.exceptions.DecodeError, requests.RequestException, OSError) as exc:
                return _Exchange(200, kept, None, CONNECTION, f"{url}: body could not be read "
                                                              f"({type(exc).__name__}: {exc})")
            if declared_n is not None and raw.tell() < declared_n:
                # never stored: a truncated PDF would become a document that "fails to parse"
                return _Exchange(200, kept, None, SHORT_BODY, _short_message(url, raw.tell(), declared_n))
            return _Exchange(200, kept, bytes(buf))

    def _log(self, url: str, ex: _Exchange, attempt: int) -> None:
        if not self.store:
            return
        self.store.append_log({
            "url": url, "time": now_iso(), "status": ex.status, "headers": ex.headers,
            "sha256": sha256_hex(ex.body) if ex.body is not None else None,
            "bytes": len(ex.body) if ex.body is not None else None,
            "error_kind": ex.error_kind, "error": ex.error, "attempt": attempt,
        })

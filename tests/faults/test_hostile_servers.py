"""Items 5, 6, 7: deadlines, short bodies, redirect loops, gzip bombs, a failing listing page and
`JavaScript:` links, each from a real server on 127.0.0.1."""
from __future__ import annotations

import gzip
import time

import pytest
from crawl_testkit import Route, fast_http, html, serve_routes

from pipelines.crawl import fetch as F
from pipelines.crawl.discover import CrawlIncomplete, crawl_source
from pipelines.crawl.fetch import Fetcher
from pipelines.crawl.profile import profile_from_dict

ROBOTS = Route(b"User-agent: *\nDisallow:\n", headers={"Content-Type": "text/plain"})
PDF = b"%PDF-1.4\n" + b"0" * 2000 + b"\n%%EOF\n"


def fetcher(base, store, deadline_s=None, **http):
    return Fetcher(allowed_hosts=("127.0.0.1",), http=fast_http(**http), store=store, deadline_s=deadline_s)


def _blobs(store):
    return sorted(p.name for p in store.root.glob("??/*"))


def test_trickling_server_hits_the_download_deadline_once(store):
    """1 byte every 0.2 s never trips a read timeout; the per-download deadline stops it, and it is
    not retried (a server that slow is as slow on the next attempt)."""
    sent = []

    def trickle(h):
        h.send_response(200)
        h.send_header("Content-Type", "application/pdf")
        h.send_header("Content-Length", str(len(PDF)))
        h.end_headers()
        for i in range(len(PDF)):
            try:
                h.wfile.write(PDF[i:i + 1])
                h.wfile.flush()
            except OSError:
                return
            sent.append(1)
            time.sleep(0.2)

    with serve_routes({"/robots.txt": ROBOTS, "/r.pdf": Route(trickle)}) as (base, hits):
        res = fetcher(base, store, deadline_s=1.5, timeout_s=2.0).fetch(base + "/r.pdf")
    assert res.error_kind == F.DEADLINE and res.body is None
    assert hits.hits["/r.pdf"] == 1 and res.attempts == 1
    assert "download not finished" in res.error and f"of {len(PDF)}" in res.error
    assert "HTTP 200" not in res.error
    assert len(sent) < len(PDF) // 10  # stopped long before the server was done
    assert _blobs(store) == []


def test_server_hanging_mid_body_is_a_timeout_that_says_so(store):
    def hang(h):
        h.send_response(200)
        h.send_header("Content-Length", str(len(PDF)))
        h.end_headers()
        h.wfile.write(PDF[:500])
        h.wfile.flush()
        time.sleep(3)

    with serve_routes({"/robots.txt": ROBOTS, "/r.pdf": Route(hang)}) as (base, hits):
        res = fetcher(base, store, deadline_s=30, timeout_s=0.4, retries=1).fetch(base + "/r.pdf")
    assert res.error_kind == F.TIMEOUT and res.body is None
    assert "stopped sending" in res.error and "500 bytes received" in res.error
    assert "HTTP 200 after" not in res.error and "giving up" in res.error
    assert hits.hits["/r.pdf"] == 2  # retried once, then reported
    assert _blobs(store) == []


def test_body_shorter_than_content_length_is_never_stored(store):
    def short(h):
        h.send_response(200)
        h.send_header("Content-Type", "application/pdf")
        h.send_header("Content-Length", str(len(PDF)))
        h.end_headers()
        h.wfile.write(PDF[:1200])
        h.wfile.flush()
        h.close_connection = True

    with serve_routes({"/robots.txt": ROBOTS, "/r.pdf": Route(short)}) as (base, hits):
        res = fetcher(base, store).fetch(base + "/r.pdf")
    assert res.error_kind == F.SHORT_BODY and res.body is None
    assert f"after 1200 of the {len(PDF)} bytes" in res.error
    assert hits.hits["/r.pdf"] == 3  # a dropped connection is worth retrying (retries=2)
    assert _blobs(store) == []


def test_redirect_loop_is_reported_with_where_it_looped(store):
    routes = {"/robots.txt": ROBOTS,
              "/a": Route(b"", status=302, headers={"Location": "/b"}),
              "/b": Route(b"", status=302, headers={"Location": "/a"})}
    with serve_routes(routes) as (base, hits):
        res = fetcher(base, store).fetch(base + "/a")
    assert res.error_kind == F.TOO_MANY_REDIRECTS
    assert "more than 5 redirects" in res.error and "(last: " in res.error
    assert hits.hits["/a"] + hits.hits["/b"] == 6


def test_gzip_bomb_stops_at_the_decompressed_cap(store):
    bomb = gzip.compress(b"\0" * (64 * 1024 * 1024), compresslevel=9)  # 64 MB from ~64 KB
    routes = {"/robots.txt": ROBOTS,
              "/r.pdf": Route(bomb, headers={"Content-Encoding": "gzip", "Content-Type": "application/pdf"})}
    with serve_routes(routes) as (base, _):
        res = fetcher(base, store, max_bytes=2 * 1024 * 1024).fetch(base + "/r.pdf")
    assert len(bomb) < 2 * 1024 * 1024  # the wire size is under the cap: only decoded bytes count
    assert res.error_kind == F.TOO_LARGE and "once decompressed" in res.error
    assert _blobs(store) == []


def _profile(base):
    return profile_from_dict({
        "id": "t", "name": "test", "county": "青川县", "start_urls": ["{base_url}/col/index.html"],
        "listing": {"column_path_pattern": "/col/"},
        "orgs": [{"org_id": "cgz", "name": "城关镇", "type": "township"}],
        "years": [2019, 2020, 2021, 2022],
    }, base_url=base, http_overrides=fast_http().__dict__)


def _listing(items, next_href=None):
    links = "".join(f'<li><a href="{h}" title="{t}">{t}</a></li>' for h, t in items)
    nxt = f'<a href="{next_href}">下一页</a>' if next_href else ""
    return html("政府信息公开年报", f"<ul>{links}</ul><div class='page'>{nxt}</div>")


def _report(title):
    return Route(html(title, f"<h1 class='title'>{title}</h1><div class='TRS_Editor'>x</div>"))


def test_listing_page_500_fails_the_source_instead_of_losing_its_reports(store):
    t1, t2 = "城关镇2021年政府信息公开工作年度报告", "城关镇2020年政府信息公开工作年度报告"
    routes = {"/robots.txt": ROBOTS,
              "/col/index.html": Route(_listing([("a.html", t1)], "index_1.html")),
              "/col/index_1.html": Route(b"oops", status=500),  # page 2 lists the 2020 report
              "/col/a.html": _report(t1), "/col/b.html": _report(t2)}
    with serve_routes(routes) as (base, hits):
        with pytest.raises(CrawlIncomplete) as err:
            crawl_source(_profile(base), fetcher(base, store))
    assert err.value.source_id == "t"
    assert [f["url"] for f in err.value.failures] == [base + "/col/index_1.html"]
    assert "HTTP 500" in str(err.value) and "incomplete" in str(err.value)
    assert hits.hits["/col/index_1.html"] == 3  # retried before giving up
    # with the page back, the same crawl finds both reports
    routes["/col/index_1.html"] = Route(_listing([("b.html", t2)]))
    with serve_routes(routes) as (base, _):
        result = crawl_source(_profile(base), fetcher(base, store))
    assert sorted(d.year for d in result.documents) == [2020, 2021]


def test_dead_navigation_link_is_not_a_crawl_failure(store):
    t1 = "城关镇2021年政府信息公开工作年度报告"
    routes = {"/robots.txt": ROBOTS,
              "/col/index.html": Route(_listing([("a.html", t1)]) .replace(
                  b"</ul>", "</ul><a href='/gone/index.html'>城关镇</a>".encode())),
              "/col/a.html": _report(t1)}
    with serve_routes(routes) as (base, _):
        result = crawl_source(_profile(base), fetcher(base, store))
    assert [d.year for d in result.documents] == [2021]
    assert [e["error_kind"] for e in result.page_errors] == [F.HTTP_ERROR]  # recorded, not fatal


@pytest.mark.parametrize("href", ["JavaScript:alert(1)", "JAVASCRIPT:void(0)", " javascript:x()",
                                  "data:text/html,<b>x</b>", "File:///etc/passwd", "vbscript:x"])
def test_only_http_links_become_documents(store, href):
    title = "城关镇2022年政府信息公开工作年度报告"
    t1 = "城关镇2021年政府信息公开工作年度报告"
    listing = _listing([(href, title), ("a.html", t1)])
    detail = html(t1, f"<h1 class='title'>{t1}</h1><div class='TRS_Editor'>"
                      f"<a href='{href}'>附件 2021年报.pdf</a><a href='r.pdf'>附件 2021年报.pdf</a></div>")
    routes = {"/robots.txt": ROBOTS, "/col/index.html": Route(listing), "/col/a.html": Route(detail),
              "/col/r.pdf": Route(PDF, headers={"Content-Type": "application/pdf"})}
    with serve_routes(routes) as (base, _):
        result = crawl_source(_profile(base), fetcher(base, store))
    urls = [d.document_url for d in result.documents]
    assert urls == [base + "/col/r.pdf"]
    assert all(u.startswith(("http://", "https://")) for u in urls)


def test_robots_wildcards_are_honoured(store):
    """`Disallow: /*.pdf$` (RFC 9309 wildcards): the stdlib parser ignored it and fetched every PDF."""
    routes = {"/robots.txt": Route(b"User-agent: *\nDisallow: /*.pdf$\nAllow: /open/*.pdf$\n",
                                   headers={"Content-Type": "text/plain"}),
              "/files/r.pdf": Route(PDF), "/open/r.pdf": Route(PDF), "/files/r.pdf.html": Route(b"<html></html>")}
    with serve_routes(routes) as (base, hits):
        f = fetcher(base, store)
        blocked, allowed, page = (f.fetch(base + p) for p in ("/files/r.pdf", "/open/r.pdf", "/files/r.pdf.html"))
    assert blocked.error_kind == F.ROBOTS_DISALLOWED and "/files/r.pdf" not in hits.hits
    assert allowed.ok and page.ok

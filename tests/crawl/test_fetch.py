"""The fetcher against real HTTP servers on 127.0.0.1: retries, politeness, hostile bodies."""
from __future__ import annotations

import json
import time
from types import SimpleNamespace

import pytest
from crawl_testkit import Route, fast_http, html, serve_routes

from pipelines.crawl import fetch as F
from pipelines.crawl.discover import NoDocumentsFound, crawl, crawl_source
from pipelines.crawl.fetch import Fetcher, decode_html, sniff
from pipelines.crawl.profile import profile_from_dict

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ROBOTS_OPEN = Route(b"User-agent: *\nDisallow: /admin/\n", headers={"Content-Type": "text/plain"})


def fetcher(base, store=None, **http):
    host = base.split("//")[1].split(":")[0]
    return Fetcher(allowed_hosts=(host,), http=fast_http(**http), store=store)


def test_500_then_success(store):
    routes = {"/robots.txt": ROBOTS_OPEN,
              "/a.html": [Route(b"oops", status=500), Route(html("ok", "<p>正文</p>"))]}
    with serve_routes(routes) as (base, h):
        res = fetcher(base, store).fetch(base + "/a.html")
    assert res.ok and res.status == 200 and res.attempts == 2
    assert h.hits["/a.html"] == 2
    log = store.read_log()
    assert [e["status"] for e in log if e["url"].endswith("/a.html")] == [500, 200]
    assert all(e["headers"] is not None for e in log)


def test_500_forever_gives_http_error(store):
    routes = {"/robots.txt": ROBOTS_OPEN, "/a.html": Route(b"down", status=503)}
    with serve_routes(routes) as (base, h):
        res = fetcher(base, store, retries=2).fetch(base + "/a.html")
    assert res.error_kind == F.HTTP_ERROR and res.status == 503 and h.hits["/a.html"] == 3


@pytest.fixture()
def sleeps(monkeypatch):
    """The fetcher's waits, recorded (and still slept), so tests check what it decided, not the clock."""
    recorded: list[float] = []

    def sleep(seconds: float) -> None:
        recorded.append(seconds)
        time.sleep(seconds)

    monkeypatch.setattr(F, "time", SimpleNamespace(sleep=sleep, monotonic=time.monotonic, time=time.time))
    return recorded


def test_429_honours_retry_after(store, sleeps):
    routes = {"/robots.txt": ROBOTS_OPEN,
              "/a.html": [Route(b"slow down", status=429, headers={"Retry-After": "1"}), Route(html("ok"))]}
    with serve_routes(routes) as (base, h):
        res = fetcher(base, store).fetch(base + "/a.html")
    assert res.ok and h.hits["/a.html"] == 2
    assert max(sleeps) == pytest.approx(1.0)  # waited for Retry-After, not the 0.01 s backoff


def test_retry_after_is_capped(store, sleeps):
    routes = {"/robots.txt": ROBOTS_OPEN,
              "/a.html": [Route(b"", status=429, headers={"Retry-After": "3600"}), Route(html("ok"))]}
    with serve_routes(routes) as (base, _):
        res = fetcher(base, store, retry_after_cap_s=0.3).fetch(base + "/a.html")
    assert res.ok and max(sleeps) == pytest.approx(0.3)  # 3600 s asked, capped at 0.3 s


def test_read_timeout(store):
    routes = {"/robots.txt": ROBOTS_OPEN, "/slow.html": Route(html("late"), delay=1.5)}
    with serve_routes(routes) as (base, h):
        res = fetcher(base, store, timeout_s=0.3, retries=1).fetch(base + "/slow.html")
    # the server answers after 1.5 s: only the 0.3 s read timeout can make this a timeout
    assert res.error_kind == F.TIMEOUT and res.body is None
    assert h.hits["/slow.html"] == 2  # retried once


def test_304_on_second_fetch_with_etag(store):
    body = html("报告", "<p>内容</p>")

    def etag_page(handler):
        if handler.headers.get("If-None-Match") == '"v1"':
            handler.send_response(304)
            handler.send_header("ETag", '"v1"')
            handler.end_headers()
            return
        handler.send_response(200)
        handler.send_header("ETag", '"v1"')
        handler.send_header("Content-Type", "text/html")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    routes = {"/robots.txt": ROBOTS_OPEN, "/r.html": Route(etag_page)}
    with serve_routes(routes) as (base, h):
        with fetcher(base, store) as f1:
            first = f1.fetch(base + "/r.html")
        # A new fetcher (next run) reads the validators from the state file.
        second = fetcher(base, store).fetch(base + "/r.html")
    assert first.status == 200 and not first.from_cache
    assert second.status == 304 and second.from_cache and second.body == body
    sent = [hdrs for path, hdrs in h.requests if path == "/r.html"]
    assert "If-None-Match" not in sent[0] and sent[1]["If-None-Match"] == '"v1"'
    state = json.loads((store.root / "http_state.json").read_text())
    assert state[base + "/r.html"]["etag"] == '"v1"'


def test_robots_disallow_is_honoured(store):
    routes = {"/robots.txt": Route(b"User-agent: *\nDisallow: /private/\n"),
              "/private/x.html": Route(html("secret")), "/open.html": Route(html("open"))}
    with serve_routes(routes) as (base, h):
        f = fetcher(base, store)
        blocked = f.fetch(base + "/private/x.html")
        allowed = f.fetch(base + "/open.html")
    assert blocked.error_kind == F.ROBOTS_DISALLOWED
    assert "/private/x.html" not in h.hits
    assert allowed.ok and h.hits["/robots.txt"] == 1  # cached per host


def test_robots_for_our_user_agent(store):
    routes = {"/robots.txt": Route(b"User-agent: xxgk-warehouse\nDisallow: /\n\nUser-agent: *\nAllow: /\n"),
              "/a.html": Route(html("a"))}
    with serve_routes(routes) as (base, h):
        res = fetcher(base, store).fetch(base + "/a.html")
    assert res.error_kind == F.ROBOTS_DISALLOWED and "/a.html" not in h.hits


def test_redirect_to_other_host_not_followed(store):
    with serve_routes({"/robots.txt": ROBOTS_OPEN, "/target.html": Route(html("t"))}) as (base, h):
        port = base.rsplit(":", 1)[1]
        h.routes["/go"] = Route(b"", status=302, headers={"Location": f"http://localhost:{port}/target.html"})
        h.routes["/local"] = Route(b"", status=301, headers={"Location": "/target.html"})
        f = fetcher(base, store)
        off = f.fetch(base + "/go")
        same = f.fetch(base + "/local")
    assert off.error_kind == F.REDIRECT_OFF_HOST and "localhost" in off.error
    assert h.hits.get("/target.html") == 1  # only the same-host redirect reached it
    assert same.ok and same.final_url == base + "/target.html"


def test_start_url_off_host_refused(store):
    f = Fetcher(allowed_hosts=("127.0.0.1",), http=fast_http(), store=store)
    assert f.fetch("http://example.org/x").error_kind == F.OFF_HOST
    assert f.fetch("file:///etc/passwd").error_kind == F.BAD_URL


def test_size_cap_stops_reading(store):
    sent = {"bytes": 0}

    def endless(handler):  # no Content-Length: only the streaming cap can stop this
        handler.send_response(200)
        handler.send_header("Content-Type", "application/pdf")
        handler.end_headers()
        try:
            for _ in range(10_000):
                handler.wfile.write(b"%PDF" + b"x" * 65532)
                sent["bytes"] += 65536
        except (BrokenPipeError, ConnectionResetError):
            pass

    routes = {"/robots.txt": ROBOTS_OPEN, "/big.pdf": Route(endless),
              "/declared.pdf": Route(b"%PDF" + b"x" * 200_000)}
    with serve_routes(routes) as (base, _):
        f = fetcher(base, store, max_bytes=100_000)
        big = f.fetch(base + "/big.pdf")
        declared = f.fetch(base + "/declared.pdf")
    assert big.error_kind == F.TOO_LARGE and big.body is None
    assert declared.error_kind == F.TOO_LARGE and "Content-Length" in declared.error
    # 650 MB were offered; the client hung up at the cap, so the server got no further than what
    # the sockets' buffers took in
    assert sent["bytes"] < 64 * 1024 * 1024


def test_gbk_pages_decoded(store):
    title = "青川县城关镇2021年政府信息公开工作年度报告"
    declared = html(title, f"<a href='/d.html'>{title}</a>", charset="gbk")
    undeclared = f"<html><head><title>{title}</title></head><body>{title}</body></html>".encode("gbk")
    routes = {"/robots.txt": ROBOTS_OPEN,
              "/declared.html": Route(declared, headers={"Content-Type": "text/html"}),
              "/undeclared.html": Route(undeclared, headers={"Content-Type": "text/html; charset=ISO-8859-1"})}
    with serve_routes(routes) as (base, _):
        f = fetcher(base, store)
        a, b = f.fetch(base + "/declared.html"), f.fetch(base + "/undeclared.html")
    assert title in a.text() and title in b.text()
    assert decode_html(declared)[1] == "gb18030"


def test_decode_order():
    assert decode_html("\ufeff年报".encode("utf-8"))[0] == "年报"
    assert decode_html("年报".encode("utf-8"), "text/html; charset=utf-8") == ("年报", "utf-8")
    # A wrong header charset falls through to what decodes strictly.
    assert decode_html("年报".encode("gbk"), "text/html; charset=utf-8")[0] == "年报"


def test_sniff_by_magic_bytes():
    import io
    import zipfile
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("word/document.xml", "<w:document/>")
    assert sniff(PDF) == "pdf"
    assert sniff(buf.getvalue()) == "docx"
    assert sniff(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100) == "doc"
    assert sniff(b"<!DOCTYPE html><html><body>404</body></html>") == "html"
    assert sniff(b"PK\x03\x04garbage") == "unknown"
    assert sniff(b"") == "empty"


# ---------------------------------------------------------------- crawl-level behaviour

def _profile(base, **listing):
    return profile_from_dict({
        "id": "t", "name": "test", "county": "青川县", "start_urls": ["{base_url}/col/index.html"],
        "listing": {"column_path_pattern": "/col/", **listing},
        "orgs": [{"org_id": "cgz", "name": "城关镇", "type": "township"}],
        "years": [2021, 2022],
    }, base_url=base, http_overrides=fast_http().__dict__)


def _listing(items, next_href=None):
    links = "".join(f'<li><a href="{h}" title="{t}">{t}</a></li>' for h, t in items)
    nxt = f'<a href="{next_href}">下一页</a>' if next_href else ""
    return html("政府信息公开年报", f"<ul>{links}</ul><div class='page'>{nxt}</div>")


def test_html_error_page_under_pdf_link_is_not_a_report(store):
    title = "青川县城关镇2021年政府信息公开工作年度报告"
    routes = {
        "/robots.txt": ROBOTS_OPEN,
        "/col/index.html": Route(_listing([("202201/t20220120_1.html", title)])),
        "/col/202201/t20220120_1.html": Route(html(title, f"<h1 class='title'>{title}</h1>"
                                                   "<div class='TRS_Editor'><p>见附件</p>"
                                                   "<a href='./P020220120.pdf'>附件.pdf</a></div>")),
        "/col/202201/P020220120.pdf": Route(html("404", "<h1>页面不存在</h1>"), headers={"Content-Type": "application/pdf"}),
    }
    with serve_routes(routes) as (base, _):
        docs = crawl(_profile(base), fetcher(base, store))
    assert len(docs) == 1
    d = docs[0]
    assert d.error_kind == F.NOT_A_REPORT and d.format_hint == "html"
    assert d.document_url.endswith("P020220120.pdf") and d.sha256 and (store.data_dir / d.raw_path).is_file()
    assert (d.org_id, d.year, d.is_correction) == ("cgz", 2021, False)


def test_pagination_over_three_listing_pages(store):
    routes = {"/robots.txt": ROBOTS_OPEN}
    pages = ["index.html", "index_1.html", "index_2.html", "index_3.html"]
    for i, page in enumerate(pages):
        items = []
        for j in range(3):
            n = i * 3 + j
            title = f"青川县城关镇{2010 + n}年政府信息公开工作年度报告"
            items.append((f"./2022{n:02d}/t20220101_{n}.html", title))
            body = f"<h1 class='title'>{title}</h1><div class='TRS_Editor'><table><tr><td>1</td></tr></table></div>"
            routes[f"/col/2022{n:02d}/t20220101_{n}.html"] = Route(html(title, body))
        items.append(("./notice.html", "关于报送2021年政府信息公开工作年度报告的通知"))  # a notice: skipped
        routes[f"/col/{page}"] = Route(_listing(items, pages[i + 1] if i + 1 < len(pages) else None))
    with serve_routes(routes) as (base, h):
        result = crawl_source(_profile(base), fetcher(base, store))
    assert len(result.documents) == 12
    assert {d.year for d in result.documents} == set(range(2010, 2022))
    assert all(d.format_hint == "html" and d.error_kind is None for d in result.documents)
    assert len([u for u in result.pages_fetched if "/col/index" in u]) == 4
    assert "/col/notice.html" not in h.hits


def test_pagination_from_trs_script(store):
    routes = {"/robots.txt": ROBOTS_OPEN}
    for i in range(3):
        title = f"城关镇{2019 + i}年度政府信息公开工作年度报告"
        routes[f"/col/t{i}.html"] = Route(html(title, f"<h1 class='title'>{title}</h1>"))
        page = "index.html" if i == 0 else f"index_{i}.html"
        script = '<script>createPageHTML(3, %d, "index", "html");</script>' % i
        routes[f"/col/{page}"] = Route(html("年报", f'<a href="t{i}.html">{title}</a>{script}'))
    with serve_routes(routes) as (base, _):
        docs = crawl(_profile(base), fetcher(base, store))
    assert sorted(d.year for d in docs) == [2019, 2020, 2021]


def test_max_pages_bounds_the_walk(store):
    routes = {"/robots.txt": ROBOTS_OPEN}
    for i in range(10):
        page = "index.html" if i == 0 else f"index_{i}.html"
        routes[f"/col/{page}"] = Route(_listing([(f"t{i}.html", f"城关镇{2010 + i}年政府信息公开工作年度报告")],
                                                f"index_{i + 1}.html"))
    with serve_routes(routes) as (base, _):
        result = crawl_source(_profile(base, max_pages=3), fetcher(base, store))
    assert result.truncated and len(result.pages_fetched) == 3
    assert len(result.documents) == 3  # details of the pages seen (404 here, recorded as errors)
    assert all(d.error_kind == F.HTTP_ERROR for d in result.documents)


def test_zero_documents_is_an_error(store):
    routes = {"/robots.txt": ROBOTS_OPEN, "/col/index.html": Route(_listing([("n.html", "网站维护通知")]))}
    with serve_routes(routes) as (base, _):
        with pytest.raises(NoDocumentsFound, match="0 report documents"):
            crawl(_profile(base), fetcher(base, store))


def test_per_host_concurrency_cap_and_rate_limit(store):
    import threading
    from concurrent.futures import ThreadPoolExecutor

    state = {"now": 0, "max": 0}
    lock = threading.Lock()

    def slow(handler):
        with lock:
            state["now"] += 1
            state["max"] = max(state["max"], state["now"])
        time.sleep(0.1)
        with lock:
            state["now"] -= 1
        body = html("ok")
        handler.send_response(200)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    routes = {"/robots.txt": ROBOTS_OPEN, **{f"/p{i}.html": Route(slow) for i in range(8)}}
    with serve_routes(routes) as (base, _):
        f = fetcher(base, store, max_concurrency=2, rate_limit=20.0)
        t0 = time.monotonic()
        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(lambda i: f.fetch(f"{base}/p{i}.html"), range(8)))
        elapsed = time.monotonic() - t0
    assert all(r.ok for r in results)
    assert state["max"] <= 2
    assert elapsed >= 8 / 20 - 0.05  # 20 requests/s: 9 starts (robots + 8) need ≥ 0.4 s


def test_retry_after_forms():
    from email.utils import format_datetime
    from datetime import datetime, timedelta, timezone

    assert F.parse_retry_after("5", cap=2) == 2
    soon = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=30), usegmt=True)
    assert 0 < F.parse_retry_after(soon, cap=60) <= 30
    assert F.parse_retry_after("soon", cap=60) is None


def test_off_host_report_link_is_recorded_not_dropped(store):
    title = "青川县城关镇2022年政府信息公开工作年度报告"
    routes = {"/robots.txt": ROBOTS_OPEN,
              "/col/index.html": Route(_listing([("http://example.org/r.html", title)]))}
    with serve_routes(routes) as (base, _):
        docs = crawl(_profile(base), fetcher(base, store))
    assert [(d.error_kind, d.org_id, d.year) for d in docs] == [(F.OFF_HOST, "cgz", 2022)]


def test_each_source_keeps_its_own_validators(store):
    """Counties crawled side by side (two processes, or the listing probe's threads) each load and
    save their own file: one county's save cannot drop the other's validators. The shared file of
    earlier versions seeds a county's file once, with that county's hosts only."""
    from pipelines.crawl.fetch import Fetcher, county_state_path
    from pipelines.crawl.profile import HttpSpec

    legacy = {"http://a.example/x.html": {"etag": "a1", "sha256": "a" * 64},
              "http://b.example/y.html": {"etag": "b1", "sha256": "b" * 64}}
    store.root.mkdir(parents=True, exist_ok=True)
    (store.root / "http_state.json").write_text(json.dumps(legacy), encoding="utf-8")
    path_a = county_state_path(store, "county_a", ("a.example",))
    assert json.loads(path_a.read_text()) == {"http://a.example/x.html": legacy["http://a.example/x.html"]}
    path_b = county_state_path(store, "county_b", ("b.example",))
    fa = Fetcher(allowed_hosts=("a.example",), http=HttpSpec(), store=store, state_path=path_a)
    fb = Fetcher(allowed_hosts=("b.example",), http=HttpSpec(), store=store, state_path=path_b)
    fa.state.set("http://a.example/new.html", {"etag": "a2", "sha256": "c" * 64})
    fb.state.set("http://b.example/new.html", {"etag": "b2", "sha256": "d" * 64})
    fa.state.save()
    fb.state.save()  # saved last: with one shared file this dropped a's new entry
    assert set(json.loads(path_a.read_text())) == {"http://a.example/x.html", "http://a.example/new.html"}
    assert set(json.loads(path_b.read_text())) == {"http://b.example/y.html", "http://b.example/new.html"}
    assert county_state_path(store, "county_a", ("a.example",)) == path_a  # seeded once, not again
    assert json.loads(path_a.read_text())["http://a.example/new.html"]["etag"] == "a2"
    with pytest.raises(ValueError):
        county_state_path(store, "../escape")

"""Helpers for crawl tests: real HTTP servers on 127.0.0.1 (no mocks), fast politeness settings.

A module of its own (not conftest) so `from crawl_testkit import …` cannot pick up another conftest.
"""
from __future__ import annotations

import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable, Iterator

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from pipelines.crawl.profile import HttpSpec  # noqa: E402

FIXTURES = REPO / "tests" / "fixtures" / "portals"

# Tiny waits so the whole crawl suite stays well under 30 s.
FAST = dict(rate_limit=1000.0, max_concurrency=4, timeout_s=2.0, connect_timeout_s=1.0, retries=2,
            backoff_base_s=0.01, backoff_max_s=0.05, retry_after_cap_s=2.0)


def fast_http(**kw) -> HttpSpec:
    return HttpSpec(**{**FAST, **kw})


@dataclass
class Route:
    body: bytes | Callable[["Handler"], None] = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


class Handler(BaseHTTPRequestHandler):
    routes: dict[str, Route | list[Route]] = {}
    hits: dict[str, int] = {}
    requests: list[tuple[str, dict]] = []

    def do_GET(self) -> None:  # noqa: N802 - stdlib hook
        key = self.path
        self.hits[key] = self.hits.get(key, 0) + 1
        self.requests.append((key, dict(self.headers)))
        route = self.routes.get(key)
        if isinstance(route, list):  # successive answers: the last one repeats
            route = route[min(self.hits[key], len(route)) - 1]
        if route is None:
            self.send_response(404)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", "9")
            self.end_headers()
            self.wfile.write(b"not found")
            return
        if route.delay:
            time.sleep(route.delay)
        if callable(route.body):
            route.body(self)
            return
        self.send_response(route.status)
        for k, v in route.headers.items():
            self.send_header(k, v)
        if "Content-Length" not in route.headers:
            self.send_header("Content-Length", str(len(route.body)))
        self.end_headers()
        try:
            self.wfile.write(route.body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, format, *args):  # quiet
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


@contextmanager
def serve_routes(routes: dict[str, Route | list[Route]], host: str = "127.0.0.1") -> Iterator[tuple[str, type]]:
    """Serve `routes` (path with query → Route); yields (base_url, handler class with hits)."""
    handler = type("RoutesHandler", (Handler,), {"routes": routes, "hits": {}, "requests": []})
    server = _Server((host, 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}", handler
    finally:
        server.shutdown()
        server.server_close()


def html(title: str, body: str = "", charset: str = "utf-8") -> bytes:
    page = (f'<!DOCTYPE html><html><head><meta charset="{charset}"><title>{title}</title></head>'
            f"<body>{body}</body></html>")
    return page.encode("gb18030" if charset.lower() in ("gbk", "gb2312", "gb18030") else charset)

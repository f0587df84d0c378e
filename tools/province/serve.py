"""Serve a generated province: one ThreadingHTTPServer per county on its own loopback address
(127.0.0.x, same port), through pipelines.crawl.serve.serve_directory.

A county can be made to fail, for a night where one portal is down: mode "500" answers every
request with HTTP 500; mode "refuse" closes its server, so connections are refused.
"""
from __future__ import annotations

import contextlib
import socket
import threading
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from pipelines.crawl.serve import FolderHandler, serve_directory

from . import sites
from .generate import load_province

FAIL_MODES = ("500", "refuse")


class ProvinceHandler(FolderHandler):
    """Static files, plus the Hanweb module's query-string addresses mapped to saved pages, and a
    switch (`failing`, shared by the province) that makes a county's server answer 500."""

    failing: set[str] = set()

    def send_head(self):
        if self.server.server_address[0] in self.failing:
            self.send_error(500, "Internal Server Error (made to fail by the province bench)")
            return None
        return super().send_head()

    def translate_path(self, path: str) -> str:
        parts = urlsplit(path)
        q = parse_qs(parts.query)
        if parts.path == sites.HANWEB_MODULE:
            saved = sites.hanweb_saved_page(q.get("area", [""])[0], q.get("fbtime", [""])[0])
            root = Path(self.directory)
            target = root / saved.lstrip("/")
            return str(target if target.is_file() else root / "module/xxgk/annual/empty.html")
        if parts.path == sites.HANWEB_DOWNLOAD:
            filename = q.get("filename", [""])[0]
            if "/" in filename or filename.startswith("."):
                return str(Path(self.directory) / "missing")
            return super().translate_path(sites.hanweb_saved_download(filename))
        return super().translate_path(path)


def check_bind(host: str, port: int) -> None:
    """Raise OSError when host:port cannot be bound (taken, or no such loopback address)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((host, port))


def free_port(hosts: list[str], start: int = 18700, tries: int = 200) -> int:
    """A port free on every one of `hosts` (each county has its own address, all share the port)."""
    for port in range(start, start + tries):
        try:
            for h in hosts:
                check_bind(h, port)
        except OSError:
            continue
        return port
    raise OSError(f"no port in {start}..{start + tries} free on all of {len(hosts)} loopback addresses")


class ProvinceServers:
    """Every county of a generated province, served; use as a context manager."""

    def __init__(self, out: Path | str):
        self.out = Path(out)
        self.province = load_province(self.out)
        self.counties = {c["id"]: c for c in self.province["counties"]}
        self.failing_hosts: set[str] = set()
        self.handler = type("Handler", (ProvinceHandler,), {"failing": self.failing_hosts})
        self._stacks: dict[str, contextlib.ExitStack] = {}
        self._lock = threading.Lock()

    def start(self, county_id: str) -> str:
        c = self.counties[county_id]
        with self._lock:
            if county_id in self._stacks:
                return c["base_url"]
            stack = contextlib.ExitStack()
            url = stack.enter_context(serve_directory(self.out / "sites" / county_id, handler=self.handler,
                                                      host=c["host"], port=c["port"]))
            self._stacks[county_id] = stack
        return url

    def stop(self, county_id: str) -> None:
        with self._lock:
            stack = self._stacks.pop(county_id, None)
        if stack:
            stack.close()

    def fail(self, county_id: str, mode: str = "500") -> None:
        """Make one county's portal fail until restore(): HTTP 500 to everything, or refused."""
        if mode not in FAIL_MODES:
            raise ValueError(f"fail mode {mode!r}: one of {FAIL_MODES}")
        if mode == "500":
            self.failing_hosts.add(self.counties[county_id]["host"])
        else:
            self.stop(county_id)

    def restore(self, county_id: str) -> None:
        self.failing_hosts.discard(self.counties[county_id]["host"])
        self.start(county_id)

    def __enter__(self) -> "ProvinceServers":
        try:
            for cid in self.counties:
                self.start(cid)
        except BaseException:
            self.close()
            raise
        return self

    def close(self) -> None:
        for cid in list(self._stacks):
            self.stop(cid)

    def __exit__(self, *exc) -> None:
        self.close()


@contextlib.contextmanager
def serve_province(out: Path | str, fail: str | None = None, fail_mode: str = "500"):
    """Serve every county of the province under `out`; `fail` names a county made to fail."""
    with ProvinceServers(out) as servers:
        if fail:
            servers.fail(fail, fail_mode)
        yield servers

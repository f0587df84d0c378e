"""Headless Chromium over the static county report: DOM after scripts ran, console errors, screenshot.

    .venv/bin/python tools/screenshot_report.py [--db WAREHOUSE] [--out docs/county-report.png]

builds the report from a published warehouse (default: $XXGK_DATA_DIR/warehouse.duckdb) into a
temporary folder and writes a PNG of the first county page. tests/report/ imports the helpers.
Chromium is the Debian package `chromium` (/usr/bin/chromium); nothing here touches the network:
the page is a local file and background networking is switched off.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_PNG = REPO / "docs" / "county-report.png"
WINDOW = "1400,2400"


def chromium_path() -> str | None:
    """/usr/bin/chromium (Debian), else $CHROMIUM, else chromium on PATH."""
    for cand in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if cand and Path(cand).exists():
            return cand
    return None


def _run(extra: list[str], url: str, timeout: float = 60) -> subprocess.CompletedProcess:
    exe = chromium_path()
    if exe is None:
        raise FileNotFoundError("chromium not found: apt-get install -y --no-install-recommends chromium")
    with tempfile.TemporaryDirectory(prefix="xxgk-chromium-") as profile:
        args = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--hide-scrollbars", "--mute-audio",
                f"--user-data-dir={profile}", *extra, url]
        env = {**os.environ, "HOME": profile}  # keep Chromium's dot-folders out of the real home
        return subprocess.run(args, capture_output=True, text=True, timeout=timeout, env=env,
                              cwd=profile)


def file_url(page: Path, fragment: str = "") -> str:
    return Path(page).resolve().as_uri() + (f"#{fragment}" if fragment else "")


def dump_dom(page: Path, fragment: str = "") -> str:
    """The serialised DOM after the page's scripts ran (virtual time lets them finish)."""
    proc = _run(["--virtual-time-budget=5000", "--dump-dom"], file_url(page, fragment))
    if proc.returncode != 0 or not proc.stdout.strip():
        raise RuntimeError(f"chromium --dump-dom failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return proc.stdout


# Chromium with --enable-logging=stderr prints every console message of the page as
#   [pid:tid:MMDD/HHMMSS.micro:LEVEL:CONSOLE(line)] "message", source: file:///... (line)
# (newer builds: ...:LEVEL:CONSOLE:line] "message", source: ...); uncaught exceptions are
# console errors whose message starts with "Uncaught".
_CONSOLE = re.compile(r"^\[[^\]]*?:(?P<level>[A-Z]+):CONSOLE[(:](?P<line>\d+)\)?\] (?P<msg>.*)$")


def console_messages(page: Path, fragment: str = "") -> tuple[list[dict], str]:
    """Every console message the page logged while loading, with its level, and the raw stderr."""
    proc = _run(["--virtual-time-budget=5000", "--enable-logging=stderr", "--v=0", "--dump-dom"],
                file_url(page, fragment))
    messages = []
    for line in proc.stderr.splitlines():
        m = _CONSOLE.match(line.strip())
        if m:
            messages.append({"level": m["level"], "line": int(m["line"]), "message": m["msg"]})
    return messages, proc.stderr


def console_errors(page: Path, fragment: str = "") -> list[dict]:
    msgs, _ = console_messages(page, fragment)
    return [m for m in msgs if m["level"] in ("ERROR", "FATAL") or "Uncaught" in m["message"]]


class DevTools:
    """The DevTools protocol over --remote-debugging-pipe (fd 3 in, fd 4 out, NUL-separated JSON):
    no websocket and no extra package. Records console calls, exceptions, log entries and every
    request the page makes."""

    def __init__(self, timeout: float = 60):
        exe = chromium_path()
        if exe is None:
            raise FileNotFoundError("chromium not found: apt-get install -y --no-install-recommends chromium")
        self._profile = tempfile.TemporaryDirectory(prefix="xxgk-chromium-")
        cmd_r, self._cmd_w = os.pipe()      # we write commands, Chromium reads fd 3
        self._res_r, res_w = os.pipe()      # Chromium writes fd 4, we read
        hi_r, hi_w = os.dup(cmd_r), os.dup(res_w)

        def _fds():  # in the child: put the pipe ends on fds 3 and 4
            os.dup2(hi_r, 3)
            os.dup2(hi_w, 4)

        args = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--hide-scrollbars", "--mute-audio", "--remote-debugging-pipe",
                f"--user-data-dir={self._profile.name}", "about:blank"]
        self.proc = subprocess.Popen(args, preexec_fn=_fds, close_fds=False, cwd=self._profile.name,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     env={**os.environ, "HOME": self._profile.name})
        for fd in (cmd_r, res_w, hi_r, hi_w):
            os.close(fd)
        self.timeout = timeout
        self._buf = b""
        self._next = 0
        self.events: list[dict] = []
        self.session: str | None = None

    def _recv(self, deadline: float) -> dict | None:
        import json
        import select
        import time
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([self._res_r], [], [], left)
            if not ready:
                return None
            chunk = os.read(self._res_r, 1 << 16)
            if not chunk:
                raise RuntimeError("chromium closed the DevTools pipe")
            self._buf += chunk
        msg, self._buf = self._buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method: str, params: dict | None = None, session: bool = True) -> dict:
        import json
        import time
        self._next += 1
        msg = {"id": self._next, "method": method, "params": params or {}}
        if session and self.session:
            msg["sessionId"] = self.session
        os.write(self._cmd_w, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._recv(deadline)
            if reply is None:
                raise TimeoutError(f"DevTools {method}: no reply")
            if reply.get("id") == self._next:
                if "error" in reply:
                    raise RuntimeError(f"DevTools {method}: {reply['error']}")
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)

    def wait_for(self, method: str, timeout: float = 30) -> dict | None:
        import time
        deadline = time.monotonic() + timeout
        for ev in self.events:
            if ev["method"] == method:
                return ev
        while True:
            ev = self._recv(deadline)
            if ev is None:
                return None
            if "method" in ev:
                self.events.append(ev)
                if ev["method"] == method:
                    return ev

    def drain(self, seconds: float) -> None:
        import time
        deadline = time.monotonic() + seconds
        while (ev := self._recv(deadline)) is not None:
            if "method" in ev:
                self.events.append(ev)

    def open(self, url: str, settle: float = 1.0, width: int | None = None, height: int = 800,
             media: str | None = None) -> None:
        """Attach to a new tab, switch on the domains we watch, load `url`, let scripts finish.

        `width` emulates a viewport of width x height CSS px (a phone below 600: mobile, touch);
        `media` ("print" or "screen") emulates that CSS media type."""
        target = self.call("Target.createTarget", {"url": "about:blank"}, session=False)["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True},
                                 session=False)["sessionId"]
        for domain in ("Runtime", "Log", "Network", "Page"):
            self.call(f"{domain}.enable")
        if width:
            self.call("Emulation.setDeviceMetricsOverride",
                      {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})
        if media:
            self.call("Emulation.setEmulatedMedia", {"media": media})
        self.call("Page.navigate", {"url": url})
        if self.wait_for("Page.loadEventFired", self.timeout) is None:
            raise TimeoutError(f"{url} did not finish loading")
        self.drain(settle)

    def evaluate(self, expression: str):
        res = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                             "awaitPromise": True})
        if "exceptionDetails" in res:
            raise RuntimeError(f"evaluate failed: {res['exceptionDetails']}")
        return res["result"].get("value")

    def print_pdf(self) -> bytes:
        """The open page printed as Chromium prints it (its @media print and @page rules)."""
        import base64
        res = self.call("Page.printToPDF", {"preferCSSPageSize": True, "printBackground": True})
        return base64.b64decode(res["data"])

    def problems(self) -> list[str]:
        """Console errors/warnings/asserts, uncaught exceptions and error log entries of the page."""
        out = []
        for ev in self.events:
            p = ev.get("params", {})
            if ev["method"] == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert", "warning"):
                out.append(f"console.{p['type']}: " + " ".join(str(a.get("value", a.get("description", "")))
                                                           for a in p.get("args", [])))
            elif ev["method"] == "Runtime.exceptionThrown":
                d = p.get("exceptionDetails", {})
                out.append("Uncaught: " + str(d.get("exception", {}).get("description") or d.get("text")))
            elif ev["method"] == "Log.entryAdded" and p.get("entry", {}).get("level") in ("error", "warning"):
                out.append(f"log.{p['entry']['level']}: {p['entry'].get('text')} {p['entry'].get('url', '')}")
        return out

    def requests(self) -> list[str]:
        """Every URL the page asked for (document, scripts, images, fetches)."""
        return [ev["params"]["request"]["url"] for ev in self.events
                if ev["method"] == "Network.requestWillBeSent"]

    def close(self) -> None:
        try:
            self.call("Browser.close", session=False)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._cmd_w, self._res_r):
            try:
                os.close(fd)
            except OSError:
                pass
        self._profile.cleanup()

    def __enter__(self) -> "DevTools":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def screenshot(page: Path, png: Path, window: str = WINDOW) -> Path:
    """A PNG of the page at `window` (width,height) after its scripts ran."""
    png = Path(png).resolve()
    png.parent.mkdir(parents=True, exist_ok=True)
    if png.exists():
        png.unlink()
    proc = _run(["--virtual-time-budget=5000", f"--window-size={window}", f"--screenshot={png}"],
                file_url(page))
    if not png.exists() or png.stat().st_size == 0:
        raise RuntimeError(f"chromium --screenshot wrote nothing ({proc.returncode}): {proc.stderr[-2000:]}")
    return png


def png_size(png: Path) -> tuple[int, int]:
    head = Path(png).read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(REPO))
    from pipelines import settings
    from pipelines.report import build_county_report

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, default=None, help="published warehouse (default: settings)")
    ap.add_argument("--out", type=Path, default=DEFAULT_PNG, help="PNG to write")
    ap.add_argument("--window", default=WINDOW, help="width,height (default %(default)s)")
    args = ap.parse_args(argv)
    db = args.db or settings.warehouse_path()
    with tempfile.TemporaryDirectory(prefix="xxgk-report-") as tmp:
        pages = build_county_report(db, Path(tmp))
        png = screenshot(pages[0], args.out, args.window)
    print(f"{png} {png_size(png)[0]}x{png_size(png)[1]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

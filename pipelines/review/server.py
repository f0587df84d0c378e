"""`xxgk review`: the review queue as a local web app on 127.0.0.1 (standard library only).

    xxgk review [--port 8631] [--who NAME]

One page (pipelines/review/static/index.html, no external resource) and a small JSON API:

    GET  /api/queue                       what needs a person, most blocking first
    GET  /api/document/<sha256>           cells, labels, the machine's reading, decisions in force
    GET  /api/page/<sha256>/<n>.png       page n of the stored PDF, rendered by pdfium
    GET  /api/tables/<sha256>             the tables of an HTML/Word document as the readers see them
    POST /api/check                       identities I1–I5 on the values being typed (not saved)
    POST /api/decisions                   record a decision (append-only)
    POST /api/undo                        take a decision back (one more appended decision)

The server binds 127.0.0.1 only, answers only requests addressed to it by that name (a page on
another site cannot drive it: Host and Origin are checked) and reads the warehouse read-only.
"""
from __future__ import annotations

import argparse
import getpass
import json
import logging
import re
import signal
import sys
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

from pipelines import settings
from pipelines.core.mapping import allowed_codes
from pipelines.review import decisions as store
from pipelines.review import pages, queue

log = logging.getLogger(__name__)

DEFAULT_PORT = 8631
STATIC = Path(__file__).with_name("static")
MAX_BODY = 256 * 1024
SHA = r"([0-9a-f]{64})"


class ApiError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def _document_payload(sha: str) -> dict:
    view = queue.document_view(sha)
    if view is None:
        raise ApiError(404, f"no document {sha} in the published warehouse")
    fmt = view["document"]["format"] or ""
    view["view"] = {"kind": "none", "pages": []}
    with queue.raw_file(sha) as raw:
        if raw is not None and fmt.startswith("pdf"):
            view["view"] = {"kind": "pdf", "pages": pages.pdf_page_sizes(str(raw))}
        elif raw is not None and fmt in ("html", "docx", "doc"):
            view["view"] = {"kind": "tables", "pages": []}
    return view


def _record(body: dict, default_who: str) -> dict:
    sha, code, kind = body.get("document_sha256"), body.get("code"), body.get("kind")
    if kind not in ("value", "printed_as_is", "note", "template"):
        raise ApiError(400, "kind must be value, printed_as_is, template or note")
    doc = queue.document(sha or "")
    if doc is None:
        raise ApiError(404, f"no document {sha} in the published warehouse")
    result, layout = queue.reading(sha, doc["year"])
    cells = result.get("cells") or {}
    if kind == "template" and layout is None:
        raise ApiError(400, "only a report the machine could not read takes a template chosen by hand")
    if kind in ("value", "printed_as_is"):
        codes = allowed_codes(result.get("template_s2"), result.get("template_s3"))
        if result.get("status") not in ("ok", "partial") or code not in codes:
            raise ApiError(400, f"{code} is not a cell of this document's layout")
        if kind == "printed_as_is" and code not in cells:
            raise ApiError(400, "按原样印刷只适用于已读出的单元格: only a cell that was read can be confirmed as printed")
    in_force = store.effective(store.read_all()).get(sha, {}).get(code)
    old = in_force["value"] if in_force and in_force["kind"] == "value" else cells.get(code)
    try:
        decision = store.make_decision(who=body.get("who") or default_who, document_sha256=sha, kind=kind,
                                       code=code if kind != "note" else body.get("code"),
                                       value_text=body.get("value_text"), old_value=old,
                                       note=body.get("note") or "", template_s2=body.get("template_s2"),
                                       template_s3=body.get("template_s3"))
    except store.DecisionError as exc:
        raise ApiError(400, str(exc)) from None
    if layout is not None and not layout["decided"] and kind == "value":
        # the reviewer typed into the layout guessed from the year: that choice is a decision too
        store.append(store.make_decision(who=decision["who"], document_sha256=sha, kind="template",
                                         template_s2=layout["template_s2"], template_s3=layout["template_s3"],
                                         note="按年份推定的模板"))
    return store.append(decision)


def _undo(body: dict, default_who: str) -> dict:
    target_id = body.get("id")
    target = next((d for d in store.read_all() if d.get("id") == target_id), None)
    if target is None or target.get("kind") == "undo":
        raise ApiError(404, f"no decision {target_id} to undo")
    try:
        decision = store.make_decision(who=body.get("who") or default_who,
                                       document_sha256=target["document_sha256"], kind="undo",
                                       code=target.get("code"), old_value=target.get("value"),
                                       note=body.get("note") or "", undoes=target_id)
    except store.DecisionError as exc:
        raise ApiError(400, str(exc)) from None
    return store.append(decision)


class ReviewHandler(BaseHTTPRequestHandler):
    server_version = "xxgk-review"
    default_who = "reviewer"

    # ------------------------------------------------------------------ plumbing
    def log_message(self, format: str, *args) -> None:
        log.debug("review %s", format % args)

    def _send(self, status: int, body: bytes, ctype: str, cache: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=3600" if cache else "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Content-Security-Policy",
                         "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                         "script-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'")
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, payload) -> None:
        self._send(status, json.dumps(payload, ensure_ascii=False, default=str).encode("utf-8"),
                   "application/json; charset=utf-8")

    def _host_ok(self) -> bool:
        """Only requests addressed to this loopback server (no DNS rebinding, no other origin)."""
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0]
        if host not in ("127.0.0.1", "localhost"):
            return False
        origin = self.headers.get("Origin")
        if origin is not None and self.command == "POST":
            return re.fullmatch(r"http://(127\.0\.0\.1|localhost)(:\d+)?", origin) is not None \
                and origin.endswith(":" + str(self.server.server_address[1]))
        return True

    def _dispatch(self, routes) -> None:
        if not self._host_ok():
            return self._json(403, {"error": "requests must come from this review app on 127.0.0.1"})
        path = self.path.split("?", 1)[0]
        for pattern, fn in routes:
            m = re.fullmatch(pattern, path)
            if m:
                try:
                    return fn(*m.groups())
                except ApiError as exc:
                    return self._json(exc.status, {"error": exc.message})
                except FileNotFoundError as exc:
                    return self._json(503, {"error": str(exc)})
                except pages.PageError as exc:
                    return self._json(404, {"error": str(exc)})
                except Exception as exc:  # a bug must not kill the server: say what failed
                    log.exception("review %s %s", self.command, path)
                    return self._json(500, {"error": f"{type(exc).__name__}: {exc}"})
        return self._json(404, {"error": f"no such path {path}"})

    def _body(self) -> dict:
        if not (self.headers.get("Content-Type") or "").startswith("application/json"):
            raise ApiError(415, "send JSON (Content-Type: application/json)")
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise ApiError(413, "request too large")
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except json.JSONDecodeError:
            raise ApiError(400, "the body is not JSON") from None
        if not isinstance(body, dict):
            raise ApiError(400, "the body must be a JSON object")
        return body

    # ------------------------------------------------------------------ routes
    def do_GET(self) -> None:  # noqa: N802 - stdlib hook
        self._dispatch([
            (r"/", self._index),
            (r"/api/queue", self._queue),
            (rf"/api/document/{SHA}", lambda sha: self._json(200, _document_payload(sha))),
            (rf"/api/page/{SHA}/(\d+)\.png", self._page),
            (rf"/api/tables/{SHA}", self._tables),
            (r"/favicon\.ico", lambda: self._send(204, b"", "image/x-icon")),
        ])

    def do_POST(self) -> None:  # noqa: N802 - stdlib hook
        self._dispatch([
            (r"/api/check", self._check),
            (r"/api/decisions", lambda: self._json(201, _record(self._body(), self.default_who))),
            (r"/api/undo", lambda: self._json(201, _undo(self._body(), self.default_who))),
        ])

    def _index(self) -> None:
        self._send(200, (STATIC / "index.html").read_bytes(), "text/html; charset=utf-8")

    def _queue(self) -> None:
        items = queue.build_queue()
        self._json(200, {"items": items, "who": self.default_who,
                         "decisions_file": str(store.decisions_path()),
                         "warehouse": str(settings.warehouse_path())})

    def _page(self, sha: str, n: str) -> None:
        with queue.raw_file(sha) as raw:
            if raw is None:
                raise ApiError(404, "the raw file of this document is not in the raw store (or no longer intact)")
            png, _, _ = pages.render_pdf_page(str(raw), int(n))
        self._send(200, png, "image/png", cache=True)

    def _tables(self, sha: str) -> None:
        with queue.raw_file(sha) as raw:
            if raw is None:
                raise ApiError(404, "the raw file of this document is not in the raw store (or no longer intact)")
            tables = pages.document_tables(str(raw))
        self._json(200, {"tables": tables})

    def _check(self) -> None:
        body = self._body()
        sha = body.get("document_sha256") or ""
        if queue.document(sha) is None:
            raise ApiError(404, f"no document {sha}")
        values = body.get("values") or {}
        if not isinstance(values, dict):
            raise ApiError(400, "values must map cell codes to typed text")
        self._json(200, queue.live_checks(sha, {str(k): str(v) for k, v in values.items()}))


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


@contextmanager
def serve_review(port: int = 0, who: str | None = None) -> Iterator[str]:
    """Run the review app on 127.0.0.1:`port` (0: any free port) in a thread; yields its URL."""
    handler = type("Handler", (ReviewHandler,), {"default_who": who or _default_who()})
    server = _Server(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name="xxgk-review", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def _default_who() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in this environment
        return "reviewer"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="xxgk review", description="the review queue in the browser (127.0.0.1)")
    ap.add_argument("--port", type=int, default=DEFAULT_PORT, help="port on 127.0.0.1 (0: any free port)")
    ap.add_argument("--who", default=None, help="reviewer name recorded with each decision (default: $USER)")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if not settings.warehouse_path().exists():
        print(f"xxgk review: no published warehouse at {settings.warehouse_path()}; run `xxgk run` first",
              file=sys.stderr)
        return 2
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        with serve_review(args.port, args.who) as url:
            print(f"xxgk review: {url}/  (decisions: {store.decisions_path()}; Ctrl+C stops)", flush=True)
            stop.wait()
    except OSError as exc:
        print(f"xxgk review: cannot listen on 127.0.0.1:{args.port}: {exc.strerror or exc}; try --port 0",
              file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Serve a folder on 127.0.0.1 (the sample portal, saved test pages).

No directory listings, and nothing outside the folder (symlinks included).
"""
from __future__ import annotations

import argparse
import functools
import os
import signal
import sys
import threading
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

from pipelines import settings


class FolderHandler(SimpleHTTPRequestHandler):
    """Static files from `directory` only; directories without index.html are 404."""

    def _inside(self, translated: str) -> bool:
        root = os.path.realpath(self.directory)
        real = os.path.realpath(translated)
        return real == root or real.startswith(root + os.sep)

    def send_head(self):
        # translate_path already drops `..`; this also stops symlinks that point outside.
        if not self._inside(self.translate_path(self.path)):
            self.send_error(404, "File not found")
            return None
        return super().send_head()

    def list_directory(self, path):  # noqa: D401 - stdlib hook
        self.send_error(404, "No directory listing")
        return None

    def log_message(self, format: str, *args) -> None:  # keep test output quiet
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


@contextmanager
def serve_directory(path: Path | str, handler: type[SimpleHTTPRequestHandler] = FolderHandler,
                    host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve `path` on a free port of 127.0.0.1; yields the base URL `http://127.0.0.1:<port>`."""
    root = Path(path).resolve()
    if not root.is_dir():
        raise FileNotFoundError(f"not a directory: {root}")
    server = _Server((host, port), functools.partial(handler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name=f"serve:{root.name}", daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def main(argv: list[str] | None = None) -> int:
    """`xxgk serve-sample`: serve data/sample_portal until Ctrl-C."""
    parser = argparse.ArgumentParser(prog="xxgk serve-sample", description=main.__doc__)
    parser.add_argument("--dir", default=str(settings.SAMPLE_PORTAL_DIR), help="folder to serve")
    parser.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    args = parser.parse_args(argv)

    def _stop(signum, frame):  # SIGTERM (service managers, `kill`) stops like Ctrl-C
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _stop)
    try:
        with serve_directory(args.dir, port=args.port) as url:
            print(f"Serving {args.dir} at {url}/  (Ctrl-C to stop)\n"
                  f"To crawl this server instead of the pipeline's own: XXGK_SAMPLE_BASE_URL={url}", flush=True)
            threading.Event().wait()
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())

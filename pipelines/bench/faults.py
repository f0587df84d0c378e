"""`make bench-faults`: inject faults and measure what survives.

A clean `xxgk run` on a fresh data folder gives the reference facts. Then, each on a copy of
that folder or on a fresh one: SIGKILL of the whole process group during the crawl, the
extraction, dbt and the publish, each followed by a plain `xxgk run` that must finish by itself;
a damaged raw file followed by `xxgk run --force`; two runs started together on one folder; and
hostile servers on 127.0.0.1 (trickle, hang mid-body, short body, redirect loop, gzip bomb, 500
on a listing page). Prints one row per fault: survived, documents lost, wrong numbers published,
and "held s": how long the fetch was held (servers) or how long the recovery run took until it
finished by itself (kills; a run that waits on a dead run's slot would hit RUN_HANG_GUARD_S).
The longest of those is the longest stall.
"""
from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

XXGK = [sys.executable, "-m", "pipelines.cli"]
REPO = Path(__file__).resolve().parents[2]
RUN_HANG_GUARD_S = 1200  # a recovery run that takes longer than this counts as stuck


# ---------------------------------------------------------------- runs and kills

def run_env(data: Path, port: int) -> dict:
    env = {**os.environ, "XXGK_DATA_DIR": str(data), "DAGSTER_HOME": str(data / "dagster_home"),
           "XXGK_SAMPLE_PORT": str(port)}
    env.pop("XXGK_SAMPLE_BASE_URL", None)
    return env


def start_run(data: Path, port: int, *args: str) -> subprocess.Popen:
    """`xxgk run --json` in a process group of its own, so a kill reaches dbt and the workers too."""
    return subprocess.Popen([*XXGK, "run", "--json", *args], env=run_env(data, port), cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def finish(proc: subprocess.Popen, timeout: float = RUN_HANG_GUARD_S) -> tuple[int | None, dict, str]:
    """(exit code or None if it hung, counters, stderr)."""
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        return None, {}, err
    lines = [line for line in out.strip().splitlines() if line.startswith("{")]
    return proc.returncode, (json.loads(lines[-1]) if lines else {}), err


def _group_cmdlines(pgid: int) -> list[str]:
    out = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            stat = (entry / "stat").read_bytes().rsplit(b")", 1)[1].split()
            if int(stat[2]) == pgid:
                out.append((entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"))
        except (OSError, IndexError, ValueError):
            continue
    return out


def _cache_entries(data: Path) -> int:
    return sum(1 for p in (data / "staging").rglob("*.json") if re.match(r"[0-9a-f]{64}\.", p.name))


def _fetches(data: Path) -> int:
    try:
        with open(data / "raw" / "fetch_log.jsonl", "rb") as fh:
            return sum(1 for _ in fh)
    except OSError:
        return 0


STAGES = {
    "crawl": lambda data, pgid: _fetches(data) >= 30,
    "extraction": lambda data, pgid: _cache_entries(data) >= 15,
    "dbt": lambda data, pgid: any(" build" in c and "dbt" in c for c in _group_cmdlines(pgid)),
    "publish": lambda data, pgid: any(data.glob(".warehouse.duckdb.*.tmp")),
}


def kill_at(data: Path, port: int, stage: str, timeout: float = RUN_HANG_GUARD_S) -> bool:
    """Start a run and SIGKILL its whole process group once `stage` is under way; False when the
    run ended before the stage was seen."""
    proc = start_run(data, port)
    started = time.monotonic()
    while proc.poll() is None and time.monotonic() - started < timeout:
        if STAGES[stage](data, proc.pid):
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            return True
        time.sleep(0.02)
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate()
    return False


def published_facts(data: Path) -> dict[tuple, object]:
    """(document, code) → value of every fact in the published warehouse's marts."""
    import duckdb

    path = data / "warehouse.duckdb"
    if not path.exists():
        return {}
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute("select document_url, document_id, code, value from marts.facts").fetchall()
    finally:
        con.close()
    return {(url, doc, code): value for url, doc, code, value in rows}


def compare(reference: dict, got: dict) -> tuple[int, int]:
    """(documents lost, wrong numbers): documents of the reference with no fact now, and facts whose
    value differs or that the reference does not have."""
    ref_docs = {k[:2] for k in reference}
    got_docs = {k[:2] for k in got}
    lost = len(ref_docs - got_docs)
    wrong = sum(1 for k, v in got.items() if k not in reference or reference[k] != v)
    wrong += sum(1 for k in reference if k[:2] in got_docs and k not in got)
    return lost, wrong


# ---------------------------------------------------------------- hostile servers

class _Hostile(BaseHTTPRequestHandler):
    body = b"%PDF-1.4\n" + b"0" * 4000 + b"\n%%EOF\n"
    bomb = b""  # 200 MB of zeros gzipped, made once before the server starts

    def log_message(self, *a):
        pass

    def _head(self, status=200, length=None, extra=None):
        self.send_response(status)
        self.send_header("Content-Length", str(len(self.body) if length is None else length))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()

    def do_GET(self):  # noqa: N802
        try:
            self._serve()
        except OSError:
            pass

    def _serve(self):
        p = self.path
        if p == "/robots.txt":
            self._head(200, 0)
        elif p == "/trickle":
            self._head()
            for i in range(len(self.body)):
                self.wfile.write(self.body[i:i + 1])
                self.wfile.flush()
                time.sleep(2)
        elif p == "/hang":
            self._head()
            self.wfile.write(self.body[:100])
            self.wfile.flush()
            time.sleep(60)
        elif p == "/short":
            self._head()
            self.wfile.write(self.body[:1000])
            self.close_connection = True
        elif p in ("/loop-a", "/loop-b"):
            self._head(302, 0, {"Location": "/loop-b" if p == "/loop-a" else "/loop-a"})
        elif p == "/gzip-bomb":
            self._head(200, len(self.bomb), {"Content-Encoding": "gzip"})
            self.wfile.write(self.bomb)
        elif p == "/col/index.html":
            page = ('<html><head><meta charset="utf-8"></head><body><a href="a.html">城关镇2021年政府信息公开'
                    '工作年度报告</a><a href="index_1.html">下一页</a></body></html>').encode()
            self._head(200, len(page), {"Content-Type": "text/html"})
            self.wfile.write(page)
        elif p == "/col/index_1.html":
            self._head(500, 0)
        else:
            self._head(404, 0)


@dataclass
class Row:
    fault: str
    survived: bool
    lost: int = 0
    wrong: int = 0
    stall_s: float = 0.0
    note: str = ""


def hostile_rows() -> list[Row]:
    from pipelines.crawl.discover import CrawlIncomplete, crawl_source
    from pipelines.crawl.fetch import Fetcher
    from pipelines.crawl.profile import HttpSpec, profile_from_dict
    from pipelines.crawl.rawstore import RawStore

    _Hostile.bomb = _Hostile.bomb or gzip.compress(b"\0" * (200 * 1024 * 1024), 9)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hostile)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    http = HttpSpec(rate_limit=100, timeout_s=5, connect_timeout_s=2, retries=2, backoff_base_s=0.1,
                    backoff_max_s=0.5, max_bytes=20 * 1024 * 1024)
    rows = []
    with tempfile.TemporaryDirectory(prefix="xxgk-faults-") as tmp:
        store = RawStore(tmp)
        fetcher = Fetcher(allowed_hosts=("127.0.0.1",), http=http, store=store, deadline_s=20)
        expected = {"/trickle": "deadline", "/hang": "timeout", "/short": "short_body",
                    "/loop-a": "too_many_redirects", "/gzip-bomb": "too_large"}
        for path, kind in expected.items():
            t0 = time.monotonic()
            res = fetcher.fetch(base + path)
            held = time.monotonic() - t0
            stored = [p for p in Path(tmp, "raw").glob("??/*")]
            rows.append(Row(f"server: {path.strip('/').split('-')[0]} ({kind})",
                            res.error_kind == kind and not stored, stall_s=held,
                            note=(res.error or "")[:70]))
        profile = profile_from_dict({
            "id": "h", "name": "h", "county": "青川县", "start_urls": ["{base_url}/col/index.html"],
            "listing": {"column_path_pattern": "/col/"}, "years": [2021],
            "orgs": [{"org_id": "cgz", "name": "城关镇", "type": "township"}]},
            base_url=base, http_overrides=http.__dict__)
        t0 = time.monotonic()
        try:
            crawl_source(profile, fetcher)
            rows.append(Row("server: 500 on listing page 2", False, note="crawl succeeded silently"))
        except CrawlIncomplete as exc:
            rows.append(Row("server: 500 on listing page 2", True, stall_s=time.monotonic() - t0,
                            note=str(exc)[:70]))
    server.shutdown()
    return rows


# ---------------------------------------------------------------- the pipeline faults

def _copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, symlinks=True)
    return dst


def pipeline_rows(work: Path, port: int, only: set[str] | None = None) -> tuple[list[Row], float]:
    """`only`: a subset of crawl, extraction, dbt, publish, damaged, concurrent (default: all)."""
    rows = []
    wanted = lambda name: not only or name in only  # noqa: E731
    clean = work / "clean"
    t0 = time.monotonic()
    rc, counters, err = finish(start_run(clean, port))
    clean_s = time.monotonic() - t0
    if rc != 0:
        sys.stderr.write(err[-3000:])
        raise SystemExit(f"the clean reference run failed (exit {rc})")
    reference = published_facts(clean)
    print(f"clean run: {clean_s:.0f} s, {len(reference)} facts in marts.facts, "
          f"{len({k[:2] for k in reference})} documents", flush=True)

    for stage in [s for s in STAGES if wanted(s)]:
        data = work / f"kill-{stage}"
        if stage in ("dbt", "publish"):
            _copy(clean, data)  # the warehouse stages run again only when asked: --force below
            killed = _kill_forced(data, port, stage)
        else:
            data.mkdir()
            killed = kill_at(data, port, stage)
        t0 = time.monotonic()
        rc, counters, err = finish(start_run(data, port))
        held = time.monotonic() - t0
        lost, wrong = compare(reference, published_facts(data))
        counts_ok = (counters.get("reports_parsed") or 0) >= 99
        note = ("killed" if killed else "stage not caught (ran to the end)") + \
               ("" if counts_ok else f"; parsed={counters.get('reports_parsed')}")
        rows.append(Row(f"SIGKILL during {stage}, then xxgk run", rc == 0 and lost == 0 and wrong == 0 and counts_ok,
                        lost, wrong, held, note))
        print(f"  {rows[-1]}", flush=True)

    if wanted("damaged"):
        rows.append(_damaged_raw_row(work, clean, port, reference))
    if wanted("concurrent"):
        rows.append(_concurrent_row(work, clean, port, reference))
    return rows, clean_s


def _damaged_raw_row(work: Path, clean: Path, port: int, reference: dict) -> Row:
    """A changed digit in a stored raw file, then a forced rebuild."""
    data = _copy(clean, work / "damaged-raw")
    damaged = _damage_one_html_blob(data)
    t0 = time.monotonic()
    rc, counters, err = finish(start_run(data, port, "--force"))
    lost, wrong = compare(reference, published_facts(data))
    row = Row("damaged raw file, then xxgk run --force", rc == 0 and wrong == 0 and damaged != "nothing",
              lost, wrong, time.monotonic() - t0, f"damaged {damaged}")
    print(f"  {row}", flush=True)
    return row


def _concurrent_row(work: Path, clean: Path, port: int, reference: dict) -> Row:
    """Two runs started together on one data folder."""
    data = _copy(clean, work / "concurrent")
    t0 = time.monotonic()
    a, b = start_run(data, port, "--force"), start_run(data, port + 1, "--force")
    (rc_a, _, err_a), (rc_b, _, err_b) = finish(a), finish(b)
    waited = "waiting for it to finish" in err_a + err_b
    lost, wrong = compare(reference, published_facts(data))
    row = Row("two runs on one data folder", rc_a == 0 and rc_b == 0 and waited and wrong == 0, lost, wrong,
              time.monotonic() - t0, "second waited" if waited else "no wait seen")
    print(f"  {row}", flush=True)
    return row


def _kill_forced(data: Path, port: int, stage: str) -> bool:
    """Kill a --force run (which rebuilds the warehouse) at `stage`."""
    proc = start_run(data, port, "--force")
    started = time.monotonic()
    while proc.poll() is None and time.monotonic() - started < RUN_HANG_GUARD_S:
        if STAGES[stage](data, proc.pid):
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            return True
        time.sleep(0.01)
    proc.communicate()
    return False


def _damage_one_html_blob(data: Path) -> str:
    """Change one printed number of a stored inline-HTML report (the case that became a wrong fact):
    the first non-zero value after 本年新收 (new applications received)."""
    label = "本年新收".encode()
    for blob in sorted((data / "raw").glob("??/*")):
        body = blob.read_bytes()
        at = body.find(label)
        if b"<table" not in body or at < 0:
            continue
        m = re.compile(rb">\s*([1-9][0-9]*)\s*<").search(body, at)
        if not m:
            continue
        digit = m.group(1)[-1:]
        new = b"9" if digit != b"9" else b"8"
        os.chmod(blob, 0o644)
        blob.write_bytes(body[:m.end(1) - 1] + new + body[m.end(1):])
        # as after an extractor bump: its cached result is gone, so the file is read again
        for cached in (data / "staging").rglob(f"{blob.name}.*"):
            cached.unlink()
        return f"{blob.name[:12]}: {m.group(1).decode()} -> {(m.group(1)[:-1] + new).decode()}"
    return "nothing"


def main() -> int:
    """`--only a,b`: a subset of servers, crawl, extraction, dbt, publish, damaged, concurrent."""
    only = set(sys.argv[sys.argv.index("--only") + 1].split(",")) if "--only" in sys.argv else None
    rows = hostile_rows() if not only or "servers" in only else []
    clean_s = None
    if not only or only - {"servers"}:
        with tempfile.TemporaryDirectory(prefix="xxgk-bench-faults-") as tmp:
            more, clean_s = pipeline_rows(Path(tmp), int(os.environ.get("XXGK_BENCH_PORT", "18941")),
                                          (only - {"servers"}) if only else None)
            rows += more
    print()
    print(f"{'fault':44} {'survived':>8} {'docs lost':>9} {'wrong nums':>10} {'held s':>8}  note")
    for r in rows:
        print(f"{r.fault:44} {'yes' if r.survived else 'NO':>8} {r.lost:>9} {r.wrong:>10} {r.stall_s:>8.1f}  {r.note}")
    survived = sum(r.survived for r in rows)
    print(f"\nfaults tried {len(rows)}, survived {survived}, documents lost {sum(r.lost for r in rows)}, "
          f"wrong numbers published {sum(r.wrong for r in rows)}, longest stall {max((r.stall_s for r in rows), default=0):.1f} s"
          + (f" (a clean run took {clean_s:.0f} s)" if clean_s else ""))
    return 0 if survived == len(rows) else 1


if __name__ == "__main__":
    sys.exit(main())

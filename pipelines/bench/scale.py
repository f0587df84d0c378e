"""`make bench-scale`: a generated province (tools/province) crawled, extracted and published by
`xxgk run`, each county on its own loopback address.

    .venv/bin/python -m pipelines.bench.scale --counties 20 --docs-per-county 75 [--sizes 10,20]

Nights, each one `xxgk run --json` in a fresh process with its own XXGK_DATA_DIR and DAGSTER_HOME:
  1. XXGK_WORKERS=<cores> on a fresh data folder               → wall_s_n
  2. the same folder again, nothing changed on the portals     → noop_ratio = noop wall / wall_s_n
  3. the same folder, one county's portal answering HTTP 500   → isolated_failure: the warehouse was
     published again, the other counties' documents are in it, the failed county's earlier documents
     are still there, and its coverage says crawl_failed (the run's exit status is shown beside it)
  4. XXGK_WORKERS=1 pinned to one CPU, on another fresh folder → wall_s_1, speedup = wall_s_1 / wall_s_n
     (the same work on one core against all cores: the parallel speedup); and XXGK_WORKERS=1 on every
     CPU, on a third folder → wall_s_1_unpinned, speedup_vs_unpinned_workers1 (one county at a time,
     but its crawl threads, DuckDB's threads and its extraction worker still overlap on the other
     cores, so this ratio understates what the cores add)
  5. each smaller size of --sizes on a fresh folder (all cores) → peak memory per size
The figures so far are printed after every night (`[bench-scale] so far: {...}`).
Peak memory: the summed resident set (VmRSS) of every process of the run's session (the run is
started in a session of its own, so dbt, Dagster step and extraction workers are all counted),
polled every 0.2 s from /proc; shared pages count once per process, so this overstates a little.
The last line of output is one JSON object with the figures.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:  # `python pipelines/bench/scale.py` as well as `-m`
    sys.path.insert(0, str(REPO))

from tools.province.generate import generate  # noqa: E402
from tools.province.serve import ProvinceServers, free_port  # noqa: E402

RUN_TIMEOUT_S = 3 * 3600
POLL_S = 0.2
PROJECT_REPORTS, PROJECT_CORES = 30_000, 16
# Amdahl: the measured speedup S on n workers gives the parallel share p of one-worker time,
# S = 1 / ((1 - p) + p / n)  →  p = (1 - 1/S) / (1 - 1/n); the per-document cost is wall_s_1 / documents
# (fixed start-up and dbt time included, so the projection errs long).
PROJECTION_FORMULA = ("wall_s_1 / documents * 30000 * ((1 - p) + p / 16), "
                      "p = clamp((1 - 1/speedup) / (1 - 1/workers_n), 0, 1)")


# ---------------------------------------------------------------- memory of a process tree

def _stat(pid: str) -> tuple[int, int] | None:
    """(ppid, session id) of a process, None when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1].split()
        return int(fields[1]), int(fields[3])
    except (OSError, IndexError, ValueError):
        return None


def tree_rss_bytes(root: int) -> tuple[int, int]:
    """(summed VmRSS bytes, process count) of `root`'s session and every descendant of `root`."""
    parents: dict[int, int] = {}
    members: set[int] = {root}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        st = _stat(entry)
        if st is None:
            continue
        pid = int(entry)
        parents[pid] = st[0]
        if st[1] == root:
            members.add(pid)
    changed = True
    while changed:  # descendants that left the session (setsid) still count
        changed = False
        for pid, ppid in parents.items():
            if ppid in members and pid not in members:
                members.add(pid)
                changed = True
    page = os.sysconf("SC_PAGE_SIZE")
    total = 0
    for pid in members:
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * page
        except (OSError, IndexError, ValueError):
            continue
    return total, len(members)


class PeakSampler(threading.Thread):
    def __init__(self, pid: int):
        super().__init__(daemon=True, name="rss-sampler")
        self.pid, self.peak, self.peak_procs = pid, 0, 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            rss, procs = tree_rss_bytes(self.pid)
            self.peak, self.peak_procs = max(self.peak, rss), max(self.peak_procs, procs)
            self._stop_event.wait(POLL_S)

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=5)


# ---------------------------------------------------------------- one night

@dataclass
class Night:
    name: str
    wall_s: float
    returncode: int | None
    peak_rss_mb: float
    peak_procs: int
    counters: dict = field(default_factory=dict)
    stderr_tail: str = ""
    load_before: float = 0.0  # 1-minute load average when the night started (the machine is shared)


def run_env(data: Path, sources_dir: Path, ids: list[str], workers: int) -> dict:
    env = {**os.environ, "XXGK_DATA_DIR": str(data), "DAGSTER_HOME": str(data / "dagster_home"),
           "XXGK_SOURCES_DIR": str(sources_dir), "XXGK_SOURCES": ",".join(ids), "XXGK_WORKERS": str(workers)}
    env.pop("XXGK_SAMPLE_BASE_URL", None)
    return env


def night(name: str, data: Path, sources_dir: Path, ids: list[str], workers: int, logs: Path,
          cpus: set[int] | None = None) -> Night:
    """One `xxgk run --json` as the nightly schedule starts it; wall time and peak memory.
    `cpus`: the CPUs the run (and every process it starts) may use, None for all."""
    data.mkdir(parents=True, exist_ok=True)
    logs.mkdir(parents=True, exist_ok=True)
    xxgk = Path(sys.executable).with_name("xxgk")
    out_path, err_path = logs / f"{name}.out", logs / f"{name}.err"
    print(f"[bench-scale] {name}: xxgk run, {len(ids)} counties, XXGK_WORKERS={workers}, data {data}", flush=True)
    load_before = os.getloadavg()[0]
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        start = time.perf_counter()
        pin = (lambda: os.sched_setaffinity(0, cpus)) if cpus else None  # inherited by every child
        proc = subprocess.Popen([str(xxgk), "run", "--json"], env=run_env(data, sources_dir, ids, workers),
                                cwd=REPO, stdout=out, stderr=err, start_new_session=True, preexec_fn=pin)
        sampler = PeakSampler(proc.pid)
        sampler.start()
        try:
            rc = proc.wait(timeout=RUN_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            rc = None
        wall = time.perf_counter() - start
        sampler.stop()
    lines = [line for line in out_path.read_text(errors="replace").splitlines() if line.startswith("{")]
    counters = json.loads(lines[-1]) if lines else {}
    tail = err_path.read_text(errors="replace")[-3000:]
    result = Night(name, round(wall, 1), rc, round(sampler.peak / 2**20, 1), sampler.peak_procs, counters, tail,
                   round(load_before, 2))
    print(f"[bench-scale] {name}: {result.wall_s:.1f} s, exit {rc}, peak RSS {result.peak_rss_mb:.0f} MB "
          f"({result.peak_procs} processes), load average before {load_before:.1f}", flush=True)
    if rc != 0:
        print(f"[bench-scale] {name}: stderr tail:\n{tail}", flush=True)
    return result


# ---------------------------------------------------------------- the published warehouse

def published_documents_by_host(data: Path) -> dict[str, int]:
    """host:port → documents with facts in the published warehouse's marts.facts."""
    import duckdb

    path = data / "warehouse.duckdb"
    if not path.exists():
        return {}
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute("select split_part(document_url, '/', 3) as host, count(distinct document_url) "
                           "from marts.facts group by 1").fetchall()
    finally:
        con.close()
    return {h: n for h, n in rows}


def coverage_of(data: Path, source_id: str) -> dict:
    """The published coverage of one source: status counts and its crawl state."""
    import duckdb

    con = duckdb.connect(str(data / "warehouse.duckdb"), read_only=True)
    try:
        statuses = dict(con.execute("select status, count(*) from marts.coverage where source_id = ? group by 1",
                                    [source_id]).fetchall())
        crawl = con.execute("select distinct source_crawl_status, source_crawl_error from marts.coverage "
                            "where source_id = ?", [source_id]).fetchall()
    except duckdb.Error as exc:
        return {"error": str(exc).splitlines()[0]}
    finally:
        con.close()
    return {"statuses": statuses, "crawl": [list(r) for r in crawl]}


def isolated_failure_check(data: Path, province: dict, failed: dict, before: dict[str, int],
                           fail_night: Night, published_before: float | None) -> dict:
    after = published_documents_by_host(data)
    failed_host = failed["base_url"].split("//", 1)[1]
    others_ok = all(after.get(c["base_url"].split("//", 1)[1], 0) == c["documents"]
                    for c in province["counties"] if c["id"] != failed["id"])
    failed_kept = after.get(failed_host, 0) == before.get(failed_host, -1) and before.get(failed_host, 0) > 0
    mtime = (data / "warehouse.duckdb").stat().st_mtime if (data / "warehouse.duckdb").exists() else None
    cov = coverage_of(data, failed["id"])
    says_failed = any(row[0] == "crawl_failed" for row in cov.get("crawl", [])) or \
        cov.get("statuses", {}).get("crawl_failed", 0) > 0
    detail = {"run_exit": fail_night.returncode, "warehouse_republished": mtime is not None and mtime != published_before,
              "others_published": others_ok, "failed_county_rows_kept": failed_kept,
              "failed_county_documents_before_after": [before.get(failed_host, 0), after.get(failed_host, 0)],
              "failed_county_coverage": cov, "failed_county_says_crawl_failed": says_failed}
    # "The run published": the warehouse was swapped; the run's exit status is reported beside it.
    detail["ok"] = detail["warehouse_republished"] and others_ok and failed_kept and says_failed
    return detail


# ---------------------------------------------------------------- the bench

def failing_county(province: dict) -> dict:
    """The county made to fail: one in the middle with listing pages (TRS or channel). A Hanweb
    county is enumerated without listings, so its outage shows as failed documents rather than
    a failed crawl, which is not what this night measures."""
    counties = province["counties"]
    order = counties[len(counties) // 2:] + counties[:len(counties) // 2]
    return next((c for c in order if c["family"] != "hanweb"), order[0])


def projection(wall_s_1: float, documents: int, speedup: float | None, workers_n: int) -> float | None:
    if not documents or not wall_s_1 or not speedup or workers_n < 2:
        return None
    p = min(1.0, max(0.0, (1 - 1 / speedup) / (1 - 1 / workers_n)))
    return round(wall_s_1 / documents * PROJECT_REPORTS * ((1 - p) + p / PROJECT_CORES), 1)


def make_province(root: Path, counties: int, docs: int, seed: str, pdf_share: float) -> tuple[dict, float]:
    hosts = [f"127.0.0.{k + 10}" for k in range(1, counties + 1)]
    port = free_port(hosts)
    t0 = time.perf_counter()
    province = generate(root, counties, seed, docs, port, pdf_share, jobs=os.cpu_count() or 1)
    gen_s = time.perf_counter() - t0
    print(f"[bench-scale] generated {counties} counties, {province['documents']} documents in {gen_s:.1f} s "
          f"(port {port}) -> {root}", flush=True)
    return province, gen_s


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m pipelines.bench.scale", description=__doc__.split("\n\n")[0])
    ap.add_argument("--counties", type=int, default=20)
    ap.add_argument("--docs-per-county", type=int, default=75)
    ap.add_argument("--sizes", default="", help="county counts for the memory comparison, e.g. 10,20 "
                                                "(default: half of --counties and --counties)")
    ap.add_argument("--seed", default="1")
    ap.add_argument("--pdf-share", type=float, default=0.4, help="share of reports as ReportLab PDF attachments")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="XXGK_WORKERS of the all-cores nights")
    ap.add_argument("--fail-mode", default="500", choices=("500", "refuse"))
    ap.add_argument("--fail-county", default="", help="id of the county made to fail (default: a TRS or channel "
                                                       "county in the middle)")
    ap.add_argument("--single", default="both", choices=("one_core", "unpinned", "both", "none"),
                    help="the one-worker night(s): XXGK_WORKERS=1 pinned to one CPU (the speedup's baseline: the "
                         "same work on one core), XXGK_WORKERS=1 on every CPU (its crawl threads, DuckDB threads "
                         "and extraction worker still overlap on the other cores), both, or none")
    ap.add_argument("--keep", action="store_true", help="keep the work folder (printed) for inspection")
    args = ap.parse_args(argv)

    sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()} | {args.counties}) if args.sizes else \
        sorted({max(1, args.counties // 2), args.counties})
    if max(sizes) != args.counties:
        ap.error("--sizes must not exceed --counties")
    work = Path(tempfile.mkdtemp(prefix="xxgk-bench-scale-"))
    logs = work / "logs"
    result: dict = {"counties": args.counties, "docs_per_county": args.docs_per_county, "workers_n": args.workers,
                    "seed": args.seed, "pdf_share": args.pdf_share}
    t_bench = time.perf_counter()
    nights: list[Night] = []
    try:
        province, gen_s = make_province(work / "province", args.counties, args.docs_per_county, args.seed,
                                        args.pdf_share)
        ids = [c["id"] for c in province["counties"]]
        sources = work / "province" / "sources"
        result.update(documents=province["documents"], generate_s=round(gen_s, 1))
        rss_by_size: dict[str, float] = {}
        docs_by_size = {str(args.counties): province["documents"]}
        wall_by_size: dict[str, float] = {}
        one = None

        def figures() -> dict:
            """The figures so far (printed after every night, so a bench cut short still tells)."""
            first_s = first.wall_s if first else None
            speedup = round(one.wall_s / first_s, 2) if one and first_s else None
            smallest = str(min(sizes))
            return {
                "wall_s_1": one.wall_s if one else None, "wall_s_n": first_s, "speedup": speedup,
                "wall_s_1_is": ("XXGK_WORKERS=1 pinned to one CPU" if one and one.name.endswith("one_core")
                                else "XXGK_WORKERS=1 on every CPU" if one else None),
                "wall_s_1_unpinned": one_unpinned.wall_s if one_unpinned else None,
                "speedup_vs_unpinned_workers1": round(one_unpinned.wall_s / first_s, 2)
                if one_unpinned and first_s else None,
                "peak_rss_mb": max((n.peak_rss_mb for n in nights), default=None),
                "peak_rss_mb_by_size": rss_by_size, "documents_by_size": docs_by_size,
                "wall_s_n_by_size": wall_by_size,
                "rss_growth": round(rss_by_size[str(args.counties)] / rss_by_size[smallest], 2)
                if len(rss_by_size) > 1 and rss_by_size.get(smallest) else None,
                "noop_s": noop.wall_s if noop else None,
                "noop_ratio": round(noop.wall_s / first_s, 3) if noop and first_s else None,
                "isolated_failure": iso["ok"] if iso else None, "isolated_failure_detail": iso,
                "failed_county": failed["id"],
                "all_nights_exit": {n.name: n.returncode for n in nights},
                "load_average_before": {n.name: n.load_before for n in nights},
                "projection_s_30000_reports_16_cores": projection(one.wall_s if one else 0, province["documents"],
                                                                  speedup, args.workers),
                "projection_formula": PROJECTION_FORMULA,
                "rss_method": "peak over 0.2 s polls of summed VmRSS (/proc/<pid>/statm) of the run's session "
                              "and its descendants",
                "bench_s": round(time.perf_counter() - t_bench, 1),
            }

        def partial() -> None:
            print("[bench-scale] so far: " + json.dumps({**result, **figures()}, ensure_ascii=False), flush=True)

        first = noop = iso = one_unpinned = None
        failed = next(c for c in province["counties"] if c["id"] == args.fail_county) if args.fail_county \
            else failing_county(province)
        warehouse = work / "data_n" / "warehouse.duckdb"
        with ProvinceServers(work / "province") as servers:
            # all cores first: the first night, the unchanged night and the failure night come early
            first = night(f"night1_workers{args.workers}", work / "data_n", sources, ids, args.workers, logs)
            nights.append(first)
            before = published_documents_by_host(work / "data_n")
            result["published_documents"] = sum(before.values())
            rss_by_size[str(args.counties)], wall_by_size[str(args.counties)] = first.peak_rss_mb, first.wall_s
            partial()
            noop = night("night2_unchanged", work / "data_n", sources, ids, args.workers, logs)
            nights.append(noop)
            published_before = warehouse.stat().st_mtime if warehouse.exists() else None
            partial()
            servers.fail(failed["id"], args.fail_mode)
            fail = night(f"night3_{failed['id']}_fails", work / "data_n", sources, ids, args.workers, logs)
            nights.append(fail)
            servers.restore(failed["id"])
            iso = isolated_failure_check(work / "data_n", province, failed, before, fail, published_before)
            partial()
            if args.single in ("one_core", "both"):
                one = night("night1_workers1_one_core", work / "data_1", sources, ids, 1, logs, cpus={0})
                nights.append(one)
                partial()
            if args.single in ("unpinned", "both"):
                one_unpinned = night("night1_workers1_unpinned", work / "data_1u", sources, ids, 1, logs)
                nights.append(one_unpinned)
                if one is None:
                    one = one_unpinned
                partial()
        for size in sizes:
            if size == args.counties:
                continue
            small, _ = make_province(work / f"province_{size}", size, args.docs_per_county, args.seed, args.pdf_share)
            with ProvinceServers(work / f"province_{size}"):
                n = night(f"size{size}_workers{args.workers}", work / f"data_size{size}",
                          work / f"province_{size}" / "sources", [c["id"] for c in small["counties"]],
                          args.workers, logs)
            nights.append(n)
            rss_by_size[str(size)], docs_by_size[str(size)], wall_by_size[str(size)] = \
                n.peak_rss_mb, small["documents"], n.wall_s
            partial()
        result.update(figures())
        print_summary(result, nights)
    finally:
        if args.keep:
            print(f"[bench-scale] work folder kept: {work}", flush=True)
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(result, ensure_ascii=False))
    # the night a county is made to fail must exit 1 (and isolated_failure says whether the others
    # were published); every other night must exit 0
    expected = {n.name: 1 if n.name.endswith("_fails") else 0 for n in nights}
    return 0 if all(n.returncode == expected[n.name] for n in nights) and result.get("isolated_failure") else 1


def print_summary(r: dict, nights: list[Night]) -> None:
    print("\n省级规模基准 province scale bench")
    print(f"  counties {r['counties']}, documents {r['documents']} (published with facts after night 1: "
          f"{r['published_documents']}), generated in {r['generate_s']} s")
    print(f"  {'night':34} {'wall s':>8} {'exit':>5} {'peak RSS MB':>12} {'procs':>6} {'load before':>12}")
    for n in nights:
        print(f"  {n.name:34} {n.wall_s:>8.1f} {str(n.returncode):>5} {n.peak_rss_mb:>12.0f} {n.peak_procs:>6}"
              f" {n.load_before:>12.1f}")
    print(f"  speedup (one core / {r['workers_n']} workers on every core): {r['speedup']} ({r['wall_s_1_is']}); "
          f"against XXGK_WORKERS=1 unpinned: {r['speedup_vs_unpinned_workers1']}")
    print(f"  second unchanged night / first: {r['noop_ratio']}")
    print(f"  peak RSS by size (counties → MB): {r['peak_rss_mb_by_size']} (growth {r['rss_growth']})")
    print(f"  one county failing left the others published: {r['isolated_failure']}")
    print(f"  projection, {PROJECT_REPORTS} reports on {PROJECT_CORES} cores: "
          f"{r['projection_s_30000_reports_16_cores']} s ({r['projection_formula']})")


if __name__ == "__main__":
    sys.exit(main())

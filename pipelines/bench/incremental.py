"""`make bench-incremental`: a first `xxgk run` on an empty data folder, then a second one right
after over the unchanged sample portal. Prints both runs' counters and the time ratio."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed_run(data_dir: Path) -> tuple[float, dict]:
    """One `xxgk run --json` in a fresh process, as the nightly schedule would start it."""
    env = {**os.environ, "XXGK_DATA_DIR": str(data_dir), "DAGSTER_HOME": str(data_dir / "dagster_home")}
    xxgk = Path(sys.executable).with_name("xxgk")
    start = time.perf_counter()
    proc = subprocess.run([str(xxgk), "run", "--json"], env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr[-4000:])
        raise SystemExit(f"xxgk run failed with exit code {proc.returncode}")
    return elapsed, json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="xxgk-bench-") as tmp:
        data = Path(tmp)
        first_s, first = timed_run(data)
        second_s, second = timed_run(data)
    keys = ["discovered", "downloaded", "not_modified", "extract_extracted", "extract_skipped_unchanged",
            "facts_loaded"]
    print(f"{'counter':28} {'first run':>10} {'second run':>11}")
    for k in keys:
        print(f"{k:28} {first.get(k, 0):>10} {second.get(k, 0):>11}")
    print(f"{'wall time (s)':28} {first_s:>10.1f} {second_s:>11.1f}")
    ratio = second_s / first_s
    print(f"second run / first run: {ratio:.1%} (target < 20%); "
          f"second run downloaded {second.get('downloaded', 0)}, extracted {second.get('extract_extracted', 0)}")
    return 0 if second.get("downloaded", 0) == 0 and second.get("extract_extracted", 0) == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

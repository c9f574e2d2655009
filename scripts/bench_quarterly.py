"""Benchmark the quarterly release (``reportgen build 2025Q2``): cold, unchanged, after a resubmission.

Runs the real command line in a temporary copy of the project, for the sample and for larger
generated datasets, and reports wall time and the peak memory of the whole process tree.

    .venv/bin/python scripts/bench_quarterly.py              # the sample, 3× and 10× its members
    .venv/bin/python scripts/bench_quarterly.py --sizes 44   # the sample only

Not a test: timings depend on the machine and on what else runs on it. Targets (issue 16):
a cold quarterly release of the sample in at most 3 s, an unchanged rebuild in at most 0.5 s.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_build import make_project, resubmit, run_measured  # noqa: E402

QUARTER = "2025Q2"


def bench(members: int) -> list[tuple[str, float, float]]:
    with tempfile.TemporaryDirectory(prefix="bench-quarterly-") as tmp:
        project = make_project(Path(tmp) / "project", None if members == 44 else members, 8)
        env_cache = {"REPORTGEN_CACHE_DIR": str(Path(tmp) / "cache")}
        cmd = [sys.executable, "-m", "reportgen", "build", QUARTER, "-q"]
        os.environ.update(env_cache)
        rows = []
        wall, rss, code = run_measured(cmd, project)
        rows.append(("cold (empty cache)", wall, rss))
        wall, rss, code = run_measured(cmd, project)
        rows.append(("unchanged rebuild", wall, rss))
        resubmit(project)
        wall, rss, code = run_measured(cmd, project)
        rows.append(("after a resubmission", wall, rss))
        shutil.rmtree(Path(tmp) / "cache", ignore_errors=True)
        return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[44, 132, 440],
                    help="numbers of members (44: the sample; others are generated)")
    args = ap.parse_args()
    print(f"reportgen quarterly release benchmark — {QUARTER}, 8 quarters of data, {os.cpu_count()} cores\n")
    print("| members | scenario | wall time | peak memory |")
    print("|---|---|---|---|")
    for members in args.sizes:
        for name, wall, rss in bench(members):
            print(f"| {members}{' (sample)' if members == 44 else ''} | {name} | {wall:.2f} s | {rss:,.0f} MiB |",
                  flush=True)


if __name__ == "__main__":
    main()

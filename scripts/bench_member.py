#!/usr/bin/env python3
"""Benchmark `reportgen member aggregate` on synthetic exports of growing size.

    .venv/bin/python scripts/bench_member.py                  # small, medium, large (the issue's large member)
    .venv/bin/python scripts/bench_member.py --sizes small    # one size
    .venv/bin/python scripts/bench_member.py --keep           # keep the exports in /tmp/reportgen-member-bench

Each export is generated with NumPy (seeded) into a temporary folder, then
`reportgen member aggregate` runs on it as a fresh process (cold: Python
start-up and imports included) over the two quarters 2025Q1–2025Q2, ``--repeat``
times; wall time, cpu and the peak memory of the process tree are measured as
the other benchmarks measure them (``benchlib.measure``) and their medians shown.
Prints a Markdown table: rows of the export, wall time, cpu, peak memory, input
rows a second. Target (issue 14): the large member in ≤ 20 s and ≤ 2 GB.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import REPO, Measure, Version, machine, measure  # noqa: E402

LARGE = {"clients": 200_000, "sessions": 1_000_000, "needs": 500_000, "assessments": 300_000, "hours": 50_000}
SIZES = {"small": 0.1, "medium": 0.4, "large": 1.0}
REGIONS = np.array(["AKL", "WKO", "BOP", "WGN", "CAN"])
SERVICES = np.array(["information_advice", "advocacy", "counselling", "case_management", "food_support",
                     "financial_capability", "housing_support", ""])
NEEDS = np.array(["food", "housing", "income", "debt", "mental_health", "employment"])
DOMAINS = np.array(["housing", "safety", "financial_resilience", "mental_health"])


def _dates(rng: np.random.Generator, n: int, start: str, days: int) -> np.ndarray:
    base = np.datetime64(start)
    return (base + rng.integers(0, days, n).astype("timedelta64[D]")).astype(str)


QUOTING = {"style": "none"}  # the values hold no comma or quote mark


def _write(path: Path, columns: dict[str, np.ndarray]) -> None:
    table = pa.table({k: pa.array(v) for k, v in columns.items()})
    pacsv.write_csv(table, path, write_options=pacsv.WriteOptions(quoting_style=QUOTING["style"]))


def generate(folder: Path, scale: float, seed: int = 14) -> int:
    """Write an export of ``scale`` × the large member; returns its number of rows."""
    rng = np.random.default_rng(seed)
    n = {k: max(1, int(v * scale)) for k, v in LARGE.items()}
    folder.mkdir(parents=True, exist_ok=True)
    keys = np.char.add("C", np.char.zfill(np.arange(n["clients"]).astype(str), 7))
    birth = _dates(rng, n["clients"], "1935-01-01", 85 * 365)
    birth[rng.random(n["clients"]) < 0.1] = ""
    _write(folder / "clients.csv", {
        "client_key": keys, "birth_date": birth,
        "gender": rng.choice(np.array(["female", "male", "another_gender", ""]), n["clients"], p=[.55, .4, .02, .03]),
        "ethnicity": rng.choice(np.array(["european", "maori", "pacific;maori", "asian", "", "other"]),
                                n["clients"]),
        "first_service_date": np.where(rng.random(n["clients"]) < 0.2,
                                       _dates(rng, n["clients"], "2022-01-01", 1000), ""),
    })
    s = n["sessions"]
    k = rng.choice([1, 1, 1, 2, 3], s)
    who = [keys[rng.integers(0, n["clients"], s)] for _ in range(3)]
    attendees = np.where(k == 1, who[0], np.where(k == 2, np.char.add(np.char.add(who[0], ";"), who[1]),
                                                  np.char.add(np.char.add(np.char.add(np.char.add(who[0], ";"),
                                                                                      who[1]), ";"), who[2])))
    _write(folder / "sessions.csv", {
        "session_id": np.char.add("S", np.char.zfill(np.arange(s).astype(str), 8)),
        "date": _dates(rng, s, "2024-10-01", 272), "region": rng.choice(REGIONS, s),
        "service_type": rng.choice(SERVICES, s), "client_keys": attendees,
        "unidentified": rng.choice(np.array(["", "", "", "0", "1", "2"]), s),
    })
    _write(folder / "needs.csv", {"client_key": keys[rng.integers(0, n["clients"], n["needs"])],
                                  "date": _dates(rng, n["needs"], "2024-10-01", 272),
                                  "need": rng.choice(NEEDS, n["needs"])})
    _write(folder / "assessments.csv", {"client_key": keys[rng.integers(0, n["clients"], n["assessments"])],
                                        "date": _dates(rng, n["assessments"], "2024-10-01", 272),
                                        "domain": rng.choice(DOMAINS, n["assessments"]),
                                        "rating": rng.integers(1, 6, n["assessments"]).astype(str)})
    _write(folder / "hours.csv", {"date": _dates(rng, n["hours"], "2025-01-01", 181),
                                  "region": rng.choice(REGIONS, n["hours"]),
                                  "kind": rng.choice(np.array(["paid", "volunteer"]), n["hours"]),
                                  "hours": np.round(rng.uniform(0.5, 12, n["hours"]), 2).astype(str)})
    return sum(n.values())


def run(folder: Path, out: Path) -> Measure:
    """One cold `reportgen member aggregate`: wall, cpu and peak memory of its process tree, exit code."""
    shutil.rmtree(out, ignore_errors=True)
    this = Version.this()
    cmd = this.reportgen("member", "aggregate", str(folder), "--org", "BENCH1", "--from", "2025Q1", "--to", "2025Q2",
                         "--out", str(out), "--quiet")
    return measure(cmd, REPO, this.env())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", choices=list(SIZES), default=list(SIZES))
    parser.add_argument("--keep", action="store_true", help="keep the generated exports")
    parser.add_argument("--quote-all", action="store_true", help="quote every field, as some CMSs do")
    parser.add_argument("--repeat", type=int, default=1, help="runs per size (medians shown)")
    args = parser.parse_args()
    QUOTING["style"] = "all_valid" if args.quote_all else "none"
    root = Path(tempfile.gettempdir()) / "reportgen-member-bench"
    print(f"# reportgen member aggregate, 2025Q1–2025Q2; {machine()}"
          f"{'; every field quoted' if args.quote_all else ''}\n")
    print("| size | clients | sessions | needs | assessments | hours | export rows | runs | wall (s) | cpu (s) "
          "| peak memory (MB) | rows / s |")
    print("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    try:
        for name in args.sizes:
            scale = SIZES[name]
            folder = root / name
            t0 = time.perf_counter()
            rows = generate(folder, scale)
            made = time.perf_counter() - t0
            results = [run(folder, root / f"{name}-out") for _ in range(args.repeat)]
            wall = statistics.median(m.wall for m in results)
            cpu = statistics.median(m.cpu for m in results)
            peak = statistics.median(m.peak_mib for m in results)
            counts = [max(1, int(v * scale)) for v in LARGE.values()]
            codes = sorted({m.code for m in results} - {0})
            status = "" if not codes else f" (exit {codes[0]})"
            print(f"| {name}{status} | " + " | ".join(f"{c:,}" for c in counts) +
                  f" | {rows:,} | {len(results)} | {wall:.1f} | {cpu:.1f} | {peak:,.0f} | {rows / wall:,.0f} |",
                  flush=True)
            print(f"<!-- {name}: generated in {made:.1f} s -->", file=sys.stderr)
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()

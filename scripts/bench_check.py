#!/usr/bin/env python3
"""Benchmark ``check``'s reading and validation at three sizes (not a test).

    .venv/bin/python scripts/bench_check.py              # sample, 500 × 12, 5,000 × 20
    .venv/bin/python scripts/bench_check.py --sizes sample medium
    .venv/bin/python scripts/bench_check.py --readers    # also time the careful csv-module reader

Datasets are generated under /tmp/reportgen-bench (never committed) with
``python -m reportgen.inputs.sample_data --fast``. Each measurement runs in a fresh
child process (load register → read every file → validate all 14 rules for
2025H1); wall time is measured around the child and peak memory is the
child's maximum resident set size (``os.wait4``). Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCH = Path("/tmp/reportgen-bench")
SIZES = {"sample": None, "medium": (500, 12), "large": (5000, 20)}

CHILD = r"""
import json, sys, time
from pathlib import Path
from reportgen import submissions
from reportgen.config import load_config
from reportgen.periods import Period
from reportgen.register import load_register
from reportgen.submissions import load_submissions
from reportgen.validate import validate
if sys.argv[2] == "careful":
    submissions._is_fast = lambda raw: False
t0 = time.perf_counter()
config = load_config(Path(sys.argv[1]) / "config.yaml")
register, _ = load_register(config)
subs = load_submissions(config)
t1 = time.perf_counter()
data = validate(subs, register, config, Period.parse("2025H1"))
t2 = time.perf_counter()
out = {"files": len(subs.files), "rows": len(subs.rows), "read": t1 - t0, "validate": t2 - t1,
       "errors": sum(f.is_error for f in data.findings),
       "warnings": sum(not f.is_error for f in data.findings)}
if sys.argv[3] == "metrics":  # check + metrics: aggregate, confidentialise, derived figures
    from reportgen.aggregate import aggregate
    from reportgen.confidentiality import confidentialise
    from reportgen.metrics import compute_metrics
    agg = aggregate(data.rows, register, config, Period.parse("2025H1"))
    t3 = time.perf_counter()
    store = confidentialise(agg, config, config.confidentiality_key())
    t4 = time.perf_counter()
    compute_metrics(store, agg, config)
    out["metrics"] = time.perf_counter() - t2
    out["parts"] = {"aggregate": t3 - t2, "confidentialise": t4 - t3, "derived": time.perf_counter() - t4}
print(json.dumps(out))
"""


def dataset(name: str) -> Path:
    if SIZES[name] is None:
        return REPO
    members, quarters = SIZES[name]
    root = BENCH / f"{members}x{quarters}"
    if not (root / "data" / "members.csv").exists():
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
        shutil.copy(REPO / "config.yaml", root / "config.yaml")
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "reportgen.inputs.sample_data", "--fast", "--members", str(members),
                        "--quarters", str(quarters), "--out", str(root / "data")], check=True, cwd=REPO)
        print(f"generated {name} in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    return root


def measure(root: Path, reader: str, what: str = "check") -> dict:
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(root), reader, what], stdout=subprocess.PIPE,
                            cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"child failed for {root} ({status})")
    result = json.loads(out)
    result.update(wall=wall, peak_mb=usage.ru_maxrss / 1024, reader=reader)
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", nargs="+", choices=list(SIZES), default=list(SIZES))
    ap.add_argument("--readers", action="store_true", help="also measure the careful (csv module) reader")
    ap.add_argument("--metrics", action="store_true",
                    help="measure check + metrics (aggregate, confidentialise, derived figures) in one process")
    args = ap.parse_args()
    rows = []
    for name in args.sizes:
        root = dataset(name)
        for reader in (["fast", "careful"] if args.readers and name != "large" else ["fast"]):
            r = measure(root, reader, "metrics" if args.metrics else "check")
            r["name"] = name
            rows.append(r)
            parts = ", ".join(f"{k} {v:.1f} s" for k, v in r.get("parts", {}).items())
            print(f"{name} {reader}: {r['wall']:.1f} s, {r['peak_mb']:.0f} MB {parts}", file=sys.stderr)
    metrics = " metrics (s) |" if args.metrics else ""
    print(f"| dataset | reader | files | rows | read (s) | validate (s) |{metrics} wall (s) | peak memory (MB) "
          "| errors | warnings |")
    print("|---|---|--:|--:|--:|--:|" + ("--:|" if args.metrics else "") + "--:|--:|--:|--:|")
    for r in rows:
        label = "sample (44 × 8)" if r["name"] == "sample" else "{} × {}".format(*SIZES[r["name"]])
        print(f"| {label} | {r['reader']} | {r['files']:,} | {r['rows']:,} | {r['read']:.1f} | "
              f"{r['validate']:.1f} |" + (f" {r['metrics']:.1f} |" if args.metrics else "") +
              f" {r['wall']:.1f} | {r['peak_mb']:,.0f} | {r['errors']} | {r['warnings']} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

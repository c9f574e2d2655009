#!/usr/bin/env python3
"""Benchmark the disclosure audit's proofs against the work before them (not a test).

    .venv/bin/python scripts/bench_audit.py                  # sample, 500 × 12, 5,000 × 20
    .venv/bin/python scripts/bench_audit.py --sizes sample medium --rounds 3

Issue 23 asks that the proofs add at most 10 % to a cold build of the sample and scale to
5,000 members × 20 quarters. For each size, a fresh child process reads and checks the data,
aggregates and confidentialises it and computes the derived figures (``figures``), writes the
published tables (``tables``), then runs the whole audit of the tables (``audit``: the per-table
counts and every proof). The report's and dashboard's HTML are not part of it: the sentence proof
(``no_symbol_in_prose``) is timed on the sample's built pages separately (``prose``, needs a build
of the sample in output/2025H1/latest). Peak memory is the child's maximum resident set size.
Datasets are generated under /tmp/reportgen-bench (never committed). Prints a Markdown table of
medians over ``--rounds``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCH = Path("/tmp/reportgen-bench")
SIZES = {"sample": None, "medium": (500, 12), "large": (5000, 20)}

CHILD = r"""
import json, sys, time
from pathlib import Path
from reportgen.core.config import load_config
from reportgen.core.periods import Period
from reportgen.datafiles.tables import table_files
from reportgen.disclosure.audit import audit_bundle
from reportgen.publication import figures_for

period = Period.parse("2025H1")
t0 = time.perf_counter()
config = load_config(Path(sys.argv[1]) / "config.yaml")
store, metrics, run = figures_for(config, period)
assert store is not None, [f.format() for f in run.findings if f.is_error][:5]
t1 = time.perf_counter()
files, _ = table_files(store, metrics, config, period)
t2 = time.perf_counter()
disclosure, findings = audit_bundle(store, metrics, config, files)
t3 = time.perf_counter()
proofs = disclosure["proofs"]
print(json.dumps({"figures": t1 - t0, "tables": t2 - t1, "audit": t3 - t2, "failed": len(findings),
                  "cells": sum(p.get("checked", 0) for p in proofs.values())}))
"""

PROSE = r"""
import json, sys, time
from pathlib import Path
from reportgen.disclosure.proofs import no_symbol_in_prose
bundle = Path(sys.argv[1])
files = {p.relative_to(bundle).as_posix(): p.read_bytes() for p in bundle.rglob("*.html")}
t0 = time.perf_counter()
result = no_symbol_in_prose(files)
print(json.dumps({"prose": time.perf_counter() - t0, "checked": result["checked"]}))
"""


def project(size: str) -> Path:
    root = BENCH / f"audit-{size}"
    if root.exists():
        return root
    root.mkdir(parents=True)
    shutil.copy(REPO / "config.yaml", root / "config.yaml")
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copytree(REPO / "narratives", root / "narratives")
    if SIZES[size] is None:
        shutil.copytree(REPO / "data", root / "data")
    else:
        members, quarters = SIZES[size]
        subprocess.run([sys.executable, "-m", "reportgen.inputs.sample_data", "--fast", "--out", str(root / "data"),
                        "--members", str(members), "--quarters", str(quarters)], check=True, cwd=REPO)
    return root


def child(code: str, *args: str) -> tuple[dict, float]:
    proc = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE, cwd=REPO,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    out = proc.stdout.read() if proc.stdout else b""
    _, status, usage = os.wait4(proc.pid, 0)
    if status:
        raise SystemExit(f"the measured child failed ({status}): {out.decode(errors='replace')}")
    return json.loads(out.splitlines()[-1]), usage.ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", nargs="+", choices=list(SIZES), default=list(SIZES))
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    print("| size | figures (s) | tables (s) | audit (s) | audit ÷ figures + tables | cells proved | peak MB |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for size in args.sizes:
        root = project(size)
        runs = [child(CHILD, str(root)) for _ in range(args.rounds)]
        med = {k: statistics.median(r[0][k] for r in runs) for k in ("figures", "tables", "audit")}
        failed = max(r[0]["failed"] for r in runs)
        label = size if SIZES[size] is None else f"{size} ({SIZES[size][0]:,} × {SIZES[size][1]})"
        print(f"| {label} | {med['figures']:.2f} | {med['tables']:.2f} | {med['audit']:.2f} | "
              f"{med['audit'] / (med['figures'] + med['tables']):.0%} | {runs[0][0]['cells']:,} | "
              f"{max(r[1] for r in runs):,.0f} |" + (f" {failed} proofs failed" if failed else ""))
    bundle = REPO / "output" / "2025H1" / "latest"
    if bundle.is_dir():
        prose = [child(PROSE, str(bundle))[0] for _ in range(args.rounds)]
        print(f"\nno_symbol_in_prose on the sample's built pages: {statistics.median(p['prose'] for p in prose):.2f} s "
              f"for {prose[0]['checked']:,} sentences")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Benchmark ``check``'s reading and validation, and check + metrics, at several sizes (not a test).

    .venv/bin/python scripts/bench_check.py                       # sample, 500 × 12, 5,000 × 20
    .venv/bin/python scripts/bench_check.py --sizes sample medium
    .venv/bin/python scripts/bench_check.py --metrics             # check + metrics (aggregate, confidentialise, derived)
    .venv/bin/python scripts/bench_check.py --metrics --sizes large --baseline /tmp/reportgen-0.1.0
    .venv/bin/python scripts/bench_check.py --readers             # also time the careful csv-module reader

Datasets are generated under /tmp/reportgen-bench (never committed) with
``python -m reportgen.inputs.sample_data --fast``. Each measurement runs in a fresh child process (load
register → read every file → validate all 14 rules for 2025H1, and with ``--metrics`` aggregate,
confidentialise and the derived figures); wall time is measured around the child, cpu and peak memory
are the child's own (``os.wait4``: it starts no process of its own). With ``--baseline DIR`` (a
checkout of an earlier version, e.g. ``git worktree add /tmp/reportgen-0.1.0 4958947``) that version's
same child runs in turn with this one's, ``--runs`` times, and the ratios are paired run by run.
Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import REPO, Version, machine  # noqa: E402

BENCH = Path("/tmp/reportgen-bench")
SIZES = {"sample": None, "medium": (500, 12), "large": (5000, 20)}

# one child for every version: the modules moved into rooms after 0.1.0 (core/, inputs/, statistics/, …)
CHILD = r"""
import json, sys, time
from pathlib import Path
t0 = time.perf_counter()
try:
    from reportgen.core.config import load_config
    from reportgen.core.periods import Period
    from reportgen.inputs import submissions
    from reportgen.inputs.register import load_register
    from reportgen.inputs.validate import validate
except ImportError:  # 0.1.0
    from reportgen.config import load_config
    from reportgen.periods import Period
    from reportgen import submissions
    from reportgen.register import load_register
    from reportgen.validate import validate
if sys.argv[2] == "careful":
    submissions._is_fast = lambda raw: False
t1 = time.perf_counter()
config = load_config(Path(sys.argv[1]) / "config.yaml")
register, _ = load_register(config)
subs = submissions.load_submissions(config)
t2 = time.perf_counter()
data = validate(subs, register, config, Period.parse("2025H1"))
t3 = time.perf_counter()
out = {"files": len(subs.files), "rows": len(subs.rows), "imports": t1 - t0, "read": t2 - t1, "validate": t3 - t2,
       "errors": sum(f.is_error for f in data.findings), "warnings": sum(not f.is_error for f in data.findings)}
del subs
if sys.argv[3] == "metrics":  # check + metrics: aggregate, confidentialise, derived figures
    try:
        from reportgen.statistics.aggregate import aggregate
        from reportgen.disclosure.confidentiality import confidentialise
        from reportgen.figures.metrics import compute_metrics
    except ImportError:  # 0.1.0
        from reportgen.aggregate import aggregate
        from reportgen.confidentiality import confidentialise
        from reportgen.metrics import compute_metrics
    agg = aggregate(data.rows, register, config, Period.parse("2025H1"))
    t4 = time.perf_counter()
    store = confidentialise(agg, config, config.confidentiality_key())
    t5 = time.perf_counter()
    compute_metrics(store, agg, config)
    out["metrics"] = time.perf_counter() - t3
    out["parts"] = {"aggregate": t4 - t3, "confidentialise": t5 - t4, "derived": time.perf_counter() - t5}
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
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "reportgen.inputs.sample_data", "--fast", "--members", str(members),
                        "--quarters", str(quarters), "--out", str(root / "data")], check=True, cwd=REPO)
        print(f"generated {name} in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    shutil.copy(REPO / "config.yaml", root / "config.yaml")  # this version's config (the data are shared)
    return root


def measure(version: Version, root: Path, reader: str, what: str) -> dict:
    """One fresh child of ``version`` on ``root`` (the baseline reads its own config.yaml: a copy of the
    data folder with that config beside it)."""
    if version.root != REPO and root == REPO:
        root = version.root  # the sample: each version's own
    elif version.root != REPO:
        other = BENCH / f"{root.name}-{version.root.name}"
        other.mkdir(parents=True, exist_ok=True)
        shutil.copy(version.root / "config.yaml", other / "config.yaml")
        if not (other / "data").exists():
            (other / "data").symlink_to(root / "data")
        root = other
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(root), reader, what], stdout=subprocess.PIPE,
                            cwd=version.root, env=version.env())
    out = proc.stdout.read()  # type: ignore[union-attr]
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"child of {version.label} failed for {root} ({status})")
    result = json.loads(out)
    result.update(wall=wall, cpu=usage.ru_utime + usage.ru_stime, peak_mb=usage.ru_maxrss / 1024, reader=reader)
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", nargs="+", choices=list(SIZES), default=list(SIZES))
    ap.add_argument("--readers", action="store_true", help="also measure the careful (csv module) reader")
    ap.add_argument("--metrics", action="store_true",
                    help="measure check + metrics (aggregate, confidentialise, derived figures) in one process")
    ap.add_argument("--runs", type=int, default=1, help="runs of each (medians shown)")
    ap.add_argument("--baseline", metavar="DIR", help="a checkout of an earlier version to pair with")
    args = ap.parse_args()
    this = Version.this()
    base = Version.baseline(args.baseline) if args.baseline else None
    what = "metrics" if args.metrics else "check"
    print(f"reportgen {'check + metrics' if args.metrics else 'check'} benchmark; {machine()}\n", flush=True)
    head = "| dataset | reader | files | rows | read (s) | validate (s) |" + (" metrics (s) |" if args.metrics else "")
    head += " wall (s) | cpu (s) | peak memory (MB) | errors | warnings |"
    rule = "|---|---|--:|--:|--:|--:|" + ("--:|" if args.metrics else "") + "--:|--:|--:|--:|--:|"
    if base is not None:
        head += f" {base.label}: wall (s) | peak (MB) | ratio wall (paired median) |"
        rule += "--:|--:|--:|"
    lines = [head, rule]
    for name in args.sizes:
        root = dataset(name)
        for reader in (["fast", "careful"] if args.readers and name != "large" else ["fast"]):
            mine, theirs = [], []
            for _ in range(args.runs):
                mine.append(measure(this, root, reader, what))
                if base is not None:
                    theirs.append(measure(base, root, reader, what))
            med = {k: statistics.median(r[k] for r in mine) for k in ("read", "validate", "wall", "cpu", "peak_mb")}
            parts = {k: statistics.median(r["parts"][k] for r in mine) for k in mine[0].get("parts", {})}
            print(f"{name} {reader}: {med['wall']:.1f} s, {med['peak_mb']:.0f} MB "
                  + ", ".join(f"{k} {v:.1f} s" for k, v in parts.items()), file=sys.stderr)
            label = "sample (44 × 8)" if name == "sample" else "{} × {}".format(*SIZES[name])
            r0 = mine[0]
            line = (f"| {label} | {reader} | {r0['files']:,} | {r0['rows']:,} | {med['read']:.1f} | {med['validate']:.1f} |"
                    + (f" {statistics.median(r['metrics'] for r in mine):.1f} |" if args.metrics else "")
                    + f" {med['wall']:.1f} | {med['cpu']:.1f} | {med['peak_mb']:,.0f} | {r0['errors']} | {r0['warnings']} |")
            if base is not None:
                ratio = statistics.median(a["wall"] / b["wall"] for a, b in zip(mine, theirs))
                line += (f" {statistics.median(r['wall'] for r in theirs):.1f} | "
                         f"{statistics.median(r['peak_mb'] for r in theirs):,.0f} | {ratio:.2f} |")
            lines.append(line)
            if args.metrics:
                lines.append(f"<!-- {label}: " + ", ".join(f"{k} {v:.1f} s" for k, v in parts.items()) + " -->")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

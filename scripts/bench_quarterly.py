"""Benchmark the quarterly release (``reportgen build 2025Q2``): cold, after the previous quarter's release,
unchanged, after a resubmission.

Runs the real command line in a temporary copy of the project (its cache folder inside it), ``--runs``
times; with ``--baseline DIR`` (a checkout of an earlier version: ``git worktree add
/tmp/reportgen-0.1.0 4958947``) that version's same scenarios run in turn with this one's, and every
ratio is paired round by round (``benchlib.py``). Scenarios, in order, on one copy per round:

* **cold**: the first build ever of the project (an empty cache);
* **new quarter**: the quarter's first build on a machine that made the previous quarter's release:
  another copy in which ``2025Q1`` was built before the members' ``2025Q2`` files arrived (not timed),
  then ``2025Q2`` — what a release that reuses what an earlier one computed for unchanged members'
  files is measured on;
* **unchanged** rebuild, and **after a resubmission** (one member's quarter file, more volunteer hours).

    .venv/bin/python scripts/bench_quarterly.py                                  # the sample, 3 rounds
    .venv/bin/python scripts/bench_quarterly.py --baseline /tmp/reportgen-0.1.0
    .venv/bin/python scripts/bench_quarterly.py --members 132                    # 3 × the sample's members

Not a test: timings depend on the machine and on what else runs on it. Targets (issue 28): a cold
quarterly release of the sample in at most 3 s; (issue 16) an unchanged rebuild in at most 0.5 s.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_build import resubmit  # noqa: E402
from benchlib import Series, Version, generate, machine, make_project, measure, table  # noqa: E402

QUARTER, PREVIOUS = "2025Q2", "2025Q1"


def one_round(version: Version, folder: Path, data: Path | None, series: dict[str, Series], side: str) -> None:
    env = version.env()
    project = make_project(version, folder / "project", data)
    build = [*version.reportgen("build", QUARTER), "-q"]
    getattr(series["cold (empty cache)"], side).append(measure(build, project, env))
    getattr(series["unchanged rebuild"], side).append(measure(build, project, env))
    series["after a resubmission"].note = resubmit(project)
    getattr(series["after a resubmission"], side).append(measure(build, project, env))
    # the previous quarter released before this quarter's files came in; then this quarter's first build
    later = make_project(version, folder / "later", data)
    held = folder / "held"
    shutil.move(str(later / "data" / "submissions" / QUARTER), held)
    prior = measure([*version.reportgen("build", PREVIOUS), "-q"], later, env)
    shutil.move(str(held), str(later / "data" / "submissions" / QUARTER))
    new = measure(build, later, env)
    new.code = new.code or prior.code
    getattr(series["new quarter, after the previous quarter's release"], side).append(new)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--members", type=int, help="generate a dataset with this many members (default: the sample)")
    ap.add_argument("--quarters", type=int, default=8)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--baseline", metavar="DIR", help="a checkout of an earlier version to pair with")
    args = ap.parse_args()
    this = Version.this()
    base = Version.baseline(args.baseline) if args.baseline else None
    size = "sample (44 members)" if args.members is None else f"{args.members} members × {args.quarters} quarters"
    names = ["cold (empty cache)", "new quarter, after the previous quarter's release", "unchanged rebuild",
             "after a resubmission"]
    series = {n: Series(n) for n in names}
    print(f"reportgen quarterly release benchmark — {QUARTER}, {size}; {machine()}\n", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-quarterly-") as tmp_name:
        tmp = Path(tmp_name)
        data = generate(tmp / "data", args.members, args.quarters) if args.members else None
        for r in range(args.runs):
            for side, version in (("a", this), ("b", base)):
                if version is not None:
                    one_round(version, tmp / f"{side}-{r}", data, series, side)
            print(f"round {r + 1} of {args.runs} done", file=sys.stderr, flush=True)
    print(table(size, [series[n] for n in names], base))


if __name__ == "__main__":
    main()

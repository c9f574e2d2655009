"""Benchmark whole half-year builds: cold, unchanged, after an edit, after a resubmission; and the floor.

Runs the real command line (``reportgen build 2025H1``) in a temporary copy of the project, one scenario
after another, ``--runs`` times; with ``--baseline DIR`` (a checkout of an earlier version, e.g. the
previous release: ``git worktree add /tmp/reportgen-0.1.0 4958947``) the same scenarios of that
version run in turn with this one's, on its own copy of its own project, and every ratio is paired
round by round (``benchlib.py``). Scenarios:

* cold: no cache at all (a fresh copy);
* unchanged rebuild;
* after one story edited (one word), and after one paragraph of the report edited (one word);
* after one member's resubmission (more volunteer hours in one quarter's file);
* check only (``reportgen check 2025H1``);
* the **floor**: WeasyPrint alone laying out the same public documents (this version's HTML) one after
  another in one process, with the build's options (PDF/UA-1, the templates folder as base URL);
* what the disclosure proofs add to a cold build: this version's cold build paired, round by round, with
  the same cold build in which the audit is replaced by an empty report (``NO_PROOFS``; the bundle is
  then not a release, only a measurement); and the audit's stage time over the build's, from the stage
  lines the build prints.

    .venv/bin/python scripts/bench_build.py                                  # the sample, 3 rounds
    .venv/bin/python scripts/bench_build.py --baseline /tmp/reportgen-0.1.0  # paired with 0.1.0
    .venv/bin/python scripts/bench_build.py --members 500 --quarters 12      # generated data
    .venv/bin/python scripts/bench_build.py --preview                        # also the live preview in Chromium

Not a test: timings depend on the machine and on what else runs on it.
"""

from __future__ import annotations

import argparse
import json
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import REPO, Series, Version, generate, machine, make_project, measure, table  # noqa: E402

PERIOD = "2025H1"


def edit_story(project: Path) -> str:
    """Change one word in one story (or, without stories, in the report's summary)."""
    stories = sorted((project / "narratives" / PERIOD / "stories").glob("*.yaml"))
    target = stories[0] if stories else project / "narratives" / PERIOD / "report.yaml"
    text = target.read_text(encoding="utf-8")
    target.write_text(text.replace(" the ", " that ", 1), encoding="utf-8")
    return target.name


def edit_paragraph(project: Path) -> str:
    """Change one word in one paragraph of the report's own text (report.yaml)."""
    target = project / "narratives" / PERIOD / "report.yaml"
    text = target.read_text(encoding="utf-8")
    target.write_text(text.replace(" the ", " this ", 1), encoding="utf-8")
    return target.name


def resubmit(project: Path) -> str:
    """One member resubmits a quarter with different volunteer hours (no rule affected)."""
    files = sorted((project / "data" / "submissions" / "2025Q2").glob("*.csv"))
    target = files[len(files) // 2]
    lines = target.read_text(encoding="utf-8").splitlines(keepends=True)
    for i, line in enumerate(lines):
        if ",volunteer_hours," in line.lower():
            head, value = line.rstrip("\r\n").rsplit(",", 1)
            lines[i] = f"{head},{int(float(value)) + 37}\n"
            break
    target.write_text("".join(lines), encoding="utf-8")
    return target.name


FLOOR = r"""
import sys, time
from pathlib import Path
from weasyprint import HTML
from reportgen.core.config import load_config
from reportgen.core.periods import Period
from reportgen.documents.documents import render
from reportgen.publication import publication_for
if __name__ == "__main__":
    config = load_config(Path("config.yaml"))
    publication, _ = publication_for(config, Period.parse(sys.argv[1]))
    # the HTML the build lays out (``for_print``), for the documents it lays out
    docs = [render(config, c, for_print=True) for c in publication.documents if getattr(c, "pdf", True)]
    base = str(config.root / "templates") + "/"
    HTML(string="<p>warm</p>").write_pdf()
    t = time.perf_counter()
    for d in docs:
        HTML(string=d.html, base_url=base).write_pdf(pdf_variant="pdf/ua-1")
    print(time.perf_counter() - t, len(docs))
"""


NO_PROOFS = r"""
import sys
import reportgen.build
import reportgen.disclosure.audit
from reportgen.cli import main
# the proofs not run, those of the figures nor that of the sentences: what they add to a cold build
reportgen.build.audit = lambda *args: ({"proofs": {}}, [])
reportgen.disclosure.audit.prose_audit = lambda disclosure, pages: (disclosure, [])
sys.exit(main())
"""


def floor(project: Path) -> tuple[float, int]:
    """Seconds for WeasyPrint alone to lay out this version's public documents one after another."""
    r = subprocess.run([sys.executable, "-c", FLOOR, PERIOD], cwd=project, capture_output=True, text=True,
                       check=True, env=Version.this().env())
    seconds, n = r.stdout.strip().splitlines()[-1].split()
    return float(seconds), int(n)


def stage_seconds(stderr: str, stage: str) -> float | None:
    """A stage's time from the build's plain stage lines ("  audit   0.96 s")."""
    found = re.findall(rf"^\s*{re.escape(stage)}\s+([0-9.]+) s$", stderr, flags=re.M)
    return sum(float(x) for x in found) if found else None


def one_round(version: Version, project: Path, data: Path | None, series: dict[str, Series], side: str,
              extras: dict[str, list]) -> None:
    """Every scenario of ``version``, in order, on a fresh copy of its project."""
    make_project(version, project, data)
    env = version.env()
    build = version.reportgen("build", PERIOD)
    steps = [("cold full build", None), ("unchanged rebuild", None), ("rebuild after one story edit", edit_story),
             ("rebuild after one paragraph of the report edited", edit_paragraph),
             ("rebuild after one member's resubmission", resubmit)]
    for name, change in steps:
        note = change(project) if change else ""
        m = measure(build if name == "cold full build" else [*build, "--quiet"], project, env)
        getattr(series[name], side).append(m)
        series[name].note = note
        if name == "cold full build":
            total = stage_seconds(m.stderr, "total")
            audit = stage_seconds(m.stderr, "audit")
            if total and audit is not None:
                extras[f"audit-{side}"].append(audit / total)
    getattr(series["check only"], side).append(measure(version.reportgen("check", PERIOD, "-q"), project, env))
    if side == "a":
        extras["floor"].append(floor(project))
        bare = make_project(version, project.with_name(project.name + "-no-proofs"), data)
        m = measure([sys.executable, "-c", NO_PROOFS, "build", PERIOD, "--quiet"], bare, env)
        extras["no-proofs"].append(m)


def preview_latency(project: Path, edits: int = 7) -> tuple[float, float]:
    """Median and worst seconds from saving a story edit to a real headless Chromium showing it."""
    from playwright.sync_api import sync_playwright  # ImportError without the test extras

    sys.path.insert(0, str(REPO))
    from tests.browser import launch

    proc = subprocess.Popen([sys.executable, "-m", "reportgen", "preview", PERIOD, "--port", "0"], cwd=project,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=Version.this().env())
    try:
        url = None
        while url is None:
            line = proc.stderr.readline()  # type: ignore[union-attr]
            if not line:
                raise RuntimeError("preview ended before serving")
            match = re.search(r"(http://127\.0\.0\.1:\d+)/", line)
            url = match.group(1) if match else None
        story = sorted((project / "narratives" / PERIOD / "stories").glob("*.yaml"))[0]
        original = story.read_text(encoding="utf-8")
        times = []
        with sync_playwright() as pw:
            browser = launch(pw)
            page = browser.new_page()
            page.goto(url + "/report.html")
            for i in range(edits):
                word = f"edit{i}x"
                story.write_text(original.replace(" the ", f" the {word} ", 1), encoding="utf-8")
                start = time.perf_counter()
                page.wait_for_function("w => document.body && document.body.innerText.includes(w)", arg=word,
                                       timeout=60_000, polling=10)
                times.append(time.perf_counter() - start)
                time.sleep(0.3)
            browser.close()
        story.write_text(original, encoding="utf-8")
        return statistics.median(times), max(times)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--members", type=int, help="generate a dataset with this many members (default: the sample)")
    ap.add_argument("--quarters", type=int, default=8, help="… and this many quarters")
    ap.add_argument("--runs", type=int, default=3, help="rounds (each: every scenario of each version in turn)")
    ap.add_argument("--baseline", metavar="DIR", help="a checkout of an earlier version to pair with")
    ap.add_argument("--preview", action="store_true", help="also time the live preview in Chromium (this version)")
    ap.add_argument("--json", metavar="FILE", help="also write every measurement to FILE")
    args = ap.parse_args()
    this = Version.this()
    base = Version.baseline(args.baseline) if args.baseline else None
    size = "sample (44 members × 8 quarters)" if args.members is None else f"{args.members} members × {args.quarters} quarters"
    names = ["cold full build", "unchanged rebuild", "rebuild after one story edit",
             "rebuild after one paragraph of the report edited", "rebuild after one member's resubmission", "check only"]
    series = {n: Series(n) for n in names}
    extras: dict[str, list] = {"floor": [], "audit-a": [], "audit-b": [], "no-proofs": []}
    print(f"reportgen build benchmark — {size}; {machine()}\n", flush=True)
    with tempfile.TemporaryDirectory(prefix="reportgen-bench-") as tmp_name:
        tmp = Path(tmp_name)
        data = generate(tmp / "data", args.members, args.quarters) if args.members else None
        for r in range(args.runs):
            for side, version in (("a", this), ("b", base)):
                if version is not None:
                    one_round(version, tmp / f"{side}-{r}", data, series, side, extras)
            print(f"round {r + 1} of {args.runs} done", file=sys.stderr, flush=True)
        preview = preview_latency(make_project(this, tmp / "preview", data)) if args.preview else None
    print(table(size, list(series.values()), base))
    print()
    floors = extras["floor"]
    colds = [m.wall for m in series["cold full build"].a]
    print(f"floor: WeasyPrint alone, {floors[0][1]} documents one after another: median "
          f"{statistics.median(f for f, _ in floors):.2f} s (min–max {min(f for f, _ in floors):.2f}–"
          f"{max(f for f, _ in floors):.2f})")
    print(f"cold full build ÷ floor, paired by round: median {statistics.median(c / f for c, (f, _) in zip(colds, floors)):.2f}")
    bare = extras["no-proofs"]
    if bare and all(m.code == 0 for m in bare):
        added = [c / m.wall - 1 for c, m in zip(colds, bare)]
        cpu = [c.cpu / m.cpu - 1 for c, m in zip(series["cold full build"].a, bare)]
        print(f"cold full build without the disclosure proofs: median {statistics.median(m.wall for m in bare):.2f} s "
              f"(cpu {statistics.median(m.cpu for m in bare):.2f} s); the proofs add, paired by round: wall median "
              f"{100 * statistics.median(added):.1f} % (min–max {100 * min(added):.1f}–{100 * max(added):.1f} %), "
              f"cpu median {100 * statistics.median(cpu):.1f} % (min–max {100 * min(cpu):.1f}–{100 * max(cpu):.1f} %)")
    elif bare:
        print("cold full build without the disclosure proofs failed (see stderr)")
    for side, version in (("a", this), ("b", base)):
        if version is not None and extras[f"audit-{side}"]:
            print(f"disclosure audit's share of a cold build ({version.label}): median "
                  f"{100 * statistics.median(extras[f'audit-{side}']):.1f} % of the build's stage time")
    if preview is not None:
        print(f"preview: story edit to reload in Chromium: median {preview[0]:.2f} s, worst {preview[1]:.2f} s")
    if args.json:
        Path(args.json).write_text(json.dumps({n: {"a": [m.__dict__ | {"stderr": ""} for m in s.a],
                                                   "b": [m.__dict__ | {"stderr": ""} for m in s.b]}
                                               for n, s in series.items()} | {"floor": floors}, indent=1))


if __name__ == "__main__":
    main()

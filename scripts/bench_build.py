"""Benchmark whole builds: cold, unchanged, after a story edit, after a resubmission.

Runs the real command line (``reportgen build``) in a temporary copy of the
project, once per scenario, and reports wall time and the peak memory of the
whole process tree (the build and its worker processes). Also measures the floor: WeasyPrint alone laying out the same
final HTML documents one after another, in one process.

    .venv/bin/python scripts/bench_build.py                 # the sample
    .venv/bin/python scripts/bench_build.py --members 500 --quarters 12
    .venv/bin/python scripts/bench_build.py --markdown      # just the table

Not a test: timings depend on the machine and on what else runs on it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PERIOD = "2025H1"


def _tree_rss(root: int) -> int:
    """Resident memory (bytes) of ``root`` and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(entry), int(fields[1])
        children.setdefault(ppid, []).append(pid)
        rss[pid] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")  # field 24 of stat: rss in pages
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo += children.get(pid, [])
    return total


def run_measured(cmd: list[str], cwd: Path) -> tuple[float, float, int]:
    """Wall seconds, peak resident memory in MiB of the whole process tree (the build and its
    workers, sampled every 100 ms), exit code."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _tree_rss(proc.pid))
        time.sleep(0.1)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr.read().decode(errors="replace"))
    return wall, peak / 2**20, proc.returncode


def make_project(dest: Path, members: int | None, quarters: int | None) -> Path:
    dest.mkdir(parents=True)
    for name in ("config.yaml",):
        shutil.copy(REPO / name, dest / name)
    for name in ("templates", "narratives"):  # the project's template overrides (the defaults are in the package)
        shutil.copytree(REPO / name, dest / name)
    if members is None:
        shutil.copytree(REPO / "data", dest / "data")
    else:
        subprocess.run([sys.executable, "-m", "reportgen.inputs.sample_data", "--out", str(dest / "data"),
                        "--members", str(members), "--quarters", str(quarters or 8)], check=True,
                       cwd=REPO, stdout=subprocess.DEVNULL)
    return dest


def edit_story(project: Path) -> str:
    """Change one word in one story (or, without stories, in the report's summary)."""
    stories = sorted((project / "narratives" / PERIOD / "stories").glob("*.yaml"))
    target = stories[0] if stories else project / "narratives" / PERIOD / "report.yaml"
    text = target.read_text(encoding="utf-8")
    target.write_text(text.replace(" the ", " that ", 1), encoding="utf-8")
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


def weasyprint_floor(project: Path) -> tuple[float, int]:
    """Seconds for WeasyPrint alone to lay out the final documents' HTML one after another, in one
    process, with the same options as a build (PDF/UA-1, the templates folder as base URL)."""
    code = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from weasyprint import HTML\n"
        "from reportgen.build import build\n"
        "from reportgen.config import load_config\n"
        "from reportgen.periods import Period\n"
        "config = load_config(Path('config.yaml'))\n"
        f"docs = build(config, Period.parse_half('{PERIOD}'), html_only=True).documents\n"
        "base = str(config.root / 'templates') + '/'\n"
        "t = time.perf_counter()\n"
        "for d in docs: HTML(string=d.html, base_url=base).write_pdf(pdf_variant='pdf/ua-1')\n"
        "print(time.perf_counter() - t, len(docs))\n"
    )
    r = subprocess.run([sys.executable, "-c", code], cwd=project, capture_output=True, text=True, check=True)
    seconds, n = r.stdout.strip().splitlines()[-1].split()
    return float(seconds), int(n)


def preview_latency(project: Path, edits: int = 7) -> tuple[float, float, float, str]:
    """Median and worst seconds from saving a story edit to the open page showing it, and the
    preview server's peak memory (MiB).

    With Playwright and Chromium installed (``scripts/setup.sh --test``), a real headless
    Chromium has the report open: the time runs from the save to the reloaded page containing
    the edited words (rebuild + the page's 150 ms poll + reload). Without them, to the server
    serving the new version (the poll and reload not included)."""
    proc = subprocess.Popen([sys.executable, "-m", "reportgen", "preview", PERIOD, "--port", "0"], cwd=project,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        url = None
        while url is None:
            line = proc.stderr.readline()
            if not line:
                raise RuntimeError("preview ended before serving")
            match = re.search(r"(http://127\.0\.0\.1:\d+)/", line)
            url = match.group(1) if match else None
        story = project / "narratives" / PERIOD / "stories" / "kai-on-the-table.yaml"
        if not story.is_file():
            story = sorted((project / "narratives" / PERIOD / "stories").glob("*.yaml"))[0]
        original = story.read_text(encoding="utf-8")
        anchor = "the warehouse" if "the warehouse" in original else " the "
        try:
            times, how = _browser_latency(url, story, original, anchor, edits), "in Chromium: save → reloaded page shows the edit"
        except ImportError:
            times, how = _server_latency(url, story, original, anchor, edits), "save → new version served (no browser)"
        story.write_text(original, encoding="utf-8")
        status = Path(f"/proc/{proc.pid}/status").read_text()
        peak = int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024
        return statistics.median(times), max(times), peak, how
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)


def _edited(original: str, anchor: str, i: int) -> tuple[str, str]:
    word = f"edit{i}x"
    return original.replace(anchor, anchor.replace("the", f"the {word}", 1), 1), word


def _browser_latency(url: str, story: Path, original: str, anchor: str, edits: int) -> list[float]:
    from playwright.sync_api import sync_playwright  # ImportError without the test extras

    sys.path.insert(0, str(REPO))
    from tests.browser import launch

    times = []
    with sync_playwright() as pw:
        browser = launch(pw)
        page = browser.new_page()
        page.goto(url + "/report.html")
        for i in range(edits):
            text, word = _edited(original, anchor, i)
            story.write_text(text, encoding="utf-8")
            start = time.perf_counter()
            page.wait_for_function("w => document.body && document.body.innerText.includes(w)", arg=word,
                                   timeout=60_000, polling=10)
            times.append(time.perf_counter() - start)
            time.sleep(0.3)
        browser.close()
    return times


def _server_latency(url: str, story: Path, original: str, anchor: str, edits: int) -> list[float]:
    def version() -> int:
        return json.loads(urllib.request.urlopen(url + "/__preview/state").read())["version"]

    times = []
    for i in range(edits):
        before = version()
        story.write_text(_edited(original, anchor, i)[0], encoding="utf-8")
        start = time.perf_counter()
        while version() == before:
            if time.perf_counter() - start > 60:
                raise RuntimeError("preview did not rebuild within 60 s of an edit")
            time.sleep(0.01)
        times.append(time.perf_counter() - start)
        time.sleep(0.3)
    return times


def bench(members: int | None, quarters: int | None) -> list[tuple[str, float, float, str]]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="reportgen-bench-") as tmp:
        project = make_project(Path(tmp) / "project", members, quarters)
        build = [sys.executable, "-m", "reportgen", "build", PERIOD, "--quiet"]
        scenarios = [
            ("cold full build", None),
            ("unchanged rebuild", None),
            ("rebuild after one story edit", edit_story),
            ("rebuild after one member's resubmission", resubmit),
        ]
        to_fingerprint = [sys.executable, "-c",
                          "from reportgen.cli import cli\n"
                          "from reportgen.config import load_config\n"
                          "from reportgen.fingerprint import input_fingerprint\n"
                          "from reportgen.periods import Period\n"
                          f"input_fingerprint(load_config('config.yaml'), Period.parse_half('{PERIOD}'))\n"]
        for name, change in scenarios:
            what = change(project) if change else ""
            wall, rss, code = run_measured(build, project)
            rows.append((name, wall, rss, ("failed! " if code else "") + what))
        wall, rss, code = run_measured(to_fingerprint, project)
        rows.append(("start-up to the input fingerprint (where an unchanged build can stop)", wall, rss,
                     "failed!" if code else "command line, config and the hash of every input"))
        median, worst, peak, how = preview_latency(project)
        rows.append(("preview: story edit to reload (median of 7)", median, peak, f"{how}; worst {worst:.2f} s"))
        check_wall, check_rss, code = run_measured([sys.executable, "-m", "reportgen", "check", PERIOD, "-q"],
                                                   project)
        rows.append(("check only", check_wall, check_rss, "" if code in (0, 1) else "failed!"))
        floor, n_docs = weasyprint_floor(project)
        rows.append((f"floor: WeasyPrint alone, {n_docs} document(s) in sequence", floor, float("nan"), ""))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--members", type=int, help="generate a dataset with this many members (default: the sample)")
    ap.add_argument("--quarters", type=int, help="… and this many quarters")
    ap.add_argument("--markdown", action="store_true", help="print only the Markdown table")
    args = ap.parse_args()
    size = "sample (44 members × 8 quarters)" if args.members is None else \
        f"{args.members} members × {args.quarters or 8} quarters"
    rows = bench(args.members, args.quarters)
    if not args.markdown:
        print(f"reportgen build benchmark — {size}, {os.cpu_count()} cores\n")
    print(f"| {size} | wall time | peak memory | note |")
    print("|---|---|---|---|")
    for name, wall, rss, note in rows:
        mem = "" if rss != rss else f"{rss:,.0f} MiB"
        print(f"| {name} | {wall:.2f} s | {mem} | {note} |")


if __name__ == "__main__":
    main()

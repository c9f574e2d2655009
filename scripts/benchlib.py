"""Shared by the benchmark scripts (not a test): run a command as a whole process tree and measure it,
and pair it with the same command of an earlier version of reportgen.

An earlier version is a checkout of it, e.g. the previous release of the tool::

    git worktree add /tmp/reportgen-0.1.0 4958947      # 0.1.0, CHANGELOG.md
    .venv/bin/python scripts/bench_build.py --baseline /tmp/reportgen-0.1.0

Each version runs from its own checkout (``PYTHONPATH``), with this environment's Python and
libraries, on its own copy of its own sample project (config, templates, narratives, data); generated
data are made once and copied to both. The two versions run in turn — A B A B … — and every ratio is
taken run by run (A/B of the same round), then its median is shown: pairing keeps the ratio meaningful
on a machine whose speed drifts (other people's work on shared cores).

What a measurement is:

* **wall**: from the start of the command to its exit;
* **cpu**: user + system seconds of every process of the command's tree (the build, its forkserver and
  workers), each read from ``/proc`` until it ends (every 20 ms, and once more as a zombie before it is
  reaped): on a quiet 2-core machine, the wall time of a one-process command is its cpu;
* **peak**: the largest resident memory of the whole tree at one moment (the sum over its processes).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TICK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass(frozen=True)
class Version:
    """A checkout of reportgen: this one, or an earlier one to pair with."""

    label: str
    root: Path

    @classmethod
    def this(cls) -> Version:
        return cls("this", REPO)

    @classmethod
    def baseline(cls, root: str) -> Version:
        path = Path(root).resolve()
        if not (path / "reportgen" / "__init__.py").is_file():
            raise SystemExit(f"{path} is not a checkout of reportgen (make one with: git worktree add {path} COMMIT)")
        commit = subprocess.run(["git", "-C", str(path), "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True).stdout.strip()
        version = subprocess.run([sys.executable, "-c", "import reportgen; print(reportgen.__version__)"],
                                 env=cls("", path).env(), capture_output=True, text=True).stdout.strip()
        return cls(f"{version or '?'} ({commit or path.name})", path)

    def env(self, **extra: str) -> dict[str, str]:
        return {**os.environ, "PYTHONPATH": str(self.root), **extra}

    def reportgen(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "reportgen", *args]

    def has(self, module: str) -> bool:
        return (self.root / (module.replace(".", "/") + ".py")).is_file()

    def sample_data_module(self) -> str:
        return "reportgen.inputs.sample_data" if self.has("reportgen.inputs.sample_data") else "reportgen.sample_data"


def make_project(version: Version, dest: Path, data: Path | None = None) -> Path:
    """A copy of ``version``'s sample project in ``dest``: its config, template overrides, narratives and
    data (or ``data``, a generated folder shared by the versions)."""
    dest.mkdir(parents=True)
    shutil.copy(version.root / "config.yaml", dest / "config.yaml")
    for name in ("templates", "narratives"):
        if (version.root / name).is_dir():
            shutil.copytree(version.root / name, dest / name)
    shutil.copytree(data or version.root / "data", dest / "data")
    return dest


def generate(dest: Path, members: int, quarters: int, fast: bool = False) -> Path:
    """Synthetic data made by this checkout's generator (the same for every version measured)."""
    if not (dest / "members.csv").is_file():
        shutil.rmtree(dest, ignore_errors=True)
        subprocess.run([sys.executable, "-m", Version.this().sample_data_module(), "--out", str(dest),
                        "--members", str(members), "--quarters", str(quarters), *(["--fast"] if fast else [])],
                       check=True, cwd=REPO, env=Version.this().env(), stdout=subprocess.DEVNULL)
    return dest


@dataclass
class Measure:
    wall: float
    cpu: float
    peak_mib: float
    code: int
    stderr: str = ""


def _stat(pid: int) -> tuple[int, float, int] | None:
    """(parent pid, own cpu seconds, resident bytes) of a process, from /proc."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK, int(fields[21]) * PAGE


def _tree(root: int) -> dict[int, tuple[float, int]]:
    """cpu seconds and resident bytes of ``root`` and every descendant now."""
    info: dict[int, tuple[int, float, int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (got := _stat(int(entry))) is not None:
            info[int(entry)] = got
    children: dict[int, list[int]] = {}
    for pid, (ppid, _, _) in info.items():
        children.setdefault(ppid, []).append(pid)
    out, todo = {}, [root]
    while todo:
        pid = todo.pop()
        if pid in info:
            out[pid] = info[pid][1:]
            todo += children.get(pid, [])
    return out


def measure(cmd: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 3600) -> Measure:
    """Run ``cmd`` and measure its wall time, the cpu of its process tree and the tree's peak memory."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    cpu: dict[int, float] = {}
    peak = 0
    os.set_blocking(proc.stderr.fileno(), False)  # type: ignore[union-attr]
    err = b""
    while True:
        now = _tree(proc.pid)
        for pid, (seconds, _) in now.items():
            cpu[pid] = max(cpu.get(pid, 0.0), seconds)
        peak = max(peak, sum(rss for _, rss in now.values()))
        try:
            err += proc.stderr.read() or b""  # type: ignore[union-attr]
        except (OSError, TypeError):
            pass
        # exited? look without reaping, so that its final times can still be read
        if os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
            break
        if time.perf_counter() - start > timeout:
            proc.kill()
        time.sleep(0.02)
    wall = time.perf_counter() - start
    final = _stat(proc.pid)
    if final is not None:
        cpu[proc.pid] = max(cpu.get(proc.pid, 0.0), final[1])
    proc.wait()
    os.set_blocking(proc.stderr.fileno(), True)  # type: ignore[union-attr]
    err += proc.stderr.read() or b""  # type: ignore[union-attr]
    text = err.decode(errors="replace")
    if proc.returncode != 0:
        sys.stderr.write(text[-3000:])
    return Measure(wall, sum(cpu.values()), peak / 2**20, proc.returncode, text)


@dataclass
class Series:
    """One scenario's measurements, of this version (A) and of the baseline (B), round by round."""

    name: str
    a: list[Measure] = field(default_factory=list)
    b: list[Measure] = field(default_factory=list)
    note: str = ""

    def median(self, side: str, what: str) -> float:
        values = [getattr(m, what) for m in getattr(self, side)]
        return statistics.median(values) if values else float("nan")

    def spread(self, side: str, what: str = "wall") -> str:
        values = [getattr(m, what) for m in getattr(self, side)]
        return f" ({min(values):.2f}–{max(values):.2f})" if len(values) > 1 else ""

    def ratio(self, what: str = "wall") -> float:
        pairs = [getattr(x, what) / getattr(y, what) for x, y in zip(self.a, self.b) if getattr(y, what) > 0]
        return statistics.median(pairs) if pairs else float("nan")

    @property
    def failed(self) -> bool:
        return any(m.code != 0 for m in (*self.a, *self.b))


def table(title: str, rows: list[Series], baseline: Version | None) -> str:
    """The Markdown table of medians (and, with a baseline, the paired ratios)."""
    head = f"| {title} | runs | wall (median; min–max) | cpu | peak |"
    rule = "|---|--:|--:|--:|--:|"
    if baseline is not None:
        head += f" {baseline.label}: wall | cpu | peak | ratio wall (paired median) | ratio cpu |"
        rule += "--:|--:|--:|--:|--:|"
    lines = [head, rule]
    for s in rows:
        if not s.a:
            continue
        line = (f"| {s.name}{' (failed!)' if s.failed else ''}{' — ' + s.note if s.note else ''} | {len(s.a)} | "
                f"{s.median('a', 'wall'):.2f} s{s.spread('a')} | {s.median('a', 'cpu'):.2f} s | "
                f"{s.median('a', 'peak_mib'):,.0f} MiB |")
        if baseline is not None:
            line += (f" {s.median('b', 'wall'):.2f} s | {s.median('b', 'cpu'):.2f} s | {s.median('b', 'peak_mib'):,.0f} MiB"
                     f" | {s.ratio('wall'):.2f} | {s.ratio('cpu'):.2f} |" if s.b else " | | | | |")
        lines.append(line)
    return "\n".join(lines)


def machine() -> str:
    load = os.getloadavg()
    return (f"{os.cpu_count()} cores, Python {sys.version.split()[0]}, load average {load[0]:.1f} "
            f"at the start (other people's work on the same cores)")

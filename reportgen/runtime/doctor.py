"""``reportgen doctor``: what this machine has for reportgen, and what to do about each missing piece.

Like ``quarto check``: Python and package versions, the extras installed, fonts
with te reo Māori macrons, poppler and qpdf, Chromium (for the tests), the
folders a build writes, the config found and the default templates' folder.
Each line is a ``Check`` with a status:

* ``ok``;
* ``missing``: a piece some commands need (the line says which, and how to
  get it); a member's core-only install lacks the publishing packages and is
  still fine for ``reportgen member`` and ``reportgen check``;
* ``problem``: something that stops every command (a core package missing, a config that does not load, a folder that cannot be
  written, a setting in the environment that is not valid);
* ``optional``: only the test suite needs it.

Nothing is changed: the only file written is a temporary one in each folder
checked for writing, removed at once. Only the standard library and ``core``.
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..core import limits
from ..core.safetext import escape_controls
from .extras import INSTALL, NEEDS, PUBLISH, installed, package_version

OK, MISSING, PROBLEM, OPTIONAL = "ok", "missing", "problem", "optional"
CORE = {"jinja2": "jinja2", "pandas": "pandas", "pyarrow": "pyarrow", "openpyxl": "openpyxl", "yaml": "PyYAML",
        "pydantic": "pydantic", "click": "click", "markdown_it": "markdown-it-py", "nh3": "nh3", "rich": "rich"}
FONTS = ("Noto Sans", "Noto Serif")  # the report's and the members' reports' text faces (reportgen/templates/*.css)
MACRONS = "āēīōūĀĒĪŌŪ"
DEFAULT_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"  # package data
APT = "sudo apt-get install"


@dataclass(frozen=True)
class Check:
    status: str
    what: str
    detail: str
    todo: str = ""  # what to do about it (empty when ok)


def _run(*args: str) -> str | None:
    """The first line a tool prints about itself, or None when it is not installed."""
    if shutil.which(args[0]) is None:
        return None
    try:
        done = subprocess.run(list(args), capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return None
    text = (done.stdout or done.stderr).strip()
    return text.splitlines()[0] if text else ""


def python() -> Check:
    return Check(OK, "Python", f"{platform.python_version()} ({sys.executable})")  # 3.11 or later to run at all


def reportgen() -> Check:
    from .provenance import describe

    return Check(OK, "reportgen", f"{describe()} ({Path(__file__).resolve().parent.parent})")


def core_packages() -> Check:
    have: list[str] = []
    gone: list[str] = []
    for module, dist in CORE.items():
        v = package_version(dist)
        (have if installed(module) and v else gone).append(f"{dist} {v}" if v else dist)
    if gone:
        return Check(PROBLEM, "core packages", f"not installed: {', '.join(gone)}",
                     "install reportgen again: pip install reportgen (in this virtual environment)")
    return Check(OK, "core packages", ", ".join(have))


def publish_extra() -> Check:
    have, gone = [], []
    for module, dist in PUBLISH.items():
        v = package_version(dist)
        if installed(module) and v:
            have.append(f"{dist} {v}")
        else:
            gone.append(dist)
    if gone:
        needs = sorted(c for c, mods in NEEDS.items() if set(mods) & {m for m, d in PUBLISH.items() if d in gone})
        return Check(MISSING, "'publish' extra", f"not installed: {', '.join(gone)}"
                     + (f" (installed: {', '.join(have)})" if have else ""),
                     f"{INSTALL}; needed by reportgen {', '.join(needs)} (a member's install needs only the core)")
    return Check(OK, "'publish' extra", ", ".join(have))


def test_extra() -> Check:
    dists = {"pytest": "pytest", "playwright": "playwright", "hypothesis": "hypothesis"}
    gone = [d for m, d in dists.items() if not installed(m)]
    if gone:
        return Check(OPTIONAL, "'test' extra", f"not installed: {', '.join(gone)}",
                     "only for the test suite: pip install 'reportgen[test]'")
    return Check(OK, "'test' extra", ", ".join(f"{d} {package_version(d)}" for d in dists.values()))


def fonts() -> Check:
    listing = _run("fc-list", "--version")
    if listing is None:
        return Check(MISSING, "fonts with macrons", "fontconfig (fc-list) is not installed, so the fonts cannot "
                     "be found", f"{APT} fontconfig fonts-noto-core")
    try:
        done = subprocess.run(["fc-list", f":charset={' '.join(f'{ord(c):x}' for c in MACRONS)}", "family"],
                              capture_output=True, text=True, timeout=20)
        families = {name.strip() for line in done.stdout.splitlines() for name in line.split(",")}
    except (OSError, subprocess.SubprocessError):
        families = set()
    gone = [f for f in FONTS if f not in families]
    if gone:
        return Check(MISSING, "fonts with macrons", f"no {', '.join(gone)} with ā ē ī ō ū (the report's faces); "
                     "the PDF would fall back to another font", f"{APT} fonts-noto-core; needed by reportgen build")
    return Check(OK, "fonts with macrons", f"{', '.join(FONTS)} have {MACRONS}")


def tool(name: str, command: tuple[str, ...], package: str, use: str) -> Check:
    first = _run(*command)
    if first is None:
        return Check(MISSING, name, "not installed", f"{APT} {package}; {use}")
    found = re.search(r"\d+(\.\d+)+", first or "")
    return Check(OK, name, f"{found.group(0) if found else first} ({shutil.which(command[0])})")


# The browsers the tests drive, in the order they are looked for (tests/browser.py): Debian's headless shell
# first (Chromium's Blink without the browser around it, as Playwright's own headless runs use), else Chromium.
BROWSERS = ("chromium-headless-shell", "chromium", "chromium-browser")


def chromium() -> Check:
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return Check(OK, "Chromium (for the tests)", path)
    return Check(OPTIONAL, "Chromium (for the tests)", "not installed",
                 f"only for the test suite: {APT} {BROWSERS[0]} (scripts/setup.sh --test)")


def _writable(folder: Path) -> str | None:
    """None when a file can be made in ``folder`` (or in the nearest folder above it that exists, which
    reportgen would create it in); otherwise why not."""
    probe = folder
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if not probe.is_dir():
        return f"{probe} is a file, not a folder"
    try:
        fd, path = tempfile.mkstemp(prefix=".reportgen-doctor-", dir=probe)
    except OSError as exc:
        return f"{probe}: {exc.strerror or exc}"
    os.close(fd)
    os.unlink(path)
    return None


def folders(config) -> Check:
    from .cachepaths import cache_dir, key_dir
    from .lock import user_cache_home

    places = {"crash logs and locks": user_cache_home() / "reportgen", "cache keys": key_dir()}
    if config is not None:
        places = {"output": config.output_dir, "cache": cache_dir(config.root), **places}
    bad = {what: why for what, folder in places.items() if (why := _writable(folder)) is not None}
    shown = "; ".join(f"{what}: {_home(folder)}" for what, folder in places.items())
    if bad:
        return Check(PROBLEM, "writable folders", "; ".join(f"{what}: {why}" for what, why in bad.items()),
                     "give your user write access, or point output.folder / REPORTGEN_CACHE_DIR / "
                     "REPORTGEN_KEY_DIR elsewhere")
    return Check(OK, "writable folders", shown)


def _home(path: Path) -> str:
    try:
        return "~/" + path.resolve().relative_to(Path.home().resolve()).as_posix()
    except (ValueError, RuntimeError):
        return path.as_posix()


def config_check(path: Path):
    """(Check, the config or None)."""
    from ..core.config import load_config
    from ..core.findings import StageFailed

    if not path.exists():
        return Check(MISSING, "config", f"no {path.as_posix()} here", "run reportgen from the project folder (where "
                     "config.yaml is), or pass --config PATH; members need none for reportgen member"), None
    try:
        config = load_config(path)
    except StageFailed as exc:
        first = exc.findings[0].format().splitlines()[0] if exc.findings else "it does not load"
        n = len(exc.findings)
        return Check(PROBLEM, "config", f"{path.as_posix()} has {n} problem{'s' * (n != 1)}, the first: {first}",
                     "reportgen check PERIOD lists them all"), None
    return Check(OK, "config", f"{path.resolve()} ({len(config.regions)} regions, {len(config.measures)} measures; "
                 f"submissions in {config.data.submissions})"), config


def templates(config) -> Check:
    if not DEFAULT_TEMPLATES.is_dir():
        return Check(PROBLEM, "default templates", f"{DEFAULT_TEMPLATES} is missing",
                     "install reportgen again: the templates are part of the package")
    count = sum(1 for p in DEFAULT_TEMPLATES.rglob("*") if p.is_file())
    detail = f"{DEFAULT_TEMPLATES} ({count} files)"
    if config is not None:
        own = config.root / "templates"
        mine = sum(1 for p in own.rglob("*") if p.is_file()) if own.is_dir() else 0
        detail += (f"; the project's own: {own} ({mine} file{'s' * (mine != 1)}, each used instead of the default "
                   "of its name)")
    return Check(OK, "default templates", detail)


def environment() -> list[Check]:
    from .reproducible import EPOCH_HINT, SOURCE_DATE_EPOCH, build_stamp, epoch_problem

    out = []
    why = epoch_problem()
    if why is not None:
        out.append(Check(PROBLEM, SOURCE_DATE_EPOCH, why, EPOCH_HINT))
    elif os.environ.get(SOURCE_DATE_EPOCH, "").strip():
        out.append(Check(OK, SOURCE_DATE_EPOCH, f"builds are dated {build_stamp()}"))
    try:
        ceiling = limits.memory_ceiling()
        out.append(Check(OK, "memory ceiling", "none" if ceiling is None else f"{ceiling / (1 << 30):.1f} GiB per "
                         f"process ({limits.MEMORY_ENV} to change it)"))
    except ValueError as exc:
        out.append(Check(PROBLEM, limits.MEMORY_ENV, str(exc), "write e.g. 6G or 800M, or 0 for no ceiling"))
    return out


def checks(config_path: Path) -> list[Check]:
    config_line, config = config_check(config_path)
    return [python(), reportgen(), core_packages(), publish_extra(), test_extra(), fonts(),
            tool("poppler", ("pdftotext", "-v"), "poppler-utils", "for checking PDFs and the tests"),
            tool("qpdf", ("qpdf", "--version"), "qpdf", "for checking PDFs and the tests"),
            chromium(), config_line, templates(config), folders(config), *environment()]


MARK = {OK: "ok", MISSING: "missing", PROBLEM: "PROBLEM", OPTIONAL: "optional"}


def report(found: list[Check]) -> list[str]:
    """The lines ``reportgen doctor`` prints."""
    width = max(len(c.what) for c in found)
    lines = ["reportgen doctor: what this machine has for reportgen", ""]
    for c in found:
        lines.append(f"  [{MARK[c.status]:>8}] {c.what:<{width}}  {escape_controls(c.detail)}")
        if c.todo:
            lines.append(f"  {'':>10} {'':<{width}}  → {escape_controls(c.todo)}")
    problems = [c for c in found if c.status == PROBLEM]
    missing = [c for c in found if c.status == MISSING]
    lines.append("")
    if problems:
        lines.append(f"{len(problems)} problem{'s' * (len(problems) != 1)} stop reportgen: "
                     + ", ".join(c.what for c in problems) + ". Fix them as the lines above say.")
    elif missing:
        lines.append("Missing here: " + ", ".join(c.what for c in missing) + ". Each line above says which "
                     "commands need it; the others run as they are.")
    else:
        lines.append("Everything reportgen needs is here.")
    return lines

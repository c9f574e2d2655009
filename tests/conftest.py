"""Shared fixtures: sample projects in temporary folders, and one built sample."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

os.environ["REPORTGEN_STRICT_CODES"] = "1"  # before reportgen is imported: an undeclared finding code fails

import pytest  # noqa: E402

from reportgen.build import BuildResult, build  # noqa: E402
from reportgen.core.config import load_config  # noqa: E402
from reportgen.core.periods import Period  # noqa: E402
from reportgen.runtime.memory import fewer_collections  # noqa: E402

# the test processes run builds in process and hold the session's shared projects: cyclic garbage collected
# as rarely as in a command's own process (cli.main), not those projects re-scanned again and again
fewer_collections()

REPO = Path(__file__).resolve().parent.parent


DEFAULT_TEMPLATES = REPO / "reportgen" / "templates"  # shipped with the package


def copy_project(dest: Path, *, data: bool = True) -> Path:
    """A full copy of the shipped sample project (config, data, narratives, its templates folder: the
    staff's overrides of the package's default templates)."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "config.yaml", dest / "config.yaml")
    shutil.copytree(REPO / "templates", dest / "templates")
    shutil.copytree(REPO / "narratives", dest / "narratives")
    if data:
        shutil.copytree(REPO / "data", dest / "data")
    return dest


def own_template(root: Path, name: str) -> Path:
    """The project's own copy of a default template (as staff make one to change it): copied from the
    package's defaults unless the project has one already."""
    path = root / "templates" / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(DEFAULT_TEMPLATES / name, path)
    return path


def with_register_columns(root: Path, delivery=lambda org: "", contact=lambda org: "") -> None:
    """The register's optional columns added to the project's members.csv: how each member
    delivers (``delivery(org)``) and who receives its private report (``contact(org)``)."""
    import csv

    path = root / "data" / "members.csv"
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, [*rows[0].keys(), "delivery", "contact"])
        writer.writeheader()
        for r in rows:
            writer.writerow({**r, "delivery": delivery(r["org_id"]), "contact": contact(r["org_id"])})


def small_project(dest: Path, members: int = 5, *, final: bool = False) -> Path:
    """The sample's config, narratives and templates with a small generated dataset: the national
    report and three regional briefs (AKL, WGN, CAN) instead of fourteen — for tests that build often.

    ``final``: for tests that make a final of it. The sample's narratives describe the sample's data:
    their checks would rightly refuse a final of other data, and a region's figure they quote may not
    be published there. So each check becomes ``[[no check: …]]``, each regional figure the national
    one, and the regions' commentary gives way to the computed summary."""
    import re

    from reportgen.inputs.sample_data import generate

    copy_project(dest, data=False)
    generate(dest / "data", members=members)
    if final:
        folder = dest / "narratives" / "2025H1"
        shutil.rmtree(folder / "regions")
        for path in folder.rglob("*.yaml"):
            text = re.sub(r"\[\[check [^\]]*\]\]", "[[no check — generated test data]]",
                          path.read_text(encoding="utf-8"))
            path.write_text(re.sub(r"\bregion\.[A-Z]{3}\.", "", text), encoding="utf-8")
    return dest


def run_folder(tmp_path_factory) -> Path:
    """The folder of this test run that every pytest-xdist worker shares (each worker's own base
    folder is inside it); without xdist, the session's base folder."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def once(tmp_path_factory, name: str, make) -> Path:
    """``make(folder)`` run once per test run, whichever worker asks first, in a folder every worker
    shares; the others wait for it (a lock) and get the same folder. For projects that tests only
    read: one build serves every worker. A failed ``make`` leaves nothing: the next caller tries again."""
    import fcntl
    import time

    shared = run_folder(tmp_path_factory)
    folder, done = shared / f"once-{name}", shared / f"once-{name}.done"
    asked = time.perf_counter()
    with (shared / f"once-{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        waited, made = time.perf_counter() - asked, 0.0
        if not done.exists():
            if folder.exists():
                shutil.rmtree(folder)
            folder.mkdir()
            make(folder)
            done.touch()
            made = time.perf_counter() - asked - waited
    with (shared / "once-times.tsv").open("a", encoding="utf-8") as log:  # for the run's summary
        log.write(f"{name}\t{os.environ.get('PYTEST_XDIST_WORKER', 'main')}\t{waited:.2f}\t{made:.2f}\n")
    return folder


@pytest.fixture(scope="session", autouse=True)
def shared_cache(tmp_path_factory):
    """One cache folder for the whole run, shared by every worker ($REPORTGEN_CACHE_DIR): every entry
    is keyed by content and written atomically, so projects with the same documents reuse each
    other's charts and PDF layouts, as they would on a staff machine. Tests of the caches themselves
    use per-project folders."""
    from reportgen.runtime.cache import CACHE_ENV

    previous = os.environ.get(CACHE_ENV)
    folder = run_folder(tmp_path_factory) / "shared-cache"
    folder.mkdir(exist_ok=True)
    os.environ[CACHE_ENV] = str(folder)
    yield
    if previous is None:
        os.environ.pop(CACHE_ENV, None)
    else:
        os.environ[CACHE_ENV] = previous


SLOW_FIXTURES = {"built_sample", "two_drafts", "built_large", "generated_h1"}  # each builds a whole project


SHARED_MUTABLE = ("two_drafts", "generated_h1")  # session projects that tests change: one worker each


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist's own hook, which writes the groups into the test ids
def pytest_collection_modifyitems(config, items):
    """``browser``: every test that opens a page in Chromium; ``slow``: every test that builds
    the sample (or is marked so), so that ``-m "not slow"`` gives a quick run. For pytest-xdist
    (``--dist loadgroup``): the tests of a module with a module-scoped fixture run in one worker
    (the fixture is made once), and so do the users of a session project that tests change."""
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if "browser" in names:
            item.add_marker(pytest.mark.browser)
        if names & SLOW_FIXTURES or item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.slow)
        group = next((n for n in SHARED_MUTABLE if n in names), None)
        if group is None:
            info = getattr(item, "_fixtureinfo", None)
            defs = info.name2fixturedefs if info is not None else {}
            if any(d.scope == "module" for fds in defs.values() for d in fds):
                group = item.module.__name__
        if group is not None:
            item.add_marker(pytest.mark.xdist_group(group))


def pytest_collection_finish(session):
    """On a pytest-xdist worker with ``--dist loadgroup``, the groups must have reached the test ids
    (``test@group``), which is how xdist sends a group to one worker. pytest 9.2 silently stopped that
    (pytest-dev/pytest-xdist#1386): every module fixture was then built once per worker and the suite ran
    minutes longer. ``grouping_works`` then fails every test rather than lose the grouping without a word."""
    if os.environ.get("PYTEST_XDIST_WORKER") and getattr(session.config.option, "loadgroup", False):
        session.config.stash[_UNGROUPED] = [item.nodeid for item in session.items if item.get_closest_marker(
            "xdist_group") and "@" not in item.nodeid.rsplit("]", 1)[-1]]


_UNGROUPED = pytest.StashKey[list]()


@pytest.fixture(scope="session", autouse=True)
def grouping_works(request):
    lost = request.config.stash.get(_UNGROUPED, [])
    if lost:
        pytest.fail(f"pytest-xdist did not group {len(lost)} tests (the first: {lost[0]}): this pytest and "
                    "pytest-xdist do not work together for --dist loadgroup; install the versions pyproject.toml "
                    "names (scripts/setup.sh --test)", pytrace=False)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium (Debian's, driven by Playwright) for the whole session."""
    from playwright.sync_api import sync_playwright

    from .browser import launch

    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


# The build date of the shared builds and of every command run by ``run_cli``/``cli_in_process``: the same
# documents then have the same HTML, so their layouts come from the run's shared cache whoever built them first.
EPOCH = "1751328000"  # 2025-07-01


def _build_once(tmp_path_factory, name: str, prepare) -> Path:
    """A project made by ``prepare(root)`` and built by ``reportgen build 2025H1 -q`` (in this process:
    ``cli_in_process``, SOURCE_DATE_EPOCH ``EPOCH``) once per test run; its bundle (draft 1)."""

    def make(folder: Path) -> None:
        root = folder / "project"
        prepare(root)
        first = cli_in_process("build", "2025H1", "-q", cwd=root)
        assert first.returncode == 0, first.stderr
        assert first.stdout.startswith("Built 2025H1 draft 1: output/2025H1/drafts/1/report.pdf")

    return once(tmp_path_factory, name, make) / "project" / "output" / "2025H1" / "drafts" / "1"


@pytest.fixture(scope="session")
def built_sample(tmp_path_factory) -> Path:
    """The sample 2025H1 bundle, built once per test run in a copy of the project (read only)."""
    return _build_once(tmp_path_factory, "sample", copy_project)


@pytest.fixture(scope="session")
def built_large(tmp_path_factory) -> Path:
    """A bundle built from generated data with five times the sample's members (issue 18: every
    page, brief and table property must hold there too), once per test run (read only)."""
    from reportgen.inputs.sample_data import generate

    def prepare(root: Path) -> None:
        copy_project(root, data=False)
        generate(root / "data", members=220)

    return _build_once(tmp_path_factory, "large", prepare)


@pytest.fixture(scope="session")
def epoch_builds(built_sample, tmp_path_factory) -> tuple[Path, Path]:
    """Two builds of two copies of the sample with the same SOURCE_DATE_EPOCH, once per test run: the
    first through the caches (``built_sample``), the second with none (``use_cache=False``: every stage
    computed, every chart drawn and every PDF laid out afresh), so that identical bytes prove the build
    reproducible, not the cache."""

    def make(folder: Path) -> None:
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
            root = copy_project(folder / "project")
            result = build(load_config(root / "config.yaml"), Period.parse("2025H1"), use_cache=False)
            assert result.ok, [f.format() for f in result.findings if f.is_error]

    folder = once(tmp_path_factory, "epoch", make)
    return built_sample, folder / "project" / "output" / "2025H1" / "drafts" / "1"


# ---- review workflow (issue 7): two drafts of one project, built once per session -------------
import subprocess  # noqa: E402
import sys  # noqa: E402

STORY = Path("narratives/2025H1/stories/kai-on-the-table.yaml")


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reportgen", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH})


def cli_in_process(*args: str, cwd: Path, epoch: str = EPOCH) -> subprocess.CompletedProcess:
    """``reportgen ARGS`` as ``run_cli`` gives it (exit code, stdout, stderr; the same SOURCE_DATE_EPOCH),
    but run in this process by click's runner: for tests of what a command does, not of the process
    (start-up, signals, pipes: those use ``run_cli``). Saves the interpreter's start-up and a forkserver's
    imports per command (issue 22)."""
    from click.testing import CliRunner

    from reportgen.cli import cli

    here = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner(env={"SOURCE_DATE_EPOCH": epoch}).invoke(cli, list(args))
    finally:
        os.chdir(here)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return subprocess.CompletedProcess(["reportgen", *args], result.exit_code, result.stdout, result.stderr)


def cli_as_user(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """``cli_in_process`` without SOURCE_DATE_EPOCH, as a user runs the command (today's date decides the
    default period, and a story's expiry and consent): for tests of what a command prints."""
    return cli_in_process(*args, cwd=cwd, epoch="")


def copied(project: Path, dest: Path) -> Path:
    """A copy of a built project at ``dest``: its output (the ``latest`` link kept a link) and its
    .reportgen-cache/ if it has one, to go on from where the build left it."""
    shutil.copytree(project, dest, symlinks=True)
    return dest


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="session")
def two_drafts(built_sample, tmp_path_factory) -> Path:
    """A project built twice through the CLI, with a story edited in between: a copy of ``built_sample``'s
    project (its draft 1, made by the same command), then draft 2 (the tests that use it run in one
    worker: ``two_drafts`` is an xdist group, see ``pytest_collection_modifyitems``)."""
    root = copied(built_sample.parents[3], tmp_path_factory.mktemp("drafts") / "project")
    assert (root / "output" / "2025H1" / "latest").resolve() == root / "output" / "2025H1" / "drafts" / "1"
    story = root / STORY
    story.write_text(story.read_text(encoding="utf-8").replace("Mele is a mother of four in South Auckland",
                                                               "Mele is a mother of five in South Auckland"),
                     encoding="utf-8")
    second = cli_in_process("build", "2025H1", "-q", cwd=root)
    assert second.returncode == 0, second.stderr
    assert second.stdout.startswith("Built 2025H1 draft 2: output/2025H1/drafts/2/report.pdf")
    return root


@pytest.fixture(scope="session")
def generated_h1(tmp_path_factory) -> tuple[Path, BuildResult]:
    """Held-out data the tests make (not the shipped sample): 16 generated members, one of which
    misses its last quarter, with planted warnings and the register's optional columns; built
    (2025H1 draft 1) once per session. Tests may add drafts and other periods to it, so its users
    run in one worker (the ``generated_h1`` xdist group)."""
    from reportgen.inputs.sample_data import generate

    root = copy_project(tmp_path_factory.mktemp("generated") / "project", data=False)
    generate(root / "data", members=16, seed=4242)
    with_register_columns(root, delivery=lambda org: "individual",
                          contact=lambda org: f"data@{org.lower()}.example.nz")
    result = build(load_config(root / "config.yaml"), Period.parse("2025H1"))
    assert result.ok, [f.format() for f in result.findings if f.is_error]
    return root, result


def record_reviews(root: Path, period: str, by: str = "Test Reviewer") -> None:
    """Record every review the final of ``period`` needs (config ``governance.reviews``: by default the
    Māori data review), over what the release has now — as staff do with ``reportgen review PERIOD
    --record ID --by NAME`` once the reviewers have been through the review pack (issue 27)."""
    from reportgen.charts import ChartCache, chart_cache_dir
    from reportgen.publication import publication_for
    from reportgen.release.governance import record_review

    config = load_config(root / "config.yaml")
    p = Period.parse(period)
    publication, run = publication_for(config, p, charts=ChartCache(chart_cache_dir(config)))
    assert publication is not None, [f.format() for f in run.findings if f.is_error]
    for review in config.governance.reviews:
        record, problems = record_review(config, p, publication, review, by)
        assert record is not None, problems


def pytest_terminal_summary(terminalreporter, config):
    """How long the run's shared projects (``once``) took to make, and how long workers waited for
    another worker to make one: a wait is a core doing nothing, which a better grouping would give back."""
    shared = Path(str(config._tmp_path_factory.getbasetemp())) if hasattr(config, "_tmp_path_factory") else None
    log = shared / "once-times.tsv" if shared is not None else None
    if log is None or not log.exists():
        return
    rows = [line.split("\t") for line in log.read_text(encoding="utf-8").splitlines() if line.count("\t") == 3]
    made = {r[0]: float(r[3]) for r in rows if float(r[3]) > 0}
    waits = [(r[0], r[1], float(r[2])) for r in rows if float(r[2]) >= 0.5]
    terminalreporter.write_line(
        "shared projects made once: " + ", ".join(f"{n} {s:.1f} s" for n, s in sorted(made.items())) +
        (f"; waited for: {', '.join(f'{n} {s:.1f} s ({w})' for n, w, s in waits)}" if waits else "; no wait"))

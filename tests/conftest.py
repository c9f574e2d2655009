"""Shared fixtures: sample projects in temporary folders, and one built sample."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

os.environ["REPORTGEN_STRICT_CODES"] = "1"  # before reportgen is imported: an undeclared finding code fails

import pytest  # noqa: E402

from reportgen.build import build  # noqa: E402
from reportgen.core.config import load_config  # noqa: E402
from reportgen.core.periods import Period  # noqa: E402

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


def small_project(dest: Path, members: int = 5) -> Path:
    """The sample's config, narratives and templates with a small generated dataset: the national
    report and three regional briefs (AKL, WGN, CAN) instead of fourteen — for tests that build often."""
    from reportgen.inputs.sample_data import generate

    copy_project(dest, data=False)
    generate(dest / "data", members=members)
    return dest


@pytest.fixture(scope="session", autouse=True)
def shared_cache(tmp_path_factory):
    """One cache folder for the whole session ($REPORTGEN_CACHE_DIR): every entry is keyed by
    content, so projects with the same documents reuse each other's charts and PDF layouts, as
    they would on a staff machine. Tests of the caches themselves use per-project folders."""
    from reportgen.runtime.cache import CACHE_ENV

    previous = os.environ.get(CACHE_ENV)
    os.environ[CACHE_ENV] = str(tmp_path_factory.mktemp("shared-cache"))
    yield
    if previous is None:
        os.environ.pop(CACHE_ENV, None)
    else:
        os.environ[CACHE_ENV] = previous


SLOW_FIXTURES = {"built_sample", "two_drafts", "built_large"}  # each builds a whole project


def pytest_collection_modifyitems(config, items):
    """``browser``: every test that opens a page in Chromium; ``slow``: every test that builds
    the sample (or is marked so), so that ``-m "not slow"`` gives a quick run."""
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if "browser" in names:
            item.add_marker(pytest.mark.browser)
        if names & SLOW_FIXTURES or item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.slow)


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


@pytest.fixture(scope="session")
def built_sample(tmp_path_factory) -> Path:
    """The sample 2025H1 bundle, built once per test session in a copy of the project."""
    root = copy_project(tmp_path_factory.mktemp("sample") / "project")
    result = build(load_config(root / "config.yaml"), Period.parse("2025H1"))
    assert result.ok, [f.format() for f in result.findings if f.is_error]
    return result.out_dir


@pytest.fixture(scope="session")
def built_large(tmp_path_factory) -> Path:
    """A bundle built from generated data with five times the sample's members (issue 18: every
    page, brief and table property must hold there too)."""
    from reportgen.inputs.sample_data import generate

    root = copy_project(tmp_path_factory.mktemp("large") / "project", data=False)
    generate(root / "data", members=220)
    result = build(load_config(root / "config.yaml"), Period.parse("2025H1"))
    assert result.ok, [f.format() for f in result.findings if f.is_error]
    return result.out_dir


# ---- review workflow (issue 7): two drafts of one project, built once per session -------------
import subprocess  # noqa: E402
import sys  # noqa: E402

STORY = Path("narratives/2025H1/stories/kai-on-the-table.yaml")


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reportgen", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, "SOURCE_DATE_EPOCH": "1751328000"})


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="session")
def two_drafts(tmp_path_factory) -> Path:
    """A project built twice through the CLI, with a story edited in between, then rebuilt unchanged."""
    root = copy_project(tmp_path_factory.mktemp("drafts") / "project")
    first = run_cli("build", "2025H1", "-q", cwd=root)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("Built 2025H1 draft 1: output/2025H1/drafts/1/report.pdf")
    story = root / STORY
    story.write_text(story.read_text(encoding="utf-8").replace("Mele is a mother of four in South Auckland",
                                                               "Mele is a mother of five in South Auckland"),
                     encoding="utf-8")
    second = run_cli("build", "2025H1", "-q", cwd=root)
    assert second.returncode == 0, second.stderr
    assert second.stdout.startswith("Built 2025H1 draft 2: output/2025H1/drafts/2/report.pdf")
    return root

"""Shared fixtures: sample projects in temporary folders, and one built sample."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from reportgen.build import build
from reportgen.config import load_config
from reportgen.periods import Period

REPO = Path(__file__).resolve().parent.parent


def copy_project(dest: Path, *, data: bool = True) -> Path:
    """A full copy of the shipped sample project (config, data, narratives, templates)."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "config.yaml", dest / "config.yaml")
    shutil.copytree(REPO / "templates", dest / "templates")
    shutil.copytree(REPO / "narratives", dest / "narratives")
    if data:
        shutil.copytree(REPO / "data", dest / "data")
    return dest


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

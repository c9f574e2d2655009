"""The member commands need no rendering stack: proved with an import blocker, and in a core-only venv."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "data" / "member-export"
RENDERING = ["weasyprint", "matplotlib", "pikepdf", "playwright", "cairocffi", "cairosvg", "pydyf", "tinycss2",
             "cssselect2", "fontTools", "PIL", "pyphen", "gi", "pango", "pangocffi", "watchfiles"]

BLOCKER = textwrap.dedent("""
    import importlib.abc, runpy, sys
    BLOCKED = set(sys.argv[1].split(","))

    class Blocker(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in BLOCKED:
                raise ImportError(f"{name} is blocked: the member side must not need it")
            return None

    sys.meta_path.insert(0, Blocker())
    sys.argv = ["reportgen", *sys.argv[2:]]
    try:
        runpy.run_module("reportgen", run_name="__main__", alter_sys=True)
    finally:
        loaded = sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED)
        assert not loaded, loaded
""")


def _blocked(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", BLOCKER, ",".join(RENDERING), *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def test_the_blocker_really_blocks(tmp_path):
    """The control: blocking a module the member side does use makes it fail."""
    proc = subprocess.run([sys.executable, "-c", BLOCKER, "pyarrow", "member", "aggregate", str(SAMPLE / "export"),
                           "--mapping", str(SAMPLE / "mapping.yaml"), "--org", "MET001", "--from", "2025Q1",
                           "--to", "2025Q2", "--out", str(tmp_path / "out")],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 3 and "pyarrow is blocked" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_member_commands_run_without_the_rendering_stack(tmp_path):
    out = tmp_path / "out"
    proc = _blocked("member", "aggregate", str(SAMPLE / "export"), "--mapping", str(SAMPLE / "mapping.yaml"),
                    "--org", "MET001", "--from", "2025Q1", "--to", "2025Q2", "--out", str(out), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (out / "2025Q1" / "MET001.csv").is_file() and (out / "2025H1" / "MET001.csv").is_file()
    proc = _blocked("member", "init", str(SAMPLE / "export"), "--out", str(tmp_path / "mapping.yaml"), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "mapping.yaml").is_file()
    proc = _blocked("--help", cwd=tmp_path)
    assert proc.returncode == 0 and "member" in proc.stdout


@pytest.mark.slow
def test_a_core_only_install_runs_the_member_commands(tmp_path):
    """pip install of the package without the publish extra, in a fresh venv: the member side works,
    and the rendering stack is not there."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    py = venv / "bin" / "python"
    src = tmp_path / "src"  # a clean copy: no .venv, no node_modules, no caches
    shutil.copytree(REPO, src, ignore=shutil.ignore_patterns(".venv", "node_modules", ".git", "output", "*.egg-info",
                                                             "__pycache__", ".reportgen-cache", ".hypothesis",
                                                             ".pytest_cache", "build"))
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    # --no-compile: no bytecode written for every module of pandas and numpy (what is imported is compiled
    # when it is first run); the install itself is the same
    install = subprocess.run([str(py), "-m", "pip", "install", "-q", "--disable-pip-version-check", "--no-compile",
                              str(src)],
                             capture_output=True, text=True, timeout=900, env=env)
    assert install.returncode == 0, install.stderr[-3000:]
    probe = subprocess.run([str(py), "-c", "import importlib.util as u; print([m for m in "
                            "('weasyprint', 'matplotlib', 'pikepdf', 'playwright') if u.find_spec(m)])"],
                           capture_output=True, text=True, timeout=120, env=env)
    assert probe.stdout.strip() == "[]", probe.stdout
    out = tmp_path / "out"
    run = subprocess.run([str(venv / "bin" / "reportgen"), "member", "aggregate", str(SAMPLE / "export"),
                          "--mapping", str(SAMPLE / "mapping.yaml"), "--org", "MET001", "--from", "2025Q1",
                          "--to", "2025Q2", "--out", str(out)], capture_output=True, text=True, timeout=300,
                         cwd=tmp_path, env=env)
    assert run.returncode == 0, run.stderr
    page = next(out.glob("what-leaves-*.html")).read_text(encoding="utf-8")
    assert "What will leave your organisation" in page  # the template is in the installed package
    assert (out / "2025H1" / "MET001.csv").is_file()

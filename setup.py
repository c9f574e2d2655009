"""Packaging hook (everything else is in pyproject.toml): a package built from a git checkout records
the commit it was built from in ``reportgen/_commit.txt``, so that an installed copy (a member's
``pip install ./reportgen``) can say which code made its files (``reportgen --version``, the
manifests). Read from git's own files: git need not be installed."""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.command.sdist import sdist

HERE = Path(__file__).resolve().parent


def _commit() -> str:
    """The checkout's commit, by ``reportgen/runtime/gitref.py`` (standard library only)."""
    import runpy

    return runpy.run_path(str(HERE / "reportgen" / "runtime" / "gitref.py"))["read_commit"](HERE) or ""


class BuildPy(build_py):
    def run(self):
        super().run()
        commit = _commit()
        if commit:
            target = Path(self.build_lib) / "reportgen" / "_commit.txt"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(commit + "\n", encoding="utf-8")


class Sdist(sdist):
    def make_release_tree(self, base_dir, files):
        super().make_release_tree(base_dir, files)
        commit = _commit()
        if commit:
            (Path(base_dir) / "reportgen" / "_commit.txt").write_text(commit + "\n", encoding="utf-8")


setup(cmdclass={"build_py": BuildPy, "sdist": Sdist})

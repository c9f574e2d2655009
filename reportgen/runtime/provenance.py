"""Which code made an output: reportgen's version and, when known, the source commit.

The version (``reportgen.__version__``, semantic versioning, bumped with every
release of the tool: CHANGELOG.md) goes into every ``release.json``, manifest,
colophon and member-side manifest. The commit is found without running git:

* an installed copy carries it in ``reportgen/_commit.txt``, written when the
  package was built from a checkout (``setup.py``);
* a copy run from a checkout (an editable install, the tests) reads the
  checkout's ``.git/HEAD`` and the ref it names.

Neither can say whether files were edited after that commit; the build's input
fingerprint (its ``reportgen`` part, a digest of every file of the package)
does, and is recorded beside it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from .. import __version__
from .gitref import SHA, read_commit

PACKAGE = Path(__file__).resolve().parent.parent
COMMIT_FILE = PACKAGE / "_commit.txt"


@cache
def source_commit() -> str | None:
    """The commit reportgen's code came from, when known."""
    try:
        recorded = COMMIT_FILE.read_text(encoding="utf-8").strip()
    except OSError:
        recorded = ""
    if SHA.match(recorded):
        return recorded
    return read_commit(PACKAGE.parent)


def tool() -> dict[str, str | None]:
    """``{"version": …, "commit": …}`` for release.json and the manifests."""
    return {"version": __version__, "commit": source_commit()}


def describe() -> str:
    """One line for a colophon or ``reportgen --version``: "0.2.0 (commit 1a2b3c4d5e6f)"."""
    commit = source_commit()
    return f"{__version__} (commit {commit[:12]})" if commit else __version__

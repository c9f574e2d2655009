"""The commit a git checkout has checked out, read from git's own files (git need not be installed).

Standard library only, and nothing of reportgen: ``setup.py`` runs it when a package is built, to record
the commit in the package (``provenance.py``).
"""

from __future__ import annotations

import re
from pathlib import Path

SHA = re.compile(r"^[0-9a-f]{40}$")


def read_commit(checkout: Path) -> str | None:
    """The commit checked out at ``checkout`` (a folder holding ``.git``), read from git's own files;
    None when it is not a git checkout or its files are not as expected."""
    git = checkout / ".git"
    try:
        if git.is_file():  # a worktree or submodule: "gitdir: <path>"
            text = git.read_text(encoding="utf-8").strip()
            if not text.startswith("gitdir:"):
                return None
            git = (checkout / text.removeprefix("gitdir:").strip()).resolve()
        head = (git / "HEAD").read_text(encoding="utf-8").strip()
        if SHA.match(head):
            return head
        if not head.startswith("ref: "):
            return None
        ref = head.removeprefix("ref: ").strip()
        common = git
        if (git / "commondir").is_file():  # a worktree keeps its refs in the main repository
            common = (git / (git / "commondir").read_text(encoding="utf-8").strip()).resolve()
        for folder in (git, common):
            loose = folder / ref
            if loose.is_file():
                sha = loose.read_text(encoding="utf-8").strip()
                return sha if SHA.match(sha) else None
        packed = common / "packed-refs"
        if packed.is_file():
            for line in packed.read_text(encoding="utf-8").splitlines():
                sha, _, name = line.partition(" ")
                if name.strip() == ref and SHA.match(sha):
                    return sha
    except (OSError, UnicodeDecodeError):
        return None
    return None

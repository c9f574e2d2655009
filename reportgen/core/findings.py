"""Findings: every problem reportgen reports, as data.

A finding has a stable code (``config.unknown-key``), a severity, a location
(file, line, column) and a hint. Stages collect findings instead of raising;
only the command line turns them into an exit code. Nothing in here prints.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

from . import codes

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    severity: Severity
    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    hint: str | None = None
    member: str | None = None
    excerpt: str | None = None  # the offending source line, shown under the message

    def __post_init__(self) -> None:
        codes.check(self.code)  # every code is declared in codes.py (enforced in the tests)

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def location(self) -> str:
        if not self.file:
            return ""
        parts = [self.file]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def format(self) -> str:
        """One finding as the CLI prints it, compiler style."""
        where = self.location()
        head = f"{where}: " if where else ""
        text = f"{head}{self.severity}: {self.message} [{self.code}]"
        if self.excerpt is not None:
            text += f"\n    | {self.excerpt}"
            if self.column is not None:
                text += "\n    | " + " " * max(self.column - 1, 0) + "^"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text

    def to_dict(self) -> dict:
        return asdict(self)


class StageFailed(Exception):
    """Raised by a stage that cannot go on; carries every finding so far."""

    def __init__(self, findings: Iterable[Finding]):
        self.findings = list(findings)
        super().__init__(f"{len(self.findings)} problem(s)")


def did_you_mean(word: str, choices: Iterable[str], *, cutoff: float = 0.6) -> str | None:
    """The nearest known choice to ``word`` (case-insensitive), or None."""
    options = {c.lower(): c for c in choices}
    match = difflib.get_close_matches(str(word).lower().strip(), list(options), n=1, cutoff=cutoff)
    return options[match[0]] if match else None


def suggestion_hint(word: str, choices: Iterable[str], what: str = "") -> str:
    """A hint naming the nearest choice, or listing the choices when few."""
    choices = list(choices)
    near = did_you_mean(word, choices)
    if near is not None:
        return f"did you mean '{near}'?"
    if len(choices) <= 12:
        return f"expected one of: {', '.join(sorted(choices))}"
    return f"see the list of known {what or 'values'} in the documentation"


def relative(path: Path | str, root: Path | None) -> str:
    """A path as users should see it: relative to the project when inside it."""
    p = Path(path)
    if root is not None:
        try:
            return p.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
    return p.as_posix()

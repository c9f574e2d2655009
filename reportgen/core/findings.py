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

from . import codes, limits
from .safetext import clip, escape_controls, lookalike_note, skeleton

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
    omitted: int = 0  # a summary line: it stands for this many further findings of its code, not listed

    def __post_init__(self) -> None:
        codes.check(self.code)  # every code is declared in codes.py (enforced in the tests)
        # Text that came from an input never reaches a terminal or a JSON reader raw: control characters,
        # invisible formatting characters and lone surrogates are escaped (\x1b, \r, \u202e), and a
        # message or hint that quotes a huge value is cut.
        for name, limit in (("message", limits.FINDING_MESSAGE_CHARS), ("hint", limits.FINDING_MESSAGE_CHARS),
                            ("file", limits.FINDING_MESSAGE_CHARS), ("member", 100)):
            value = getattr(self, name)
            if value is not None:
                safe = clip(escape_controls(str(value)), limit)
                if safe is not value:
                    object.__setattr__(self, name, safe)
        if self.excerpt is not None:  # a tab in the source line shown stays a tab (it is harmless)
            excerpt = str(self.excerpt)
            safe = "\t".join(escape_controls(part) for part in excerpt.split("\t")) if "\t" in excerpt else \
                escape_controls(excerpt)
            if safe != excerpt:
                object.__setattr__(self, "excerpt", safe)

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
        out = asdict(self)
        if not self.omitted:
            del out["omitted"]  # only summary lines carry it
        return out


class StageFailed(Exception):
    """Raised by a stage that cannot go on; carries every finding so far."""

    def __init__(self, findings: Iterable[Finding]):
        self.findings = list(findings)
        super().__init__(f"{len(self.findings)} problem(s)")


def did_you_mean(word: str, choices: Iterable[str], *, cutoff: float = 0.6) -> str | None:
    """The nearest known choice to ``word`` (case-insensitive), or None."""
    options = {c.lower(): c for c in choices}
    looks = skeleton(str(word).strip()).casefold()
    for c in options.values():  # the same on screen (a Cyrillic А for an A): that one, whatever difflib says
        if skeleton(c).casefold() == looks:
            return c
    match = difflib.get_close_matches(str(word).lower().strip(), list(options), n=1, cutoff=cutoff)
    return options[match[0]] if match else None


def did_you_mean_hint(word: str, near: str) -> str:
    """"did you mean 'X'?", saying so when ``word`` only looks like ``near`` (a Cyrillic А for an A)."""
    note = lookalike_note(str(word).strip(), near)
    return f"did you mean '{near}'? " + note + "; type it again" if note else f"did you mean '{near}'?"


def suggestion_hint(word: str, choices: Iterable[str], what: str = "") -> str:
    """A hint naming the nearest choice, or listing the choices when few."""
    choices = list(choices)
    near = did_you_mean(word, choices)
    if near is not None:
        return did_you_mean_hint(word, near)
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


# ---- no floods: the first findings of a kind, then one line with the count --------------------------

def stands_for(f: Finding) -> int:
    """How many problems ``f`` reports: one, or for a summary line the findings it stands for."""
    return f.omitted or 1


def tally(findings: Iterable[Finding]) -> tuple[int, int]:
    """(errors, warnings), counting the findings that summary lines stand for."""
    errors = warnings = 0
    for f in findings:
        if f.is_error:
            errors += stands_for(f)
        else:
            warnings += stands_for(f)
    return errors, warnings


def cap(findings: Iterable[Finding], *, per_file: int | None = None, per_code: int | None = None,
        total: int | None = None) -> list[Finding]:
    """The findings a person reads: of each code, the first ``per_file`` in each file and ``per_code`` in
    the run, and no more than ``total`` in all (after that only the first of each further code), in their
    order; then, for each code with more, one summary line with the count (``omitted``) and the files
    that had them. Summary lines that stages made already (``omitted``) are merged into these, so
    capping twice changes nothing. Defaults: ``limits.FINDINGS_PER_FILE`` and friends."""
    per_file = limits.FINDINGS_PER_FILE if per_file is None else per_file
    per_code = limits.FINDINGS_PER_CODE if per_code is None else per_code
    total = limits.FINDINGS_TOTAL if total is None else total
    kept: list[Finding] = []
    in_file: dict[tuple[str, str | None], int] = {}
    in_code: dict[str, int] = {}
    rest: dict[str, dict[str | None, int]] = {}  # code → file → findings not listed
    first_left: dict[str, Finding] = {}
    members: dict[str, set[str | None]] = {}
    made: dict[str, list[Finding]] = {}  # summary lines a stage made, per code
    single: dict[str, int] = {}  # findings left out here, per code
    shown = 0
    for f in findings:
        key = (f.code, f.file)
        if f.omitted:
            n = f.omitted
            made.setdefault(f.code, []).append(f)
        elif (in_file.get(key, 0) >= per_file or in_code.get(f.code, 0) >= per_code
              or (shown >= total and in_code.get(f.code, 0) >= 1)):
            n = 1
        else:
            kept.append(f)
            in_file[key] = in_file.get(key, 0) + 1
            in_code[f.code] = in_code.get(f.code, 0) + 1
            shown += 1
            continue
        if not f.omitted:
            single[f.code] = single.get(f.code, 0) + 1
        files = rest.setdefault(f.code, {})
        files[f.file] = files.get(f.file, 0) + n
        first_left.setdefault(f.code, f)
        members.setdefault(f.code, set()).add(f.member)
    for code, files in rest.items():
        if not single.get(code) and len(made.get(code, [])) == 1:
            kept.append(made[code][0])  # the stage's own line says it best (its file and column)
            continue
        n = sum(files.values())
        first = first_left[code]
        what = f"{code} {first.severity}{'s' * (n != 1)}"
        named = sorted(((k, v) for k, v in files.items() if k), key=lambda kv: -kv[1])
        if len(files) == 1 and named:
            where = f" in {named[0][0]}"
        elif named:
            listed = "; ".join(f"{k}: {v:,}" for k, v in named[:3])
            where = f" in {len(files):,} files ({listed}{'; …' if len(named) > 3 else ''})"
        else:
            where = ""
        only = members[code]
        kept.append(Finding(code, first.severity,
                            f"… and {n:,} more {what} not listed{where}",
                            file=named[0][0] if len(files) == 1 and named else None,
                            member=next(iter(only)) if len(only) == 1 else None,
                            hint=f"the first {per_file} of a kind in each file and {per_code} in a run are listed "
                                 "(docs/limits.md); findings of one kind usually share one cause: fix the ones "
                                 "listed and check again", omitted=n))
    return kept


class Capped:
    """Findings as a stage makes them, bounded where they are made: of each code, the first
    ``limits.FINDINGS_PER_FILE`` in each file are kept and the rest only counted, so a file of a million
    bad rows costs a count, not a million findings. ``close`` appends one summary line (``omitted``)
    per code and file that had more; ``cap`` merges those with the rest at output."""

    def __init__(self, out: list[Finding], per_file: int | None = None):
        self.out = out
        self.per_file = limits.FINDINGS_PER_FILE if per_file is None else per_file
        self.seen: dict[tuple[str, str | None], int] = {}
        self.first: dict[tuple[str, str | None], Finding] = {}

    def wants(self, code: str, file: str | None) -> bool:
        """Whether the next finding of ``code`` in ``file`` would be listed (else: just ``count`` it)."""
        return self.seen.get((code, file), 0) < self.per_file

    def count(self, code: str, file: str | None, n: int = 1) -> None:
        """``n`` findings of ``code`` in ``file`` not made (past the cap): only counted."""
        key = (code, file)
        self.seen[key] = self.seen.get(key, 0) + n

    def add(self, finding: Finding) -> None:
        key = (finding.code, finding.file)
        n = self.seen.get(key, 0)
        self.seen[key] = n + 1
        if n < self.per_file:
            self.out.append(finding)
            self.first.setdefault(key, finding)

    def close(self) -> None:
        for key, n in self.seen.items():
            if n > self.per_file and key in self.first:
                first = self.first[key]
                rest = n - self.per_file
                self.out.append(Finding(first.code, first.severity,
                                        f"… and {rest:,} more like this in {first.file or 'this run'}",
                                        file=first.file, member=first.member, hint=first.hint, omitted=rest))
        self.seen.clear()
        self.first.clear()

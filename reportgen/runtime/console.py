"""Findings on the terminal: grouped by member, errors in red, warnings in yellow, and a summary line.

Shared by every command (``cli.py`` and the member commands, ``member/cli.py``).
"""

from __future__ import annotations

import sys
from collections import Counter

import click

from ..core.findings import Finding


def styled(f: Finding) -> str:
    """One finding as the terminal shows it: coloured only on a terminal."""
    text = f.format()
    if not sys.stderr.isatty():
        return text
    head, _, rest = text.partition("\n")
    colour = "red" if f.is_error else "yellow"
    return click.style(head, fg=colour, bold=f.is_error) + ("\n" + rest if rest else "")


def print_findings(findings: list[Finding], *, err: bool, warnings: bool = True) -> None:
    """Every finding (or only the errors), grouped by member, project-wide ones first."""
    by_member: dict[str, list[Finding]] = {}
    for f in findings:
        if f.is_error or warnings:
            by_member.setdefault(f.member or "", []).append(f)
    for member in sorted(by_member, key=lambda m: (m != "", m)):
        if member:
            click.echo(f"\n── member {member} ──", err=err)
        for f in by_member[member]:
            click.echo(styled(f), err=err)


def summary(findings: list[Finding], *, err: bool) -> None:
    counts = Counter(f.severity for f in findings)
    e, w = counts.get("error", 0), counts.get("warning", 0)
    click.echo(f"{e} error{'s' * (e != 1)}, {w} warning{'s' * (w != 1)}", err=err)

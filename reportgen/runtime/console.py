"""Findings on the terminal: grouped by member, errors in red, warnings in yellow, and a summary line.

Shared by every command (``cli.py`` and the member commands, ``member/cli.py``). The output is
bounded: of each code the first findings of each file and of the run are listed, then one line
with the count of the rest (``findings.cap``); every text from an input was escaped when its
finding was made (``Finding.__post_init__``).
"""

from __future__ import annotations

import sys

import click

from ..core.findings import Finding, cap, tally


def styled(f: Finding) -> str:
    """One finding as the terminal shows it: coloured only on a terminal."""
    text = f.format()
    if not sys.stderr.isatty():
        return text
    head, _, rest = text.partition("\n")
    colour = "red" if f.is_error else "yellow"
    return click.style(head, fg=colour, bold=f.is_error) + ("\n" + rest if rest else "")


def print_findings(findings: list[Finding], *, err: bool, warnings: bool = True) -> None:
    """Every finding (or only the errors), grouped by member, project-wide ones first; past the caps,
    one line per code with the count of those not listed, last."""
    by_member: dict[str, list[Finding]] = {}
    more: list[Finding] = []
    for f in cap(f for f in findings if f.is_error or warnings):
        if f.omitted:
            more.append(f)
        else:
            by_member.setdefault(f.member or "", []).append(f)
    for member in sorted(by_member, key=lambda m: (m != "", m)):
        if member:
            click.echo(f"\n── member {member} ──", err=err)
        for f in by_member[member]:
            click.echo(styled(f), err=err)
    if more:
        click.echo("\n── not listed ──", err=err)
        for f in more:
            click.echo(styled(f), err=err)


def summary_text(findings: list[Finding]) -> str:
    """'3 errors, 1 warning', counting the findings not listed (and saying how many were not)."""
    e, w = tally(findings)
    text = f"{e:,} error{'s' * (e != 1)}, {w:,} warning{'s' * (w != 1)}"
    hidden = sum(f.omitted for f in cap(findings))
    if hidden:
        text += f" ({hidden:,} not listed above)"
    return text


def summary(findings: list[Finding], *, err: bool) -> None:
    click.echo(summary_text(findings), err=err)

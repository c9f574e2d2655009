"""Coverage: which members were expected to report, and which did (data contract, rule 10).

One definition, used by validation (rule 10's warnings), aggregation (members
reporting per scope), the report's coverage sentences and the quality report:
a member is expected in a quarter when the register says it is active then,
and it has reported the quarter when it sent at least one row for that
quarter (half-year rows do not count as reporting a quarter).

For a half-year a member **reported** when it sent rows for any of its quarters, and
reported **in part** when it missed one of the quarters it was active in: "43 of 43
members reported, 1 of them in part". A partial return is never counted as a whole one
(the figures it is in are provisional, P) nor as no return (its rows are in the
figures). Every surface that says who reported — the report's coverage sentence and
Table 1, the briefs, the dashboard, the tables, ``reportgen check`` — takes its words
and numbers from ``Coverage``/``ScopeCoverage`` below (``text``, ``sentence``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..core.findings import Finding
from ..core.periods import Period
from .register import Register


@dataclass
class Coverage:
    """Rule 10 for one half-year: who was expected and who sent quarter rows."""

    half: Period
    expected: list[str] = field(default_factory=list)  # active in at least one quarter of the half
    reporting: list[str] = field(default_factory=list)  # sent quarter rows for every active quarter
    missing: list[tuple[str, str]] = field(default_factory=list)  # (org, quarter) active, no rows
    per_quarter: dict[str, tuple[int, int]] = field(default_factory=dict)  # quarter → (sent, expected)
    active: dict[str, int] = field(default_factory=dict)  # member → quarters of the half it is active in

    @property
    def sent(self) -> list[str]:
        """Expected members that sent rows for at least one of their quarters (reported, wholly or in part)."""
        gaps: dict[str, int] = {}
        for org, _ in self.missing:
            gaps[org] = gaps.get(org, 0) + 1
        return [org for org in self.expected if gaps.get(org, 0) < self.active.get(org, 1)]

    @property
    def partial(self) -> list[str]:
        """Members that reported some, not all, of the quarters they were active in."""
        return [org for org in self.sent if org not in self.reporting]

    def summary(self) -> str:
        """The summary: "43 of 43 members reported, 1 of them in part" (``count_words``, ``partial_words``)."""
        return f"{count_words(len(self.sent), len(self.expected))} members reported{partial_words(len(self.partial))}"

    def findings(self) -> list[Finding]:
        return [Finding("data.missing-quarter", "warning",
                        f"member {org} sent no rows for {q}, a quarter in which it is active",
                        member=org, hint="ask the member for its submission, or correct its active "
                                         "dates in the member register")
                for org, q in self.missing]


def sent_pairs(rows: pd.DataFrame) -> set[tuple[str, str]]:
    """(org, period) pairs that have at least one row."""
    if rows.empty:
        return set()
    if all(isinstance(rows[c].dtype, pd.CategoricalDtype) for c in ("org_id", "period")):
        # categorical codes counted, not rows hashed: linear in millions of rows
        import numpy as np

        orgs, periods = rows["org_id"].cat, rows["period"].cat
        n = len(periods.categories)
        o, p = orgs.codes.to_numpy().astype(np.int64), periods.codes.to_numpy()
        key = (o * n + p)[(o >= 0) & (p >= 0)]
        seen = np.flatnonzero(np.bincount(key, minlength=len(orgs.categories) * n))
        org_names, period_names = [str(c) for c in orgs.categories], [str(c) for c in periods.categories]
        return {(org_names[k // n], period_names[k % n]) for k in seen.tolist()}
    pairs = rows[["org_id", "period"]].drop_duplicates()
    return {(str(o), str(p)) for o, p in zip(pairs["org_id"], pairs["period"])}


def coverage(rows: pd.DataFrame, register: Register, half: Period) -> Coverage:
    """Members reporting vs expected for ``half``; only quarter rows count (rule 10)."""
    sent = sent_pairs(rows)
    cov = Coverage(half)
    quarters = half.quarters()
    for q in quarters:
        cov.per_quarter[str(q)] = (0, 0)
    for member in sorted(register.members.values(), key=lambda m: m.org_id):
        active = [q for q in quarters if member.active_in(q)]
        if not active:
            continue
        cov.expected.append(member.org_id)
        cov.active[member.org_id] = len(active)
        complete = True
        for q in active:
            got = (member.org_id, str(q)) in sent
            s, e = cov.per_quarter[str(q)]
            cov.per_quarter[str(q)] = (s + got, e + 1)
            if not got:
                complete = False
                cov.missing.append((member.org_id, str(q)))
        if complete:
            cov.reporting.append(member.org_id)
    return cov


def count_words(reported: int, of: int) -> str:
    """"43 of 43": members that reported (wholly or in part) of the members there."""
    return f"{reported} of {of}"


def partial_words(partial: int, *, short: bool = False) -> str:
    """What follows the count when some members reported in part: ", 1 of them in part" (or, in a
    table cell, " (1 in part)"); "" when none did."""
    if not partial:
        return ""
    # in a table cell the note keeps together (it wraps, whole, under the count)
    return f" ({partial}\u00a0in\u00a0part)" if short else f", {partial} of them in part"


# ---- every scope and period: who was expected, who reported, whose figures are in ----------------

@dataclass(frozen=True)
class ScopeCoverage:
    """Coverage of one scope (NZ or a region) in one period.

    ``expected``: members the register expects there (active in the quarter, or in any quarter
    of a half-year, and registered for the region); ``reporting``: those of them that reported
    (sent rows for the quarter, or for every quarter of the half in which they are active: the
    contract's rule 10); ``contributing``: every member whose rows are in the scope's figures
    (whole or partial, expected or not). A region a member is registered for but sent no rows
    for, in a quarter it reported, had no activity there (the member export sends no rows for
    such regions): it counts as reported."""

    expected: frozenset[str] = frozenset()
    reporting: frozenset[str] = frozenset()
    contributing: frozenset[str] = frozenset()

    @property
    def missing(self) -> list[str]:
        """Expected members that did not report (internal: member codes are never published)."""
        return sorted(self.expected - self.reporting)

    @property
    def provisional(self) -> bool:
        """An expected member did not report: the scope's figures for the period are incomplete."""
        return bool(self.expected - self.reporting)

    @property
    def reported(self) -> frozenset[str]:
        """Members that reported for the scope and period, wholly or in part: every expected member
        that reported in full, and every member whose rows are in the scope's figures (a member that
        sent one quarter of a half-year; a member that sent rows for a region it is not registered
        for). A partial return is counted as reported, and as partial (``partial``)."""
        return self.reporting | self.contributing

    @property
    def members(self) -> frozenset[str]:
        """The members a coverage line counts: those expected, and any other whose rows are in."""
        return self.expected | self.contributing

    @property
    def partial(self) -> frozenset[str]:
        """Expected members whose rows are in the figures but that missed a quarter they were active in."""
        return (self.expected & self.contributing) - self.reporting

    @property
    def absent(self) -> frozenset[str]:
        """Expected members that sent nothing for the scope and period (internal: never published by name)."""
        return self.expected - self.reported

    def text(self, *, short: bool = True) -> str:
        """"43 of 43" — members that reported (wholly or in part) of the members there — and, when some
        reported in part, " (1 in part)" (``short``) or ", 1 of them in part"."""
        return count_words(len(self.reported), len(self.members)) + partial_words(len(self.partial), short=short)

    def sentence(self, label: str) -> str:
        """The coverage sentence: "43 of 43 members reported for January–June 2025, 1 of them in part."
        """
        return (f"{count_words(len(self.reported), len(self.members))} members reported for {label}"
                f"{partial_words(len(self.partial))}.")


PROVISIONAL = "P"  # the flag of a figure whose scope and period lack an expected member's return


class Coverages:
    """``ScopeCoverage`` for every scope and period of a build, and the comparisons between periods."""

    def __init__(self, table: dict[tuple[str, str], ScopeCoverage]):
        self.table = table

    def get(self, scope: str, period: Period | str) -> ScopeCoverage:
        return self.table.get((scope, str(period)), ScopeCoverage())

    def flag(self, scope: str, period: Period | str) -> str:
        """``P`` when the figures of ``scope`` for ``period`` are provisional, else ""."""
        return PROVISIONAL if self.get(scope, period).provisional else ""

    def matched(self, scope: str, period: Period | str, base: Period | str) -> frozenset[str]:
        """Members that reported in both periods: the like-for-like panel of a change."""
        return self.get(scope, period).reporting & self.get(scope, base).reporting

    def excluded(self, scope: str, period: Period | str, base: Period | str) -> frozenset[str]:
        """Members whose rows are in either period's figures but not in the like-for-like panel:
        joiners, leavers, members that missed a return, rows outside a member's registered regions."""
        now, then = self.get(scope, period), self.get(scope, base)
        return (now.contributing | then.contributing) - self.matched(scope, period, base)

    def joiners(self, scope: str, period: Period | str, base: Period | str) -> list[str]:
        return sorted(self.get(scope, period).expected - self.get(scope, base).expected)

    def leavers(self, scope: str, period: Period | str, base: Period | str) -> list[str]:
        return sorted(self.get(scope, base).expected - self.get(scope, period).expected)


def scope_coverage(quarter_rows: pd.DataFrame, half_rows: dict[str, pd.DataFrame], register: Register,
                   scopes: list[str], quarters: list[Period]) -> Coverages:
    """Coverage of every scope in every quarter of ``quarters`` and every half-year of
    ``half_rows`` (the member rows resolved for that half: who contributed to its figures)."""
    from ..core.catalogue import NATIONAL

    members = sorted(register.members.values(), key=lambda m: m.org_id)
    reported: dict[str, set[str]] = {}
    by_region: dict[tuple[str, str], set[str]] = {}
    if not quarter_rows.empty:
        pairs = quarter_rows[["org_id", "period", "region"]].drop_duplicates()
        for org, q, region in zip(*(pairs[c].astype(str).tolist() for c in ("org_id", "period", "region"))):
            reported.setdefault(q, set()).add(org)
            by_region.setdefault((q, region), set()).add(org)

    active: dict[str, frozenset[str]] = {}  # per quarter, the members active in it (each asked once)
    in_scope = {scope: frozenset(m.org_id for m in members if scope == NATIONAL or scope in m.regions)
                for scope in scopes}

    def expected_in(q: Period, scope: str) -> frozenset[str]:
        if str(q) not in active:
            active[str(q)] = frozenset(m.org_id for m in members if m.active_in(q))
        if scope not in in_scope:
            in_scope[scope] = frozenset(m.org_id for m in members if scope == NATIONAL or scope in m.regions)
        return active[str(q)] & in_scope[scope]

    table: dict[tuple[str, str], ScopeCoverage] = {}
    for q in quarters:
        sent = reported.get(str(q), set())
        for scope in scopes:
            expected = expected_in(q, scope)
            contributing = sent if scope == NATIONAL else by_region.get((str(q), scope), set())
            table[(scope, str(q))] = ScopeCoverage(expected, expected & frozenset(sent), frozenset(contributing))
    for half, rows in half_rows.items():
        h = Period.parse(half)
        regional: dict[str, set[str]] = {}
        if not rows.empty:
            pairs = rows[["org_id", "region"]].drop_duplicates()
            for org, region in zip(*(pairs[c].astype(str).tolist() for c in ("org_id", "region"))):
                regional.setdefault(region, set()).add(org)
        everyone = set().union(*regional.values()) if regional else set()
        for scope in scopes:
            per_quarter = [(expected_in(q, scope), reported.get(str(q), set())) for q in h.quarters()]
            expected = frozenset().union(*(e for e, _ in per_quarter))
            complete = frozenset(m for m in expected if all(m in sent for e, sent in per_quarter if m in e))
            contributing = everyone if scope == NATIONAL else regional.get(scope, set())
            table[(scope, half)] = ScopeCoverage(expected, complete, frozenset(contributing))
    return Coverages(table)


def empty_periods(coverage: Coverages, period: Period) -> list[Finding]:
    """A release whose period (or a quarter of it) has no member's rows at all would publish an empty
    dashboard or report as if it were data: an error instead."""
    from ..core.catalogue import NATIONAL

    out = []
    for q in period.quarters():
        if not coverage.get(NATIONAL, q).contributing:
            where = f"{q}, a quarter of {period}" if period.is_half else str(q)
            out.append(Finding("data.period-empty", "error",
                               f"no member sent any rows for {where}: there is nothing to publish for it",
                               hint="build a period whose returns are in; check data.submissions in config.yaml"))
    return out

"""Coverage: which members were expected to report, and which did (data contract, rule 10).

One definition, used by validation (rule 10's warnings), aggregation (members
reporting per scope), the report's coverage sentences and the quality report:
a member is expected in a quarter when the register says it is active then,
and it has reported the quarter when it sent at least one row for that
quarter (half-year rows do not count as reporting a quarter).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .findings import Finding
from .periods import Period
from .register import Register


@dataclass
class Coverage:
    """Rule 10 for one half-year: who was expected and who sent quarter rows."""

    half: Period
    expected: list[str] = field(default_factory=list)  # active in at least one quarter of the half
    reporting: list[str] = field(default_factory=list)  # sent quarter rows for every active quarter
    missing: list[tuple[str, str]] = field(default_factory=list)  # (org, quarter) active, no rows
    per_quarter: dict[str, tuple[int, int]] = field(default_factory=dict)  # quarter → (sent, expected)

    def summary(self) -> str:
        return f"{len(self.reporting)} of {len(self.expected)} members reported"

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

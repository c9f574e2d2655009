"""The internal data-quality report: for staff, never published.

One self-contained HTML page (``output/<period>/internal/quality.html``):
coverage of members × quarters, every finding, unidentified-attendance
shares against the threshold, and large period-on-period movements. It may
name members and show raw figures, so it is marked "internal — not for
publication" on screen and on every printed page, and nothing published
links to it. Python computes the tables here; the template only formats.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from ..core.config import Config
from ..core.findings import Finding, cap, tally
from ..core.periods import Period, quarter_range
from ..inputs.coverage import coverage, sent_pairs
from ..inputs.cross_checks import member_quarter_table, movements
from ..inputs.register import Register
from ..runtime.provenance import describe
from .render_html import environment

TEMPLATE = "internal/quality.html.j2"
MARK = "Internal — not for publication"


@dataclass
class GridRow:
    org_id: str
    name: str
    cells: list[tuple[str, str]]  # (css class, text) per quarter


def _grid(rows, register: Register, quarters: list[Period]) -> list[GridRow]:
    sent = sent_pairs(rows)
    out = []
    for member in sorted(register.members.values(), key=lambda m: m.org_id):
        cells = []
        for q in quarters:
            got, active = (member.org_id, str(q)) in sent, member.active_in(q)
            cells.append(("sent", "✓") if got and active else ("missing", "missing") if active
                         else ("odd", "sent (inactive)") if got else ("inactive", "–"))
        out.append(GridRow(member.org_id, member.name, cells))
    return out


def _scopes(config: Config, period: Period, coverages) -> list[dict]:
    """Coverage per area (NZ, then regions) for the report's half and its quarters: the same figures
    that flag published cells P (``coverage.py``)."""
    if coverages is None:
        return []
    out = []
    for scope in ["NZ", *config.regions]:
        label = "Aotearoa New Zealand" if scope == "NZ" else config.region_label(scope)
        for p in (period, *period.quarters()):
            cov = coverages.get(scope, p)
            out.append({"scope": label, "period": str(p), "expected": len(cov.expected),
                        "reporting": len(cov.reporting), "missing": cov.missing})
    return out


def quality_context(config: Config, period: Period, rows, register: Register,
                    findings: list[Finding], coverages=None, dominance: dict[str, int] | None = None,
                    dominated: list[str] | None = None) -> dict:
    """Everything the template shows, computed. ``dominance``: cells of each area the p % rule made
    confidential; ``dominated``: the regions whose number of people supported is among them."""
    quarters_in_data = sorted({Period.parse(str(p)) for p in rows["period"].unique() if "Q" in str(p)}) \
        if len(rows) else []
    last = period.quarters()[-1]
    first = min([*quarters_in_data, period.quarters()[0]])
    quarters = quarter_range(max(first, Period.quarter(last.year - 2, last.number).next()), last)
    cov = coverage(rows, register, period)
    table = member_quarter_table(rows)
    threshold = config.checks.unidentified_share
    current = {str(q) for q in period.quarters()}
    shares = table[table["period"].isin(current)].sort_values(["share", "org_id"], ascending=[False, True])
    moved = movements(table)
    moved = moved[moved["change"].abs() > config.checks.movement_share].sort_values(
        ["period", "org_id"], ascending=[False, True])
    errors, warnings = tally(findings)
    findings = cap(findings)  # the first of a kind per file and per run, then one line with the count
    by_member: dict[str, list[Finding]] = {}
    for f in findings:
        by_member.setdefault(f.member or "(no member: file-level or project-wide)", []).append(f)
    names = {m.org_id: m.name for m in register.members.values()}
    return {
        "mark": MARK,
        "period": str(period),
        "period_label": period.label(),
        "version": describe(),
        "coverage": cov.summary(),
        "per_quarter": cov.per_quarter,
        "quarters": [str(q) for q in quarters],
        "grid": _grid(rows, register, quarters),
        "scopes": _scopes(config, period, coverages),
        "errors": errors,
        "warnings": warnings,
        "findings": [(m, names.get(m, ""), fs) for m, fs in sorted(by_member.items())],
        "threshold": f"{threshold:.0%}",
        "shares": [{"org_id": r.org_id, "name": names.get(r.org_id, ""), "period": r.period,
                    "clients": int(r.clients), "unidentified": int(r.unidentified),
                    "share": f"{r.share:.1%}", "over": r.share > threshold}
                   for r in shares.itertuples()],
        "dominance": [{"scope": "Aotearoa New Zealand" if s == "NZ" else config.region_label(s), "cells": n,
                       "headline": s in (dominated or [])} for s, n in (dominance or {}).items()],
        "dominance_p": f"{config.confidentiality.dominance_p:g}",
        "movement_limit": f"±{config.checks.movement_share:.0%}",
        "movements": [{"org_id": r.org_id, "name": names.get(r.org_id, ""), "period": r.period,
                       "previous": r.previous, "before": int(r.before), "clients": int(r.clients),
                       "change": f"{r.change:+.0%}"} for r in moved.itertuples()],
    }


def render_quality_report(config: Config, period: Period, rows, register: Register,
                          findings: list[Finding], coverages=None, dominance: dict[str, int] | None = None,
                          dominated: list[str] | None = None) -> str:
    env = environment(config)
    css = env.loader.get_source(env, "internal/quality.css")[0]  # type: ignore[union-attr]
    context = quality_context(config, period, rows, register, findings, coverages, dominance, dominated)
    return env.get_template(TEMPLATE).render(styles=Markup(css), **context)

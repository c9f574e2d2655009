"""Shares whose denominators include members that sent no breakdown: one rule, said wherever shares are.

**The rule.** A share is always of everyone counted in its total — the published total, the same
denominator in the tables, the charts, the placeholders (``{{ clients.need.housing.share }}``) and the
dashboard. A member that sends a total without the breakdown is not taken out of it: for a single-response
breakdown (age, gender, service type) its people are counted as *not stated* (contract rule 5), and for a
multiple-response one (reasons for seeking support, ethnicity) they are in the total but in no group, so
every group's share is a lower bound. Where that happens in a document's scope and period, the chart of the
breakdown and the data notes **say so** (``note``), in words and without a number (how many people that is
could point at one member). Why not the other way (shares over the members that sent a breakdown)? Each
breakdown would then have its own unpublished denominator, so a share could not be checked against the
published total, and shares of one table would not add up on one base.
"""

from __future__ import annotations

from ..core.config import Config
from ..core.periods import Period
from ..statistics.aggregate import NATIONAL, Aggregates


def unrecorded(agg: Aggregates | None, measure: str, dimension: str, scope: str, period: Period | str) -> int:
    """How many members sent ``measure``'s total for ``scope`` in ``period`` (or its quarters) without the
    ``dimension`` breakdown (internal: the count is never published)."""
    table = getattr(agg, "unrecorded", None)
    if table is None or table.empty:
        return 0
    p = Period.parse(str(period))
    periods = {str(p), *(str(q) for q in p.quarters())}
    sel = table[(table["measure"] == measure) & (table["dimension"] == dimension) & table["period"].isin(periods)]
    if scope != NATIONAL:
        sel = sel[sel["region"] == scope]
    return int(sel["org_id"].nunique())


def note(config: Config, measure: str, dimension: str, members: int) -> str:
    """The sentence a chart or table of the breakdown carries when ``members`` sent no breakdown, else ""."""
    if not members or dimension not in config.dimensions:
        return ""
    spec = config.dimensions[dimension]
    what = spec.label[:1].lower() + spec.label[1:]
    noun = config.measures[measure].label.lower() if measure in config.measures else "the total"
    if spec.response == "single":
        return (f"Some members do not record {what}: the people they saw are counted as not stated, so each "
                f"share is of all {noun}.")
    return (f"Some members do not record {what}: the people they saw count in the total but in no group, so each "
            f"share is of all {noun} and may understate a group.")


def notes_sentence(config: Config, agg: Aggregates | None, scope: str, period: Period) -> str:
    """The data notes' sentence on shares: the rule, and the breakdowns some members did not record."""
    missing = [config.dimensions[d].label[:1].lower() + config.dimensions[d].label[1:]
               for m, spec in config.measures.items() if "total" in spec.dimensions
               for d in spec.dimensions if d != "total" and config.dimensions[d].response != "pool"
               and unrecorded(agg, m, d, scope, period)]
    rule = ("Every share is of all the people (or sessions) counted in its total, the published figure, "
            "whether or not their member recorded the breakdown.")
    if not missing:
        return rule
    listed = ", ".join(dict.fromkeys(missing))
    return (f"{rule} Some members do not record {listed}: their people are counted as not stated where the "
            "breakdown has that category, and otherwise in no group, so those shares may understate a group.")

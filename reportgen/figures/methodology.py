"""The methodology and data notes, written once.

Every published output that explains how its figures were made — the
national report's "Methodology and data notes", each regional brief's data
notes, the workbook's notes sheet — takes its sentences from ``notes``, so
they can never say different things. The sentences are computed from the
config (the disclosure rules) and the data (coverage, members whose figures
were summed from quarters).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core import formats
from ..core.config import Config
from ..core.periods import Period
from ..disclosure.rules import Rules, in_words
from ..statistics.aggregate import NATIONAL, Aggregates
from . import breakdowns
from .metrics import COVERAGE_CAVEAT


@dataclass(frozen=True)
class Notes:
    """The data notes of one document (or the workbook), sentence by sentence."""

    coverage: str  # "42 of 43 members reported for January–June 2025."
    period_definition: str
    rounding: str  # random rounding to base 3
    suppression: str  # S, C and secondary suppression
    dominance: str  # the p % rule, and the regions where one member dominates ("" when off)
    dominated_here: bool  # the document's own scope is one of those regions (a brief says so)
    hours: str
    derived: str  # percentages, ratios and changes
    regions: str  # when a region is published
    outcome_coverage: str  # how to read outcome rates when few were assessed
    ethnicity: str
    summed: str  # "" when no member's half-year clients were summed from quarters
    like_for_like: str  # how changes are compared, with the members that joined or left
    provisional: str  # "" when every expected member reported for the document's scope
    double_counting: str  # a person seen by two members is counted by both
    shares: str = ""  # what every share is of, and the breakdowns some members do not record (breakdowns.py)

    @property
    def disclosure(self) -> str:
        """The disclosure rules in one paragraph (documents' data notes)."""
        return " ".join(s for s in (self.rounding, self.suppression, self.dominance, self.derived, self.regions) if s)


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def like_for_like(agg: Aggregates, period: Period, scope: str = NATIONAL) -> str:
    """How changes are compared, for ``scope``: the panel of members in both periods, and who
    joined or left (counts only: members are never named in published outputs)."""
    cov = agg.coverage
    base = period.year_earlier()
    panel = len(cov.matched(scope, period, base))
    joined, left = len(cov.joiners(scope, period, base)), len(cov.leavers(scope, period, base))
    moves = []
    if joined:
        moves.append(f"{_count(joined, 'member', 'members')} joined")
    if left:
        moves.append(f"{_count(left, 'member', 'members')} left")
    changed = (f"Since {base.label()}, " + " and ".join(moves) + ". ") if moves else ""
    return (f"{changed}Changes are compared like for like: over the members that reported in both periods "
            f"({panel} for {period.label()} against {base.label()}), so that a member joining, leaving or "
            "missing a return is not read as a change in need. Each side is the members' total rounded like "
            "every count; where a member left out of a comparison could use it to work out a published figure "
            "more closely, the change is suppressed (S).")


def provisional(agg: Aggregates, period: Period, scope: str = NATIONAL) -> str:
    """Which quarters of ``scope`` lack an expected member's return ("" when none)."""
    missing = []
    for q in period.quarters():
        cov = agg.coverage.get(scope, q)
        if cov.provisional:
            missing.append(f"{q.label()} ({len(cov.missing)} of {len(cov.expected)} expected "
                           f"{'member' if len(cov.expected) == 1 else 'members'} did not report)")
    if not missing:
        return ""
    return ("Figures marked P are provisional: not every member expected to report did so for "
            + "; ".join(missing) + ". They are not comparable with other periods as they stand; the "
            "changes given are like for like.")


def dominance(rules: Rules, config: Config, period: Period, dominated: list[str], scope: str) -> str:
    """The p % rule, and — so that a brief with few figures says why — the regions where one member's
    figures are most of the region's (its number of people supported is C by that rule)."""
    text = rules.dominance_sentence()
    here = [code for code in dominated if scope in (NATIONAL, code)]
    if text and here:
        names = [config.region_label(code) for code in here]
        where = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        text += (f" In {where} one member's figures are most of the region's, so most of "
                 f"{'its' if len(names) == 1 else 'their'} figures for {period.label()} are confidential.")
    return text


def notes(config: Config, period: Period, agg: Aggregates, scope: str = NATIONAL,
          dominated: list[str] | None = None) -> Notes:
    """``dominated``: the regions where one member dominates (``Metrics.dominated_regions``)."""
    rules = Rules.of(config)
    cov = agg.coverage.get(scope, period)
    if period.is_half:
        first, second = period.quarters()
        definition = (f"{period.label()} is the half-year made of the quarters {first.label()} and "
                      f"{second.label()}. Changes compare with the same half a year earlier, "
                      f"{period.year_earlier().label()}.")
    else:
        definition = (f"{period.label()} is a quarter. Changes compare with the previous quarter, "
                      f"{period.previous().label()}, and with the same quarter a year earlier, "
                      f"{period.year_earlier().label()}.")
    return Notes(
        coverage=cov.sentence(period.label()),
        period_definition=definition,
        rounding=rules.rounding_sentence(),
        suppression=(f"{rules.small_counts_phrase().capitalize()} are suppressed (S). A figure drawing on "
                     f"{rules.members_phrase()} is confidential (C). Where one cell of a "
                     "breakdown, or one region, is suppressed, another is suppressed too so that it cannot be "
                     "worked out by subtraction."),
        dominance=dominance(rules, config, period, list(dominated or []), scope),
        dominated_here=scope in (dominated or []),
        hours=("Staff and volunteer hours are not rounded; the minimum-contributors rule and the rule on one "
               "member's share apply."),
        derived=rules.derived_sentence(),
        regions=(f"A region is published only when at least {in_words(rules.min_members)} members report for it."),
        outcome_coverage=(f"Outcome rates where fewer than {formats.percent(COVERAGE_CAVEAT * 100, 0)} of clients "
                          "were assessed describe only part of the people supported: treat them with caution."),
        ethnicity=("Ethnicity is total response: a person who identifies with more than one ethnic group "
                   "is counted in each, so the groups add up to more than the total."),
        summed=("Some members sent only quarterly client counts. For them the half-year figure is the sum "
                "of the two quarters, which may count some people twice."
                if len(agg.summed_from_quarters) else ""),
        like_for_like=like_for_like(agg, period, scope),
        provisional=provisional(agg, period, scope),
        double_counting=("Each member counts the distinct people it saw. A person supported by two members is "
                         "counted by both, so the totals count contacts between people and members, not "
                         "distinct people across the federation."),
        shares=breakdowns.notes_sentence(config, agg, scope, period),
    )

"""The disclosure rules in one place: every number of ``confidentiality:`` in config.yaml, read once,
and every sentence that states one.

Each surface that applies a rule or tells the reader about it — the confidentialiser, the audit, the
methodology and data notes, the tables' units, the dashboard's pages, the members' reports, the
independent checker (``scripts/verify_published.py``) — takes the number or the sentence from here,
so that a project with another rounding base or threshold is consistent everywhere
(``tests/test_rules_one_source.py`` builds one).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core.config import Config

_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def in_words(n: int) -> str:
    """Small whole numbers in words, as prose writes them ("three members"); larger ones as digits."""
    return _WORDS[n] if 0 <= n < len(_WORDS) else f"{n:,}"


@dataclass(frozen=True)
class Rules:
    """The disclosure rules of one config (confidentiality.md, rules 2 to 8)."""

    base: int  # random rounding base (rule 2)
    suppress_below: int  # raw counts 1 to this − 1 are S (rule 4)
    min_members: int  # contributors a cell needs, else C (rule 6)
    min_denominator: int  # derived figures need a published denominator of at least this (rule 7)
    percent_decimals: int
    dominance_p: float  # the p % rule (rule 12): 0 turns it off

    @classmethod
    def of(cls, config: Config) -> Rules:
        c = config.confidentiality
        return cls(c.rounding_base, c.suppress_below, c.min_members, c.min_denominator, c.percent_decimals,
                   c.dominance_p)

    # ---- the numbers the rules imply ---------------------------------------------------------------
    @property
    def rounds(self) -> bool:
        """Whether counts are rounded at all (a base of 1 publishes them exactly)."""
        return self.base > 1

    @property
    def max_error(self) -> int:
        """How far a published count may be from its raw value: random rounding moves a count to a
        multiple of the base next to it, so by at most ``base − 1`` (2 for base 3)."""
        return self.base - 1

    @property
    def largest_small(self) -> int:
        """The largest raw count that is suppressed (5 for ``suppress_below: 6``)."""
        return self.suppress_below - 1

    # ---- the sentences that state them ----------------------------------------------------------
    def rounding_phrase(self) -> str:
        """'randomly rounded to a multiple of 3' (or 'not rounded')."""
        return f"randomly rounded to a multiple of {self.base}" if self.rounds else "not rounded"

    def rounding_sentence(self) -> str:
        """The methodology's sentence on rounding."""
        if not self.rounds:
            return "Counts of people and sessions are published as they are, without rounding."
        return (f"Counts of people and sessions are {self.rounding_phrase()}; a published count is never more "
                f"than {self.max_error} from the true value. Each figure is rounded on its own, so parts may not "
                "add up to totals.")

    def small_counts_phrase(self) -> str:
        """'counts of 1 to 5' (what primary suppression withholds)."""
        if self.largest_small < 1:
            return "no counts"
        if self.largest_small == 1:
            return "counts of 1"
        return f"counts of 1 to {self.largest_small}"

    def members_phrase(self) -> str:
        """'fewer than three member organisations'."""
        return f"fewer than {in_words(self.min_members)} member organisation{'s' * (self.min_members != 1)}"

    def dominance_sentence(self) -> str:
        """The p % rule, for the methodology ("" when it is off)."""
        if self.dominance_p <= 0:
            return ""
        return (f"A figure is also confidential (C) where one member's part of it is so large that the next "
                f"largest member, taking its own figure away, could work it out to within {self.dominance_p:g} %; "
                "another figure is withheld with it so that it cannot be worked out from a total.")

    def derived_sentence(self) -> str:
        """How derived figures are made, for the methodology."""
        return ("Percentages, rates, ratios and changes are worked out from the published (rounded) figures, so "
                "that they say nothing the counts beside them do not. They are suppressed (S) where an input is "
                f"suppressed or confidential, or where the published denominator is below {self.min_denominator}. "
                "Absolute changes are differences of published values.")

    def unit_words(self) -> str:
        """How the tables' units name a count: 'counts, randomly rounded to base 3'."""
        return f"counts, randomly rounded to base {self.base}" if self.rounds else "counts (not rounded)"

    def reader_note(self) -> str:
        """The one sentence a dashboard page or a member's report gives on protection."""
        rounding = f"Counts are {self.rounding_phrase()}; " if self.rounds else "Counts are not rounded; "
        return (rounding + f"{self.small_counts_phrase()} and figures from {self.members_phrase()} are not shown.")

    def region_rule(self) -> str:
        """Why a region may not be shown."""
        return (f"A region is shown only when at least {in_words(self.min_members)} member "
                f"organisation{'s' * (self.min_members != 1)} report for it, so that no organisation's own "
                "figures, and no person, can be picked out.")

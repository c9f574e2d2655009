"""Metrics: every derived figure, for national scope and every region.

Counts come straight from the ``PublishedStore``; everything here is derived
from it under rule 7 (computed from raw values inside the store, suppressed
where an input is suppressed or confidential or the raw denominator is
small). What is computed is driven by the measure catalogue in config:

* shares: every category of every breakdown (except outcome pools) as a
  share of the measure's total — needs' share of clients, demographic shares;
* changes: every cell of the report's half against the previous half and the
  same half a year earlier, as a percentage and as an absolute difference;
* ratios: the table ``RATIOS`` below (one line per ratio);
* outcomes: improvement rate and assessment coverage for every category and
  every named group of each pool dimension of ``OUTCOMES.assessed``, and the
  caveat their charts carry where coverage is below ``COVERAGE_CAVEAT``;
* coverage: members reporting against members expected, and which regions
  are eligible for a regional brief (at least ``min_members`` reporting).

Every derived figure is a row of the same tidy shape as the published tables:
table, scope, period, measure, dimension, category, value, symbol, kind.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property

import pandas as pd

from ..core import formats
from ..core.config import Config
from ..core.periods import Period
from ..disclosure.confidentiality import PublishedStore
from ..disclosure.published import Published
from ..statistics.aggregate import NATIONAL, Aggregates

COVERAGE_CAVEAT = 0.5  # assessment coverage below this gets a caveat
FEW_ASSESSED = "A"  # the flag of an outcome rate whose assessment coverage is below COVERAGE_CAVEAT
DERIVED_COLUMNS = ["table", "scope", "period", "measure", "dimension", "category", "value", "symbol", "kind",
                   "flag"]


@dataclass(frozen=True)
class Ratio:
    """sum(numerator totals) ÷ sum(denominator totals) × per (× 100 when a percentage)."""

    code: str
    label: str
    numerator: tuple[str, ...]
    denominator: tuple[str, ...]
    per: float = 1.0
    percent: bool = False


RATIOS: tuple[Ratio, ...] = (
    Ratio("sessions_per_client", "Sessions per client", ("sessions",), ("clients",)),
    Ratio("clients_per_100_staff_hours", "Clients per 100 staff hours", ("clients",), ("staff_hours",), per=100),
    Ratio("volunteer_share_of_hours", "Volunteer share of all hours (%)", ("volunteer_hours",),
          ("staff_hours", "volunteer_hours"), percent=True),
    Ratio("unidentified_share", "Unidentified attendances as a share of clients and unidentified "
          "attendances (%)", ("unidentified_attendances",), ("clients", "unidentified_attendances"),
          percent=True),
)


@dataclass(frozen=True)
class Outcomes:
    improved: str = "outcome_improved"
    assessed: str = "outcome_assessed"
    people: str = "clients"


OUTCOMES = Outcomes()
OUTCOME_LABELS = {"improvement_rate": "Improved (% of those assessed)",
                  "assessment_coverage": "Assessed (% of clients)"}


def _row(table: str, scope: str, period: str, measure: str, dimension: str, category: str,
         p: Published) -> tuple:
    return (table, scope, period, measure, dimension, category, p.value if p.is_number else None, p.symbol, p.kind,
            p.flag)


def _caveated(rate: Published, coverage: Published) -> Published:
    """``rate`` with the flag A added when its assessment coverage is below ``COVERAGE_CAVEAT``."""
    if not rate.is_number or not coverage.is_number or float(coverage.value or 0) >= COVERAGE_CAVEAT * 100:
        return rate
    return replace(rate, flag=" ".join(f for f in (rate.flag, FEW_ASSESSED) if f))


def not_published_reason(config: Config, code: str, period: Period, n: int) -> str:
    """Why a region is not published, in the same words everywhere it is shown."""
    need = config.confidentiality.min_members
    who = "no member" if n == 0 else f"only {n} member{'s' if n != 1 else ''}"
    return (f"{who} reported for {config.region_label(code)} in {period.label()}; at least {need} are "
            "needed to publish a region")


class Metrics:
    """Derived figures and coverage, all read from one ``PublishedStore``."""

    def __init__(self, store: PublishedStore, agg: Aggregates, config: Config):
        self.store, self.agg, self.config = store, agg, config
        self.period = agg.period

    # ---- coverage and eligibility ------------------------------------------
    def members_reporting(self, scope: str = NATIONAL, period: Period | str | None = None) -> tuple[int, int]:
        """(members that reported, wholly or in part; the members there) for a scope and period: the one
        definition of ``coverage.py`` (``ScopeCoverage.reported``, ``.members``)."""
        cov = self.agg.coverage.get(scope, period or self.period)
        return len(cov.reported), len(cov.members)

    def not_published_regions(self, period: Period | str | None = None) -> dict[str, str]:
        """Regions not published for ``period`` (default: the report's), each with the reason
        (confidentiality rule 6): fewer than ``min_members`` members' rows are in its figures."""
        need = self.config.confidentiality.min_members
        period = Period.parse(str(period)) if period is not None else self.period
        out = {}
        for code in self.config.regions:
            n = len(self.agg.coverage.get(code, period).contributing)
            if n < need:
                out[code] = not_published_reason(self.config, code, period, n)
        return out

    def dominated_regions(self, period: Period | str | None = None) -> list[str]:
        """Published regions whose number of people supported is confidential because one member's
        figure is most of it (the p % rule): most of their figures are C, and the data notes and the
        data-quality report say so."""
        period = str(period or self.period)
        g = self.store.internal_frame()
        mask = ((g["period"] == period) & (g["measure"] == "clients") & (g["dimension"] == "total")
                & (g["status"] == "dominance") & (g["scope"] != NATIONAL))
        return [code for code in self.config.regions if code in set(g.loc[mask, "scope"])]

    def dominance_counts(self, period: Period | str | None = None) -> dict[str, int]:
        """How many of each scope's cells of ``period`` the p % rule makes confidential (internal: the
        data-quality report)."""
        period = str(period or self.period)
        g = self.store.internal_frame()
        hit = g[(g["period"] == period) & (g["status"] == "dominance")]
        counts = hit.groupby("scope").size()
        return {scope: int(counts[scope]) for scope in [NATIONAL, *self.config.regions] if scope in counts}

    def eligible_regions(self) -> list[str]:
        """Regions with at least ``min_members`` members reporting: these get a brief."""
        barred = self.not_published_regions()
        return [code for code in self.config.regions if code not in barred]

    # ---- derived figures ------------------------------------------------------
    @property
    def scopes(self) -> list[str]:
        return self.store.scopes

    @property
    def periods(self) -> list[str]:
        return self.store.periods

    def share_rows(self) -> list[tuple]:
        rows = []
        for measure, spec in self.config.measures.items():
            if "total" not in spec.dimensions:
                continue
            for dim in spec.dimensions:
                if dim == "total" or self.config.dimensions[dim].response == "pool":
                    continue
                for cat in self.config.dimensions[dim].categories:
                    for scope in self.scopes:
                        for period in self.periods:
                            rows.append(_row("shares", scope, period, measure, dim, cat,
                                             self.store.share(measure, dim, cat, scope=scope, period=period)))
        return rows

    def ratio(self, ratio: Ratio, *, scope: str = NATIONAL, period: Period | str) -> Published:
        return self.store.ratio([(m, "total", "") for m in ratio.numerator],
                                [(m, "total", "") for m in ratio.denominator],
                                scope=scope, period=period, percent=ratio.percent, per=ratio.per)

    def active_ratios(self) -> list[Ratio]:
        """The ratios whose measures are all in the catalogue."""
        known = self.config.measures
        return [r for r in RATIOS if all(m in known and "total" in known[m].dimensions
                                         for m in (*r.numerator, *r.denominator))]

    def ratio_rows(self) -> list[tuple]:
        return [_row("ratios", scope, period, r.code, "total", "", self.ratio(r, scope=scope, period=period))
                for r in self.active_ratios() for scope in self.scopes for period in self.periods]

    def change_rows(self) -> list[tuple]:
        """Changes of every cell of the report's half: over all members (flagged P where either
        period is incomplete) and like for like (over the members that reported in both)."""
        rows = []
        cells = self.store.frame()
        now = cells[cells["period"] == str(self.period)]
        bases = {"previous": self.period.previous(), "year_earlier": self.period.year_earlier()}
        for rec in now.itertuples(index=False):
            for name, base in bases.items():
                args = (rec.measure, rec.dimension, rec.category)
                pct = self.store.change(*args, scope=rec.scope, period=self.period, base=base)
                diff = self.store.difference(*args, scope=rec.scope, period=self.period, base=base)
                same = self.store.like_for_like(*args, scope=rec.scope, period=self.period, base=base)
                rows.append(_row(f"change_percent_vs_{name}", rec.scope, rec.period, *args, pct))
                rows.append(_row(f"change_vs_{name}", rec.scope, rec.period, *args, diff))
                rows.append(_row(f"like_for_like_vs_{name}", rec.scope, rec.period, *args, same))
        return rows

    def outcome_dimensions(self) -> list[str]:
        o, measures = OUTCOMES, self.config.measures
        if not all(m in measures for m in (o.improved, o.assessed, o.people)):
            return []
        return [d for d in measures[o.assessed].dimensions
                if d != "total" and self.config.dimensions[d].response == "pool"
                and d in measures[o.improved].dimensions]

    def improvement_rate(self, dimension: str, category: str, *, scope: str = NATIONAL,
                         period: Period | str) -> Published:
        """The share of the people assessed whose rating rose, flagged ``A`` where fewer than
        ``COVERAGE_CAVEAT`` of the clients were assessed (the rate describes only part of them)."""
        rate = self.store.ratio([(OUTCOMES.improved, dimension, category)],
                                [(OUTCOMES.assessed, dimension, category)],
                                scope=scope, period=period, percent=True)
        return _caveated(rate, self.assessment_coverage(dimension, category, scope=scope, period=period))

    def assessment_coverage(self, dimension: str, category: str, *, scope: str = NATIONAL,
                            period: Period | str) -> Published:
        return self.store.ratio([(OUTCOMES.assessed, dimension, category)], [(OUTCOMES.people, "total", "")],
                                scope=scope, period=period, percent=True)

    def _group(self, measure: str, dimension: str, group: str) -> list[tuple[str, str, str]]:
        return [(measure, dimension, c) for c in self.config.dimensions[dimension].groups[group]]

    def group_improvement_rate(self, dimension: str, group: str, *, scope: str = NATIONAL,
                               period: Period | str) -> Published:
        """The group's published improved counts over its published assessed counts (S where any is
        withheld: a group's sum is never published, nor worked out from raw values)."""
        rate = self.store.ratio(self._group(OUTCOMES.improved, dimension, group),
                                self._group(OUTCOMES.assessed, dimension, group),
                                scope=scope, period=period, percent=True)
        return _caveated(rate, self.group_assessment_coverage(dimension, group, scope=scope, period=period))

    def group_assessment_coverage(self, dimension: str, group: str, *, scope: str = NATIONAL,
                                  period: Period | str) -> Published:
        """Mean coverage over the group's domains: group assessed ÷ (clients × domains), of published values."""
        n = len(self.config.dimensions[dimension].groups[group])
        return self.store.ratio(self._group(OUTCOMES.assessed, dimension, group), [(OUTCOMES.people, "total", "")] * n,
                                scope=scope, period=period, percent=True)

    def outcome_rows(self) -> list[tuple]:
        rows = []
        for dim in self.outcome_dimensions():
            spec = self.config.dimensions[dim]
            for scope in self.scopes:
                for period in self.periods:
                    for cat in spec.categories:
                        rows.append(_row("outcomes", scope, period, "improvement_rate", dim, cat,
                                         self.improvement_rate(dim, cat, scope=scope, period=period)))
                        rows.append(_row("outcomes", scope, period, "assessment_coverage", dim, cat,
                                         self.assessment_coverage(dim, cat, scope=scope, period=period)))
                    for group in spec.groups:
                        gdim = f"{dim}_group"
                        rows.append(_row("outcomes", scope, period, "improvement_rate", gdim, group,
                                         self.group_improvement_rate(dim, group, scope=scope, period=period)))
                        rows.append(_row("outcomes", scope, period, "assessment_coverage", gdim, group,
                                         self.group_assessment_coverage(dim, group, scope=scope, period=period)))
        return rows

    def coverage_rows(self) -> list[tuple]:
        """Members expected, reporting (wholly or in part), reporting in part, and in both periods of each
        like-for-like comparison, per scope and period (organisations, not people: published as they
        are), flagged P where an expected member did not report in full."""
        rows = []
        for scope in self.scopes:
            for period in self.periods:
                cov = self.agg.coverage.get(scope, period)
                flag = self.store.flag(scope, period)
                for measure, n in (("members_reporting", len(cov.reported)), ("members_expected", len(cov.expected)),
                                   ("members_partial", len(cov.partial))):
                    rows.append(("coverage", scope, period, measure, "total", "", n, "", "members", flag))
            for name, base in (("previous", self.period.previous()), ("year_earlier", self.period.year_earlier())):
                rows.append(("coverage", scope, str(self.period), f"members_in_both_vs_{name}", "total", "",
                             self.store.panel(scope, self.period, base), "", "members", ""))
        return rows

    @cached_property
    def derived(self) -> pd.DataFrame:
        """Every derived figure, tidy (``DERIVED_COLUMNS``)."""
        rows = (self.share_rows() + self.ratio_rows() + self.outcome_rows() + self.change_rows()
                + self.coverage_rows())
        return pd.DataFrame(rows, columns=DERIVED_COLUMNS)

    def outcome_caveat(self, scope: str = NATIONAL, period: Period | str | None = None) -> str:
        """The caveat every outcome rate of ``scope`` carries when fewer than ``COVERAGE_CAVEAT`` of its
        clients were assessed in a domain (assessment coverage), or "" when none needs it."""
        period = period or self.period
        coverage = [self.assessment_coverage(dim, cat, scope=scope, period=period)
                    for dim in self.outcome_dimensions() for cat in self.config.dimensions[dim].categories]
        shown = [float(c.value) for c in coverage if c.is_number and c.value is not None]
        low = sorted(v for v in shown if v < COVERAGE_CAVEAT * 100)
        if not low:
            return ""
        share = formats.percent(COVERAGE_CAVEAT * 100, 0)
        span = (formats.percent(low[0], 0) if low[0] == low[-1] else
                f"{formats.percent(low[0], 0).removesuffix(' %')}–{formats.percent(low[-1], 0)}")
        where = ("every domain shown" if len(low) == len(shown) else
                 f"{len(low)} of the {len(shown)} domains shown")
        return (f"In {where}, fewer than {share} of the people supported were assessed ({span} of clients): "
                "those rates describe only part of them.")


def compute_metrics(store: PublishedStore, agg: Aggregates, config: Config,
                    derived: pd.DataFrame | None = None) -> Metrics:
    """The metrics stage: derived figures are computed once, here (or ``derived``, computed by an
    earlier build from the same store and aggregates, is taken as they are)."""
    metrics = Metrics(store, agg, config)
    if derived is not None:
        metrics.__dict__["derived"] = derived  # what the cached property would compute
    _ = metrics.derived
    return metrics


def derived_figures(store: PublishedStore, agg: Aggregates, config: Config) -> pd.DataFrame:
    """Every derived figure (``Metrics.derived``): what the stage cache keeps of the metrics stage. The
    store and the aggregates it reads have entries of their own; kept inside this one as well, they would
    be written (14 MB on the sample's quarter) and read back a second time."""
    return Metrics(store, agg, config).derived

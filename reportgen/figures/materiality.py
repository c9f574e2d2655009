"""When a difference is worth a sentence: materiality, one member's movement, the usual variation.

A sentence that says a figure rose, fell, or is higher than another is honest only when the
difference is larger than rounding and coverage (who reported) can explain. One ``Judge`` per
build decides it for every sentence that makes such a claim — an editor's ``[[check …]]``
(``narratives/claims.py``, which receives the judge from ``publication.py``), chart titles and
alt text (``charts/specs.py``), the briefs' computed commentary (``documents/documents.py``) and
the dashboard's sentences (``dashboard_site/pages.py``) — so they all follow one rule. The
numbers come from config ``materiality`` (``core/config.py``); the rule in words is in
docs/policy-staff-guide.md ("When a difference counts") and docs/editors-guide.md.

**Shares** (percentages): the two published values must differ by at least ``share_points``
percentage points — each shown share is rounded to a whole percent, so a one-point gap can be
no gap at all. When the two are one figure in two periods and the members reporting differ (a
member joined, left or missed a return), the share over the members that reported in both must
move the same way by as much: it follows from the like-for-like changes of the category and of
the total (``(1 + c) / (1 + t)``). When those are withheld (one or two members left out of the
comparison), the move cannot be told apart from who reported, and is not called one.

**Changes** (percentage changes): at least ``change_percent`` per cent. A change over every
member's figures (``change_all``) across periods whose members differ holds only as far as the
like-for-like change agrees (and, when that is withheld, does not hold: a joiner alone can make a
region's totals jump). A change on the previous **quarter** must also lie outside the
series' usual quarter-to-quarter variation (``usual_variation``).

**Counts, hours and ratios** compared directly: the published values must differ by more than
rounding can move them (``2 × (base − 1)`` for counts) and by at least ``change_percent`` per cent
of the smaller; one figure in two periods whose members differ is judged by its like-for-like
change.

**One member**: a change more than ``one_member`` of which comes from a single member whose
client numbers moved by more than ``checks.movement_share`` in a quarter (contract rule 12, a
warning for review) is said to be so, in words (``Driver.caveat``): no member is named and no
member's figure is given.

**Usual variation**: the range of the like-for-like quarter-on-quarter changes of the
``usual_quarters`` quarters before (at least ``usual_minimum`` of them published as numbers). The
data are seasonal and not seasonally adjusted; a quarter's change inside that range is within the
usual variation, not news.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import pandas as pd

from ..core import formats
from ..core.config import Config
from ..core.periods import Period
from ..disclosure.confidentiality import PublishedStore
from ..disclosure.published import Published
from ..inputs.cross_checks import member_quarter_table, movements
from ..statistics.aggregate import NATIONAL, Aggregates


class FigureRef(Protocol):
    """What a published figure is (``narratives.namespace.Ref`` has these): the cell, and for a
    change its base and whether it is like for like."""

    measure: str
    dimension: str
    category: str
    scope: str
    period: Period
    what: str  # value | share | change
    base: Period | None
    like_for_like: bool


@dataclass(frozen=True)
class Cell:
    """A published figure's identity, for the judge (``FigureRef``), as charts and computed sentences name it."""

    measure: str
    dimension: str = "total"
    category: str = ""
    scope: str = NATIONAL
    period: Period = Period.half(2000, 1)
    what: str = "value"  # value | share | change
    base: Period | None = None
    like_for_like: bool = True


@dataclass(frozen=True)
class Verdict:
    """Whether a difference may be called one, and if not, why (in words an editor reads)."""

    material: bool
    why: str = ""


MATERIAL = Verdict(True)
WITHHELD = ("the members in the two periods' figures differ (a member joined, left or missed a return) and the "
            "like-for-like figures are withheld, so the difference cannot be told apart from who reported")


@dataclass(frozen=True)
class Variation:
    """A series' usual quarter-to-quarter variation: the range of its like-for-like changes."""

    low: float
    high: float
    quarters: int

    def contains(self, change: float) -> bool:
        return self.low <= change <= self.high

    def words(self) -> str:
        """The range in words: "between −6 % and +9 % a quarter over the previous 7 quarters"."""
        return (f"between {formats.change(self.low)} and {formats.change(self.high)} a quarter over the "
                f"previous {self.quarters} quarters")


@dataclass(frozen=True)
class Driver:
    """A change most of which comes from one member's flagged large movement (internal: ``part`` is
    never published; ``caveat`` is what the text says)."""

    part: float  # the member's share of the change, 0–1
    direction: str  # rise | fall
    limit: float = 0.5  # checks.movement_share

    @property
    def caveat(self) -> str:
        """The caveat in words: "most of this rise comes from one member whose client numbers moved by
        more than 50 % in a quarter, a movement flagged for review"."""
        return (f"most of this {self.direction} comes from one member whose client numbers moved by more than "
                f"{formats.percent(self.limit * 100, 0)} in a quarter, a movement flagged for review")


def _sign(x: float) -> int:
    return (x > 0) - (x < 0)


def _panel_words(published: str, shown: str, limit: float, unit: str) -> str:
    """Why a difference does not hold like for like: with the published figure, or, where that is withheld,
    without any number (the finding must not give a withheld figure away)."""
    if shown:
        return f"over the members that reported in both periods {published}: the rest is who reported"
    return (f"over the members that reported in both periods (a figure withheld from publication) it moves the "
            f"other way or by less than {limit:g}{unit.replace(' ', chr(160))}: the rest is who reported")


class Judge:
    """Materiality, drivers and the usual variation, for one build's published figures."""

    def __init__(self, store: PublishedStore, config: Config, agg: Aggregates | None = None,
                 rows: pd.DataFrame | None = None):
        self.store, self.config, self.agg, self.rows = store, config, agg, rows
        self.rules = config.materiality
        self._flagged: dict[str, set[str]] | None = None  # quarter → members with a large movement
        self._values: dict[tuple, dict[str, float]] = {}  # (cell, scope, period) → each member's figure
        self._drivers: dict[tuple, Driver | None] = {}
        self._usual: dict[tuple, Variation | None] = {}

    # ---- the rule ---------------------------------------------------------------------------
    def members_differ(self, scope: str, period: Period | str, base: Period | str) -> bool:
        """Whether the members in the two periods' figures differ (a joiner, a leaver, a missed return)."""
        return bool(self.store.coverage.excluded(scope, period, base))

    def little_changed(self, value: Published, ref: FigureRef | None = None, *, totals: bool = False) -> bool:
        """Whether "little changed" is the honest word for a change: smaller than ``change_percent``, or (a
        quarter on the previous one) within the series' usual variation — and, for a change over every
        member's figures across periods whose members differ, little changed like for like too (a joiner can
        hide a fall, a leaver a rise). Never for a figure the judge cannot see: that is unknown."""
        if not value.is_number:
            return False
        v = float(value.value or 0)
        if (ref is not None and ref.base is not None and not ref.like_for_like and not totals
                and self.members_differ(ref.scope, ref.period, ref.base)):
            same, _ = self._panel_change(ref.measure, ref.dimension, ref.category, ref.scope,
                                         Period.parse(str(ref.period)), Period.parse(str(ref.base)), True)
            if same is None or abs(same) >= self.rules.change_percent:
                return False
        if abs(v) < self.rules.change_percent:
            return True
        usual = self._usual_for(ref)
        return usual is not None and usual.contains(v)

    def _usual_for(self, ref: FigureRef | None) -> Variation | None:
        if ref is None or ref.base is None:
            return None
        period = Period.parse(str(ref.period))
        if not period.is_quarter or str(ref.base) != str(period.previous()):
            return None
        return self.usual_variation(ref.measure, ref.scope, period, ref.dimension, ref.category)

    def change(self, value: Published, ref: FigureRef | None = None, *, totals: bool = False,
               internal: bool = True) -> Verdict:
        """Whether a percentage change may be called a rise or a fall. ``totals``: the sentence says who
        reported (a member joined, left, missed a return), so a change over every member's figures is
        claimed as a change of the totals, not of need, and needs no like-for-like support. ``internal``:
        where the like-for-like figure is withheld (it would reveal a member left out of it), judge on the
        unpublished one and say only whether it bears the claim out (an editor's check; never a computed
        sentence, which states published figures only)."""
        if not value.is_number:
            return Verdict(False, f"it is not published as a number ({value.symbol})")
        v, limit = float(value.value or 0), self.rules.change_percent
        if abs(v) < limit:
            return Verdict(False, f"{formats.change(v)} is less than {formats.percent(limit)}: little changed")
        if ref is None or ref.base is None:
            return MATERIAL
        if not ref.like_for_like and not totals and self.members_differ(ref.scope, ref.period, ref.base):
            same, shown = self._panel_change(ref.measure, ref.dimension, ref.category, ref.scope,
                                             Period.parse(str(ref.period)), Period.parse(str(ref.base)), internal)
            if same is None:
                return Verdict(False, WITHHELD)
            if _sign(same) != _sign(v) or abs(same) < limit:
                return Verdict(False, _panel_words(f"the change is {shown}", shown, limit, " %"))
        usual = self._usual_for(ref)
        if usual is not None and usual.contains(v):
            return Verdict(False, f"{formats.change(v)} is within the usual quarter-to-quarter variation "
                                  f"({usual.words()}; not seasonally adjusted)")
        return MATERIAL

    def difference(self, a: Published, ref_a: FigureRef | None, b: Published,
                   ref_b: FigureRef | None, *, totals: bool = False, internal: bool = True) -> Verdict:
        """Whether ``a`` and ``b`` (of the same kind) may be said to differ, in the direction of a − b.
        Without refs (or with ``totals``: the sentence says who reported) only their size is judged."""
        if not (a.is_number and b.is_number):
            return Verdict(False, "a figure is not published as a number")
        x, y = float(a.value or 0), float(b.value or 0)
        diff = x - y
        if a.kind == "change":
            limit = self.rules.change_percent
            if abs(diff) < limit:
                return Verdict(False, f"the two changes are {abs(diff):.0f} points apart, less than "
                                      f"{limit:g}: about the same")
            return MATERIAL
        same_cell, later, earlier = self._periods(ref_a, ref_b)
        differ = same_cell and not totals and self.members_differ(ref_a.scope, later, earlier)  # type: ignore[union-attr]
        if a.kind == "percent":
            limit = self.rules.share_points
            if abs(diff) < limit:
                return Verdict(False, f"{a.display()} and {b.display()} are {abs(diff):g} "
                                      f"point{'s' if abs(diff) != 1 else ''} apart, less than {limit:g}: within "
                                      "rounding, about the same")
            if differ:
                moved, shown = self._share_like_for_like(ref_a, ref_b, later, earlier, internal)  # type: ignore[arg-type]
                if moved is None:
                    return Verdict(False, WITHHELD)
                if _sign(moved) != _sign(diff) or abs(moved) < limit:
                    return Verdict(False, _panel_words(f"the share moved by {shown} points", shown, limit, " points"))
            return MATERIAL
        noise = 2 * (self.config.confidentiality.rounding_base - 1) if a.kind == "count" else 0
        if abs(diff) <= noise:
            return Verdict(False, f"{a.display()} and {b.display()} differ by no more than rounding can make them "
                                  f"({noise:g})")
        smaller = min(abs(x), abs(y))
        limit = self.rules.change_percent
        if smaller and abs(diff) / smaller * 100 < limit:
            return Verdict(False, f"{a.display()} and {b.display()} differ by less than {formats.percent(limit)}: "
                                  "about the same")
        if differ:
            same, shown = self._panel_change(ref_a.measure, ref_a.dimension, ref_a.category,  # type: ignore[union-attr]
                                             ref_a.scope, later, earlier, internal)  # type: ignore[union-attr]
            later_is_a = str(ref_a.period) == str(later)  # type: ignore[union-attr]
            wanted = _sign(diff) * (1 if later_is_a else -1)
            if same is None:
                return Verdict(False, WITHHELD)
            if _sign(same) != wanted or abs(same) < limit:
                return Verdict(False, _panel_words(f"the change is {shown}", shown, limit, " %"))
        return MATERIAL

    # ---- like for like: published, or (for an editor's check) the unpublished figure behind it -----------------
    def _panel_change(self, measure: str, dimension: str, category: str, scope: str, later: Period, earlier: Period,
                      internal: bool) -> tuple[float | None, str]:
        """The like-for-like % change of a cell between two periods, and how it may be said: the published
        figure, or, where that is withheld and ``internal``, the unpublished one (said as "withheld")."""
        same = self.store.like_for_like(measure, dimension, category, scope=scope, period=later, base=earlier)
        if same.is_number:
            return float(same.value or 0), same.display()
        sums = self._panel_sums(measure, dimension, category, scope, later, earlier) if internal else None
        if sums is None or not sums[1]:
            return None, ""
        return (sums[0] - sums[1]) / sums[1] * 100, ""

    def _panel_sums(self, measure: str, dimension: str, category: str, scope: str, later: Period,
                    earlier: Period) -> tuple[float, float] | None:
        """Internal: a cell summed over the members that reported in both periods, in each (never published)."""
        panel = self.store.coverage.matched(scope, later, earlier)
        if not panel or (self.agg is None and self.rows is None):
            return None
        now = self._member_values(measure, dimension, category, scope, later)
        then = self._member_values(measure, dimension, category, scope, earlier)
        return sum(now.get(o, 0.0) for o in panel), sum(then.get(o, 0.0) for o in panel)

    @staticmethod
    def _periods(ref_a: FigureRef | None, ref_b: FigureRef | None) -> tuple[bool, Period, Period]:
        """Whether the two are one cell in two periods; and the later and earlier period."""
        if ref_a is None or ref_b is None:
            return False, Period.half(2000, 1), Period.half(2000, 1)
        same = ((ref_a.measure, ref_a.dimension, ref_a.category, ref_a.scope, ref_a.what)
                == (ref_b.measure, ref_b.dimension, ref_b.category, ref_b.scope, ref_b.what)
                and str(ref_a.period) != str(ref_b.period))
        pa, pb = Period.parse(str(ref_a.period)), Period.parse(str(ref_b.period))
        return same, max(pa, pb), min(pa, pb)

    def _share_like_for_like(self, ref_a: FigureRef, ref_b: FigureRef, later: Period, earlier: Period,
                             internal: bool = True) -> tuple[float | None, str]:
        """How far the share of ``ref_a``'s category moved over the members in both periods (in the
        direction a − b): from the published like-for-like changes of the category and the total, or, where
        those are withheld and ``internal``, from the unpublished panel sums (said as "withheld")."""
        store = self.store
        direction = 1 if str(ref_a.period) == str(later) else -1
        cat = store.like_for_like(ref_a.measure, ref_a.dimension, ref_a.category, scope=ref_a.scope, period=later,
                                  base=earlier)
        total = store.like_for_like(ref_a.measure, scope=ref_a.scope, period=later, base=earlier)
        before = store.share(ref_a.measure, ref_a.dimension, ref_a.category, scope=ref_a.scope, period=earlier)
        if cat.is_number and total.is_number and before.is_number and float(total.value or 0) > -100:
            b = float(before.value or 0)
            moved = (b * (1 + float(cat.value or 0) / 100) / (1 + float(total.value or 0) / 100) - b) * direction
            return moved, f"{moved:+.0f}"
        if not internal:
            return None, ""
        part = self._panel_sums(ref_a.measure, ref_a.dimension, ref_a.category, ref_a.scope, later, earlier)
        whole = self._panel_sums(ref_a.measure, "total", "", ref_a.scope, later, earlier)
        if part is None or whole is None or not whole[0] or not whole[1]:
            return None, ""
        return (part[0] / whole[0] - part[1] / whole[1]) * 100 * direction, ""

    # ---- the usual variation ------------------------------------------------------------------
    def usual_variation(self, measure: str, scope: str, quarter: Period, dimension: str = "total",
                        category: str = "") -> Variation | None:
        """The range of the like-for-like quarter-on-quarter changes of the ``usual_quarters`` quarters
        before ``quarter``; None when fewer than ``usual_minimum`` of them are published as numbers."""
        key = (measure, scope, str(quarter), dimension, category)
        if key not in self._usual:
            self._usual[key] = self._usual_variation(measure, scope, quarter, dimension, category)
        return self._usual[key]

    def _usual_variation(self, measure: str, scope: str, quarter: Period, dimension: str,
                         category: str) -> Variation | None:
        known = sorted(Period.parse(p) for p in self.store.periods if Period.parse(p).is_quarter)
        before = [q for q in known if q < quarter][-self.rules.usual_quarters:]
        steps = []
        for q in before:
            if q.previous() not in known:
                continue
            c = self.store.like_for_like(measure, dimension, category, scope=scope, period=q, base=q.previous())
            if c.is_number:
                steps.append(float(c.value or 0))
        if len(steps) < self.rules.usual_minimum:
            return None
        return Variation(min(steps), max(steps), len(steps))

    # ---- one member's movement ------------------------------------------------------------------
    def flagged(self) -> dict[str, set[str]]:
        """Quarter → members whose client numbers moved by more than ``checks.movement_share`` against
        their previous quarter (contract rule 12; internal)."""
        if self._flagged is None:
            self._flagged = {}
            if self.rows is not None and len(self.rows):
                moved = movements(member_quarter_table(self.rows))
                moved = moved[moved["change"].abs() > self.config.checks.movement_share]
                for org, q in zip(moved["org_id"].astype(str), moved["period"].astype(str)):
                    self._flagged.setdefault(q, set()).add(org)
        return self._flagged

    def _member_values(self, measure: str, dimension: str, category: str, scope: str,
                       period: Period) -> dict[str, float]:
        """Each member's raw figure for one cell (internal: never published); remembered, since every
        sentence about a change asks for the same few."""
        key = (measure, dimension, category, scope, str(period))
        if key not in self._values:
            self._values[key] = self._read_member_values(measure, dimension, category, scope, period)
        return self._values[key]

    def _read_member_values(self, measure: str, dimension: str, category: str, scope: str,
                            period: Period) -> dict[str, float]:
        if period.is_half:
            rows = self.agg.member_rows.get(str(period)) if self.agg is not None else None
        else:
            rows = self.rows[self.rows["period"].astype(str) == str(period)] if self.rows is not None else None
        if rows is None or rows.empty:
            return {}
        sel = rows[(rows["measure"].astype(str) == measure) & (rows["dimension"].astype(str) == dimension)
                   & (rows["category"].astype(str) == category)]
        if scope != NATIONAL:
            sel = sel[sel["region"].astype(str) == scope]
        if sel.empty:
            return {}
        sums = sel.assign(org_id=sel["org_id"].astype(str)).groupby("org_id")["value"].sum()
        return {str(k): float(v) for k, v in sums.items()}

    def driver(self, measure: str, dimension: str, category: str, scope: str, period: Period | str,
               base: Period | str) -> Driver | None:
        """The one member a like-for-like change mostly comes from, when that member's client numbers
        were flagged for a large movement in a quarter between the two periods; else None."""
        key = (measure, dimension, category, scope, str(period), str(base))
        if key not in self._drivers:
            self._drivers[key] = self._driver(measure, dimension, category, scope, Period.parse(str(period)),
                                              Period.parse(str(base)))
        return self._drivers[key]

    def _driver(self, measure: str, dimension: str, category: str, scope: str, period: Period,
                base: Period) -> Driver | None:
        flagged_quarters = [q for q, orgs in self.flagged().items() if orgs
                            and base.quarters()[-1] < Period.parse(q) <= period.quarters()[-1]]
        if not flagged_quarters:
            return None
        flagged = set().union(*(self.flagged()[q] for q in flagged_quarters))
        panel = self.store.coverage.matched(scope, period, base)
        if not panel & flagged:
            return None
        now = self._member_values(measure, dimension, category, scope, period)
        then = self._member_values(measure, dimension, category, scope, base)
        parts = {org: now.get(org, 0.0) - then.get(org, 0.0) for org in panel}
        net = sum(parts.values())
        if not net:
            return None
        top = max(sorted(parts), key=lambda org: parts[org] * _sign(net))
        share = parts[top] * _sign(net) / abs(net)
        if top in flagged and share > self.rules.one_member:
            return Driver(share, "rise" if net > 0 else "fall", self.config.checks.movement_share)
        return None


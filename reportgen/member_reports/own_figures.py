"""A member's own figures, for its private report (``member_reports/gather.py``): raw, exact, internal.

Everything here is computed from the member's own validated rows — never
another member's — in one vectorised pass over every member at once (a groupby
per period, not a filter per member). A member's report reads only its own
entries; the region's and the nation's figures beside them come from the
``PublishedStore`` (published values only, never ``raw_of``).

The rows for a period follow the data contract's period rules exactly as the
published figures do (``aggregate.resolve_half``, with single-response
breakdowns that were not sent counted as ``not_stated``), so the member's
shares are comparable with the published ones: for a half-year, the resolved
rows the aggregate stage kept (``Aggregates.member_rows``); for a quarter, its
quarter rows.

Shares of a published total are given as **bands** (``band``): see that
function for why the band is computed from the *published* total.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from ..core.periods import Period
from ..disclosure.published import Published
from ..inputs.coverage import sent_pairs
from ..inputs.cross_checks import member_quarter_table, movements
from ..statistics.aggregate import fill_not_stated, resolve_half

Cell = tuple[str, str, str]  # (measure, dimension, category); a total is (measure, "total", "")
KEY = ["org_id", "region", "measure", "dimension", "category"]

# Bands for a member's share of a published total, in per cent: [lower, upper) with a label.
BANDS: tuple[tuple[float, float, str], ...] = (
    (0, 1, "under 1 %"), (1, 2, "1–2 %"), (2, 5, "2–5 %"), (5, 10, "5–10 %"), (10, 20, "10–20 %"),
    (20, math.inf, "20 % or more"),
)


def band(own: int, published: Published) -> str:
    """The member's share of a published total, as a band ("2–5 %"); "" when the total is not a number.

    Why the *published* total: the member knows its own raw figure ``own``, and anyone can read
    the published total. A band of ``own / published`` is therefore a function of two things the
    member already has — it tells the member nothing it could not work out itself, whatever the
    band's width. A band of ``own / raw total`` would not be safe: the raw total is within 2 of the
    published one, and a band edge falling in that range tells which way the total was rounded —
    with the published figures of a small region, a step towards another member's figure. So the
    raw total is never used, and the exact share is never printed (only the band)."""
    if not published.is_number or not published.value:
        return ""
    share = 100.0 * own / float(published.value)
    return next(label for low, high, label in BANDS if low <= share < high)


@dataclass(frozen=True)
class Quarter:
    """A member's totals for one quarter (over all its regions)."""

    period: Period
    sent: bool
    active: bool
    totals: dict[str, int]  # measure → total over regions


class OwnFigures:
    """Every reporting member's own figures for one period, its previous period and its quarters."""

    def __init__(self, publication):
        self.config = publication.config
        self.period: Period = publication.period
        agg = publication.aggregates
        rows = publication.inputs.data.rows
        self.register = publication.inputs.data.register
        quarter_text = rows["period"].astype(str)
        is_quarter = quarter_text.str.contains("Q").to_numpy()
        self._rows = rows
        self.first: Period | None = agg.quarters[0] if agg.quarters else None  # the data's first quarter
        self._member_rows = agg.member_rows
        self._summed = agg.summed_from_quarters
        self.sent = sent_pairs(rows[is_quarter])  # (org, quarter) with at least one quarter row
        self._cells: dict[str, dict[str, dict[Cell, int]]] = {}
        self._regions: dict[str, dict[str, dict[str, int]]] = {}
        quarter_rows = rows[is_quarter]
        self.unidentified = member_quarter_table(quarter_rows)  # org, period, clients, unidentified, share
        self.moved = movements(self.unidentified)  # clients against the previous quarter, both sent

    # ---- rows and cells of a period ------------------------------------------------------------
    @cached_property
    def _filled(self) -> pd.DataFrame:
        """Every row, with single-response breakdowns not sent counted as not_stated (as aggregated)."""
        return fill_not_stated(self._rows[["org_id", "period", *KEY[1:], "value"]], self.config)

    def period_rows(self, period: Period) -> pd.DataFrame:
        """Every member's rows for ``period``, resolved by the contract's period rules."""
        if str(period) in self._member_rows:
            return self._member_rows[str(period)]
        filled = self._filled
        if period.is_quarter:
            return filled[filled["period"].astype(str) == str(period)][KEY + ["value"]]
        return resolve_half(filled, period, self.config)[0]

    def _index(self, period: Period) -> None:
        key = str(period)
        if key in self._cells:
            return
        rows = self.period_rows(period)
        cells: dict[str, dict[Cell, int]] = {}
        regions: dict[str, dict[str, int]] = {}
        if len(rows):
            frame = rows.assign(**{c: rows[c].astype(str) for c in KEY})
            summed = frame.groupby(KEY[:1] + KEY[2:], sort=False)["value"].sum()
            for (org, measure, dim, cat), value in summed.items():
                cells.setdefault(org, {})[(measure, dim, cat)] = int(value)
            clients = frame[(frame["measure"] == "clients") & (frame["dimension"] == "total")]
            for (org, region), value in clients.groupby(["org_id", "region"], sort=False)["value"].sum().items():
                regions.setdefault(org, {})[region] = int(value)
        self._cells[key], self._regions[key] = cells, regions

    def cells(self, org: str, period: Period) -> dict[Cell, int]:
        """The member's figures for ``period``, summed over its regions (absent cells: not sent)."""
        self._index(period)
        return self._cells[str(period)].get(org, {})

    def region_clients(self, org: str, period: Period) -> dict[str, int]:
        """The member's clients total in each region it has rows for in ``period``."""
        self._index(period)
        return self._regions[str(period)].get(org, {})

    # ---- quarters --------------------------------------------------------------------------------
    def quarters(self, org: str, last: Period, count: int = 8) -> list[Quarter]:
        """Up to ``count`` quarters ending with ``last`` (none before the data begin), from the first
        in which the member was active or sent rows."""
        member = self.register.get(org) if self.register is not None else None
        qs = [last]
        while len(qs) < count and (self.first is None or qs[0] > self.first):
            qs.insert(0, qs[0].previous())
        out = []
        for q in qs:
            sent = (org, str(q)) in self.sent
            totals = self._quarter_totals.get((org, str(q)), {})
            out.append(Quarter(q, sent, member.active_in(q) if member is not None else sent, totals))
        while out and not (out[0].sent or out[0].active):
            out.pop(0)
        return out

    def missing(self, org: str, period: Period) -> list[Period]:
        """Quarters of ``period`` in which the member is active (register) and sent no quarter rows."""
        member = self.register.get(org) if self.register is not None else None
        if member is None:
            return []
        return [q for q in period.quarters() if member.active_in(q) and (org, str(q)) not in self.sent]

    def expected(self, org: str, period: Period) -> list[Period]:
        member = self.register.get(org) if self.register is not None else None
        return [q for q in period.quarters() if member is None or member.active_in(q)]

    def summed_regions(self, org: str) -> list[str]:
        """Regions whose half-year clients were summed from the member's quarters (no half-year rows)."""
        return self._by_org["summed"].get(org, [])

    def unidentified_in(self, org: str, period: Period) -> list[tuple[Period, int, int, float]]:
        """(quarter, clients, unidentified, share) for each quarter of ``period`` the member sent."""
        wanted = {str(q) for q in period.quarters()}
        return [r for r in self._by_org["unidentified"].get(org, []) if str(r[0]) in wanted]

    def movements_in(self, org: str, period: Period) -> list[tuple[Period, Period, int, int, float]]:
        """(quarter, previous, clients before, clients, change) for each quarter of ``period`` the
        member sent, against its previous quarter (both sent)."""
        wanted = {str(q) for q in period.quarters()}
        return [r for r in self._by_org["moved"].get(org, []) if str(r[0]) in wanted]

    @cached_property
    def _quarter_totals(self) -> dict[tuple[str, str], dict[str, int]]:
        """(org, quarter) → measure → the member's total over its regions, for every quarter row at once."""
        rows = self._rows
        totals = rows[(rows["dimension"] == "total") & rows["period"].astype(str).str.contains("Q")]
        out: dict[tuple[str, str], dict[str, int]] = {}
        summed = totals.groupby(["org_id", "period", "measure"], observed=True, sort=False)["value"].sum()
        for (org, q, measure), value in summed.items():
            out.setdefault((str(org), str(q)), {})[str(measure)] = int(value)
        return out

    @cached_property
    def _by_org(self) -> dict[str, dict[str, list]]:
        """The quarter tables split by member once (a report reads only its own member's lines)."""
        out: dict[str, dict[str, list]] = {"summed": {}, "unidentified": {}, "moved": {}}
        s = self._summed
        if s is not None and not s.empty:
            mine = s[s["measure"].astype(str) == "clients"]
            for org, region in zip(mine["org_id"].astype(str), mine["region"].astype(str)):
                out["summed"].setdefault(org, []).append(region)
            out["summed"] = {k: sorted(set(v)) for k, v in out["summed"].items()}
        t = self.unidentified.sort_values(["org_id", "period"], key=lambda c: c.map(_order) if c.name == "period" else c)
        for org, q, c, u, share in zip(t["org_id"], t["period"], t["clients"], t["unidentified"], t["share"]):
            out["unidentified"].setdefault(str(org), []).append((Period.parse(q), int(c), int(u), float(share)))
        m = self.moved.sort_values(["org_id", "period"], key=lambda c: c.map(_order) if c.name == "period" else c)
        for org, q, prev, b, c, ch in zip(m["org_id"], m["period"], m["previous"], m["before"], m["clients"],
                                           m["change"]):
            out["moved"].setdefault(str(org), []).append((Period.parse(q), Period.parse(prev), int(b), int(c),
                                                          float(ch)))
        return out


def _order(text: str) -> tuple:
    return Period.parse(str(text))._ordinal()

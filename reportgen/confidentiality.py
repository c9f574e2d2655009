"""Confidentialise stage: raw cells → the one store of published values.

Implements docs/confidentiality (the spec in ``shared/spec/confidentiality.md``):
each cell is confidentialised once, and every consumer — narrative
placeholders, charts, alt text, tables, downloads, dashboard — reads the same
``Published`` value from the ``PublishedStore``. Raw values stay inside the
store; derived values (shares, changes) are computed from them here, and
suppressed where an input is suppressed or the denominator is small.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

import pandas as pd

from .aggregate import NATIONAL, Aggregates
from .config import Config
from .periods import Period

SUPPRESSED, CONFIDENTIAL, NIL, NOT_AVAILABLE = "S", "C", "–", ".."
SYMBOLS = {
    SUPPRESSED: "suppressed (small count)",
    CONFIDENTIAL: "confidential (fewer than the minimum number of contributing members)",
    NIL: "nil",
    NOT_AVAILABLE: "not available (no data for that scope or period)",
}


@dataclass(frozen=True, slots=True)
class Published:
    """A published figure: a number, or a symbol standing in for one."""

    value: float | None
    symbol: str = ""
    kind: str = "count"  # count | hours | percent | ratio

    @property
    def is_number(self) -> bool:
        return self.value is not None and not self.symbol

    def __str__(self) -> str:
        return self.display()

    def display(self) -> str:
        if self.symbol:
            return self.symbol
        if self.kind == "percent":
            return f"{self.value:.0f} %"
        if self.kind == "change":
            return f"{self.value:+.0f} %"
        if self.kind == "ratio":
            return f"{self.value:,.1f}"
        return f"{self.value:,.0f}"


def rr3_draw(key: str, identity: str) -> float:
    """A uniform number in [0, 1) from a keyed hash of the cell's identity."""
    digest = hmac.new(key.encode("utf-8"), identity.encode("utf-8"), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def random_round(raw: int, draw: float, base: int = 3) -> int:
    """Random rounding to ``base``: multiples stay; others go to the nearer multiple
    with probability 2/3 and the farther with 1/3 (for base 3). 1 and 2 become 3."""
    rem = raw % base
    if rem == 0:
        return raw
    lower, upper = raw - rem, raw - rem + base
    if lower == 0:
        return upper
    nearer, farther = (lower, upper) if rem < base - rem else (upper, lower)
    p_nearer = 1 - min(rem, base - rem) / base
    return nearer if draw < p_nearer else farther


def cell_identity(scope: str, period: str, measure: str, dimension: str, category: str) -> str:
    return "|".join((measure, dimension, category, scope, period))


class PublishedStore:
    """Every published cell, plus derived figures computed from the raw values."""

    def __init__(self, cells: pd.DataFrame, config: Config, key: str):
        self.config = config
        self._key = key
        rules = config.confidentiality
        published: list[Published] = []
        for rec in cells.itertuples(index=False):
            kind = config.measures[rec.measure].kind
            if rec.raw == 0:
                published.append(Published(0, NIL, kind))
            elif rec.members < rules.min_members:
                published.append(Published(None, CONFIDENTIAL, kind))
            elif kind == "hours":
                published.append(Published(int(rec.raw), "", kind))
            elif rec.raw < rules.suppress_below:
                published.append(Published(None, SUPPRESSED, kind))
            else:
                draw = rr3_draw(key, cell_identity(rec.scope, rec.period, rec.measure,
                                                   rec.dimension, rec.category))
                published.append(Published(random_round(int(rec.raw), draw, rules.rounding_base), "", kind))
        keys = list(zip(cells["scope"], cells["period"], cells["measure"], cells["dimension"],
                        cells["category"]))
        self._published: dict[tuple, Published] = dict(zip(keys, published))
        self._raw: dict[tuple, int] = dict(zip(keys, (int(v) for v in cells["raw"])))
        self._periods = set(cells["period"])

    # ---- published cells ---------------------------------------------------
    def get(self, measure: str, dimension: str = "total", category: str = "", *,
            scope: str = NATIONAL, period: Period | str) -> Published:
        key = (scope, str(period), measure, dimension, category)
        if key in self._published:
            return self._published[key]
        kind = self.config.measures[measure].kind if measure in self.config.measures else "count"
        if str(period) not in self._periods:
            return Published(None, NOT_AVAILABLE, kind)
        return Published(0, NIL, kind)  # no member sent anything above zero for it

    def _raw_of(self, measure, dimension, category, scope, period) -> int:
        return self._raw.get((scope, str(period), measure, dimension, category), 0)

    # ---- derived figures (rule 7) -----------------------------------------
    def share(self, measure: str, dimension: str, category: str, *, scope: str = NATIONAL,
              period: Period | str) -> Published:
        """A category's share of the measure's total, as a percentage."""
        part = self.get(measure, dimension, category, scope=scope, period=period)
        whole = self.get(measure, scope=scope, period=period)
        return self.ratio_of(part, whole, self._raw_of(measure, dimension, category, scope, period),
                             self._raw_of(measure, "total", "", scope, period), percent=True)

    def ratio_of(self, num: Published, den: Published, raw_num: int, raw_den: int, *,
                 percent: bool = False, per: float = 1.0) -> Published:
        kind = "percent" if percent else "ratio"
        if NOT_AVAILABLE in (num.symbol, den.symbol):
            return Published(None, NOT_AVAILABLE, kind)
        if {num.symbol, den.symbol} & {SUPPRESSED, CONFIDENTIAL}:
            return Published(None, SUPPRESSED, kind)
        if raw_den < self.config.confidentiality.min_denominator:
            return Published(None, SUPPRESSED, kind)
        value = raw_num / raw_den * (100.0 if percent else per)
        return Published(round(value, self.config.confidentiality.percent_decimals if percent else 1), "", kind)

    def change(self, measure: str, dimension: str = "total", category: str = "", *,
               scope: str = NATIONAL, period: Period | str, base: Period | str) -> Published:
        """Percentage change from ``base`` to ``period``, from raw values (rule 7)."""
        now = self.get(measure, dimension, category, scope=scope, period=period)
        then = self.get(measure, dimension, category, scope=scope, period=base)
        raw_now = self._raw_of(measure, dimension, category, scope, period)
        raw_then = self._raw_of(measure, dimension, category, scope, base)
        ratio = self.ratio_of(now, then, raw_now - raw_then, raw_then, percent=True)
        return ratio

    # ---- inspection (tables, audit) -------------------------------------
    def cells(self) -> list[tuple[tuple, Published]]:
        return sorted(self._published.items())


def confidentialise(aggregates: Aggregates, config: Config, key: str) -> PublishedStore:
    return PublishedStore(aggregates.cells, config, key)

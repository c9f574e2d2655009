"""Confidentialise stage: raw cells → the one store of published values.

Implements the confidentiality spec (``docs/confidentiality.md`` explains how,
for policy staff). Each cell (measure, dimension, category, scope, period) is
confidentialised once, and every consumer — narrative placeholders, charts,
alt text, tables, downloads, dashboard — reads the same ``Published`` value
from the ``PublishedStore``. Raw values stay inside the store; derived values
(shares, rates, changes) are computed from them here (rule 7).

Construction is vectorised (numpy/pandas): the store holds a full grid of
every scope × period × catalogue cell, so a cell nobody reported is nil
(``–``) and a scope or period without any data is not available (``..``).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from ..core.config import Config
from ..core.periods import Period
from ..inputs.coverage import Coverages
from ..statistics.aggregate import NATIONAL, Aggregates
from .published import CONFIDENTIAL, NIL, NOT_AVAILABLE, REVISED, SUPPRESSED, Published, merge_flags

# a like-for-like change is suppressed when, with the published totals, it would narrow one or two
# left-out members' figure to within this share of its value (the p % rule)
LEFT_OUT_PROTECTION = 0.2
# why a cell has the value it has (internal: the audit counts these)
ROUNDED, EXACT, PRIMARY, SECONDARY, CONF, NIL_STATUS, NA = (
    "rounded", "hours", "primary", "secondary", "confidential", "nil", "not_available")
STATUS_SYMBOL = {ROUNDED: "", EXACT: "", PRIMARY: SUPPRESSED, SECONDARY: SUPPRESSED,
                 CONF: CONFIDENTIAL, NIL_STATUS: NIL, NA: NOT_AVAILABLE}
KEY_COLUMNS = ["scope", "period", "measure", "dimension", "category"]


# ---- rounding (rules 2 and 3) ------------------------------------------------

def rr3_draw(key: str, identity: str) -> float:
    """A uniform number in [0, 1) from a keyed hash (HMAC-SHA256) of the cell's identity."""
    digest = hmac.new(key.encode("utf-8"), identity.encode("utf-8"), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def rr3_draws(key: str, identities: Iterable[str]) -> np.ndarray:
    """``rr3_draw`` for many identities (one HMAC each; the key is prepared once)."""
    base = hmac.new(key.encode("utf-8"), digestmod=hashlib.sha256)
    out = []
    for identity in identities:
        h = base.copy()
        h.update(identity.encode("utf-8"))
        out.append(int.from_bytes(h.digest()[:8], "big"))
    return np.array(out, dtype=np.float64) / 2.0**64


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


def random_round_array(raw: np.ndarray, draws: np.ndarray, base: int = 3) -> np.ndarray:
    """``random_round`` for arrays (same results, element by element)."""
    raw = raw.astype(np.int64)
    rem = raw % base
    lower = raw - rem
    upper = lower + base
    near_is_lower = rem < base - rem
    nearer = np.where(near_is_lower, lower, upper)
    farther = np.where(near_is_lower, upper, lower)
    p_nearer = 1 - np.minimum(rem, base - rem) / base
    out = np.where(draws < p_nearer, nearer, farther)
    out = np.where(lower == 0, upper, out)
    return np.where(rem == 0, raw, out)


# ---- the grid of cells and the additive groups --------------------------------

def catalogue_cells(config: Config) -> pd.DataFrame:
    """Every (measure, dimension, category) the catalogue allows."""
    rows = []
    for measure, spec in config.measures.items():
        for dim in spec.dimensions:
            cats = [""] if dim == "total" else list(config.dimensions[dim].categories)
            rows += [(measure, dim, c) for c in cats]
    return pd.DataFrame(rows, columns=["measure", "dimension", "category"])


def full_grid(cells: pd.DataFrame, config: Config, periods: Sequence[str], scopes: Sequence[str]) -> pd.DataFrame:
    """Every scope × period × catalogue cell, with raw and members (0 where nobody
    reported) and ``has_data``: whether the scope has any data in that period."""
    cat = catalogue_cells(config)
    sp = pd.MultiIndex.from_product([list(scopes), list(periods)], names=["scope", "period"]).to_frame(index=False)
    grid = sp.merge(cat, how="cross")
    given = cells[[*KEY_COLUMNS, "raw", "members"]]
    grid = grid.merge(given, on=KEY_COLUMNS, how="outer")
    grid["raw"] = grid["raw"].fillna(0).astype("int64")
    grid["members"] = grid["members"].fillna(0).astype("int64")
    seen = cells[["scope", "period"]].drop_duplicates().assign(has_data=True)
    grid = grid.merge(seen, on=["scope", "period"], how="left")
    grid["has_data"] = grid["has_data"].fillna(False).astype(bool)
    return grid.sort_values(KEY_COLUMNS, kind="stable").reset_index(drop=True)


def additive_groups(grid: pd.DataFrame, config: Config) -> pd.DataFrame:
    """Membership of every set of cells whose parts add up to a published total (rule 5).

    Returns ``gid`` (a group number), ``idx`` (row of ``grid``) and ``family``:

    * ``categories``: a single-response breakdown with its total, per scope and period;
    * ``regions``: the regional cells with the national cell, per measure, dimension,
      category and period;
    * ``sums``: a measure that is the sum of others (``confidentiality.sum_groups``);
    * ``quarters``: for measures that add up across quarters, a half-year cell with
      its two quarter cells (per scope, measure, dimension and category). Where a
      member sent half-year rows the sum is not exact; the group then only adds
      suppression, which is safe.
    """
    g = grid[["scope", "period", "measure", "dimension", "category"]].assign(idx=np.arange(len(grid)))
    parts: list[pd.DataFrame] = []

    pairs = []
    for measure, spec in config.measures.items():
        if "total" not in spec.dimensions:
            continue
        for dim in spec.dimensions:
            if dim != "total" and config.dimensions[dim].response == "single":
                pairs += [(measure, dim, dim), (measure, "total", dim)]
    if pairs:
        p = pd.DataFrame(pairs, columns=["measure", "dimension", "gdim"])
        m = g.merge(p, on=["measure", "dimension"])
        m["gid"] = m.groupby(["scope", "period", "measure", "gdim"], sort=True).ngroup()
        parts.append(m[["gid", "idx"]].assign(family="categories"))

    r = g.copy()
    r["gid"] = r.groupby(["period", "measure", "dimension", "category"], sort=True).ngroup()
    parts.append(r[["gid", "idx"]].assign(family="regions"))

    sums = []
    for total, members in config.confidentiality.sum_groups.items():
        if total in config.measures and all(x in config.measures for x in members):
            sums += [(total, total)] + [(x, total) for x in members]
    if sums:
        s = g.merge(pd.DataFrame(sums, columns=["measure", "gmeasure"]), on="measure")
        s["gid"] = s.groupby(["scope", "period", "gmeasure", "dimension", "category"], sort=True).ngroup()
        parts.append(s[["gid", "idx"]].assign(family="sums"))

    additive = [m for m, spec in config.measures.items() if spec.additive]
    periods = set(g["period"])
    halves = [(str(h), [str(q) for q in h.quarters()]) for h in (Period.parse(p) for p in periods)
              if h.is_half and all(str(q) in periods for q in h.quarters())]
    if additive and halves:
        hq = pd.DataFrame([(half, p) for half, qs in halves for p in [half, *qs]], columns=["half", "period"])
        q = g[g["measure"].isin(additive)].merge(hq, on="period")
        q["gid"] = q.groupby(["half", "scope", "measure", "dimension", "category"], sort=True).ngroup()
        # the partner suppressed in this family is the half-year cell whenever it can be, not a quarter: a
        # quarter's published value is then the same in its quarterly release and in the half-year report
        parts.append(q[["gid", "idx"]].assign(family="quarters", partner=q["period"] == q["half"]))

    offset, out = 0, []
    for part in parts:
        part = part.copy()
        part["gid"] = part["gid"] + offset
        offset = int(part["gid"].max()) + 1 if len(part) else offset
        out.append(part)
    frame = pd.concat(out, ignore_index=True)
    frame["partner"] = frame["partner"].fillna(True).astype(bool) if "partner" in frame else True
    return frame


def secondary_suppression(raw: np.ndarray, suppressed: np.ndarray, groups: pd.DataFrame
                          ) -> tuple[np.ndarray, list[int]]:
    """Rule 5, iterated until stable: every group with exactly one suppressed cell gets
    its smallest non-zero unsuppressed cell suppressed too (ties: the first in cell
    order). A cell may sit in several groups (categories and regions), so a new
    suppression can open another group: repeat until no group has exactly one.

    Returns the cells to add (indices into the grid) and the groups left with exactly
    one suppressed cell and no cell to suppress (none, for consistent input)."""
    supp = suppressed.copy()
    gid = groups["gid"].to_numpy()
    idx = groups["idx"].to_numpy()
    partner = groups["partner"].to_numpy(bool) if "partner" in groups else np.ones(len(gid), dtype=bool)
    n_groups = int(gid.max()) + 1 if len(gid) else 0
    # a group whose cells are all zero protects nothing: its total is published as nil, which says
    # every part is zero (a region not published shows C even there; the nil total gives it away)
    live = np.bincount(gid, weights=raw[idx] > 0, minlength=n_groups) > 0
    added: list[int] = []
    while True:
        count = np.bincount(gid, weights=supp[idx], minlength=n_groups)
        lone = (count == 1) & live
        if not lone.any():
            return np.array(sorted(added), dtype=np.int64), []
        in_lone = lone[gid]
        cand = in_lone & ~supp[idx] & (raw[idx] > 0)
        c_gid, c_idx, c_second = gid[cand], idx[cand], ~partner[cand]
        # preferred partners first (in the quarters family, the half-year cell), then the smallest
        order = np.lexsort((c_idx, raw[c_idx], c_second, c_gid))
        c_gid, c_idx = c_gid[order], c_idx[order]
        first = np.ones(len(c_gid), dtype=bool)
        first[1:] = c_gid[1:] != c_gid[:-1]
        picks = np.unique(c_idx[first])
        if len(picks) == 0:
            stuck = sorted(set(np.flatnonzero(lone).tolist()))
            return np.array(sorted(added), dtype=np.int64), stuck
        supp[picks] = True
        added += picks.tolist()


# ---- the store -----------------------------------------------------------------

class PublishedStore:
    """Every published cell, plus derived figures computed from the raw values."""

    def __init__(self, cells: pd.DataFrame, config: Config, key: str, *,
                 periods: Sequence[str] | None = None, scopes: Sequence[str] | None = None,
                 group_cells: pd.DataFrame | None = None, coverage: Coverages | None = None,
                 matched: pd.DataFrame | None = None):
        self.config = config
        self.coverage = coverage or Coverages({})
        rules = config.confidentiality
        periods = sorted(set(periods or []) | set(cells["period"]), key=Period.parse)
        scopes = list(scopes or [NATIONAL, *config.regions])
        scopes += sorted(set(cells["scope"]) - set(scopes))
        self.periods: list[str] = periods
        self.scopes: list[str] = scopes
        grid = full_grid(cells, config, periods, scopes)
        kinds = {m: spec.kind for m, spec in config.measures.items()}
        kind = grid["measure"].map(kinds).fillna("count").to_numpy()
        raw = grid["raw"].to_numpy(np.int64)
        members = grid["members"].to_numpy(np.int64)
        has_data = grid["has_data"].to_numpy(bool)
        hours = kind == "hours"

        status = np.full(len(grid), ROUNDED, dtype=object)
        status[hours] = EXACT
        status[(raw < rules.suppress_below) & ~hours] = PRIMARY
        status[members < rules.min_members] = CONF  # C takes precedence over S
        status[raw == 0] = NIL_STATUS
        # a scope with fewer than min_members members' rows in a period is not published at all:
        # every cell of it is C, nil cells too (a nil would say what each of its members sent)
        hidden = {(sc, p) for sc in scopes for p in periods if sc != NATIONAL and coverage is not None
                  and 0 < len(self.coverage.get(sc, p).contributing) < rules.min_members}
        self.unpublished: set[tuple[str, str]] = hidden
        if hidden:
            in_hidden = pd.MultiIndex.from_frame(grid[["scope", "period"]]).isin(list(hidden))
            status[in_hidden] = CONF
        status[~has_data] = NA

        groups = additive_groups(grid, config)
        suppressed = np.isin(status, [PRIMARY, CONF])
        added, stuck = secondary_suppression(raw, suppressed, groups)
        status[added] = SECONDARY
        self.unresolved_groups = stuck

        value = raw.astype(np.float64)
        to_round = status == ROUNDED
        if to_round.any():
            ids = (grid.loc[to_round, "measure"] + "|" + grid.loc[to_round, "dimension"] + "|"
                   + grid.loc[to_round, "category"] + "|" + grid.loc[to_round, "scope"] + "|"
                   + grid.loc[to_round, "period"])
            draws = rr3_draws(key, ids.tolist())
            value[to_round] = random_round_array(raw[to_round], draws, rules.rounding_base)
        value[~np.isin(status, [ROUNDED, EXACT])] = np.nan
        value[status == NIL_STATUS] = 0.0
        symbol = np.array([STATUS_SYMBOL[s] for s in status], dtype=object)

        grid["kind"], grid["status"], grid["value"], grid["symbol"] = kind, status, value, symbol
        self._grid = grid
        self._groups = groups
        # plain lists: iterating pandas' Arrow-backed string columns value by value is far slower
        cols = {c: grid[c].tolist() for c in KEY_COLUMNS}
        keys = list(zip(*(cols[c] for c in KEY_COLUMNS)))
        flags = {(sc, p): self.coverage.flag(sc, p) for sc in scopes for p in periods}
        grid["flag"] = [flags[(sc, p)] for sc, p in zip(cols["scope"], cols["period"])]
        self._published: dict[tuple, Published] = {
            k: Published(None if s and s != NIL else float(v), s, kd, flags[(k[0], k[1])])
            for k, v, s, kd in zip(keys, value.tolist(), symbol.tolist(), kind.tolist())}
        self._matched = self._index_matched(matched)
        self.revised: set[tuple] = set()  # cells a release changes from an earlier one (mark_revised)
        self._raw: dict[tuple, int] = dict(zip(keys, raw.tolist()))
        self._has_data = set(zip(grid.loc[grid["has_data"], "scope"], grid.loc[grid["has_data"], "period"]))
        self._groups_raw = self._index_groups(group_cells)

    @staticmethod
    def _index_matched(matched: pd.DataFrame | None) -> dict[tuple, tuple[int, int, int]]:
        if matched is None or matched.empty:
            return {}
        keys = zip(*(matched[c].tolist() for c in ("scope", "period", "base", "measure", "dimension", "category")))
        return dict(zip(keys, zip(matched["now"].tolist(), matched["then"].tolist(), matched["members"].tolist())))

    @staticmethod
    def _index_groups(group_cells: pd.DataFrame | None) -> dict[tuple, tuple[int, int]]:
        if group_cells is None or group_cells.empty:
            return {}
        keys = zip(*(group_cells[c].tolist() for c in ("scope", "period", "measure", "dimension", "group")))
        return dict(zip(keys, zip(group_cells["raw"].astype(int).tolist(),
                                  group_cells["members"].astype(int).tolist())))

    # ---- published cells ---------------------------------------------------
    def get(self, measure: str, dimension: str = "total", category: str = "", *,
            scope: str = NATIONAL, period: Period | str) -> Published:
        key = (scope, str(period), measure, dimension, category)
        if key in self._published:
            p = self._published[key]
            return replace(p, flag=merge_flags(p.flag, REVISED)) if key in self.revised else p
        kind = self.config.measures[measure].kind if measure in self.config.measures else "count"
        if (scope, str(period)) not in self._has_data:
            return Published(None, NOT_AVAILABLE, kind)
        return Published(0, NIL, kind, self.flag(scope, period))  # no member sent anything above zero for it

    def flag(self, scope: str, period: Period | str) -> str:
        """``P`` when an expected member did not report for ``scope`` in ``period``, else ""."""
        return self.coverage.flag(scope, period)

    def raw_of(self, measure: str, dimension: str, category: str, scope: str, period: Period | str) -> int:
        """Internal: the raw value behind a cell (never publish it)."""
        return self._raw.get((scope, str(period), measure, dimension, category), 0)

    def has_data(self, scope: str, period: Period | str) -> bool:
        return (scope, str(period)) in self._has_data

    # ---- derived figures (rule 7) -----------------------------------------
    def share(self, measure: str, dimension: str, category: str, *, scope: str = NATIONAL,
              period: Period | str) -> Published:
        """A category's share of the measure's total, as a percentage."""
        part = self.get(measure, dimension, category, scope=scope, period=period)
        whole = self.get(measure, scope=scope, period=period)
        return self.ratio_of(part, whole, self.raw_of(measure, dimension, category, scope, period),
                             self.raw_of(measure, "total", "", scope, period), percent=True)

    def ratio_of(self, num: Published | Sequence[Published], den: Published | Sequence[Published],
                 raw_num: float, raw_den: float, *, percent: bool = False, per: float = 1.0,
                 kind: str | None = None) -> Published:
        """A derived value from raw inputs: ``..`` if an input is not available, ``S``
        if an input is suppressed or confidential or the raw denominator is small."""
        kind = kind or ("percent" if percent else "ratio")
        inputs = [*(num if isinstance(num, Sequence) else [num]), *(den if isinstance(den, Sequence) else [den])]
        symbols = {p.symbol for p in inputs}
        if NOT_AVAILABLE in symbols:
            return Published(None, NOT_AVAILABLE, kind)
        if symbols & {SUPPRESSED, CONFIDENTIAL}:
            return Published(None, SUPPRESSED, kind)
        if raw_den < self.config.confidentiality.min_denominator:
            return Published(None, SUPPRESSED, kind)
        value = raw_num / raw_den * (100.0 if percent else per)
        digits = self.config.confidentiality.percent_decimals if percent else 1
        return Published(round(value, digits) + 0.0, "", kind, merge_flags(*(p.flag for p in inputs)))  # + 0.0: no "-0"

    def ratio(self, numerator: Sequence[tuple[str, str, str]], denominator: Sequence[tuple[str, str, str]], *,
              scope: str = NATIONAL, period: Period | str, percent: bool = False, per: float = 1.0) -> Published:
        """Sum of numerator cells ÷ sum of denominator cells (each (measure, dimension, category))."""
        num = [self.get(m, d, c, scope=scope, period=period) for m, d, c in numerator]
        den = [self.get(m, d, c, scope=scope, period=period) for m, d, c in denominator]
        raw_num = sum(self.raw_of(m, d, c, scope, period) for m, d, c in numerator)
        raw_den = sum(self.raw_of(m, d, c, scope, period) for m, d, c in denominator)
        return self.ratio_of(num, den, raw_num, raw_den, percent=percent, per=per)

    def change(self, measure: str, dimension: str = "total", category: str = "", *,
               scope: str = NATIONAL, period: Period | str, base: Period | str) -> Published:
        """Percentage change from ``base`` to ``period``, from raw values (rule 7)."""
        now = self.get(measure, dimension, category, scope=scope, period=period)
        then = self.get(measure, dimension, category, scope=scope, period=base)
        raw_now = self.raw_of(measure, dimension, category, scope, period)
        raw_then = self.raw_of(measure, dimension, category, scope, base)
        return self.ratio_of([now], [then], raw_now - raw_then, raw_then, percent=True, kind="change")

    def like_for_like(self, measure: str, dimension: str = "total", category: str = "", *,
                      scope: str = NATIONAL, period: Period | str, base: Period | str) -> Published:
        """Percentage change from ``base`` to ``period`` over the members that reported in both
        (the like-for-like panel), from raw values (rule 7). Suppressed (S) where the panel has
        fewer than ``min_members`` members with the cell, its counts are small or its base is under
        ``min_denominator`` — and where 1 to ``min_members - 1`` members are left out of the panel
        and, with the published all-member levels, the change would narrow their figure to within
        ``LEFT_OUT_PROTECTION`` of its value (``_narrows``)."""
        rules = self.config.confidentiality
        if not (self.has_data(scope, period) and self.has_data(scope, base)):
            return Published(None, NOT_AVAILABLE, "change")
        if (scope, str(period)) in self.unpublished or (scope, str(base)) in self.unpublished:
            return Published(None, SUPPRESSED, "change")
        left_out = len(self.coverage.excluded(scope, period, base))
        now, then, members = self._matched.get((scope, str(period), str(base), measure, dimension, category),
                                               (0, 0, 0))
        small = [v for v in (now, then) if 0 < v < rules.suppress_below]
        hours = self.config.measures[measure].kind == "hours" if measure in self.config.measures else False
        if members < rules.min_members or (small and not hours) or then < rules.min_denominator:
            return Published(None, SUPPRESSED, "change")
        if 0 < left_out < rules.min_members and self._narrows(measure, dimension, category, scope, period, base,
                                                              now, then):
            return Published(None, SUPPRESSED, "change")
        value = (now - then) / then * 100.0
        revised = any((scope, str(p), measure, dimension, category) in self.revised for p in (period, base))
        return Published(round(value, rules.percent_decimals) + 0.0, "", "change", REVISED if revised else "")

    def mark_revised(self, keys: set[tuple]) -> None:
        """The cells (scope, period, measure, dimension, category) whose published value differs from
        the last release's: they, and every figure made from them, carry R (revisions.py). Replaces any
        earlier marking, so a long-running preview never keeps a stale one."""
        self.revised = set(keys)

    def _narrows(self, measure: str, dimension: str, category: str, scope: str, period, base,
                 now: int, then: int) -> bool:
        """Whether one or two left-out members' figure could be worked out closely: the all-member
        totals of both periods are published, so with the panel's change the left-out part of a period
        follows, within the change's rounding (half a unit of its last digit, times the base) and the
        totals' rounding (2 each). Too close — within ``LEFT_OUT_PROTECTION`` of its value, the p % rule
        of statistical disclosure control — and the change is suppressed."""
        rules = self.config.confidentiality
        left_now = self.raw_of(measure, dimension, category, scope, period) - now
        left_then = self.raw_of(measure, dimension, category, scope, base) - then
        width = 0.5 * 10.0 ** -rules.percent_decimals / 100.0 * max(then, now) + 2 * (rules.rounding_base - 1)
        return any(0 < part and width < LEFT_OUT_PROTECTION * part for part in (left_now, left_then))

    def panel(self, scope: str, period: Period | str, base: Period | str) -> int:
        """How many members reported in both periods (the like-for-like panel; organisations, not people)."""
        return len(self.coverage.matched(scope, period, base))

    def difference(self, measure: str, dimension: str = "total", category: str = "", *,
                   scope: str = NATIONAL, period: Period | str, base: Period | str) -> Published:
        """Absolute change from ``base`` to ``period``: the difference of the two
        published values, so that it matches the figures readers see (an unrounded
        raw difference would publish an exact count, which rule 2 forbids)."""
        now = self.get(measure, dimension, category, scope=scope, period=period)
        then = self.get(measure, dimension, category, scope=scope, period=base)
        symbols = {now.symbol, then.symbol}
        if NOT_AVAILABLE in symbols:
            return Published(None, NOT_AVAILABLE, "difference")
        if symbols & {SUPPRESSED, CONFIDENTIAL}:
            return Published(None, SUPPRESSED, "difference")
        return Published(float(now.value or 0) - float(then.value or 0), "", "difference",
                         merge_flags(now.flag, then.flag))

    def group_total(self, measure: str, dimension: str, group: str, *, scope: str = NATIONAL,
                    period: Period | str) -> tuple[Published, int]:
        """Internal input for group rates: a group sum judged by rules 4 and 6 as if it
        were published (its status only; the number itself is never published)."""
        raw, members = self._groups_raw.get((scope, str(period), measure, dimension, group), (0, 0))
        rules = self.config.confidentiality
        if not self.has_data(scope, period):
            return Published(None, NOT_AVAILABLE), raw
        if raw == 0:
            return Published(0, NIL), raw
        if members < rules.min_members:
            return Published(None, CONFIDENTIAL), raw
        if raw < rules.suppress_below:
            return Published(None, SUPPRESSED), raw
        return Published(float(raw), ""), raw

    # ---- inspection (tables, audit) -------------------------------------
    def frame(self) -> pd.DataFrame:
        """Every published cell: scope, period, measure, dimension, category, value, symbol, kind, flag."""
        out = self._grid[[*KEY_COLUMNS, "value", "symbol", "kind", "flag"]].copy()
        if self.revised:
            keys = pd.MultiIndex.from_frame(out[KEY_COLUMNS]).isin(list(self.revised))
            out.loc[keys, "flag"] = [merge_flags(f, REVISED) for f in out.loc[keys, "flag"]]
        return out

    def internal_frame(self) -> pd.DataFrame:
        """Internal (audit only): the published frame with raw, members and status."""
        return self._grid.copy()

    def additive_groups(self) -> pd.DataFrame:
        """Internal (audit only): the groups secondary suppression protects."""
        return self._groups.copy()


def confidentialise(aggregates: Aggregates, config: Config, key: str) -> PublishedStore:
    periods = [str(p) for p in aggregates.periods]
    return PublishedStore(aggregates.cells, config, key, periods=periods, group_cells=aggregates.group_cells,
                          coverage=aggregates.coverage, matched=aggregates.matched)


def empty_store(config: Config, period: Period) -> PublishedStore:
    """A store without data: every figure is ``..`` (not available). When the real figures cannot
    be made (the data have errors, or there is no rounding key), the narratives are still
    checked against it, so every placeholder problem is reported in the same run."""
    cells = pd.DataFrame({c: pd.Series(dtype=object) for c in KEY_COLUMNS}
                         | {"raw": pd.Series(dtype="int64"), "members": pd.Series(dtype="int64")})
    periods = [str(p) for p in (period, period.previous(), period.year_earlier())]
    return PublishedStore(cells, config, "", periods=periods)

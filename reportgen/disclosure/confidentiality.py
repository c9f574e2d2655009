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
from typing import NamedTuple

import numpy as np
import pandas as pd

from ..core.config import Config
from ..core.periods import Period
from ..inputs.coverage import Coverages
from ..statistics.aggregate import NATIONAL, Aggregates
from .published import CONFIDENTIAL, NIL, NOT_AVAILABLE, REVISED, SUPPRESSED, Published, merge_flags


class Panel(NamedTuple):
    """A like-for-like panel's raw sums for one cell and comparison (internal): each side's sum over
    the panel, the members with the cell, and each side's two largest contributions."""

    now: int
    then: int
    members: int
    now_top1: int
    now_top2: int
    then_top1: int
    then_top2: int
# why a cell has the value it has (internal: the audit counts these)
ROUNDED, EXACT, PRIMARY, SECONDARY, CONF, DOMINANT, NIL_STATUS, NA = (
    "rounded", "hours", "primary", "secondary", "confidential", "dominance", "nil", "not_available")
STATUS_SYMBOL = {ROUNDED: "", EXACT: "", PRIMARY: SUPPRESSED, SECONDARY: SUPPRESSED,
                 CONF: CONFIDENTIAL, DOMINANT: CONFIDENTIAL, NIL_STATUS: NIL, NA: NOT_AVAILABLE}
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
    extra = [c for c in ("top1", "top2") if c in cells]
    given = cells[[*KEY_COLUMNS, "raw", "members", *extra]]
    grid = grid.merge(given, on=KEY_COLUMNS, how="outer")
    for c in ("raw", "members", "top1", "top2"):
        grid[c] = grid[c].fillna(0).astype("int64") if c in grid else 0
    seen = cells[["scope", "period"]].drop_duplicates().assign(has_data=True)
    grid = grid.merge(seen, on=["scope", "period"], how="left")
    grid["has_data"] = grid["has_data"].fillna(False).astype(bool)
    return grid.sort_values(KEY_COLUMNS, kind="stable").reset_index(drop=True)


def additive_groups(grid: pd.DataFrame, config: Config) -> pd.DataFrame:
    """Membership of every set of cells whose parts add up to a published total (rule 5).

    Returns ``gid`` (a group number), ``idx`` (row of ``grid``), ``family`` and ``total`` (the cell the
    others add up to):

    * ``categories``: a single-response breakdown with its total, per scope and period;
    * ``regions``: the regional cells with the national cell, per measure, dimension,
      category and period;
    * ``sums``: a measure that is the sum of others (``confidentiality.sum_groups``);
    * ``quarters``: for measures that add up across quarters, a half-year cell with
      its two quarter cells (per scope, measure, dimension and category). Where a
      member sent half-year rows the sum is not exact; the group then only adds
      suppression, which is safe.
    """
    # the keys as integer codes in sorted order: grouping on them numbers the groups as grouping on the
    # strings would, and quicker than grouping on pandas' Arrow-backed strings (70 → 40 ms on the sample)
    codes = {c: pd.factorize(grid[c], sort=True) for c in KEY_COLUMNS}
    g = pd.DataFrame({c: codes[c][0] for c in KEY_COLUMNS}).assign(idx=np.arange(len(grid)))
    measure_code = {m: i for i, m in enumerate(codes["measure"][1])}
    dimension_code = {d: i for i, d in enumerate(codes["dimension"][1])}
    parts: list[pd.DataFrame] = []

    pairs = []
    for measure, spec in config.measures.items():
        if "total" not in spec.dimensions:
            continue
        for dim in spec.dimensions:
            if dim != "total" and config.dimensions[dim].response == "single":
                pairs += [(measure, dim, dim), (measure, "total", dim)]
    coded = [(measure_code[m], dimension_code[d], gd) for m, d, gd in pairs if m in measure_code and d in dimension_code]
    if coded:
        p = pd.DataFrame(coded, columns=["measure", "dimension", "gdim"])
        m = g.merge(p, on=["measure", "dimension"])
        m["gid"] = m.groupby(["scope", "period", "measure", "gdim"], sort=True).ngroup()
        parts.append(m[["gid", "idx"]].assign(family="categories",
                                              total=m["dimension"] == dimension_code.get("total", -1)))

    r = g.copy()
    r["gid"] = r.groupby(["period", "measure", "dimension", "category"], sort=True).ngroup()
    national = list(codes["scope"][1]).index(NATIONAL) if NATIONAL in set(codes["scope"][1]) else -1
    parts.append(r[["gid", "idx"]].assign(family="regions", total=r["scope"] == national))

    sums = []
    for total, members in config.confidentiality.sum_groups.items():
        if total in config.measures and all(x in config.measures for x in members):
            sums += [(total, total)] + [(x, total) for x in members]
    coded_sums = [(measure_code[m], measure_code[gm]) for m, gm in sums if m in measure_code and gm in measure_code]
    if coded_sums:
        s = g.merge(pd.DataFrame(coded_sums, columns=["measure", "gmeasure"]), on="measure")
        s["gid"] = s.groupby(["scope", "period", "gmeasure", "dimension", "category"], sort=True).ngroup()
        parts.append(s[["gid", "idx"]].assign(family="sums", total=s["measure"] == s["gmeasure"]))

    additive = [measure_code[m] for m, spec in config.measures.items() if spec.additive and m in measure_code]
    period_code = {p: i for i, p in enumerate(codes["period"][1])}
    halves = [(str(h), [str(q) for q in h.quarters()]) for h in (Period.parse(p) for p in period_code)
              if h.is_half and all(str(q) in period_code for q in h.quarters())]
    if additive and halves:
        hq = pd.DataFrame([(period_code[half], period_code[p]) for half, qs in halves for p in [half, *qs]],
                          columns=["half", "period"])
        q = g[g["measure"].isin(additive)].merge(hq, on="period")
        q["gid"] = q.groupby(["half", "scope", "measure", "dimension", "category"], sort=True).ngroup()
        # the partner suppressed in this family is the half-year cell whenever it can be, not a quarter: a
        # quarter's published value is then the same in its quarterly release and in the half-year report
        half = q["period"] == q["half"]
        parts.append(q[["gid", "idx"]].assign(family="quarters", partner=half, total=half))

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


def margin_ranges(value: np.ndarray, exact: np.ndarray, numbers: np.ndarray, groups: pd.DataFrame, base: int,
                  suppress_below: int) -> pd.DataFrame:
    """What each additive group's published cells leave of each cell's raw value, taken together: a
    cell's own range (a rounded count: within ``base − 1``, not below the suppression threshold; hours
    and nil: exactly) narrowed by its total, or its parts, and the others' ranges. Groups with a
    withheld cell are left out (its range is not a published one). Returns the group's rows with
    ``own`` (the size of the cell's own range, less one) and ``left`` (what the group leaves, less one:
    0 pins the raw value)."""
    reach = base - 1
    rows = groups.assign(number=numbers[groups["idx"].to_numpy()])
    rows = rows[rows.groupby("gid")["number"].transform("all")]
    if rows.empty:
        return rows.assign(own=0, left=0)
    i = rows["idx"].to_numpy()
    v = value[i]
    lo = np.where(exact[i], v, np.maximum(v - reach, suppress_below))
    hi = np.where(exact[i], v, v + reach)
    total = rows["total"].to_numpy(bool)
    gid = rows["gid"].to_numpy()
    n = int(gid.max()) + 1
    part_lo = np.bincount(gid, weights=np.where(total, 0, lo), minlength=n)
    part_hi = np.bincount(gid, weights=np.where(total, 0, hi), minlength=n)
    t_lo = np.bincount(gid, weights=np.where(total, lo, 0), minlength=n)
    t_hi = np.bincount(gid, weights=np.where(total, hi, 0), minlength=n)
    new_lo = np.where(total, np.maximum(lo, part_lo[gid]), np.maximum(lo, t_lo[gid] - (part_hi[gid] - hi)))
    new_hi = np.where(total, np.minimum(hi, part_hi[gid]), np.minimum(hi, t_hi[gid] - (part_lo[gid] - lo)))
    return rows.assign(own=hi - lo, left=new_hi - new_lo)


def unpin(value: np.ndarray, raw: np.ndarray, rounded: np.ndarray, exact: np.ndarray, numbers: np.ndarray,
          groups: pd.DataFrame, base: int, suppress_below: int) -> int:
    """Counts rounded on their own can, with their total (a half-year and its quarters, a total and its
    breakdown, the nation and its regions), pin a raw value: when every rounding in a group went the far
    way, the ranges meet in one value. Where that happens the group's total takes its other rounding
    (the nearer multiple of the base, as likely a result of random rounding), so the parts — a quarter
    keeps the value every release published — stay as they are. Changes ``value`` in place; returns how
    many totals moved."""
    if base < 2:
        return 0
    moved = 0
    for _ in range(4):  # a total can sit in several groups: look again after each round of moves
        ranges = margin_ranges(value, exact, numbers, groups, base, suppress_below)
        pinned = ranges[(ranges["left"] <= 0) & (ranges["own"] > 0)]
        if pinned.empty:
            break
        totals = ranges[ranges["total"] & ranges["gid"].isin(pinned["gid"])]["idx"].unique()
        totals = totals[rounded[totals]]
        other = np.where(value[totals] > raw[totals], value[totals] - base, value[totals] + base)
        # only a total rounded to the farther multiple moves (to the nearer): none moves twice
        far = np.abs(value[totals] - raw[totals]) * 2 > base
        ok = far & (np.abs(other - raw[totals]) <= base - 1) & (other > 0)
        if not ok.any():
            break
        value[totals[ok]] = other[ok]
        moved += int(ok.sum())
    return moved


# ---- the store -----------------------------------------------------------------

def dominated(raw: np.ndarray, top1: np.ndarray, top2: np.ndarray, p: float) -> np.ndarray:
    """The p % rule (confidentiality rule 12): the second-largest contributor, subtracting its own value
    from the cell's, would know the largest contributor's value to within p % — the sum of the others is
    below p % of the largest (judged on the raw values, as the policy defines it). ``p`` 0 turns it off."""
    return (raw > 0) & (p > 0) & ((raw - top1 - top2) < p / 100.0 * top1)


class PublishedStore:
    """Every published cell, and the figures derived from the published values (never the raw ones:
    a derived figure then says nothing the published counts do not, confidentiality rule 13)."""

    def __init__(self, cells: pd.DataFrame, config: Config, key: str, *,
                 periods: Sequence[str] | None = None, scopes: Sequence[str] | None = None,
                 coverage: Coverages | None = None, matched: pd.DataFrame | None = None):
        self.config = config
        self._key = key
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
        # one member dominates (rule 12): C, counts and hours alike
        status[dominated(raw, grid["top1"].to_numpy(np.int64), grid["top2"].to_numpy(np.int64),
                         rules.dominance_p) & (members >= rules.min_members)] = DOMINANT
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
        suppressed = np.isin(status, [PRIMARY, CONF, DOMINANT])
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
            self.unpinned = unpin(value, raw, status == ROUNDED, np.isin(status, [EXACT, NIL_STATUS]),
                                  np.isin(status, [ROUNDED, EXACT, NIL_STATUS]), groups, rules.rounding_base,
                                  rules.suppress_below)
        else:
            self.unpinned = 0
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
        with_data = grid.loc[grid["has_data"], ["scope", "period"]]
        self._has_data = set(zip(with_data["scope"].tolist(), with_data["period"].tolist()))

    @staticmethod
    def _index_matched(matched: pd.DataFrame | None) -> dict[tuple, Panel]:
        if matched is None or matched.empty:
            return {}
        # through numpy: iterating pandas' Arrow-backed strings value by value is far slower
        keys = zip(*(matched[c].to_numpy(dtype=object).tolist()
                     for c in ("scope", "period", "base", "measure", "dimension", "category")))
        values = zip(*(matched[c].to_numpy(dtype=np.int64).tolist() for c in Panel._fields))
        return {k: Panel(*v) for k, v in zip(keys, values)}

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

    # ---- derived figures (rules 7 and 13) -------------------------------------
    def share(self, measure: str, dimension: str, category: str, *, scope: str = NATIONAL,
              period: Period | str) -> Published:
        """A category's share of the measure's total, as a percentage of the published values."""
        if (scope, str(period)) in self.unpublished:
            return Published(None, CONFIDENTIAL, "percent")
        part = self.get(measure, dimension, category, scope=scope, period=period)
        whole = self.get(measure, scope=scope, period=period)
        return self.ratio_of(part, whole, percent=True)

    def ratio_of(self, num: Published | Sequence[Published], den: Published | Sequence[Published], *,
                 percent: bool = False, per: float = 1.0, kind: str | None = None) -> Published:
        """A derived value from published values: the sum of ``num`` over the sum of ``den`` (× 100 for a
        percentage, × ``per`` otherwise). ``..`` if an input is not available; ``S`` if an input is
        suppressed or confidential, or the published denominator is below ``min_denominator`` (judged
        on the published value, so that the decision says nothing the published value does not)."""
        kind = kind or ("percent" if percent else "ratio")
        nums = list(num) if isinstance(num, Sequence) else [num]
        dens = list(den) if isinstance(den, Sequence) else [den]
        symbols = {p.symbol for p in (*nums, *dens)}
        if NOT_AVAILABLE in symbols:
            return Published(None, NOT_AVAILABLE, kind)
        if symbols & {SUPPRESSED, CONFIDENTIAL}:
            return Published(None, SUPPRESSED, kind)
        top = sum(float(p.value or 0) for p in nums)
        bottom = sum(float(p.value or 0) for p in dens)
        if bottom < self.config.confidentiality.min_denominator:
            return Published(None, SUPPRESSED, kind)
        value = top / bottom * (100.0 if percent else per)
        digits = self.config.confidentiality.percent_decimals if percent else 1
        return Published(round(value, digits) + 0.0, "", kind,  # + 0.0: no "-0"
                         merge_flags(*(p.flag for p in (*nums, *dens))))

    def ratio(self, numerator: Sequence[tuple[str, str, str]], denominator: Sequence[tuple[str, str, str]], *,
              scope: str = NATIONAL, period: Period | str, percent: bool = False, per: float = 1.0) -> Published:
        """Sum of numerator cells ÷ sum of denominator cells (each (measure, dimension, category)), of
        their published values (C for a region not published: every figure of it is)."""
        if (scope, str(period)) in self.unpublished:
            return Published(None, CONFIDENTIAL, "percent" if percent else "ratio")
        num = [self.get(m, d, c, scope=scope, period=period) for m, d, c in numerator]
        den = [self.get(m, d, c, scope=scope, period=period) for m, d, c in denominator]
        return self.ratio_of(num, den, percent=percent, per=per)

    def change(self, measure: str, dimension: str = "total", category: str = "", *,
               scope: str = NATIONAL, period: Period | str, base: Period | str) -> Published:
        """Percentage change from ``base`` to ``period`` of the published values."""
        if (scope, str(period)) in self.unpublished or (scope, str(base)) in self.unpublished:
            return Published(None, CONFIDENTIAL, "change")
        now = self.get(measure, dimension, category, scope=scope, period=period)
        then = self.get(measure, dimension, category, scope=scope, period=base)
        return self.percent_change(now, then)

    def percent_change(self, now: Published, then: Published) -> Published:
        """(now − then) ÷ then, as a percentage, of two published values (S where either is withheld or
        ``then`` is below ``min_denominator``)."""
        symbols = {now.symbol, then.symbol}
        if NOT_AVAILABLE in symbols:
            return Published(None, NOT_AVAILABLE, "change")
        if symbols & {SUPPRESSED, CONFIDENTIAL}:
            return Published(None, SUPPRESSED, "change")
        a, b = float(now.value or 0), float(then.value or 0)
        if b < self.config.confidentiality.min_denominator:
            return Published(None, SUPPRESSED, "change")
        value = (a - b) / b * 100.0
        return Published(round(value, self.config.confidentiality.percent_decimals) + 0.0, "", "change",
                         merge_flags(now.flag, then.flag))

    def like_for_like(self, measure: str, dimension: str = "total", category: str = "", *,
                      scope: str = NATIONAL, period: Period | str, base: Period | str) -> Published:
        """Percentage change from ``base`` to ``period`` over the members that reported in both (the
        like-for-like panel). Each side is the published cell when every member in that period's figures
        is in the panel, else the panel's sum randomly rounded on its own (``panel_value``): never an
        unrounded count. Suppressed (S) where the panel has fewer than ``min_members`` members with the
        cell, where one member dominates a side (the p % rule), where a side is small or its base below
        ``min_denominator``, and where a member left out of the panel, knowing its own figure, could
        narrow a published count with it (``narrows_for_left_out``)."""
        rules = self.config.confidentiality
        if not (self.has_data(scope, period) and self.has_data(scope, base)):
            return Published(None, NOT_AVAILABLE, "change")
        if (scope, str(period)) in self.unpublished or (scope, str(base)) in self.unpublished:
            return Published(None, CONFIDENTIAL, "change")
        cell = (measure, dimension, category)
        panel = self._matched.get((scope, str(period), str(base), *cell))
        if panel is None or panel.members < rules.min_members:
            return Published(None, SUPPRESSED, "change")
        if dominated(np.array([panel.now, panel.then]), np.array([panel.now_top1, panel.then_top1]),
                     np.array([panel.now_top2, panel.then_top2]), rules.dominance_p).any():
            return Published(None, SUPPRESSED, "change")
        now = self.panel_value(scope, period, base, cell, "now")
        then = self.panel_value(scope, period, base, cell, "then")
        small = [p for p in (now, then) if 0 < float(p.value or 0) < rules.suppress_below]
        if (small and not self._is_hours(measure)) or self.narrows_for_left_out(scope, period, base, cell):
            return Published(None, SUPPRESSED, "change")
        change = self.percent_change(replace(now, flag=""), replace(then, flag=""))
        revised = any((scope, str(p), *cell) in self.revised for p in (period, base))
        return replace(change, flag=REVISED if revised and change.is_number else "")

    def panel_value(self, scope: str, period: Period | str, base: Period | str, cell: tuple[str, str, str],
                    side: str) -> Published:
        """One side (``now``: ``period``, ``then``: ``base``) of a like-for-like panel, as it enters the
        published change: the published cell itself when nobody outside the panel is in that period's
        figures (the panel's sum is then the cell's raw value, and a second rounding of it would narrow
        it), else the panel's sum randomly rounded with a draw of its own (hours: exact, like every hours
        figure)."""
        when = period if side == "now" else base
        if not self.left_out(scope, period, base, side):
            return self.get(*cell, scope=scope, period=when)
        panel = self._matched[(scope, str(period), str(base), *cell)]
        raw = panel.now if side == "now" else panel.then
        hours = self._is_hours(cell[0])
        kind = "hours" if hours else "count"
        if raw == 0:
            return Published(0, NIL, kind)
        if hours:
            return Published(float(raw), "", kind)
        identity = "|".join(("panel", *cell, scope, str(period), str(base), side))
        return Published(float(random_round(raw, rr3_draw(self._key, identity), self.config.confidentiality.rounding_base)),
                         "", kind)

    def _is_hours(self, measure: str) -> bool:
        return measure in self.config.measures and self.config.measures[measure].kind == "hours"

    def left_out(self, scope: str, period: Period | str, base: Period | str, side: str) -> frozenset[str]:
        """The members in one side's figures that are not in the like-for-like panel."""
        when = period if side == "now" else base
        return self.coverage.get(scope, when).contributing - self.coverage.matched(scope, period, base)

    def narrows_for_left_out(self, scope: str, period: Period | str, base: Period | str,
                             cell: tuple[str, str, str]) -> bool:
        """Whether the one member left out of the panel (on either side: with two or more, none knows
        the others' part), knowing its own figures, could narrow a published count's raw value with the
        change (``left_out_narrows``)."""
        outside = self.left_out(scope, period, base, "now") | self.left_out(scope, period, base, "then")
        if len(outside) != 1:
            return False
        panel = self._matched[(scope, str(period), str(base), *cell)]
        now = self.get(*cell, scope=scope, period=period)
        then = self.get(*cell, scope=scope, period=base)
        own_now = self.raw_of(*cell, scope, period) - panel.now
        own_then = self.raw_of(*cell, scope, base) - panel.then
        published = [self.panel_value(scope, period, base, cell, side) for side in ("now", "then")]
        change = self.percent_change(replace(published[0], flag=""), replace(published[1], flag=""))
        if not change.is_number:
            return False
        return left_out_narrows(now, then, own_now, own_then, float(change.value or 0), self.config,
                                hours=published[0].kind == "hours")

    def mark_revised(self, keys: set[tuple]) -> None:
        """The cells (scope, period, measure, dimension, category) whose published value differs from
        the last release's: they, and every figure made from them, carry R (revisions.py). Replaces any
        earlier marking, so a long-running preview never keeps a stale one."""
        self.revised = set(keys)

    def panel(self, scope: str, period: Period | str, base: Period | str) -> int:
        """How many members reported in both periods (the like-for-like panel; organisations, not people)."""
        return len(self.coverage.matched(scope, period, base))

    def difference(self, measure: str, dimension: str = "total", category: str = "", *,
                   scope: str = NATIONAL, period: Period | str, base: Period | str) -> Published:
        """Absolute change from ``base`` to ``period``: the difference of the two
        published values, so that it matches the figures readers see (an unrounded
        raw difference would publish an exact count, which rule 2 forbids)."""
        if (scope, str(period)) in self.unpublished or (scope, str(base)) in self.unpublished:
            return Published(None, CONFIDENTIAL, "difference")
        now = self.get(measure, dimension, category, scope=scope, period=period)
        then = self.get(measure, dimension, category, scope=scope, period=base)
        symbols = {now.symbol, then.symbol}
        if NOT_AVAILABLE in symbols:
            return Published(None, NOT_AVAILABLE, "difference")
        if symbols & {SUPPRESSED, CONFIDENTIAL}:
            return Published(None, SUPPRESSED, "difference")
        return Published(float(now.value or 0) - float(then.value or 0), "", "difference",
                         merge_flags(now.flag, then.flag))

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


def rounding_interval(published: Published, config: Config) -> range | None:
    """The raw values a published number allows: within ``base − 1`` of it and not below the
    suppression threshold (a smaller raw count would have been S); hours exactly; a nil exactly 0.
    None when the figure is not a number (a symbol: nothing to narrow)."""
    if published.symbol == NIL:
        return range(0, 1)
    if not published.is_number:
        return None
    value, rules = int(published.value or 0), config.confidentiality
    if published.kind == "hours":
        return range(value, value + 1)
    reach = max(rules.rounding_base - 1, 0)
    return range(max(value - reach, rules.suppress_below), value + reach + 1)


def possible_roundings(raw: int, base: int) -> tuple[int, ...]:
    """Every value random rounding can give ``raw`` (the draw is secret: either neighbour)."""
    rem = raw % base if base > 1 else 0
    if raw <= 0 or rem == 0:
        return (max(raw, 0),)
    lower = raw - rem
    return (lower + base,) if lower == 0 else (lower, lower + base)


def left_out_narrows(now: Published, then: Published, own_now: int, own_then: int, change: float,
                     config: Config, *, hours: bool = False) -> bool:
    """Whether a member left out of a like-for-like panel, knowing its own parts ``own_now`` and
    ``own_then`` of the two cells, could rule out a raw value that the published cell ``now`` or
    ``then`` allows, given the published like-for-like ``change``. On a side where the member has a
    part, the panel's raw sum is the cell's raw value minus it and enters the change randomly rounded;
    on a side where it has none, the change used the published cell itself."""
    rules = config.confidentiality
    spans = [rounding_interval(now, config), rounding_interval(then, config)]
    if spans[0] is None or spans[1] is None:
        return False  # a withheld cell: the change was suppressed with it

    def panel_values(t: int, own: int, published: Published) -> tuple[int, ...]:
        if own <= 0:
            return (int(published.value or 0),)
        return (t - own,) if hours else possible_roundings(t - own, rules.rounding_base)

    def gives(pn: int, pt: int) -> bool:
        return pt >= rules.min_denominator and \
            round((pn - pt) / pt * 100.0, rules.percent_decimals) + 0.0 == change

    then_values = {t: panel_values(t, own_then, then) for t in spans[1]}
    ok_now, ok_then = set(), set()
    for t_now in spans[0]:
        for pn in panel_values(t_now, own_now, now):
            for t_then, pts in then_values.items():
                if any(gives(pn, pt) for pt in pts):
                    ok_now.add(t_now)
                    ok_then.add(t_then)
    return len(ok_now) < len(spans[0]) or len(ok_then) < len(spans[1])


def confidentialise(aggregates: Aggregates, config: Config, key: str) -> PublishedStore:
    periods = [str(p) for p in aggregates.periods]
    return PublishedStore(aggregates.cells, config, key, periods=periods, coverage=aggregates.coverage,
                          matched=aggregates.matched)


def empty_store(config: Config, period: Period) -> PublishedStore:
    """A store without data: every figure is ``..`` (not available). When the real figures cannot
    be made (the data have errors, or there is no rounding key), the narratives are still
    checked against it, so every placeholder problem is reported in the same run."""
    cells = pd.DataFrame({c: pd.Series(dtype=object) for c in KEY_COLUMNS}
                         | {"raw": pd.Series(dtype="int64"), "members": pd.Series(dtype="int64")})
    periods = [str(p) for p in (period, period.previous(), period.year_earlier())]
    return PublishedStore(cells, config, "", periods=periods)

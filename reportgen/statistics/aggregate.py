"""Aggregate stage: member rows → raw national and regional cells.

A cell is (scope, period, measure, dimension, category): scope is ``NZ`` for
national or a region code; category is empty for totals. Each cell carries
its raw value and the number of members whose raw value for it is above zero
(for the minimum-contributors rule). Raw values never leave the internal side
of the pipeline: ``confidentiality`` turns them into published values.

Period rules (data contract, "Periods"), decided per (member, region, measure):

* additive measures: the half-year figure is the sum of the quarter rows,
  unless the member also sent half-year rows, which then take precedence;
* non-additive measures (``clients`` and its breakdowns): the member's
  half-year rows; where it sent only quarter rows their sum is used and the
  figure is flagged as possibly counting people more than once.

Everything is computed on integer keys (the categoricals' codes) with NumPy reductions — no pandas
grouping or merging — and only the rows of the periods the release publishes are summed: 18 million
rows (5,000 members × 20 quarters) in a few seconds (docs/benchmarks.md). ``fill_not_stated`` and
``resolve_half`` keep their pandas form for the members' own figures of a period the release does not
publish; ``tests/aggregate_oracle.py`` keeps the pandas version of the rest, which the tests compare
with this one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..core import catalogue
from ..core.config import Config
from ..core.periods import Period
from ..inputs.coverage import Coverages, scope_coverage
from ..inputs.register import Register

NATIONAL = catalogue.NATIONAL  # "NZ": the nation as a scope
MEMBER_KEY = ["org_id", "region", "measure"]
CELL = ["measure", "dimension", "category"]


@dataclass
class Aggregates:
    period: Period
    cells: pd.DataFrame  # scope, period, measure, dimension, category, raw, members
    # member-level rows per published period, half-years resolved by the period rules (internal:
    # the audit's dominance proof, the members' own figures)
    member_rows: dict[str, pd.DataFrame] = field(default_factory=dict)
    # (org_id, region, measure) whose half-year figure was summed from quarters (non-additive)
    summed_from_quarters: pd.DataFrame = field(default_factory=pd.DataFrame)
    quarters: list[Period] = field(default_factory=list)  # every quarter in the data, in order
    # sums over the categories of each named group of a dimension (score_domain groups):
    # scope, period, measure, dimension, group, raw, members — internal, for group rates
    group_cells: pd.DataFrame = field(default_factory=pd.DataFrame)
    # who was expected, who reported and whose rows are in, per scope and period (coverage.py)
    coverage: Coverages = field(default_factory=lambda: Coverages({}))
    # like-for-like sums: every cell summed over the members that reported in both periods of a
    # comparison — scope, period, base, measure, dimension, category, now, then, members (internal)
    matched: pd.DataFrame = field(default_factory=pd.DataFrame)
    # (org_id, period, region, measure, dimension) of every total a member sent without the breakdown:
    # its people are in the share's denominator and in no category (or in not_stated) — internal
    unrecorded: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def halves(self) -> list[Period]:
        """The half-years a report publishes (its own, the previous one, the same a year earlier);
        none for a quarterly release."""
        if not self.period.is_half:
            return []
        return [self.period, self.period.previous(), self.period.year_earlier()]

    @property
    def periods(self) -> list[Period]:
        """Every period published: the halves of a report, and every quarter in the data."""
        return [*self.halves, *self.quarters]

    def comparisons(self) -> list[tuple[str, str]]:
        """(period, base) of every change published: a report's half against the previous half and
        the same half a year earlier; every quarter against the previous quarter and the same quarter
        a year earlier, where both are in the data."""
        out = [(str(h), str(base)) for h in self.halves[:1] for base in (h.previous(), h.year_earlier())]
        known = {str(q) for q in self.quarters}
        out += [(str(q), str(base)) for q in self.quarters for base in (q.previous(), q.year_earlier())
                if str(base) in known]
        return out


def fill_not_stated(rows: pd.DataFrame, config: Config) -> pd.DataFrame:
    """Rule 5: a member that sends no category of a single-response dimension for a
    measure has its whole total counted under ``not_stated``."""
    totals = rows[rows["dimension"] == "total"]
    extra = []
    for measure, spec in config.measures.items():
        singles = [d for d in spec.dimensions if d != "total"
                   and config.dimensions[d].response == "single"
                   and "not_stated" in config.dimensions[d].categories]
        if not singles:
            continue
        m_totals = totals[totals["measure"] == measure]
        if m_totals.empty:
            continue
        for dim in singles:
            sent = rows.loc[(rows["measure"] == measure) & (rows["dimension"] == dim),
                            ["org_id", "period", "region"]].drop_duplicates()
            missing = m_totals.merge(sent, on=["org_id", "period", "region"], how="left", indicator=True)
            missing = missing[missing["_merge"] == "left_only"].drop(columns="_merge")
            if missing.empty:
                continue
            missing = missing.assign(dimension=dim, category="not_stated", filled=True)
            extra.append(missing)
    if not extra:
        return rows.assign(filled=False)
    return pd.concat([rows.assign(filled=False), *extra], ignore_index=True)


def resolve_half(rows: pd.DataFrame, half: Period, config: Config) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Member-level rows for a half-year, applying the contract's precedence.

    Returns the rows (org_id, region, measure, dimension, category, value) and the
    (org_id, region, measure) keys of non-additive figures summed from quarters.
    """
    quarters = [str(q) for q in half.quarters()]
    h_rows = rows[rows["period"] == str(half)]
    q_rows = rows[rows["period"].isin(quarters)]
    has_half = h_rows[MEMBER_KEY].drop_duplicates()
    q_only = q_rows.merge(has_half, on=MEMBER_KEY, how="left", indicator=True)
    q_only = q_only[q_only["_merge"] == "left_only"].drop(columns="_merge")
    summed = (q_only.groupby(["org_id", "region", "measure", "dimension", "category"], sort=False,
                             observed=True)["value"].sum().reset_index())
    non_additive = {m for m, spec in config.measures.items() if not spec.additive}
    flagged = summed.loc[summed["measure"].isin(non_additive), MEMBER_KEY].drop_duplicates()
    cols = ["org_id", "region", "measure", "dimension", "category", "value"]
    resolved = pd.concat([h_rows[cols], summed[cols]], ignore_index=True)
    return resolved, flagged.reset_index(drop=True)


# ---- the rows as integer codes ------------------------------------------------------------------------
# Every grouping below is on integer keys: each key column is a categorical's codes, combined in mixed
# radix and numbered with a dense table (``_number``) when the key space is small enough, else by a sort.
# The entries of a published cell are numbered next to each other, so sums, counts and the two largest
# contributions are ``reduceat`` over contiguous runs. Nothing is grouped by pandas.

_DENSE = 1 << 24  # key spaces up to this size are numbered with a lookup table instead of a sort
KEYS = ["org_id", "period", "region", "measure", "dimension", "category"]


def _wide(codes: np.ndarray) -> np.ndarray:
    return codes.astype(np.int64)


def _number(keys: list[np.ndarray], size: int) -> tuple[np.ndarray, list[np.ndarray]]:
    """The distinct values of the ``keys`` arrays (each value in ``[0, size)``) in ascending order, and
    each element's number among them (int32), array by array."""
    if size <= _DENSE:
        seen = np.zeros(size, dtype=bool)
        for key in keys:
            seen[key] = True
        number = np.cumsum(seen, dtype=np.int32) - 1
        return np.flatnonzero(seen), [number[key] for key in keys]
    uniq, inverse = np.unique(np.concatenate(keys), return_inverse=True)
    inverse = inverse.reshape(-1).astype(np.int32 if len(uniq) < 1 << 31 else np.int64)
    ends = np.cumsum([len(k) for k in keys])
    return uniq, [inverse[end - len(k):end] for k, end in zip(keys, ends)]


def _isin(key: np.ndarray, wanted: np.ndarray, size: int) -> np.ndarray:
    """``np.isin(key, wanted)`` for keys in ``[0, size)``."""
    if size <= _DENSE:
        table = np.zeros(size, dtype=bool)
        table[wanted] = True
        return table[key]
    return np.isin(key, wanted)


def _runs(sorted_keys: np.ndarray) -> np.ndarray:
    """Where each run of equal values starts in ``sorted_keys`` (non-decreasing, not empty)."""
    return np.flatnonzero(np.concatenate([[True], sorted_keys[1:] != sorted_keys[:-1]]))


def top_two(values: np.ndarray, starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The largest and the second-largest of ``values`` in each run that starts at ``starts`` (0 where a
    run has one value): each member's contribution to a cell, for the dominance rule (confidentiality
    rule 12). The second is the largest once one value holding the largest is set aside (a tie gives the
    second the same value)."""
    values = np.asarray(values, dtype=np.float64)
    if not len(values):
        return np.zeros(0), np.zeros(0)
    top1 = np.maximum.reduceat(values, starts)
    run = np.repeat(np.arange(len(starts)), np.diff(np.append(starts, len(values))))
    at_top = np.where(values == top1[run], np.arange(len(values)), len(values))
    rest = values.copy()
    rest[np.minimum.reduceat(at_top, starts)] = -np.inf  # the first value holding each run's largest
    top2 = np.maximum.reduceat(rest, starts)
    top2[top2 == -np.inf] = 0.0
    return top1, top2


class _Rows:
    """Member rows as integer codes: per key column, the codes (int8 to int32) and their names; the values."""

    def __init__(self, names: dict[str, list[str]], codes: dict[str, np.ndarray], value: np.ndarray):
        self.names, self.codes, self.value = names, codes, value

    @classmethod
    def of(cls, rows: pd.DataFrame) -> _Rows:
        names, codes = {}, {}
        for c in KEYS:
            col = rows[c] if isinstance(rows[c].dtype, pd.CategoricalDtype) else rows[c].astype("category")
            names[c] = [str(x) for x in col.cat.categories]
            codes[c] = col.cat.codes.to_numpy()  # as small as pandas keeps them; keys are built in int64
        return cls(names, codes, rows["value"].to_numpy().astype(np.int64))

    def code(self, column: str, name: str, add: bool = False) -> int:
        """The code of ``name`` in ``column`` (-1 when absent, unless ``add``)."""
        names = self.names[column]
        if name in names:
            return names.index(name)
        if not add:
            return -1
        names.append(name)
        return len(names) - 1

    def size(self, column: str) -> int:
        return len(self.names[column])

    def places(self) -> int:
        """How many (member, period, region) places there are: the range of ``place``."""
        return self.size("org_id") * self.size("period") * self.size("region")

    def place(self, idx: np.ndarray) -> np.ndarray:
        """One integer per row of ``idx`` for its (member, period, region)."""
        r, n_period, n_region = self.codes, self.size("period"), self.size("region")
        return (_wide(r["org_id"][idx]) * n_period + r["period"][idx]) * n_region + r["region"][idx]

    def names_of(self, column: str, codes: np.ndarray) -> np.ndarray:
        return np.array(self.names[column], dtype=object)[codes]

    def frame(self, idx: np.ndarray, columns: list[str], value: np.ndarray | None = None) -> pd.DataFrame:
        """Rows ``idx`` as a DataFrame of categoricals, with ``value`` (default theirs)."""
        out: dict[str, object] = {
            c: pd.Categorical.from_codes(self.codes[c][idx], categories=pd.Index(self.names[c], dtype=object))
            for c in columns}
        out["value"] = self.value[idx] if value is None else value
        return pd.DataFrame(out)


UNRECORDED = ["org_id", "period", "region", "measure", "dimension"]


def _unrecorded(rows: _Rows, config: Config) -> pd.DataFrame:
    """Every (org_id, period, region, measure, dimension) where a member sent the measure's total but none
    of the dimension's categories (single or multiple response; not the outcome pools): the people its
    shares' denominators hold that no category does (``figures/breakdowns.py``). Found on the codes, in
    the order of the pandas version (``tests/aggregate_oracle.py``): by measure and dimension as the
    config lists them, then each total's (member, period, region) in the order it first comes."""
    r = rows.codes
    total = rows.code("dimension", "total")
    totals = np.flatnonzero(r["dimension"] == total) if total >= 0 else np.zeros(0, dtype=np.int64)
    place, size = rows.place, rows.places()

    out = []
    for measure, spec in config.measures.items():
        dims = [d for d in spec.dimensions if d != "total" and config.dimensions[d].response != "pool"]
        m = rows.code("measure", measure)
        if not dims or m < 0:
            continue
        m_totals = totals[r["measure"][totals] == m]
        if not len(m_totals):
            continue
        _, first = np.unique(place(m_totals), return_index=True)
        m_totals = m_totals[np.sort(first)]  # one row per (member, period, region), in order of coming
        keys = place(m_totals)
        of_measure = np.flatnonzero(r["measure"] == m)
        for dim in dims:
            d = rows.code("dimension", dim)
            sent = place(of_measure[r["dimension"][of_measure] == d]) if d >= 0 else np.zeros(0, dtype=np.int64)
            missing = m_totals[~_isin(keys, sent, size)]
            if len(missing):
                out.append(pd.DataFrame({"org_id": rows.names_of("org_id", r["org_id"][missing]),
                                         "period": rows.names_of("period", r["period"][missing]),
                                         "region": rows.names_of("region", r["region"][missing]),
                                         "measure": measure, "dimension": dim}))
    if not out:
        return pd.DataFrame(columns=UNRECORDED)
    return pd.concat(out, ignore_index=True)[UNRECORDED].astype(str)


def _fill_not_stated(rows: _Rows, config: Config) -> _Rows:
    """``fill_not_stated`` on codes: the rows, then the added ``not_stated`` rows in the same order."""
    r = rows.codes
    totals = np.flatnonzero(r["dimension"] == rows.code("dimension", "total"))
    place, size = rows.place, rows.places()

    extra_idx, extra_dim = [], []
    for measure, spec in config.measures.items():
        singles = [d for d in spec.dimensions if d != "total"
                   and config.dimensions[d].response == "single"
                   and "not_stated" in config.dimensions[d].categories]
        m = rows.code("measure", measure)
        if not singles or m < 0:
            continue
        m_totals = totals[r["measure"][totals] == m]
        if not len(m_totals):
            continue
        of_measure = np.flatnonzero(r["measure"] == m)
        for dim in singles:
            d = rows.code("dimension", dim)
            sent = place(of_measure[r["dimension"][of_measure] == d])
            missing = m_totals[~_isin(place(m_totals), sent, size)]
            if len(missing):
                extra_idx.append(missing)
                extra_dim.append(np.full(len(missing), rows.code("dimension", dim, add=True), dtype=np.int32))
    if not extra_idx:
        return rows
    idx = np.concatenate(extra_idx)
    n = len(rows.value)
    for c in KEYS:  # one column at a time: the rows are copied once, not all at once; wide enough for new codes
        r[c] = np.concatenate([r[c].astype(np.int32), r[c][idx]])
    r["dimension"][n:] = np.concatenate(extra_dim)
    r["category"][n:] = rows.code("category", "not_stated", add=True)
    return _Rows(rows.names, r, np.concatenate([rows.value, rows.value[idx]]))


class _Entries:
    """Every figure a member gives a published cell, numbered in one integer key space.

    An *entry* is one member's figure for one cell in one scope: in a region (its row there), and in
    the nation (its rows summed over its regions). Entries are numbered by (scope, cell, member), so that
    the entries of a published cell are next to each other; a period's figures are one dense vector over
    the entries, and two periods line up entry by entry (the like-for-like panels)."""

    def __init__(self, rows: _Rows):
        r, self.rows = rows.codes, rows
        n_dim, n_cat, n_org = rows.size("dimension"), rows.size("category"), rows.size("org_id")
        cell_key = (_wide(r["measure"]) * n_dim + r["dimension"]) * n_cat + r["category"]
        self.cell_keys, (cell,) = _number([cell_key], rows.size("measure") * n_dim * n_cat)
        del cell_key
        self.n_cell = len(self.cell_keys)
        self.n_scope = rows.size("region") + 1  # 0: the nation; 1 + a region's code: that region
        pairs, (pair,) = _number([_wide(cell) * n_org + r["org_id"]], self.n_cell * n_org)  # by cell, then member
        del cell
        n_pair = len(pairs)
        entries, (self.regional, self.national) = _number(
            [(_wide(r["region"]) + 1) * n_pair + pair, pair], self.n_scope * n_pair)  # each row's two entries
        self.n_entry = len(entries)
        self.scope = entries // n_pair
        self.org = pairs[entries % n_pair] % n_org
        # the published cell (scope, cell) of each entry: non-decreasing over the entries
        self.cell = self.scope * self.n_cell + pairs[entries % n_pair] // n_org

    def vector(self, idx: np.ndarray, value: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The entries made by rows ``idx`` (with ``value``, default theirs): each entry's sum, and
        whether any row made it."""
        weights = (self.rows.value[idx] if value is None else value).astype(np.float64)
        regional, national = self.regional[idx], self.national[idx]
        sums = (np.bincount(regional, weights=weights, minlength=self.n_entry)
                + np.bincount(national, weights=weights, minlength=self.n_entry))
        made = np.zeros(self.n_entry, dtype=bool)
        made[regional] = True
        made[national] = True
        return sums, made

    def _named(self, cells: np.ndarray) -> pd.DataFrame:
        """Scope and cell names of published cells (``scope * n_cell + cell``)."""
        scope, cell = cells // self.n_cell, self.cell_keys[cells % self.n_cell]
        n_dim, n_cat = self.rows.size("dimension"), self.rows.size("category")
        return pd.DataFrame({
            "scope": np.array([NATIONAL, *self.rows.names["region"]], dtype=object)[scope],
            "measure": self.rows.names_of("measure", cell // (n_dim * n_cat)),
            "dimension": self.rows.names_of("dimension", cell // n_cat % n_dim),
            "category": self.rows.names_of("category", cell % n_cat)})

    def cells(self, sums: np.ndarray, made: np.ndarray, period: str) -> pd.DataFrame:
        """A period's national and regional cells: raw, members (entries above zero), top1, top2."""
        sel = np.flatnonzero(made)
        if not len(sel):
            return pd.DataFrame(columns=["scope", "period", *CELL, "raw", "members", "top1", "top2"])
        starts = _runs(self.cell[sel])
        v = sums[sel]
        out = {"raw": np.add.reduceat(v, starts), "members": np.add.reduceat((v > 0).astype(np.int64), starts)}
        out["top1"], out["top2"] = top_two(v, starts)
        frame = self._named(self.cell[sel][starts])  # the nation's cells first, then each region's
        frame.insert(1, "period", period)
        frame = frame.astype({c: str for c in ["scope", "period", *CELL]})
        for name, values in out.items():
            frame[name] = np.round(values).astype(np.int64)
        return frame

    def matched(self, now: tuple[np.ndarray, np.ndarray], then: tuple[np.ndarray, np.ndarray],
                panel: np.ndarray) -> pd.DataFrame:
        """Like-for-like sums of two periods over the members of each scope's panel (``panel[scope, org]``)."""
        (v_now, made_now), (v_then, made_then) = now, then
        sel = np.flatnonzero((made_now | made_then) & panel[self.scope, self.org])
        if not len(sel):
            return pd.DataFrame()
        starts = _runs(self.cell[sel])
        a, b = v_now[sel], v_then[sel]  # 0 where the member has no entry in that period
        out = {"now": np.add.reduceat(a, starts), "then": np.add.reduceat(b, starts),
               "members": np.add.reduceat(((a > 0) | (b > 0)).astype(np.int64), starts)}
        out["now_top1"], out["now_top2"] = top_two(a, starts)
        out["then_top1"], out["then_top2"] = top_two(b, starts)
        frame = self._named(self.cell[sel][starts])
        for name, values in out.items():
            frame[name] = np.round(values).astype(np.int64)
        return frame

    def panel(self, coverage: Coverages, scopes: list[str], period: str, base: str) -> np.ndarray:
        """``panel[scope, org]``: the members of each scope's like-for-like panel (``coverage.matched``)."""
        panel = np.zeros((self.n_scope, self.rows.size("org_id")), dtype=bool)
        org_code = {name: i for i, name in enumerate(self.rows.names["org_id"])}
        scope_code = {name: i + 1 for i, name in enumerate(self.rows.names["region"])}
        scope_code[NATIONAL] = 0
        for scope in scopes:
            if scope in scope_code:
                panel[scope_code[scope], [org_code[o] for o in coverage.matched(scope, period, base)
                                          if o in org_code]] = True
        return panel

    def reporting(self, made: np.ndarray) -> list[tuple[str, str]]:
        """(member, region) of every regional entry made: who sent rows for which region."""
        sel = np.flatnonzero(made & (self.scope > 0))
        pairs, _ = _number([_wide(self.org[sel]) * self.n_scope + self.scope[sel]],
                           self.rows.size("org_id") * self.n_scope)
        orgs = self.rows.names_of("org_id", pairs // self.n_scope).tolist()
        regions = self.rows.names_of("region", pairs % self.n_scope - 1).tolist()
        return list(zip(orgs, regions))


def _member_frame(rows: _Rows, idx: np.ndarray, value: np.ndarray | None = None) -> pd.DataFrame:
    return rows.frame(idx, ["org_id", "region", "measure", "dimension", "category"], value)


def _resolved(rows: _Rows, entries: _Entries, half: Period, config: Config
              ) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """``resolve_half`` on codes: the half's own rows, then each (member, region, cell) summed from its
    quarters where the member sent no half-year rows for that region and measure, in the order each
    first appears. Returns the rows (for a sum, the first of its quarter rows), their values, and the
    (member, region, measure) of non-additive measures summed from quarters."""
    r = rows.codes
    h = rows.code("period", str(half))
    own = np.flatnonzero(r["period"] == h) if h >= 0 else np.zeros(0, dtype=np.int64)
    quarters = np.array([c for c in (rows.code("period", str(q)) for q in half.quarters()) if c >= 0], dtype=np.int64)
    in_quarters = np.flatnonzero(_isin(r["period"], quarters, rows.size("period")))
    n_region, n_measure = rows.size("region"), rows.size("measure")

    def member_key(idx: np.ndarray) -> np.ndarray:
        return (_wide(r["org_id"][idx]) * n_region + r["region"][idx]) * n_measure + r["measure"][idx]

    q_only = in_quarters[~_isin(member_key(in_quarters), member_key(own), rows.size("org_id") * n_region * n_measure)]
    entry = entries.regional[q_only]  # one regional entry per (member, region, cell)
    first = np.full(entries.n_entry, len(q_only), dtype=np.int64)
    np.minimum.at(first, entry, np.arange(len(q_only)))
    summed = q_only[np.sort(first[first < len(q_only)])]
    sums = np.bincount(entry, weights=rows.value[q_only].astype(np.float64), minlength=entries.n_entry)
    idx = np.concatenate([own, summed])
    value = np.concatenate([rows.value[own], np.round(sums[entries.regional[summed]]).astype(np.int64)])
    non_additive = np.array([c for c in (rows.code("measure", m) for m, spec in config.measures.items()
                                         if not spec.additive) if c >= 0], dtype=np.int64)
    flagged = summed[_isin(r["measure"][summed], non_additive, n_measure)]
    _, first_key = np.unique(member_key(flagged), return_index=True)
    flagged = flagged[np.sort(first_key)]
    return idx, value, rows.frame(flagged, MEMBER_KEY).drop(columns="value")


def _group_cells(rows: _Rows, idx: np.ndarray, value: np.ndarray, period: str, config: Config) -> pd.DataFrame:
    """Sums over each named group of categories (e.g. the circumstances domains) of the rows ``idx``
    (of one period, with ``value``), with the number of members whose own group sum is above zero."""
    cols = ["scope", "period", "measure", "dimension", "group", "raw", "members"]
    r = rows.codes
    frames = []
    n_org, n_region, n_measure = rows.size("org_id"), rows.size("region"), rows.size("measure")
    for dim, spec in config.dimensions.items():
        d = rows.code("dimension", dim)
        if not spec.groups or d < 0 or not len(idx):
            continue
        names = list(spec.groups)
        lookup = np.full(rows.size("category"), -1, dtype=np.int64)
        for g, codes in enumerate(spec.groups.values()):
            for code in codes:
                if rows.code("category", code) >= 0:
                    lookup[rows.code("category", code)] = g
        mine = r["dimension"][idx] == d
        part, v = idx[mine], value[mine].astype(np.float64)
        grp = lookup[r["category"][part]]
        part, v, grp = part[grp >= 0], v[grp >= 0], grp[grp >= 0]
        if not len(part):
            continue
        n_mg = n_measure * len(names)
        mg = _wide(r["measure"][part]) * len(names) + grp
        # each member's sum per region, measure and group; then per measure and group over its regions
        per_region, (of,) = _number([(_wide(r["org_id"][part]) * n_region + r["region"][part]) * n_mg + mg],
                                    n_org * n_region * n_mg)
        v_region = np.bincount(of, weights=v, minlength=len(per_region))
        org, region, mg = per_region // (n_region * n_mg), per_region // n_mg % n_region, per_region % n_mg
        per_org, (of_org,) = _number([org * n_mg + mg], n_org * n_mg)
        v_org = np.bincount(of_org, weights=v_region, minlength=len(per_org))
        for regional, key, size, values in ((False, per_org % n_mg, n_mg, v_org),
                                            (True, region * n_mg + mg, n_region * n_mg, v_region)):
            cells, (of,) = _number([key], size)
            out_mg = cells % n_mg
            frames.append(pd.DataFrame({
                "scope": rows.names_of("region", cells // n_mg) if regional else NATIONAL,
                "period": period, "measure": rows.names_of("measure", out_mg // len(names)), "dimension": dim,
                "group": np.array(names, dtype=object)[out_mg % len(names)],
                "raw": np.round(np.bincount(of, weights=values, minlength=len(cells))).astype(np.int64),
                "members": np.bincount(of, weights=values > 0, minlength=len(cells)).astype(np.int64),
            })[cols].astype({c: str for c in ["scope", "period", "measure", "group"]}))
    if not frames:
        return pd.DataFrame(columns=cols)
    return pd.concat(frames, ignore_index=True)


def matched_cells(vectors: dict[str, tuple[np.ndarray, np.ndarray]], entries: _Entries,
                  comparisons: list[tuple[str, str]], coverage: Coverages, scopes: list[str]) -> pd.DataFrame:
    """Like-for-like sums: for each comparison (period, base) and scope, every cell summed over
    the members that reported in both periods (``coverage.matched``), in each period; ``members``
    counts the members of that panel with a value above zero in either; ``now_top1`` … ``then_top2``
    are the two largest members' contributions on each side (the dominance rule)."""
    cols = ["scope", "period", "base", *CELL, "now", "then", "members", "now_top1", "now_top2", "then_top1",
            "then_top2"]
    out = []
    for period, base in comparisons:
        if period not in vectors or base not in vectors:
            continue
        panel = entries.panel(coverage, scopes, period, base)
        if panel.any():
            out.append(entries.matched(vectors[period], vectors[base], panel).assign(period=period, base=base))
    out = [frame for frame in out if len(frame)]
    if not out:
        return pd.DataFrame(columns=cols)
    frame = pd.concat(out, ignore_index=True)[cols]
    frame = frame.astype({c: str for c in ["scope", "period", "base", *CELL]})
    return frame.astype({c: "int64" for c in cols[6:]})


def aggregate(rows: pd.DataFrame, register: Register, config: Config, period: Period) -> Aggregates:
    codes = _Rows.of(rows)
    unrecorded = _unrecorded(codes, config)  # before rule 5 fills breakdowns in
    codes = _fill_not_stated(codes, config)
    halves = [period, period.previous(), period.year_earlier()] if period.is_half else []  # none: a quarter
    # every quarter in the data up to the end of the period released: nothing after it is published
    last = period.quarters()[-1]
    n_period = codes.size("period")
    sent = np.bincount(codes.codes["period"], minlength=n_period)
    quarter_texts = sorted((p for p, n in zip(codes.names["period"], sent)
                            if n and "Q" in p and Period.parse(p) <= last), key=Period.parse)
    entries = _Entries(codes)
    # each quarter's rows, in their order (a stable radix sort on the period codes)
    by_period = np.argsort(codes.codes["period"].astype(np.int16 if n_period < 1 << 15 else np.int64), kind="stable")
    starts = np.concatenate([[0], np.cumsum(sent)])
    quarter_rows = {q: by_period[starts[c]:starts[c + 1]] for q, c in
                    ((q, codes.code("period", q)) for q in quarter_texts)}
    del by_period

    frames: list[pd.DataFrame] = []
    groups: list[pd.DataFrame] = []
    vectors: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    member_rows: dict[str, pd.DataFrame] = {}
    flagged = pd.DataFrame(columns=MEMBER_KEY)
    for half in halves:
        idx, value, summed = _resolved(codes, entries, half, config)
        member_rows[str(half)] = _member_frame(codes, idx, value)
        vectors[str(half)] = entries.vector(idx, value)
        frames.append(entries.cells(*vectors[str(half)], str(half)))
        groups.append(_group_cells(codes, idx, value, str(half), config))
        if half == period:
            flagged = summed
    for q, idx in quarter_rows.items():
        vectors[q] = entries.vector(idx)
        frames.append(entries.cells(*vectors[q], q))
        groups.append(_group_cells(codes, idx, codes.value[idx], q, config))
    columns = ["scope", "period", *CELL, "raw", "members", "top1", "top2"]
    cells = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
    for c in ("raw", "members", "top1", "top2"):
        cells[c] = cells[c].astype("int64")
    group_frames = [g for g in groups if not g.empty]
    group_cells = (pd.concat(group_frames, ignore_index=True) if group_frames
                   else pd.DataFrame(columns=["scope", "period", "measure", "dimension", "group", "raw", "members"]))
    quarters = [Period.parse(q) for q in quarter_texts]
    scopes = [NATIONAL, *config.regions]
    # who reported (coverage): (member, quarter, region) of the quarters, (member, region) of the halves
    sent_rows = pd.DataFrame([(org, q, region) for q in quarter_texts for org, region in entries.reporting(vectors[q][1])],
                             columns=["org_id", "period", "region"], dtype=object)
    half_rows = {str(h): pd.DataFrame(entries.reporting(vectors[str(h)][1]), columns=["org_id", "region"], dtype=object)
                 for h in halves}
    coverage = scope_coverage(sent_rows, half_rows, register, scopes, quarters)
    agg = Aggregates(period=period, cells=cells, member_rows=member_rows, summed_from_quarters=flagged,
                     quarters=quarters, group_cells=group_cells, coverage=coverage, unrecorded=unrecorded)
    for q, idx in quarter_rows.items():  # a quarter's rows are its members' own (the proofs, the p % rule)
        if len(idx):
            member_rows[q] = _member_frame(codes, idx)
    agg.matched = matched_cells(vectors, entries, agg.comparisons(), coverage, scopes)
    return agg

"""Rules 5–14 and the period rules: rows compared with each other and the register.

Works on the clean rows of ``validate`` (categorical codes, whole values),
through the integer keys of ``rowkeys`` (no Python loop per row). One
function per rule, called in the contract's order by ``cross_checks``.
Coverage (rule 10) is defined in ``coverage.py``. Findings are
aggregated where one cause would otherwise repeat (a member that never sends
a gender breakdown gets one warning, not one per quarter and region).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..core.config import Config
from ..core.findings import Finding
from ..core.periods import Period
from .coverage import Coverage, coverage
from .register import COMMUNITY_LEADERS, COMMUNITY_LEADERS_SHARE, Register
from .rowkeys import RowKeys, groups, isin_small, lookup
from .submissions import Submissions

OUTCOME_PARTS = ("outcome_improved", "outcome_same", "outcome_declined")


def _in_sorted(keys: np.ndarray, sorted_distinct: np.ndarray) -> np.ndarray:
    """``np.isin(keys, sorted_distinct)`` by binary search (``sorted_distinct`` ascending)."""
    if not len(sorted_distinct):
        return np.zeros(len(keys), dtype=bool)
    pos = np.minimum(np.searchsorted(sorted_distinct, keys), len(sorted_distinct) - 1)
    return sorted_distinct[pos] == keys
OUTCOME_POOL = "outcome_assessed"


def cross_checks(rows: pd.DataFrame, subs: Submissions, register: Register, config: Config,
                 period: Period | None) -> tuple[list[Finding], Coverage | None]:
    cov = coverage(rows, register, period) if period is not None else None
    if rows.empty:
        return (cov.findings() if cov else []), cov
    f = RowKeys(rows, subs)
    _breakdowns(f, config)
    _outcomes(f)
    _clients_present(f)
    _member_quarters(f, config, register)
    _register_rules(f, register)
    _plausibility(f, config)
    _period_rules(f, config)
    _distinct_clients(f)
    f.close()
    return f.findings + (cov.findings() if cov else []), cov


# ---- rules 5 and 6: breakdowns against totals ------------------------------

def _breakdowns(f: RowKeys, config: Config) -> None:
    tkeys, tvals, trows = f.totals()
    dims = f.cats["dimension"]
    response = {j: config.dimensions[d].response for j, d in enumerate(dims) if d in config.dimensions}
    single = [j for j, r in response.items() if r == "single"]
    multiple = [j for j, r in response.items() if r == "multiple"]
    # breakdown rows whose measure has no total row for the same org, period, region
    broken = isin_small(f.d, single + multiple, f.D)
    idx = np.flatnonzero(broken)
    gkeys, first, sums = groups(f.GM[idx] * f.D + f.d[idx], idx, f.v[idx].astype(float))
    found, tv, _ = lookup(tkeys, tvals, trows, gkeys // f.D)
    missing_total = first[~found]
    for i in missing_total[f.keep("data.breakdown-without-total", missing_total)]:
        m, d = f.name('measure', i), f.name('dimension', i)
        f.add(i, "data.breakdown-without-total", "error",
              f"{m} is broken down by {d} but has no total row ({f.where(i)})", "dimension",
              f"add a '{m},total,' row for the same org, period and region")
    # rule 5: single-response categories add up to the total
    is_single = np.isin(gkeys % f.D, single)
    mismatch = found & is_single & (sums != tv)
    mismatch[mismatch] = f.keep("data.breakdown-sum", first[mismatch])
    for i, s, t in zip(first[mismatch], sums[mismatch], tv[mismatch]):
        m, d = f.name('measure', i), f.name('dimension', i)
        f.add(i, "data.breakdown-sum", "error",
              f"the {d} categories of {m} add up to {int(s)}, but its total is {int(t)} ({f.where(i)})",
              "value", f"{d} is single-response: every person is in exactly one category; "
                       "count people with no answer under not_stated")
    # rule 5: a single-response dimension not sent at all → counted as not_stated (warning)
    sent = gkeys[is_single]  # sorted (gkeys are), distinct
    missing: dict[tuple[str, str, str], list[int]] = {}
    totals = np.flatnonzero(f.is_total)
    for mj, measure in enumerate(f.cats["measure"]):
        spec = config.measures.get(measure)
        if spec is None:
            continue
        sel = totals[f.m[totals] == mj]
        for dname in spec.dimensions:
            if dname == "total" or config.dimensions[dname].response != "single":
                continue
            dj = f.code("dimension", dname)
            if not len(sel):
                continue
            absent_rows = sel[~_in_sorted(f.GM[sel] * f.D + dj, sent)]
            if not len(absent_rows):
                continue
            # per member, in row order: the first row and how many (the rows themselves are not needed)
            orgs = f.o[absent_rows]
            order = np.argsort(orgs, kind="stable")
            starts = np.flatnonzero(np.concatenate([[True], orgs[order][1:] != orgs[order][:-1]]))
            counts = np.diff(np.append(starts, len(order)))
            for k, n in zip(starts.tolist(), counts.tolist()):
                i = int(absent_rows[order[k]])
                missing[(f.name('org_id', i), measure, dname)] = [i, n]
    for (org, measure, dname), (first_row, n) in sorted(missing.items()):
        f.add(first_row, "data.breakdown-not-sent", "warning",
              f"member {org} sent no {dname} breakdown of {measure} for {n} period/region "
              f"total(s); the whole total is counted under not_stated", "dimension",
              f"send the {dname} categories of {measure} if the member records them")
    # rule 6: multiple-response categories never exceed the total
    idx = np.flatnonzero(isin_small(f.d, multiple, f.D))
    found, tv, _ = lookup(tkeys, tvals, trows, f.GM[idx])
    over = found & (f.v[idx] > tv)
    over[over] = f.keep("data.category-exceeds-total", idx[over])
    for i, t in zip(idx[over], tv[over]):
        d, c = f.name('dimension', i), f.name('category', i)
        f.add(i, "data.category-exceeds-total", "error",
              f"{d} category '{c}' is {f.v[i]}, more than the {f.name('measure', i)} total of {int(t)} "
              f"({f.where(i)})", "value",
              "a person can be in several categories, but no category can hold more people than the total")


# ---- rule 7: outcome pools ------------------------------------------------

def _outcomes(f: RowKeys) -> None:
    if OUTCOME_POOL not in f.cats["measure"]:
        parts_only = isin_small(f.m, [f.code("measure", m) for m in OUTCOME_PARTS], f.M)
        if not parts_only.any():
            return
    pool = f.code("measure", OUTCOME_POOL)
    parts = [f.code("measure", m) for m in OUTCOME_PARTS]
    def key(rows: np.ndarray) -> np.ndarray:
        return f.G[rows] * f.C + f.c[rows]

    a_idx = np.flatnonzero(f.m == pool)
    a_key = key(a_idx)
    order = np.argsort(a_key, kind="stable")
    a_keys, a_vals, a_rows = a_key[order], f.v[a_idx][order], a_idx[order]
    p_idx = np.flatnonzero(isin_small(f.m, parts, f.M))
    p_keys, p_first, p_sums = groups(key(p_idx), p_idx, f.v[p_idx].astype(float))
    found, av, arow = lookup(a_keys, a_vals, a_rows, p_keys)
    bad = ~found | (p_sums != av)
    bad[bad] = f.keep("data.outcome-sum", np.where(found[bad], arow[bad], p_first[bad]))
    for k, i, s, a, ok, ar in zip(p_keys[bad], p_first[bad], p_sums[bad], av[bad], found[bad], arow[bad]):
        at = int(ar) if ok else int(i)
        f.add(at, "data.outcome-sum", "error",
              f"outcome_improved + outcome_same + outcome_declined = {int(s)} for domain "
              f"'{f.name('category', i)}', but outcome_assessed is {int(a) if ok else 'missing'} "
              f"({f.where(i)})", "value",
              "everyone assessed either improved, stayed the same or declined: the three must add up")
    # assessed with no parts at all: parts are 0, so assessed must be 0
    found, _, _ = lookup(p_keys, p_sums, p_first, a_keys)
    for i, v in zip(a_rows[~found], a_vals[~found]):
        if v:
            f.add(int(i), "data.outcome-sum", "error",
                  f"outcome_assessed is {v} for domain '{f.name('category', i)}', but no improved, "
                  f"same or declined rows were sent ({f.where(i)})", "value",
                  "send outcome_improved, outcome_same and outcome_declined for each assessed domain")


# ---- rules 8 and 9: clients totals -----------------------------------------

def _clients_present(f: RowKeys) -> None:
    clients, new = f.code("measure", "clients"), f.code("measure", "new_clients")
    c_idx = np.flatnonzero(f.is_total & (f.m == clients))
    order = np.argsort(f.G[c_idx], kind="stable")
    c_keys, c_vals, c_rows = f.G[c_idx][order], f.v[c_idx][order], c_idx[order]
    # rule 8
    n_idx = np.flatnonzero(f.is_total & (f.m == new))
    found, cv, _ = lookup(c_keys, c_vals, c_rows, f.G[n_idx])
    over = found & (f.v[n_idx] > cv)
    over[over] = f.keep("data.new-exceeds-clients", n_idx[over])
    for i, c in zip(n_idx[over], cv[over]):
        f.add(int(i), "data.new-exceeds-clients", "error",
              f"new_clients ({f.v[i]}) is more than the clients total ({int(c)}) ({f.where(i)})", "value",
              "new clients are a subset of all clients seen in the period")
    # rule 9
    g_keys, g_first, _ = groups(f.G, np.arange(len(f.G)))
    found, _, _ = lookup(c_keys, c_vals, c_rows, g_keys)
    without = g_first[~found]
    for i in without[f.keep("data.missing-clients", without)]:
        f.add(int(i), "data.missing-clients", "error",
              f"there are rows for {f.where(int(i))} but no clients total", "measure",
              "every org, period and region with rows needs a 'clients,total,' row")


# ---- rules 11 and 12: per member and quarter -------------------------------

def member_quarter_table(rows: pd.DataFrame) -> pd.DataFrame:
    """Per member and quarter, over all regions: clients and unidentified attendances."""
    sel = rows[(rows["dimension"] == "total") & rows["measure"].isin(["clients", "unidentified_attendances"])]
    sel = sel[sel["period"].astype(str).str.contains("Q")]
    if sel.empty:
        return pd.DataFrame(columns=["org_id", "period", "clients", "unidentified", "share"])
    table = (sel.assign(org_id=sel["org_id"].astype(str), period=sel["period"].astype(str),
                        measure=sel["measure"].astype(str))
             .pivot_table(index=["org_id", "period"], columns="measure", values="value", aggfunc="sum",
                          fill_value=0))
    table = table.reindex(columns=["clients", "unidentified_attendances"], fill_value=0)
    table.columns = ["clients", "unidentified"]
    table = table.reset_index()
    denom = table["clients"] + table["unidentified"]
    table["share"] = np.where(denom > 0, table["unidentified"] / denom.where(denom > 0, 1), 0.0)
    return table


def movements(table: pd.DataFrame) -> pd.DataFrame:
    """Clients totals against the member's previous quarter (both present)."""
    if table.empty:
        return pd.DataFrame(columns=["org_id", "period", "previous", "clients", "before", "change"])
    prev = {p: str(Period.parse(p).previous()) for p in table["period"].unique()}
    t = table.assign(previous=table["period"].map(prev))
    before = table[["org_id", "period", "clients"]].rename(columns={"period": "previous", "clients": "before"})
    t = t.merge(before, on=["org_id", "previous"], how="inner")
    t = t[t["before"] > 0]
    t["change"] = (t["clients"] - t["before"]) / t["before"]
    return t[["org_id", "period", "previous", "clients", "before", "change"]]


def unidentified_limit(config: Config, register: Register | None, org: str) -> float:
    """Rule 11's threshold for a member: ``checks.unidentified_share`` for services to individuals,
    the top of the usual range for a member the register marks as delivering through community leaders."""
    member = register.get(org) if register is not None else None
    if member is not None and member.delivery == COMMUNITY_LEADERS:
        return COMMUNITY_LEADERS_SHARE[1]
    return config.checks.unidentified_share


def _member_quarters(f: RowKeys, config: Config, register: Register | None = None) -> None:
    table = member_quarter_table(f.rows)
    if table.empty:
        return
    first = _first_rows(f, ["clients", "unidentified_attendances"])
    limits = {org: unidentified_limit(config, register, org) for org in table["org_id"].unique()}
    over = table["share"].to_numpy() > table["org_id"].map(limits).to_numpy()
    for rec in table[over].itertuples():
        i = first.get((rec.org_id, rec.period, "unidentified_attendances"))
        if i is None:
            continue
        threshold = limits[rec.org_id]
        leaders = " (services through community leaders)" if threshold != config.checks.unidentified_share else ""
        f.add(i, "data.unidentified-share", "warning",
              f"unidentified attendances are {rec.share:.1%} of clients + unidentified attendances "
              f"for {rec.org_id} in {rec.period} ({rec.unidentified} of {rec.clients + rec.unidentified}); "
              f"the threshold is {threshold:.0%}{leaders}", "value",
              "check whether people seen individually were recorded as unidentified")
    limit = config.checks.movement_share
    moved = movements(table)
    for rec in moved[moved["change"].abs() > limit].itertuples():
        i = first.get((rec.org_id, rec.period, "clients"))
        if i is None:
            continue
        f.add(i, "data.large-movement", "warning",
              f"clients of {rec.org_id} moved by {rec.change:+.0%} from {rec.previous} ({rec.before}) "
              f"to {rec.period} ({rec.clients}), more than ±{limit:.0%}", "value",
              "for review: confirm the figure with the member (a merger, a new service, a data error?)")


class _FirstRows:
    """First total row per (org, period, measure) for some measures, found when asked (``get``) by binary
    search over the sorted keys: a warning needs a handful of them, not a dictionary of every member's."""

    def __init__(self, f: RowKeys, measures: list[str]):
        self.f = f
        codes = [f.code("measure", m) for m in measures]
        idx = np.flatnonzero(f.is_total & isin_small(f.m, codes, f.M))
        self.keys, self.first, _ = groups((f.o[idx] * f.P + f.p[idx]) * f.M + f.m[idx], idx)
        self.index = {c: {str(name): k for k, name in enumerate(f.cats[c])} for c in ("org_id", "period", "measure")}

    def get(self, key: tuple[str, str, str]) -> int | None:
        org, period, measure = (self.index[c].get(str(v)) for c, v in zip(("org_id", "period", "measure"), key))
        if org is None or period is None or measure is None or not len(self.keys):
            return None
        want = (org * self.f.P + period) * self.f.M + measure
        pos = int(np.searchsorted(self.keys, want))
        return int(self.first[pos]) if pos < len(self.keys) and self.keys[pos] == want else None


def _first_rows(f: RowKeys, measures: list[str]) -> _FirstRows:
    """First total row per (org, period, measure) for ``measures`` (``.get((org, period, measure))``)."""
    return _FirstRows(f, measures)


# ---- rule 13: the member register; rule 14: plausibility ----------------------

def _register_rules(f: RowKeys, register: Register) -> None:
    keys, first, _ = groups(f.o * f.R + f.r, np.arange(len(f.o)))
    for i in first:
        org, region = f.name('org_id', i), f.name('region', i)
        member = register.get(org)
        if member is not None and region not in member.regions:
            f.add(int(i), "data.region-not-registered", "warning",
                  f"member {org} sent rows for region {region}, which is not among its registered regions "
                  f"({', '.join(member.regions) or 'none'})", "region",
                  "check the region code, or add the region to the member register")
    # active dates, vectorised: quarter numbers (year * 4 + q) per org code and per period code
    def qnum(p: Period) -> int:
        return p.year * 4 + p.number - 1

    big = 1 << 30
    members = [register.get(o) for o in f.cats["org_id"]]
    start = np.array([qnum(m.active_from) if m else -big for m in members] + [-big], dtype=np.int64)
    stop = np.array([qnum(m.active_to) if m and m.active_to else big for m in members] + [big], dtype=np.int64)
    first_q = np.array([qnum(p.quarters()[0]) for p in f.periods] + [0], dtype=np.int64)
    last_q = np.array([qnum(p.quarters()[-1]) for p in f.periods] + [0], dtype=np.int64)
    outside = (last_q[f.p] < start[f.o]) | (first_q[f.p] > stop[f.o])
    idx = np.flatnonzero(outside)
    keys, first, _ = groups(f.o[idx] * f.P + f.p[idx], idx)
    for i in first:
        org, text = f.name('org_id', i), f.name('period', i)
        member = register.get(org)
        if member is None:  # (never: a member not in the register has no active dates to be outside)
            continue
        to = f"–{member.active_to}" if member.active_to else " onwards"
        f.add(int(i), "data.inactive-period", "warning",
              f"member {org} sent rows for {text}, outside its active dates ({member.active_from}{to})",
              "period", "check the period, or correct the member's active dates in the register")


def _plausibility(f: RowKeys, config: Config) -> None:
    limit = config.checks.plausibility_limit
    for i in np.flatnonzero(f.v > limit)[:10_000]:
        f.add(int(i), "data.implausible-value", "warning",
              f"the value {f.v[i]} is above the plausibility limit of {limit:,.0f} for one row", "value",
              "check for a typing error or a figure in the wrong unit")


# ---- period rules -------------------------------------------------------------

def _period_rules(f: RowKeys, config: Config) -> None:
    halves = sorted({p.containing_half() for p in f.periods})
    hpos = {h: k for k, h in enumerate(halves)}
    half_of = np.array([hpos[p.containing_half()] for p in f.periods] + [0], dtype=np.int64)
    H = len(halves) + 1
    is_q = f.quarter_lut[f.p]
    h = half_of[f.p]
    additive = np.array([config.measures[m].additive for m in f.cats["measure"]] + [True], dtype=bool)
    add_row = additive[f.m]
    # additive measures: half-year rows take precedence; a mismatch with the quarter sum is a warning
    hi = np.flatnonzero(~is_q & add_row)
    if len(hi):
        def cell(i: np.ndarray) -> np.ndarray:
            return ((((f.o[i] * f.R + f.r[i]) * f.M + f.m[i]) * f.D + f.d[i]) * f.C + f.c[i]) * H + h[i]

        qi = np.flatnonzero(is_q & add_row & np.isin(f.o, np.unique(f.o[hi])))
        q_keys, _, q_sums = groups(cell(qi), qi, f.v[qi].astype(float))
        found, qs, _ = lookup(q_keys, q_sums, q_keys, cell(hi))
        off = found & (f.v[hi] != qs)
        seen: set[tuple] = set()
        for i, s in zip(hi[off], qs[off]):
            key = (f.o[i], f.r[i], f.m[i], f.p[i])
            if key in seen:
                continue
            seen.add(key)
            f.add(int(i), "data.half-quarter-mismatch", "warning",
                  f"the {f.name('period', i)} {f.name('measure', i)} figure ({f.v[i]}) differs from the "
                  f"sum of its quarters ({int(s)}) ({f.where(int(i))}); the half-year rows are used", "value",
                  "for additive measures the half-year should equal Q1 + Q2 (or Q3 + Q4)")
    # non-additive measures with only quarter rows: summed, flagged, footnoted
    non_add = np.flatnonzero(~add_row & f.is_total)
    if not len(non_add):
        return
    key = ((f.o[non_add] * f.R + f.r[non_add]) * f.M + f.m[non_add]) * H + h[non_add]
    half_keys = set(key[~is_q[non_add]].tolist())
    q_rows = non_add[is_q[non_add]]
    keys, first, _ = groups(key[is_q[non_add]], q_rows)
    by_member: dict[tuple[str, str, str], list[tuple[int, str]]] = {}
    for k, i in zip(keys.tolist(), first):
        if k in half_keys:
            continue
        half = str(halves[int(half_of[f.p[i]])])
        by_member.setdefault((f.name('org_id', i), half, f.name('measure', i)), []).append(
            (int(i), f.name('region', i)))
    for (org, half, measure), items in sorted(by_member.items()):
        regions = ", ".join(sorted({r for _, r in items}))
        f.add(min(i for i, _ in items), "data.summed-from-quarters", "warning",
              f"member {org} sent no {half} rows for {measure} ({regions}): the half-year figure is the sum "
              f"of its quarters, which may count some people more than once (footnoted in the report)",
              "period", f"send {half} rows with the number of distinct people seen in the half-year")


# ---- meaning: half-year clients are distinct people ------------------------------------

def _distinct_clients(f: RowKeys) -> None:
    """A member's half-year ``clients`` total counts distinct people, so in each region it lies
    between the larger of its two quarters and their sum. Above the sum, or below the larger
    quarter, is impossible; equal to the sum in every region is what a summed (not distinct)
    count looks like. Warnings to the member: the figures stand, the member should look.
    Vectorised: each half-year total finds its two quarters' totals through an integer key;
    only the rows that get a warning are visited one by one, in (member, region, period) order."""
    clients = f.code("measure", "clients")
    idx = np.flatnonzero(f.is_total & (f.m == clients))
    if not len(idx):
        return
    periods = f.cats["period"]
    n_period = len(periods) + 1
    text_rank = np.zeros(n_period, dtype=np.int64)  # the periods' order as text (how they are listed)
    text_rank[np.argsort(np.array([str(p) for p in periods], dtype=object), kind="stable")] = np.arange(len(periods))
    is_half = np.array([p.is_half for p in f.periods] + [False], dtype=bool)
    quarter_codes = np.full((n_period, 2), -1, dtype=np.int64)  # a half-year's two quarters, as period codes
    for code, period in enumerate(f.periods):
        if period.is_half:
            quarter_codes[code] = [f.code("period", str(q)) for q in period.quarters()]
    quarter_codes[quarter_codes >= len(periods)] = -1
    o, r, p = f.o[idx], f.r[idx].astype(np.int64), f.p[idx].astype(np.int64)
    row_of = np.full(len(f.cats["org_id"]) * f.R * n_period, -1, dtype=np.int64)  # (org, region, period) → row
    row_of[(o * f.R + r) * n_period + p] = idx
    halves = np.flatnonzero(is_half[p])
    q1c, q2c = quarter_codes[p[halves], 0], quarter_codes[p[halves], 1]
    base = (o[halves] * f.R + r[halves]) * n_period
    q1 = np.where(q1c >= 0, row_of[base + np.maximum(q1c, 0)], -1)
    q2 = np.where(q2c >= 0, row_of[base + np.maximum(q2c, 0)], -1)
    both = (q1 >= 0) & (q2 >= 0)
    halves, q1, q2 = halves[both], q1[both], q2[both]
    order = np.lexsort((text_rank[p[halves]], r[halves], o[halves]))  # by member, region, period text
    rows, q1, q2 = idx[halves[order]], q1[order], q2[order]
    half, a, b = f.v[rows].astype(np.int64), f.v[q1].astype(np.int64), f.v[q2].astype(np.int64)
    above = half > a + b
    below = ~above & (half < np.maximum(a, b))
    for k in np.flatnonzero(above | below):
        i, text = int(rows[k]), f.name("period", int(rows[k]))
        where = f.where(i)
        if above[k]:
            f.add(i, "data.half-above-quarters", "warning",
                  f"the {text} clients total ({half[k]}) is more than its two quarters added together ({a[k]} + "
                  f"{b[k]}) ({where}): distinct people in a half-year cannot outnumber the quarters' people",
                  "value", "count each person once over the half-year; check the half-year and quarter figures")
        else:
            f.add(i, "data.half-below-quarter", "warning",
                  f"the {text} clients total ({half[k]}) is less than one of its quarters ({max(a[k], b[k])}) "
                  f"({where}): everyone seen in a quarter was also seen in the half-year", "value",
                  "count every person seen in either quarter; check the half-year figure")
    # equal to the sum in every region where both quarters have people: per member and half-year
    seen = np.flatnonzero((a != 0) & (b != 0))
    if not len(seen):
        return
    member, period_rank = o[halves[order]][seen], text_rank[f.p[rows[seen]]]
    by_member = np.lexsort((np.arange(len(seen)), period_rank, member))  # keeps the region order within
    member, period_rank, seen = member[by_member], period_rank[by_member], seen[by_member]
    starts = np.flatnonzero(np.concatenate([[True], (member[1:] != member[:-1]) | (period_rank[1:] != period_rank[:-1])]))
    same = (half == a + b)[seen]
    every = np.logical_and.reduceat(same, starts)
    counts = np.diff(np.append(starts, len(seen)))
    for start, n in zip(starts[every], counts[every]):
        i = int(rows[seen[start]])
        f.add(i, "data.half-equals-sum", "warning",
              f"member {f.name('org_id', i)}'s {f.name('period', i)} clients total equals the sum of its two "
              f"quarters in every region ({int(n)}): it looks summed, not a count of distinct people", "value",
              "count each person once over the half-year (people seen in both quarters once); the member's "
              "export tool does this (reportgen member aggregate)")

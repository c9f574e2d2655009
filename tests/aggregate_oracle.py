"""The aggregate stage as it was written before it was made fast (pandas ``groupby`` and ``merge`` per
call): kept here as an oracle only. ``tests/test_aggregate_oracle.py`` checks that the integer-key
aggregation in ``reportgen/statistics/aggregate.py`` gives exactly what this gives, cell for cell, row for
row, on the sample and on generated data. ``fill_not_stated`` and ``resolve_half`` are taken from the
package, which keeps their pandas form for the members' own figures."""

from __future__ import annotations

import numpy as np
import pandas as pd

from reportgen.core.config import Config
from reportgen.core.periods import Period
from reportgen.inputs.coverage import Coverages, scope_coverage
from reportgen.inputs.register import Register
from reportgen.statistics.aggregate import CELL, MEMBER_KEY, NATIONAL, Aggregates, fill_not_stated, resolve_half


def unrecorded_breakdowns(rows: pd.DataFrame, config: Config) -> pd.DataFrame:
    """Every (org_id, period, region, measure, dimension) where a member sent the measure's total but none
    of the dimension's categories (single or multiple response; not the outcome pools)."""
    cols = ["org_id", "period", "region", "measure", "dimension"]
    keys = ["org_id", "period", "region"]
    totals = rows.loc[rows["dimension"] == "total", [*keys, "measure"]].drop_duplicates()
    sent = rows.loc[rows["dimension"] != "total", [*keys, "measure", "dimension"]].drop_duplicates()
    out = []
    for measure, spec in config.measures.items():
        dims = [d for d in spec.dimensions if d != "total" and config.dimensions[d].response != "pool"]
        m_totals = totals[totals["measure"] == measure][keys]
        if m_totals.empty:
            continue
        for dim in dims:
            have = sent.loc[(sent["measure"] == measure) & (sent["dimension"] == dim), keys]
            missing = m_totals.merge(have, on=keys, how="left", indicator=True)
            missing = missing[missing["_merge"] == "left_only"].drop(columns="_merge")
            if not missing.empty:
                out.append(missing.assign(measure=measure, dimension=dim))
    if not out:
        return pd.DataFrame(columns=cols)
    return pd.concat(out, ignore_index=True)[cols].astype(str)


def _sum_by(df: pd.DataFrame, cols: list[str], value: np.ndarray) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Group ``df`` by ``cols`` on integer codes (numpy only): the distinct keys, the
    sum of ``value`` per key, and each row's key number."""
    codes = np.zeros(len(df), dtype=np.int64)
    for c in cols:
        col = df[c] if isinstance(df[c].dtype, pd.CategoricalDtype) else df[c].astype("category")
        codes = codes * (len(col.cat.categories) + 1) + (col.cat.codes.to_numpy().astype(np.int64) + 1)
    uniq, first, inverse = np.unique(codes, return_index=True, return_inverse=True)
    sums = np.bincount(inverse, weights=value, minlength=len(uniq))
    return df[cols].iloc[first].reset_index(drop=True), sums, inverse


def top_two(groups: np.ndarray, values: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """The largest and the second-largest of ``values`` in each group (0 where a group has fewer):
    each member's contribution to a cell, for the dominance rule (confidentiality rule 12)."""
    top1 = np.zeros(n_groups, dtype=np.float64)
    top2 = np.zeros(n_groups, dtype=np.float64)
    if len(values) == 0:
        return top1, top2
    order = np.lexsort((-values, groups))
    g, v = groups[order], values[order]
    first = np.ones(len(g), dtype=bool)
    first[1:] = g[1:] != g[:-1]
    top1[g[first]] = v[first]
    second = np.zeros(len(g), dtype=bool)
    second[1:] = first[:-1] & ~first[1:]  # the row after a group's first, in the same group
    top2[g[second]] = v[second]
    return top1, top2


def _cells(member_rows: pd.DataFrame, period: str | None = None) -> pd.DataFrame:
    """Sum member rows into national and regional cells with contributor counts.

    A member contributes to a cell when its own figure for it (summed over its
    regions, for national cells) is above zero. ``top1`` and ``top2`` are the two largest
    members' contributions (for the dominance rule). Rows carry a ``period`` column,
    or ``period`` names the one period they all belong to."""
    cols = ["scope", "period", *CELL, "raw", "members", "top1", "top2"]
    if member_rows.empty:
        return pd.DataFrame(columns=cols)
    if period is not None:
        member_rows = member_rows.assign(period=period)
    value = member_rows["value"].to_numpy(dtype=np.float64)
    per_region, v_region, _ = _sum_by(member_rows, ["period", "org_id", "region", *CELL], value)
    regional, raw_r, inv = _sum_by(per_region, ["period", "region", *CELL], v_region)
    regional["raw"] = raw_r
    regional["members"] = np.bincount(inv, weights=v_region > 0, minlength=len(regional))
    regional["top1"], regional["top2"] = top_two(inv, v_region, len(regional))
    per_org, v_org, _ = _sum_by(per_region, ["period", "org_id", *CELL], v_region)
    national, raw_n, inv = _sum_by(per_org, ["period", *CELL], v_org)
    national["raw"] = raw_n
    national["members"] = np.bincount(inv, weights=v_org > 0, minlength=len(national))
    national["top1"], national["top2"] = top_two(inv, v_org, len(national))
    national["scope"] = NATIONAL
    regional = regional.rename(columns={"region": "scope"})
    out = pd.concat([national[cols].astype({c: str for c in ["period", *CELL]}),
                     regional[cols].astype({c: str for c in ["period", "scope", *CELL]})], ignore_index=True)
    for c in ("raw", "top1", "top2"):
        out[c] = out[c].round().astype("int64")
    out["members"] = out["members"].astype("int64")
    return out[cols]


def _group_cells(member_rows: pd.DataFrame, period: str | None, config: Config) -> pd.DataFrame:
    """Sums over each named group of categories (e.g. the circumstances domains),
    with the number of members whose own group sum is above zero. Rows carry a
    ``period`` column, or ``period`` names their one period."""
    cols = ["scope", "period", "measure", "dimension", "group", "raw", "members"]
    frames = []
    for dim, spec in config.dimensions.items():
        if not spec.groups or member_rows.empty:
            continue
        lookup = {code: group for group, codes in spec.groups.items() for code in codes}
        part = member_rows[member_rows["dimension"] == dim]
        if part.empty:
            continue
        if period is not None:
            part = part.assign(period=period)
        part = part.assign(group=part["category"].astype(str).map(lookup)).dropna(subset=["group"])
        value = part["value"].to_numpy(dtype=np.float64)
        per_region, v_region, _ = _sum_by(part, ["period", "org_id", "region", "measure", "group"], value)
        regional, raw_r, inv = _sum_by(per_region, ["period", "region", "measure", "group"], v_region)
        regional["raw"], regional["members"] = raw_r, np.bincount(inv, weights=v_region > 0, minlength=len(raw_r))
        per_org, v_org, _ = _sum_by(per_region, ["period", "org_id", "measure", "group"], v_region)
        national, raw_n, inv = _sum_by(per_org, ["period", "measure", "group"], v_org)
        national["raw"], national["members"] = raw_n, np.bincount(inv, weights=v_org > 0, minlength=len(raw_n))
        national["scope"] = NATIONAL
        for frame in (national, regional.rename(columns={"region": "scope"})):
            frames.append(frame.assign(dimension=dim)[cols].astype(
                {c: str for c in ["scope", "period", "measure", "group"]}))
    if not frames:
        return pd.DataFrame(columns=cols)
    out = pd.concat(frames, ignore_index=True)
    return out.astype({"raw": "int64", "members": "int64"})


def matched_cells(frames: dict[str, pd.DataFrame], comparisons: list[tuple[str, str]], coverage: Coverages,
                  scopes: list[str]) -> pd.DataFrame:
    """Like-for-like sums: for each comparison (period, base) and scope, every cell summed over
    the members that reported in both periods (``coverage.matched``), in each period; ``members``
    counts the members of that panel with a value above zero in either; ``now_top1`` … ``then_top2``
    are the two largest members' contributions on each side (the dominance rule)."""
    cols = ["scope", "period", "base", *CELL, "now", "then", "members", "now_top1", "now_top2", "then_top1",
            "then_top2"]
    out = []
    for period, base in comparisons:
        if period not in frames or base not in frames:
            continue
        panel = pd.DataFrame([(scope, org) for scope in scopes for org in coverage.matched(scope, period, base)],
                             columns=["scope", "org_id"])
        if panel.empty:
            continue
        sums = []
        for which, p in (("now", period), ("then", base)):
            rows = frames[p]
            regional = rows.assign(scope=rows["region"].astype(str), org_id=rows["org_id"].astype(str))
            national = regional.assign(scope=NATIONAL)
            both = pd.concat([regional, national], ignore_index=True).merge(panel, on=["scope", "org_id"])
            per_org = both.groupby(["scope", "org_id", *CELL], observed=True, sort=False)["value"].sum()
            sums.append(per_org.rename(which))
        per_org = pd.concat(sums, axis=1).fillna(0).reset_index()
        per_org["members"] = ((per_org["now"] > 0) | (per_org["then"] > 0)).astype("int64")
        grouped = per_org.groupby(["scope", *CELL], observed=True, sort=True)
        cells = grouped[["now", "then", "members"]].sum()
        ids, n = grouped.ngroup().to_numpy(), grouped.ngroups
        for side in ("now", "then"):
            cells[f"{side}_top1"], cells[f"{side}_top2"] = top_two(ids, per_org[side].to_numpy(np.float64), n)
        out.append(cells.reset_index().assign(period=period, base=base))
    if not out:
        return pd.DataFrame(columns=cols)
    frame = pd.concat(out, ignore_index=True)[cols]
    frame = frame.astype({c: str for c in ["scope", "period", "base", *CELL]})
    return frame.astype({c: "int64" for c in cols[6:]})


def aggregate(rows: pd.DataFrame, register: Register, config: Config, period: Period) -> Aggregates:
    unrecorded = unrecorded_breakdowns(rows, config)
    rows = fill_not_stated(rows, config)
    # categorical codes: grouping and filtering on integers, not strings (large rollouts)
    keys = ["org_id", "period", "region", "measure", "dimension", "category"]
    rows = rows[[*keys, "value"]].astype({c: "category" for c in keys})
    frames: list[pd.DataFrame] = []
    groups: list[pd.DataFrame] = []
    member_rows: dict[str, pd.DataFrame] = {}
    flagged = pd.DataFrame(columns=MEMBER_KEY)
    halves = [period, period.previous(), period.year_earlier()] if period.is_half else []  # none: a quarter
    for half in halves:
        resolved, summed = resolve_half(rows, half, config)
        member_rows[str(half)] = resolved
        frames.append(_cells(resolved, str(half)))
        groups.append(_group_cells(resolved, str(half), config))
        if half == period:
            flagged = summed
    # every quarter in the data up to the end of the period released: nothing after it is published
    last = period.quarters()[-1]
    quarter_texts = sorted({str(p) for p in rows["period"].unique() if "Q" in str(p) and Period.parse(str(p)) <= last},
                           key=Period.parse)
    quarter_rows = rows[rows["period"].isin(quarter_texts)]
    frames.append(_cells(quarter_rows))
    groups.append(_group_cells(quarter_rows, None, config))
    cells = pd.concat(frames, ignore_index=True)
    for c in ("raw", "members", "top1", "top2"):
        cells[c] = cells[c].astype("int64")
    group_frames = [g for g in groups if not g.empty]
    group_cells = (pd.concat(group_frames, ignore_index=True) if group_frames
                   else _group_cells(rows.iloc[:0], str(period), config))
    quarters = [Period.parse(q) for q in quarter_texts]
    scopes = [NATIONAL, *config.regions]
    coverage = scope_coverage(quarter_rows, member_rows, register, scopes, quarters)
    agg = Aggregates(period=period, cells=cells, member_rows=member_rows, summed_from_quarters=flagged,
                     quarters=quarters, group_cells=group_cells, coverage=coverage, unrecorded=unrecorded)
    for q, part in quarter_rows.groupby("period", observed=True):  # a quarter's rows are its members' own
        member_rows[str(q)] = part[["org_id", "region", "measure", "dimension", "category", "value"]]
    agg.matched = matched_cells(member_rows, agg.comparisons(), coverage, scopes)
    return agg

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
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .config import Config
from .periods import Period
from .register import Register

NATIONAL = "NZ"
MEMBER_KEY = ["org_id", "region", "measure"]
CELL = ["measure", "dimension", "category"]


@dataclass
class Aggregates:
    period: Period
    cells: pd.DataFrame  # scope, period, measure, dimension, category, raw, members
    # member-level resolved rows per published period (internal: audit and quality report)
    member_rows: dict[str, pd.DataFrame] = field(default_factory=dict)
    # (org_id, region, measure) whose half-year figure was summed from quarters (non-additive)
    summed_from_quarters: pd.DataFrame = field(default_factory=pd.DataFrame)
    quarters: list[Period] = field(default_factory=list)  # every quarter in the data, in order
    reporting: dict[str, int] = field(default_factory=dict)  # scope → members reporting in the period
    expected: int = 0  # members expected to report in the period

    @property
    def halves(self) -> list[Period]:
        return [self.period, self.period.previous(), self.period.year_earlier()]


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


def _cells(member_rows: pd.DataFrame, period: str) -> pd.DataFrame:
    """Sum member rows into national and regional cells with contributor counts."""
    if member_rows.empty:
        return pd.DataFrame(columns=["scope", "period", *CELL, "raw", "members"])
    positive = member_rows.assign(contrib=member_rows["org_id"].where(member_rows["value"] > 0))
    regional = (positive.groupby(["region", *CELL], sort=False, observed=True)
                .agg(raw=("value", "sum"), members=("contrib", "nunique")).reset_index()
                .rename(columns={"region": "scope"}))
    national = (positive.groupby(CELL, sort=False, observed=True)
                .agg(raw=("value", "sum"), members=("contrib", "nunique")).reset_index()
                .assign(scope=NATIONAL))
    out = pd.concat([national, regional], ignore_index=True)
    out["period"] = period
    return out[["scope", "period", *CELL, "raw", "members"]]


def aggregate(rows: pd.DataFrame, register: Register, config: Config, period: Period) -> Aggregates:
    rows = fill_not_stated(rows, config)
    frames: list[pd.DataFrame] = []
    member_rows: dict[str, pd.DataFrame] = {}
    flagged = pd.DataFrame(columns=MEMBER_KEY)
    for half in (period, period.previous(), period.year_earlier()):
        resolved, summed = resolve_half(rows, half, config)
        member_rows[str(half)] = resolved
        frames.append(_cells(resolved, str(half)))
        if half == period:
            flagged = summed
    quarter_texts = sorted({p for p in rows["period"].unique() if "Q" in p}, key=Period.parse)
    quarter_rows = rows[rows["period"].isin(quarter_texts)]
    for q, group in quarter_rows.groupby("period", sort=False):
        frames.append(_cells(group[["org_id", "region", "measure", "dimension", "category", "value"]], q))
    cells = pd.concat(frames, ignore_index=True)
    cells["raw"] = cells["raw"].astype("int64")
    cells["members"] = cells["members"].astype("int64")

    current = member_rows[str(period)]
    reporting = {NATIONAL: int(current["org_id"].nunique())}
    for region, group in current.groupby("region"):
        reporting[str(region)] = int(group["org_id"].nunique())
    expected = len(register.expected_in(period.quarters()))
    return Aggregates(period=period, cells=cells, member_rows=member_rows,
                      summed_from_quarters=flagged,
                      quarters=[Period.parse(q) for q in quarter_texts],
                      reporting=reporting, expected=expected)

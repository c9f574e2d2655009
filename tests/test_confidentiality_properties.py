"""Property-based proof of the disclosure invariants on generated member data.

Hypothesis generates members' rows (small values, so that suppression is
frequent), which go through the real aggregate and confidentialise stages.
The checks below recompute every invariant from the raw rows, independently
of the store's own bookkeeping.
"""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reportgen.core.config import load_config
from reportgen.core.periods import Period
from reportgen.disclosure.audit import proofs
from reportgen.disclosure.confidentiality import confidentialise
from reportgen.inputs.register import Register
from reportgen.statistics.aggregate import NATIONAL, aggregate

from .conftest import REPO

pytestmark = pytest.mark.slow  # builds projects, or runs many generated cases

H1 = Period.parse("2025H1")
ORGS = ["A1", "B1", "C1", "D1", "E1"]
REGIONS = ["AKL", "WGN", "CAN"]
GENDERS = ["female", "male", "another_gender", "not_stated"]
NEEDS = ["food", "housing", "debt"]
CONFIG = load_config(REPO / "config.yaml")
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def member_rows(draw) -> pd.DataFrame:
    """Rows of a few members, regions and quarters that follow the data contract."""
    rows = []
    for org in ORGS:
        regions = draw(st.lists(st.sampled_from(REGIONS), min_size=1, max_size=2, unique=True))
        for region in regions:
            for q in ("2025Q1", "2025Q2", "2024Q1"):
                if not draw(st.booleans()) and q != "2025Q1":
                    continue
                genders = draw(st.lists(st.integers(0, 14), min_size=4, max_size=4))
                total = sum(genders)
                rows.append((org, q, region, "clients", "total", "", total))
                if draw(st.booleans()):
                    rows += [(org, q, region, "clients", "gender", g, v) for g, v in zip(GENDERS, genders)]
                for need in NEEDS:
                    rows.append((org, q, region, "clients", "need", need, draw(st.integers(0, total))))
                rows.append((org, q, region, "sessions", "total", "", draw(st.integers(0, 30))))
                rows.append((org, q, region, "staff_hours", "total", "", draw(st.integers(0, 60))))
    return pd.DataFrame(rows, columns=["org_id", "period", "region", "measure", "dimension", "category", "value"])


def build_store(rows: pd.DataFrame):
    agg = aggregate(rows, Register({}), CONFIG, H1)
    return agg, confidentialise(agg, CONFIG, "property-key")


def published(store) -> pd.DataFrame:
    return store.frame()


@SETTINGS
@given(member_rows())
def test_every_count_is_a_multiple_of_3_within_2_or_a_symbol(rows):
    agg, store = build_store(rows)
    g = store.internal_frame()
    symbols = g[g["symbol"] != ""]
    assert set(symbols["symbol"]) <= {"S", "C", "–", ".."}
    assert (symbols.loc[symbols["symbol"] == "–", "raw"] == 0).all()
    numbers = g[g["symbol"] == ""]
    hours = numbers["kind"] == "hours"
    assert (numbers.loc[hours, "value"] == numbers.loc[hours, "raw"]).all()
    counts = numbers[~hours]
    assert (counts["value"] % 3 == 0).all() and ((counts["value"] - counts["raw"]).abs() <= 2).all()
    assert not counts["raw"].between(1, 5).any(), "a raw count of 1–5 is published"


@SETTINGS
@given(member_rows())
def test_cells_with_fewer_than_3_members_or_one_dominating_are_C(rows):
    _, store = build_store(rows)
    # contributors recomputed from the rows: members whose own figure for the cell is above zero
    q1 = rows[rows["period"] == "2025Q1"]
    # data contract rule 5: a member that sent no gender has its total counted as not stated
    sent = set(zip(q1.loc[q1["dimension"] == "gender", "org_id"], q1.loc[q1["dimension"] == "gender", "region"]))
    totals = q1[(q1["measure"] == "clients") & (q1["dimension"] == "total")]
    fill = totals[[(o, r) not in sent for o, r in zip(totals["org_id"], totals["region"])]]
    q1 = pd.concat([q1, fill.assign(dimension="gender", category="not_stated")], ignore_index=True)
    per_region = q1.groupby(["org_id", "region", "measure", "dimension", "category"])["value"].sum()
    per_org = q1.groupby(["org_id", "measure", "dimension", "category"])["value"].sum()
    regional = (per_region > 0).groupby(level=["region", "measure", "dimension", "category"]).sum()
    national = (per_org > 0).groupby(level=["measure", "dimension", "category"]).sum()
    # and a region whose figures draw on fewer than 3 members is not published at all: every cell C
    members_in = q1.groupby("region")["org_id"].nunique()
    p_rule = CONFIG.confidentiality.dominance_p

    def dominated(values: pd.Series) -> bool:
        """The p % rule recomputed from the members' own figures: the others together are below
        p % of the largest, so the second largest would learn the largest to within p %."""
        v = sorted(values.tolist(), reverse=True) + [0, 0]
        return p_rule > 0 and sum(v) > 0 and sum(v[2:]) < p_rule / 100 * v[0]

    for (region, m, d, c), n in regional.items():
        p = store.get(m, d, c, scope=region, period="2025Q1")
        own = per_region.xs((region, m, d, c), level=["region", "measure", "dimension", "category"])
        expect = 0 < n < 3 or members_in[region] < 3 or (n >= 3 and dominated(own))
        assert (p.symbol == "C") == expect, (region, m, d, c, n, p)
    for (m, d, c), n in national.items():
        p = store.get(m, d, c, scope=NATIONAL, period="2025Q1")
        own = per_org.xs((m, d, c), level=["measure", "dimension", "category"])
        assert (p.symbol == "C") == (0 < n < 3 or (n >= 3 and dominated(own))), (m, d, c, n, p)


def _lone_suppressions(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Groups with exactly one suppressed cell, except all-zero groups (their nil total already
    says every part is zero: there is nothing to protect)."""
    frame = frame.assign(s=frame["symbol"].isin(["S", "C"]), live=frame["raw"] > 0)
    counts = frame.groupby(by)[["s", "live"]].sum()
    return counts[(counts["s"] == 1) & (counts["live"] > 0)]


@SETTINGS
@given(member_rows())
def test_no_suppressed_cell_can_be_recovered_by_subtraction(rows):
    _, store = build_store(rows)
    f = store.internal_frame()
    # single-response breakdowns with their published totals
    gender = f[(f["measure"] == "clients") & (f["dimension"].isin(["gender", "total"]))]
    assert _lone_suppressions(gender, ["scope", "period"]).empty
    # regions against national, for every cell
    assert _lone_suppressions(f, ["period", "measure", "dimension", "category"]).empty
    # the store's groups are exactly these (plus sums of measures), and the audit agrees
    assert all(p["holds"] for p in proofs(store, CONFIG).values())


@SETTINGS
@given(member_rows())
def test_two_builds_give_identical_numbers(rows):
    _, a = build_store(rows)
    _, b = build_store(rows.sample(frac=1, random_state=1))  # row order does not matter
    pd.testing.assert_frame_equal(a.frame(), b.frame())


@SETTINGS
@given(member_rows(), st.data())
def test_changing_one_member_changes_only_its_cells(rows, data):
    """Other cells keep their published value; the only exception is a cell newly
    (or no longer) suppressed as the partner of a changed cell (rule 5)."""
    org = data.draw(st.sampled_from(sorted(rows["org_id"].unique())))
    mine = rows.index[(rows["org_id"] == org) & (rows["measure"] == "sessions")]
    changed = rows.copy()
    changed.loc[mine, "value"] = changed.loc[mine, "value"] + data.draw(st.integers(1, 20))
    _, before = build_store(rows)
    _, after = build_store(changed)
    a, b = before.internal_frame(), after.internal_frame()
    touched = set()
    for rec in rows.loc[mine].itertuples():
        half = str(Period.parse(rec.period).containing_half())
        for scope in (rec.region, NATIONAL):
            for period in (rec.period, half):
                touched.add((scope, period, "sessions", "total", ""))
                touched.add((scope, period, "sessions", "service_type", "not_stated"))  # rule 5 fill
    keys = pd.Series(list(zip(a["scope"], a["period"], a["measure"], a["dimension"], a["category"])))
    same = (a["symbol"] == b["symbol"]) & ((a["value"] == b["value"]) | (a["value"].isna() & b["value"].isna()))
    differs = ~same & ~keys.isin(touched)
    partner = (a["status"] == "secondary") | (b["status"] == "secondary")
    assert (partner | ~differs).all(), keys[differs & ~partner].tolist()


@pytest.mark.parametrize("members,value,expected", [
    (1, 1, "C"), (2, 2, "C"), (3, 1, "S"), (5, 1, "S"), (3, 2, ""), (6, 1, ""),
])
def test_small_counts_and_few_members(members, value, expected):
    """Raw 1–5 from at least 3 members is S; fewer than 3 members is C, whatever the value."""
    rows = pd.DataFrame([(o, "2025Q1", "AKL", "sessions", "total", "", value) for o in
                         [f"M{i}" for i in range(members)]],
                        columns=["org_id", "period", "region", "measure", "dimension", "category", "value"])
    _, store = build_store(rows)
    cell = store.get("sessions", scope=NATIONAL, period="2025Q1")
    assert cell.symbol == expected
    if not expected:
        assert cell.value % 3 == 0 and abs(cell.value - members * value) <= 2

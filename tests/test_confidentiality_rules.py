"""Each confidentiality rule on small hand-made cells, with exact expected symbols."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from reportgen.core.config import load_config
from reportgen.core.periods import Period
from reportgen.disclosure.confidentiality import (
    PRIMARY,
    SECONDARY,
    PublishedStore,
    random_round,
    random_round_array,
    rr3_draw,
    rr3_draws,
)
from reportgen.disclosure.published import NOT_AVAILABLE

from .conftest import REPO

H1 = Period.parse("2025H1")
COLS = ["scope", "period", "measure", "dimension", "category", "raw", "members"]


@pytest.fixture(scope="module")
def config():
    return load_config(REPO / "config.yaml")


def store_of(config, rows, **kw) -> PublishedStore:
    return PublishedStore(pd.DataFrame(rows, columns=COLS), config, "test-key", **kw)


def status(store: PublishedStore) -> dict[tuple, str]:
    g = store.internal_frame()
    return dict(zip(zip(g["scope"], g["measure"], g["dimension"], g["category"], g["period"]), g["status"]))


# ---- rules 2 and 3: rounding ---------------------------------------------------

@given(st.lists(st.integers(0, 10**6), min_size=1, max_size=50), st.data())
def test_vectorised_rounding_equals_the_scalar_rule(raws, data):
    draws = data.draw(st.lists(st.floats(0, 1, exclude_max=True), min_size=len(raws), max_size=len(raws)))
    got = random_round_array(np.array(raws), np.array(draws))
    assert got.tolist() == [random_round(r, d) for r, d in zip(raws, draws)]


def test_batch_draws_equal_single_draws():
    ids = ["clients|total||NZ|2025H1", "clients|gender|male|AKL|2025Q1"]
    assert rr3_draws("k", ids).tolist() == [rr3_draw("k", i) for i in ids]


def test_rounding_probabilities_are_two_thirds_to_the_nearer():
    draws = (np.arange(3000) + 0.5) / 3000  # evenly spread over [0, 1)
    out = random_round_array(np.full(3000, 7), draws)
    assert set(out.tolist()) == {6, 9} and (out == 6).sum() == 2000  # 7 → 6 with p = 2/3
    out = random_round_array(np.full(3000, 8), draws)
    assert (out == 9).sum() == 2000


def test_a_cell_keeps_its_value_when_other_cells_change(config):
    base = [("NZ", "2025H1", "clients", "total", "", 101, 5)]
    a = store_of(config, base + [("NZ", "2025H1", "sessions", "total", "", 400, 5)])
    b = store_of(config, base + [("NZ", "2025H1", "sessions", "total", "", 977, 5)])
    assert a.get("clients", period=H1) == b.get("clients", period=H1)


def test_the_key_decides_the_draw(config):
    """Over many cells, two keys round some cells differently; each stays within 2."""
    rows = [("NZ", "2025H1", "clients", "need", c, 101 + i, 5)
            for i, c in enumerate(config.dimensions["need"].categories)]
    rows.append(("NZ", "2025H1", "clients", "total", "", 400, 5))
    one = PublishedStore(pd.DataFrame(rows, columns=COLS), config, "one-key").internal_frame()
    two = PublishedStore(pd.DataFrame(rows, columns=COLS), config, "another-key").internal_frame()
    assert (one["value"] != two["value"]).any()
    for frame in (one, two):
        shown = frame[frame["symbol"] == ""]
        assert len(shown) == len(rows) and ((shown["value"] - shown["raw"]).abs() <= 2).all()


# ---- rules 4, 6, 8, 9: primary suppression, contributors, hours, symbols ---------

def test_primary_symbols_and_precedence(config):
    s = store_of(config, [
        ("NZ", "2025H1", "clients", "need", "housing", 5, 3),   # S
        ("NZ", "2025H1", "clients", "need", "food", 6, 3),      # published
        ("NZ", "2025H1", "clients", "need", "debt", 4, 2),      # C beats S
        ("NZ", "2025H1", "clients", "need", "legal", 0, 0),     # nil
        ("NZ", "2025H1", "staff_hours", "total", "", 4, 3),     # hours: exact, no S
        ("NZ", "2025H1", "volunteer_hours", "total", "", 500, 2),  # hours: C applies
    ])
    get = lambda *a: s.get(*a, period=H1).display()  # noqa: E731
    assert [get("clients", "need", "housing"), get("clients", "need", "debt"), get("clients", "need", "legal"),
            get("staff_hours"), get("volunteer_hours")] == ["S", "C", "–", "4", "C"]
    assert get("clients", "need", "food") == "6"


def test_not_available_for_periods_and_scopes_without_data(config):
    s = store_of(config, [("NZ", "2025H1", "clients", "total", "", 60, 4),
                          ("AKL", "2025H1", "clients", "total", "", 60, 4)],
                 periods=["2024H1", "2025H1"])
    assert s.get("clients", period="2024H1").symbol == NOT_AVAILABLE       # in the grid, no data
    assert s.get("clients", period="2019H1").symbol == NOT_AVAILABLE       # outside the grid
    assert s.get("clients", scope="WGN", period=H1).symbol == NOT_AVAILABLE  # a region with no data
    assert s.get("sessions", scope="AKL", period=H1).symbol == "–"         # data, but none for it
    assert s.change("clients", period=H1, base="2024H1").symbol == NOT_AVAILABLE


# ---- rule 5: secondary suppression -------------------------------------------------

def test_single_response_breakdown_gets_the_next_smallest_suppressed(config):
    rows = [("NZ", "2025H1", "clients", "total", "", 134, 4),
            ("NZ", "2025H1", "clients", "gender", "female", 100, 4),
            ("NZ", "2025H1", "clients", "gender", "male", 4, 3),
            ("NZ", "2025H1", "clients", "gender", "another_gender", 10, 3),
            ("NZ", "2025H1", "clients", "gender", "not_stated", 20, 3)]
    st_ = status(store_of(config, rows))
    assert st_[("NZ", "clients", "gender", "male", "2025H1")] == PRIMARY
    assert st_[("NZ", "clients", "gender", "another_gender", "2025H1")] == SECONDARY
    assert st_[("NZ", "clients", "gender", "not_stated", "2025H1")] == "rounded"


def test_nil_cells_are_not_suppressed_partners(config):
    rows = [("NZ", "2025H1", "clients", "total", "", 54, 4),
            ("NZ", "2025H1", "clients", "gender", "female", 30, 4),
            ("NZ", "2025H1", "clients", "gender", "male", 4, 3),
            ("NZ", "2025H1", "clients", "gender", "another_gender", 0, 0),
            ("NZ", "2025H1", "clients", "gender", "not_stated", 20, 3)]
    st_ = status(store_of(config, rows))
    assert st_[("NZ", "clients", "gender", "another_gender", "2025H1")] == "nil"
    assert st_[("NZ", "clients", "gender", "not_stated", "2025H1")] == SECONDARY


def test_one_suppressed_region_gets_a_partner_region(config):
    rows = [("NZ", "2025H1", "sessions", "total", "", 100, 9),
            ("AKL", "2025H1", "sessions", "total", "", 66, 4),
            ("WGN", "2025H1", "sessions", "total", "", 30, 3),
            ("CAN", "2025H1", "sessions", "total", "", 4, 3)]
    s = store_of(config, rows)
    assert [s.get("sessions", scope=r, period=H1).symbol for r in ("CAN", "WGN", "AKL")] == ["S", "S", ""]
    assert s.get("sessions", period=H1).is_number


def test_suppressed_hours_region_is_protected_too(config):
    rows = [("NZ", "2025H1", "staff_hours", "total", "", 1000, 6),
            ("AKL", "2025H1", "staff_hours", "total", "", 700, 3),
            ("WGN", "2025H1", "staff_hours", "total", "", 250, 2),
            ("CAN", "2025H1", "staff_hours", "total", "", 50, 3)]
    s = store_of(config, rows)
    assert [s.get("staff_hours", scope=r, period=H1).display() for r in ("NZ", "AKL", "WGN", "CAN")] == \
        ["1,000", "700", "C", "S"]


def test_suppression_spreads_across_both_hierarchies_until_stable(config):
    """AKL male is small: its partner in AKL's gender table is then alone in the
    regional table for that category, which needs a partner region, and so on."""
    rows = []
    for scope, cats in {"AKL": (60, 4, 12, 24), "WGN": (50, 9, 13, 30), "CAN": (70, 10, 14, 28)}.items():
        rows.append((scope, "2025H1", "clients", "total", "", sum(cats), 3))
        for cat, v in zip(("female", "male", "another_gender", "not_stated"), cats):
            rows.append((scope, "2025H1", "clients", "gender", cat, v, 3))
    nz: dict[tuple, int] = {}
    for scope, p, m, d, c, v, _ in rows:
        nz[(m, d, c)] = nz.get((m, d, c), 0) + v
    rows += [("NZ", "2025H1", m, d, c, v, 9) for (m, d, c), v in nz.items()]
    s = store_of(config, rows)
    sym = {(r, c): s.get("clients", "gender", c, scope=r, period=H1).symbol
           for r in ("NZ", "AKL", "WGN", "CAN") for c in ("female", "male", "another_gender", "not_stated")}
    assert sym[("AKL", "male")] == "S" and sym[("AKL", "another_gender")] == "S"
    assert sym[("WGN", "male")] == "S"  # partner of AKL male among regions (9 < 10)
    assert sym[("WGN", "another_gender")] == "S"  # partner of AKL another_gender (13 < 14)
    for r in ("NZ", "AKL", "WGN", "CAN"):
        assert sum(sym[(r, c)] == "S" for c in ("female", "male", "another_gender", "not_stated")) != 1
    for c in ("female", "male", "another_gender", "not_stated"):
        assert sum(sym[(r, c)] == "S" for r in ("NZ", "AKL", "WGN", "CAN")) != 1
    assert s.unresolved_groups == []


def test_outcome_parts_and_their_sum_are_protected(config):
    rows = [("NZ", "2025H1", "outcome_assessed", "score_domain", "safety", 50, 5),
            ("NZ", "2025H1", "outcome_improved", "score_domain", "safety", 30, 5),
            ("NZ", "2025H1", "outcome_same", "score_domain", "safety", 17, 5),
            ("NZ", "2025H1", "outcome_declined", "score_domain", "safety", 3, 3)]
    s = store_of(config, rows)
    got = [s.get(m, "score_domain", "safety", period=H1).symbol
           for m in ("outcome_assessed", "outcome_improved", "outcome_same", "outcome_declined")]
    assert got == ["", "", "S", "S"]


# ---- rule 7: derived values ---------------------------------------------------------

def test_derived_values_follow_their_inputs_and_denominators(config):
    """Derived figures are made from the published values (rule 13); multiples of 3 are published as
    they are, so the figures can be worked out by hand."""
    s = store_of(config, [
        ("NZ", "2025H1", "clients", "total", "", 201, 5),
        ("NZ", "2025H1", "clients", "need", "housing", 51, 5),
        ("NZ", "2025H1", "clients", "need", "food", 4, 3),
        ("NZ", "2024H1", "clients", "total", "", 162, 5),
        ("NZ", "2024H1", "sessions", "total", "", 18, 5),
        ("NZ", "2025H1", "sessions", "total", "", 30, 5),
        ("NZ", "2024H1", "new_clients", "total", "", 21, 5),
        ("NZ", "2025H1", "new_clients", "total", "", 30, 5),
    ])
    assert s.share("clients", "need", "housing", period=H1).display() == "25\u00a0%"  # 51 ÷ 201
    assert s.share("clients", "need", "food", period=H1).display() == "S"
    assert s.change("clients", period=H1, base="2024H1").display() == "+24\u00a0%"  # 201 on 162
    assert s.change("sessions", period=H1, base="2024H1").display() == "S"  # a published denominator 18 < 20
    assert s.change("new_clients", period=H1, base="2024H1").display() == "+43\u00a0%"  # 21 is enough
    diff = s.difference("clients", period=H1, base="2024H1")
    assert diff.value == s.get("clients", period=H1).value - s.get("clients", period="2024H1").value
    assert s.ratio([("sessions", "total", "")], [("clients", "total", "")], period=H1).display() == "0.1"


def test_a_derived_figure_is_made_from_the_published_values_not_the_raw_ones(config):
    """A ratio beside an exact magnitude: made from the raw count it would give that count away
    (ratio × hours); made from the published count it says nothing more than the count does."""
    s = store_of(config, [("NZ", "2025H1", "clients", "total", "", 1000, 5),  # published 999 or 1002
                          ("NZ", "2025H1", "staff_hours", "total", "", 400, 5)])
    clients = s.get("clients", period=H1).value
    assert clients != 1000
    ratio = s.ratio([("clients", "total", "")], [("staff_hours", "total", "")], period=H1, per=100)
    assert ratio.value == round(clients / 400 * 100, 1) != round(1000 / 400 * 100, 1)


# ---- rule 11: the audit's proofs can fail, and then the build stops -------------------

def _tampered(config, change) -> dict:
    from reportgen.disclosure.audit import audit, audit_findings

    rows = [("NZ", "2025H1", "unidentified_attendances", "total", "", 100, 9),
            ("AKL", "2025H1", "unidentified_attendances", "total", "", 66, 4),
            ("WGN", "2025H1", "unidentified_attendances", "total", "", 30, 3),
            ("CAN", "2025H1", "unidentified_attendances", "total", "", 4, 3),
            ("NZ", "2025H1", "new_clients", "total", "", 50, 2),
            ("AKL", "2025H1", "new_clients", "total", "", 50, 2)]
    s = store_of(config, rows)
    assert all(p["holds"] for p in audit(s, config)["proofs"].values())
    change(s._grid)  # simulate a bug inside the store
    report = audit(s, config)
    return {name: p["violations"] for name, p in report["proofs"].items() if not p["holds"]}, audit_findings(report)


def _at(grid, scope, measure):
    return grid.index[(grid["scope"] == scope) & (grid["measure"] == measure) & (grid["period"] == "2025H1")
                      & (grid["dimension"] == "total")][0]


def test_audit_catches_a_value_too_far_from_raw(config):
    def bump(g):
        g.loc[_at(g, "AKL", "unidentified_attendances"), "value"] = 72.0  # raw 66
    failed, findings = _tampered(config, bump)
    assert failed == {"within_rounding_of_raw": 1}
    assert [(f.code, f.severity) for f in findings] == [("audit.failed", "error")]
    assert findings[0].message == ("disclosure audit: 'within_rounding_of_raw' fails for 1 of 2 cells; "
                                   "nothing was published")


def test_audit_catches_a_published_small_count_and_a_lone_suppression(config):
    def reveal(g):
        i = _at(g, "CAN", "unidentified_attendances")
        g.loc[i, "value"], g.loc[i, "symbol"] = 3.0, ""
    failed, _ = _tampered(config, reveal)
    assert failed == {"no_small_counts": 1, "no_recovery_by_subtraction": 1}  # WGN is now alone among the regions


def test_audit_catches_a_published_confidential_cell(config):
    def reveal(g):
        i = _at(g, "NZ", "new_clients")
        g.loc[i, "value"], g.loc[i, "symbol"] = 51.0, ""
    failed, _ = _tampered(config, reveal)
    assert failed == {"min_contributors": 1, "no_recovery_by_subtraction": 1}  # AKL is now alone


# ---- like-for-like changes: the left-out members' figure is protected (issue 15) ----------------

@pytest.mark.parametrize("change,narrows", [
    (90.0, True),  # the panel's 62 rounded to 63: only a raw 91 or 92 of the 90 published gives it
    (100.0, False),  # the panel rounded to 60: every raw value of the 90 published (88 to 92) can give it
])
def test_a_left_out_member_must_not_narrow_a_count_with_a_like_for_like_change(config, change, narrows):
    """One member is left out of the panel the year before, with 30 of the 90 published (raw 88 to 92):
    the panel's raw sum is 58 to 62, rounded on its own (57, 60 or 63) in the change on this year's
    published 120. The member knows its 30; from the change it can rule out raw values exactly when the
    change is one only some of them could give."""
    from reportgen.disclosure.confidentiality import left_out_narrows
    from reportgen.disclosure.published import Published

    now, then = Published(120.0, "", "count"), Published(90.0, "", "count")
    assert left_out_narrows(now, then, 0, 30, change, config) == narrows

"""The aggregation on integer keys (``statistics/aggregate.py``) gives exactly what the pandas version it
replaced gives (``tests/aggregate_oracle.py``): every cell with its raw value, members and two largest
contributions, every group sum, every like-for-like panel sum, the members' own rows in the same order,
the figures summed from quarters, the breakdowns members do not record (in the same order), and the
coverage — on the shipped sample, on generated data with missing quarters, half-year files and
breakdowns left to "not stated", and on generated rows with small values; for a half-year and for a
quarter."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given

from reportgen.core.config import load_config
from reportgen.core.periods import Period
from reportgen.inputs.intake_files import read_submissions
from reportgen.inputs.register import Register, load_register
from reportgen.inputs.validate import validate
from reportgen.statistics.aggregate import Aggregates, aggregate

from . import aggregate_oracle as oracle
from .conftest import copy_project
from .test_confidentiality_properties import CONFIG, SETTINGS, member_rows

NUMBERS = ("raw", "members", "top1", "top2", "now", "then", "now_top1", "now_top2", "then_top1", "then_top2",
           "value")


def _canonical(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    frame = frame.astype({c: str for c in frame.columns if c not in NUMBERS})
    return frame.sort_values(keys).reset_index(drop=True)


def assert_same(rows: pd.DataFrame, register: Register, config, period: Period) -> Aggregates:
    want, got = oracle.aggregate(rows, register, config, period), aggregate(rows, register, config, period)
    cell = ["scope", "period", "measure", "dimension", "category"]
    pd.testing.assert_frame_equal(_canonical(got.cells, cell), _canonical(want.cells, cell))
    assert list(got.cells.dtypes) == list(want.cells.dtypes)
    group = ["scope", "period", "measure", "dimension", "group"]
    pd.testing.assert_frame_equal(_canonical(got.group_cells, group), _canonical(want.group_cells, group))
    matched = ["scope", "period", "base", "measure", "dimension", "category"]
    pd.testing.assert_frame_equal(_canonical(got.matched, matched), _canonical(want.matched, matched))
    assert list(got.matched.dtypes) == list(want.matched.dtypes)
    assert list(got.member_rows) == list(want.member_rows)
    for period_text, frame in want.member_rows.items():  # the same rows, in the same order
        mine = got.member_rows[period_text]
        pd.testing.assert_frame_equal(mine.astype({c: str for c in mine.columns if c != "value"}).reset_index(drop=True),
                                      frame.astype({c: str for c in frame.columns if c != "value"}).reset_index(drop=True))
    pd.testing.assert_frame_equal(got.summed_from_quarters.astype(str).reset_index(drop=True),
                                  want.summed_from_quarters.astype(str).reset_index(drop=True))
    assert got.quarters == want.quarters
    assert got.coverage.table == want.coverage.table
    assert got.comparisons() == want.comparisons()
    pd.testing.assert_frame_equal(got.unrecorded, want.unrecorded)  # same rows, order and types
    return want


def _validated(root):
    config = load_config(root / "config.yaml")
    register, _ = load_register(config)
    return config, register, validate(read_submissions(config), register, config, Period.parse("2025H1")).rows


@pytest.mark.parametrize("period", ["2025H1", "2024H2", "2025Q2", "2025Q1"])
def test_the_sample_aggregates_as_the_oracle_does(period):
    from .conftest import REPO

    config, register, rows = _validated(REPO)
    assert_same(rows, register, config, Period.parse(period))


@pytest.mark.parametrize("members, quarters, seed", [(16, 8, 4242), (60, 12, 11)])
def test_generated_data_aggregates_as_the_oracle_does(tmp_path, members, quarters, seed):
    from reportgen.inputs.sample_data import generate

    root = copy_project(tmp_path / "project", data=False)
    generate(root / "data", members=members, quarters=quarters, seed=seed)
    config, register, rows = _validated(root)
    assert rows["dimension"].astype(str).isin(["total"]).any()
    for period in ("2025H1", "2025Q2"):
        want = assert_same(rows, register, config, Period.parse(period))
        assert not want.unrecorded.empty  # some members send totals without a breakdown


@SETTINGS
@given(member_rows())
def test_generated_rows_aggregate_as_the_oracle_does(rows):
    for period in ("2025H1", "2025Q1"):
        assert_same(rows, Register({}), CONFIG, Period.parse(period))

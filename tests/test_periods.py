import pytest
from hypothesis import given
from hypothesis import strategies as st

from reportgen.core.periods import Period, PeriodError, quarter_range


def test_parse_quarter_and_half():
    assert str(Period.parse("2025q1")) == "2025Q1"
    assert str(Period.parse(" 2025H2 ")) == "2025H2"


@pytest.mark.parametrize("text", ["2025H9", "2025Q5", "2025Q0", "banana", "", "25H1", "2025-H1"])
def test_invalid_periods_are_refused_with_an_example(text):
    with pytest.raises(PeriodError, match="looks like 2025H1"):
        Period.parse_half(text)


def test_a_quarter_is_not_a_report_period():
    with pytest.raises(PeriodError, match="is a quarter"):
        Period.parse_half("2025Q1")


def test_relations():
    h1 = Period.parse("2025H1")
    assert [str(q) for q in h1.quarters()] == ["2025Q1", "2025Q2"]
    assert [str(q) for q in Period.parse("2025H2").quarters()] == ["2025Q3", "2025Q4"]
    assert str(h1.previous()) == "2024H2"
    assert str(Period.parse("2025H2").previous()) == "2025H1"
    assert str(h1.year_earlier()) == "2024H1"
    assert str(Period.parse("2025Q1").previous()) == "2024Q4"
    assert str(Period.parse("2024Q4").containing_half()) == "2024H2"


def test_labels_keep_en_dash():
    assert Period.parse("2025H1").label() == "January–June 2025"
    assert Period.parse("2025H2").label() == "July–December 2025"
    assert Period.parse("2025Q2").label() == "April–June 2025"
    assert Period.parse("2025Q2").axis_label() == "Q2 2025"


def test_quarter_range_and_order():
    qs = quarter_range(Period.parse("2023Q3"), Period.parse("2025Q2"))
    assert [str(q) for q in qs][:3] == ["2023Q3", "2023Q4", "2024Q1"] and len(qs) == 8
    assert Period.parse("2025Q1") < Period.parse("2025H1") < Period.parse("2025Q3")


@given(st.integers(1900, 2999), st.sampled_from("QH"), st.integers(1, 4))
def test_round_trip(year, kind, number):
    if kind == "H" and number > 2:
        with pytest.raises(PeriodError):
            Period.parse(f"{year}{kind}{number}")
        return
    p = Period.parse(f"{year}{kind}{number}")
    assert Period.parse(str(p)) == p
    assert p.previous().next() == p
    assert p.year_earlier().year == year - 1

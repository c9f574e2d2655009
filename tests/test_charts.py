"""The chart library: house style, honest gaps, alt text from the data, determinism, cache."""

from __future__ import annotations

import re

import pytest

from reportgen.charts import ChartCache, draw_charts
from reportgen.charts.draw import DRAW
from reportgen.charts.specs import ChartInputs, _event_positions, share_bars, trend
from reportgen.core.config import load_config
from reportgen.core.periods import Period
from reportgen.disclosure.confidentiality import PublishedStore
from reportgen.inputs.register import load_events, load_register
from reportgen.inputs.submissions import load_submissions
from reportgen.inputs.validate import validate
from reportgen.statistics.aggregate import aggregate

from .conftest import REPO

H1 = Period.parse("2025H1")
PRINTED_WIDTH_PT = 170 / 25.4 * 72  # A4 text width: figures are printed 170 mm wide


@pytest.fixture(scope="module")
def sample():
    config = load_config(REPO / "config.yaml")
    register, _ = load_register(config)
    events, _ = load_events(config)
    data = validate(load_submissions(config), register, config)
    agg = aggregate(data.rows, register, config, H1)
    store = PublishedStore(agg.cells, config, "chart-test-key")
    return config, agg, store, events


@pytest.fixture(scope="module")
def charts(sample):
    config, agg, store, events = sample
    return draw_charts(store, config, H1, agg.quarters, events, []).national


def test_every_chart_type_is_in_the_report(charts):
    kinds = {c.kind for c in charts}
    assert kinds == {"trend", "bars", "diverging", "dots", "multiples"}
    ids = [c.id for c in charts]
    for expected in ("clients-trend-nz", "age-nz", "gender-nz", "ethnicity-nz", "needs-nz", "housing-trend-nz",
                     "services-nz", "hours-trend-nz", "workload-trend-nz", "outcomes-nz", "housing-regions", "clients-regions"):
        assert expected in ids
    assert [c.number for c in charts] == list(range(1, len(charts) + 1))


def test_text_is_at_least_9pt_when_printed(charts):
    for chart in charts:
        svg = chart.svg.decode()
        width = float(re.search(r'<svg[^>]* width="([\d.]+)pt"', svg).group(1))
        sizes = [float(x) for x in re.findall(r"font-size: ([\d.]+)px", svg)]
        assert sizes, chart.id
        scale = PRINTED_WIDTH_PT / width
        assert min(sizes) * scale >= 9.0 - 1e-6, (chart.id, min(sizes), width)


def test_fonts_carry_macrons(charts):
    region_chart = next(c for c in charts if c.id == "clients-regions")
    svg = region_chart.svg.decode()
    # a long name may wrap at its hyphen to stand beside the panel's latest value
    assert "Manawatū-Whanganui" in svg or ("Manawatū-" in svg and "Whanganui" in svg)
    assert "'Noto Sans'" in region_chart.svg.decode()


def test_same_data_same_bytes(sample, charts):
    config, agg, store, events = sample
    again = draw_charts(store, config, H1, agg.quarters, events, []).national
    assert [c.svg for c in again] == [c.svg for c in charts]
    for c in charts:
        assert b"<dc:date>" not in c.svg


def test_alt_text_states_key_numbers_from_the_data(sample, charts):
    config, agg, store, _ = sample
    needs = next(c for c in charts if c.id == "needs-nz")
    food = store.share("clients", "need", "food", period=H1).display()
    assert f"food ({food})" in needs.alt and needs.alt != needs.subtitle
    assert needs.title == "Food was the most common reason people sought support"
    trend_chart = next(c for c in charts if c.id == "clients-trend-nz")
    last = store.get("clients", period=agg.quarters[-1]).display()
    assert f"{last} in {agg.quarters[-1].axis_label()}" in trend_chart.alt
    assert "Benefit indexation changed" in trend_chart.alt
    outcomes = next(c for c in charts if c.id == "outcomes-nz")
    assert re.search(r"ranged from \d+\s% \(.+\) to \d+\s% \(.+\)", outcomes.alt)


def test_data_table_matches_the_published_values(sample, charts):
    config, _, store, _ = sample
    needs = next(c for c in charts if c.id == "needs-nz")
    rows = {r[0]: r for r in needs.table_rows}
    assert rows["Housing"][1] == str(store.get("clients", "need", "housing", period=H1))
    assert rows["Housing"][2] == str(store.share("clients", "need", "housing", period=H1))


def test_suppressed_cells_are_marked_gaps_not_zeros(sample):
    config, agg, store, events = sample
    # West Coast has two members: every regional client figure is C
    [trend_chart, _] = draw_charts(store, config, H1, agg.quarters, events, ["WTC"]).regions["WTC"]
    series = trend_chart.draw["series"][0]
    assert series["values"] == [None] * len(agg.quarters) and set(series["symbols"]) == {"C"}
    svg = trend_chart.svg.decode()
    assert svg.count(">C<") == len(agg.quarters)
    assert "every quarter is suppressed" in trend_chart.alt
    dots = next(c for c in draw_charts(store, config, H1, agg.quarters, events, []).national if c.id == "housing-regions")
    assert dots.id == "housing-regions"
    wtc = dots.draw["labels"].index("West Coast")
    assert dots.draw["values"][wtc] is None and dots.draw["symbols"][wtc] in ("S", "C")


def test_a_gap_breaks_the_line(sample):
    config, agg, store, events = sample
    ci = ChartInputs(store, config, H1, agg.quarters, [], "NZ")
    from reportgen.disclosure.published import Published

    vals = [Published(30, ""), Published(33, ""), Published(None, "S"), Published(36, ""), Published(39, "")]
    ci.quarters = agg.quarters[:5]
    spec = trend(ci, [("X", vals)], chart_id="t", section="s", title="t", subtitle="s", unit="count",
                 noun="x")
    svg = DRAW["trend"](spec.draw).decode()
    assert spec.draw["series"][0]["values"][2] is None
    # two separate line segments (each a path with markers), and the symbol drawn in the gap
    assert ">S<" in svg and "Suppressed in Q1 2024" in spec.alt


def test_events_sit_inside_their_quarter(sample):
    config, agg, _, events = sample
    pos = {e["label"]: e["x"] for e in _event_positions(events, agg.quarters)}
    # 2024-04-01 starts Q2 2024, the fourth quarter shown (index 3): its left edge is 2.5
    assert pos["Benefit indexation changed"] == pytest.approx(2.5)
    assert 3.5 < pos["Emergency housing eligibility tightened"] < 4.5


def test_cache_draws_each_chart_once_and_follows_the_data(sample, tmp_path):
    config, agg, store, events = sample
    cache = ChartCache(tmp_path / "charts")
    first = draw_charts(store, config, H1, agg.quarters, events, [], cache=cache).national
    assert cache.drawn == len(first) and cache.reused == 0
    again = ChartCache(tmp_path / "charts")
    second = draw_charts(store, config, H1, agg.quarters, events, [], cache=again).national
    assert again.drawn == 0 and again.reused == len(first)
    assert [c.svg for c in second] == [c.svg for c in first]
    # change one published value: only the charts that show it are redrawn
    cells = agg.cells.copy()
    sel = (cells.scope == "NZ") & (cells.period == "2025H1") & (cells.measure == "sessions") & \
          (cells.dimension == "service_type") & (cells.category == "advocacy")
    cells.loc[sel, "raw"] += 3000
    changed = PublishedStore(cells, config, "chart-test-key")
    third_cache = ChartCache(tmp_path / "charts")
    third = draw_charts(changed, config, H1, agg.quarters, events, [], cache=third_cache).national
    redrawn = {c.id for c, old in zip(third, first) if c.key != old.key}
    assert redrawn == {"services-nz"} and third_cache.drawn == 1


def test_bars_keep_category_order_when_asked(sample):
    config, _, store, _ = sample
    ci = ChartInputs(store, config, H1, [], [], "NZ")
    spec = share_bars(ci, "clients", "age_band", section="d", sort=False, chart_id="a", noun="clients by age")
    assert spec.draw["labels"] == list(config.dimensions["age_band"].categories.values())

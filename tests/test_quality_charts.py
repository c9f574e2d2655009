"""Charts read cleanly at print size: measured from the drawn matplotlib figure itself.

For every chart of the sample, of generated data with five times the members,
and of hand-made data with long labels and many events: no text overlaps
another text or a data line, every tick sits at the value its label writes,
"Not stated" and "Other" come last, ties are ordered by the unrounded value.
"""

from __future__ import annotations

import itertools
import re

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from reportgen.charts import national_specs, region_specs
from reportgen.charts.draw import DATA, laid_out
from reportgen.charts.style import style as house_style
from reportgen.core.config import load_config
from reportgen.core.periods import Period
from reportgen.disclosure.confidentiality import PublishedStore
from reportgen.inputs.register import load_events, load_register
from reportgen.inputs.sample_data import generate
from reportgen.inputs.submissions import load_submissions
from reportgen.inputs.validate import validate
from reportgen.statistics.aggregate import aggregate

from .conftest import REPO, copy_project

H1 = Period.parse("2025H1")
TOLERANCE_PX = 1.0  # extents touching by a pixel or less are not an overlap
LINE_SHARE = 0.2  # of a line box's height: labels one line apart share less than this


def drawn_texts(fig) -> list[tuple[str, object]]:
    """(text, window extent) of every line of text matplotlib actually draws. A text of one line is
    measured as a whole; a text of several lines (a wrapped category label, an event's entry in the
    key below a trend chart) line by line: matplotlib draws each line on its own and passes no text
    object with it, so its extent comes from the line's own metrics at the place it is drawn."""
    return [(t, box) for t, box, _ in _drawn(fig)]


def _drawn(fig) -> list[tuple[str, Bbox, int]]:
    """(text, extent, which text object) of every drawn line; lines of one text share the last."""
    renderer = fig.canvas.get_renderer()
    _, height = renderer.get_canvas_width_height()
    seen: list[tuple[str, Bbox, int]] = []
    whole: list[Text] = []
    drawing: list[Text] = []
    original, original_draw = renderer.draw_text, Text.draw

    def draw(self, r, *args, **kwargs):
        drawing.append(self)
        try:
            return original_draw(self, r, *args, **kwargs)
        finally:
            drawing.pop()

    def record(gc, x, y, s, prop, angle, ismath=False, mtext=None):
        if s.strip():
            if mtext is not None:
                whole.append(mtext)
            elif drawing:
                w, h, d = renderer.get_text_width_height_descent(s, prop, ismath=ismath)
                base = height - y  # the baseline, in display coordinates (y up)
                corners = np.array([[0, -d], [w, -d], [w, h - d], [0, h - d]], dtype=float)
                turn = np.deg2rad(angle)
                rot = np.array([[np.cos(turn), -np.sin(turn)], [np.sin(turn), np.cos(turn)]])
                pts = corners @ rot.T + [x, base]
                box = Bbox.from_extents(*pts.min(axis=0), *pts.max(axis=0))
                seen.append((s, box, id(drawing[-1])))
        return original(gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)

    renderer.draw_text = record
    Text.draw = draw
    try:
        with house_style():  # the fonts the chart is drawn with ("sans-serif" is Noto Sans only there)
            fig.draw(renderer)
            unique = list(dict.fromkeys(whole))
            return [(t.get_text(), t.get_window_extent(renderer), id(t)) for t in unique] + seen
    finally:
        renderer.draw_text = original
        Text.draw = original_draw


def data_paths(fig):
    return [line.get_transform().transform_path(line.get_path())
            for ax in fig.axes for line in ax.get_lines() if line.get_gid() == DATA and line.get_visible()]


def collisions(fig) -> list[str]:
    """Texts that overlap another text, or a data line. A text's extent is its font's full line box
    (Noto Sans: 1.36 em high, ascender to descender), so two labels set one line apart touch: they
    collide when their boxes share more than a pixel of width and more than a fifth of the smaller
    one's height (a label printed over another shares most of it)."""
    texts = _drawn(fig)
    out = []
    for (a, ba, ga), (b, bb, gb) in itertools.combinations(texts, 2):
        if ga == gb:
            continue
        wide = min(ba.x1, bb.x1) - max(ba.x0, bb.x0)
        high = min(ba.y1, bb.y1) - max(ba.y0, bb.y0)
        if wide > TOLERANCE_PX and high > max(TOLERANCE_PX, LINE_SHARE * min(ba.height, bb.height)):
            out.append(f"{a!r} overlaps {b!r}")
    shrunk = [(t, Bbox.from_extents(box.x0 + TOLERANCE_PX, box.y0 + TOLERANCE_PX,
                                    box.x1 - TOLERANCE_PX, box.y1 - TOLERANCE_PX)) for t, box, _ in texts]
    for path in data_paths(fig):
        out += [f"a data line crosses {t!r}" for t, box in shrunk if path.intersects_bbox(box, filled=False)]
    return out


def tick_problems(fig) -> list[str]:
    """Ticks whose label does not write their value exactly (17.5 labelled "18 %")."""
    out = []
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if not axis.get_visible():
                continue
            lo, hi = sorted(axis.get_view_interval())
            for tick, label in zip(axis.get_ticklocs(), axis.get_ticklabels()):
                text = label.get_text().replace("\u00a0", " ").replace(",", "")
                number = re.fullmatch(r"[+-]?(\d+(?:\.\d+)?)( %)?", text.strip())
                if lo <= tick <= hi and number:
                    if abs(float(number.group(1)) - tick) > 1e-9:
                        out.append(f"tick at {tick} reads {label.get_text()!r}")
    return out


def check(spec) -> list[str]:
    fig = laid_out(spec.kind, spec.draw)
    try:
        return [f"{spec.id}: {p}" for p in collisions(fig) + tick_problems(fig)]
    finally:
        plt.close(fig)


def specs_of(root, regions: bool = True):
    config = load_config(root / "config.yaml")
    register, _ = load_register(config)
    events, _ = load_events(config)
    data = validate(load_submissions(config), register, config)
    agg = aggregate(data.rows, register, config, H1)
    store = PublishedStore(agg.cells, config, "quality-chart-key")
    out = national_specs(store, config, H1, agg.quarters, events)
    if regions:
        for code in config.regions:
            out += region_specs(store, config, H1, agg.quarters, events, code)
    return out, store, config


@pytest.fixture(scope="module")
def sample_specs():
    return specs_of(REPO)


def test_no_text_overlaps_text_or_a_line_in_the_sample(sample_specs):
    specs, _, _ = sample_specs
    problems = [p for spec in specs for p in check(spec)]
    assert problems == []


@pytest.mark.slow
def test_no_text_overlaps_in_generated_data_with_five_times_the_members(tmp_path):
    root = copy_project(tmp_path / "p", data=False)
    generate(root / "data", members=220)
    specs, _, _ = specs_of(root)
    assert [p for spec in specs for p in check(spec)] == []


LONG = ["Emergency food parcels and supermarket vouchers", "Budgeting and financial mentoring services",
        "Whānau ora navigation and advocacy", "Not stated"]


def test_long_labels_and_many_events_still_do_not_collide():
    quarters = [f"Q{q} {y}" for y in (2022, 2023, 2024, 2025) for q in (1, 2, 3, 4)][:14]
    events = [{"x": x, "label": f"A long policy event title number {i} that wraps over several words"}
              for i, x in enumerate([0.1, 0.3, 0.5, 2.2, 2.4, 5.0, 7.7, 7.9, 8.1, 12.4, 12.6])]
    series = [{"label": "Staff", "values": [1000 + 40 * i for i in range(14)], "symbols": [""] * 14},
              {"label": "Volunteers", "values": [1010 + 41 * i for i in range(14)], "symbols": [""] * 14}]
    cases = [
        ("trend", {"x": quarters, "unit": "count", "zero": True, "events": events, "series": series}),
        ("trend", {"x": quarters, "unit": "percent", "zero": True, "events": events[:2],
                   "series": [{"label": "Housing", "values": [20.0 + i * 0.7 for i in range(14)],
                               "symbols": [""] * 14}]}),
        ("trend", {"x": quarters, "unit": "ratio", "zero": True, "events": [],
                   "series": [{"label": "Load", "values": [30.1, 30.4, 29.9, 30.2] + [None] * 2 + [31.0] * 8,
                               "symbols": ["", "", "", "", "S", "C"] + [""] * 8}]}),
        ("bars", {"labels": LONG, "values": [40.0, 41.0, None, 3.0], "symbols": ["", "", "S", ""],
                  "unit": "percent"}),
        ("dots", {"labels": [f"Te Tai Tokerau region {i}" for i in range(18)],
                  "values": [17.0 + i * 0.9 if i != 4 else None for i in range(18)],
                  "symbols": ["" if i != 4 else "C" for i in range(18)], "national": 24.0, "unit": "percent"}),
        ("diverging", {"groups": [{"name": "circumstances", "rows": [
            {"label": lab, "n": "12,345", "symbol": "", "improved": 90.0, "same": 6.0, "declined": 4.0}
            for lab in LONG] + [{"label": "Housing", "n": "S", "symbol": "S", "improved": None, "same": None,
                                 "declined": None}]}]}),
        ("multiples", {"x": ["Q3 2023", "Q2 2025"][:1] + ["Q2 2025"], "panels": [
            {"label": name, "values": [100.0, 150.0, 90.0, 12000.0], "symbols": [""] * 4}
            for name in ["Manawatū-Whanganui", "Tāmaki Makaurau Auckland", "West Coast", "Bay of Plenty",
                         "Hawke's Bay"]]}),
    ]
    for kind, data in cases:
        if kind == "multiples":
            data["x"] = ["Q1 2025", "Q2 2025", "Q3 2025", "Q4 2025"]
        fig = laid_out(kind, data)
        try:
            assert collisions(fig) + tick_problems(fig) == [], kind
        finally:
            plt.close(fig)


def test_the_overlap_check_can_fail():
    """The measuring itself: two texts drawn on top of each other are found."""
    fig, ax = plt.subplots()
    ax.text(0.5, 0.5, "improved »")
    ax.text(0.52, 0.5, "n assessed")
    ax.plot([0, 1], [0.51, 0.51], gid=DATA)
    ax.set_ylim(0, 1)
    fig.canvas.draw()
    found = collisions(fig)
    plt.close(fig)
    assert any("overlaps" in p for p in found) and any("data line" in p for p in found)


RESIDUAL = ("Not stated", "Other")


def test_not_stated_and_other_come_last_and_ties_follow_the_published_count(sample_specs):
    specs, store, config = sample_specs
    for spec in specs:
        if spec.kind != "bars":
            continue
        labels = spec.draw["labels"]
        residual = [i for i, lab in enumerate(labels) if lab.startswith(RESIDUAL)]
        assert residual == list(range(len(labels) - len(residual), len(labels))), (spec.id, labels)
    # ties among the sorted bars: the larger published count first, then the name (never a raw value,
    # whose order would tell which of two equal published figures is larger)
    for spec in specs:
        if spec.kind != "bars" or not spec.id.startswith(("needs-", "services-", "ethnicity-")):
            continue
        dimension = {"needs": "need", "services": "service_type", "ethnicity": "ethnicity"}[spec.id.split("-")[0]]
        measure = "sessions" if dimension == "service_type" else "clients"
        scope = "NZ" if spec.id.endswith("-nz") else spec.id.split("-")[-1].upper()
        codes = {label: code for code, label in config.dimensions[dimension].categories.items()}
        values = spec.draw["values"]
        for (la, va), (lb, vb) in zip(zip(spec.draw["labels"], values), zip(spec.draw["labels"][1:], values[1:])):
            if va is not None and va == vb and not lb.startswith(RESIDUAL):
                count_a = store.get(measure, dimension, codes[la], scope=scope, period=H1).value
                count_b = store.get(measure, dimension, codes[lb], scope=scope, period=H1).value
                assert (count_a, lb) >= (count_b, la), (spec.id, la, lb)


def test_a_small_multiple_names_only_its_last_quarters_value_and_marks_a_provisional_one():
    """The figure beside a region's name is its last quarter's: when that quarter is withheld no
    earlier figure stands in for it; when it is provisional it carries P."""
    data = {"x": ["Q1 2025", "Q2 2025", "Q3 2025"], "panels": [
        {"label": "Southland", "values": [180.0, 150.0, None], "symbols": ["", "", "C"], "flags": ["", "", ""]},
        {"label": "Bay of Plenty", "values": [900.0, 950.0, 603.0], "symbols": ["", "", ""],
         "flags": ["", "", "P"]}]}
    fig = laid_out("multiples", data)
    try:
        texts = [t for t, _ in drawn_texts(fig)]
    finally:
        plt.close(fig)
    assert "150" not in texts and "180" not in texts  # Southland: no stand-in for the withheld quarter
    assert "603\u00a0P" in texts

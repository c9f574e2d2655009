"""Charts for the dashboard pages, written as SVG text (no drawing library).

The quarterly release must build in a few seconds and its pages must work in
any browser, without script: a small hand-written SVG per chart does both
(matplotlib alone takes longer to import than the whole release may take).
The charts are simple by design — lines over the quarters (gaps where a value
is not published, provisional points hollow and labelled P, policy events as
numbered dashed lines) and horizontal bars for a breakdown — and every one
carries its data table and CSV beside it on the page, so nothing is only in
the picture.

Each chart is drawn twice: wide (640 units, shown from 40rem up and in print)
and narrow (340 units, shown on a phone, with its labels set above the bars),
so that its text is never smaller than 12 px on screen: an SVG scales its text
with its width, and a 640-unit chart on a 390 px phone would print 12-unit text
at 6–7 px (issue 27). The stylesheet shows one of the two; the other is not
displayed, so a screen reader meets each chart once.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass
from html import escape

from ..core import formats


@dataclass(frozen=True)
class Layout:
    """A chart's frame: its width and margins in SVG units, and its type size."""

    name: str  # "wide" or "narrow": the class the stylesheet shows or hides
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    font: int  # px, for ticks, labels and numbers

    @property
    def id_suffix(self) -> str:
        return "" if self.name == "wide" else "-n"


WIDE = Layout("wide", 640, 280, 64, 16, 20, 48, 14)
NARROW = Layout("narrow", 340, 260, 52, 12, 20, 50, 13)
LAYOUTS = (WIDE, NARROW)


@dataclass(frozen=True)
class Series:
    label: str
    values: list[float | None]
    symbols: list[str]
    flags: list[list[str]]


@dataclass(frozen=True)
class Bar:
    """One bar of a breakdown: its label, value (None where a symbol stands in), shown text."""

    label: str
    value: float | None
    shown: str  # "42 %", "42 % P", "S"


def nice_ticks(high: float, count: int = 4) -> list[float]:
    """Round tick values from 0 to at least ``high`` (1, 2, 2.5 or 5 × a power of ten apart)."""
    if high <= 0:
        return [0.0, 1.0]
    raw = high / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    n = math.ceil(high / step)
    return [round(i * step, 10) for i in range(n + 1)]


def _label(value: float, unit: str) -> str:
    if unit == "percent":
        return formats.percent(value)
    return formats.ratio(value) if unit == "ratio" else formats.count(value)


def _open(lay: Layout, height: int, chart_id: str, title: str, desc: str) -> list[str]:
    cid = chart_id + lay.id_suffix
    return [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {lay.width} {height}" '
            f'class="chart-svg {lay.name}" style="--chart-width: {lay.width}px" role="img" '
            f'aria-labelledby="{cid}-t {cid}-d" focusable="false" font-size="{lay.font}">',
            f'<title id="{cid}-t">{escape(title)}</title><desc id="{cid}-d">{escape(desc)}</desc>']


def line_chart(x_labels: list[str], series: list[Series], *, unit: str, events: list[tuple[float, int]],
               colours: list[str], title: str, desc: str, chart_id: str, layout: Layout = WIDE) -> str:
    """The SVG of a line chart; ``events`` are (x position in quarters, number) pairs."""
    lay = layout
    shown = [v for s in series for v in s.values if v is not None]
    ticks = nice_ticks(max(shown) if shown else 1.0)
    top = ticks[-1] or 1.0
    # room on the left for the widest tick label ("150,000"), so that it stays inside the chart
    left = max(lay.left, round(max(len(_label(t, unit)) for t in ticks) * lay.font * 0.6 + 10))
    plot_w, plot_h = lay.width - left - lay.right, lay.height - lay.top - lay.bottom
    n = max(len(x_labels), 1)
    # a quarter's label is about two characters wide: on a narrow chart, label every other quarter when
    # they would touch (the data table beside the chart names every one)
    every = 1 if plot_w / n >= lay.font * 1.9 else 2

    def x(i: float) -> float:
        return left + (i + 0.5) * plot_w / n

    def y(v: float) -> float:
        return lay.top + plot_h * (1 - v / top)

    out = _open(lay, lay.height, chart_id, title, desc)
    for t in ticks:
        out.append(f'<line class="grid" x1="{left}" x2="{lay.width - lay.right}" y1="{y(t):.1f}" y2="{y(t):.1f}"/>')
        out.append(f'<text class="tick" x="{left - 6}" y="{y(t) + lay.font * 0.35:.1f}" '
                   f'text-anchor="end">{escape(_label(t, unit))}</text>')
    base = lay.height - lay.bottom
    for i, label in enumerate(x_labels):
        quarter, _, year = label.partition(" ")
        if i % every and i != len(x_labels) - 1:
            continue
        out.append(f'<text class="tick" x="{x(i):.1f}" y="{base + lay.font + 4}" text-anchor="middle">'
                   f'{escape(quarter)}</text>')
        if i == 0 or quarter == "Q1" or (every > 1 and quarter == "Q2"):
            out.append(f'<text class="tick year" x="{x(i):.1f}" y="{base + 2 * lay.font + 8}" '
                       f'text-anchor="middle">{escape(year)}</text>')
    for pos, number in events:
        ex = left + (pos + 0.5) * plot_w / n
        out.append(f'<line class="event" x1="{ex:.1f}" x2="{ex:.1f}" y1="{lay.top}" y2="{lay.top + plot_h}"/>')
        out.append(f'<text class="event-no" x="{ex + 3:.1f}" y="{lay.top + lay.font - 1}">{number}</text>')
    for k, s in enumerate(series):
        colour = colours[k % len(colours)]
        runs, run = [], []
        for i, v in enumerate(s.values):
            if v is None:
                if run:
                    runs.append(run)
                run = []
            else:
                run.append((x(i), y(v)))
        if run:
            runs.append(run)
        for r in runs:
            pts = " ".join(f"{a:.1f},{b:.1f}" for a, b in r)
            out.append(f'<polyline class="line" points="{pts}" stroke="{colour}"/>')
        for i, v in enumerate(s.values):
            if v is None:
                sym = s.symbols[i] or ".."
                out.append(f'<text class="gap" x="{x(i):.1f}" y="{lay.top + plot_h - 6}" text-anchor="middle">'
                           f'{escape(sym)}</text>')
                continue
            provisional = "P" in s.flags[i]
            fill = "#ffffff" if provisional else colour
            out.append(f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="4" fill="{fill}" stroke="{colour}" stroke-width="2"/>')
            if provisional:
                out.append(f'<text class="flag" x="{x(i):.1f}" y="{y(v) - 9:.1f}" text-anchor="middle">P</text>')
        last = next((i for i in range(len(s.values) - 1, -1, -1) if s.values[i] is not None), None)
        if last is not None and len(series) > 1:
            out.append(f'<text class="series-label" x="{x(last) - 6:.1f}" y="{y(s.values[last]) + 16:.1f}" '
                       f'text-anchor="end" fill="{colour}">{escape(s.label)}</text>')
    out.append("</svg>")
    return "".join(out)


def _wrapped(text: str, room: float, font: int) -> list[str]:
    """``text`` in lines of at most ``room`` units at ``font`` px (Noto Sans averages about 0.56 em a
    character; the tests measure the drawn text in Chromium)."""
    return textwrap.wrap(text, max(8, int(room / (font * 0.56)))) or [text]


def bar_chart(bars: list[Bar], *, colour: str, title: str, desc: str, chart_id: str, layout: Layout = WIDE) -> str:
    """Horizontal bars of a breakdown (percent), in the given order, each labelled with its value.
    Wide: the category names in a column left of the bars (wrapped on to a second line when long);
    narrow: each name above its bar, so that a long name ("Middle Eastern, Latin American and
    African") keeps its size and never meets another."""
    lay = layout
    stacked = lay.name == "narrow"
    label_w = 0 if stacked else 220
    bar_h, gap, line = 14 if stacked else 16, 10, round(lay.font * 1.25)
    value_room = lay.font * 4.6  # "100 % P R"
    x0 = 4 if stacked else label_w + 8
    plot_w = lay.width - lay.right - x0 - value_room
    top_value = max([b.value for b in bars if b.value is not None] + [1.0])
    body, y = [], lay.top
    for bar in bars:
        lines = _wrapped(bar.label, (lay.width - lay.right - x0) if stacked else label_w, lay.font)
        if stacked:
            for k, text in enumerate(lines):
                body.append(f'<text class="bar-label" x="{x0}" y="{y + lay.font + k * line}">{escape(text)}</text>')
            bar_top = y + lay.font + (len(lines) - 1) * line + 5
            row = bar_top - y + bar_h
        else:
            row = max(bar_h, len(lines) * line)
            bar_top = y + (row - bar_h) / 2
            first = y + row / 2 - (len(lines) - 1) * line / 2 + lay.font * 0.35
            for k, text in enumerate(lines):
                body.append(f'<text class="bar-label" x="{label_w}" y="{first + k * line:.1f}" text-anchor="end">'
                            f'{escape(text)}</text>')
        length = 0.0 if bar.value is None else plot_w * bar.value / top_value
        if bar.value is not None:
            body.append(f'<rect class="bar" x="{x0}" y="{bar_top:.1f}" width="{length:.1f}" height="{bar_h}" '
                        f'fill="{colour}"/>')
        body.append(f'<text class="bar-value" x="{x0 + length + 6:.1f}" y="{bar_top + bar_h / 2 + lay.font * 0.35:.1f}">'
                    f'{escape(bar.shown)}</text>')
        y += row + gap
    out = _open(lay, round(y - gap + 8), chart_id, title, desc) + body
    out.append("</svg>")
    return "".join(out)

"""Line charts for the dashboard pages, written as SVG text (no drawing library).

The quarterly release must build in a few seconds and its pages must work in
any browser, without script: a small hand-written SVG per chart does both
(matplotlib alone takes longer to import than the whole release may take).
The charts are simple by design — one or two lines over the quarters, gaps
where a value is not published, provisional points hollow and labelled P,
policy events as numbered dashed lines — and every one carries its data
table and CSV beside it on the page, so nothing is only in the picture.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

from ..core import formats

WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 20, 48


@dataclass(frozen=True)
class Series:
    label: str
    values: list[float | None]
    symbols: list[str]
    flags: list[list[str]]


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


def line_chart(x_labels: list[str], series: list[Series], *, unit: str, events: list[tuple[float, int]],
               colours: list[str], title: str, desc: str, chart_id: str) -> str:
    """The SVG of a line chart; ``events`` are (x position in quarters, number) pairs."""
    shown = [v for s in series for v in s.values if v is not None]
    ticks = nice_ticks(max(shown) if shown else 1.0)
    top = ticks[-1] or 1.0
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    n = max(len(x_labels), 1)

    def x(i: float) -> float:
        return LEFT + (i + 0.5) * plot_w / n

    def y(v: float) -> float:
        return TOP + plot_h * (1 - v / top)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" class="chart-svg" '
           f'role="img" aria-labelledby="{chart_id}-t {chart_id}-d" focusable="false">',
           f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">{escape(desc)}</desc>']
    for t in ticks:
        out.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(t):.1f}" y2="{y(t):.1f}"/>')
        out.append(f'<text class="tick" x="{LEFT - 8}" y="{y(t) + 4:.1f}" text-anchor="end">{escape(_label(t, unit))}</text>')
    for i, label in enumerate(x_labels):
        quarter, _, year = label.partition(" ")
        out.append(f'<text class="tick" x="{x(i):.1f}" y="{HEIGHT - BOTTOM + 18}" text-anchor="middle">{escape(quarter)}</text>')
        if i == 0 or quarter == "Q1":
            out.append(f'<text class="tick year" x="{x(i):.1f}" y="{HEIGHT - BOTTOM + 34}" '
                       f'text-anchor="middle">{escape(year)}</text>')
    for pos, number in events:
        ex = LEFT + (pos + 0.5) * plot_w / n
        out.append(f'<line class="event" x1="{ex:.1f}" x2="{ex:.1f}" y1="{TOP}" y2="{TOP + plot_h}"/>')
        out.append(f'<text class="event-no" x="{ex + 3:.1f}" y="{TOP + 11}">{number}</text>')
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
                out.append(f'<text class="gap" x="{x(i):.1f}" y="{TOP + plot_h - 6}" text-anchor="middle">{escape(sym)}</text>')
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

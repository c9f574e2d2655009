"""Drawing: a chart's plain data (``ChartSpec.draw``) → SVG bytes.

Each function reads only the JSON-like dict its spec carries, so a chart's
cache key can be a hash of that dict. Missing values (``None``) are gaps:
never drawn as zero, never bridged by a line, always marked with their symbol.

The ``FIGURES`` functions build the matplotlib figure (``laid_out`` returns it,
for the tests that measure every text's extent); ``DRAW`` turns it into SVG.
No text may overlap another text or a data line (lines drawn with
``gid="data"``): labels are placed from their measured extents, and
tests/test_quality_charts.py checks every chart of the sample and of generated
data with long labels and many events.
"""

from __future__ import annotations

import functools
import math
import textwrap

from matplotlib.patches import Patch
from matplotlib.ticker import FixedLocator, MaxNLocator

from ..core import formats
from ..core.catalogue import NATION
from . import style as s

DATA = "data"  # gid of the lines that carry data (text must not cross them)


def _fmt(value: float, unit: str) -> str:
    if unit == "percent":
        return formats.percent(value, 0)
    return formats.ratio(value) if unit == "ratio" else formats.count(value)


def _nice_max(values: list[float]) -> float:
    top = max([v for v in values if v is not None] + [1])
    return top * 1.18


def _locator(unit: str, nbins: int = 5) -> MaxNLocator:
    """Ticks only where the label shows the value exactly: whole numbers for counts and
    percentages (a tick at 17.5 would read "18 %"), tenths for ratios."""
    return MaxNLocator(nbins=nbins, steps=[1, 2, 5, 10], integer=unit != "ratio", min_n_ticks=2)


def _exact_ticks(axis, unit: str, low: float, high: float) -> None:
    """Fixed ticks inside [low, high], each at a value its label writes exactly."""
    ticks = [t for t in _locator(unit).tick_values(low, high) if low - 1e-9 <= t <= high + 1e-9]
    ticks = [t for t in ticks if abs(t - round(t, 1 if unit == "ratio" else 0)) < 1e-9]
    axis.set_major_locator(FixedLocator(ticks))
    axis.set_major_formatter(lambda v, _pos: _fmt(v, unit))


def _pt_to_data_y(ax, points: float) -> float:
    """How many y data units ``points`` printed points span on ``ax``."""
    fig = ax.figure
    height_pt = ax.get_position().height * fig.get_figheight() * 72
    lo, hi = ax.get_ylim()
    return (hi - lo) * points / max(height_pt, 1)


def _spread(ys: list[float], gap: float) -> list[float]:
    """Move labels at heights ``ys`` apart so that neighbours are at least ``gap`` apart
    (the fewest moves: pushed up from the lowest, then the whole run shifted back down)."""
    order = sorted(range(len(ys)), key=lambda i: ys[i])
    placed = [ys[i] for i in order]
    for k in range(1, len(placed)):
        placed[k] = max(placed[k], placed[k - 1] + gap)
    excess = max(0.0, placed[-1] - max(ys)) / 2 if placed else 0.0
    placed = [p - excess for p in placed]
    for k in range(1, len(placed)):  # the shift must not undo the spacing
        placed[k] = max(placed[k], placed[k - 1] + gap)
    out = [0.0] * len(ys)
    for k, i in enumerate(order):
        out[i] = placed[k]
    return out


def _rows(labels: list[str], row_in: float, width: int = 26) -> list[float]:
    """The height (in rows, the first at the top) of each labelled row: one row apart, further where a
    label wraps on to two lines (at ``width`` characters), so that a label neither reaches into its
    neighbour's nor seems to belong to it (house style: 9 pt labels)."""
    row_pt = row_in * 72
    lines = [s.wrap(lab, width).count("\n") + 1 for lab in labels]
    ys = [0.0]
    for above, below in zip(lines, lines[1:]):
        # half of each label's height, and clear white space between them where one of them wraps
        need = (above + below) / 2 * s.MIN_PT * 1.3 + (s.MIN_PT * 0.6 if max(above, below) > 1 else 0)
        ys.append(ys[-1] + max(1.0, need / row_pt))
    return [ys[-1] - y for y in ys]


def bars(d: dict):
    """Horizontal bars, in the given order (first at the top), labelled directly."""
    labels, values, symbols, unit = d["labels"], d["values"], d["symbols"], d["unit"]
    row = d.get("row_in", 0.18)  # inches per bar (a brief's charts are a little tighter)
    ys = _rows(labels, row)
    span = (ys[0] if ys else 0) + 1
    fig, ax = s.figure(row * span + 0.35, left=0.3)
    top = _nice_max(values)
    for y, v, sym in zip(ys, values, symbols):
        if v is None:
            s.gap_label(ax, top * 0.02, y, sym, ha="left")
            continue
        ax.barh(y, v, color=d.get("color", s.BLUE), height=0.68)
        ax.text(v + top * 0.01, y, _fmt(v, unit), va="center", fontsize=s.MIN_PT)
    ax.set_yticks(ys, [s.wrap(lab) for lab in labels])
    ax.set_xlim(0, top)
    ax.set_ylim(-0.6, span - 0.4)
    ax.xaxis.set_visible(False)
    s.clean_axes(ax, x=False)
    return fig


def _event_tiers(events: list[dict]) -> list[tuple[int, dict, int]]:
    """(number, event, tier) in time order: markers too close to sit side by side go up a tier."""
    last_x: list[float] = []  # the last x used in each tier
    min_dx = 0.45  # quarters: room for a two-digit number at print size
    out = []
    for j, ev in enumerate(sorted(events, key=lambda e: e["x"])):
        tier = next((t for t, x in enumerate(last_x) if ev["x"] - x >= min_dx), len(last_x))
        if tier == len(last_x):
            last_x.append(ev["x"])
        last_x[tier] = ev["x"]
        out.append((j + 1, ev, tier))
    return out


TIER_PT = 15.0  # printed height of one tier of event numbers


def _event_markers(ax, rows: list[tuple[int, dict, int]], bottom: float, band: float) -> None:
    """Each event: a dashed line up to a numbered marker above the data; the numbers are
    explained in a list below the chart."""
    unit = _pt_to_data_y(ax, TIER_PT)
    for number, ev, tier in rows:
        y = band + unit * (0.75 + tier)
        ax.plot([ev["x"], ev["x"]], [bottom, y - unit * 0.45], color=s.MUTED, linewidth=0.8,
                linestyle=(0, (3, 2)), zorder=0)
        ax.text(ev["x"], y, str(number), ha="center", va="center", fontsize=s.MIN_PT, color=s.INK,
                fontweight="bold", zorder=4,
                bbox={"boxstyle": "circle,pad=0.18", "facecolor": "white", "edgecolor": s.MUTED, "linewidth": 0.8})
    # the key, below the time axis: two columns when there are more than three events
    cols = 1 if len(rows) <= 3 else 2
    box = ax.get_position()
    fig_pt, axes_pt = ax.figure.get_figwidth() * 72, box.width * ax.figure.get_figwidth() * 72
    # the first column's entries end before the second begins; the last ones at the figure's edge
    rooms = [fig_pt * (1 - box.x0) - 4] if cols == 1 else [axes_pt * 0.52 - 8, fig_pt * (1 - box.x0) - axes_pt * 0.52 - 4]
    per_col = math.ceil(len(rows) / cols)
    line_pt = s.MIN_PT * 1.3
    for c in range(cols):
        y_pt = -34.0  # below the two-line quarter labels
        for number, ev, _tier in rows[c * per_col:(c + 1) * per_col]:
            text = _fit_lines(f"{number}  {ev['label']}", rooms[c], indent="    ")
            ax.annotate(text, xy=(c * 0.52, 0), xycoords="axes fraction", xytext=(0, y_pt),
                        textcoords="offset points", ha="left", va="top", fontsize=s.MIN_PT, color=s.INK)
            y_pt -= line_pt * (text.count("\n") + 1) + 3


def trend(d: dict):
    """Lines over quarters, labelled at their right end; events numbered above the data and
    listed below the chart."""
    x_labels, series, unit = d["x"], d["series"], d["unit"]
    n = len(x_labels)
    rows = _event_tiers(d.get("events", []))
    tiers = 1 + max((t for _, _, t in rows), default=-1)
    fig, ax = s.figure(1.65 + (0.25 + 0.2 * tiers if rows else 0))
    every = [v for ser in series for v in ser["values"] if v is not None] or [0.0]
    band = _nice_max(every)
    bottom = 0 if d.get("zero", True) else min(every) * 0.9
    top = band
    ax.set_ylim(bottom, top)
    if rows:  # a band above the data for the event numbers, tall enough for every tier
        need = TIER_PT * (tiers + 0.3)
        height_pt = ax.get_position().height * fig.get_figheight() * 72
        top = band + (band - bottom) * need / max(height_pt - need, 1)
    ax.set_ylim(bottom, top)
    ax.set_xlim(-0.4, n - 0.4 + (1.3 if series else 0))
    ends = []
    for k, ser in enumerate(series):
        colour = s.SERIES[k % len(s.SERIES)]
        xs, ys = [], []
        for i, v in enumerate(ser["values"] + [None]):  # a sentinel closes the last run
            if v is None:
                if xs:
                    ax.plot(xs, ys, color=colour, linewidth=2, marker="o", markersize=3.5, gid=DATA)
                xs, ys = [], []
                if i < n:
                    s.gap_label(ax, i, bottom + (band - bottom) * 0.06, ser["symbols"][i])
            else:
                xs.append(i)
                ys.append(v)
        _provisional_points(ax, ser, colour, 5)
        last = next((i for i in range(n - 1, -1, -1) if ser["values"][i] is not None), None)
        if last is not None:
            label = f"{_fmt(ser['values'][last], unit)}" + _flag(ser, last)
            if len(series) > 1:
                label = f"{ser['label']} {label}"
            ends.append((last, ser["values"][last], label, colour))
    # end labels: right of each line's last point, spread apart when two lines end close together
    heights = _spread([v for _, v, _, _ in ends], _pt_to_data_y(ax, s.MIN_PT * 1.45))
    for (last, value, label, colour), y in zip(ends, heights):
        ax.annotate(label, (last, value), xytext=(last + 0.18, y), textcoords="data",
                    va="center", color=colour, fontsize=s.MIN_PT, fontweight="bold")
    if rows:
        _event_markers(ax, rows, bottom, band)
    flagged = {i for ser in series for i, f in enumerate(ser.get("flags", [])) if _is_p(f)}
    ax.set_xticks(range(n), [lab.replace(" ", "\n") + ("\u00a0P" if i in flagged else "")
                             for i, lab in enumerate(x_labels)])
    _exact_ticks(ax.yaxis, unit, bottom, band)
    s.clean_axes(ax, grid="y")
    ax.spines["left"].set_visible(False)
    return fig


def diverging(d: dict):
    """Outcome ratings per domain: declined | same | improved, grouped, with n assessed."""
    groups = d["groups"]
    sequence = [label for g in groups for label in ["", *(r["label"] for r in g["rows"])]]  # a heading, its rows
    heights = _rows(sequence, 0.25, width=34)
    places, rows = iter(heights), (heights[0] if heights else 0) + 1
    drawn = [r for g in groups for r in g["rows"] if r["improved"] is not None]
    left = -max([r["declined"] + r["same"] / 2 for r in drawn] + [20]) - 15
    right = max([r["improved"] + r["same"] / 2 for r in drawn] + [40]) + 15
    n_x = right + 20
    fig, ax = s.figure(0.25 * rows + 0.7, left=0.36)
    ticks, tick_labels = [], []
    for g in groups:
        y = next(places)
        ax.annotate(g["name"].upper(), xy=(0, y), xycoords=("axes fraction", "data"), xytext=(-4, 0),
                    textcoords="offset points", ha="right", va="center", fontsize=s.MIN_PT,
                    fontweight="bold", color=s.MUTED)
        for r in g["rows"]:
            y = next(places)
            ticks.append(y)
            tick_labels.append(s.wrap(r["label"], 34))
            if r["improved"] is None:
                s.gap_label(ax, 0, y, r["symbol"])
            else:
                same, dec, imp = r["same"], r["declined"], r["improved"]
                ax.barh(y, dec, left=-same / 2 - dec, color=s.VERMILLION, height=0.66)
                ax.barh(y, same, left=-same / 2, color=s.NEUTRAL, height=0.66)
                ax.barh(y, imp, left=same / 2, color=s.BLUE, height=0.66)
                ax.text(same / 2 + imp + 1.2, y, formats.percent(imp, 0), va="center", fontsize=s.MIN_PT,
                        color=s.BLUE, fontweight="bold")
                ax.text(-same / 2 - dec - 1.2, y, formats.percent(dec, 0), va="center", ha="right",
                        fontsize=s.MIN_PT, color=s.VERMILLION)
            ax.text(n_x, y, r["n"], va="center", ha="right", fontsize=s.MIN_PT, color=s.MUTED)
    # the key above the bars (left) and the n column's heading (right), on one line
    handles = [Patch(color=s.VERMILLION, label="declined"), Patch(color=s.NEUTRAL, label="same"),
               Patch(color=s.BLUE, label="improved")]
    ax.legend(handles=handles, ncol=3, loc="lower left", bbox_to_anchor=(0, 1.0), frameon=False,
              fontsize=s.MIN_PT, handlelength=1.0, handletextpad=0.4, columnspacing=1.2, borderaxespad=0.2)
    ax.annotate("n assessed", xy=(1, 1), xycoords="axes fraction", xytext=(0, 5), textcoords="offset points",
                ha="right", va="bottom", fontsize=s.MIN_PT, color=s.MUTED)
    ax.plot([0, 0], [-0.5, rows - 1.5], color=s.INK, linewidth=0.6, zorder=3)
    ax.set_yticks(ticks, tick_labels)
    ax.set_xlim(left, n_x)
    ax.set_ylim(-0.6, rows - 0.4)
    ax.xaxis.set_visible(False)
    s.clean_axes(ax, x=False, y=False)
    return fig


def dots(d: dict):
    """One measure per region as dots, with the national value as a reference line. Each value
    is labelled on the side away from the national line, so the line never crosses a label."""
    labels, values, symbols, unit, national = d["labels"], d["values"], d["symbols"], d["unit"], d["national"]
    ys = _rows(labels, 0.18)
    span = (ys[0] if ys else 0) + 1
    fig, ax = s.figure(0.18 * span + 0.6, left=0.3)
    shown = [v for v in values if v is not None] + ([national] if national is not None else [])
    lo = min(shown + [0]) if unit != "percent" else max(0, min(shown + [100]) - 8)
    hi = max(shown + [1]) * 1.08 + (3 if unit == "percent" else 0)
    pad = (hi - lo) * 0.015
    for y, v, sym in zip(ys, values, symbols):
        ax.axhline(y, color=s.GRID, linewidth=0.8, zorder=0)
        if v is None:
            s.gap_label(ax, lo + (hi - lo) * 0.03, y, sym)
        elif national is not None and v < national:
            ax.plot([v], [y], "o", color=s.BLUE, markersize=6.5)
            ax.text(v - pad * 1.6, y, _fmt(v, unit), fontsize=s.MIN_PT, va="center", ha="right")
        else:
            ax.plot([v], [y], "o", color=s.BLUE, markersize=6.5)
            ax.text(v + pad * 1.6, y, _fmt(v, unit), fontsize=s.MIN_PT, va="center", ha="left")
    if national is not None:
        ax.plot([national, national], [-0.6, span - 0.45], color=s.VERMILLION, linewidth=1.2,
                linestyle=(0, (4, 2)), gid=DATA)
        ax.text(national, span - 0.35, f"{NATION} {_fmt(national, unit)}", color=s.VERMILLION,
                fontsize=s.MIN_PT, ha="center", va="bottom", fontweight="bold")
    ax.set_yticks(ys, [s.wrap(lab) for lab in labels])
    ax.set_xlim(lo, hi)
    ax.set_ylim(-0.6, span + 0.4)
    _exact_ticks(ax.xaxis, unit, lo, hi)
    s.clean_axes(ax, y=False)
    return fig


@functools.lru_cache(maxsize=4096)
def _ink_width(line: str, bold: bool) -> float:
    """The printed width of ``line`` at the minimum size (its glyphs' outlines), in points. Remembered: the
    wrapping below measures the same lines at many widths, and every trend chart has the same events."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextPath

    font = FontProperties(family=s.RC["font.sans-serif"], size=s.MIN_PT, weight="bold" if bold else "normal")
    return TextPath((0, 0), line, prop=font).get_extents().width


def _fit_lines(text: str, room_pt: float, *, indent: str = "", bold: bool = False) -> str:
    """``text`` wrapped so that, at the minimum size, each line fits ``room_pt`` (measured, not counted
    in characters: "Middle Eastern" is wider than "illicit")."""
    for width in range(len(text), 5, -1):
        lines = textwrap.wrap(text, width, subsequent_indent=indent) or [text]
        if max(_ink_width(line, bold) for line in lines) <= room_pt:
            return "\n".join(lines)
    return "\n".join(textwrap.wrap(text, 6, subsequent_indent=indent))


def _fit_title(text: str, room_pt: float) -> str:
    """``text`` wrapped so that, in bold at the minimum size, each line fits ``room_pt``."""
    return _fit_lines(text, room_pt, bold=True)


def _flag(ser: dict, i: int) -> str:
    """" P" after a value whose period is provisional (a member expected to report did not)."""
    flags = ser.get("flags") or []
    return "\u00a0P" if i < len(flags) and _is_p(flags[i]) else ""


def _is_p(flag: str | None) -> bool:
    return "P" in (flag or "").split()


def _provisional_points(ax, ser: dict, colour: str, size: float) -> None:
    """Provisional points drawn hollow, so that the P of the data table and the tick label is seen
    on the line as well (never by colour alone: the tick labels carry the P)."""
    for i, (v, f) in enumerate(zip(ser["values"], ser.get("flags") or [])):
        if _is_p(f) and v is not None:
            ax.plot([i], [v], marker="o", markersize=size, markerfacecolor="white", markeredgecolor=colour,
                    markeredgewidth=1.3, linestyle="none", gid=DATA, zorder=4)


def multiples(d: dict):
    """A small trend per panel (region), each on its own scale, gaps marked. The latest value
    stands beside the panel's name, above the plot, so it never sits on the line."""
    panels, x_labels = d["panels"], d["x"]
    cols = 4
    rows = math.ceil(len(panels) / cols)
    fig, axes = s.figure(0.85 * rows + 0.3, ncols=cols, nrows=rows, squeeze=False)
    fig.subplots_adjust(left=0.02, right=0.98, hspace=1.0, wspace=0.1)
    panel_pt = axes[0][0].get_position().width * s.WIDTH_IN * 72
    for k, ax in enumerate(axes.flat):
        if k >= len(panels):
            ax.set_visible(False)
            continue
        p = panels[k]
        vals = p["values"]
        shown = [v for v in vals if v is not None]
        top = max(shown + [1]) * 1.12
        xs, ys = [], []
        for i, v in enumerate(vals + [None]):
            if v is None:
                if xs:
                    ax.plot(xs, ys, color=s.BLUE, linewidth=1.6, gid=DATA)
                xs, ys = [], []
                if i < len(vals):
                    s.gap_label(ax, i, top * 0.5, p["symbols"][i])
            else:
                xs.append(i)
                ys.append(v)
        _provisional_points(ax, p, s.BLUE, 4)
        # the value beside the name is the last quarter's: none when that quarter is withheld (its
        # symbol stands on the axis), so an earlier quarter's figure is never read as the latest
        at = len(vals) - 1 if vals and vals[-1] is not None else None
        last = vals[at] if at is not None else None
        value = formats.count(last) + _flag(p, at) if last is not None else ""
        room = panel_pt - (len(value) * s.MIN_PT * 0.62 + 8 if value else 0)
        ax.set_title(_fit_title(p["label"], room), fontsize=s.MIN_PT, loc="left", pad=3, fontweight="bold")
        if value:
            ax.set_title(value, fontsize=s.MIN_PT, loc="right", pad=3, color=s.BLUE, fontweight="bold")
        ax.set_ylim(0, top)
        ax.set_xlim(-0.5, len(vals) - 0.5)
        ax.set_yticks([])
        below = k + cols < len(panels)  # a panel below carries the axis labels
        ax.set_xticks([0, len(vals) - 1], ["", ""] if below else [x_labels[0], x_labels[-1]])
        if not below:
            first, last_label = ax.get_xticklabels()
            first.set_horizontalalignment("left")
            last_label.set_horizontalalignment("right")
        s.clean_axes(ax, y=False)
    return fig


FIGURES = {"bars": bars, "trend": trend, "diverging": diverging, "dots": dots, "multiples": multiples}


def laid_out(kind: str, d: dict):
    """The drawn matplotlib figure of a chart (the caller closes it): for measuring."""
    with s.style():
        fig = FIGURES[kind](d)
        fig.canvas.draw()
        return fig


def _svg(kind: str):
    def draw(d: dict) -> bytes:
        with s.style():
            return s.to_svg(FIGURES[kind](d))

    draw.__name__ = kind
    draw.__doc__ = FIGURES[kind].__doc__
    return draw


DRAW = {kind: _svg(kind) for kind in FIGURES}

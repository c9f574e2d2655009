"""Drawing: a chart's plain data (``ChartSpec.draw``) → SVG bytes.

Each function reads only the JSON-like dict its spec carries, so a chart's
cache key can be a hash of that dict. Missing values (``None``) are gaps:
never drawn as zero, never bridged by a line, always marked with their symbol.
"""

from __future__ import annotations

import math
import textwrap

from .. import formats
from . import style as s


def _fmt(value: float, unit: str) -> str:
    if unit == "percent":
        return formats.percent(value, 0)
    return formats.ratio(value) if unit == "ratio" else formats.count(value)


def _nice_max(values: list[float]) -> float:
    top = max([v for v in values if v is not None] + [1])
    return top * 1.18


def bars(d: dict) -> bytes:
    """Horizontal bars, in the given order (first at the top), labelled directly."""
    labels, values, symbols, unit = d["labels"], d["values"], d["symbols"], d["unit"]
    n = len(labels)
    with s.style():
        fig, ax = s.figure(0.29 * n + 0.35 + 0.14 * sum(len(lab) > 26 for lab in labels), left=0.3)
        top = _nice_max(values)
        for i, (v, sym) in enumerate(zip(values, symbols)):
            y = n - 1 - i
            if v is None:
                s.gap_label(ax, top * 0.02, y, sym, ha="left")
                continue
            ax.barh(y, v, color=d.get("color", s.BLUE), height=0.68)
            ax.text(v + top * 0.01, y, _fmt(v, unit), va="center", fontsize=s.MIN_PT)
        ax.set_yticks(range(n), [s.wrap(lab) for lab in reversed(labels)])
        ax.set_xlim(0, top)
        ax.set_ylim(-0.6, n - 0.4)
        ax.xaxis.set_visible(False)
        s.clean_axes(ax, x=False)
        return s.to_svg(fig)


def trend(d: dict) -> bytes:
    """Lines over quarters, labelled at their right end; events marked on the time axis."""
    x_labels, series, unit = d["x"], d["series"], d["unit"]
    n = len(x_labels)
    events = d.get("events", [])
    with s.style():
        fig, ax = s.figure(2.9 if events else 2.5)
        every = [v for ser in series for v in ser["values"] if v is not None]
        top = _nice_max(every)
        bottom = 0 if d.get("zero", True) else min(every) * 0.9
        for k, ser in enumerate(series):
            colour = s.SERIES[k % len(s.SERIES)]
            xs, ys = [], []
            for i, v in enumerate(ser["values"] + [None]):  # a sentinel closes the last run
                if v is None:
                    if xs:
                        ax.plot(xs, ys, color=colour, linewidth=2, marker="o", markersize=3.5)
                    xs, ys = [], []
                    if i < n:
                        s.gap_label(ax, i, bottom + (top - bottom) * 0.06, ser["symbols"][i])
                else:
                    xs.append(i)
                    ys.append(v)
            last = next((i for i in range(n - 1, -1, -1) if ser["values"][i] is not None), None)
            if last is not None:
                label = f"{_fmt(ser['values'][last], unit)}"
                if len(series) > 1:
                    label = f"{ser['label']} {label}"
                ax.annotate(label, (last, ser["values"][last]), xytext=(6, 0), textcoords="offset points",
                            va="center", color=colour, fontsize=s.MIN_PT, fontweight="bold")
        band = top
        if events:  # labels live in a band above the data, in two staggered tiers
            top = top * 1.42 if bottom == 0 else top + (top - bottom) * 0.42
            tiers = (band + (top - band) * 0.95, band + (top - band) * 0.45)
            for j, ev in enumerate(events):
                ax.plot([ev["x"], ev["x"]], [bottom, tiers[j % 2]], color=s.MUTED, linewidth=0.8,
                        linestyle=(0, (3, 2)), zorder=0)
                ax.text(ev["x"] + 0.05, tiers[j % 2], textwrap.fill(ev["label"], 20), fontsize=s.MIN_PT,
                        color=s.MUTED, va="top", ha="left", zorder=4,
                        bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5})
        ax.set_xticks(range(n), [lab.replace(" ", "\n") for lab in x_labels])
        ax.set_xlim(-0.4, n - 0.4 + (1.3 if series else 0))
        ax.set_ylim(bottom, top)
        ax.set_yticks([t for t in ax.get_yticks() if bottom <= t <= band])
        ax.yaxis.set_major_formatter(lambda v, _pos: _fmt(v, unit))
        s.clean_axes(ax, grid="y")
        ax.spines["left"].set_visible(False)
        return s.to_svg(fig)


def diverging(d: dict) -> bytes:
    """Outcome ratings per domain: declined | same | improved, grouped, with n assessed."""
    groups = d["groups"]
    rows = sum(len(g["rows"]) for g in groups) + len(groups)
    drawn = [r for g in groups for r in g["rows"] if r["improved"] is not None]
    left = -max([r["declined"] + r["same"] / 2 for r in drawn] + [20]) - 15
    right = max([r["improved"] + r["same"] / 2 for r in drawn] + [40]) + 9
    n_x = right + 22
    with s.style():
        fig, ax = s.figure(0.25 * rows + 0.55, left=0.36)
        y = rows - 1
        ticks, tick_labels = [], []
        for g in groups:
            ax.annotate(g["name"].upper(), xy=(0, y), xycoords=("axes fraction", "data"), xytext=(-4, 0),
                        textcoords="offset points", ha="right", va="center", fontsize=s.MIN_PT,
                        fontweight="bold", color=s.MUTED)
            y -= 1
            for r in g["rows"]:
                ticks.append(y)
                tick_labels.append(r["label"])
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
                y -= 1
        head = rows - 0.1
        ax.text(n_x, head, "n assessed", ha="right", va="bottom", fontsize=s.MIN_PT, color=s.MUTED)
        ax.text(left + 1, head, "« declined", ha="left", va="bottom", fontsize=s.MIN_PT,
                color=s.VERMILLION, fontweight="bold")
        ax.text(0, head, "same", ha="center", va="bottom", fontsize=s.MIN_PT, color=s.MUTED, fontweight="bold")
        ax.text(right - 1, head, "improved »", ha="right", va="bottom", fontsize=s.MIN_PT, color=s.BLUE,
                fontweight="bold")
        ax.plot([0, 0], [-0.5, rows - 1.5], color=s.INK, linewidth=0.6, zorder=3)
        ax.set_yticks(ticks, tick_labels)
        ax.set_xlim(left, n_x)
        ax.set_ylim(-0.6, rows + 0.5)
        ax.xaxis.set_visible(False)
        s.clean_axes(ax, x=False, y=False)
        return s.to_svg(fig)


def dots(d: dict) -> bytes:
    """One measure per region as dots, with the national value as a reference line."""
    labels, values, symbols, unit, national = d["labels"], d["values"], d["symbols"], d["unit"], d["national"]
    n = len(labels)
    with s.style():
        fig, ax = s.figure(0.27 * n + 0.6, left=0.3)
        shown = [v for v in values if v is not None] + ([national] if national is not None else [])
        lo = min(shown + [0]) if unit != "percent" else max(0, min(shown) - 8)
        hi = max(shown + [1]) * 1.08 + (3 if unit == "percent" else 0)
        for i, (v, sym) in enumerate(zip(values, symbols)):
            y = n - 1 - i
            ax.axhline(y, color=s.GRID, linewidth=0.8, zorder=0)
            if v is None:
                s.gap_label(ax, lo + (hi - lo) * 0.03, y, sym)
            else:
                ax.plot([v], [y], "o", color=s.BLUE, markersize=6.5)
                ax.text(v + (hi - lo) * 0.015, y + 0.32, _fmt(v, unit), fontsize=s.MIN_PT, va="center")
        if national is not None:
            ax.axvline(national, color=s.VERMILLION, linewidth=1.2, linestyle=(0, (4, 2)))
            ax.text(national, n - 0.2, f"New Zealand {_fmt(national, unit)}", color=s.VERMILLION,
                    fontsize=s.MIN_PT, ha="center", va="bottom", fontweight="bold")
        ax.set_yticks(range(n), [s.wrap(lab) for lab in reversed(labels)])
        ax.set_xlim(lo, hi)
        ax.set_ylim(-0.6, n + 0.3)
        ax.xaxis.set_major_formatter(lambda v, _pos: _fmt(v, unit))
        s.clean_axes(ax, y=False)
        return s.to_svg(fig)


def multiples(d: dict) -> bytes:
    """A small trend per panel (region), each on its own scale, gaps marked."""
    panels, x_labels = d["panels"], d["x"]
    cols = 4
    rows = math.ceil(len(panels) / cols)
    with s.style():
        fig, axes = s.figure(1.25 * rows + 0.2, ncols=cols, nrows=rows, squeeze=False)
        for k, ax in enumerate(axes.flat):
            if k >= len(panels):
                ax.set_visible(False)
                continue
            p = panels[k]
            vals = p["values"]
            shown = [v for v in vals if v is not None]
            top = max(shown + [1]) * 1.25
            xs, ys = [], []
            for i, v in enumerate(vals + [None]):
                if v is None:
                    if xs:
                        ax.plot(xs, ys, color=s.BLUE, linewidth=1.6)
                    xs, ys = [], []
                    if i < len(vals):
                        s.gap_label(ax, i, top * 0.5, p["symbols"][i])
                else:
                    xs.append(i)
                    ys.append(v)
            ax.set_title(p["label"], fontsize=s.MIN_PT, loc="left", pad=2, fontweight="bold")
            last = next((v for v in reversed(vals) if v is not None), None)
            if last is not None:
                ax.text(len(vals) - 1, top * 0.97, formats.count(last), ha="right", va="top", fontsize=s.MIN_PT,
                        color=s.BLUE)
            ax.set_ylim(0, top)
            ax.set_xlim(-0.5, len(vals) - 0.5)
            ax.set_yticks([])
            ax.set_xticks([0, len(vals) - 1], [x_labels[0], x_labels[-1]] if k >= len(panels) - cols else ["", ""])
            s.clean_axes(ax, y=False)
        fig.subplots_adjust(hspace=0.55, wspace=0.15)
        return s.to_svg(fig)


DRAW = {"bars": bars, "trend": trend, "diverging": diverging, "dots": dots, "multiples": multiples}

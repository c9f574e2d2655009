"""House style for every chart, in one place.

- Colours: the Okabe–Ito palette, distinguishable with the common colour-vision
  deficiencies; meaning never rests on colour alone (labels are direct).
- Type: Noto Sans (with te reo Māori macrons), never below 9 pt at printed size.
  Figures are drawn 6.3 in wide and printed at the A4 text width (170 mm ≈ 6.7 in),
  so sizes here are at least the printed size.
- Output: SVG with text kept as text (searchable, read by screen readers),
  a fixed hash salt and no date metadata, so the same data give the same bytes.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

STYLE_VERSION = "5"  # bump when the look changes: it is part of every chart's cache key

INK = "#1a1a1a"
MUTED = "#6b6b6b"
GRID = "#e3e3e3"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
GREEN = "#009E73"
ORANGE = "#E69F00"
SKY = "#56B4E9"
PURPLE = "#CC79A7"
NEUTRAL = "#b8b8b8"
SERIES = [BLUE, VERMILLION, GREEN, ORANGE, PURPLE, SKY]

WIDTH_IN = 6.3
MIN_PT = 9.0
TEXT_PT = 9.5

RC = {
    "font.family": "sans-serif",
    "font.sans-serif": ["Noto Sans", "DejaVu Sans"],
    "font.size": TEXT_PT,
    "axes.titlesize": TEXT_PT,
    "axes.labelsize": TEXT_PT,
    "xtick.labelsize": MIN_PT,
    "ytick.labelsize": MIN_PT,
    "legend.fontsize": MIN_PT,
    "axes.edgecolor": MUTED,
    "axes.labelcolor": INK,
    "text.color": INK,
    "xtick.color": INK,
    "ytick.color": INK,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "svg.hashsalt": "reportgen",
    "svg.fonttype": "none",
    "figure.dpi": 100,
}


def figure(height_in: float, *, ncols: int = 1, nrows: int = 1, left: float | None = None, **kwargs):
    """A new figure in house style (call inside ``style()``).

    ``left`` reserves that fraction of the width for row labels, so long labels stay
    inside the figure and the chart is never scaled down (and its type shrunk) on print.
    """
    fig, ax = plt.subplots(nrows, ncols, figsize=(WIDTH_IN, height_in), **kwargs)
    if left is not None:
        fig.subplots_adjust(left=left, right=0.97)
    return fig, ax


def style():
    return plt.rc_context(RC)


def clean_axes(ax, *, x: bool = True, y: bool = True, grid: str | None = None) -> None:
    """Quiet axes: no box, optional light grid lines behind the data."""
    ax.spines["left"].set_visible(y)
    ax.spines["bottom"].set_visible(x)
    ax.tick_params(length=0)
    if grid:
        ax.grid(axis=grid, color=GRID, linewidth=0.8)
        ax.set_axisbelow(True)


def gap_label(ax, x, y, symbol: str, **kwargs) -> None:
    """Mark a suppressed or confidential value where it would have been drawn."""
    kwargs.setdefault("ha", "center")
    kwargs.setdefault("va", "center")
    ax.text(x, y, symbol, color=MUTED, fontsize=MIN_PT, fontweight="bold", **kwargs)


def wrap(label: str, width: int = 26) -> str:
    """Long category labels on two lines, so the plot keeps its width and type size."""
    import textwrap

    return "\n".join(textwrap.wrap(label, width)) or label


def to_svg(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight",
                pad_inches=0.05)
    plt.close(fig)
    return buf.getvalue()

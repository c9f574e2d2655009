"""Charts stage: published values → figures (SVG), alt text and data tables.

Charts read only the ``PublishedStore``: a suppressed or confidential cell is
drawn as a gap marked with its symbol, never as zero. Output is deterministic
(fixed SVG hash salt, no date metadata), so the same data give the same bytes.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from .aggregate import NATIONAL  # noqa: E402
from .config import Config  # noqa: E402
from .confidentiality import Published, PublishedStore  # noqa: E402
from .periods import Period  # noqa: E402

# house style: one place for colours and type (Okabe–Ito, colour-blind safe)
PALETTE = {"main": "#0072B2", "accent": "#D55E00", "muted": "#999999", "text": "#1a1a1a",
           "grid": "#e6e6e6"}
FONT = ["Noto Sans", "DejaVu Sans", "sans-serif"]
STYLE = {
    "font.family": "sans-serif",
    "font.sans-serif": FONT,
    "font.size": 9.5,
    "axes.titlesize": 11,
    "axes.edgecolor": PALETTE["muted"],
    "axes.labelcolor": PALETTE["text"],
    "xtick.color": PALETTE["text"],
    "ytick.color": PALETTE["text"],
    "svg.hashsalt": "reportgen",
    "svg.fonttype": "none",  # text stays text: searchable and read by screen readers
}


@dataclass
class Chart:
    id: str
    title: str  # states the finding
    subtitle: str  # the measure and period
    caption: str
    alt: str  # generated from the data
    svg: bytes
    table_header: list[str] = field(default_factory=list)
    table_rows: list[list[str]] = field(default_factory=list)
    source: str = "Source: member submissions to the federation, aggregated and confidentialised."
    number: int = 0


def _svg(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def needs_chart(store: PublishedStore, config: Config, period: Period, scope: str = NATIONAL) -> Chart:
    """Horizontal bars: each need's share of clients, largest first."""
    codes = list(config.dimensions["need"].categories)
    shares: list[tuple[str, Published, Published]] = []
    for code in codes:
        shares.append((config.category_label("need", code),
                       store.share("clients", "need", code, scope=scope, period=period),
                       store.get("clients", "need", code, scope=scope, period=period)))
    shown = sorted(shares, key=lambda s: (-(s[1].value or -1) if s[1].is_number else 1, s[0]))
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(6.3, 0.28 * len(shown) + 0.6))
        labels = [s[0] for s in shown][::-1]
        values = [s[1] for s in shown][::-1]
        for i, v in enumerate(values):
            if v.is_number:
                ax.barh(i, v.value, color=PALETTE["main"], height=0.7)
                ax.text(v.value + 0.6, i, f"{v.value:.0f} %", va="center", fontsize=9, color=PALETTE["text"])
            else:
                ax.text(0.6, i, v.symbol, va="center", fontsize=9, color=PALETTE["muted"])
        ax.set_yticks(range(len(labels)), labels)
        ax.set_xlim(0, max([v.value for v in values if v.is_number] + [10]) * 1.15)
        ax.xaxis.set_visible(False)
        for side in ("top", "right", "bottom"):
            ax.spines[side].set_visible(False)
        ax.tick_params(axis="y", length=0)
        svg = _svg(fig)
    top = [s for s in shown if s[1].is_number][:3]
    where = "nationally" if scope == NATIONAL else f"in {config.region_label(scope)}"
    if top:
        lead = ", ".join(f"{label.lower()} {share}" for label, share, _ in top)
        alt = (f"Bar chart of the share of clients by reason for seeking support {where}, "
               f"{period.label()}. The most common reasons were {lead}.")
        title = f"{top[0][0]} was the most common reason people sought support"
    else:
        alt = f"Bar chart of reasons for seeking support {where}; all values are suppressed."
        title = "Reasons people sought support"
    return Chart(
        id=f"needs-{scope.lower()}",
        title=title,
        subtitle=f"Share of clients by reason for seeking support, {period.label()}",
        caption="People can give more than one reason, so shares add up to more than 100 %.",
        alt=alt,
        svg=svg,
        table_header=["Reason", "Clients", "Share of clients"],
        table_rows=[[label, str(count), str(share)] for label, share, count in shown],
    )


def make_charts(store: PublishedStore, config: Config, period: Period) -> list[Chart]:
    charts = [needs_chart(store, config, period)]
    for n, chart in enumerate(charts, start=1):
        chart.number = n
    return charts

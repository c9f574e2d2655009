"""The dashboard's breakdown pages (issue 27): who the people supported were and why they came —
by reason for seeking support, age group and ethnicity (config ``dashboard.breakdowns``) — for the
nation (``dashboard/breakdowns/index.html``) and for every published region
(``dashboard/breakdowns/<CODE>.html``).

Each breakdown is a bar chart of the quarter's shares of clients, read from the published store
(computed from unrounded counts, withheld under the minimum base), with its alternative text, its
data table (share, count and the share a year earlier) and a CSV of exactly what it shows. The
categories keep the classification's order (ethnicity in the standard output order, age groups
youngest first), the same on every page, so regions compare at a glance.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from markupsafe import Markup

from ..core import formats
from ..core.catalogue import NATION
from ..core.config import Config
from ..core.periods import Period
from ..disclosure.confidentiality import PublishedStore
from ..disclosure.published import PROVISIONAL
from ..disclosure.rules import Rules
from ..statistics.aggregate import NATIONAL
from .pages import DashChart, Link, PageContext, _csv
from .release_details import release_details
from .svg import LAYOUTS, Bar, bar_chart

MEASURE = "clients"


@dataclass(frozen=True, kw_only=True)
class BreakdownPageContext(PageContext):
    """The breakdowns of one scope: the nation or a published region."""

    scope: str
    scope_name: str
    charts: list[DashChart]
    scope_href: str  # the scope's own page (overview or region), relative to this page
    regions: list[Link]  # the nation's page: every published region's breakdown page


def dimensions(config: Config) -> list[str]:
    """The breakdowns shown: those of the config that clients are counted by."""
    allowed = set(config.measures[MEASURE].dimensions) if MEASURE in config.measures else set()
    return [d for d in config.dashboard.breakdowns if d in allowed and d in config.dimensions]


def breakdown_chart(store: PublishedStore, config: Config, scope: str, period: Period, dimension: str,
                    root: str) -> tuple[DashChart, bytes]:
    """One breakdown's chart, table and CSV."""
    dim = config.dimensions[dimension]
    where = NATION if scope == NATIONAL else config.region_label(scope)
    earlier = period.year_earlier()
    cells = [(code, label, store.share(MEASURE, dimension, code, scope=scope, period=period),
              store.get(MEASURE, dimension, code, scope=scope, period=period),
              store.share(MEASURE, dimension, code, scope=scope, period=earlier))
             for code, label in dim.categories.items()]
    # a provisional quarter is said once, in the chart's subtitle and the table's heading, not after every bar
    provisional = bool(store.flag(scope, period)) and all(
        PROVISIONAL in p.flag.split() for _, _, share, count, _ in cells for p in (share, count) if p.is_number)

    def shown(p) -> str:
        if not provisional or p.symbol:
            return p.shown()
        rest = " ".join(f for f in p.flag.split() if f != PROVISIONAL)
        return p.display() + (f"\u00a0{rest}" if rest else "")

    rows, bars, csv_rows = [], [], []
    for code, label, share, count, before in cells:
        bars.append(Bar(label, float(share.value) if share.is_number else None, shown(share)))
        rows.append([label, shown(share), shown(count), before.shown()])
        csv_rows.append([code, label, share.symbol or formats.plain(share.value, share.kind),
                         count.symbol or formats.plain(count.value, count.kind), before.symbol
                         or formats.plain(before.value, before.kind), " ".join(share.flag.split())])
    noun = dim.label[0].lower() + dim.label[1:]
    title = f"Clients by {noun}, {where}, {period.label()}"
    chart_id = f"{dimension}-{scope.lower()}"
    shown = "; ".join(f"{b.label} {b.shown}" for b in bars)
    desc = (f"Bar chart of the share of clients by {noun} in {where}, {period.label()}, as a percentage of the "
            f"people supported: {shown}.")
    held = sorted({b.shown for b in bars if b.value is None})
    if held:
        desc += f" Not published for confidentiality: shown as {', '.join(held)}."
    if provisional:
        desc += f" Every figure is provisional ({PROVISIONAL}): a member expected to report did not."
    note = " ".join(p for p in (dim.note or "", "Shares are worked out from unrounded counts; counts are "
                                f"{Rules.of(config).rounding_phrase()}.") if p)
    marked = f" (provisional, {PROVISIONAL})" if provisional else ""
    svg = "".join(bar_chart(bars, colour=config.dashboard.accent, title=title, desc=desc, chart_id=chart_id,
                            layout=layout) for layout in LAYOUTS)
    header = [dim.label, f"Share of clients{marked}", f"Clients{marked}", f"Share, {earlier.label()}"]
    csv_name = f"data/{chart_id}.csv"
    data = _csv(["category", "label", "share_percent", "clients", f"share_percent_{earlier}", "flags"], csv_rows)
    provisional_note = (f"{PROVISIONAL}: provisional — a member expected to report did not, so every figure of "
                        f"{period.label()} here may rise when it does." if provisional else "")
    chart = DashChart(chart_id, title, f"Share of clients by {noun}, {where}, {period.label()}{marked}", Markup(svg),
                      desc, note, [], header, rows, root + csv_name, csv_name, provisional_note)
    return chart, data


def breakdown_pages(store: PublishedStore, config: Config, period: Period, published: list[str], common: dict,
                    nav, logo: str, files: dict[str, bytes]) -> list[BreakdownPageContext]:
    """The nation's breakdown page and every published region's; their CSVs go into ``files``."""
    dims = dimensions(config)
    if not dims:
        return []
    out = []
    for scope in [NATIONAL, *published]:
        root = "../"
        where = NATION if scope == NATIONAL else config.region_label(scope)
        charts = []
        for dimension in dims:
            chart, data = breakdown_chart(store, config, scope, period, dimension, root)
            if chart.provisional and any(c.provisional == chart.provisional for c in charts):
                chart = replace(chart, provisional="")  # said once on the page, under the first chart
            charts.append(chart)
            files[f"dashboard/{chart.csv_name}"] = data
        name = "index" if scope == NATIONAL else scope
        cov = store.coverage.get(scope, period)
        provisional = (f" The quarter is provisional (P) here: {len(cov.missing)} expected member"
                       f"{'s' * (len(cov.missing) != 1)} did not report." if cov.provisional else "")
        out.append(BreakdownPageContext(
            **common, name=f"dashboard/breakdowns/{name}", template="dashboard/breakdowns.html.j2", root=root,
            logo=(root + logo) if logo else "", title=f"Who they were and why they came: {where}, {period.label()}",
            description=f"{config.dashboard.title}: clients by {', '.join(config.dimensions[d].label.lower() for d in dims)}, "
                        f"{where}, {period.label()}",
            nav=nav(root), coverage=cov.text(), sentences=[s for s in [provisional.strip()] if s],
            release=release_details(config, period, root),
            scope=scope, scope_name=where, charts=charts,
            scope_href=root + ("index.html" if scope == NATIONAL else f"regions/{scope}.html"),
            regions=[Link(f"{code}.html", config.region_label(code)) for code in published] if scope == NATIONAL else []))
    return out

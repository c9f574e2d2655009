"""The quarterly dashboard's pages: what each page shows, computed (the templates only format).

A static site in the bundle's ``dashboard/`` folder: an overview (the
quarter's headline figures, a trend chart per headline measure, what changed
in sentences computed from the data, the policy events), one page per
published region, and a page saying why the others are not shown. Every
chart has its alternative text, its data table and a CSV of exactly what it
shows. Links are relative, so the website can host the folder anywhere or
embed a page in an iframe; the pages work without script.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field, replace

from markupsafe import Markup

from ..charts.specs import _event_positions
from ..core import formats
from ..core.catalogue import NATION
from ..core.config import Config
from ..core.periods import Period
from ..disclosure.confidentiality import PublishedStore
from ..disclosure.published import SYMBOLS
from ..disclosure.rules import Rules
from ..figures.materiality import Cell, Judge
from ..runtime.provenance import describe
from ..statistics.aggregate import NATIONAL
from .release_details import ReleaseDetails, release_details
from .svg import LAYOUTS, Series, line_chart

COLOURS_SECOND = "#b35900"  # a second series (hours): orange, distinguishable in greyscale by its labels


@dataclass(frozen=True)
class Figure:
    """A headline figure: label, value (with its flag) and what it did, like for like."""

    label: str
    value: str
    change: str  # a sentence, computed


@dataclass(frozen=True)
class DashChart:
    """A chart of a page: its finding as title, SVG, alt text, note, data table and CSV file."""

    id: str
    title: str
    subtitle: str
    svg: Markup
    alt: str
    note: str
    events: list[tuple[int, str]]  # (number on the chart, what happened)
    table_header: list[str]
    table_rows: list[list[str]]
    csv_href: str  # relative to the page
    csv_name: str  # relative to dashboard/
    provisional: str = ""  # the note on provisional (P) quarters: given once per page, under the first chart


@dataclass(frozen=True)
class Link:
    href: str
    label: str
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class PageContext:
    """Every dashboard page (``templates/dashboard/``)."""

    name: str  # the page's path in the bundle without its ending: "dashboard/index", "dashboard/regions/AKL"
    template: str
    pdf: bool = False  # dashboard pages are for the web only
    language: str
    title: str
    description: str
    version: str
    period_label: str
    site_name: str
    site_title: str
    accent: str
    ink: str
    logo: str  # relative href of the logo, or ""
    logo_alt: str
    root: str  # relative prefix from the page to dashboard/: "" or "../"
    nav: list[Link]
    symbols: dict[str, str]
    synthetic: bool
    css: Markup
    protection: str  # how the figures are protected, from the config's rules (disclosure/rules.py)
    coverage: str
    sentences: list[str]  # what changed, computed from the data
    release: ReleaseDetails  # when released, the next release, licence, contact, how to cite, downloads (issue 27)
    governance: list[str] = field(default_factory=list)  # how the data were governed: the reviews (issue 27)


@dataclass(frozen=True, kw_only=True)
class ScopePageContext(PageContext):
    """The overview (the nation) or a region's page."""

    scope: str
    scope_name: str
    figures: list[Figure]
    charts: list[DashChart]
    events: list
    regions: list[Link] = field(default_factory=list)  # the overview's list of region pages
    breakdowns_href: str = ""  # the scope's breakdown page (issue 27), relative to this page


@dataclass(frozen=True, kw_only=True)
class NotPublishedContext(PageContext):
    """Why some regions are not shown."""

    regions: list[tuple[str, str]]  # (region name, reason)
    region_rule: str  # why a region may not be shown (the config's minimum of members)




def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")  # a byte-order mark: Excel then reads the macrons


@dataclass(frozen=True)
class Changes:
    """A headline measure's like-for-like changes this quarter, in words: the year-on-year change (the one to
    lead with: same season) and the change on the previous quarter (not seasonally adjusted), each judged
    for materiality and, on the quarter, against the usual quarter-to-quarter variation."""

    year: str  # "up 5 %", "little changed (+1 %)", or "" when it cannot be given like for like
    year_caveat: str  # one member's flagged movement makes most of it, or ""
    quarter: str  # "up 8 %", or ""
    usual: str  # "within the usual quarter-to-quarter variation (between -7 % and +13 % a quarter over …)", or ""


def changes(store: PublishedStore, config: Config, measure: str, scope: str, q: Period,
            judge: Judge | None = None) -> Changes:
    judge = judge or Judge(store, config)
    words = {}
    for name, base in (("year", q.year_earlier()), ("quarter", q.previous())):
        c = store.like_for_like(measure, scope=scope, period=q, base=base)
        cell = Cell(measure, scope=scope, period=q, what="change", base=base)
        if not c.is_number:
            words[name] = ""
        elif abs(c.value) < config.materiality.change_percent:
            words[name] = f"little changed ({formats.change(c.value)})"
        else:
            words[name] = formats.words(c.value)
        if name == "year" and c.is_number and judge.change(c, cell, internal=False).material:
            driver = judge.driver(measure, "total", "", scope, q, base)
            caveat = driver.caveat if driver else ""
        elif name == "year":
            caveat = ""
        else:
            usual = judge.usual_variation(measure, scope, q)
            note = ""
            if c.is_number and usual is not None:
                inside = "within" if usual.contains(c.value) else "outside"
                note = f"{inside} the usual quarter-to-quarter variation ({usual.words()})"
    return Changes(words["year"], caveat, words["quarter"], note)


def _figure(store: PublishedStore, config: Config, measure: str, scope: str, q: Period,
            judge: Judge | None = None) -> Figure:
    """A headline figure and what it did: the year-on-year change first, like for like, then the previous
    quarter's, said to be not seasonally adjusted."""
    label = config.measures[measure].label
    c = changes(store, config, measure, scope, q, judge)
    if c.year:
        change = f"{c.year} on a year earlier, like for like" + (f" ({c.year_caveat})" if c.year_caveat else "") + "."
    else:
        change = "No like-for-like change on a year earlier can be given (a member joined, left or did not report)."
    if c.quarter:
        change += (f" On the previous quarter: {c.quarter}" + (f", {c.usual}" if c.usual else "")
                   + "; not seasonally adjusted.")
    return Figure(label, store.get(measure, scope=scope, period=q).shown(), change[0].upper() + change[1:])


def sentences(store: PublishedStore, config: Config, scope: str, q: Period, judge: Judge | None = None) -> list[str]:
    """What changed this quarter, computed: never a change across a missing return; the year-on-year change
    (the same season) first, the previous quarter's second, said to be not seasonally adjusted and set against
    the usual quarter-to-quarter variation."""
    cov = store.coverage.get(scope, q)
    out = [cov.sentence(q.label())]
    if cov.provisional:
        n = len(cov.missing)
        out.append(f"The quarter's figures are provisional (P): {n} expected member{'s' if n != 1 else ''} did "
                   "not report, so a fall in them is not a fall in need.")
    for measure in config.dashboard.headline:
        if measure not in config.measures:
            continue
        c = changes(store, config, measure, scope, q, judge)
        noun = config.measures[measure].label.lower()
        if c.year:
            out.append(f"Among the members that reported in both quarters, {noun} were {c.year} on "
                       f"{q.year_earlier().label()}" + (f": {c.year_caveat}" if c.year_caveat else "") + ".")
        if c.quarter:
            out.append(f"Against {q.previous().label()} they were {c.quarter} like for like"
                       + (f", {c.usual}" if c.usual else "") + "; the figures are not seasonally adjusted.")
    housing = store.share("clients", "need", "housing", scope=scope, period=q) if "clients" in config.measures \
        and "need" in config.dimensions and "housing" in config.dimensions["need"].categories else None
    if housing is not None and housing.is_number:
        before = store.share("clients", "need", "housing", scope=scope, period=q.year_earlier())
        tail = f", against {before.shown()} a year earlier" if before.is_number else ""
        out.append(f"{housing.shown()} of the people supported sought help with housing{tail}.")
    return out


def _chart(store: PublishedStore, config: Config, events: list, scope: str, quarters: list[Period],
           measure: str, root: str, judge: Judge | None = None) -> tuple[DashChart, bytes]:
    name = NATION if scope == NATIONAL else config.region_label(scope)
    label = config.measures[measure].label
    vals = [store.get(measure, scope=scope, period=q) for q in quarters]
    x = [q.axis_label() for q in quarters]
    marked = _event_positions(events, quarters)
    numbered = [(i + 1, e["label"]) for i, e in enumerate(marked)]
    chart_id = f"{measure}-{scope.lower()}"
    shown = [(x[i], v) for i, v in enumerate(vals) if v.is_number]
    last = quarters[-1]
    year = changes(store, config, measure, scope, last, judge).year
    title = f"{label}, {name}, each quarter"
    if year:
        title = f"{label} were {year} on a year earlier in {last.axis_label()}, like for like"
    desc = f"Line chart of {label.lower()} each quarter in {name}, {x[0]} to {x[-1]}."
    if shown:
        high = max(shown, key=lambda p: p[1].value)
        desc += (f" {shown[-1][1]} in {shown[-1][0]}; the highest was {high[1]} in {high[0]}.")
    gaps = [x[i] for i, v in enumerate(vals) if not v.is_number]
    if gaps:
        desc += f" Not published in {', '.join(gaps)} ({', '.join(sorted({v.symbol for v in vals if v.symbol}))})."
    flagged = [x[i] for i, v in enumerate(vals) if "P" in v.flag.split()]
    note = f"Counts are {Rules.of(config).rounding_phrase()}."
    p_note = ""
    if flagged:
        p_note = (f"Provisional (P) in {', '.join(flagged)}: a member expected to report did not, so a dip "
                  "there is not a change in need.")
        desc += " " + p_note
    if numbered:
        desc += " Policy events: " + "; ".join(f"{n}, {t}" for n, t in numbered) + "."
    series = Series(label, [float(v.value) if v.is_number else None for v in vals], [v.symbol for v in vals],
                    [v.flag.split() for v in vals])
    svg = "".join(line_chart(x, [series], unit="count", events=[(e["x"], i + 1) for i, e in enumerate(marked)],
                             colours=[config.dashboard.accent], title=title, desc=desc, chart_id=chart_id,
                             layout=layout) for layout in LAYOUTS)  # wide, and narrow for phones
    header = ["Quarter", label, "Flags"]
    rows = [[q.label(), v.symbol or formats.plain(v.value, v.kind), " ".join(v.flag.split())]
            for q, v in zip(quarters, vals)]
    csv_name = f"data/{chart_id}.csv"
    table = [[row[0], v.shown(), row[2]] for row, v in zip(rows, vals)]
    chart = DashChart(chart_id, title, f"{label} each quarter, {name}", Markup(svg), desc, note, numbered,
                      header, table, root + csv_name, csv_name, p_note)
    return chart, _csv(header, rows)


def pages(store: PublishedStore, metrics, config: Config, period: Period, events: list,
          css: str, logo: str, *, judge: Judge | None = None) -> tuple[list[PageContext], dict[str, bytes]]:
    """Every page's context, and the files beside them (each chart's CSV)."""
    quarters = [Period.parse(p) for p in store.periods if Period.parse(p).is_quarter and Period.parse(p) <= period]
    barred = metrics.not_published_regions(period)
    published = [code for code in config.regions if code not in barred]
    files: dict[str, bytes] = {}
    common = dict(language=config.report.language, version=describe(), period_label=period.label(),
                  site_name=config.dashboard.name, site_title=config.dashboard.title, accent=config.dashboard.accent,
                  ink=config.dashboard.ink, logo_alt=config.dashboard.logo_alt, symbols=SYMBOLS,
                  synthetic=config.report.sample_data, css=Markup(css),
                  protection=Rules.of(config).reader_note())

    def nav(root: str) -> list[Link]:
        return [Link(f"{root}index.html", "Overview"), Link(f"{root}breakdowns/index.html", "Breakdowns"),
                Link(f"{root}not-published.html", "Regions not shown"), Link(f"{root}downloads.html", "Downloads")]

    def scope_page(scope: str, root: str, name: str, template: str) -> ScopePageContext:
        charts = []
        for measure in config.dashboard.headline:
            if measure in config.measures:
                chart, data = _chart(store, config, events, scope, quarters, measure, root, judge)
                if chart.provisional and any(c.provisional == chart.provisional for c in charts):
                    chart = replace(chart, provisional="")  # said once, under the first chart it concerns
                charts.append(chart)
                files[f"dashboard/{chart.csv_name}"] = data
        where = NATION if scope == NATIONAL else config.region_label(scope)
        return ScopePageContext(
            **common, name=name, template=template, root=root, logo=(root + logo) if logo else "",
            title=f"{where}: {period.label()}", description=f"{config.dashboard.title}: {where}, {period.label()}",
            nav=nav(root), coverage=store.coverage.get(scope, period).text(),
            release=release_details(config, period, root),
            breakdowns_href=f"{root}breakdowns/{'index' if scope == NATIONAL else scope}.html",
            sentences=sentences(store, config, scope, period, judge), scope=scope, scope_name=where,
            figures=[_figure(store, config, m, scope, period, judge) for m in config.dashboard.headline
                     if m in config.measures],
            charts=charts, events=[e for e in events if quarters and quarters[0].first_day() <= e.date],
            regions=[Link(f"regions/{c}.html", config.region_label(c)) for c in published] if scope == NATIONAL else [])

    out: list[PageContext] = [scope_page(NATIONAL, "", "dashboard/index", "dashboard/overview.html.j2")]
    out += [scope_page(code, "../", f"dashboard/regions/{code}", "dashboard/region.html.j2") for code in published]
    out.append(NotPublishedContext(
        **common, name="dashboard/not-published", template="dashboard/not-published.html.j2", root="",
        logo=logo, title=f"Regions not shown: {period.label()}",
        description=f"{config.dashboard.title}: why some regions are not shown, {period.label()}",
        nav=nav(""), coverage=store.coverage.get(NATIONAL, period).text(), sentences=[],
        release=release_details(config, period, ""),
        regions=[(config.region_label(code), why) for code, why in barred.items()],
        region_rule=Rules.of(config).region_rule()))
    return out, files

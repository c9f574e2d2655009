"""Assemble the published documents: the national report and, per region, a brief.

Each function gathers a template's context from the stages' results and renders
it. Templates format; everything they show is computed here or earlier, from
the one PublishedStore. The context each template receives is documented in
docs/templates.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import __version__
from .aggregate import NATIONAL, Aggregates
from .config import Config
from .confidentiality import SYMBOLS, PublishedStore
from .periods import Period
from .render_html import Document, render

# The report's narrative sections, in reading order: (section name, heading).
# The section name keys both the narrative (sections.<name>) and the charts.
SECTIONS = [("demographics", "Who came to us"), ("needs", "Why they came"), ("services", "What we did"),
            ("outcomes", "What changed for them"), ("regions", "The regional picture")]


@dataclass
class KeyFigure:
    """One headline figure: its formatted value and what it counts."""

    value: str
    label: str
    national: str = ""  # the same figure for Aotearoa New Zealand (briefs only)


@dataclass
class RegionRow:
    """One line of the regional table: formatted figures, or why the region is not published."""

    code: str
    name: str
    members: str
    figures: list[str]
    published: bool
    reason: str = ""
    brief: str = ""  # relative link to the region's brief, when it has one


@dataclass
class Download:
    """A published data file, linked relative to the document."""

    href: str
    label: str


@dataclass
class ContentsEntry:
    anchor: str
    heading: str


def by_section(charts) -> dict[str, list]:
    out: dict[str, list] = {}
    for chart in charts:
        out.setdefault(chart.section, []).append(chart)
    return out


def _key_figures(store: PublishedStore, period: Period, scope: str, *, against_national: bool) -> list[KeyFigure]:
    def one(value, national, label: str) -> KeyFigure:
        return KeyFigure(value.display(), label, national.display() if against_national else "")

    base = period.year_earlier()
    figs = []
    for measure, label in (("clients", "people supported"), ("new_clients", "came to us for the first time"),
                           ("sessions", "sessions delivered")):
        figs.append(one(store.get(measure, scope=scope, period=period),
                        store.get(measure, period=period), label))
    if against_national:
        figs.append(one(store.change("clients", scope=scope, period=period, base=base),
                        store.change("clients", period=period, base=base),
                        f"change in people supported since {base.label()}"))
        figs.append(one(store.share("clients", "need", "housing", scope=scope, period=period),
                        store.share("clients", "need", "housing", period=period),
                        "of people supported needed help with housing"))
    return figs


REGION_COLUMNS = ["Members reporting", "People supported", "New clients", "Sessions", "Change in people supported"]


def region_rows(config: Config, period: Period, store: PublishedStore, metrics) -> list[RegionRow]:
    """Every region, in the configured order, then Aotearoa New Zealand; unpublished regions keep
    their line with the reason instead of figures."""
    barred = metrics.not_published_regions()
    base = period.year_earlier()
    rows = []
    for code in [*config.regions, NATIONAL]:
        n, expected = metrics.members_reporting(code)
        name = "Aotearoa New Zealand" if code == NATIONAL else config.region_label(code)
        if code in barred:
            rows.append(RegionRow(code, name, f"{n} of {expected}", [], False, reason=barred[code]))
            continue
        figures = [store.get(m, scope=code, period=period).display() for m in ("clients", "new_clients", "sessions")]
        figures.append(store.change("clients", scope=code, period=period, base=base).display())
        rows.append(RegionRow(code, name, f"{n} of {expected}", figures, True,
                              brief="" if code == NATIONAL else f"briefs/{code}.html"))
    return rows


# The tables a brief links to: those behind its key figures and charts.
BRIEF_TABLES = ("clients", "new_clients", "sessions", "clients_by_need", "change_percent_vs_year_earlier")


def downloads(store: PublishedStore, metrics, config: Config, prefix: str,
              only: tuple[str, ...] | None = None) -> list[Download]:
    """Links to the published tables (never to internal/), relative to the document."""
    from .tables import table_titles  # the same names tables.py writes

    out = [Download(f"{prefix}tables/tables.xlsx", "All tables, one sheet each, with notes (Excel)")]
    out += [Download(f"{prefix}tables/{name}.csv", f"{title} (CSV)")
            for name, title in table_titles(metrics, config) if only is None or name in only]
    return out


def _notes(config: Config, period: Period, agg: Aggregates, scope: str = NATIONAL) -> dict:
    first, second = period.quarters()
    return {
        "coverage": f"{agg.reporting.get(scope, 0)} of {agg.expected_by_scope.get(scope, agg.expected)} "
                    f"members reported for {period.label()}.",
        "period_definition": (f"{period.label()} is the half-year made of the quarters {first.label()} and "
                              f"{second.label()}. Changes compare with the same half a year earlier, "
                              f"{period.year_earlier().label()}."),
        "rounding": ("Counts are randomly rounded to a multiple of "
                     f"{config.confidentiality.rounding_base}, so parts may not add up to totals. Counts below "
                     f"{config.confidentiality.suppress_below} are suppressed. Percentages and ratios are "
                     "computed from unrounded figures and are not shown when their base is under "
                     f"{config.confidentiality.min_denominator}. A region is published only when at least "
                     f"{config.confidentiality.min_members} members report for it."),
        "ethnicity": ("Ethnicity is total response: a person who identifies with more than one ethnic group "
                      "is counted in each, so the groups add up to more than the total."),
        "summed": ("Some members sent only quarterly client counts. For them the half-year figure is the sum "
                   "of the two quarters, which may count some people twice."
                   if len(agg.summed_from_quarters) else ""),
    }


@dataclass
class StoryGroup:
    theme: str  # a need's label, "Other voices", or "Withheld from this draft"
    stories: list


def story_groups(stories: list, config: Config) -> list[StoryGroup]:
    """Published stories woven together by theme: grouped under their first theme, themes in the
    catalogue's order of needs; withheld boxes (drafts only) last."""
    order = list(config.dimensions["need"].categories.values()) if "need" in config.dimensions else []
    groups: dict[str, list] = {}
    for story in stories:
        if story.state != "published":
            continue
        groups.setdefault(story.themes[0] if story.themes else "Other voices", []).append(story)
    ranked = sorted(groups, key=lambda t: (order.index(t) if t in order else len(order), t))
    out = [StoryGroup(theme, groups[theme]) for theme in ranked]
    withheld = [st for st in stories if st.state != "published"]
    if withheld:
        out.append(StoryGroup("Withheld from this draft", withheld))
    return out


def _common(config: Config, period: Period, report, review: dict | None) -> dict:
    return {
        "language": config.report.language,
        "version": __version__,
        "period_label": period.label(),
        "report": report,
        "story_groups": story_groups(getattr(report, "stories", []) or [], config),
        "numbered": bool(config.report.numbered_paragraphs),
        "symbols": SYMBOLS,
        "synthetic": config.report.sample_data,
        "review": review,
    }


def report_context(config: Config, period: Period, agg: Aggregates, store: PublishedStore,
                   report, charts, events, metrics=None, *, review: dict | None = None) -> dict:
    not_published = metrics.not_published_regions() if metrics else {}
    notes = _notes(config, period, agg)
    sections = [(name, heading) for name, heading in SECTIONS]
    contents = [ContentsEntry("summary", "Executive summary")]
    if report.findings_html:
        contents.append(ContentsEntry("findings", "Key findings"))
    contents += [ContentsEntry(name, heading) for name, heading in sections]
    if report.stories:
        contents.append(ContentsEntry("stories", "In their own words"))
    contents.append(ContentsEntry("policy", "The policy context"))
    if report.recommendations_html:
        contents.append(ContentsEntry("recommendations", "Recommendations"))
    contents += [ContentsEntry("notes", "Methodology and data notes"),
                 ContentsEntry("appendix", "Appendix: data tables")]
    return {
        **_common(config, period, report, review),
        "title": report.title,
        "description": f"{report.subtitle or report.title}, {period.label()}",
        "charts": charts,
        "charts_by_section": by_section(charts),
        "sections": sections,
        "contents": contents,
        "events": events,
        "key_figures": _key_figures(store, period, NATIONAL, against_national=False),
        "region_columns": REGION_COLUMNS,
        "region_rows": region_rows(config, period, store, metrics) if metrics else [],
        "not_published": [(config.region_label(code), why) for code, why in not_published.items()],
        "coverage": notes["coverage"] + "".join(f" Not published: {config.region_label(code)} — {why}."
                                                for code, why in not_published.items()),
        "summed_note": notes["summed"],
        "notes": notes,
        "downloads": downloads(store, metrics, config, "") if metrics else [],
    }


def national_report(config: Config, period: Period, agg: Aggregates, store: PublishedStore, report, charts,
                    events, metrics, *, review: dict | None = None) -> Document:
    html = render(config, "report.html.j2",
                  report_context(config, period, agg, store, report, charts, events, metrics, review=review))
    return Document("report", report.title, html)


def brief_context(config: Config, period: Period, agg: Aggregates, store: PublishedStore, report, charts,
                  metrics, code: str, *, review: dict | None = None) -> dict:
    name = config.region_label(code)
    stories = [s for s in report.stories if s.state == "published" and s.region == code]
    notes = _notes(config, period, agg, code)
    return {
        **_common(config, period, report, review),
        "numbered": False,  # numbered paragraphs are the national report's (select-committee style)
        "title": f"{name}: regional brief",
        "description": f"{report.title} — regional brief for {name}, {period.label()}",
        "region_code": code,
        "region_name": name,
        "commentary": report.regions.get(code),
        "charts": charts,
        "charts_by_section": by_section(charts),
        "key_figures": _key_figures(store, period, code, against_national=True),
        "stories": stories,
        "notes": notes,
        "downloads": downloads(store, metrics, config, "../", only=BRIEF_TABLES),
        "report_link": "../report.html",
    }


def regional_brief(config: Config, period: Period, agg: Aggregates, store: PublishedStore, report, charts,
                   metrics, code: str, *, review: dict | None = None) -> Document:
    context = brief_context(config, period, agg, store, report, charts, metrics, code, review=review)
    return Document(f"briefs/{code}", context["title"], render(config, "brief.html.j2", context))


def regional_briefs(config: Config, period: Period, agg: Aggregates, store: PublishedStore, report, events,
                    metrics, *, cache=None, review: dict | None = None) -> list[Document]:
    """One brief per region with at least ``min_members`` members reporting, in the configured order."""
    from .charts import make_region_charts

    return [regional_brief(config, period, agg, store, report,
                           make_region_charts(store, config, period, agg.quarters, events, code, cache=cache),
                           metrics, code, review=review)
            for code in metrics.eligible_regions()]

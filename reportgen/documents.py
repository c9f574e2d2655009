"""The published documents: each one's template context, gathered; then its HTML.

``contexts`` gathers the context of the national report and of every
regional brief (``context.py``) from the stages' results — it is part of the
``Publication``. ``render`` turns one context into HTML (``render_html``),
with a draft's review marks when there are some. Templates format;
everything they show is computed here or earlier, from the one
PublishedStore (docs/templates.md).
"""

from __future__ import annotations

from . import __version__
from .aggregate import NATIONAL, Aggregates
from .config import Config
from .confidentiality import SYMBOLS, Published, PublishedStore
from .context import (BriefContext, DocumentContext, Download, KeyFigure, Part, RegionRow, ReportContext, Review,
                      StoryGroup, variables)
from .methodology import notes
from .periods import Period
from .render_html import Document, render as render_template

# The national report, in reading order: the contents list and the body both follow it.
# The five data sections (kind "data") key both the narrative (sections.<anchor>) and the charts.
OUTLINE: tuple[Part, ...] = (
    Part("summary", "Executive summary", "summary"),
    Part("findings", "Key findings", "findings"),
    Part("demographics", "Who came to us", "data"),
    Part("needs", "Why they came", "data"),
    Part("services", "What we did", "data"),
    Part("outcomes", "What changed for them", "data"),
    Part("regions", "The regional picture", "data"),
    Part("stories", "In their own words", "stories"),
    Part("policy", "The policy context", "policy"),
    Part("recommendations", "Recommendations", "recommendations"),
    Part("notes", "Methodology and data notes", "notes"),
    Part("appendix", "Appendix: data tables", "appendix"),
)
REGION_COLUMNS = ["Members reporting", "People supported", "New clients", "Sessions",
                  "Change in people supported, like for like"]
# The tables a brief links to: those behind its key figures and charts.
BRIEF_TABLES = ("clients", "new_clients", "sessions", "clients_by_need", "change_percent_vs_year_earlier")


def outline(report) -> list[Part]:
    """The parts the report has: key findings, stories and recommendations only when written."""
    present = {"findings": bool(report.findings_html), "stories": bool(report.stories),
               "recommendations": bool(report.recommendations_html)}
    return [part for part in OUTLINE if present.get(part.kind, True)]


def by_section(charts) -> dict[str, list]:
    out: dict[str, list] = {}
    for chart in charts:
        out.setdefault(chart.section, []).append(chart)
    return out


def shown(p: Published) -> str:
    """A published figure as a reader sees it in a document: its value or symbol, and its flag
    (P, provisional) after a no-break space."""
    return p.display() + (f"\u00a0{p.flag}" if p.flag and not p.symbol else "")


def key_figures(store: PublishedStore, period: Period, scope: str, *, against_national: bool) -> list[KeyFigure]:
    def one(value, national, label: str) -> KeyFigure:
        return KeyFigure(shown(value), label, shown(national) if against_national else "")

    base = period.year_earlier()
    figs = []
    for measure, label in (("clients", "people supported"), ("new_clients", "came to us for the first time"),
                           ("sessions", "sessions delivered")):
        figs.append(one(store.get(measure, scope=scope, period=period),
                        store.get(measure, period=period), label))
    if against_national:
        figs.append(one(store.like_for_like("clients", scope=scope, period=period, base=base),
                        store.like_for_like("clients", period=period, base=base),
                        f"change in people supported since {base.label()}, like for like"))
        figs.append(one(store.share("clients", "need", "housing", scope=scope, period=period),
                        store.share("clients", "need", "housing", period=period),
                        "of people supported needed help with housing"))
    return figs


def region_rows(config: Config, period: Period, store: PublishedStore, metrics) -> list[RegionRow]:
    """Every region, in the configured order, then Aotearoa New Zealand; unpublished regions keep
    their line with the reason instead of figures."""
    barred = metrics.not_published_regions()
    base = period.year_earlier()
    rows = []
    for code in [*config.regions, NATIONAL]:
        n, expected = metrics.members_reporting(code)
        members = f"{n} of {expected}" + ("\u00a0P" if store.flag(code, period) else "")
        name = "Aotearoa New Zealand" if code == NATIONAL else config.region_label(code)
        if code in barred:
            rows.append(RegionRow(code, name, members, [], False, reason=barred[code]))
            continue
        figures = [shown(store.get(m, scope=code, period=period)) for m in ("clients", "new_clients", "sessions")]
        figures.append(shown(store.like_for_like("clients", scope=code, period=period, base=base)))
        rows.append(RegionRow(code, name, members, figures, True,
                              brief="" if code == NATIONAL else f"briefs/{code}.html"))
    return rows


def downloads(metrics, config: Config, prefix: str, only: tuple[str, ...] | None = None) -> list[Download]:
    """Links to the published tables (never to internal/), relative to the document."""
    from .tables import table_titles  # the same names tables.py writes

    out = [Download(f"{prefix}tables/tables.xlsx", "All tables, one sheet each, with notes (Excel)")]
    out += [Download(f"{prefix}tables/{name}.csv", f"{title} (CSV)")
            for name, title in table_titles(metrics, config) if only is None or name in only]
    return out


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


def _common(config: Config, period: Period, report) -> dict:
    return {"language": config.report.language, "version": __version__, "period_label": period.label(),
            "report": report, "symbols": SYMBOLS, "synthetic": config.report.sample_data}


def report_context(config: Config, period: Period, agg: Aggregates, store: PublishedStore, metrics, report,
                   charts: list, events: list) -> ReportContext:
    not_published = metrics.not_published_regions()
    data_notes = notes(config, period, agg)
    return ReportContext(
        **_common(config, period, report),
        name="report", template="report.html.j2",
        title=report.title,
        description=f"{report.subtitle or report.title}, {period.label()}",
        numbered=bool(config.report.numbered_paragraphs),
        notes=data_notes,
        downloads=downloads(metrics, config, ""),
        charts=charts,
        charts_by_section=by_section(charts),
        outline=outline(report),
        key_figures=key_figures(store, period, NATIONAL, against_national=False),
        events=events,
        region_columns=REGION_COLUMNS,
        region_rows=region_rows(config, period, store, metrics),
        not_published=[(config.region_label(code), why) for code, why in not_published.items()],
        coverage=data_notes.coverage + "".join(f" Not published: {config.region_label(code)} — {why}."
                                               for code, why in not_published.items()),
        story_groups=story_groups(report.stories, config),
    )


def brief_context(config: Config, period: Period, agg: Aggregates, store: PublishedStore, metrics, report,
                  charts: list, code: str) -> BriefContext:
    name = config.region_label(code)
    return BriefContext(
        **_common(config, period, report),
        name=f"briefs/{code}", template="brief.html.j2",
        title=f"{name}: regional brief",
        description=f"{report.title} — regional brief for {name}, {period.label()}",
        numbered=False,  # numbered paragraphs are the national report's (select-committee style)
        notes=notes(config, period, agg, code),
        downloads=downloads(metrics, config, "../", only=BRIEF_TABLES),
        charts=charts,
        charts_by_section=by_section(charts),
        region_code=code,
        region_name=name,
        commentary=report.regions.get(code),
        stories=[s for s in report.stories if s.state == "published" and s.region == code],
        key_figures=key_figures(store, period, code, against_national=True),
        report_link="../report.html",
    )


def contexts(config: Config, period: Period, agg: Aggregates, store: PublishedStore, metrics, report,
             charts, events: list) -> tuple[DocumentContext, ...]:
    """The national report's context, then one brief's per region with enough members reporting
    (``charts.regions``, in the configured order)."""
    return (report_context(config, period, agg, store, metrics, report, list(charts.national), events),
            *[brief_context(config, period, agg, store, metrics, report, list(region_charts), code)
              for code, region_charts in charts.regions.items()])


def render(config: Config, context: DocumentContext, review: Review | None = None) -> Document:
    """One document's HTML, with a draft's review marks when ``review`` is given."""
    return Document(context.name, context.title,
                    render_template(config, context.template, {**variables(context), "review": review}))

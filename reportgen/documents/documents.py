"""The published documents: each one's template context, gathered; then its HTML.

``contexts`` gathers the context of the national report and of every
regional brief (``context.py``) from the stages' results — it is part of the
``Publication``. ``render`` turns one context into HTML (``render_html``),
with a draft's review marks when there are some. Templates format;
everything they show is computed here or earlier, from the one
PublishedStore (docs/templates.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..core import formats
from ..core.config import Config
from ..core.periods import Period
from ..core.release_calendar import next_release_text, release_of
from ..disclosure.confidentiality import PublishedStore
from ..disclosure.published import PROVISIONAL, SYMBOLS
from ..figures.materiality import Cell, Judge
from ..figures.methodology import notes
from ..runtime.provenance import describe
from ..statistics.aggregate import NATIONAL, Aggregates
from . import language
from .context import (
    BriefContext,
    DocumentContext,
    Download,
    Imprint,
    KeyFigure,
    Part,
    RegionRow,
    ReportContext,
    Review,
    StoryGroup,
    variables,
)
from .render_html import Document
from .render_html import render as render_template

if TYPE_CHECKING:
    from .context import TemplateContext

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
BRIEF_TABLES = ("clients", "clients_by_need", "like_for_like_vs_year_earlier")


def outline(report) -> list[Part]:
    """The parts the report has: key findings, stories and recommendations only when written."""
    present = {"findings": bool(report.findings_html), "stories": bool(report.stories),
               "recommendations": bool(report.recommendations_html)}
    return [part for part in OUTLINE if present.get(part.kind, True)]


def by_section(charts) -> dict[str, list]:
    """The charts of each section, in order. A note on provisional (P) quarters is given once per
    section: with the first chart that needs it, not repeated under every later one (each chart's
    alt text and data table still say which quarters are provisional)."""
    from dataclasses import replace

    out: dict[str, list] = {}
    noted: dict[str, set[str]] = {}
    for chart in charts:
        said = noted.setdefault(chart.section, set())
        if chart.provisional and chart.provisional in said:
            chart = replace(chart, spec=replace(chart.spec, provisional=""))
        said.add(chart.provisional)
        out.setdefault(chart.section, []).append(chart)
    return out




def key_figures(store: PublishedStore, period: Period, scope: str, *, against_national: bool,
                judge: Judge | None = None) -> list[KeyFigure]:
    """The headline figures. The change in people supported says, in its label, when most of it comes from
    one member's flagged large movement (``figures/materiality.py``)."""
    def one(value, national, label: str) -> KeyFigure:
        return KeyFigure(value.shown(), label, national.shown() if against_national else "")

    base = period.year_earlier()
    figs = []
    for measure, label in (("clients", "people supported"), ("new_clients", "came to us for the first time"),
                           ("sessions", "sessions delivered")):
        figs.append(one(store.get(measure, scope=scope, period=period),
                        store.get(measure, period=period), label))
    if against_national:
        change = store.like_for_like("clients", scope=scope, period=period, base=base)
        driver = judge.driver("clients", "total", "", scope, period, base) if judge is not None and \
            judge.change(change, Cell("clients", scope=scope, period=period, what="change", base=base),
                         internal=False).material else None
        label = f"change in people supported since {base.label()}, like for like"
        if driver is not None:
            label += f" ({driver.caveat})"
        figs.append(one(change, store.like_for_like("clients", period=period, base=base), label))
        figs.append(one(store.share("clients", "need", "housing", scope=scope, period=period),
                        store.share("clients", "need", "housing", period=period),
                        "of people supported needed help with housing"))
    return figs


def region_rows(config: Config, period: Period, store: PublishedStore, metrics) -> list[RegionRow]:
    """Every region, in the configured order, then Aotearoa New Zealand; an unpublished region keeps its
    line, its figures C as everywhere else (one state, one symbol), and its reason under the table."""
    barred = metrics.not_published_regions()
    base = period.year_earlier()
    rows = []
    for code in [*config.regions, NATIONAL]:
        members = metrics.agg.coverage.get(code, period).text() + ("\u00a0P" if store.flag(code, period) else "")
        name = "Aotearoa New Zealand" if code == NATIONAL else config.region_label(code)
        figures = [store.get(m, scope=code, period=period).shown() for m in ("clients", "new_clients", "sessions")]
        figures.append(store.like_for_like("clients", scope=code, period=period, base=base).shown())
        if code in barred:
            rows.append(RegionRow(code, name, members, figures, False, reason=barred[code]))
            continue
        rows.append(RegionRow(code, name, members, figures, True,
                              brief="" if code == NATIONAL else f"{config.publication.base_url or ''}briefs/{code}.html"))
    return rows


def downloads(metrics, config: Config, prefix: str, only: tuple[str, ...] | None = None) -> list[Download]:
    """Links to the published tables (never to internal/): relative to the document, or absolute
    under ``publication.base_url`` when the config gives the website's address."""
    from ..datafiles.tables import table_titles  # the same names tables.py writes

    prefix = config.publication.base_url or prefix
    out = [Download(f"{prefix}tables/tables.xlsx", "All tables, one sheet each, with notes (Excel)",
                    "tables/tables.xlsx")]
    out += [Download(f"{prefix}tables/{name}.csv", f"{title} (CSV)", f"tables/{name}.csv")
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


def imprint(config: Config, period: Period, report) -> Imprint:
    """What the release carries, from config ``publication`` (the narrative's publisher and
    publication date when the config leaves them out)."""
    pub = config.publication
    publisher = pub.publisher or report.publisher
    when = pub.release_date or report.publication_date
    release, release_iso = pub.release_text(report.publication_date)
    if pub.release_date is None and (listed := release_of(config, period)) is not None:  # the release calendar
        release, release_iso = listed.text, listed.iso
    year = str(when.year if when is not None else period.year)
    where = f"{pub.base_url}report.html" if pub.base_url else ""
    title = language.plain(report.title)
    citation = pub.citation.format(publisher=publisher, year=year, title=title, period=period.label(),
                                   where=where).strip()
    citation = " ".join(citation.split()).removesuffix(".") + "."
    return Imprint(publisher=publisher, contact=pub.contact or "", contact_phone=pub.contact_phone or "",
                   licence=pub.licence, licence_url=pub.licence_link, citation=citation, issn=pub.issn or "",
                   release=release, release_iso=release_iso, next_release=next_release_text(config, period),
                   base_url=pub.base_url or "")


def _top_needs(store: PublishedStore, config: Config, period: Period, scope: str, judge: Judge | None = None):
    """The most common stated need(s) in ``scope`` by published share, highest first: every need whose
    share is not clearly below the highest is named with it (a tie, or a lead within the materiality
    threshold, is no lead: ``figures/materiality.py``)."""
    from ..charts.specs import residual_rank

    if "need" not in config.dimensions:
        return [], None
    judge = judge or Judge(store, config)
    shares = [(code, label, store.share("clients", "need", code, scope=scope, period=period))
              for code, label in config.dimensions["need"].categories.items() if not residual_rank(code)]
    shown = [s for s in shares if s[2].is_number]
    if not shown:
        return [], None
    best = max(shown, key=lambda s: s[2].value)[2]
    top = [s for s in shown if s[2].value == best.value
           or not judge.difference(best, None, s[2], None, internal=False).material]
    return sorted(top, key=lambda s: -s[2].value), shown


def brief_summary(config: Config, period: Period, store: PublishedStore, code: str,
                  judge: Judge | None = None) -> list[str]:
    """A few sentences for a region without commentary, each true of the published figures it
    quotes (and left out when a figure it needs is suppressed): a change is called one only when it is
    material, and carries the caveat when one member's flagged movement makes most of it; a comparison
    with the nation says "about the same" within the materiality threshold (``figures/materiality.py``)."""
    judge = judge or Judge(store, config)
    name = config.region_label(code)
    base = period.year_earlier()
    out = []
    clients = store.get("clients", scope=code, period=period)
    # like for like (over the members that reported in both half-years), as the key figures are
    change = store.like_for_like("clients", scope=code, period=period, base=base)
    if clients.is_number:
        sentence = f"In {period.label()} members in {name} supported {clients.display()} people"
        if change.is_number:
            cell = Cell("clients", scope=code, period=period, what="change", base=base)
            if judge.change(change, cell, internal=False).material:
                driver = judge.driver("clients", "total", "", code, period, base)
                sentence += (f", {formats.words(change.value)} on {base.label()} like for like (members that "
                             f"reported in both{'; ' + driver.caveat if driver else ''})")
            else:
                sentence += (f", about as many as in {base.label()} like for like (members that reported in both: "
                             f"{formats.change(change.value)}, little changed)")
        out.append(sentence + ".")
    new = store.get("new_clients", scope=code, period=period)
    sessions = store.get("sessions", scope=code, period=period)
    if new.is_number and sessions.is_number:
        out.append(f"{new.display()} people came to a member for the first time, and members delivered "
                   f"{sessions.display()} sessions.")
    # no flag inside a sentence (issue 23): the figures' P is said once, in words
    if any(PROVISIONAL in p.flag.split() for p in (clients, new, sessions) if p.is_number):
        out.append("These figures are provisional: a member expected to report did not.")
    top, _ = _top_needs(store, config, period, code, judge)
    if top:
        labels = [label.lower() for _, label, _ in top]
        what = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]
        share = top[0][2]
        national = [store.share("clients", "need", c, scope=NATIONAL, period=period) for c, _, _ in top]
        noun = "reason" if len(top) == 1 else "reasons"
        verb = "was" if len(top) == 1 else "were"
        values = [str(s) for _, _, s in top]
        shares = (values[0] if len(set(values)) == 1 else ", ".join(values[:-1]) + " and " + values[-1])
        each = " each" if len(top) > 1 and len(set(values)) == 1 else ""
        sentence = f"The most common {noun} people sought support {verb} {what} ({shares}{each} of clients"
        if len(top) == 1 and national[0].is_number:
            nat = national[0].value
            compare = ("about the same as" if not judge.difference(share, None, national[0], None).material else
                       "higher than" if share.value > nat else "lower than")
            sentence += f", {compare} the national {national[0]}"
        out.append(sentence + ").")
    housing = store.share("clients", "need", "housing", scope=code, period=period)
    housing_nat = store.share("clients", "need", "housing", period=period)
    if housing.is_number and housing_nat.is_number and not any(c == "housing" for c, _, _ in top):
        compare = ("about as often as" if not judge.difference(housing, None, housing_nat, None).material else
                   "more often than" if housing.value > housing_nat.value else "less often than")
        out.append(f"{housing} of clients needed help with housing, {compare} across Aotearoa New Zealand "
                   f"({housing_nat}).")
    if not out and clients.symbol:  # every figure a sentence would quote is withheld: say so, in words
        word, _, why = SYMBOLS.get(clients.symbol, "not published").partition(": ")
        out.append(f"The figures for {name} in {period.label()} are {word}{f' ({why})' if why else ''}, so that "
                   "no person or member can be identified: the data notes explain why.")
    return out


def _common(config: Config, period: Period, report) -> dict:
    return {"language": config.report.language, "version": describe(), "period_label": period.label(),
            "report": report, "symbols": SYMBOLS, "synthetic": config.report.sample_data,
            "imprint": imprint(config, period, report)}


def report_context(config: Config, period: Period, agg: Aggregates, store: PublishedStore, metrics, report,
                   charts: list, events: list, governance: list[str] | None = None) -> ReportContext:
    not_published = metrics.not_published_regions()
    data_notes = notes(config, period, agg, dominated=metrics.dominated_regions(period))
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
        governance=governance or [],
        review_items=tuple(i for i in report.review if i.scope in ("report", "story")),
    )


def brief_context(config: Config, period: Period, agg: Aggregates, store: PublishedStore, metrics, report,
                  charts: list, code: str, judge: Judge | None = None) -> BriefContext:
    name = config.region_label(code)
    return BriefContext(
        **_common(config, period, report),
        name=f"briefs/{code}", template="brief.html.j2",
        title=f"{name}: regional brief",
        description=f"{report.title} — regional brief for {name}, {period.label()}",
        numbered=False,  # numbered paragraphs are the national report's (select-committee style)
        notes=notes(config, period, agg, code, dominated=metrics.dominated_regions(period)),
        downloads=downloads(metrics, config, "../", only=BRIEF_TABLES),
        charts=charts,
        charts_by_section=by_section(charts),
        region_code=code,
        region_name=name,
        commentary=report.regions.get(code),
        stories=[s for s in report.stories if s.state == "published" and s.region == code],
        key_figures=key_figures(store, period, code, against_national=True, judge=judge),
        report_link=f"{config.publication.base_url or '../'}report.html",
        summary=brief_summary(config, period, store, code, judge),
        review_items=tuple(i for i in report.review if i.scope == code or (i.scope == "story" and i.region == code)),
    )


def contexts(config: Config, period: Period, agg: Aggregates, store: PublishedStore, metrics, report,
             charts, events: list, *, judge: Judge | None = None) -> tuple[DocumentContext, ...]:
    """The national report's context, then one brief's per region with enough members reporting
    (``charts.regions``, in the configured order). ``judge``: the build's (``figures/materiality.py``)."""
    from .governance import governance_sentences, review_status, texts_of

    every_chart = [*charts.national, *(c for region in charts.regions.values() for c in region)]
    statuses = review_status(config, period, store, texts_of(report, every_chart))
    return (report_context(config, period, agg, store, metrics, report, list(charts.national), events,
                           governance_sentences(statuses)),
            *[brief_context(config, period, agg, store, metrics, report, list(region_charts), code, judge)
              for code, region_charts in charts.regions.items()])


def render(config: Config, context: TemplateContext, review: Review | None = None, *, for_print: bool = False
           ) -> Document:
    """One document's HTML, with a draft's review marks when ``review`` is given; ``for_print``: the HTML
    laid out as PDF, without what print never shows (the templates' ``for_print``). Phrases in te reo
    Māori (the config's glossary, an editor's ``[[mi: …]]``) are tagged with their language."""
    html = render_template(config, context.template, {**variables(context), "review": review, "for_print": for_print})
    html = language.tag_html(html, config.glossary.phrases(), document_lang=config.report.language)
    return Document(context.name, language.plain(context.title), html, for_print=for_print)

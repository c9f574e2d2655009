"""Gather: everything a build publishes, computed once, as one frozen ``Publication``.

    load_inputs:  register, events → load → validate → aggregate
    gather:       confidentialise → metrics → narratives → charts → document contexts

``reportgen check`` is the same gather stopped after the narratives (no chart
is drawn, no document rendered). A build releases the Publication as a
preview, a numbered draft or a final (``release/modes.py``): the three differ only
in how they render and write it, never in what it holds.

Stages that read only the data are cached under a key of exactly what they
read (``cache.py``): an edit to a story recomputes no figure.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from .core.config import Config
from .core.findings import Finding, StageFailed
from .core.periods import Period
from .runtime.run import Run

if TYPE_CHECKING:  # the stages import pandas and matplotlib: only when they run
    from .charts import ChartCache, Charts
    from .dashboard_site.pages import PageContext
    from .disclosure.confidentiality import PublishedStore
    from .documents.context import DocumentContext, MemberContext
    from .figures.metrics import Metrics
    from .figures.revisions import Revisions
    from .inputs.register import Event
    from .inputs.validate import ValidData
    from .narratives import RenderedReport
    from .runtime.cache import StageCache
    from .runtime.fingerprint import Fingerprint
    from .statistics.aggregate import Aggregates

# what the figures depend on (with the rounding key); the releases made: their values mark revisions (R)
DATA_PARTS = ("config", "data", "register", "releases")


@dataclass(frozen=True)
class Inputs:
    """The checked inputs of a period: the rows, the policy events and the raw aggregates."""

    data: ValidData
    events: list[Event]
    aggregates: Aggregates | None  # None when the data have errors
    findings: list[Finding]  # the register's, the events' and the data's


@dataclass(frozen=True)
class Publication:
    """Everything published for a period, gathered once: figures, charts, narratives and the
    template context of every document. Preview, draft and final release the same object."""

    config: Config
    period: Period
    inputs: Inputs
    store: PublishedStore  # the one store of published values (confidentiality rule 1)
    metrics: Metrics  # every derived figure, and which regions are published
    report: RenderedReport | None  # the narratives, placeholders filled, Markdown rendered (none: a quarter)
    charts: Charts  # the national report's and each brief's
    documents: tuple[DocumentContext | PageContext, ...]  # the national report's context, then each brief's (or the pages)
    assets: dict[str, bytes] = field(default_factory=dict)  # files that go with the documents (dashboard CSVs)
    revisions: Revisions | None = None  # what this release changes from the last one (R)

    @property
    def aggregates(self) -> Aggregates:
        assert self.inputs.aggregates is not None
        return self.inputs.aggregates

    @property
    def events(self) -> list[Event]:
        return self.inputs.events

    @cached_property
    def members(self) -> tuple[MemberContext, ...]:
        """Each reporting member's private report context (``member_reports/gather.py``), gathered the first
        time it is asked for — by a draft's or a final's release, never by the preview."""
        from .member_reports.gather import gather_members

        return gather_members(self)


def load_inputs(config: Config, period: Period, run: Run, cache: StageCache | None = None,
                fp: Fingerprint | None = None) -> Inputs:
    """register, events → load → validate → aggregate (cached on the data's content)."""
    if cache is not None and fp is not None:
        from .runtime.cache import stage_key

        key = stage_key("inputs", fp, DATA_PARTS, period, str(config.root))
        found, cached = cache.get("inputs", key)
        if found:
            with run.stage("inputs (cached)"):
                return cached
        from .inputs.submissions import Workbooks, workbooks_key

        # the workbooks read before, whatever the period: a new quarter's release reads only its own again
        books_key = workbooks_key(fp.parts.get("reportgen", ""), str(config.root))
        found, before = cache.get("workbooks", books_key)
        workbooks = Workbooks(before if found and isinstance(before, dict) else {})
        fresh = _read_inputs(config, period, run, workbooks)
        moved = _changed_while_read(config, period, fp)
        if moved is not None:  # what was read is not what the key says: neither kept nor published
            return replace(fresh, aggregates=None, findings=[*fresh.findings, moved])
        cache.put("inputs", key, fresh)
        if workbooks.now.keys() != workbooks.before.keys():  # (name, content) pairs: the same keys, the same rows
            cache.put("workbooks", books_key, workbooks.now)
        return fresh
    return _read_inputs(config, period, run)


_PART_WORDS = {"data": "submissions", "register": "register"}


def _changed_while_read(config: Config, period: Period, fp: Fingerprint) -> Finding | None:
    """An error when the data or the register (what ``_read_inputs`` reads) differ now from their fingerprint,
    taken before they were read (a member's file saved, or a version received by the intake, in between).
    The config was loaded before the fingerprint, and the release log is read later, under their own keys."""
    from .runtime.fingerprint import input_fingerprint

    now = input_fingerprint(config, period, memo=fp.memo)
    moved = [part for part in ("data", "register") if now.parts.get(part) != fp.parts.get(part)]
    if not moved:
        return None
    changed = sorted(f for f in set(now.files) | set(fp.files) if now.files.get(f) != fp.files.get(f))
    return Finding("data.changed-while-read", "error",
                   f"the {' and the '.join(_PART_WORDS.get(p, p) for p in moved)} changed while being read"
                   + (f" ({', '.join(changed[:3])}{' …' if len(changed) > 3 else ''})" if changed else ""),
                   file=changed[0] if changed else None, hint="run the command again once the files are in place")


def _read_inputs(config: Config, period: Period, run: Run, workbooks=None) -> Inputs:
    from .inputs.intake_files import read_submissions  # the folder, and the intake store when named
    from .inputs.register import load_events, load_register
    from .inputs.validate import validate
    from .statistics.aggregate import aggregate

    with run.stage("register"):
        register, register_findings = load_register(config)
    with run.stage("events"):
        events, event_findings = load_events(config)
    with run.stage("load"):
        subs = read_submissions(config, workbooks)
    with run.stage("validate"):
        data = validate(subs, register, config, period)
    findings = register_findings + event_findings + data.findings
    if data.has_errors:
        return Inputs(data, events, None, findings)
    with run.stage("aggregate"):
        aggregates = aggregate(data.rows, register, config, period)
    return Inputs(data, events, aggregates, findings)


def gather(config: Config, period: Period, inputs: Inputs, run: Run, *, cache: StageCache | None = None,
           fp: Fingerprint | None = None, charts: ChartCache | None = None,
           final: bool = False) -> Publication | None:
    """confidentialise → metrics → narratives → charts → contexts. Every problem goes to
    ``run``; returns None when there are errors, or when ``charts`` is None (``check``: the
    narratives are checked, nothing is drawn)."""
    from .disclosure.confidentiality import confidentialise, empty_store
    from .figures.materiality import Judge
    from .figures.metrics import compute_metrics, derived_figures
    from .figures.revisions import revise
    from .inputs.coverage import empty_periods
    from .narratives import load_narratives, render_report
    from .narratives.namespace import namespace

    run.report(inputs.findings)
    key = config.confidentiality_key()
    if not key and charts is not None:  # a build needs the key; check goes on without figures
        run.report([Finding("config.no-key", "error", "no key for the confidential rounding", file=config.source,
                            hint=f"set the environment variable {config.confidentiality.key_env}")])
    agg = inputs.aggregates
    narratives, revisions = None, None
    if period.is_half:  # a quarterly release has no report, so no narratives
        with run.stage("narratives"):
            narratives = load_narratives(config.root / "narratives" / str(period), config.root, config=config)
        run.report(narratives.findings)
        from .narratives.stories import story_member_findings

        run.report(story_member_findings(narratives, inputs.data.register))
    if agg is not None:
        run.report(empty_periods(agg.coverage, period))
    if agg is not None and key:
        figures_key = published_key(fp, period, config)
        with run.stage("confidentialise"):
            store = _cached(cache, "confidentialise", figures_key, confidentialise, agg, config, key)
        with run.stage("revisions"):
            revisions = revise(store, config)
        metrics = None
        if charts is not None:  # check needs only the store, for the placeholders
            with run.stage("metrics"):
                derived = _cached(cache, "metrics", figures_key, derived_figures, store, agg, config)
                metrics = compute_metrics(store, agg, config, derived)
        judge = Judge(store, config, agg, inputs.data.rows)
        names = namespace(store, config, period, judge=judge)
    else:  # the narratives are still checked, every placeholder against figures that are all ".."
        store, metrics = empty_store(config, period), None
        judge = Judge(store, config)
        names = namespace(store, config, period, judge=judge)
    report = None
    if narratives is not None:
        with run.stage("placeholders"):
            report, problems = render_report(narratives, names, config=config, final=final)
        run.report(problems)
    if metrics is None or agg is None or charts is None or not run.ok or (period.is_half and report is None):
        return None  # (metrics are computed only from aggregates: agg is there too)
    if period.is_quarter:
        return replace(_quarterly(config, period, inputs, run, store, metrics, judge), revisions=revisions)
    from .charts import draw_charts
    from .documents.documents import contexts

    with run.stage("charts"):
        drawn = draw_charts(store, config, period, agg.quarters, inputs.events, metrics.eligible_regions(),
                            cache=charts, outcome_caveat=metrics.outcome_caveat(), judge=judge)
    run.result.charts_drawn = charts.drawn
    with run.stage("contexts"):
        documents = contexts(config, period, agg, store, metrics, report, drawn, inputs.events, judge=judge)
    return Publication(config, period, inputs, store, metrics, report, drawn, documents, revisions=revisions)


def published_key(fp: Fingerprint | None, period: Period, config: Config) -> str | None:
    """The published figures depend on the data, the register, the config and the rounding key."""
    if fp is None:
        return None
    from .runtime.cache import stage_key

    return stage_key("published", fp, DATA_PARTS, period, str(config.root))


def _cached(cache: StageCache | None, name: str, key: str | None, fn, *args):
    """``fn(*args)``, through the stage cache when there is one (a build, a check; not ``publication_for``)."""
    if cache is None or key is None:
        return fn(*args)
    return cache.run(name, key, fn, *args)


def publication_for(config: Config, period: Period, *, final: bool = False,
                    charts: ChartCache | None = None) -> tuple[Publication | None, Run]:
    """The Publication of a period, gathered in this process without the stage cache (scripts,
    tests and anything else that wants the published figures without building)."""
    from .charts import ChartCache

    run = Run(period, final=final)
    try:
        publication = gather(config, period, load_inputs(config, period, run), run,
                             charts=charts or ChartCache(None), final=final)
    except StageFailed as exc:
        run.report(exc.findings)
        publication = None
    return publication, run


def figures_for(config: Config, period: Period):
    """The published figures of a period (the store and its metrics), gathered in this process without
    narratives, charts or documents: for scripts and tests that read only figures and tables. Returns
    (store, metrics, run); the store is None when the data have errors."""
    from .disclosure.confidentiality import confidentialise
    from .figures.metrics import compute_metrics
    from .figures.revisions import revise

    run = Run(period)
    inputs = load_inputs(config, period, run)
    run.report(inputs.findings)
    key = config.confidentiality_key()
    if inputs.aggregates is None or not key:
        return None, None, run
    store = confidentialise(inputs.aggregates, config, key)
    revise(store, config)
    return store, compute_metrics(store, inputs.aggregates, config), run


def _quarterly(config: Config, period: Period, inputs: Inputs, run: Run, store, metrics, judge=None) -> Publication:
    """A quarterly release: no report, but the dashboard's pages and their files."""
    from .charts import Charts
    from .dashboard_site.site import site as pages  # the pages, the breakdowns and downloads (issue 27)
    from .documents.render_html import template_dirs

    css, logo, assets = "", "", {}
    for folder in reversed(template_dirs(config)):  # the project's copy wins over the shipped one
        for name in ("dashboard.css", "dashboard.js"):
            path = folder / "dashboard" / name
            if path.is_file():
                if name == "dashboard.css":
                    css = path.read_text(encoding="utf-8")
                else:
                    assets["dashboard/dashboard.js"] = path.read_bytes()
        if config.dashboard.logo and (folder / config.dashboard.logo).is_file():
            logo = "logo" + Path(config.dashboard.logo).suffix.lower()
            assets[f"dashboard/{logo}"] = (folder / config.dashboard.logo).read_bytes()
    with run.stage("pages"):
        documents, files = pages(store, metrics, config, period, inputs.events, css, logo, judge=judge)
    return Publication(config, period, inputs, store, metrics, None, Charts((), {}), tuple(documents),
                       {**assets, **files})



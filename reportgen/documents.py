"""Assemble the published documents: the national report (and, per region, a brief).

Each function gathers a template's context from the stages' results and renders
it. Templates format; everything they show is computed here or earlier, from
the one PublishedStore. The context each template receives is documented in
docs/templates.md.
"""

from __future__ import annotations

from . import __version__
from .aggregate import NATIONAL, Aggregates
from .config import Config
from .confidentiality import SYMBOLS, PublishedStore
from .periods import Period
from .render_html import Document, render


def by_section(charts) -> dict[str, list]:
    out: dict[str, list] = {}
    for chart in charts:
        out.setdefault(chart.section, []).append(chart)
    return out


def report_context(config: Config, period: Period, agg: Aggregates, store: PublishedStore,
                   report, charts, events, metrics=None) -> dict:
    def fig(measure: str, label: str) -> dict:
        return {"value": store.get(measure, period=period).display(), "label": label}

    summed = agg.summed_from_quarters
    return {
        "language": config.report.language,
        "version": __version__,
        "period_label": period.label(),
        "report": report,
        "charts": charts,
        "charts_by_section": by_section(charts),
        "events": events,
        "key_figures": [fig("clients", "people supported"), fig("new_clients", "came to us for the first time"),
                        fig("sessions", "sessions delivered")],
        "coverage": f"{agg.reporting.get(NATIONAL, 0)} of {agg.expected} members reported for {period.label()}."
                    + "".join(f" Not published: {config.region_label(code)} — {why}."
                              for code, why in (metrics.not_published_regions().items() if metrics else [])),
        "summed_note": ("Some members sent only quarterly client counts. For them the half-year figure is "
                        "the sum of the two quarters, which may count some people twice."
                        if len(summed) else ""),
        "symbols": SYMBOLS,
        "synthetic": config.report.sample_data,
    }


def national_report(config: Config, period: Period, agg: Aggregates, store: PublishedStore, report, charts,
                    events, metrics, *, review: dict | None = None) -> Document:
    context = report_context(config, period, agg, store, report, charts, events, metrics)
    context["review"] = review  # issue 7: draft banner and "Changes since draft n−1" (None for finals)
    html = render(config, "report.html.j2", context)
    return Document("report", report.title, html)

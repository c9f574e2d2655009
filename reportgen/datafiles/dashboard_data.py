"""Dashboard data: ``dashboard.json`` (schema 2), everything the website's dashboard shows.

Counts, shares and rates, and changes on the previous quarter and the same
quarter a year earlier (like for like, and over every member's figures), for
the nation and every region and quarter; coverage (members expected and
reporting) and its flags; symbols and labels. Every value is read from the
one ``PublishedStore`` (and ``Metrics``): a cell has the same value, symbol and
flags here as in the tables, the pages and the report, and shares and rates
are computed from unrounded values and suppressed under the minimum base —
a web developer never computes a figure. The schema is
``reportgen/datafiles/schemas/dashboard.schema.json``, shipped beside the data, and
documented in docs/dashboard-schema.md (what changed from 1.0 there too).
The bytes are deterministic (sorted, no build time).
"""

from __future__ import annotations

import json
from pathlib import Path

from ..core.catalogue import NATION
from ..core.config import Config
from ..core.periods import Period
from ..disclosure.confidentiality import PublishedStore
from ..disclosure.published import SYMBOLS, Published
from ..figures.metrics import Metrics
from ..statistics.aggregate import NATIONAL

SCHEMA_VERSION = "2.1.0"  # 2.1: "publication" (issue 27); objects may carry fields a version does not name
SCHEMA_FILE = Path(__file__).resolve().parent / "schemas" / "dashboard.schema.json"
SCHEMA_NAME = "dashboard.schema.json"  # written beside dashboard.json in every bundle
BASES = {"previous_quarter": "previous", "same_quarter_year_earlier": "year_earlier"}


def point(period: str, p: Published) -> dict:
    """One point: its value (null when a symbol stands in), symbol and flags."""
    value = None
    if p.is_number and p.value is not None:  # (a number has a value: said for the type checker)
        value = int(round(p.value)) if p.kind in ("count", "hours", "difference") else float(p.value)
    return {"period": period, "value": value, "symbol": p.symbol, "flags": p.flag.split() if p.flag else []}


def _counts(store: PublishedStore, config: Config, scope: str, quarters: list[str]) -> list[dict]:
    out = []
    for measure, spec in config.measures.items():
        for dim in spec.dimensions:
            cats = [""] if dim == "total" else list(config.dimensions[dim].categories)
            for cat in cats:
                out.append({"measure": measure, "dimension": dim, "category": cat,
                            "points": [point(q, store.get(measure, dim, cat, scope=scope, period=q))
                                       for q in quarters]})
    return out


def _shares(store: PublishedStore, config: Config, scope: str, quarters: list[str]) -> list[dict]:
    out = []
    for measure, spec in config.measures.items():
        if "total" not in spec.dimensions:
            continue
        for dim in spec.dimensions:
            if dim == "total" or config.dimensions[dim].response == "pool":
                continue
            for cat in config.dimensions[dim].categories:
                out.append({"measure": measure, "dimension": dim, "category": cat,
                            "points": [point(q, store.share(measure, dim, cat, scope=scope, period=q))
                                       for q in quarters]})
    return out


def _rates(metrics: Metrics, scope: str, quarters: list[str]) -> list[dict]:
    out = [{"metric": r.code, "points": [point(q, metrics.ratio(r, scope=scope, period=q)) for q in quarters]}
           for r in metrics.active_ratios()]
    for dim in metrics.outcome_dimensions():
        for cat in metrics.config.dimensions[dim].categories:
            out.append({"metric": "improvement_rate", "dimension": dim, "category": cat,
                        "points": [point(q, metrics.improvement_rate(dim, cat, scope=scope, period=q))
                                   for q in quarters]})
    return out


def _changes(store: PublishedStore, config: Config, scope: str, quarters: list[str]) -> list[dict]:
    out = []
    for measure, spec in config.measures.items():
        if "total" not in spec.dimensions:
            continue
        for base_name, base in BASES.items():
            for method in ("like_for_like", "all_members"):
                change = store.like_for_like if method == "like_for_like" else store.change
                pts = []
                for q in quarters:
                    p = Period.parse(q)
                    pts.append(point(q, change(measure, scope=scope, period=p, base=getattr(p, base)())))
                out.append({"measure": measure, "base": base_name, "method": method, "points": pts})
    return out


def _coverage(store: PublishedStore, scope: str, periods: list[str]) -> dict:
    out = {}
    for p in periods:
        cov = store.coverage.get(scope, p)
        out[p] = {"members_expected": len(cov.expected), "members_reporting": len(cov.reported),
                  "provisional": bool(store.flag(scope, p))}
    return out


def dashboard_data(store: PublishedStore, metrics: Metrics, config: Config, period: Period,
                   events: list | None = None) -> dict:
    """The dashboard document as a plain dict (schema 2, docs/dashboard-schema.md)."""
    quarters = [p for p in store.periods if Period.parse(p).is_quarter]
    periods = [str(period), *[q for q in quarters if q != str(period)]] if period.is_half else quarters
    barred = metrics.not_published_regions()
    scopes = []
    for scope in store.scopes:
        scopes.append({
            "code": scope,
            "label": NATION if scope == NATIONAL else config.region_label(scope),
            "type": "national" if scope == NATIONAL else "region",
            "published": scope not in barred,
            "not_published_reason": barred.get(scope),
            "coverage": _coverage(store, scope, periods),
            "counts": _counts(store, config, scope, quarters),
            "shares": _shares(store, config, scope, quarters),
            "rates": _rates(metrics, scope, quarters),
            "changes": _changes(store, config, scope, quarters),
        })
    symbols = dict(SYMBOLS)
    return {
        "$schema": SCHEMA_NAME,
        "schema_version": SCHEMA_VERSION,
        "release": {"period": str(period), "kind": "quarter" if period.is_quarter else "half-year",
                    "label": period.label(), "latest_quarter": quarters[-1] if quarters else None},
        "quarters": [{"code": q, "label": Period.parse(q).label(), "short": Period.parse(q).axis_label()}
                     for q in quarters],
        "symbols": symbols,
        "measures": {m: {"label": s.label, "unit": s.unit, "kind": s.kind, "dimensions": list(s.dimensions)}
                     for m, s in config.measures.items()},
        "dimensions": {d: {"label": s.label, "response": s.response, "categories": dict(s.categories),
                           "note": s.note or ""} for d, s in config.dimensions.items()},
        "metrics": {**{r.code: {"label": r.label, "kind": "percent" if r.percent else "ratio"}
                       for r in metrics.active_ratios()},
                    "improvement_rate": {"label": "Improved (% of those assessed)", "kind": "percent"}},
        "events": [{"date": e.date.isoformat(), "title": e.title, "description": e.description or "",
                    "source": e.source or ""} for e in (events or [])],
        "scopes": scopes,
        "publication": publication(config, period),
    }


def publication(config: Config, period: Period) -> dict:
    """Who publishes the release, when (the release calendar), the next release of its kind, the licence
    and how to cite it (schema 2.1)."""
    from ..core.release_calendar import next_release, release_of

    pub = config.publication
    publisher = pub.publisher or config.dashboard.name
    released, nxt = release_of(config, period), next_release(config, period)
    title = config.publication.series or config.dashboard.title
    year = released.at.year if released is not None else period.year
    citation = " ".join(pub.citation.format(publisher=publisher, year=str(year), title=title, period=period.label(),
                                            where=pub.base_url or "").split()).removesuffix(".") + "."
    return {"publisher": publisher, "released": released.at.isoformat() if released else None,
            "next_release": {"period": str(nxt.period), "datetime": nxt.at.isoformat(), "title": nxt.what}
            if nxt else None,
            "licence": pub.licence, "licence_url": pub.licence_link, "contact": pub.contact or "",
            "citation": citation, "calendar": "calendar.json"}


def dashboard_json(store: PublishedStore, metrics: Metrics, config: Config, period: Period,
                   events: list | None = None) -> bytes:
    doc = dashboard_data(store, metrics, config, period, events)
    return (json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def schema_bytes() -> bytes:
    return SCHEMA_FILE.read_bytes()

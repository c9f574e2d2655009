"""Dashboard data: ``dashboard.json``, the quarterly series for the website.

The schema is documented and versioned in docs/dashboard-schema.md
(``SCHEMA_VERSION``). Every value is read from the ``PublishedStore`` or from
``Metrics``: the same cell has the same value and symbol here as in the
report, the tables and the downloads. The output is deterministic (sorted,
no build time), so two builds of the same data give the same bytes.
"""

from __future__ import annotations

import json

import pandas as pd

from .aggregate import NATIONAL
from .config import Config
from .confidentiality import SYMBOLS, PublishedStore
from .metrics import Metrics
from .periods import Period

SCHEMA_VERSION = "1.0.0"


def _value(value, symbol: str, kind: str):
    if symbol or value is None or pd.isna(value):
        return None
    if kind in ("count", "hours", "difference"):
        return int(round(value))
    return float(value)


def _points(frame: pd.DataFrame) -> dict[tuple, list[dict]]:
    out: dict[tuple, list[dict]] = {}
    for rec in frame.itertuples(index=False):
        key = (rec.scope, rec.measure, rec.dimension, rec.category)
        out.setdefault(key, []).append({"period": rec.period, "value": _value(rec.value, rec.symbol, rec.kind),
                                        "symbol": rec.symbol, "flag": rec.flag})
    return out


def dashboard_data(store: PublishedStore, metrics: Metrics, config: Config, period: Period) -> dict:
    """The dashboard document as a plain dict (see docs/dashboard-schema.md)."""
    quarters = [p for p in store.periods if Period.parse(p).is_quarter]
    order = {q: i for i, q in enumerate(quarters)}
    cells = store.frame()
    cells = cells[cells["period"].isin(quarters)].copy()
    cells["_o"] = cells["period"].map(order)
    counts = _points(cells.sort_values(["scope", "measure", "dimension", "category", "_o"], kind="stable"))
    derived = metrics.derived
    ratios = derived[(derived["table"] == "ratios") & derived["period"].isin(quarters)].copy()
    ratios["_o"] = ratios["period"].map(order)
    ratio_points = _points(ratios.sort_values(["scope", "measure", "_o"], kind="stable"))
    barred = metrics.not_published_regions()

    scopes = []
    for scope in store.scopes:
        label = "New Zealand" if scope == NATIONAL else config.region_label(scope)
        series = [{"measure": m, "dimension": d, "category": c, "points": pts}
                  for (s, m, d, c), pts in counts.items() if s == scope]
        derived_series = [{"metric": m, "points": pts} for (s, m, _d, _c), pts in ratio_points.items() if s == scope]
        scopes.append({
            "code": scope,
            "label": label,
            "type": "national" if scope == NATIONAL else "region",
            "published": scope not in barred,
            "not_published_reason": barred.get(scope),
            "members_reporting": {q: metrics.members_reporting(scope, q)[0] for q in quarters},
            "members_expected": {q: metrics.members_reporting(scope, q)[1] for q in quarters},
            "provisional": {q: bool(store.flag(scope, q)) for q in quarters},
            "series": series,
            "derived": derived_series,
        })
    reporting, expected = metrics.members_reporting()
    return {
        "schema_version": SCHEMA_VERSION,
        "report_period": str(period),
        "report_period_label": period.label(),
        "quarters": [{"code": q, "label": Period.parse(q).label()} for q in quarters],
        "symbols": SYMBOLS,
        "coverage": {"members_reporting": reporting, "members_expected": expected},
        "measures": {m: {"label": s.label, "unit": s.unit, "kind": s.kind, "dimensions": list(s.dimensions)}
                     for m, s in config.measures.items()},
        "dimensions": {d: {"label": s.label, "response": s.response, "categories": dict(s.categories),
                           "note": s.note} for d, s in config.dimensions.items()},
        "metrics": {r.code: {"label": r.label, "kind": "percent" if r.percent else "ratio"}
                    for r in metrics.active_ratios()},
        "scopes": scopes,
    }


def dashboard_json(store: PublishedStore, metrics: Metrics, config: Config, period: Period) -> bytes:
    doc = dashboard_data(store, metrics, config, period)
    return (json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")

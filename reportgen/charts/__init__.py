"""Charts stage: published values → numbered figures with alt text and data tables.

``specs.py`` decides what each chart shows and says (from the PublishedStore
only); ``draw.py`` turns that into SVG in the house style (``style.py``).
Drawing is cached by a hash of the chart's data and the style version, so an
unchanged chart is never drawn twice, across builds too.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import matplotlib

from ..aggregate import NATIONAL
from ..config import Config
from ..confidentiality import PublishedStore
from ..periods import Period
from ..register import Event
from . import specs
from .draw import DRAW
from .specs import ChartInputs, ChartSpec
from .style import STYLE_VERSION

# What draws a chart is part of its cache key: the drawing and style code itself,
# the style version and matplotlib's version. Editing either module invalidates the cache.
_CODE = hashlib.sha256(b"".join((Path(__file__).parent / name).read_bytes()
                                for name in ("draw.py", "style.py"))).hexdigest()

__all__ = ["Chart", "ChartCache", "make_charts", "make_region_charts"]


@dataclass
class Chart:
    """A drawn chart: its spec's words and data table, the SVG, and its figure number."""

    spec: ChartSpec
    svg: bytes
    number: int = 0
    key: str = ""

    def __getattr__(self, name: str):  # id, title, subtitle, caption, alt, table_* … from the spec
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.spec, name)


class ChartCache:
    """SVGs on disk, keyed by a hash of what is drawn. ``None`` folder: memory only."""

    def __init__(self, folder: Path | None):
        self.folder = folder
        self.drawn = 0
        self.reused = 0

    @staticmethod
    def key(spec: ChartSpec) -> str:
        payload = json.dumps({"kind": spec.kind, "draw": spec.draw, "style": STYLE_VERSION, "code": _CODE,
                              "matplotlib": matplotlib.__version__}, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    def svg(self, spec: ChartSpec) -> tuple[str, bytes]:
        key = self.key(spec)
        path = self.folder / f"{key}.svg" if self.folder else None
        if path is not None and path.is_file():
            self.reused += 1
            return key, path.read_bytes()
        data = DRAW[spec.kind](spec.draw)
        self.drawn += 1
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        return key, data


def _draw_all(chart_specs: list[ChartSpec], cache: ChartCache, alt_overrides: dict[str, str]) -> list[Chart]:
    charts = []
    for n, spec in enumerate(chart_specs, start=1):
        if spec.id in alt_overrides:
            spec.alt = alt_overrides[spec.id]
        key, svg = cache.svg(spec)
        charts.append(Chart(spec, svg, n, key))
    return charts


def make_charts(store: PublishedStore, config: Config, period: Period, quarters: list[Period],
                events: list[Event], *, cache: ChartCache | None = None,
                alt_overrides: dict[str, str] | None = None) -> list[Chart]:
    """Every chart of the national report, numbered in reading order."""
    ci = ChartInputs(store, config, period, quarters, events, NATIONAL)
    chart_specs = [
        specs.clients_trend(ci, section="demographics"),
        specs.share_bars(ci, "clients", "age_band", section="demographics", sort=False,
                         chart_id="age-nz", noun="clients by age"),
        specs.share_bars(ci, "clients", "gender", section="demographics", sort=False,
                         chart_id="gender-nz", noun="clients by gender"),
        specs.share_bars(ci, "clients", "ethnicity", section="demographics", sort=True,
                         chart_id="ethnicity-nz", noun="clients by ethnic group"),
        specs.share_bars(ci, "clients", "need", section="needs", sort=True,
                         chart_id="needs-nz", noun="the share of clients by reason for seeking support"),
        specs.housing_trend(ci, section="needs"),
        specs.share_bars(ci, "sessions", "service_type", section="services", sort=True,
                         chart_id="services-nz", noun="sessions by service type"),
        specs.hours_trend(ci, section="services"),
        specs.workload_trend(ci, section="services"),
        specs.outcomes(ci, section="outcomes"),
        specs.region_dots(ci, section="regions"),
        specs.region_multiples(ci, section="regions"),
    ]
    return _draw_all(chart_specs, cache or ChartCache(None), alt_overrides or {})


def make_region_charts(store: PublishedStore, config: Config, period: Period, quarters: list[Period],
                       events: list[Event], region: str, *, cache: ChartCache | None = None,
                       alt_overrides: dict[str, str] | None = None) -> list[Chart]:
    """The charts of one regional brief."""
    ci = ChartInputs(store, config, period, quarters, events, region)
    chart_specs = [
        specs.clients_trend(ci, section="trend"),
        specs.share_bars(ci, "clients", "need", section="needs", sort=True, chart_id=f"needs-{ci.suffix}",
                         noun="the share of clients by reason for seeking support"),
    ]
    return _draw_all(chart_specs, cache or ChartCache(None), alt_overrides or {})

"""Charts stage: published values → numbered figures with alt text and data tables.

``specs.py`` decides what each chart shows and says (from the PublishedStore
only); ``draw.py`` turns that into SVG in the house style (``style.py``).
Drawing is cached by a hash of the chart's data and the style version, so an
unchanged chart is never drawn twice, across builds too.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cache
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas and pyplot stay out of the workers that only draw (see _draw_job)
    from ..core.config import Config
    from ..core.periods import Period
    from ..disclosure.confidentiality import PublishedStore
    from ..inputs.register import Event
    from .specs import ChartSpec

# What draws a chart is part of its cache key: the drawing and style code itself (with its
# STYLE_VERSION) and matplotlib's version. Editing either module invalidates the cache.
# Drawing (pyplot) is imported only where charts are drawn: on the workers, when there are some.
_CODE = hashlib.sha256(b"".join((Path(__file__).parent / name).read_bytes()
                                for name in ("draw.py", "style.py", "../core/formats.py"))).hexdigest()

__all__ = ["Chart", "ChartCache", "Charts", "chart_cache_dir", "draw_charts", "national_specs", "region_specs"]


def chart_cache_dir(config: Config) -> Path:
    """Where drawn charts are kept (``<cache>/charts``)."""
    from ..runtime.cache import cache_dir

    return cache_dir(config.root) / "charts"


@cache
def _matplotlib() -> str:
    return version("matplotlib")


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


def _draw_job(job: tuple[str, dict]) -> bytes:
    """Worker (module level, so a spawned process can import it): draw one chart."""
    from .draw import DRAW

    kind, data = job
    return DRAW[kind](data)


class ChartCache:
    """SVGs on disk, keyed by a hash of what is drawn. ``None`` folder: memory only.
    With ``workers`` (``workers.Workers``), the charts to draw are drawn in parallel."""

    def __init__(self, folder: Path | None, workers=None):
        self.folder = folder
        self.workers = workers
        self.drawn = 0
        self.reused = 0
        self._pending: dict[str, object] = {}  # key → Future of its SVG (``prefetch``)
        self._memory: dict[str, bytes] = {}  # drawn or read during this build

    @staticmethod
    def key(spec: ChartSpec) -> str:
        payload = json.dumps({"kind": spec.kind, "draw": spec.draw, "code": _CODE,
                              "matplotlib": _matplotlib()}, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    def svg(self, spec: ChartSpec) -> tuple[str, bytes]:
        return self.svgs([spec])[0]

    def _known(self, key: str) -> bytes | None:
        if key in self._memory:
            return self._memory[key]
        path = self.folder / f"{key}.svg" if self.folder else None
        return path.read_bytes() if path is not None and path.is_file() else None

    def prefetch(self, chart_specs: list[ChartSpec]) -> None:
        """Start drawing, on the workers, the charts of ``chart_specs`` that are not cached,
        so that ``svgs`` later only collects them. Without parallel workers, does nothing."""
        if self.workers is None or not self.workers.parallel:
            return
        for spec in chart_specs:
            key = self.key(spec)
            if key not in self._pending and key not in self._memory and not (
                    self.folder and (self.folder / f"{key}.svg").is_file()):
                self._pending[key] = self.workers.submit(_draw_job, (spec.kind, spec.draw))

    def svgs(self, chart_specs: list[ChartSpec]) -> list[tuple[str, bytes]]:
        """(key, SVG) per spec: from the cache, or drawn (all the missing ones at once)."""
        keys = [self.key(spec) for spec in chart_specs]
        found: dict[str, bytes] = {}
        for key in keys:
            if key not in self._pending and (data := self._known(key)) is not None:
                found[key] = data
        missing = {key: spec for key, spec in zip(keys, chart_specs) if key not in found}
        if self.workers is not None:
            futures = [self._pending.pop(key, None) or self.workers.submit(_draw_job, (spec.kind, spec.draw))
                       for key, spec in missing.items()]
            drawn = [f.result() for f in futures]
        else:
            drawn = [_draw_job((spec.kind, spec.draw)) for spec in missing.values()]
        for key, data in zip(missing, drawn):
            found[key] = data
            if self.folder is not None:
                self._store(self.folder / f"{key}.svg", data)
        self.drawn += len(missing)
        self.reused += len(keys) - len(missing)
        self._memory.update(found)
        return [(key, found[key]) for key in keys]

    @staticmethod
    def _store(path: Path, data: bytes) -> None:
        from ..runtime.cache import atomic_write

        atomic_write(path, data)  # a full disk costs the cache entry, never the build


@dataclass(frozen=True)
class Charts:
    """Every chart of a publication: the national report's, then each regional brief's."""

    national: tuple[Chart, ...]
    regions: dict[str, tuple[Chart, ...]]  # region code → its brief's charts, in the configured order


def _numbered(chart_specs: list[ChartSpec], drawn: list[tuple[str, bytes]]) -> tuple[Chart, ...]:
    return tuple(Chart(spec, svg, n, key) for n, (spec, (key, svg)) in enumerate(zip(chart_specs, drawn), start=1))


def draw_charts(store: PublishedStore, config: Config, period: Period, quarters: list[Period],
                events: list[Event], regions: list[str], *, cache: ChartCache | None = None,
                outcome_caveat: str = "", judge=None) -> Charts:
    """Every chart, numbered in each document's reading order: the national report's and those
    of the briefs of ``regions``. The ones not in the cache are drawn at once, in parallel when
    the cache has workers. ``judge`` (``figures/materiality.Judge``) decides when a title may call a
    difference one, and which changes carry the one-member caveat."""
    cache = cache or ChartCache(None)
    national = national_specs(store, config, period, quarters, events, outcome_caveat=outcome_caveat, judge=judge)
    by_region = {code: region_specs(store, config, period, quarters, events, code, judge=judge) for code in regions}
    cache.prefetch(national + [spec for specs in by_region.values() for spec in specs])
    return Charts(_numbered(national, cache.svgs(national)),
                  {code: _numbered(specs, cache.svgs(specs)) for code, specs in by_region.items()})


def national_specs(store: PublishedStore, config: Config, period: Period, quarters: list[Period],
                   events: list[Event], *, outcome_caveat: str = "", judge=None) -> list[ChartSpec]:
    """What each chart of the national report shows, in reading order (cheap: nothing drawn).
    ``outcome_caveat``: the sentence the outcome chart carries when few clients were assessed."""
    from ..statistics.aggregate import NATIONAL
    from . import specs

    ci = specs.ChartInputs(store, config, period, quarters, events, NATIONAL, outcome_caveat, judge)
    return [
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


def region_specs(store: PublishedStore, config: Config, period: Period, quarters: list[Period],
                 events: list[Event], region: str, *, judge=None) -> list[ChartSpec]:
    """What each chart of one regional brief shows (cheap: nothing drawn)."""
    from . import specs

    ci = specs.ChartInputs(store, config, period, quarters, events, region, judge=judge)
    return [
        specs.clients_trend(ci, section="trend"),
        specs.share_bars(ci, "clients", "need", section="needs", sort=True, chart_id=f"needs-{ci.suffix}",
                         noun="the share of clients by reason for seeking support", compact=True),
    ]

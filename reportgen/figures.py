"""The placeholder namespace: what editors can write inside ``{{ … }}``.

Everything here reads the ``PublishedStore`` only, so a placeholder can never
show a raw or unconfidentialised number. The names are documented in
docs/editors-guide.md and are a stable interface: tests check that the guide
and this namespace agree.

    {{ clients }}                       published total for the report's scope and period
    {{ clients.previous }}              … the previous half-year
    {{ clients.year_ago }}              … the same half a year earlier
    {{ clients.change }}                "up 12 %", "down 3 %", "unchanged" (vs a year earlier)
    {{ clients.change_previous }}       the same against the previous half-year
    {{ clients.change_pct }}            "+12 %"
    {{ clients.need.housing }}          a category's published count
    {{ clients.need.housing.share }}    its share of the measure's total, "34 %"
    {{ region.AKL.clients }}            any of the above for a region
    {{ members_reporting }}             "41 of 44"
    {{ period }}                        "January–June 2025"
"""

from __future__ import annotations

from .aggregate import NATIONAL
from .config import Config
from .confidentiality import Published, PublishedStore
from .findings import did_you_mean
from .periods import Period


class PlaceholderError(Exception):
    """An editor's placeholder names something that does not exist; the message says what."""


def _unknown(what: str, name: str, choices) -> PlaceholderError:
    near = did_you_mean(name, list(choices))
    tail = f" — did you mean '{near}'?" if near else ""
    return PlaceholderError(f"unknown {what} '{name}' in a placeholder{tail}")


class _Figure:
    """Base: renders as its published display text."""

    def _published(self) -> Published:  # pragma: no cover - abstract
        raise NotImplementedError

    def __str__(self) -> str:
        return self._published().display()

    def __html__(self) -> str:
        return str(self)


def _words(change: Published) -> str:
    if not change.is_number:
        return change.symbol
    if round(change.value) == 0:
        return "unchanged"
    return f"{'up' if change.value > 0 else 'down'} {abs(change.value):.0f} %"


class CategoryFigure(_Figure):
    def __init__(self, ctx: "_Context", measure: str, dimension: str, category: str, period: Period):
        self._c, self._m, self._d, self._cat, self._p = ctx, measure, dimension, category, period

    def _published(self) -> Published:
        return self._c.store.get(self._m, self._d, self._cat, scope=self._c.scope, period=self._p)

    @property
    def share(self) -> str:
        return self._c.store.share(self._m, self._d, self._cat, scope=self._c.scope, period=self._p).display()

    @property
    def previous(self) -> "CategoryFigure":
        return CategoryFigure(self._c, self._m, self._d, self._cat, self._p.previous())

    @property
    def year_ago(self) -> "CategoryFigure":
        return CategoryFigure(self._c, self._m, self._d, self._cat, self._p.year_earlier())

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        raise _unknown("property", name, ["share", "previous", "year_ago"])


class DimensionFigures:
    def __init__(self, ctx: "_Context", measure: str, dimension: str, period: Period):
        self._c, self._m, self._d, self._p = ctx, measure, dimension, period

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        cats = self._c.config.dimensions[self._d].categories
        if name not in cats:
            raise _unknown(f"{self._d} category", name, cats)
        return CategoryFigure(self._c, self._m, self._d, name, self._p)

    def __str__(self) -> str:
        raise PlaceholderError(f"'{self._m}.{self._d}' needs a category, e.g. "
                               f"{self._m}.{self._d}.{next(iter(self._c.config.dimensions[self._d].categories))}")


class MeasureFigure(_Figure):
    _PROPS = ["previous", "year_ago", "change", "change_previous", "change_pct"]

    def __init__(self, ctx: "_Context", measure: str, period: Period):
        self._c, self._m, self._p = ctx, measure, period

    def _published(self) -> Published:
        return self._c.store.get(self._m, scope=self._c.scope, period=self._p)

    @property
    def previous(self) -> "MeasureFigure":
        return MeasureFigure(self._c, self._m, self._p.previous())

    @property
    def year_ago(self) -> "MeasureFigure":
        return MeasureFigure(self._c, self._m, self._p.year_earlier())

    def _change(self, base: Period) -> Published:
        return self._c.store.change(self._m, scope=self._c.scope, period=self._p, base=base)

    @property
    def change(self) -> str:
        return _words(self._change(self._p.year_earlier()))

    @property
    def change_previous(self) -> str:
        return _words(self._change(self._p.previous()))

    @property
    def change_pct(self) -> str:
        c = self._change(self._p.year_earlier())
        return c.symbol or f"{c.value:+.0f} %"

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        dims = [d for d in self._c.config.measures[self._m].dimensions if d != "total"]
        if name in dims:
            return DimensionFigures(self._c, self._m, name, self._p)
        raise _unknown(f"property of {self._m}", name, dims + self._PROPS)


class _Context:
    def __init__(self, store: PublishedStore, config: Config, scope: str):
        self.store, self.config, self.scope = store, config, scope


class RegionFigures:
    def __init__(self, store: PublishedStore, config: Config, period: Period, reporting: dict[str, int]):
        self._s, self._cfg, self._p, self._rep = store, config, period, reporting

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        code = name.upper()
        if code not in self._cfg.regions:
            raise _unknown("region", name, self._cfg.regions)
        return _Scope(self._s, self._cfg, self._p, code)


class _Scope:
    def __init__(self, store: PublishedStore, config: Config, period: Period, scope: str):
        self._ctx = _Context(store, config, scope)
        self._p = period

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        if name in self._ctx.config.measures:
            return MeasureFigure(self._ctx, name, self._p)
        if name == "name":
            return self._ctx.config.region_label(self._ctx.scope)
        raise _unknown("measure", name, self._ctx.config.measures)


def namespace(store: PublishedStore, config: Config, period: Period, *, scope: str = NATIONAL,
              reporting: dict[str, int] | None = None, expected: int = 0) -> dict:
    """The names available inside placeholders for one document."""
    ctx = _Context(store, config, scope)
    ns: dict = {m: MeasureFigure(ctx, m, period) for m in config.measures}
    ns["period"] = period.label()
    ns["region"] = RegionFigures(store, config, period, reporting or {})
    reporting = reporting or {}
    ns["members_reporting"] = f"{reporting.get(NATIONAL, 0)} of {expected}"
    return ns

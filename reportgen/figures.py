"""The placeholder namespace: what editors can write inside ``{{ … }}``.

Everything here reads the ``PublishedStore`` only (``get``, ``share``,
``change``), so a placeholder can never show a raw or unconfidentialised
number. The names are documented in docs/editors-guide.md and are a stable
interface: tests check that the guide and the lines below agree, and that
every line below works.

    {{ clients }}                          published total for the document's scope and period
    {{ clients.previous }}                 … the previous half-year
    {{ clients.year_ago }}                 … the same half a year earlier
    {{ clients.change }}                   "up 12 %", "down 3 %", "unchanged" (vs a year earlier)
    {{ clients.change_previous }}          the same against the previous half-year
    {{ clients.change_pct }}               "+12 %" (vs a year earlier)
    {{ clients.need.housing }}             a category's published count
    {{ clients.need.housing.share }}       its share of the measure's total, "34 %"
    {{ clients.need.housing.change }}      a category's change on a year earlier, in words
    {{ clients.need.housing.year_ago }}    a category's count a year earlier
    {{ region.AKL.clients }}               any of the above for a region (by code)
    {{ region.AKL.name }}                  the region's name, "Auckland"
    {{ region.AKL.members_reporting }}     members reporting in that region, "12"
    {{ members_reporting }}                "41 of 44"
    {{ period }}                           "January–June 2025"
    {{ 1234567 | number }}                 a number with thousands separators, "1,234,567"
    {{ 34.2 | percent }}                   a number as a percentage, "34 %"

A figure that is suppressed, confidential, nil or not available renders as
its symbol (S, C, –, ..). Each symbol used is recorded in the namespace's
``symbols`` so the document can footnote it; in the text the symbol is
wrapped in the private markers ``SYMBOL_OPEN``/``SYMBOL_CLOSE``, which the
narrative renderer turns into the symbol plus a footnote reference.
"""

from __future__ import annotations

from . import formats
from .aggregate import NATIONAL
from .config import Config
from .confidentiality import SYMBOLS, Published, PublishedStore
from .findings import did_you_mean
from .periods import Period

SYMBOL_OPEN, SYMBOL_CLOSE = "\ue000", "\ue001"  # private-use characters; stripped from editors' text


class PlaceholderError(Exception):
    """An editor's placeholder names something that does not exist; the message says what."""


def _unknown(what: str, name: str, choices) -> PlaceholderError:
    near = did_you_mean(name, list(choices))
    tail = f" — did you mean '{near}'?" if near else ""
    return PlaceholderError(f"unknown {what} '{name}' in a placeholder{tail}")


def _no_part(owner: str, name: str, choices) -> PlaceholderError:
    choices = list(choices)
    near = did_you_mean(name, choices)
    tail = f" — did you mean '{near}'?" if near else f" (it has: {', '.join(choices)})"
    return PlaceholderError(f"'{owner}' has no '{name}'{tail}")


class SymbolNotes:
    """The symbols (S, C, –, ..) that placeholders rendered, in order of first use."""

    def __init__(self) -> None:
        self.used: dict[str, str] = {}

    def mark(self, published: Published) -> str:
        """The text for a published value: its display, or its symbol wrapped for a footnote."""
        if not published.symbol:
            return published.display()
        self.used.setdefault(published.symbol, SYMBOLS.get(published.symbol, published.symbol))
        return f"{SYMBOL_OPEN}{published.symbol}{SYMBOL_CLOSE}"


class _Context:
    def __init__(self, store: PublishedStore, config: Config, scope: str, notes: SymbolNotes):
        self.store, self.config, self.scope, self.notes = store, config, scope, notes


class _Figure:
    """Base: renders as its published display text."""

    _c: _Context
    _p: Period

    def _published(self) -> Published:  # pragma: no cover - every subclass defines it
        raise PlaceholderError("this placeholder needs a measure")

    def __str__(self) -> str:
        return self._c.notes.mark(self._published())

    def _change(self, base: Period) -> Published:  # pragma: no cover - every subclass defines it
        raise PlaceholderError("this placeholder has no change")

    @property
    def change(self) -> str:
        """Change on the same half a year earlier, in words."""
        return _words(self._change(self._p.year_earlier()), self._c.notes)

    @property
    def change_previous(self) -> str:
        """Change on the previous half-year, in words."""
        return _words(self._change(self._p.previous()), self._c.notes)


def _words(change: Published, notes: SymbolNotes) -> str:
    return formats.words(change.value) if change.is_number else notes.mark(change)


def _signed(change: Published, notes: SymbolNotes) -> str:
    return notes.mark(change) if not change.is_number else formats.change(change.value)


class CategoryFigure(_Figure):
    _PROPS = ["share", "previous", "year_ago", "change", "change_previous"]

    def __init__(self, ctx: _Context, measure: str, dimension: str, category: str, period: Period):
        self._c, self._m, self._d, self._cat, self._p = ctx, measure, dimension, category, period

    def _published(self) -> Published:
        return self._c.store.get(self._m, self._d, self._cat, scope=self._c.scope, period=self._p)

    @property
    def share(self) -> str:
        return self._c.notes.mark(self._c.store.share(self._m, self._d, self._cat, scope=self._c.scope,
                                                      period=self._p))

    @property
    def previous(self) -> CategoryFigure:
        return CategoryFigure(self._c, self._m, self._d, self._cat, self._p.previous())

    @property
    def year_ago(self) -> CategoryFigure:
        return CategoryFigure(self._c, self._m, self._d, self._cat, self._p.year_earlier())

    def _change(self, base: Period) -> Published:
        return self._c.store.change(self._m, self._d, self._cat, scope=self._c.scope, period=self._p,
                                    base=base)

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        raise _no_part(f"{self._m}.{self._d}.{self._cat}", name, self._PROPS)


class DimensionFigures:
    def __init__(self, ctx: _Context, measure: str, dimension: str, period: Period):
        self._c, self._m, self._d, self._p = ctx, measure, dimension, period

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        cats = self._c.config.dimensions[self._d].categories
        if name not in cats:
            raise _no_part(f"{self._m}.{self._d}", name, cats)
        return CategoryFigure(self._c, self._m, self._d, name, self._p)

    def __str__(self) -> str:
        first = next(iter(self._c.config.dimensions[self._d].categories))
        raise PlaceholderError(f"'{self._m}.{self._d}' needs a category, e.g. {self._m}.{self._d}.{first}")


class MeasureFigure(_Figure):
    _PROPS = ["previous", "year_ago", "change", "change_previous", "change_pct"]

    def __init__(self, ctx: _Context, measure: str, period: Period):
        self._c, self._m, self._p = ctx, measure, period

    def _published(self) -> Published:
        return self._c.store.get(self._m, scope=self._c.scope, period=self._p)

    def __str__(self) -> str:
        if "total" not in self._c.config.measures[self._m].dimensions:
            dims = [d for d in self._c.config.measures[self._m].dimensions if d != "total"]
            raise PlaceholderError(f"'{self._m}' has no total; name a category, e.g. "
                                   f"{self._m}.{dims[0]}."
                                   f"{next(iter(self._c.config.dimensions[dims[0]].categories))}")
        return super().__str__()

    @property
    def previous(self) -> MeasureFigure:
        return MeasureFigure(self._c, self._m, self._p.previous())

    @property
    def year_ago(self) -> MeasureFigure:
        return MeasureFigure(self._c, self._m, self._p.year_earlier())

    def _change(self, base: Period) -> Published:
        return self._c.store.change(self._m, scope=self._c.scope, period=self._p, base=base)

    @property
    def change_pct(self) -> str:
        return _signed(self._change(self._p.year_earlier()), self._c.notes)

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        dims = [d for d in self._c.config.measures[self._m].dimensions if d != "total"]
        if name in dims:
            return DimensionFigures(self._c, self._m, name, self._p)
        raise _no_part(self._m, name, dims + self._PROPS)


class _Scope:
    """One region's figures: ``region.AKL.clients``."""

    def __init__(self, ctx: _Context, period: Period, reporting: dict[str, int]):
        self._ctx, self._p, self._rep = ctx, period, reporting

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        if name in self._ctx.config.measures:
            return MeasureFigure(self._ctx, name, self._p)
        if name == "name":
            return self._ctx.config.region_label(self._ctx.scope)
        if name == "members_reporting":
            return str(self._rep.get(self._ctx.scope, 0))
        raise _no_part(f"region.{self._ctx.scope}", name, [*self._ctx.config.measures, "name",
                                                           "members_reporting"])


class RegionFigures:
    """``region.<CODE>``: the figures of any region, by its code (case-insensitive)."""

    def __init__(self, store: PublishedStore, config: Config, period: Period, reporting: dict[str, int],
                 notes: SymbolNotes):
        self._s, self._cfg, self._p, self._rep, self._notes = store, config, period, reporting, notes

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        code = name.upper()
        if code not in self._cfg.regions:
            raise _unknown("region", name, self._cfg.regions)
        return _Scope(_Context(self._s, self._cfg, code, self._notes), self._p, self._rep)

    def __str__(self) -> str:
        raise PlaceholderError("'region' needs a region code and a measure, e.g. region.AKL.clients")


def format_number(value, decimals: int = 0) -> str:
    """Thousands separators: 1234567 → '1,234,567'. Figures pass through as displayed."""
    if isinstance(value, (_Figure, str)):
        return str(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise PlaceholderError("'number' formats a number, e.g. {{ 1234567 | number }}")
    return formats.number(value, decimals)


def format_percent(value, decimals: int = 0) -> str:
    """A number as a percentage: 34.2 → "34 %" (figures' shares are already percentages)."""
    if isinstance(value, (_Figure, str)):
        return str(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise PlaceholderError("'percent' formats a number, e.g. {{ 34.2 | percent }}")
    return formats.percent(value, decimals)


FILTERS = {"number": format_number, "percent": format_percent}


class Namespace(dict):
    """The names available inside placeholders for one document, plus the symbols they used.

    The figures are the dict's items; ``symbols`` and the store are attributes,
    not keys, so placeholders cannot reach them.
    """

    def __init__(self, store: PublishedStore, config: Config, period: Period, scope: str,
                 reporting: dict[str, int], expected: int, notes: SymbolNotes):
        ctx = _Context(store, config, scope, notes)
        super().__init__({m: MeasureFigure(ctx, m, period) for m in config.measures})
        self["period"] = period.label()
        self["region"] = RegionFigures(store, config, period, reporting, notes)
        self["members_reporting"] = (f"{reporting.get(NATIONAL, 0)} of {expected}" if scope == NATIONAL
                                     else str(reporting.get(scope, 0)))
        self.symbols = notes
        self._args = (store, config, period, reporting, expected)

    def scoped(self, scope: str) -> Namespace:
        """The same figures for another scope (a region's commentary), sharing the symbol notes."""
        store, config, period, reporting, expected = self._args
        return Namespace(store, config, period, scope, reporting, expected, self.symbols)


def namespace(store: PublishedStore, config: Config, period: Period, *, scope: str = NATIONAL,
              reporting: dict[str, int] | None = None, expected: int = 0) -> Namespace:
    """The names available inside placeholders for one document."""
    return Namespace(store, config, period, scope, reporting or {}, expected, SymbolNotes())

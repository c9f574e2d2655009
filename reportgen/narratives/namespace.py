"""The placeholder namespace: what editors can write inside ``{{ … }}``.

Everything here reads the ``PublishedStore`` only (``get``, ``share``,
``change``), so a placeholder can never show a raw or unconfidentialised
number. The names are documented in docs/editors-guide.md and are a stable
interface: tests check that the guide and the lines below agree, and that
every line below works.

    {{ clients }}                          published total for the document's scope and period
    {{ clients.previous }}                 … the previous half-year
    {{ clients.year_ago }}                 … the same half a year earlier
    {{ clients.change }}                   "up 12 %", "down 3 %", "unchanged": like for like, vs a year earlier
    {{ clients.change_previous }}          the same against the previous half-year
    {{ clients.change_pct }}               "+12 %" (like for like, vs a year earlier)
    {{ clients.change_all }}               the change over every member's figures, in words (vs a year earlier)
    {{ clients.change_all_previous }}      … against the previous half-year
    {{ clients.change_all_pct }}           … signed, "+12 %"
    {{ clients.need.housing }}             a category's published count
    {{ clients.need.housing.share }}       its share of the measure's total, "34 %"
    {{ clients.need.housing.change }}      a category's change on a year earlier, like for like, in words
    {{ clients.need.housing.year_ago }}    a category's count a year earlier
    {{ region.AKL.clients }}               any of the above for a region (by code)
    {{ region.AKL.name }}                  the region's name, "Auckland"
    {{ region.AKL.members_reporting }}     members reporting in that region, "12"
    {{ members_reporting }}                "43 of 44": members that reported, wholly or in part, of the members there
    {{ members_partial }}                  members that reported for part of the period only, "1"
    {{ members_missing }}                  members expected that sent nothing for the period, "0"
    {{ members_joined }}                   members expected now that were not a year earlier, "1"
    {{ members_left }}                     members expected a year earlier that are not now, "1"
    {{ members_in_both }}                  members that reported in both half-years compared, "40"
    {{ members_in_both_previous }}         … in this and the previous half-year
    {{ coverage }}                         the coverage sentence, "43 of 43 members reported for …, 1 of them in part."
    {{ quarter.2024Q3.clients }}           any figure above for one quarter of the data
    {{ period }}                           "January–June 2025"
    {{ 1234567 | number }}                 a number with thousands separators, "1,234,567"
    {{ 34.2 | percent }}                   a number as a percentage, "34 %"

"Like for like" compares only the members that reported in both periods, so a
missing return or a new member is never read as a change in need. A figure
that is suppressed, confidential, nil or not available stands as its symbol
(S, C, –, ..); a figure of a period in which an expected member did not report
carries the flag P. Each symbol used is recorded in the namespace's
``symbols`` so the document can footnote it; in the text the symbol is
wrapped in the private markers ``SYMBOL_OPEN``/``SYMBOL_CLOSE``, which the
narrative renderer turns into words (``disclosure.published.IN_WORDS``: a
sentence never holds a symbol) with a footnote reference, and a flag into one
footnote reference at the end of the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..core import formats
from ..core.config import Config
from ..core.findings import did_you_mean
from ..core.periods import Period
from ..disclosure.confidentiality import PublishedStore
from ..disclosure.published import SYMBOLS, Published
from ..inputs.coverage import count_words
from ..statistics.aggregate import NATIONAL

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
        """The text for a published value: its display (with its flag, P, wrapped for a footnote),
        or its symbol wrapped for a footnote."""
        if not published.symbol:
            if not published.flag:
                return published.display()
            self.flagged(published.flag)
            return f"{published.display()}\u00a0{SYMBOL_OPEN}{published.flag}{SYMBOL_CLOSE}"
        self.used.setdefault(published.symbol, SYMBOLS.get(published.symbol, published.symbol))
        return f"{SYMBOL_OPEN}{published.symbol}{SYMBOL_CLOSE}"

    def flagged(self, flag: str) -> None:
        """Record the flags of a figure ("P", or "P R"), each with its own note."""
        for one in flag.split():
            self.used.setdefault(one, SYMBOLS.get(one, one))


class _Context:
    def __init__(self, store: PublishedStore, config: Config, scope: str, notes: SymbolNotes):
        self.store, self.config, self.scope, self.notes = store, config, scope, notes


@dataclass(frozen=True)
class Ref:
    """What a figure a check names is (for the materiality judge, ``figures/materiality.py``): the cell,
    and for a change its base and whether it is like for like."""

    measure: str
    dimension: str
    category: str
    scope: str
    period: Period
    what: str = "value"  # value | share | change | members
    base: Period | None = None
    like_for_like: bool = True


class _Figure:
    """Base: renders as its published display text."""

    _c: _Context
    _p: Period

    def _published(self) -> Published:  # pragma: no cover - every subclass defines it
        raise PlaceholderError("this placeholder needs a measure")

    def __str__(self) -> str:
        return self._c.notes.mark(self._published())

    def _change(self, base: Period, *, like_for_like: bool = True) -> Published:  # pragma: no cover
        raise PlaceholderError("this placeholder has no change")

    @property
    def change(self) -> str:
        """Change on the same half a year earlier, like for like, in words."""
        return _words(self._change(self._p.year_earlier()), self._c.notes)

    @property
    def change_previous(self) -> str:
        """Change on the previous half-year, like for like, in words."""
        return _words(self._change(self._p.previous()), self._c.notes)

    # the properties that end a path in a published value (claims read them as values, not text)
    _VALUES = {"change": ("year_earlier", True), "change_previous": ("previous", True),
               "change_pct": ("year_earlier", True), "change_all": ("year_earlier", False),
               "change_all_previous": ("previous", False), "change_all_pct": ("year_earlier", False)}

    def ref(self, name: str | None = None) -> Ref:
        """What ``{{ figure }}`` or ``{{ figure.<name> }}`` is, for the materiality judge."""
        dimension, category = (getattr(self, "_d", "total"), getattr(self, "_cat", ""))
        if name in self._VALUES:
            base, like = self._VALUES[name]
            return Ref(self._m, dimension, category, self._c.scope, self._p, "change",  # type: ignore[attr-defined]
                       getattr(self._p, base)(), like)
        return Ref(self._m, dimension, category, self._c.scope, self._p,  # type: ignore[attr-defined]
                   "share" if name == "share" else "value")

    def value_of(self, name: str | None = None) -> Published:
        """The published value behind ``{{ figure }}`` (``name`` None) or ``{{ figure.<name> }}``."""
        if name is None:
            return self._published()
        if name == "share" and isinstance(self, CategoryFigure):
            return self._share()
        if name in self._VALUES:
            base, like = self._VALUES[name]
            return self._change(getattr(self._p, base)(), like_for_like=like)
        raise PlaceholderError(f"'{name}' is not a figure")

    @property
    def change_all(self) -> str:
        """Change on the same half a year earlier over every member's figures, in words (P-flagged
        when either half lacks a member's return)."""
        return _words(self._change(self._p.year_earlier(), like_for_like=False), self._c.notes)

    @property
    def change_all_previous(self) -> str:
        return _words(self._change(self._p.previous(), like_for_like=False), self._c.notes)


def _words(change: Published, notes: SymbolNotes) -> str:
    if not change.is_number or change.value is None:  # (a number has a value: said for the type checker)
        return notes.mark(change)
    words = formats.words(change.value)
    if change.flag:
        notes.flagged(change.flag)
        words += f"\u00a0{SYMBOL_OPEN}{change.flag}{SYMBOL_CLOSE}"
    return words


def _signed(change: Published, notes: SymbolNotes) -> str:
    return notes.mark(change)


class CategoryFigure(_Figure):
    _PROPS = ["share", "previous", "year_ago", "change", "change_previous", "change_all", "change_all_previous"]

    def __init__(self, ctx: _Context, measure: str, dimension: str, category: str, period: Period):
        self._c, self._m, self._d, self._cat, self._p = ctx, measure, dimension, category, period

    def _published(self) -> Published:
        return self._c.store.get(self._m, self._d, self._cat, scope=self._c.scope, period=self._p)

    def _share(self) -> Published:
        return self._c.store.share(self._m, self._d, self._cat, scope=self._c.scope, period=self._p)

    @property
    def share(self) -> str:
        return self._c.notes.mark(self._share())

    @property
    def previous(self) -> CategoryFigure:
        return CategoryFigure(self._c, self._m, self._d, self._cat, self._p.previous())

    @property
    def year_ago(self) -> CategoryFigure:
        return CategoryFigure(self._c, self._m, self._d, self._cat, self._p.year_earlier())

    def _change(self, base: Period, *, like_for_like: bool = True) -> Published:
        change = self._c.store.like_for_like if like_for_like else self._c.store.change
        return change(self._m, self._d, self._cat, scope=self._c.scope, period=self._p, base=base)

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
    _PROPS = ["previous", "year_ago", "change", "change_previous", "change_pct", "change_all",
              "change_all_previous", "change_all_pct"]

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

    def _change(self, base: Period, *, like_for_like: bool = True) -> Published:
        change = self._c.store.like_for_like if like_for_like else self._c.store.change
        return change(self._m, scope=self._c.scope, period=self._p, base=base)

    @property
    def change_pct(self) -> str:
        """Change on the same half a year earlier, like for like, signed: "+12 %"."""
        return _signed(self._change(self._p.year_earlier()), self._c.notes)

    @property
    def change_all_pct(self) -> str:
        return _signed(self._change(self._p.year_earlier(), like_for_like=False), self._c.notes)

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        dims = [d for d in self._c.config.measures[self._m].dimensions if d != "total"]
        if name in dims:
            return DimensionFigures(self._c, self._m, name, self._p)
        raise _no_part(self._m, name, dims + self._PROPS)


class Members:
    """A count of member organisations (``{{ members_partial }}``): shown as text, checked as a number."""

    def __init__(self, n: int, text: str | None = None):
        self.n, self.text = n, str(n) if text is None else text

    def __str__(self) -> str:
        return self.text

    def value(self) -> Published:
        return Published(float(self.n), "", "members")


MEMBER_NAMES = ("members_reporting", "members_partial", "members_missing", "members_joined", "members_left",
                "members_in_both", "members_in_both_previous")


class _Scope:
    """One region's figures: ``region.AKL.clients``."""

    _NAMES = ["name", *MEMBER_NAMES, "coverage"]

    def __init__(self, ctx: _Context, period: Period):
        self._ctx, self._p = ctx, period

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        if name in self._ctx.config.measures:
            return MeasureFigure(self._ctx, name, self._p)
        if name == "name":
            return self._ctx.config.region_label(self._ctx.scope)
        if name in self._NAMES:
            return _coverage_names(self._ctx.store, self._ctx.scope, self._p)[name]
        raise _no_part(f"region.{self._ctx.scope}", name, [*self._ctx.config.measures, *self._NAMES])


def _coverage_names(store: PublishedStore, scope: str, period: Period) -> dict[str, object]:
    """Who reported (``inputs/coverage.py``, one definition): members reporting of the members there
    ("43 of 44" nationally, "12" for a region), in part, not at all, joined and left since a year
    earlier, in both periods of each like-for-like change; and the coverage sentence."""
    cov = store.coverage.get(scope, period)
    base = period.year_earlier()
    reported = len(cov.reported)
    return {"members_reporting": Members(reported, count_words(reported, len(cov.members)) if scope == NATIONAL
                                         else None),
            "members_partial": Members(len(cov.partial)),
            "members_missing": Members(len(cov.absent)),
            "members_joined": Members(len(store.coverage.joiners(scope, period, base))),
            "members_left": Members(len(store.coverage.leavers(scope, period, base))),
            "members_in_both": Members(store.panel(scope, period, base)),
            "members_in_both_previous": Members(store.panel(scope, period, period.previous())),
            "coverage": cov.sentence(period.label())}


class RegionFigures:
    """``region.<CODE>``: the figures of any region, by its code (case-insensitive)."""

    def __init__(self, store: PublishedStore, config: Config, period: Period, notes: SymbolNotes):
        self._s, self._cfg, self._p, self._notes = store, config, period, notes

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        code = name.upper()
        if code not in self._cfg.regions:
            raise _unknown("region", name, self._cfg.regions)
        return _Scope(_Context(self._s, self._cfg, code, self._notes), self._p)

    def __str__(self) -> str:
        raise PlaceholderError("'region' needs a region code and a measure, e.g. region.AKL.clients")


class QuarterFigures:
    """``quarter.2024Q3`` (in a check) or ``quarter["2024Q3"]`` (in a placeholder): the figures of one
    quarter of the data, for the document's scope, with ``region`` and every name above."""

    def __init__(self, store: PublishedStore, config: Config, scope: str, notes: SymbolNotes, judge=None):
        self._s, self._cfg, self._scope, self._notes, self._judge = store, config, scope, notes, judge

    def __getitem__(self, name: str):
        try:
            quarter = Period.parse(str(name))
        except ValueError:
            quarter = None
        known = [p for p in self._s.periods if Period.parse(p).is_quarter]
        if quarter is None or not quarter.is_quarter or str(quarter) not in known:
            shown = f"{known[0]} to {known[-1]}" if known else "none"
            raise PlaceholderError(f"'quarter.{name}' is not a quarter of the data: write it as 2024Q3 "
                                   f"(the quarters published: {shown})")
        return Namespace(self._s, self._cfg, quarter, self._scope, self._notes, self._judge)

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        return self[name]

    def __str__(self) -> str:
        raise PlaceholderError('\'quarter\' needs a quarter and a figure, e.g. quarter["2024Q3"].clients')


QUARTER_PATH = re.compile(r"\bquarter\.(\d{4}[Qq][1-4])\b")


def quarter_items(expression: str) -> str:
    """``quarter.2024Q3`` written in a placeholder, as the template language reads it (``quarter["2024Q3"]``)."""
    return QUARTER_PATH.sub(lambda m: f'quarter["{m.group(1).upper()}"]', expression)


def resolve_ref(names: dict, path: str) -> tuple[Published, Ref | None]:
    """The published value a dotted placeholder path names (``region.AKL.clients.need.housing.share``),
    for claims — the same figure the placeholder shows, as a value — and what it is (a ``Ref``; none
    for a count of members). Raises PlaceholderError."""
    parts = [p for p in path.strip().split(".") if p]
    if not parts or parts[0] not in names:
        raise _unknown("name", parts[0] if parts else path, [k for k in names if not k.startswith("_")])
    obj = names[parts[0]]
    for i, part in enumerate(parts[1:], start=1):
        last = i == len(parts) - 1
        if last and isinstance(obj, _Figure) and (part in _Figure._VALUES or part == "share"):
            return obj.value_of(part), obj.ref(part)
        if part.startswith("_"):
            raise PlaceholderError(f"'{part}' is internal")
        obj = obj[part] if isinstance(obj, (dict, QuarterFigures)) else getattr(obj, part)
    if isinstance(obj, _Figure):
        return obj.value_of(None), obj.ref(None)
    if isinstance(obj, Members):
        return obj.value(), None
    raise PlaceholderError(f"'{path}' is not a figure: name a measure, a category, a share or a count of members")


def resolve(names: dict, path: str) -> Published:
    """The published value a dotted placeholder path names (``resolve_ref`` without the ``Ref``)."""
    return resolve_ref(names, path)[0]


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

    def __init__(self, store: PublishedStore, config: Config, period: Period, scope: str, notes: SymbolNotes,
                 judge=None):
        ctx = _Context(store, config, scope, notes)
        super().__init__({m: MeasureFigure(ctx, m, period) for m in config.measures})
        self["period"] = period.label()
        self["region"] = RegionFigures(store, config, period, notes)
        self.update(_coverage_names(store, scope, period))
        self["quarter"] = QuarterFigures(store, config, scope, notes, judge)
        self.symbols = notes
        self.scope = scope
        self.period = period
        self.judge = judge  # figures/materiality.Judge: when a difference may be called one (claims.py)
        self._args = (store, config, period)

    def scoped(self, scope: str) -> Namespace:
        """The same figures for another scope (a region's commentary), sharing the symbol notes."""
        store, config, period = self._args
        return Namespace(store, config, period, scope, self.symbols, self.judge)


def namespace(store: PublishedStore, config: Config, period: Period, *, scope: str = NATIONAL,
              judge=None) -> Namespace:
    """The names available inside placeholders for one document; ``judge`` (``figures/materiality.Judge``,
    handed in by ``publication.py``) decides when a claimed difference is material."""
    return Namespace(store, config, period, scope, SymbolNotes(), judge)

"""The audit's proofs over the whole bundle (confidentiality rules 12 and 13).

Each proof reads what is published — the files of the bundle, and the earlier
releases — and checks it against what it must not reveal; each returns
``{"holds": bool, "checked": n, "violations": n}``, counts only.

* ``derived_from_published``: every share, ratio, outcome rate, percentage
  change and absolute change in the published tables is recomputed here from
  the published count tables alone and must equal what is published. A derived
  figure that is a function of published counts tells an intruder nothing the
  counts do not: no ratio × magnitude, share × total or change × previous
  period narrows a count.
* ``like_for_like_left_out``: every published like-for-like change, against
  the one member left out of its panel (when only one is): knowing its own
  figures, that member cannot rule out any raw value the published counts allow.
* ``dominance``: no published count or hours figure fails the p % rule, with
  each member's contribution recomputed here from the members' rows.
* ``releases_agree``: every count published by an earlier release (a quarterly
  release, a draft's final, a revision) has the same value now, or carries R.
* ``no_symbol_in_prose``: no sentence of a published page — paragraphs, list
  items, headings, captions and alt text of the report, the briefs and the
  dashboard — holds a symbol where a figure goes ("7,350 P people", "Māori were
  S of …"): a withheld figure is said in words, a flag noted once. Tables, the
  lists that explain the symbols and a symbol named in brackets or as a key
  ("(S)", "P: provisional") are not sentences that use one.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from html.parser import HTMLParser
from operator import itemgetter
from pathlib import Path

import numpy as np
import pandas as pd

from ..core.config import Config
from ..core.periods import Period
from .confidentiality import PublishedStore
from .published import CONFIDENTIAL, NOT_AVAILABLE, SUPPRESSED
from .rules import Rules

KEY = ("scope", "period", "measure", "dimension", "category")
WITHHELD = {"S", "C"}
# an input not available and another confidential: ".." for the figure, or C when the confidential
# input is a region not published at all (every figure of it is C); either publishes no number
NA_OR_C = "..|C"


def _result(checked: int, bad: int) -> dict:
    return {"holds": bool(bad == 0), "checked": int(checked), "violations": int(bad)}


def _rows(data: bytes) -> list[dict[str, str]]:
    """A CSV's rows as dicts by its header, as ``csv.DictReader`` gives them (the tables have no short
    or long rows), made in one comprehension: DictReader's own loop is several times slower."""
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig")))
    header = next(reader, None)
    return [] if header is None else [dict(zip(header, row)) for row in reader if row]


def count_table_names(config: Config) -> set[str]:
    return {m if d == "total" else f"{m}_by_{d}" for m, spec in config.measures.items() for d in spec.dimensions}


def count_table_rows(files: dict[str, bytes], config: Config, columns: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
    """Every row of the bundle's count tables, as the texts of ``columns`` in that order: read by position
    (a dict per row costs more than what the proofs do with it)."""
    names = count_table_names(config)
    for name, data in files.items():
        stem = name.removeprefix("tables/").removesuffix(".csv")
        if name.startswith("tables/") and name.endswith(".csv") and stem in names:
            reader = csv.reader(io.StringIO(data.decode("utf-8-sig")))  # the CSVs carry a byte-order mark
            header = next(reader, [])
            pick = itemgetter(*(header.index(c) for c in columns))
            yield from (pick(row) for row in reader if row)


def published_counts(files: dict[str, bytes], config: Config) -> dict[tuple, tuple[float | None, str, str]]:
    """Every cell of the count tables: key → (value, symbol, flag)."""
    out: dict[tuple, tuple[float | None, str, str]] = {}
    for *key, value, symbol, flag in count_table_rows(files, config, (*KEY, "value", "symbol", "flag")):
        out[tuple(key)] = (float(value) if value else None, symbol, flag)
    return out


class _Published:
    """The published count tables, read back: figures by cell, as a reader of the bundle has them."""

    def __init__(self, counts: dict[tuple, tuple[float | None, str, str]], rules: Rules):
        self.counts, self.rules = counts, rules

    def cell(self, scope: str, period: str, measure: str, dimension: str = "total", category: str = ""):
        return self.counts.get((scope, period, measure, dimension, category))

    def combine(self, parts: Iterable, wholes: Iterable, scale: float, digits: int) -> str:
        """sum(parts) ÷ sum(wholes) × scale, as the tables write it: a number, S, or ..; "?" when a
        cell is missing from the tables (which the proof counts as a violation)."""
        parts, wholes = list(parts), list(wholes)
        withheld = self._withheld(*parts, *wholes)
        if withheld:
            return withheld
        top = sum(c[0] or 0.0 for c in parts)
        bottom = sum(c[0] or 0.0 for c in wholes)
        if bottom < self.rules.min_denominator:
            return SUPPRESSED
        return _plain(round(top / bottom * scale, digits) + 0.0)

    @staticmethod
    def _withheld(*cells) -> str:
        """What a figure of these cells is when one is missing ("?"), not available or withheld; "" else."""
        if any(c is None for c in cells):
            return "?"
        symbols = {c[1] for c in cells}
        if NOT_AVAILABLE in symbols:
            return NA_OR_C if CONFIDENTIAL in symbols else NOT_AVAILABLE
        return SUPPRESSED if symbols & WITHHELD else ""

    def change(self, now, then, digits: int) -> str:
        b = (then[0] or 0.0) if then is not None else 0.0
        if self._withheld(now, then) or b < self.rules.min_denominator:
            return self._withheld(now, then) or SUPPRESSED
        return _plain(round(((now[0] or 0.0) - b) / b * 100.0, digits) + 0.0)

    def difference(self, now, then) -> str:
        return self._withheld(now, then) or _plain((now[0] or 0.0) - (then[0] or 0.0))


def _plain(value: float) -> str:
    """As the CSV tables write a derived number."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.3f}".rstrip("0").rstrip(".")


def _shown(row: dict[str, str]) -> str:
    return row["symbol"] or row["value"]


def derived_from_published(files: dict[str, bytes], config: Config, ratios: list, groups: dict) -> dict:
    """Every derived figure of the tables recomputed from the published count tables alone.

    ``ratios``: (code, numerator measures, denominator measures, per, percent) of each published ratio;
    ``groups``: outcome dimension → group → its categories."""
    rules = Rules.of(config)
    pub = _Published(published_counts(files, config), rules)
    d = rules.percent_decimals
    ratio_defs = {r[0]: r for r in ratios}
    checked = bad = 0

    def same(row: dict[str, str], expected: str) -> None:
        nonlocal checked, bad
        checked += 1
        got = _shown(row)
        if row["value"] and expected not in (SUPPRESSED, NOT_AVAILABLE, NA_OR_C, "?"):
            bad += abs(float(row["value"]) - float(expected)) > 1e-9
        elif expected == NA_OR_C:
            bad += got not in (NOT_AVAILABLE, CONFIDENTIAL)
        elif expected == SUPPRESSED:  # withheld with its input: S, or C for a region not published at all
            bad += got not in WITHHELD
        else:
            bad += got != expected

    for name, data in sorted(files.items()):
        stem = name.removeprefix("tables/").removesuffix(".csv")
        if not (name.startswith("tables/") and name.endswith(".csv")):
            continue
        if stem == "shares":
            for r in _rows(data):
                same(r, pub.combine([pub.cell(r["scope"], r["period"], r["measure"], r["dimension"], r["category"])],
                                    [pub.cell(r["scope"], r["period"], r["measure"])], 100.0, d))
        elif stem == "ratios":
            for r in _rows(data):
                code, num, den, per, percent = ratio_defs[r["measure"]]
                same(r, pub.combine([pub.cell(r["scope"], r["period"], m) for m in num],
                                    [pub.cell(r["scope"], r["period"], m) for m in den],
                                    100.0 if percent else per, d if percent else 1))
        elif stem == "outcomes":
            for r in _rows(data):
                same(r, _outcome(pub, r, groups, d))
        elif stem.startswith(("change_percent_vs_", "change_vs_")):
            which = stem.rsplit("_vs_", 1)[1]
            for r in _rows(data):
                period = Period.parse(r["period"])
                base = str(period.previous() if which == "previous" else period.year_earlier())
                key = (r["measure"], r["dimension"], r["category"])
                now, then = pub.cell(r["scope"], r["period"], *key), pub.cell(r["scope"], base, *key)
                same(r, pub.change(now, then, d) if stem.startswith("change_percent") else pub.difference(now, then))
    return _result(checked, bad)


def _outcome(pub: _Published, r: dict[str, str], groups: dict, d: int) -> str:
    scope, period, measure, dim, cat = (r[k] for k in KEY)
    if dim.endswith("_group"):
        base_dim = dim.removesuffix("_group")
        cats = groups.get(base_dim, {}).get(cat, [])
    else:
        base_dim, cats = dim, [cat]
    assessed = [pub.cell(scope, period, "outcome_assessed", base_dim, c) for c in cats]
    if measure == "improvement_rate":
        return pub.combine([pub.cell(scope, period, "outcome_improved", base_dim, c) for c in cats], assessed, 100.0, d)
    return pub.combine(assessed, [pub.cell(scope, period, "clients")] * len(cats), 100.0, d)


def like_for_like_left_out(store: PublishedStore, derived: pd.DataFrame) -> dict:
    """Every published like-for-like change against the one member left out of its panel."""
    checked = bad = 0
    lfl = derived[derived["table"].str.startswith("like_for_like_vs_") & (derived["symbol"] == "")]
    for rec in lfl.itertuples(index=False):
        period = Period.parse(rec.period)
        base = period.previous() if rec.table.endswith("previous") else period.year_earlier()
        outside = store.left_out(rec.scope, period, base, "now") | store.left_out(rec.scope, period, base, "then")
        if len(outside) != 1:
            continue
        checked += 1
        bad += store.narrows_for_left_out(rec.scope, period, base, (rec.measure, rec.dimension, rec.category))
    return _result(checked, bad)


def _codes(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """A column as integer codes and the text of each code (as ``astype(str)`` writes it; a missing value
    as "nan")."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes = column.cat.codes.to_numpy(np.int64)
        labels = [str(v) for v in column.cat.categories]
    else:
        codes, uniques = pd.factorize(column, use_na_sentinel=True)
        codes, labels = codes.astype(np.int64), [str(v) for v in uniques]
    return np.where(codes < 0, len(labels), codes), np.array([*labels, "nan"], dtype=object)


def member_contributions(member_rows: dict[str, pd.DataFrame], periods: Iterable[str],
                         national: str) -> pd.DataFrame:
    """Each cell's total and its two largest members' contributions, per scope (each region, and the
    nation with each member's regions added up), recomputed from the members' rows on integer codes
    (numpy): each member's sum per scope and cell, then per scope and cell the total, the largest and
    the second largest of those sums."""
    frames = []
    for period in periods:
        rows = member_rows.get(period)
        if rows is None or rows.empty:
            continue
        (region, regions), (measure, measures), (dimension, dimensions), (category, categories), (org, orgs) = (
            _codes(rows[c]) for c in ("region", "measure", "dimension", "category", "org_id"))
        value = rows["value"].to_numpy()
        nd, nc, norg, nreg = len(dimensions), len(categories), len(orgs), len(regions)
        cell = (measure * nd + dimension) * nc + category
        ncell = len(measures) * nd * nc
        # each member's sum per (scope, cell): its regions, and the nation (scope nreg) over all its regions
        scope = np.concatenate([region, np.full(len(region), nreg, dtype=np.int64)])
        member = (scope * ncell + np.concatenate([cell, cell])) * norg + np.concatenate([org, org])
        keys, where = np.unique(member, return_inverse=True)
        sums = np.zeros(len(keys), dtype=value.dtype)
        np.add.at(sums, where, np.concatenate([value, value]))
        group = keys // norg  # scope * ncell + cell
        order = np.lexsort((-sums, group))  # each group's members, largest first
        group, sums = group[order], sums[order]
        starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
        ends = np.r_[starts[1:], len(group)]
        has_second = starts + 1 < ends
        second = np.zeros(len(starts), dtype=sums.dtype if has_second.all() else np.float64)  # float where a cell has one member
        second[has_second] = sums[starts[has_second] + 1]
        g = group[starts]
        at_scope, at_cell = g // ncell, g % ncell
        frames.append(pd.DataFrame({
            "scope": np.array([*(str(r) for r in regions[:nreg]), national], dtype=object)[at_scope],
            "measure": measures[at_cell // (nd * nc)], "dimension": dimensions[(at_cell // nc) % nd],
            "category": categories[at_cell % nc], "total": np.add.reduceat(sums, starts),
            "largest": sums[starts], "second": second, "period": period}))
    if not frames:
        return pd.DataFrame(columns=[*KEY, "total", "largest", "second"])
    return pd.concat(frames, ignore_index=True)


def dominance(store: PublishedStore, member_rows: dict[str, pd.DataFrame], config: Config, national: str) -> dict:
    """No published number (count or hours) where the second-largest member could estimate the largest
    within p %: the sum of the others below p % of the largest."""
    p = config.confidentiality.dominance_p
    published = store.frame()
    published = published[published["symbol"] == ""][list(KEY)]
    contributions = member_contributions(member_rows, store.periods, national)
    joined = published.merge(contributions, on=list(KEY), how="inner")
    others = joined["total"] - joined["largest"] - joined["second"]
    bad = (p > 0) & (joined["total"] > 0) & (others < p / 100.0 * joined["largest"])
    return _result(len(joined), int(bad.sum()))


def releases_agree(files: dict[str, bytes], config: Config, release_log: list[dict]) -> dict:
    """Every count an earlier release published (the latest release that published each cell) is
    published the same now, or carries R."""
    names = count_table_names(config)
    before: dict[tuple, str] = {}
    out_dir = Path(config.output_dir)
    for entry in release_log:
        for path in sorted((out_dir / entry["bundle"] / "tables").glob("*.csv")):
            if path.stem in names:
                for r in _rows(path.read_bytes()):
                    before[tuple(r[k] for k in KEY)] = _shown(r)
    if not before:  # no earlier release (every draft before the first final): nothing to agree with
        return _result(0, 0)
    now = published_counts(files, config)
    checked = bad = 0
    for key, old in before.items():
        if key not in now:
            continue
        checked += 1
        value, symbol, flag = now[key]
        shown = symbol or _plain(value or 0.0)
        bad += shown != old and "R" not in flag.split()
    return _result(checked, bad)


# a symbol where a figure goes: S, C or .. standing alone, or a flag right after a number (A after a
# percentage: after another number it is the article, "note 1 A new member"); not a symbol named in
# brackets, quotes or as a key ("(S)", "P: provisional"), nor a letter inside a word or code
SYMBOL_IN_PROSE = re.compile(r"(?<![\w.'’‘\"“/(\[-])(?:S|C|\.\.)(?![\w.'’\"”:/)\]-])"
                             r"|(?<=[\d%])\s?(?:P|R)(?![\w:)\]])|(?<=%)\s?A(?![\w:)\]])")


class _Prose(HTMLParser):
    """The sentences of a page: the text of its paragraphs, list items, headings and captions outside
    tables, code and the lists that explain the symbols; and every image's alt text."""

    PROSE = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "figcaption", "blockquote", "caption"}
    SKIP = {"table", "dl", "svg", "script", "style", "code", "pre", "template"}
    SKIP_CLASSES = ("narrative-notes", "symbols", "key-figures", "figures")  # key figures: labelled values, as in a table
    VOID = {"br", "img", "meta", "link", "input", "hr", "wbr", "source", "col", "area", "base", "embed"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._stack: list[tuple[str, bool, bool]] = []  # tag, skipped, prose
        self._skip = self._prose = 0
        self._buf: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "img" and a.get("alt"):
            self.texts.append(a["alt"])
        if tag in self.VOID:
            return
        skip = tag in self.SKIP or any(c in (a.get("class") or "").split() for c in self.SKIP_CLASSES)
        prose = tag in self.PROSE and not skip and not self._skip
        self._stack.append((tag, skip, prose))
        self._skip += skip
        if prose:
            self._prose += 1
            if self._prose == 1:
                self._buf = []

    def handle_endtag(self, tag: str) -> None:
        if not any(t == tag for t, _, _ in self._stack):
            return  # a stray end tag
        while self._stack:
            t, skip, prose = self._stack.pop()
            self._skip -= skip
            if prose:
                self._prose -= 1
                if self._prose == 0:
                    self.texts.append(" ".join("".join(self._buf).split()))
            if t == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._prose and not self._skip:
            self._buf.append(data)


def prose_of(html: str) -> list[str]:
    parser = _Prose()
    parser.feed(html)
    parser.close()
    return parser.texts


def symbols_in_prose(text: str) -> list[str]:
    """Each symbol ``text`` uses where a figure goes, with a little of its context."""
    return [text[max(0, m.start() - 30):m.end() + 20] for m in SYMBOL_IN_PROSE.finditer(text)]


def no_symbol_in_prose(files: dict[str, bytes]) -> dict:
    """Every sentence of the bundle's HTML pages (the PDFs are laid out from them), read for symbols."""
    checked = bad = 0
    first = ""
    for name, data in sorted(files.items()):
        if name.endswith(".html"):
            for text in prose_of(data.decode("utf-8", "replace")):
                checked += 1
                hits = symbols_in_prose(text)
                bad += bool(hits)
                first = first or (f"{name}: '{hits[0]}'" if hits else "")
    return _result(checked, bad) | ({"first": first} if first else {})

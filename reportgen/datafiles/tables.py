"""Published tables: one tidy CSV per table and one human-readable XLSX workbook.

Every CSV has exactly the columns ``TABLE_COLUMNS``:

    scope, scope_label, period, period_label, period_kind, measure, measure_label,
    dimension, dimension_label, category, category_label, unit, value, symbol

— the codes for machines, a label beside each for people, and ``unit`` (count,
hours, percent, percent_change, ratio, members) so that a ``6`` in
``shares.csv`` says it is a percentage. ``value`` is empty whenever ``symbol`` is
set (S, C, – or ..). Rows are ordered by scope, then period kind (quarters, then
half-years), then time, measure, dimension and category. The files are UTF-8 with
a byte-order mark, which Excel needs to read "–" and macrons correctly (other
readers skip it; docs/published-tables.md says why).

Count tables are named ``<measure>`` (totals) or ``<measure>_by_<dimension>`` (a
breakdown, with the measure's total rows included); derived tables are ``shares``,
``ratios``, ``outcomes``, ``change_percent_vs_previous``,
``change_percent_vs_year_earlier``, ``change_vs_previous``,
``change_vs_year_earlier`` and ``coverage``.

The workbook is for reading, in the style statistical offices use for
accessible spreadsheets: a cover sheet (title, period, publisher, contact,
licence, how to cite), a contents sheet, a notes sheet (``methodology.py``'s
sentences and the symbols), then one sheet per table with its title in A1, a
wide layout (one row per area and category, one column per period) and the
header row frozen. The long, machine-readable tables are the CSVs.

All values come from the ``PublishedStore`` (counts) and ``Metrics`` (derived
figures); nothing here computes a number. The bytes are deterministic: the
XLSX zip carries fixed timestamps.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..core import formats
from ..core.config import Config
from ..core.periods import Period
from ..core.release_calendar import next_release_text, release_of
from ..disclosure.confidentiality import PublishedStore
from ..disclosure.published import NOT_AVAILABLE, SYMBOLS
from ..disclosure.rules import Rules
from ..figures.methodology import notes
from ..figures.metrics import OUTCOME_LABELS, RATIOS, Metrics
from .xlsx import Sheet, workbook

KEY_COLUMNS = ["scope", "period", "measure", "dimension", "category"]
TABLE_COLUMNS = ["scope", "scope_label", "period", "period_label", "period_kind", "measure", "measure_label",
                 "dimension", "dimension_label", "category", "category_label", "unit", "value", "symbol", "flag"]
DERIVED_TABLES = ["shares", "ratios", "outcomes", "change_percent_vs_previous", "change_percent_vs_year_earlier",
                  "like_for_like_vs_previous", "like_for_like_vs_year_earlier",
                  "change_vs_previous", "change_vs_year_earlier", "coverage"]
# a published figure's kind → the CSV's unit
UNITS = {"count": "count", "hours": "hours", "percent": "percent", "change": "percent_change", "ratio": "ratio",
         "difference": "count", "members": "members"}
UNIT_WORDS = {"hours": "hours (not rounded)",  # counts: Rules.unit_words (the config's base)
              "percent": "percentages", "percent_change": "percentage changes", "ratio": "ratios",
              "members": "numbers of member organisations (not rounded)"}
BOM = "\ufeff"


@dataclass
class Table:
    name: str
    title: str
    frame: pd.DataFrame  # TABLE_COLUMNS, values already formatted as text

    @property
    def sheet(self) -> str:
        """The table's sheet in the workbook: the CSV's name when it fits Excel's 31 characters,
        else the name without "_by_" (docs/published-tables.md lists them)."""
        return self.name if len(self.name) <= 31 else self.name.replace("_by_", "_")[:31]


def _labels(config: Config) -> dict[str, dict[str, str]]:
    """Code → label for scopes, measures (catalogue and derived) and dimensions."""
    measures = {m: spec.label for m, spec in config.measures.items()}
    measures |= {r.code: r.label for r in RATIOS} | OUTCOME_LABELS
    measures |= {"members_reporting": "Members reporting", "members_expected": "Members expected",
                 "members_partial": "Members reporting in part"}
    dimensions = {d: spec.label for d, spec in config.dimensions.items()}
    dimensions |= {"total": "Total", "score_domain_group": "Outcome domain group"}
    return {"scope": {"NZ": "Aotearoa New Zealand", **config.regions}, "measure": measures,
            "dimension": dimensions}


def _category_label(config: Config, dimension: str, category: str) -> str:
    if dimension == "total" or not category:
        return ""
    if dimension == "score_domain_group":
        return category.capitalize()
    spec = config.dimensions.get(dimension)
    return spec.categories.get(category, category) if spec else category


def _tidy(frame: pd.DataFrame, scopes: list[str], config: Config) -> pd.DataFrame:
    """Text values with labels and units; rows in a fixed order: national first, regions in
    config order, quarters before half-years, periods in time order, then measure, dimension,
    category."""
    # plain lists throughout, one pass per column: pandas' per-column assignments and its sort of six
    # keys cost more than the labelling itself, and iterating Arrow-backed columns value by value more still
    col = {c: frame[c].tolist() for c in ("scope", "period", "measure", "dimension", "category", "value", "symbol",
                                          "kind", "flag")}
    labels = _labels(config)
    order = {s: i for i, s in enumerate(scopes)}
    periods = {p: Period.parse(p) for p in dict.fromkeys(col["period"])}
    hours = {m for m, spec in config.measures.items() if spec.kind == "hours"}
    rank = {("total", ""): -1}  # categories in the catalogue's order (totals first)
    for dim, spec in config.dimensions.items():
        rank |= {(dim, code): i for i, code in enumerate(spec.categories)}
        rank |= {("score_domain_group", g): i for i, g in enumerate(spec.groups)}

    def per_value(column: str, fn) -> list:  # fn once per distinct value, then a lookup per row
        found = {v: fn(v) for v in dict.fromkeys(col[column])}
        return [found[v] for v in col[column]]

    out = {
        "scope": col["scope"], "scope_label": per_value("scope", lambda s: labels["scope"].get(s, s)),
        "period": col["period"], "period_label": per_value("period", lambda p: periods[p].label()),
        "period_kind": per_value("period", lambda p: "quarter" if periods[p].is_quarter else "half-year"),
        "measure": col["measure"], "measure_label": per_value("measure", lambda m: labels["measure"].get(m, m)),
        "dimension": col["dimension"],
        "dimension_label": per_value("dimension", lambda d: labels["dimension"].get(d, d)),
        "category": col["category"],
        "category_label": [_category_label(config, d, c) for d, c in zip(col["dimension"], col["category"])],
        "unit": [("hours" if k == "difference" and m in hours else UNITS.get(k, k))
                 for k, m in zip(col["kind"], col["measure"])],
        "value": [formats.plain(v, k) if not s else "" for v, s, k in zip(col["value"], col["symbol"], col["kind"])],
        "symbol": col["symbol"], "flag": col["flag"]}
    # rows by scope (config order), period (quarters first, then time), measure, dimension, category
    # (catalogue order, then code); a stable sort, and a missing key last, as pandas' sort_values had it
    keys = [per_value("scope", order.get),
            per_value("period", lambda p: (0 if periods[p].is_quarter else 1, periods[p]._ordinal())),
            col["measure"], col["dimension"],
            [rank.get((d, c), 10_000) for d, c in zip(col["dimension"], col["category"])], col["category"]]
    if any(v is None or v != v for k in keys for v in dict.fromkeys(k)):
        keys = [[(v is None or v != v, 0 if v is None or v != v else v) for v in k] for k in keys]
    by = list(zip(*keys))
    rows = np.array(sorted(range(len(by)), key=by.__getitem__), dtype=np.intp)
    # plain object columns: the CSV writer and the workbook iterate every cell
    return pd.DataFrame({c: pd.Series(np.array(out[c], dtype=object)[rows] if len(rows) else [], dtype=object)
                         for c in TABLE_COLUMNS})


DERIVED_TITLES = {
    "shares": "Shares of each measure's total (%)", "ratios": "Ratios",
    "outcomes": "Outcome improvement rates and assessment coverage (%)",
    "change_percent_vs_previous": "Change from the previous half-year, all members (%)",
    "change_percent_vs_year_earlier": "Change from the same half a year earlier, all members (%)",
    "like_for_like_vs_previous": "Change from the previous half-year, like for like: members that "
                                                "reported in both (%)",
    "like_for_like_vs_year_earlier": "Change from the same half a year earlier, like for like: "
                                                    "members that reported in both (%)",
    "change_vs_previous": "Change from the previous half-year (difference of published values)",
    "change_vs_year_earlier": "Change from the same half a year earlier (difference of published values)",
    "coverage": "Members reporting and expected",
}


def _count_tables(config: Config) -> list[tuple[str, str, str, str]]:
    """(name, title, measure, dimension) of every count table, in catalogue order."""
    out = []
    for measure, spec in config.measures.items():
        for dim in spec.dimensions:
            if dim == "total":
                out.append((measure, spec.label, measure, dim))
            else:
                out.append((f"{measure}_by_{dim}", f"{spec.label} by {config.dimensions[dim].label.lower()}",
                            measure, dim))
    return out


def table_titles(metrics: Metrics, config: Config) -> list[tuple[str, str]]:
    """(name, title) of every published table, counts first, in catalogue order — the tables
    ``published_tables`` makes, without making them (documents link to them)."""
    present = set(metrics.derived["table"].unique())
    return ([(name, title) for name, title, _, _ in _count_tables(config)]
            + [(name, DERIVED_TITLES[name]) for name in DERIVED_TABLES if name in present])


def published_tables(store: PublishedStore, metrics: Metrics, config: Config) -> list[Table]:
    """Every published table, counts first, in catalogue order (the order of ``table_titles``)."""
    cells = store.frame()
    tables: list[Table] = []
    for name, title, measure, dim in _count_tables(config):
        m_cells = cells[cells["measure"] == measure]
        tables.append(Table(name, title, _tidy(m_cells[m_cells["dimension"].isin({dim, "total"})], store.scopes,
                                               config)))
    derived = metrics.derived
    for name in DERIVED_TABLES:
        part = derived[derived["table"] == name]
        if len(part):
            tables.append(Table(name, DERIVED_TITLES[name], _tidy(part, store.scopes, config)))
    return tables


def table_csv(table: Table) -> bytes:
    """UTF-8 with a byte-order mark (Excel reads "–" and macrons right only with it), header row,
    one row per published cell."""
    buf = io.StringIO(newline="")
    buf.write(BOM)
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(TABLE_COLUMNS)
    writer.writerows(zip(*(table.frame[c].tolist() for c in TABLE_COLUMNS)))  # the columns' plain lists: quicker
    return buf.getvalue().encode("utf-8")


def read_csv_rows(data: bytes) -> list[dict[str, str]]:
    """A published CSV's rows as dicts (the byte-order mark skipped)."""
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


SOURCE = "Source: member organisations' quarterly submissions, aggregated and confidentialised."


def notes_rows(config: Config, period: Period, metrics: Metrics, tables: list[Table]) -> list[list[str]]:
    """The notes: (note, text) rows, from the methodology's sentences (``methodology.notes``)."""
    rows: list[list[str]] = []
    for sym, meaning in SYMBOLS.items():
        rows.append([f"Symbol {sym}", meaning[:1].upper() + meaning[1:]])
    text = notes(config, period, metrics.agg, dominated=metrics.dominated_regions(period))
    rows += [["Rounding", text.rounding], ["Suppression", text.suppression]]
    rows += [["One member's share", text.dominance]] if text.dominance else []
    rows += [["Hours", text.hours],
             ["Derived figures", text.derived], ["Shares", text.shares], ["Regions", text.regions],
             ["Outcome coverage", text.outcome_coverage]]
    for dim, spec in config.dimensions.items():
        if spec.note:
            rows.append([spec.label, spec.note])
    rows.append(["Periods", f"This release is for {period.label()} ({period}). {text.period_definition} "
                            "Counts of clients for a half-year are distinct people where members sent "
                            "half-year figures, else the sum of the two quarters. Each table shows the "
                            "quarters first, then the half-years."])
    if text.summed:
        rows.append(["Figures summed from quarters", text.summed])
    rows.append(["Coverage", text.coverage])
    for code, reason in metrics.not_published_regions().items():
        rows.append([f"Not published: {config.region_label(code)}", reason])
    for r in metrics.active_ratios():
        rows.append([f"Ratio: {r.label}", f"code {r.code} in ratios.csv"])
    for code, label in OUTCOME_LABELS.items():
        rows.append([f"Outcome: {label}", f"code {code} in outcomes.csv"])
    rows.append(["CSV files", "Each table is also a CSV file (tables/<name>.csv): long format, one row per "
                              "figure, with codes, labels and a unit column (" + ", ".join(dict.fromkeys(UNITS.values()))
                 + "); the flag column holds P where a figure is provisional (an expected member did not "
                   "report for that scope and period). They are UTF-8 with a byte-order mark."])
    rows.append(["Flags", "In each table sheet, the last column names the periods of the row whose figures "
                          "carry a flag: P provisional (an expected member did not report), A an outcome rate "
                          "where fewer than half of the clients were assessed."])
    return rows


def _cover(config: Config, period: Period, tables: list[Table]) -> Sheet:
    pub = config.publication
    title = f"{pub.series + ': p' if pub.series else 'P'}ublished tables, {period.label()}"
    rows: list[list] = [[title],
                        ["The figures of the national report and the regional briefs, with the same rounding "
                         "and symbols: one table per sheet (see Contents), notes on every method (see Notes)."],
                        ["Period", f"{period.label()} ({period})"]]
    if pub.publisher:
        rows.append(["Published by", pub.publisher])
    released, following = release_of(config, period), next_release_text(config, period)  # the release calendar
    if released is not None:
        rows.append(["Released", released.text.replace("\u00a0", " ")])
    if following:
        rows.append(["Next release", following.replace("\u00a0", " ")])
    contact = " · ".join(x for x in (pub.contact, pub.contact_phone) if x)
    if contact:
        rows.append(["Contact", contact])
    rows.append(["Licence", f"{pub.licence}{' — ' + pub.licence_link if pub.licence_link else ''}"])
    if pub.publisher:
        where = f"{pub.base_url}tables/tables.xlsx" if pub.base_url else ""
        cite = pub.citation.format(publisher=pub.publisher, year=(pub.release_date or period).year,
                                   title=title, period=period.label(), where=where)
        rows.append(["How to cite", " ".join(cite.split())])
    if pub.issn:
        rows.append(["ISSN", pub.issn])
    if config.report.sample_data:
        rows.append(["Sample data", "The figures come from reportgen's synthetic sample dataset: they describe "
                                    "no real organisation or person."])
    rows.append(["Tables", f"{len(tables)} tables; the same tables as CSV files in the tables folder."])
    return Sheet("Cover", rows, bold_header=False, title=True, widths={0: 16, 1: 100}, wrap={1})


def _contents(tables: list[Table]) -> Sheet:
    rows: list[list] = [["Contents"], ["One table per sheet; select a sheet name to go to it."],
                        ["Sheet", "Table", "CSV file", "Units"]]
    links = {}
    for i, t in enumerate(tables, start=4):
        units = ", ".join(dict.fromkeys(t.frame["unit"].tolist()))
        rows.append([t.sheet, t.title, f"tables/{t.name}.csv", units])
        links[f"A{i}"] = f"'{t.sheet}'!A1"
    return Sheet("Contents", rows, title=True, header_row=3, freeze_header=True, links=links,
                 widths={0: 34, 1: 70, 2: 42, 3: 24})


def _notes_sheet(rows: list[list[str]]) -> Sheet:
    return Sheet("Notes", [["Notes"], ["The methods and symbols of every table."], ["Note", "Text"], *rows],
                 title=True, header_row=3, freeze_header=True, widths={0: 34, 1: 110}, wrap={1})


LABEL_HEADER = ["Area code", "Area", "Measure", "Breakdown", "Category", "Unit"]
FLAGS_HEADER = "Flags (P provisional, A few assessed)"


def wide_rows(table: Table) -> tuple[list[str], list[list]]:
    """The table as people read it: one row per area, measure and category, one column per
    period (quarters, then half-years, each in time order): (period columns, rows)."""
    f = table.frame
    periods = list(dict.fromkeys(f["period"].tolist()))  # the frame's order: kind, then time, per scope
    order = sorted(periods, key=lambda p: (0 if Period.parse(p).is_quarter else 1, Period.parse(p)._ordinal()))
    labels = dict(zip(f["period"].tolist(), f["period_label"].tolist()))
    rows: dict[tuple, list] = {}
    flagged: dict[tuple, dict[str, list[str]]] = {}  # row → flag → its periods
    column = {p: 6 + i for i, p in enumerate(order)}
    names = ("scope", "measure", "dimension", "category", "unit", "scope_label", "measure_label", "dimension_label",
             "category_label", "period", "symbol", "value", "flag")
    # the columns' plain lists, zipped: far quicker than pandas' itertuples
    for (scope, measure, dimension, category, unit, scope_label, measure_label, dimension_label, category_label,
         period, symbol, value, flags) in zip(*(f[c].tolist() for c in names)):
        key = (scope, measure, dimension, category, unit)
        row = rows.get(key)
        if row is None:
            row = rows[key] = [scope, scope_label, measure_label, dimension_label, category_label or "Total",
                               unit] + [NOT_AVAILABLE] * len(order)
            flagged[key] = {}
        row[column[period]] = symbol or _number(value)
        for flag in (flags or "").split():
            if not symbol:
                flagged[key].setdefault(flag, []).append(period)
    # flagged figures stay numbers; the last column names the periods each flag is on
    body = [row + ["; ".join(f"{flag}: " + ", ".join(labels[p] for p in order if p in periods)
                             for flag, periods in sorted(flagged[key].items()))]
            for key, row in rows.items()]
    return [labels[p] for p in order], body


def table_sheet(table: Table, rules: Rules) -> Sheet:
    columns, body = wide_rows(table)
    words = {**UNIT_WORDS, "count": rules.unit_words()}
    units = "; ".join(words.get(u, u) for u in dict.fromkeys(table.frame["unit"].tolist()))
    rows: list[list] = [[table.title],
                        [f"Units: {units}. Symbols: S suppressed, C confidential, – nil, .. not available "
                         "(see Notes). One row per area and category; one column per period, quarters first, "
                         "then half-years; a cell with no figure in this table shows .. (not available); the last column names "
                         "the periods whose figures are flagged (see Notes)."],
                        [f"{SOURCE} Also as tables/{table.name}.csv."],
                        [*LABEL_HEADER, *columns, FLAGS_HEADER], *body]
    widths = {0: 10, 1: 22, 2: 26, 3: 20, 4: 30, 5: 14} | {6 + i: 14 for i in range(len(columns))}
    widths[6 + len(columns)] = 40
    return Sheet(table.sheet, rows, title=True, header_row=4, freeze_header=True, widths=widths)


def tables_xlsx(tables: list[Table], notes_sheet: list[list[str]], config: Config, period: Period | None = None
                ) -> bytes:
    """One workbook for readers: cover, contents, notes, then one sheet per table."""
    sheets = []
    if period is not None:
        sheets.append(_cover(config, period, tables))
    sheets += [_contents(tables), _notes_sheet(notes_sheet)]
    rules = Rules.of(config)
    sheets += [table_sheet(t, rules) for t in tables]
    return workbook(sheets)


_INTEGER = re.compile(r"-?\d+")


def _number(text: str):
    if text == "":
        return None
    return int(text) if _INTEGER.fullmatch(text) else float(text)


def table_files(store: PublishedStore, metrics: Metrics, config: Config, period: Period
                ) -> tuple[dict[str, bytes], list[Table]]:
    """``tables/<name>.csv`` for every table and ``tables/tables.xlsx``."""
    tables = published_tables(store, metrics, config)
    files = {f"tables/{t.name}.csv": table_csv(t) for t in tables}
    files["tables/tables.xlsx"] = tables_xlsx(tables, notes_rows(config, period, metrics, tables), config, period)
    return files, tables


def table_file_bytes(store: PublishedStore, metrics: Metrics, config: Config, period: Period) -> dict[str, bytes]:
    """``table_files``' files alone: what a build publishes, and caches (the tables' frames, several times
    the files' size to store and load, are not kept)."""
    return table_files(store, metrics, config, period)[0]

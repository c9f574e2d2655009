"""Published tables: one tidy CSV per table and one XLSX workbook.

Every table has exactly the columns ``TABLE_COLUMNS``:

    scope, period, measure, dimension, category, value, symbol

``value`` is empty whenever ``symbol`` is set (S, C, – or ..). Count tables
are named ``<measure>`` (totals) or ``<measure>_by_<dimension>`` (a breakdown,
with the measure's total rows included); derived tables are ``shares``,
``ratios``, ``outcomes``, ``change_percent_vs_previous``,
``change_percent_vs_year_earlier``, ``change_vs_previous``,
``change_vs_year_earlier`` and ``coverage``. The columns and names are
documented in docs/published-tables.md.

All values come from the ``PublishedStore`` (counts) and ``Metrics`` (derived
figures); nothing here computes a number. The bytes are deterministic: the
XLSX zip carries fixed timestamps.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

import pandas as pd

from . import formats
from .config import Config
from .confidentiality import SYMBOLS, PublishedStore
from .methodology import notes
from .metrics import OUTCOME_LABELS, Metrics
from .periods import Period
from .xlsx import Sheet, workbook

TABLE_COLUMNS = ["scope", "period", "measure", "dimension", "category", "value", "symbol", "flag"]
DERIVED_TABLES = ["shares", "ratios", "outcomes", "change_percent_vs_previous", "change_percent_vs_year_earlier",
                  "like_for_like_vs_previous", "like_for_like_vs_year_earlier",
                  "change_vs_previous", "change_vs_year_earlier", "coverage"]


@dataclass
class Table:
    name: str
    title: str
    frame: pd.DataFrame  # TABLE_COLUMNS, values already formatted as text

    @property
    def sheet(self) -> str:
        """An Excel sheet name (at most 31 characters)."""
        return self.name if len(self.name) <= 31 else self.name.replace("_by_", "_")[:31]


def _tidy(frame: pd.DataFrame, scopes: list[str]) -> pd.DataFrame:
    """Text values, rows in a fixed order: national first, regions in config order,
    periods in time order, then measure, dimension, category."""
    out = frame.copy()
    # plain lists: iterating pandas' Arrow-backed columns value by value is far slower
    out["value"] = [formats.plain(v, k) if not s else ""
                    for v, s, k in zip(out["value"].tolist(), out["symbol"].tolist(), out["kind"].tolist())]
    order = {s: i for i, s in enumerate(scopes)}
    when = {p: Period.parse(p)._ordinal() for p in pd.unique(out["period"])}
    out = out.assign(_scope=out["scope"].map(order), _period=out["period"].map(when))
    out = out.sort_values(["_scope", "_period", "measure", "dimension", "category"], kind="stable")
    return out[TABLE_COLUMNS].reset_index(drop=True)


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
        tables.append(Table(name, title, _tidy(m_cells[m_cells["dimension"].isin({dim, "total"})], store.scopes)))
    derived = metrics.derived
    for name in DERIVED_TABLES:
        part = derived[derived["table"] == name]
        if len(part):
            tables.append(Table(name, DERIVED_TITLES[name], _tidy(part, store.scopes)))
    return tables


def table_csv(table: Table) -> bytes:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(TABLE_COLUMNS)
    writer.writerows(table.frame.itertuples(index=False, name=None))
    return buf.getvalue().encode("utf-8")


def notes_rows(config: Config, period: Period, metrics: Metrics, tables: list[Table]) -> list[list[str]]:
    """The notes sheet: plain two-column rows (topic, note)."""
    rows: list[list[str]] = [["topic", "note"]]
    for sym, meaning in SYMBOLS.items():
        rows.append([f"symbol {sym}", meaning])
    text = notes(config, period, metrics.agg)
    rows += [["rounding", text.rounding], ["suppression", text.suppression], ["hours", text.hours],
             ["derived figures", text.derived], ["outcome coverage", text.outcome_coverage]]
    for dim, spec in config.dimensions.items():
        if spec.note:
            rows.append([f"{spec.label.lower()} ({dim})", spec.note])
    rows.append(["periods", f"This release is for {period} ({period.label()}). A half-year covers two quarters; "
                            "counts of clients for a half-year are distinct people where members sent "
                            "half-year figures, else the sum of the two quarters."])
    for p in metrics.periods:
        rows.append([f"period {p}", Period.parse(p).label()])
    rows.append(["coverage", text.coverage])
    for code, reason in metrics.not_published_regions().items():
        rows.append([f"region {code} not published", reason])
    for r in metrics.active_ratios():
        rows.append([f"ratio {r.code}", r.label])
    for code, label in OUTCOME_LABELS.items():
        rows.append([f"outcome {code}", label])
    rows.append(["columns", "scope: NZ (national) or a region code; period; measure; dimension; category "
                            "(empty for totals); value (empty when a symbol is shown); symbol; flag (P: provisional, "
                            "an expected member did not report for that scope and period)"])
    for t in tables:
        rows.append([f"sheet {t.sheet}", f"{t.title} (file tables/{t.name}.csv)"])
    return rows


def tables_xlsx(tables: list[Table], notes_sheet: list[list[str]]) -> bytes:
    """One workbook: a notes sheet, then a sheet per table; plain header rows, no merged cells."""
    sheets = [Sheet("notes", notes_sheet, widths={0: 32, 1: 110})]
    for t in tables:
        rows: list[list] = [list(TABLE_COLUMNS)]
        rows += [[*rec[:5], _number(rec[5]), *rec[6:]] for rec in t.frame.astype(object).to_numpy().tolist()]
        sheets.append(Sheet(t.sheet, rows, freeze_header=True))
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
    files["tables/tables.xlsx"] = tables_xlsx(tables, notes_rows(config, period, metrics, tables))
    return files, tables

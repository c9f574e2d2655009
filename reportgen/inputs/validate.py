"""Validate stage: turn text cells into typed, checked rows.

Each rule of the data contract yields findings with a stable code, the file,
row and column, the member and a hint. Rows with errors are dropped from the
returned data (an error stops the build anyway); warnings keep their rows.

Rules 1–4 (reading, codes, numbers, unique keys) are checked here, one
function per rule; rules 5–14 and the period rules, which compare rows with
each other and with the member register, live in ``cross_checks.py``. Everything is vectorised: codes,
periods and values are checked once per *distinct* text (the columns are
categoricals), and rows are compared through integer keys, so tens of
millions of rows stay fast.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..core.config import Config
from ..core.findings import Finding, Severity, suggestion_hint
from ..core.periods import Period, PeriodError
from .register import Register
from .submissions import Submissions, first_per_file, more_like_this

KEY = ["org_id", "period", "region", "measure", "dimension", "category"]
_NUMBER = re.compile(r"^([0-9]+(\.[0-9]*)?|\.[0-9]+)$")  # ASCII digits only: the contract says digits


@dataclass
class ValidData:
    rows: pd.DataFrame  # KEY (categoricals) + value (int64, ≥ 0, whole) + file + line
    findings: list[Finding] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    coverage: object | None = None  # cross_checks.Coverage for the report period, when one was given
    register: Register | None = None  # the member register the rows were checked against

    @property
    def has_errors(self) -> bool:
        return any(f.is_error for f in self.findings)


class _Reporter:
    """Collects row-level findings with file, row, column and member: of each code, the first
    ``limits.FINDINGS_PER_FILE`` rows of a file one by one, the rest as one count per file."""

    def __init__(self, subs: Submissions, register: Register):
        self.subs, self.register = subs, register
        self.findings: list[Finding] = []
        self.files = [str(c) for c in subs.rows["file"].cat.categories] if len(subs.rows) else []
        self.file_codes = subs.rows["file"].cat.codes.to_numpy() if len(subs.rows) else np.zeros(0, np.int64)

    def row(self, code: str, severity: Severity, message: str, rec, column: str | None, hint: str | None = None):
        member = self.register.get(str(rec.org_id))
        self.findings.append(Finding(
            code, severity, message, file=str(rec.file), line=int(rec.line),
            column=self.subs.column(str(rec.file), column) if column else None, hint=hint,
            member=member.org_id if member else (str(rec.org_id).strip() or None)))

    def each(self, df: pd.DataFrame, rows, code: str, severity: Severity, column: str | None,
             describe: Callable[[Any], tuple[str, str | None]]) -> None:
        """A finding for each row of ``df`` in ``rows`` (a mask or positions), ``describe(rec)`` →
        (message, hint), made for the first few of each file only; the rest are counted."""
        rows = np.asarray(rows)
        idx = np.flatnonzero(rows) if rows.dtype == np.bool_ else rows.astype(np.int64)
        if not len(idx):
            return
        shown, rest = first_per_file(idx, self.file_codes)
        members: dict[str, str | None] = {}
        hints: dict[str, str | None] = {}
        for rec in df.iloc[shown].itertuples():
            message, hint = describe(rec)
            self.row(code, severity, message, rec, column, hint)
            members[str(rec.file)], hints[str(rec.file)] = self.findings[-1].member, hint
        for file_code, n in rest.items():
            file = self.files[file_code]
            self.findings.append(more_like_this(code, severity, file, n, member=members.get(file),
                                                hint=hints.get(file), column=self.subs.column(file, column)
                                                if column else None))


def recode(series: pd.Series, fn: Callable[[str], object]) -> pd.Series:
    """Apply ``fn`` once per distinct value of a categorical; None becomes missing (NaN)."""
    if not isinstance(series.dtype, pd.CategoricalDtype):
        series = series.astype(str).astype("category")
    cats = series.cat.categories
    mapped = [fn(str(c)) for c in cats]
    targets = sorted({m for m in mapped if m is not None}, key=str)
    pos = {t: i for i, t in enumerate(targets)}
    lut = np.array([pos[m] if m is not None else -1 for m in mapped] + [-1], dtype=np.int32)
    codes = lut[series.cat.codes.to_numpy()]
    return pd.Series(pd.Categorical.from_codes(codes, categories=pd.Index(targets, dtype=object)),
                     index=series.index)


def _map_codes(series: pd.Series, known: dict[str, str]) -> pd.Series:
    """Canonical code per value (missing when unknown); one lookup per distinct value."""
    return recode(series, lambda u: known.get(u.strip().lower()))


def _parse_period(text: str) -> str | None:
    try:
        return str(Period.parse(text))
    except PeriodError:
        return None


def _parse_values(series: pd.Series) -> np.ndarray:
    """Float per row; NaN where the text is not a number as the contract defines it."""
    if not isinstance(series.dtype, pd.CategoricalDtype):
        series = series.astype(str).astype("category")
    from ..core.limits import MAX_VALUE  # beyond it a value could not be published exactly (submissions refuses it)

    cats = [str(c).strip() for c in series.cat.categories]
    parsed = np.array([float(t) if _NUMBER.match(t) and len(t) <= 40 and float(t) <= MAX_VALUE else np.nan
                       for t in cats] + [np.nan], dtype=float)
    return parsed[series.cat.codes.to_numpy()]


def empty_rows() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="int64" if c in ("value", "line") else object)
                         for c in [*KEY, "value", "file", "line"]})


def validate(subs: Submissions, register: Register, config: Config, period: Period | None = None) -> ValidData:
    """Check every rule of the data contract; ``period`` (a half-year) enables rule 10.

    Rules 1–4 run here, one function each, in the order of the contract; each reports its
    findings and marks the rows it rejects in ``bad``. Rules 5–14 and the period rules
    compare the clean rows with each other and the register (``cross_checks``)."""
    from .coverage import Coverage, coverage
    from .cross_checks import cross_checks

    df = subs.rows
    if df.empty:
        cov = coverage(empty_rows(), register, period) if period is not None else None
        findings = list(subs.findings) + (cov.findings() if isinstance(cov, Coverage) else [])
        return ValidData(empty_rows(), findings, subs.files, cov, register)
    rep = _Reporter(subs, register)
    bad = np.zeros(len(df), dtype=bool)
    periods = rule_1_periods(df, rep, bad)
    values = rule_1_values(df, rep, bad)
    codes = rule_2_codes(df, rep, bad, register, config)
    rule_2_dimension_allowed(df, rep, bad, codes, config)
    codes["category"] = rule_2_categories(df, rep, bad, codes, config)
    values = rule_3_whole_numbers(df, rep, bad, codes, values, config)
    clean = _clean(df, ~bad, periods, codes, values)
    clean = rule_4_unique_keys(clean, rep)
    more, cov = cross_checks(clean, subs, register, config, period)
    return ValidData(clean, subs.findings + rep.findings + more, subs.files, cov, register)


# ---- rule 1: periods and values --------------------------------------------------

def rule_1_periods(df: pd.DataFrame, rep: _Reporter, bad: np.ndarray) -> pd.Series:
    """``period`` is a quarter or a half-year: the canonical text per row (missing when not)."""
    periods = recode(df["period"], _parse_period)
    unknown = periods.isna().to_numpy()
    rep.each(df, unknown, "data.bad-period", "error", "period",
             lambda rec: (f"'{rec.period}' is not a period", "write a quarter like 2025Q1 or a half-year like 2025H1"))
    bad |= unknown
    return periods


def rule_1_values(df: pd.DataFrame, rep: _Reporter, bad: np.ndarray) -> np.ndarray:
    """``value`` is a number ≥ 0 in plain decimal notation: the float per row (NaN when not)."""
    value = _parse_values(df["value"])
    number_ok = ~np.isnan(value)

    def describe(rec) -> tuple[str, str]:
        text = str(rec.value).strip()
        why = "is empty" if not text else f"'{text}' is not a number"
        hint = "write plain digits with an optional decimal point, e.g. 1200 or 7.5"
        if "," in text:
            hint = "remove the thousands separator (write 1200, not 1,200)"
        elif text.startswith("-"):
            hint = "values cannot be negative"
        return f"the value {why}", hint

    rep.each(df, ~number_ok, "data.bad-value", "error", "value", describe)
    bad |= ~number_ok
    return value


# ---- rule 2: known codes --------------------------------------------------------------

def rule_2_codes(df: pd.DataFrame, rep: _Reporter, bad: np.ndarray, register: Register,
                 config: Config) -> dict[str, pd.Series]:
    """``org_id``, ``region``, ``measure`` and ``dimension`` are known codes: canonical codes per row."""
    known: dict[str, tuple[Iterable[str], str]] = {  # column → (its codes, what they are)
        "org_id": (register.members, "member"),
        "region": (config.regions, "region"),
        "measure": (config.measures, "measure"),
        "dimension": (list(config.dimensions) + ["total"], "dimension"),
    }
    codes = {}
    for col, (choices, what) in known.items():
        if col == "org_id" and not register.usable:
            # data.members names no readable register (reported once, at the setting): org_ids cannot be
            # checked, so they are taken as written rather than reported once per row
            canon = recode(df[col], lambda u: u.strip().upper() or None)
        else:
            canon = _map_codes(df[col], {c.lower(): c for c in choices})
        unknown = canon.isna().to_numpy()
        if col == "org_id" and register.usable and _none_known(df[col], canon, register, config, rep):
            bad |= unknown  # one finding about the config, not one per row
            codes[col] = canon
            continue

        def describe(rec, col=col, choices=choices, what=what) -> tuple[str, str]:
            text = str(getattr(rec, col)).strip()
            return (f"unknown {what} code '{text}'" if text else f"the {col} is empty",
                    suggestion_hint(text, choices, f"{what} codes"))

        rep.each(df, unknown, f"data.unknown-{what}", "error", col, describe)
        bad |= unknown
        codes[col] = canon
    return codes


MISMATCH_ORGS = 3  # distinct org_ids, none in the register: the register is the wrong file, not the rows


def _none_known(raw: pd.Series, canon: pd.Series, register: Register, config: Config, rep: _Reporter) -> bool:
    """When no submitted org_id (of at least ``MISMATCH_ORGS``) is in the register, data.members names the
    wrong file or an old register: one finding at the setting (True), instead of one per row."""
    sent = {str(c).strip().upper() for c in raw.cat.categories if str(c).strip()} if isinstance(
        raw.dtype, pd.CategoricalDtype) else {str(c).strip().upper() for c in raw.unique() if str(c).strip()}
    if len(sent) < MISMATCH_ORGS or canon.notna().any():
        return False
    from ..core.findings import relative

    shown = relative(config.members_file, config.root)
    where = config.located("data", "members")
    example = ", ".join(sorted(sent)[:3])
    listed = ", ".join(sorted(register.members)[:3])
    rep.findings.append(Finding(
        "data.register-mismatch", "error",
        f"none of the {len(sent):,} org_ids in the submissions ({example}, …) is in the member register {shown}, "
        f"which lists {len(register.members):,} ({listed}{', …' if len(register.members) > 3 else ''})",
        file=config.source if where else shown, line=where[0] if where else None,
        column=where[1] if where else None,
        hint="check that data.members in config.yaml names the current member register"))
    return True


def rule_2_dimension_allowed(df: pd.DataFrame, rep: _Reporter, bad: np.ndarray, codes: dict[str, pd.Series],
                             config: Config) -> None:
    """The dimension is one the catalogue allows for the measure (checked once per distinct pair)."""
    measure, dimension = codes["measure"], codes["dimension"]
    ok = ~bad
    allowed = {(m, d) for m, spec in config.measures.items() for d in spec.dimensions}
    mcodes, dcodes = measure.cat.codes.to_numpy(), dimension.cat.codes.to_numpy()
    mcats, dcats = list(measure.cat.categories), list(dimension.cat.categories)
    pair_bad = np.zeros((len(mcats) + 1, len(dcats) + 1), dtype=bool)
    for i, m in enumerate(mcats):
        for j, d in enumerate(dcats):
            pair_bad[i, j] = (m, d) not in allowed
    not_allowed = ok & pair_bad[mcodes, dcodes]

    def describe(rec) -> tuple[str, str]:
        m, d = measure.iat[rec.Index], dimension.iat[rec.Index]
        dims = config.measures[m].dimensions
        return (f"measure '{m}' cannot be broken down by '{d}'",
                suggestion_hint(d, dims, "dimensions") if len(dims) > 1 else f"'{m}' only takes: {', '.join(dims)}")

    rep.each(df, not_allowed, "data.dimension-not-allowed", "error", "dimension", describe)
    bad |= not_allowed


def rule_2_categories(df: pd.DataFrame, rep: _Reporter, bad: np.ndarray, codes: dict[str, pd.Series],
                      config: Config) -> pd.Series:
    """``category`` is a category of its dimension, empty on total rows: the canonical category."""
    dimension = codes["dimension"]
    dcodes, dcats = dimension.cat.codes.to_numpy(), list(dimension.cat.categories)
    ok = ~bad
    all_cats = sorted({c for spec in config.dimensions.values() for c in spec.categories})
    targets = ["", *all_cats]
    tpos = {c: i for i, c in enumerate(targets)}
    raw_cat = df["category"]
    if not isinstance(raw_cat.dtype, pd.CategoricalDtype):
        raw_cat = raw_cat.astype(str).astype("category")
    raw_texts = [str(c).strip() for c in raw_cat.cat.categories]
    raw_codes = raw_cat.cat.codes.to_numpy()
    cat_codes = np.full(len(df), -1, dtype=np.int32)
    for j, d in enumerate(dcats):
        sel = ok & (dcodes == j)
        if not sel.any():
            continue
        if d == "total":
            lut = np.array([0 if t == "" else -1 for t in raw_texts] + [-1], dtype=np.int32)
        else:
            known = {c.lower(): c for c in config.dimensions[d].categories}
            lut = np.array([tpos[known[t.lower()]] if t.lower() in known else -1 for t in raw_texts] + [-1],
                           dtype=np.int32)
        got = lut[raw_codes[sel]]
        cat_codes[sel] = got
        wrong = np.flatnonzero(sel)[got < 0]
        if d == "total":
            rep.each(df, wrong, "data.category-with-total", "error", "category",
                     lambda rec: (f"dimension 'total' takes an empty category, not '{str(rec.category).strip()}'",
                                  "leave the category empty on total rows"))
        else:
            def describe(rec, d=d) -> tuple[str, str]:
                text = str(rec.category).strip()
                return (f"unknown {d} category '{text}'" if text else f"the {d} category is empty",
                        suggestion_hint(text, config.dimensions[d].categories, f"{d} categories"))

            rep.each(df, wrong, "data.unknown-category", "error", "category", describe)
        bad[wrong] = True
    return pd.Series(pd.Categorical.from_codes(cat_codes, categories=pd.Index(targets, dtype=object)),
                     index=df.index)


# ---- rule 3: whole numbers; hours rounded up --------------------------------------------

def rule_3_whole_numbers(df: pd.DataFrame, rep: _Reporter, bad: np.ndarray, codes: dict[str, pd.Series],
                         value: np.ndarray, config: Config) -> np.ndarray:
    """Counts are whole numbers; fractional hours are rounded up (a warning): the values to keep."""
    measure = codes["measure"]
    mcodes, mcats = measure.cat.codes.to_numpy(), list(measure.cat.categories)
    ok = ~bad
    hours_lut = np.array([config.measures[m].kind == "hours" for m in mcats] + [False], dtype=bool)
    hours = hours_lut[mcodes]
    filled = np.nan_to_num(value)
    fractional = ok & (np.floor(filled) != filled)
    rep.each(df, fractional & ~hours, "data.not-whole", "error", "value",
             lambda rec: (f"the count {str(rec.value).strip()} is not a whole number",
                          "counts of people and sessions must be whole numbers"))
    rep.each(df, fractional & hours, "data.hours-rounded", "warning", "value",
             lambda rec: (f"hours {str(rec.value).strip()} rounded up to the next whole hour",
                          "send whole hours to avoid this warning"))
    bad |= fractional & ~hours
    return np.ceil(filled)


def _clean(df: pd.DataFrame, keep: np.ndarray, periods: pd.Series, codes: dict[str, pd.Series],
           value: np.ndarray) -> pd.DataFrame:
    """The rows without errors, typed: categorical codes, int64 values, file and line."""
    every = bool(keep.all())  # the usual case: nothing to drop, no copy of tens of millions of rows

    def kept(column):
        return column if every else column[keep]

    clean = pd.DataFrame({
        "org_id": kept(codes["org_id"]), "period": kept(periods), "region": kept(codes["region"]),
        "measure": kept(codes["measure"]), "dimension": kept(codes["dimension"]),
        "category": kept(codes["category"]), "value": kept(value).astype("int64"),
        "file": kept(df["file"]), "line": kept(df["line"]).astype("int64"),
    })
    for c in KEY:
        clean[c] = _without_unused(clean[c])
    return clean.reset_index(drop=True)


def _without_unused(column: pd.Series) -> pd.Categorical:
    """``cat.remove_unused_categories()`` by counting codes instead of sorting them (the same categories,
    in the same order, and the same values): linear in the rows, for tens of millions of them."""
    codes = column.cat.codes.to_numpy()
    used = np.bincount(codes[codes >= 0], minlength=len(column.cat.categories)) > 0
    if used.all():
        return column.array
    renumber = np.cumsum(used) - 1
    new_codes = np.where(codes >= 0, renumber[np.maximum(codes, 0)], -1)
    return pd.Categorical.from_codes(new_codes, dtype=pd.CategoricalDtype(column.cat.categories[used],
                                                                          ordered=column.cat.ordered))


# ---- rule 4: unique keys ----------------------------------------------------------------

def rule_4_unique_keys(clean: pd.DataFrame, rep: _Reporter) -> pd.DataFrame:
    """A key appears once across all files: the later rows are reported and dropped."""
    if _all_distinct(clean):
        return clean
    key = _combined_key(clean, KEY)
    ordered = np.sort(key)
    repeated = np.unique(ordered[1:][ordered[1:] == ordered[:-1]])  # sorting beats hashing here
    del ordered
    if not len(repeated):
        return clean
    later = pd.Series(key).duplicated(keep="first").to_numpy()  # every repeat after the first sending
    uniq, first_row = np.unique(key, return_index=True)  # each key's first row
    file_names = [str(c) for c in clean["file"].cat.categories]
    file_codes = clean["file"].cat.codes.to_numpy()
    lines = clean["line"].to_numpy()
    shown = Submissions(clean, rep.subs.files, [], rep.subs.columns)
    reporter = _Reporter(shown, rep.register)

    def describe(rec) -> tuple[str, str]:
        j = int(first_row[np.searchsorted(uniq, key[rec.Index])])
        return (f"this row repeats a key first sent at {file_names[file_codes[j]]}:{lines[j]} "
                f"({rec.measure}/{rec.dimension}/{rec.category or 'total'}, {rec.region}, {rec.period})",
                "send each cell once; remove one of the two rows")

    reporter.each(clean, later, "data.duplicate-key", "error", "measure", describe)
    rep.findings.extend(reporter.findings)
    return clean[~later].reset_index(drop=True)


def _all_distinct(frame: pd.DataFrame, table_limit: int = 1 << 28) -> bool:
    """Whether every row's KEY is distinct, proved without sorting (the usual case: then there is nothing
    to report): the (org, period, region) and the (measure, dimension, category) of each row are numbered
    through lookup tables, and each row marks its pair in a table of them; as many marks as rows means no
    key repeats. False means "maybe not" (or a key space too large for the table): the sort decides."""
    def numbered(columns: list[str]) -> tuple[np.ndarray, int]:
        key, size = np.zeros(len(frame), dtype=np.int64), 1
        for c in columns:
            n = len(frame[c].cat.categories) + 1
            key, size = key * n + (frame[c].cat.codes.to_numpy().astype(np.int64) + 1), size * n
        if size > table_limit:
            return key, -1
        seen = np.zeros(size, dtype=bool)
        seen[key] = True
        number = np.cumsum(seen, dtype=np.int64) - 1
        return number[key], int(number[-1]) + 1

    place, n_place = numbered(["org_id", "period", "region"])
    cell, n_cell = numbered(["measure", "dimension", "category"])
    if n_place < 0 or n_cell < 0 or n_place * n_cell > table_limit:
        return False
    marks = np.zeros(n_place * n_cell, dtype=bool)
    marks[place * n_cell + cell] = True
    return int(np.count_nonzero(marks)) == len(frame)


def _combined_key(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """One int64 per row from the categorical codes of ``columns`` (mixed radix)."""
    key = np.zeros(len(frame), dtype=np.int64)
    for c in columns:
        n = len(frame[c].cat.categories) + 1
        key = key * n + frame[c].cat.codes.to_numpy().astype(np.int64)
    return key

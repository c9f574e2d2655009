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
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..core.config import Config
from ..core.findings import Finding, suggestion_hint
from ..core.periods import Period, PeriodError
from .register import Register
from .submissions import Submissions

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
    """Collects row-level findings with file, row, column and member."""

    def __init__(self, subs: Submissions, register: Register):
        self.subs, self.register, self.findings = subs, register, []

    def row(self, code: str, severity: str, message: str, rec, column: str | None, hint: str | None = None):
        member = self.register.get(str(rec.org_id))
        self.findings.append(Finding(
            code, severity, message, file=str(rec.file), line=int(rec.line),
            column=self.subs.column(str(rec.file), column) if column else None, hint=hint,
            member=member.org_id if member else (str(rec.org_id).strip() or None)))


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
    for rec in df[unknown].itertuples():
        rep.row("data.bad-period", "error", f"'{rec.period}' is not a period", rec, "period",
                "write a quarter like 2025Q1 or a half-year like 2025H1")
    bad |= unknown
    return periods


def rule_1_values(df: pd.DataFrame, rep: _Reporter, bad: np.ndarray) -> np.ndarray:
    """``value`` is a number ≥ 0 in plain decimal notation: the float per row (NaN when not)."""
    value = _parse_values(df["value"])
    number_ok = ~np.isnan(value)
    for rec in df[~number_ok].itertuples():
        text = str(rec.value).strip()
        why = "is empty" if not text else f"'{text}' is not a number"
        hint = "write plain digits with an optional decimal point, e.g. 1200 or 7.5"
        if "," in text:
            hint = "remove the thousands separator (write 1200, not 1,200)"
        elif text.startswith("-"):
            hint = "values cannot be negative"
        rep.row("data.bad-value", "error", f"the value {why}", rec, "value", hint)
    bad |= ~number_ok
    return value


# ---- rule 2: known codes --------------------------------------------------------------

def rule_2_codes(df: pd.DataFrame, rep: _Reporter, bad: np.ndarray, register: Register,
                 config: Config) -> dict[str, pd.Series]:
    """``org_id``, ``region``, ``measure`` and ``dimension`` are known codes: canonical codes per row."""
    known = {
        "org_id": (register.members, "member"),
        "region": (config.regions, "region"),
        "measure": (config.measures, "measure"),
        "dimension": (list(config.dimensions) + ["total"], "dimension"),
    }
    codes = {}
    for col, (choices, what) in known.items():
        canon = _map_codes(df[col], {c.lower(): c for c in choices})
        unknown = canon.isna().to_numpy()
        for rec in df[unknown].itertuples():
            text = str(getattr(rec, col)).strip()
            rep.row(f"data.unknown-{what}", "error",
                    f"unknown {what} code '{text}'" if text else f"the {col} is empty",
                    rec, col, suggestion_hint(text, choices, f"{what} codes"))
        bad |= unknown
        codes[col] = canon
    return codes


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
    for rec, m, d in zip(df[not_allowed].itertuples(), measure[not_allowed], dimension[not_allowed]):
        dims = config.measures[m].dimensions
        rep.row("data.dimension-not-allowed", "error",
                f"measure '{m}' cannot be broken down by '{d}'", rec, "dimension",
                suggestion_hint(d, dims, "dimensions") if len(dims) > 1 else f"'{m}' only takes: {', '.join(dims)}")
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
        for rec in df.iloc[wrong].itertuples():
            text = str(rec.category).strip()
            if d == "total":
                rep.row("data.category-with-total", "error",
                        f"dimension 'total' takes an empty category, not '{text}'", rec, "category",
                        "leave the category empty on total rows")
            else:
                rep.row("data.unknown-category", "error",
                        f"unknown {d} category '{text}'" if text else f"the {d} category is empty",
                        rec, "category", suggestion_hint(text, config.dimensions[d].categories,
                                                         f"{d} categories"))
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
    for rec in df[fractional & ~hours].itertuples():
        rep.row("data.not-whole", "error", f"the count {str(rec.value).strip()} is not a whole number", rec,
                "value", "counts of people and sessions must be whole numbers")
    for rec in df[fractional & hours].itertuples():
        rep.row("data.hours-rounded", "warning",
                f"hours {str(rec.value).strip()} rounded up to the next whole hour",
                rec, "value", "send whole hours to avoid this warning")
    bad |= fractional & ~hours
    return np.ceil(filled)


def _clean(df: pd.DataFrame, keep: np.ndarray, periods: pd.Series, codes: dict[str, pd.Series],
           value: np.ndarray) -> pd.DataFrame:
    """The rows without errors, typed: categorical codes, int64 values, file and line."""
    clean = pd.DataFrame({
        "org_id": codes["org_id"][keep], "period": periods[keep], "region": codes["region"][keep],
        "measure": codes["measure"][keep], "dimension": codes["dimension"][keep],
        "category": codes["category"][keep], "value": value[keep].astype("int64"),
        "file": df["file"][keep], "line": df["line"][keep].astype("int64"),
    })
    for c in KEY:
        clean[c] = clean[c].cat.remove_unused_categories()
    return clean.reset_index(drop=True)


# ---- rule 4: unique keys ----------------------------------------------------------------

def rule_4_unique_keys(clean: pd.DataFrame, rep: _Reporter) -> pd.DataFrame:
    """A key appears once across all files: the later rows are reported and dropped."""
    key = _combined_key(clean, KEY)
    ordered = np.sort(key)
    repeated = np.unique(ordered[1:][ordered[1:] == ordered[:-1]])  # sorting beats hashing here
    del ordered
    if not len(repeated):
        return clean
    dup = np.isin(key, repeated)
    part = clean[dup].assign(_key=key[dup])
    for _, group in part.groupby("_key", sort=False):
        first = group.iloc[0]
        for rec in group.iloc[1:].itertuples():
            rep.row("data.duplicate-key", "error",
                    f"this row repeats a key first sent at {first.file}:{first.line} "
                    f"({rec.measure}/{rec.dimension}/{rec.category or 'total'}, {rec.region}, {rec.period})",
                    rec, "measure", "send each cell once; remove one of the two rows")
    return clean[~pd.Series(key).duplicated(keep="first").to_numpy()].reset_index(drop=True)


def _combined_key(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """One int64 per row from the categorical codes of ``columns`` (mixed radix)."""
    key = np.zeros(len(frame), dtype=np.int64)
    for c in columns:
        n = len(frame[c].cat.categories) + 1
        key = key * n + frame[c].cat.codes.to_numpy().astype(np.int64)
    return key

"""Validate stage: turn text cells into typed, checked rows.

Each rule of the data contract yields findings with a stable code, the file,
row and column, the member and a hint. Rows with errors are dropped from the
returned data (an error stops the build anyway); warnings keep their rows.

Rules 1–4 (reading, codes, numbers, unique keys) are checked here; rules
5–14 and the period rules, which compare rows with each other and with the
member register, live in ``checks.py``. Everything is vectorised: codes,
periods and values are checked once per *distinct* text (the columns are
categoricals), and rows are compared through integer keys, so tens of
millions of rows stay fast.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

from .config import Config
from .findings import Finding, suggestion_hint
from .periods import Period, PeriodError
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
    from .limits import MAX_VALUE  # beyond it a value could not be published exactly (submissions refuses it)

    cats = [str(c).strip() for c in series.cat.categories]
    parsed = np.array([float(t) if _NUMBER.match(t) and len(t) <= 40 and float(t) <= MAX_VALUE else np.nan
                       for t in cats] + [np.nan], dtype=float)
    return parsed[series.cat.codes.to_numpy()]


def empty_rows() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="int64" if c in ("value", "line") else object)
                         for c in [*KEY, "value", "file", "line"]})


def validate(subs: Submissions, register: Register, config: Config, period: Period | None = None) -> ValidData:
    """Check every rule of the data contract; ``period`` (a half-year) enables rule 10."""
    from .cross_checks import Coverage, coverage, cross_checks

    df = subs.rows
    if df.empty:
        cov = coverage(empty_rows(), register, period) if period is not None else None
        findings = list(subs.findings) + (cov.findings() if isinstance(cov, Coverage) else [])
        return ValidData(empty_rows(), findings, subs.files, cov, register)
    rep = _Reporter(subs, register)
    bad = np.zeros(len(df), dtype=bool)

    # ---- rule 1: periods and values --------------------------------------
    period_col = recode(df["period"], _parse_period)
    unknown = period_col.isna().to_numpy()
    for rec in df[unknown].itertuples():
        rep.row("data.bad-period", "error", f"'{rec.period}' is not a period", rec, "period",
                "write a quarter like 2025Q1 or a half-year like 2025H1")
    bad |= unknown

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

    # ---- rule 2: known codes ------------------------------------------------
    org_known = {m.lower(): m for m in register.members}
    region_known = {r.lower(): r for r in config.regions}
    measure_known = {m.lower(): m for m in config.measures}
    dim_known = {d.lower(): d for d in config.dimensions} | {"total": "total"}
    org = _map_codes(df["org_id"], org_known)
    region = _map_codes(df["region"], region_known)
    measure = _map_codes(df["measure"], measure_known)
    dimension = _map_codes(df["dimension"], dim_known)
    for col, canon, known, what in (
        ("org_id", org, register.members, "member"),
        ("region", region, config.regions, "region"),
        ("measure", measure, config.measures, "measure"),
        ("dimension", dimension, list(config.dimensions) + ["total"], "dimension"),
    ):
        unknown = canon.isna().to_numpy()
        for rec in df[unknown].itertuples():
            text = str(getattr(rec, col)).strip()
            rep.row(f"data.unknown-{what}", "error",
                    f"unknown {what} code '{text}'" if text else f"the {col} is empty",
                    rec, col, suggestion_hint(text, known, f"{what} codes"))
        bad |= unknown

    # dimension allowed for measure (checked once per distinct pair)
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

    # category known for its dimension
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
    category = pd.Series(pd.Categorical.from_codes(cat_codes, categories=pd.Index(targets, dtype=object)),
                         index=df.index)

    # ---- rule 3: whole numbers; hours rounded up --------------------------
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
    value = np.ceil(filled)

    keep = ~bad
    clean = pd.DataFrame({
        "org_id": org[keep], "period": period_col[keep], "region": region[keep], "measure": measure[keep],
        "dimension": dimension[keep], "category": category[keep], "value": value[keep].astype("int64"),
        "file": df["file"][keep], "line": df["line"][keep].astype("int64"),
    })
    for c in KEY:
        clean[c] = clean[c].cat.remove_unused_categories()
    clean = clean.reset_index(drop=True)

    # ---- rule 4: unique keys ------------------------------------------------
    key = _combined_key(clean, KEY)
    ordered = np.sort(key)
    repeated = np.unique(ordered[1:][ordered[1:] == ordered[:-1]])  # sorting beats hashing here
    del ordered
    if len(repeated):
        dup = np.isin(key, repeated)
        part = clean[dup].assign(_key=key[dup])
        for _, group in part.groupby("_key", sort=False):
            first = group.iloc[0]
            for rec in group.iloc[1:].itertuples():
                rep.row("data.duplicate-key", "error",
                        f"this row repeats a key first sent at {first.file}:{first.line} "
                        f"({rec.measure}/{rec.dimension}/{rec.category or 'total'}, {rec.region}, {rec.period})",
                        rec, "measure", "send each cell once; remove one of the two rows")
        clean = clean[~pd.Series(key).duplicated(keep="first").to_numpy()].reset_index(drop=True)

    findings = subs.findings + rep.findings
    more, cov = cross_checks(clean, subs, register, config, period)
    return ValidData(clean, findings + more, subs.files, cov, register)


def _combined_key(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """One int64 per row from the categorical codes of ``columns`` (mixed radix)."""
    key = np.zeros(len(frame), dtype=np.int64)
    for c in columns:
        n = len(frame[c].cat.categories) + 1
        key = key * n + frame[c].cat.codes.to_numpy().astype(np.int64)
    return key

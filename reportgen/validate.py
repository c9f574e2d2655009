"""Validate stage: turn text cells into typed, checked rows.

Each rule of the data contract yields findings with a stable code, the file,
row and column, the member and a hint. Rows with errors are dropped from the
returned data (an error stops the build anyway); warnings keep their rows.

Vectorised with pandas: codes and periods are checked once per distinct
value, not once per row, so large rollouts stay fast.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .config import Config
from .findings import Finding, suggestion_hint
from .periods import Period, PeriodError
from .register import Register
from .submissions import Submissions

KEY = ["org_id", "period", "region", "measure", "dimension", "category"]
_NUMBER = re.compile(r"^(\d+(\.\d*)?|\.\d+)$")


@dataclass
class ValidData:
    rows: pd.DataFrame  # KEY + value (float, ≥ 0, whole for counts) + file + line
    findings: list[Finding] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return any(f.is_error for f in self.findings)


class _Reporter:
    """Collects row-level findings with file, row, column and member."""

    def __init__(self, subs: Submissions, register: Register):
        self.subs, self.register, self.findings = subs, register, []

    def row(self, code: str, severity: str, message: str, rec, column: str | None, hint: str | None = None):
        member = self.register.get(rec.org_id)
        self.findings.append(Finding(
            code, severity, message, file=rec.file, line=int(rec.line),
            column=self.subs.column(rec.file, column) if column else None, hint=hint,
            member=member.org_id if member else (rec.org_id or None)))


def _map_codes(series: pd.Series, known: dict[str, str]) -> pd.Series:
    """Canonical code per value (None when unknown); one lookup per distinct value."""
    uniques = series.unique()
    mapping = {u: known.get(u.strip().lower()) for u in uniques}
    return series.map(mapping)


def validate(subs: Submissions, register: Register, config: Config) -> ValidData:
    df = subs.rows.astype({c: object for c in subs.rows.columns if c != "line"})
    if df.empty:
        empty = pd.DataFrame({c: pd.Series(dtype="int64" if c in ("value", "line") else object)
                              for c in [*KEY, "value", "file", "line"]})
        return ValidData(empty, list(subs.findings), subs.files)
    rep = _Reporter(subs, register)
    bad = np.zeros(len(df), dtype=bool)

    # ---- rule 1: periods and values --------------------------------------
    periods: dict[str, str | None] = {}
    for text in df["period"].unique():
        try:
            periods[text] = str(Period.parse(text))
        except PeriodError:
            periods[text] = None
    period = df["period"].map(periods)
    for rec in df[period.isna()].itertuples():
        rep.row("data.bad-period", "error", f"'{rec.period}' is not a period", rec, "period",
                "write a quarter like 2025Q1 or a half-year like 2025H1")
    bad |= period.isna().to_numpy()

    number_ok = df["value"].str.fullmatch(_NUMBER.pattern).fillna(False).to_numpy(dtype=bool)
    for rec in df[~number_ok].itertuples():
        text = rec.value
        why = "is empty" if not text else f"'{text}' is not a number"
        hint = "write plain digits with an optional decimal point, e.g. 1200 or 7.5"
        if "," in text:
            hint = "remove the thousands separator (write 1200, not 1,200)"
        elif text.startswith("-"):
            hint = "values cannot be negative"
        rep.row("data.bad-value", "error", f"the value {why}", rec, "value", hint)
    bad |= ~number_ok
    value = pd.to_numeric(df["value"].where(number_ok, None), errors="coerce")

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
            text = getattr(rec, col)
            rep.row(f"data.unknown-{what}", "error",
                    f"unknown {what} code '{text}'" if text else f"the {col} is empty",
                    rec, col, suggestion_hint(text, known, f"{what} codes"))
        bad |= unknown

    # dimension allowed for measure, category known for dimension
    ok = ~bad
    allowed = {(m, d) for m, spec in config.measures.items() for d in spec.dimensions}
    pair_ok = pd.Series([(m, d) in allowed for m, d in zip(measure, dimension)], index=df.index, dtype=bool)
    for rec, m, d in zip(df[ok & ~pair_ok.to_numpy()].itertuples(),
                         measure[ok & ~pair_ok.to_numpy()], dimension[ok & ~pair_ok.to_numpy()]):
        dims = config.measures[m].dimensions
        rep.row("data.dimension-not-allowed", "error",
                f"measure '{m}' cannot be broken down by '{d}'", rec, "dimension",
                suggestion_hint(d, dims, "dimensions") if len(dims) > 1 else f"'{m}' only takes: {', '.join(dims)}")
    bad |= ok & ~pair_ok.to_numpy()

    category = pd.Series("", index=df.index, dtype=object)
    ok = ~bad
    for d in pd.unique(dimension[ok]):
        sel = ok & (dimension == d).to_numpy()
        texts = df["category"][sel]
        if d == "total":
            wrong = texts != ""
            for rec in df[sel][wrong.to_numpy()].itertuples():
                rep.row("data.category-with-total", "error",
                        f"dimension 'total' takes an empty category, not '{rec.category}'", rec, "category",
                        "leave the category empty on total rows")
            bad[np.flatnonzero(sel)[wrong.to_numpy()]] = True
            continue
        known = {c.lower(): c for c in config.dimensions[d].categories}
        canon = _map_codes(texts, known)
        for rec in df[sel][canon.isna().to_numpy()].itertuples():
            rep.row("data.unknown-category", "error",
                    f"unknown {d} category '{rec.category}'" if rec.category else f"the {d} category is empty",
                    rec, "category", suggestion_hint(rec.category, config.dimensions[d].categories,
                                                     f"{d} categories"))
        bad[np.flatnonzero(sel)[canon.isna().to_numpy()]] = True
        category[sel] = canon

    # ---- rule 3: whole numbers; hours rounded up --------------------------
    ok = ~bad
    hours = measure.map(lambda m: m is not None and config.measures[m].kind == "hours").to_numpy(dtype=bool)
    fractional = ok & (np.floor(value.fillna(0).to_numpy()) != value.fillna(0).to_numpy())
    for rec in df[fractional & ~hours].itertuples():
        rep.row("data.not-whole", "error", f"the count {rec.value} is not a whole number", rec, "value",
                "counts of people and sessions must be whole numbers")
    for rec in df[fractional & hours].itertuples():
        rep.row("data.hours-rounded", "warning", f"hours {rec.value} rounded up to the next whole hour",
                rec, "value", "send whole hours to avoid this warning")
    bad |= fractional & ~hours
    value = np.ceil(value)

    clean = pd.DataFrame({
        "org_id": org, "period": period, "region": region, "measure": measure,
        "dimension": dimension, "category": category, "value": value,
        "file": df["file"], "line": df["line"],
    })[~bad]

    # ---- rule 4: unique keys ------------------------------------------------
    dup = clean.duplicated(KEY, keep=False)
    if dup.any():
        for _, group in clean[dup].groupby(KEY, sort=False):
            first = group.iloc[0]
            for rec in group.iloc[1:].itertuples():
                rep.row("data.duplicate-key", "error",
                        f"this row repeats a key first sent at {first.file}:{first.line} "
                        f"({rec.measure}/{rec.dimension}/{rec.category or 'total'}, {rec.region}, {rec.period})",
                        rec, "measure", "send each cell once; remove one of the two rows")
        clean = clean[~clean.duplicated(KEY, keep="first")]

    clean = clean.reset_index(drop=True)
    clean["value"] = clean["value"].astype("int64")
    findings = subs.findings + rep.findings
    return ValidData(clean, findings, subs.files)

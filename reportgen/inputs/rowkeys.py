"""Integer keys over the validated rows, for the cross-row rules (``cross_checks``).

Rows are compared through integer keys built from the categorical codes
(org, period, region → one int64), with sorting and ``searchsorted`` instead
of Python loops, so tens of millions of rows stay fast.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..core import limits
from ..core.findings import Finding, Severity
from ..core.periods import Period
from .submissions import Submissions, first_per_file, more_like_this


class RowKeys:
    """Integer views of the clean rows, with helpers to locate findings."""

    def __init__(self, rows: pd.DataFrame, subs: Submissions):
        self.rows, self.subs = rows, subs
        self.cats = {c: list(rows[c].cat.categories) for c in
                     ("org_id", "period", "region", "measure", "dimension", "category")}
        self.o = rows["org_id"].cat.codes.to_numpy().astype(np.int64)  # int64: keys built on it stay int64
        self.p = rows["period"].cat.codes.to_numpy()  # small ints; keys below are int64
        self.r = rows["region"].cat.codes.to_numpy()  # small ints; keys below are int64
        self.m = rows["measure"].cat.codes.to_numpy()  # small ints; keys below are int64
        self.d = rows["dimension"].cat.codes.to_numpy()  # small ints; keys below are int64
        self.c = rows["category"].cat.codes.to_numpy()  # small ints; keys below are int64
        self.v = rows["value"].to_numpy()
        self.P, self.R = len(self.cats["period"]) + 1, len(self.cats["region"]) + 1
        self.M, self.D = len(self.cats["measure"]) + 1, len(self.cats["dimension"]) + 1
        self.C = len(self.cats["category"]) + 1
        self.G = (self.o * self.P + self.p) * self.R + self.r  # (org, period, region)
        self.GM = self.G * self.M + self.m
        self.is_total = self.d == self.code("dimension", "total")
        periods = [Period.parse(p) for p in self.cats["period"]]
        self.periods = periods
        self.quarter_lut = np.array([p.is_quarter for p in periods] + [False], dtype=bool)
        self.codes = {"org_id": self.o, "period": self.p, "region": self.r, "measure": self.m,
                      "dimension": self.d, "category": self.c}
        self.findings: list[Finding] = []
        self.file_codes = rows["file"].cat.codes.to_numpy()
        self.file_names = [str(c) for c in rows["file"].cat.categories]
        self._made: dict[tuple[str, str], int] = {}  # (code, file) → findings of that code in that file
        self._first: dict[tuple[str, str], Finding] = {}

    def name(self, column: str, i) -> str:
        """The text of row ``i``'s code in ``column`` (no pandas indexing: fast in loops)."""
        return str(self.cats[column][self.codes[column][i]])

    def code(self, column: str, value: str) -> int:
        """The categorical code of ``value`` in ``column``; an unused code when absent."""
        cats = self.cats[column]
        return cats.index(value) if value in cats else len(cats)

    def add(self, i: int, code: str, severity: Severity, message: str, column: str | None, hint: str) -> None:
        """A finding at row ``i``; past ``limits.FINDINGS_PER_FILE`` of its code in its file, only counted."""
        file = self.file_names[self.file_codes[i]]
        key = (code, file)
        n = self._made.get(key, 0)
        self._made[key] = n + 1
        if n >= limits.FINDINGS_PER_FILE:
            return
        finding = Finding(
            code, severity, message, file=file, line=int(self.rows["line"].iat[i]),
            column=self.subs.column(file, column) if column else None, hint=hint,
            member=self.name('org_id', i))
        self.findings.append(finding)
        self._first.setdefault(key, finding)

    def keep(self, code: str, rows: np.ndarray) -> np.ndarray:
        """Which of ``rows`` (row indexes, ascending) get a finding of ``code`` each: the first few of each
        file; the rest are counted now, so that a million bad rows never build a million messages."""
        rows = np.asarray(rows)
        shown, rest = first_per_file(rows, self.file_codes)
        for file_code, n in rest.items():
            key = (code, self.file_names[file_code])
            self._made[key] = self._made.get(key, 0) + n
        return np.isin(rows, shown) if len(rest) else np.ones(len(rows), dtype=bool)

    def close(self) -> None:
        """One summary line per code and file that had more findings than were made."""
        for key, n in self._made.items():
            first = self._first.get(key)
            if first is not None and n > limits.FINDINGS_PER_FILE:
                self.findings.append(more_like_this(first.code, first.severity, key[1], n - limits.FINDINGS_PER_FILE,
                                                    member=first.member, hint=first.hint, column=first.column))
        self._made.clear()

    def where(self, i: int) -> str:
        return f"{self.name('org_id', i)}, {self.name('period', i)}, {self.name('region', i)}"

    def totals(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Sorted GM keys of total rows, their values and row indexes."""
        idx = np.flatnonzero(self.is_total)
        keys = self.GM[idx]
        order = np.argsort(keys, kind="stable")
        return keys[order], self.v[idx][order], idx[order]


def lookup(sorted_keys: np.ndarray, values: np.ndarray, rows: np.ndarray, query: np.ndarray):
    """(found, value, row) for each query key in sorted keys."""
    if len(sorted_keys) == 0:
        z = np.zeros(len(query), dtype=np.int64)
        return np.zeros(len(query), dtype=bool), z, z
    pos = np.clip(np.searchsorted(sorted_keys, query), 0, len(sorted_keys) - 1)
    return sorted_keys[pos] == query, values[pos], rows[pos]


def groups(keys: np.ndarray, idx: np.ndarray, values: np.ndarray | None = None):
    """Distinct keys (sorted), the first row index of each, and (optionally) the sum of values.

    Rows arrive file by file, so equal keys mostly sit in runs: runs are collapsed
    first (linear), and only the run keys are sorted.
    """
    if len(keys) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, (np.zeros(0) if values is not None else None)
    starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    run_keys = keys[starts]
    uniq, first, inverse = np.unique(run_keys, return_index=True, return_inverse=True)
    sums = None
    if values is not None:
        run_sums = np.add.reduceat(values, starts)
        sums = np.bincount(inverse, weights=run_sums, minlength=len(uniq))
    return uniq, idx[starts[first]], sums


def isin_small(codes: np.ndarray, wanted: list[int], size: int) -> np.ndarray:
    """``np.isin`` for small categorical codes, by table lookup (linear, no sorting)."""
    lut = np.zeros(size + 1, dtype=bool)
    lut[[w for w in wanted if 0 <= w <= size]] = True
    return lut[codes]

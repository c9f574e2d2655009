"""Reporting periods: quarters (``2025Q1``) and half-years (``2025H1``).

H1 is January–June (Q1 and Q2), H2 is July–December (Q3 and Q4).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import total_ordering

_PERIOD = re.compile(r"^\s*(\d{4})\s*([QqHh])\s*(\d)\s*$")
_MONTHS = ["January", "February", "March", "April", "May", "June", "July",
           "August", "September", "October", "November", "December"]

PERIOD_HELP = "a period looks like 2025H1 or 2025H2 (a half-year) or 2025Q1 to 2025Q4 (a quarter)"
HALF_HELP = "a report period looks like 2025H1 (January–June) or 2025H2 (July–December)"
RELEASE_HELP = ("a release period is a half-year, 2025H1 (January–June) or 2025H2 (July–December), for the "
                "report, or a quarter, 2025Q1 to 2025Q4, for the quarterly dashboard")


class PeriodError(ValueError):
    """Raised for text that is not a valid period; the message is user-facing."""


@total_ordering
@dataclass(frozen=True, slots=True)
class Period:
    year: int
    kind: str  # "Q" or "H"
    number: int

    # ---- parsing -------------------------------------------------------
    @classmethod
    def parse(cls, text: str) -> Period:
        m = _PERIOD.match(str(text))
        if not m:
            raise PeriodError(f"'{text}' is not a period: {PERIOD_HELP}")
        year, kind, number = int(m.group(1)), m.group(2).upper(), int(m.group(3))
        limit = 4 if kind == "Q" else 2
        if not 1 <= number <= limit:
            raise PeriodError(f"'{text}' is not a period: {PERIOD_HELP}")
        return cls(year, kind, number)

    @classmethod
    def parse_half(cls, text: str) -> Period:
        try:
            p = cls.parse(text)
        except PeriodError:
            raise PeriodError(f"'{text}' is not a report period: {HALF_HELP}") from None
        if not p.is_half:
            raise PeriodError(f"'{text}' is a quarter, not a report period: {HALF_HELP}")
        return p

    @classmethod
    def parse_release(cls, text: str, today: dt.date | None = None) -> Period:
        """A period a build can release: a half-year (the report) or a quarter (the dashboard) that
        has ended by ``today`` (default: the real date, never SOURCE_DATE_EPOCH)."""
        try:
            p = cls.parse(text)
        except PeriodError:
            raise PeriodError(f"'{text}' is not a release period: {RELEASE_HELP}") from None
        today = today or dt.date.today()
        if p.last_day() >= today:
            raise PeriodError(f"{p} ({p.label()}) has not ended yet: it ends on {p.last_day().isoformat()}; "
                              "release a period once its returns are in")
        return p

    @classmethod
    def quarter(cls, year: int, number: int) -> Period:
        return cls(year, "Q", number)

    @classmethod
    def half(cls, year: int, number: int) -> Period:
        return cls(year, "H", number)

    # ---- properties ----------------------------------------------------
    @property
    def is_half(self) -> bool:
        return self.kind == "H"

    @property
    def is_quarter(self) -> bool:
        return self.kind == "Q"

    def __str__(self) -> str:
        return f"{self.year}{self.kind}{self.number}"

    def first_day(self) -> dt.date:
        return dt.date(self.year, self._first_month(), 1)

    def last_day(self) -> dt.date:
        nxt = self.next()
        return dt.date(nxt.year, nxt._first_month(), 1) - dt.timedelta(days=1)

    def _first_month(self) -> int:  # 1-based
        return (self.number - 1) * (3 if self.is_quarter else 6) + 1

    def _ordinal(self) -> tuple[int, int, int]:
        # sort by start month, then quarters before halves with the same start
        return (self.year, self._first_month(), 0 if self.is_quarter else 1)

    def __lt__(self, other: Period) -> bool:
        return self._ordinal() < other._ordinal()

    # ---- relations -----------------------------------------------------
    def quarters(self) -> tuple[Period, ...]:
        """The quarters a period covers (a quarter covers itself)."""
        if self.is_quarter:
            return (self,)
        first = (self.number - 1) * 2 + 1
        return (Period.quarter(self.year, first), Period.quarter(self.year, first + 1))

    def containing_half(self) -> Period:
        if self.is_half:
            return self
        return Period.half(self.year, 1 if self.number <= 2 else 2)

    def previous(self) -> Period:
        """The period just before: the previous quarter, or the previous half."""
        if self.number > 1:
            return Period(self.year, self.kind, self.number - 1)
        return Period(self.year - 1, self.kind, 4 if self.is_quarter else 2)

    def next(self) -> Period:
        limit = 4 if self.is_quarter else 2
        if self.number < limit:
            return Period(self.year, self.kind, self.number + 1)
        return Period(self.year + 1, self.kind, 1)

    def year_earlier(self) -> Period:
        return Period(self.year - 1, self.kind, self.number)

    # ---- labels --------------------------------------------------------
    def label(self) -> str:
        """'January–June 2025', 'April–June 2025'."""
        first = self._first_month()
        last = first + (2 if self.is_quarter else 5)
        return f"{_MONTHS[first - 1]}–{_MONTHS[last - 1]} {self.year}"

    def axis_label(self) -> str:
        """A compact label for chart axes: 'Q1 2025'."""
        return f"{self.kind}{self.number} {self.year}"


def quarter_range(first: Period, last: Period) -> list[Period]:
    """Every quarter from ``first`` to ``last`` inclusive."""
    out, q = [], first
    while q <= last:
        out.append(q)
        q = q.next()
    return out

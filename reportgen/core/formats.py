"""Numbers as text, written one way everywhere.

Two registers: ``display`` for readers (documents, charts, alt text,
placeholders: "1,234", "34 %", "+12 %", "up 12 %") and ``plain`` for machines
(CSV cells: "1234", "34", "12.5", never an exponent). Every module that turns
a number into text calls these; nothing else formats a published figure.
Standard library only (chart workers import it too).
"""

from __future__ import annotations

import math

# What a published figure is, for formatting (``Published.kind``).
COUNT, HOURS, PERCENT, RATIO, CHANGE, DIFFERENCE, MEMBERS = (
    "count", "hours", "percent", "ratio", "change", "difference", "members")
WHOLE_KINDS = (COUNT, HOURS, MEMBERS, DIFFERENCE)
# Between a number and its unit: a no-break space, so that "42 %" never breaks across lines
# (in the PDF, the HTML and the charts alike). ``plain`` (CSV) writes no unit at all.
UNIT_SPACE = "\u00a0"


def _decimals(value: float, most: int = 3) -> int:
    """The fewest decimals (up to ``most``) that show ``value`` as it is stored."""
    for d in range(most + 1):
        if round(value, d) == round(value, most):
            return d
    return most


def count(value: float) -> str:
    """1234 → '1,234' (counts and hours)."""
    return f"{value:,.0f}"


def number(value: float, decimals: int = 0) -> str:
    """1234567 → '1,234,567' (an editor's own number, ``{{ 1234567 | number }}``)."""
    return f"{value:,.{max(0, min(int(decimals), 3))}f}"


def percent(value: float, decimals: int | None = None) -> str:
    """34.0 → '34 %' (with a no-break space, ``UNIT_SPACE``: the number and its unit never split)."""
    d = _decimals(value) if decimals is None else max(0, min(int(decimals), 3))
    return f"{value:,.{d}f}{UNIT_SPACE}%"


def change(value: float) -> str:
    """12.0 → '+12 %' (a percentage change, signed)."""
    return f"{value:+,.{_decimals(value)}f}{UNIT_SPACE}%"


def difference(value: float) -> str:
    """1234.0 → '+1,234' (an absolute change, signed)."""
    return f"{value:+,.0f}"


def ratio(value: float) -> str:
    """1.25 → '1.2'; one decimal."""
    return f"{value:,.1f}"


def words(value: float) -> str:
    """A percentage change in words: 'up 12 %', 'down 3 %', 'unchanged' (when it rounds to 0)."""
    if round(value) == 0:
        return "unchanged"
    return f"{'up' if value > 0 else 'down'} {abs(value):.0f}{UNIT_SPACE}%"


def display(value: float, kind: str) -> str:
    """A published number for readers, by its kind."""
    if kind == PERCENT:
        return percent(value)
    if kind == CHANGE:
        return change(value)
    if kind == DIFFERENCE:
        return difference(value)
    if kind == RATIO:
        return ratio(value)
    return count(value)


def plain(value: float | None, kind: str) -> str:
    """A published number for a CSV cell: no thousands separators, no exponent ('' for none)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if kind in WHOLE_KINDS:
        return str(int(round(value)))
    if kind == RATIO:
        return f"{value:.1f}"
    text = f"{value:.{_decimals(value)}f}"
    return "0" if text in ("-0", "-0.0") else text

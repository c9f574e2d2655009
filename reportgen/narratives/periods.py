"""Narratives belong to their period: period words, dates, the release date and the next release.

Each narrative file is checked against the period it is built for (docs/editors-guide.md,
"Words that belong to a period"):

* **period words** — "first half of 2025", "H1 2025", "January–June 2025" name a half-year;
  "April–June 2025", "Q2 2025" a quarter; "March", "August 2024" a month. In the title and subtitle
  a named half-year must be the report's own (``period.other-period``). In the text a half-year or
  quarter after the period, or another half-year named without a comparison ("than", "against", "a
  year earlier", "since" …), is ``period.other-period``; a month or quarter written without its year
  that does not fall in the period is ``period.no-year`` (in January–June 2025, "in March" is March
  2025; in July–December 2025 it is a leftover); a date after the period's end is
  ``period.after-period`` unless the sentence is about the next release. ``{{ period }}`` never goes
  stale: the hints suggest it.
* **the release date** — the report's ``publication_date`` and config ``publication.release_date``
  must fall after the period's end and on or after the data's closing date (config
  ``intake.calendar``: the period's, or its last quarter's, ``closes``): ``period.publication-date``.
* **the next release** — config ``publication.next_release`` must name the next period (when it names
  one) and a date after the release: ``period.next-release``.

Stories are lived experience: only an explicit period label in them (a half-year or a quarter with
its year) is checked. Quotations are someone's words and are not read. A sentence with a
``[[no check: …]]`` is left alone (its reason is in the review appendix).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from ..core.findings import Finding, Severity
from ..core.periods import Period
from .statements import MONTHS, readable

_MONTH = "|".join(m.capitalize() for m in MONTHS)
_DASH = r"\s*(?:–|—|-|to)\s*"
HALF_WORDS = re.compile(r"\b(first|second) half(?:-year| of the year)?(?: of)? ((?:19|20)\d\d)\b", re.I)
PERIOD_CODE = re.compile(r"\b(?:([HQ])([1-4])\s+((?:19|20)\d\d)|((?:19|20)\d\d)\s?([HQ])([1-4]))\b")
MONTH_RANGE = re.compile(r"\b(" + _MONTH + r")" + _DASH + r"(" + _MONTH + r")(?:,?\s+((?:19|20)\d\d))?\b")
DATE = re.compile(r"\b(\d{1,2})\s+(" + _MONTH + r")\s+((?:19|20)\d\d)\b")
MONTH = re.compile(r"\b(" + _MONTH + r")(?:\s+((?:19|20)\d\d))?\b")
YEAR = re.compile(r"\b((?:19|20)\d\d)\b")
COMPARING = re.compile(r"\b(?:than|against|compared|since|from|earlier|previous|before|last|ago|same|"
                       r"with|versus|vs)\b", re.I)
RELEASE = re.compile(r"\b(?:next|release[ds]?|publish(?:ed|es)?|due)\b", re.I)


@dataclass(frozen=True)
class Problem:
    code: str  # period.other-period | period.no-year | period.after-period
    message: str
    fragment: str  # as written
    start: int  # offset in the field's text


def _month(name: str) -> int:
    return MONTHS.index(name.lower()) + 1


def _span(first: int, last: int, year: int) -> tuple[dt.date, dt.date]:
    """The first and last day of the months ``first``–``last`` of ``year`` (a range over the new year ends
    in the next one)."""
    end_year = year + (last < first)
    return dt.date(year, first, 1), dt.date(end_year + (last == 12), last % 12 + 1, 1) - dt.timedelta(days=1)


def named_period(first: int, last: int, year: int) -> Period | None:
    """The quarter or half-year a month range names (April–June → a quarter), or None."""
    if last - first == 2 and first % 3 == 1:
        return Period.quarter(year, (first - 1) // 3 + 1)
    if last - first == 5 and first in (1, 7):
        return Period.half(year, 1 if first == 1 else 2)
    return None


def scan(text: str, start: int, end: int, period: Period, *, field: str, story: bool = False) -> list[Problem]:
    """Period words in ``text[start:end]`` (one sentence of a field) that do not belong to ``period``.
    ``field`` is ``title`` for the title and subtitle, else ``text``."""
    words, _ = readable(text)
    sentence = words[start:end]
    out: list[Problem] = []
    taken: list[tuple[int, int]] = []
    p_start, p_end = period.first_day(), period.last_day()
    comparing = bool(COMPARING.search(sentence))

    def add(code: str, message: str, m: re.Match) -> None:
        out.append(Problem(code, message, text[start + m.start():start + m.end()], start + m.start()))

    def free(m: re.Match) -> bool:
        return not any(a < m.end() and m.start() < b for a, b in taken)

    def named(p: Period, m: re.Match) -> None:
        taken.append(m.span())
        if p == period or (period.is_half and p.is_quarter and p.containing_half() == period):
            return
        what = f"{m.group(0)} ({p.label()})" if m.group(0) != p.label() else p.label()
        if field == "title" and p.is_half:
            add("period.other-period", f"the title names {what}, but this report is for {period.label()}: "
                                       "write {{ period }}", m)
        elif p.first_day() > p_end and not RELEASE.search(sentence):
            add("period.other-period", f"the text names {what}, after the period this report covers "
                                       f"({period.label()})", m)
        elif p.is_half and p.first_day() < p_start and not comparing:
            add("period.other-period", f"the text names {what} as if it were this report's period "
                                       f"({period.label()}): write {{{{ period }}}}, or say what it is compared with", m)

    for m in HALF_WORDS.finditer(sentence):
        named(Period.half(int(m.group(2)), 1 if m.group(1).lower() == "first" else 2), m)
    for m in PERIOD_CODE.finditer(sentence):
        kind, number, year = (m.group(1), m.group(2), m.group(3)) if m.group(1) else (m.group(5), m.group(6), m.group(4))
        named(Period(int(year), kind, int(number)), m)
    for m in MONTH_RANGE.finditer(sentence):
        if not free(m):
            continue
        first, last = _month(m.group(1)), _month(m.group(2))
        if m.group(3):
            p = named_period(first, last, int(m.group(3)))
            if p is not None:
                named(p, m)
                continue
            taken.append(m.span())
            a, b = _span(first, last, int(m.group(3)))
            if a > p_end and not RELEASE.search(sentence):
                add("period.after-period", f"the text names {m.group(0)}, after the end of the period this report "
                                           f"covers ({p_end.day} {p_end.strftime('%B %Y')})", m)
            continue
        taken.append(m.span())
        if story:
            continue
        years = {p_start.year, p_end.year}
        if not any(p_start <= _span(first, last, y)[0] and _span(first, last, y)[1] <= p_end for y in years):
            add("period.no-year", f"the text names {m.group(0)} without a year, and {m.group(0)} is not part of "
                                  f"{period.label()}: give the year, or write {{{{ period }}}} for this report's "
                                  "period", m)
    if story:
        return out
    for m in DATE.finditer(sentence):
        taken.append(m.span())
        when = dt.date(int(m.group(3)), _month(m.group(2)), int(m.group(1)))
        if when > p_end and not RELEASE.search(sentence):
            add("period.after-period", f"the text names {m.group(0)}, after the end of the period this report "
                                       f"covers ({p_end.day} {p_end.strftime('%B %Y')})", m)
    for m in MONTH.finditer(sentence):
        if not free(m) or (m.group(1) == "May" and not m.group(2)
                           and not re.search(r"\b(?:in|of|since|from|until|by|early|late|mid)\s+$",
                                             sentence[:m.start()])):
            continue
        taken.append(m.span())
        month = _month(m.group(1))
        if m.group(2):
            year = int(m.group(2))
            if dt.date(year, month, 1) > p_end and not RELEASE.search(sentence):
                add("period.after-period", f"the text names {m.group(0)}, after the end of the period this report "
                                           f"covers ({p_end.day} {p_end.strftime('%B %Y')})", m)
            continue
        inside = [y for y in range(p_start.year, p_end.year + 1) if p_start <= dt.date(y, month, 1) <= p_end]
        if not inside:
            add("period.no-year", f"the text names {m.group(1)} without a year, and {m.group(1)} is not part of "
                                  f"{period.label()}: give the year", m)
    for m in YEAR.finditer(sentence):
        if not free(m):
            continue
        if int(m.group(1)) > p_end.year and not RELEASE.search(sentence):
            add("period.after-period", f"the text names {m.group(1)}, after the period this report covers "
                                       f"({period.label()})", m)
    return out


# ---- the release date and the next release --------------------------------------------------------

def closing_date(config, period: Period) -> dt.date | None:
    """When the period's data closed: config ``intake.calendar``'s ``closes`` for the period, or the latest
    of its quarters'; None when the calendar does not say."""
    from zoneinfo import ZoneInfo

    calendar = config.intake.calendar
    zone = ZoneInfo(config.intake.timezone)
    found = [calendar[str(p)].moment("closes", zone).date() for p in (period, *period.quarters()) if str(p) in calendar]
    return max(found) if found else None


def date_problem(when: dt.date, period: Period, closes: dt.date | None, what: str) -> str | None:
    """Why a release date cannot be this period's, or None."""
    end = period.last_day()
    if when <= end:
        return (f"{what} is {when.day} {when.strftime('%B %Y')}, but {period.label()} ends on "
                f"{end.day} {end.strftime('%B %Y')}: a report cannot come out before its period is over")
    if closes is not None and when < closes:
        return (f"{what} is {when.day} {when.strftime('%B %Y')}, before the data close on "
                f"{closes.day} {closes.strftime('%B %Y')} (intake.calendar)")
    return None


def next_release_problem(text: str, period: Period, release: dt.date | None) -> tuple[str, str] | None:
    """Why config ``publication.next_release`` is not this period's next release: (message, fragment), or None."""
    wanted = period.next()
    for pattern in (MONTH_RANGE, HALF_WORDS, PERIOD_CODE):
        for m in pattern.finditer(text):
            if pattern is MONTH_RANGE:
                if not m.group(3):
                    continue
                p = named_period(_month(m.group(1)), _month(m.group(2)), int(m.group(3)))
            elif pattern is HALF_WORDS:
                p = Period.half(int(m.group(2)), 1 if m.group(1).lower() == "first" else 2)
            else:
                kind, number, year = ((m.group(1), m.group(2), m.group(3)) if m.group(1)
                                      else (m.group(5), m.group(6), m.group(4)))
                p = Period(int(year), kind, int(number))
            if p is not None and p.kind == period.kind and p != wanted:
                return (f"the next release is said to be for {m.group(0)}, but the release after {period.label()} is "
                        f"for {wanted.label()}", m.group(0))
    if release is not None:
        for m in MONTH.finditer(text):
            if m.group(2) and dt.date(int(m.group(2)), _month(m.group(1)), 28) <= release:
                return (f"the next release is said to come in {m.group(0)}, which is not after this release "
                        f"({release.day} {release.strftime('%B %Y')})", m.group(0))
    return None


def release_findings(narratives, config, period: Period, *, final: bool) -> list[Finding]:
    """The report's publication date, config's release date and next release, against the period."""
    from ..core.yamlsource import load_yaml

    severity: Severity = "error" if final else "warning"
    out: list[Finding] = []
    closes = closing_date(config, period)
    hint = f"date the release after {period.last_day().isoformat()}, the end of {period.label()}"
    report, src = narratives.report, narratives.report_source
    if report is not None and src is not None and report.publication_date is not None:
        why = date_problem(report.publication_date, period, closes, "the publication date")
        if why:
            line, col = src.position(("publication_date",))
            out.append(Finding("period.publication-date", severity, why, file=src.display, line=line, column=col,
                               excerpt=src.line_text(line), hint=hint))
    pub = config.publication
    calendar = config.releases.calendar.get(str(period)) if pub.release_date is None else None
    day = calendar.date() if isinstance(calendar, dt.datetime) else calendar
    if pub.release_date is None and pub.next_release is None and day is None:
        return out
    path = next((c for c in (Path(config.source), config.root / Path(config.source).name) if c.is_file()), None)
    config_src = load_yaml(path, config.source)[0] if path is not None else None

    def at(key: str | tuple, code: str, message: str) -> Finding:
        where = ("publication", key) if isinstance(key, str) else key
        line, col = config_src.position(where) if config_src is not None else (None, None)
        return Finding(code, severity, message, file=config.source, line=line, column=col,
                       excerpt=config_src.line_text(line) if config_src is not None and line else None,
                       hint=hint if code == "period.publication-date" else
                       f"name the next release, {period.next().label()}, and when it is due")

    if pub.release_date is not None:
        why = date_problem(pub.release_date, period, closes, "publication.release_date")
        if why:
            out.append(at("release_date", "period.publication-date", why))
    elif day is not None:  # the release calendar's date for the period (config releases.calendar)
        why = date_problem(day, period, closes, f"the release calendar's date for {period}")
        if why:
            out.append(at(("releases", "calendar", str(period)), "period.publication-date", why))
    if pub.next_release:
        release = pub.release_date or day or (report.publication_date if report is not None else None)
        problem = next_release_problem(pub.next_release, period, release)
        if problem:
            out.append(at("next_release", "period.next-release", problem[0]))
    return out


def file_findings(src, period: Period, *, story: bool = False) -> list[Finding]:
    """Every period word of one narrative file that does not belong to ``period`` (``reportgen new --from``
    lists them once it has written the file; a build finds the same, sentence by sentence)."""
    from .locate import finding_at, strings
    from .sentences import split

    out = []
    for loc, text in strings(src.data):
        if not loc or loc[0] in ("publisher", "contact", "consent", "voice", "region", "themes", "member"):
            continue
        kind = "title" if loc[0] in ("title", "subtitle") and not story else "text"
        for s in split(text):
            if s.no_checks:
                continue
            for p in scan(text, s.start, s.end, period, field=kind, story=story):
                out.append(finding_at(src, loc, p.fragment, p.code, p.message, "rewrite it for this period",
                                      occurrence=text[:p.start].count(p.fragment), severity="warning"))
    return out

"""The release calendar: when each release is published (config ``releases``).

Not the intake's calendar of submissions (``intake.calendar``: when members may send a period):
this one says when the federation publishes — each quarter's dashboard and each half-year's
report. Every release's date and time, and the next release, come from here (the report's
"About this release", every dashboard page, ``dashboard.json``), and it is published as
``calendar.ics`` (iCalendar, RFC 5545) and ``calendar.json`` (``datafiles/calendar_files.py``).

A release listed in ``publication.release_date`` (the report) keeps that date; the calendar gives
the rest. Standard library only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from .periods import Period


@dataclass(frozen=True)
class Release:
    """One entry of the calendar: the period, when it is published, and what it is."""

    period: Period
    at: dt.datetime  # aware, in the calendar's time zone

    @property
    def kind(self) -> str:
        return "quarter" if self.period.is_quarter else "half-year"

    @property
    def what(self) -> str:
        """"The quarterly dashboard, July–September 2025" / "The half-year report, January–June 2025"."""
        what = "The quarterly dashboard" if self.period.is_quarter else "The half-year report"
        return f"{what}, {self.period.label()}"

    @property
    def text(self) -> str:
        """"10:00 am, 13 November 2025 (New Zealand time)"."""
        return moment_text(self.at)

    @property
    def iso(self) -> str:
        return self.at.strftime("%Y-%m-%dT%H:%M")


def moment_text(at: dt.datetime) -> str:
    clock = f"{(at.hour % 12) or 12}:{at.minute:02d}\u00a0{'am' if at.hour < 12 else 'pm'}"
    return f"{clock}, {at.day}\u00a0{at.strftime('%B %Y')} (New Zealand time)"


def releases(config) -> list[Release]:
    """Every release of the calendar, in time order."""
    cal = config.releases
    zone = ZoneInfo(cal.timezone)
    hour, minute = (int(x) for x in cal.time.split(":"))
    out = []
    for key, when in cal.calendar.items():
        if isinstance(when, dt.datetime):
            at = when.replace(tzinfo=zone) if when.tzinfo is None else when.astimezone(zone)
        else:
            at = dt.datetime.combine(when, dt.time(hour, minute), tzinfo=zone)
        out.append(Release(Period.parse(key), at))
    return sorted(out, key=lambda r: (r.at, str(r.period)))


def release_of(config, period: Period) -> Release | None:
    """``period``'s release: ``publication.release_date`` for a half-year when it is set (the report's),
    else the calendar's entry, else none."""
    pub = config.publication
    if period.is_half and pub.release_date is not None:
        hour, minute = (int(x) for x in pub.release_time.split(":"))
        zone = ZoneInfo(config.releases.timezone)
        return Release(period, dt.datetime.combine(pub.release_date, dt.time(hour, minute), tzinfo=zone))
    return next((r for r in releases(config) if r.period == period), None)


def next_release(config, period: Period) -> Release | None:
    """The next release of the same kind after ``period``'s (the next quarter's dashboard, the next
    half-year's report): the first one of a later period in the calendar."""
    later = [r for r in releases(config) if r.period.is_quarter == period.is_quarter and r.period > period]
    return later[0] if later else None


def next_release_text(config, period: Period) -> str:
    """What a document says under "Next release": ``publication.next_release`` when the config gives
    it, else the calendar's next release of the same kind, else ""."""
    if config.publication.next_release:
        return config.publication.next_release
    nxt = next_release(config, period)
    return f"{nxt.text}: {nxt.what[0].lower()}{nxt.what[1:]}" if nxt is not None else ""

"""The release calendar as files: ``calendar.ics`` (iCalendar, RFC 5545: a reader subscribes to it in
any calendar program) and ``calendar.json`` (for the website), from config ``releases``
(``core/release_calendar.py``). Written in every bundle and into the dashboard's folder, and
linked from every dashboard page.

Deterministic: the same calendar gives the same bytes (each event's DTSTAMP is its own start, the
times are in UTC, the UIDs come from the period and the publisher).
"""

from __future__ import annotations

import datetime as dt
import json
import re

from ..core.config import Config
from ..core.release_calendar import Release, releases

ICS_NAME, JSON_NAME = "calendar.ics", "calendar.json"


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> list[str]:
    """A content line folded at 75 octets (RFC 5545, 3.1): continuation lines start with a space."""
    out: list[str] = []
    current = ""
    for char in line:
        limit = 75 if not out else 74
        if len((current + char).encode("utf-8")) > limit:
            out.append(current)
            current = char
        else:
            current += char
    out.append(current)
    return [out[0], *(" " + part for part in out[1:])]


def _utc(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _publisher(config: Config) -> str:
    return config.publication.publisher or config.dashboard.name


def calendar_ics(config: Config) -> bytes:
    publisher = _publisher(config)
    domain = re.sub(r"[^a-z0-9]+", "-", publisher.lower()).strip("-") or "reportgen"
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:-//{_escape(publisher)}//reportgen release calendar//EN",
             "CALSCALE:GREGORIAN", "METHOD:PUBLISH", f"X-WR-CALNAME:{_escape(publisher)}: releases",
             f"X-WR-TIMEZONE:{config.releases.timezone}"]
    for r in releases(config):
        lines += ["BEGIN:VEVENT", f"UID:{r.period}@{domain}.release-calendar", f"DTSTAMP:{_utc(r.at)}",
                  f"DTSTART:{_utc(r.at)}", f"DTEND:{_utc(r.at + dt.timedelta(hours=1))}",
                  f"SUMMARY:{_escape(f'{publisher}: {r.what[0].lower()}{r.what[1:]}')}",
                  f"DESCRIPTION:{_escape(f'{r.what}, published at {r.text}.')}",
                  "TRANSP:TRANSPARENT", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(folded for line in lines for folded in _fold(line)) + "\r\n").encode("utf-8")


def release_entry(r: Release) -> dict:
    return {"period": str(r.period), "kind": r.kind, "title": r.what, "date": r.at.date().isoformat(),
            "time": r.at.strftime("%H:%M"), "datetime": r.at.isoformat(), "text": r.text}


def calendar_json(config: Config) -> bytes:
    doc = {"publisher": _publisher(config), "timezone": config.releases.timezone,
           "releases": [release_entry(r) for r in releases(config)]}
    return (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def calendar_files(config: Config) -> dict[str, bytes]:
    return {ICS_NAME: calendar_ics(config), JSON_NAME: calendar_json(config)}

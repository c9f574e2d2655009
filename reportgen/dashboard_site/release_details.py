"""What every dashboard page says about its release, and the downloads page's files (issue 27).

Every page shows the release details — when it was released, the next release, the licence, who
to ask, how to cite — and links to the downloads page, the workbook and the release calendar. The
downloads page lists every published file of the release, and those files are copied into the
dashboard's own folder (``dashboard/downloads/``), so that the folder the website copies
(docs/website.md) holds them: the workbook, each table's CSV, the dashboard data and its schema,
the revisions, the release calendar and, once a half-year report has been released, its PDF.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..core.config import Config
from ..core.periods import Period
from ..core.release_calendar import next_release_text, release_of

DOWNLOADS = "downloads"  # dashboard/downloads/: the release's files, inside the folder the website copies


@dataclass(frozen=True)
class ReleaseDetails:
    """A release's details, as every dashboard page shows them."""

    publisher: str
    released: str  # "10:00 am, 14 August 2025 (New Zealand time)", or "" when the calendar has no date
    released_iso: str  # "2025-08-14T10:00", or ""
    next_release: str  # or ""
    licence: str
    licence_url: str
    contact: str
    contact_phone: str
    citation: str
    downloads_href: str  # the downloads page, relative to the page
    workbook_href: str
    calendar_href: str  # calendar.ics
    calendar_json_href: str


@dataclass(frozen=True)
class DownloadFile:
    """One file of the downloads page: its link (relative to dashboard/), what it is, its format."""

    href: str
    label: str
    format: str  # "Excel workbook", "CSV", "JSON", "iCalendar", "PDF"


@dataclass(frozen=True)
class DownloadGroup:
    heading: str
    note: str
    files: list[DownloadFile]


def release_details(config: Config, period: Period, root: str) -> ReleaseDetails:
    """The release details of ``period``'s dashboard, with links relative to a page ``root`` away from
    ``dashboard/`` ("" or "../")."""
    pub = config.publication
    publisher = pub.publisher or config.dashboard.name
    release = release_of(config, period)
    when = release.at.date() if release is not None else period.last_day() + dt.timedelta(days=1)
    where = f"{pub.base_url}dashboard/" if pub.base_url else ""
    citation = pub.citation.format(publisher=publisher, year=str(when.year), title=config.dashboard.title,
                                   period=period.label(), where=where).strip()
    citation = " ".join(citation.split()).removesuffix(".") + "."
    folder = f"{root}{DOWNLOADS}/"
    return ReleaseDetails(
        publisher=publisher, released=release.text if release else "", released_iso=release.iso if release else "",
        next_release=next_release_text(config, period), licence=pub.licence, licence_url=pub.licence_link,
        contact=pub.contact or "", contact_phone=pub.contact_phone or "", citation=citation,
        downloads_href=f"{root}downloads.html", workbook_href=f"{folder}tables/tables.xlsx",
        calendar_href=f"{folder}calendar.ics", calendar_json_href=f"{folder}calendar.json")


def latest_report(config: Config, period: Period) -> tuple[Period, Path] | None:
    """The latest half-year report released (a final) for a half-year that has ended by ``period``:
    its period and PDF. None before the first report is released."""
    from ..runtime.drafts import release_log

    out = Path(config.output_dir)
    for entry in reversed(release_log(out)):
        try:
            released = Period.parse(str(entry.get("period", "")))
        except ValueError:
            continue
        pdf = out / str(entry.get("bundle", "")) / "report.pdf"
        if released.is_half and released.last_day() <= period.last_day() and pdf.is_file():
            return released, pdf
    return None


def download_groups(config: Config, period: Period, tables: list[tuple[str, str]],
                    report: tuple[Period, Path] | None) -> list[DownloadGroup]:
    """The downloads page's files, grouped; ``tables``: (name, title) of every published table."""
    groups = [
        DownloadGroup("The data", "Every figure on these pages, with the same rounding and symbols.", [
            DownloadFile(f"{DOWNLOADS}/tables/tables.xlsx", "All tables, one sheet each, with notes",
                         "Excel workbook"),
            DownloadFile(f"{DOWNLOADS}/dashboard.json", "The dashboard data: every figure, for every region "
                         "and quarter", "JSON"),
            DownloadFile(f"{DOWNLOADS}/dashboard.schema.json", "The dashboard data's JSON Schema", "JSON"),
            DownloadFile(f"{DOWNLOADS}/revisions.csv", "Revisions: figures this release changed from the last one",
                         "CSV"),
        ]),
        DownloadGroup("Each table", "One CSV file per table (UTF-8, for Excel and any statistics program).",
                      [DownloadFile(f"{DOWNLOADS}/tables/{name}.csv", title, "CSV") for name, title in tables]),
        DownloadGroup("The release calendar", "When each release is published; subscribe in your calendar.", [
            DownloadFile(f"{DOWNLOADS}/calendar.ics", "Release calendar", "iCalendar"),
            DownloadFile(f"{DOWNLOADS}/calendar.json", "Release calendar", "JSON"),
        ]),
    ]
    if report is not None:
        released, _ = report
        groups.append(DownloadGroup("The report", "The latest half-year report, with its regional briefs' "
                                    "figures and the editors' narratives.", [
            DownloadFile(f"{DOWNLOADS}/report-{released}.pdf", f"The half-year report, {released.label()}",
                         "PDF")]))
    return groups


def download_copies(files: dict[str, bytes], report: tuple[Period, Path] | None) -> dict[str, bytes]:
    """The release's files copied into ``dashboard/downloads/`` (the bytes the bundle publishes at its top,
    unchanged), and the latest report's PDF."""
    names = [n for n in files if n.startswith("tables/") or n in (
        "dashboard.json", "dashboard.schema.json", "revisions.csv", "calendar.ics", "calendar.json")]
    out = {f"dashboard/{DOWNLOADS}/{name}": files[name] for name in names}
    if report is not None:
        released, pdf = report
        out[f"dashboard/{DOWNLOADS}/report-{released}.pdf"] = pdf.read_bytes()
    return out

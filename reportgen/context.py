"""What the templates receive: one typed context per document.

Each published document is a template and a context dataclass. The fields
are the names a template can use (documented, both ways, in
docs/templates.md — a test compares them). Everything here is computed
already; templates only format it. ``render_html`` adds two names when it
renders: ``styles`` (the house CSS) and ``review`` (a draft's banner and what
changed, or none).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the methodology imports pandas; the build's early exit must not
    from .methodology import Notes


@dataclass(frozen=True)
class KeyFigure:
    """One headline figure: its formatted value and what it counts."""

    value: str
    label: str
    national: str = ""  # the same figure for Aotearoa New Zealand (briefs only)


@dataclass(frozen=True)
class RegionRow:
    """One line of the regional table: formatted figures, or why the region is not published."""

    code: str
    name: str
    members: str
    figures: list[str]
    published: bool
    reason: str = ""
    brief: str = ""  # relative link to the region's brief, when it has one


@dataclass(frozen=True)
class Download:
    """A published data file, linked relative to the document (or absolute under the website's
    address, config ``publication.base_url``)."""

    href: str
    label: str
    file: str = ""  # its path in the bundle, "tables/clients.csv" (printed beside the link)


@dataclass(frozen=True)
class Imprint:
    """What a release carries (config ``publication``): who, when, how to cite, the licence."""

    publisher: str
    contact: str  # an e-mail address, or ""
    contact_phone: str
    licence: str  # "CC BY 4.0"
    licence_url: str
    citation: str  # filled in
    issn: str  # or ""
    release: str  # "10:00 am, 15 September 2025 (New Zealand time)", or ""
    release_iso: str  # "2025-09-15T10:00", or ""
    next_release: str  # or ""
    base_url: str  # the website's address for this release's files, or ""


@dataclass(frozen=True)
class Part:
    """One part of the national report, in reading order: its anchor, heading and kind."""

    anchor: str
    heading: str
    kind: str  # summary | findings | data | stories | policy | recommendations | notes | appendix


@dataclass(frozen=True)
class StoryGroup:
    theme: str  # a need's label, "Other voices", or "Withheld from this draft"
    stories: list


@dataclass(frozen=True)
class Review:
    """A draft's review marks, added when a draft's documents are rendered (none in a final)."""

    draft: int | None  # the banner's draft number (none in the print HTML: the PDF is stamped instead)
    built: str = ""
    inputs: str = ""  # the short input digest
    changes: Any = None  # changes.Changes since the previous draft, or none
    css: str = ""  # review.css
    print: bool = False  # the HTML laid out as PDF


@dataclass(frozen=True, kw_only=True)
class DocumentContext:
    """Every document."""

    name: str  # the document's path in the bundle without its ending: "report", "briefs/AKL"
    template: str  # the template that renders it
    language: str
    title: str
    description: str
    version: str
    period_label: str
    report: Any  # narratives.RenderedReport
    numbered: bool
    symbols: dict[str, str]
    synthetic: bool
    notes: Notes
    downloads: list[Download]
    charts: list  # charts.Chart
    charts_by_section: dict[str, list]
    imprint: Imprint


@dataclass(frozen=True, kw_only=True)
class ReportContext(DocumentContext):
    """The national report (``report.html.j2``)."""

    outline: list[Part]
    key_figures: list[KeyFigure]
    events: list
    region_columns: list[str]
    region_rows: list[RegionRow]
    not_published: list[tuple[str, str]]
    coverage: str
    story_groups: list[StoryGroup]


@dataclass(frozen=True, kw_only=True)
class BriefContext(DocumentContext):
    """A regional brief (``brief.html.j2``)."""

    region_code: str
    region_name: str
    commentary: Any  # narratives.RenderedRegion or none
    stories: list
    key_figures: list[KeyFigure]
    report_link: str
    summary: list[str]  # sentences computed from the published figures (shown when there is no commentary)


RENDER_NAMES = ("styles", "review")  # added by render_html.render


def variables(context: DocumentContext) -> dict[str, Any]:
    """The context as the template's names (a shallow copy: charts keep their SVG bytes)."""
    return {f.name: getattr(context, f.name) for f in fields(context)}

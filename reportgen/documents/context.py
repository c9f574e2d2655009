"""What the templates receive: one typed context per document.

Each published document is a template and a context dataclass. The fields
are the names a template can use (documented, both ways, in
docs/templates.md — a test compares them). Everything here is computed
already; templates only format it. ``render_html`` adds two names when it
renders: ``styles`` (the house CSS) and ``review`` (a draft's banner and what
changed, or none).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the methodology imports pandas; the build's early exit must not
    from typing import Protocol

    from _typeshed import DataclassInstance

    from ..figures.methodology import Notes

    class TemplateContext(DataclassInstance, Protocol):
        """What a page's HTML is made from: a frozen dataclass with the page's name and template (a
        document's context here, a member's report's, or a dashboard page's, ``dashboard_site.pages``)."""

        @property
        def name(self) -> str: ...
        @property
        def template(self) -> str: ...
        @property
        def title(self) -> str: ...


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
    embargo: str = ""  # an embargoed copy's banner: "EMBARGOED until …" (issue 27)


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
    # the sentences a reviewer should look at, in drafts and the preview (narratives.ReviewItem;
    # none in a final, which refuses to build while a sentence has a problem)
    review_items: tuple = ()


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
    governance: list[str] = field(default_factory=list)  # how the data were governed: the reviews (issue 27)


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


# ---- a member's private report (member_reports.py; internal, never published) -------------------

@dataclass(frozen=True)
class MemberFigure:
    """One of the member's headline figures: its own value and how it moved."""

    value: str
    label: str
    change: str = ""  # "up 12 % on July–December 2024", or why there is no comparison


@dataclass(frozen=True)
class CompareRow:
    """One figure or category: the member's own value beside its region's and the nation's published ones."""

    label: str
    own: str  # the member's own figure (exact)
    share: str  # the member's own share, where the row is a category ("" otherwise)
    region: str  # the main region's published figure or share (with its flag)
    national: str  # Aotearoa New Zealand's published figure or share


@dataclass(frozen=True)
class CompareTable:
    """A breakdown (age, gender, …): the member's counts and shares beside the published shares."""

    anchor: str
    caption: str
    note: str
    rows: list[CompareRow]


@dataclass(frozen=True)
class TrendRow:
    """One quarter of the member's own figures."""

    quarter: str  # "Apr–Jun 2025"
    figures: list[str]  # in the order of ``trend_columns``; empty when nothing was sent
    bar: int  # 0–100: length of the clients bar (decorative; the number is in the row)
    note: str = ""  # "not sent", "not active yet"


@dataclass(frozen=True)
class OutcomeRow:
    """An outcome domain (or a group of domains): the member's own assessments and improvement
    rate beside the published improvement rates."""

    label: str
    group: bool
    assessed: str
    coverage: str  # assessed ÷ the member's clients
    improved: str  # improved ÷ assessed
    region: str
    national: str


@dataclass(frozen=True)
class MemberRegion:
    """A region the member delivered in during the period."""

    code: str
    name: str
    clients: str  # the member's own clients there
    published: str  # the region's published clients (or its symbol)
    members: str  # "5 of 6" members reporting there
    band: str  # the member's share of the region's published clients, as a band ("10–20 %")
    brief: bool  # the region has a regional brief
    main: bool  # the region the comparisons use
    note: str = ""  # why the region is not published on its own


@dataclass(frozen=True)
class Check:
    """One data-quality expectation, judged on the member's own data."""

    name: str
    expectation: str
    status: str  # met | not-met | none
    verdict: str  # "Met", "Not met" or "Nothing to judge": words, never a colour alone
    detail: str


@dataclass(frozen=True)
class FindingLine:
    """One finding on the member's submissions: where, and what."""

    location: str  # file:line:column, or ""
    message: str


@dataclass(frozen=True)
class FindingGroup:
    """The findings of one code on the member's submissions, with the fix they share."""

    code: str
    severity: str
    hint: str
    items: list[FindingLine]


@dataclass(frozen=True, kw_only=True)
class MemberContext:
    """A member's private report (``member.html.j2``): its own figures beside published ones."""

    name: str  # "members/MET001": internal/members/MET001.pdf and .html
    template: str
    language: str
    title: str
    description: str
    version: str
    period_label: str
    synthetic: bool
    publisher: str
    contact: str
    org_id: str
    member_name: str
    member_contact: str
    mark: str  # "Private — for <member> only"
    headline: list[MemberFigure]
    regions: list[MemberRegion]
    main_region: str
    national_band: str
    key_table: list[CompareRow]
    differences: list[str]
    trend_columns: list[str]
    trend: list[TrendRow]
    trend_note: str
    people: list[CompareTable]
    services: CompareTable
    outcomes: list[OutcomeRow]
    outcome_note: str
    contributed: list[str]
    checks: list[Check]
    findings: list[FindingGroup]
    stories: list
    stories_waiting: list[str]
    symbols: dict[str, str]
    rounding: str  # how published counts are rounded ("randomly rounded to a multiple of 3")


RENDER_NAMES = ("styles", "review", "for_print")  # added by documents.render
MEMBER_RENDER_NAMES = ("styles", "final", "for_print")  # added when a member's report is rendered (member_files.py)


def variables(context: TemplateContext) -> dict[str, Any]:
    """The context as the template's names (a shallow copy: charts keep their SVG bytes)."""
    return {f.name: getattr(context, f.name) for f in fields(context)}

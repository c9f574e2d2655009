"""The whole quarterly site: the pages of ``pages.py`` (the overview, each region, the regions not
shown), and — issue 27 — the breakdown pages (``breakdowns.py``), the downloads page
(``release_details.py``), and on every page what the footer says about the reviews the release
needs (``documents/governance.py``). ``publication.py`` calls ``site``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

from ..core.config import Config
from ..core.periods import Period
from ..disclosure.confidentiality import PublishedStore
from ..statistics.aggregate import NATIONAL
from .breakdowns import breakdown_pages
from .pages import Link, PageContext, ScopePageContext, pages
from .release_details import DownloadGroup, download_groups, latest_report, release_details

# the fields every page shares (pages.py's ``common``): taken from the overview
_COMMON = ("language", "version", "period_label", "site_name", "site_title", "accent", "ink", "logo_alt", "symbols",
           "synthetic", "css", "protection")


@dataclass(frozen=True, kw_only=True)
class DownloadsContext(PageContext):
    """Every file of the release, in ``dashboard/downloads/`` (issue 27)."""

    groups: list[DownloadGroup]


def site(store: PublishedStore, metrics, config: Config, period: Period, events: list, css: str,
         logo: str, *, judge=None) -> tuple[list[PageContext], dict[str, bytes]]:
    """Every page's context, and the files beside them (each chart's CSV); ``judge`` (figures/materiality)
    decides which differences the pages' sentences may call one."""
    out, files = pages(store, metrics, config, period, events, css, logo, judge=judge)
    overview = next(p for p in out if isinstance(p, ScopePageContext) and p.scope == NATIONAL)
    common = {f.name: getattr(overview, f.name) for f in fields(overview) if f.name in _COMMON}
    published = [link.href.removeprefix("regions/").removesuffix(".html") for link in overview.regions]

    def nav(root: str) -> list[Link]:  # the overview's links, from a page ``root`` away from dashboard/
        return [Link(root + link.href, link.label) for link in overview.nav]

    out += breakdown_pages(store, config, period, published, common, nav, logo, files)
    out.append(DownloadsContext(
        **common, name="dashboard/downloads", template="dashboard/downloads.html.j2", root="", logo=logo,
        title=f"Downloads: {period.label()}",
        description=f"{config.dashboard.title}: every file of the release, {period.label()}",
        nav=nav(""), coverage=store.coverage.get(NATIONAL, period).text(), sentences=[],
        release=release_details(config, period, ""),
        groups=download_groups(config, period, _tables(metrics, config), latest_report(config, period))))
    return governed(store, config, period, out), files


def _tables(metrics, config: Config) -> list[tuple[str, str]]:
    """(name, title) of every published table, as the documents link them."""
    from ..documents.documents import downloads

    return [(d.file.removeprefix("tables/").removesuffix(".csv"), d.label.removesuffix(" (CSV)"))
            for d in downloads(metrics, config, "") if d.file.endswith(".csv")]


def governed(store: PublishedStore, config: Config, period: Period, out: list[PageContext]) -> list[PageContext]:
    """Every page with what its footer says about the reviews the release needs."""
    from ..documents.governance import governance_sentences, review_status, texts_of

    said = governance_sentences(review_status(config, period, store, texts_of(pages=out)), what="these pages")
    return [replace(page, governance=said) for page in out]

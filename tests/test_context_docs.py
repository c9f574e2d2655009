"""The template context is documented: docs/templates.md names exactly the fields of each
context dataclass (and of the types inside them), both ways, and the templates use no name
the context does not give them."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from jinja2 import meta, nodes

from reportgen.core.config import load_config
from reportgen.dashboard_site import breakdowns, pages, release_details, site
from reportgen.documents import context
from reportgen.documents.render_html import environment
from reportgen.figures.methodology import Notes
from reportgen.narratives.render import ReviewItem

REPO = Path(__file__).resolve().parent.parent
DOC = (REPO / "docs" / "templates.md").read_text(encoding="utf-8")

TYPES = {cls.__name__: cls for cls in (context.DocumentContext, context.ReportContext, context.BriefContext,
                                       Notes, context.Part, context.KeyFigure, context.RegionRow,
                                       context.Download, context.StoryGroup, context.Review, context.Imprint,
                                       ReviewItem, pages.PageContext,
                                       pages.ScopePageContext, pages.NotPublishedContext, pages.Figure,
                                       pages.DashChart, pages.Link, context.MemberContext, context.MemberFigure,
                                       context.CompareRow, context.CompareTable, context.TrendRow, context.OutcomeRow,
                                       context.MemberRegion, context.Check, context.FindingGroup, context.FindingLine,
                                       breakdowns.BreakdownPageContext, site.DownloadsContext,
                                       release_details.ReleaseDetails, release_details.DownloadGroup,
                                       release_details.DownloadFile)}


def documented(name: str) -> set[str]:
    """The names in the first column of the table under the heading that names ``name``."""
    lines = DOC.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("#") and f"`{name}`" in line)
    names: set[str] = set()
    in_table = False
    for line in lines[start + 1:]:
        if line.startswith("#"):
            break
        if line.startswith("|"):
            in_table = True
            first = line.split("|")[1]
            names |= set(re.findall(r"`([a-z_]+)`", first))
        elif in_table:
            break
    return names


def own_names(cls) -> set[str]:
    base = set()
    for parent in cls.__mro__[1:]:
        if dataclasses.is_dataclass(parent):
            base |= {f.name for f in dataclasses.fields(parent)}
    props = {n for n, v in vars(cls).items() if isinstance(v, property)}
    return {f.name for f in dataclasses.fields(cls)} - base | props


@pytest.mark.parametrize("name", sorted(TYPES))
def test_docs_name_exactly_the_fields(name):
    expected = own_names(TYPES[name])
    if name in ("DocumentContext", "PageContext"):
        expected |= set(context.RENDER_NAMES)
    assert documented(name) == expected


@pytest.mark.parametrize("template,cls", [("report.html.j2", context.ReportContext),
                                          ("brief.html.j2", context.BriefContext),
                                          ("dashboard/overview.html.j2", pages.ScopePageContext),
                                          ("dashboard/region.html.j2", pages.ScopePageContext),
                                          ("dashboard/not-published.html.j2", pages.NotPublishedContext),
                                          ("dashboard/breakdowns.html.j2", breakdowns.BreakdownPageContext),
                                          ("dashboard/downloads.html.j2", site.DownloadsContext)])
def test_templates_use_only_names_the_context_gives(template, cls):
    env = environment(load_config(REPO / "config.yaml"))
    given = {f.name for f in dataclasses.fields(cls)} | set(context.RENDER_NAMES)
    used: set[str] = set()
    base = "dashboard/_page.html.j2" if template.startswith("dashboard/") else "_base.html.j2"
    for name in (template, base, "_review_banner.html.j2", "_review_changes.html.j2"):
        ast = env.parse(env.loader.get_source(env, name)[0])
        declared = {n if isinstance(n, str) else n[1] for imp in ast.find_all(nodes.FromImport) for n in imp.names}
        declared |= {t.name for a in ast.find_all(nodes.Assign) for t in [a.target, *a.target.find_all(nodes.Name)]
                     if isinstance(t, nodes.Name)}
        used |= meta.find_undeclared_variables(ast) - declared
    assert used <= given, sorted(used - given)

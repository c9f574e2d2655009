"""Narratives stage: editors' YAML → checked text with figures filled in.

    schema.py        what editors write (report, regional commentary, stories)
    load.py          read every file of a period; YAML, schema, codes, privacy, Markdown checks
    placeholders.py  ``{{ … }}`` in a guarded sandbox (see ``narratives/namespace.py`` for the names)
    markdown.py      CommonMark → safe HTML
    stories.py       story governance: published, withheld (drafts only) or withdrawn
    render.py        fill and render everything for a document
    scaffold.py      ``reportgen new story|region|report``

Every problem is a finding with file, line and column; see docs/editors-guide.md.
"""

from .load import LoadedRegion, LoadedStory, Narratives, load_narratives
from .markdown import markdown_to_html
from .render import Note, RenderedRegion, RenderedReport, RenderedStory, render_report
from .schema import RegionCommentary, ReportNarrative, Story
from .stories import select_stories

__all__ = ["LoadedRegion", "LoadedStory", "Narratives", "Note", "RegionCommentary", "RenderedRegion",
           "RenderedReport", "RenderedStory", "ReportNarrative", "Story", "load_narratives",
           "markdown_to_html", "render_report", "select_stories"]

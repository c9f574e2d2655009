"""The documents' contract with the review workflow: the `review` keyword reaches every
template, the banner partial comes first in <body> (after the skip link) of every
document, and the "changes" partial closes the national report only."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reportgen.charts import ChartCache, chart_cache_dir
from reportgen.core.config import load_config
from reportgen.core.periods import Period
from reportgen.documents.context import Review
from reportgen.documents.documents import render
from reportgen.publication import publication_for

from .conftest import copy_project

pytestmark = pytest.mark.slow  # builds projects, or runs many generated cases

PERIOD = Period.parse("2025H1")


def documents(root: Path, review: Review | None, *, final: bool = False):
    """Every document's HTML, gathered afresh in this process; the charts from the run's chart cache (content-
    keyed: that drawing is deterministic is proved by test_pdf_readback's build without any cache)."""
    config = load_config(root / "config.yaml")
    publication, run = publication_for(config, PERIOD, final=final, charts=ChartCache(chart_cache_dir(config)))
    assert publication is not None, [f.format() for f in run.findings if f.is_error]
    return [render(config, context, review) for context in publication.documents]


def test_review_partials_are_included_where_the_contract_says(tmp_path):
    root = copy_project(tmp_path / "project")
    (root / "templates" / "_review_banner.html.j2").write_text(
        '<div class="test-banner">{{ review.draft if review else "final" }}</div>\n', encoding="utf-8")
    (root / "templates" / "_review_changes.html.j2").write_text(
        '<section id="test-changes">changes since draft {{ review.draft - 1 }}</section>\n', encoding="utf-8")
    docs = documents(root, Review(draft=7))
    assert [d.name for d in docs][:2] == ["report", "briefs/NTL"] and len(docs) >= 5
    for doc in docs:
        body = doc.html[doc.html.index('<body class="'):]
        after = body[body.index(">") + 1:].lstrip("\n")
        # first thing in <body>: the skip link, then the banner
        assert after.startswith('<a class="skip-link" href="#main">Skip to content</a>\n'
                                '<div class="test-banner">7</div>'), (doc.name, after[:120])
        has_changes = '<section id="test-changes">changes since draft 6</section>' in doc.html
        assert has_changes == (doc.name == "report"), doc.name
    report = docs[0].html
    assert report.index('id="test-changes"') > report.index('id="appendix"')  # the last appendix
    assert report.index('id="test-changes"') < report.index("</main>")


def test_final_documents_carry_no_review_and_are_deterministic(tmp_path):
    root = copy_project(tmp_path / "project")
    # a final's narratives carry no review marks either (a draft's mark the sample's [[no check]] sentences)
    first = documents(root, None, final=True)
    again = documents(root, None, final=True)
    assert [(d.name, d.title, d.html) for d in first] == [(d.name, d.title, d.html) for d in again]
    for doc in first:
        # no review markup (a sentence may say "flagged for review": that is words, not a mark)
        assert "test-banner" not in doc.html and not re.search(r'(class|id)="review', doc.html), doc.name
    assert first[1].title == "Northland: regional brief"

"""Markdown safety, and a hostile narrative: findings, and nothing executes or leaks."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reportgen.build import build, check
from reportgen.core.config import load_config
from reportgen.core.periods import Period
from reportgen.narratives import markdown_to_html
from reportgen.narratives.markdown import problems

from .conftest import copy_project


def test_markdown_basics():
    html = markdown_to_html("Para *em* **strong**\n\n- a\n- b\n\n> quote\n\n[x](https://example.org) "
                            "[m](mailto:a@b.nz)")
    for tag in ("<em>em</em>", "<strong>strong</strong>", "<li>a</li>", "<blockquote>",
                '<a href="https://example.org" rel="noopener">x</a>', '<a href="mailto:a@b.nz" rel="noopener">m</a>'):
        assert tag in html


def test_markdown_drops_unsafe_links_raw_html_and_images():
    html = markdown_to_html('[x](javascript:alert(1)) [f](file:///etc/passwd) <b>bold</b> '
                            '![i](file:///etc/passwd) <img src="x" onerror="alert(1)">')
    assert 'href="javascript' not in html and 'href="file' not in html and "<img" not in html
    assert "&lt;b&gt;" in html and "&lt;img" in html


def test_problems_names_what_will_not_render():
    found = problems('Hi <script>x</script> [a](javascript:go) ![i](/etc/passwd) [ok](https://a.nz) a < b')
    assert [code for code, _, _ in found] == ["markdown.raw-html", "markdown.raw-html", "markdown.unsafe-link",
                                             "markdown.image"]
    assert [frag for _, _, frag in found] == ["<script>", "</script>", "javascript:go", "/etc/passwd"]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="<>/\"'=[]()!:*_ abcdefghijklmnopqrstuvwxyzjavascriptfileimgsrconerrorhttp", max_size=80))
def test_no_markup_beyond_the_allow_list_ever_comes_out(text):
    html = markdown_to_html(text)
    import re

    tags = set(re.findall(r"<\s*/?\s*([a-zA-Z0-9]+)", html))
    assert tags <= {"p", "em", "strong", "a", "ul", "ol", "li", "blockquote", "br", "code", "h3", "h4", "hr"}
    for href in re.findall(r'href="([^"]*)"', html):
        assert href.lower().startswith(("http://", "https://", "mailto:"))


HOSTILE = """\
title: "{{ ''.__class__.__mro__[1].__subclasses__() }}"
publisher: P
summary: |
  Welcome <script>alert(document.cookie)</script>
  <img src="file:///etc/passwd" alt="x">
  [click](javascript:alert(1)) and ![p](file:///etc/hostname)
  {{ clients.__init__.__globals__ }}
  {% for x in range(10**9) %}{{ x }}{% endfor %}
  {{ 'A' * 10**10 }}
  Call Mere on 021 555 0123 or write to mere@example.com; NHI ZAC5361, IRD 49-091-850,
  she lives at 14 Rātā Street.
"""


@pytest.mark.slow
def test_a_hostile_narrative_produces_findings_and_nothing_is_written(tmp_path):
    root = copy_project(tmp_path / "project")
    (root / "narratives" / "2025H1" / "report.yaml").write_text(HOSTILE, encoding="utf-8")
    config = load_config(root / "config.yaml")
    result = build(config, Period.parse("2025H1"))
    assert not result.ok and not (root / "output").exists()
    got = sorted({(f.code, f.line) for f in result.findings if f.file == "narratives/2025H1/report.yaml"})
    assert got == [
        ("markdown.image", 6), ("markdown.raw-html", 4), ("markdown.raw-html", 5), ("markdown.unsafe-link", 6),
        # the placeholders are checked in the same run (all problems at once)
        ("placeholder.not-allowed", 1), ("placeholder.not-allowed", 8), ("placeholder.not-allowed", 9),
        ("placeholder.unknown", 8), ("placeholder.unsafe", 7),
        ("privacy.address", 11), ("privacy.email", 10), ("privacy.ird", 10), ("privacy.nhi", 10),
        ("privacy.phone", 10),
        # and the sentence states numbers no placeholder gives (the phone number is the first)
        ("statement.typed-number", 10),
    ]
    # check goes on to the placeholders, so the editor sees every problem in one run
    report = check(config, Period.parse("2025H1"))
    codes = {(f.code, f.line) for f in report.findings if f.file == "narratives/2025H1/report.yaml"}
    assert {("placeholder.not-allowed", 1), ("placeholder.unsafe", 7), ("placeholder.not-allowed", 8),
            ("placeholder.not-allowed", 9)} <= codes  # text repetition is refused (issue 19)

"""Every problem in a narrative file is reported in one run, placeholders included."""

from reportgen.build import check
from reportgen.core.config import load_config
from reportgen.core.periods import Period

STORY = """\
title: Safe title
voice: client
region: AKL
themes: [housing]
pull_quote: Call me on 021 555 0123
body: |
  <b>Fine</b> text and {{ cleints }}.
consent:
  status: given
  date: 2025-03-01
  reference: C-1
names_changed: true
approved: true
"""


def test_privacy_html_and_placeholder_problems_come_together(project):
    (project / "narratives" / "2025H1" / "stories" / "mixed.yaml").write_text(STORY, encoding="utf-8")
    result = check(load_config(project / "config.yaml"), Period.parse("2025H1"))
    mine = sorted((f.code, f.line, f.column) for f in result.findings
                  if f.file == "narratives/2025H1/stories/mixed.yaml")
    assert mine == [("markdown.raw-html", 7, 3), ("markdown.raw-html", 7, 10),
                    ("placeholder.unknown", 7, 24), ("privacy.phone", 5, 24)]

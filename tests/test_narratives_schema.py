"""Narrative files: YAML in plain words, the schema, catalogue codes — every problem at once."""

from __future__ import annotations

import pytest

from reportgen.narratives import load_narratives

from .narratives_support import STORY, run, sample, write

R = "narratives/2025H1/report.yaml"


def load(tmp_path, files, report=None):
    folder = write(tmp_path, files, report=report)
    return load_narratives(folder, tmp_path, config=sample()[0])


@pytest.mark.parametrize("text,line,column,message,hint", [
    # an unquoted colon inside text
    ("title: Housing: up again\npublisher: P\nsummary: S\n", 1, 15,
     "a colon followed by a space appears inside unquoted text", "double quotes"),
    # … in a list item that runs over two lines (YAML gives up two lines later)
    ("title: T\npublisher: P\nsummary: S\nfindings:\n  - Housing is climbing: it now touches\n    many.\n"
     "  - Food\n", 5, 24,
     "line 5 has a colon followed by a space inside unquoted text, so YAML reads the words before the colon "
     "as a field name", "double quotes"),
    # a tab used for indentation
    ("title: T\npublisher: P\nsummary: S\nsections:\n\tneeds: x\n", 5, 1,
     "a tab character is used for indentation", "spaces only"),
    # a quotation mark never closed: point where it opens
    ('title: "Who we support\npublisher: P\nsummary: S\n', 1, 8,
     "a quotation mark is opened but never closed", "close the quote"),
    # a quote inside quotes ends the text early
    ('title: "Who we "support" you"\npublisher: P\nsummary: S\n', 1, 17,
     "a quoted text ends early", '\\"'),
    # a line indented more than the one above
    ("title: T\n  publisher: P\nsummary: S\n", 2, 12,
     "this line is indented more than the line above it", "line this key up"),
    # a line indented less than its block
    ("title: T\npublisher: P\nsummary: |\n    Some text\n  badly indented\n", 5, 3,
     "the indentation of this line does not match the lines above it", "line the key up"),
    # text starting with a placeholder must be quoted
    ("title: T\npublisher: P\nsummary: {{ clients }} people\n", 3, 10,
     "text that starts with a placeholder ({{ … }}) must be in quotes", "double quotes"),
    # text starting with * reads as a reference
    ("title: *important* news\npublisher: P\nsummary: S\n", 1, 18,
     "text starts with '*' or '&', which YAML reads as a reference", 'double quotes ("*…")'),
    # a second document
    ("title: T\n---\npublisher: P\n", 2, 1, "more than one YAML document", "remove the extra '---'"),
])
def test_yaml_syntax_errors_in_plain_words_with_the_line(tmp_path, text, line, column, message, hint):
    narr = load(tmp_path, {"report.yaml": text})
    assert [f.code for f in narr.findings] == ["yaml.syntax"], [f.format() for f in narr.findings]
    f = narr.findings[0]
    assert message in f.message and hint in f.hint
    assert (f.file, f.line, f.column) == (R, line, column), f.format()
    assert f.excerpt == text.splitlines()[line - 1]


def test_every_schema_problem_in_every_file_at_once(tmp_path):
    narr = load(tmp_path, {
        "report.yaml": "title: T\nsumary: S\npublication_date: 2025-13-01\nsections:\n  need: x\n",
        "regions/AKL.yaml": "intro: Hi\nkey_point: [a]\n",
        "stories/a.yaml": STORY.replace("region: AKL", "region: AKK").replace("voice: client", "voice: whanau")
                                .replace("status: given", "stauts: given"),
    })
    got = sorted((f.file.rsplit("/", 1)[-1], f.line, f.code, f.hint) for f in narr.findings)
    assert got == [
        ("AKL.yaml", 2, "narrative.unknown-key", "did you mean 'key_points'?"),
        ("a.yaml", 2, "story.unknown-voice", "did you mean 'whānau'?"),
        ("a.yaml", 3, "narrative.unknown-region", "did you mean 'AKL'?"),
        ("a.yaml", 7, "narrative.missing-key", "add 'status:'; see docs/editors-guide.md for every field"),
        ("a.yaml", 8, "narrative.unknown-key", "did you mean 'status'?"),
        ("report.yaml", 1, "narrative.missing-key", "add 'publisher:'; see docs/editors-guide.md for every field"),
        ("report.yaml", 1, "narrative.missing-key", "add 'summary:'; see docs/editors-guide.md for every field"),
        ("report.yaml", 2, "narrative.unknown-key", "did you mean 'summary'?"),
        ("report.yaml", 3, "narrative.invalid-value", "see docs/editors-guide.md for every field"),
        ("report.yaml", 5, "narrative.unknown-key", "did you mean 'needs'?"),
    ]
    assert narr.report is None and narr.stories[0].story is None and narr.regions["AKL"].commentary is None


@pytest.mark.parametrize("value", ["20250915", "15/09/2025", "2025-02-30", "next week", "true"])
def test_dates_must_be_written_as_dates(tmp_path, value):
    narr = load(tmp_path, {"report.yaml": f"title: T\npublisher: P\nsummary: S\npublication_date: {value}\n"})
    f = narr.findings[0]
    assert [x.code for x in narr.findings] == ["narrative.invalid-value"]
    assert (f.line, f.column) == (4, 19) and "publication_date" in f.message


def test_consent_given_needs_its_date_and_reference(tmp_path):
    text = STORY.replace("  date: 2025-05-01\n", "").replace("  reference: C-1\n", "")
    narr = load(tmp_path, {"stories/a.yaml": text}, report="title: T\npublisher: P\nsummary: S\n")
    f = narr.findings[0]
    assert [x.code for x in narr.findings] == ["narrative.invalid-value"]
    assert "consent given needs its date and reference" in f.message and (f.line, f.column) == (8, 3)


def test_text_fields_must_be_text(tmp_path):
    narr = load(tmp_path, {"report.yaml": "title: yes\npublisher: 2025\nsummary: S\n"})
    got = [(f.code, f.line, f.message) for f in narr.findings]
    assert got == [("narrative.invalid-value", 1, "title: expected text (found True)"),
                   ("narrative.invalid-value", 2, "publisher: expected text (found 2025)")]


def test_region_file_named_after_an_unknown_code(tmp_path):
    narr = load(tmp_path, {"regions/akk.yaml": "intro: Hi\n"}, report="title: T\npublisher: P\nsummary: S\n")
    f = narr.findings[0]
    assert (f.code, f.file, f.hint) == ("narrative.unknown-region", "narratives/2025H1/regions/akk.yaml",
                                        "did you mean 'AKL.yaml'?")
    assert narr.regions == {}


def test_region_file_names_are_case_insensitive(tmp_path):
    narr = load(tmp_path, {"regions/can.yaml": "intro: Hi\n"}, report="title: T\npublisher: P\nsummary: S\n")
    assert narr.findings == [] and list(narr.regions) == ["CAN"]


def test_sample_narratives_load_and_render_without_problems(tmp_path):
    from .conftest import REPO

    config = sample()[0]
    narr = load_narratives(REPO / "narratives" / "2025H1", REPO, config=config)
    assert narr.findings == []
    assert len(narr.stories) >= 5 and set(narr.regions) == {"AKL", "CAN"}
    stories = [s.story for s in narr.stories]
    assert len({s.voice for s in stories}) >= 4 and len({s.region for s in stories}) >= 4
    assert [s.consent.status for s in stories].count("pending") == 1
    assert sum(any(c in s.body + s.title for c in "āēīōūĀĒĪŌŪ") for s in stories) >= 4  # te reo with macrons
    r = narr.report
    assert r.publication_date and r.contact and len(r.recommendations) >= 3
    assert all(getattr(r.sections, k) for k in ("demographics", "needs", "services", "outcomes", "regions",
                                                "stories", "policy")) and r.methodology


def test_run_helper_reports_nothing_for_a_minimal_report(tmp_path):
    rendered, findings = run(tmp_path, {})
    assert findings == [] and rendered.summary_html == "<p>Hello.</p>\n"


def test_a_misnamed_report_file_is_pointed_out(tmp_path):
    narr = load(tmp_path, {"report.yml": "title: T\n", "stories/notes.docx": "x", "regions/AKL.yml": "intro: Hi\n"})
    got = [(f.code, f.severity, f.file, f.hint) for f in narr.findings]
    assert got == [
        ("narrative.no-report", "error", "narratives/2025H1/report.yaml",
         "create it with: reportgen new report --period 2025H1"),
        ("narrative.unknown-file", "warning", "narratives/2025H1/report.yml", "did you mean 'report.yaml'?"),
        ("narrative.unknown-file", "warning", "narratives/2025H1/stories/notes.docx",
         "reportgen reads report.yaml, regions/<CODE>.yaml and stories/<name>.yaml only"),
    ]
    assert list(narr.regions) == ["AKL"]  # .yml is read too

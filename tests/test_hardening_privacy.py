"""Issue 19: the personal-information scan reads what is published — placeholders filled, Markdown
rendered, NFC, look-alike characters folded — as well as the source, so nothing published escapes it."""

from __future__ import annotations

import unicodedata

import pytest

from reportgen.core.config import PrivacySettings
from reportgen.narratives import load_narratives, render_report

from .narratives_support import MINIMAL_REPORT, STORY, names, sample, write


def _run(tmp_path, files, *, private=(), report=MINIMAL_REPORT):
    config = sample()[0].model_copy(update={"privacy": PrivacySettings(names=list(private))})
    folder = write(tmp_path, files, report=report)
    narr = load_narratives(folder, tmp_path, config=config)
    rendered, problems = render_report(narr, names(), config=config)
    return rendered, narr.findings + problems


def _report(summary: str) -> str:
    return f"title: T\npublisher: P\nsummary: {summary}\n"


@pytest.mark.parametrize("summary, code, shown", [
    ("'Write to {{ \"aroha.ngata\" ~ \"@\" ~ \"example.org.nz\" }} today'", "privacy.email",
     "aroha.ngata@example.org.nz"),
    ("'Call {{ \"021 123\" ~ \" 4567\" }} now'", "privacy.phone", "021 123 4567"),
    ("'Write to aroha.ngata\\@example.org.nz'", "privacy.email", "aroha.ngata@example.org.nz"),  # Markdown escape
    ("'[write](mailto:{{ \"aroha\" ~ \"@\" ~ \"example.org.nz\" }})'", "privacy.email", "aroha@example.org.nz"),
    ("'Call **021** 123 4567'", "privacy.phone", "021 123 4567"),
])
def test_what_only_appears_once_rendered_is_found(tmp_path, summary, code, shown):
    rendered, findings = _run(tmp_path, {"report.yaml": _report(summary)}, report=None)
    hits = [f for f in findings if f.code == code]
    assert hits, [f.format() for f in findings]
    [f] = hits
    assert f.file == "narratives/2025H1/report.yaml" and f.line == 3 and f.hint
    assert shown in f.message and ("placeholder" in f.message or "Markdown" in f.message)


def test_written_out_text_is_reported_once_where_it_is_written(tmp_path):
    _, findings = _run(tmp_path, {"report.yaml": _report("'Write to aroha@example.org.nz, {{ clients }} people'")},
                       report=None)
    [f] = [f for f in findings if f.code == "privacy.email"]
    assert (f.line, f.column) == (3, 20) and "placeholder" not in f.message


@pytest.mark.parametrize("written", ["Tu\\u0304hoe Ngata", "TU\\u0304HOE NGATA", "Tūhoe\\u00a0Ngata",
                                     "Tu\\u200bhoe Ngata", "Ｔūｈｏｅ Ngata"])
def test_a_listed_name_is_found_however_it_is_encoded(tmp_path, written):
    _, findings = _run(tmp_path, {"report.yaml": _report(f'"Thanks to {written}."')}, private=["Tūhoe Ngata"],
                       report=None)
    [f] = [f for f in findings if f.code == "privacy.name"]
    assert f.line == 3


def test_a_name_with_a_non_breaking_hyphen_is_found(tmp_path):
    _, findings = _run(tmp_path, {"report.yaml": _report('"Thanks to Mere Te\\u2011Awa."')}, private=["Mere Te-Awa"],
                       report=None)
    assert [f.line for f in findings if f.code == "privacy.name"] == [3]


def test_a_name_made_by_a_placeholder_is_found(tmp_path):
    _, findings = _run(tmp_path, {"report.yaml": _report("'Thanks to {{ \"Mere\" ~ \" Te-Awa\" }}.'")},
                       private=["Mere Te-Awa"], report=None)
    [f] = [f for f in findings if f.code == "privacy.name"]
    assert "placeholder" in f.message and f.line == 3


def test_published_text_is_nfc(tmp_path):
    rendered, findings = _run(tmp_path, {"report.yaml": _report('"Kia ora Tu\\u0304hoe"')}, report=None)
    assert "Tūhoe" in rendered.summary_html and unicodedata.is_normalized("NFC", rendered.summary_html)


def test_fullwidth_digits_in_a_phone_number_are_found_in_the_source(tmp_path):
    _, findings = _run(tmp_path, {"report.yaml": _report("'Call ０２１ １２３ ４５６７'")}, report=None)
    [f] = [f for f in findings if f.code == "privacy.phone"]
    assert f.line == 3 and "０２１" in f.message


def test_story_title_and_pull_quote_findings_point_at_their_own_lines(tmp_path):
    story = (STORY.replace("title: A story", "title: 'A story {{ nosuch_title }}'")
             .replace("pull_quote: A quote.", "pull_quote: 'A quote {{ nosuch_quote }}'")
             .replace("body: The story.", "body: 'The story {{ nosuch_body }}'"))
    _, findings = _run(tmp_path, {"stories/s.yaml": story})
    lines = {f.message.split("'")[1]: f.line for f in findings if f.code == "placeholder.unknown"}
    assert lines == {"nosuch_title": 1, "nosuch_quote": 5, "nosuch_body": 6}, [f.format() for f in findings]


def test_a_finding_in_an_escaped_title_stays_on_the_title(tmp_path):
    story = (STORY.replace("title: A story", 'title: "A story \\x7b{ nosuch_title }}"')
             .replace("body: The story.", "body: 'The story {{ nosuch_body }}'"))
    _, findings = _run(tmp_path, {"stories/s.yaml": story})
    lines = {f.message.split("'")[1]: f.line for f in findings if f.code == "placeholder.unknown"}
    assert lines == {"nosuch_title": 1, "nosuch_body": 6}, [f.format() for f in findings]

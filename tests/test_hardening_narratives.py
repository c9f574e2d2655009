"""Issue 25, narratives: what YAML escapes can put in a text, consent dates, strict booleans, and five ways of
slipping personal information past the scan (with a variant of each)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportgen.core.config import load_config
from reportgen.narratives import load_narratives
from reportgen.narratives.privacy import nhi_valid, scan

from .conftest import REPO
from .narratives_support import MINIMAL_REPORT, STORY

CONFIG = load_config(REPO / "config.yaml")  # privacy.names lists Aroha Tipene-Walker and Sione Fifita
NAMES = list(CONFIG.privacy.names)


def load(tmp_path: Path, story: str | None = None, report: str = MINIMAL_REPORT):
    folder = tmp_path / "narratives" / "2025H1"
    (folder / "stories").mkdir(parents=True, exist_ok=True)
    (folder / "report.yaml").write_text(report, encoding="utf-8")
    if story is not None:
        (folder / "stories" / "s.yaml").write_text(story, encoding="utf-8")
    return load_narratives(folder, tmp_path, config=CONFIG)


def located(narr, code: str) -> list[tuple[int | None, int | None]]:
    return [(f.line, f.column) for f in narr.findings if f.code == code]


# ---- control characters and lone surrogates written as escapes -----------------------------------------

@pytest.mark.parametrize("escape, what", [
    ("\\0", "a NUL character (U+0000)"),  # the three
    ("\\x1b", "an ESC character (U+001B)"),
    ("\\uD800", "a lone surrogate (U+D800"),
    ("\\e", "an ESC character (U+001B)"),  # variants: YAML's own short escapes, a carriage return, a C1 NEL
    ("\\r", "a control character (U+000D)"),
    ("\\N", "a control character (U+0085)"),
    ("\\uD83D\\uDE00", "a lone surrogate (U+D83D"),  # a pair written as two escapes: two halves, not an emoji
])
def test_an_escape_that_makes_a_control_character_is_a_located_error(tmp_path, escape, what):
    """The issue: "\\0", "\\x1b" and "\\uD800" written as YAML escapes passed check."""
    narr = load(tmp_path, report=f'title: "Kai {escape} for all"\npublisher: Federation\nsummary: Hello.\n')
    [f] = [f for f in narr.findings if f.code == "yaml.control-character"][:1]
    assert (f.file, f.line, f.column) == ("narratives/2025H1/report.yaml", 1, 13)
    assert what in f.message and "written as an escape" in f.message
    assert narr.report is None  # not rendered: nothing of it can reach a page


def test_an_escape_in_a_key_is_found_too(tmp_path):
    narr = load(tmp_path, report='title: T\npublisher: P\nsummary: S\n"sec\\x07tions": {}\n')
    assert located(narr, "yaml.control-character") == [(4, 5)]


def test_tabs_and_line_breaks_written_as_escapes_are_text(tmp_path):
    narr = load(tmp_path, report='title: "Kai\\tfor\\nall"\npublisher: Federation\nsummary: Hello.\n')
    assert not narr.findings and narr.report is not None


# ---- consent dates and booleans ---------------------------------------------------------------------------

@pytest.mark.parametrize("given, error", [
    ("2030-01-01", True),  # the issue's
    ('"2030-01-01"', True),  # variants: written as text; the day after the build; the day of the build
    ("2025-07-02", True),
    ("2025-07-01", False),
])
def test_a_consent_dated_after_the_build_is_an_error(tmp_path, monkeypatch, given, error):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1751328000")  # 2025-07-01
    narr = load(tmp_path, STORY.replace("date: 2025-05-01", f"date: {given}"))
    found = [f for f in narr.findings if f.code == "story.consent-date"]
    assert bool(found) == error, [f.format() for f in narr.findings]
    if error:
        assert (found[0].line, found[0].column, found[0].severity) == (9, 9, "error")
        assert "after today (2025-07-01)" in found[0].message
        assert narr.stories[0].story is None


@pytest.mark.parametrize("field, value", [("approved", '"true"'), ("approved", "'yes'"),  # the issue's, and variants
                                          ("names_changed", "1"), ("names_changed", '"false"')])
def test_a_boolean_written_as_text_or_a_number_is_an_error(tmp_path, field, value):
    narr = load(tmp_path, STORY.replace(f"{field}: true", f"{field}: {value}"))
    [f] = [f for f in narr.findings if f.code == "narrative.invalid-value"]
    assert f.message.startswith(f"{field}: expected true or false, without quotes")
    assert f.line == STORY.splitlines().index(f"{field}: true") + 1
    assert narr.stories[0].story is None


def test_true_and_false_as_yaml_writes_them_are_accepted(tmp_path):
    narr = load(tmp_path, STORY.replace("approved: true", "approved: yes"))  # YAML 1.1 reads an unquoted yes as true
    assert not narr.findings and narr.stories[0].story.approved is True


# ---- personal information that tried to hide ----------------------------------------------------------

def _valid_new_nhi() -> str:
    from reportgen.narratives.privacy import _NHI_LETTERS

    for a in _NHI_LETTERS:
        for b in _NHI_LETTERS:
            if nhi_valid(f"ZAC12{a}{b}"):
                return f"ZAC 12 {a}{b}"
    raise AssertionError("no valid new-format NHI")


EVASIONS = [
    # (kind, text, the part reported)
    ("nhi", "Her NHI is URD 9869, she said.", "URD 9869"),  # the five …
    ("name", "Tipene-Walker, Aroha came to the food bank.", "Tipene-Walker, Aroha"),
    ("name", "\u0410roha Tipene-Walker came in.", "\u0410roha Tipene-Walker"),
    ("phone", "Call oh two one, five five five, one two three four.", "oh two one, five five five, one two three four"),
    ("email", "Write to aroha (at) example (dot) nz today.", "aroha (at) example (dot) nz"),
    ("nhi", "Her number is URD-9869.", "URD-9869"),  # … and a variant of each
    ("nhi", f"New format, {_valid_new_nhi()}.", _valid_new_nhi()),
    ("name", "TIPENE WALKER AROHA signed up.", "TIPENE WALKER AROHA"),
    ("name", "Sione F\u03b9fita came too.", "Sione F\u03b9fita"),  # a Greek iota
    ("phone", "Waea mai, kore rua tahi, rima rima rima, tahi rua toru whā.",
     "kore rua tahi, rima rima rima, tahi rua toru whā"),  # te reo Māori
    ("phone", "Ring oh two one double five five one two three four.", "oh two one double five five one two three four"),
    ("phone", "Ring 021 five five five 1234.", "021 five five five 1234"),
    ("email", "aroha[at]example[dot]co[dot]nz", "aroha[at]example[dot]co[dot]nz"),
    ("email", "Email aroha at example dot co dot nz please.", "aroha at example dot co dot nz"),
    ("email", "Email aroha @ example.nz please.", "aroha @ example.nz"),
]


@pytest.mark.parametrize("kind, text, part", EVASIONS)
def test_evasions_are_caught_and_located(tmp_path, kind, text, part):
    hits = scan(text, names=NAMES)
    assert [(h.kind, h.text) for h in hits] == [(kind, part)]
    narr = load(tmp_path, STORY.replace("body: The story.", f"body: {text}"))
    [f] = [f for f in narr.findings if f.code == f"privacy.{kind}"]
    assert (f.line, f.column) == (6, 7 + text.index(part)), f.format()


@pytest.mark.parametrize("text", [
    "MSD 2024 and HKB 2025: an agency and a region, each with a year.",
    "Between 2021 and 2024 the need grew.",
    "One, two, three volunteers came at the end.",
    "We meet at the hall; the dot on the map is Ōtautahi.",
    "Aroha and her whānau came; the Walker family helped.",
    "Call 0800 555 014 for help.",  # the publisher's own number, allowed in config.yaml
])
def test_ordinary_text_is_not_taken_for_personal_information(text):
    assert scan(text, names=NAMES, allow=list(CONFIG.privacy.allow)) == []


def test_text_quoted_in_a_message_is_escaped(tmp_path):
    """A narrative value quoted in a finding (an unknown region holding a right-to-left override) is printed
    escaped, like every text from an input."""
    narr = load(tmp_path, STORY.replace("region: AKL", "region: AK\u202eL"))
    [f] = [f for f in narr.findings if f.code == "narrative.unknown-region"]
    assert "unknown region code 'AK\\u202eL'" in f.message and "\u202e" not in f.format()


def test_scanning_a_long_text_stays_fast():
    """The new patterns are linear: a 100,000-character value (the YAML limit) of one repeated word scans in
    well under a second."""
    import time

    for text in ("a" * 50_000 + " at " + "b" * 49_996, "(" * 100_000, " " * 99_999 + "x", "oh " * 33_000):
        start = time.perf_counter()
        scan(text, names=NAMES)
        assert time.perf_counter() - start < 1.0




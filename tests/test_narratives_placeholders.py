"""Placeholders: the documented namespace, published values only, and a sandbox that holds."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import reportgen.narratives.namespace as figures
from reportgen.disclosure.published import SYMBOLS
from reportgen.narratives.namespace import SYMBOL_CLOSE, SYMBOL_OPEN
from reportgen.narratives.placeholders import MAX_TEXT, fill

from .conftest import REPO
from .narratives_support import H1, names, only, run, sample

GUIDE = REPO / "docs" / "editors-guide.md"


def _norm(p: str) -> str:
    return re.sub(r"\s+", " ", p.replace("\\|", "|")).strip()


def documented_in_figures() -> set[str]:
    return {_norm(m) for m in re.findall(r"^\s+(\{\{.*?\}\})", figures.__doc__ or "", re.M)}


def documented_in_guide() -> set[str]:
    text = GUIDE.read_text(encoding="utf-8")
    table = text.split("## Placeholders", 1)[1].split("\n## ", 1)[0]
    return {_norm(m) for m in re.findall(r"^\| `(\{\{.*?\}\})` \|", table, re.M)}


def test_figures_docstring_and_editors_guide_list_the_same_placeholders():
    in_code, in_guide = documented_in_figures(), documented_in_guide()
    assert len(in_code) >= 15
    assert in_code == in_guide


@pytest.mark.parametrize("placeholder", sorted(documented_in_figures()))
def test_every_documented_placeholder_works_on_the_sample(placeholder):
    out, problems = fill(placeholder, names())
    assert problems == [] and out and "{{" not in out


def shown(p) -> str:
    """A published value as a placeholder gives it: with its flag P wrapped for a footnote."""
    return p.display() + (f"\u00a0{SYMBOL_OPEN}{p.flag}{SYMBOL_CLOSE}" if p.flag else "")


def test_placeholders_give_the_published_values():
    config, agg, store = sample()
    ns = names()
    assert store.get("clients", period=H1).flag == "P"  # a member missed 2025Q2 in the sample
    cases = {
        "{{ clients }}": shown(store.get("clients", period=H1)),
        "{{ clients.previous }}": shown(store.get("clients", period=H1.previous())),
        "{{ clients.year_ago }}": shown(store.get("clients", period=H1.year_earlier())),
        "{{ clients.need.housing }}": shown(store.get("clients", "need", "housing", period=H1)),
        "{{ clients.need.housing.share }}": shown(store.share("clients", "need", "housing", period=H1)),
        "{{ region.AKL.clients }}": shown(store.get("clients", scope="AKL", period=H1)),
        "{{ members_in_both }}": str(store.panel("NZ", H1, H1.year_earlier())),
        "{{ members_reporting }}": "43 of 43",  # the member that sent one quarter of two reported, in part
        "{{ region.AKL.members_reporting }}": str(len(agg.coverage.get("AKL", H1).reported)),
        "{{ period }}": "January–June 2025",
        "{{ region.akl.name }}": "Auckland",
    }
    for placeholder, expected in cases.items():
        assert fill(placeholder, ns) == (expected, []), placeholder
    # .change is like for like (no flag: the panel is the members that reported in both);
    # .change_all is over every member's figures and carries the flag
    same = store.like_for_like("clients", period=H1, base=H1.year_earlier())
    assert same.is_number and not same.flag
    words = fill("{{ clients.change }}", ns)[0]
    assert words == ("unchanged" if round(same.value) == 0 else
                     f"{'up' if same.value > 0 else 'down'} {abs(same.value):.0f}\u00a0%")
    assert fill("{{ clients.change_pct }}", ns)[0] == f"{same.value:+.0f}\u00a0%"
    every = store.change("clients", period=H1, base=H1.year_earlier())
    assert every.flag == "P"
    assert fill("{{ clients.change_all_pct }}", ns)[0] == f"{every.value:+.0f}\u00a0%\u00a0{SYMBOL_OPEN}P{SYMBOL_CLOSE}"


def test_a_regional_namespace_gives_the_regions_figures():
    _, agg, store = sample()
    out, problems = fill("{{ clients }} / {{ members_reporting }}", names("CAN"))
    assert problems == []
    assert out == f"{store.get('clients', scope='CAN', period=H1).display()} / {len(agg.coverage.get('CAN', H1).reported)}"


def test_number_and_percent_filters():
    ns = names()
    assert fill("{{ 1234567 | number }} {{ 1234.5 | number(1) }} {{ 12.5 | percent }}", ns) == \
        ("1,234,567 1,234.5 12\u00a0%", [])
    out, problems = fill("{{ 'abc' | number }}", ns)
    assert out == "abc" and problems == []


def test_words_for_change():
    notes = figures.SymbolNotes()
    assert figures._words(figures.Published(12.4, "", "percent"), notes) == "up 12\u00a0%"
    assert figures._words(figures.Published(-3.0, "", "percent"), notes) == "down 3\u00a0%"
    assert figures._words(figures.Published(0.3, "", "percent"), notes) == "unchanged"
    assert figures._words(figures.Published(None, "S", "percent"), notes) == f"{SYMBOL_OPEN}S{SYMBOL_CLOSE}"
    assert notes.used == {"S": SYMBOLS["S"]}


def test_suppressed_value_renders_as_symbol_with_footnote(tmp_path):
    _, _, store = sample()
    assert store.get("clients", scope="WTC", period=H1).symbol == "C"  # few members on the West Coast
    rendered, findings = run(tmp_path, {"report.yaml": (
        "title: West Coast {{ region.WTC.clients }}\npublisher: P\n"
        "summary: On the Coast {{ region.WTC.clients }} people; nationally {{ clients.previous }}.\n")})
    assert findings == []
    assert rendered.title == "West Coast C"
    assert ('<span class="symbol">C</span><sup class="note-ref"><a href="#narrative-note-1">1</a></sup>'
            in rendered.summary_html)
    assert [(n.number, n.symbol, n.anchor) for n in rendered.notes] == [(1, "C", "narrative-note-1")]
    assert "confidential" in rendered.notes[0].meaning


def test_editors_cannot_forge_the_symbol_markers(tmp_path):
    rendered, findings = run(tmp_path, {"report.yaml": (
        f"title: T\npublisher: P\nsummary: fake {SYMBOL_OPEN}S{SYMBOL_CLOSE} here\n")})
    assert findings == [] and rendered.notes == []
    assert rendered.summary_html == "<p>fake S here</p>\n"


@pytest.mark.parametrize("text,code,fragment", [
    ("{{ cleints }}", "placeholder.unknown", "did you mean 'clients'"),
    ("{{ clients.need.hosuing }}", "placeholder.unknown", "'clients.need' has no 'hosuing' — did you mean 'housing'?"),
    ("{{ clients.nede.food }}", "placeholder.unknown", "'clients' has no 'nede' — did you mean 'need'?"),
    ("{{ region.AKK.clients }}", "placeholder.unknown", "unknown region 'AKK' in a placeholder — did you mean 'AKL'?"),
    ("{{ clients.need }}", "placeholder.unknown", "'clients.need' needs a category, e.g. clients.need.food"),
    ("{{ outcome_improved }}", "placeholder.unknown", "'outcome_improved' has no total"),
    ("{{ clients | nmber }}", "placeholder.unknown", "unknown filter 'nmber' in a placeholder — did you mean 'number'?"),
    ("{{ clients.__class__ }}", "placeholder.unsafe", "'__class__' is internal"),
    ("{{ ''.__class__.__mro__ }}", "placeholder.unsafe", "is internal"),
    ("{{ clients._c.store }}", "placeholder.unsafe", "'_c' is internal"),
    ("{{ clients['_c'] }}", "placeholder.unsafe", "not allowed"),
    ("{{ self }}", "placeholder.unknown", "unknown name 'self'"),
    ("{{ clients.need.housing.share.upper }}", "placeholder.unknown", "'upper' cannot follow a piece of text"),
    ("{{ period['format'] }}", "placeholder.unknown", "'format' cannot follow a piece of text"),
    ("{{ loop }}", "placeholder.unknown", "unknown name 'loop'"),
    ("{{ 'x'.ljust(10**9) }}", "placeholder.not-allowed", "functions and methods cannot be called"),
    ("{{ lipsum() }}", "placeholder.not-allowed", "functions and methods cannot be called"),
    ("{{ range(10) }}", "placeholder.not-allowed", "functions and methods cannot be called"),
    ("{{ [1, 2] * 3 }}", "placeholder.not-allowed", "lists and tables cannot be written"),
    ("{% set x = 1 %}", "placeholder.not-allowed", "blocks such as {% for %}"),
    ("{# note #}", "placeholder.not-allowed", "comments"),
    ("{{ '%999999999d' % 1 }}", "placeholder.not-allowed", "'%' text formatting is not available"),
    ("{{ 'x' * 10**9 }}", "placeholder.not-allowed", "text cannot be multiplied"),
    ("{{ 10**9 * 'x' }}", "placeholder.not-allowed", "text cannot be multiplied"),
    ("{{ 7 * '7' }}", "placeholder.not-allowed", "text cannot be multiplied"),  # issue 19: published 7777777
    ("{{ 2 ** 100000 }}", "placeholder.too-big", "larger than any figure"),
    ("{{ 9**9**9 }}", "placeholder.too-big", "larger than any figure"),  # issue 19: published 78 digits
    ("{{ 10**15 + 1 }}", "placeholder.too-big", "beyond ±1,000,000,000,000,000"),
    ("{{ 99999999999999999999 }}", "placeholder.too-big", "beyond ±"),
    ("{{ 99 ** 99 ** 99 }}", "placeholder.too-big", "larger than any figure"),
    ("{{ ('" + "x" * 6000 + "') ~ ('" + "y" * 6000 + "') }}", "placeholder.too-big", "characters"),
    ("{{ ('" + "x" * 6000 + "') + ('" + "y" * 6000 + "') }}", "placeholder.too-big", "longer than"),
    ("{{ clients / 2 }}", "placeholder.error", "not a number"),
    ("{{ 1 // 0 }}", "placeholder.error", "divides by zero"),
    ("{{ clients ", "placeholder.syntax", "opened with {{ but not closed"),
    ("{{ clients + }}", "placeholder.syntax", "not written correctly"),
])
def test_bad_placeholders_are_findings_at_the_placeholder(tmp_path, text, code, fragment):
    rendered, findings = run(tmp_path, {"report.yaml": f'title: T\npublisher: P\nsummary: "Hello {text} end"\n'})
    f = only(findings, code)
    assert fragment in f.message, f.message
    assert (f.file, f.line, f.column) == ("narratives/2025H1/report.yaml", 3, 17), f.format()
    assert text.split()[0] in rendered.summary_html  # left as written, nothing evaluated


def test_nested_loops_are_refused_before_anything_runs(tmp_path):
    summary = ("summary: |\n  Intro.\n  {% for a in 'x' * 5000 %}{% for b in 'x' * 5000 %}{% for c in 'x' * 5000 %}"
               "{{ a }}{% endfor %}{% endfor %}{% endfor %}\n")
    rendered, findings = run(tmp_path, {"report.yaml": "title: T\npublisher: P\n" + summary})
    blocks = [f for f in findings if f.code == "placeholder.not-allowed"]
    assert len(blocks) == 6 and {f.line for f in blocks} == {5}
    assert [f.column for f in blocks] == [3, 28, 53, 85, 97, 109]
    assert len(rendered.summary_html) < 400


def test_every_bad_placeholder_in_a_field_is_reported_on_its_own_line(tmp_path):
    summary = "summary: |\n  See {{ cleints }}.\n\n  And {{ sessons }} and {{ cleints }}.\n"
    _, findings = run(tmp_path, {"report.yaml": "title: T\npublisher: P\n" + summary})
    assert [(f.code, f.line, f.column) for f in findings] == [
        ("placeholder.unknown", 4, 7), ("placeholder.unknown", 6, 7), ("placeholder.unknown", 6, 25)]


def test_placeholder_errors_in_lists_and_nested_fields_point_at_their_line(tmp_path):
    text = ("title: T\npublisher: P\nsummary: S\nfindings:\n  - fine {{ clients }}\n  - bad {{ clinets }}\n"
            "sections:\n  needs: |\n    Text.\n    Also {{ region.XX.clients }}\n")
    _, findings = run(tmp_path, {"report.yaml": text})
    assert [(f.line, f.column) for f in findings] == [(6, 9), (10, 10)]


_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80)


@settings(max_examples=200, deadline=None)
@given(_TEXT)
def test_fill_never_raises_and_text_without_braces_is_unchanged(text):
    out, problems = fill(text, names())
    assert isinstance(out, str)
    clean = text.replace(SYMBOL_OPEN, "").replace(SYMBOL_CLOSE, "")
    if "{" not in text:
        assert out == clean and problems == []
    assert len(out) <= len(clean) + MAX_TEXT * (clean.count("{{") + 1)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="{}%#'x*+~ 0123456789.()[]_abclientsnedhousing|", max_size=40))
def test_fill_of_arbitrary_brace_soup_yields_text_or_findings(text):
    out, problems = fill(text, names())
    assert all(p.code.startswith("placeholder.") and p.fragment for p in problems)
    assert len(out) <= len(text) + MAX_TEXT * (text.count("{{") + 1)


def test_regional_commentary_is_rendered_with_the_regions_figures(tmp_path):
    _, agg, store = sample()
    rendered, findings = run(tmp_path, {"regions/CAN.yaml": (
        'intro: "{{ clients }} people in {{ region.CAN.name }}"\nkey_points:\n  - ok\n  - "{{ cleints }}"\n')})
    assert [(f.code, f.file, f.line, f.column) for f in findings] == [
        ("placeholder.unknown", "narratives/2025H1/regions/CAN.yaml", 4, 6)]
    can = rendered.regions["CAN"]
    assert can.name == "Canterbury" and can.source_file == "narratives/2025H1/regions/CAN.yaml"
    assert can.intro_html == f"<p>{store.get('clients', scope='CAN', period=H1).display()} people in Canterbury</p>\n"
    assert can.key_points_html[0] == "<p>ok</p>\n"

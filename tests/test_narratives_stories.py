"""Story governance: consent, approval, changed names, expiry — in drafts and final builds."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reportgen.build import build
from reportgen.core.config import load_config
from reportgen.core.periods import Period
from reportgen.narratives import Story, select_stories
from reportgen.narratives.stories import PUBLISHED, WITHDRAWN, WITHHELD, reference_date, status

from .conftest import copy_project
from .narratives_support import STORY, run

TODAY = dt.date(2025, 8, 1)


def make(**fields) -> Story:
    base = dict(title="T", voice="client", region="AKL", body="B",
                consent={"status": "given", "date": "2025-05-01", "reference": "C-1"},
                names_changed=True, approved=True)
    base.update(fields)
    return Story.model_validate(base)


@pytest.mark.parametrize("fields,state,reasons", [
    ({}, PUBLISHED, []),
    ({"consent": {"status": "pending"}}, WITHHELD, ["consent pending"]),
    ({"approved": False}, WITHHELD, ["not approved"]),
    ({"names_changed": False}, WITHHELD, ["names not changed"]),
    ({"expires": "2025-07-31"}, WITHHELD, ["expired on 2025-07-31"]),
    ({"expires": "2025-08-01"}, PUBLISHED, []),  # usable on its expiry date itself
    ({"consent": {"status": "pending"}, "approved": False}, WITHHELD, ["consent pending", "not approved"]),
    ({"consent": {"status": "withdrawn", "date": "2025-06-01"}}, WITHDRAWN, ["consent withdrawn"]),
    ({"consent": {"status": "withdrawn"}, "approved": False}, WITHDRAWN, ["consent withdrawn"]),
])
def test_status(fields, state, reasons):
    assert status(make(**fields), TODAY) == (state, reasons)


def test_reference_date_is_the_later_of_publication_and_build():
    assert reference_date(None, TODAY) == TODAY
    assert reference_date(dt.date(2025, 9, 15), TODAY) == dt.date(2025, 9, 15)
    assert reference_date(dt.date(2025, 1, 15), TODAY) == TODAY


@pytest.mark.slow
def test_drafts_show_withheld_boxes_final_builds_only_published():
    stories = [("b-pending", make(consent={"status": "pending"})), ("a-ok", make()),
               ("c-gone", make(consent={"status": "withdrawn"})), ("d-old", make(expires="2020-01-01"))]
    draft = select_stories(stories, final=False, reference=TODAY)
    assert [(s.slug, s.state, s.label) for s in draft] == [
        ("a-ok", PUBLISHED, ""),
        ("b-pending", WITHHELD, "story withheld: consent pending"),
        ("d-old", WITHHELD, "story withheld: expired on 2020-01-01"),
    ]
    final = select_stories(stories, final=True, reference=TODAY)
    assert [(s.slug, s.state) for s in final] == [("a-ok", PUBLISHED)]


_story = st.builds(
    lambda c, a, n, e: make(consent={"status": c, "date": "2025-01-01", "reference": "R"}, approved=a,
                            names_changed=n, expires=e),
    st.sampled_from(["given", "pending", "withdrawn"]), st.booleans(), st.booleans(),
    st.one_of(st.none(), st.dates(dt.date(2024, 1, 1), dt.date(2027, 1, 1))))


@given(st.lists(_story, max_size=8), st.dates(dt.date(2024, 6, 1), dt.date(2026, 6, 1)))
def test_governance_invariants(stories, reference):
    named = [(f"s{i}", s) for i, s in enumerate(stories)]
    by_slug = dict(named)
    final = select_stories(named, final=True, reference=reference)
    draft = select_stories(named, final=False, reference=reference)
    for sel in final:  # a final build carries only stories meeting all four conditions
        s = by_slug[sel.slug]
        assert sel.state == PUBLISHED and s.consent.status == "given" and s.approved and s.names_changed
        assert s.expires is None or s.expires >= reference
    for sel in draft:  # withdrawn consent vanishes even from drafts
        assert by_slug[sel.slug].consent.status != "withdrawn"
    assert {s.slug for s in final} <= {s.slug for s in draft}
    assert len(draft) == sum(s.consent.status != "withdrawn" for s in stories)


def test_rendered_stories_in_a_draft(tmp_path):
    files = {
        "stories/a.yaml": STORY.replace("body: The story.", "body: Seen {{ region.AKL.clients }} times."),
        "stories/b.yaml": STORY.replace("status: given", "status: pending"),
        "stories/c.yaml": STORY.replace("status: given", "status: withdrawn").replace("title: A story",
                                                                                       "title: Secret"),
    }
    rendered, findings = run(tmp_path, files)
    assert [(f.code, f.file.rsplit("/", 1)[-1]) for f in findings] == [("story.withheld", "b.yaml"),
                                                                      ("story.withdrawn", "c.yaml")]
    a, b = rendered.stories
    assert (a.slug, a.state, a.title, a.region_name, a.themes) == ("a", "published", "A story", "Auckland", ["Food"])
    assert a.pull_quote_html == "A quote." and "Seen " in a.body_html and "{{" not in a.body_html
    assert (b.slug, b.state, b.label, b.title, b.body_html) == ("b", "withheld", "story withheld: consent pending",
                                                               "", "")
    final, _ = run(tmp_path / "f", files, final=True)
    assert [s.slug for s in final.stories] == ["a"]


def test_placeholders_in_withheld_stories_are_still_checked(tmp_path):
    files = {"stories/b.yaml": STORY.replace("status: given", "status: pending")
             .replace("body: The story.", "body: Seen {{ cleints }} times.")}
    _, findings = run(tmp_path, files)
    assert [(f.code, f.line, f.column) for f in findings if f.is_error] == [("placeholder.unknown", 6, 12)]


@pytest.mark.slow
def test_expiry_follows_the_report_publication_date(tmp_path):
    files = {"stories/a.yaml": STORY + "expires: 2025-09-01\n"}
    early = "title: T\npublisher: P\nsummary: S\npublication_date: 2025-08-15\n"
    late = "title: T\npublisher: P\nsummary: S\npublication_date: 2025-09-15\n"
    r1, _ = run(tmp_path / "early", files, report=early, today=dt.date(2025, 8, 1))
    r2, f2 = run(tmp_path / "late", files, report=late, today=dt.date(2025, 8, 1))
    assert r1.stories[0].state == "published"
    assert r2.stories[0].label == "story withheld: expired on 2025-09-01"
    assert [f.code for f in f2] == ["story.withheld"]


def test_sample_build_shows_stories_and_the_withheld_box(built_sample):
    html = (built_sample / "report.html").read_text(encoding="utf-8")
    assert html.count('<article class="story"') == 5
    assert html.count('<blockquote class="pull-quote">') == 5
    assert html.count('class="story-withheld"') == 1 and "Story withheld: consent pending; not approved" in html
    assert "Starting over in Ōtautahi" not in html  # a withheld story's text never appears
    text = subprocess.run(["pdftotext", str(built_sample / "report.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Story withheld: consent pending; not approved" in text
    assert "Kai on the table again" in text and "Starting over in" not in text
    assert "{{" not in html and "{{" not in text


@pytest.mark.slow
def test_a_withdrawn_story_vanishes_from_every_output(tmp_path):
    root = copy_project(tmp_path / "project")
    path = root / "narratives" / "2025H1" / "stories" / "kai-on-the-table.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("status: given", "status: withdrawn"),
                    encoding="utf-8")
    result = build(load_config(root / "config.yaml"), Period.parse("2025H1"))
    assert result.ok, [f.format() for f in result.findings if f.is_error]
    assert any(f.code == "story.withdrawn" for f in result.findings)
    for name in result.files:
        data = (result.out_dir / name).read_bytes()
        assert b"Kai on the table" not in data and b"kai-on-the-table" not in data, name
    text = subprocess.run(["pdftotext", str(result.out_dir / "report.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "Kai on the table" not in text and "Mele" not in text
    assert "Sunday mornings at the pātaka" in text


def test_build_date_follows_source_date_epoch(monkeypatch):
    from reportgen.runtime.reproducible import build_date

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01T00:00:00Z
    assert build_date() == dt.date(2026, 1, 1)
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert build_date() == dt.date.today()


@pytest.mark.slow
def test_a_story_expired_at_build_time_is_withheld(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # built on 2026-01-01
    from reportgen.narratives import load_narratives, render_report

    from .narratives_support import names, sample, write

    folder = write(tmp_path, {"stories/a.yaml": STORY + "expires: 2025-12-31\n"},
                   report="title: T\npublisher: P\nsummary: S\npublication_date: 2025-09-15\n")
    narr = load_narratives(folder, tmp_path, config=sample()[0])
    rendered, findings = render_report(narr, names(), config=sample()[0])  # no today: the build date
    assert rendered.stories[0].label == "story withheld: expired on 2025-12-31"
    assert [f.code for f in findings] == ["story.withheld"]


def test_symbols_only_in_a_withheld_story_get_no_footnote(tmp_path):
    files = {"stories/b.yaml": STORY.replace("status: given", "status: pending")
             .replace("body: The story.", "body: Coast {{ region.WTC.clients }}.")}
    rendered, _ = run(tmp_path, files)
    assert rendered.stories[0].state == "withheld" and rendered.notes == []

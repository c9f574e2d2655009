"""What changed between drafts: the word diff, the comparison, the appendix, ``reportgen diff``."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from reportgen.release.changes import Piece, compare, format_changes, plain, word_diff

from .conftest import cli_in_process


def _side(pieces: list[Piece], keep: str) -> list[str]:
    return [w for p in pieces if p.op in ("same", keep) for w in p.text.split()]


words = st.lists(st.sampled_from(["kai", "rent", "whānau", "the", "rose", "fell", "10", "%", "and"]), max_size=40)


@given(words, words)
def test_word_diff_rebuilds_both_texts(a, b):
    pieces = word_diff(" ".join(a), " ".join(b), context=10**6)
    assert _side(pieces, "del") == a
    assert _side(pieces, "ins") == b
    if a == b:
        assert all(p.op == "same" for p in pieces)


def test_word_diff_marks_the_changed_words_only():
    pieces = word_diff("Mele is a mother of four in South Auckland", "Mele is a mother of five in South Auckland")
    assert pieces == [Piece("same", "Mele is a mother of"), Piece("del", "four"), Piece("ins", "five"),
                      Piece("same", "in South Auckland")]


def test_long_unchanged_runs_are_shortened():
    old = " ".join(f"w{i}" for i in range(100))
    pieces = word_diff(old, old.replace("w50", "CHANGED"), context=3)
    assert pieces[0] == Piece("same", "… w47 w48 w49")
    assert pieces[1:3] == [Piece("del", "w50"), Piece("ins", "CHANGED")]
    assert pieces[3] == Piece("same", "w51 w52 w53 …")


def test_plain_drops_tags_and_decodes_entities():
    assert plain("<p>Kai &amp; <em>rent</em></p>\n<p>rose</p>") == "Kai & rent rose"


def snap(**over) -> dict:
    base = {"texts": {"Summary": "Demand rose again."},
            "stories": {"a": {"state": "published", "label": "", "title": "Story A"},
                        "b": {"state": "published", "label": "", "title": "Story B"}},
            "cells": {"NZ · 2025H1 · clients": "8,991", "AKL · 2025H1 · clients": "2,001"},
            "charts": {"fig-1": {"title": "People seen", "data": "x1"}}}
    base.update(over)
    return base


def test_compare_lists_every_kind_of_change():
    new = snap(texts={"Summary": "Demand rose sharply again.", "Key finding 1": "Rent is up."},
               stories={"a": {"state": "withheld", "label": "story withheld: not approved", "title": "a"},
                        "c": {"state": "published", "label": "", "title": "Story C"}},
               cells={"NZ · 2025H1 · clients": "9,003", "AKL · 2025H1 · clients": "2,001"},
               charts={"fig-1": {"title": "People seen", "data": "x2"}})
    old_inputs = {"files": {"data/submissions/2025Q1/ANG001.csv": "1"}, "parts": {"register": "r1"},
                  "data_prefix": "data/submissions/"}
    new_inputs = {"files": {"data/submissions/2025Q1/ANG001.csv": "2", "data/submissions/2025Q2/NEW001.csv": "3"},
                  "parts": {"register": "r2"}, "data_prefix": "data/submissions/"}
    ch = compare(snap(), new, 1, 2, old_inputs, new_inputs)
    assert [(t.name, t.kind) for t in ch.texts] == [("Summary", "changed"), ("Key finding 1", "added")]
    assert ch.texts[0].pieces == [Piece("same", "Demand rose"), Piece("ins", "sharply"), Piece("same", "again.")]
    assert ch.stories_added == ["Story C"]
    assert ch.stories_removed == ["Story B"]
    assert ch.stories_withheld == ["Story A (story withheld: not approved)"]
    assert ch.figures == [("NZ · 2025H1 · clients", "8,991", "9,003")]
    assert ch.why == ["resubmitted data: data/submissions/2025Q1/ANG001.csv",
                      "new submission: data/submissions/2025Q2/NEW001.csv",
                      "member register changed (e.g. a new member)"]
    assert ch.charts == ["People seen"]
    text = format_changes(ch, "text")
    assert "Summary (changed): Demand rose {+sharply+} again." in text
    assert "NZ · 2025H1 · clients: 8,991 → 9,003" in text
    md = format_changes(ch, "markdown")
    assert "- **Summary** (changed): Demand rose **[inserted: sharply]** again." in md
    assert "## Charts whose data changed\n\n- People seen" in md


def test_nothing_changed_says_so():
    ch = compare(snap(), snap(), 3, 4)
    assert ch.empty and format_changes(ch) == "Changes since draft 3 (draft 4)\n\nNothing published changed.\n"


def test_draft_2_appendix_shows_the_story_edit_word_by_word(two_drafts: Path):
    d2 = two_drafts / "output" / "2025H1" / "drafts" / "2"
    html = (d2 / "report.html").read_text(encoding="utf-8")
    section = re.search(r'<section id="review-changes".*?</section>', html, re.S).group(0)
    assert '<h2 id="review-changes-h">Changes since draft 1</h2>' in section
    assert ('Mele is a mother of <del><span class="rc-label">[deleted: </span>four<span class="rc-label">]</span>'
            '</del> <ins><span class="rc-label">[inserted: </span>five<span class="rc-label">]</span></ins> '
            'in South Auckland') in section
    assert "<dt>Story: Kai on the table again</dt>" in re.sub(r"</?span[^>]*>", "", section)  # "Kai" is tagged lang="mi"
    assert "Published figures" not in section  # only the story changed
    text = subprocess.run(["pdftotext", str(d2 / "report.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    appendix = text[text.rindex("What changed in draft 2"):]
    assert "Mele is a mother of [deleted: four] [inserted: five] in South Auckland" in " ".join(appendix.split())
    # draft 1 has no appendix
    d1 = (two_drafts / "output/2025H1/drafts/1/report.html").read_text(encoding="utf-8")
    assert 'id="review-changes"' not in d1 and "DRAFT 1 — not for circulation" in d1


def test_diff_command_prints_the_same_changes(two_drafts: Path):
    r = cli_in_process("diff", "2025H1", cwd=two_drafts)  # what the command prints (in process)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("Changes since draft 1 (draft 2)\n")
    assert "Story: Kai on the table again (changed): … would see me. Mele is a mother of [-four-] {+five+} in " \
           "South Auckland." in r.stdout
    md = cli_in_process("diff", "2025H1", "--from", "1", "--to", "2", "--format", "markdown", cwd=two_drafts)
    assert md.returncode == 0 and md.stdout.startswith("# Changes since draft 1 (draft 2)\n")
    assert "Mele is a mother of ~~[deleted: four]~~ **[inserted: five]** in South Auckland" in md.stdout
    bad = cli_in_process("diff", "2025H1", "--from", "7", cwd=two_drafts)
    assert bad.returncode == 2 and bad.stderr.strip() == "reportgen: there is no draft 7 of 2025H1; drafts: 1, 2"

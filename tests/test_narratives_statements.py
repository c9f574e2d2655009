"""No unverified statement of fact: every sentence that states a number, a direction, a ranking, a comparison
or a fact about who reported carries a check or a reasoned [[no check]]; anything else is a located finding
(a warning in a draft, an error for the final), and in a draft the sentence is marked where it stands and
listed in the review appendix with its file and line."""

from __future__ import annotations

import pytest

from reportgen.narratives.render import MARK_CLOSE, MARK_MID, MARK_OPEN
from reportgen.narratives.sentences import split

from .narratives_support import STORY, run

R = "narratives/2025H1/report.yaml"


def summary(*lines: str) -> dict[str, str]:
    return {"report.yaml": "title: T\npublisher: P\nsummary: |\n" + "".join(f"  {x}\n" for x in lines)}


def statements(findings):
    return [(f.code, f.line, f.column, f.severity) for f in findings if f.code.split(".")[0] in
            ("statement", "claim", "period")]


# ---- sentences ---------------------------------------------------------------------------------------

def test_a_check_belongs_to_the_sentence_before_it_and_never_to_the_next():
    text = ("Housing rose. [[check clients.need.housing.share is above clients.need.housing.year_ago.share]] "
            "Food is common ({{ clients.need.food.share }}, e.g. in Auckland).\n\n"
            "[[no check: a judgement]] Need is uneven.\n- Demand rose. [[check clients.change is up]]\n"
            "> She said it doubled. Then halved.\n")
    found = split(text)
    assert [s.text for s in found] == ["Housing rose.", "Food is common ({{ clients.need.food.share }}, e.g. in "
                                       "Auckland).", "Need is uneven.", "Demand rose.", "She said it doubled.",
                                       "Then halved."]
    assert [len(s.checks) for s in found] == [1, 0, 0, 1, 0, 0]
    assert [m.body for m in found[2].no_checks] == ["a judgement"]
    assert [s.quote_block for s in found] == [False] * 4 + [True] * 2


# ---- each kind of statement, found and located ----------------------------------------------------------

@pytest.mark.parametrize("sentence,code,column,words", [
    ("Demand stepped up again this year.", "statement.unverified", 10, "a direction ('stepped up')"),
    ("Auckland has the highest housing need.", "statement.unverified", 20, "a ranking ('highest')"),
    ("Need grew in every region.", "statement.unverified", 8, "a direction ('grew') and a ranking ('every region')"),
    ("Housing need is higher than in Otago.", "statement.unverified", 19, "a direction ('higher') and a comparison "
                                                                           "('than')"),
    ("One Bay of Plenty member could not send its figures.", "statement.unverified", 3,
     "a number ('One') and a fact about who reported or what is published ('could not send')"),
    ("We supported 14,220 people.", "statement.typed-number", 16, "a number typed as text ('14,220')"),
    ("A third of clients came for housing.", "statement.typed-number", 3, "a number typed as text ('A third of')"),
])
def test_a_statement_without_a_check_is_a_warning_at_its_first_word(tmp_path, sentence, code, column, words):
    _, findings = run(tmp_path, summary(sentence))
    assert statements(findings) == [(code, 4, column, "warning")], [f.format() for f in findings]
    f = next(f for f in findings if f.code == code)
    assert words in f.message and f.hint


def test_the_final_refuses_what_a_draft_warns_about(tmp_path):
    _, findings = run(tmp_path, summary("Demand stepped up again this year."), final=True)
    assert statements(findings) == [("statement.unverified", 4, 10, "error")]


@pytest.mark.parametrize("sentence", [
    "In {{ period }} members supported {{ clients }} people, {{ clients.change }} on a year earlier.",
    "{{ members_reporting }} members reported for the half-year.",  # a placeholder's own words
    "Figure 6 shows the share each quarter since 2023, and Table 1 the regions on 30 June 2025.",
    "As one kaimahi said, the work is hard.",  # a cardinal word alone is not a figure
    "Behind every number is a whānau making hard choices.",
    'A kaimahi told us: "demand has doubled since March, we see 300 people a week".',  # someone's own words
    "[[mi: Kia kaha, kia māia, kia manawanui]] — be strong, be brave, be steadfast.",
])
def test_sentences_that_state_no_unchecked_fact_are_left_alone(tmp_path, sentence):
    _, findings = run(tmp_path, summary(sentence))
    assert statements(findings) == [], [f.format() for f in findings]


def test_a_block_quote_is_someones_own_words(tmp_path):
    _, findings = run(tmp_path, summary("Our kaimahi put it plainly:", "", "> Demand has doubled in every region."))
    assert statements(findings) == []


def test_te_reo_words_are_not_read_but_a_digit_in_them_is(tmp_path):
    _, findings = run(tmp_path, summary("[[mi: E 300 ngā whānau i tautokona]]."))
    assert statements(findings) == [("statement.typed-number", 4, 11, "warning")]


def test_a_story_is_lived_experience_unless_it_quotes_a_figure(tmp_path):
    lived = STORY.replace("body: The story.", "body: |\n  Mele is 34. Her rent rose by $140 a week, more than "
                                              "ever, and it doubled in two years.")
    _, findings = run(tmp_path, {"stories/s.yaml": lived})
    assert statements(findings) == []
    quoting = STORY.replace("body: The story.", "body: |\n  Across the country volunteers gave "
                                                "{{ volunteer_hours }} hours, more than ever.")
    _, findings = run(tmp_path / "b", {"stories/s.yaml": quoting})
    assert statements(findings) == [("statement.unverified", 7, 67, "warning")]  # at "more"
    assert findings[-1].file == "narratives/2025H1/stories/s.yaml"


def test_recommendations_propose_rather_than_state(tmp_path):
    files = {"report.yaml": "title: T\npublisher: P\nsummary: S\nrecommendations:\n"
                            "  - Make hardship grants available through community lenders in every region.\n"}
    _, findings = run(tmp_path, files)
    assert statements(findings) == []


# ---- a check, or a no check with its reason -------------------------------------------------------------

def test_a_check_or_a_reasoned_no_check_answers_for_the_sentence(tmp_path):
    rendered, findings = run(tmp_path, summary(
        "Demand rose, {{ clients.change }} like for like. [[check clients.change is up]]",
        "Rents rose faster than wages. [[no check: rents and wages are MBIE's and Stats NZ's figures, not ours]]"))
    assert statements(findings) == []
    assert "[[" not in rendered.summary_html and "MBIE" not in rendered.summary_html
    item = rendered.review[0]
    assert (item.kind, item.where, item.sentence) == ("untested", f"{R}:5:3", "Rents rose faster than wages.")
    assert item.reason == "rents and wages are MBIE's and Stats NZ's figures, not ours."


def test_a_no_check_needs_its_reason(tmp_path):
    _, findings = run(tmp_path, summary("Rents rose faster than wages. [[no check]]"))
    assert statements(findings) == [("statement.no-reason", 4, 33, "error")]


def test_a_change_on_the_previous_period_says_it_is_not_seasonally_adjusted(tmp_path):
    _, findings = run(tmp_path, summary("Against the previous half-year clients were {{ clients.change_all_previous }}."))
    assert statements(findings) == [("statement.seasonal", 4, 50, "warning")]
    _, findings = run(tmp_path / "b", summary("Against the previous half-year (not seasonally adjusted) clients were "
                                              "{{ clients.change_all_previous }}."))
    assert statements(findings) == []


# ---- what the reviewer sees ---------------------------------------------------------------------------

def test_a_draft_marks_the_sentence_and_lists_it_with_its_file_and_line(tmp_path):
    rendered, findings = run(tmp_path, summary("We saw {{ clients }} people.", "Demand stepped up again.",
                                               "Food is the most common need. [[check clients.need.food.share is "
                                               "the highest of clients.need]]"))
    assert rendered.summary_html == (
        "<p>We saw 15,048&nbsp;<span class=\"symbol\">P</span><sup class=\"note-ref\"><a href=\"#narrative-note-1\">1"
        "</a></sup> people.\n<mark class=\"review-flag review-problem\" id=\"review-flag-1\">Demand stepped up again."
        "<a class=\"review-flag-ref\" href=\"#review-item-1\" data-review=\"1\" aria-label=\"Review note 1 (a problem "
        "the build found): see Sentences to review\"></a></mark>\nFood is the most common need.</p>\n")
    [item] = rendered.review
    assert (item.number, item.kind, item.where, item.marked) == (1, "problem", f"{R}:5:10", True)
    assert item.sentence == "Demand stepped up again."
    assert item.notes[0][0] == "statement.unverified"


def test_a_final_has_no_marks_and_no_review_list(tmp_path):
    rendered, _ = run(tmp_path, summary("Demand stepped up again."), final=True)
    assert rendered.review == [] and "mark" not in rendered.summary_html


def test_an_editor_cannot_forge_a_mark(tmp_path):
    rendered, _ = run(tmp_path, summary(f"Plain words {MARK_OPEN}pX{MARK_MID}here{MARK_CLOSE}."))
    assert rendered.summary_html == "<p>Plain words pXhere.</p>\n" and rendered.review == []

"""Claims: a sentence's [[check …]] is evaluated on the published figures, never published itself,
and a claim the data do not bear out is a located finding (a warning in a draft, an error for the final)."""

from __future__ import annotations

import pytest

from reportgen.narratives.namespace import resolve

from .narratives_support import H1, names, only, run, sample


def summary(text: str) -> dict[str, str]:
    return {"report.yaml": f"title: T\npublisher: P\nsummary: |\n  {text}\n"}


def test_the_sample_figures_that_the_checks_below_rely_on():
    _, _, store = sample()
    highest = max((store.share("clients", "need", "housing", scope=c, period=H1).value, c)
                  for c in ("AKL", "WGN", "BOP", "NTL", "CAN", "OTA"))
    assert highest[1] == "AKL"
    assert resolve(names(), "clients.change").value > 0


@pytest.mark.parametrize("check", [
    "region.AKL.clients.need.housing.share is the highest of the regions",
    "clients.change is up",
    "clients.change is not down",
    "clients.need.food.share is the highest of clients.need",
    "clients.need.housing.share is above clients.need.housing.year_ago.share",
    "clients is more than clients.year_ago and sessions.change is up",
    "sessions.service_type.information_advice is the highest of sessions.service_type",
])
def test_a_true_claim_gives_no_finding_and_is_never_published(tmp_path, check):
    rendered, findings = run(tmp_path, summary(f"A sentence. [[check {check}]] Another."))
    assert [f for f in findings if f.code.startswith("claim.")] == [], [f.format() for f in findings]
    assert "check" not in rendered.summary_html and "[[" not in rendered.summary_html
    assert rendered.summary_html == "<p>A sentence. Another.</p>\n"


def test_a_false_ranking_is_a_warning_in_a_draft_at_its_line_and_an_error_in_a_final(tmp_path):
    text = "Otago feels it most. [[check region.OTA.clients.need.housing.share is the highest of the regions]]"
    _, findings = run(tmp_path, summary(text))
    f = only(findings, "claim.false")
    assert (f.severity, f.file, f.line, f.column) == ("warning", "narratives/2025H1/report.yaml", 4, 24)
    assert "region.OTA.clients.need.housing.share" in f.message and "but Auckland has" in f.message
    _, findings = run(tmp_path / "final", summary(text), final=True)
    assert only(findings, "claim.false").severity == "error"


def test_the_issue_example_auckland_against_the_nation(tmp_path):
    # "Tāmaki Makaurau is where the housing squeeze bites hardest" is checked against every published region
    good = "[[check region.AKL.clients.need.housing.share is above clients.need.housing.share]]"
    _, findings = run(tmp_path, summary(f"Auckland is above the nation. {good}"))
    assert not [f for f in findings if f.code.startswith("claim.")]
    bad = "[[check region.WKO.clients.need.housing.share is above clients.need.housing.share]]"
    _, findings = run(tmp_path / "b", summary(f"Waikato is above the nation. {bad}"))
    assert "is above clients.need.housing.share" in only(findings, "claim.false").message


@pytest.mark.parametrize("check,code,fragment", [
    ("clients.need.housing.share is above clients", "claim.unlike", "compare like with like"),
    ("clients is up", "claim.unlike", "needs a change"),
    ("clients goes up", "claim.syntax", "is not a check"),
    ("clients.change is upward", "claim.syntax", "is not a test"),
    ("", "claim.syntax", "the check is empty"),
    ("cleints.change is up", "claim.unknown", "did you mean 'clients'"),
    ("clients.need.hosuing.share is above clients.need.food.share", "claim.unknown", "hosuing"),
    ("region.WTC.clients.change is up", "claim.not-available", "is C"),  # a region not published
    ("clients.need.food.share is the highest of the regions", "claim.syntax", "not a region's figure"),
    ("clients.need.food.share is the highest of clients.gender", "claim.syntax", "is not one of clients.gender"),
])
def test_a_mistaken_check_is_a_located_finding(tmp_path, check, code, fragment):
    _, findings = run(tmp_path, summary(f"Text. [[check {check}]]"))
    f = only(findings, code)
    assert fragment in f.message, f.message
    assert (f.file, f.line, f.column) == ("narratives/2025H1/report.yaml", 4, 9) and f.hint


def test_a_regional_commentary_checks_its_own_figures_against_the_other_regions(tmp_path):
    files = {"regions/AKL.yaml": "intro: |\n  Highest here. [[check clients.need.housing.share is the highest of "
                                 "the regions]]\n",
             "regions/OTA.yaml": "intro: |\n  Highest here too. [[check clients.need.housing.share is the highest "
                                 "of the regions]]\n"}
    rendered, findings = run(tmp_path, files)
    f = only(findings, "claim.false")
    assert f.file == "narratives/2025H1/regions/OTA.yaml" and f.line == 2
    assert rendered.regions["AKL"].intro_html == "<p>Highest here.</p>\n"


def test_a_check_in_a_list_item_without_quotes_is_valid_yaml(tmp_path):
    files = {"report.yaml": "title: T\npublisher: P\nsummary: S\nfindings:\n"
                            "  - Demand rose. [[check clients.change is up]]\n"}
    rendered, findings = run(tmp_path, files)
    assert not [f for f in findings if f.is_error], [f.format() for f in findings]
    assert rendered.findings_html == ["<p>Demand rose.</p>\n"]


# ---- claims that mean something (issue 24) ------------------------------------------------------------

def claim_findings(findings):
    return [(f.code, f.message) for f in findings if f.code.startswith("claim.")]


@pytest.mark.parametrize("check,code,fragment", [
    # 11 % against 10 %: a point apart, within rounding
    ("clients.need.physical_health.share is above clients.need.employment.share", "claim.not-material",
     "11\u00a0% and 10\u00a0% are 1 point apart, less than 2: within rounding, about the same: say they are about "
     "the same ([[check clients.need.physical_health.share is about the same as clients.need.employment.share]])"),
    # volunteer hours like for like: +0 %
    ("volunteer_hours.change is not down and volunteer_hours.change is up", "claim.false",
     "the sentence says volunteer_hours.change is up, but it is +0\u00a0%"),
    # Hawke's Bay's totals fell 18 % because a member left; like for like they rose
    ("region.HKB.clients.change_all is down", "claim.not-material",
     "(a figure withheld from publication) it moves the other way or by less than 2\u00a0%"),
    # Nelson 7 %, Wellington and Manawatū-Whanganui 6 %: a lead of one point is no lead
    ("region.NSN.clients.need.education.share is the highest of the regions", "claim.not-material",
     "next come Manawatū-Whanganui and Wellington with 6\u00a0%: 7\u00a0% and 6\u00a0% are 1 point apart, less "
     "than 2: within rounding, about the same; say 'among the highest'"),
    # Wellington and Marlborough: 23 % each
    ("region.WGN.clients.need.debt.share is the highest of the regions", "claim.false",
     "but Marlborough has the same: say 'joint highest' or 'among the highest'"),
    ("region.BOP.clients.need.housing.share is among the highest of the regions", "claim.false",
     "but Auckland has 44\u00a0%, clearly higher"),
    ("members_partial is 2", "claim.false", "the sentence says members_partial is 2, but it is 1"),
    ("region.AKL.clients is not published", "claim.false",
     "the sentence says region.AKL.clients is not published, but it is 3,606"),
    ("clients.need.housing.share is above 30", "claim.unlike", "compare a figure with another figure"),
    ("quarter.2026Q1.clients is up", "claim.unknown", "'quarter.2026Q1' is not a quarter of the data"),
    # Bay of Plenty's totals: +1 %, but a member sent one quarter only, and like for like they rose
    ("region.BOP.clients.change_all is little changed", "claim.false",
     "the sentence says region.BOP.clients.change_all is little changed, but it is +1\u00a0%"),
    ("region.MWT.clients.change is little changed", "claim.not-available", "region.MWT.clients.change is S"),
])
def test_a_claim_must_be_material_honest_about_ties_and_about_who_reported(tmp_path, check, code, fragment):
    _, findings = run(tmp_path, summary(f"A sentence. [[check {check}]]"))
    got = claim_findings(findings)
    assert [c for c, _ in got] == [code] and fragment in got[0][1], got


@pytest.mark.parametrize("check", [
    "volunteer_hours.change is little changed",
    "clients.need.physical_health.share is about the same as clients.need.employment.share",
    "region.NSN.clients.need.education.share is among the highest of the regions",
    "region.WGN.clients.need.debt.share is among the highest of the regions",
    "members_partial is 1 and members_missing is 0 and region.BOP.members_partial is 1",
    "region.MWT.members_joined is 1 and members_joined is at least 1",
    "region.WTC.clients is not published and region.STL.clients is not published and region.AKL.clients is published",
    "quarter.2024Q3.clients.need.housing.share is above quarter.2024Q2.clients.need.housing.share",
    "clients.need.housing.share is above clients.need.housing.year_ago.share",
])
def test_the_honest_sentence_holds(tmp_path, check):
    _, findings = run(tmp_path, summary(f"A sentence. [[check {check}]]"))
    assert claim_findings(findings) == []


def test_a_sentence_that_says_who_reported_may_speak_of_the_totals(tmp_path):
    # "the region's totals grew with it": true of the all-member figures, and the sentence says why
    text = ("A new member began reporting in Manawatū-Whanganui: the region's totals grew with it, which is not a "
            "change in need. [[check region.MWT.members_joined is 1 and region.MWT.clients.change_all is up]]")
    _, findings = run(tmp_path, summary(text))
    assert claim_findings(findings) == []
    _, findings = run(tmp_path / "b", summary("Hawke's Bay fell. [[check region.HKB.clients.change_all is down]]"))
    assert [c for c, _ in claim_findings(findings)] == ["claim.not-material"]
    _, findings = run(tmp_path / "c", summary("A member left Hawke's Bay and its totals fell with it. "
                                              "[[check region.HKB.members_left is 1 and region.HKB.clients.change_all "
                                              "is down]]"))
    assert claim_findings(findings) == []


def test_a_change_that_one_members_flagged_jump_makes_gets_its_caveat_in_the_text(tmp_path):
    rendered, findings = run(tmp_path, summary(
        "In Tasman clients were {{ region.TAS.clients.change }} like for like. [[check region.TAS.clients.change is up]]"))
    assert rendered.summary_html == (
        "<p>In Tasman clients were up 17&nbsp;% like for like (most of this rise comes from one member whose "
        "client numbers moved by more than 50&nbsp;% in a quarter, a movement flagged for review).</p>\n")
    f = only(findings, "claim.one-member")
    assert (f.severity, f.line, f.column) == ("warning", 4, 3)
    # a placeholder's change alone carries the caveat too, in a region's own commentary
    rendered, _ = run(tmp_path / "b", {"regions/NSN.yaml": "intro: Clients were {{ clients.change }} on a year "
                                                           "earlier.\n"})
    assert "most of this rise comes from one member" in rendered.regions["NSN"].intro_html
    rendered, findings = run(tmp_path / "c", summary("Auckland clients were {{ region.AKL.clients.change }}."))
    assert "one member" not in rendered.summary_html and not claim_findings(findings)

"""When a difference is worth a sentence (figures/materiality.py): the one rule every claim, chart title and
computed sentence follows — shares a point apart are about the same, a change smaller than the threshold is
little changed, a difference across periods whose members differ must hold like for like, a quarter's change
inside the usual quarterly variation is not news, and one member's flagged movement is named as a caveat."""

from __future__ import annotations

import pytest

from reportgen.core.config import Materiality
from reportgen.core.periods import Period
from reportgen.disclosure.published import Published
from reportgen.figures.materiality import WITHHELD, Judge, Variation
from reportgen.narratives.namespace import resolve_ref

from .narratives_support import H1, judge, names, sample


def figure(path: str, scope: str = "NZ"):
    return resolve_ref(names(scope), path)


def test_shares_a_point_apart_are_about_the_same_and_two_points_apart_differ():
    j = judge()
    physical, employment = figure("clients.need.physical_health.share"), figure("clients.need.employment.share")
    assert (physical[0].display(), employment[0].display()) == ("11\u00a0%", "10\u00a0%")
    verdict = j.difference(*physical, *employment)
    assert not verdict.material
    assert verdict.why == "11\u00a0% and 10\u00a0% are 1 point apart, less than 2: within rounding, about the same"
    income, housing = figure("clients.need.income.share"), figure("clients.need.housing.share")
    assert j.difference(*income, *housing).material  # 38 % against 35 %


def test_a_share_against_its_year_ago_must_move_like_for_like_too():
    # the nation's members differ between the two half-years (a joiner, a leaver, a partial return): the
    # housing share's rise holds over the members in both (like-for-like changes of housing and of clients)
    j = judge()
    now, then = figure("clients.need.housing.share"), figure("clients.need.housing.year_ago.share")
    assert j.members_differ("NZ", H1, H1.year_earlier())
    assert j.difference(*now, *then).material
    # Bay of Plenty: one member sent one quarter, so its like-for-like figures are withheld (they would give that
    # member's figure away). A computed sentence, which states published figures only, cannot claim the move;
    # an editor's check is judged on the unpublished figure, and its finding would give no number
    bop, bop_then = figure("clients.need.housing.share", "BOP"), figure("clients.need.housing.year_ago.share", "BOP")
    assert abs(bop[0].value - bop_then[0].value) >= 2
    assert j.difference(*bop, *bop_then, internal=False).why == WITHHELD
    assert j.difference(*bop, *bop_then).material


def test_changes_smaller_than_the_threshold_are_little_changed():
    j = judge()
    value, ref = figure("volunteer_hours.change")
    assert value.display() == "+0\u00a0%"
    assert j.change(value, ref).why == "+0\u00a0% is less than 2\u00a0%: little changed"
    assert j.change(*figure("clients.change")).material  # +12 %, like for like


def test_a_change_over_every_members_figures_holds_only_like_for_like():
    # Hawke's Bay's totals fell 18 %: a member left. Like for like (withheld: it would give a member's figure
    # away) the members that stayed saw more people — the fall is who reported, not need
    j = judge()
    value, ref = figure("clients.change_all", "HKB")
    assert value.display() == "-18\u00a0%" and not ref.like_for_like and not figure("clients.change", "HKB")[0].is_number
    verdict = j.change(value, ref)
    assert verdict.why == ("over the members that reported in both periods (a figure withheld from publication) it "
                           "moves the other way or by less than 2\u00a0%: the rest is who reported")
    assert not any(ch.isdigit() for ch in verdict.why.replace("2\u00a0%", ""))  # no withheld figure given away
    assert j.change(value, ref, internal=False).why == WITHHELD  # a computed sentence: published figures only
    assert j.change(value, ref, totals=True).material  # "a member left, and the totals fell": true
    assert not j.little_changed(*figure("clients.change_all", "BOP"))  # +1 %, but not like for like
    assert j.change(*figure("clients.change_all")).material  # the nation: +10 %, and +12 % like for like


def test_counts_within_rounding_do_not_differ():
    j = judge()
    config = sample()[0]
    assert config.confidentiality.rounding_base == 3
    a, b = Published(300.0), Published(304.0)
    assert not j.difference(a, None, b, None).material  # 4: rounding (±2 each) can make it
    assert j.difference(Published(300.0), None, Published(315.0), None).material
    assert not j.difference(Published(1000.0), None, Published(1015.0), None).material  # 1.5 %: about the same


def test_the_numbers_come_from_the_config():
    config, agg, store = sample()
    strict = Judge(store, config.model_copy(update={"materiality": Materiality(share_points=0.5)}), agg)
    physical, employment = figure("clients.need.physical_health.share"), figure("clients.need.employment.share")
    assert strict.difference(*physical, *employment).material


def test_the_usual_quarterly_variation_is_the_range_of_the_previous_quarters_like_for_like_changes():
    config, agg, store = sample()
    j = judge()
    q = Period.parse("2025Q1")
    steps = [store.like_for_like("clients", period=p, base=p.previous()) for p in
             (Period.parse(x) for x in ("2023Q4", "2024Q1", "2024Q2", "2024Q3", "2024Q4"))]
    numbers = [s.value for s in steps if s.is_number]
    usual = j.usual_variation("clients", "NZ", q)
    assert usual == Variation(min(numbers), max(numbers), len(numbers))
    assert usual.words() == (f"between {usual.low:+.0f}\u00a0% and {usual.high:+.0f}\u00a0% a quarter over the "
                             f"previous {len(numbers)} quarters")
    # too few quarters before the first ones: not judged
    assert j.usual_variation("clients", "NZ", Period.parse("2024Q1")) is None


def test_a_quarters_change_within_the_usual_variation_is_not_news():
    j = judge()
    ns = names()
    value, ref = resolve_ref(ns["quarter"]["2025Q1"], "clients.change_previous")
    usual = j.usual_variation("clients", "NZ", Period.parse("2025Q1"))
    assert value.is_number and usual.contains(value.value) and abs(value.value) >= 2
    verdict = j.change(value, ref)
    assert not verdict.material and "within the usual quarter-to-quarter variation" in verdict.why
    assert "not seasonally adjusted" in verdict.why


@pytest.mark.parametrize("region", ["TAS", "NSN"])
def test_a_change_mostly_from_one_members_flagged_jump_is_found(region):
    # PRE001 (Tasman and Nelson) moved by +79 % in 2025Q2, a rule-12 warning: it makes most of both regions' rise
    j = judge()
    assert "PRE001" in j.flagged()["2025Q2"]
    driver = j.driver("clients", "total", "", region, H1, H1.year_earlier())
    assert driver is not None and driver.part > 0.5 and driver.direction == "rise"
    assert driver.caveat == ("most of this rise comes from one member whose client numbers moved by more than "
                             "50\u00a0% in a quarter, a movement flagged for review")


def test_no_caveat_where_no_flagged_member_makes_most_of_the_change():
    j = judge()
    assert j.driver("clients", "total", "", "AKL", H1, H1.year_earlier()) is None
    assert j.driver("clients", "total", "", "NZ", H1, H1.year_earlier()) is None

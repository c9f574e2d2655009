"""A brief without commentary gets a few sentences computed from its published figures: each
one true of the figures it quotes, for every region of the sample and of generated data."""

from __future__ import annotations

import re

import pytest

from reportgen.charts.specs import residual_rank
from reportgen.core import formats
from reportgen.core.config import load_config
from reportgen.core.periods import Period
from reportgen.disclosure.confidentiality import PublishedStore
from reportgen.documents.documents import brief_summary
from reportgen.inputs.register import load_register
from reportgen.inputs.sample_data import generate
from reportgen.inputs.submissions import load_submissions
from reportgen.inputs.validate import validate
from reportgen.statistics.aggregate import aggregate

from .conftest import REPO, copy_project

H1 = Period.parse("2025H1")


def store_of(root):
    config = load_config(root / "config.yaml")
    register, _ = load_register(config)
    data = validate(load_submissions(config), register, config)
    agg = aggregate(data.rows, register, config, H1)
    return config, PublishedStore(agg.cells, config, "brief-summary-key")


def check_region(config, store, code):
    sentences = brief_summary(config, H1, store, code)
    text = " ".join(sentences)
    assert sentences, code
    clients = store.get("clients", scope=code, period=H1)
    if not clients.is_number:  # withheld: said in words, never with the symbol (one state, one phrase)
        word = {"S": "suppressed", "C": "confidential"}[clients.symbol]
        assert f"are {word} (" in text and f" {clients.symbol} " not in f" {text} "
        return
    assert f"supported {clients.shown()} people" in text
    change = store.like_for_like("clients", scope=code, period=H1, base=H1.year_earlier())
    # materiality (config materiality, written out here): a change under 2 % is "about as many"
    points, percent = config.materiality.share_points, config.materiality.change_percent
    if change.is_number and abs(change.value) >= percent:
        assert f"{formats.words(change.value)} on {H1.year_earlier().label()} like for like" in text
    elif change.is_number:
        assert f"about as many as in {H1.year_earlier().label()} like for like" in text and "little changed" in text
    shares = {c: store.share("clients", "need", c, scope=code, period=H1)
              for c in config.dimensions["need"].categories if not residual_rank(c)}
    published = {c: s for c, s in shares.items() if s.is_number}
    if published:
        best = max(s.value for s in published.values())
        # every need within the threshold of the highest shares the lead: no tie is broken, no point of rounding
        top = [config.dimensions["need"].categories[c].lower() for c, s in published.items()
               if best - s.value < points]
        named = re.search(r"most common reasons? people sought support (?:was|were) (.+?) \(", text).group(1)
        assert set(re.split(r", | and ", named)) == set(top), (code, named, top)
        national = store.share("clients", "need", next(c for c, s in published.items() if s.value == best), period=H1)
        if len(top) == 1 and national.is_number:
            word = ("about the same as" if abs(best - national.value) < points else
                    "higher than" if best > national.value else "lower than")
            assert f"{word} the national {national}" in text
    # every number quoted is a published one of this region or the nation (no raw value leaks)
    allowed = {str(p) for p in (clients, change, store.get("new_clients", scope=code, period=H1),
                                store.get("sessions", scope=code, period=H1), *shares.values(),
                                *(store.share("clients", "need", c, period=H1) for c in shares))}
    for number in re.findall(r"\d[\d,]*(?:\u00a0%)?", text.replace("up ", "+").replace("down ", "-")):
        if re.fullmatch(r"20\d\d", number):
            continue  # a year
        assert any(number in a for a in allowed), (code, number, text)


def test_computed_sentences_are_true_of_the_published_figures_in_the_sample():
    config, store = store_of(REPO)
    for code in config.regions:
        check_region(config, store, code)


@pytest.mark.slow
def test_computed_sentences_hold_for_generated_data_with_five_times_the_members(tmp_path):
    root = copy_project(tmp_path / "p", data=False)
    generate(root / "data", members=220)
    config, store = store_of(root)
    for code in config.regions:
        check_region(config, store, code)

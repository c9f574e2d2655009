"""Issue 23: an intruder with only the bundle — and, as each member, that member's own files — learns
no count's raw value more closely than its rounding allows, recovers no withheld cell, and reads no
member's figure within p %; a deliberately planted leak (a ratio from raw values) makes it succeed.

The data are made here: generated members, one of which misses its last quarter, with hours published
exactly, and one member made dominant in its main region. The intruder (``tests/intruder.py``) and the
truth (``scripts/verify_published.py``) import nothing of reportgen's disclosure code.
"""

from __future__ import annotations

import csv
import importlib.util
from collections import defaultdict
from pathlib import Path

import pytest

from reportgen.core.config import load_config
from reportgen.core.periods import Period
from reportgen.datafiles.tables import table_files
from reportgen.disclosure.confidentiality import PublishedStore
from reportgen.disclosure.published import Published as Value
from reportgen.inputs.sample_data import generate
from reportgen.publication import figures_for

from . import intruder
from .conftest import REPO, copy_project

H1, Q2 = Period.parse("2025H1"), Period.parse("2025Q2")

_spec = importlib.util.spec_from_file_location("verify_published", REPO / "scripts" / "verify_published.py")
truth_tool = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(truth_tool)


PLAIN = "org_id,period,region,measure,dimension,category,value"


def _clients(root: Path) -> dict[tuple[str, str], int]:
    """Each (member, region)'s clients in 2025Q1."""
    out: dict[tuple[str, str], int] = defaultdict(int)
    for r in truth_tool.read_submissions(root / "data" / "submissions" / "2025Q1"):
        if r["measure"] == "clients" and r["dimension"] == "total":
            out[(r["org"], r["region"])] += r["value"]
    return out


def _plain_files(root: Path, org: str) -> list[Path] | None:
    """The member's files, when every one is a plain CSV with the contract's header (the generator
    writes a few in other shapes on purpose)."""
    files = sorted((root / "data" / "submissions").rglob(f"{org}.*"))
    if any(p.suffix != ".csv" or p.read_text(encoding="utf-8").split("\n", 1)[0] != PLAIN for p in files):
        return None
    return files


def make_dominant(root: Path) -> tuple[str, str]:
    """One member's rows in a region it shares with at least two others multiplied in every period, so
    that it dominates that region (the others under 5 % of it) but not the nation."""
    clients = _clients(root)
    with (root / "data" / "members.csv").open(encoding="utf-8") as fh:
        active = {m["org_id"] for m in csv.DictReader(fh) if not m["active_to"]}
    by_region: dict[str, dict[str, int]] = defaultdict(dict)
    for (org, region), n in clients.items():
        by_region[region][org] = n
    nation = sum(clients.values())
    best = None
    for region, members in by_region.items():
        if len(members) < 3:
            continue
        for org, n in members.items():
            others = sum(members.values()) - n
            factor = -(-20 * others // n)  # the others become under 5 % of it
            share = n * factor / (nation - n + n * factor)
            if org in active and factor > 1 and _plain_files(root, org) and (best is None or share < best[0]):
                best = (share, org, region, factor)
    assert best is not None and best[0] < 0.5, best
    _, org, region, factor = best
    for path in _plain_files(root, org) or []:
        lines = path.read_text(encoding="utf-8").splitlines()
        out = [lines[0]]
        for line in lines[1:]:
            cells = line.split(",")
            if len(cells) == 7 and cells[2] == region:
                cells[6] = str(int(float(cells[6])) * factor)
            out.append(",".join(cells))
        path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return org, region


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> tuple[Path, str, str]:
    root = copy_project(tmp_path_factory.mktemp("intruder") / "project", data=False)
    generate(root / "data", members=16, seed=2323)
    org, region = make_dominant(root)
    return root, org, region


class Published:
    """What the tests need of a period's publication: its store, metrics and config."""

    def __init__(self, store, metrics, config):
        self.store, self.metrics, self.config, self.aggregates = store, metrics, config, metrics.agg


def published_files(root: Path, period: Period = H1) -> tuple[dict[str, bytes], Published]:
    """The period's tables, made in this process as a build makes them (no chart, no document)."""
    config = load_config(root / "config.yaml")
    store, metrics, run = figures_for(config, period)
    assert store is not None, [f.format() for f in run.findings if f.is_error]
    files, _ = table_files(store, metrics, config, period)
    return files, Published(store, metrics, config)


@pytest.fixture(scope="module")
def bundle(project):
    """The half-year report's tables."""
    files, publication = published_files(project[0])
    return intruder.Bundle(files), publication


@pytest.fixture(scope="module")
def quarterly(project):
    """The quarterly release's tables (its changes are the quarter's on the previous one)."""
    files, publication = published_files(project[0], Q2)
    return intruder.Bundle(files), publication


def panels_of(publication) -> dict[tuple, set[str]]:
    """Who is outside each like-for-like panel: a member knows whether it reported in both periods (the
    coverage table counts the others)."""
    store = publication.store
    return {(scope, period, base): set(store.left_out(scope, period, base, "now")
                                       | store.left_out(scope, period, base, "then"))
            for period, base in publication.aggregates.comparisons() for scope in store.scopes}


@pytest.fixture(scope="module")
def truth(project):
    """Raw values and each member's contribution, from the submissions (independently of reportgen)."""
    root = project[0]
    rows = truth_tool.fill_not_stated(truth_tool.read_submissions(root / "data" / "submissions"))
    periods = sorted({r["period"] for r in rows} | {"2025H1", "2024H2", "2024H1"})
    raw: dict[tuple, int] = {}
    own: dict[str, dict[tuple, int]] = defaultdict(lambda: defaultdict(int))
    by_cell: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for period in periods:
        for (scope, m, d, c), (value, _) in truth_tool.raw_cells(rows, period).items():
            raw[(scope, period, m, d, c)] = value
        for (org, region, m, d, c), value in truth_tool.member_figures(rows, period).items():
            for scope in (region, "NZ"):
                own[org][(scope, period, m, d, c)] += value
                by_cell[(scope, period, m, d, c)][org] += value
    return raw, own, by_cell


def groups() -> dict[str, dict[str, list[str]]]:
    config = load_config(REPO / "config.yaml")
    return {"score_domain": {g: list(c) for g, c in config.dimensions["score_domain"].groups.items()}}


def test_the_generated_data_have_what_the_attacks_need(project, bundle, truth):
    _, org, region = project
    b, publication = bundle
    raw, own, by_cell = truth
    # a dominant member: its region's total is confidential, though three or more members report there
    cell = (region, "2025H1", "clients", "total", "")
    assert b.counts[cell][1] == "C" and len(by_cell[cell]) >= 3
    assert publication.store.internal_frame().query("status == 'dominance'").shape[0] > 0
    # hours published exactly, and a missing return (the national figure of 2025Q2 is provisional)
    hours = [k for k in b.counts if k[2] == "staff_hours" and b.counts[k][1] == ""]
    assert hours and all(b.counts[k][0] == raw[k] for k in hours)
    assert publication.store.flag("NZ", "2025Q2") == "P"
    assert b.derived["ratios"] and b.derived["shares"] and b.derived["like_for_like_vs_year_earlier"]


def test_no_derived_figure_narrows_a_count(bundle, quarterly, truth):
    raw, _, _ = truth
    for b, _ in (bundle, quarterly):
        learned = (intruder.ratio_times_magnitude(b) + intruder.percentage_times_total(b, groups())
                   + intruder.change_times_previous(b))
        found = intruder.disclosures(learned, lambda k: raw.get(k, 0))
        assert found == [], found[:5]


def test_no_left_out_member_narrows_a_count_through_a_like_for_like_change(bundle, quarterly, truth):
    raw, own, _ = truth
    tried = 0
    for b, publication in (bundle, quarterly):
        panels = panels_of(publication)
        single = {k for k, v in panels.items() if len(v) == 1}
        tried += sum(1 for t in ("previous", "year_earlier") for r in b.derived[f"like_for_like_vs_{t}"]
                     if r["value"] and (r["scope"], r["period"], intruder._base_of(r["period"], t)) in single)
        found = intruder.disclosures(intruder.like_for_like_as_left_out(b, own, panels), lambda k: raw.get(k, 0))
        assert found == [], found[:5]
    assert tried > 10  # published changes whose panel leaves one member out (the member that missed a quarter)


def test_no_withheld_cell_follows_from_its_margins(bundle, quarterly):
    for b, _ in (bundle, quarterly):
        assert intruder.withheld_from_margins(b) == []


def test_no_count_is_pinned_by_its_total_and_parts(bundle, quarterly, truth):
    """Rounding a total and its parts each on its own narrows some ranges (a documented limit), but never
    to one value."""
    raw, _, _ = truth
    narrowed = 0
    for b, _ in (bundle, quarterly):
        found = intruder.disclosures(intruder.narrowed_by_margins(b), lambda k: raw.get(k, 0))
        narrowed += len(found)
        assert [x for x in found if len(x.left) == 1] == []
    assert narrowed  # the limit is real: the attack does narrow


def test_no_member_reads_another_members_figure_within_p_percent(bundle, quarterly, truth):
    _, _, by_cell = truth
    for b, publication in (bundle, quarterly):
        p = publication.config.confidentiality.dominance_p
        assert intruder.second_largest_estimates(b, by_cell, p) == []


def test_a_ratio_made_from_raw_values_is_caught(project, truth, monkeypatch):
    """The planted leak: ratios computed from the raw values (as before issue 23), beside exact hours."""
    raw, _, _ = truth

    def leaky(self, numerator, denominator, *, scope="NZ", period, percent=False, per=1.0):
        num = [self.get(m, d, c, scope=scope, period=period) for m, d, c in numerator]
        den = [self.get(m, d, c, scope=scope, period=period) for m, d, c in denominator]
        if any(p.symbol in ("S", "C", "..") for p in (*num, *den)):
            return Value(None, "S", "ratio")
        top = sum(self.raw_of(m, d, c, scope, period) for m, d, c in numerator)
        bottom = sum(self.raw_of(m, d, c, scope, period) for m, d, c in denominator)
        if bottom < 20:
            return Value(None, "S", "ratio")
        value = top / bottom * (100.0 if percent else per)
        return Value(round(value, 0 if percent else 1), "", "percent" if percent else "ratio")

    monkeypatch.setattr(PublishedStore, "ratio", leaky)
    files, _ = published_files(project[0])
    found = intruder.disclosures(intruder.ratio_times_magnitude(intruder.Bundle(files)), lambda k: raw.get(k, 0))
    pinned = [x for x in found if len(x.left) == 1 and x.cell[2] == "clients"]
    assert len(found) > 10 and pinned, (len(found), len(pinned))


@pytest.mark.parametrize("leak", ["no left-out check", "unrounded panel sums"])
def test_a_like_for_like_that_narrows_for_the_left_out_member_is_caught(project, truth, monkeypatch, leak):
    """The planted leaks: the check for the member left out of the panel skipped; and, besides, each
    side of the change the panel's raw sum, not rounded."""
    raw, own, _ = truth

    def unrounded(self, scope, period, base, cell, side):
        when = period if side == "now" else base
        if not self.left_out(scope, period, base, side):
            return self.get(*cell, scope=scope, period=when)
        panel = self._matched[(scope, str(period), str(base), *cell)]
        return Value(float(panel.now if side == "now" else panel.then), "", "count")

    monkeypatch.setattr(PublishedStore, "narrows_for_left_out", lambda *a, **k: False)
    if leak == "unrounded panel sums":
        monkeypatch.setattr(PublishedStore, "panel_value", unrounded)
    files, publication = published_files(project[0], Q2)
    learned = intruder.like_for_like_as_left_out(intruder.Bundle(files), own, panels_of(publication))
    assert intruder.disclosures(learned, lambda k: raw.get(k, 0))


def test_margins_and_dominance_without_their_rules_are_caught(project, truth, monkeypatch, tmp_path):
    """The planted leaks: no totals moved off a pin; no secondary suppression; the p % rule off."""
    import shutil

    import reportgen.disclosure.confidentiality as confidentiality

    raw, _, by_cell = truth
    monkeypatch.setattr(confidentiality, "unpin", lambda *a, **k: 0)
    files, _ = published_files(project[0])
    found = intruder.disclosures(intruder.narrowed_by_margins(intruder.Bundle(files)), lambda k: raw.get(k, 0))
    assert [x for x in found if len(x.left) == 1]
    monkeypatch.undo()
    monkeypatch.setattr(confidentiality, "secondary_suppression",
                        lambda raw, suppressed, groups: (confidentiality.np.array([], dtype="int64"), []))
    files, _ = published_files(project[0])
    assert intruder.withheld_from_margins(intruder.Bundle(files))
    monkeypatch.undo()
    root = tmp_path / "p"
    shutil.copytree(project[0], root)
    config = root / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("dominance_p: 10", "dominance_p: 0"), encoding="utf-8")
    files, _ = published_files(root)
    assert intruder.second_largest_estimates(intruder.Bundle(files), by_cell, 10.0)

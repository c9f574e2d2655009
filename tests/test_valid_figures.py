"""Valid figures on data the test makes itself (not the shipped sample): a member that misses a
quarter flags its regions' and the nation's figures P in every output, changes are like for like,
no text reads the gap as a fall, and a false claim is reported with its file and line."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from reportgen.build import check
from reportgen.core.config import load_config
from reportgen.core.periods import Period

pytestmark = pytest.mark.slow

H1, Q2 = Period.parse("2025H1"), Period.parse("2025Q2")


@pytest.fixture(scope="module")
def held_out(generated_h1):
    """The generated project (conftest.generated_h1): its root, its first draft and the regions of the
    member that missed 2025Q2."""
    root, result = generated_h1
    with (root / "data" / "members.csv").open(encoding="utf-8") as fh:
        register = {r["org_id"]: r["regions"].split(";") for r in csv.DictReader(fh)
                    if not r["active_to"] or Period.parse(r["active_to"]) >= Q2}  # active in 2025Q2
    sent = {p.stem for p in (root / "data" / "submissions" / "2025Q2").iterdir()}
    missing = [org for org in register if org not in sent]
    assert len(missing) == 1, missing  # the generator leaves one member's last quarter out
    return root, result.out_dir, register[missing[0]]


def rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_the_missing_quarter_is_flagged_in_the_tables(held_out):
    _, out, regions = held_out
    flags = {(r["scope"], r["period"]): r["flag"] for r in rows(out / "tables" / "clients.csv")}
    for scope in ["NZ", *regions]:
        assert flags[(scope, "2025Q2")] == "P" and flags[(scope, "2025H1")] == "P", scope
        assert flags[(scope, "2025Q1")] == "", scope  # the member reported that quarter
    others = {s for s, p in flags if p == "2025Q2"} - {"NZ", *regions}
    assert others and all(flags[(s, "2025Q2")] == "" for s in others)
    coverage = {(r["scope"], r["period"], r["measure"]): r for r in rows(out / "tables" / "coverage.csv")}
    nz = coverage[("NZ", "2025Q2", "members_reporting")]
    assert nz["flag"] == "P"
    assert int(nz["value"]) == int(coverage[("NZ", "2025Q2", "members_expected")]["value"]) - 1


def test_the_missing_quarter_is_flagged_in_the_dashboard_data(held_out):
    _, out, regions = held_out
    dash = json.loads((out / "dashboard.json").read_text(encoding="utf-8"))
    by_code = {s["code"]: s for s in dash["scopes"]}
    for scope in ["NZ", *regions]:
        coverage = by_code[scope]["coverage"]
        assert coverage["2025Q2"]["provisional"] is True
        assert coverage["2025Q2"]["members_reporting"] == coverage["2025Q2"]["members_expected"] - 1
        assert coverage["2025Q1"]["provisional"] is False
        series = next(s for s in by_code[scope]["counts"] if s["measure"] == "clients" and s["dimension"] == "total")
        point = next(p for p in series["points"] if p["period"] == "2025Q2")
        assert "P" in point["flags"]
    assert "P" in dash["symbols"]


def test_changes_are_like_for_like_and_no_text_reads_the_gap_as_a_fall(held_out):
    root, out, regions = held_out
    like = {(r["scope"], r["measure"], r["dimension"]): r for r in rows(out / "tables" / "like_for_like_vs_year_earlier.csv")}
    every = {(r["scope"], r["measure"], r["dimension"]): r for r in rows(out / "tables" / "change_percent_vs_year_earlier.csv")}
    for scope in ["NZ", *regions]:
        assert every[(scope, "clients", "total")]["flag"] == "P"  # the all-member change is provisional
        assert like[(scope, "clients", "total")]["flag"] == ""  # the like-for-like one is not
    config = load_config(root / "config.yaml")
    names = [config.region_label(r) for r in regions]
    html = (out / "report.html").read_text(encoding="utf-8")
    alts = re.findall(r'alt="([^"]*)"', html)
    titles = re.findall(r'<span class="fig-no">Figure \d+\.</span> ([^<]*)<', html)
    for text in alts + titles:
        for name in names:
            assert not re.search(rf"(fall|fell|drop)\w* (was )?in {re.escape(name)}", text), text
    # the national trend's last quarter is provisional, and its alt text says so
    trend = next(a for a in alts if a.startswith("Line chart of clients each quarter, Aotearoa New Zealand"))
    assert "P: provisional (Q2 2025)" in trend and " fell " not in trend
    table1 = html[html.index('id="table-regions"'):html.index("</table>", html.index('id="table-regions"'))]
    # the national row: members reporting (the one that missed a quarter reported in part), provisional
    assert re.search(r"\d+ of \d+ \(1\u00a0in\u00a0part\)\u00a0P</td>", table1)


def test_a_false_claim_is_reported_with_its_file_and_line(held_out, tmp_path):
    import shutil

    root = tmp_path / "project"
    shutil.copytree(held_out[0], root, ignore=shutil.ignore_patterns("output", ".reportgen-cache"))
    report = root / "narratives" / "2025H1" / "report.yaml"
    text = report.read_text(encoding="utf-8")
    text = text.replace("  Need is not spread evenly.",
                        "  Need is not spread evenly. Fewer people came to us. [[check clients.change is down]]")
    report.write_text(text, encoding="utf-8")
    line = next(i for i, t in enumerate(text.splitlines(), start=1) if "[[check clients.change is down]]" in t)
    result = check(load_config(root / "config.yaml"), H1)
    hits = [f for f in result.findings if f.code == "claim.false" and f.line == line]
    assert [(f.file, f.line) for f in hits] == [("narratives/2025H1/report.yaml", line)], \
        [f.format() for f in result.findings if f.code.startswith("claim")]
    assert "says clients.change is down, but it is +" in hits[0].message

"""One broken file per rule of the data contract: the exact code, file, row and column.

A small, fully valid dataset (three members, 2025Q1, 2025Q2 and 2025H1) is
made from the benchmark generator's row template; each case changes one
thing and names the finding it must produce and where.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from reportgen.core.config import load_config
from reportgen.core.periods import Period
from reportgen.inputs.register import load_register
from reportgen.inputs.sample_data import HEADER, _fast_template, _fast_values
from reportgen.inputs.submissions import load_submissions
from reportgen.inputs.validate import validate

H1 = Period.parse("2025H1")
MEMBERS = ("org_id,name,network,regions,active_from,active_to\n"
           "A1,Alpha,Anglican,AKL,2024Q1,\nB1,Beta,Baptist,AKL;WGN,2024Q1,\nC1,Gamma,Catholic,AKL,2024Q1,\n")
SUB = "data/submissions"


def quarter_text(org: str, period: str, region: str = "AKL", clients: int = 100) -> str:
    suffixes, _ = _fast_template()
    values = _fast_values(np.array([clients]))[0]
    lines = [",".join(HEADER)] + [f"{org},{period},{region},{s}{v}" for s, v in zip(suffixes, values.tolist())]
    return "\n".join(lines) + "\n"


def half_text(org: str, period: str, region: str = "AKL", clients: int = 148) -> str:
    _, suffixes = _fast_template()
    values = _fast_values(np.array([clients]), half=True)[0]
    lines = [",".join(HEADER)] + [f"{org},{period},{region},{s}{v}" for s, v in zip(suffixes, values.tolist())]
    return "\n".join(lines) + "\n"


def base_files() -> dict[str, str | bytes]:
    files: dict[str, str | bytes] = {}
    for org in ("A1", "B1", "C1"):
        files[f"2025Q1/{org}.csv"] = quarter_text(org, "2025Q1")
        files[f"2025Q2/{org}.csv"] = quarter_text(org, "2025Q2")
        files[f"2025H1/{org}.csv"] = half_text(org, "2025H1")
    return files


def line_of(text: str, fragment: str) -> int:
    """1-based line number of the first line containing ``fragment``."""
    for n, line in enumerate(text.splitlines(), start=1):
        if fragment in line:
            return n
    raise AssertionError(f"{fragment!r} not found")


def set_value(files: dict, name: str, fragment: str, value: str) -> int:
    """Replace the value of the line containing ``fragment``; returns its line number."""
    text = files[name]
    n = line_of(text, fragment)
    lines = text.split("\n")
    lines[n - 1] = lines[n - 1].rsplit(",", 1)[0] + "," + value
    files[name] = "\n".join(lines)
    return n


def drop_lines(files: dict, name: str, fragment: str) -> None:
    files[name] = "\n".join(line for line in files[name].split("\n") if fragment not in line)


def run(tmp_path: Path, files: dict):
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "config.yaml").write_text("confidentiality:\n  key: test-key\n")
    (tmp_path / "data").mkdir(exist_ok=True)
    (tmp_path / "data" / "members.csv").write_text(MEMBERS)
    for name, content in files.items():
        path = tmp_path / SUB / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    config = load_config(tmp_path / "config.yaml")
    register, _ = load_register(config)
    return validate(load_submissions(config), register, config, H1)


def test_the_base_dataset_is_clean(tmp_path):
    data = run(tmp_path, base_files())
    assert data.findings == []
    assert data.coverage.summary() == "3 of 3 members reported"
    assert len(data.rows) == 3 * (2 * 124 + 32)


# Each case: (id, mutate(files) → (file, line, column) expected, code, severity, message fragment)
def _q(org="A1", q="2025Q1"):
    return f"{q}/{org}.csv"


def case_latin1(f):
    f[_q()] = quarter_text("A1", "2025Q1").replace("A1,2025Q1,AKL,clients,total,,100",
                                                   "A1,2025Q1,AKL,clients,total,,100 café").encode("latin-1")
    return _q(), 2, None


def case_binary(f):
    f[_q()] = b"PK\x03\x04\x00\x00binary\x00junk"
    return _q(), None, None


def case_empty(f):
    f[_q()] = b""
    return _q(), None, None


def case_header_only(f):
    f[_q()] = ",".join(HEADER) + "\n"
    return _q(), None, None


def case_semicolons(f):
    f[_q()] = f[_q()].replace(",", ";")
    return _q(), 1, None


def case_xlsx_not_zip(f):
    f["2025Q1/A1.xlsx"] = f.pop(_q()).encode()
    return "2025Q1/A1.xlsx", None, None


def case_truncated_quote(f):
    f[_q()] = f[_q()].replace("A1,2025Q1,AKL,new_clients,total,,38", 'A1,2025Q1,AKL,new_clients,total,,"38')
    return _q(), line_of(f[_q()], "new_clients"), None


def case_short_row(f):
    f[_q()] = f[_q()].replace("A1,2025Q1,AKL,new_clients,total,,38", "A1,2025Q1,AKL,new_clients,total")
    return _q(), line_of(f[_q()], "new_clients"), None


def case_thousands(f):
    return _q(), set_value(f, _q(), "sessions,total,", "1,200"), 8


def case_bad_period(f):
    f[_q()] = f[_q()].replace("A1,2025Q1,AKL,new_clients", "A1,2025Q5,AKL,new_clients")
    return _q(), line_of(f[_q()], "new_clients"), 2


def case_exponent(f):
    return _q(), set_value(f, _q(), "new_clients,total,", "3.8e1"), 7


def case_negative(f):
    return _q(), set_value(f, _q(), "new_clients,total,", "-38"), 7


def case_unknown_member(f):
    f[_q()] = f[_q()].replace("A1,2025Q1,AKL,new_clients", "A7,2025Q1,AKL,new_clients")
    return _q(), line_of(f[_q()], "new_clients"), 1


def case_unknown_region(f):
    f[_q()] = f[_q()].replace("A1,2025Q1,AKL,new_clients", "A1,2025Q1,AKK,new_clients")
    return _q(), line_of(f[_q()], "new_clients"), 3


def case_unknown_measure(f):
    f[_q()] = f[_q()].replace(",new_clients,", ",new_client,")
    return _q(), line_of(f[_q()], "new_client,"), 4


def case_unknown_dimension(f):
    f[_q()] = f[_q()].replace(",clients,ethnicity,asian,", ",clients,ethnicty,asian,")
    return _q(), line_of(f[_q()], "ethnicty"), 5


def case_dimension_not_allowed(f):
    f[_q()] = f[_q()].replace(",sessions,service_type,advocacy,", ",sessions,gender,advocacy,")
    return _q(), line_of(f[_q()], "sessions,gender"), 5


def case_unknown_category(f):
    f[_q()] = f[_q()].replace(",clients,ethnicity,maori,", ",clients,ethnicity,maaori,")
    return _q(), line_of(f[_q()], "maaori"), 6


def case_category_with_total(f):
    f[_q()] = f[_q()].replace(",new_clients,total,,", ",new_clients,total,all,")
    return _q(), line_of(f[_q()], "new_clients"), 6


def case_not_whole(f):
    return _q(), set_value(f, _q(), "new_clients,total,", "38.5"), 7


def case_hours(f):
    return _q(), set_value(f, _q(), "staff_hours,total,", "320.25"), 7


def case_duplicate(f):
    line = line_of(f[_q()], "new_clients")
    f["2025Q1/zz-A1-again.csv"] = ",".join(HEADER) + "\n" + f[_q()].split("\n")[line - 1] + "\n"
    return "2025Q1/zz-A1-again.csv", 2, 4


def case_breakdown_sum(f):
    set_value(f, _q(), "clients,age_band,25_44", "1")
    return _q(), line_of(f[_q()], "clients,age_band,"), 7


def case_breakdown_not_sent(f):
    drop_lines(f, _q(), ",clients,gender,")
    return _q(), 2, 5


def case_breakdown_without_total(f):
    drop_lines(f, _q(), ",sessions,total,")
    return _q(), line_of(f[_q()], "sessions,service_type"), 5


def case_exceeds_total(f):
    return _q(), set_value(f, _q(), "clients,need,food", "101"), 7


def case_outcome_sum(f):
    set_value(f, _q(), "outcome_improved,score_domain,safety", "0")
    return _q(), line_of(f[_q()], "outcome_assessed,score_domain,safety"), 7


def case_new_exceeds(f):
    return _q(), set_value(f, _q(), "new_clients,total,", "101"), 7


def case_missing_clients(f):
    f["2025Q1/A1-wgn.csv"] = ",".join(HEADER) + "\nA1,2025Q1,AKL,volunteer_hours,total,,1\n" \
        .replace("AKL", "BOP")
    return "2025Q1/A1-wgn.csv", 2, 4


def case_missing_quarter(f):
    del f[_q("C1", "2025Q2")]
    return None, None, None


def case_unidentified(f):
    return _q(), set_value(f, _q(), "unidentified_attendances,total,", "30"), 7


def case_movement(f):
    f[_q(q="2025Q2")] = quarter_text("A1", "2025Q2", clients=180)
    return _q(q="2025Q2"), 2, 7


def case_region_not_registered(f):
    f["2025Q1/A1-wgn.csv"] = quarter_text("A1", "2025Q1", region="WGN")
    return "2025Q1/A1-wgn.csv", 2, 3


def case_inactive(f):
    f["2023Q4/A1.csv"] = quarter_text("A1", "2023Q4")
    return "2023Q4/A1.csv", 2, 2


def case_implausible(f):
    return _q(), set_value(f, _q(), "volunteer_hours,total,", "250000"), 7


def case_half_mismatch(f):
    f[_q("A1", "2025H1")] += "A1,2025H1,AKL,sessions,total,,10\n"
    return _q("A1", "2025H1"), 34, 7


def case_summed(f):
    del f[_q("B1", "2025H1")]
    return _q("B1", "2025Q1"), 2, 2


def case_half_above(f):
    f[_q(q="2025H1")] = half_text("A1", "2025H1", clients=201)  # quarters: 100 + 100
    return _q(q="2025H1"), 2, 7


def case_half_below(f):
    f[_q(q="2025H1")] = half_text("A1", "2025H1", clients=99)
    return _q(q="2025H1"), 2, 7


def case_half_summed(f):
    f[_q(q="2025H1")] = half_text("A1", "2025H1", clients=200)
    return _q(q="2025H1"), 2, 7


CASES = [
    # rule 1: the file, columns, periods, values
    (case_latin1, "data.not-utf8", "error", "not UTF-8"),
    (case_binary, "data.not-text", "error", "not a text CSV"),
    (case_empty, "data.empty-file", "error", "the file is empty"),
    (case_header_only, "data.no-rows", "warning", "header but no rows"),
    (case_semicolons, "data.missing-column", "error", "required column(s) missing"),
    (case_xlsx_not_zip, "data.bad-xlsx", "error", "cannot be opened"),
    (case_truncated_quote, "data.bad-csv", "error", "unexpected end of data"),
    (case_short_row, "data.short-row", "error", "the row has 5 field(s) where the header has 7"),
    (case_thousands, "data.long-row", "error", "the row has 8 fields"),
    (case_bad_period, "data.bad-period", "error", "'2025Q5' is not a period"),
    (case_exponent, "data.bad-value", "error", "'3.8e1' is not a number"),
    (case_negative, "data.bad-value", "error", "'-38' is not a number"),
    # rule 2: codes
    (case_unknown_member, "data.unknown-member", "error", "unknown member code 'A7'"),
    (case_unknown_region, "data.unknown-region", "error", "unknown region code 'AKK'"),
    (case_unknown_measure, "data.unknown-measure", "error", "unknown measure code 'new_client'"),
    (case_unknown_dimension, "data.unknown-dimension", "error", "unknown dimension code 'ethnicty'"),
    (case_dimension_not_allowed, "data.dimension-not-allowed", "error", "cannot be broken down by 'gender'"),
    (case_unknown_category, "data.unknown-category", "error", "unknown ethnicity category 'maaori'"),
    (case_category_with_total, "data.category-with-total", "error", "takes an empty category, not 'all'"),
    # rule 3
    (case_not_whole, "data.not-whole", "error", "the count 38.5 is not a whole number"),
    (case_hours, "data.hours-rounded", "warning", "hours 320.25 rounded up"),
    # rule 4
    (case_duplicate, "data.duplicate-key", "error", f"first sent at {SUB}/2025Q1/A1.csv:"),
    # rules 5–9
    (case_breakdown_sum, "data.breakdown-sum", "error", "the age_band categories of clients add up to"),
    (case_breakdown_not_sent, "data.breakdown-not-sent", "warning", "sent no gender breakdown of clients"),
    (case_breakdown_without_total, "data.breakdown-without-total", "error", "sessions is broken down by"),
    (case_exceeds_total, "data.category-exceeds-total", "error", "need category 'food' is 101"),
    (case_outcome_sum, "data.outcome-sum", "error", "for domain 'safety'"),
    (case_new_exceeds, "data.new-exceeds-clients", "error", "new_clients (101) is more than"),
    (case_missing_clients, "data.missing-clients", "error", "A1, 2025Q1, BOP but no clients total"),
    # rules 10–14
    (case_missing_quarter, "data.missing-quarter", "warning", "member C1 sent no rows for 2025Q2"),
    (case_unidentified, "data.unidentified-share", "warning", "unidentified attendances are 23.1%"),
    (case_movement, "data.large-movement", "warning", "moved by +80% from 2025Q1 (100)"),
    (case_region_not_registered, "data.region-not-registered", "warning", "region WGN"),
    (case_inactive, "data.inactive-period", "warning", "outside its active dates (2024Q1 onwards)"),
    (case_implausible, "data.implausible-value", "warning", "above the plausibility limit of 100,000"),
    # period rules
    (case_half_mismatch, "data.half-quarter-mismatch", "warning", "differs from the sum of its quarters"),
    (case_summed, "data.summed-from-quarters", "warning", "member B1 sent no 2025H1 rows for clients"),
    # checks of meaning: half-year clients are distinct people
    (case_half_above, "data.half-above-quarters", "warning", "(201) is more than its two quarters added together"),
    (case_half_below, "data.half-below-quarter", "warning", "(99) is less than one of its quarters (100)"),
    (case_half_summed, "data.half-equals-sum", "warning", "equals the sum of its two quarters in every region (1)"),
]


@pytest.mark.parametrize("mutate,code,severity,fragment", CASES, ids=[c[1] + ":" + c[0].__name__[5:]
                                                                      for c in CASES])
def test_each_rule_gives_its_coded_finding_with_location(tmp_path, mutate, code, severity, fragment):
    files = base_files()
    file, line, column = mutate(files)
    data = run(tmp_path, files)
    hits = [f for f in data.findings if f.code == code]
    assert hits, [f.format() for f in data.findings]
    f = hits[0]
    assert (f.severity, f.file, f.line, f.column) == (
        severity, f"{SUB}/{file}" if file else None, line, column), f.format()
    assert fragment in f.message, f.message
    assert f.hint
    if code not in ("data.not-utf8", "data.not-text", "data.empty-file", "data.no-rows",
                    "data.missing-column", "data.bad-xlsx", "data.bad-csv", "data.short-row", "data.long-row",
                    "data.unknown-member"):
        assert f.member in ("A1", "B1", "C1")


@pytest.mark.parametrize("text,near", [("AKK", "AKL"), ("maaori", "maori"), ("clinets", "clients")])
def test_near_misses_suggest_the_nearest_code(tmp_path, text, near):
    files = base_files()
    old = {"AKK": ",AKL,new_clients", "maaori": ",maori,", "clinets": ",clients,total,"}[text]
    new = old.replace({"AKK": "AKL", "maaori": "maori", "clinets": "clients"}[text], text)
    files[_q()] = files[_q()].replace(old, new, 1)
    data = run(tmp_path, files)
    assert any(f.hint == f"did you mean '{near}'?" for f in data.findings), [f.format() for f in data.findings]


def test_duplicate_names_both_places(tmp_path):
    files = base_files()
    case_duplicate(files)
    data = run(tmp_path, files)
    dup = [f for f in data.findings if f.code == "data.duplicate-key"]
    line = line_of(files[_q()], "new_clients")
    assert len(dup) == 1 and f"{SUB}/2025Q1/A1.csv:{line}" in dup[0].message
    assert dup[0].location() == f"{SUB}/2025Q1/zz-A1-again.csv:2:4"


def test_coverage_counts_only_quarter_rows(tmp_path):
    files = base_files()
    del files[_q("C1", "2025Q1")], files[_q("C1", "2025Q2")]  # C1 sent only its half-year rows
    data = run(tmp_path, files)
    assert data.coverage.summary() == "2 of 3 members reported"
    assert data.coverage.per_quarter == {"2025Q1": (2, 3), "2025Q2": (2, 3)}
    assert sorted(f.message for f in data.findings if f.code == "data.missing-quarter") == [
        "member C1 sent no rows for 2025Q1, a quarter in which it is active",
        "member C1 sent no rows for 2025Q2, a quarter in which it is active"]

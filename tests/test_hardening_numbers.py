"""Issue 19: numbers. A value too large to publish exactly is an error naming the file, row and column
(never silent S cells); digits are ASCII digits; any value accepted is published from its exact value."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reportgen.core import limits
from reportgen.core.config import load_config
from reportgen.disclosure.confidentiality import confidentialise
from reportgen.inputs.register import load_register
from reportgen.statistics.aggregate import NATIONAL, aggregate

from .test_submissions_rules import H1, base_files, line_of, run, set_value


def _codes(data):
    """Errors apart from the breakdown rules, which (as for any refused cell) miss the refused row."""
    return [(f.code, f.file, f.line, f.column) for f in data.findings
            if f.is_error and not f.code.startswith("data.breakdown")]


def test_a_value_of_2_to_the_63_is_an_error_at_its_cell(tmp_path):
    files = base_files()
    line = set_value(files, "2025Q1/B1.csv", "B1,2025Q1,AKL,sessions,total,", "99999999999999999999")
    data = run(tmp_path, files)
    assert _codes(data) == [("data.value-too-large", "data/submissions/2025Q1/B1.csv", line, 7)]
    [f] = [f for f in data.findings if f.code == "data.value-too-large"]
    assert f.member == "B1" and "99999999999999999999" in f.message and f.hint


def test_the_limit_itself_is_accepted_and_one_more_is_not(tmp_path):
    files = base_files()
    set_value(files, "2025Q1/A1.csv", "A1,2025Q1,AKL,staff_hours,total,", str(limits.MAX_VALUE))
    set_value(files, "2025Q2/A1.csv", "A1,2025Q2,AKL,staff_hours,total,", str(limits.MAX_VALUE + 1))
    data = run(tmp_path, files)
    assert [c[0] for c in _codes(data)] == ["data.value-too-large"]
    assert _codes(data)[0][1].endswith("2025Q2/A1.csv")
    assert not [f for f in data.findings if f.is_error and f.file.endswith("2025Q1/A1.csv")]


def test_a_long_cell_is_an_error_not_a_category(tmp_path):
    files = base_files()
    line = set_value(files, "2025Q1/C1.csv", "C1,2025Q1,AKL,sessions,total,", "1" * (limits.FIELD_CHARS + 1))
    data = run(tmp_path, files)
    assert _codes(data) == [("data.field-too-long", "data/submissions/2025Q1/C1.csv", line, 7)]


def test_arabic_indic_and_fullwidth_digits_are_not_numbers(tmp_path):
    for digits in ("\u0661\u0662\u0663", "\uff11\uff12\uff13", "1\u066b5"):
        files = base_files()
        line = set_value(files, "2025Q1/A1.csv", "A1,2025Q1,AKL,sessions,total,", digits)
        data = run(tmp_path / digits.encode().hex(), files)
        assert ("data.bad-value", "data/submissions/2025Q1/A1.csv", line, 7) in _codes(data), digits


def test_a_huge_value_in_the_fast_path_and_careful_path_alike(tmp_path):
    files = base_files()
    text = files["2025Q1/A1.csv"]
    files["2025Q1/A1.csv"] = text.replace("\n", "\r\n")  # CRLF: the careful reader
    n = line_of(text, "A1,2025Q1,AKL,sessions,total,")
    lines = files["2025Q1/A1.csv"].split("\r\n")
    lines[n - 1] = lines[n - 1].rsplit(",", 1)[0] + ",18446744073709551616"
    files["2025Q1/A1.csv"] = "\r\n".join(lines)
    data = run(tmp_path, files)
    assert _codes(data) == [("data.value-too-large", "data/submissions/2025Q1/A1.csv", n, 7)]


_value = st.integers(6, limits.MAX_VALUE)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.lists(_value, min_size=6, max_size=6), form=st.sampled_from(["{}", "{}.0", "0{}", "{}."]))
def test_any_value_accepted_is_published_from_its_exact_value(tmp_path_factory, values, form):
    tmp = tmp_path_factory.mktemp("exact")
    files = base_files()
    cells = [(org, q) for org in ("A1", "B1", "C1") for q in ("2025Q1", "2025Q2")]
    for (org, q), v in zip(cells, values):
        set_value(files, f"{q}/{org}.csv", f"{org},{q},AKL,staff_hours,total,", form.format(v))
    data = run(tmp, files)
    assert not [f for f in data.findings if f.is_error], [f.format() for f in data.findings if f.is_error]
    # any values of three members: one may dominate, which the p % rule would publish as C; this test is
    # about numbers, so the rule is off
    (tmp / "config.yaml").write_text("confidentiality:\n  key: test-key\n  dominance_p: 0\n")
    config = load_config(tmp / "config.yaml")
    register, _ = load_register(config)
    agg = aggregate(data.rows, register, config, H1)
    store = confidentialise(agg, config, "property-key")
    for scope in (NATIONAL, "AKL"):
        got = store.get("staff_hours", scope=scope, period=H1)
        assert got.is_number and int(got.value) == sum(values) and got.value == float(sum(values)), (scope, got)

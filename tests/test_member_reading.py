"""Both CSV readers give identical tables and findings; the fast one is only used where provably exact."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reportgen.at_source import csvread
from reportgen.at_source.csvread import Layout, read_table
from reportgen.at_source.formats import FILES
from reportgen.at_source.problems import Problems

from .member_exports import make_export

LAYOUTS = {name: Layout(lay.required, lay.optional) for name, lay in FILES.items()}


def _read(path, name, careful):
    problems = Problems()
    table = read_table(path, f"{name}.csv", LAYOUTS[name], problems, force_careful=careful)
    got = None if table is None else ({c: a.to_pylist() for c, a in table.cells.items()}, table.lines.tolist())
    return got, [f.format() for f in problems.findings()]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1))
def test_fast_and_careful_readers_agree_on_generated_exports(tmp_path_factory, seed):
    folder = tmp_path_factory.mktemp("read") / "export"
    made = make_export(random.Random(seed), folder)
    if made["mapping"] is not None:
        return  # mapped headers: the layouts here use the contract's names
    for path in folder.glob("*.csv"):
        assert _read(path, path.stem, False) == _read(path, path.stem, True), path.name


def _both(tmp_path, text: bytes, name="sessions"):
    path = tmp_path / f"{name}.csv"
    path.write_bytes(text)
    fast, careful = _read(path, name, False), _read(path, name, True)
    assert fast == careful
    return fast


H = b"session_id,date,region,service_type,client_keys,unidentified"


def test_lines_are_exact_with_crlf_bom_blank_lines_and_quotes(tmp_path):
    text = b"\xef\xbb\xbf\r\n" + H + b"\r\n\r\n" + b'a,2025-01-01,AKL,"x, y",k1,\r\n' + b"\r\n" + \
        b'"b",2025-01-02,WKO,,"k1;k2",1\r\n'
    (cells, lines), findings = _both(tmp_path, text)
    assert lines == [4, 6] and cells["service_type"] == ["x, y", ""] and cells["session_id"] == ["a", "b"]


def test_a_line_break_inside_quotes_uses_the_careful_reader_with_exact_lines(tmp_path, monkeypatch):
    calls = []
    real = csvread._careful
    monkeypatch.setattr(csvread, "_careful", lambda *a, **k: calls.append(1) or real(*a, **k))
    text = H + b'\na,2025-01-01,AKL,"two\nlines",k1,\nb,2025-01-02,WKO,,k2,\n'
    (cells, lines), _ = _read_path(tmp_path, text)
    assert lines == [2, 4] and cells["service_type"] == ["two\nlines", ""] and calls == [1]


def _read_path(tmp_path, text):
    path = tmp_path / "sessions.csv"
    path.write_bytes(text)
    return _read(path, "sessions", False)


def test_header_names_match_without_case_or_spaces_and_extra_columns_warn(tmp_path):
    text = b" Session_ID ,DATE,Region,Worker,client_keys\ns1,2025-01-01,AKL,Mere,k1\n"
    (cells, lines), findings = _both(tmp_path, text)
    assert cells["session_id"] == ["s1"] and lines == [2]
    assert findings == ["sessions.csv:1:4: warning: column 'Worker' is not part of the export format and is ignored "
                        "[member.extra-column]\n    hint: nothing to do: ignored columns are never read and never "
                        "leave the organisation"]


def test_a_repeated_column_is_an_error(tmp_path):
    got, findings = _both(tmp_path, b"session_id,date,region,Date\ns1,2025-01-01,AKL,x\n")
    assert got is None and findings[0].startswith("sessions.csv:1:4: error: column 'Date' appears twice")


def test_rows_of_blank_cells_are_blank_lines_in_both_readers(tmp_path):
    (cells, lines), _ = _both(tmp_path, b"client_key\n \nk1\n\n  \nk2\n", name="clients")
    assert cells["client_key"] == ["k1", "k2"] and lines == [3, 6]
    (cells, lines), _ = _both(tmp_path, H + b"\n,,,,,\ns1,2025-01-01,AKL,,k1,\n")
    assert lines == [3]


def test_short_rows_are_padded_only_when_no_used_field_is_missing(tmp_path):
    (cells, lines), findings = _both(tmp_path, H + b",Worker\ns1,2025-01-01,AKL,,k1,2\n")
    assert cells["unidentified"] == ["2"] and [f.split(": ")[1] for f in findings] == ["warning"]
    got, findings = _both(tmp_path, H + b"\ns1,2025-01-01,AKL,,k1\n")
    assert got is None or findings[0].startswith("sessions.csv:2:6: error: the row has 5 field(s)")

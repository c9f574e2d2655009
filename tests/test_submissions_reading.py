"""Reading everything the contract allows, with exact row numbers, by both readers."""

from __future__ import annotations

import pytest

from reportgen.inputs import submissions
from reportgen.inputs.submissions import CANONICAL_HEADER, _is_fast

from .test_submissions_rules import SUB, _q, base_files, line_of, quarter_text, run

HEADER = CANONICAL_HEADER.decode()


def test_canonical_files_take_the_fast_path_and_others_do_not():
    plain = quarter_text("A1", "2025Q1").encode()
    assert _is_fast(plain)
    assert not _is_fast(b"\xef\xbb\xbf" + plain)  # BOM
    assert not _is_fast(plain.replace(b"\n", b"\r\n"))  # CRLF
    assert not _is_fast(plain.replace(b"A1,2025Q1,AKL,new", b'"A1",2025Q1,AKL,new'))  # quotes
    assert not _is_fast(plain.replace(b"\nA1,2025Q1,AKL,new", b"\n\nA1,2025Q1,AKL,new"))  # blank line
    assert not _is_fast(plain.replace(b"org_id", b"ORG_ID"))  # header case
    assert not _is_fast(plain + b"A1,2025Q1,AKL,sessions,total,,1,200\n")  # an extra field
    assert not _is_fast(plain.replace(b"Q1,AKL,new", "Q1,ĀKL,new".encode()))  # non-ASCII
    assert not _is_fast(CANONICAL_HEADER)  # header only


def test_both_readers_give_identical_rows(tmp_path, monkeypatch):
    fast = run(tmp_path / "fast", base_files())
    monkeypatch.setattr(submissions, "_is_fast", lambda raw: False)
    careful = run(tmp_path / "careful", base_files())
    cols = ["org_id", "period", "region", "measure", "dimension", "category", "value", "file", "line"]
    a = fast.rows[cols].astype(str).values.tolist()
    b = careful.rows[cols].astype(str).values.tolist()
    assert a == b and fast.findings == careful.findings == []


def test_bom_crlf_quotes_case_spacing_order_and_extra_columns(tmp_path):
    files = base_files()
    body = files[_q()].split("\n")[1:]
    rows = ["\ufeff Value ,ORG_ID, Period,REGION,measure,Dimension,category,Notes"]
    for line in body:
        if not line:
            continue
        org, period, region, measure, dim, cat, value = line.split(",")
        rows.append(f'{value},{org.lower()},{period},"{region.lower()} ",{measure.upper()},{dim},{cat},"a, b"')
    files[_q()] = "\r\n".join(rows) + "\r\n"
    data = run(tmp_path, files)
    assert [(f.code, f.line, f.column) for f in data.findings] == [("data.extra-column", 1, 8)]
    assert data.coverage.summary() == "3 of 3 members reported"


def test_row_numbers_are_file_lines_with_blank_lines_and_quoted_newlines(tmp_path):
    files = base_files()
    text = files[_q()]
    text = text.replace("\nA1,2025Q1,AKL,clients,age_band,0_15,", '\n\n\nA1,2025Q1,AKL,clients,age_band,0_15,')
    text = text.replace("A1,2025Q1,AKL,clients,gender,female,", 'A1,2025Q1,AKL,clients,"gen\nder",female,')
    text = text.replace("A1,2025Q1,AKL,sessions,total,,300", "A1,2025Q1,AKL,sessions,total,,3OO")
    files[_q()] = text.replace("\n", "\r\n")
    data = run(tmp_path, files)
    got = {f.code: (f.line, f.column) for f in data.findings if f.is_error}
    # the gender row starts on the line with 'gen'; the value row is counted after the 3-line shift
    assert got["data.unknown-dimension"] == (line_of(text, '"gen'), 5)
    assert got["data.bad-value"] == (line_of(text, ",3OO"), 7)


def test_xlsx_first_sheet_floats_and_blank_rows(tmp_path):
    from openpyxl import Workbook

    files = base_files()
    lines = files.pop(_q()).strip().split("\n")
    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append([h.upper() for h in lines[0].split(",")])
    for n, line in enumerate(lines[1:]):
        cells = line.split(",")
        if n == 3:
            ws.append([None] * 7)
        ws.append(cells[:5] + [cells[5] or None, float(cells[6])])
    target = tmp_path / SUB / "2025Q1" / "A1.xlsx"
    target.parent.mkdir(parents=True)
    wb.save(target)
    data = run(tmp_path, files)
    assert data.findings == []
    xlsx = data.rows[data.rows["file"] == f"{SUB}/2025Q1/A1.xlsx"]
    assert len(xlsx) == 124 and xlsx["line"].max() == 126  # one blank row in the sheet


def test_xlsx_cell_errors_are_findings(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "submission"
    ws.append(list(HEADER.strip().split(",")))
    ws.append(["A1", "2025Q1", "AKL", "clients", "total", None, "=1/0"])
    ws.append(["A1", "2025Q1", "AKL", "new_clients", "total", None, float("nan")])
    files = base_files()
    del files[_q()]
    target = tmp_path / SUB / "2025Q1" / "A1.xlsx"
    target.parent.mkdir(parents=True)
    wb.save(target)
    data = run(tmp_path, files)
    bad = [(f.code, f.line, f.column) for f in data.findings if f.code == "data.bad-value"]
    assert bad == [("data.bad-value", 2, 7), ("data.bad-value", 3, 7)]


def test_repeated_required_column_is_an_error(tmp_path):
    files = base_files()
    files[_q()] = files[_q()].replace(HEADER.strip(), HEADER.strip() + ",value", 1)
    data = run(tmp_path, files)
    assert [(f.code, f.line, f.column) for f in data.findings if f.is_error] == [("data.repeated-column", 1, 8)]


def test_the_tool_never_modifies_input_files(tmp_path):
    files = base_files()
    files[_q()] = files[_q()].replace(",AKL,new", ",AKK,new")
    run(tmp_path, files)
    before = {p: p.read_bytes() for p in (tmp_path / SUB).rglob("*.csv")}
    run(tmp_path, {})
    assert {p: p.read_bytes() for p in (tmp_path / SUB).rglob("*.csv")} == before


@pytest.mark.parametrize("content", [b"\xff\xfe" + "org_id,period".encode("utf-16-le"), b"\x00" * 100,
                                     b"\n\n\n", b'"', b"org_id\n", b"\xef\xbb\xbf"])
def test_odd_files_are_findings_not_crashes(tmp_path, content):
    files = base_files()
    files[_q()] = content
    data = run(tmp_path, files)
    assert any(f.file == f"{SUB}/{_q()}" and f.is_error for f in data.findings)


def test_unbalanced_fields_that_pass_the_fast_check_are_read_carefully(tmp_path):
    files = base_files()
    lines = files[_q()].split("\n")
    long_at, short_at = line_of(files[_q()], ",new_clients,"), line_of(files[_q()], ",sessions,total,")
    lines[long_at - 1] += ",9"  # one field too many …
    lines[short_at - 1] = lines[short_at - 1].replace("total,,", "total,")  # … and one too few
    text = "\n".join(lines)
    assert _is_fast(text.encode())
    files[_q()] = text
    data = run(tmp_path, files)
    got = sorted((f.code, f.line) for f in data.findings if f.code in ("data.long-row", "data.short-row"))
    assert got == [("data.long-row", long_at), ("data.short-row", short_at)]
    assert len(data.rows[data.rows["file"] == f"{SUB}/2025Q1/B1.csv"]) == 124  # the batch's other files

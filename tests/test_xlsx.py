"""The workbook writer, read back with openpyxl (an independent reader)."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from reportgen.datafiles.xlsx import Sheet, workbook


def test_cells_styles_and_views_read_back():
    data = workbook([
        Sheet("notes", [["topic", "note"], ["māori", "Tāmaki Makaurau & <Ōtautahi> \"quoted\" 'x'"],
                        ["control", "bell\x07gone"], ["  spaced  ", ""]], widths={0: 32, 1: 110}),
        Sheet("clients", [["scope", "value", "symbol"], ["NZ", 120, None], ["AKL", 1.5, "S"], ["WGN", -3, ""]],
              freeze_header=True),
    ])
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["notes", "clients"]
    notes = wb["notes"]
    assert [c.value for c in notes[2]] == ["māori", "Tāmaki Makaurau & <Ōtautahi> \"quoted\" 'x'"]
    assert notes["B3"].value == "bellgone"  # a character XML cannot carry is dropped, not an invalid file
    assert notes["A4"].value == "  spaced  " and notes["B4"].value is None
    assert notes["A1"].font.b and not notes["A2"].font.b
    assert notes.column_dimensions["A"].width == 32 and notes.column_dimensions["B"].width == 110
    clients = wb["clients"]
    assert clients.freeze_panes == "A2" and notes.freeze_panes is None
    assert [[c.value for c in row] for row in clients.iter_rows(min_row=2)] == [
        ["NZ", 120, None], ["AKL", 1.5, "S"], ["WGN", -3, None]]
    assert isinstance(clients["B2"].value, int)


def test_same_sheets_same_bytes():
    sheets = [Sheet("a", [["x"], ["y", 2]])]
    assert workbook(sheets) == workbook(sheets)


@pytest.mark.parametrize("names", [["a", "A"], ["x" * 32], ["a/b"]])
def test_bad_sheet_names_are_refused(names):
    with pytest.raises(ValueError):
        workbook([Sheet(n, [["x"]]) for n in names])


def test_title_header_row_freeze_wrap_and_links_read_back():
    data = workbook([
        Sheet("Contents", [["Contents"], ["Pick a sheet."], ["Sheet", "Table"], ["clients", "Clients"]],
              title=True, header_row=3, freeze_header=True, links={"A4": "'clients'!A1"}, wrap={1}),
        Sheet("clients", [["Clients"], ["note"], ["source"], ["Area", "Q1"], ["NZ", 3]], title=True,
              header_row=4, freeze_header=True),
    ])
    wb = load_workbook(io.BytesIO(data))
    contents, clients = wb["Contents"], wb["clients"]
    assert contents["A1"].font.b and contents["A1"].font.sz == 14 and not contents["A2"].font.b
    assert contents["A3"].font.b and contents.freeze_panes == "A4" and clients.freeze_panes == "A5"
    assert contents["A4"].hyperlink.location == "'clients'!A1"
    assert contents["B4"].alignment.wrap_text

"""The published workbook opens cleanly in LibreOffice (headless) as well as openpyxl, and
says on its cover what a release must; the CSVs are self-describing, for the sample and for
generated data with five times the members."""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from reportgen.datafiles.tables import LABEL_HEADER, TABLE_COLUMNS

pytestmark = pytest.mark.slow  # every test reads a built bundle

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_libreoffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed: "
                                                             "run scripts/setup.sh --test")


def soffice(args: list[str], work: Path) -> subprocess.CompletedProcess:
    profile = work / "lo-profile"
    return subprocess.run([SOFFICE, "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}",
                           *args], capture_output=True, text=True, timeout=300, cwd=work)


def convert_every_sheet_to_csv(xlsx: Path, out: Path) -> dict[str, list[list[str]]]:
    """LibreOffice's own reading of the workbook: one UTF-8 CSV per sheet."""
    out.mkdir(parents=True, exist_ok=True)
    # filter options: comma, double quote, UTF-8 (76), from row 1, …, every sheet (-1)
    result = soffice(["--convert-to", 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1',
                      "--outdir", str(out), str(xlsx)], out)
    assert result.returncode == 0, result.stderr
    sheets = {}
    for path in sorted(out.glob(f"{xlsx.stem}-*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            sheets[path.stem.removeprefix(f"{xlsx.stem}-")] = list(csv.reader(fh))
    return sheets


@needs_libreoffice
@pytest.mark.parametrize("bundle_name", ["built_sample", "built_large"])
def test_libreoffice_reads_every_sheet_as_openpyxl_does(request, bundle_name, tmp_path):
    bundle = request.getfixturevalue(bundle_name)
    xlsx = bundle / "tables" / "tables.xlsx"
    sheets = convert_every_sheet_to_csv(xlsx, tmp_path / "csv")
    wb = load_workbook(xlsx)
    assert list(sheets) and set(sheets) == set(wb.sheetnames)
    for name in wb.sheetnames:
        ws = wb[name]
        theirs = [[c for c in row] for row in sheets[name]]
        ours = [["" if v is None else (str(v) if not isinstance(v, float) or not v.is_integer() else str(int(v)))
                 for v in row] for row in ws.iter_rows(values_only=True)]
        width = max(len(r) for r in ours)
        theirs = [(r + [""] * width)[:width] for r in theirs]
        ours = [(r + [""] * width)[:width] for r in ours]
        assert theirs == ours, name
    assert sheets["Cover"][0][0].endswith("published tables, January–June 2025")
    table = next(s for s in wb.sheetnames if s not in ("Cover", "Contents", "Notes"))
    assert sheets[table][3][:6] == LABEL_HEADER


@needs_libreoffice
def test_libreoffice_saves_the_workbook_again_without_repair(built_sample, tmp_path):
    """A round trip through LibreOffice's XLSX filter: a file it had to repair would lose sheets,
    cells, styles or links. (Headless LibreOffice keeps no view settings, so frozen panes are
    checked with openpyxl, in test_tables.py, not here.)"""
    xlsx = built_sample / "tables" / "tables.xlsx"
    copy = tmp_path / "in" / "tables.xlsx"
    copy.parent.mkdir()
    shutil.copy(xlsx, copy)
    result = soffice(["--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(tmp_path / "out"), str(copy)],
                     tmp_path)
    assert result.returncode == 0, result.stderr
    again = load_workbook(tmp_path / "out" / "tables.xlsx")
    original = load_workbook(xlsx)
    assert again.sheetnames == original.sheetnames
    for name in original.sheetnames:
        assert [list(r) for r in again[name].iter_rows(values_only=True)] == \
            [list(r) for r in original[name].iter_rows(values_only=True)], name
    assert again["Cover"]["A1"].font.b and again["Contents"]["A4"].hyperlink is not None


@pytest.mark.parametrize("bundle_name", ["built_sample", "built_large"])
def test_csvs_carry_labels_units_and_a_byte_order_mark(request, bundle_name):
    bundle = request.getfixturevalue(bundle_name)
    for path in sorted((bundle / "tables").glob("*.csv")):
        data = path.read_bytes()
        assert data[:3] == b"\xef\xbb\xbf", path.name
        rows = list(csv.DictReader(data.decode("utf-8-sig").splitlines()))
        assert list(rows[0]) == TABLE_COLUMNS
        assert all(r["unit"] for r in rows) and all(r["measure_label"] for r in rows)


@needs_libreoffice
def test_the_workbook_has_a_title_and_shows_thousands_separators(built_sample, tmp_path):
    """Issue 27: the workbook's title is a document property (what Excel's Info, a file browser and a
    screen reader show), and numbers are formatted with thousands separators — LibreOffice, saving
    the cells as shown, writes "15,048", not "15048"."""
    xlsx = built_sample / "tables" / "tables.xlsx"
    wb = load_workbook(xlsx)
    assert wb.properties.title == wb["Cover"]["A1"].value and "Te Hunga e Tautokona" in wb.properties.title
    sheet = wb["clients"] if "clients" in wb.sheetnames else wb[wb.sheetnames[3]]
    numbers = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, int | float)]
    assert numbers and all(c.number_format.startswith("#,##0") for c in numbers)
    shown = tmp_path / "shown"
    shown.mkdir()
    # as above, but "save cell contents as shown" (the ninth option) on
    result = soffice(["--convert-to", 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1',
                      "--outdir", str(shown), str(xlsx)], shown)
    assert result.returncode == 0, result.stderr
    text = "".join(p.read_text(encoding="utf-8") for p in shown.glob("*.csv"))
    big = [v for c in numbers if isinstance(c.value, int) and (v := c.value) >= 1000]
    assert big and f"{big[0]:,}" in text and f'"{big[0]:,}"' in text  # quoted: the comma is in the number

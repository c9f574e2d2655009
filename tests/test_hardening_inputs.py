"""Issue 25, reading: nothing lost, nothing unbounded, no floods.

Each test builds its hostile input itself: workbooks whose <dimension> lies, whose XML expands far beyond
their size on disk, whose rows are out of order; special files named like submissions (a pipe, a device, a
socket, a folder, links leaving the project); a file of one repeated row; a config whose register makes every
row wrong. Each gives located findings within bounded time and memory, nothing lost and no exit 3.
"""

from __future__ import annotations

import io
import os
import re
import signal
import socket
import time
import tracemalloc
import zipfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from openpyxl import Workbook

from reportgen.core import limits
from reportgen.core.findings import cap, tally
from reportgen.inputs.submissions import REQUIRED

from .test_submissions_rules import SUB, base_files, quarter_text, run

SHEET = "xl/worksheets/sheet1.xml"


# ---- helpers ---------------------------------------------------------------------------------------

def workbook(rows: list[list], *, title: str = "submission") -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def rewrite(data: bytes, edit) -> bytes:
    """The workbook with ``edit(name, body) -> body`` applied to each part (``None``: part dropped)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = edit(info.filename, src.read(info.filename))
            if body is not None:
                dst.writestr(info.filename, body)
    return out.getvalue()


def with_part(data: bytes, name: str, chunks) -> bytes:
    """The workbook with part ``name`` replaced by the bytes ``chunks`` yields, written as a stream
    (a part of hundreds of MiB never sits in memory; deflated, it is a few hundred KiB)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != name:
                dst.writestr(info.filename, src.read(info.filename))
        info = zipfile.ZipInfo(name)
        info.compress_type = zipfile.ZIP_DEFLATED
        with dst.open(info, "w", force_zip64=True) as fh:
            for chunk in chunks:
                fh.write(chunk)
    return out.getvalue()


def a1_rows(org: str = "A1", period: str = "2025Q1") -> list[list]:
    lines = quarter_text(org, period).strip().split("\n")
    rows: list[list] = [lines[0].split(",")]
    for line in lines[1:]:
        cells = line.split(",")
        rows.append(cells[:5] + [cells[5] or None, int(cells[6])])
    return rows


def files_with(name: str, content: bytes, drop: str | None = None) -> dict:
    files = base_files()
    if drop:
        del files[drop]
    files[name] = content
    return files


@contextmanager
def within(seconds: int):
    """Fail (instead of hanging the suite) when the body takes longer than ``seconds``."""
    def alarm(signum, frame):
        raise AssertionError(f"took longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def peak_memory(limit_mib: int):
    """Fail when the body's Python and NumPy allocations peak above ``limit_mib``."""
    tracemalloc.start()
    try:
        yield
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < limit_mib << 20, f"peak {peak / (1 << 20):.0f} MiB"


def codes_at(data, code: str) -> list[tuple]:
    return [(f.file, f.line, f.column) for f in data.findings if f.code == code]


# ---- workbooks: every row read, whatever the dimension says ------------------------------------------

def test_a_dimension_that_stops_at_row_two_loses_no_row(tmp_path):
    """The issue's CAT002.xlsx: <dimension ref="A1:G2"/> above 124 data rows: openpyxl's read-only mode read
    one row and check said nothing. Every row is read, and the lie is a located warning."""
    rows = a1_rows()
    lying = rewrite(workbook(rows), lambda n, b: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:G2"', b)
                    if n == SHEET else b)
    data = run(tmp_path, files_with("2025Q1/A1.xlsx", lying, drop="2025Q1/A1.csv"))
    assert not [f for f in data.findings if f.is_error], [f.format() for f in data.findings]
    xlsx = data.rows[data.rows["file"] == f"{SUB}/2025Q1/A1.xlsx"]
    assert len(xlsx) == len(rows) - 1 == 124
    assert codes_at(data, "data.xlsx-dimension") == [(f"{SUB}/2025Q1/A1.xlsx", 3, None)]
    assert not [f for f in data.findings if f.code == "data.breakdown-not-sent"]  # the misleading warning


def test_a_dimension_that_stops_at_column_b_loses_no_column(tmp_path):
    """Variant: the dimension cuts the columns (A1:B125): the reader would have read two of seven columns."""
    lying = rewrite(workbook(a1_rows()), lambda n, b: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:B125"',
                                                             b) if n == SHEET else b)
    data = run(tmp_path, files_with("2025Q1/A1.xlsx", lying, drop="2025Q1/A1.csv"))
    assert not [f for f in data.findings if f.is_error], [f.format() for f in data.findings]
    assert len(data.rows[data.rows["file"] == f"{SUB}/2025Q1/A1.xlsx"]) == 124
    assert [f.message for f in data.findings if f.code == "data.xlsx-dimension"] == [
        "the worksheet says its cells end at B125, but it has cells across to column G: every row and column was "
        "read"]


def test_the_row_limit_applies_to_the_rows_read_not_the_dimension(tmp_path, monkeypatch):
    """The same trick defeated the 5,000,000-row limit (5,000,100 rows read as 64): the limit, lowered here to
    100, counts the rows there are."""
    monkeypatch.setattr(limits, "SUBMISSION_ROWS", 100)
    lying = rewrite(workbook(a1_rows()), lambda n, b: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:G2"',
                                                             b) if n == SHEET else b)
    data = run(tmp_path, files_with("2025Q1/A1.xlsx", lying, drop="2025Q1/A1.csv"))
    assert codes_at(data, "data.too-large") == [(f"{SUB}/2025Q1/A1.xlsx", 102, None)]


def test_a_row_numbered_a_trillion_is_refused_at_once(tmp_path):
    """Variant: a row numbered 10^12 would make the reader fill in a trillion empty rows (for ever)."""
    def edit(name, body):
        if name != SHEET:
            return body
        return body.replace(b'<row r="125"', b'<row r="1000000000000"').replace(b'r="A125"', b'r="A1000000000000"')
    with within(30):
        data = run(tmp_path, files_with("2025Q1/A1.xlsx", rewrite(workbook(a1_rows()), edit), drop="2025Q1/A1.csv"))
    [f] = [f for f in data.findings if f.code == "data.too-large"]
    assert f.file == f"{SUB}/2025Q1/A1.xlsx" and f.line == 10**12 and "5,000,000 rows" in f.message


@pytest.mark.parametrize("what, edit, message", [
    ("rows out of order", lambda b: b.replace(b'<row r="5"', b'<row r="3"', 1), "row 3 comes after row 4"),
    ("cells out of order", lambda b: b.replace(b'<c r="C5"', b'<c r="A5"', 1), "comes after column"),
])
def test_rows_or_cells_out_of_order_are_errors_not_lost(tmp_path, what, edit, message):
    """openpyxl drops a row whose number is not above the last, and cells left of the last: a located error."""
    bad = rewrite(workbook(a1_rows()), lambda n, b: edit(b) if n == SHEET else b)
    data = run(tmp_path, files_with("2025Q1/A1.xlsx", bad, drop="2025Q1/A1.csv"))
    [f] = [f for f in data.findings if f.code == "data.bad-xlsx"]
    assert f.file == f"{SUB}/2025Q1/A1.xlsx" and message in f.message and f.line in (3, 5)


# ---- workbooks: what they expand to, measured before parsing --------------------------------------------

def _shared(count: int, text: bytes = b"x") -> object:
    yield b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    item = b"<si><t>" + text + b"</t></si>"
    block = item * 10_000
    for _ in range(count // 10_000):
        yield block
    yield b"</sst>"


def test_shared_strings_beyond_the_limit_are_refused_fast_and_small(tmp_path):
    """The issue's 9.9 MB workbook with 968 MB of shared strings took 3 min 25 s and 1.5 GB. A workbook whose
    shared strings expand past 64 MiB is refused, without parsing them, in seconds and a few MiB."""
    text = b"x" * 100
    count = (limits.XLSX_PART_BYTES // len(b"<si><t></t></si>" + text)) + 20_000  # fewer than the count bound
    bomb = with_part(workbook(a1_rows()), "xl/sharedStrings.xml", _shared(count, text))
    assert len(bomb) < 1 << 20  # small on disk
    start = time.perf_counter()
    with within(60), peak_memory(64):
        data = run(tmp_path, files_with("2025Q1/A1.xlsx", bomb, drop="2025Q1/A1.csv"))
    assert time.perf_counter() - start < 30
    [f] = [f for f in data.findings if f.code == "data.workbook-too-big"]
    assert f.file == f"{SUB}/2025Q1/A1.xlsx" and "xl/sharedStrings.xml" in f.message and "64 MiB" in f.message


def test_too_many_shared_strings_are_refused(tmp_path, monkeypatch):
    """Variant: many short texts rather than a large part (the count bound, lowered here to 50,000)."""
    monkeypatch.setattr(limits, "XLSX_SHARED_STRINGS", 50_000)
    bomb = with_part(workbook(a1_rows()), "xl/sharedStrings.xml", _shared(60_000))
    data = run(tmp_path, files_with("2025Q1/A1.xlsx", bomb, drop="2025Q1/A1.csv"))
    assert [f.message for f in data.findings if f.code == "data.workbook-too-big"] == [
        "the workbook has more than 50,000 distinct texts (shared strings)"]


def test_one_cell_of_fifty_million_characters_is_refused_in_the_first_chunk(tmp_path):
    """The issue's 58 KB workbook with one 50 MB cell took 0.7 GB: refused at 32,767 characters (a cell's own
    limit in Excel), reading one MiB of it."""
    def cell():
        yield b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>'
        for _ in range(50):
            yield b"x" * (1 << 20)
        yield b"</t></si></sst>"
    bomb = with_part(workbook(a1_rows()), "xl/sharedStrings.xml", cell())
    with within(30), peak_memory(48):
        data = run(tmp_path, files_with("2025Q1/A1.xlsx", bomb, drop="2025Q1/A1.csv"))
    [f] = [f for f in data.findings if f.code == "data.workbook-too-big"]
    assert "a text of more than 32,767 characters" in f.message


def test_a_long_inline_text_in_the_sheet_is_refused_too(tmp_path):
    """Variant: the long text written inline in the worksheet itself (no shared strings part at all)."""
    def sheet():
        yield (b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
               b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>')
        yield "ā".encode() * 40_000  # 40,000 characters in 80,000 bytes
        yield b"</t></is></c></row></sheetData></worksheet>"
    bomb = with_part(workbook(a1_rows()), SHEET, sheet())
    data = run(tmp_path, files_with("2025Q1/A1.xlsx", bomb, drop="2025Q1/A1.csv"))
    assert [f.code for f in data.findings if (f.file or "").endswith("A1.xlsx")] == ["data.workbook-too-big"]


def test_too_many_sheets_and_a_total_beyond_the_limit_are_refused(tmp_path, monkeypatch):
    wb = Workbook()
    for i in range(limits.XLSX_SHEETS + 1):
        wb.create_sheet(f"s{i}")
    buf = io.BytesIO()
    wb.save(buf)
    data = run(tmp_path / "sheets", files_with("2025Q1/A1.xlsx", buf.getvalue(), drop="2025Q1/A1.csv"))
    assert [f.message for f in data.findings if f.code == "data.workbook-too-big"] == [
        f"the workbook has {limits.XLSX_SHEETS + 2:,} worksheets (at most {limits.XLSX_SHEETS:,})"]
    monkeypatch.setattr(limits, "XLSX_UNCOMPRESSED_BYTES", 1 << 20)  # the 2 GiB bound, lowered to 1 MiB
    big = with_part(workbook(a1_rows()), "xl/media/image1.png", (b"\0" * (1 << 19) for _ in range(3)))
    data = run(tmp_path / "total", files_with("2025Q1/A1.xlsx", big, drop="2025Q1/A1.csv"))
    [f] = [f for f in data.findings if f.code == "data.workbook-too-big"]
    assert "expands to more than 1 MiB" in f.message


def test_a_dtd_in_a_workbook_is_refused_before_any_parser_sees_it(tmp_path):
    """An entity bomb ('billion laughs') in the shared strings: no spreadsheet program writes a DTD."""
    laughs = (b'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
              b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]><sst><si><t>&c;</t></si></sst>')
    bomb = with_part(workbook(a1_rows()), "xl/sharedStrings.xml", iter([laughs]))
    data = run(tmp_path, files_with("2025Q1/A1.xlsx", bomb, drop="2025Q1/A1.csv"))
    [f] = [f for f in data.findings if f.code == "data.bad-xlsx"]
    assert "declares a DTD or entities" in f.message


# ---- special files: never read, never skipped in silence -------------------------------------------------

def _special(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A project whose submissions folder holds one of each special entry; name → what the message says."""
    root = tmp_path / "p"
    run(root, base_files())  # lays the project out (and is clean)
    sub = root / SUB
    outside = tmp_path / "elsewhere.csv"
    outside.write_text(quarter_text("C1", "2024Q4"))
    os.symlink("/dev/zero", sub / "2025Q1" / "zero.csv")
    os.mkfifo(sub / "2025Q1" / "pipe.csv")
    (sub / "dir.csv").mkdir()
    os.symlink(outside, sub / "2025Q1" / "leaves.csv")
    os.symlink(sub / "nothing.csv", sub / "2025Q1" / "dangling.xlsx")
    (sub / "more").mkdir()
    (sub / "more" / "B1.csv").write_text(quarter_text("B1", "2024Q4"))
    os.symlink(sub / "more", sub / "linked")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(sub / "2025Q1" / "sock.csv"))
    sock.close()
    return root, {
        "2025Q1/zero.csv": "a link to /dev/zero, which is a device",
        "2025Q1/pipe.csv": "a named pipe (FIFO)",
        "dir.csv": "a folder named like a data file",
        "2025Q1/leaves.csv": f"a link to {outside}, outside the project",
        "2025Q1/dangling.xlsx": "which does not exist",
        "linked": "a link to the folder",
        "2025Q1/sock.csv": "a socket",
    }


def test_every_special_file_is_a_located_finding_and_nothing_hangs(tmp_path):
    root, expected = _special(tmp_path)
    with within(60):
        data = run(root, {})
    found = {f.file: f.message for f in data.findings if f.code == "data.not-a-file"}
    assert set(found) == {f"{SUB}/{name}" for name in expected}
    for name, words in expected.items():
        assert words in found[f"{SUB}/{name}"], (name, found[f"{SUB}/{name}"])
    assert all(f.severity == "error" for f in data.findings if f.code == "data.not-a-file")
    assert len(data.rows) == 3 * (2 * 124 + 32) + 124  # every real file read (more/B1.csv once), the special ones not


def test_a_file_swapped_for_a_pipe_after_the_listing_is_refused_not_waited_on(tmp_path, monkeypatch):
    """Variant: the folder is listed while the file is a file; by the read it is a named pipe."""
    from reportgen.inputs import submissions

    real = submissions._find

    def swap(folder, roots):
        found = real(folder, roots)
        target = Path(folder) / "2025Q1" / "A1.csv"
        target.unlink()
        os.mkfifo(target)
        return found

    monkeypatch.setattr(submissions, "_find", swap)
    with within(30):
        data = run(tmp_path, base_files())
    assert [(f.file, f.message) for f in data.findings if f.code == "data.not-a-file"] == [
        (f"{SUB}/2025Q1/A1.csv", "this is a named pipe (FIFO)")]


def test_special_files_in_the_check_command_exit_1(tmp_path, capsys):
    from reportgen.cli import main

    root, expected = _special(tmp_path)
    with within(60):
        code = main(["check", "2025H1", "--config", str(root / "config.yaml"), "--format", "json"])
    assert code == 1
    out = capsys.readouterr().out
    assert out.count('"code": "data.not-a-file"') == len(expected)


# ---- no floods ---------------------------------------------------------------------------------------------

def test_a_file_of_one_repeated_row_is_twenty_findings_and_a_count(tmp_path):
    """The issue's 200 MB CSV of one repeated row gave 4,673,280 duplicate-key errors and 1.1 GB of output.
    Here 300,000 rows: twenty located findings, one line with the count, in seconds."""
    row = "A1,2025Q1,AKL,clients,total,,12\n"
    flood = (",".join(REQUIRED) + "\n" + row * 300_000).encode()
    start = time.perf_counter()
    data = run(tmp_path, files_with("2025Q1/FLOOD.csv", flood))
    assert time.perf_counter() - start < 60
    dups = [f for f in data.findings if f.code == "data.duplicate-key"]
    assert len([f for f in dups if not f.omitted]) == limits.FINDINGS_PER_FILE
    assert {f.file for f in dups} == {f"{SUB}/2025Q1/FLOOD.csv"}
    assert tally(dups) == (300_000, 0)  # every repeat of A1.csv's row counted, twenty of them listed
    shown = cap(data.findings)
    assert len(shown) < 100 and sum(len(f.format()) for f in shown) < 50_000


def test_floods_in_many_files_are_capped_per_run_too(tmp_path):
    """Variant: the flood spread over 40 files (20 listed in each would be 800): 200 per run, then one line."""
    files = base_files()
    for i in range(40):
        files[f"flood/F{i}.csv"] = ",".join(REQUIRED) + "\n" + f"A1,2025Q1,AKL,clients,total,,x{i}\n" * 50
    data = run(tmp_path, files)
    bad = [f for f in data.findings if f.code == "data.bad-value"]
    assert tally(bad) == (2_000, 0)
    shown = [f for f in cap(data.findings) if f.code == "data.bad-value"]
    assert len([f for f in shown if not f.omitted]) == limits.FINDINGS_PER_CODE
    [summary] = [f for f in shown if f.omitted]
    assert summary.omitted == 1_800 and "in 40 files" in summary.message


def test_a_wide_header_is_one_finding_not_one_per_column(tmp_path):
    """The issue's 100,000-column header gave 100,000 warnings: past 16,384 columns (Excel's own limit) the file
    is one data.too-large; below it (variant: 10,000 extra columns) the extras are one warning."""
    rows = quarter_text("A1", "2025Q1").split("\n")
    wide = [rows[0] + "".join(f",x{i}" for i in range(100_000))] + rows[1:]
    data = run(tmp_path / "wide", files_with("2025Q1/A1.csv", "\n".join(wide)))
    assert [(f.code, f.line) for f in data.findings if (f.file or "").endswith("A1.csv") and f.line == 1] == [
        ("data.too-large", 1)]
    some = [rows[0] + "".join(f",x{i}" for i in range(10_000))] + rows[1:]
    data = run(tmp_path / "some", files_with("2025Q1/A1.csv", "\n".join(some)))
    [f] = [f for f in data.findings if f.code == "data.extra-column"]
    assert (f.line, f.column) == (1, 8) and "and 9,988 more are not in the contract" in f.message


def test_a_register_that_is_not_a_register_is_one_finding_at_the_setting(tmp_path):
    """The issue: data.members pointing at an unusable file gave 74,700 'unknown member' errors. Now one
    finding, at data.members in config.yaml, and no unknown member."""
    run(tmp_path, base_files())
    config = tmp_path / "config.yaml"
    config.write_text("confidentiality:\n  key: test-key\ndata:\n  members: data/submissions/2025Q1/A1.csv\n")
    from reportgen.core.config import load_config
    from reportgen.core.periods import Period
    from reportgen.inputs.register import load_register
    from reportgen.inputs.submissions import load_submissions
    from reportgen.inputs.validate import validate

    cfg = load_config(config)
    register, problems = load_register(cfg)
    data = validate(load_submissions(cfg), register, cfg, Period.parse("2025H1"))
    errors = problems + [f for f in data.findings if f.is_error]
    assert [(f.code, f.file, f.line, f.column) for f in errors] == [
        ("register.missing-column", str(config), 4, 12)]
    assert "data/submissions/2025Q1/A1.csv" in errors[0].message


def test_an_old_register_that_matches_no_member_is_one_finding(tmp_path):
    """Variant: data.members names a readable register of other members (an old one): one data.register-mismatch,
    not one unknown member per row."""
    run(tmp_path, base_files())
    (tmp_path / "data" / "old.csv").write_text("org_id,name,network,regions,active_from,active_to\n"
                                              "Z9,Old,Other,AKL,2020Q1,\n")
    config = tmp_path / "config.yaml"
    config.write_text("confidentiality:\n  key: test-key\ndata:\n  members: data/old.csv\n")
    from reportgen.core.config import load_config
    from reportgen.core.periods import Period
    from reportgen.inputs.register import load_register
    from reportgen.inputs.submissions import load_submissions
    from reportgen.inputs.validate import validate

    cfg = load_config(config)
    register, _ = load_register(cfg)
    data = validate(load_submissions(cfg), register, cfg, Period.parse("2025H1"))
    assert [(f.code, f.line, f.column) for f in data.findings if f.is_error] == [("data.register-mismatch", 4, 12)]
    assert "none of the 3 org_ids" in data.findings[0].message

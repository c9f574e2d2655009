"""Issue 25, the member tool: data outside the quarters asked for never blocks; a member with no activity sends a
nil return; special files in the export are findings; messages name columns as the export names them."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import pytest

from reportgen.cli import main

from .test_member_bad_input import CLIENTS, SESSIONS, export, located
from .test_submissions_rules import MEMBERS

HEADER = "org_id,period,region,measure,dimension,category,value\n"


def aggregate(tmp_path: Path, capsys, folder: Path, *extra: str, first: str = "2025Q1", last: str = "2025Q2"):
    out = tmp_path / "out"
    code = main(["member", "aggregate", str(folder), "--org", "MET001", "--from", first, "--to", last,
                 "--out", str(out), *extra])
    return code, capsys.readouterr().err, out


# ---- data outside the quarters asked for ----------------------------------------------------------------

def test_a_birth_after_a_lead_in_session_is_a_warning_and_the_files_are_written(tmp_path, capsys):
    """The issue: a large member's export was refused for 35 member.born-after-session errors, every one about a
    session in the lead-in quarter, which is not counted. Client A1 is born 2025-01-05; their 2024-12-10
    session is outside 2025Q1–Q2, their 2025-01-10 session is counted and after the birth."""
    sessions = SESSIONS + "s0,2024-12-10,AKL,,A1,0\n"
    folder = export(tmp_path, clients=CLIENTS.replace("1980-05-01", "2025-01-05"), sessions=sessions)
    code, err, out = aggregate(tmp_path, capsys, folder)
    assert code == 0, err
    assert located(err, "member.born-after-uncounted-session") == ["clients.csv:2:2"]
    assert "born-after-session]" not in err
    assert ("the date of birth 2025-01-05 is after this client's first session (2024-12-10), which is outside the "
            "quarters asked for") in err
    assert (out / "2025Q1" / "MET001.csv").is_file()


@pytest.mark.parametrize("clients, sessions, where", [
    # a year of birth after a lead-in session (the year counted is the later session's)
    ("client_key,birth_year\nA1,2025\nB2,\n", SESSIONS + "s0,2024-11-01,AKL,,A1,0\n", "clients.csv:2:2"),
    # a birth after a session that comes after the range, for a client with no session in it
    (CLIENTS + "C3,2025-09-01,,,\n", SESSIONS + "s9,2025-08-01,AKL,,C3,0\n", "clients.csv:4:2"),
])
def test_variants_outside_the_range_are_warnings(tmp_path, capsys, clients, sessions, where):
    code, err, _ = aggregate(tmp_path, capsys, export(tmp_path, clients=clients, sessions=sessions))
    assert code == 0, err
    assert located(err, "member.born-after-uncounted-session") == [where]


def test_a_birth_after_a_counted_session_is_still_an_error(tmp_path, capsys):
    """The counted session: the age counted would be wrong, so nothing is written."""
    sessions = SESSIONS + "s0,2024-12-10,AKL,,A1,0\n"
    folder = export(tmp_path, clients=CLIENTS.replace("1980-05-01", "2025-01-11"), sessions=sessions)
    code, err, out = aggregate(tmp_path, capsys, folder)
    assert code == 1 and located(err, "member.born-after-session") == ["clients.csv:2:2"]
    assert "first session in the quarters asked for (2025-01-10)" in err and not out.exists()


# ---- a nil return ------------------------------------------------------------------------------------------

def test_a_nil_return_is_sent_and_the_federation_reads_it_as_one(tmp_path, capsys):
    """The issue: a header-only sessions.csv (a member with no activity) became member.nothing-to-send, so a nil
    return could not be sent. It is written (one header-only file per period), said in the page and the manifest,
    and the federation's check reads the files as a nil return, not as a missing one."""
    folder = export(tmp_path, sessions=SESSIONS.split("\n")[0] + "\n", needs=None, assessments=None, hours=None)
    code, err, out = aggregate(tmp_path, capsys, folder)
    assert code == 0, err
    assert located(err, "member.nil-return") == ["sessions.csv"]
    files = {p.relative_to(out).as_posix(): p.read_text() for p in out.rglob("*.csv")}
    assert files == {f"{q}/MET001.csv": HEADER for q in ("2025Q1", "2025Q2", "2025H1")}
    manifest = json.loads(next(out.glob("manifest-*.json")).read_text())
    assert manifest["nil_return"] is True and [f["rows"] for f in manifest["files"]] == [0, 0, 0]
    assert "A nil return." in next(out.glob("what-leaves-*.html")).read_text()
    # the federation's side: the files are read, each a nil-return warning, no error
    from .test_submissions_rules import run

    project = tmp_path / "federation"
    data = run(project, {f"{q}/MET001.csv": HEADER for q in ("2025Q1", "2025Q2")})
    nil = [f for f in data.findings if f.code == "data.no-rows"]
    assert len(nil) == 2 and all("a nil return" in f.message for f in nil)
    assert MEMBERS  # (the federation's register, from the rules tests)


def test_hours_without_sessions_are_not_a_nil_return(tmp_path, capsys):
    """Variant: no session but staff hours in the range: there is activity to send, so no nil return."""
    folder = export(tmp_path, sessions=SESSIONS.split("\n")[0] + "\n", needs=None, assessments=None)
    code, err, out = aggregate(tmp_path, capsys, folder)
    assert code == 0, err
    assert "member.nil-return" not in err
    assert "staff_hours,total,,8" in (out / "2025Q1" / "MET001.csv").read_text()


# ---- special files ------------------------------------------------------------------------------------------

def test_a_named_pipe_needs_csv_is_an_error_not_skipped(tmp_path, capsys):
    """The issue: the member tool skipped a named-pipe needs.csv and still wrote its files (without the need
    breakdown: a different submission, in silence)."""
    folder = export(tmp_path, needs=None)
    os.mkfifo(folder / "needs.csv")
    code, err, out = aggregate(tmp_path, capsys, folder)
    assert code == 1 and located(err, "member.not-a-file") == ["needs.csv"]
    assert "'needs.csv' is a named pipe (FIFO)" in err and not out.exists()


def test_other_special_files_in_the_export_are_errors(tmp_path, capsys):
    """Variants: a link to /dev/zero, a folder, a socket, a link out of the export folder, a broken link."""
    folder = export(tmp_path, hours=None, assessments=None)
    os.symlink("/dev/zero", folder / "hours.csv")
    (folder / "old.csv").mkdir()
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(folder / "sock.csv"))
    sock.close()
    outside = tmp_path / "elsewhere.csv"
    outside.write_text("client_key,date,domain,rating\n")
    os.symlink(outside, folder / "assessments.csv")
    os.symlink(folder / "gone.csv", folder / "broken.csv")
    code, err, out = aggregate(tmp_path, capsys, folder)
    assert code == 1 and not out.exists()
    assert sorted(located(err, "member.not-a-file")) == ["assessments.csv", "broken.csv", "hours.csv", "old.csv",
                                                         "sock.csv"]
    assert "'hours.csv' is a link to /dev/zero, which is a device" in err
    assert f"'assessments.csv' is a link to {outside}, outside the export folder" in err


# ---- column names in messages ----------------------------------------------------------------------------------

MAPPING = "columns:\n  sessions: {date: SessionDate}\n"


def test_a_message_names_the_column_as_the_export_names_it(tmp_path, capsys):
    """The issue: messages gave a column as a number (sessions.csv:3:2) where the member's own name would help."""
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(MAPPING)
    sessions = SESSIONS.replace("session_id,date,", "session_id,SessionDate,").replace("2025-02-11", "2025-13-11")
    code, err, _ = aggregate(tmp_path, capsys, export(tmp_path, sessions=sessions), "--mapping", str(mapping))
    assert code == 1
    assert ("sessions.csv:3:2: error: '2025-13-11' is not a date (column 'SessionDate', the format's date) "
            "[member.bad-date]") in err


def test_an_unmapped_column_and_a_summary_line_are_named_too(tmp_path, capsys):
    """Variant: the export uses the format's own name (said once, not twice), and the line that counts the rest
    of a repeated problem names the column as well."""
    rows = "".join(f"x{i},2025-02-30,AKL,,A1,0\n" for i in range(30))
    code, err, _ = aggregate(tmp_path, capsys, export(tmp_path, sessions=SESSIONS + rows))
    assert code == 1
    assert "'2025-02-30' is not a date (column 'date') [member.bad-date]" in err
    assert "… and 10 more like this in sessions.csv, column 'date' (not shown)" in err


def test_problems_in_rows_outside_the_range_that_change_nothing_sent_are_warnings(tmp_path, capsys):
    """Variant of "data outside the quarters never blocks": an unknown region and a bad number in an hours row of
    the lead-in quarter, an unknown need before the range, a session of the next quarter with an unknown service
    type and no attendee. None of them is counted: warnings, and the files are written; the same problems
    inside the range are errors."""
    hours = "date,region,kind,hours\n2025-01-06,AKL,paid,7.5\n2024-12-02,Akland,paid,-3\n"
    needs = "client_key,date,need\nA1,2025-01-10,food\nA1,2024-11-01,fodo\n"
    sessions = SESSIONS + "s9,2025-07-02,AKL,counseling,,0\n"
    code, err, out = aggregate(tmp_path, capsys, export(tmp_path, hours=hours, needs=needs, sessions=sessions))
    assert code == 0, err
    assert sorted(located(err, "member.uncounted-row")) == ["hours.csv:3:2", "hours.csv:3:4", "needs.csv:3:3",
                                                            "sessions.csv:4:4", "sessions.csv:4:5"]
    assert "'Akland' is not a region code" in err and "it is not counted, so nothing sent depends on it" in err
    assert (out / "2025Q1" / "MET001.csv").is_file()
    inside = hours.replace("2024-12-02", "2025-02-03")
    code, err, _ = aggregate(tmp_path / "in", capsys, export(tmp_path / "in", hours=inside))
    assert code == 1 and sorted(located(err, "member.unknown-code") + located(err, "member.bad-number")) == [
        "hours.csv:3:2", "hours.csv:3:4"]


def test_a_session_region_outside_the_range_is_still_an_error(tmp_path, capsys):
    """The region of a session of any date can carry an outcome (its last session before an assessment), so an
    unknown region is an error even outside the quarters asked for."""
    code, err, _ = aggregate(tmp_path, capsys, export(tmp_path, sessions=SESSIONS + "s0,2024-12-10,Akland,,A1,0\n"))
    assert code == 1 and located(err, "member.unknown-code") == ["sessions.csv:4:3"]

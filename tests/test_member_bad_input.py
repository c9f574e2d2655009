"""Bad exports: each gives a located finding (code, file, line, column), exit 1, no traceback, nothing written."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from reportgen.cli import main

CLIENTS = "client_key,birth_date,gender,ethnicity,first_service_date\nA1,1980-05-01,female,maori,\nB2,,male,,\n"
SESSIONS = ("session_id,date,region,service_type,client_keys,unidentified\n"
            "s1,2025-01-10,AKL,food_support,A1;B2,0\n"
            "s2,2025-02-11,WKO,,A1,2\n")
NEEDS = "client_key,date,need\nA1,2025-01-10,food\n"
ASSESSMENTS = "client_key,date,domain,rating\nA1,2025-01-10,housing,2\nA1,2025-03-01,housing,4\n"
HOURS = "date,region,kind,hours\n2025-01-06,AKL,paid,7.5\n"


def export(root: Path, **files: str | bytes | None) -> Path:
    folder = root / "export"
    folder.mkdir(parents=True, exist_ok=True)
    base = {"clients": CLIENTS, "sessions": SESSIONS, "needs": NEEDS, "assessments": ASSESSMENTS, "hours": HOURS}
    base.update(files)
    for name, text in base.items():
        if text is None:
            continue
        data = text if isinstance(text, bytes) else text.encode("utf-8")
        (folder / f"{name}.csv").write_bytes(data)
    return folder


def run(tmp_path: Path, capsys, folder: Path, *extra: str) -> tuple[int, str, Path]:
    out = tmp_path / "out"
    code = main(["member", "aggregate", str(folder), "--org", "MET001", "--from", "2025Q1", "--to", "2025Q2",
                 "--out", str(out), *extra])
    err = capsys.readouterr().err
    return code, err, out


def located(err: str, code: str) -> list[str]:
    """The location part ('file:line:col') of each printed finding with ``code``."""
    return [line.split(": ")[0] for line in err.splitlines() if line.endswith(f"[{code}]")]


def refused(tmp_path, capsys, folder, code: str, where: str, *extra: str) -> str:
    rc, err, out = run(tmp_path, capsys, folder, *extra)
    assert rc == 1, err
    assert "Traceback" not in err
    assert where in located(err, code), err
    assert "Nothing was written" in err
    assert not out.exists() or not any(out.iterdir())
    return err


def test_the_base_export_is_fine(tmp_path, capsys):
    rc, err, out = run(tmp_path, capsys, export(tmp_path))
    assert rc == 0, err
    assert (out / "2025Q1" / "MET001.csv").is_file() and (out / "2025H1" / "MET001.csv").is_file()


def test_missing_required_column(tmp_path, capsys):
    folder = export(tmp_path, sessions=SESSIONS.replace(",region,", ",office,"))
    err = refused(tmp_path, capsys, folder, "member.missing-column", "sessions.csv:1")
    assert "required column 'region' is missing" in err


def test_missing_mapped_column(tmp_path, capsys):
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("columns:\n  sessions: {region: Office}\n", encoding="utf-8")
    err = refused(tmp_path, capsys, export(tmp_path), "member.missing-column", "sessions.csv:1",
                  "--mapping", str(mapping))
    assert "column 'Office' (the mapping file's name for region) is not in the header" in err


def test_duplicate_client_key(tmp_path, capsys):
    folder = export(tmp_path, clients=CLIENTS + "A1,1990-01-01,male,,\n")
    err = refused(tmp_path, capsys, folder, "member.duplicate-client-key", "clients.csv:4:1")
    assert "'A1' appears twice (first on line 2)" in err


def test_duplicate_session_id(tmp_path, capsys):
    folder = export(tmp_path, sessions=SESSIONS + "s1,2025-03-01,AKL,,B2,\n")
    refused(tmp_path, capsys, folder, "member.duplicate-session-id", "sessions.csv:4:1")


@pytest.mark.parametrize("text,hint", [("2025-02-30", "February has 28 days"),
                                       ("30/03/2025", "2025-03-30"),
                                       ("2025-13-01", "no month 13"),
                                       ("2025-3-1", "2025-03-01")])
def test_impossible_or_non_iso_dates(tmp_path, capsys, text, hint):
    folder = export(tmp_path, sessions=SESSIONS.replace("2025-02-11", text))
    err = refused(tmp_path, capsys, folder, "member.bad-date", "sessions.csv:3:2")
    assert f"'{text}' is not a date" in err and hint in err


def test_bad_date_in_an_optional_column(tmp_path, capsys):
    folder = export(tmp_path, clients=CLIENTS.replace("B2,,male,,", "B2,,male,,2024-02-30"))
    refused(tmp_path, capsys, folder, "member.bad-date", "clients.csv:3:5")


def test_session_with_no_attendee(tmp_path, capsys):
    folder = export(tmp_path, sessions=SESSIONS + "s3,2025-03-01,AKL,,,\n")
    refused(tmp_path, capsys, folder, "member.no-attendee", "sessions.csv:4:5")


def test_attendee_not_in_clients(tmp_path, capsys):
    folder = export(tmp_path, sessions=SESSIONS.replace("A1;B2", "A1;Z9"))
    err = refused(tmp_path, capsys, folder, "member.unknown-client", "sessions.csv:2:5")
    assert "client_key 'Z9' is not in clients.csv" in err


def test_need_or_assessment_of_an_unknown_client(tmp_path, capsys):
    folder = export(tmp_path, needs=NEEDS + "Q7,2025-01-10,food\n")
    refused(tmp_path, capsys, folder, "member.unknown-client", "needs.csv:3:1")


@pytest.mark.parametrize("rating,why", [("6", "outside 1–5"), ("0", "outside 1–5"), ("2.5", "not a whole number"),
                                        ("good", "not a number")])
def test_ratings_outside_one_to_five_or_not_whole(tmp_path, capsys, rating, why):
    folder = export(tmp_path, assessments=ASSESSMENTS.replace("housing,4", f"housing,{rating}"))
    err = refused(tmp_path, capsys, folder, "member.bad-rating", "assessments.csv:3:4")
    assert why in err


def test_unknown_code_with_the_nearest_suggested(tmp_path, capsys):
    folder = export(tmp_path, clients=CLIENTS.replace("female", "femail"))
    err = refused(tmp_path, capsys, folder, "member.unknown-code", "clients.csv:2:3")
    assert "'femail' is not a gender code" in err and "did you mean 'female'?" in err


def test_unknown_code_after_mapping(tmp_path, capsys):
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text('codes:\n  region: {"Auckland office": AKL}\n', encoding="utf-8")
    folder = export(tmp_path, sessions=SESSIONS.replace(",AKL,", ",Auckland office,").replace(",WKO,", ",Hamilton,"))
    err = refused(tmp_path, capsys, folder, "member.unknown-code", "sessions.csv:3:3", "--mapping", str(mapping))
    assert "'Hamilton' is not a region code and the mapping file does not map it" in err


def test_unknown_code_in_a_list(tmp_path, capsys):
    folder = export(tmp_path, clients=CLIENTS.replace("maori", "maori;asain"))
    err = refused(tmp_path, capsys, folder, "member.unknown-code", "clients.csv:2:4")
    assert "'asain' is not an ethnicity code" in err


@pytest.mark.parametrize("file,old,new,where", [
    ("hours", "7.5", "-3", "hours.csv:2:4"),
    ("hours", "7.5", "seven", "hours.csv:2:4"),
    ("hours", "7.5", "1,200", "hours.csv:2:4"),
    ("sessions", ",A1,2\n", "-1", "sessions.csv:3:6"),
    ("sessions", ",A1,2\n", "1.5", "sessions.csv:3:6"),
    ("sessions", ",A1,2\n", "two", "sessions.csv:3:6"),
    ("sessions", ",A1,2\n", "99999999999999999999999", "sessions.csv:3:6"),
    ("hours", "7.5", "1" + "0" * 400, "hours.csv:2:4"),
])
def test_negative_or_non_numeric_hours_or_unidentified(tmp_path, capsys, file, old, new, where):
    base = {"hours": HOURS, "sessions": SESSIONS}[file]
    value = f'"{new}"' if "," in new else new
    text = base.replace(old, f",A1,{value}\n" if file == "sessions" else value)
    refused(tmp_path, capsys, export(tmp_path, **{file: text}), "member.bad-number", where)


def test_latin1_file(tmp_path, capsys):
    latin = "client_key,birth_date,gender,ethnicity,first_service_date,name\nA1,1980-05-01,female,maori,,Zoë\n" \
            "B2,,male,,,Renée\n"
    folder = export(tmp_path, clients=latin.encode("latin-1"))
    err = refused(tmp_path, capsys, folder, "member.not-utf8", "clients.csv:2:6")
    assert "not UTF-8" in err and "0xEB" in err


def test_binary_file(tmp_path, capsys):
    folder = export(tmp_path, hours=b"PK\x03\x04\x00\x00binary")
    refused(tmp_path, capsys, folder, "member.not-text", "hours.csv:1")


def test_header_only_optional_file_sends_zeros_with_a_warning(tmp_path, capsys):
    folder = export(tmp_path, hours="date,region,kind,hours\n")
    rc, err, out = run(tmp_path, capsys, folder)
    assert rc == 0, err
    assert "hours.csv" in located(err, "member.no-rows")
    rows = (out / "2025Q1" / "MET001.csv").read_text().splitlines()
    assert "MET001,2025Q1,AKL,staff_hours,total,,0" in rows and "MET001,2025Q1,WKO,volunteer_hours,total,,0" in rows


def test_header_only_sessions_is_a_nil_return(tmp_path, capsys):
    """A member with no activity (issue 25): a header-only sessions.csv is a warning and a nil return, one file
    per period with the header only, never member.nothing-to-send."""
    folder = export(tmp_path, sessions="session_id,date,region,service_type,client_keys,unidentified\n",
                    hours=None, needs=None, assessments=None)
    rc, err, out = run(tmp_path, capsys, folder)
    assert rc == 0, err
    assert "sessions.csv" in located(err, "member.no-rows") and "sessions.csv" in located(err, "member.nil-return")
    assert "warning: sessions.csv has a header and no rows" in err and "nothing-to-send" not in err
    for period in ("2025Q1", "2025Q2", "2025H1"):
        assert (out / period / "MET001.csv").read_text() == "org_id,period,region,measure,dimension,category,value\n"


def test_activity_only_outside_the_range_is_nothing_to_send(tmp_path, capsys):
    """Sessions, but none in the quarters asked for: most likely a wrong --from/--to, so still refused, with the
    dates the export covers and how to make a nil return."""
    folder = export(tmp_path, hours=None, needs=None, assessments=None)
    out = tmp_path / "out"
    code = main(["member", "aggregate", str(folder), "--org", "MET001", "--from", "2025Q3", "--to", "2025Q4",
                 "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 1 and "sessions.csv" in located(err, "member.nothing-to-send")
    assert "run from 2025-01-10 to 2025-02-11" in err and "nil return" in err


def test_a_field_of_millions_of_characters(tmp_path, capsys):
    huge = "A1;" + "x" * 3_000_000
    folder = export(tmp_path, sessions=SESSIONS.replace("A1;B2", huge))
    err = refused(tmp_path, capsys, folder, "member.field-too-long", "sessions.csv:2:5")
    assert "3,000,003 characters" in err
    assert len(err) < 20_000


def test_a_file_that_is_too_large(tmp_path, capsys, monkeypatch):
    from reportgen.at_source import csvread

    monkeypatch.setattr(csvread, "MAX_FILE_BYTES", 100)
    refused(tmp_path, capsys, export(tmp_path), "member.file-too-large", "sessions.csv")


def test_an_unclosed_quote(tmp_path, capsys):
    folder = export(tmp_path, sessions=SESSIONS.replace("s2,2025-02-11,WKO,,A1,2", 's2,2025-02-11,WKO,"food,A1,2'))
    err = refused(tmp_path, capsys, folder, "member.short-row", "sessions.csv:3:5")
    assert "never closed" in err


def test_an_empty_folder(tmp_path, capsys):
    folder = tmp_path / "empty"
    folder.mkdir()
    err = refused(tmp_path, capsys, folder, "member.missing-file", "clients.csv")
    assert "sessions.csv" in located(err, "member.missing-file")


def test_an_empty_file(tmp_path, capsys):
    refused(tmp_path, capsys, export(tmp_path, needs=""), "member.empty-file", "needs.csv")


def test_born_after_the_first_session(tmp_path, capsys):
    folder = export(tmp_path, clients=CLIENTS.replace("1980-05-01", "2025-01-11"))
    refused(tmp_path, capsys, folder, "member.born-after-session", "clients.csv:2:2")


def test_all_problems_in_one_run(tmp_path, capsys):
    folder = export(tmp_path, clients=CLIENTS.replace("female", "femail") + "B2,,,,\n",
                    sessions=SESSIONS.replace("2025-02-11", "2025-02-30").replace("A1;B2", "A1;ZZ"),
                    hours=HOURS.replace("7.5", "-1"), assessments=ASSESSMENTS.replace("housing,4", "housing,9"))
    rc, err, _ = run(tmp_path, capsys, folder)
    assert rc == 1
    for code in ("member.unknown-code", "member.duplicate-client-key", "member.bad-date", "member.unknown-client",
                 "member.bad-number", "member.bad-rating"):
        assert located(err, code), code


def test_many_bad_rows_are_summarised(tmp_path, capsys):
    rows = "".join(f"x{i},2025-02-30,AKL,,,1\n" for i in range(500))
    folder = export(tmp_path, sessions=SESSIONS + rows)
    rc, err, _ = run(tmp_path, capsys, folder)
    assert rc == 1
    assert len(located(err, "member.bad-date")) == 21  # 20 shown, then one "… and 480 more"
    assert "… and 480 more like this in sessions.csv, column 'date'" in err  # named as the export names it


def test_the_export_is_never_modified(tmp_path, capsys):
    folder = export(tmp_path, clients=CLIENTS.replace("female", "femail"))
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.iterdir()}
    run(tmp_path, capsys, folder)
    run(tmp_path, capsys, export(tmp_path / "ok"))
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.iterdir()} == before


def test_out_inside_the_export_is_a_usage_error(tmp_path, capsys):
    folder = export(tmp_path)
    code = main(["member", "aggregate", str(folder), "--org", "MET001", "--from", "2025Q1", "--to", "2025Q2",
                 "--out", str(folder / "out")])
    assert code == 2 and not (folder / "out").exists()
    assert "inside the export folder" in capsys.readouterr().err


@pytest.mark.parametrize("args,message", [
    (["--from", "2025Q3", "--to", "2025Q2"], "before --from"),
    (["--from", "2025H1", "--to", "2025Q2"], "is a half-year"),
    (["--from", "2025Q5", "--to", "2025Q2"], "is not a quarter"),
])
def test_bad_ranges_are_usage_errors(tmp_path, capsys, args, message):
    code = main(["member", "aggregate", str(export(tmp_path)), "--org", "MET001", *args, "--out", str(tmp_path / "o")])
    assert code == 2 and message in capsys.readouterr().err


def test_a_bad_org_id_is_a_usage_error(tmp_path, capsys):
    code = main(["member", "aggregate", str(export(tmp_path)), "--org", "MET 001", "--from", "2025Q1", "--to",
                 "2025Q1", "--out", str(tmp_path / "o")])
    assert code == 2 and "is not an org id" in capsys.readouterr().err


def test_a_missing_export_folder_is_a_usage_error(tmp_path, capsys):
    code = main(["member", "aggregate", str(tmp_path / "nope"), "--org", "MET001", "--from", "2025Q1", "--to",
                 "2025Q1", "--out", str(tmp_path / "o")])
    assert code == 2


def test_in_a_real_process_there_is_no_traceback(tmp_path):
    folder = export(tmp_path, sessions=SESSIONS.replace("2025-02-11", "30/03/2025"),
                    clients=b"client_key,name\nA1,Zo\xeb\n")
    proc = subprocess.run([sys.executable, "-m", "reportgen", "member", "aggregate", str(folder), "--org", "MET001",
                           "--from", "2025Q1", "--to", "2025Q2", "--out", str(tmp_path / "out")],
                          capture_output=True, text=True)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr and "sessions.csv:3:2: error" in proc.stderr
    assert "clients.csv:2:2: error" in proc.stderr
    assert not (tmp_path / "out").exists()

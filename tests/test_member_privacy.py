"""Nothing that identifies a person, a session, a date or a place on disk leaves the member."""

from __future__ import annotations

import datetime as dt
import random
import re
from pathlib import Path

from reportgen.cli import main

ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
DMY = re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b")


def distinctive_export(folder: Path, rnd: random.Random) -> dict[str, set[str]]:
    """An export full of identifiers nobody would write by chance; returns them by kind."""
    folder.mkdir(parents=True)
    secret: dict[str, set[str]] = {"keys": set(), "sessions": set(), "dates": set(), "names": set(), "paths": set(),
                                   "notes": set()}
    first_names = ["Wiremu", "Aroha", "Mere", "Hēmi", "Losaline", "Priya", "Zoë"]
    lines = ["ClientRef,DOB,Sex,Ethnic,FirstSeen,FullName,Address,Notes"]
    keys = []
    for i in range(120):
        key = f"CK-zz91-{i:04d}-{rnd.randrange(16**6):06x}"
        keys.append(key)
        born = dt.date(1940, 1, 1) + dt.timedelta(days=rnd.randrange(25000))
        first = dt.date(2023, 1, 1) + dt.timedelta(days=rnd.randrange(700))
        name = f"{rnd.choice(first_names)} Qxv{i:03d}son"
        path = f"C:\\Users\\officer-{i:03d}\\Case Files\\{key}.docx"
        note = f"confidential-note-{i:03d}: disclosed family violence"
        lines.append(f'{key},{born.isoformat()},{rnd.choice("FMXU")},{rnd.choice(["maori", "european|pacific", ""])},'
                     f'{first.isoformat() if rnd.random() < 0.5 else ""},"{name}","12 Secret St, Kirikiriroa","{note}"')
        secret["keys"].add(key)
        secret["dates"] |= {born.isoformat(), first.isoformat()}
        secret["names"].add(name)
        secret["paths"].add(path)
        secret["notes"].add(note)
    (folder / "clients.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    lines = ["SessionNo,When,Office,Service,Attendees,Unnamed,Worker,File"]
    for i in range(600):
        sid = f"SID-qq77-{i:05d}"
        day = dt.date(2024, 10, 1) + dt.timedelta(days=rnd.randrange(300))
        who = ";".join(rnd.sample(keys, rnd.randint(1, 3)))
        path = f"/home/officer/cms/sessions/{sid}.pdf"
        lines.append(f'{sid},{day.isoformat()},{rnd.choice(["Hamilton office", "Tauranga"])},Food parcel,{who},'
                     f'{rnd.choice(["", "0", "1"])},"Kaimahi Zedd{i % 7}",{path}')
        secret["sessions"].add(sid)
        secret["dates"].add(day.isoformat())
        secret["paths"].add(path)
    (folder / "sessions.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    lines = ["ClientRef,NeedDate,Reason"]
    for i in range(200):
        day = dt.date(2024, 10, 1) + dt.timedelta(days=rnd.randrange(300))
        lines.append(f"{rnd.choice(keys)},{day.isoformat()},{rnd.choice(['food', 'housing', 'debt'])}")
        secret["dates"].add(day.isoformat())
    (folder / "needs.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    lines = ["ClientRef,AssessedOn,Area,Score"]
    for i in range(300):
        day = dt.date(2024, 10, 1) + dt.timedelta(days=rnd.randrange(300))
        lines.append(f"{rnd.choice(keys)},{day.isoformat()},{rnd.choice(['housing', 'safety'])},{rnd.randint(1, 5)}")
        secret["dates"].add(day.isoformat())
    (folder / "assessments.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    lines = ["WeekEnding,Office,StaffType,Hours"]
    for i in range(60):
        day = dt.date(2024, 10, 6) + dt.timedelta(days=7 * (i % 40))
        lines.append(f"{day.isoformat()},{rnd.choice(['Hamilton office', 'Tauranga'])},"
                     f"{rnd.choice(['Paid', 'Volunteer'])},{rnd.choice(['7.5', '38', '4.25'])}")
        secret["dates"].add(day.isoformat())
    (folder / "hours.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return secret


MAPPING = """columns:
  clients: {client_key: ClientRef, birth_date: DOB, gender: Sex, ethnicity: Ethnic, first_service_date: FirstSeen}
  sessions: {session_id: SessionNo, date: When, region: Office, service_type: Service, client_keys: Attendees,
             unidentified: Unnamed}
  needs: {client_key: ClientRef, date: NeedDate, need: Reason}
  assessments: {client_key: ClientRef, date: AssessedOn, domain: Area, rating: Score}
  hours: {date: WeekEnding, region: Office, kind: StaffType, hours: Hours}
codes:
  gender: {F: female, M: male, X: another_gender, U: not_stated}
  region: {"Hamilton office": WKO, Tauranga: BOP}
  service_type: {"Food parcel": food_support}
separators:
  ethnicity: "|"
"""


def test_no_identifier_date_name_or_path_in_any_output_file(tmp_path, capsys):
    folder = tmp_path / "export-CK-zz91-folder"
    secret = distinctive_export(folder, random.Random(91))
    mapping = tmp_path / "mapping-zz91-secret.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    out = tmp_path / "out"
    code = main(["member", "aggregate", str(folder), "--org", "MET001", "--from", "2024Q4", "--to", "2025Q2",
                 "--out", str(out), "--mapping", str(mapping)])
    err = capsys.readouterr().err
    assert code == 0, err
    files = [p for p in out.rglob("*") if p.is_file()]
    assert {p.suffix for p in files} == {".csv", ".html", ".json"}
    assert len([p for p in files if p.suffix == ".csv"]) == 4  # 2024Q4, 2025Q1, 2025Q2, 2025H1
    everything = [str(folder), folder.name, str(mapping), mapping.name, "zz91", "qq77", "Qxv", "Zedd",
                  "Secret St", "confidential-note", "officer", "Kirikiriroa"]
    for kind in secret.values():
        everything += sorted(kind)
    for path in files:
        text = path.read_text(encoding="utf-8")
        for s in everything:
            assert s not in text, (path.name, s)
        assert not ISO.search(text), (path.name, ISO.search(text).group())
        assert not DMY.search(text), path.name
    # the submission files hold exactly the contract's seven columns, and only codes and whole numbers
    for path in (p for p in files if p.suffix == ".csv"):
        lines = path.read_text(encoding="utf-8").splitlines()
        assert lines[0] == "org_id,period,region,measure,dimension,category,value"
        for line in lines[1:]:
            assert re.fullmatch(r"MET001,20\d\d[QH]\d,[A-Z]{3},[a-z_]+,[a-z_]+,[a-z0-9_]*,\d+", line), line

"""Random valid member exports for the property tests, written the many ways CMSs write CSV.

The generator aims at the spec's edges: many sessions on one date (ties broken
by session_id, compared as text), birthdays on the session date, birth years
around 1 July, first_service_date before and after the first session,
people in several regions, assessments on equal dates, regions with hours
but no session, optional files missing or header-only; and at the reading:
header case and spaces, column order, extra columns, quotes, CRLF, a BOM,
blank lines, a line break inside a quoted field (the careful reader), CMS
column names and codes through a mapping file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
from pathlib import Path

from .member_oracle import DOMAINS, ETHNICITIES, GENDERS, NEEDS, SERVICES

DAYS = [dt.date(2024, 12, 31), dt.date(2025, 1, 1), dt.date(2025, 2, 14), dt.date(2025, 3, 31),
        dt.date(2025, 4, 1), dt.date(2025, 5, 20), dt.date(2025, 6, 30), dt.date(2025, 7, 1),
        dt.date(2025, 8, 12), dt.date(2024, 11, 3), dt.date(2025, 9, 30), dt.date(2025, 10, 1)]
SESSION_IDS = ["s1", "s2", "s10", "S1", "a", "b", "s9", "10", "9", "s01", "z", "Ā1", "s-3", "s_4", "x9",
               "100", "1", "s11", "t", "T", "m", "n", "p", "q", "r", "u", "v", "w", "y", "k"]
RANGES = [("2025Q1", "2025Q2"), ("2025Q2", "2025Q3"), ("2024Q4", "2025Q2"), ("2025Q1", "2025Q4"),
          ("2025Q3", "2025Q3")]
CMS_GENDER = {"F": "female", "M": "male", "X": "another_gender", "U": "not_stated"}
CMS_REGION = {"Auckland office": "AKL", "Hamilton office": "WKO", "Christchurch": "CAN", "Tauranga": "BOP"}
CMS_SERVICE = {"Food parcel": "food_support", "Budgeting": "financial_capability", "Chat": "counselling"}


def _shift_years(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:  # 29 February
        return d.replace(year=d.year - years, day=28)


def _case(rnd: random.Random, text: str) -> str:
    pick = rnd.random()
    if pick < 0.15:
        return text.upper()
    if pick < 0.25:
        return f" {text.title()} "
    return text


def make_export(rnd: random.Random, folder: Path) -> dict:
    """Write a valid export into ``folder``; returns the range, the mapping (dict or None) and what was made."""
    folder.mkdir(parents=True, exist_ok=True)
    use_mapping = rnd.random() < 0.35
    regions = rnd.sample(["AKL", "WKO", "CAN", "BOP"], rnd.randint(1, 3))
    n_clients = rnd.randint(1, 9)
    keys = [f"c{i}" if rnd.random() < 0.8 else f"C-{i}x" for i in range(n_clients)]
    days = rnd.sample(DAYS, rnd.randint(2, len(DAYS)))
    # sessions
    sessions = []
    ids = rnd.sample(SESSION_IDS, rnd.randint(0, min(18, len(SESSION_IDS))))
    for sid in ids:
        attendees = rnd.sample(keys, rnd.randint(0, min(3, len(keys))))
        if attendees and rnd.random() < 0.1:
            attendees.append(attendees[0])  # listed twice: counted once (a warning)
        unid = rnd.choice(["", "0", "1", "3", "2.0"]) if attendees else rnd.choice(["1", "4"])
        sessions.append({"session_id": sid, "date": rnd.choice(days), "region": rnd.choice(regions),
                         "service_type": rnd.choice(["", *SERVICES[:4], "not_stated"]),
                         "client_keys": attendees, "unidentified": unid})
    first_day: dict[str, dt.date] = {}
    for s in sessions:
        for c in s["client_keys"]:
            first_day[c] = min(first_day.get(c, s["date"]), s["date"])
    # clients
    clients = []
    for c in keys:
        row = {"client_key": c, "birth_date": "", "birth_year": "", "gender": "", "ethnicity": "",
               "first_service_date": ""}
        mine = sorted({s["date"] for s in sessions if c in s["client_keys"]})
        how = rnd.random()
        if how < 0.45 and mine:
            anchor = rnd.choice(mine)
            years = rnd.choice([0, 16, 24, 25, 44, 45, 64, 65, 15, 2, 30]) if anchor == mine[0] else \
                rnd.choice([16, 24, 25, 44, 45, 64, 65, 15, 2, 30])
            born = _shift_years(anchor, years) - dt.timedelta(days=rnd.choice([0, 0, 1, -1]) if years else 0)
            if born > mine[0]:
                born = mine[0]
            row["birth_date"] = born.isoformat()
            if rnd.random() < 0.2:
                row["birth_year"] = str(born.year + rnd.choice([-3, 5]))  # birth_date wins
        elif how < 0.75:
            base = mine[0].year if mine else 2025
            row["birth_year"] = str(base - rnd.choice([0, 1, 15, 16, 17, 24, 25, 26, 45, 64, 65, 66]))
        row["gender"] = rnd.choice(["", *GENDERS])
        groups = rnd.sample(ETHNICITIES, rnd.randint(0, 3))
        if groups and rnd.random() < 0.15:
            groups.append(groups[0])  # listed twice: counted once
        row["ethnicity"] = groups
        if rnd.random() < 0.3:
            ref = mine[0] if mine else dt.date(2025, 3, 1)
            row["first_service_date"] = (ref + dt.timedelta(days=rnd.choice([-400, -95, -30, -1, 0, 1, 20]))).isoformat()
        clients.append(row)
    files: dict[str, list[dict] | None] = {}
    # needs
    if rnd.random() < 0.7:
        files["needs"] = [] if rnd.random() < 0.1 else [
            {"client_key": rnd.choice(keys), "date": rnd.choice(days).isoformat(), "need": rnd.choice(NEEDS[:5])}
            for _ in range(rnd.randint(0, 12))]
    if rnd.random() < 0.7:
        domains = rnd.sample(DOMAINS, rnd.randint(1, 3))
        files["assessments"] = [] if rnd.random() < 0.1 else [
            {"client_key": rnd.choice(keys), "date": rnd.choice(days).isoformat(), "domain": rnd.choice(domains),
             "rating": rnd.choice(["1", "2", "3", "4", "5", "3.0"])} for _ in range(rnd.randint(0, 16))]
    if rnd.random() < 0.7:
        hour_regions = regions + (["NTL"] if rnd.random() < 0.3 else [])
        files["hours"] = [] if rnd.random() < 0.1 else [
            {"date": rnd.choice(days).isoformat(), "region": rnd.choice(hour_regions),
             "kind": rnd.choice(["paid", "volunteer"]),
             "hours": rnd.choice(["7.5", "0.25", "8", "0", "0.1", "1.05", "3.", ".5", "12.125"])}
            for _ in range(rnd.randint(0, 8))]

    mapping: dict | None = None
    names = {f: {} for f in ("clients", "sessions", "needs", "assessments", "hours")}
    rev_gender = {v: k for k, v in CMS_GENDER.items()}
    rev_region = {v: k for k, v in CMS_REGION.items()}
    rev_service = {v: k for k, v in CMS_SERVICE.items()}
    seps = {"ethnicity": ";", "client_keys": ";"}
    if use_mapping:
        names["clients"] = {"client_key": "ClientID", "birth_date": "DOB", "gender": "Sex", "ethnicity": "Ethnicities"}
        names["sessions"] = {"session_id": "SessionID", "date": "SessionDate", "region": "Office",
                             "client_keys": "Attendees"}
        if rnd.random() < 0.5:
            seps["ethnicity"] = "|"
        if rnd.random() < 0.3:
            seps["client_keys"] = ","
        mapping = {"columns": {f: n for f, n in names.items() if n},
                   "codes": {"gender": dict(CMS_GENDER), "region": dict(CMS_REGION),
                             "service_type": dict(CMS_SERVICE)},
                   "separators": {k: v for k, v in seps.items() if v != ";"}}

    def cms(field: str, value: str) -> str:
        if not use_mapping or not value:
            return _case(rnd, value) if value else value
        table = {"gender": rev_gender, "region": rev_region, "service_type": rev_service}.get(field, {})
        if value in table and rnd.random() < 0.8:
            got = table[value]
            return got.lower() if rnd.random() < 0.2 else got
        return _case(rnd, value)

    # write the files
    def write(file: str, rows: list[dict], columns: list[str]) -> None:
        header_names = [names[file].get(c, c) for c in columns]
        header = [_case(rnd, h) if rnd.random() < 0.3 else h for h in header_names]
        order = list(range(len(columns)))
        if rnd.random() < 0.4:
            rnd.shuffle(order)
        extra = rnd.random() < 0.3
        newline_inside = extra and rnd.random() < 0.3
        quote_all = rnd.random() < 0.3
        buf = io.StringIO()
        w = csv.writer(buf, quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL,
                       lineterminator="\r\n" if rnd.random() < 0.3 else "\n")
        w.writerow([header[i] for i in order] + (["Notes"] if extra else []))
        for k, r in enumerate(rows):
            cells = [r[columns[i]] for i in order]
            if extra:
                cells.append("two\nlines" if newline_inside and k == 0 else rnd.choice(["", "see file", "a, b"]))
            w.writerow(cells)
            if rnd.random() < 0.05:
                buf.write("\n")  # a blank line
        data = buf.getvalue().encode("utf-8")
        if rnd.random() < 0.15:
            data = b"\xef\xbb\xbf" + data
        (folder / f"{file}.csv").write_bytes(data)

    write("clients", [{**r, "gender": cms("gender", r["gender"]),
                       "ethnicity": seps["ethnicity"].join(cms("ethnicity", e) for e in r["ethnicity"])}
                      for r in clients],
          ["client_key", "birth_date", "birth_year", "gender", "ethnicity", "first_service_date"])
    write("sessions", [{**s, "date": s["date"].isoformat(), "region": cms("region", s["region"]),
                        "service_type": cms("service_type", s["service_type"]),
                        "client_keys": seps["client_keys"].join(
                            (f" {c}" if rnd.random() < 0.2 else c) for c in s["client_keys"])}
                       for s in sessions],
          ["session_id", "date", "region", "service_type", "client_keys", "unidentified"])
    for file, columns in (("needs", ["client_key", "date", "need"]),
                          ("assessments", ["client_key", "date", "domain", "rating"]),
                          ("hours", ["date", "region", "kind", "hours"])):
        if file in files:
            rows = files[file]
            write(file, [{k: (cms(k, v) if k in ("region", "need", "domain", "kind") else v) for k, v in r.items()}
                         for r in rows], columns)
    first, last = rnd.choice(RANGES)
    return {"first": first, "last": last, "mapping": mapping}


def mapping_yaml(mapping: dict) -> str:
    """The mapping as a YAML file (JSON is YAML; every value a quoted string)."""
    return json.dumps(mapping, indent=2, ensure_ascii=False) + "\n"

"""A deliberately plain reference implementation of the member export's counting rules.

Written from the text of shared/spec/member-export.md, not from reportgen/member:
dicts, sets and loops, one rule at a time, no NumPy, no pandas, no reportgen
import. It assumes a *valid* export (the checks are reportgen's job) and
returns, for each period, the rows the spec says must be written.

The property test in test_member_oracle.py checks that ``reportgen member``
gives exactly these rows on generated exports.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from fractions import Fraction
from pathlib import Path

REGIONS = ["NTL", "AKL", "WKO", "BOP", "GIS", "HKB", "TKI", "MWT", "WGN", "TAS", "NSN", "MBH", "WTC", "CAN",
           "OTA", "STL"]
AGE_BANDS = ["0_15", "16_24", "25_44", "45_64", "65_plus", "not_stated"]
GENDERS = ["female", "male", "another_gender", "not_stated"]
ETHNICITIES = ["european", "maori", "pacific", "asian", "melaa", "other", "not_stated"]
NEEDS = ["food", "housing", "income", "debt", "family_violence", "mental_health", "addiction",
         "physical_health", "employment", "education", "legal", "immigration", "disability", "other"]
SERVICES = ["information_advice", "advocacy", "counselling", "case_management", "food_support",
            "financial_capability", "housing_support", "education_skills", "community_engagement", "group_work",
            "not_stated"]
DOMAINS = ["physical_health", "mental_health", "safety", "family_functioning", "financial_resilience",
           "material_wellbeing", "housing", "employment", "education", "community_participation",
           "knowledge_access", "skills", "behaviours", "empowerment", "engagement", "crisis_impact", "satisfied",
           "listened", "better_able"]
CODES = {"gender": GENDERS, "ethnicity": ETHNICITIES, "region": REGIONS, "service_type": SERVICES,
         "need": NEEDS, "domain": DOMAINS, "kind": ["paid", "volunteer"]}


# ---- reading ------------------------------------------------------------------------------------

def read_csv(path: Path, columns: dict[str, str]) -> list[dict[str, str]] | None:
    """Rows of a file as {contract column: trimmed text}; None when the file is not there."""
    if not path.exists():
        return None
    text = path.read_bytes().decode("utf-8-sig")
    rows = [r for r in csv.reader(io.StringIO(text, newline="")) if any(c.strip() for c in r)]
    header = [h.strip().lower() for h in rows[0]]
    out = []
    for r in rows[1:]:
        record = {}
        for contract, name in columns.items():
            name = name.strip().lower()
            if name in header:
                i = header.index(name)
                record[contract] = r[i].strip() if i < len(r) else ""
        out.append(record)
    return out


def code(field: str, value: str, mapping: dict) -> str:
    value = value.strip()
    for cms, target in mapping.get("codes", {}).get(field, {}).items():
        if cms.strip().lower() == value.lower():
            value = target
            break
    for c in CODES[field]:
        if c.lower() == value.strip().lower():
            return c
    raise ValueError(f"not a {field} code: {value!r}")


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def quarter_of(d: dt.date) -> str:
    return f"{d.year}Q{(d.month - 1) // 3 + 1}"


def half_of(d: dt.date) -> str:
    return f"{d.year}H{1 if d.month <= 6 else 2}"


def period_of(d: dt.date, period: str) -> bool:
    return (quarter_of(d) if "Q" in period else half_of(d)) == period


def age_band(birth_date: str, birth_year: str, on: dt.date) -> str:
    if birth_date:
        b = day(birth_date)
        age = on.year - b.year
        if (on.month, on.day) < (b.month, b.day):
            age -= 1
    elif birth_year:
        age = on.year - int(birth_year)
        if on < dt.date(on.year, 7, 1):
            age -= 1
    else:
        return "not_stated"
    if age <= 15:
        return "0_15"
    if age <= 24:
        return "16_24"
    if age <= 44:
        return "25_44"
    if age <= 64:
        return "45_64"
    return "65_plus"


def quarters_between(first: str, last: str) -> list[str]:
    out = []
    y, q = int(first[:4]), int(first[5])
    while f"{y}Q{q}" != last:
        out.append(f"{y}Q{q}")
        q += 1
        if q == 5:
            y, q = y + 1, 1
    return out + [last]


# ---- the rules ------------------------------------------------------------------------------------

def oracle(folder: Path, first: str, last: str, mapping: dict | None = None) -> dict[str, list[tuple]]:
    mapping = mapping or {}
    sep = {"ethnicity": ";", "client_keys": ";", **mapping.get("separators", {})}

    def cols(file: str, names: list[str]) -> dict[str, str]:
        given = mapping.get("columns", {}).get(file, {})
        return {n: given.get(n, n) for n in names}

    clients_rows = read_csv(folder / "clients.csv", cols("clients", ["client_key", "birth_date", "birth_year",
                                                                    "gender", "ethnicity", "first_service_date"]))
    sessions_rows = read_csv(folder / "sessions.csv", cols("sessions", ["session_id", "date", "region",
                                                                       "service_type", "client_keys",
                                                                       "unidentified"]))
    needs_rows = read_csv(folder / "needs.csv", cols("needs", ["client_key", "date", "need"]))
    assess_rows = read_csv(folder / "assessments.csv", cols("assessments", ["client_key", "date", "domain",
                                                                           "rating"]))
    hours_rows = read_csv(folder / "hours.csv", cols("hours", ["date", "region", "kind", "hours"]))

    clients = {}
    for r in clients_rows:
        gender = r.get("gender", "")
        groups = set()
        for part in r.get("ethnicity", "").split(sep["ethnicity"]):
            if part.strip():
                groups.add(code("ethnicity", part, mapping))
        clients[r["client_key"]] = {
            "birth_date": r.get("birth_date", ""), "birth_year": r.get("birth_year", ""),
            "gender": code("gender", gender, mapping) if gender else "not_stated",
            "ethnicity": groups or {"not_stated"},
            "first_service_date": r.get("first_service_date", ""),
        }
    sessions = []
    for r in sessions_rows:
        keys = set()
        for part in r.get("client_keys", "").split(sep["client_keys"]):
            if part.strip():
                keys.add(part.strip())
        st = r.get("service_type", "")
        unid = r.get("unidentified", "")
        sessions.append({"id": r["session_id"], "date": day(r["date"]), "region": code("region", r["region"], mapping),
                         "service_type": code("service_type", st, mapping) if st else "not_stated",
                         "clients": keys, "unidentified": int(Fraction(unid)) if unid else 0})

    quarters = quarters_between(first, last)
    halves = []
    for q in quarters:
        y, n = q[:4], int(q[5])
        h = f"{y}H{1 if n <= 2 else 2}"
        both = [f"{y}Q{1 if n <= 2 else 3}", f"{y}Q{2 if n <= 2 else 4}"]
        if all(b in quarters for b in both) and h not in halves:
            halves.append(h)

    hours = []
    for r in hours_rows or []:
        hours.append({"date": day(r["date"]), "region": code("region", r["region"], mapping),
                      "kind": code("kind", r["kind"], mapping), "hours": Fraction(r["hours"])})

    def active_regions(period: str) -> set[str]:
        got = {s["region"] for s in sessions if period_of(s["date"], period)}
        got |= {h["region"] for h in hours if period_of(h["date"], period)}
        return got

    def first_service(c: str) -> dt.date:
        dates = [s["date"] for s in sessions if c in s["clients"]]
        fsd = clients[c]["first_service_date"]
        if fsd:
            dates.append(day(fsd))
        return min(dates)

    out: dict[str, list[tuple]] = {}
    for period in quarters + halves:
        rows = []
        active = active_regions(period)
        for region in REGIONS:
            if region not in active:
                continue

            def put(measure, dimension, category, value):
                rows.append((period, region, measure, dimension, category, value))

            here = [s for s in sessions if period_of(s["date"], period) and s["region"] == region]
            first_seen = {}  # person → their first session here (by date, then session_id)
            for s in sorted(here, key=lambda s: (s["date"], s["id"])):
                for c in s["clients"]:
                    if c not in first_seen:
                        first_seen[c] = s
            put("clients", "total", "", len(first_seen))
            bands = {b: 0 for b in AGE_BANDS}
            genders = {g: 0 for g in GENDERS}
            groups = {e: 0 for e in ETHNICITIES}
            for c, s in first_seen.items():
                bands[age_band(clients[c]["birth_date"], clients[c]["birth_year"], s["date"])] += 1
                genders[clients[c]["gender"]] += 1
                for e in clients[c]["ethnicity"]:
                    groups[e] += 1
            for b in AGE_BANDS:
                put("clients", "age_band", b, bands[b])
            for g in GENDERS:
                put("clients", "gender", g, genders[g])
            for e in ETHNICITIES:
                put("clients", "ethnicity", e, groups[e])
            if needs_rows is not None:
                for need in NEEDS:
                    people = {r["client_key"] for r in needs_rows
                              if code("need", r["need"], mapping) == need and period_of(day(r["date"]), period)}
                    put("clients", "need", need, len(people & set(first_seen)))
            if "H" in period:
                continue
            # new clients: first service in this quarter, counted where their first session of the quarter was
            new = 0
            for c in clients:
                mine = sorted((s for s in sessions if c in s["clients"] and period_of(s["date"], period)),
                              key=lambda s: (s["date"], s["id"]))
                if mine and mine[0]["region"] == region and quarter_of(first_service(c)) == period:
                    new += 1
            put("new_clients", "total", "", new)
            put("sessions", "total", "", len(here))
            for st in SERVICES:
                put("sessions", "service_type", st, sum(1 for s in here if s["service_type"] == st))
            put("unidentified_attendances", "total", "", sum(s["unidentified"] for s in here))
            if assess_rows is not None:
                counts = {(m, d): 0 for m in ("outcome_assessed", "outcome_improved", "outcome_same",
                                              "outcome_declined") for d in DOMAINS}
                by_person_domain: dict[tuple, list] = {}
                for r in assess_rows:  # file order
                    key = (r["client_key"], code("domain", r["domain"], mapping))
                    by_person_domain.setdefault(key, []).append((day(r["date"]), int(Fraction(r["rating"]))))
                for (c, domain), ratings in by_person_domain.items():
                    ratings = sorted(ratings, key=lambda x: x[0])  # stable: file order breaks ties
                    start = ratings[0]
                    inside = [x for x in ratings if quarter_of(x[0]) == period]
                    if not inside:
                        continue
                    end = inside[-1]
                    if not any(x[0] < end[0] for x in ratings):
                        continue
                    before = [s for s in sessions if c in s["clients"] and s["date"] <= end[0]]
                    if not before:
                        continue
                    last_session = max(before, key=lambda s: (s["date"], s["id"]))
                    if last_session["region"] != region or region not in active:
                        continue
                    counts[("outcome_assessed", domain)] += 1
                    if end[1] > start[1]:
                        counts[("outcome_improved", domain)] += 1
                    elif end[1] == start[1]:
                        counts[("outcome_same", domain)] += 1
                    else:
                        counts[("outcome_declined", domain)] += 1
                for m in ("outcome_assessed", "outcome_improved", "outcome_same", "outcome_declined"):
                    for d in DOMAINS:
                        put(m, "score_domain", d, counts[(m, d)])
            if hours_rows is not None:
                for measure, kind in (("staff_hours", "paid"), ("volunteer_hours", "volunteer")):
                    total = sum((h["hours"] for h in hours
                                 if h["region"] == region and h["kind"] == kind and quarter_of(h["date"]) == period),
                                Fraction(0))
                    put(measure, "total", "", math.ceil(total))
        out[period] = rows
    return out

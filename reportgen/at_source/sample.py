"""The sample member export: a small, synthetic CMS export for one member, and its mapping file.

    python -m reportgen.at_source.sample data/member-export

writes ``export/`` (the five CSV files, with a CMS's own column names and
codes, as a real export would have them) and ``mapping.yaml`` beside it.
Seeded: the same bytes every time. It describes no real organisation or
person: member MET001 of the sample register (Bay of Plenty and Tasman),
about 300 clients, July 2024 to June 2025.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from pathlib import Path

SEED = 14
START, END = dt.date(2024, 7, 1), dt.date(2025, 6, 30)
OFFICES = {"Tauranga office": 0.65, "Motueka office": 0.35}  # BOP, TAS
SERVICES = {"Food parcel": 0.30, "Budgeting": 0.18, "Advocacy": 0.12, "Counselling": 0.10,
            "Housing help": 0.10, "Info & advice": 0.12, "Group programme": 0.05, "Community lunch": 0.03}
ETHNIC = {"NZ European": 0.45, "Māori": 0.30, "Samoan": 0.06, "Tongan": 0.04, "Chinese": 0.04, "Indian": 0.04,
          "Other": 0.03, "": 0.04}
REASONS = {"Food insecurity": 0.3, "Housing": 0.2, "Debt": 0.15, "Income": 0.15, "Family harm": 0.05,
           "Mental health": 0.1, "Work": 0.05}
DOMAINS = ["Housing stability", "Financial resilience", "Safety", "Knowledge of services"]

MAPPING = """\
# Mapping for the sample export (data/member-export/export): the CMS's column names and codes,
# translated to the export format of docs/member-guide.md.
columns:
  clients: {client_key: ClientID, birth_date: DOB, birth_year: BirthYear, gender: Sex,
            ethnicity: Ethnicities, first_service_date: FirstSeen}
  sessions: {session_id: SessionID, date: SessionDate, region: Office, service_type: ServiceCategory,
             client_keys: Attendees, unidentified: Unnamed}
  needs: {client_key: ClientID, date: RecordedOn, need: Reason}
  assessments: {client_key: ClientID, date: AssessedOn, domain: Domain, rating: Score}
  hours: {date: WeekEnding, region: Office, kind: StaffType, hours: Hours}
codes:
  gender: {F: female, M: male, X: another_gender, U: not_stated}
  ethnicity: {"NZ European": european, "Māori": maori, Samoan: pacific, Tongan: pacific,
              Chinese: asian, Indian: asian, Other: other}
  region: {"Tauranga office": BOP, "Motueka office": TAS}
  service_type: {"Food parcel": food_support, Budgeting: financial_capability, Advocacy: advocacy,
                 Counselling: counselling, "Housing help": housing_support, "Info & advice": information_advice,
                 "Group programme": group_work, "Community lunch": community_engagement}
  need: {"Food insecurity": food, Housing: housing, Debt: debt, Income: income, "Family harm": family_violence,
         "Mental health": mental_health, Work: employment}
  domain: {"Housing stability": housing, "Financial resilience": financial_resilience, Safety: safety,
           "Knowledge of services": knowledge_access}
  kind: {Paid: paid, Volunteer: volunteer}
separators:
  ethnicity: "|"
"""


def _pick(rnd: random.Random, weights: dict[str, float]) -> str:
    return rnd.choices(list(weights), weights=list(weights.values()))[0]


def _day(rnd: random.Random, lo: dt.date = START, hi: dt.date = END) -> dt.date:
    return lo + dt.timedelta(days=rnd.randrange((hi - lo).days + 1))


def _csv(rows: list[list[str]]) -> bytes:
    def cell(v: str) -> str:
        return f'"{v}"' if any(c in v for c in ',"\n') else v

    return ("".join(",".join(cell(v) for v in r) + "\n" for r in rows)).encode("utf-8")


def generate(dest: Path, clients: int = 300) -> None:
    rnd = random.Random(SEED)
    export = dest / "export"
    export.mkdir(parents=True, exist_ok=True)
    people = []
    rows = [["ClientID", "DOB", "BirthYear", "Sex", "Ethnicities", "FirstSeen", "ReferralSource"]]
    for i in range(clients):
        key = f"MV{10000 + i * 7}"
        office = _pick(rnd, OFFICES)
        joined = _day(rnd, START - dt.timedelta(days=200), END - dt.timedelta(days=20))
        age = rnd.choice([rnd.randint(0, 15), rnd.randint(16, 24), rnd.randint(25, 44), rnd.randint(25, 44),
                          rnd.randint(45, 64), rnd.randint(65, 90)])
        born = joined - dt.timedelta(days=int(age * 365.25) + rnd.randrange(365))
        dob, year = born.isoformat(), ""
        how = rnd.random()
        if how < 0.12:
            dob, year = "", str(born.year)
        elif how < 0.18:
            dob = ""
        groups = {_pick(rnd, ETHNIC) for _ in range(rnd.choice([1, 1, 1, 2]))}
        ethnic = "|".join(sorted(g for g in groups if g))
        first_seen = (joined - dt.timedelta(days=rnd.randint(30, 900))).isoformat() if rnd.random() < 0.2 else ""
        rows.append([key, dob, year, rnd.choices("FMXU", weights=[55, 40, 2, 3])[0], ethnic, first_seen,
                     rnd.choice(["Self", "WINZ", "GP", "Church", "School", ""])])
        people.append((key, office, max(joined, START - dt.timedelta(days=200))))
    (export / "clients.csv").write_bytes(_csv(rows))

    rows = [["SessionID", "SessionDate", "Office", "ServiceCategory", "Attendees", "Unnamed", "Worker"]]
    seen: list[tuple[str, dt.date]] = []
    n = 0
    for key, office, joined in people:
        visits = rnd.choice([1, 1, 2, 3, 4, 6, 8])
        for _ in range(visits):
            day = _day(rnd, max(joined, START - dt.timedelta(days=90)), END)
            where = office if rnd.random() < 0.93 else next(o for o in OFFICES if o != office)
            n += 1
            service = _pick(rnd, SERVICES)
            attendees = [key]
            unnamed = ""
            if service in ("Group programme", "Community lunch"):
                attendees += [p[0] for p in rnd.sample(people, rnd.randint(2, 6)) if p[2] <= day]
                unnamed = str(rnd.choice([0, 0, 0, 1, 2])) if service == "Community lunch" else ""
            rows.append([f"S{20240000 + n}", day.isoformat(), where, service, ";".join(dict.fromkeys(attendees)),
                         unnamed, rnd.choice(["Kaimahi A", "Kaimahi B", "Kaimahi C"])])
            seen.append((key, day))
    body = rows[1:]
    body.sort(key=lambda r: (r[1], r[0]))
    (export / "sessions.csv").write_bytes(_csv([rows[0], *body]))

    rows = [["ClientID", "RecordedOn", "Reason"]]
    for key, day in rnd.sample(seen, len(seen) // 3):
        for reason in sorted({_pick(rnd, REASONS) for _ in range(rnd.choice([1, 1, 2]))}):
            rows.append([key, day.isoformat(), reason])
    (export / "needs.csv").write_bytes(_csv(rows))

    rows = [["ClientID", "AssessedOn", "Domain", "Score"]]
    visits_of: dict[str, list[dt.date]] = {}
    for key, day in seen:
        visits_of.setdefault(key, []).append(day)
    for key, office, joined in rnd.sample(people, clients // 3):
        days = sorted(set(visits_of.get(key, [])))
        if not days:
            continue
        for domain in rnd.sample(DOMAINS, rnd.randint(1, 2)):
            score = rnd.randint(1, 4)
            rows.append([key, days[0].isoformat(), domain, str(score)])  # at the first session
            for later in days[1:][: rnd.choice([0, 1, 1, 2])]:  # and at later ones
                score = max(1, min(5, score + rnd.choice([-1, 0, 1, 1, 2])))
                rows.append([key, later.isoformat(), domain, str(score)])
    (export / "assessments.csv").write_bytes(_csv(rows))

    rows = [["WeekEnding", "Office", "StaffType", "Hours"]]
    day = START + dt.timedelta(days=(6 - START.weekday()) % 7)
    while day <= END:
        for office, share in OFFICES.items():
            rows.append([day.isoformat(), office, "Paid", f"{rnd.uniform(60, 90) * share / 0.65:.2f}"])
            rows.append([day.isoformat(), office, "Volunteer", f"{rnd.uniform(10, 30) * share / 0.65:.1f}"])
        day += dt.timedelta(days=7)
    (export / "hours.csv").write_bytes(_csv(rows))
    (dest / "mapping.yaml").write_text(MAPPING, encoding="utf-8")


if __name__ == "__main__":
    generate(Path(sys.argv[1] if len(sys.argv) > 1 else "data/member-export"))

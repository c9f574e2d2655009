"""A seeded generator of synthetic submissions that follow the data contract.

The shipped sample under ``data/`` was written by::

    python -m reportgen.inputs.sample_data --out data

It is fictional: no real member, person or figure is in it. The same seed and
sizes always give the same files, so benchmarks can make larger datasets with
``--members`` and ``--quarters``. For benchmark sizes (thousands of members)
add ``--fast``: ``generate_fast`` writes CSV text directly from vectorised
figures (5,000 members × 20 quarters, 18 million rows, in about 45 s), with
no deliberate imperfections beyond quarter-only clients for every eleventh
member; see scripts/bench_check.py and docs/benchmarks.md.

The sample is shaped like the real thing, so that the report it makes reads
like one: regions differ (Gisborne and Northland have far larger Māori shares
than Otago or Canterbury; Auckland far larger Pacific and Asian shares; housing
need is highest in Auckland), demand is seasonal (highest in the winter
quarter, July–September), one member (a city mission in Auckland) is several
times the size of the others, two policy events leave a visible mark (housing
need rises after emergency housing eligibility is tightened in August 2024;
food need rises after the food-security fund closes in March 2025), outcome
ratings improve far more often in some domains than in others, and staff and
volunteer hours are of a plausible size for the people seen.

Deliberate imperfections, so that the sample exercises the warnings that real
submissions raise (each is a warning, never an error):

* a few members send only quarter rows for ``clients`` (summed, flagged);
* one member sends fractional staff hours (rounded up);
* one member reports many unidentified attendances (rule 11);
* one member's clients jump by more than half in the last quarter (rule 12);
* one Bay of Plenty member is missing its last quarter (rule 10): the region's
  and the nation's figures for it are provisional, and its fall is no fall in need;
* one member joins in Manawatū-Whanganui a year before the report (a joiner:
  the region's all-member change is mostly that member, the like-for-like one is not);
* one member leaves two quarters before the end;
* one member files XLSX instead of CSV, and one writes codes in mixed case
  with a byte-order mark and CRLF line ends (both allowed by the contract).
"""

from __future__ import annotations

import argparse
import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..core import catalogue
from ..core.periods import Period, quarter_range
from ..runtime.reproducible import reproducible_zip

NETWORKS = ["Anglican", "Baptist", "Catholic", "Methodist", "Presbyterian", "Salvation Army"]
_PREFIX = {"Anglican": "ANG", "Baptist": "BAP", "Catholic": "CAT", "Methodist": "MET",
           "Presbyterian": "PRE", "Salvation Army": "SAL"}
_PLACES = ["Hillside", "Riverside", "Harbour", "Valley", "Northgate", "Southend", "Kōwhai",
           "Tōtara", "Pōhutukawa", "Mānuka", "Rimu", "Kauri", "Ngaio", "Harakeke", "Awa", "Maunga"]
_KINDS = ["Community Trust", "Family Services", "City Mission", "Community Ministries",
          "Social Services", "Support Centre"]

# rough population weights: where members deliver
REGION_WEIGHT = {"AKL": 0.30, "CAN": 0.12, "WGN": 0.10, "WKO": 0.09, "BOP": 0.07, "MWT": 0.05,
                 "OTA": 0.05, "NTL": 0.04, "HKB": 0.04, "TKI": 0.025, "STL": 0.02, "NSN": 0.015,
                 "TAS": 0.015, "GIS": 0.015, "MBH": 0.012, "WTC": 0.008}
SPARSE_REGION = "WTC"  # fewer than 3 members: no regional brief

NEED_P = {"food": 0.42, "housing": None, "income": 0.38, "debt": 0.21, "family_violence": 0.08,
          "mental_health": 0.22, "addiction": 0.06, "physical_health": 0.11, "employment": 0.10,
          "education": 0.05, "legal": 0.05, "immigration": 0.03, "disability": 0.07, "other": 0.05}
ETHNIC_P = {"european": 0.46, "maori": 0.31, "pacific": 0.14, "asian": 0.08, "melaa": 0.02,
            "other": 0.02, "not_stated": 0.03}
# where the people served differ from the national mix (total response: shares of people)
REGION_ETHNIC = {
    "GIS": {"european": 0.34, "maori": 0.66, "pacific": 0.04, "asian": 0.02},
    "NTL": {"european": 0.42, "maori": 0.55, "pacific": 0.05, "asian": 0.03},
    "BOP": {"european": 0.50, "maori": 0.42, "pacific": 0.05, "asian": 0.05},
    "HKB": {"european": 0.55, "maori": 0.38, "pacific": 0.07, "asian": 0.04},
    "WKO": {"european": 0.54, "maori": 0.36, "pacific": 0.06, "asian": 0.07},
    "AKL": {"european": 0.30, "maori": 0.19, "pacific": 0.30, "asian": 0.17, "melaa": 0.04},
    "WGN": {"european": 0.55, "maori": 0.20, "pacific": 0.16, "asian": 0.09},
    "CAN": {"european": 0.72, "maori": 0.16, "pacific": 0.05, "asian": 0.08},
    "OTA": {"european": 0.78, "maori": 0.12, "pacific": 0.04, "asian": 0.06},
    "STL": {"european": 0.70, "maori": 0.22, "pacific": 0.04, "asian": 0.04},
    "TKI": {"european": 0.66, "maori": 0.28, "pacific": 0.03, "asian": 0.04},
    "MWT": {"european": 0.62, "maori": 0.30, "pacific": 0.06, "asian": 0.04},
    "TAS": {"european": 0.84, "maori": 0.10, "pacific": 0.03, "asian": 0.03},
    "NSN": {"european": 0.80, "maori": 0.12, "pacific": 0.04, "asian": 0.04},
    "MBH": {"european": 0.80, "maori": 0.14, "pacific": 0.04, "asian": 0.03},
    "WTC": {"european": 0.84, "maori": 0.12, "pacific": 0.02, "asian": 0.02},
}
HOUSING_BASE = {"AKL": 0.36, "WGN": 0.30, "BOP": 0.29, "NTL": 0.27}  # elsewhere 0.22
SEASON = {1: 0.94, 2: 1.02, 3: 1.10, 4: 1.00}  # demand by quarter of the year: winter is July–September
# the two events that leave a mark: (first quarter affected, need, added probability)
EVENT_EFFECTS = (("2024Q3", "housing", 0.05), ("2025Q2", "food", 0.08))
# outcome ratings: (improved, same, declined) by domain — help with knowing where to go is easier
# to give than a change in income or housing
OUTCOME_BY_DOMAIN = {
    "physical_health": (0.44, 0.44, 0.12), "mental_health": (0.52, 0.36, 0.12), "safety": (0.60, 0.33, 0.07),
    "family_functioning": (0.55, 0.36, 0.09), "financial_resilience": (0.38, 0.44, 0.18),
    "material_wellbeing": (0.47, 0.40, 0.13), "housing": (0.36, 0.46, 0.18), "employment": (0.31, 0.58, 0.11),
    "education": (0.42, 0.50, 0.08), "community_participation": (0.50, 0.43, 0.07),
    "knowledge_access": (0.74, 0.23, 0.03), "skills": (0.63, 0.32, 0.05), "behaviours": (0.57, 0.36, 0.07),
    "empowerment": (0.61, 0.32, 0.07), "engagement": (0.66, 0.29, 0.05), "crisis_impact": (0.68, 0.25, 0.07),
    "satisfied": (0.81, 0.16, 0.03), "listened": (0.84, 0.13, 0.03), "better_able": (0.70, 0.25, 0.05),
}
AGE_P = {"0_15": 0.06, "16_24": 0.15, "25_44": 0.42, "45_64": 0.27, "65_plus": 0.08, "not_stated": 0.02}
GENDER_P = {"female": 0.58, "male": 0.39, "another_gender": 0.01, "not_stated": 0.02}
SERVICE_P = {"information_advice": 0.20, "advocacy": 0.12, "counselling": 0.13,
             "case_management": 0.14, "food_support": 0.16, "financial_capability": 0.08,
             "housing_support": 0.07, "education_skills": 0.03, "community_engagement": 0.03,
             "group_work": 0.03, "not_stated": 0.01}
OUTCOME_P = (0.62, 0.29, 0.09)  # improved, same, declined
HEADER = ["org_id", "period", "region", "measure", "dimension", "category", "value"]


@dataclass
class Member:
    org_id: str
    name: str
    network: str
    regions: list[str]
    active_from: Period
    active_to: Period | None = None
    size: float = 100.0
    growth: float = 0.0
    quarter_only_clients: bool = False  # sends no half-year rows
    fractional_hours: bool = False
    high_unidentified: bool = False
    jump_last_quarter: bool = False
    missing_last_quarter: bool = False
    xlsx: bool = False
    messy_codes: bool = False
    rows: dict[str, list[list]] = field(default_factory=dict)  # period → rows


def _split(rng: np.random.Generator, n: int, probs: dict[str, float]) -> dict[str, int]:
    p = np.array(list(probs.values()), dtype=float)
    counts = rng.multinomial(n, p / p.sum())
    return dict(zip(probs, (int(c) for c in counts)))


def _binomials(rng: np.random.Generator, n: int, probs: dict[str, float]) -> dict[str, int]:
    return {k: int(rng.binomial(n, min(max(p, 0.0), 1.0))) for k, p in probs.items()}


def make_members(rng: np.random.Generator, count: int, first: Period, last: Period) -> list[Member]:
    codes = list(REGION_WEIGHT)
    weights = np.array([REGION_WEIGHT[c] for c in codes])
    dense = [c for c in codes if c != SPARSE_REGION]
    members: list[Member] = []
    counters = {n: 0 for n in NETWORKS}
    for i in range(count):
        network = NETWORKS[i % len(NETWORKS)]
        counters[network] += 1
        org = f"{_PREFIX[network]}{counters[network]:03d}"
        primary = str(rng.choice(dense, p=weights[[codes.index(c) for c in dense]] /
                                 weights[[codes.index(c) for c in dense]].sum()))
        regions = [primary]
        if rng.random() < 0.35:
            extra = str(rng.choice(dense))
            if extra not in regions:
                regions.append(extra)
        name = f"{network} {_PLACES[i % len(_PLACES)]} {_KINDS[(i // len(_PLACES)) % len(_KINDS)]}"
        members.append(Member(org, name, network, regions, active_from=first,
                              size=float(rng.lognormal(mean=4.6, sigma=0.7)),
                              growth=float(rng.normal(0.025, 0.02))))
    # a few members with a story to tell (where there are enough members)
    if count >= 10:
        for index, region in ((0, "AKL"), (5, "MWT"), (7, "BOP"), (9, "HKB")):
            m = members[index]
            m.regions = [region] if index else [region] + [r for r in m.regions if r != region][:1]
        members[0].size *= 6  # the city mission: several times any other member
        members[0].name = "Methodist City Mission" if members[0].network == "Methodist" else \
            f"{members[0].network} City Mission"
    # every dense region has at least three members
    for code in dense:
        have = [m for m in members if code in m.regions]
        need = 3 - len(have)
        if need > 0:
            candidates = [m for m in members if code not in m.regions and len(m.regions) < 3]
            for k in rng.choice(len(candidates), size=min(need, len(candidates)), replace=False):
                candidates[int(k)].regions.append(code)
    # the sparse region has exactly two
    for m in members[-2:]:
        if SPARSE_REGION not in m.regions:
            m.regions.append(SPARSE_REGION)
    # membership changes and deliberate imperfections (only where there are enough members)
    if count >= 10:
        members[5].active_from = quarter_range(first, last)[min(4, len(quarter_range(first, last)) - 1)]
        members[9].active_to = last.previous().previous()
        for m in members[1:count:11]:
            m.quarter_only_clients = True
        members[2].fractional_hours = True
        members[3].high_unidentified = True
        members[4].jump_last_quarter = True
        members[7].missing_last_quarter = True
        members[8].xlsx = True
        members[6].messy_codes = True
    return members


def _quarter_rows(rng: np.random.Generator, m: Member, q: Period, region: str, t: int,
                  clients: int, needs: dict[str, float]) -> list[list]:
    rows: list[list] = []

    def add(measure: str, dimension: str, category: str, value) -> None:
        rows.append([m.org_id, str(q), region, measure, dimension, category, value])

    add("clients", "total", "", clients)
    _client_breakdowns(rng, add, clients, needs, m, region)
    add("new_clients", "total", "", int(rng.binomial(clients, 0.38)))
    sessions = int(rng.poisson(clients * 2.4)) + clients
    add("sessions", "total", "", sessions)
    for cat, v in _split(rng, sessions, SERVICE_P).items():
        add("sessions", "service_type", cat, v)
    share = 0.14 if m.high_unidentified else 0.015
    add("unidentified_attendances", "total", "", int(rng.poisson(clients * share)))
    for group, domains in catalogue.DIMENSIONS["score_domain"]["groups"].items():
        rate = {"circumstances": 0.28, "goals": 0.22, "satisfaction": 0.35}[group]
        for d in domains:
            assessed = int(rng.binomial(clients, rate))
            imp, same, dec = rng.multinomial(assessed, OUTCOME_BY_DOMAIN.get(d, OUTCOME_P))
            add("outcome_assessed", "score_domain", d, assessed)
            add("outcome_improved", "score_domain", d, int(imp))
            add("outcome_same", "score_domain", d, int(same))
            add("outcome_declined", "score_domain", d, int(dec))
    # hours actually worked in the quarter: about 6 to 9 paid hours per person seen (sessions,
    # case notes, travel, supervision), and about a third as many volunteer hours
    staff = clients * rng.uniform(6.0, 9.0)
    volunteer = staff * rng.uniform(0.2, 0.5)
    if m.fractional_hours:
        add("staff_hours", "total", "", f"{staff:.1f}")
        add("volunteer_hours", "total", "", f"{volunteer:.2f}")
    else:
        add("staff_hours", "total", "", int(round(staff)))
        add("volunteer_hours", "total", "", int(round(volunteer)))
    return rows


def _client_breakdowns(rng, add, clients: int, needs: dict[str, float], m: Member, region: str) -> None:
    for cat, v in _split(rng, clients, AGE_P).items():
        add("clients", "age_band", cat, v)
    # one network's members do not collect gender: counted as not stated downstream
    if m.network != "Baptist":
        for cat, v in _split(rng, clients, GENDER_P).items():
            add("clients", "gender", cat, v)
    for cat, v in _binomials(rng, clients, {**ETHNIC_P, **REGION_ETHNIC.get(region, {})}).items():
        add("clients", "ethnicity", cat, v)
    for cat, v in _binomials(rng, clients, needs).items():
        add("clients", "need", cat, v)


def needs_in(region: str, q: Period, t: int) -> dict[str, float]:
    """The chance that a person seen in ``region`` in quarter ``q`` (the ``t``-th) sought each kind
    of help: the national mix, the region's housing pressure, a slow rise, winter, the events."""
    housing = HOUSING_BASE.get(region, 0.22) + 0.004 * t + (0.02 if q.number == 3 else 0.0)
    out = {need: housing if p is None else p for need, p in NEED_P.items()}  # housing: the only None
    for first, need, extra in EVENT_EFFECTS:
        if q >= Period.parse(first):
            out[need] = out[need] + extra
    return out


def generate(out: Path, members: int = 44, quarters: int = 8, last: str = "2025Q2",
             seed: int = 20250630) -> dict[str, int]:
    """Write a dataset under ``out``; returns a few counts for logging."""
    rng = np.random.default_rng(seed)
    last_q = Period.parse(last)
    qs = [last_q]
    while len(qs) < quarters:
        qs.insert(0, qs[0].previous())
    first_q = qs[0]
    roster = make_members(rng, members, first_q, last_q)
    sub_dir = out / "submissions"
    n_rows = 0
    for m in roster:
        per_quarter: dict[Period, dict[str, int]] = {}
        for t, q in enumerate(qs):
            if q < m.active_from or (m.active_to is not None and q > m.active_to):
                continue
            if m.missing_last_quarter and q == last_q:
                continue
            rows: list[list] = []
            per_quarter[q] = {}
            for j, region in enumerate(m.regions):
                scale = m.size * (1.0 if j == 0 else 0.35) * (1 + m.growth) ** t * SEASON[q.number]
                if m.jump_last_quarter and q == last_q:
                    scale *= 1.9
                clients = max(int(rng.poisson(scale)), 8)
                per_quarter[q][region] = clients
                rows += _quarter_rows(rng, m, q, region, t, clients, needs_in(region, q, t))
            m.rows[str(q)] = rows
        # half-year rows for clients (distinct people: fewer than the quarter sum)
        if not m.quarter_only_clients:
            for half in sorted({q.containing_half() for q in per_quarter}):
                q1, q2 = half.quarters()
                if q1 not in per_quarter or q2 not in per_quarter:
                    continue
                rows = []
                for region in m.regions:
                    a, b = per_quarter[q1][region], per_quarter[q2][region]
                    distinct = max(a, b) + int(round(0.45 * min(a, b)))  # about half seen in both quarters
                    t = qs.index(q2)

                    def add_r(measure, dimension, category, value, _region=region):
                        rows.append([m.org_id, str(half), _region, measure, dimension, category, value])

                    add_r("clients", "total", "", distinct)
                    _client_breakdowns(rng, add_r, distinct, needs_in(region, q2, t), m, region)
                m.rows[str(half)] = rows
        for period, rows in m.rows.items():
            n_rows += len(rows)
            _write(sub_dir / period, m, rows)
    _write_register(out / "members.csv", roster)
    _write_events(out / "events.yaml")
    return {"members": len(roster), "quarters": len(qs), "rows": n_rows}


def _write(folder: Path, m: Member, rows: list[list]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    if m.messy_codes:
        rows = [[r[0].lower(), r[1], f" {r[2].lower()} ", r[3].upper(), r[4].title(), r[5], r[6]]
                for r in rows]
    if m.xlsx:
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.title = "submission"
        ws.append(HEADER)
        for r in rows:
            value = r[6]
            ws.append(r[:6] + [float(value) if isinstance(value, str) else value])
        buf = io.BytesIO()
        wb.save(buf)
        (folder / f"{m.org_id}.xlsx").write_bytes(reproducible_zip(buf.getvalue(), when=(2025, 7, 1, 0, 0, 0)))
        return
    text = io.StringIO(newline="")
    writer = csv.writer(text, lineterminator="\r\n" if m.messy_codes else "\n")
    writer.writerow([h.upper() if m.messy_codes else h for h in HEADER])
    writer.writerows(rows)
    data = text.getvalue().encode("utf-8")
    if m.messy_codes:
        data = b"\xef\xbb\xbf" + data
    (folder / f"{m.org_id}.csv").write_bytes(data)


def _write_register(path: Path, roster: list[Member]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["org_id", "name", "network", "regions", "active_from", "active_to"])
        for m in roster:
            w.writerow([m.org_id, m.name, m.network, ";".join(m.regions), str(m.active_from),
                        str(m.active_to) if m.active_to else ""])


EVENTS_YAML = """\
# Policy events marked on trend charts and listed in the report's policy context.
# Sample data: these events are illustrative, not a record of real decisions.
- date: 2023-10-14
  title: General election
  description: A change of government, with new social-sector priorities.
- date: 2024-04-01
  title: Benefit indexation changed
  description: Main benefits indexed to prices rather than wages from this date.
  source: Illustrative sample event
- date: 2024-08-01
  title: Emergency housing eligibility tightened
  description: Stricter criteria for emergency housing grants.
  source: Illustrative sample event
- date: 2025-03-01
  title: Food-security funding ends
  description: A one-off community food-security fund closes.
  source: Illustrative sample event
"""


def _write_events(path: Path) -> None:
    path.write_text(EVENTS_YAML, encoding="utf-8")


# ---- fast path for benchmark-sized datasets ------------------------------------

def _fast_template() -> tuple[list[str], list[str]]:
    """The (measure,dimension,category,) suffix of every quarter row, and of a clients half row."""
    quarter: list[str] = []
    clients = ["clients,total,"]
    clients += [f"clients,age_band,{c}" for c in AGE_P] + [f"clients,gender,{c}" for c in GENDER_P]
    clients += [f"clients,ethnicity,{c}" for c in ETHNIC_P] + [f"clients,need,{c}" for c in NEED_P]
    quarter += clients
    quarter += ["new_clients,total,", "sessions,total,"] + [f"sessions,service_type,{c}" for c in SERVICE_P]
    quarter += ["unidentified_attendances,total,"]
    for group, domains in catalogue.DIMENSIONS["score_domain"]["groups"].items():
        for d in domains:
            quarter += [f"{m},score_domain,{d}" for m in
                        ("outcome_assessed", "outcome_improved", "outcome_same", "outcome_declined")]
    quarter += ["staff_hours,total,", "volunteer_hours,total,"]
    return [s + "," for s in quarter], [s + "," for s in clients]


def _split_floor(c: np.ndarray, probs: dict[str, float], rest: str) -> np.ndarray:
    """Whole-number split of ``c`` by ``probs`` that adds up exactly (the rest goes to ``rest``)."""
    p = np.array([0.0 if k == rest else v for k, v in probs.items()])
    out = np.floor(c[:, None] * (p / sum(probs.values()))[None, :]).astype(np.int64)
    out[:, list(probs).index(rest)] = c - out.sum(axis=1)
    return out


def _fast_values(c: np.ndarray, half: bool = False) -> np.ndarray:
    """Row values for a vector of clients totals, in the order of ``_fast_template``."""
    cols = [c[:, None], _split_floor(c, AGE_P, "not_stated"), _split_floor(c, GENDER_P, "not_stated"),
            np.floor(c[:, None] * np.array(list(ETHNIC_P.values()))[None, :]).astype(np.int64),
            np.floor(c[:, None] * np.array([v or 0.2 for v in NEED_P.values()])[None, :]).astype(np.int64)]
    if half:
        return np.hstack(cols)
    sessions = c * 3
    cols += [np.floor(c * 0.38).astype(np.int64)[:, None], sessions[:, None],
             _split_floor(sessions, SERVICE_P, "not_stated"), np.floor(c * 0.015).astype(np.int64)[:, None]]
    for group, domains in catalogue.DIMENSIONS["score_domain"]["groups"].items():
        rate = {"circumstances": 0.28, "goals": 0.22, "satisfaction": 0.35}[group]
        a = np.floor(c * rate).astype(np.int64)
        imp, same = np.floor(a * OUTCOME_P[0]).astype(np.int64), np.floor(a * OUTCOME_P[1]).astype(np.int64)
        block = np.stack([a, imp, same, a - imp - same], axis=1)
        cols += [block] * len(domains)
    cols += [np.round(c * 3.2).astype(np.int64)[:, None], np.round(c * 1.5).astype(np.int64)[:, None]]
    return np.hstack(cols)


def generate_fast(out: Path, members: int, quarters: int, last: str = "2025Q2",
                  seed: int = 20250630) -> dict[str, int]:
    """A large, clean dataset written as CSV text directly (no per-row random draws).

    Every member is active throughout, delivers in one or two regions, sends
    all quarters and (except every eleventh member) half-year clients rows.
    Breakdowns add up exactly, so ``check`` reports no errors; it exists to
    measure reading and validation at scale (scripts/bench_check.py).
    """
    rng = np.random.default_rng(seed)
    last_q = Period.parse(last)
    qs = [last_q]
    while len(qs) < quarters:
        qs.insert(0, qs[0].previous())
    codes = [c for c in REGION_WEIGHT if c != SPARSE_REGION]
    w = np.array([REGION_WEIGHT[c] for c in codes])
    primary = rng.choice(len(codes), size=members, p=w / w.sum())
    second = rng.choice(len(codes), size=members)
    two = (rng.random(members) < 0.35) & (second != primary)
    size = rng.lognormal(4.6, 0.7, size=members)
    growth = rng.normal(0.02, 0.01, size=members)
    counters = {n: 0 for n in NETWORKS}
    roster: list[Member] = []
    for i in range(members):
        network = NETWORKS[i % len(NETWORKS)]
        counters[network] += 1
        regions = [codes[primary[i]]] + ([codes[second[i]]] if two[i] else [])
        roster.append(Member(f"{_PREFIX[network]}{counters[network]:04d}", f"{network} member {i + 1}",
                             network, regions, active_from=qs[0], quarter_only_clients=(i % 11 == 1)))
    q_suffix, h_suffix = _fast_template()
    sub = out / "submissions"
    n_rows = 0
    clients_by: dict[tuple[int, int, int], int] = {}
    for t, q in enumerate(qs):
        folder = sub / str(q)
        folder.mkdir(parents=True, exist_ok=True)
        base = np.maximum(size * (1 + growth) ** t, 8)
        c1 = np.maximum(rng.poisson(base), 8).astype(np.int64)
        c2 = np.maximum(rng.poisson(base * 0.35), 8).astype(np.int64)
        v1, v2 = _fast_values(c1), _fast_values(c2)
        for i, m in enumerate(roster):
            text = [",".join(HEADER)]
            for j, region in enumerate(m.regions):
                vals = (v1 if j == 0 else v2)[i]
                clients_by[(i, j, t)] = int(vals[0])
                pre = f"{m.org_id},{q},{region},"
                text += [f"{pre}{s}{v}" for s, v in zip(q_suffix, vals.tolist())]
            n_rows += len(text) - 1
            (folder / f"{m.org_id}.csv").write_text("\n".join(text) + "\n", encoding="ascii")
    for t in range(1, len(qs)):
        q1, q2 = qs[t - 1], qs[t]
        if q2.containing_half() != q1.containing_half():
            continue
        half = q2.containing_half()
        folder = sub / str(half)
        folder.mkdir(parents=True, exist_ok=True)
        for i, m in enumerate(roster):
            if m.quarter_only_clients:
                continue
            text = [",".join(HEADER)]
            for j, region in enumerate(m.regions):
                distinct = np.array([round((clients_by[(i, j, t - 1)] + clients_by[(i, j, t)]) * 0.74)])
                vals = _fast_values(distinct, half=True)[0]
                pre = f"{m.org_id},{half},{region},"
                text += [f"{pre}{s}{v}" for s, v in zip(h_suffix, vals.tolist())]
            n_rows += len(text) - 1
            (folder / f"{m.org_id}.csv").write_text("\n".join(text) + "\n", encoding="ascii")
    _write_register(out / "members.csv", roster)
    _write_events(out / "events.yaml")
    return {"members": len(roster), "quarters": len(qs), "rows": n_rows}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m reportgen.inputs.sample_data",
                                 description="Write a synthetic, contract-conformant dataset.")
    ap.add_argument("--out", type=Path, default=Path("data"), help="folder to write (default: data)")
    ap.add_argument("--members", type=int, default=44, help="number of members (default 44)")
    ap.add_argument("--quarters", type=int, default=8, help="number of quarters (default 8)")
    ap.add_argument("--last", default="2025Q2", help="last quarter (default 2025Q2)")
    ap.add_argument("--seed", type=int, default=20250630)
    ap.add_argument("--fast", action="store_true",
                    help="write a large, clean dataset quickly (benchmarks; no deliberate warnings)")
    args = ap.parse_args(argv)
    make = generate_fast if args.fast else generate
    counts = make(args.out, args.members, args.quarters, args.last, args.seed)
    print(f"wrote {counts['rows']:,} rows for {counts['members']} members over "
          f"{counts['quarters']} quarters under {args.out}/")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

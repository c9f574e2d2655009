"""The counting rules of ``shared/spec/member-export.md``, vectorised.

Everything is counted per region of the session. People are integers, dates
day numbers, sessions are ordered by (date, session_id) through their rank,
so "first session in the period and region" is the smallest rank and "last
session on or before a date" a binary search. Distinct people are distinct
integer keys (``np.unique`` on period · region · person), so a million
sessions need no Python loop per row.

``tests/member_oracle.py`` is a deliberately plain second implementation of
the same rules (dicts and loops), and a property test checks that both give
exactly the same rows on generated exports.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from ..core import catalogue
from ..core.findings import Finding
from ..core.periods import Period
from .export import _EPOCH, NO_DATE, Export
from .formats import CODED
from .problems import Problems

REGIONS = CODED["region"]
R = len(REGIONS)
AGE_BANDS = list(catalogue.DIMENSIONS["age_band"]["categories"])  # 0_15 … 65_plus, not_stated
NOT_STATED_AGE = AGE_BANDS.index("not_stated")
GENDERS, ETHNICITIES, NEEDS = CODED["gender"], CODED["ethnicity"], CODED["need"]
SERVICES, DOMAINS = CODED["service_type"], CODED["domain"]
OUTCOMES = ("outcome_assessed", "outcome_improved", "outcome_same", "outcome_declined")

Row = tuple[str, str, str, str, str, int]  # period, region, measure, dimension, category, value


@dataclass
class Counted:
    """The rows for each period asked for (quarters, then the half-years wholly inside the range)."""

    periods: list[Period]
    rows: dict[str, list[Row]] = field(default_factory=dict)  # period → rows, in a fixed order
    findings: list[Finding] = field(default_factory=list)


def _ymd(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    d = (days - _EPOCH).astype("datetime64[D]")
    months = d.astype("datetime64[M]")
    m = months.astype(np.int64)
    day = (d - months.astype("datetime64[D]")).astype(np.int64) + 1
    return m // 12 + 1970, m % 12 + 1, day


def quarter_ids(days: np.ndarray) -> np.ndarray:
    """year · 4 + quarter − 1 for each day number (−1 for NO_DATE)."""
    out = np.full(len(days), -1, dtype=np.int64)
    ok = days != NO_DATE
    y, m, _ = _ymd(days[ok])
    out[ok] = y * 4 + (m - 1) // 3
    return out


def half_ids(days: np.ndarray) -> np.ndarray:
    out = np.full(len(days), -1, dtype=np.int64)
    ok = days != NO_DATE
    y, m, _ = _ymd(days[ok])
    out[ok] = y * 2 + (m - 1) // 6
    return out


def _qid(p: Period) -> int:
    return p.year * 4 + p.number - 1


def _hid(p: Period) -> int:
    return p.year * 2 + p.number - 1


def periods_for(first: Period, last: Period) -> tuple[list[Period], list[Period]]:
    """The quarters from ``first`` to ``last``, and the half-years wholly inside them."""
    quarters = []
    q = first
    while q <= last:
        quarters.append(q)
        q = q.next()
    inside = {str(q) for q in quarters}
    halves = sorted({q.containing_half() for q in quarters
                     if all(str(x) in inside for x in q.containing_half().quarters())})
    return quarters, halves


def counted_sessions(ex: Export, first: Period, last: Period) -> np.ndarray:
    """Which sessions fall in the quarters asked for (and are counted): a mask over sessions.csv's rows."""
    q = quarter_ids(ex.s_date)
    return (q >= _qid(first)) & (q <= _qid(last))


def _local(ids: np.ndarray, wanted: list[int]) -> np.ndarray:
    """Position of each id in ``wanted`` (−1 when not wanted)."""
    out = np.full(len(ids), -1, dtype=np.int64)
    for k, w in enumerate(wanted):
        out[ids == w] = k
    return out


def _ages(first_day: np.ndarray, birth: np.ndarray, birth_year: np.ndarray) -> np.ndarray:
    """Age band positions on ``first_day`` (birth_date wins over birth_year; neither: not stated)."""
    band = np.full(len(first_day), NOT_STATED_AGE, dtype=np.int64)
    if not len(first_day):
        return band
    y, m, d = _ymd(first_day)
    age = np.full(len(first_day), -10**9, dtype=np.int64)
    has_date = birth != NO_DATE
    if has_date.any():
        by, bm, bd = _ymd(birth[has_date])
        yy, mm, dd = y[has_date], m[has_date], d[has_date]
        before_birthday = (mm < bm) | ((mm == bm) & (dd < bd))
        age[has_date] = yy - by - before_birthday.astype(np.int64)
    only_year = ~has_date & (birth_year > 0)
    age[only_year] = y[only_year] - birth_year[only_year] - (m[only_year] < 7).astype(np.int64)
    known = has_date | only_year
    edges = np.array([16, 25, 45, 65])
    band[known] = np.searchsorted(edges, age[known], side="right")
    return band


@dataclass
class _People:
    """Distinct (period, region, person) of a period kind, with what the breakdowns need."""

    period: np.ndarray  # local period index
    region: np.ndarray
    person: np.ndarray
    first_rank: np.ndarray  # rank of their first session in that period and region
    first_day: np.ndarray


def _people(ex: Export, pair_period: np.ndarray) -> _People:
    sel = np.flatnonzero(pair_period >= 0)
    s = ex.a_session[sel]
    p, g, c = pair_period[sel], ex.s_region[s].astype(np.int64), ex.a_client[sel]
    rank = ex.s_rank[s]
    key = (p * R + g) * max(ex.n_clients, 1) + c
    order = np.lexsort((rank, key))
    key, rank_sorted = key[order], rank[order]
    start = np.flatnonzero(np.concatenate(([True], key[1:] != key[:-1]))) if len(key) else np.zeros(0, np.int64)
    ss = s[order][start]
    return _People(p[order][start], g[order][start], c[order][start], rank_sorted[start], ex.s_date[ss])


def _bincount(index: np.ndarray, size: int, weights: np.ndarray | None = None) -> np.ndarray:
    if weights is None:
        return np.bincount(index, minlength=size).astype(np.int64)
    out = np.zeros(size, dtype=np.int64)
    np.add.at(out, index, weights.astype(np.int64))
    return out


def _need_masks(ex: Export, need_period: np.ndarray, people: _People) -> np.ndarray:
    """For each distinct (period, region, person): the bit mask of needs recorded in that period."""
    sel = need_period >= 0
    n = max(ex.n_clients, 1)
    key = need_period[sel] * n + ex.n_client[sel]
    bits = (np.int64(1) << ex.n_need[sel].astype(np.int64))
    if not len(key):
        return np.zeros(len(people.person), dtype=np.int64)
    order = np.argsort(key, kind="stable")
    key, bits = key[order], bits[order]
    start = np.flatnonzero(np.concatenate(([True], key[1:] != key[:-1])))
    masks = np.bitwise_or.reduceat(bits, start)
    ukeys = key[start]
    query = people.period * n + people.person
    pos = np.clip(np.searchsorted(ukeys, query), 0, len(ukeys) - 1)
    return np.where(ukeys[pos] == query, masks[pos], 0)


def _breakdowns(ex: Export, people: _People, periods: int, need_mask: np.ndarray | None) -> dict:
    """clients total and its four breakdowns, as arrays indexed [period, region(, category)]."""
    pg = people.period * R + people.region
    size = periods * R
    out = {"total": _bincount(pg, size).reshape(periods, R)}
    band = _ages(people.first_day, ex.birth[people.person], ex.birth_year[people.person])
    out["age_band"] = _bincount(pg * len(AGE_BANDS) + band, size * len(AGE_BANDS)).reshape(periods, R, -1)
    gender = ex.gender[people.person].astype(np.int64)
    out["gender"] = _bincount(pg * len(GENDERS) + gender, size * len(GENDERS)).reshape(periods, R, -1)
    eth = ex.ethnicity[people.person]
    out["ethnicity"] = np.stack([_bincount(pg[(eth >> i) & 1 == 1], size).reshape(periods, R)
                                 for i in range(len(ETHNICITIES))], axis=-1)
    if need_mask is not None:
        out["need"] = np.stack([_bincount(pg[(need_mask >> i) & 1 == 1], size).reshape(periods, R)
                                for i in range(len(NEEDS))], axis=-1)
    return out


def count(ex: Export, first: Period, last: Period, problems: Problems) -> Counted:
    quarters, halves = periods_for(first, last)
    qids, hids = [_qid(q) for q in quarters], [_hid(h) for h in halves]
    Q, H = len(quarters), len(halves)
    result = Counted(quarters + halves)
    has_needs, has_assess, has_hours = ("needs" in ex.present, "assessments" in ex.present,
                                        "hours" in ex.present)

    s_q = _local(quarter_ids(ex.s_date), qids)
    s_h = _local(half_ids(ex.s_date), hids)
    pair_q, pair_h = s_q[ex.a_session], s_h[ex.a_session]
    h_q = _local(quarter_ids(ex.h_date), qids) if has_hours else np.zeros(0, np.int64)
    h_h = _local(half_ids(ex.h_date), hids) if has_hours else np.zeros(0, np.int64)

    # regions with a session or an hours row in each period
    active_q = np.zeros((Q, R), dtype=bool)
    active_h = np.zeros((max(H, 1), R), dtype=bool)
    for active, sp, hp in ((active_q, s_q, h_q), (active_h, s_h, h_h)):
        sel = sp >= 0
        active.reshape(-1)[np.unique(sp[sel] * R + ex.s_region[sel])] = True
        if has_hours:
            sel = hp >= 0
            active.reshape(-1)[np.unique(hp[sel] * R + ex.h_region[sel])] = True

    # ---- people: clients and breakdowns, per quarter and per half-year --------------------------
    people_q = _people(ex, pair_q)
    people_h = _people(ex, pair_h)
    need_q = need_h = None
    if has_needs:
        need_q = _need_masks(ex, _local(quarter_ids(ex.n_date), qids), people_q)
        need_h = _need_masks(ex, _local(half_ids(ex.n_date), hids), people_h)
    bq = _breakdowns(ex, people_q, Q, need_q)
    bh = _breakdowns(ex, people_h, max(H, 1), need_h)

    # ---- new clients: first service in the quarter, in the region of their first session in it ---
    n = max(ex.n_clients, 1)
    first_session_day = np.full(ex.n_clients, NO_DATE, dtype=np.int64)
    np.minimum.at(first_session_day, ex.a_client, ex.s_date[ex.a_session])
    first_service = np.minimum(first_session_day, ex.first_service)
    fs_q = quarter_ids(first_service)
    new = np.zeros((Q, R), dtype=np.int64)
    if len(people_q.person):
        key = people_q.period * n + people_q.person
        order = np.lexsort((people_q.first_rank, key))
        key_sorted = key[order]
        start = np.flatnonzero(np.concatenate(([True], key_sorted[1:] != key_sorted[:-1])))
        pick = order[start]  # per (quarter, person): the region where their first session in it was
        p, g, c = people_q.period[pick], people_q.region[pick], people_q.person[pick]
        is_new = fs_q[c] == np.asarray(qids, dtype=np.int64)[p]
        new = _bincount(p[is_new] * R + g[is_new], Q * R).reshape(Q, R)

    # ---- sessions and unidentified attendances ---------------------------------------------------
    sel = np.flatnonzero(s_q >= 0)
    sg = s_q[sel] * R + ex.s_region[sel]
    sessions = _bincount(sg, Q * R).reshape(Q, R)
    by_service = _bincount(sg * len(SERVICES) + ex.s_service[sel], Q * R * len(SERVICES)).reshape(Q, R, -1)
    unidentified = _bincount(sg, Q * R, ex.s_unidentified[sel]).reshape(Q, R)

    # ---- outcomes ---------------------------------------------------------------------------------
    outcomes = np.zeros((Q, R, len(DOMAINS), 4), dtype=np.int64)
    if has_assess and len(ex.r_client):
        outcomes = _outcomes(ex, qids, active_q, problems)

    # ---- hours ---------------------------------------------------------------------------------------
    hours = np.zeros((Q, R, 2), dtype=np.int64)
    if has_hours:
        sel = np.flatnonzero(h_q >= 0)
        key = (h_q[sel] * R + ex.h_region[sel]) * 2 + ex.h_kind[sel]
        combos, counts = np.unique(key * (len(ex.h_values) + 1) + ex.h_value[sel], return_counts=True)
        sums: dict[int, Fraction] = {}
        for combo, k in zip(combos.tolist(), counts.tolist()):
            cell, v = divmod(combo, len(ex.h_values) + 1)
            sums[cell] = sums.get(cell, Fraction(0)) + ex.h_values[v] * k
        flat = hours.reshape(-1)
        for cell, total in sums.items():
            flat[cell] = math.ceil(total)

    # ---- rows --------------------------------------------------------------------------------------
    for qi, q in enumerate(quarters):
        rows: list[Row] = []
        for g, region in enumerate(REGIONS):
            if not active_q[qi, g]:
                continue
            rows += _client_rows(str(q), region, bq, qi, g, has_needs)
            put = _putter(rows, str(q), region)
            put("new_clients", "total", "", new[qi, g])
            put("sessions", "total", "", sessions[qi, g])
            for k, st in enumerate(SERVICES):
                put("sessions", "service_type", st, by_service[qi, g, k])
            put("unidentified_attendances", "total", "", unidentified[qi, g])
            if has_assess:
                for j, measure in enumerate(OUTCOMES):
                    for k, domain in enumerate(DOMAINS):
                        put(measure, "score_domain", domain, outcomes[qi, g, k, j])
            if has_hours:
                put("staff_hours", "total", "", hours[qi, g, 0])
                put("volunteer_hours", "total", "", hours[qi, g, 1])
        result.rows[str(q)] = rows
    for hi, h in enumerate(halves):
        rows = []
        for g, region in enumerate(REGIONS):
            if active_h[hi, g]:
                rows += _client_rows(str(h), region, bh, hi, g, has_needs)
        result.rows[str(h)] = rows
    return result


def _putter(rows: list[Row], period: str, region: str):
    def put(measure: str, dimension: str, category: str, value) -> None:
        rows.append((period, region, measure, dimension, category, int(value)))

    return put


def _client_rows(period: str, region: str, b: dict, pi: int, g: int, has_needs: bool) -> list[Row]:
    rows: list[Row] = []
    put = _putter(rows, period, region)
    put("clients", "total", "", b["total"][pi, g])
    for dim, cats in (("age_band", AGE_BANDS), ("gender", GENDERS), ("ethnicity", ETHNICITIES),
                      ("need", NEEDS)):
        if dim == "need" and not has_needs:
            continue
        for k, cat in enumerate(cats):
            put("clients", dim, cat, b[dim][pi, g, k])
    return rows


def _outcomes(ex: Export, qids: list[int], active_q: np.ndarray, problems: Problems) -> np.ndarray:
    Q = len(qids)
    out = np.zeros((Q, R, len(DOMAINS), 4), dtype=np.int64)
    D = len(DOMAINS)
    # ratings in (person, domain, date, file line) order: the first of a group is the start rating
    order = np.lexsort((ex.r_line, ex.r_date, ex.r_domain.astype(np.int64), ex.r_client))
    c, dom = ex.r_client[order], ex.r_domain[order].astype(np.int64)
    day, rating = ex.r_date[order], ex.r_rating[order].astype(np.int64)
    group = c * D + dom
    gstart = np.concatenate(([True], group[1:] != group[:-1]))
    first_idx = np.maximum.accumulate(np.where(gstart, np.arange(len(group)), 0))
    start_day, start_rating = day[first_idx], rating[first_idx]
    q = _local(quarter_ids(day), qids)
    # the end rating: the last rating of the group in the quarter (runs of (group, quarter) are contiguous)
    key = group * (Q + 1) + (q + 1)
    last = np.concatenate((key[1:] != key[:-1], [True])) & (q >= 0)
    ends = np.flatnonzero(last & (start_day < day))  # an earlier-dated rating exists
    if not len(ends):
        return out
    ec, eday, eq, edom = c[ends], day[ends], q[ends], dom[ends]
    change = np.sign(rating[ends] - start_rating[ends])  # 1 improved, 0 same, −1 declined
    # the region of the person's last session on or before the end assessment (date, then session_id)
    pair_order = np.lexsort((ex.s_rank[ex.a_session], ex.a_client))
    pc_, ps = ex.a_client[pair_order], ex.a_session[pair_order]
    big = np.int64(1 << 23)  # more than any day number
    skey = pc_ * big + ex.s_date[ps]
    pos = np.searchsorted(skey, ec * big + eday, side="right") - 1
    found = (pos >= 0) & (pc_[np.maximum(pos, 0)] == ec) if len(pc_) else np.zeros(len(ec), dtype=bool)
    region = np.where(found, ex.s_region[ps[np.maximum(pos, 0)]] if len(ps) else 0, -1).astype(np.int64)
    rows_in_file = order[ends]
    lines = ex.r_line
    col = ex.columns.get("assessments", {}).get("date")
    missing = np.flatnonzero(~found)
    if len(missing):
        problems.rows("member.outcome-no-session", "assessments.csv", col, rows_in_file[missing], lines,
                      lambda i: (f"this end assessment ({DOMAINS[int(ex.r_domain[i])]}) is not counted: the client "
                                 "has no session on or before its date, so it has no region",
                                 "check the assessment's date, or the client's sessions"))
    quiet = found & ~active_q[eq, np.maximum(region, 0)]
    if quiet.any():
        qr = np.flatnonzero(quiet)
        problems.rows("member.outcome-region-quiet", "assessments.csv", col, rows_in_file[qr], lines,
                      lambda i, _m={int(r): int(g) for r, g in zip(rows_in_file[qr], region[qr])}:
                      (f"this outcome ({DOMAINS[int(ex.r_domain[i])]}) falls to {REGIONS[_m[i]]}, which has no "
                       "session and no hours in its quarter, so it is not sent",
                       "outcomes are counted in the region of the client's last session on or before the "
                       "end assessment"))
    ok = found & ~quiet
    cell = ((eq[ok] * R + region[ok]) * D + edom[ok]) * 4
    flat = out.reshape(-1)
    np.add.at(flat, cell, 1)  # assessed
    kind = np.where(change[ok] > 0, 1, np.where(change[ok] == 0, 2, 3))
    np.add.at(flat, cell + kind, 1)
    return out

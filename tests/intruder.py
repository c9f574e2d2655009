"""An intruder holding the published bundle — and, playing a member, that member's own submissions.

Written from ``shared/spec/confidentiality.md`` and the published tables' documentation
(``docs/published-tables.md``) alone: it imports nothing of reportgen, so it cannot inherit the
confidentialiser's mistakes. It knows what the documentation says: counts are randomly rounded to
base 3 (a published count ``v`` allows the raw values ``v − 2 … v + 2``, none below the suppression
threshold), hours are exact, and how each derived table is defined. It tries, cell by cell:

* ``ratio × magnitude``, ``percentage × total``, ``share × total``, ``change × previous period``: a
  derived figure that is not what the published counts give was made from something else — the raw
  values — and narrows its inputs to those raw values that give it;
* ``like for like``: a member left out of a panel, knowing its own figures, against the published
  counts of both periods (each side the panel's sum, rounded as documented or not rounded at all);
* ``quarter vs half-year`` and ``national minus the regions``: a withheld cell recovered from its margin,
  and a count narrowed by its total and parts taken together (rounded each on its own);
* ``a member's own figures``: the second-largest contributor subtracting its own figure from the
  published cell, estimating the largest (the p % rule).

Each attack returns what it learned; ``disclosures`` keeps what is true (the test knows the raw values
from the submissions, through ``scripts/verify_published.py``, which does not import reportgen either).
"""

from __future__ import annotations

import csv
import io
import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

KEY = ("scope", "period", "measure", "dimension", "category")
HOURS = {"staff_hours", "volunteer_hours"}
ADDITIVE = {"new_clients", "sessions", "unidentified_attendances", "outcome_assessed", "outcome_improved",
            "outcome_same", "outcome_declined", "staff_hours", "volunteer_hours"}
REGIONS = ["NTL", "AKL", "WKO", "BOP", "GIS", "HKB", "TKI", "MWT", "WGN", "TAS", "NSN", "MBH", "WTC", "CAN",
           "OTA", "STL"]
# docs/published-tables.md, "ratios": numerator measures, denominator measures, scale, decimals
RATIOS = {
    "sessions_per_client": (("sessions",), ("clients",), 1.0, 1),
    "clients_per_100_staff_hours": (("clients",), ("staff_hours",), 100.0, 1),
    "volunteer_share_of_hours": (("volunteer_hours",), ("staff_hours", "volunteer_hours"), 100.0, 0),
    "unidentified_share": (("unidentified_attendances",), ("clients", "unidentified_attendances"), 100.0, 0),
}


@dataclass(frozen=True)
class Learned:
    """What an attack left of a published count: the raw values it still allows."""

    attack: str
    cell: tuple  # (scope, period, measure, dimension, category)
    allowed: frozenset[int]  # what the published value alone allows
    left: frozenset[int]  # what the attack leaves


def rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


class Bundle:
    """The published tables, as the intruder reads them."""

    def __init__(self, files: dict[str, bytes], *, base: int = 3, suppress_below: int = 6, min_denominator: int = 20):
        self.base, self.suppress_below, self.min_denominator = base, suppress_below, min_denominator
        self.counts: dict[tuple, tuple[float | None, str]] = {}
        self.derived: dict[str, list[dict[str, str]]] = {}
        for name, data in files.items():
            if not (name.startswith("tables/") and name.endswith(".csv")):
                continue
            stem = name.removeprefix("tables/").removesuffix(".csv")
            table = rows(data)
            if table and table[0]["measure"] and stem.split("_by_")[0] == table[0]["measure"]:
                for r in table:
                    self.counts[tuple(r[k] for k in KEY)] = (float(r["value"]) if r["value"] else None, r["symbol"])
            else:
                self.derived[stem] = table

    def allowed(self, key: tuple) -> frozenset[int] | None:
        """The raw values the published cell allows; None where it is withheld (S, C) or absent."""
        if key not in self.counts:
            return None
        value, symbol = self.counts[key]
        if symbol == "–":
            return frozenset({0})
        if symbol or value is None:
            return None
        v = int(value)
        if key[2] in HOURS:
            return frozenset({v})
        reach = self.base - 1
        return frozenset(x for x in range(v - reach, v + reach + 1) if x >= self.suppress_below)

    def published(self, key: tuple) -> float | None:
        value, symbol = self.counts.get(key, (None, ".."))
        return 0.0 if symbol == "–" else (value if not symbol else None)


def _narrow(bundle: Bundle, attack: str, keys: list[tuple], figure: float, formula: Callable[[tuple], float | None],
            digits: int) -> list[Learned]:
    """A published derived figure against its inputs. If the published counts give it, it teaches
    nothing; otherwise each input is narrowed to the raw values that, with some allowed value of every
    other input, give the figure."""
    spans = [bundle.allowed(k) for k in keys]
    if any(s is None for s in spans):
        return []
    published = tuple(bundle.published(k) for k in keys)
    if all(p is not None for p in published):
        made = formula(published)  # type: ignore[arg-type]
        if made is not None and round(made, digits) == figure:
            return []
    if 1 < len(keys) and 3000 < _product(len(s) for s in spans):  # type: ignore[arg-type]
        return []
    fits = [set() for _ in keys]
    for combo in itertools.product(*[sorted(s) for s in spans]):  # type: ignore[misc]
        made = formula(combo)
        if made is not None and round(made, digits) == figure:
            for i, x in enumerate(combo):
                fits[i].add(x)
    return [Learned(attack, k, frozenset(s), frozenset(f)) for k, s, f in zip(keys, spans, fits)  # type: ignore[arg-type]
            if len(f) < len(s)]  # type: ignore[arg-type]


def _product(values: Iterable[int]) -> int:
    out = 1
    for v in values:
        out *= v
    return out


def _quotient(num: int, den: int, scale: float) -> Callable[[tuple], float | None]:
    def f(values: tuple) -> float | None:
        bottom = sum(values[num:num + den])
        return None if bottom == 0 else sum(values[:num]) / bottom * scale
    return f


def ratio_times_magnitude(bundle: Bundle) -> list[Learned]:
    out = []
    for r in bundle.derived.get("ratios", []):
        if not r["value"] or r["measure"] not in RATIOS:
            continue
        num, den, scale, digits = RATIOS[r["measure"]]
        keys = [(r["scope"], r["period"], m, "total", "") for m in (*num, *den)]
        out += _narrow(bundle, "ratio × magnitude", keys, float(r["value"]), _quotient(len(num), len(den), scale),
                       digits)
    return out


def percentage_times_total(bundle: Bundle, groups: dict[str, dict[str, list[str]]]) -> list[Learned]:
    """Shares (× their totals) and outcome rates (× the people assessed)."""
    out = []
    for r in bundle.derived.get("shares", []):
        if r["value"]:
            keys = [tuple(r[k] for k in KEY), (r["scope"], r["period"], r["measure"], "total", "")]
            out += _narrow(bundle, "share × total", keys, float(r["value"]), _quotient(1, 1, 100.0), 0)
    for r in bundle.derived.get("outcomes", []):
        if not r["value"]:
            continue
        dim, cat = r["dimension"], r["category"]
        cats = groups.get(dim.removesuffix("_group"), {}).get(cat, []) if dim.endswith("_group") else [cat]
        dim = dim.removesuffix("_group")
        where = (r["scope"], r["period"])
        assessed = [(*where, "outcome_assessed", dim, c) for c in cats]
        if r["measure"] == "improvement_rate":
            keys = [*[(*where, "outcome_improved", dim, c) for c in cats], *assessed]
            formula = _quotient(len(cats), len(cats), 100.0)
        else:
            keys = [*assessed, (*where, "clients", "total", "")]
            n = len(cats)
            formula = (lambda k: lambda v: None if v[-1] == 0 else sum(v[:k]) / (v[-1] * k) * 100.0)(n)
        out += _narrow(bundle, "percentage × total", keys, float(r["value"]), formula, 0)
    return out


def _base_of(period: str, which: str) -> str:
    year, kind, n = int(period[:4]), period[4], int(period[5:])
    if which == "year_earlier":
        return f"{year - 1}{kind}{n}"
    if n > 1:
        return f"{year}{kind}{n - 1}"
    return f"{year - 1}{kind}{4 if kind == 'Q' else 2}"


def change_times_previous(bundle: Bundle) -> list[Learned]:
    out = []
    for which in ("previous", "year_earlier"):
        for r in bundle.derived.get(f"change_percent_vs_{which}", []):
            if not r["value"]:
                continue
            now = tuple(r[k] for k in KEY)
            then = (r["scope"], _base_of(r["period"], which), r["measure"], r["dimension"], r["category"])

            def pct(v: tuple) -> float | None:
                return None if v[1] == 0 else (v[0] - v[1]) / v[1] * 100.0
            out += _narrow(bundle, "change × previous period", [now, then], float(r["value"]), pct, 0)
    return out


def _possible_roundings(raw: int, base: int) -> set[int]:
    rem = raw % base
    if raw <= 0 or rem == 0:
        return {max(raw, 0)}
    lower = raw - rem
    return {lower + base} if lower == 0 else {lower, lower + base}


def like_for_like_as_left_out(bundle: Bundle, own: dict[str, dict[tuple, int]], panels: dict[tuple, set[str]]
                              ) -> list[Learned]:
    """Each member left out of a like-for-like panel — alone outside it — against the published counts
    of both periods: on a side where it has a part, the panel's raw sum is the cell's raw value less its
    own part, randomly rounded on its own (docs/confidentiality.md); on a side where it has none, the
    change used the published cell."""
    out = []
    for which in ("previous", "year_earlier"):
        for r in bundle.derived.get(f"like_for_like_vs_{which}", []):
            if not r["value"]:
                continue
            figure = float(r["value"])
            now = tuple(r[k] for k in KEY)
            then = (r["scope"], _base_of(r["period"], which), *now[2:])
            outside = panels.get((r["scope"], r["period"], then[1]), set())
            if len(outside) != 1:
                continue
            member = next(iter(outside))
            parts = [own.get(member, {}).get(k, 0) for k in (now, then)]
            spans = [bundle.allowed(now), bundle.allowed(then)]
            if spans[0] is None or spans[1] is None:
                continue

            def sides(t: int, part: int, key: tuple) -> set[int]:
                if part <= 0:
                    return {int(bundle.published(key) or 0)}
                # what the documentation says (the panel's sum rounded), and — in case it is not so —
                # the sum itself: a second way in can only leave more values, never fewer
                return {t - part} | (set() if key[2] in HOURS else _possible_roundings(t - part, bundle.base))

            fits: list[set[int]] = [set(), set()]
            for a in spans[0]:
                for b in spans[1]:
                    if any(pt >= bundle.min_denominator and round((pn - pt) / pt * 100.0) + 0.0 == figure
                           for pn in sides(a, parts[0], now) for pt in sides(b, parts[1], then)):
                        fits[0].add(a)
                        fits[1].add(b)
            for key, span, fit in ((now, spans[0], fits[0]), (then, spans[1], fits[1])):
                if len(fit) < len(span):
                    out.append(Learned(f"like for like, as {member}", key, span, frozenset(fit)))
    return out


def withheld_from_margins(bundle: Bundle) -> list[tuple[str, tuple]]:
    """Groups of cells that add up (a half-year and its quarters for additive measures; the nation and
    its regions) with exactly one withheld (S or C) among cells that are not nil: its value follows by
    subtraction (exactly for hours, within the rounding for counts)."""
    found = []
    by_half: dict[tuple, list[tuple]] = defaultdict(list)
    by_regions: dict[tuple, list[tuple]] = defaultdict(list)
    for key in bundle.counts:
        scope, period, measure, dim, cat = key
        if measure in ADDITIVE:
            if "H" in period:
                by_half[(scope, period, measure, dim, cat)].append(key)
            else:
                year, q = int(period[:4]), int(period[5:])
                by_half[(scope, f"{year}H{1 if q <= 2 else 2}", measure, dim, cat)].append(key)
        by_regions[(period, measure, dim, cat)].append(key)
    for attack, groups in (("quarter vs half-year", by_half), ("national minus the regions", by_regions)):
        for members in groups.values():
            if attack == "quarter vs half-year" and len(members) != 3:
                continue  # a half-year with both its quarters in the bundle
            live = [k for k in members if bundle.counts[k][1] != "–"]
            withheld = [k for k in live if bundle.counts[k][1] in ("S", "C")]
            if len(withheld) == 1 and len(live) > 1:
                found.append((attack, withheld[0]))
    return found


def narrowed_by_margins(bundle: Bundle) -> list[Learned]:
    """Counts that add up — a half-year and its two quarters (additive measures), a measure's total and a
    single-response breakdown of it — each rounded on its own: the ranges the published values allow,
    taken together, can leave a count fewer raw values (at worst one)."""
    singles = {"clients": ("age_band", "gender"), "sessions": ("service_type",)}
    categories = {"age_band": ["0_15", "16_24", "25_44", "45_64", "65_plus", "not_stated"],
                  "gender": ["female", "male", "another_gender", "not_stated"],
                  "service_type": ["information_advice", "advocacy", "counselling", "case_management", "food_support",
                                   "financial_capability", "housing_support", "education_skills",
                                   "community_engagement", "group_work", "not_stated"]}
    groups: list[tuple[tuple, list[tuple]]] = []
    for key in bundle.counts:
        scope, period, measure, dim, cat = key
        if "H" in period and measure in ADDITIVE:
            year, half = int(period[:4]), int(period[5])
            groups.append((key, [(scope, f"{year}Q{2 * half - 1}", measure, dim, cat),
                                 (scope, f"{year}Q{2 * half}", measure, dim, cat)]))
        if dim == "total":
            for d in singles.get(measure, ()):
                groups.append((key, [(scope, period, measure, d, c) for c in categories[d]]))
    out = []
    for total, parts in groups:
        spans = [bundle.allowed(k) for k in (total, *parts)]
        if any(s is None for s in spans):
            continue
        lo, hi = [min(s) for s in spans], [max(s) for s in spans]
        part_lo, part_hi = sum(lo[1:]), sum(hi[1:])
        left = [(max(lo[0], part_lo), min(hi[0], part_hi))]
        left += [(max(lo[i], lo[0] - (part_hi - hi[i])), min(hi[i], hi[0] - (part_lo - lo[i])))
                 for i in range(1, len(spans))]
        for key, span, (a, z) in zip((total, *parts), spans, left):
            fit = frozenset(x for x in span if a <= x <= z)
            if len(fit) < len(span):
                out.append(Learned("total with its parts", key, span, fit))  # type: ignore[arg-type]
    return out


def second_largest_estimates(bundle: Bundle, contributions: dict[tuple, dict[str, int]], p: float
                             ) -> list[tuple[tuple, float]]:
    """As the second-largest member of each published cell: the cell's value less its own figure, as an
    estimate of the largest member's (the p % rule of the policy judges it on the cell's raw value: a
    count's rounding moves the estimate by up to 2 either way). Returns the cells estimated within p %
    (and the error)."""
    out = []
    for key, by_member in contributions.items():
        value = bundle.published(key)
        if value is None or key not in bundle.counts or bundle.counts[key][1]:
            continue
        ranked = sorted(by_member.values(), reverse=True)
        if len(ranked) < 2 or ranked[0] <= 0:
            continue
        total = sum(by_member.values())
        error = abs((total - ranked[1]) - ranked[0]) / ranked[0]
        if error < p / 100.0:
            out.append((key, error))
    return out


def disclosures(learned: Iterable[Learned], truth: Callable[[tuple], int]) -> list[Learned]:
    """What an attack learned that is so: fewer values than the published figure allows, the true
    one among them."""
    return [x for x in learned if x.left < x.allowed and truth(x.cell) in x.left]

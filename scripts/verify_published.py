#!/usr/bin/env python3
"""Independent check of published tables against the members' submissions.

Reads ONLY the submission files (CSV, and XLSX through openpyxl) and the
published count tables (``output/<period>/tables/*.csv``). It does not import
reportgen: the raw figures are recomputed here from the data contract's rules
(codes matched without regard to case or surrounding spaces; hours rounded up
to whole hours; half-year rows take precedence over quarter rows per member,
region and measure; a member's total counted under ``not_stated`` where it
sent no category of a single-response breakdown; national = sum of regions).

For every cell of every count table it confirms:

* a count is a multiple of the rounding base and at most base − 1 from the raw
  value (3 and 2 by default), or a symbol;
* hours equal the raw value (they are not rounded), or a symbol;
* no raw count below the suppression threshold (1 to 5 by default) is
  published as a number;
* no cell drawing on fewer than the minimum of members (3 by default; raw
  value above zero) is published as anything but ``C``;
* no published cell lets the second-largest member estimate the largest
  within p % (the p % rule, 10 by default: the others together below p % of
  the largest).

The numbers are read from the project's config.yaml (``--config``, its
``confidentiality:`` section, read with PyYAML), or given as options.

Usage::

    .venv/bin/python scripts/verify_published.py data/submissions output/2025H1/latest/tables --config config.yaml

Exit status 0 when every cell passes, 1 otherwise (the first problems listed).
"""

from __future__ import annotations

import argparse
import csv
import math
import re
import sys
from collections import defaultdict
from pathlib import Path

# the data contract's catalogue (fixed): measures, single-response breakdowns, hours
MEASURES = ["clients", "new_clients", "sessions", "unidentified_attendances", "outcome_assessed",
            "outcome_improved", "outcome_same", "outcome_declined", "staff_hours", "volunteer_hours"]
HOURS = {"staff_hours", "volunteer_hours"}
SINGLE = {"clients": ["age_band", "gender"], "sessions": ["service_type"]}
SYMBOLS = {"S", "C", "–", ".."}
QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
HALF = re.compile(r"^(\d{4})H([12])$")


def read_submissions(folder: Path) -> list[dict]:
    rows: list[dict] = []
    for path in sorted(folder.rglob("*")):
        suffix = path.suffix.lower()
        if suffix == ".csv":
            text = path.read_text(encoding="utf-8-sig")
            for r in csv.DictReader(line for line in text.splitlines() if line.strip()):
                rows.append({(k or "").strip().lower(): (v or "").strip() for k, v in r.items()})
        elif suffix == ".xlsx":
            from openpyxl import load_workbook

            wb = load_workbook(path, read_only=True, data_only=True)
            ws = wb["submission"] if "submission" in wb.sheetnames else wb.worksheets[0]
            it = ws.iter_rows(values_only=True)
            header = [str(h or "").strip().lower() for h in next(it)]
            for values in it:
                if all(v is None for v in values):
                    continue
                rows.append({h: "" if v is None else str(v).strip() for h, v in zip(header, values)})
    out = []
    for r in rows:
        measure = r["measure"].lower()
        value = float(r["value"])
        out.append({
            "org": r["org_id"].upper(), "period": r["period"].upper(), "region": r["region"].upper(),
            "measure": measure, "dimension": r["dimension"].lower(),
            "category": r["category"].lower() if r["dimension"].lower() != "total" else "",
            "value": math.ceil(value) if measure in HOURS else int(value),
        })
    return out


def fill_not_stated(rows: list[dict]) -> list[dict]:
    """Contract rule 5: no category of a single-response breakdown → total under not_stated."""
    sent = {(r["org"], r["period"], r["region"], r["measure"], r["dimension"]) for r in rows}
    extra = []
    for r in rows:
        if r["dimension"] != "total":
            continue
        for dim in SINGLE.get(r["measure"], []):
            if (r["org"], r["period"], r["region"], r["measure"], dim) not in sent:
                extra.append({**r, "dimension": dim, "category": "not_stated"})
    return rows + extra


def member_figures(rows: list[dict], period: str) -> dict[tuple, int]:
    """(org, region, measure, dimension, category) → the member's figure for ``period``."""
    out: dict[tuple, int] = defaultdict(int)
    if QUARTER.match(period):
        for r in rows:
            if r["period"] == period:
                out[(r["org"], r["region"], r["measure"], r["dimension"], r["category"])] += r["value"]
        return out
    year, half = HALF.match(period).groups()
    quarters = {f"{year}Q{2 * int(half) - 1}", f"{year}Q{2 * int(half)}"}
    has_half = {(r["org"], r["region"], r["measure"]) for r in rows if r["period"] == period}
    for r in rows:
        key = (r["org"], r["region"], r["measure"])
        use = r["period"] == period or (r["period"] in quarters and key not in has_half)
        if use:
            out[(r["org"], r["region"], r["measure"], r["dimension"], r["category"])] += r["value"]
    return out


def raw_cells(rows: list[dict], period: str) -> dict[tuple, tuple[int, int]]:
    """(scope, measure, dimension, category) → (raw value, members above zero)."""
    return {k: (v, n) for k, (v, n, _, _) in cell_contributions(rows, period).items()}


def cell_contributions(rows: list[dict], period: str) -> dict[tuple, tuple[int, int, int, int]]:
    """(scope, measure, dimension, category) → (raw value, members above zero, the largest member's
    figure, the second-largest's): a member's national figure is its sum over its regions."""
    figures = member_figures(rows, period)
    per_member: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (org, region, m, d, c), v in figures.items():
        per_member[(region, m, d, c)][org] += v
        per_member[("NZ", m, d, c)][org] += v
    out = {}
    for key, members in per_member.items():
        ranked = sorted(members.values(), reverse=True) + [0, 0]
        out[key] = (sum(members.values()), sum(1 for v in members.values() if v > 0), ranked[0], ranked[1])
    return out


def count_tables(folder: Path) -> list[Path]:
    names = set(MEASURES)
    out = []
    for path in sorted(folder.glob("*.csv")):
        stem = path.stem
        measure = stem.split("_by_")[0]
        if measure in names:
            out.append(path)
    return out


def verify(submissions: Path, tables: Path, *, base: int = 3, suppress_below: int = 6,
           min_members: int = 3, dominance_p: float = 10) -> tuple[int, list[str]]:
    rows = fill_not_stated(read_submissions(submissions))
    cache: dict[str, dict] = {}
    problems: list[str] = []
    checked = 0
    for path in count_tables(tables):
        with path.open(encoding="utf-8-sig", newline="") as fh:  # UTF-8 with a byte-order mark
            for line, rec in enumerate(csv.DictReader(fh), start=2):
                period = rec["period"]
                if period not in cache:
                    cache[period] = cell_contributions(rows, period)
                key = (rec["scope"], rec["measure"], rec["dimension"], rec["category"])
                raw, members, largest, second = cache[period].get(key, (0, 0, 0, 0))
                value, symbol = rec["value"], rec["symbol"]
                where = f"{path.name}:{line} {'/'.join(key)} {period}"
                checked += 1
                if symbol:
                    if symbol not in SYMBOLS or value:
                        problems.append(f"{where}: bad symbol/value {symbol!r}/{value!r}")
                    elif symbol == "–" and raw != 0:
                        problems.append(f"{where}: nil shown for a non-zero cell")
                    continue
                if not re.fullmatch(r"\d+", value):
                    problems.append(f"{where}: value {value!r} is neither a whole number nor a symbol")
                    continue
                n = int(value)
                if members < min_members:
                    problems.append(f"{where}: published from fewer than {min_members} members")
                # the p % rule: the second-largest member, subtracting its own figure from the cell's, must
                # not know the largest's within p % (the others together at least p % of the largest)
                if dominance_p > 0 and raw > 0 and raw - largest - second < dominance_p / 100 * largest:
                    problems.append(f"{where}: one member dominates (the second-largest would know the largest "
                                    f"within {dominance_p:g} %)")
                if rec["measure"] in HOURS:
                    if n != raw:
                        problems.append(f"{where}: hours {n} differ from raw")
                    continue
                if n % base or abs(n - raw) > base - 1:
                    problems.append(f"{where}: {n} is not a multiple of {base} within {base - 1} of the raw value")
                if 1 <= raw < suppress_below:
                    problems.append(f"{where}: a raw count below {suppress_below} is published")
    return checked, problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("submissions", type=Path, help="folder of member submissions (CSV/XLSX)")
    ap.add_argument("tables", type=Path, help="folder of published tables (output/<period>/tables)")
    ap.add_argument("--config", type=Path, help="the project's config.yaml: its confidentiality: numbers")
    ap.add_argument("--base", type=int, help="rounding base (default: the config's, else 3)")
    ap.add_argument("--suppress-below", type=int, help="suppression threshold (default: the config's, else 6)")
    ap.add_argument("--min-members", type=int, help="minimum contributing members (default: the config's, else 3)")
    ap.add_argument("--dominance-p", type=float, help="the p %% rule's p (default: the config's, else 10; 0: off)")
    args = ap.parse_args(argv)
    rules: dict[str, float] = {"rounding_base": 3, "suppress_below": 6, "min_members": 3, "dominance_p": 10}
    if args.config is not None:
        import yaml

        section = (yaml.safe_load(args.config.read_text(encoding="utf-8")) or {}).get("confidentiality") or {}
        rules.update({k: float(section[k]) for k in rules if k in section})
    args.base = args.base or int(rules["rounding_base"])
    args.suppress_below = args.suppress_below or int(rules["suppress_below"])
    args.min_members = args.min_members or int(rules["min_members"])
    if args.dominance_p is None:
        args.dominance_p = rules["dominance_p"]
    if not count_tables(args.tables):
        print(f"no published count tables in {args.tables}", file=sys.stderr)
        return 1
    checked, problems = verify(args.submissions, args.tables, base=args.base, suppress_below=args.suppress_below,
                               min_members=args.min_members, dominance_p=args.dominance_p)
    for p in problems[:50]:
        print(p)
    print(f"{checked} published cells checked against the submissions: "
          f"{'all pass' if not problems else f'{len(problems)} problems'}")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())

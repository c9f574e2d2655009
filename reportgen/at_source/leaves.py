"""'What will leave your organisation': every row to be sent, with labels, as a page and briefly in the terminal.

The page is plain HTML from one Jinja2 template with autoescaping, self-contained
(no script, no font, no image, no link outside it), with real table markup for
screen readers. It is built only from the rows themselves, so it cannot show
anything the files do not hold.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from ..core import catalogue
from ..runtime.provenance import describe
from .count import REGIONS, Row

SUMMARY = [("clients", "Clients"), ("new_clients", "New clients"), ("sessions", "Sessions"),
           ("unidentified_attendances", "Unidentified attendances"), ("staff_hours", "Staff hours"),
           ("volunteer_hours", "Volunteer hours")]
_ENV: Environment | None = None


def _env() -> Environment:
    global _ENV
    if _ENV is None:
        _ENV = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                           autoescape=select_autoescape(["html", "j2"], default=True), undefined=StrictUndefined,
                           trim_blocks=False, keep_trailing_newline=True)
    return _ENV


def measure_label(code: str) -> str:
    return catalogue.MEASURES[code]["label"]


def dimension_label(code: str) -> str:
    return "Total" if code == "total" else catalogue.DIMENSIONS[code]["label"]


def category_label(dimension: str, code: str) -> str:
    if dimension == "total":
        return ""
    return catalogue.DIMENSIONS[dimension]["categories"].get(code, code)


@dataclass
class _Summary:
    columns: list[tuple[str, str]]
    by_region: dict[str, list[str]]
    totals: list[str]


def _summary(rows: list[Row]) -> _Summary:
    totals: dict[tuple[str, str], int] = {}
    for _, region, measure, dimension, _, value in rows:
        if dimension == "total":
            totals[(region, measure)] = value
    present = [(m, label) for m, label in SUMMARY if any(k[1] == m for k in totals)]
    regions = [r for r in REGIONS if any(k[0] == r for k in totals)]
    by_region = {r: [f"{totals.get((r, m), 0):,}" for m, _ in present] for r in regions}
    sums = [f"{sum(totals.get((r, m), 0) for r in regions):,}" for m, _ in present]
    return _Summary(present, by_region, sums)


def page(plan) -> bytes:
    """The page for a plan whose files are made (CSV files already in ``plan.files``)."""
    files = []
    for p in plan.periods:
        path = plan.csv_path(str(p))
        files.append({"path": path, "period": str(p), "rows": len(plan.rows[str(p)]),
                      "sha256": hashlib.sha256(plan.files[path]).hexdigest()})
    periods = []
    for p in plan.periods:
        rows = plan.rows[str(p)]
        s = _summary(rows)
        regions = []
        for r in REGIONS:
            mine = [row for row in rows if row[1] == r]
            if not mine:
                continue
            regions.append({
                "code": r, "label": catalogue.REGIONS[r], "summary": s.by_region.get(r, []),
                "rows": [{"measure": measure_label(m), "dimension": dimension_label(d),
                          "category": category_label(d, c), "value": f"{v:,}",
                          "codes": f"{m},{d},{c},{v}"} for _, _, m, d, c, v in mine],
            })
        periods.append({"code": str(p), "label": p.label(), "is_half": p.is_half, "regions": regions,
                        "columns": [{"code": m, "label": label} for m, label in s.columns], "totals": s.totals})
    html = _env().get_template("leaves.html.j2").render(
        org=plan.org, first=str(plan.first), last=str(plan.last), first_label=plan.first.label(),
        last_label=plan.last.label(), files=files, periods=periods, manifest_name=plan.manifest_path,
        total_rows=sum(len(r) for r in plan.rows.values()), version=describe(),
        nil_return=getattr(plan, "nil_return", False))
    return html.encode("utf-8")


def terminal(plan, shown_out: str) -> list[str]:
    """The same, briefly: one line per period and region with the main totals."""
    out = [f"What will leave your organisation: {plan.org}, {plan.first} to {plan.last}",
           "  only counts per period, region and category: no client identifier, no date, no free text"]
    head = f"  {'period':<7} {'region':<6}" + "".join(f"{h:>13}" for h in
                                                      ("clients", "new", "sessions", "unidentified",
                                                       "staff h", "volunteer h")) + f"{'rows':>7}"
    out.append(head)
    keys = [m for m, _ in SUMMARY]
    for p in plan.periods:
        rows = plan.rows[str(p)]
        if not rows:
            out.append(f"  {str(p):<7} {'–':<6}  no session and no hours: a file with no rows")
            continue
        for r in REGIONS:
            mine = [row for row in rows if row[1] == r]
            if not mine:
                continue
            totals = {m: v for _, _, m, d, _, v in mine if d == "total"}
            cells = "".join(f"{(f'{totals[m]:,}' if m in totals else '–'):>13}" for m in keys)
            out.append(f"  {str(p):<7} {r:<6}{cells}{len(mine):>7}")
    if getattr(plan, "nil_return", False):
        out.append("  a nil return: every file holds the header row only (no activity in these quarters)")
    out.append(f"Every row, with labels: {shown_out}/{plan.page_path}")
    return out

"""``reportgen member aggregate`` as a function: export in, planned files and findings out.

    mapping → export (read and check) → count → contract checks → files (CSV, page, manifest)

Nothing is written here: ``output.write`` writes the planned files, and only
when there is no error. The same export, range and options always give the
same bytes (no time stamp unless ``SOURCE_DATE_EPOCH`` is set).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..core.findings import Finding
from ..core.periods import Period
from ..inputs.submissions import REQUIRED
from .contract import check_rows, read_register
from .count import Row, count, counted_sessions, periods_for
from .export import NO_DATE, born_after_sessions, read_export, sorted_findings
from .mapping import Mapping, load_mapping
from .problems import Problems


@dataclass
class Plan:
    org: str
    first: Period
    last: Period
    periods: list[Period] = field(default_factory=list)
    rows: dict[str, list[Row]] = field(default_factory=dict)  # period → rows (without org_id)
    files: dict[str, bytes] = field(default_factory=dict)  # path relative to OUT_DIR → content
    findings: list[Finding] = field(default_factory=list)
    nil_return: bool = False  # no session and no hours at all: every file a header only

    @property
    def ok(self) -> bool:
        return not any(f.is_error for f in self.findings)

    def csv_path(self, period: str) -> str:
        return f"{period}/{self.org}.csv"

    @property
    def page_path(self) -> str:
        return f"what-leaves-{self.org}-{self.first}-{self.last}.html"

    @property
    def manifest_path(self) -> str:
        return f"manifest-{self.org}-{self.first}-{self.last}.json"


def _dates(days: np.ndarray) -> str:
    """'from 2023-01-04 to 2024-12-20' for day numbers."""
    import datetime as dt

    known = days[days != NO_DATE]
    if not len(known):
        return "on no valid date"
    return (f"from {dt.date.fromordinal(int(known.min())).isoformat()} to "
            f"{dt.date.fromordinal(int(known.max())).isoformat()}")


def csv_bytes(org: str, rows: list[Row]) -> bytes:
    """A submission file in the contract's format: its seven columns, LF line ends, UTF-8."""
    lines = [",".join(REQUIRED)]
    for period, region, measure, dimension, category, value in rows:
        lines.append(f"{org},{period},{region},{measure},{dimension},{category},{value}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def plan(export_dir: Path, org: str, first: Period, last: Period, *, mapping_file: Path | None = None,
         register_file: Path | None = None) -> Plan:
    """Everything ``aggregate`` would write, and every finding; nothing is written."""
    org = org.strip().upper()
    result = Plan(org, first, last)
    problems = Problems()
    mapping = Mapping()
    if mapping_file is not None:
        mapping, found = load_mapping(mapping_file)
        problems.extend(found)
    register = None
    if register_file is not None:
        register, found = read_register(register_file, org)
        problems.extend(found)
        if register is not None:
            result.org = org = register.get(org).org_id
    if problems.has_errors:  # a broken mapping would make every code in the export look wrong
        result.findings = problems.findings()
        return result
    span = (first.first_day().toordinal(), last.last_day().toordinal())
    export = read_export(export_dir, mapping, problems, counted=span)
    if export is None:
        result.findings = sorted_findings(problems.findings())
        return result
    born_after_sessions(export, counted_sessions(export, first, last), problems)
    if problems.has_errors:
        result.findings = sorted_findings(problems.findings())
        return result
    counted = count(export, first, last, problems)
    quarters, _ = periods_for(first, last)
    result.periods = counted.periods
    result.rows = counted.rows
    nil = not any(counted.rows[str(q)] for q in quarters)
    if nil and (len(export.s_date) or len(export.h_date)):
        span = _dates(np.concatenate([export.s_date, export.h_date]))
        problems.add("member.nothing-to-send",
                     f"the export has no session and no hours from {first} to {last} (its sessions and hours run "
                     f"{span}): there is nothing to send", file="sessions.csv",
                     hint="check --from and --to, and that the export covers those quarters; for a quarter with no "
                          "activity at all, export the quarter alone (a sessions.csv with a header and no rows "
                          "makes a nil return)")
        result.findings = sorted_findings(problems.findings())
        return result
    if nil:  # sessions.csv with a header only (and no hours): the member had no activity
        result.nil_return = True
        problems.add("member.nil-return",
                     f"sessions.csv has no rows: a nil return for {first} to {last}, one file per period with the "
                     "header and no rows, which tells the federation you had no activity (no file at all would "
                     "say you did not report)", file="sessions.csv",
                     hint="nothing to do if the member had no sessions and no hours in these quarters; otherwise "
                          "export sessions.csv again in full")
    for p in counted.periods:
        if not counted.rows[str(p)] and not nil:
            what = "quarter" if p.is_quarter else "half-year"
            problems.add("member.quiet-period",
                         f"no session and no hours in {p}: its file has a header and no rows", file="sessions.csv",
                         hint=f"check that the export covers this {what}; a member active in it is then "
                              "listed as not reporting")
    files = {result.csv_path(str(p)): counted.rows[str(p)] for p in counted.periods}
    problems.extend(check_rows(files, org, quarters, register))
    result.findings = sorted_findings(problems.findings())
    if not result.ok:
        return result
    for path, rows in files.items():
        result.files[path] = csv_bytes(org, rows)
    from .leaves import page
    from .manifest import manifest

    result.files[result.page_path] = page(result)
    result.files[result.manifest_path] = manifest(result)
    return result

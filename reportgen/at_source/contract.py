"""The rows to be sent, checked by the data contract's own rules before anything leaves.

The rows go through ``validate`` exactly as the federation will read them
(``Submissions`` built from the files about to be written), so a member
sees here every finding the federation would see. Without a member
register, the rules that need one (the org known, rules 10 and 13) cannot
be checked: the org is then entered in a stand-in register that allows
every region and quarter, and only the org id's form is checked. With
``--register FILE`` they are checked for real.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..core import catalogue
from ..core.config import Config, DataPaths
from ..core.findings import Finding, suggestion_hint
from ..core.periods import Period
from ..inputs.register import Member, Register, load_register
from ..inputs.submissions import REQUIRED, ROW_COLUMNS, Submissions

ORG_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
REGISTER_CODES = {"data.unknown-member", "data.region-not-registered", "data.inactive-period",
                  "data.missing-quarter"}


def org_problem(org: str) -> str | None:
    """Why ``org`` cannot be an org_id (None when it can)."""
    if not ORG_ID.match(org):
        return (f"'{org}' is not an org id: 1 to 32 letters, digits, '-' or '_', starting with a letter or "
                "digit (the federation gives you yours, e.g. MET001)")
    return None


def contract_config(register: Path | None = None) -> Config:
    """The contract's default catalogue (what a member's rows are checked against)."""
    data = {"regions": dict(catalogue.REGIONS), "dimensions": catalogue.DIMENSIONS,
            "measures": catalogue.MEASURES}
    if register is not None:
        data["data"] = DataPaths(members=str(register.resolve()))
        data["root"] = register.resolve().parent
    return Config.model_validate(data)


def read_register(path: Path, org: str) -> tuple[Register | None, list[Finding]]:
    """The member register, and findings for it and for ``org`` missing from it."""
    config = contract_config(path)
    register, findings = load_register(config)
    if any(f.is_error for f in findings):
        return None, findings
    if register.get(org) is None:
        findings.append(Finding("member.unknown-org", "error", f"org id '{org}' is not in the member register",
                                file=path.name, hint=suggestion_hint(org, register.members, "org ids")))
        return None, findings
    return register, findings


def stand_in_register(org: str, first: Period) -> Register:
    member = Member(org, "", "", tuple(catalogue.REGIONS), Period.quarter(first.year - 100, 1), None)
    return Register({org.upper(): member})


def submissions(files: dict[str, list[tuple]], org: str) -> Submissions:
    """``Submissions`` as the federation would read ``files`` (path → rows without org)."""
    records: list[list] = []
    names = list(files)
    for name, rows in files.items():
        for line, row in enumerate(rows, start=2):
            period, region, measure, dimension, category, value = row
            records.append([org, period, region, measure, dimension, category, str(value), name, line])
    frame = pd.DataFrame(records, columns=ROW_COLUMNS)
    for c in REQUIRED:
        frame[c] = frame[c].astype(str).astype("category")
    frame["file"] = pd.Categorical(frame["file"].astype(str), categories=pd.Index(names, dtype=object))
    frame["line"] = frame["line"].astype(np.int32)
    columns = {name: {c: i + 1 for i, c in enumerate(REQUIRED)} for name in names}
    return Submissions(frame, names, [], columns)


def check_rows(files: dict[str, list[tuple]], org: str, quarters: list[Period],
               register: Register | None) -> list[Finding]:
    """Every contract finding about the rows to be sent (rules 1–9, 11, 12, 14, the period rules;
    with a register also the org, 10 and 13)."""
    from ..inputs.coverage import coverage
    from ..inputs.validate import validate

    config = contract_config()
    real = register is not None
    reg = register if real else stand_in_register(org, quarters[0])
    subs = submissions(files, org)
    data = validate(subs, reg, config)
    findings = [f for f in data.findings if real or f.code not in REGISTER_CODES]
    if real:
        wanted = {str(q) for q in quarters}
        me = reg.get(org).org_id
        for half in sorted({q.containing_half() for q in quarters}):
            cov = coverage(data.rows, reg, half)
            cov.missing = [(o, q) for o, q in cov.missing if o == me and q in wanted]
            findings += cov.findings()
    return findings

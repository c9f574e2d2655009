"""What ``reportgen check`` prints: the summary lines and the JSON document.

The JSON schema is documented in docs/data-contract.md ("check --format json");
a submission portal can rely on it. Nothing here decides anything: it only
formats the findings and counts that ``build.check`` returned.
"""

from __future__ import annotations

import json
from pathlib import PurePosixPath

from ..core.findings import Finding, cap, stands_for, tally
from ..core.safetext import escape_controls

SCHEMA_VERSION = 1


def select_member(findings: list[Finding], org: str) -> list[Finding]:
    """Findings about member ``org``: those naming it, and file-level findings
    (no member known, e.g. an unreadable file) for a file named ``ORG.csv``/``ORG.xlsx``."""
    want = org.strip().upper()
    out = []
    for f in findings:
        if f.member is not None:
            if f.member.strip().upper() == want:
                out.append(f)
        elif f.file and PurePosixPath(f.file).stem.upper() == want:
            out.append(f)
    return out


def _summary(result, findings: list[Finding], member: str | None) -> dict:
    data = result.data
    errors, warnings = tally(findings)
    cov = getattr(data, "coverage", None) if data is not None else None
    rows = data.rows if data is not None else None
    if rows is not None and member:
        rows = rows[rows["org_id"].astype(str) == member.strip().upper()]
    files = data.files if data is not None else []
    if member:
        files = [f for f in files if PurePosixPath(f).stem.upper() == member.strip().upper()]
    out = {
        "period": str(result.period),
        "files_read": len(files),
        "rows": int(len(rows)) if rows is not None else 0,
        "errors": errors,  # every problem, listed or not
        "warnings": warnings,
        "listed": sum(1 for f in cap(findings) if not f.omitted),
        "not_listed": sum(f.omitted for f in cap(findings)),
        "by_code": by_code(findings),
    }
    if cov is not None:
        out["members_expected"] = len(cov.expected)
        out["members_reporting"] = len(cov.sent)  # wholly or in part (coverage.py: one definition)
        out["members_partial"] = len(cov.partial)
        out["coverage"] = cov.summary()
        out["quarters"] = {q: {"reporting": s, "expected": e} for q, s, e in
                           ((q, *v) for q, v in cov.per_quarter.items())}
    return out


def by_code(findings: list[Finding]) -> dict[str, dict]:
    """Per code: its severity and how many findings it had (listed or not)."""
    out: dict[str, dict] = {}
    for f in findings:
        entry = out.setdefault(f.code, {"severity": f.severity, "count": 0})
        entry["count"] += stands_for(f)
    return dict(sorted(out.items()))


def summary_lines(result, findings: list[Finding], member: str | None) -> list[str]:
    s = _summary(result, findings, member)
    shown = escape_controls(member.strip().upper()) if member else ""
    lines = ["", f"Summary for {s['period']}" + (f", member {shown}" if member else "") + ":",
             f"  files read: {s['files_read']}", f"  rows (valid): {s['rows']:,}"]
    if "coverage" in s:
        per_q = "; ".join(f"{q}: {v['reporting']} of {v['expected']}" for q, v in s["quarters"].items())
        lines.append(f"  coverage: {s['coverage']} ({per_q})")
    return lines


def check_document(result, findings: list[Finding], member: str | None) -> str:
    doc = {
        "schema": SCHEMA_VERSION,
        "member": escape_controls(member.strip().upper()) if member else None,
        "summary": _summary(result, findings, member),
        "findings": [f.to_dict() for f in cap(findings)],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False)


def unknown_member(result, member: str, config) -> list[Finding]:
    """``check --member ORG`` for an org that is not in the member register: an error with the nearest
    org_id (and what makes the two differ, when they look the same), not "0 errors"."""
    from ..core.findings import relative, suggestion_hint

    data = result.data
    register = getattr(data, "register", None) if data is not None else None
    if register is None or not getattr(register, "usable", True):
        return []  # no register to look in: that is reported already
    want = member.strip().upper()
    if register.get(want) is not None:
        return []
    return [Finding("data.unknown-member", "error", f"--member {want} is not in the member register, so no "
                    "finding can be about it", file=relative(config.members_file, config.root), member=want,
                    hint=suggestion_hint(want, list(register.members), "org_ids"))]

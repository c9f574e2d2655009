"""What ``reportgen check`` prints: the summary lines and the JSON document.

The JSON schema is documented in docs/data-contract.md ("check --format json");
a submission portal can rely on it. Nothing here decides anything: it only
formats the findings and counts that ``build.check`` returned.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import PurePosixPath

from ..core.findings import Finding

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
    counts = Counter(f.severity for f in findings)
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
        "errors": counts.get("error", 0),
        "warnings": counts.get("warning", 0),
    }
    if cov is not None:
        out["members_expected"] = len(cov.expected)
        out["members_reporting"] = len(cov.sent)  # wholly or in part (coverage.py: one definition)
        out["members_partial"] = len(cov.partial)
        out["coverage"] = cov.summary()
        out["quarters"] = {q: {"reporting": s, "expected": e} for q, s, e in
                           ((q, *v) for q, v in cov.per_quarter.items())}
    return out


def summary_lines(result, findings: list[Finding], member: str | None) -> list[str]:
    s = _summary(result, findings, member)
    lines = ["", f"Summary for {s['period']}" + (f", member {member.strip().upper()}" if member else "") + ":",
             f"  files read: {s['files_read']}", f"  rows (valid): {s['rows']:,}"]
    if "coverage" in s:
        per_q = "; ".join(f"{q}: {v['reporting']} of {v['expected']}" for q, v in s["quarters"].items())
        lines.append(f"  coverage: {s['coverage']} ({per_q})")
    return lines


def check_document(result, findings: list[Finding], member: str | None) -> str:
    doc = {
        "schema": SCHEMA_VERSION,
        "member": member.strip().upper() if member else None,
        "summary": _summary(result, findings, member),
        "findings": [f.to_dict() for f in findings],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False)

"""The manifest: which files were made, their SHA-256, for the federation's records.

A JSON document with sorted keys. It holds no time stamp and no date at
all (nothing that leaves the member carries a date), so the same export and
options always give the same bytes.
"""

from __future__ import annotations

import hashlib
import json

from .. import __version__
from ..runtime.provenance import source_commit


def manifest(plan) -> bytes:
    files = []
    for p in plan.periods:
        path = plan.csv_path(str(p))
        content = plan.files[path]
        files.append({"path": path, "period": str(p), "rows": len(plan.rows[str(p)]), "bytes": len(content),
                      "sha256": hashlib.sha256(content).hexdigest()})
    page = plan.files[plan.page_path]
    doc = {
        "org_id": plan.org,
        "from": str(plan.first),
        "to": str(plan.last),
        "made_by": f"reportgen {__version__} member aggregate",
        "reportgen": {"version": __version__, "commit": source_commit()},
        "files": files,
        "page": {"path": plan.page_path, "bytes": len(page), "sha256": hashlib.sha256(page).hexdigest()},
        "contains": "counts per period, region and category in the data contract's seven columns; "
                    "no client identifier, session identifier, date, name, free text or file path",
    }
    if getattr(plan, "nil_return", False):  # said only when true: every other manifest keeps its bytes
        doc["nil_return"] = True
    return (json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")

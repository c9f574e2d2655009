"""The manifest: which files were made, their SHA-256, for the federation's records.

A JSON document with sorted keys. It holds no time stamp unless
``SOURCE_DATE_EPOCH`` is set (then ``made_at`` is that moment), so the same
export and options always give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os

from .. import __version__


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
        "files": files,
        "page": {"path": plan.page_path, "bytes": len(page), "sha256": hashlib.sha256(page).hexdigest()},
        "contains": "counts per period, region and category in the data contract's seven columns; "
                    "no client identifier, session identifier, date, name, free text or file path",
    }
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        doc["made_at"] = dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")

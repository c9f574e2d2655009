"""The submissions a build reads: the folder's files, and the intake store's versions (issue 26).

When config.yaml names an intake store (``intake.store``), each member's latest accepted version
of each period (not withdrawn by staff) is read from it, file by file, with exactly the readers
``submissions.py`` uses for the folder. Rows are located as ``intake/<receipt>/<file name>``, so
every finding names the receipt, and ``release.json`` can list the receipt used for every member
and period (``receipts_used``).

The folder (``data.submissions``) still counts for history from before the intake: its rows for a
member and period that the intake has an accepted version of are left out (the intake's version
wins); the rest are read as before. A member whose latest version is rejected gets a warning
(``intake.rejected-latest``) naming the accepted version used instead, if any: the data-quality
report lists it.
"""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import numpy as np
import pandas as pd

from ..core import limits
from ..core.config import Config
from ..core.findings import Finding
from ..core.periods import Period, PeriodError
from ..core.safefile import open_regular
from ..runtime.intake_db import StoreMissing, blob_path, selection
from .submissions import (
    REQUIRED,
    Submissions,
    Workbooks,
    _frame,
    _read_csv,
    _refuse_oversized,
    load_submissions,
    remembered_xlsx,
)

PREFIX = "intake/"


def read_submissions(config: Config, workbooks: Workbooks | None = None) -> Submissions:
    """Every submission a build reads: the folder's, and with an intake store its selected versions.
    ``workbooks``: the workbooks read before (``submissions.Workbooks``)."""
    store = config.intake_store
    if store is None:
        return load_submissions(config, workbooks)
    folder = load_submissions(config, workbooks)
    intake, covered = load_intake(config, store, workbooks)
    if intake.files:  # the folder may be empty or absent once everything comes through the intake
        folder.findings[:] = [f for f in folder.findings if f.code != "data.no-submissions"]
    return merge(folder, intake, covered)


def load_intake(config: Config, store: Path,
                workbooks: Workbooks | None = None) -> tuple[Submissions, set[tuple[str, str]]]:
    findings: list[Finding] = []
    try:
        chosen, rejected = selection(store)
    except StoreMissing as exc:
        findings.append(Finding("intake.store-missing", "error", f"the intake store cannot be read ({exc})",
                                file=config.source, hint="check intake.store in config.yaml, or start the "
                                                         "service once (reportgen intake serve) to create it"))
        return Submissions(_frame([], []), [], findings), set()
    files: list[str] = []
    columns: dict[str, dict[str, int]] = {}
    rows: list[list] = []
    for s in chosen:
        for f in s.files:
            shown = f"{PREFIX}{s.receipt_id}/{f.name}"
            files.append(shown)
            path = blob_path(store, f.sha256)
            try:
                with open_regular(path) as fh:  # a pipe or a folder in its place is refused, never waited on
                    raw = fh.read() if os.fstat(fh.fileno()).st_size <= limits.SUBMISSION_FILE_BYTES else b""
            except OSError as exc:
                findings.append(Finding("intake.file-damaged", "error",
                                        f"the stored file of receipt {s.receipt_id} cannot be read "
                                        f"({exc.strerror or exc})",
                                        file=shown, member=s.org_id,
                                        hint="restore the intake store from its backup (docs/intake-operator.md)"))
                continue
            if hashlib.sha256(raw).hexdigest() != f.sha256:
                findings.append(Finding("intake.file-damaged", "error",
                                        f"the stored file of receipt {s.receipt_id} is not the file received "
                                        "(its SHA-256 differs)", file=shown, member=s.org_id,
                                        hint="restore the intake store from its backup (docs/intake-operator.md)"))
                continue
            if f.name.lower().endswith(".xlsx"):  # its bytes are read and checked already: not read again
                rows += remembered_xlsx(io.BytesIO(raw), shown, f.sha256, findings, columns, workbooks or Workbooks())
            else:
                rows += _read_csv(raw, shown, findings, columns)
    for r in rejected:
        instead = (f"the build uses {r.used}, the latest accepted version" if r.used
                   else "no version of it is accepted: the build uses only what the submissions folder has of "
                        "this member for it, if anything")
        findings.append(Finding("intake.rejected-latest", "warning",
                                f"the latest version of {r.period} ({r.receipt_id}) was rejected: {instead}",
                                file=f"{PREFIX}{r.receipt_id}", member=r.org_id,
                                hint="the member can see the findings and send a corrected file"))
    frame = _rows_frame(rows, files)
    frame = _refuse_oversized(frame, columns, findings)
    return Submissions(frame, files, findings, columns), {(s.org_id, s.period) for s in chosen}


def _rows_frame(rows: list[list], files: list[str]) -> pd.DataFrame:
    if not rows:
        return _frame([], files)
    frame = pd.DataFrame(rows, columns=[*REQUIRED, "file", "line"])
    for c in REQUIRED:
        frame[c] = frame[c].astype("category")
    index = {f: i for i, f in enumerate(files)}
    frame["file"] = np.array([index[f] for f in frame["file"]], dtype=np.int32)
    frame["line"] = frame["line"].astype(np.int32)
    return _frame([frame], files)


def _canonical_period(text: str) -> str:
    try:
        return str(Period.parse(text.strip()))
    except PeriodError:
        return ""


def merge(folder: Submissions, intake: Submissions, covered: set[tuple[str, str]]) -> Submissions:
    """The folder's rows less those of (member, period) pairs the intake covers, then the intake's rows."""
    rows = folder.rows
    if covered and not rows.empty:
        orgs = rows["org_id"].astype(str).str.strip().str.upper().to_numpy()
        cats = rows["period"].cat.categories
        canon = np.array([_canonical_period(str(c)) for c in cats] + [""], dtype=object)
        periods = canon[rows["period"].cat.codes.to_numpy()]
        keep = np.array([(o, p) not in covered for o, p in zip(orgs, periods)], dtype=bool)
        rows = rows[keep].reset_index(drop=True)
    files = folder.files + intake.files
    frames = []
    for part, offset in ((rows, 0), (intake.rows, len(folder.files))):
        if part.empty:
            continue
        codes = part["file"].cat.codes.to_numpy().astype(np.int32) + offset
        frames.append(part.assign(file=codes))
    merged = _frame(frames, files)
    return Submissions(merged, files, folder.findings + intake.findings, {**folder.columns, **intake.columns})


def receipts_used(rows: pd.DataFrame) -> list[dict]:
    """For every member and period in the checked rows: the intake receipt it came from, or the folder's
    files (history from before the intake) — what ``release.json`` records."""
    if rows.empty:
        return []
    seen = rows[["org_id", "period", "file"]].astype(str).drop_duplicates()
    out: dict[tuple[str, str], dict] = {}
    for org, period, file in seen.itertuples(index=False):
        entry = out.setdefault((org, period), {"org_id": org, "period": period})
        if file.startswith(PREFIX):
            entry["receipt_id"] = file[len(PREFIX):].split("/", 1)[0]
        else:
            entry.setdefault("files", []).append(file)
    return [out[k] for k in sorted(out)]

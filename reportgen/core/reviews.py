"""The records of the reviews a release needs (config ``governance``): who reviewed what, and when.

One YAML file per period in the project's ``reviews/`` folder (``governance.records``), appended to
by ``reportgen review PERIOD --record ID --by NAME``, never rewritten by a build. Each record names
the items it covered by their count and digest (``documents/governance.py``): a change to any of
them after the review — a figure, a sentence — makes the record out of date, and the final needs
the review again. The records are inputs (part of the input fingerprint): recording a review makes
a new draft, whose methodology says who reviewed it and when.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

HEADER = ("# Reviews of {period} before its final (reportgen review): who reviewed what, and when.\n"
          "# Each names the items it covered by their digest: a change to any of them needs the review again.\n"
          "# Written by reportgen review; do not edit by hand.\n")


@dataclass(frozen=True)
class ReviewRecord:
    review: str  # the review's id in config governance.reviews ("maori-data")
    by: str
    role: str
    at: dt.datetime  # aware
    items: int
    digest: str
    note: str = ""


def records_file(config, period) -> Path:
    return config.path(config.governance.records) / f"{period}.yaml"


def read_records(config, period) -> tuple[list[ReviewRecord], list[str]]:
    """The period's records, oldest first, and problems reading them (a file that is not a list of
    records, a record with a field missing): those records are ignored, so the final asks again."""
    path = records_file(config, period)
    if not path.is_file():
        return [], []
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except (OSError, yaml.YAMLError) as exc:
        return [], [f"{path.name} cannot be read: {exc}"]
    if not isinstance(data, list):
        return [], [f"{path.name} is not a list of review records"]
    out, problems = [], []
    for n, item in enumerate(data, start=1):
        try:
            at = item["at"] if isinstance(item["at"], dt.datetime) else dt.datetime.fromisoformat(str(item["at"]))
            if at.tzinfo is None:
                raise ValueError("a time without its time zone")
            out.append(ReviewRecord(str(item["review"]), str(item["by"]), str(item.get("role") or ""), at,
                                    int(item["items"]), str(item["digest"]), str(item.get("note") or "")))
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(f"{path.name}, record {n}: {exc}")
    return out, problems


def latest(records: list[ReviewRecord], review: str) -> ReviewRecord | None:
    found = [r for r in records if r.review == review]
    return found[-1] if found else None


def append_record(config, period, record: ReviewRecord) -> Path:
    """Add ``record`` to the period's file (written whole to a temporary file, then renamed)."""
    path = records_file(config, period)
    path.parent.mkdir(parents=True, exist_ok=True)
    records, _ = read_records(config, period)
    entries = [_entry(r) for r in [*records, record]]
    text = HEADER.format(period=period) + yaml.safe_dump(entries, allow_unicode=True, sort_keys=False, width=100)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _entry(r: ReviewRecord) -> dict:
    entry: dict[str, str | int] = {"review": r.review, "by": r.by}
    if r.role:
        entry["role"] = r.role
    entry |= {"at": r.at.isoformat(), "items": r.items, "digest": r.digest}
    if r.note:
        entry["note"] = r.note
    return entry

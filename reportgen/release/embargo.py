"""Embargoed pre-release copies (issue 27): ``reportgen build PERIOD --embargo UNTIL --to RECIPIENT``.

Ministers' offices and select-committee staff receive a report before it is published. Such a copy
is the release as the final would make it — every blocker of a final applies, the reviews too —
with "EMBARGOED until …" stamped on every page of every PDF (and a banner on every HTML page), and
the copy's number and recipient at the foot of each page, so that a copy that leaks can be traced.
Each copy is a folder of its own, never overwritten (``output/<period>/embargoed/<n>/``), and the
embargo log (``output/<period>/internal/embargo-log.json`` and ``.csv``, staff only) records who
received which copy, when it was made, until when it is embargoed, from which inputs, and the
SHA-256 of every file it holds.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from pathlib import Path
from zoneinfo import ZoneInfo

from ..core.config import Config
from ..core.periods import Period
from ..core.release_calendar import moment_text, release_of
from ..documents.context import Review
from ..runtime import drafts
from ..runtime.fingerprint import Fingerprint
from .modes import Final, Release, merged_internal, review_css

LOG_JSON, LOG_CSV = "embargo-log.json", "embargo-log.csv"
FOLDER = "embargoed"


class EmbargoError(ValueError):
    """UNTIL is not a date and time."""


def parse_until(text: str, config: Config, period: Period) -> dt.datetime:
    """``2025-09-15T10:00``, ``2025-09-15 10:00`` or ``2025-09-15`` (then the release calendar's time, or
    ``releases.time``), in the calendar's time zone unless the text gives an offset."""
    zone = ZoneInfo(config.releases.timezone)
    raw = text.strip()
    try:
        if len(raw) == 10:
            day = dt.date.fromisoformat(raw)
            listed = release_of(config, period)
            hour, minute = (int(x) for x in config.releases.time.split(":"))
            clock = listed.at.timetz().replace(tzinfo=None) if listed else dt.time(hour, minute)
            return dt.datetime.combine(day, clock, tzinfo=zone)
        when = dt.datetime.fromisoformat(raw.replace(" ", "T", 1))
    except ValueError:
        raise EmbargoError(f"--embargo '{text}' is not a date and time: write it as 2025-09-15T10:00 "
                           "(New Zealand time), or a date alone for the release's time") from None
    return when.replace(tzinfo=zone) if when.tzinfo is None else when.astimezone(zone)


def embargo_text(until: dt.datetime) -> str:
    return f"EMBARGOED until {moment_text(until)}"


def copy_text(number: int, to: str, made: str, short_hash: str) -> str:
    return f"Embargoed copy {number} for {to} · not to be published or passed on before then · made {made} · " \
           f"inputs {short_hash}"


def embargo_log(pdir: Path) -> list[dict]:
    data = drafts.read_json(pdir / "internal" / LOG_JSON) or {}
    return list(data.get("copies", []))


def _overlay(until: dt.datetime, number: int, to: str, made: str, short_hash: str):
    from .stamp import marks_pdf

    def make(width: float, height: float) -> bytes:
        return marks_pdf("EMBARGOED", embargo_text(until), copy_text(number, to, made, short_hash), width, height)

    return make


def stamp_embargo(pdf: bytes, until: dt.datetime, number: int, to: str, made: str, short_hash: str) -> bytes:
    """``pdf`` with the embargo drawn on every page, behind its content (a worker's job)."""
    from .stamp import overlay_document

    return overlay_document(pdf, _overlay(until, number, to, made, short_hash), "/ReportgenEmbargoMarks")


class Embargoed(Final):
    """A numbered, stamped and logged pre-release copy of what the final would be."""

    name = "embargoed"
    members = False  # the members' private reports are not part of a pre-release copy

    def __init__(self, config: Config, period: Period, until: dt.datetime, to: str):
        Release.__init__(self, config, period)
        self.revision = None
        self.history = drafts.releases(self.pdir)
        self.until, self.to = until, " ".join(to.split())
        self.copies = embargo_log(self.pdir)
        self.number = max([int(c.get("copy", 0)) for c in self.copies] + [0]) + 1

    def refusals(self):
        return []  # a copy may be made before the final or after it

    def reviews(self, publication, fp: Fingerprint) -> tuple[Review | None, Review | None]:
        """The web pages carry the embargo as a banner; the PDFs have it stamped on every page after layout."""
        banner = f"{embargo_text(self.until)}. Embargoed copy {self.number} for {self.to}: not to be published or " \
                 "passed on before then."
        return Review(None, css=review_css(self.config), embargo=banner), None

    def marks(self, fp: Fingerprint) -> tuple | None:
        """The embargo, the copy's number and recipient on every page (stamped on the workers as each PDF
        is laid out)."""
        return stamp_embargo, (self.until, self.number, self.to, self.built, fp.short)

    def records(self, publication, fp: Fingerprint, disclosure: dict) -> dict[str, bytes]:
        note = {"embargoed_until": self.until.isoformat(), "copy": self.number, "to": self.to, "made": self.built,
                "period": str(self.period), "inputs": fp.digest,
                "note": f"{embargo_text(self.until)}. Not to be published or passed on before then."}
        return {"EMBARGO.json": (json.dumps(note, indent=2, ensure_ascii=False) + "\n").encode("utf-8")}

    def write(self, files: dict[str, bytes], internal: dict[str, bytes], fp: Fingerprint) -> Path:
        folder = f"{FOLDER}/{self.number}"
        entry = {"copy": self.number, "to": self.to, "embargoed_until": self.until.isoformat(), "made": self.built,
                 "folder": f"{self.period}/{folder}", "inputs": fp.digest,
                 "files": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())}}
        copies = [*self.copies, entry]
        internal = {**merged_internal(drafts.internal_files(self.pdir), internal),
                    f"{folder}/inputs.json": self.inputs_record(fp),
                    LOG_JSON: (json.dumps({"copies": copies}, indent=2, ensure_ascii=False) + "\n").encode("utf-8"),
                    LOG_CSV: _log_csv(copies)}
        out = drafts.write_new(files, self.pdir / FOLDER / str(self.number))
        drafts.write_internal(self.pdir, internal)
        return out


def _log_csv(copies: list[dict]) -> bytes:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(["copy", "to", "embargoed_until", "made", "folder", "inputs"])
    for c in copies:
        writer.writerow([c["copy"], c["to"], c["embargoed_until"], c["made"], c["folder"], c["inputs"]])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")

"""The intake store's database (issue 26): its schema, and what a build reads from it.

The intake service (``reportgen/intake/``) writes the store; a build only reads it, through
``selection`` here: for each member and period, the latest accepted version that staff have not
withdrawn, with the receipt it came with and its files (content-addressed: ``files/ab/abcdef…``,
named by their SHA-256, never changed once written). Standard library only, so that the input
fingerprint (``fingerprint.py``) can take the selection before anything heavy is imported.

Versions are append-only: triggers refuse every UPDATE and DELETE of a version; a withdrawal is a
row of its own in ``withdrawals``, with who and why.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

DB_NAME = "intake.sqlite3"
FILES = "files"
SCHEMA_VERSION = 1

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS credentials(
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('member', 'staff')),
    subject TEXT NOT NULL,
    salt BLOB NOT NULL,
    hash BLOB NOT NULL,
    params TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    issued_by TEXT NOT NULL,
    revoked_at TEXT);
CREATE INDEX IF NOT EXISTS credentials_subject ON credentials(kind, subject);
CREATE TABLE IF NOT EXISTS versions(
    receipt_id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL,
    period TEXT NOT NULL,
    version INTEGER NOT NULL CHECK (version >= 1),
    status TEXT NOT NULL CHECK (status IN ('accepted', 'rejected')),
    received_at TEXT NOT NULL,
    late INTEGER NOT NULL CHECK (late IN (0, 1)),
    note TEXT,
    replaces TEXT,
    files TEXT NOT NULL,
    findings TEXT NOT NULL,
    content TEXT NOT NULL,
    sent_by TEXT NOT NULL,
    UNIQUE (org_id, period, version));
CREATE TRIGGER IF NOT EXISTS versions_never_change BEFORE UPDATE ON versions
    BEGIN SELECT RAISE(ABORT, 'versions are append-only'); END;
CREATE TRIGGER IF NOT EXISTS versions_never_deleted BEFORE DELETE ON versions
    BEGIN SELECT RAISE(ABORT, 'versions are append-only'); END;
CREATE TABLE IF NOT EXISTS withdrawals(
    receipt_id TEXT PRIMARY KEY REFERENCES versions(receipt_id),
    at TEXT NOT NULL,
    by TEXT NOT NULL,
    reason TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sessions(
    id_hash TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    credential TEXT NOT NULL,
    csrf TEXT NOT NULL,
    expires REAL NOT NULL);
CREATE TABLE IF NOT EXISTS events(
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '');
"""


def db_path(store: Path) -> Path:
    return Path(store) / DB_NAME


def blob_path(store: Path, sha256: str) -> Path:
    """Where the file with this SHA-256 is kept."""
    return Path(store) / FILES / sha256[:2] / sha256


@dataclass(frozen=True)
class StoredFile:
    name: str  # as the member named it (display only: meaning comes from the rows)
    bytes: int
    sha256: str


@dataclass(frozen=True)
class Selected:
    """One member's version of one period that a build uses."""

    org_id: str
    period: str
    receipt_id: str
    version: int
    received_at: str
    late: bool
    files: tuple[StoredFile, ...]


@dataclass(frozen=True)
class RejectedLatest:
    """A member whose latest version of a period is rejected: the build uses ``used`` (or nothing)."""

    org_id: str
    period: str
    receipt_id: str
    used: str | None


class StoreMissing(Exception):
    """The config names an intake store that does not exist (or is not one)."""


def _files(text: str) -> tuple[StoredFile, ...]:
    return tuple(StoredFile(str(f["name"]), int(f["bytes"]), str(f["sha256"])) for f in json.loads(text))


def connect_readonly(store: Path) -> sqlite3.Connection:
    path = db_path(store)
    if not path.is_file():
        raise StoreMissing(str(path))
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
        con.execute("SELECT 1 FROM versions LIMIT 1")
    except sqlite3.DatabaseError as exc:
        raise StoreMissing(f"{path}: {exc}") from None
    return con


def selection(store: Path) -> tuple[list[Selected], list[RejectedLatest]]:
    """What a build reads: per (member, period), the latest accepted version not withdrawn; and every
    (member, period) whose latest version (not withdrawn) is rejected. Read in one transaction."""
    con = connect_readonly(store)
    try:
        con.execute("BEGIN")
        rows = con.execute(
            "SELECT v.receipt_id, v.org_id, v.period, v.version, v.status, v.received_at, v.late, v.files "
            "FROM versions v LEFT JOIN withdrawals w ON w.receipt_id = v.receipt_id "
            "WHERE w.receipt_id IS NULL ORDER BY v.org_id, v.period, v.version").fetchall()
        con.execute("COMMIT")
    finally:
        con.close()
    latest: dict[tuple[str, str], tuple] = {}
    accepted: dict[tuple[str, str], tuple] = {}
    for row in rows:
        key = (row[1], row[2])
        latest[key] = row
        if row[4] == "accepted":
            accepted[key] = row
    chosen = [Selected(r[1], r[2], r[0], r[3], r[5], bool(r[6]), _files(r[7]))
              for _key, r in sorted(accepted.items())]
    rejected = [RejectedLatest(r[1], r[2], r[0], accepted[key][0] if key in accepted else None)
                for key, r in sorted(latest.items()) if r[4] == "rejected"]
    return chosen, rejected


def selection_digest(chosen: list[Selected]) -> tuple[str, dict[str, str]]:
    """A digest of the selection (receipts and their files' hashes), and each file as the fingerprint lists
    it: ``intake/<receipt>/<name>`` → SHA-256."""
    h = hashlib.sha256()
    files: dict[str, str] = {}
    for s in chosen:
        for f in s.files:
            shown = f"intake/{s.receipt_id}/{f.name}"
            files[shown] = f.sha256
            h.update(f"{shown}\0{f.sha256}\n".encode())
    return h.hexdigest(), files

"""The intake store: one SQLite file (WAL) and the files members sent, content-addressed on disk.

    <store>/intake.sqlite3      credentials (salted scrypt hashes), versions, withdrawals, sessions, events
    <store>/files/ab/abcdef…    every file received, named by its SHA-256, written once, never changed
    <store>/tmp/                uploads being received (emptied at every start)

Durability, in this order: a received file is written to ``tmp/``, flushed to disk (``fsync``), renamed
to its content address and its folder flushed; only then is the version inserted, in one transaction
committed with ``synchronous=FULL``; only then is the receipt sent. A crash before the commit leaves
files that no version names: ``sweep`` (run at every start, before serving) removes them, so after a
restart there is no receipt without its files and no file without a receipt.

The schema is in ``runtime/intake_db.py`` (a build reads the store through it).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..runtime.intake_db import DB_NAME, FILES, SCHEMA, SCHEMA_VERSION, blob_path

TMP = "tmp"


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


@dataclass(frozen=True)
class Version:
    receipt_id: str
    org_id: str
    period: str
    version: int
    status: str
    received_at: str  # ISO 8601 with offset (the calendar's time zone)
    late: bool
    note: str | None
    replaces: str | None
    files: list[dict]
    findings: list[dict]
    content: str
    sent_by: str
    withdrawn: dict | None = None  # {"at", "by", "reason"}

    def receipt(self) -> dict:
        """The receipt as the spec draws it (``replaces`` only when there is one)."""
        out = {"receipt_id": self.receipt_id, "org_id": self.org_id, "period": self.period,
               "version": self.version, "status": self.status, "received_at": self.received_at,
               "late": self.late, "files": self.files, "findings": self.findings}
        if self.replaces:
            out["replaces"] = self.replaces
        if self.note:
            out["note"] = self.note
        if self.withdrawn:
            out["withdrawn"] = self.withdrawn
        return out


_COLUMNS = ("v.receipt_id, v.org_id, v.period, v.version, v.status, v.received_at, v.late, v.note, v.replaces, "
            "v.files, v.findings, v.content, v.sent_by, w.at, w.by, w.reason")


def _version(row) -> Version:
    withdrawn = {"at": row[13], "by": row[14], "reason": row[15]} if row[13] else None
    return Version(row[0], row[1], row[2], int(row[3]), row[4], row[5], bool(row[6]), row[7], row[8],
                   json.loads(row[9]), json.loads(row[10]), row[11], row[12], withdrawn)


def content_digest(sha256s: list[str]) -> str:
    """What "the same bytes" means: the same set of files, whatever they are called."""
    return hashlib.sha256("\n".join(sorted(sha256s)).encode()).hexdigest()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Store:
    """The intake store of one project. Thread-safe: each thread has its own connection."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.db = self.root / DB_NAME
        self._local = threading.local()
        self._write = threading.Lock()  # one writer at a time in this process (SQLite allows one anyway)

    # ---- opening ---------------------------------------------------------------------------
    def create(self) -> Store:
        """Make the folders and the schema (safe to call again)."""
        for folder in (self.root, self.root / FILES, self.root / TMP):
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        con = self._con()
        con.executescript(SCHEMA)
        with self.transaction() as tx:
            tx.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
        return self

    def _con(self) -> sqlite3.Connection:
        con = getattr(self._local, "con", None)
        if con is None:
            con = sqlite3.connect(self.db, timeout=30, isolation_level=None, check_same_thread=True)
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("PRAGMA synchronous=FULL")  # a commit is on disk before a receipt is sent
            con.execute("PRAGMA foreign_keys=ON")
            con.execute("PRAGMA busy_timeout=30000")
            self._local.con = con
        return con

    def close(self) -> None:
        con = getattr(self._local, "con", None)
        if con is not None:
            con.close()
            self._local.con = None

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        con = self._con()
        with self._write:
            con.execute("BEGIN IMMEDIATE")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")

    def query(self, sql: str, args: tuple = ()) -> list:
        return self._con().execute(sql, args).fetchall()

    # ---- files -----------------------------------------------------------------------------
    def tmp_dir(self) -> Path:
        return self.root / TMP

    def keep_file(self, tmp: Path, sha256: str) -> Path:
        """Move a received file (already flushed) to its content address, durably."""
        target = blob_path(self.root, sha256)
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if target.exists():  # the same bytes were received before: keep the first copy
            tmp.unlink(missing_ok=True)
        else:
            os.replace(tmp, target)
            _fsync_dir(target.parent)
        return target

    def sweep(self) -> tuple[int, int]:
        """At start, before serving: empty ``tmp/`` and remove every stored file no version names (left by a
        crash between storing the files and committing the version). Returns (tmp files, orphans) removed."""
        tmp_removed = 0
        for path in self.tmp_dir().iterdir():
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
            tmp_removed += 1
        named = {f["sha256"] for (text,) in self.query("SELECT files FROM versions") for f in json.loads(text)}
        orphans = 0
        for folder in (self.root / FILES).iterdir():
            if not folder.is_dir():
                continue
            for path in folder.iterdir():
                if path.name not in named:
                    path.unlink(missing_ok=True)
                    orphans += 1
        return tmp_removed, orphans

    # ---- versions --------------------------------------------------------------------------
    def versions(self, org_id: str | None = None, period: str | None = None) -> list[Version]:
        """Newest first; one member's (``org_id``) or everyone's; one period or all."""
        where, args = [], []
        if org_id is not None:
            where.append("v.org_id = ?")
            args.append(org_id)
        if period is not None:
            where.append("v.period = ?")
            args.append(period)
        sql = (f"SELECT {_COLUMNS} FROM versions v LEFT JOIN withdrawals w ON w.receipt_id = v.receipt_id"
               + (" WHERE " + " AND ".join(where) if where else "")
               + " ORDER BY v.period DESC, v.org_id, v.version DESC")
        return [_version(r) for r in self.query(sql, tuple(args))]

    def version(self, receipt_id: str, org_id: str | None = None) -> Version | None:
        """One version; with ``org_id``, only if it is that member's (else None, as if it did not exist)."""
        sql = f"SELECT {_COLUMNS} FROM versions v LEFT JOIN withdrawals w ON w.receipt_id = v.receipt_id " \
              "WHERE v.receipt_id = ?"
        args: tuple = (receipt_id,)
        if org_id is not None:
            sql += " AND v.org_id = ?"
            args = (receipt_id, org_id)
        rows = self.query(sql, args)
        return _version(rows[0]) if rows else None

    def add_version(self, *, org_id: str, period: str, status: str, received_at: str, late: bool,
                    note: str | None, files: list[dict], findings: list[dict], sent_by: str) -> tuple[Version, bool]:
        """Record a version (its files already stored). Returns (version, created): when the same files as the
        latest accepted version — or as the latest version — are sent again, that version and False."""
        content = content_digest([f["sha256"] for f in files])
        with self.transaction() as tx:
            rows = tx.execute(
                f"SELECT {_COLUMNS} FROM versions v LEFT JOIN withdrawals w ON w.receipt_id = v.receipt_id "
                "WHERE v.org_id = ? AND v.period = ? ORDER BY v.version DESC", (org_id, period)).fetchall()
            existing = [_version(r) for r in rows]
            live = [v for v in existing if v.withdrawn is None]
            accepted = next((v for v in live if v.status == "accepted"), None)
            if accepted is not None and accepted.content == content:
                return accepted, False
            if live and live[0].content == content:
                return live[0], False
            number = (existing[0].version if existing else 0) + 1
            receipt_id = f"{period}-{org_id}-{number}"
            replaces = accepted.receipt_id if status == "accepted" and accepted is not None else None
            tx.execute("INSERT INTO versions(receipt_id, org_id, period, version, status, received_at, late, note, "
                       "replaces, files, findings, content, sent_by) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                       (receipt_id, org_id, period, number, status, received_at, int(late), note, replaces,
                        json.dumps(files, ensure_ascii=False), json.dumps(findings, ensure_ascii=False), content,
                        sent_by))
            if sent_by != "member":
                self._event(tx, sent_by, "sent on behalf", receipt_id, org_id)
        return Version(receipt_id, org_id, period, number, status, received_at, late, note, replaces, files,
                       findings, content, sent_by), True

    def withdraw(self, receipt_id: str, by: str, reason: str) -> bool:
        """Staff withdraw a version (recorded, with a reason); False if unknown or withdrawn already."""
        with self.transaction() as tx:
            if not tx.execute("SELECT 1 FROM versions WHERE receipt_id = ?", (receipt_id,)).fetchone():
                return False
            if tx.execute("SELECT 1 FROM withdrawals WHERE receipt_id = ?", (receipt_id,)).fetchone():
                return False
            tx.execute("INSERT INTO withdrawals(receipt_id, at, by, reason) VALUES (?,?,?,?)",
                       (receipt_id, now_utc().isoformat(), by, reason))
            self._event(tx, by, "withdrew", receipt_id, reason)
        return True

    # ---- the record of acts ----------------------------------------------------------------
    def _event(self, tx: sqlite3.Connection, actor: str, action: str, subject: str, detail: str = "") -> None:
        tx.execute("INSERT INTO events(at, actor, action, subject, detail) VALUES (?,?,?,?,?)",
                   (now_utc().isoformat(), actor, action, subject, detail))

    def event(self, actor: str, action: str, subject: str, detail: str = "") -> None:
        with self.transaction() as tx:
            self._event(tx, actor, action, subject, detail)

    # ---- backup ----------------------------------------------------------------------------
    def backup(self, dest: Path) -> tuple[int, int]:
        """A consistent copy while the service runs: the database through SQLite's online backup (one
        snapshot), then every file that snapshot names (files are written before their version is committed
        and never change, so all are there). Returns (versions, files) copied."""
        dest = Path(dest)
        if dest.exists() and any(dest.iterdir()):
            raise FileExistsError(str(dest))
        dest.mkdir(parents=True, exist_ok=True, mode=0o700)
        target = sqlite3.connect(dest / DB_NAME)
        try:
            self._con().backup(target)
        finally:
            target.close()
        copy = sqlite3.connect(dest / DB_NAME)
        try:
            named = {f["sha256"] for (text,) in copy.execute("SELECT files FROM versions") for f in json.loads(text)}
            versions = copy.execute("SELECT count(*) FROM versions").fetchone()[0]
        finally:
            copy.close()
        for sha in sorted(named):
            out = blob_path(dest, sha)
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(blob_path(self.root, sha), out)
        (dest / TMP).mkdir(exist_ok=True)
        return int(versions), len(named)

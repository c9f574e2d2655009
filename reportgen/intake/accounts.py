"""Issuing, rotating and revoking credentials; web sessions. Every act is recorded in ``events``."""

from __future__ import annotations

import re
import secrets
import time

from .auth import Principal, hash_secret, new_key, token_hash
from .store import Store, now_utc

STAFF_NAME = re.compile(r"^[a-z][a-z0-9._-]{0,39}$")
SESSION_SECONDS = 8 * 3600


def active(store: Store, kind: str, subject: str) -> list[str]:
    return [r[0] for r in store.query("SELECT id FROM credentials WHERE kind = ? AND subject = ? "
                                      "AND revoked_at IS NULL", (kind, subject))]


def issue(store: Store, kind: str, subject: str, by: str, *, rotate: bool = False) -> str:
    """A new key for ``subject`` (shown once by the caller). ``rotate``: the old keys stop working at once."""
    key, ident, secret = new_key()
    salt, digest, params = hash_secret(secret)
    at = now_utc().isoformat()
    with store.transaction() as tx:
        if rotate:
            tx.execute("UPDATE credentials SET revoked_at = ? WHERE kind = ? AND subject = ? AND revoked_at IS NULL",
                       (at, kind, subject))
            tx.execute("DELETE FROM sessions WHERE kind = ? AND subject = ?", (kind, subject))
        tx.execute("INSERT INTO credentials(id, kind, subject, salt, hash, params, issued_at, issued_by) "
                   "VALUES (?,?,?,?,?,?,?,?)", (ident, kind, subject, salt, digest, params, at, by))
        tx.execute("INSERT INTO events(at, actor, action, subject, detail) VALUES (?,?,?,?,?)",
                   (at, by, "rotated key" if rotate else "issued key", f"{kind} {subject}", ident))
    return key


def revoke(store: Store, kind: str, subject: str, by: str) -> int:
    """Every key of ``subject`` stops working, and its web sessions end. Returns how many keys."""
    at = now_utc().isoformat()
    with store.transaction() as tx:
        n = tx.execute("UPDATE credentials SET revoked_at = ? WHERE kind = ? AND subject = ? AND revoked_at IS NULL",
                       (at, kind, subject)).rowcount
        tx.execute("DELETE FROM sessions WHERE kind = ? AND subject = ?", (kind, subject))
        tx.execute("INSERT INTO events(at, actor, action, subject, detail) VALUES (?,?,?,?,?)",
                   (at, by, "revoked keys", f"{kind} {subject}", str(n)))
    return n


# ---- web sessions ------------------------------------------------------------------------------

def start_session(store: Store, who: Principal) -> tuple[str, str]:
    """(session token for the cookie, CSRF token for the forms). Only the token's hash is stored."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    with store.transaction() as tx:
        tx.execute("DELETE FROM sessions WHERE expires < ?", (time.time(),))
        tx.execute("INSERT INTO sessions(id_hash, kind, subject, credential, csrf, expires) VALUES (?,?,?,?,?,?)",
                   (token_hash(token), who.kind, who.subject, who.credential, csrf, time.time() + SESSION_SECONDS))
    return token, csrf


def session(store: Store, token: str | None) -> tuple[Principal, str] | None:
    """The session's principal and CSRF token, while the session and its credential are valid."""
    if not token or len(token) > 100:
        return None
    rows = store.query("SELECT s.kind, s.subject, s.credential, s.csrf FROM sessions s JOIN credentials c "
                       "ON c.id = s.credential AND c.revoked_at IS NULL WHERE s.id_hash = ? AND s.expires > ?",
                       (token_hash(token), time.time()))
    if not rows:
        return None
    kind, subject, credential, csrf = rows[0]
    return Principal(kind, subject, credential), csrf


def end_session(store: Store, token: str | None) -> None:
    if token:
        with store.transaction() as tx:
            tx.execute("DELETE FROM sessions WHERE id_hash = ?", (token_hash(token),))

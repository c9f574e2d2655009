"""Credentials, sessions and rate limits of the intake service.

A credential is ``rg1.<id>.<secret>``: the id finds its row, the secret is checked against a salted
scrypt hash (``hashlib.scrypt``: n=2^14, r=8, p=1, 16 MiB and about 50 ms a check). The key itself is
shown once, when issued, and never stored. A check that passed is remembered for a few minutes by the
SHA-256 of the key (never the key), so that a member's system sending many files does not pay for
scrypt every time; a rotation or revocation is seen at once, since the row is read on every request.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass

PREFIX = "rg1"
SCRYPT = {"n": 1 << 14, "r": 8, "p": 1}
PARAMS = f"scrypt:{SCRYPT['n']}:{SCRYPT['r']}:{SCRYPT['p']}"
KEY_CHARS = 200  # a longer Authorization header or sign-in field is not a key
REMEMBER_SECONDS = 300


def new_key() -> tuple[str, str, str]:
    """(key, id, secret): the key is shown once; the id and a hash of the secret are stored."""
    ident, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
    return f"{PREFIX}.{ident}.{secret}", ident, secret


def hash_secret(secret: str, salt: bytes | None = None) -> tuple[bytes, bytes, str]:
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(secret.encode(), salt=salt, maxmem=64 << 20, dklen=32, **SCRYPT)
    return salt, digest, PARAMS


def _check(secret: str, salt: bytes, digest: bytes, params: str) -> bool:
    try:
        kind, n, r, p = params.split(":")
        if kind != "scrypt":
            return False
        got = hashlib.scrypt(secret.encode(), salt=salt, n=int(n), r=int(r), p=int(p), maxmem=64 << 20, dklen=32)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, digest)


def split_key(key: str) -> tuple[str, str] | None:
    """(id, secret) of a well-formed key, else None."""
    if not key or len(key) > KEY_CHARS:
        return None
    parts = key.strip().split(".")
    if len(parts) != 3 or parts[0] != PREFIX or not parts[1] or not parts[2]:
        return None
    if not all(c.isalnum() or c in "-_" for c in parts[1] + parts[2]):
        return None
    return parts[1], parts[2]


@dataclass(frozen=True)
class Principal:
    """Who is asking: a member (``subject`` is its org_id) or a staff member (their name)."""

    kind: str  # "member" | "staff"
    subject: str
    credential: str  # the credential's id

    @property
    def is_staff(self) -> bool:
        return self.kind == "staff"


_DUMMY = hash_secret("not a key", b"0" * 16)


class Verifier:
    """Checks keys against the store's credential rows; remembers passed checks briefly."""

    def __init__(self, store) -> None:
        self.store = store
        self._passed: OrderedDict[tuple[str, bytes, str], float] = OrderedDict()
        self._lock = threading.Lock()

    def principal(self, key: str) -> Principal | None:
        parts = split_key(key)
        if parts is None:
            return None
        ident, secret = parts
        rows = self.store.query("SELECT kind, subject, salt, hash, params FROM credentials "
                                "WHERE id = ? AND revoked_at IS NULL", (ident,))
        if not rows:
            _check(secret, *_DUMMY)  # the same time for an unknown id as for a wrong secret
            return None
        kind, subject, salt, digest, params = rows[0]
        memo = (ident, hashlib.sha256(secret.encode()).digest(), digest.hex())
        with self._lock:
            seen = self._passed.get(memo)
            if seen is not None and time.monotonic() - seen < REMEMBER_SECONDS:
                return Principal(kind, subject, ident)
        if not _check(secret, salt, digest, params):
            return None
        with self._lock:
            self._passed[memo] = time.monotonic()
            while len(self._passed) > 10_000:
                self._passed.popitem(last=False)
        return Principal(kind, subject, ident)


class RateLimit:
    """At most ``limit`` events per ``window`` seconds per key (a sliding window); bounded memory."""

    def __init__(self, limit: int, window: float, keys: int = 50_000) -> None:
        self.limit, self.window, self.keys = limit, window, keys
        self._events: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        events = self._events.get(key)
        if events is None:
            events = self._events[key] = deque()
            while len(self._events) > self.keys:
                self._events.popitem(last=False)
        while events and now - events[0] >= self.window:
            events.popleft()
        return events

    def retry_after(self, key: str) -> int | None:
        """Seconds to wait when ``key`` is over the limit, else None (nothing is counted)."""
        now = time.monotonic()
        with self._lock:
            events = self._recent(key, now)
            if len(events) >= self.limit:
                return max(1, int(self.window - (now - events[0])) + 1)
        return None

    def hit(self, key: str) -> None:
        now = time.monotonic()
        with self._lock:
            self._recent(key, now).append(now)
            self._events.move_to_end(key)

    def clear(self, key: str) -> None:
        with self._lock:
            self._events.pop(key, None)


def same(a: str | None, b: str | None) -> bool:
    """Constant-time equality of two tokens (False when either is missing)."""
    return bool(a) and bool(b) and hmac.compare_digest(str(a).encode(), str(b).encode())


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()

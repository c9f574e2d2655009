"""Where the caches live, and the per-project key that signs what is stored there.

A tiny module (standard library only) that ``cache.py`` and ``fingerprint.py``
both import, so that neither imports the other.

The cache folder may be shared (``$REPORTGEN_CACHE_DIR``, e.g. one folder for
several projects on a local disk), so nothing read from it is trusted unless
it carries a signature made with the project's key: 32 random bytes in
``$XDG_STATE_HOME/reportgen/cache-keys/<hash of the project's path>.key``
(``~/.local/state/…``; mode 0600, in a 0700 folder), outside every cache folder.
Whoever can write the cache but not the user's own state folder can therefore
not make reportgen load anything. When no key can be stored the process uses a
key of its own, so the cache still works within that process and nothing
written by another is ever read.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

CACHE_NAME = ".reportgen-cache"  # beside config.yaml; safe to delete at any time
CACHE_ENV = "REPORTGEN_CACHE_DIR"  # or here: e.g. a local disk when the project is on a network drive
KEY_DIR_ENV = "REPORTGEN_KEY_DIR"  # where the per-project cache keys are kept (default: the user's state folder)


def cache_dir(root: Path) -> Path:
    """Where the caches live: ``$REPORTGEN_CACHE_DIR`` if set, else ``.reportgen-cache/`` beside
    config.yaml. Every entry is keyed by content and signed, so projects may share one folder safely."""
    env = os.environ.get(CACHE_ENV, "").strip()
    return Path(env) if env else Path(root) / CACHE_NAME


def key_dir() -> Path:
    given = os.environ.get(KEY_DIR_ENV, "").strip()
    if given:
        return Path(given)
    state = os.environ.get("XDG_STATE_HOME", "").strip()
    return (Path(state) if state else Path.home() / ".local" / "state") / "reportgen" / "cache-keys"


_keys: dict[str, bytes] = {}


def project_key(root: Path) -> bytes:
    """The project's secret signing key (created on first use)."""
    name = hashlib.sha256(str(Path(root).resolve()).encode()).hexdigest()[:32]
    if name in _keys:
        return _keys[name]
    path = key_dir() / f"{name}.key"
    key = None
    try:
        data = path.read_bytes()
        if len(data) == 32:
            key = data
    except OSError:
        pass
    if key is None:
        key = secrets.token_bytes(32)
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(key)
        except FileExistsError:  # another process made it first: use theirs
            try:
                data = path.read_bytes()
                key = data if len(data) == 32 else key
            except OSError:
                pass
        except OSError:
            pass  # nowhere to keep it: this process's own key (nothing stored by others is read)
    _keys[name] = key
    return key


def sign(key: bytes, *parts: bytes) -> bytes:
    """HMAC-SHA256 over ``parts`` (each length-prefixed, so no two lists of parts sign alike)."""
    mac = hmac.new(key, digestmod=hashlib.sha256)
    for part in parts:
        mac.update(len(part).to_bytes(8, "big"))
        mac.update(part)
    return mac.digest()


def verify(key: bytes, signature: bytes, *parts: bytes) -> bool:
    return hmac.compare_digest(signature, sign(key, *parts))

"""Stage result caches: each stage's result stored under a key of exactly what it reads.

A key is a sha256 over the stage's name, reportgen's version and source code
(any change to reportgen invalidates everything) and the digests of the
inputs that stage reads — content hashes of files (from ``fingerprint``),
the period, the environment part (rounding key hash, SOURCE_DATE_EPOCH). An
entry is a pickle written atomically under ``.reportgen-cache/stages/``
(or ``$REPORTGEN_CACHE_DIR/stages/``);
an unreadable entry is treated as missing, never trusted. Only the standard
library is imported here.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .fingerprint import Fingerprint

CACHE_NAME = ".reportgen-cache"  # beside config.yaml; safe to delete at any time
CACHE_ENV = "REPORTGEN_CACHE_DIR"  # or here: e.g. a local disk when the project is on a network drive


def cache_dir(root: Path) -> Path:
    """Where the caches live: ``$REPORTGEN_CACHE_DIR`` if set, else ``.reportgen-cache/`` beside
    config.yaml. Every entry is keyed by content, so projects may share one folder safely."""
    env = os.environ.get(CACHE_ENV, "").strip()
    return Path(env) if env else Path(root) / CACHE_NAME

KEEP = 6  # entries kept per stage (the newest), so the cache does not grow without bound

# A long-running process (``reportgen preview``) also keeps the latest result of each stage in memory,
# so an edit to a story does not even unpickle the unchanged data. Off for one-shot builds.
_memory: dict[str, tuple[str, Any]] | None = None


def keep_in_memory(on: bool = True) -> None:
    global _memory
    _memory = {} if on else None


def stage_key(name: str, fp: Fingerprint, groups: tuple[str, ...], period: object, *extra: str) -> str:
    """The key for stage ``name`` reading the fingerprint ``groups`` (plus reportgen's own source)."""
    h = hashlib.sha256(f"stage {name}\nperiod {period}\n".encode())
    for group in (*groups, "reportgen", "environment"):
        h.update(f"{group}={fp.parts.get(group, 'missing')}\n".encode())
    for value in extra:
        h.update(f"extra={value}\n".encode())
    return h.hexdigest()


class StageCache:
    """Pickled stage results under ``<cache_dir>/stages/<stage>/<key>.pickle``."""

    def __init__(self, root: Path, enabled: bool = True):
        self.folder = cache_dir(root) / "stages"
        self.enabled = enabled
        self.hits: list[str] = []
        self.misses: list[str] = []

    def _path(self, name: str, key: str) -> Path:
        return self.folder / name / f"{key}.pickle"

    def get(self, name: str, key: str) -> tuple[bool, Any]:
        if not self.enabled:
            return False, None
        if _memory is not None and _memory.get(name, ("", None))[0] == key:
            return True, _memory[name][1]
        try:
            with self._path(name, key).open("rb") as fh:
                value = pickle.load(fh)
        except Exception:  # missing, torn or from an incompatible version: recompute
            return False, None
        if _memory is not None:
            _memory[name] = (key, value)
        return True, value

    def put(self, name: str, key: str, value: Any) -> None:
        folder = self.folder / name
        if _memory is not None:
            _memory[name] = (key, value)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self._path(name, key))
            entries = sorted(folder.glob("*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
            for old in entries[KEEP:]:
                old.unlink(missing_ok=True)
        except OSError:
            pass  # a read-only project still builds; it just does not cache

    def run(self, name: str, key: str, fn: Callable[..., Any], *args, **kwargs) -> Any:
        """``fn(*args, **kwargs)``, or its cached result for ``key``. ``--no-cache`` recomputes (and refreshes)."""
        found, value = self.get(name, key)
        if found:
            self.hits.append(name)
            return value
        self.misses.append(name)
        value = fn(*args, **kwargs)
        self.put(name, key, value)
        return value

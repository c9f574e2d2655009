"""Stage result caches: each stage's result stored under a key of exactly what it reads.

A key is a sha256 over the stage's name, reportgen's version and source code
(any change to reportgen invalidates everything) and the digests of the
inputs that stage reads — content hashes of files (from ``fingerprint``),
the period, the environment part (rounding key hash, SOURCE_DATE_EPOCH). An
entry is written atomically under ``.reportgen-cache/stages/`` (or
``$REPORTGEN_CACHE_DIR/stages/``).

The cache cannot run code: an entry is a pickle *signed* with the project's
key, which is kept outside every cache folder (``cachepaths.project_key``), and
its signature (HMAC-SHA256 over the stage, the key and the bytes) is verified
before a single byte is unpickled. An entry that is torn, from another project
or version, or written by anyone without the key is deleted and recomputed.
A folder that cannot be written (read-only, full) never stops a build: the
entry is not stored, no temporary file is left behind, and one
``cache.not-written`` warning says so. Only the standard library is imported.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..core.findings import Finding
from .cachepaths import CACHE_ENV, CACHE_NAME, cache_dir, project_key, sign, verify

__all__ = ["CACHE_ENV", "CACHE_NAME", "KEEP", "StageCache", "atomic_write", "cache_dir", "keep_in_memory",
           "note_warning", "stage_key", "sweep_temporary", "take_warnings"]

KEEP = 6  # entries kept per stage (the newest), so the cache does not grow without bound
MAGIC = b"reportgen-stage-1\n"
SUFFIX = ".entry"

# A long-running process (``reportgen preview``) also keeps the latest result of each stage in memory,
# so an edit to a story does not even unpickle the unchanged data. Off for one-shot builds.
_memory: dict[str, tuple[str, Any]] | None = None
_warnings: list[Finding] = []


def keep_in_memory(on: bool = True) -> None:
    global _memory
    _memory = {} if on else None


def note_warning(message: str, file: str | None = None) -> None:
    """A cache problem worth one warning per run (the build goes on without that entry)."""
    if not any(w.message == message for w in _warnings):
        _warnings.append(Finding("cache.not-written", "warning", message, file=file,
                                 hint="free space or fix the folder's permissions (deleting .reportgen-cache/ is "
                                      "always safe); the build or check itself is complete"))


def take_warnings() -> list[Finding]:
    """The cache warnings since the last call (for the command line to show)."""
    out = list(_warnings)
    _warnings.clear()
    return out


def atomic_write(path: Path, data: bytes | tuple[bytes, ...]) -> bool:
    """Write ``data`` (or its parts, one after another, never joined in memory) to ``path`` through a
    temporary file in the same folder, then rename it into place. On any OSError the temporary file is
    removed and False is returned (and a warning noted)."""
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            for part in (data,) if isinstance(data, bytes) else data:
                fh.write(part)
        os.replace(tmp, path)
        return True
    except OSError as exc:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        note_warning(f"the cache could not be written ({exc.strerror or exc})", file=str(path.parent))
        return False


def sweep_temporary(folder: Path, since: float) -> int:
    """Remove the ``*.tmp`` files under ``folder`` made since ``since`` (a failed build's half-written
    entries); returns how many."""
    removed = 0
    for top, _dirs, names in os.walk(folder):
        for name in names:
            if name.endswith(".tmp"):
                path = os.path.join(top, name)
                try:
                    if os.stat(path).st_mtime >= since - 1:
                        os.unlink(path)
                        removed += 1
                except OSError:
                    pass
    return removed


def stage_key(name: str, fp, groups: tuple[str, ...], period: object, *extra: str) -> str:
    """The key for stage ``name`` reading the fingerprint ``groups`` (plus reportgen's own source)."""
    h = hashlib.sha256(f"stage {name}\nperiod {period}\n".encode())
    for group in (*groups, "reportgen", "environment"):
        h.update(f"{group}={fp.parts.get(group, 'missing')}\n".encode())
    for value in extra:
        h.update(f"extra={value}\n".encode())
    return h.hexdigest()


class StageCache:
    """Signed, pickled stage results under ``<cache_dir>/stages/<stage>/<key>.entry``."""

    def __init__(self, root: Path, enabled: bool = True):
        self.root = Path(root)
        self.folder = cache_dir(root) / "stages"
        self.enabled = enabled
        self.hits: list[str] = []
        self.misses: list[str] = []
        self.rejected: list[str] = []  # entries found but not trusted (deleted)

    def _path(self, name: str, key: str) -> Path:
        return self.folder / name / f"{key}{SUFFIX}"

    def _parts(self, name: str, key: str, payload: bytes) -> tuple[bytes, ...]:
        return (b"stage", name.encode(), key.encode(), payload)

    def get(self, name: str, key: str) -> tuple[bool, Any]:
        if not self.enabled:
            return False, None
        if _memory is not None and _memory.get(name, ("", None))[0] == key:
            return True, _memory[name][1]
        path = self._path(name, key)
        try:
            blob = path.read_bytes()
        except OSError:
            return False, None
        signature, payload = blob[len(MAGIC):len(MAGIC) + 32], blob[len(MAGIC) + 32:]
        if not blob.startswith(MAGIC) or not verify(project_key(self.root), signature,
                                                    *self._parts(name, key, payload)):
            self._discard(name, path)
            return False, None
        try:
            value = pickle.loads(payload)  # signed by this project's key: written by reportgen itself
        except Exception:  # from an incompatible version of a library: recompute
            self._discard(name, path)
            return False, None
        if _memory is not None:
            _memory[name] = (key, value)
        return True, value

    def _discard(self, name: str, path: Path) -> None:
        self.rejected.append(name)
        try:
            path.unlink()
        except OSError:
            pass

    def put(self, name: str, key: str, value: Any) -> None:
        folder = self.folder / name
        if _memory is not None:
            _memory[name] = (key, value)
        try:
            payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
            signature = sign(project_key(self.root), *self._parts(name, key, payload))
        except MemoryError:  # under the memory ceiling: the result itself is whole, only not kept
            note_warning(f"not enough memory to keep the {name} stage's result in the cache (it is computed "
                         "again next time)", file=str(self.folder))
            return
        if not atomic_write(self._path(name, key), (MAGIC, signature, payload)):
            return  # a read-only or full cache folder: the build goes on without this entry
        try:
            entries = sorted(folder.glob(f"*{SUFFIX}"), key=lambda p: p.stat().st_mtime, reverse=True)
            for old in entries[KEEP:]:
                old.unlink(missing_ok=True)
            for stale in folder.glob("*.pickle"):  # entries of earlier versions, never read again
                stale.unlink(missing_ok=True)
        except OSError:
            pass

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


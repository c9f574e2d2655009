"""One build of a project at a time: an advisory lock held for the whole of ``reportgen build``.

Two builds of one project at once would both number their draft N, and the
loser's edit would be in no draft. So ``reportgen build`` takes an exclusive
``flock`` on ``<project>/.reportgen-cache/build.lock`` (or, when the project
folder cannot be written, on a file keyed by the project's path in the user's
cache folder) before it fingerprints the inputs. A second build waits for the
first (up to ``limits.LOCK_WAIT_SECONDS``, or ``$REPORTGEN_LOCK_WAIT``), saying
so once, then refuses with an ``env.locked`` finding naming the process that
holds the lock. The kernel releases the lock when the holder exits, however it
ends (kill -9 included), so a stale lock cannot block anyone; the file itself
is never deleted (deleting a lock file races with a process about to take it).
``check`` and ``preview`` write nothing and take no lock.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ..core import limits

LOCK_NAME = "build.lock"


class Locked(Exception):
    """Another build of the project held the lock for longer than we may wait."""

    def __init__(self, path: Path, holder: str, waited: float):
        super().__init__(f"{path} is held by {holder}")
        self.path, self.holder, self.waited = path, holder, waited


def user_cache_home() -> Path:
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    return Path(base) if base else Path.home() / ".cache"


def _candidates(root: Path) -> list[Path]:
    key = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:24]
    return [root / ".reportgen-cache" / LOCK_NAME, user_cache_home() / "reportgen" / "locks" / f"{key}.lock"]


def _open(root: Path) -> tuple[int, Path] | None:
    for path in _candidates(root):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            return os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644), path
        except OSError as exc:
            if exc.errno not in (errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.EDQUOT, errno.ENOTDIR):
                raise
    return None  # nowhere to put a lock: the build will meet the same problem when it writes, and say so


def _holder(fd: int) -> str:
    try:
        text = os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
    except OSError:
        text = ""
    return f"process {text}" if text else "another process"


@contextmanager
def project_lock(root: Path, *, wait: float | None = None,
                 waiting: Callable[[str, float], None] | None = None) -> Iterator[Path | None]:
    """Hold the project's build lock for the body; raises ``Locked`` after ``wait`` seconds."""
    wait = limits.lock_wait() if wait is None else wait
    opened = _open(Path(root))
    if opened is None:
        yield None
        return
    fd, path = opened
    try:
        start = time.monotonic()
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                waited = time.monotonic() - start
                if waited >= wait:
                    raise Locked(path, _holder(fd), waited) from None
                if not told and waiting is not None:
                    waiting(_holder(fd), wait)
                    told = True
                time.sleep(min(0.1, max(wait - waited, 0.01)))
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        except OSError:
            pass  # the pid is only for the message; the lock holds without it
        yield path
    finally:
        os.close(fd)  # releases the lock

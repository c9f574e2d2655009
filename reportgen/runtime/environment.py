"""Problems of the machine rather than of the inputs, as coded findings with a hint.

A folder that cannot be written, a full disk, a quota, a project locked by
another build, a build that ran out of its memory ceiling: none of these is a
bug in reportgen, and none is fixed by editing the inputs, so each is an
``env.*`` finding (exit 1) that says what to do — never exit 3.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from ..core.findings import Finding

_KINDS = {
    errno.EACCES: "env.permission-denied", errno.EPERM: "env.permission-denied",
    errno.EROFS: "env.read-only",
    errno.ENOSPC: "env.disk-full", errno.EDQUOT: "env.disk-full",
    errno.ENOTDIR: "env.not-a-folder", errno.EISDIR: "env.not-a-folder", errno.EEXIST: "env.not-a-folder",
    errno.EIO: "env.io-error", errno.ENAMETOOLONG: "env.io-error", errno.ELOOP: "env.io-error",
    errno.EMFILE: "env.io-error", errno.ENFILE: "env.io-error", errno.ENOMEM: "env.out-of-memory",
}
DISK_FULL = (errno.ENOSPC, errno.EDQUOT)


def is_environment_error(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in _KINDS


def _shown(path: str | None, root: Path | None) -> str | None:
    if not path:
        return None
    p = Path(os.fsdecode(path))
    if root is not None:
        try:
            return p.resolve().relative_to(Path(root).resolve()).as_posix()
        except (ValueError, OSError):
            pass
    return p.as_posix()


def inside(path: str | None, folder: Path) -> bool:
    if not path:
        return False
    try:
        Path(os.fsdecode(path)).resolve().relative_to(folder.resolve())
        return True
    except (ValueError, OSError):
        return False


def nearly_full(folder: Path, margin: int = 1 << 20) -> bool:
    """True when the disk holding ``folder`` (or its nearest existing parent) has less than ``margin`` free."""
    p = Path(folder)
    while not p.exists() and p != p.parent:
        p = p.parent
    try:
        st = os.statvfs(p)
    except OSError:
        return False
    return st.f_bavail * st.f_frsize < margin


def os_finding(exc: OSError, root: Path | None, *, cache: Path | None = None, output: Path | None = None) -> Finding:
    """The finding for an environment OSError (``is_environment_error``)."""
    code = _KINDS.get(exc.errno or 0, "env.io-error")
    filename = exc.filename
    if not filename and exc.errno in DISK_FULL:  # a write() has no file name: name the disk that is full
        filename = next((str(f) for f in (output, cache) if f is not None and nearly_full(f)), None)
        exc = OSError(exc.errno, exc.strerror, filename)
    where = _shown(filename, root)
    what = f"'{where}'" if where else "a file"
    in_cache = cache is not None and inside(exc.filename, cache)
    in_output = output is not None and inside(exc.filename, output)
    folder = ("the cache folder (.reportgen-cache/ or $REPORTGEN_CACHE_DIR)" if in_cache
              else "the output folder (output.folder in config.yaml)" if in_output else "that folder")
    if code == "env.permission-denied":
        message = f"reportgen may not write {what}: permission denied"
        hint = f"give your user write access to {folder}, or point it at a folder you can write"
    elif code == "env.read-only":
        message = f"{what} is on a read-only file system"
        hint = f"build from a copy of the project on a writable disk, or point {folder} at one"
    elif code == "env.disk-full":
        message = f"the disk is full (or your quota is used up) writing {what}"
        hint = "free some space (deleting .reportgen-cache/ is always safe), then build again; nothing was written"
    elif code == "env.not-a-folder":
        message = f"{what} is in the way: a file stands where a folder must be (or a folder where a file must be)"
        hint = f"move it aside, or set {folder} to another path"
    elif code == "env.out-of-memory":
        message = "the system has no memory left for reportgen"
        hint = "close other programs, or build with --jobs 1"
    else:
        message = f"the system could not read or write {what} ({exc.strerror or exc})"
        hint = "check the disk and the path; then build again"
    return Finding(code, "error", message, file=where, hint=hint)


def memory_finding(ceiling: int | None) -> Finding:
    limit = f" ({ceiling / (1 << 30):.1f} GiB)" if ceiling else ""
    return Finding("env.out-of-memory", "error", f"the build needed more memory than its ceiling{limit}",
                   hint="an input is probably far larger than usual (see docs/limits.md); if the inputs are right, "
                        "raise the ceiling with REPORTGEN_MEMORY_LIMIT=16G, or build with --jobs 1")


def locked_finding(path: Path, holder: str, waited: float) -> Finding:
    return Finding("env.locked", "error",
                   f"another build of this project is running ({holder}); waited {waited:.0f} s for it",
                   file=str(path),
                   hint="let it finish and build again (or set REPORTGEN_LOCK_WAIT=600 to wait longer); "
                        "builds of one project run one at a time so that each draft has its own number")

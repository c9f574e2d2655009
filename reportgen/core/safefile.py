"""Opening input files without trusting what their name says they are.

A path named like a data file (``ANG001.csv``, ``story.yaml``) may be a named
pipe (opening it waits for a writer for ever), a device (``/dev/zero`` never
ends), a socket, a folder, a link to nothing, or a link to a file elsewhere on
the machine. None of them is read, and none is skipped in silence: callers
turn ``why_not_a_file`` and ``NotAFile`` into located findings. Files are
opened with ``O_NONBLOCK`` and checked with ``fstat`` on the open descriptor,
so a file swapped for a pipe between the check and the read is refused too.
Only the standard library is used.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO


class NotAFile(OSError):
    """The path is not a regular file (``kind`` says what it is)."""

    def __init__(self, path: str | os.PathLike, kind: str):
        super().__init__(f"{os.fspath(path)} is {kind}, not a file")
        self.kind = kind
        self.strerror = f"it is {kind}, not a file"


def kind(mode: int) -> str:
    """What a file mode describes, as a phrase: 'a named pipe (FIFO)'."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    return "not a regular file"


def _inside(path: str, roots: list[Path]) -> bool:
    real = Path(path)
    return any(real == r or real.is_relative_to(r) for r in roots)


def why_not_a_file(path: str | os.PathLike, roots: list[Path] | None = None, *,
                   outside: str = "the project") -> str | None:
    """None when ``path`` is a regular file (or a link to one inside ``roots``, when given); otherwise
    what it is, as a phrase: 'a named pipe (FIFO)', 'a link to /dev/zero, which is a device', 'a link to
    /home/x/a.csv, outside the project'."""
    try:
        st = os.lstat(path)
    except OSError as exc:
        return f"not readable ({exc.strerror or exc})"
    if stat.S_ISREG(st.st_mode):
        return None
    if not stat.S_ISLNK(st.st_mode):
        return kind(st.st_mode)
    target = os.path.realpath(path)
    try:
        real = os.stat(path)
    except OSError:
        return f"a link to {target}, which does not exist"
    if not stat.S_ISREG(real.st_mode):
        return f"a link to {target}, which is {kind(real.st_mode)}"
    if roots is not None and not _inside(target, [Path(os.path.realpath(r)) for r in roots]):
        return f"a link to {target}, outside {outside}"
    return None


def open_regular(path: str | os.PathLike) -> BinaryIO:
    """``path`` opened for reading in binary, or ``NotAFile`` when it is a pipe, device, socket or
    folder (never blocking on a pipe: the check is made on the open descriptor)."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotAFile(path, kind(st.st_mode))
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


DATA_SUFFIXES = (".csv", ".xlsx")


def data_files(folder: Path, roots: list[Path]) -> tuple[list[str], list[tuple[str, str]]]:
    """Every .csv and .xlsx file below ``folder`` (relative, '/'-separated), in path order; and every
    entry that is named like one but is not a regular file (a folder, a pipe, a device, a socket, a
    broken link, a link leaving ``roots``), or is a link to a folder (never followed), with what it is.
    The reader (``inputs/submissions.py``) and the inputs' fingerprint (``runtime/fingerprint.py``) both list
    the data with it, so that a build's cache sees every file the reader reads, and every one it refuses."""
    found: list[str] = []
    odd: list[tuple[str, str]] = []
    for dirpath, dirs, filenames in os.walk(folder):
        rel = os.path.relpath(dirpath, folder).replace(os.sep, "/")
        for name in dirs:
            path = os.path.join(dirpath, name)
            shown = name if rel == "." else f"{rel}/{name}"
            if os.path.islink(path):
                odd.append((shown, f"a link to the folder {os.path.realpath(path)}, which is not followed: its "
                                   "files are not read"))
            elif name.lower().endswith(DATA_SUFFIXES):
                odd.append((shown, "a folder named like a data file (the files inside it are read)"))
        for name in filenames:
            if not name.lower().endswith(DATA_SUFFIXES):
                continue
            shown = name if rel == "." else f"{rel}/{name}"
            why = why_not_a_file(os.path.join(dirpath, name), roots)
            if why is None:
                found.append(shown)
            else:
                odd.append((shown, why))
    found.sort(key=lambda n: n.split("/"))
    odd.sort(key=lambda item: item[0].split("/"))
    return found, odd

"""Write stage: put the whole bundle in place at once, or not at all.

Everything is written to a temporary folder beside the destination, which
is then swapped into place, so a failed build never leaves a half-written
bundle and the previous outputs stay untouched until the new ones are whole.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


def staged(files: dict[str, bytes], dest: Path) -> Path:
    """``files`` (relative path → content) written to a new temporary folder beside ``dest``."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.tmp-", dir=dest.parent))
    try:
        for rel, data in sorted(files.items()):
            target = tmp / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        os.chmod(tmp, 0o755)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return tmp


def write_bundle(files: dict[str, bytes], dest: Path) -> Path:
    """Write ``files`` (relative path → content) as the folder ``dest``."""
    tmp = staged(files, dest)
    try:
        old = None
        if dest.exists():
            old = dest.parent / f".{dest.name}.old-{os.getpid()}"
            os.replace(dest, old)
        os.replace(tmp, dest)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return dest

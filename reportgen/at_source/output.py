"""Writing the planned files: all of them or none, never over other content without ``--force``.

What a data officer expects when running again into the same ``--out`` folder:

* a file that already holds exactly the new content is left as it is (running
  twice is harmless);
* a file with *other* content (an earlier run, perhaps already sent) is not
  replaced unless ``--force`` is given: the run stops with a finding, and
  nothing at all is written;
* with ``--force`` the files are replaced.

Files are first written into a temporary folder inside ``--out`` (the same
file system) and then moved into place one by one with ``os.replace``, so no
reader ever sees a half-written file. Files of other periods already in
``--out`` are never touched.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from ..core.findings import Finding


def conflicts(out_dir: Path, files: dict[str, bytes]) -> list[Finding]:
    """A finding for each planned file that exists with other content."""
    found = []
    for rel, content in files.items():
        path = out_dir / rel
        try:
            same = path.read_bytes() == content
        except FileNotFoundError:
            continue
        except OSError as exc:
            found.append(Finding("member.output-exists", "error",
                                 f"{rel} exists and cannot be read ({exc.strerror or exc})", file=rel,
                                 hint="choose another --out folder"))
            continue
        if not same:
            found.append(Finding("member.output-exists", "error",
                                 f"{rel} already exists with other content (an earlier run?)", file=rel,
                                 hint="choose another --out folder, or add --force to replace it"))
    return found


def write(out_dir: Path, files: dict[str, bytes]) -> list[str]:
    """Write every file (atomically each); returns the paths written (unchanged ones are skipped)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    todo = {}
    for rel, content in files.items():
        path = out_dir / rel
        if path.is_file() and path.read_bytes() == content:
            continue
        todo[rel] = content
    if not todo:
        return []
    staging = Path(tempfile.mkdtemp(prefix=".reportgen-member-", dir=out_dir))
    try:
        for rel, content in todo.items():
            tmp = staging / rel.replace("/", "__")
            with open(tmp, "wb") as fh:
                fh.write(content)
                fh.flush()
                os.fsync(fh.fileno())
        # the CSV files first, the page and the manifest (which name them) last
        for rel in sorted(todo, key=lambda r: ("/" not in r, r)):
            target = out_dir / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / rel.replace("/", "__"), target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return list(todo)

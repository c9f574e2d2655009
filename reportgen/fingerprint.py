"""A fingerprint of everything a build reads, computed before any heavy work.

Used to tell whether inputs changed since the last build (a new draft number,
an early exit for an unchanged rebuild) and recorded in every manifest. It
covers: the config file, every submission file, the member register, the
events file, the period's narratives, the templates, the rounding key (as a
hash, never the key itself), SOURCE_DATE_EPOCH, and reportgen's own version
and source code. Only the standard library is imported here, so computing it
is fast.

Per-group digests (``parts``) say *what kind* of input changed.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__

PACKAGE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Fingerprint:
    digest: str  # sha256 over all parts
    parts: dict[str, str] = field(default_factory=dict)  # group → sha256 of that group
    files: dict[str, str] = field(default_factory=dict)  # relative path → sha256 of the file

    @property
    def short(self) -> str:
        return self.digest[:12]

    def changed_parts(self, other: Fingerprint | None) -> list[str]:
        if other is None:
            return sorted(self.parts)
        return sorted(k for k in set(self.parts) | set(other.parts) if self.parts.get(k) != other.parts.get(k))


# A long-running process (``reportgen preview``) remembers each data file's hash by its size,
# modification time and inode, so a story edit does not re-read thousands of submission files.
# Only for the data: narratives, templates and config are small and always hashed, so an edit
# saved twice within one clock tick is never missed where it matters most.
_remembered: dict[str, tuple[tuple[int, int, int], str]] | None = None


def remember_data_hashes(on: bool = True) -> None:
    global _remembered
    _remembered = {} if on else None


def _data_digest(path: Path) -> str:
    if _remembered is None:
        return _file_digest(path)
    st = path.stat()
    stamp = (st.st_size, st.st_mtime_ns, st.st_ino)
    known = _remembered.get(str(path))
    if known is not None and known[0] == stamp:
        return known[1]
    digest = _file_digest(path)
    _remembered[str(path)] = (stamp, digest)
    return digest


def _file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _tree(folder: Path, suffixes: tuple[str, ...] | None = None) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")
                  and (suffixes is None or p.suffix.lower() in suffixes) and "__pycache__" not in p.parts)


def input_fingerprint(config, period) -> Fingerprint:
    """The fingerprint of a build of ``period`` with ``config`` (a loaded Config)."""
    root = Path(config.root)
    groups: dict[str, list[Path]] = {
        "config": [root / config.source] if (root / config.source).is_file() else [Path(config.source)],
        "data": _tree(config.submissions_dir, (".csv", ".xlsx")),
        "register": [p for p in (config.members_file, config.events_file) if p.is_file()],
        "narratives": _tree(root / "narratives" / str(period)),
        "templates": _tree(root / "templates"),
        "reportgen": _tree(PACKAGE, (".py", ".yaml", ".j2", ".css")),
    }
    files: dict[str, str] = {}
    parts: dict[str, str] = {}
    for group, paths in groups.items():
        h = hashlib.sha256()
        for path in paths:
            try:
                shown = path.resolve().relative_to(root.resolve()).as_posix()
            except ValueError:
                shown = path.as_posix()
            if not path.is_file():
                digest = "missing"
            else:
                digest = _data_digest(path) if group == "data" else _file_digest(path)
            if group != "reportgen":
                files[shown] = digest
            h.update(f"{shown}\0{digest}\n".encode())
        parts[group] = h.hexdigest()
    key = config.confidentiality_key() or ""
    env = hashlib.sha256()
    env.update(f"reportgen {__version__}\nperiod {period}\n".encode())
    env.update(b"key " + hashlib.sha256(key.encode()).hexdigest().encode() + b"\n")
    env.update(f"epoch {os.environ.get('SOURCE_DATE_EPOCH', '')}\n".encode())
    parts["environment"] = env.hexdigest()
    total = hashlib.sha256("".join(f"{k}={v}\n" for k, v in sorted(parts.items())).encode()).hexdigest()
    return Fingerprint(total, parts, files)

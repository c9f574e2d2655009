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
import json
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from .. import __version__
from ..core.safefile import data_files, why_not_a_file
from .cachepaths import cache_dir, project_key, sign, verify

PACKAGE = Path(__file__).resolve().parent.parent
RELEASE_LOG = "releases.json"  # output/releases.json: every final, in the order they were made (drafts.py)


@dataclass(frozen=True)
class Fingerprint:
    digest: str  # sha256 over all parts
    parts: dict[str, str] = field(default_factory=dict)  # group → sha256 of that group
    files: dict[str, str] = field(default_factory=dict)  # relative path → sha256 of the file
    memo: bool = field(default=True, compare=False)  # trusting remembered hashes (not ``--no-cache``, a final)

    @property
    def short(self) -> str:
        return self.digest[:12]

    def changed_parts(self, other: Fingerprint | None) -> list[str]:
        if other is None:
            return sorted(self.parts)
        return sorted(k for k in set(self.parts) | set(other.parts) if self.parts.get(k) != other.parts.get(k))


# Each data file's hash is remembered by its size, modification and change times (ns), inode and
# device — as git's index does — so that a rebuild does not re-read thousands of unchanged submission
# files: in memory by a long-running process (``reportgen preview``), else in
# ``<cache>/data-hashes.json``, signed with the project's key (``cachepaths``) like every cache entry.
# This fast path is taken only where it is safe:
# - the change time (ctime) is part of the stamp, and no program can set it: restoring a file's size and
#   modification time after an edit (``touch -r``, ``os.utime``) still changes its ctime;
# - a hash is remembered only for a file last changed more than ``SETTLED_NS`` before it was hashed, so
#   an edit in the same clock tick as the hashing (the "racy" case) is always hashed again;
# - only for the data: narratives, templates and config are small and always hashed;
# - ``--no-cache`` and ``--final`` hash every file afresh (``memo=False``).
_remembered: dict[str, list] | None = None
HASHES_FILE = "data-hashes.json"
SETTLED_NS = 2_000_000_000  # 2 s: above every file system's timestamp granularity (FAT's is 2 s)


def remember_data_hashes(on: bool = True) -> None:
    global _remembered
    _remembered = {} if on else None


def _stamp(st: os.stat_result) -> list[int]:
    return [st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns, st.st_dev]


def _data_digest(path: Path, memo: dict[str, list] | None) -> str:
    if memo is None:
        return _file_digest(path)
    st = path.stat()
    stamp = _stamp(st)
    known = memo.get(str(path))
    if known is not None and known[:-1] == stamp:
        return known[-1]
    digest = _file_digest(path)
    if time.time_ns() - max(st.st_mtime_ns, st.st_ctime_ns) > SETTLED_NS and _stamp(path.stat()) == stamp:
        memo[str(path)] = [*stamp, digest]
    else:
        memo.pop(str(path), None)  # changed just now (or while being read): hashed again next time
    return digest


def _memo_mac(root: Path, memo: dict[str, list]) -> str:
    body = json.dumps(memo, sort_keys=True, separators=(",", ":")).encode()
    return sign(project_key(root), b"data-hashes", body).hex()


def _load_memo(root: Path) -> tuple[Path | None, dict[str, list]]:
    path = cache_dir(root) / HASHES_FILE
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        hashes, mac = doc.get("hashes"), doc.get("mac")
        if (isinstance(hashes, dict) and isinstance(mac, str) and len(mac) == 64
                and all(isinstance(v, list) and len(v) == 6 for v in hashes.values())
                and verify(project_key(root), bytes.fromhex(mac), b"data-hashes",
                           json.dumps(hashes, sort_keys=True, separators=(",", ":")).encode())):
            return path, hashes
    except (OSError, ValueError, AttributeError, TypeError):
        pass
    return path, {}  # missing, torn, unsigned or from another project: every file is hashed


def _save_memo(path: Path, memo: dict[str, list], root: Path) -> None:
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump({"mac": _memo_mac(root, memo), "hashes": memo}, fh)
        os.replace(tmp, path)
    except OSError:  # a read-only or full cache: the build goes on; every file is hashed next time
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def _not_a_file(path: Path) -> str:
    """In place of a digest: what is at ``path`` instead of a file (missing, a folder, a pipe …), so that one
    kind changing to another changes the fingerprint as it changes what the reader reports."""
    return f"not a file: {why_not_a_file(path) or 'missing'}"


def _utf8(text: str) -> bytes:
    """``text`` as bytes for a digest, whatever it holds: a file name or an environment variable that is
    not UTF-8 reaches Python as lone surrogates, which plain ``encode()`` refuses (the build then stopped
    with an internal error instead of reporting the file)."""
    return text.encode("utf-8", "surrogatepass")


def _file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _tree(folder: Path, suffixes: tuple[str, ...] | None = None) -> list[Path]:
    if not folder.is_dir():
        return []
    found = []
    for top, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        found += [Path(top, n) for n in names if not n.startswith(".")
                  and (suffixes is None or os.path.splitext(n)[1].lower() in suffixes)
                  and os.path.isfile(os.path.join(top, n))]
    return sorted(found)


def _shown(path: Path, root: Path, real_root: Path, plain: dict[str, bool]) -> str:
    """``path`` relative to the project, as recorded: resolved (as ``Path.resolve`` would) unless
    it is plainly inside the project, under a top-level folder that is not a symbolic link."""
    text, prefix = str(path), str(root) + os.sep
    if root.is_absolute() and text.startswith(prefix):
        rel = text[len(prefix):]
        top = rel.split(os.sep, 1)[0]
        if top not in plain:
            plain[top] = ".." not in rel.split(os.sep) and not (root / top).is_symlink()
        if plain[top]:
            return rel.replace(os.sep, "/")
    try:
        return path.resolve().relative_to(real_root).as_posix()
    except ValueError:
        return path.as_posix()


def _records_folder(config) -> str:
    governance = getattr(config, "governance", None)
    return getattr(governance, "records", "reviews")


def input_fingerprint(config, period, *, memo: bool = True) -> Fingerprint:
    """The fingerprint of a build of ``period`` with ``config`` (a loaded Config). ``memo=False``:
    hash every data file afresh instead of trusting remembered hashes of unchanged files."""
    root = Path(config.root)
    memo_path: Path | None = None
    hashes: dict[str, list] | None = _remembered
    if memo and hashes is None:
        memo_path, hashes = _load_memo(root)
    if not memo:
        hashes = None
    before = dict(hashes) if memo_path is not None and hashes is not None else None
    found, refused = (data_files(Path(config.submissions_dir), [root, Path(config.submissions_dir)])
                      if Path(config.submissions_dir).is_dir() else ([], []))
    groups: dict[str, list[Path]] = {
        "config": [root / config.source] if (root / config.source).is_file() else [Path(config.source)],
        "data": [Path(config.submissions_dir, name) for name in found],  # as the reader lists them
        "register": [p for p in (config.members_file, config.events_file) if os.path.lexists(p)],
        # the releases already made (revisions.py marks the values a new release changes: R)
        "releases": [p for p in (Path(config.output_dir) / RELEASE_LOG,) if p.is_file()],
        "narratives": _tree(root / "narratives" / str(period)),
        "templates": _tree(root / "templates"),
        # the records of the reviews a final needs (issue 27): the methodology says who reviewed and when
        "reviews": [p for p in (root / _records_folder(config) / f"{period}.yaml",) if p.is_file()],
        "reportgen": _tree(PACKAGE, (".py", ".yaml", ".j2", ".css", ".json")),
    }
    files: dict[str, str] = {}
    parts: dict[str, str] = {}
    real_root = root.resolve()
    plain: dict[str, bool] = {}
    for group, paths in groups.items():
        h = hashlib.sha256()
        for path in paths:
            # reportgen's own files by their place in the package, so an installed copy (outside the
            # project, at another path on every machine) gives the same digest for the same sources
            shown = ("reportgen/" + path.relative_to(PACKAGE).as_posix() if group == "reportgen"
                     else _shown(path, root, real_root, plain))
            if not path.is_file():
                digest = _not_a_file(path)
            else:
                digest = _data_digest(path, hashes) if group == "data" else _file_digest(path)
            if group != "reportgen":
                files[shown] = digest
            h.update(_utf8(f"{shown}\0{digest}\n"))
        parts[group] = h.hexdigest()
    held: list[Path] = []  # the intake store's files the selection names
    if refused:  # what the reader refuses (a folder named like a file, a pipe, a broken link …) is data too
        parts["data"] = hashlib.sha256(_utf8(parts["data"] + "".join(f"\n{n}\0{why}" for n, why in refused))).hexdigest()
    if getattr(config, "intake_store", None) is not None:  # members' versions in the intake store are data too (issue 26)
        parts["data"] = _with_intake(parts["data"], config.intake_store, files, hashes, held)
    if memo_path is not None and hashes is not None:
        current = {str(p) for p in (*groups["data"], *held)}
        kept = {k: v for k, v in hashes.items() if k in current}  # forget files that are gone
        if kept != before:
            _save_memo(memo_path, kept, root)
    key = config.confidentiality_key() or ""
    env = hashlib.sha256()
    env.update(f"reportgen {__version__}\nperiod {period}\n".encode())
    env.update(b"key " + hashlib.sha256(_utf8(key)).hexdigest().encode() + b"\n")
    env.update(_utf8(f"epoch {os.environ.get('SOURCE_DATE_EPOCH', '')}\n"))
    parts["environment"] = env.hexdigest()
    total = hashlib.sha256("".join(f"{k}={v}\n" for k, v in sorted(parts.items())).encode()).hexdigest()
    return Fingerprint(total, parts, files, memo)


def _with_intake(data_digest: str, store: Path, files: dict[str, str], hashes: dict[str, list] | None,
                 held: list[Path]) -> str:
    """The data group's digest with the intake store's selection folded in: the receipts and hashes selected,
    and what each stored file holds now (content-addressed files never change, unless the store is damaged:
    the reader then reports it, so a damaged or missing file must change the digest too)."""
    from .intake_db import StoreMissing, blob_path, selection, selection_digest

    try:
        chosen, rejected = selection(store)
    except (StoreMissing, OSError, ValueError) as exc:
        digest = f"unreadable {exc}"
    else:
        digest, listed = selection_digest(chosen)
        files.update(listed)
        now = hashlib.sha256()
        for sha in sorted(set(listed.values())):
            path = blob_path(store, sha)
            held.append(path)
            now.update(_utf8(f"{sha}\0{_data_digest(path, hashes) if path.is_file() else _not_a_file(path)}\n"))
        digest += f"|held {now.hexdigest()}"
        digest += "".join(f"|{r.receipt_id}" for r in rejected)  # the quality report names these
    return hashlib.sha256(f"{data_digest}\nintake {digest}\n".encode()).hexdigest()

"""Folder layout of a period's outputs: numbered drafts, ``latest``, finals and releases.

Layout of ``output/<period>/`` (documented in docs/review-workflow.md)::

    drafts/<n>/        one whole published bundle per draft, never overwritten
    latest             relative symlink to drafts/<n> (or a LATEST text file)
    internal/          the quality report (staff only, outside every bundle)
    internal/drafts/<n>/inputs.json   per-file input hashes of draft n (why figures changed)
    final/             the current release (no watermark, no banner)
    final/revisions.json   every release: number, time, reason, input digest
    releases/<n>/      every release kept whole, never overwritten

Every folder is written to a temporary folder beside its destination and
renamed into place, so a failed build leaves every draft and release as it was.
What goes into a draft or a final, and when one is refused, is ``release/modes.py``'s.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from .bundle import staged, write_bundle
from .fingerprint import RELEASE_LOG

SNAPSHOT = "review-data.json"  # a draft's published values, for the next draft's "what changed"

LATEST_FILE = "LATEST"


def period_dir(config, period) -> Path:
    return Path(config.output_dir) / str(period)


def draft_numbers(pdir: Path) -> list[int]:
    folder = pdir / "drafts"
    if not folder.is_dir():
        return []
    return sorted(int(p.name) for p in folder.iterdir() if p.is_dir() and p.name.isdigit())


def latest_draft(pdir: Path) -> int | None:
    numbers = draft_numbers(pdir)
    return numbers[-1] if numbers else None


def draft_dir(pdir: Path, n: int) -> Path:
    return pdir / "drafts" / str(n)


def read_json(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def input_digest(bundle: Path) -> str | None:
    manifest = read_json(bundle / "manifest.json") or {}
    return (manifest.get("inputs") or {}).get("digest")


def input_parts(bundle: Path) -> dict[str, str]:
    manifest = read_json(bundle / "manifest.json") or {}
    return dict((manifest.get("inputs") or {}).get("parts") or {})


SAME_INPUTS = "same-inputs.json"  # internal/drafts/<n>/: other input digests that publish exactly draft n


def same_inputs(pdir: Path, n: int) -> list[str]:
    """Input digests known to publish exactly what draft ``n`` publishes (another period's final was made
    since, and nothing this period publishes changed): a build with one of them makes no new draft."""
    data = read_json(pdir / "internal" / "drafts" / str(n) / SAME_INPUTS) or {}
    return [str(d) for d in data.get("digests", [])]


def remember_same_inputs(pdir: Path, n: int, digest: str) -> None:
    folder = pdir / "internal" / "drafts" / str(n)
    known = same_inputs(pdir, n)
    if digest in known:
        return
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{SAME_INPUTS}.tmp-{os.getpid()}"
    tmp.write_text(json.dumps({"digests": [*known, digest]}, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, folder / SAME_INPUTS)


def _write_new(files: dict[str, bytes], dest: Path) -> Path:
    """Write ``files`` as the new folder ``dest``; refuse if it exists (never overwrite)."""
    if dest.exists():
        raise FileExistsError(f"{dest} already exists; reportgen never overwrites it")
    tmp = staged(files, dest)
    try:
        os.rename(tmp, dest)  # fails if dest appeared meanwhile (non-empty)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return dest


def write_new(files: dict[str, bytes], dest: Path) -> Path:
    """Write ``files`` as the new folder ``dest`` (an embargoed copy, say); refuse if it exists."""
    return _write_new(files, dest)


def point_latest(pdir: Path, n: int) -> Path:
    """Make ``latest`` point at drafts/<n>: a relative symlink, else a LATEST text file."""
    link = pdir / "latest"
    target = Path("drafts") / str(n)
    tmp = pdir / f".latest.tmp-{os.getpid()}"
    try:
        if tmp.is_symlink() or tmp.exists():
            tmp.unlink()
        os.symlink(target, tmp, target_is_directory=True)
        os.replace(tmp, link)
        (pdir / LATEST_FILE).unlink(missing_ok=True)
        return link
    except OSError:
        tmp.unlink(missing_ok=True)
        note = pdir / LATEST_FILE
        note.write_text(target.as_posix() + "\n", encoding="utf-8")
        return note


def resolve_latest(pdir: Path) -> int | None:
    """The draft ``latest`` points to (symlink or LATEST file), else the highest number."""
    link = pdir / "latest"
    if link.is_symlink():
        name = Path(os.readlink(link)).name
        if name.isdigit():
            return int(name)
    note = pdir / LATEST_FILE
    if note.is_file():
        name = Path(note.read_text(encoding="utf-8").strip()).name
        if name.isdigit():
            return int(name)
    return latest_draft(pdir)


def publish_draft(pdir: Path, n: int, files: dict[str, bytes], internal: dict[str, bytes]) -> Path:
    """Write draft n (published files), then its internal files, then move ``latest``."""
    dest = _write_new(files, draft_dir(pdir, n))
    write_internal(pdir, internal)
    point_latest(pdir, n)
    return dest


def write_internal(pdir: Path, internal: dict[str, bytes]) -> None:
    """The internal folder (staff only, outside every bundle), rewritten whole."""
    if internal:
        write_bundle(internal, pdir / "internal")


def internal_files(pdir: Path) -> dict[str, bytes]:
    """The current internal folder, so that rewriting it keeps earlier drafts' records."""
    folder = pdir / "internal"
    if not folder.is_dir():
        return {}
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


# ---- finals ---------------------------------------------------------------------------------

def releases(pdir: Path) -> list[dict]:
    data = read_json(pdir / "final" / "revisions.json")
    return list((data or {}).get("releases", []))


def publish_final(pdir: Path, files: dict[str, bytes], record: dict) -> Path:
    """Keep the release in releases/<n>/ (never overwritten) and make it the current final/."""
    history = releases(pdir)
    n = len(history) + 1
    record = {"release": n, **record}
    log = {"releases": [*history, record]}
    files = {**files, "revisions.json": (json.dumps(log, indent=2, ensure_ascii=False) + "\n").encode("utf-8")}
    _write_new(files, pdir / "releases" / str(n))
    write_bundle(files, pdir / "final")
    log_release(pdir, n, record)
    return pdir / "final"


def release_log(output: Path) -> list[dict]:
    """Every final of every period, in the order they were made (``output/releases.json``)."""
    data = read_json(Path(output) / RELEASE_LOG)
    return list((data or {}).get("releases", []))


def log_release(pdir: Path, n: int, record: dict) -> None:
    """Add release ``n`` of ``pdir``'s period to the project's release log (written whole, atomically)."""
    output = pdir.parent
    entry = {"period": pdir.name, "release": n, "bundle": f"{pdir.name}/releases/{n}", "built": record.get("built")}
    log = {"releases": [*release_log(output), entry]}
    tmp = output / f".{RELEASE_LOG}.tmp-{os.getpid()}"
    tmp.write_text(json.dumps(log, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, output / RELEASE_LOG)


def previous_review(pdir: Path, n: int) -> tuple[dict | None, dict | None]:
    """(review-data snapshot, internal inputs record) of draft n."""
    return (read_json(draft_dir(pdir, n) / SNAPSHOT),
            read_json(pdir / "internal" / "drafts" / str(n) / "inputs.json"))

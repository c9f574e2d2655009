"""The build's disclosure audit (``audit.py``), reused when exactly what it proves is unchanged.

The audit reads the published figures (the store and the derived figures, which depend on the config,
the data, the register, the earlier releases, the rounding key and reportgen's own code: the build's
*figures key*), the bundle's data files (the tables, the dashboard data) and, for ``releases_agree``,
the tables of every earlier release on disk. Its result is cached under a key of the figures key and
the SHA-256 of every one of those files, so a build whose figures and files are byte for byte those
of an earlier audited build (an edit to a story or a template, a new draft of the same data) does not
prove them again, and any other build does. A build without the stage cache (``check``) proves
everything; ``--no-cache`` proves everything and refreshes the entry.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..core.config import Config
from ..core.findings import Finding

STAGE = "audit"


def earlier_tables(config: Config) -> list[Path]:
    """The files ``proofs.releases_agree`` reads: the release log, and every table of every release in it."""
    from ..runtime.drafts import release_log
    from ..runtime.fingerprint import RELEASE_LOG

    out_dir = Path(config.output_dir)
    paths = [out_dir / RELEASE_LOG]
    for entry in release_log(out_dir):
        paths += sorted((out_dir / entry["bundle"] / "tables").glob("*.csv"))
    return paths


def audit_key(figures_key: str, files: dict[str, bytes], earlier: list[Path]) -> str:
    """The figures key, every file of the bundle the audit may read, by name and content, and the
    earlier releases' files as they are on disk now."""
    h = hashlib.sha256(f"{STAGE}\n{figures_key}\n".encode())
    for name in sorted(files):
        h.update(name.encode("utf-8") + b"\0" + hashlib.sha256(files[name]).digest())
    for path in earlier:
        try:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            digest = "missing"
        h.update(f"earlier {path}\0{digest}\n".encode())
    return h.hexdigest()


def cached_audit(cache, figures_key: str | None, store, metrics, config: Config,
                 files: dict[str, bytes]) -> tuple[dict, list[Finding]]:
    """``audit.audit_bundle``'s (report, findings), the report from ``cache`` when its key matches."""
    from .audit import audit_bundle, audit_findings

    if cache is None or figures_key is None:
        return audit_bundle(store, metrics, config, files)
    key = audit_key(figures_key, files, earlier_tables(config))
    found, disclosure = cache.get(STAGE, key)
    if found:
        return disclosure, audit_findings(disclosure)
    disclosure, problems = audit_bundle(store, metrics, config, files)
    cache.put(STAGE, key, disclosure)
    return disclosure, problems

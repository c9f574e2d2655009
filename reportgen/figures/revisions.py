"""Revisions: the published values a new release changes from an earlier one.

A quarter is published first in its quarterly release, and again in the next
quarterly releases and in the half-year report. Its cells keep their value
unless the data changed (a member resubmitted a quarter already released):
then the new release marks every published count that differs from the last
release as revised (flag ``R``, and every figure made from it), and lists
them, old and new, in ``revisions.csv``. Earlier releases are never touched:
they are read from ``output/<period>/releases/<n>/`` through the project's
release log (``output/releases.json``, written by ``drafts.publish_final``).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from ..core.config import Config
from ..disclosure.confidentiality import PublishedStore
from ..runtime import drafts

KEY = ("scope", "period", "measure", "dimension", "category")


@dataclass(frozen=True)
class Revisions:
    """What the last release published, and which cells this one changes."""

    source: str  # the release compared with, e.g. "2025Q3/releases/1", or ""
    changed: dict[tuple, tuple[str, str]]  # cell key → (published before, published now)

    def csv(self) -> bytes:
        """revisions.csv: every revised count, with the release it differs from."""
        buf = io.StringIO(newline="")
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow([*KEY, "previous_release", "previous", "now"])
        for key, (old, new) in sorted(self.changed.items()):
            writer.writerow([*key, self.source, old, new])
        return ("\ufeff" + buf.getvalue()).encode("utf-8")


def previous_release(config: Config) -> tuple[str, dict[tuple, str]]:
    """The latest final made (any period), and every count it published: cell key → value or symbol."""
    log = drafts.release_log(Path(config.output_dir))
    if not log:
        return "", {}
    bundle = Path(config.output_dir) / log[-1]["bundle"]
    names = {m if d == "total" else f"{m}_by_{d}" for m, spec in config.measures.items() for d in spec.dimensions}
    values: dict[tuple, str] = {}
    for path in sorted((bundle / "tables").glob("*.csv")):
        if path.stem not in names:
            continue
        with path.open(encoding="utf-8-sig", newline="") as fh:
            for row in csv.DictReader(fh):
                values[tuple(row.get(k, "") for k in KEY)] = row.get("symbol") or row.get("value", "")
    return log[-1]["bundle"], values


def revise(store: PublishedStore, config: Config) -> Revisions:
    """Mark in ``store`` (flag R) every count whose published value differs from the last release's."""
    source, before = previous_release(config)
    changed: dict[tuple, tuple[str, str]] = {}
    if before:
        released_periods = {key[1] for key in before}
        frame = store.frame()
        frame = frame[frame["period"].isin(released_periods)]
        for rec in frame.itertuples(index=False):
            key = (rec.scope, rec.period, rec.measure, rec.dimension, rec.category)
            if key not in before:
                continue
            now = rec.symbol or _plain(rec.value)
            if now != before[key]:
                changed[key] = (before[key], now)
    store.mark_revised(set(changed))
    return Revisions(source, changed)


def _plain(value) -> str:
    return str(int(round(value)))

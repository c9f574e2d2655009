"""Revisions: the published values a new release changes from an earlier one.

A quarter is published first in its quarterly release, and again in the next
quarterly releases and in the half-year report. Its cells keep their value
unless the data changed (a member resubmitted a quarter already released):
then the new release marks every published count that differs from the last
release as revised (flag ``R``, and every figure made from it), and lists
them, old and new, in ``revisions.csv``. Each cell is compared with the latest
release that published it. Earlier releases are never touched: they are read
from ``output/<period>/releases/<n>/`` through the project's release log
(``output/releases.json``, written by ``drafts.publish_final``).
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
    """What earlier releases published, and which cells this one changes."""

    changed: dict[tuple, tuple[str, str, str]]  # cell key → (release, published then, published now)

    def csv(self) -> bytes:
        """revisions.csv: every revised count, with the release it differs from."""
        buf = io.StringIO(newline="")
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow([*KEY, "previous_release", "previous", "now"])
        for key, (release, old, new) in sorted(self.changed.items()):
            writer.writerow([*key, release, old, new])
        return ("\ufeff" + buf.getvalue()).encode("utf-8")


def released_values(config: Config) -> dict[tuple, tuple[str, str]]:
    """Every count any final published (the releases of the project's log, in the order they were made):
    cell key → (the latest release that published it, its value or symbol there)."""
    names = {m if d == "total" else f"{m}_by_{d}" for m, spec in config.measures.items() for d in spec.dimensions}
    values: dict[tuple, tuple[str, str]] = {}
    for entry in drafts.release_log(Path(config.output_dir)):
        bundle = Path(config.output_dir) / entry["bundle"]
        for path in sorted((bundle / "tables").glob("*.csv")):
            if path.stem not in names:
                continue
            with path.open(encoding="utf-8-sig", newline="") as fh:
                for row in csv.DictReader(fh):
                    values[tuple(row.get(k, "") for k in KEY)] = (entry["bundle"],
                                                                 row.get("symbol") or row.get("value", ""))
    return values


def revise(store: PublishedStore, config: Config) -> Revisions:
    """Mark in ``store`` (flag R) every count whose published value differs from the one the latest
    release that published it gave (a quarter is published by its quarterly release, by later ones and
    by the half-year report: each compares with the last of them)."""
    before = released_values(config)
    changed: dict[tuple, tuple[str, str, str]] = {}
    if before:
        released_periods = {key[1] for key in before}
        frame = store.frame()
        frame = frame[frame["period"].isin(released_periods)]
        for rec in frame.itertuples(index=False):
            key = (rec.scope, rec.period, rec.measure, rec.dimension, rec.category)
            if key not in before:
                continue
            now = rec.symbol or _plain(rec.value)
            release, then = before[key]
            if now != then:
                changed[key] = (release, then, now)
    store.mark_revised(set(changed))
    return Revisions(changed)


def _plain(value) -> str:
    return str(int(round(value)))

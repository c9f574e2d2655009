"""``reportgen new story|region|report``: a commented file with every field.

The templates live in ``reportgen/narratives/scaffolds/``. A file that exists is never
overwritten. Once its REQUIRED fields are filled, a new file loads without
errors (tested).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from ..core.config import Config
from ..core.findings import Finding, did_you_mean, relative
from ..core.periods import Period

SCAFFOLDS = Path(__file__).resolve().parent / "scaffolds"
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def default_period(today: dt.date | None = None) -> Period:
    """The half-year that ended most recently: the one editors are writing about."""
    today = today or dt.date.today()
    current = Period.half(today.year, 1 if today.month <= 6 else 2)
    return current.previous()


def slug_problem(slug: str) -> str | None:
    """Why ``slug`` cannot name a story file, or None."""
    if not _SLUG.match(slug):
        return (f"'{slug}' cannot name a story file: use lower-case letters, digits and hyphens, "
                f"e.g. kai-on-the-table")
    return None


def new_file(kind: str, config: Config, period: Period, *, slug: str | None = None,
             region: str | None = None) -> tuple[Path | None, list[Finding]]:
    """Write a new narrative file of ``kind`` (report, region, story); returns its path or findings."""
    folder = config.root / "narratives" / str(period)
    values = {"period": str(period), "period_label": period.label(), "slug": slug or "",
              "region": "", "region_name": ""}
    if kind == "report":
        path = folder / "report.yaml"
    elif kind == "region":
        code = (region or "").strip().upper()
        if code not in config.regions:
            near = did_you_mean(code, config.regions)
            return None, [Finding("scaffold.unknown-region", "error", f"unknown region code '{region}'",
                                  hint=f"did you mean '{near}'?" if near else
                                  f"use one of: {', '.join(config.regions)}")]
        values.update(region=code, region_name=config.region_label(code))
        path = folder / "regions" / f"{code}.yaml"
    elif kind == "story":
        problem = slug_problem(slug or "")
        if problem:
            return None, [Finding("scaffold.bad-name", "error", problem,
                                  hint="pass --name followed by a short name for the story")]
        path = folder / "stories" / f"{slug}.yaml"
    else:  # the command line offers only the three kinds
        raise ValueError(kind)
    shown = relative(path, config.root)
    if path.exists():
        return None, [Finding("scaffold.exists", "error", f"{shown} already exists: it was left as it is",
                              file=shown, hint="edit that file, or choose another name")]
    text = (SCAFFOLDS / f"{kind}.yaml").read_text(encoding="utf-8").format(**values)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as fh:  # "x": never overwrite, even in a race
        fh.write(text)
    return path, []

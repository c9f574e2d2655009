"""``reportgen new story|region|report``: a commented file with every field.

The templates live in ``reportgen/narratives/scaffolds/``. A file that exists is never
overwritten. Once its REQUIRED fields are filled, a new file loads without
errors (tested).

``reportgen new report --period 2025H2 --from 2025H1`` starts a period's narratives from the
previous one's (``start_from``): the report and every regional commentary are copied with what
belongs to the old period cleared — the publication date emptied, the old period's name
("January–June 2025", "the first half of 2025", "H1 2025") replaced by ``{{ period }}`` — and
every period word left that does not belong to the new period is listed (``periods.file_findings``),
so that the editor rewrites those sentences. Stories are not copied: each has its own consent.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import yaml

from ..core.config import Config
from ..core.findings import Finding, did_you_mean, relative
from ..core.periods import Period
from ..core.yamlsource import load_yaml

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


def _old_names(old: Period) -> re.Pattern:
    """The ways a text names ``old``: "January–June 2025", "the first half of 2025", "H1 2025", "2025H1"."""
    names = [re.escape(old.label()).replace("–", "[–-]")]
    if old.is_half:
        names.append(rf"(?:the )?{'first' if old.number == 1 else 'second'} half(?:-year)?(?: of)? {old.year}")
    names += [rf"{old.kind}{old.number} {old.year}", str(old)]
    return re.compile(r"\b(?:" + "|".join(names) + r")\b")


def carried_over(text: str, old: Period, new: Period, *, placeholder: bool = True) -> str:
    """A narrative file's text for ``new``, from ``old``'s: the publication date cleared, the old period's
    name replaced by ``{{ period }}`` in the text (by the new period's name in comments, and everywhere when
    ``placeholder`` is false)."""
    pattern = _old_names(old)
    out = []
    for line in text.splitlines(keepends=True):
        stripped = line.lstrip()
        if stripped.startswith("publication_date:"):
            indent = line[: len(line) - len(stripped)]
            out.append(f"{indent}publication_date: null  # cleared by reportgen new: the day {new.label()} is "
                       f"published (YYYY-MM-DD), after {new.last_day().isoformat()}\n")
        elif stripped.startswith("#"):
            out.append(pattern.sub(new.label(), line))
        else:
            out.append(pattern.sub("{{ period }}" if placeholder else new.label(), line))
    return "".join(out)


def start_from(config: Config, period: Period, old: Period) -> tuple[list[Path], list[Finding]]:
    """Copy ``old``'s report and regional commentary into ``period``'s folder (``carried_over``); returns
    the files written and, as warnings, every period word left in them for the editor to rewrite."""
    source, dest = config.root / "narratives" / str(old), config.root / "narratives" / str(period)
    files = [source / "report.yaml", *sorted((source / "regions").glob("*.yaml"))]
    if not files[0].is_file():
        return [], [Finding("scaffold.no-source", "error", f"{relative(files[0], config.root)} does not exist: there is "
                            f"nothing to start {period} from", hint=f"write {old}'s report first, or start from "
                            f"another period (--from), or without --from")]
    if old == period:
        return [], [Finding("scaffold.no-source", "error", f"--from {old} is the period being started",
                            hint="name the previous period, e.g. --from " + str(period.previous()))]
    targets = [dest / f.relative_to(source) for f in files]
    exists = [t for t in targets if t.exists()]
    if exists:
        return [], [Finding("scaffold.exists", "error", f"{relative(t, config.root)} already exists: it was left as it "
                            "is", file=relative(t, config.root), hint="edit that file, or remove it first")
                    for t in exists]
    written, findings = [], []
    from .periods import file_findings

    for f, t in zip(files, targets):
        original = f.read_text(encoding="utf-8")
        text = carried_over(original, old, period)
        try:
            yaml.safe_load(text)
        except yaml.YAMLError:  # "{{ period }}" at the start of an unquoted value: the name spelled out instead
            text = carried_over(original, old, period, placeholder=False)
        t.parent.mkdir(parents=True, exist_ok=True)
        with t.open("x", encoding="utf-8") as fh:  # "x": never overwrite, even in a race
            fh.write(text)
        written.append(t)
        src, _ = load_yaml(t, relative(t, config.root), aliases=False)
        if src is not None:
            findings += file_findings(src, period)
    return written, findings

"""Load every narrative file of a period, reporting every problem at once.

    narratives/<period>/report.yaml             the report (required)
    narratives/<period>/regions/<CODE>.yaml     commentary for a regional brief (optional)
    narratives/<period>/stories/<slug>.yaml     lived-experience stories (optional)

For each file: YAML syntax (plain words, line shown), the schema (unknown
fields with "did you mean", missing fields, malformed dates), codes from the
catalogue (regions, need codes as themes, voices, consent states), Markdown
that would not render as written, and a scan for personal information.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from pydantic import BaseModel, ValidationError

from ..core import catalogue
from ..core.findings import Finding, did_you_mean, did_you_mean_hint, relative
from ..core.yamlsource import YamlSource, load_yaml, validation_findings
from . import markdown, privacy
from .locate import finding_at, strings
from .schema import CONSENT_STATES, VOICES, RegionCommentary, ReportNarrative, Story

HELP = "see docs/editors-guide.md for every field"


@dataclass
class LoadedRegion:
    code: str
    commentary: RegionCommentary | None
    source: YamlSource | None


@dataclass
class LoadedStory:
    slug: str
    story: Story | None
    source: YamlSource | None


@dataclass
class Narratives:
    report: ReportNarrative | None
    report_source: YamlSource | None
    findings: list[Finding] = field(default_factory=list)
    regions: dict[str, LoadedRegion] = field(default_factory=dict)
    stories: list[LoadedStory] = field(default_factory=list)


def _load(path: Path, root: Path, model: type[BaseModel], config, findings: list[Finding]):
    """One file: parse, scan, validate. Returns (model or None, source or None)."""
    src, problems = load_yaml(path, relative(path, root), aliases=False)
    findings += problems
    if src is None:
        return None, None
    findings += text_findings(src, config)
    if not isinstance(src.data, dict):
        findings.append(Finding("narrative.not-a-mapping", "error",
                                "the file must be a set of 'field: value' lines", file=src.display, line=1,
                                hint=HELP))
        return None, src
    try:
        return model.model_validate(src.data), src
    except ValidationError as exc:
        for f in validation_findings(exc, src, model, "narrative", HELP):
            if f.code == "narrative.invalid-value" and ": is empty: fill it in" in f.message:
                name = f.message.split(": is empty")[0]
                f = replace(f, code="narrative.empty", message=f"'{name}' is empty: fill it in",
                            hint="write the text after the colon, or below a `|` indented by two spaces")
            findings.append(f)
        return None, src


def text_findings(src: YamlSource, config=None) -> list[Finding]:
    """Personal information and Markdown that will not render as written, in every string of a file."""
    names = list(config.privacy.names) if config is not None else []
    allow = list(config.privacy.allow) if config is not None else []
    out: list[Finding] = []
    for loc, text in strings(src.data):
        for hit in privacy.scan(text, names=names, allow=allow):
            what, hint = privacy.WHAT[hit.kind]
            out.append(finding_at(src, loc, hit.text, f"privacy.{hit.kind}",
                                  f"{what} in narrative text: '{hit.text}'", hint,
                                  occurrence=text[: hit.start].count(hit.text)))
        for code, message, fragment in markdown.problems(text):
            hint = {"markdown.raw-html": "write Markdown instead (*emphasis*, **strong**, [text](https://…))",
                    "markdown.image": "images cannot come from narrative files; ask for a chart or figure",
                    "markdown.unsafe-link": "link only to https://…, http://… or mailto:…"}[code]
            out.append(finding_at(src, loc, fragment, code, message, hint))
    return out


def _choice(src: YamlSource, loc: tuple, value, choices: Iterable[str], code: str, what: str) -> list[Finding]:
    choices = list(choices)
    if not isinstance(value, str) or not value.strip() or value in choices:
        return []
    near = did_you_mean(value, choices)
    hint = did_you_mean_hint(value, near) if near else f"use one of: {', '.join(choices)}"
    line, col = src.position(loc)
    return [Finding(code, "error", f"unknown {what} '{value}'", file=src.display, line=line, column=col,
                    excerpt=src.line_text(line), hint=hint)]


def _story_codes(src: YamlSource, config) -> list[Finding]:
    data = src.data if isinstance(src.data, dict) else {}
    regions = config.regions if config is not None else catalogue.REGIONS
    needs = (config.dimensions["need"].categories if config is not None and "need" in config.dimensions
             else catalogue.DIMENSIONS["need"]["categories"])
    out = _choice(src, ("voice",), data.get("voice"), VOICES, "story.unknown-voice", "voice")
    out += _choice(src, ("region",), data.get("region"), regions, "narrative.unknown-region", "region code")
    themes = data.get("themes")
    for i, theme in enumerate(themes if isinstance(themes, list) else []):
        out += _choice(src, ("themes", i), theme, needs, "story.unknown-theme", "theme (need code)")
    consent = data.get("consent")
    if isinstance(consent, dict):
        out += _choice(src, ("consent", "status"), consent.get("status"), CONSENT_STATES,
                       "story.unknown-consent", "consent status")
    return out


def _consent_date(src: YamlSource) -> list[Finding]:
    """A consent dated after the day of the build (``SOURCE_DATE_EPOCH``'s day when set) records consent
    that has not been given yet: an error at the date."""
    from ..runtime.reproducible import build_date

    data = src.data if isinstance(src.data, dict) else {}
    consent = data.get("consent")
    given = consent.get("date") if isinstance(consent, dict) else None
    if isinstance(given, str):
        try:
            given = dt.date.fromisoformat(given.strip())
        except ValueError:
            return []  # not a date: the schema says so
    if isinstance(given, dt.datetime):
        given = given.date()
    today = build_date()
    if not isinstance(given, dt.date) or given <= today:
        return []
    line, col = src.position(("consent", "date"))
    return [Finding("story.consent-date", "error", f"the consent is dated {given.isoformat()}, after today "
                    f"({today.isoformat()}): consent cannot be recorded before it is given", file=src.display,
                    line=line, column=col, excerpt=src.line_text(line),
                    hint="write the date the signed consent was given (YYYY-MM-DD); a consent still to come is "
                         "status: pending, with no date")]


def _stray_files(folder: Path, root: Path) -> list[Finding]:
    """Files in the narratives folder that reportgen will not read (a misnamed file is a lost story)."""
    if not folder.is_dir():
        return []
    expected = {"report.yaml", "regions", "stories"}
    stray = [p for p in folder.iterdir() if p.name not in expected and not p.name.startswith(".")]
    for sub in ("regions", "stories"):
        if (folder / sub).is_dir():
            stray += [p for p in (folder / sub).iterdir()
                      if p.suffix.lower() not in (".yaml", ".yml") and not p.name.startswith(".")]
    out = []
    for p in sorted(stray):
        near = did_you_mean(p.name, ["report.yaml", "regions", "stories"]) if p.parent == folder else None
        hint = (f"did you mean '{near}'?" if near else
                "reportgen reads report.yaml, regions/<CODE>.yaml and stories/<name>.yaml only")
        out.append(Finding("narrative.unknown-file", "warning", f"'{p.name}' is not read", file=relative(p, root),
                           hint=hint))
    return out


def load_narratives(folder: Path, root: Path, config=None) -> Narratives:
    """Every narrative file for one period. ``config`` supplies the catalogue and privacy lists."""
    findings: list[Finding] = []
    path = folder / "report.yaml"
    if not path.is_file():
        findings.append(Finding("narrative.no-report", "error", "the report narrative is missing",
                                file=relative(path, root),
                                hint=f"create it with: reportgen new report --period {folder.name}"))
        report, src = None, None
    else:
        report, src = _load(path, root, ReportNarrative, config, findings)
    narr = Narratives(report, src, findings)

    findings += _stray_files(folder, root)
    regions = config.regions if config is not None else catalogue.REGIONS
    for path in sorted((folder / "regions").glob("*.y*ml")):
        code = path.stem.upper()
        commentary, rsrc = _load(path, root, RegionCommentary, config, findings)
        if code not in regions:
            near = did_you_mean(code, regions)
            findings.append(Finding("narrative.unknown-region", "error",
                                    f"'{path.name}' is not named after a region code",
                                    file=relative(path, root),
                                    hint=f"did you mean '{near}.yaml'?" if near else
                                    f"name the file after a region code: {', '.join(regions)}"))
            continue
        narr.regions[code] = LoadedRegion(code, commentary, rsrc)

    for path in sorted((folder / "stories").glob("*.y*ml")):
        story, ssrc = _load(path, root, Story, config, findings)
        if ssrc is not None:
            code_problems = _story_codes(ssrc, config) + _consent_date(ssrc)
            findings += code_problems
            if story is not None and any(f.is_error for f in code_problems):
                story = None  # a story with an unknown region or theme cannot be rendered until fixed
            # other errors (personal information, raw HTML) do not stop it being rendered, so
            # its placeholders are checked in the same run; the build stops on the errors anyway
        narr.stories.append(LoadedStory(path.stem, story, ssrc))
    return narr

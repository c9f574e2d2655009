"""Narratives stage: editors' YAML → checked text with figures filled in.

Three steps, each reporting problems as findings with file, line and column:

1. load: YAML is parsed and validated against a schema (unknown fields get a
   "did you mean");
2. placeholders: ``{{ clients }}`` and friends are evaluated in Jinja's
   immutable sandbox against a namespace that exposes only published values
   (see ``figures.py`` and docs/editors-guide.md);
3. Markdown: CommonMark with raw HTML disabled, so an editor's ``<script>``
   is shown as text, never passed through as markup.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import nh3
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from markdown_it import MarkdownIt
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .figures import PlaceholderError
from .findings import Finding, did_you_mean, relative
from .yamlsource import YamlSource, load_yaml, validation_findings


class ReportNarrative(BaseModel):
    """narratives/<period>/report.yaml"""

    model_config = ConfigDict(extra="forbid")

    title: str
    subtitle: str = ""
    publication_date: dt.date | None = None
    publisher: str
    contact: str = ""
    summary: str
    findings: list[str] = Field(default_factory=list)
    recommendations: list[str] = Field(default_factory=list)
    sections: dict[str, str] = Field(default_factory=dict)
    methodology: str = ""


@dataclass
class RenderedReport:
    """The report narrative with placeholders filled and Markdown turned into HTML."""

    title: str
    subtitle: str
    publication_date: dt.date | None
    publisher: str
    contact: str
    summary_html: str
    findings_html: list[str]
    recommendations_html: list[str]
    sections_html: dict[str, str]
    methodology_html: str
    source_file: str


@dataclass
class Narratives:
    report: ReportNarrative | None
    report_source: YamlSource | None
    findings: list[Finding] = field(default_factory=list)


def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})

    def validate_link(url: str) -> bool:
        return url.strip().lower().startswith(("http://", "https://", "mailto:"))

    md.validateLink = validate_link
    return md


_MD = _markdown()


_ALLOWED_TAGS = {"p", "em", "strong", "a", "ul", "ol", "li", "blockquote", "br", "code", "h3", "h4", "hr"}


def markdown_to_html(text: str, *, inline: bool = False) -> str:
    """CommonMark → HTML with raw HTML escaped, then an allow-list sanitiser as a second line."""
    html = _MD.renderInline(text) if inline else _MD.render(text)
    return nh3.clean(html, tags=_ALLOWED_TAGS, attributes={"a": {"href"}},
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener")


def load_narratives(folder: Path, root: Path) -> Narratives:
    findings: list[Finding] = []
    path = folder / "report.yaml"
    shown = relative(path, root)
    if not path.is_file():
        findings.append(Finding("narrative.no-report", "error", "the report narrative is missing",
                                file=shown, hint="create it with: reportgen new report"))
        return Narratives(None, None, findings)
    src, problems = load_yaml(path, shown)
    findings += problems
    if src is None:
        return Narratives(None, None, findings)
    if not isinstance(src.data, dict):
        findings.append(Finding("narrative.not-a-mapping", "error",
                                "the report file must be a set of 'field: value' lines", file=shown, line=1))
        return Narratives(None, src, findings)
    try:
        report = ReportNarrative.model_validate(src.data)
    except ValidationError as exc:
        findings += validation_findings(exc, src, ReportNarrative, "narrative",
                                        "see docs/editors-guide.md for every field")
        return Narratives(None, src, findings)
    return Narratives(report, src, findings)


# ---------------------------------------------------------------------------
# placeholders

class _Undefined(jinja2.StrictUndefined):
    pass


def _environment() -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(undefined=_Undefined, autoescape=False)
    env.globals.clear()  # no range(), lipsum(), dict(), cycler(): only the documented figures
    return env


_ENV = _environment()


def fill(text: str, namespace: dict, src: YamlSource, loc: tuple, findings: list[Finding]) -> str:
    """Evaluate the placeholders in one text field; problems become findings."""
    if "{" not in text:
        return text
    line, col = src.position(loc)
    try:
        return _ENV.from_string(text).render(namespace)
    except jinja2.TemplateSyntaxError as exc:
        message = f"a placeholder is not written correctly: {exc.message}"
        code = "placeholder.syntax"
        line = (line or 0) + (exc.lineno or 1) - 1 + (1 if _block_scalar(src, line) else 0)
    except jinja2.UndefinedError as exc:
        name = (exc.message or "").split("'")[1] if (exc.message or "").count("'") >= 2 else ""
        near = did_you_mean(name, [k for k in namespace]) if name else None
        message = f"unknown name '{name}' in a placeholder" + (f" — did you mean '{near}'?" if near else "")
        code = "placeholder.unknown"
    except SecurityError as exc:
        message = f"a placeholder tried something that is not allowed: {exc}"
        code = "placeholder.unsafe"
    except PlaceholderError as exc:
        message = str(exc)
        code = "placeholder.unknown"
    except Exception as exc:  # any other failure inside an editor's expression
        message = f"a placeholder could not be evaluated ({type(exc).__name__}: {exc})"
        code = "placeholder.error"
    findings.append(Finding(code, "error", message, file=src.display, line=line, column=col,
                            excerpt=src.line_text(line),
                            hint="see docs/editors-guide.md for the placeholders you can use"))
    return text


def _block_scalar(src: YamlSource, line: int | None) -> bool:
    text = src.line_text(line) or ""
    return text.rstrip().endswith(("|", ">", "|-", ">-"))


def render_report(narr: Narratives, namespace: dict) -> tuple[RenderedReport | None, list[Finding]]:
    findings: list[Finding] = []
    r, src = narr.report, narr.report_source
    if r is None or src is None:
        return None, findings

    def md(text: str, loc: tuple, inline: bool = False) -> str:
        return markdown_to_html(fill(text, namespace, src, loc, findings), inline=inline)

    rendered = RenderedReport(
        title=fill(r.title, namespace, src, ("title",), findings),
        subtitle=fill(r.subtitle, namespace, src, ("subtitle",), findings),
        publication_date=r.publication_date,
        publisher=r.publisher,
        contact=r.contact,
        summary_html=md(r.summary, ("summary",)),
        findings_html=[md(t, ("findings", i)) for i, t in enumerate(r.findings)],
        recommendations_html=[md(t, ("recommendations", i)) for i, t in enumerate(r.recommendations)],
        sections_html={k: md(v, ("sections", k)) for k, v in r.sections.items()},
        methodology_html=md(r.methodology, ("methodology",)),
        source_file=src.display,
    )
    return rendered, findings

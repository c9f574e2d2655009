"""Render loaded narratives: placeholders filled, Markdown turned into safe HTML.

Placeholders are filled from the namespace (published values only); a
suppressed value comes out as its symbol with a numbered footnote
reference, and the document lists the footnotes (``RenderedReport.notes``).
Stories pass through governance (``stories.py``) first.
"""

from __future__ import annotations

import datetime as dt
import html as htmlmod
import re
from dataclasses import dataclass, field

from ..core.findings import Finding
from ..core.yamlsource import YamlSource
from ..runtime.reproducible import build_date
from . import claims, privacy
from .load import Narratives
from .locate import finding_at
from .markdown import markdown_to_html
from .namespace import SYMBOL_CLOSE, SYMBOL_OPEN
from .placeholders import fill
from .stories import WITHDRAWN, WITHHELD, reference_date, select_stories, status

FLAGS = ("P", "R", "A")  # flags beside a value; the symbols that stand in for one (S, C, ..) are not flags
HINT = "see docs/editors-guide.md for the placeholders you can use"


@dataclass
class RenderedStory:
    slug: str
    state: str  # published | withheld
    label: str  # for a withheld box: "story withheld: consent pending"
    title: str = ""
    voice: str = ""
    region: str = ""
    region_name: str = ""
    themes: list[str] = field(default_factory=list)
    pull_quote_html: str = ""
    body_html: str = ""
    source_file: str = ""
    member: str = ""  # org_id of the member that gathered it (internal: only its own report shows it)

    @property
    def anchor(self) -> str:
        """An HTML id for the story, safe whatever its file is called."""
        return "story-" + (re.sub(r"[^a-z0-9]+", "-", self.slug.lower()).strip("-") or "untitled")


@dataclass
class RenderedRegion:
    code: str
    name: str
    intro_html: str
    key_points_html: list[str]
    source_file: str


@dataclass
class Note:
    """A footnote for a symbol that placeholders produced."""

    number: int
    symbol: str
    meaning: str

    @property
    def anchor(self) -> str:
        return f"narrative-note-{self.number}"


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
    stories: list[RenderedStory] = field(default_factory=list)
    regions: dict[str, RenderedRegion] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)


class _Filler:
    """Fills one document's fields, collecting findings and footnote numbers."""

    def __init__(self, names: dict, findings: list[Finding], config=None, *, final: bool = False):
        self.names, self.findings, self.config, self.final = names, findings, config, final
        notes = getattr(names, "symbols", None)
        self.used: dict[str, str] = notes.used if notes is not None else {}
        self.private = (list(config.privacy.names), list(config.privacy.allow)) if config is not None else ([], [])

    def _scan(self, source: str, published: list[str], src: YamlSource, loc: tuple) -> None:
        """The personal-information scan on what is published from this field (the source is scanned when
        it is loaded): anything only placeholders or Markdown produced is reported at the field."""
        names, allow = self.private
        hits = privacy.rendered(source, published, names=names, allow=allow)
        fragment = source[source.index("{{"):].split("}}")[0] + "}}" if "{{" in source else ""
        for hit in hits:
            what, hint = privacy.WHAT[hit.kind]
            self.findings.append(finding_at(
                src, loc, fragment, f"privacy.{hit.kind}",
                f"{what} in the published text, made by a placeholder or Markdown here: '{hit.text}'",
                "write the text so that no placeholder or Markdown puts it together; " + hint))

    def _check(self, text: str, src: YamlSource, loc: tuple, names: dict) -> str:
        """The text without its ``[[check: …]]`` markers, each evaluated on the published figures: a
        claim that does not hold is a warning in a draft and an error for the final."""
        text, markers = claims.extract(text)
        config = self.config or getattr(names, "_args", (None, None))[1]
        for marker in markers:
            for p in claims.evaluate(marker, names, config):
                severity = "error" if self.final or p.code not in ("claim.false", "claim.not-available") else "warning"
                self.findings.append(finding_at(src, loc, p.fragment, p.code, p.message, claims.hint(p.code),
                                                severity=severity))
        return text

    def _fill(self, text: str, src: YamlSource, loc: tuple, names: dict | None = None) -> str:
        names = self.names if names is None else names
        text = self._check(text, src, loc, names)
        out, problems = fill(text, names)
        seen: dict[str, int] = {}
        for p in problems:
            self.findings.append(finding_at(src, loc, p.fragment, p.code, p.message, HINT,
                                            occurrence=seen.get(p.fragment, 0)))
            seen[p.fragment] = seen.get(p.fragment, 0) + 1
        return out

    def plain(self, text: str, src: YamlSource, loc: tuple, names: dict | None = None) -> str:
        out = self._fill(text, src, loc, names).replace(SYMBOL_OPEN, "").replace(SYMBOL_CLOSE, "")
        if out != text:
            self._scan(text, [out], src, loc)
        return out

    def md(self, text: str, src: YamlSource, loc: tuple, *, inline: bool = False, names: dict | None = None,
           flagged: set[str] | None = None) -> str:
        """``flagged``: the flags already shown in this section (shared by the items of one list)."""
        html = markdown_to_html(self._fill(text, src, loc, names), inline=inline)
        self._scan(text, privacy.visible_texts(html.replace(SYMBOL_OPEN, "").replace(SYMBOL_CLOSE, "")), src, loc)
        return self._footnote_refs(html, set() if flagged is None else flagged)

    def _footnote_refs(self, html: str, flagged: set[str]) -> str:
        """Each symbol with its note's number — once per section (one field's text): the first figure
        a flag applies to carries it, the later ones in the same text do not repeat it (issue 27: the
        executive summary had "P¹" after nearly every figure). A symbol standing in for a value (S,
        C, ..) is always shown."""
        numbers = {sym: i + 1 for i, sym in enumerate(self.used)}
        parts = html.split(SYMBOL_OPEN)
        out = [parts[0]]
        for part in parts[1:]:
            symbol, _, rest = part.partition(SYMBOL_CLOSE)
            plain = htmlmod.unescape(symbol)
            if plain in flagged and all(f in FLAGS for f in plain.split()):
                out[-1] = out[-1].removesuffix("\u00a0").removesuffix("&nbsp;")  # the space before the flag
                out.append(rest)
                continue
            flagged.add(plain)
            n = numbers.get(plain)
            ref = (f'<sup class="note-ref"><a href="#narrative-note-{n}">{n}</a></sup>' if n else "")
            out.append(f'<span class="symbol">{symbol}</span>{ref}{rest}')
        return "".join(out)

    def notes(self) -> list[Note]:
        return [Note(i + 1, sym, meaning) for i, (sym, meaning) in enumerate(self.used.items())]


def _render_stories(narr: Narratives, f: _Filler, config, *, final: bool, reference: dt.date) -> list[RenderedStory]:
    usable = {s.slug: s for s in narr.stories if s.story is not None and s.source is not None}
    for s in usable.values():
        state, reasons = status(s.story, reference)  # type: ignore[arg-type]
        if state in (WITHHELD, WITHDRAWN):
            why = "; ".join(reasons)
            message = (f"story '{s.slug}' is left out of every output: {why}" if state == WITHDRAWN else
                       f"story '{s.slug}' is withheld ({why}): drafts show a placeholder box, "
                       f"final builds leave it out")
            hint = ("delete the file once the withdrawal is recorded" if state == WITHDRAWN else
                    "it is published once consent is given, it is approved, names are changed and it "
                    "has not expired")
            f.findings.append(Finding(f"story.{state}", "warning", message, file=s.source.display,  # type: ignore[union-attr]
                                      hint=hint))
    out = []
    for sel in select_stories([(slug, s.story) for slug, s in usable.items()], final=final,  # type: ignore[misc]
                              reference=reference):
        s = usable[sel.slug]
        story, src = s.story, s.source
        assert story is not None and src is not None
        # placeholders are filled (and so checked) for every story the document carries, even as a box
        known = set(f.used)
        title = f.plain(story.title, src, ("title",))
        pull = f.md(story.pull_quote, src, ("pull_quote",), inline=True) if story.pull_quote else ""
        body = f.md(story.body, src, ("body",))
        if sel.state == WITHHELD:
            for symbol in set(f.used) - known:  # a withheld story's text is not shown: no footnotes for it
                del f.used[symbol]
            out.append(RenderedStory(sel.slug, sel.state, sel.label, source_file=src.display,
                                     member=story.member.strip().upper()))
            continue
        needs = config.dimensions["need"].categories if config is not None and "need" in config.dimensions else {}
        out.append(RenderedStory(
            slug=sel.slug, state=sel.state, label="", title=title, voice=story.voice, region=story.region,
            region_name=config.region_label(story.region) if config is not None else story.region,
            themes=[needs.get(t, t) for t in story.themes], pull_quote_html=pull, body_html=body,
            source_file=src.display, member=story.member.strip().upper()))
    return out


def _render_regions(narr: Narratives, f: _Filler, names: dict, config) -> dict[str, RenderedRegion]:
    out = {}
    for code, reg in sorted(narr.regions.items()):
        if reg.commentary is None or reg.source is None:
            continue
        scoped = names.scoped(code) if hasattr(names, "scoped") else names
        src, c = reg.source, reg.commentary
        out[code] = RenderedRegion(
            code=code, name=config.region_label(code) if config is not None else code,
            intro_html=f.md(c.intro, src, ("intro",), names=scoped),
            key_points_html=[f.md(t, src, ("key_points", i), names=scoped, flagged=points)
                             for points in [set[str]()] for i, t in enumerate(c.key_points)],
            source_file=src.display)
    return out


def render_report(narr: Narratives, names: dict, *, config=None, final: bool = False,
                  today: dt.date | None = None) -> tuple[RenderedReport | None, list[Finding]]:
    """The report, its stories and regional commentary, rendered; with every problem found.

    ``final`` selects published stories only (there is no final build yet:
    builds are drafts). ``today`` is the build date for story expiry (default:
    ``build_date()``).
    """
    findings: list[Finding] = []
    r, src = narr.report, narr.report_source
    if r is None or src is None:
        return None, findings
    f = _Filler(names, findings, config, final=final)
    findings_flagged: set[str] = set()  # a list's items are one section: each flag once in it
    recommendations_flagged: set[str] = set()
    rendered = RenderedReport(
        title=f.plain(r.title, src, ("title",)),
        subtitle=f.plain(r.subtitle, src, ("subtitle",)),
        publication_date=r.publication_date,
        publisher=f.plain(r.publisher, src, ("publisher",)),
        contact=r.contact,
        summary_html=f.md(r.summary, src, ("summary",)),
        findings_html=[f.md(t, src, ("findings", i), flagged=findings_flagged) for i, t in enumerate(r.findings)],
        recommendations_html=[f.md(t, src, ("recommendations", i), flagged=recommendations_flagged)
                              for i, t in enumerate(r.recommendations)],
        sections_html={k: f.md(v, src, ("sections", k)) if v else "" for k, v in r.sections.model_dump().items()},
        methodology_html=f.md(r.methodology, src, ("methodology",)),
        source_file=src.display,
    )
    reference = reference_date(r.publication_date, today or build_date())
    rendered.stories = _render_stories(narr, f, config, final=final, reference=reference)
    rendered.regions = _render_regions(narr, f, names, config)
    rendered.notes = f.notes()
    return rendered, findings

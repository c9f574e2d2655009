"""Render loaded narratives: placeholders filled, Markdown turned into safe HTML.

Placeholders are filled from the namespace (published values only); a
suppressed value comes out as its symbol with a numbered footnote
reference, and the document lists the footnotes (``RenderedReport.notes``).
Stories pass through governance (``stories.py``) first.

Every sentence is read before it is filled (``sentences.py``): its checks are evaluated
(``claims.py``), a statement of fact without a check is found (``statements.py``), its period words
are held against the report's period (``periods.py``), and a change that one member's flagged
movement mostly makes gets its caveat in the text. In a draft (and the preview) a sentence with a
problem is marked where it stands — a highlight and a numbered margin mark — and listed, with its
file and line, in ``RenderedReport.review`` (the review appendix), as is every sentence an editor
marked ``[[no check: …]]`` with its reason. A final has neither: it refuses to build instead.
"""

from __future__ import annotations

import datetime as dt
import html as htmlmod
import re
from dataclasses import dataclass, field

from ..core.findings import Finding
from ..core.yamlsource import YamlSource
from ..disclosure.published import IN_WORDS
from ..runtime.reproducible import build_date
from . import claims, periods, privacy, statements
from .load import Narratives
from .locate import finding_at
from .markdown import markdown_to_html
from .namespace import SYMBOL_CLOSE, SYMBOL_OPEN, PlaceholderError, _Figure, resolve_ref
from .placeholders import fill
from .sentences import Sentence, split, strip_markers
from .stories import WITHDRAWN, WITHHELD, reference_date, select_stories, status

FLAGS = ("P", "R", "A")  # flags beside a value; the symbols that stand in for one (S, C, ..) are not flags
HINT = "see docs/editors-guide.md for the placeholders you can use"
# a review mark around a sentence, in the text between filling and HTML: OPEN number MID … CLOSE
MARK_OPEN, MARK_MID, MARK_CLOSE = "\ue010", "\ue011", "\ue012"
_PRIVATE = str.maketrans("", "", MARK_OPEN + MARK_MID + MARK_CLOSE)
# problems a draft reports as warnings and a final as errors; every other narrative problem is an error
DRAFT_WARNINGS = ("claim.false", "claim.not-available", "claim.not-material", "statement.unverified",
                  "statement.typed-number", "statement.seasonal", "period.other-period", "period.no-year",
                  "period.after-period", "placeholder.withheld")
STATEMENT_HINTS = {
    "placeholder.withheld": "rewrite the sentence without the figure: say that it is not published and why, "
                            "checked with [[check region.WTC.clients is not published]], or leave it out "
                            "(docs/editors-guide.md, 'A figure that is not published')",
    "statement.unverified": "take its figures from placeholders and add the check that makes it true, e.g. "
                            "[[check clients.change is up]]; or, when the figures cannot test it, "
                            "[[no check: why]] (docs/editors-guide.md, 'Every sentence true of the figures')",
    "statement.typed-number": "write the number as a placeholder ({{ … }}), or check it: "
                              "[[check members_partial is 1]]; a number the data cannot give needs "
                              "[[no check: where it comes from]]",
    "statement.seasonal": "the figures are not seasonally adjusted (winter is the busiest quarter): say so "
                          "('not seasonally adjusted'), or compare with a year earlier (.change)",
    "statement.no-reason": "write why the figures cannot test the sentence, e.g. [[no check: rents are "
                           "MBIE's figures, not our members']]",
    "claim.one-member": "confirm the figures with the member; the caveat stays while its movement is flagged",
    "period.other-period": "write {{ period }} for this report's period, or name the period it is compared "
                           "with",
    "period.no-year": "give the year (March 2025), or write {{ period }}",
    "period.after-period": "a report speaks of its own period and earlier ones; say when, or remove the date",
}


@dataclass
class ReviewItem:
    """A sentence the reviewer should look at: one the build found a problem with (marked in the text
    of a draft), or one an editor marked ``[[no check: …]]`` (with its reason)."""

    number: int
    kind: str  # problem | untested
    file: str
    line: int | None
    column: int | None
    sentence: str  # as published, in plain text
    notes: list[tuple[str, str, str]] = field(default_factory=list)  # (code, message, hint) of each problem
    reason: str = ""  # an untested sentence's reason
    scope: str = "report"  # report | story | a region's code (its brief)
    region: str = ""  # a story's region
    marked: bool = True  # the sentence carries a mark in the text (not the title, nor a withheld story)

    @property
    def anchor(self) -> str:
        return f"review-item-{self.number}"

    @property
    def where(self) -> str:
        return ":".join(str(x) for x in (self.file, self.line, self.column) if x is not None)


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
    review: list[ReviewItem] = field(default_factory=list)  # drafts and previews only (none in a final)


class _Filler:
    """Fills one document's fields, collecting findings, footnote numbers and the sentences to review."""

    def __init__(self, names: dict, findings: list[Finding], config=None, *, final: bool = False):
        self.names, self.findings, self.config, self.final = names, findings, config, final
        notes = getattr(names, "symbols", None)
        self.used: dict[str, str] = notes.used if notes is not None else {}
        self.private = (list(config.privacy.names), list(config.privacy.allow)) if config is not None else ([], [])
        self.review: list[ReviewItem] = []
        self.scope, self.region = "report", ""  # where the fields being filled are shown (set by the caller)

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

    # ---- every sentence read -----------------------------------------------------------------------
    def _severity(self, code: str) -> str:
        if code in DRAFT_WARNINGS:
            return "error" if self.final else "warning"
        return "warning" if code == "claim.one-member" else "error"

    def _sentences(self, text: str, src: YamlSource, loc: tuple, names: dict, kind: str) -> str:
        """The text with its checks evaluated and removed, each sentence read (statements, period words,
        one member's movement), caveats added and, in a draft, problem sentences marked."""
        config = self.config or getattr(names, "_args", (None, None))[1]
        period = getattr(names, "period", None)
        inserts: list[tuple[int, int, str]] = []  # (offset, order, text) put into the raw text
        for s in split(text):
            notes: list[tuple[str, str, str, int]] = []  # code, message, fragment, its offset
            reasons = [m.body for m in s.no_checks]
            for m in s.no_checks:
                if not m.body:
                    notes.append(("statement.no-reason", "a [[no check]] needs its reason: why the figures cannot "
                                  "test this sentence (the reviewer reads it in the review appendix)", m.text, m.start))
            changes: list[claims.Change] = []
            said = any(c.kind == "coverage" for c in statements.cues(s, text)) if s.checks else False
            for m in s.checks:
                ev = claims.Evaluation(m.text, names, config, totals=said)
                notes += [(p.code, p.message, m.text, m.start) for p in ev.problems]
                changes += ev.changes
            changes += self._placeholder_changes(s, names)
            notes += self._withheld(s, names)
            if not s.checks and not s.no_checks and kind in ("text", "story", "recommendation"):
                found = statements.cues(s, text)
                if kind != "text" and "{{" not in s.text:
                    found = []  # a story or a recommendation states a figure only through a placeholder
                if found:
                    first = found[0]
                    if all(c.kind == "number" for c in found):
                        notes.append(("statement.typed-number", f"the sentence states a number typed as text "
                                      f"('{first.text}'), which no check or placeholder vouches for", first.text,
                                      first.start))
                    else:
                        notes.append(("statement.unverified", f"the sentence states {statements.describe(found)} "
                                      "but carries no check", first.text, first.start))
            if not s.no_checks and kind != "plain":
                season = statements.seasonal_problem(s)
                if season:
                    notes.append(("statement.seasonal", f"the sentence gives a change on the previous period "
                                  f"({season}) without saying it is not seasonally adjusted", season,
                                  s.start + s.text.find(season)))
                if period is not None:
                    notes += [(p.code, p.message, p.fragment, p.start) for p in periods.scan(
                        text, s.start, s.end, period, field="title" if kind == "title" else "text",
                        story=kind == "story")]
            caveat = self._caveat(changes, s, src, loc, text)
            if caveat:
                inserts.append((_before_stop(text, s), 1, f" ({caveat})"))
            for code, message, fragment, offset in notes:
                self.findings.append(finding_at(src, loc, fragment, code, message,
                                                claims.hint(code) if code.startswith("claim.") else
                                                STATEMENT_HINTS.get(code, HINT),
                                                occurrence=text[:offset].count(fragment),
                                                severity=self._severity(code)))
            if self.final or not (notes or reasons):
                continue
            number = len(self.review) + 1
            line, col = (self.findings[-len(notes)].line, self.findings[-len(notes)].column) if notes else \
                _position(src, loc, text, s)
            marked = kind != "title"
            self.review.append(ReviewItem(
                number, "problem" if notes else "untested", src.display, line, col,
                self._published(s, names),
                [(code, message, claims.hint(code) if code.startswith("claim.") else STATEMENT_HINTS.get(code, HINT))
                 for code, message, _, _ in notes],
                _sentence_end("; ".join(r for r in reasons if r)), self.scope, self.region, marked))
            if marked:
                inserts.append((s.start, 0, f"{MARK_OPEN}{'p' if notes else 'u'}{number}{MARK_MID}"))
                inserts.append((s.end, 2, MARK_CLOSE))
        for offset, _, piece in sorted(inserts, key=lambda i: (i[0], i[1]), reverse=True):
            text = text[:offset] + piece + text[offset:]
        return strip_markers(text)

    def _withheld(self, s: Sentence, names: dict) -> list[tuple[str, str, str, int]]:
        """Each placeholder of the sentence whose figure is not published (S, C, ..): the text says so in
        words where the figure would be, and the editor is told (a draft marks the sentence, the final
        refuses it), since such a sentence rarely reads well: rewrite it or leave the figure out."""
        out = []
        for m in re.finditer(r"\{\{.*?\}\}", s.text, flags=re.S) if "{{" in s.text else ():
            got = re.search(f"{SYMBOL_OPEN}(S|C|\\.\\.){SYMBOL_CLOSE}", self._quiet_fill(m.group(0), names))
            if got:
                out.append(("placeholder.withheld", f"the figure '{m.group(0)}' is {IN_WORDS[got.group(1)]} here, so the "
                            "sentence says that in words where the figure would be", m.group(0), s.start + m.start()))
        return out

    def _placeholder_changes(self, s: Sentence, names: dict) -> list[claims.Change]:
        """The changes a sentence's placeholders show ({{ clients.change }}), for the one-member caveat."""
        out = []
        for path in re.findall(r"\{\{\s*([A-Za-z_][\w.]*)\s*\}\}", s.text):
            if path.split(".")[-1] not in _Figure._VALUES:
                continue
            try:
                _, ref = resolve_ref(names, path)
            except (PlaceholderError, Exception):  # a placeholder problem is reported when it is filled
                continue
            if ref is not None and ref.base is not None:
                out.append(claims.Change(ref.measure, ref.dimension, ref.category, ref.scope, ref.period, ref.base))
        return out

    def _caveat(self, changes: list[claims.Change], s: Sentence, src: YamlSource, loc: tuple, text: str) -> str:
        """The one-member caveat a sentence's change needs (``figures/materiality.Judge.driver``), or ""."""
        judge = getattr(self.names, "judge", None)
        if judge is None or not changes:
            return ""
        for c in dict.fromkeys(changes):
            driver = judge.driver(c.measure, c.dimension, c.category, c.scope, c.period, c.base)
            if driver is None:
                continue
            what = ".".join(x for x in (c.measure, c.dimension if c.dimension != "total" else "", c.category) if x)
            where = "" if c.scope == "NZ" else f" in {self.config.region_label(c.scope) if self.config else c.scope}"
            self.findings.append(finding_at(
                src, loc, s.text.split()[0] if s.text.split() else "", "claim.one-member",
                f"the change in {what}{where} that this sentence speaks of comes mostly from one member whose client "
                f"numbers moved by more than {driver.limit * 100:.0f} % in a quarter (flagged for review): the text adds "
                f"'({driver.caveat})'", STATEMENT_HINTS["claim.one-member"],
                occurrence=text[:s.start].count(s.text.split()[0]) if s.text.split() else 0,
                severity="warning"))
            return driver.caveat
        return ""

    def _quiet_fill(self, text: str, names: dict) -> str:
        """``text`` filled without recording a footnote (for the review appendix and the checks)."""
        known = dict(self.used)
        out, _ = fill(text, names)
        for symbol in set(self.used) - set(known):
            del self.used[symbol]
        return out

    def _published(self, s: Sentence, names: dict) -> str:
        """A sentence as published, in plain text (for the review appendix)."""
        out = in_words(self._quiet_fill(strip_markers(s.text), names))
        html = markdown_to_html(out, inline=True)
        return " ".join(htmlmod.unescape(re.sub(r"<[^>]+>", "", html)).split())

    def _fill(self, text: str, src: YamlSource, loc: tuple, names: dict | None = None, kind: str = "text") -> str:
        names = self.names if names is None else names
        text = self._sentences(text.translate(_PRIVATE), src, loc, names, kind)
        out, problems = fill(text, names)
        seen: dict[str, int] = {}
        for p in problems:
            self.findings.append(finding_at(src, loc, p.fragment, p.code, p.message, HINT,
                                            occurrence=seen.get(p.fragment, 0)))
            seen[p.fragment] = seen.get(p.fragment, 0) + 1
        return out

    def plain(self, text: str, src: YamlSource, loc: tuple, names: dict | None = None, kind: str = "plain") -> str:
        out = in_words(self._fill(text, src, loc, names, kind))
        out = out.translate(_PRIVATE)
        if out != text:
            self._scan(text, [out], src, loc)
        return out

    def md(self, text: str, src: YamlSource, loc: tuple, *, inline: bool = False, names: dict | None = None,
           kind: str = "text", flagged: set[str] | None = None) -> str:
        """``kind``: what the text is (a title, a recommendation: the judge reads them differently);
        ``flagged``: the flags already shown in this section (shared by the items of one list)."""
        html = markdown_to_html(self._fill(text, src, loc, names, kind), inline=inline)
        visible = html.replace(SYMBOL_OPEN, "").replace(SYMBOL_CLOSE, "")
        self._scan(text, privacy.visible_texts(re.sub(MARK_OPEN + r"[pu]\d+" + MARK_MID, "", visible)
                                               .translate(_PRIVATE)), src, loc)
        return self._footnote_refs(review_marks(html), set() if flagged is None else flagged)

    def _footnote_refs(self, html: str, flagged: set[str]) -> str:
        """No symbol inside a sentence (issue 23): a figure that stands as a symbol (S, C, .., –) is said
        in words (``IN_WORDS``) with its note's number; a flag beside a figure (P, R, A) is not repeated
        after each one (issue 27: "P¹" after nearly every figure) but noted once, by its note's number
        where the sentence with the first figure it applies to ends — once per section (``flagged``: the
        flags the section has noted already)."""
        numbers = {sym: i + 1 for i, sym in enumerate(self.used)}
        parts = html.split(SYMBOL_OPEN)
        out, due = [parts[0]], []  # due: (offset in the text, the notes' numbers)
        for part in parts[1:]:
            symbol, _, rest = part.partition(SYMBOL_CLOSE)
            plain = htmlmod.unescape(symbol)
            if _is_flag(plain):
                out[-1] = out[-1].removesuffix("\u00a0").removesuffix("&nbsp;")  # the space before the flag
                new = [f for f in plain.split() if f not in flagged and f in numbers]
                flagged.update(new)
                if new:
                    due.append((sum(map(len, out)), [numbers[f] for f in new]))
                out.append(rest)
                continue
            out.append(f'<span class="withheld">{htmlmod.escape(IN_WORDS.get(plain, plain))}</span>'
                       f'{_ref(numbers.get(plain))}{rest}')
        text = "".join(out)
        for offset, notes in reversed(due):
            end = _SENTENCE_END.search(text, offset)
            at = end.end() if end else len(text)
            text = text[:at] + "".join(_ref(n) for n in notes) + text[at:]
        return text

    def notes(self) -> list[Note]:
        return [Note(i + 1, sym, meaning) for i, (sym, meaning) in enumerate(self.used.items())]


# where a sentence ends in HTML: its full stop (not a decimal point), or the end of its paragraph or item
_SENTENCE_END = re.compile(r"[.!?](?=[\s<]|$)|(?=</(?:p|li|h\d)>)")


def _is_flag(marked: str) -> bool:
    """A flag beside a figure ("P", "P R"), not a symbol standing in for one (S, C, .., –)."""
    return all(f in FLAGS for f in marked.split())


def _ref(n: int | None) -> str:
    return f'<sup class="note-ref"><a href="#narrative-note-{n}">{n}</a></sup>' if n else ""


def in_words(text: str) -> str:
    """Plain text with each symbol a figure stands as said in words and each flag left out (for titles,
    the review appendix: places without footnotes)."""
    def one(m: re.Match) -> str:
        sym = m.group(2)
        return "" if _is_flag(sym) else m.group(1) + IN_WORDS.get(sym, sym)
    return re.sub(f"(\u00a0?){SYMBOL_OPEN}(.*?){SYMBOL_CLOSE}", one, text)


def _sentence_end(text: str) -> str:
    """A reason as a sentence: with its full stop."""
    return text if not text or text[-1] in ".!?" else text + "."


def _before_stop(text: str, s: Sentence) -> int:
    """Where a caveat goes: before the sentence's full stop (and any closing emphasis or quote)."""
    core = s.text.rstrip()
    i = len(core)
    while i and core[i - 1] in "*_\"'”’)":
        i -= 1
    if i and core[i - 1] in ".!?":
        return s.start + i - 1
    return s.start + len(core)


def _position(src: YamlSource, loc: tuple, text: str, s: Sentence) -> tuple[int | None, int | None]:
    """Line and column of a sentence's first words in the file."""
    words = " ".join(s.text.split()[:4])
    f = finding_at(src, loc, words, "statement.unverified", "", "", occurrence=text[:s.start].count(words))
    return f.line, f.column


_MARK = re.compile(MARK_OPEN + r"([pu])(\d+)" + MARK_MID + "(.*?)" + MARK_CLOSE, re.S)
_TAGS = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*?(/?)>")


def _balanced(html: str) -> bool:
    stack: list[str] = []
    for m in _TAGS.finditer(html):
        closing, name, empty = m.group(1), m.group(2).lower(), m.group(3)
        if empty or name in ("br", "hr"):
            continue
        if not closing:
            stack.append(name)
        elif not stack or stack.pop() != name:
            return False
    return not stack


def review_marks(html: str) -> str:
    """A draft's review marks in a field's HTML: each marked sentence highlighted (``<mark>``), with a
    numbered margin mark linking to its entry in the review appendix. A sentence whose HTML cannot be
    wrapped whole (it starts inside emphasis and ends outside) gets the margin mark alone."""
    def one(m: re.Match) -> str:
        kind, n, inner = ("problem" if m.group(1) == "p" else "untested"), m.group(2), m.group(3)
        what = "a problem the build found" if kind == "problem" else "not checked against the figures"
        ref = (f'<a class="review-flag-ref" href="#review-item-{n}" data-review="{n}" '
               f'aria-label="Review note {n} ({what}): see Sentences to review"></a>')
        if _balanced(inner):
            return f'<mark class="review-flag review-{kind}" id="review-flag-{n}">{inner}{ref}</mark>'
        return f'<span class="review-flag-point review-{kind}" id="review-flag-{n}"></span>{inner}{ref}'
    return _MARK.sub(one, html).translate(_PRIVATE)


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
        known, reviewed = set(f.used), len(f.review)
        f.scope, f.region = "story", story.region.strip().upper()
        title = f.plain(story.title, src, ("title",))
        pull = f.md(story.pull_quote, src, ("pull_quote",), inline=True, kind="story") if story.pull_quote else ""
        body = f.md(story.body, src, ("body",), kind="story")
        f.scope, f.region = "report", ""
        if sel.state == WITHHELD:
            for symbol in set(f.used) - known:  # a withheld story's text is not shown: no footnotes for it
                del f.used[symbol]
            del f.review[reviewed:]  # nor review marks (its findings are reported all the same)
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
        f.scope, f.region = code, code
        out[code] = RenderedRegion(
            code=code, name=config.region_label(code) if config is not None else code,
            intro_html=f.md(c.intro, src, ("intro",), names=scoped),
            key_points_html=[f.md(t, src, ("key_points", i), names=scoped, flagged=points)
                             for points in [set[str]()] for i, t in enumerate(c.key_points)],
            source_file=src.display)
        f.scope, f.region = "report", ""
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
        title=f.plain(r.title, src, ("title",), kind="title"),
        subtitle=f.plain(r.subtitle, src, ("subtitle",), kind="title"),
        publication_date=r.publication_date,
        publisher=f.plain(r.publisher, src, ("publisher",)),
        contact=r.contact,
        summary_html=f.md(r.summary, src, ("summary",)),
        findings_html=[f.md(t, src, ("findings", i), flagged=findings_flagged) for i, t in enumerate(r.findings)],
        recommendations_html=[f.md(t, src, ("recommendations", i), kind="recommendation",
                                   flagged=recommendations_flagged)
                              for i, t in enumerate(r.recommendations)],
        sections_html={k: f.md(v, src, ("sections", k)) if v else "" for k, v in r.sections.model_dump().items()},
        methodology_html=f.md(r.methodology, src, ("methodology",)),
        source_file=src.display,
    )
    reference = reference_date(r.publication_date, today or build_date())
    rendered.stories = _render_stories(narr, f, config, final=final, reference=reference)
    rendered.regions = _render_regions(narr, f, names, config)
    rendered.notes = f.notes()
    rendered.review = f.review
    period = getattr(names, "period", None)  # the namespace's period (a plain dict of names has none)
    if config is not None and period is not None:
        findings += periods.release_findings(narr, config, period, final=final)
    return rendered, findings

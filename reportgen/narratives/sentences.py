"""An editor's text, cut into sentences: what a check, a "no check" and a review mark belong to.

A field (a summary, a key finding, a story's body) is Markdown with placeholders ``{{ … }}`` and
markers ``[[check …]]``, ``[[no check: …]]`` and ``[[mi: …]]``. ``split`` cuts it into
sentences, each with its place in the field's text (so that a finding can point at it and the
published text can mark it):

* a sentence never crosses a paragraph (a blank line), a list item or a block quote line;
* it ends at ``.``, ``!`` or ``?`` (and any closing quote or bracket after it) followed by a space
  and a capital letter, a digit, a quote, a placeholder, emphasis or the end of the block —
  never inside a placeholder, a marker or a link's address, nor after "e.g.", "i.e.", "etc.",
  "St." and the like;
* a ``[[check …]]`` or ``[[no check: …]]`` written after a sentence belongs to that sentence;
  one written before any sentence of its block belongs to the sentence that follows.

Text inside double quotes ("…", “…”) and block quotes (``> …``) is a quotation; ``quoted``
gives its spans, so that the statement rules can leave someone's own words alone.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

# spans that never hold a sentence end: placeholders, any [[…]] markup, a link's (address)
PROTECTED = re.compile(r"\{\{.*?\}\}|\[\[[^\[\]]*\]\]|\]\([^)\s]*\)", re.S)
CHECK = re.compile(r"\[\[\s*check\b\s*:?(?P<body>[^\[\]]*)\]\]", re.I)
NO_CHECK = re.compile(r"\[\[\s*no[\s-]+check\b\s*[:,;—–-]?\s*(?P<reason>[^\[\]]*?)\s*\]\]", re.I)
MARKERS = re.compile(CHECK.pattern + "|" + NO_CHECK.pattern, re.I)
_END = re.compile(r"[.!?][\"'”’)\]*_]*(?=\s|$)")
_NEXT = re.compile(r"\s+(?=[\"“‘(*_]*[A-ZĀĒĪŌŪ0-9{\[])")
_ABBREVIATIONS = ("e.g.", "i.e.", "etc.", "st.", "mt.", "no.", "nos.", "vs.", "cf.", "approx.", "dr.", "mr.",
                  "mrs.", "ms.", "a.m.", "p.m.", "fig.", "ch.")
_BLOCK = re.compile(r"^[ \t]*(?:[-*+]|\d+[.)])[ \t]+|^[ \t]*>[ \t]?", re.M)
_QUOTES = re.compile(r"\"[^\"\n]*(?:\n[^\"\n]*)*?\"|“[^”]*”")


@dataclass(frozen=True)
class Marker:
    """A ``[[check …]]`` or ``[[no check: …]]`` as written, and where."""

    kind: str  # check | no-check
    start: int
    end: int
    text: str  # as written, to locate a finding
    body: str  # the condition of a check, or the reason of a no check


@dataclass
class Sentence:
    """One sentence of a field: where it is in the field's text and the markers that go with it."""

    start: int  # offset of its first character in the field's text
    end: int  # offset just after its last character (its markers excluded)
    text: str  # the field's text from start to end: placeholders and inline markers included
    checks: list[Marker] = field(default_factory=list)  # its [[check …]] markers
    no_checks: list[Marker] = field(default_factory=list)  # its [[no check: …]] markers
    quote_block: bool = False  # a block quote line (``> …``): someone's own words


def markers(text: str) -> list[Marker]:
    out = []
    for m in MARKERS.finditer(text):
        if m.group("body") is not None:
            out.append(Marker("check", m.start(), m.end(), m.group(0), m.group("body").strip()))
        else:
            out.append(Marker("no-check", m.start(), m.end(), m.group(0), (m.group("reason") or "").strip()))
    return out


def _blocks(text: str) -> list[tuple[int, int, bool]]:
    """(start, end, is a block quote) of each paragraph, list item and block quote line."""
    out: list[tuple[int, int, bool]] = []
    pos = 0
    lines = text.splitlines(keepends=True)
    start, quote = None, False
    for line in lines:
        stripped = line.strip()
        begins = _BLOCK.match(line)
        if not stripped:
            if start is not None:
                out.append((start, pos, quote))
            start = None
        elif begins or start is None:
            if start is not None:
                out.append((start, pos, quote))
            start = pos + (begins.end() if begins else len(line) - len(line.lstrip()))
            quote = begins is not None and begins.group(0).strip().startswith(">")
        pos += len(line)
    if start is not None:
        out.append((start, pos, quote))
    return out


def _protected(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in PROTECTED.finditer(text)]


def _inside(pos: int, spans: list[tuple[int, int]]) -> bool:
    """Whether ``pos`` falls in one of ``spans`` (sorted, not overlapping)."""
    i = bisect.bisect_right(spans, (pos, float("inf"))) - 1
    return i >= 0 and spans[i][0] <= pos < spans[i][1]


def _ends(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> list[int]:
    """Offsets just after each sentence end inside text[start:end]."""
    out = []
    for m in _END.finditer(text, start, end):
        if _inside(m.start(), spans):
            continue
        word = text[max(start, text.rfind(" ", start, m.start()) + 1):m.start() + 1].lower().lstrip("(\"“")
        if word in _ABBREVIATIONS or re.fullmatch(r"[a-z]\.", word):
            continue
        after = text[m.end():end]
        if after.strip() and not _NEXT.match(after):
            continue
        out.append(m.end())
    return out


def split(text: str) -> list[Sentence]:
    """The sentences of a field's text, in order, with their markers."""
    spans = _protected(text)
    found = markers(text)
    out: list[Sentence] = []
    for b_start, b_end, quote in _blocks(text):
        block_end = len(text[:b_end].rstrip())
        cuts = [b_start, *_ends(text, b_start, block_end, spans)]
        if cuts[-1] < block_end:
            cuts.append(block_end)
        sentences: list[Sentence] = []
        pending: list[Marker] = []
        for a, b in zip(cuts, cuts[1:]):
            mine = [m for m in found if a <= m.start < b]
            # markers at the start of a piece follow the sentence before it (or wait for the next)
            while True:
                while a < b and text[a].isspace():
                    a += 1
                lead = next((m for m in mine if m.start == a), None)
                if lead is None:
                    break
                mine.remove(lead)
                (sentences[-1].checks if lead.kind == "check" else sentences[-1].no_checks).append(lead) \
                    if sentences else pending.append(lead)
                a = lead.end
            if a >= b:
                continue
            core_end = b
            for m in sorted(mine, key=lambda m: -m.start):  # markers at its end: not part of its text
                if not text[m.end:core_end].strip(" \t\n.!?"):
                    core_end = len(text[:m.start].rstrip())
            core_end = max(core_end, a)
            sentence = Sentence(a, core_end, text[a:core_end], quote_block=quote)
            for m in pending + mine:
                (sentence.checks if m.kind == "check" else sentence.no_checks).append(m)
            pending = []
            sentences.append(sentence)
        if pending and sentences:
            for m in pending:
                (sentences[-1].checks if m.kind == "check" else sentences[-1].no_checks).append(m)
        out += sentences
    return out


def quoted(text: str) -> list[tuple[int, int]]:
    """Spans of text in double quotes ("…", “…”): someone's own words."""
    return [m.span() for m in _QUOTES.finditer(text)]


def strip_markers(text: str) -> str:
    """The text without its ``[[check …]]`` and ``[[no check: …]]`` markers (and the space before each)."""
    return re.sub(r"\s*(?:" + MARKERS.pattern + ")", "", text, flags=re.I)

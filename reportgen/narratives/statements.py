"""Statements of fact: which sentences of a narrative say something the figures must bear out.

A sentence states a fact about the figures when it has one of these **cues**:

    number      a number typed as text: digits ("35", "12 %") or words ("one", "a third", "twice",
                "doubled") — not a year, a date, or "Figure 6"
    direction   rose, fell, grew, up, down, more, fewer, higher, increased, stepped up, doubled …
    ranking     highest, lowest, most, largest, the most common, every region, all members …
    comparison  than, compared with, as many as, the same as, above, below, exceeded …
    coverage    who reported: "members reported", "could not send", "a new member", "joined",
                "not published" …

Such a sentence must carry a check (``[[check …]]``, ``claims.py``) or a no check with its reason
(``[[no check: …]]``); otherwise it is a finding. Its figures come from placeholders: a placeholder
is true by construction, so a sentence whose only cues are a placeholder's own words needs nothing
("{{ members_reporting }} members reported for the half-year" is true whatever the figure).

What is left alone, and why (docs/editors-guide.md, "Every sentence true of the figures"):

* **Quotations** — text in double quotes and block quotes (``> …``) are someone's own words: not a
  statement by the federation, and a number in a quote is not a published figure;
* **stories** — lived experience, not statistics: a story's sentences are checked only where they
  quote a figure through a placeholder ("volunteers gave {{ volunteer_hours }} hours this half-year"),
  and then as any other sentence;
* **te reo Māori** — words inside ``[[mi: …]]`` (or another language's markup) are not read for the
  English cue words (the build cannot read te reo for meaning); a digit in them still counts, and a
  te reo sentence that states a figure takes it from a placeholder and carries its check like an
  English one.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from .sentences import MARKERS, Sentence, quoted

MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")
_MONTH = "|".join(m.capitalize() for m in MONTHS)

# ---- the cue words ---------------------------------------------------------------------------
# a cardinal word ("one member", "two policy changes") is a number only beside another cue: alone it
# is as often an attribution ("as one kaimahi said") as a figure; a fraction, a multiple, a per cent
# or a large number is a figure on its own
CARDINAL = re.compile(r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
                      r"fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|"
                      r"eighty|ninety|dozens?)\b", re.I)
NUMBER_WORD = re.compile(r"\b(?:hundreds?|thousands?|millions?|twice|thrice|double[ds]?|doubling|triple[ds]?|"
                         r"tripling|halve[ds]?|halving|per ?cent|percent"
                         r"|(?:a|one|two|three) (?:third|quarter|half|fifth|tenth)s? of"
                         r"|(?:a|one) in (?:two|three|four|five|six|seven|eight|nine|ten)|half (?:of|the|our|all))\b",
                         re.I)
NOT_A_NUMBER = re.compile(r"\b(?:no one|one another|anyone|someone|every one|one day|one by one|"
                          r"at one|this one|that one|one of)\b", re.I)
DIGITS = re.compile(r"\d[\d,.]*\s*%?")
# numbers that are not figures: years, dates, times, references to figures, tables, quarters
NOT_A_FIGURE = re.compile(
    r"\b(?:19|20)\d\d(?:[–-](?:19|20)?\d\d)?\b"  # years and ranges of years
    r"|\b\d{1,2}\s+(?:" + _MONTH + r")\b|\b(?:" + _MONTH + r")\s+\d{1,2}\b"  # dates
    r"|\b\d{1,2}(?::\d\d)?\s*(?:am|pm)\b|\b\d{1,2}:\d\d\b"  # times
    r"|\b(?:figures?|fig\.|tables?|charts?|sections?|pages?|recommendations?|appendix|paragraphs?|q|h|"
    r"rule|step|part)\s*\d+\b"  # references
    r"|\b\d{4}[QHqh][1-4]\b|\b[QHqh][1-4]\b"  # periods
    r"|\b0800\b|\b0508\b",  # the publisher's phone prefix
    re.I)
DIRECTION = re.compile(
    r"\b(?:rose|rise[sn]?|rising|grew|grow(?:s|n|ing|th)?|increas(?:e[sd]?|ing)|fell|fall(?:s|en|ing)?|"
    r"drop(?:s|ped|ping)?|declin(?:e[sd]?|ing)|decreas(?:e[sd]?|ing)|climb(?:s|ed|ing)?|jump(?:s|ed|ing)?|"
    r"surg(?:e[sd]?|ing)|soar(?:s|ed|ing)?|dip(?:s|ped|ping)?|slump(?:s|ed|ing)?|eas(?:ed|ing)|"
    r"shr(?:ank|unk|inks?|inking)|doubl(?:e[ds]?|ing)|tripl(?:e[ds]?|ing)|halv(?:e[ds]?|ing)|"
    r"stepp(?:ed|ing) up|steps? up|went up|gone up|go(?:es|ing)? up|went down|gone down|go(?:es|ing)? down|"
    r"up (?:on|from|by|again|sharply)|down (?:on|from|by|again|sharply)|"
    r"more|fewer|less|higher|lower|greater|larger|smaller|bigger|worse|better|"
    r"steady|steadily|unchanged|flat|stable|stayed|"
    r"improv(?:e[sd]?|ing|ement)|worsen(?:s|ed|ing)?|deteriorat(?:e[sd]?|ing)|peak(?:s|ed)?)\b", re.I)
RANKING = re.compile(
    r"\b(?:highest|lowest|largest|smallest|biggest|greatest|fewest|least|most|hardest|worst|best|"
    r"commonest|fastest|slowest|sharpest|"
    r"(?:every|each|all|any|no other|none of the|only)\s+(?:\w+\s+)?"
    r"(?:regions?|members?|domains?|needs?|groups?|categories|services?|areas?|networks?))\b", re.I)
COMPARISON = re.compile(
    r"\b(?:than|compared (?:with|to)|as (?:many|much|high|low|often) as|the same as|similar to|in line with|"
    r"twice|above|below|exceed(?:s|ed|ing)?|outnumber(?:s|ed)?|ahead of|relative to|"
    r"(?:over|under)-?represented)\b", re.I)
COVERAGE = re.compile(
    r"\b(?:members?\b[^.;:]{0,40}?\b(?:reported|reporting|sent|submitted|returned|joined|left|missed|"
    r"stopped|began|started)|new members?|(?:could|did|could not|did not|couldn't|didn't) (?:send|report)|"
    r"(?:missed|missing|late|partial) (?:a |an |its |their )?(?:returns?|quarters?|figures)|"
    r"not (?:published|shown)|(?:too )?few members|suppressed|withheld|provisional)\b", re.I)
CUES = (("number", NUMBER_WORD), ("direction", DIRECTION), ("ranking", RANKING), ("comparison", COMPARISON),
        ("coverage", COVERAGE))
CUE_WORDS = {"number": "a number", "direction": "a direction", "ranking": "a ranking", "comparison": "a comparison",
             "coverage": "a fact about who reported or what is published"}
# placeholders whose own words are a coverage fact (true by construction)
COVERAGE_PLACEHOLDERS = re.compile(r"\{\{\s*(?:region\.\w+\.)?members_\w+\s*\}\}|\{\{\s*coverage\s*\}\}")
LANG = re.compile(r"\[\[\s*[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*\s*:\s*([^\[\]]*?)\s*\]\]")
SEASONAL_FIGURES = re.compile(r"\b[\w.]*\.change(?:_all)?_previous\b")
SEASONAL_WORDS = re.compile(r"season", re.I)


@dataclass(frozen=True)
class Cue:
    """One word or number that makes a sentence a statement of fact."""

    kind: str  # number | direction | ranking | comparison | coverage
    text: str  # as written
    start: int  # offset in the field's text


def _mask(text: str, spans: list[tuple[int, int]], keep_digits: bool = False) -> str:
    """``text`` with the spans blanked (same length: offsets stay true)."""
    chars = list(text)
    for a, b in spans:
        for i in range(a, b):
            if chars[i] != "\n" and not (keep_digits and chars[i].isdigit()):
                chars[i] = " "
    return "".join(chars)


@functools.lru_cache(maxsize=16)  # a field's sentences are read one by one: its text is masked once
def readable(text: str) -> tuple[str, str]:
    """(the text as the cue words are read: placeholders, markers, links' addresses, quotations and other
    languages blanked; the text as numbers are read: the same, but digits in other languages kept)."""
    placeholders = [m.span() for m in re.finditer(r"\{\{.*?\}\}|\{%.*?(?:%\}|$)|\{#.*?(?:#\}|$)", text, re.S)]
    marks = [m.span() for m in MARKERS.finditer(text)]
    links = [m.span() for m in re.finditer(r"\]\([^)\s]*\)", text)]
    other = [m.span(1) for m in LANG.finditer(text)]
    lang_marks = [m.span() for m in LANG.finditer(text)]
    quotes = quoted(text)
    words = _mask(text, placeholders + marks + links + quotes + lang_marks)
    numbers = _mask(_mask(text, placeholders + marks + links + quotes), [s for s in lang_marks], keep_digits=True)
    for a, b in other:  # the phrase itself: digits kept
        numbers = numbers[:a] + "".join(c if c.isdigit() else " " for c in text[a:b]) + numbers[b:]
    return words, numbers


def cues(sentence: Sentence, field_text: str) -> list[Cue]:
    """Every cue in a sentence (none in a block quote: someone's own words)."""
    if sentence.quote_block:
        return []
    a, b = sentence.start, sentence.end
    words, numbers = readable(field_text)
    words, numbers = words[a:b], numbers[a:b]
    out: list[Cue] = []
    blanked = NOT_A_FIGURE.sub(lambda m: " " * len(m.group(0)), numbers)
    for m in DIGITS.finditer(blanked):
        if m.group(0).strip(" ,.%"):
            out.append(Cue("number", field_text[a + m.start():a + m.end()].strip(), a + m.start()))
    spare = NOT_A_NUMBER.sub(lambda m: " " * len(m.group(0)), words)
    for kind, pattern in CUES:
        for m in pattern.finditer(spare if kind == "number" else words):
            out.append(Cue(kind, m.group(0), a + m.start()))
    if out:  # a cardinal word counts beside another cue: "one Bay of Plenty member could not send"
        out += [Cue("number", m.group(0), a + m.start()) for m in CARDINAL.finditer(spare)
                if not any(c.start <= a + m.start() < c.start + len(c.text) for c in out)]
    if out and COVERAGE_PLACEHOLDERS.search(sentence.text):  # "{{ members_reporting }} members reported"
        out = [c for c in out if c.kind != "coverage"]
    return sorted(out, key=lambda c: c.start)


def seasonal_problem(sentence: Sentence) -> str | None:
    """A sentence that gives or checks a change on the previous period must say it is not seasonally
    adjusted (the data are seasonal: winter is the busiest quarter)."""
    if SEASONAL_FIGURES.search(sentence.text) and not SEASONAL_WORDS.search(sentence.text):
        return SEASONAL_FIGURES.search(sentence.text).group(0)  # type: ignore[union-attr]
    return None


def describe(found: list[Cue]) -> str:
    """"a direction ('stepping up') and a ranking ('highest')": what the sentence states, in words."""
    kinds: dict[str, list[str]] = {}
    for c in found:
        kinds.setdefault(c.kind, [])
        if c.text not in kinds[c.kind]:
            kinds[c.kind].append(c.text)
    parts = [f"{CUE_WORDS[k]} ({', '.join(repr(w) for w in words[:3])})" for k, words in kinds.items()]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]

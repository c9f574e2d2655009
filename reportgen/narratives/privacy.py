"""Personal-information scan of narrative text.

Finds, in any text: e-mail addresses; New Zealand phone numbers (mobile
02x, landline 03/04/06/07/09, 0800/0508, +64 and 0064 forms, with spaces,
dots, hyphens or brackets); NHI numbers in the old (AAANNNC) and new
(AAANNAX) formats whose check character is right; IRD numbers (8 or 9
digits, in the issued range) whose mod-11 check digit is right under the
primary or the secondary weighting; street addresses (a number, a
capitalised street name, a street type); and names from a configured list.

A hit inside text listed in the allow-list (e.g. the publisher's own
address or phone number) is not reported. The check-character algorithms
follow the Ministry of Health NHI validation routine (old format mod 11;
new format mod 23 as in HISO 10046:2023 — the earlier mod-24 variant is
accepted as well, so numbers issued under either routine are caught) and
Inland Revenue's IRD check-digit routine.

Look-alike characters do not hide anything: the scan reads the text in
Unicode normal form C with look-alikes folded — fullwidth letters and digits
(０２１, ＠), every kind of space, non-breaking and other hyphens and minus
signs as "-", invisible characters (zero-width spaces and joiners, soft
hyphens, word joiners) dropped, and accents removed for the name list — and
reports each hit as the original text. Letters of other scripts that look Latin
(a Cyrillic А in "Аroha") are read as the Latin letter.

Evasions are read too (issue 25): an NHI written with a space, hyphen or dot
(``URD 9869``; not when the four digits read as a year, 1900–2099, as in an
agency's "MSD 2024"); a listed name written surname first (``Tipene-Walker,
Aroha``) or with a space for its hyphen; a phone number in words, English or
te reo Māori (``oh two one, five five five…``, ``kore rua tahi…``); and an
e-mail address written out (``aroha (at) example (dot) nz``, ``aroha[at]…``,
``aroha at example dot nz``, ``aroha @ example.nz``).

``rendered`` scans what is published
(placeholders filled, Markdown rendered to HTML, tags stripped, link targets
included), so text that only appears once a placeholder is evaluated
(``{{ "a" ~ "@" ~ "b.nz" }}``) is caught too.
"""

from __future__ import annotations

import html as htmlmod
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from ..core.safetext import latin_lookalike

_NHI_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # A–Z without I and O


@dataclass(frozen=True)
class Hit:
    kind: str  # email | phone | nhi | ird | address | name
    start: int
    end: int
    text: str


# ---- check characters ----------------------------------------------------------

def _nhi_value(c: str) -> int:
    return int(c) if c.isdigit() else _NHI_LETTERS.index(c) + 1


def nhi_valid(text: str) -> bool:
    """True for a well-formed NHI number whose check character is right (either format)."""
    nhi = text.upper()
    if re.fullmatch(r"[A-HJ-NP-Z]{3}\d{4}", nhi):
        total = sum(_nhi_value(c) * w for c, w in zip(nhi[:6], range(7, 1, -1)))
        rem = total % 11
        return rem != 0 and (11 - rem) % 10 == int(nhi[6])
    if re.fullmatch(r"[A-HJ-NP-Z]{3}\d{2}[A-HJ-NP-Z]{2}", nhi):
        total = sum(_nhi_value(c) * w for c, w in zip(nhi[:6], range(7, 1, -1)))
        check = _nhi_value(nhi[6])
        return check == 23 - total % 23 or check == 24 - total % 24
    return False


_IRD_PRIMARY = (3, 2, 7, 6, 5, 4, 3, 2)
_IRD_SECONDARY = (7, 4, 3, 2, 5, 2, 7, 6)


def ird_valid(text: str) -> bool:
    """True for an 8- or 9-digit IRD number in the issued range with a right check digit."""
    digits = re.sub(r"[\s-]", "", text)
    if not re.fullmatch(r"\d{8,9}", digits) or not 10_000_000 <= int(digits) <= 150_000_000:
        return False
    digits = digits.zfill(9)
    base, check = digits[:8], int(digits[8])
    for weights in (_IRD_PRIMARY, _IRD_SECONDARY):
        rem = sum(int(d) * w for d, w in zip(base, weights)) % 11
        calc = 0 if rem == 0 else 11 - rem
        if calc != 10:
            return calc == check
    return False


# ---- patterns ---------------------------------------------------------------------

_SEP = r"[\s.\-]?"
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(
    r"(?<![\w+])(?:"
    rf"(?:\+|00)64{_SEP}(?:\(0\){_SEP})?(?:(?:2\d|\(2\d\))(?:{_SEP}\d){{6,8}}|(?:[34679]|\([34679]\))(?:{_SEP}\d){{7}}"
    rf"|(?:800|508)(?:{_SEP}\d){{6,7}})"
    rf"|(?:02\d|\(02\d\))(?:{_SEP}\d){{6,8}}"
    rf"|(?:0[34679]|\(0[34679]\))(?:{_SEP}\d){{7}}"
    rf"|0(?:800|508)(?:{_SEP}\d){{6,7}}"
    r")(?![\d])")
_NHI = re.compile(r"(?<![\w])[A-HJ-NP-Z]{3}(?:\d{4}|\d{2}[A-HJ-NP-Z]{2})(?![\w])", re.I)
# written with a separator: capital letters only (so that "and 2021" in prose is not read as one)
_NHI_SPACED = re.compile(r"(?<![\w])([A-HJ-NP-Z]{3})[ .\-](\d{2}[ .\-]?(?:\d{2}|[A-HJ-NP-Z]{2}))(?![\w])")
_IRD = re.compile(r"(?<![\w-])\d{2,3}[\s-]?\d{3}[\s-]?\d{3}(?![\w-])")
_STREET_TYPES = ("Street|St|Road|Rd|Avenue|Ave|Drive|Dr|Place|Pl|Crescent|Cres|Terrace|Tce|Lane|Ln|Way|"
                 "Close|Court|Ct|Grove|Gr|Parade|Pde|Highway|Hwy|Boulevard|Blvd|Square|Sq|Rise|Quay|"
                 "Esplanade|Mews|Glade|Heights|Track|Loop|Row|Walk")
_ADDRESS = re.compile(
    r"(?<![\w/])(?:\d{1,4}[A-Za-z]?/)?\d{1,5}[A-Za-z]?,?\s+"
    r"(?:(?:[A-ZĀĒĪŌŪ][\w'’\-]*|Te|te|o|ki|a)\s+){0,3}[A-ZĀĒĪŌŪ][\w'’\-]*\s+"
    rf"(?i:{_STREET_TYPES})\b\.?")


_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2212\ufe63\uff0d\u00ad"), "-")
_DASHES[0x00AD] = ""  # a soft hyphen is invisible


def _fold_char(c: str, accents: bool) -> str:
    if c.isascii():
        return c
    latin = latin_lookalike(c)  # a Cyrillic А in a name is still the name
    if latin is not None:
        return latin
    if c in "\u2010\u2011\u2012\u2013\u2212\ufe63\uff0d":
        return "-"
    cat = unicodedata.category(c)
    if cat == "Cf" or c == "\u00ad":  # zero-width spaces and joiners, word joiner, BOM, soft hyphen
        return ""
    if cat == "Zs":
        return " "
    out = unicodedata.normalize("NFKD", c)  # fullwidth forms, ligatures, superscripts → their plain letters
    if accents:
        out = "".join(ch for ch in out if not unicodedata.combining(ch))
    else:
        out = unicodedata.normalize("NFC", out) if len(out) > 1 else out
    return out


def fold(text: str, *, accents: bool = False) -> tuple[str, list[int]]:
    """``text`` with look-alikes folded (see the module's docstring), and for each folded character the
    index of the original character it came from (plus one past the end)."""
    text = unicodedata.normalize("NFC", text)
    if text.isascii():
        return text, list(range(len(text) + 1))
    out: list[str] = []
    index: list[int] = []
    for i, c in enumerate(text):
        f = _fold_char(c, accents)
        out.append(f)
        index += [i] * len(f)
    index.append(len(text))
    return "".join(out), index


def _spans(text: str, phrases: Iterable[str]) -> list[tuple[int, int]]:
    out = []
    for phrase in phrases:
        if phrase.strip():
            pattern = r"\s+".join(re.escape(w) for w in phrase.split())
            out += [(m.start(), m.end()) for m in re.finditer(pattern, text, re.I)]
    return out


def _fold_phrases(phrases: Iterable[str], accents: bool) -> list[str]:
    return [fold(p, accents=accents)[0] for p in phrases]


def _nhi_spaced(m: re.Match) -> bool:
    digits = re.sub(r"[ .\-]", "", m.group(2))
    if digits.isdigit() and 1900 <= int(digits) <= 2099:
        return False  # "MSD 2024": an agency and a year
    return nhi_valid(m.group(1) + digits)


# ---- numbers in words -----------------------------------------------------------------------------

_DIGIT_WORDS = {
    # English
    "zero": "0", "oh": "0", "o": "0", "nought": "0", "nil": "0", "one": "1", "two": "2", "three": "3",
    "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9",
    # te reo Māori
    "kore": "0", "tahi": "1", "rua": "2", "toru": "3", "whā": "4", "wha": "4", "rima": "5", "ono": "6",
    "whitu": "7", "waru": "8", "iwa": "9",
}
_REPEAT = {"double": 2, "triple": 3}
_TOKEN = re.compile(r"\+|\d+|[^\W\d_]+")
_BETWEEN = re.compile(r"^[\s,.\-()/]*$")


def _spoken_phones(text: str) -> list[tuple[int, int]]:
    """Spans of phone numbers written (wholly or partly) in words: runs of digit words, digits and
    'double'/'triple', separated by spaces or punctuation, that read as a New Zealand number."""
    out: list[tuple[int, int]] = []
    run: list[tuple[int, int, str, bool]] = []  # (start, end, digits, was a word)
    pending = 1
    last_end = -1

    def close() -> None:
        if run and any(w for *_, w in run):
            digits = "".join(d for _, _, d, _ in run)
            if len(digits.lstrip("+")) >= 8 and _PHONE.fullmatch(digits):
                out.append((run[0][0], run[-1][1]))
        run.clear()

    for m in _TOKEN.finditer(text):
        word = m.group(0).lower()
        if run and not _BETWEEN.match(text[last_end:m.start()]):
            close()
            pending = 1
        if word in _REPEAT:
            pending = _REPEAT[word]
            last_end = m.end() if run else last_end
            if not run:
                run.append((m.start(), m.start(), "", True))
                last_end = m.end()
            continue
        digit = _DIGIT_WORDS.get(word)
        if digit is not None or word.isdigit() or (word == "+" and not run) or (word == "plus" and not run):
            value = "+" if word in ("+", "plus") else (digit or word) * (pending if digit else 1)
            run.append((m.start(), m.end(), value, digit is not None or word == "plus"))
            last_end = m.end()
        else:
            close()
        pending = 1
    close()
    return out


# ---- e-mail addresses written out ------------------------------------------------------------------

_TLDS = "nz|com|org|net|co|govt|gov|ac|school|iwi|maori|health|edu|info|biz|io|au|uk"
# every pattern starts at a fixed character or a word's start, so none is slow on long text
_SPELLED_AT = re.compile(r"[(\[{<] ?(?:at|@) ?[)\]}>]|@", re.I)
_SPELLED_DOT = re.compile(r"[(\[{<] ?(?:dot|\.) ?[)\]}>]", re.I)
_WORDED = re.compile(rf"(?<![\w.+-])[\w.+-]+[ \t]+at[ \t]+[\w-]+(?:[ \t]+dot[ \t]+[\w-]+)*[ \t]+dot[ \t]+"
                     rf"(?:{_TLDS})\b", re.I)


def _widen(text: str, start: int, end: int) -> tuple[int, int]:
    """The span with the spaces around it (at most a few on each side)."""
    a, b = start, end
    while a > 0 and start - a < 3 and text[a - 1] in " \t":
        a -= 1
    while b < len(text) and b - end < 3 and text[b] in " \t":
        b += 1
    return a, b


def _unspelled(text: str) -> tuple[str, list[int]]:
    """``text`` with spelled-out '@' and '.' of e-mail addresses written as the characters, and for each
    character the index of the one it came from."""
    pieces: list[tuple[int, int, str]] = []  # (start, end, replacement)
    for pattern, repl in ((_SPELLED_AT, "@"), (_SPELLED_DOT, ".")):
        for m in pattern.finditer(text):
            a, b = _widen(text, m.start(), m.end())
            if (a, b) != (m.start(), m.end()) or m.group(0) != repl:
                pieces.append((a, b, repl))
    for m in _WORDED.finditer(text):
        for w in re.finditer(r"\s+(at|dot)\s+", m.group(0), re.I):
            pieces.append((m.start() + w.start(), m.start() + w.end(), "@" if w.group(1).lower() == "at" else "."))
    if not pieces:
        return text, list(range(len(text) + 1))
    pieces.sort()
    out: list[str] = []
    index: list[int] = []
    pos = 0
    for start, end, repl in pieces:
        if start < pos:
            continue  # overlapping: the first one stands
        out.append(text[pos:start])
        index += range(pos, start)
        out.append(repl)
        index += [start] * len(repl)
        pos = end
    out.append(text[pos:])
    index += range(pos, len(text) + 1)
    return "".join(out), index


# ---- names --------------------------------------------------------------------------------------------

def _name_patterns(name: str) -> list[str]:
    """Regexes for a listed name as written, with a space or hyphen between its parts either way, and
    surname first ('Tipene-Walker, Aroha', 'Tipene-Walker Aroha')."""
    words = name.split()
    if not words:
        return []

    def word(w: str) -> str:
        return r"[\s\-]*".join(re.escape(part) for part in re.split(r"[\-‐]+", w) if part) or re.escape(w)

    forward = r"\s+".join(word(w) for w in words)
    out = [forward]
    if len(words) > 1:
        out.append(word(words[-1]) + r"\s*,?\s+" + r"\s+".join(word(w) for w in words[:-1]))
    return out


def scan(text: str, *, names: Iterable[str] = (), allow: Iterable[str] = ()) -> list[Hit]:
    """Every piece of personal information in ``text``, in order, minus allowed text."""
    names, allow = list(names), list(allow)
    text = unicodedata.normalize("NFC", text)
    folded, index = fold(text)
    plain, plain_index = fold(text, accents=True)

    def back(start: int, end: int, idx: list[int]) -> tuple[int, int]:
        return idx[start], (idx[end - 1] + 1 if end > start else idx[start])

    hits: list[Hit] = []
    for kind, pattern, valid in (("email", _EMAIL, None), ("phone", _PHONE, None), ("nhi", _NHI, nhi_valid),
                                 ("ird", _IRD, ird_valid), ("address", _ADDRESS, None)):
        for m in pattern.finditer(folded):
            if valid is None or valid(m.group(0)):
                a, b = back(m.start(), m.end(), index)
                hits.append(Hit(kind, a, b, text[a:b].rstrip(".,")))
    for m in _NHI_SPACED.finditer(folded):
        if _nhi_spaced(m):
            a, b = back(m.start(), m.end(), index)
            hits.append(Hit("nhi", a, b, text[a:b]))
    for start, end in _spoken_phones(folded):
        a, b = back(start, end, index)
        hits.append(Hit("phone", a, b, text[a:b]))
    unspelled, unspelled_index = _unspelled(folded)
    if unspelled != folded:
        for m in _EMAIL.finditer(unspelled):
            if any(unspelled_index[i] != unspelled_index[i - 1] + 1 for i in range(m.start() + 1, m.end())):
                start, end = unspelled_index[m.start()], unspelled_index[m.end() - 1] + 1
                a, b = back(start, end, index)
                hits.append(Hit("email", a, b, text[a:b].rstrip(".,")))
    for start, end in _name_spans(plain, names):
        a, b = back(start, end, plain_index)
        hits.append(Hit("name", a, b, text[a:b]))
    allowed = [back(a, b, index) for a, b in _spans(folded, _fold_phrases(allow, False))]
    kept: list[Hit] = []
    for hit in sorted(hits, key=lambda h: (h.start, -h.end)):
        if any(a <= hit.start and hit.end <= b for a, b in allowed):
            continue
        # one report per stretch of text: an IRD-looking run inside a phone number is the phone number
        if kept and hit.start < kept[-1].end and hit.kind in ("ird", "phone") and kept[-1].kind in ("phone", "ird"):
            continue
        kept.append(hit)
    return kept


def _name_spans(plain: str, names: list[str]) -> list[tuple[int, int]]:
    out = []
    for name in _fold_phrases(names, True):
        for pattern in _name_patterns(name):
            for m in re.finditer(pattern, plain, re.I):
                start, end = m.start(), m.end()
                if (start == 0 or not plain[start - 1].isalnum()) and (end == len(plain) or not plain[end].isalnum()):
                    out.append((start, end))
    return out


WHAT = {
    "email": ("an e-mail address", "remove it; if it is the publisher's own address, add it to "
              "privacy.allow in config.yaml"),
    "phone": ("a phone number", "remove it; if it is the publisher's own number, add it to privacy.allow "
              "in config.yaml"),
    "nhi": ("an NHI number", "remove it: a health identifier must never appear in a narrative"),
    "ird": ("an IRD number", "remove it: a tax number must never appear in a narrative"),
    "address": ("a street address", "remove it or name only the town or suburb; if it is the publisher's "
                "own address, add it to privacy.allow in config.yaml"),
    "name": ("a name on the list of names that must not appear (privacy.names in config.yaml)",
             "use the changed name agreed with the storyteller"),
}


# ---- what is published ------------------------------------------------------------------------------

_TAG = re.compile(r"<[^>]*>")
_HREF = re.compile(r"""\bhref\s*=\s*("([^"]*)"|'([^']*)')""", re.I)


def visible_texts(html: str) -> list[str]:
    """What a reader can see or follow in an HTML fragment: its text (tags dropped, and tags read as
    spaces, so that both "a<em>b</em>" and "<p>a</p><p>b</p>" are read as written) and its link targets."""
    hrefs = [htmlmod.unescape(m.group(2) or m.group(3) or "") for m in _HREF.finditer(html)]
    joined = htmlmod.unescape(_TAG.sub("", html))
    spaced = re.sub(r"\s+", " ", htmlmod.unescape(_TAG.sub(" ", html)))
    return [joined, spaced, *hrefs]


def _key(hit: Hit) -> tuple[str, str]:
    return hit.kind, re.sub(r"\s+", " ", fold(hit.text, accents=True)[0]).strip().lower()


def rendered(source: str, published: Iterable[str], *, names: Iterable[str] = (),
             allow: Iterable[str] = ()) -> list[Hit]:
    """Personal information in the ``published`` texts of a field that is not already in its ``source``
    (that is reported where it is written): what placeholders or Markdown produced."""
    names, allow = list(names), list(allow)
    known = {_key(h) for h in scan(source, names=names, allow=allow)}
    out: list[Hit] = []
    for text in published:
        for hit in scan(text, names=names, allow=allow):
            key = _key(hit)
            if key not in known:
                known.add(key)
                out.append(hit)
    return out

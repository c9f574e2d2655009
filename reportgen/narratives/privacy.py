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
reports each hit as the original text. ``rendered`` scans what is published
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
    for start, end in _spans(plain, _fold_phrases(names, True)):
        if (start == 0 or not plain[start - 1].isalnum()) and (end == len(plain) or not plain[end].isalnum()):
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

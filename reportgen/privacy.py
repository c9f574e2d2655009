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
"""

from __future__ import annotations

import re
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


def _spans(text: str, phrases: Iterable[str]) -> list[tuple[int, int]]:
    out = []
    for phrase in phrases:
        if phrase.strip():
            pattern = r"\s+".join(re.escape(w) for w in phrase.split())
            out += [(m.start(), m.end()) for m in re.finditer(pattern, text, re.I)]
    return out


def scan(text: str, *, names: Iterable[str] = (), allow: Iterable[str] = ()) -> list[Hit]:
    """Every piece of personal information in ``text``, in order, minus allowed text."""
    hits: list[Hit] = []
    for kind, pattern, valid in (("email", _EMAIL, None), ("phone", _PHONE, None), ("nhi", _NHI, nhi_valid),
                                 ("ird", _IRD, ird_valid), ("address", _ADDRESS, None)):
        for m in pattern.finditer(text):
            if valid is None or valid(m.group(0)):
                hits.append(Hit(kind, m.start(), m.end(), m.group(0).rstrip(".,")))
    for start, end in _spans(text, names):
        if (start == 0 or not text[start - 1].isalnum()) and (end == len(text) or not text[end].isalnum()):
            hits.append(Hit("name", start, end, text[start:end]))
    allowed = _spans(text, allow)
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

"""Text from inputs, made safe to print, and look-alike characters named.

Codes, categories, file names and narrative text reach the terminal, the JSON
of ``check --format json`` and the preview's panel inside findings. A control
character in them (``ESC ] 0;…BEL`` retitles the terminal, ``ESC [2J`` clears
it, a carriage return rewrites the line shown), an invisible or bidirectional
formatting character, or a lone surrogate (which no output encoding accepts)
is shown as an escape instead: ``\\x1b``, ``\\r``, ``\\u202e``, ``\\udcff``.

A near-miss suggestion ("did you mean 'ANG001'?") for a code that differs from
the right one only by characters that look the same (a Cyrillic А for a Latin
A, a fullwidth Ａ, an invisible zero-width space) says so, since the two look
identical on screen. Only the standard library is used.
"""

from __future__ import annotations

import re
import unicodedata

# C0 and C1 controls, DEL, line and paragraph separators, format characters (zero-width spaces and
# joiners, bidirectional embeddings and overrides, soft hyphen, BOM) and surrogates
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff"
                     "\ufff9-\ufffb\ud800-\udfff]")
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escape(m: re.Match) -> str:
    c = m.group(0)
    if c in _NAMED:
        return _NAMED[c]
    code = ord(c)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def _is_unsafe_category(c: str) -> bool:
    return unicodedata.category(c) in ("Cc", "Cf", "Cs", "Zl", "Zp")


def escape_controls(text: str) -> str:
    """``text`` with every control, invisible formatting character and surrogate written as an escape."""
    if text.isprintable():  # the common case, in C
        return text
    out = _UNSAFE.sub(_escape, text)
    if out.isprintable() or not any(_is_unsafe_category(c) for c in out):
        return out
    return "".join(_escape_any(c) for c in out)  # another format character (rare): by category


def _escape_any(c: str) -> str:
    if not _is_unsafe_category(c):
        return c
    code = ord(c)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def clip(text: str, limit: int) -> str:
    """At most ``limit`` characters, with '…' where cut."""
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "…"


# ---- look-alikes --------------------------------------------------------------------------------
# Letters of other scripts that look like Latin letters in the fonts terminals and editors use
# (Unicode's confusables, the ones that matter for short codes and names).
_CONFUSABLE = {
    # Cyrillic
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C", "Т": "T",
    "Х": "X", "У": "Y", "І": "I", "Ј": "J", "Ѕ": "S", "Ԛ": "Q", "Ԝ": "W", "Ү": "Y", "Һ": "h",
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s",
    "ԁ": "d", "ԛ": "q", "ԝ": "w", "һ": "h", "ӏ": "l", "Ӏ": "I", "ё": "ë", "ї": "ï",
    # Greek
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O",
    "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "ο": "o", "ν": "v", "ι": "i", "κ": "k", "ρ": "p", "υ": "u",
    "α": "a", "τ": "t",
    # Armenian, Cherokee and others seen in spoofing
    "օ": "o", "ս": "u", "Տ": "S", "Ꭺ": "A", "Ꭼ": "E", "Ꮋ": "H", "Ꮯ": "C", "Ꭲ": "T",
    # Latin letters that pass for others
    "ı": "i", "ȷ": "j", "ɑ": "a", "ɡ": "g",
}
_CONFUSABLE_TABLE = str.maketrans(_CONFUSABLE)


def latin_lookalike(c: str) -> str | None:
    """The Latin letter a letter of another script passes for (Cyrillic а → a), or None."""
    return _CONFUSABLE.get(c)


def skeleton(text: str) -> str:
    """What ``text`` looks like: compatibility forms folded (fullwidth Ａ → A), invisible characters
    dropped, and letters of other scripts that look Latin read as the Latin letter."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    return text.translate(_CONFUSABLE_TABLE)


def _script(c: str) -> str:
    name = unicodedata.name(c, "")
    for script in ("CYRILLIC", "GREEK", "ARMENIAN", "CHEROKEE", "FULLWIDTH", "LATIN"):
        if name.startswith(script):
            return script.capitalize()
    return ""


def describe_char(c: str) -> str:
    """'a Cyrillic А (U+0410)', 'an invisible U+200B (ZERO WIDTH SPACE)'."""
    code = f"U+{ord(c):04X}"
    if unicodedata.category(c) == "Cf":
        return f"an invisible {code} ({unicodedata.name(c, 'format character')})"
    script = _script(c)
    if script:
        article = "an" if script[0] in "AEIOU" else "a"
        return f"{article} {script} {c} ({code})"
    return f"{c} ({code}, {unicodedata.name(c, 'unnamed').lower()})"


def lookalikes(word: str) -> list[str]:
    """The characters of ``word`` that only look like plain letters or digits (each once)."""
    seen: list[str] = []
    for c in word:
        if c.isascii() or c in seen:
            continue
        if unicodedata.category(c) == "Cf" or c in _CONFUSABLE or unicodedata.normalize("NFKC", c) != c:
            seen.append(c)
    return seen


def lookalike_note(word: str, near: str) -> str | None:
    """Why ``word`` and ``near`` look the same on screen though they differ, or None when they do not
    look the same: "'АNG001' contains a Cyrillic А (U+0410), not a Latin A: the two look the same on
    screen"."""
    if word == near or skeleton(word).casefold() != skeleton(near).casefold():
        return None
    chars = lookalikes(word)
    if not chars:
        return None
    parts = []
    for c in chars[:3]:
        plain = skeleton(c)
        parts.append(describe_char(c) + (f", not a Latin {plain}" if plain and plain.isascii() and plain.isalpha()
                                         else f", not {plain}" if plain and plain.isascii() else ""))
    more = f" and {len(chars) - 3} more such characters" if len(chars) > 3 else ""
    return (f"'{escape_controls(word)}' contains {' and '.join(parts)}{more}: the two look the same on screen "
            "but are different text")

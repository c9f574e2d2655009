"""Phrases in another language than the document's: tagged so that screen readers say them right.

Two ways a phrase is tagged (docs/editors-guide.md):

- an editor marks it: ``[[mi: ngā mihi nui]]`` (a language tag, a colon, the phrase, in double
  square brackets); ``problems`` finds markup that is malformed, each with a code;
- the config's glossary (``glossary.mi``, with sensible defaults in ``config.py``) lists common
  words and phrases, tagged wherever they appear in a document's text — the narratives and the
  templates' fixed text alike.

``tag_html`` does both on a whole document's HTML, once, after the template is rendered: each
phrase becomes ``<span lang="mi">…</span>``, which WeasyPrint's structure tree carries as
``/Lang (mi)`` (render_pdf.py). Text inside an element that already has a language, and the
``<head>`` (where markup is only removed), are left as they are.
"""

from __future__ import annotations

import re

# [[mi: phrase]]: a language tag (ISO 639 two or three letters, optional subtags), a colon, the phrase
MARKUP = re.compile(r"\[\[\s*([A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)\s*:\s*([^\[\]]*?)\s*\]\]")
_OPEN = re.compile(r"\[\[")
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9:-]*)([^>]*)>")
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_SKIP = {"style", "script", "title", "code", "pre", "svg", "textarea"}
# languages an editor may mark (the federation's writing: te reo Māori and the Pacific languages
# of its communities); anything else is a finding, as it is most likely a typing mistake
KNOWN = {"mi": "te reo Māori", "sm": "Samoan", "to": "Tongan", "fj": "Fijian", "niu": "Niuean",
         "rar": "Cook Islands Māori", "tkl": "Tokelauan", "en": "English"}


def problems(text: str) -> list[tuple[str, str, str]]:
    """Malformed language markup in an editor's text: (code, message, the offending fragment)."""
    out: list[tuple[str, str, str]] = []
    covered: list[tuple[int, int]] = []
    for m in MARKUP.finditer(text):
        covered.append(m.span())
        lang, phrase = m.group(1), m.group(2)
        if lang.split("-")[0].lower() not in KNOWN:
            out.append(("lang.unknown-language", f"'{lang}' in '{m.group(0)[:60]}' is not a language reportgen "
                        f"knows: use {', '.join(sorted(KNOWN))}", m.group(0)))
        elif not phrase:
            out.append(("lang.empty", f"'{m.group(0)}' marks no words: write the phrase after the colon",
                        m.group(0)))
        elif _TAG.search(phrase) or "*" in phrase.replace("**", "") and phrase.count("*") % 2:
            out.append(("lang.unbalanced", f"the emphasis in '{m.group(0)[:60]}' starts or ends outside "
                        "the brackets: put *…* wholly inside or wholly outside", m.group(0)))
    for m in _OPEN.finditer(text):
        if not any(a <= m.start() < b for a, b in covered):
            rest = text[m.start():m.start() + 40]
            close = text.find("]]", m.start())
            fragment = text[m.start():close + 2] if close != -1 and "\n" not in text[m.start():close] else rest
            out.append(("lang.malformed", f"'{fragment[:60]}' is not language markup: write [[mi: the phrase]] "
                        "(a language, a colon, the phrase, two closing brackets)", fragment))
    return out


def plain(text: str) -> str:
    """``text`` with the markup taken away (the phrase kept): for titles and metadata."""
    return MARKUP.sub(lambda m: m.group(2), text)


def _glossary_pattern(phrases: list[str]) -> re.Pattern | None:
    if not phrases:
        return None
    alternatives = []
    for phrase in sorted(set(phrases), key=lambda p: (-len(p), p)):
        first = phrase[0]
        head = f"[{re.escape(first.lower())}{re.escape(first.upper())}]" if first.lower() != first.upper() \
            else re.escape(first)
        alternatives.append(head + re.escape(phrase[1:]).replace(r"\ ", r"\s+"))
    return re.compile(r"(?<![\w\-’'])(" + "|".join(alternatives) + r")(?![\w\-’'])")


def _mark_text(text: str, pattern: re.Pattern | None, lang: str) -> str:
    if pattern is None:
        return text
    return pattern.sub(lambda m: f'<span lang="{lang}">{m.group(0)}</span>', text)


def _balanced(fragment: str) -> bool:
    stack = []
    for m in _TAG.finditer(fragment):
        name = m.group(2).lower()
        if name in _VOID or m.group(3).rstrip().endswith("/"):
            continue
        if m.group(1):
            if not stack or stack.pop() != name:
                return False
        else:
            stack.append(name)
    return not stack


def _convert_markup(body: str) -> str:
    def one(m: re.Match) -> str:
        lang, phrase = m.group(1), m.group(2)
        inside_tag = body.rfind("<", 0, m.start()) > body.rfind(">", 0, m.start())
        if inside_tag or lang.split("-")[0].lower() not in KNOWN or not phrase or not _balanced(phrase):
            return phrase if inside_tag else m.group(0)  # left as written (``problems`` reports it)
        return f'<span lang="{lang}">{phrase}</span>'

    return MARKUP.sub(one, body)


_UNIT = re.compile(r"(?<=\d) (?=%)")  # an editor's "42 %": the number and its unit must not split


def tag_html(html: str, glossary: dict[str, list[str]], *, document_lang: str = "en") -> str:
    """A whole document's HTML with marked phrases and glossary phrases in ``<span lang>``; and,
    in every text, a no-break space between a number and "%" (an editor types a plain space)."""
    start = html.find("<body")
    head, body = (html[:start], html[start:]) if start != -1 else ("", html)
    head = plain(head)
    body = _convert_markup(body)
    patterns = {lang: _glossary_pattern(phrases) for lang, phrases in glossary.items()
                if lang.split("-")[0] != document_lang.split("-")[0]}
    out: list[str] = []
    stack: list[tuple[str, bool]] = []  # (element, whether it or an ancestor has a language or is skipped)
    pos = 0
    for m in _TAG.finditer(body):
        text = body[pos:m.start()]
        if text:
            quiet = bool(stack and stack[-1][1])
            if not any(name in _SKIP for name, _ in stack):
                text = _UNIT.sub("\u00a0", text)
            if not quiet:
                for lang, pattern in patterns.items():
                    text = _mark_text(text, pattern, lang)
            out.append(text)
        out.append(m.group(0))
        name = m.group(2).lower()
        if m.group(1):  # a closing tag: pop to its element
            for k in range(len(stack) - 1, -1, -1):
                if stack[k][0] == name:
                    del stack[k:]
                    break
        elif name not in _VOID and not m.group(3).rstrip().endswith("/"):
            quiet = (bool(stack and stack[-1][1]) or name in _SKIP
                     or (name != "html" and re.search(r"\slang\s*=", m.group(3)) is not None))
            stack.append((name, quiet))
        pos = m.end()
    out.append(body[pos:])
    return head + "".join(out)

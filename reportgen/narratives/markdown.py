"""Markdown in narrative text: CommonMark, no raw HTML, links only to http(s) and mailto.

Two lines of defence: markdown-it renders with raw HTML switched off (an
editor's ``<script>`` comes out as text) and refuses other link schemes;
then nh3 cleans the result against an allow-list. ``problems`` reports what
an editor wrote that will not appear as they meant (raw HTML, images, links
to other schemes), so a hostile or mistaken narrative is caught, not only
neutralised.
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

ALLOWED_SCHEMES = ("http://", "https://", "mailto:")
_ALLOWED_TAGS = {"p", "em", "strong", "a", "ul", "ol", "li", "blockquote", "br", "code", "h3", "h4", "hr"}


def _link_ok(url: str) -> bool:
    return url.strip().lower().startswith(ALLOWED_SCHEMES)


def _renderer() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.validateLink = _link_ok  # type: ignore[method-assign]  # markdown-it-py's documented way to vet links
    md.disable("image")
    return md


def _inspector() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True})
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    return md


_MD, _INSPECT = _renderer(), _inspector()


def markdown_to_html(text: str, *, inline: bool = False) -> str:
    """CommonMark → HTML with raw HTML escaped, then an allow-list sanitiser as a second line."""
    html = _MD.renderInline(text) if inline else _MD.render(text)
    return nh3.clean(html, tags=_ALLOWED_TAGS, attributes={"a": {"href"}},
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener")


def problems(text: str) -> list[tuple[str, str, str]]:
    """What will not render as written: (code, message, the offending fragment)."""
    out: list[tuple[str, str, str]] = []

    def walk(tokens):
        for tok in tokens:
            if tok.type in ("html_block", "html_inline"):
                frag = tok.content.strip().splitlines()[0] if tok.content.strip() else tok.content
                out.append(("markdown.raw-html", f"HTML is not allowed in narrative text: {frag[:60]}", frag))
            elif tok.type == "image":
                src = str(tok.attrGet("src") or "")
                out.append(("markdown.image", f"images cannot be placed in narrative text ({src[:60]})",
                            src or "!["))
            elif tok.type == "link_open":
                href = str(tok.attrGet("href") or "")
                if not _link_ok(href):
                    out.append(("markdown.unsafe-link",
                                f"a link to '{href[:60]}' is not allowed: only http, https and mailto links",
                                href))
            if tok.children:
                walk(tok.children)

    walk(_INSPECT.parse(text))
    return out

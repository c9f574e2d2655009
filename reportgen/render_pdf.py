"""Render stage (PDF): WeasyPrint, tagged PDF/UA-1, fetching only allowed files.

The URL fetcher serves ``data:`` URLs and files inside the allowed folders
(the project's templates and assets) and refuses everything else — the
network, ``file:///etc/passwd`` — so a hostile template or narrative cannot
pull anything into the PDF. Refusals are recorded and reported as findings.
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetchingError

from .findings import Finding
from .render_html import Document, template_dirs


class RestrictedFetcher(URLFetcher):
    """A URLFetcher that serves data: URLs and files under ``allowed`` only."""

    def __init__(self, allowed: list[Path], **kwargs):
        super().__init__(allowed_protocols=["data", "file"], allow_redirects=False, timeout=1, **kwargs)
        self.allowed = [p.resolve() for p in allowed]
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file":
            path = Path(unquote(urlsplit(url).path)).resolve()
            if any(path.is_relative_to(root) for root in self.allowed) and path.is_file():
                return super().fetch(url, headers)
        self.refused.append(url)
        raise URLFetchingError(f"reportgen does not fetch {url}")


def render_pdf(html: str, *, base_dir: Path, allowed: list[Path], source: str) -> tuple[bytes, list[Finding]]:
    fetcher = RestrictedFetcher(allowed)
    logger = logging.getLogger("weasyprint")
    previous = logger.level
    logger.setLevel(logging.ERROR)  # refusals are reported as findings below
    try:
        pdf = HTML(string=html, base_url=str(base_dir) + "/", url_fetcher=fetcher).write_pdf(
            pdf_variant="pdf/ua-1")
    finally:
        logger.setLevel(previous)
    findings = [Finding("render.blocked-url", "warning", f"refused to fetch '{url}' while making the PDF",
                        file=source, hint="documents may only use files in templates/ and data: URLs")
                for url in dict.fromkeys(fetcher.refused)]
    return pdf, findings


def render_documents(documents: list[Document], config) -> list[tuple[bytes, list[Finding]]]:
    """Lay out every document as PDF, in order; files may come only from the template folders."""
    allowed = template_dirs(config)
    return [render_pdf(doc.html, base_dir=config.root / "templates", allowed=allowed, source=f"{doc.name}.html")
            for doc in documents]

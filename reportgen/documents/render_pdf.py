"""Render stage (PDF): WeasyPrint, tagged PDF/UA-1, fetching only allowed files.

The URL fetcher serves ``data:`` URLs and files inside the allowed folders
(the project's templates and assets) and refuses everything else — the
network, ``file:///etc/passwd`` — so a hostile template or narrative cannot
pull anything into the PDF. Refusals are recorded and reported as findings.

Documents are independent, so they are laid out in parallel on the build's
worker processes (``workers.py``; the job function is module level). Each PDF is cached under
``.reportgen-cache/pdf/<sha256>.pdf`` (``cache.cache_dir``) where the hash covers the exact HTML,
the renderer (WeasyPrint's version, this module's source) and every file
the fetcher may serve (the template folders), so an unchanged document is
never laid out twice and a changed one never comes from the cache.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..core.findings import Finding
from ..runtime.workers import Workers, default_jobs
from .render_html import Document, template_dirs


def pdf_cache(config) -> Path:
    """The folder of cached layouts (``<cache_dir>/pdf``)."""
    from ..runtime.cache import cache_dir

    return cache_dir(config.root) / "pdf"



def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetchingError

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

    return RestrictedFetcher


def __getattr__(name: str):
    # ``RestrictedFetcher`` stays importable without importing WeasyPrint for every user of this module
    if name == "RestrictedFetcher":
        return _fetcher_class()
    raise AttributeError(name)


_SCOPES = {"col": "/Column", "row": "/Row", "colgroup": "/Column", "rowgroup": "/Row", "both": "/Both"}


def _structure_attributes() -> None:
    """Carry two HTML attributes into the PDF's structure tree, which WeasyPrint 70 leaves out:
    a table header cell's ``scope`` (as /A /Scope /Column or /Row, PDF/UA's table rule) and an
    element's ``lang`` (as /Lang, so a screen reader switches to te reo Māori for a phrase).
    WeasyPrint builds the tree in ``weasyprint.pdf.tags._build_box_tree``, recursively through
    the module's own name; this wraps it once per process. Only attributes are added: the tree
    itself, and everything else in the PDF, is WeasyPrint's."""
    import pydyf
    from weasyprint.formatting_structure import boxes
    from weasyprint.pdf import tags

    if getattr(tags._build_box_tree, "reportgen", False):
        return
    original = tags._build_box_tree

    def build(box, *args, **kwargs):
        for element in original(box, *args, **kwargs):
            node = getattr(box, "element", None)
            if node is not None and getattr(box, "element_tag", None) not in ("html", "body") \
                    and not isinstance(box, boxes.PageBox):
                if element.get("S") == "/TH" and "A" in element:
                    scope = _SCOPES.get((node.attrib.get("scope") or "").lower())
                    if scope:
                        element["A"]["Scope"] = scope
                lang = node.attrib.get("lang")
                if lang:
                    element["Lang"] = pydyf.String(lang)
            yield element

    build.reportgen = True  # type: ignore[attr-defined]
    tags._build_box_tree = build


def render_pdf(html: str, *, base_dir: Path, allowed: list[Path], source: str) -> tuple[bytes, list[Finding]]:
    from weasyprint import HTML

    _structure_attributes()

    fetcher = _fetcher_class()(allowed)
    logger = logging.getLogger("weasyprint")
    previous = logger.level
    logger.setLevel(logging.ERROR)  # refusals are reported as findings below
    try:
        pdf = HTML(string=html, base_url=str(base_dir) + "/", url_fetcher=fetcher).write_pdf(
            pdf_variant="pdf/ua-1")
    finally:
        logger.setLevel(previous)
    pdf = _relative_links(pdf, base_dir)
    findings = [Finding("render.blocked-url", "warning", f"refused to fetch '{url}' while making the PDF",
                        file=source, hint="documents may only use files in templates/ and data: URLs")
                for url in dict.fromkeys(fetcher.refused)]
    return pdf, findings


def _relative_links(pdf: bytes, base_dir: Path) -> bytes:
    """Links to files beside the document (a table, a brief) made relative again. WeasyPrint
    resolves every relative ``href`` against its base URL (the templates folder), which would
    leave a ``file://`` path to the build machine in the PDF; this writes the path relative to
    the document instead (``tables/clients.csv``, ``../report.html``), as the HTML has it, so
    the links work wherever the bundle is unpacked. Web and mailto links are left alone."""
    import io

    import pikepdf

    base = base_dir.resolve()
    changed = False
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        for page in doc.pages:
            for annot in page.get("/Annots", []):
                action = annot.get("/A")
                uri = str(action.get("/URI", "")) if action is not None else ""
                if uri.lower().startswith("file:"):
                    target = Path(unquote(urlsplit(uri).path))
                    fragment = urlsplit(uri).fragment
                    relative = os.path.relpath(target, base).replace(os.sep, "/")
                    action.URI = pikepdf.String(relative + (f"#{fragment}" if fragment else ""))
                    if str(annot.get("/Contents", "")).lower().startswith("file:"):
                        annot.Contents = action.URI  # the link's description (PDF/UA) named the path too
                    changed = True
        if not changed:
            return pdf
        # WeasyPrint's /ID hashes the file as it wrote it, build-folder paths included, and qpdf
        # keeps an existing first ID: drop it, so both IDs come from the rewritten content and the
        # same document gives the same bytes wherever it was laid out
        if "/ID" in doc.trailer:
            del doc.trailer["/ID"]
        out = io.BytesIO()
        doc.save(out, deterministic_id=True)
    return out.getvalue()


def _render_job(job: tuple[str, str, list[str], str], then: Then | None = None) -> tuple[bytes, list[dict], bytes]:
    """Worker (module level, so a spawned process can import it): lay out one document, and apply
    ``then`` (a draft's marks) to it at once; returns the PDF as laid out (for the cache), the
    findings and the finished PDF."""
    html, base_dir, allowed, source = job
    pdf, findings = render_pdf(html, base_dir=Path(base_dir), allowed=[Path(a) for a in allowed], source=source)
    return pdf, [f.to_dict() for f in findings], _finish(pdf, then)


# A step applied on the workers to every PDF once it exists, laid out or from the cache: a module-level
# function and its further arguments, ``fn(pdf, *args) -> bytes`` (the draft's stamp, ``release/stamp.py``).
Then = tuple[Callable[..., bytes], tuple]


def _finish(pdf: bytes, then: Then | None) -> bytes:
    return pdf if then is None else then[0](pdf, *then[1])


def renderer_digest(allowed: list[Path]) -> str:
    """What, besides the HTML, decides the PDF: WeasyPrint's version, this module, the fetchable files."""
    from importlib.metadata import version

    h = hashlib.sha256(f"weasyprint {version('weasyprint')}\n".encode())
    h.update(Path(__file__).read_bytes())
    for folder in allowed:
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            h.update(f"{path.relative_to(folder).as_posix()}\0".encode() + hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def layout_key(html: str, renderer: str) -> str:
    return hashlib.sha256(renderer.encode() + b"\0" + html.encode("utf-8")).hexdigest()


def _cached(folder: Path, key: str) -> tuple[bytes, list[Finding]] | None:
    pdf, meta = folder / f"{key}.pdf", folder / f"{key}.json"
    try:
        data, findings = pdf.read_bytes(), json.loads(meta.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if hashlib.sha256(data).hexdigest() != findings.get("sha256"):
        return None  # a torn or tampered entry is ignored, never served
    return data, [Finding(**f) for f in findings["findings"]]


def _store(folder: Path, key: str, pdf: bytes, findings: list[Finding]) -> None:
    from ..runtime.cache import atomic_write

    meta = json.dumps({"sha256": hashlib.sha256(pdf).hexdigest(), "findings": [f.to_dict() for f in findings]})
    # atomic: readers see the old entry or the whole new one; a full disk costs the entry, never the build
    if atomic_write(folder / f"{key}.pdf", pdf):
        atomic_write(folder / f"{key}.json", meta.encode("utf-8"))


class Rendering:
    """PDF layout on the workers, document by document as they are added; ``result()`` waits
    for all of them and returns (PDF, findings) in the order the documents were added.

    ``then`` (a draft's marks) is applied on the workers to each PDF as soon as it exists: a cached
    one at once, while the others are still being laid out; a new one by the job that lays it out.
    The cache keeps the PDF as laid out, and ``result()`` returns the finished ones."""

    def __init__(self, config, workers: Workers, use_cache: bool = True, then: Then | None = None):
        self.allowed = template_dirs(config)
        self.base_dir = config.root / "templates"
        self.folder = pdf_cache(config)
        self.renderer = renderer_digest(self.allowed)
        self.workers, self.use_cache, self.then = workers, use_cache, then
        # (cache key, and either a Future of a new layout, or the cached PDF's findings and a Future of it finished)
        self._entries: list[tuple[str, object]] = []
        self.laid_out: list[str] = []  # names of the documents laid out (not from the cache)

    def add(self, documents: list[Document]) -> Rendering:
        """Start laying out those of ``documents`` that are not cached (the longest first)."""
        keys = [layout_key(doc.html, self.renderer) for doc in documents]
        found = [_cached(self.folder, key) if self.use_cache else None for key in keys]
        entries: list = [None] * len(documents)
        for i in sorted((i for i, f in enumerate(found) if f is None), key=lambda i: -len(documents[i].html)):
            job = (documents[i].html, str(self.base_dir), [str(a) for a in self.allowed], f"{documents[i].name}.html")
            entries[i] = (keys[i], self.workers.submit(_render_job, job, self.then))
            self.laid_out.append(documents[i].name)
        for i, hit in enumerate(found):
            if hit is not None:
                pdf, findings = hit
                entries[i] = (keys[i], (findings, self._finished(pdf)))
        self._entries += entries
        return self

    def _finished(self, pdf: bytes) -> Future:
        if self.then is None:
            done: Future = Future()
            done.set_result(pdf)
            return done
        fn, args = self.then
        return self.workers.submit(fn, pdf, *args)

    def result(self) -> list[tuple[bytes, list[Finding]]]:
        out = []
        for key, entry in self._entries:
            if isinstance(entry, Future):
                pdf, found, finished = entry.result()
                findings = [Finding(**f) for f in found]
                try:
                    _store(self.folder, key, pdf, findings)
                except OSError:
                    pass  # a read-only project still builds; it just does not cache
                out.append((finished, findings))
            else:
                findings, done = entry  # type: ignore[misc]
                out.append((done.result(), findings))
        return out


def start_rendering(documents: list[Document], config, workers: Workers, use_cache: bool = True) -> Rendering:
    """Start laying out the documents that are not cached, on ``workers`` (in this process, at
    once, when it has one job), so the caller can do other work meanwhile; ``.add()`` starts
    more; ``.result()`` is ``render_documents``'s result."""
    return Rendering(config, workers, use_cache).add(documents)


def render_documents(documents: list[Document], config, jobs: int | None = None,
                     use_cache: bool = True) -> list[tuple[bytes, list[Finding]]]:
    """Lay out every document as PDF (results in the documents' order).

    ``jobs``: at most this many processes (default: the available cores; 1 lays
    out in this process, one after another). ``use_cache=False`` lays out every
    document afresh (the new PDFs still refresh the cache).
    """
    folder, renderer = pdf_cache(config), renderer_digest(template_dirs(config))
    todo = sum(1 for d in documents if not use_cache or _cached(folder, layout_key(d.html, renderer)) is None)
    with Workers(1 if todo <= 1 else min(jobs or default_jobs(), todo)) as workers:
        return start_rendering(documents, config, workers, use_cache=use_cache).result()

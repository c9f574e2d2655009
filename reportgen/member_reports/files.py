"""Members' private reports as files, in ``output/<period>/internal/members/`` (never in a bundle).

    members/<org>.html   the report (self-contained, accessible HTML)
    members/<org>.pdf    the same HTML laid out as a tagged PDF (PDF/UA-1)
    members/index.csv    the mailing manifest: org_id, name, contact, each file and its SHA-256

A build lays the PDFs out on its worker processes, beside the public
documents' layouts, through the same ``render_pdf.Rendering``: each PDF is
cached under the exact HTML, so a member whose report did not change is not
laid out again (a story edit lays out only the member whose story it is).
The HTML says whether the published figures beside the member's are a draft's
or the final release's (a render-time name, ``final``, like the public
documents' ``review``): a draft's number is not in it, so that consecutive
drafts with the same figures share one layout. The PDF is laid out from a
print version of the HTML (``for_print``): the two-page letter, without the
breakdown tables, the full list of findings and the stories, which the web
HTML has — laid out for every member, they would double a cold build.

``reportgen member-reports PERIOD [--org ORG]`` (``remake``) makes them again
from the inputs of the latest draft or final without building a new draft;
it refuses when the inputs that decide the figures have changed since
(the published figures beside the member's would then be figures no bundle has).
"""

from __future__ import annotations

import csv
import hashlib
import io
from typing import TYPE_CHECKING

from ..core.config import Config
from ..core.findings import Finding
from ..documents.context import MemberContext, variables
from ..documents.render_html import Document
from ..documents.render_html import render as render_template
from .gather import FOLDER, file_stem

if TYPE_CHECKING:
    from ..documents.render_pdf import Rendering  # WeasyPrint: imported only where the PDFs are laid out

INDEX = f"{FOLDER}/index.csv"
INDEX_COLUMNS = ["org_id", "name", "contact", "pdf", "pdf_sha256", "html", "html_sha256"]
# the inputs that decide what a member's report says (its template may change without a new draft)
DECIDING_PARTS = ("config", "data", "register", "narratives", "reportgen", "environment")


def render_member(config: Config, context: MemberContext, final: bool, *, for_print: bool = False) -> Document:
    """One member's report as HTML: the web version (every table, finding and story), or with
    ``for_print`` the two-page letter laid out as its PDF."""
    html = render_template(config, context.template, {**variables(context), "final": final, "for_print": for_print})
    return Document(context.name, context.title, html)


class MemberReports:
    """The member reports of one release: their HTML, made at once; ``start`` lays their PDFs out on the
    build's workers (a build starts them once the public documents are laid out and stamped, so that they
    run while this process audits and writes the bundle); ``files`` waits for them."""

    def __init__(self, config: Config, contexts: tuple[MemberContext, ...], *, final: bool = False,
                 pdf: bool = True):
        self.config, self.contexts, self.pdf = config, contexts, pdf
        self.documents = [render_member(config, c, final) for c in contexts]
        self.printed = [render_member(config, c, final, for_print=True) for c in contexts] if pdf else []
        self.layout: Rendering | None = None

    def start(self, workers, use_cache: bool = True) -> MemberReports:
        """Queue the PDFs' layouts on ``workers`` (nothing to do for reports made as HTML only)."""
        from ..documents.render_pdf import Rendering

        if self.pdf and self.layout is None:
            self.layout = Rendering(self.config, workers, use_cache=use_cache).add(self.printed)
        return self

    @property
    def laid_out(self) -> list[str]:
        """The reports laid out afresh (the others came from the PDF cache)."""
        return list(self.layout.laid_out) if self.layout is not None else []

    def files(self) -> tuple[dict[str, bytes], list[Finding]]:
        """Every report's HTML and (unless made as HTML only) its PDF, waiting for the layouts."""
        files = {f"{doc.name}.html": doc.html.encode("utf-8") for doc in self.documents}
        problems: list[Finding] = []
        if self.pdf:
            assert self.layout is not None, "start() the layouts first"
            for doc, (pdf, found) in zip(self.documents, self.layout.result()):
                files[f"{doc.name}.pdf"] = pdf
                problems += found
        return files, problems

    def rows(self, files: dict[str, bytes]) -> list[dict[str, str]]:
        return [index_row(c, files) for c in self.contexts]


def index_row(context: MemberContext, files: dict[str, bytes]) -> dict[str, str]:
    pdf, html = f"{context.name}.pdf", f"{context.name}.html"
    laid_out = pdf in files  # a quarterly draft's reports are HTML only (docs/member-reports.md)
    return {"org_id": context.org_id, "name": context.member_name, "contact": context.member_contact,
            "pdf": pdf if laid_out else "", "pdf_sha256": hashlib.sha256(files[pdf]).hexdigest() if laid_out else "",
            "html": html, "html_sha256": hashlib.sha256(files[html]).hexdigest()}


def _cell(text: str) -> str:
    """A CSV cell that a spreadsheet will not read as a formula (names and contacts are free text)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def index_csv(rows: list[dict[str, str]]) -> bytes:
    """The mailing manifest, one row per member in org_id order (UTF-8 with a byte-order mark, for Excel)."""
    buf = io.StringIO(newline="")
    writer = csv.DictWriter(buf, fieldnames=INDEX_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in sorted(rows, key=lambda r: r["org_id"]):
        writer.writerow({k: _cell(v) for k, v in row.items()})
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def read_index(data: bytes | None) -> list[dict[str, str]]:
    if not data:
        return []
    text = data.decode("utf-8-sig", errors="replace")
    return [{k: (v or "") for k, v in row.items() if k in INDEX_COLUMNS}
            for row in csv.DictReader(io.StringIO(text, newline=""))]


def member_files(reports: MemberReports) -> tuple[dict[str, bytes], list[Finding]]:
    """``members/*``: every report and the index, for the release's internal folder."""
    files, problems = reports.files()
    files[INDEX] = index_csv(reports.rows(files))
    return files, problems


def merged_internal(current: dict[str, bytes], new: dict[str, bytes]) -> dict[str, bytes]:
    """The internal folder's files with ``new`` over them; when ``new`` has the member reports' index,
    the reports folder is replaced whole, so that a report no longer made does not linger beside it."""
    if INDEX in new:
        current = {k: v for k, v in current.items() if not k.startswith(f"{FOLDER}/")}
    return {**current, **new}


# ---- reportgen member-reports PERIOD [--org ORG] ---------------------------------------------------


__all__ = ["INDEX", "MemberReports", "file_stem", "member_files", "merged_internal", "render_member"]

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
from pathlib import Path

from .config import Config
from .context import MemberContext, variables
from .findings import Finding
from .member_reports import FOLDER, file_stem
from .periods import Period
from .render_html import Document
from .render_html import render as render_template

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
        self.layout = None

    def start(self, workers, use_cache: bool = True) -> MemberReports:
        """Queue the PDFs' layouts on ``workers`` (nothing to do for reports made as HTML only)."""
        from .render_pdf import Rendering

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

def released_with(config: Config, period: Period, fp) -> tuple[bool | None, list[Finding]]:
    """Whether the current inputs are those of the final (True) or of the latest draft (False) — the
    inputs that decide the figures (``DECIDING_PARTS``); None, with a finding, when neither."""
    from . import drafts

    pdir = drafts.period_dir(config, period)
    latest = drafts.latest_draft(pdir)
    candidates = [(True, pdir / "final")] + ([(False, drafts.draft_dir(pdir, latest))] if latest else [])
    found_any = False
    for final, folder in candidates:
        manifest = drafts.read_json(folder / "manifest.json")
        if not manifest:
            continue
        found_any = True
        parts = (manifest.get("inputs") or {}).get("parts") or {}
        if all(parts.get(k) == fp.parts.get(k) for k in DECIDING_PARTS):
            return final, []
    if not found_any:
        return None, [Finding("feedback.no-release", "error", f"there is no draft or final of {period} yet: member "
                              "reports go with a build", hint=f"build one first: reportgen build {period}")]
    changed = sorted(k for k in DECIDING_PARTS if k in fp.parts and _latest_parts(pdir, latest).get(k) != fp.parts[k])
    return None, [Finding("feedback.inputs-changed", "error",
                          f"the inputs changed since the latest draft or final of {period} "
                          f"({', '.join(changed) or 'inputs'}): its members' reports would show figures no "
                          "bundle has", hint=f"build a new draft (reportgen build {period}), which makes every "
                                             "member's report")]


def _latest_parts(pdir: Path, latest: int | None) -> dict:
    from . import drafts

    folder = drafts.draft_dir(pdir, latest) if latest else pdir / "final"
    return ((drafts.read_json(folder / "manifest.json") or {}).get("inputs") or {}).get("parts") or {}


def remake(config: Config, period: Period, org: str | None = None, *, jobs: int | None = None,
           progress=None) -> tuple[list[str], list[Finding]]:
    """Make the member reports of ``period`` again (only ``org``'s when given) from the inputs of its
    latest draft or final, into ``internal/members/``; nothing else is written. Returns the files
    written (relative to the period's folder) and every finding."""
    from . import drafts
    from .cache import StageCache
    from .charts import ChartCache, chart_cache_dir
    from .findings import StageFailed, suggestion_hint
    from .fingerprint import input_fingerprint
    from .member_reports import gather_members, reporting_members
    from .publication import gather, load_inputs
    from .run import Run
    from .workers import Workers

    fp = input_fingerprint(config, period)
    final, findings = released_with(config, period, fp)
    if final is None:
        return [], findings
    run = Run(period, progress, final=final)
    with Workers(jobs) as workers:
        try:
            cache = StageCache(config.root)
            inputs = load_inputs(config, period, run, cache, fp)
            publication = gather(config, period, inputs, run, cache=cache, fp=fp, final=final,
                                 charts=ChartCache(chart_cache_dir(config), workers=workers))
        except StageFailed as exc:
            run.report(exc.findings)
            publication = None
        if publication is None or not run.ok:
            return [], run.findings
        if org is not None:
            want = org.strip().upper()
            orgs = reporting_members(publication)
            if want not in orgs:
                return [], run.findings + [Finding(
                    "feedback.not-reporting", "error", f"'{org}' is not a member with figures in {period}, so it "
                    "has no report", hint=suggestion_hint(want, orgs, "org_ids") if orgs else
                    "no member has figures in this period")]
        contexts = gather_members(publication, only=org)
        with run.stage("member reports"):
            reports = MemberReports(config, contexts, final=final).start(workers)
            files, problems = reports.files()
    run.report(problems)
    pdir = drafts.period_dir(config, period)
    current = drafts.internal_files(pdir)
    rows = {r["org_id"]: r for r in read_index(current.get(INDEX))} if org is not None else {}
    rows.update({r["org_id"]: r for r in reports.rows(files)})
    if org is None:  # every report made again: the folder is replaced whole
        current = {k: v for k, v in current.items() if not k.startswith(f"{FOLDER}/")}
    new = {**files, INDEX: index_csv(list(rows.values()))}
    drafts.write_internal(pdir, {**current, **new})
    return sorted(f"internal/{name}" for name in new), run.findings


__all__ = ["INDEX", "MemberReports", "file_stem", "member_files", "merged_internal", "remake", "render_member"]

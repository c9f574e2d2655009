"""The whole build on one screen: inputs → Publication → documents → release.

    load_inputs   register, events → load → validate → aggregate          (publication.py)
    gather        confidentialise → metrics → narratives → charts → contexts (publication.py)
    documents     HTML of the national report and every brief              (documents.py)
    PDF           laid out on worker processes, cached by exact HTML; a draft's marks stamped there too
                                                                           (render_pdf.py)
    members       each member's private report (a final's laid out on the workers too) (member_reports/)
    tables        tables/*.csv, tables.xlsx, dashboard.json                (tables.py, dashboard.py)
    audit         the disclosure proofs, while the PDFs are laid out (cached on what they read), and
                  no symbol in any sentence; a failed proof writes nothing (audit.py, audit_cache.py)
    release       preview, numbered draft or guarded final                 (release.py)

Stages report findings rather than raising; a build with any error writes
nothing, so earlier outputs stay untouched. The input fingerprint is taken
first (standard library only): an unchanged rebuild returns before pandas,
matplotlib or WeasyPrint is imported.
"""

from __future__ import annotations

from .core.config import Config
from .core.findings import StageFailed
from .core.periods import Period
from .publication import gather, load_inputs
from .release.embargo import Embargoed
from .release.modes import Release, choose
from .runtime.fingerprint import input_fingerprint
from .runtime.run import BuildResult, Progress, Run
from .runtime.workers import Workers

__all__ = ["BuildResult", "build", "check"]


def check(config: Config, period: Period, progress: Progress | None = None, *, use_cache: bool = True) -> BuildResult:
    """``reportgen check``: the gather step stopped after the narratives (nothing drawn or written, but for
    the stage caches a build shares: the data read and validated, the published figures). A check after an
    edit to a narrative then reuses them, as the build after it does; ``use_cache=False``: read everything."""
    from .runtime.cache import StageCache

    run = Run(period, progress)
    fp = _fingerprint(config, period) if use_cache else None
    cache = StageCache(config.root) if fp is not None else None
    try:
        inputs = load_inputs(config, period, run, cache, fp)
        run.result.data = inputs.data
        gather(config, period, inputs, run, cache=cache, fp=fp)
    except StageFailed as exc:
        run.report(exc.findings)
    return run.result


def _fingerprint(config: Config, period: Period):
    """The inputs' fingerprint for ``check``'s cache keys; None (check without the cache) when a file cannot
    be read: the readers then report it at its place, as a finding."""
    try:
        return input_fingerprint(config, period)
    except OSError:
        return None


def build(config: Config, period: Period, progress: Progress | None = None, *, final: bool = False,
          revision: str | None = None, jobs: int | None = None, use_cache: bool = True,
          html_only: bool = False, embargo: tuple | None = None) -> BuildResult:
    """A numbered draft, or with ``final`` the release, or with ``html_only`` the preview's HTML, or with
    ``embargo`` (until, recipient) an embargoed pre-release copy. ``jobs``: worker processes (default:
    every core); ``use_cache=False``: recompute every stage."""
    release = (choose(config, period, final=final, revision=revision, preview=html_only) if embargo is None
               else Embargoed(config, period, *embargo))
    run = Run(period, progress, final=release.final)
    fp = input_fingerprint(config, period, memo=use_cache and not release.final)
    if release.unchanged(fp, use_cache=use_cache):  # nothing rendered, nothing heavy imported
        return run.unchanged(release.previous, release.pdir)
    run.report(release.refusals())
    from .charts import ChartCache, chart_cache_dir
    from .runtime.cache import StageCache

    # a preview lays nothing out; a quarterly draft neither (no chart, the members' reports as HTML only)
    with Workers(jobs if lays_out(period, release) else 1) as workers:
        workers.start()  # their imports (WeasyPrint, matplotlib) overlap this process's data stages
        cache = StageCache(config.root, enabled=use_cache)
        charts = ChartCache(chart_cache_dir(config) if use_cache else None, workers=workers)
        try:
            inputs = load_inputs(config, period, run, cache, fp)
            run.result.data = inputs.data
            publication = gather(config, period, inputs, run, cache=cache, fp=fp, charts=charts,
                                 final=release.final)
            if publication is not None:
                run.report(release.blockers(publication, run.findings))
            if publication is None or not run.ok:
                return run.result
            if use_cache and release.nothing_new(publication, fp):  # only another period's final changed
                run.result.nothing_new = True
                return run.unchanged(release.previous, release.pdir)
            return _release(publication, release, run, cache, fp, workers, use_cache)
        except StageFailed as exc:  # a stage that cannot go on (a template that fails, say)
            run.report(exc.findings)
            return run.result


def _release(publication, release: Release, run: Run, cache, fp, workers: Workers, use_cache: bool) -> BuildResult:
    """documents → PDF (on the workers) → members' reports, tables, dashboard, audit (here, meanwhile) →
    write, as the release mode says."""
    from .disclosure.audit import prose_audit
    from .documents.documents import render
    from .documents.render_pdf import Rendering

    web_review, print_review = release.reviews(publication, fp)
    # each PDF is laid out, and a draft's marks stamped on it, on the workers as soon as its HTML exists
    layout = None if release.preview else Rendering(publication.config, workers, use_cache=use_cache,
                                                     then=release.marks(fp))
    web, printed = [], []
    with run.stage("html"):  # each document is laid out as soon as its HTML exists
        for context in publication.documents:
            review = print_review if context.name == "report" else None
            pdf = getattr(context, "pdf", True)  # the dashboard's pages are for the web only
            # the HTML laid out as PDF leaves out what print never shows (each figure's data table: the
            # PDF prints them in its appendix); a preview serves its HTML, as the web has it
            doc = render(publication.config, context, review, for_print=pdf and layout is not None)
            if pdf:
                printed.append(doc)
                if layout is not None:
                    layout.add([doc])
            web.append(render(publication.config, context, web_review) if web_review or doc.for_print else doc)
    run.result.documents = printed or web  # what is laid out as PDF (in a preview: what is served)
    if layout is None:  # the preview: HTML in memory only
        return run.result
    members = None
    if release.members:
        with run.stage("member reports"):  # private, outside the bundle (member_files.py)
            members = member_reports(publication, release).start(workers, use_cache)  # queued behind the PDFs
    with run.stage("tables"):
        files = data_files(publication, cache, fp) | publication.assets
        files |= dashboard_downloads(publication, files)
    with run.stage("audit"):  # reads the tables and the pages' HTML, not the PDFs: it runs while they are laid out
        disclosure, problems = audit(publication, files, cache, fp)
        disclosure, said = prose_audit(disclosure, {f"{doc.name}.html": doc.html.encode("utf-8") for doc in web})
    run.report(problems + said)
    with run.stage("pdf"):  # waits for the layouts (and a draft's marks) on the workers
        files |= document_files(web, printed, layout.result(), run)
    run.result.laid_out = list(layout.laid_out)
    if not run.ok:
        return run.result
    files |= release.records(publication, fp, disclosure)
    files["manifest.json"] = release.manifest(files, disclosure, fp)
    with run.stage("quality"):
        internal = internal_files(publication, run.findings)
    if members is not None:
        with run.stage("member PDFs"):  # waits for the members' layouts on the workers
            internal |= member_report_files(members, run)
    with run.stage("write"):
        run.result.out_dir = release.write(files, internal, fp)
    run.result.files, run.result.draft = sorted(files), getattr(release, "number", None)
    return run.result


def data_files(publication, cache, fp) -> dict[str, bytes]:
    """The published tables and the dashboard data and its schema, from the same store (cached on the
    figures)."""
    from .datafiles.calendar_files import calendar_files
    from .datafiles.dashboard_data import SCHEMA_NAME, dashboard_json, schema_bytes
    from .datafiles.tables import table_file_bytes
    from .publication import published_key

    key, args = published_key(fp, publication.period, publication.config), (
        publication.store, publication.metrics, publication.config, publication.period)
    tables = cache.run("tables", key, table_file_bytes, *args)
    dashboard = cache.run("dashboard", key, dashboard_json, *args, publication.events)
    revisions = publication.revisions.csv() if publication.revisions is not None else b""
    return {**tables, "dashboard.json": dashboard, SCHEMA_NAME: schema_bytes(), "revisions.csv": revisions,
            **calendar_files(publication.config)}


def dashboard_downloads(publication, files: dict[str, bytes]) -> dict[str, bytes]:
    """A quarter's release: its files (and the latest half-year report) copied into ``dashboard/downloads/``,
    inside the folder the website copies; a half-year's bundle has no dashboard pages."""
    if not publication.period.is_quarter:
        return {}
    from .dashboard_site.release_details import download_copies, latest_report

    return download_copies(files, latest_report(publication.config, publication.period))


def document_files(web: list, printed: list, layouts: list, run: Run) -> dict[str, bytes]:
    """Each document's web HTML, and the PDF of each document laid out from its print HTML."""
    files = {f"{doc.name}.html": doc.html.encode("utf-8") for doc in web}
    for doc, (pdf, problems) in zip(printed, layouts):
        files[f"{doc.name}.pdf"] = pdf
        run.report(problems)
    return files


def member_pdfs(period: Period, release: Release) -> bool:
    """Whether the members' reports are laid out as PDFs too: in a final, which is what members receive;
    a draft (half-year or quarter) makes them as HTML only, so that it stays quick (``reportgen
    member-reports`` lays a draft's out when they are wanted)."""
    return release.final


def lays_out(period: Period, release: Release) -> bool:
    """Whether the build lays out any PDF (on worker processes): a half-year's report and briefs, and the
    members' letters of a final; a preview lays out nothing, nor does a quarterly draft."""
    return not release.preview and (period.is_half or member_pdfs(period, release))


def audit(publication, files: dict[str, bytes], cache, fp) -> tuple[dict, list]:
    """The disclosure audit of the bundle's data files (``disclosure/audit.py``); cached on exactly what it
    reads (``disclosure/audit_cache.py``), so that an edit to a story does not prove the same figures again."""
    from .disclosure.audit_cache import cached_audit
    from .publication import published_key

    return cached_audit(cache, published_key(fp, publication.period, publication.config), publication.store,
                        publication.metrics, publication.config, files)


def member_reports(publication, release: Release):
    """Every reporting member's private report, as HTML (``.start`` lays the PDFs out)."""
    from .member_reports.files import MemberReports

    return MemberReports(publication.config, publication.members, final=release.final,
                         pdf=member_pdfs(publication.period, release))


def internal_files(publication, findings: list) -> dict[str, bytes]:
    """For staff, outside every published bundle: the data-quality report."""
    from .documents.quality_report import render_quality_report
    from .release.governance import review_pack

    data, metrics = publication.inputs.data, publication.metrics
    html = render_quality_report(publication.config, publication.period, data.rows, data.register, findings,
                                 publication.aggregates.coverage, metrics.dominance_counts(),
                                 metrics.dominated_regions())
    return {"quality.html": html.encode("utf-8"), **review_pack(publication)}  # and each review's pack (issue 27)


def member_report_files(members, run: Run) -> dict[str, bytes]:
    """``members/*``: each member's report (HTML and its PDF) and the mailing manifest."""
    from .member_reports.files import member_files

    files, problems = member_files(members)
    run.report(problems)
    run.result.members_laid_out = members.laid_out
    run.result.member_reports, run.result.member_pdfs = len(members.contexts), members.pdf
    return files

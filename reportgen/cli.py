"""The command line: ``reportgen build PERIOD``, ``reportgen check PERIOD``,
``reportgen preview PERIOD``, ``reportgen new story|region|report``.

Exit codes: 0 success (warnings allowed), 1 problems in data, config or
narratives — or in the environment (a folder that cannot be written, a full
disk, a project locked by another build, the memory ceiling reached), each a
coded finding with a hint — 2 wrong usage, 3 an internal error (a bug in
reportgen; the details are written to a per-run log file, never shown as a
traceback).

``build`` holds the project's lock (``lock.py``) and both ``build`` and
``check`` run under the memory ceiling (``limits.memory_ceiling``).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import NoReturn

import click

from .core import limits
from .core.config import DEFAULT_CONFIG_NAME, Config, load_config
from .core.findings import Finding, StageFailed
from .core.periods import Period, PeriodError
from .runtime.console import print_findings, summary
from .runtime.memory import fewer_collections
from .runtime.provenance import describe

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
_ROOT: Path | None = None  # the project of this run: where its crash log goes
_CEILING = False  # apply the memory ceiling: for a real command line (main() without argv), not in-process calls


def _fail_usage(message: str) -> NoReturn:
    click.echo(f"reportgen: {message}", err=True)
    sys.exit(EXIT_USAGE)


def _period(text: str, parse=Period.parse_half) -> Period:
    """``text`` parsed as a period (a half-year by default), or a one-line usage error (exit 2)."""
    try:
        return parse(text)
    except PeriodError as exc:
        _fail_usage(str(exc))
        raise  # unreachable


def _release_period(text: str) -> Period:
    """A half-year (the report) or a quarter (the quarterly dashboard) that has ended."""
    return _period(text, Period.parse_release)


def _config(path: str | None) -> Config:
    global _ROOT
    where = Path(path) if path else Path(DEFAULT_CONFIG_NAME)
    _ROOT = where.resolve().parent if where.is_file() else None
    try:
        return load_config(where)
    except StageFailed as exc:
        _print_findings(exc.findings, err=True)
        _summary(exc.findings, err=True)
        sys.exit(EXIT_PROBLEMS)


_print_findings, _summary = print_findings, summary  # the command line's names for them (console.py)


def _progress(quiet: bool):
    from .runtime.progress import make_progress

    return make_progress(quiet)


def _close(progress) -> None:
    if progress is not None:
        progress.close()


def _preflight(command: str) -> None:
    """What is wrong before anything runs, as findings (exit 1): a SOURCE_DATE_EPOCH that is not a time, and
    packages the command needs that are not installed (a member's core-only install running build)."""
    from .runtime.extras import missing, missing_finding
    from .runtime.reproducible import EPOCH_HINT, epoch_problem

    problems = []
    why = epoch_problem()
    if why is not None:
        problems.append(Finding("env.source-date-epoch", "error", why, hint=EPOCH_HINT))
    gone = missing(command)
    if gone:
        problems.append(missing_finding(command, gone))
    if problems:
        _print_findings(problems, err=True)
        _summary(problems, err=True)
        sys.exit(EXIT_PROBLEMS)


config_option = click.option("--config", "config_path", metavar="PATH", default=None,
                             help=f"config file (default: ./{DEFAULT_CONFIG_NAME})")
quiet_option = click.option("--quiet", "-q", is_flag=True, help="print only problems and the result")
jobs_option = click.option("--jobs", "-j", "jobs", type=click.IntRange(min=1), default=None, metavar="N",
                           help="lay out at most N documents at once (default: all cores; 1: one after another)")
no_cache_option = click.option("--no-cache", "no_cache", is_flag=True,
                               help="recompute every stage instead of reusing results from .reportgen-cache/")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(describe(), prog_name="reportgen", message="%(prog)s %(version)s")
def cli() -> None:
    """Build the federation's half-yearly report, its quarterly dashboard, and their bundles.

    PERIOD is a half-year, 2025H1 (January–June) or 2025H2 (July–December), for the
    report and briefs; or a quarter, 2025Q1 to 2025Q4, for the quarterly dashboard.
    """


@cli.command()
@click.argument("period", metavar="PERIOD")
@config_option
@quiet_option
@click.option("--final", is_flag=True, help="the release: refuses while anything is wrong; no draft marks")
@click.option("--revision", "revision", metavar="REASON", default=None,
              help="with --final: replace an existing final, recording REASON")
@click.option("--embargo", "embargo_until", metavar="UNTIL", default=None,
              help="an embargoed pre-release copy, stamped 'EMBARGOED until UNTIL' (2025-09-15T10:00, New Zealand "
                   "time) on every page and logged; with --to")
@click.option("--to", "embargo_to", metavar="RECIPIENT", default=None,
              help="with --embargo: who receives the copy (named on every page and in the embargo log)")
@jobs_option
@no_cache_option
def build(period: str, config_path: str | None, quiet: bool, final: bool, revision: str | None,
          embargo_until: str | None, embargo_to: str | None, jobs: int | None, no_cache: bool) -> None:
    """Build the publication bundle for PERIOD: 2025H1 (the report, briefs, tables and
    dashboard data) or 2025Q3 (the quarterly dashboard pages, data and tables).

    Every build whose inputs changed makes a new numbered draft in
    output/PERIOD/drafts/N/ (output/PERIOD/latest points to it). --final makes
    the release in output/PERIOD/final/. Runs every check first; if there are
    errors, nothing is written and the previous outputs stay as they were.
    """
    if revision is not None and not final:
        _fail_usage("--revision needs --final")
    if revision is not None and not revision.strip():
        _fail_usage("--revision needs a reason, e.g. --revision \"corrected AKL figures\"")
    p = _release_period(period)
    config = _config(config_path)
    embargo = _embargo(embargo_until, embargo_to, final, config, p)
    _preflight("build")
    _memory_ceiling()
    result = _guarded(config, lambda: _locked_build(config, p, quiet, final=final, revision=revision, jobs=jobs,
                                                     use_cache=not no_cache, embargo=embargo),
                      final=final or embargo is not None)
    errors = [f for f in result.findings if f.is_error]
    if errors:
        _print_findings(result.findings, err=True, warnings=False)
        _summary(result.findings, err=True)
        if final or embargo is not None:
            what = "final" if final else "embargoed copy"
            click.echo(f"The {what} was refused: {len(errors)} blocker{'s' * (len(errors) != 1)} above. "
                       "Nothing was written.", err=True)
        else:
            click.echo("Nothing was written. Fix the errors above and build again.", err=True)
        sys.exit(EXIT_PROBLEMS)
    _print_findings(_cache_warnings(), err=True)
    if result.unchanged:
        if result.nothing_new:
            click.echo(f"Nothing published changed since draft {result.draft} (only the release log did: a final was "
                       f"made since): no new draft. {_shown(result.out_dir)}")
        else:
            click.echo(f"No input changed since draft {result.draft}: {_shown(result.out_dir)}")
        return
    if not quiet:  # the warnings, grouped by code and member, those that need action first (issue 27)
        from .runtime.warning_summary import summary_lines

        for line in summary_lines(result.findings, p, sample=config.report.sample_data):
            click.echo(line, err=True)
    assert result.out_dir is not None
    out = _shown(result.out_dir)
    what = "final" if final else f"draft {result.draft}"
    if embargo is not None:
        what = f"embargoed copy {result.draft} for {' '.join(embargo[1].split())}"
    if p.is_quarter:
        click.echo(f"Built {p} {what}: {out / 'dashboard' / 'index.html'}")
        click.echo(f"            {out / 'dashboard.json'}")
    else:
        click.echo(f"Built {p} {what}: {out / 'report.pdf'}")
        click.echo(f"            {out / 'report.html'}")
    if embargo is not None:
        click.echo(f"  every page stamped \"EMBARGOED until …\"; logged in "
                   f"{out.parent.parent / 'internal' / 'embargo-log.json'}")
    if not quiet:
        pdfs = sum(1 for name in result.files if name.endswith(".pdf"))
        laid, drawn = len(result.laid_out), result.charts_drawn
        cached = pdfs - laid
        line = (f"  laid out {laid} of {pdfs} PDF{'s' * (pdfs != 1)} and drew {drawn} "
                f"chart{'s' * (drawn != 1)}")
        if cached:
            line += f"; {cached} PDF{'s' * (cached != 1)} came from the cache (.reportgen-cache/)"
        click.echo(line, err=True)
        if result.member_reports:
            n = result.member_reports
            how = (f"{len(result.members_laid_out)} laid out, the rest from the cache" if result.member_pdfs
                   else f"HTML only; PDFs with: reportgen member-reports {p}")
            pdir = out.parent if final else out.parent.parent  # output/P/final or output/P/drafts/N
            click.echo(f"  {n} member{'s' * (n != 1)}' private report{'s' * (n != 1)} in "
                       f"{pdir / 'internal' / 'members'}/ ({how})", err=True)


def _embargo(until: str | None, to: str | None, final: bool, config: Config, p: Period):
    """(until, recipient) of an embargoed copy (issue 27), or None; a usage error when half given."""
    if until is None and to is None:
        return None
    if until is None or not (to or "").strip():
        _fail_usage('--embargo UNTIL and --to RECIPIENT go together, e.g. --embargo 2025-09-15T10:00 --to "Office of '
                    'the Minister for Social Development"')
    if final:
        _fail_usage("--embargo makes a pre-release copy of what the final will be: leave out --final")
    from .release.embargo import EmbargoError, parse_until

    try:
        return parse_until(until or "", config, p), (to or "").strip()
    except EmbargoError as exc:
        _fail_usage(str(exc))


def _shown(path: Path | None) -> Path:
    assert path is not None
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


def _memory_ceiling() -> None:
    """Cap this process's address space (and so its workers', which inherit it): a runaway input then
    ends in MemoryError, reported as a finding, instead of the kernel's OOM killer."""
    import resource

    if not _CEILING:
        return
    try:
        ceiling = limits.memory_ceiling()
    except ValueError as exc:
        _fail_usage(f"{limits.MEMORY_ENV}: {exc}")
        return
    if ceiling is None:
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    new = ceiling if hard == resource.RLIM_INFINITY else min(ceiling, hard)
    if soft == resource.RLIM_INFINITY or new < soft:
        resource.setrlimit(resource.RLIMIT_AS, (new, hard))


def _cache_warnings() -> list[Finding]:
    from .runtime.cache import take_warnings

    return take_warnings()


def _locked_build(config: Config, p: Period, quiet: bool, **options):
    """The build, holding the project's lock. A full cache folder does not stop it: the build is made
    again without the cache (with a warning), and no half-written cache entry is left behind."""
    from .build import build as run_build  # heavy (pandas, WeasyPrint): only once needed
    from .runtime.cache import cache_dir, note_warning, sweep_temporary
    from .runtime.environment import DISK_FULL, inside, nearly_full
    from .runtime.lock import project_lock

    def waiting(holder: str, wait: float) -> None:
        click.echo(f"reportgen: another build of this project is running ({holder}); waiting up to "
                   f"{wait:.0f} s for it to finish", err=True)

    with project_lock(config.root, waiting=waiting):
        started = time.time()
        cache = cache_dir(config.root)
        without_cache = False
        try:
            for attempt in (1, 2):
                progress = _progress(quiet)
                try:
                    return run_build(config, p, progress=progress, **options)
                except OSError as exc:
                    in_cache = inside(exc.filename, cache) or (not exc.filename and nearly_full(cache)
                                                               and not nearly_full(config.output_dir))
                    if attempt == 2 or exc.errno not in DISK_FULL or not in_cache or not options["use_cache"]:
                        raise
                    without_cache = True
                    sweep_temporary(cache, since=started)
                    note_warning(f"the cache folder's disk is full ({exc.strerror}): this build was made without "
                                 "the cache", file=str(cache))
                    options["use_cache"] = False
                finally:
                    _close(progress)
        finally:
            if without_cache:
                sweep_temporary(cache, since=started)
    raise AssertionError("unreachable")  # pragma: no cover


def _guarded(config: Config, run, *, final: bool = False):
    """``run()``, with every problem of the environment turned into a finding (exit 1)."""
    from concurrent.futures.process import BrokenProcessPool

    from .runtime.cache import cache_dir
    from .runtime.environment import is_environment_error, locked_finding, memory_finding, os_finding
    from .runtime.lock import Locked

    try:
        return run()
    except StageFailed as exc:
        problems = exc.findings
    except Locked as exc:
        problems = [locked_finding(exc.path, exc.holder, exc.waited)]
    except MemoryError:
        problems = [memory_finding(limits.memory_ceiling())]
    except RuntimeError as exc:  # no address space left for another thread's stack: the ceiling, too
        if "can't start new thread" not in str(exc):
            raise
        problems = [memory_finding(limits.memory_ceiling())]
    except BrokenProcessPool:
        log = _crash_log()
        problems = [Finding("env.worker-died", "error", "a worker process of the build died (out of memory, or "
                            f"killed); details are in {log}", hint="build again; if it happens again, build with "
                            "--jobs 1 and raise REPORTGEN_MEMORY_LIMIT, or report it with the log")]
    except OSError as exc:
        if not is_environment_error(exc):
            raise
        problems = [os_finding(exc, config.root, cache=cache_dir(config.root), output=config.output_dir)]
    except (ImportError, ValueError) as exc:  # an optional package missing, or SOURCE_DATE_EPOCH changed
        problem = _user_problem(exc)
        if problem is None:
            raise
        problems = [problem]
    except Exception as exc:  # pyarrow's own words for the ceiling: no address space for a worker thread
        if type(exc).__module__.split(".")[0] != "pyarrow" or "Failed to launch worker thread" not in str(exc):
            raise
        problems = [memory_finding(limits.memory_ceiling())]
    _print_findings(_cache_warnings() + problems, err=True)
    _summary(problems, err=True)
    click.echo("The final was refused. Nothing was written." if final else
               "Nothing was written. Fix the errors above and try again.", err=True)
    sys.exit(EXIT_PROBLEMS)


def _user_problem(exc: BaseException) -> Finding | None:
    """A finding for an exception that is the user's to fix, not a bug: a missing optional package,
    a SOURCE_DATE_EPOCH that is not a time. None for anything else."""
    from importlib.metadata import PackageNotFoundError

    from .runtime.extras import missing_finding, missing_module
    from .runtime.reproducible import EPOCH_HINT, BadEpoch

    if isinstance(exc, BadEpoch):
        return Finding("env.source-date-epoch", "error", str(exc), hint=EPOCH_HINT)
    if isinstance(exc, (ImportError, PackageNotFoundError)):
        module = missing_module(exc)
        if module is not None:
            context = click.get_current_context(silent=True)
            words = [a for a in sys.argv[1:] if not a.startswith("-")][:1]
            name = context.info_name if context is not None and context.info_name else (words or ["…"])[0]
            return missing_finding(str(name), [module])
    return None


def _crash_log() -> Path | None:
    """A new log file for this run's traceback, readable by this user only: the project's
    .reportgen-cache/crash/<UTC time>-<pid>.log, else the user's cache folder, else a fresh temporary file."""
    import secrets

    from .runtime.lock import user_cache_home

    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    name = f"{stamp}-{os.getpid()}-{secrets.token_hex(3)}.log"  # never one path for two runs
    folders = ([_ROOT / ".reportgen-cache" / "crash"] if _ROOT is not None else []) + [
        user_cache_home() / "reportgen" / "crash"]
    text = traceback.format_exc().encode("utf-8", "replace")
    for folder in folders:
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except OSError:
            continue
        with os.fdopen(fd, "wb") as fh:
            fh.write(text)
        return folder / name
    try:
        fd, path = tempfile.mkstemp(prefix="reportgen-crash-", suffix=".log")
        with os.fdopen(fd, "wb") as fh:
            fh.write(text)
        return Path(path)
    except OSError:
        return None


@cli.command()
@click.argument("period", metavar="PERIOD")
@config_option
@click.option("--from", "old", type=int, default=None, metavar="N", help="the earlier draft (default: the one before --to)")
@click.option("--to", "new", type=int, default=None, metavar="M", help="the later draft (default: the latest)")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown"]), default="text", show_default=True)
def diff(period: str, config_path: str | None, old: int | None, new: int | None, fmt: str) -> None:
    """What changed between two drafts of PERIOD: narrative words, stories, figures, charts."""
    from .release.changes import compare, format_changes
    from .runtime.drafts import draft_numbers, period_dir, previous_review

    p = _release_period(period)
    config = _config(config_path)
    pdir = period_dir(config, p)
    numbers = draft_numbers(pdir)
    new = new if new is not None else (numbers[-1] if numbers else None)
    old = old if old is not None else (max((n for n in numbers if new is not None and n < new), default=None))
    if new is None or old is None:
        _fail_usage(f"{p} needs two drafts to compare; it has {len(numbers)} ({pdir / 'drafts'})")
    for n in (old, new):
        if n not in numbers:
            _fail_usage(f"there is no draft {n} of {p}; drafts: {', '.join(map(str, numbers))}")
    (a, a_in), (b, b_in) = previous_review(pdir, old), previous_review(pdir, new)
    if a is None or b is None:
        click.echo(f"reportgen: draft {old if a is None else new} has no review-data.json to compare", err=True)
        sys.exit(EXIT_PROBLEMS)
    from .core.safetext import escape_controls  # words from narratives: printed, never obeyed by the terminal

    text = format_changes(compare(a, b, old, new, a_in, b_in), fmt, figure_limit=10**9)
    click.echo("\n".join(escape_controls(line) for line in text.split("\n")))


@cli.command()
@click.argument("period", metavar="PERIOD")
@config_option
@quiet_option
@click.option("--member", "member", metavar="ORG", default=None,
              help="only the findings of this member (and of its files that could not be read)")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="json: one document for a submission portal (schema in docs/data-contract.md)")
@no_cache_option
def check(period: str, config_path: str | None, quiet: bool, member: str | None, fmt: str, no_cache: bool) -> None:
    """Check data, config and narratives for PERIOD without building anything.

    Prints every finding grouped by member, then a summary: files read, rows,
    members reporting vs expected, errors and warnings. The data it read and the
    figures it made are kept in .reportgen-cache/, as a build keeps them: the next
    check or build after an edit to a narrative does not read the data again.
    """
    from .build import check as run_check
    from .runtime.check_report import check_document, select_member, summary_lines, unknown_member

    p = _release_period(period)
    config = _config(config_path)
    _preflight("check")
    _memory_ceiling()

    def run():
        progress = _progress(quiet or fmt == "json")
        try:
            return run_check(config, p, progress=progress, use_cache=not no_cache)
        finally:
            _close(progress)

    result = _guarded(config, run)
    _print_findings(_cache_warnings(), err=True)  # a cache that could not be written: the check is whole
    findings = select_member(result.findings, member) if member else result.findings
    if member:  # an org that is not in the register: an error with a suggestion, not "0 errors"
        findings = unknown_member(result, member, config) + findings
    if fmt == "json":
        click.echo(check_document(result, findings, member))
    else:
        _print_findings(findings, err=False)
        for line in summary_lines(result, findings, member):
            click.echo(line)
        _summary(findings, err=False)
    sys.exit(EXIT_PROBLEMS if any(f.is_error for f in findings) else EXIT_OK)


@cli.command()
@click.argument("period", metavar="PERIOD")
@config_option
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="port on 127.0.0.1 (0: any free port)")
def preview(period: str, config_path: str | None, port: int) -> None:
    """Serve PERIOD's HTML report and briefs on 127.0.0.1 and rebuild them on every edit.

    Watches narratives, templates, config and data; the open page reloads
    itself. Builds HTML only (no PDF) and writes nothing to output/.
    A broken edit shows its errors at the top of the page. Ctrl-C stops.
    """
    from .preview import serve

    p = _release_period(period)
    path = Path(config_path) if config_path else Path(DEFAULT_CONFIG_NAME)
    _config(config_path)  # a config that cannot load at all is reported here, before serving
    _preflight("preview")  # never serve a page saying "No module named 'watchfiles'" for ever
    _memory_ceiling()
    try:
        serve(path, p, port, sys.stderr)
    except OSError as exc:
        _fail_usage(f"cannot serve on 127.0.0.1:{port} ({exc.strerror or exc}); try another --port")


@cli.command("member-reports")
@click.argument("period", metavar="PERIOD")
@click.option("--org", "org", metavar="ORG", default=None, help="only this member's report (default: every member's)")
@config_option
@quiet_option
@jobs_option
def member_reports(period: str, org: str | None, config_path: str | None, quiet: bool, jobs: int | None) -> None:
    """Make members' private reports for PERIOD (2025H1 or 2025Q3) again, without a new draft.

    Writes output/PERIOD/internal/members/ORG.pdf and .html and updates the
    mailing manifest members/index.csv, from the inputs of PERIOD's latest
    draft or final; refuses when the data, register, config or narratives
    changed since (build a new draft instead: it makes every member's report).
    A quarterly draft makes the reports as HTML only; this lays out their PDFs.
    """
    from .release.remake import remake

    p = _release_period(period)
    config = _config(config_path)
    _preflight("member-reports")
    _memory_ceiling()

    def run():
        from .runtime.lock import project_lock

        with project_lock(config.root):
            progress = _progress(quiet)
            try:
                return remake(config, p, org, jobs=jobs, progress=progress)
            finally:
                _close(progress)

    written, findings = _guarded(config, run)
    errors = [f for f in findings if f.is_error]
    _print_findings(findings if not quiet or errors else [], err=True, warnings=not errors)
    if errors:
        _summary(findings, err=True)
        click.echo("Nothing was written.", err=True)
        sys.exit(EXIT_PROBLEMS)
    from .runtime.drafts import period_dir

    pdir = _shown(period_dir(config, p))
    reports = [w for w in written if w.endswith(".pdf")]
    click.echo(f"Wrote {len(reports)} member report{'s' * (len(reports) != 1)} for {p} in {pdir / 'internal' / 'members'}/"
               + (f": {pdir / reports[0]}" if len(reports) == 1 else ""))
    click.echo(f"  mailing manifest: {pdir / 'internal' / 'members' / 'index.csv'}")


@cli.group()
def new() -> None:
    """Start a new narrative file: a commented file with every field.

    Files go in narratives/PERIOD/; an existing file is never overwritten.
    """


def _new_file(kind: str, period: str | None, config_path: str | None, **names) -> None:
    from .narratives.scaffold import default_period, new_file

    p = _period(period) if period else default_period()
    config = _config(config_path)
    path, problems = new_file(kind, config, p, **names)
    if problems:
        _print_findings(problems, err=True)
        sys.exit(EXIT_PROBLEMS)
    assert path is not None
    click.echo(f"Wrote {path.relative_to(config.root).as_posix()}: fill in the fields marked REQUIRED, "
               f"then run: reportgen check {p}")


period_option = click.option("--period", metavar="PERIOD", default=None,
                             help="the report period, e.g. 2025H1 (default: the half-year that ended last)")


@new.command("story")
@period_option
@click.option("--name", "slug", metavar="SLUG", required=True,
              help="a short name for the file: lower-case words and hyphens, e.g. kai-on-the-table")
@config_option
def new_story(period: str | None, slug: str, config_path: str | None) -> None:
    """Write narratives/PERIOD/stories/SLUG.yaml."""
    _new_file("story", period, config_path, slug=slug)


@new.command("region")
@period_option
@click.option("--region", metavar="CODE", required=True, help="the region's code, e.g. AKL")
@config_option
def new_region(period: str | None, region: str, config_path: str | None) -> None:
    """Write narratives/PERIOD/regions/CODE.yaml (commentary for a regional brief)."""
    _new_file("region", period, config_path, region=region)


@new.command("report")
@period_option
@click.option("--from", "start", metavar="PERIOD", default=None,
              help="start from that period's report and regional commentary (e.g. the previous half-year's), "
                   "with its publication date and period words cleared")
@config_option
def new_report(period: str | None, start: str | None, config_path: str | None) -> None:
    """Write narratives/PERIOD/report.yaml (with --from, and PERIOD's regional commentary)."""
    if start is None:
        _new_file("report", period, config_path)
        return
    from .narratives.scaffold import default_period, start_from

    p = _period(period) if period else default_period()
    config = _config(config_path)
    written, problems = start_from(config, p, _period(start))
    if any(f.is_error for f in problems):
        _print_findings(problems, err=True)
        sys.exit(EXIT_PROBLEMS)
    names = ", ".join(w.relative_to(config.root).as_posix() for w in written)
    click.echo(f"Wrote {names}: from {start}, with the publication date cleared and {_period(start).label()} "
               "written as {{ period }}. Stories are not copied (each has its own consent).")
    if problems:
        click.echo(f"Rewrite these for {p.label()} ({len(problems)}):")
        _print_findings(problems, err=False)
    click.echo(f"Then run: reportgen check {p}")


@cli.command()
@config_option
def doctor(config_path: str | None) -> None:
    """Check this machine for reportgen: Python and packages, the extras, fonts with macrons, poppler,
    qpdf, Chromium (for the tests), the folders a build writes, the config and the templates.

    Each missing piece comes with what to do about it. Exit code 1 only when something stops every
    command (a core package missing, a config that does not load, a folder that cannot be written).
    """
    from .runtime.doctor import PROBLEM, checks, report

    found = checks(Path(config_path) if config_path else Path(DEFAULT_CONFIG_NAME))
    for line in report(found):
        click.echo(line)
    sys.exit(EXIT_PROBLEMS if any(c.status == PROBLEM for c in found) else EXIT_OK)


def main(argv: list[str] | None = None) -> int:
    """Console entry point: no traceback ever reaches the user. Called with the process's own
    command line (``argv`` None), builds run under the memory ceiling."""
    global _CEILING
    _CEILING = argv is None
    fewer_collections()  # this command's process: cyclic garbage collected less often (runtime/memory.py)
    try:
        cli.main(args=argv, prog_name="reportgen", standalone_mode=True)
    except SystemExit as exc:
        return int(exc.code or 0) if not isinstance(exc.code, str) else EXIT_USAGE
    except KeyboardInterrupt:
        click.echo("reportgen: interrupted; nothing was written", err=True)
        return 130
    except Exception as exc:  # a bug: log it, say so plainly (unless it is the user's to fix)
        problem = _user_problem(exc)
        if problem is not None:
            _print_findings([problem], err=True)
            return EXIT_PROBLEMS
        log = _crash_log()
        where = f"details are in {log}" if log is not None else "no log could be written"
        click.echo(f"reportgen: internal error ({type(exc).__name__}: {exc}). This is a bug in "
                   f"reportgen, not a problem with your files; {where}", err=True)
        return EXIT_INTERNAL
    return EXIT_OK


def run() -> None:
    sys.exit(main())


from .at_source.cli import member as _member  # noqa: E402  (click only: its commands import their work when run)

cli.add_command(_member)

from .intake.cli import intake as _intake  # noqa: E402  (click only, as above)

cli.add_command(_intake)

from .release.review_cli import review as _review  # noqa: E402  (click only, as above; issue 27)

cli.add_command(_review)

"""The command line: ``reportgen build PERIOD``, ``reportgen check PERIOD``,
``reportgen preview PERIOD``, ``reportgen new story|region|report``.

Exit codes: 0 success (warnings allowed), 1 problems in data, config or
narratives, 2 wrong usage, 3 an internal error (a bug in reportgen; the
details are written to a log file, never shown as a traceback).
"""

from __future__ import annotations

import sys
import tempfile
import traceback
from collections import Counter
from pathlib import Path

import click

from . import __version__
from .config import DEFAULT_CONFIG_NAME, Config, load_config
from .findings import Finding, StageFailed
from .periods import Period, PeriodError

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


def _fail_usage(message: str) -> None:
    click.echo(f"reportgen: {message}", err=True)
    sys.exit(EXIT_USAGE)


def _period(text: str) -> Period:
    try:
        return Period.parse_half(text)
    except PeriodError as exc:
        _fail_usage(str(exc))
        raise  # unreachable


def _config(path: str | None) -> Config:
    try:
        return load_config(Path(path) if path else Path(DEFAULT_CONFIG_NAME))
    except StageFailed as exc:
        _print_findings(exc.findings, err=True)
        _summary(exc.findings, err=True)
        sys.exit(EXIT_PROBLEMS)


def _style(f: Finding) -> str:
    text = f.format()
    if not sys.stderr.isatty():
        return text
    head, _, rest = text.partition("\n")
    colour = "red" if f.is_error else "yellow"
    return click.style(head, fg=colour, bold=f.is_error) + ("\n" + rest if rest else "")


def _print_findings(findings: list[Finding], *, err: bool, warnings: bool = True) -> None:
    by_member: dict[str, list[Finding]] = {}
    for f in findings:
        if f.is_error or warnings:
            by_member.setdefault(f.member or "", []).append(f)
    for member in sorted(by_member, key=lambda m: (m != "", m)):
        if member:
            click.echo(f"\n── member {member} ──", err=err)
        for f in by_member[member]:
            click.echo(_style(f), err=err)


def _summary(findings: list[Finding], *, err: bool) -> None:
    counts = Counter(f.severity for f in findings)
    e, w = counts.get("error", 0), counts.get("warning", 0)
    click.echo(f"{e} error{'s' * (e != 1)}, {w} warning{'s' * (w != 1)}", err=err)


def _progress(quiet: bool):
    from .progress import make_progress

    return make_progress(quiet)


def _close(progress) -> None:
    if progress is not None:
        progress.close()


config_option = click.option("--config", "config_path", metavar="PATH", default=None,
                             help=f"config file (default: ./{DEFAULT_CONFIG_NAME})")
quiet_option = click.option("--quiet", "-q", is_flag=True, help="print only problems and the result")
jobs_option = click.option("--jobs", "-j", "jobs", type=click.IntRange(min=1), default=None, metavar="N",
                           help="lay out at most N documents at once (default: all cores; 1: one after another)")
no_cache_option = click.option("--no-cache", "no_cache", is_flag=True,
                               help="recompute every stage instead of reusing results from .reportgen-cache/")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reportgen")
def cli() -> None:
    """Build the federation's half-yearly report and its publication bundle.

    PERIOD is a half-year: 2025H1 (January–June) or 2025H2 (July–December).
    """


@cli.command()
@click.argument("period", metavar="PERIOD")
@config_option
@quiet_option
@click.option("--final", is_flag=True, help="the release: refuses while anything is wrong; no draft marks")
@click.option("--revision", "revision", metavar="REASON", default=None,
              help="with --final: replace an existing final, recording REASON")
@jobs_option
@no_cache_option
def build(period: str, config_path: str | None, quiet: bool, final: bool, revision: str | None,
          jobs: int | None, no_cache: bool) -> None:
    """Build the publication bundle for PERIOD (e.g. 2025H1).

    Every build whose inputs changed makes a new numbered draft in
    output/PERIOD/drafts/N/ (output/PERIOD/latest points to it). --final makes
    the release in output/PERIOD/final/. Runs every check first; if there are
    errors, nothing is written and the previous outputs stay as they were.
    """
    from .build import BuildResult, build as run_build  # heavy (pandas, WeasyPrint): only once needed

    if revision is not None and not final:
        _fail_usage("--revision needs --final")
    if revision is not None and not revision.strip():
        _fail_usage("--revision needs a reason, e.g. --revision \"corrected AKL figures\"")
    p = _period(period)
    config = _config(config_path)
    progress = _progress(quiet)
    try:
        result: BuildResult = run_build(config, p, progress=progress, final=final, revision=revision,
                                        jobs=jobs, use_cache=not no_cache)
    finally:
        _close(progress)
    errors = [f for f in result.findings if f.is_error]
    if errors:
        _print_findings(result.findings, err=True, warnings=False)
        _summary(result.findings, err=True)
        if final:
            click.echo(f"The final was refused: {len(errors)} blocker{'s' * (len(errors) != 1)} above. "
                       "Nothing was written.", err=True)
        else:
            click.echo("Nothing was written. Fix the errors above and build again.", err=True)
        sys.exit(EXIT_PROBLEMS)
    if result.unchanged:
        click.echo(f"No input changed since draft {result.draft}: {_shown(result.out_dir)}")
        return
    warnings = len(result.findings)
    if warnings and not quiet:
        click.echo(f"{warnings} warning{'s' * (warnings != 1)}; see them with: reportgen check {p}", err=True)
    assert result.out_dir is not None
    out = _shown(result.out_dir)
    what = "final" if final else f"draft {result.draft}"
    click.echo(f"Built {p} {what}: {out / 'report.pdf'}")
    click.echo(f"            {out / 'report.html'}")
    if not quiet:
        pdfs = sum(1 for name in result.files if name.endswith(".pdf"))
        click.echo(f"  laid out {len(result.laid_out)} of {pdfs} PDF{'s' * (pdfs != 1)} and drew "
                   f"{result.charts_drawn} chart{'s' * (result.charts_drawn != 1)}; the rest came from the cache "
                   f"(.reportgen-cache/)", err=True)


def _shown(path: Path | None) -> Path:
    assert path is not None
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


@cli.command()
@click.argument("period", metavar="PERIOD")
@config_option
@click.option("--from", "old", type=int, default=None, metavar="N", help="the earlier draft (default: the one before --to)")
@click.option("--to", "new", type=int, default=None, metavar="M", help="the later draft (default: the latest)")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown"]), default="text", show_default=True)
def diff(period: str, config_path: str | None, old: int | None, new: int | None, fmt: str) -> None:
    """What changed between two drafts of PERIOD: narrative words, stories, figures, charts."""
    from .changes import compare, format_changes
    from .drafts import draft_numbers, period_dir, previous_review

    p = _period(period)
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
    click.echo(format_changes(compare(a, b, old, new, a_in, b_in), fmt, figure_limit=10**9))


@cli.command()
@click.argument("period", metavar="PERIOD")
@config_option
@quiet_option
@click.option("--member", "member", metavar="ORG", default=None,
              help="only the findings of this member (and of its files that could not be read)")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="json: one document for a submission portal (schema in docs/data-contract.md)")
def check(period: str, config_path: str | None, quiet: bool, member: str | None, fmt: str) -> None:
    """Check data, config and narratives for PERIOD without building anything.

    Prints every finding grouped by member, then a summary: files read, rows,
    members reporting vs expected, errors and warnings.
    """
    from .build import check as run_check
    from .check_report import check_document, select_member, summary_lines

    p = _period(period)
    config = _config(config_path)
    progress = _progress(quiet or fmt == "json")
    try:
        result = run_check(config, p, progress=progress)
    finally:
        _close(progress)
    findings = select_member(result.findings, member) if member else result.findings
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

    p = _period(period)
    path = Path(config_path) if config_path else Path(DEFAULT_CONFIG_NAME)
    _config(config_path)  # a config that cannot load at all is reported here, before serving
    try:
        serve(path, p, port, sys.stderr)
    except OSError as exc:
        _fail_usage(f"cannot serve on 127.0.0.1:{port} ({exc.strerror or exc}); try another --port")


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
@config_option
def new_report(period: str | None, config_path: str | None) -> None:
    """Write narratives/PERIOD/report.yaml."""
    _new_file("report", period, config_path)


def main(argv: list[str] | None = None) -> int:
    """Console entry point: no traceback ever reaches the user."""
    try:
        cli.main(args=argv, prog_name="reportgen", standalone_mode=True)
    except SystemExit as exc:
        return int(exc.code or 0) if not isinstance(exc.code, str) else EXIT_USAGE
    except KeyboardInterrupt:
        click.echo("reportgen: interrupted; nothing was written", err=True)
        return 130
    except Exception as exc:  # a bug: log it, say so plainly
        log = Path(tempfile.gettempdir()) / "reportgen-crash.log"
        log.write_text(traceback.format_exc(), encoding="utf-8")
        click.echo(f"reportgen: internal error ({type(exc).__name__}: {exc}). This is a bug in "
                   f"reportgen, not a problem with your files; details are in {log}", err=True)
        return EXIT_INTERNAL
    return EXIT_OK


def run() -> None:
    sys.exit(main())


from .member.cli import member as _member  # noqa: E402  (click only: its commands import their work when run)

cli.add_command(_member)

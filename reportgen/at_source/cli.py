"""``reportgen member aggregate`` and ``reportgen member init``.

Importing this module needs click only; each command imports its work when it
runs, so ``reportgen --help`` stays fast. Exit codes as everywhere in
reportgen: 0 done (warnings allowed), 1 problems in the export, mapping or
register (all listed; nothing written), 2 wrong usage, 3 a bug in reportgen.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

MAX_QUARTERS = 80


def _usage(message: str) -> None:
    click.echo(f"reportgen: {message}", err=True)
    sys.exit(2)


def _quarter(text: str, option: str):
    from ..core.periods import Period, PeriodError

    try:
        p = Period.parse(text)
    except PeriodError:
        _usage(f"{option} '{text}' is not a quarter: write it like 2025Q1")
        raise
    if not p.is_quarter:
        _usage(f"{option} {p} is a half-year; give quarters: --from {p.quarters()[0]} --to {p.quarters()[-1]}")
    return p


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
        return True
    except ValueError:
        return False


def _show(findings, *, quiet: bool) -> None:
    from ..runtime.console import print_findings as _print_findings
    from ..runtime.console import summary as _summary

    _print_findings(findings, err=True, warnings=not quiet or any(f.is_error for f in findings))
    if findings:
        _summary(findings, err=True)


def _shown(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix() or "."
    except ValueError:
        return path.as_posix()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def member() -> None:
    """The member side: turn your CMS export into the federation's submission files, on your own machine.

    The export format, the mapping file and the counting rules are in
    docs/member-guide.md. Only counts leave your organisation.
    """


@member.command()
@click.argument("export_dir", metavar="EXPORT_DIR",
                type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--org", "org", required=True, metavar="ORG_ID", help="your org_id, as the federation gave it (e.g. MET001)")
@click.option("--from", "first", required=True, metavar="QUARTER", help="the first quarter, e.g. 2025Q1")
@click.option("--to", "last", required=True, metavar="QUARTER", help="the last quarter, e.g. 2025Q2")
@click.option("--out", "out_dir", required=True, metavar="OUT_DIR",
              type=click.Path(file_okay=False, path_type=Path), help="where the files are written")
@click.option("--mapping", "mapping_file", metavar="FILE", default=None,
              type=click.Path(dir_okay=False, path_type=Path),
              help="your CMS's column names and codes (reportgen member init writes one to fill in)")
@click.option("--register", "register_file", metavar="FILE", default=None,
              type=click.Path(dir_okay=False, path_type=Path),
              help="the federation's member register (members.csv): also check your org, regions and quarters")
@click.option("--force", is_flag=True, help="replace output files that exist with other content")
@click.option("--quiet", "-q", is_flag=True, help="print only problems and the files written")
def aggregate(export_dir: Path, org: str, first: str, last: str, out_dir: Path, mapping_file: Path | None,
              register_file: Path | None, force: bool, quiet: bool) -> None:
    """Count the export in EXPORT_DIR into OUT_DIR/<period>/<ORG_ID>.csv.

    One file per quarter from --from to --to, and one per half-year wholly
    inside the range (the distinct people seen over the half-year). Also
    writes the page "What will leave your organisation" and a manifest with
    each file's SHA-256. Every check runs first; if anything is wrong,
    nothing is written. The export is only read.
    """
    from .contract import org_problem

    p_first, p_last = _quarter(first, "--from"), _quarter(last, "--to")
    if p_last < p_first:
        _usage(f"--to {p_last} is before --from {p_first}")
    quarters = (p_last.year - p_first.year) * 4 + p_last.number - p_first.number + 1
    if quarters > MAX_QUARTERS:
        _usage(f"the range {p_first} to {p_last} has {quarters} quarters; give at most {MAX_QUARTERS}")
    problem = org_problem(org.strip())
    if problem:
        _usage(f"--org: {problem}")
    if _inside(out_dir, export_dir):
        _usage(f"--out {out_dir} is inside the export folder; the export is never modified: choose a folder "
               "outside it")
    if mapping_file is not None and not mapping_file.is_file():
        _usage(f"--mapping {mapping_file}: no such file")
    if register_file is not None and not register_file.is_file():
        _usage(f"--register {register_file}: no such file")

    from .leaves import terminal
    from .output import conflicts, write
    from .run import plan

    result = plan(export_dir, org, p_first, p_last, mapping_file=mapping_file, register_file=register_file)
    findings = list(result.findings)
    if result.ok and not force:
        findings += conflicts(out_dir, result.files)
    if any(f.is_error for f in findings):
        _show(findings, quiet=quiet)
        click.echo("Nothing was written. Fix the errors above and run again.", err=True)
        sys.exit(1)
    try:
        written = write(out_dir, result.files)
    except OSError as exc:
        _show(findings, quiet=quiet)
        click.echo(f"reportgen: cannot write to {out_dir}: {exc.strerror or exc}", err=True)
        sys.exit(1)
    if findings and not quiet:
        _show(findings, quiet=quiet)
    shown = _shown(out_dir)
    if not quiet:
        for line in terminal(result, shown):
            click.echo(line)
    csvs = [result.csv_path(str(p)) for p in result.periods]
    unchanged = len(result.files) - len(written)
    click.echo(f"Wrote {len(csvs)} submission file{'s' * (len(csvs) != 1)} to {shown}/"
               + (f" ({unchanged} already up to date)" if unchanged else "") + ":")
    for path in csvs:
        click.echo(f"  {shown}/{path}")
    click.echo(f"  SHA-256 of each in {shown}/{result.manifest_path}")


@member.command()
@click.argument("export_dir", metavar="EXPORT_DIR",
                type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--out", "out_file", metavar="FILE", default="mapping.yaml", show_default=True,
              type=click.Path(dir_okay=False, path_type=Path), help="the mapping file to write")
@click.option("--force", is_flag=True, help="replace FILE if it exists")
def init(export_dir: Path, out_file: Path, force: bool) -> None:
    """Write a commented mapping file to fill in, from the export in EXPORT_DIR.

    It lists each file's header with the columns guessed for the export
    format, and every distinct value of each coded column with the contract's
    codes beside it, nearest first. Fill in every "" and pass the file to
    aggregate with --mapping.
    """
    if _inside(out_file, export_dir):
        _usage(f"--out {out_file} is inside the export folder; the export is never modified: write the "
               "mapping file elsewhere")
    from .initfile import survey
    from .mapping import template

    seen, findings = survey(export_dir)
    if any(f.is_error for f in findings):
        _show(findings, quiet=False)
        click.echo("Nothing was written: reportgen cannot read the files above.", err=True)
        sys.exit(1)
    text = template(seen).encode("utf-8")
    if out_file.exists() and not force and out_file.read_bytes() != text:
        from ..core.findings import Finding

        findings.append(Finding("member.output-exists", "error", f"{out_file} already exists",
                                file=_shown(out_file), hint="choose another --out, or add --force to replace it"))
        _show(findings, quiet=False)
        sys.exit(1)
    if findings:
        _show(findings, quiet=False)
    out_file.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_file.with_name(f".{out_file.name}.tmp")
    tmp.write_bytes(text)
    tmp.replace(out_file)
    missing = sum(1 for line in text.decode().splitlines() if ': ""' in line and not line.lstrip().startswith("#"))
    click.echo(f"Wrote {_shown(out_file)}: fill in the {missing} value{'s' * (missing != 1)} marked \"\", check "
               f"the guessed columns, then run:\n  reportgen member aggregate {_shown(export_dir)} --mapping "
               f"{_shown(out_file)} --org ORG_ID --from QUARTER --to QUARTER --out OUT_DIR")


@member.command()
@click.argument("out_dir", metavar="OUT_DIR", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--period", "period", required=True, metavar="PERIOD", help="the period to send, e.g. 2025Q3")
@click.option("--to", "url", required=True, metavar="URL", help="the federation's intake service, e.g. "
                                                               "https://intake.example.nz/")
@click.option("--key-file", "key_file", metavar="FILE", default=None, type=click.Path(dir_okay=False, path_type=Path),
              help="a file holding your key (else the environment variable REPORTGEN_INTAKE_KEY)")
@click.option("--note", metavar="TEXT", default=None, help="a note for the federation (at most 1,000 characters)")
def send(out_dir: Path, period: str, url: str, key_file: Path | None, note: str | None) -> None:
    """Send OUT_DIR/PERIOD/ (as aggregate wrote it) to the federation and print the receipt.

    Exit 0: accepted. Exit 1: rejected (every finding is printed, located as
    reportgen check shows it) or refused. Sending the same files again makes
    no new version: the answer is the same receipt. The key is never given
    on the command line.
    """
    from ..core.periods import Period, PeriodError
    from .send import SendError, files_for, findings_lines, plain, read_key, receipt_lines
    from .send import send as post

    try:
        p = str(Period.parse(period.strip()))
    except PeriodError as exc:
        _usage(str(exc))
        return
    if note is not None and len(note) > 1000:
        _usage("--note: at most 1,000 characters")
    try:
        key = read_key(key_file)
        files = files_for(out_dir, p)
        answer = post(url, key, p, files, note)
    except SendError as exc:
        click.echo(f"reportgen: {exc}", err=True)
        sys.exit(1)
    doc = answer.body
    if answer.status in (200, 201) and "receipt_id" in doc:
        for line in receipt_lines(doc):
            click.echo(line)
        if answer.status == 200:
            click.echo("  (the service had these files already: no new version was made)")
        for line in findings_lines(doc):
            click.echo(line, err=doc.get("status") != "accepted")
        if doc.get("status") != "accepted":
            errors = sum(1 for f in doc.get("findings", []) if f.get("severity") == "error")
            click.echo(f"Rejected: {errors} error{'s' * (errors != 1)} above. Fix the files and send again.", err=True)
            sys.exit(1)
        return
    click.echo(plain(f"reportgen: the service refused the files ({answer.status} {doc.get('error', '')}): "
                     f"{doc.get('message', '')}"), err=True)
    sys.exit(1)

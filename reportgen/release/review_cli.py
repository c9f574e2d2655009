"""``reportgen review PERIOD``: the reviews a final needs, and recording one as done (issue 27).

    reportgen review 2025H1                                  # each review: what it covers, its record
    reportgen review 2025H1 --record maori-data --by "NAME" [--role "ROLE"] [--note "TEXT"]

Exit codes as everywhere: 0 done, 1 a problem (a coded finding), 2 wrong usage.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.command("review")
@click.argument("period", metavar="PERIOD")
@click.option("--config", "config_path", metavar="PATH", default=None, help="config file (default: ./config.yaml)")
@click.option("--record", "review_id", metavar="ID", default=None,
              help="record that review ID (config governance.reviews) was done, now, over what the release has now")
@click.option("--by", "by", metavar="NAME", default=None, help="with --record: who reviewed it")
@click.option("--role", "role", metavar="ROLE", default="", help="with --record: their role or organisation")
@click.option("--note", "note", metavar="TEXT", default="", help="with --record: a note kept with the record")
def review(period: str, config_path: str | None, review_id: str | None, by: str | None, role: str,
           note: str) -> None:
    """The reviews PERIOD's final needs (config governance.reviews; by default a Māori data review of
    every table and sentence about Māori): what each covers, and who recorded it when.

    Every draft writes each review's pack (output/PERIOD/internal/reviews/ID.html, .csv): the items
    to review. Once they are reviewed, record it with --record ID --by NAME; the final refuses until
    every review it needs is recorded for the items it has.
    """
    from ..publication import publication_for
    from ..runtime.console import print_findings, summary
    from .governance import record_review, statuses

    if review_id is not None and not (by or "").strip():
        _usage('--record needs --by NAME: who reviewed it, e.g. --by "Aroha Te Whata"')
    if review_id is None and (by or role or note):
        _usage("--by, --role and --note go with --record ID")
    p = _period(period)
    config = _config(config_path)
    if not config.governance.reviews:
        click.echo(f"config.yaml names no reviews (governance.reviews): the final of {p} needs none.")
        return
    from ..charts import ChartCache, chart_cache_dir

    # the texts the release has (its published stories, its charts' words: drawn, or from the build's cache)
    publication, run = publication_for(config, p, charts=ChartCache(chart_cache_dir(config)))
    if publication is None:
        print_findings(run.findings, err=True, warnings=False)
        summary(run.findings, err=True)
        click.echo("The release cannot be gathered: fix the errors above first.", err=True)
        sys.exit(1)
    if review_id is not None:
        record, problems = record_review(config, p, publication, review_id, by or "", role, note)
        if record is None:
            print_findings(problems, err=True)
            sys.exit(1)
        name = config.governance.reviews[review_id].name
        click.echo(f"Recorded the {name} of {p}: by {record.by}{f' ({record.role})' if record.role else ''}, "
                   f"{record.at.isoformat()}, covering {record.items} items (digest {record.digest[:12]}).")
        click.echo(f"  in {_shown(config, p)}; the next draft's methodology names it")
        return
    kind = "quarter" if p.is_quarter else "half-year"
    for st in statuses(publication):
        need = "needed for the final" if st.needed else f"not needed for a {kind}'s final"
        click.echo(f"{st.spec.name} ({st.id}, {need}): {st.spec.about}, {len(st.items)} items")
        if st.record is None:
            click.echo("  not recorded")
        else:
            click.echo(f"  recorded by {st.record.by} on {st.record.at.date().isoformat()}: "
                       + ("covers these items" if st.current else
                          f"covered {st.record.items} items; some have changed since: review them again"))
        click.echo(f"  review pack: output/{p}/internal/reviews/{st.id}.html (every draft makes it)")
        if not st.current and st.needed:
            click.echo(f'  when it is done: reportgen review {p} --record {st.id} --by "NAME"')


def _usage(message: str) -> None:
    click.echo(f"reportgen: {message}", err=True)
    sys.exit(2)


def _period(text: str):
    from ..core.periods import Period, PeriodError

    try:
        return Period.parse_release(text)
    except PeriodError as exc:
        _usage(str(exc))
        raise  # unreachable


def _config(path: str | None):
    from ..core.config import DEFAULT_CONFIG_NAME, load_config
    from ..core.findings import StageFailed
    from ..runtime.console import print_findings, summary

    try:
        return load_config(Path(path) if path else Path(DEFAULT_CONFIG_NAME))
    except StageFailed as exc:
        print_findings(exc.findings, err=True)
        summary(exc.findings, err=True)
        sys.exit(1)


def _shown(config, period) -> str:
    from ..core.reviews import records_file

    path = records_file(config, period)
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(path)

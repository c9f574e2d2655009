"""Helpers for the narrative tests: the sample's published store, and tiny narrative folders."""

from __future__ import annotations

import datetime as dt
import functools
import textwrap
from pathlib import Path

from reportgen.core.config import load_config
from reportgen.core.findings import Finding
from reportgen.core.periods import Period
from reportgen.disclosure.confidentiality import confidentialise
from reportgen.figures.materiality import Judge
from reportgen.inputs.register import load_register
from reportgen.inputs.submissions import load_submissions
from reportgen.inputs.validate import validate
from reportgen.narratives import load_narratives, render_report
from reportgen.narratives.namespace import namespace
from reportgen.statistics.aggregate import aggregate

from .conftest import REPO

H1 = Period.parse("2025H1")
TODAY = dt.date(2025, 8, 1)

MINIMAL_REPORT = """\
title: Report
publisher: Federation
summary: Hello.
"""


@functools.cache
def _sample():
    config = load_config(REPO / "config.yaml")
    register, _ = load_register(config)
    data = validate(load_submissions(config), register, config)
    agg = aggregate(data.rows, register, config, H1)
    return config, agg, confidentialise(agg, config, config.confidentiality_key()), data.rows


def sample():
    """(config, aggregates, store) for the shipped sample data, computed once per session."""
    return _sample()[:3]


@functools.cache
def judge():
    """The build's materiality judge on the sample (``figures/materiality.py``), as ``publication.py`` makes it."""
    config, agg, store, rows = _sample()
    return Judge(store, config, agg, rows)


def names(scope: str = "NZ"):
    config, agg, store = sample()
    return namespace(store, config, H1, scope=scope, judge=judge())


def write(root: Path, files: dict[str, str], *, report: str | None = MINIMAL_REPORT) -> Path:
    """A narratives/2025H1 folder under ``root`` holding ``files`` (paths relative to it)."""
    folder = root / "narratives" / "2025H1"
    folder.mkdir(parents=True, exist_ok=True)
    if report is not None and "report.yaml" not in files:
        (folder / "report.yaml").write_text(report, encoding="utf-8")
    for rel, text in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text), encoding="utf-8")
    return folder


def run(root: Path, files: dict[str, str], *, final: bool = False, today: dt.date = TODAY,
        report: str | None = MINIMAL_REPORT):
    """Load and render a narrative folder against the sample's published values.

    Returns (rendered report or None, every finding from loading and rendering).
    """
    config = sample()[0]
    folder = write(root, files, report=report)
    narr = load_narratives(folder, root, config=config)
    rendered, problems = render_report(narr, names(), config=config, final=final, today=today)
    return rendered, narr.findings + problems


def only(findings: list[Finding], code: str) -> Finding:
    """The one finding with ``code`` (fails listing them all otherwise)."""
    hits = [f for f in findings if f.code == code]
    assert len(hits) == 1, [f.format() for f in findings]
    return hits[0]


STORY = """\
title: A story
voice: client
region: AKL
themes: [food]
pull_quote: A quote.
body: The story.
consent:
  status: given
  date: 2025-05-01
  reference: C-1
names_changed: true
approved: true
"""

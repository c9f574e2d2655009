"""One run of the pipeline: its findings, the time each stage took, and what it made.

``Run.stage(name)`` is a context manager around the code of a stage, so the
function that runs is written out at the call (``with run.stage("load"): subs
= load_submissions(config)``): a reader, and a call-graph tool, see it.
Stages report problems as findings (``run.findings``); only the command line
turns them into an exit code.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.findings import Finding
from ..core.periods import Period

Progress = Callable[[str], None]


@dataclass
class BuildResult:
    """What a build or a check returns to the command line (and to ``preview``)."""

    period: Period
    findings: list[Finding] = field(default_factory=list)
    out_dir: Path | None = None
    files: list[str] = field(default_factory=list)  # the published bundle's files
    timings: dict[str, float] = field(default_factory=dict)
    data: Any = None  # the validated rows (inputs.validate.ValidData), for check's summary and the quality report
    draft: int | None = None  # the draft number written (or kept, when ``unchanged``)
    unchanged: bool = False  # inputs equal to the latest draft's: nothing rendered, nothing written
    nothing_new: bool = False  # with ``unchanged``: only the release log changed (a final was made), nothing published
    final: bool = False
    documents: list = field(default_factory=list)  # the HTML documents (what ``preview`` serves)
    laid_out: list[str] = field(default_factory=list)  # documents laid out as PDF (the others: cached)
    members_laid_out: list[str] = field(default_factory=list)  # members' private reports laid out (not cached)
    member_reports: int = 0  # members' private reports made (internal/members/)
    member_pdfs: bool = False  # … and laid out as PDFs too (a quarterly draft makes HTML only)
    charts_drawn: int = 0  # charts drawn (the others came from the cache)

    @property
    def ok(self) -> bool:
        return not any(f.is_error for f in self.findings)


class Run:
    """The findings, timings and progress of one build or check."""

    def __init__(self, period: Period, progress: Progress | None = None, *, final: bool = False):
        self.result = BuildResult(period, final=final)
        self.progress = progress or (lambda _name: None)

    @property
    def findings(self) -> list[Finding]:
        return self.result.findings

    @property
    def ok(self) -> bool:
        return self.result.ok

    def report(self, findings: list[Finding]) -> None:
        self.result.findings.extend(findings)

    def unchanged(self, draft: int | None, pdir: Path) -> BuildResult:
        """No input changed since ``draft``: the result names it, and nothing ran."""
        self.result.draft, self.result.unchanged = draft, True
        self.result.out_dir = pdir / "drafts" / str(draft)
        return self.result

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time the enclosed stage and announce it to the progress display."""
        self.progress(name)
        start = time.perf_counter()
        try:
            yield
        finally:
            self.result.timings[name] = time.perf_counter() - start

"""Progress of a build: which stage runs, and how long each took.

On a terminal, a live spinner line (rich) with each finished stage and its
time; elsewhere (CI logs, pipes) one plain line per finished stage, so logs
stay readable; ``--quiet`` shows nothing. Stages call the object with their
name when they start; the previous stage is finished then (or at ``close``).
"""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO


class PlainProgress:
    """One line per stage, written when the stage ends: ``  ✓ load  0.52 s``."""

    def __init__(self, stream: TextIO):
        self.stream = stream
        self.current: str | None = None
        self.started = 0.0
        self.timings: dict[str, float] = {}

    def __call__(self, stage: str) -> None:
        self._finish()
        self.current, self.started = stage, time.perf_counter()

    def _finish(self) -> None:
        if self.current is None:
            return
        took = time.perf_counter() - self.started
        self.timings[self.current] = took
        self._line(self.current, took)
        self.current = None

    def _line(self, stage: str, took: float) -> None:
        self.stream.write(f"  {stage:<16} {took:6.2f} s\n")
        self.stream.flush()

    def close(self) -> None:
        self._finish()
        if self.timings:
            self._total(sum(self.timings.values()))

    def _total(self, total: float) -> None:
        self.stream.write(f"  {'total':<16} {total:6.2f} s\n")
        self.stream.flush()


class RichProgress(PlainProgress):
    """A spinner naming the running stage; finished stages stay listed with their times."""

    def __init__(self, stream: TextIO):
        super().__init__(stream)
        from rich.console import Console

        self.console = Console(file=stream, highlight=False)
        self.status: Any = None  # rich's Status once the first stage starts

    def __call__(self, stage: str) -> None:
        super().__call__(stage)
        if self.status is None:
            self.status = self.console.status(f"[bold]{stage}[/]…", spinner="dots")
            self.status.start()
        else:
            self.status.update(f"[bold]{stage}[/]…")

    def _line(self, stage: str, took: float) -> None:
        self.console.print(f"  [green]✓[/] {stage:<16} [dim]{took:6.2f} s[/]")

    def _total(self, total: float) -> None:
        self.console.print(f"  [bold]{'total':<18} {total:6.2f} s[/]")

    def close(self) -> None:
        if self.status is not None:
            self.status.stop()
            self.status = None
        super().close()


def make_progress(quiet: bool, stream: TextIO | None = None) -> PlainProgress | None:
    """``None`` when quiet; rich on a terminal; plain lines otherwise."""
    if quiet:
        return None
    stream = stream or sys.stderr
    if stream.isatty():
        return RichProgress(stream)
    return PlainProgress(stream)

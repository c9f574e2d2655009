"""Progress: plain lines with stage timings when not on a terminal, rich on one, nothing with --quiet."""

from __future__ import annotations

import io
import re
from pathlib import Path

from click.testing import CliRunner

from reportgen.cli import cli
from reportgen.runtime.progress import PlainProgress, RichProgress, make_progress

LINE = re.compile(r"^  (\S+)\s+(\d+\.\d\d) s$")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_plain_progress_prints_one_line_per_finished_stage_and_a_total():
    out = io.StringIO()
    progress = make_progress(False, out)
    assert type(progress) is PlainProgress
    for stage in ("load", "validate", "aggregate"):
        progress(stage)
    assert [LINE.match(line).group(1) for line in out.getvalue().splitlines()] == ["load", "validate"]
    progress.close()
    names = [LINE.match(line).group(1) for line in out.getvalue().splitlines()]
    assert names == ["load", "validate", "aggregate", "total"]
    assert set(progress.timings) == {"load", "validate", "aggregate"}
    assert "\x1b[" not in out.getvalue()  # no terminal escapes in CI logs


def test_rich_progress_on_a_terminal_lists_stages_with_times():
    term = Terminal()
    progress = make_progress(False, term)
    assert isinstance(progress, RichProgress)
    progress("load")
    progress("charts")
    progress.close()
    shown = term.getvalue()
    assert re.search(r"✓.*load.*\d+\.\d\d s", shown) and re.search(r"✓.*charts.*\d+\.\d\d s", shown)
    assert "total" in shown


def test_quiet_means_no_progress():
    assert make_progress(True, Terminal()) is None


def test_check_prints_plain_stage_lines_and_quiet_silences_them(project: Path, monkeypatch):
    monkeypatch.chdir(project)
    runner = CliRunner()
    loud = runner.invoke(cli, ["check", "2025H1"])
    assert loud.exit_code == 0, loud.output
    stages = [m.group(1) for m in map(LINE.match, loud.stderr.splitlines()) if m]
    assert stages[:4] == ["register", "events", "load", "validate"] and stages[-1] == "total"
    quiet = runner.invoke(cli, ["check", "2025H1", "--quiet"])
    assert quiet.exit_code == 0
    assert not [line for line in quiet.stderr.splitlines() if LINE.match(line)]

"""Issue 25, the command line: exit 3 only for bugs, ``reportgen doctor``, ``check --member`` for an unknown org.

A SOURCE_DATE_EPOCH that is not a time, and a core-only install running a command that needs the 'publish'
extra, are findings that say what to do (exit 1), never "internal error"; the preview never loops on a missing
package; ``doctor`` reports the machine; an unknown ``--member`` is an error with a suggestion, in text and JSON.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from reportgen import preview
from reportgen.cli import main
from reportgen.core.periods import Period
from reportgen.runtime import reproducible

from .test_submissions_rules import base_files, run

PUBLISH = "weasyprint,matplotlib,pikepdf,watchfiles,starlette,uvicorn,multipart,python_multipart"
BLOCKER = textwrap.dedent("""
    import importlib.abc, runpy, sys
    BLOCKED = set(sys.argv[1].split(","))

    class Blocker(importlib.abc.MetaPathFinder):  # as on a core-only install: the module is not there
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in BLOCKED:
                raise ModuleNotFoundError(f"No module named '{name}'", name=name)
            return None

    sys.meta_path.insert(0, Blocker())
    sys.argv = ["reportgen", *sys.argv[2:]]
    runpy.run_module("reportgen", run_name="__main__", alter_sys=True)
""")


@pytest.fixture
def config(tmp_path: Path) -> Path:
    run(tmp_path, base_files())
    return tmp_path / "config.yaml"


def blocked(*args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", BLOCKER, PUBLISH, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout)


# ---- SOURCE_DATE_EPOCH ----------------------------------------------------------------------------------

@pytest.mark.parametrize("value, words", [
    ("99999999999999", "SOURCE_DATE_EPOCH=99999999999999 is after the year 9999"),  # the issue's: exit 3 before
    ("-1751328000", "SOURCE_DATE_EPOCH=-1751328000 is negative"),  # ignored without a word before
    ("yesterday", "SOURCE_DATE_EPOCH='yesterday' is not a whole number of seconds"),
    ("1.7e9", "SOURCE_DATE_EPOCH='1.7e9' is not a whole number of seconds"),  # variants
    ("١٧٥١٣٢٨٠٠٠", "is written with digits other than 0–9"),
    ("253402300800", "is after the year 9999"),  # one second past 9999-12-31T23:59:59Z
])
@pytest.mark.parametrize("command", ["build", "check", "member-reports"])
def test_a_source_date_epoch_that_is_not_a_time_is_a_finding(config, capsys, monkeypatch, value, words, command):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    code = main([command, "2025H1", "--config", str(config)])
    err = capsys.readouterr().err
    assert code == 1, err
    assert words in err and "[env.source-date-epoch]" in err and "internal error" not in err
    assert "$(git log -1 --format=%ct)" in err


def test_the_last_second_a_date_can_hold_is_a_build_time(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "253402300799")
    assert reproducible.build_stamp() == "9999-12-31T23:59:59Z"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", " ")
    assert reproducible.epoch_problem() is None  # empty: not set
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "99999999999999")
    with pytest.raises(reproducible.BadEpoch):  # a named error, never datetime's "year is out of range"
        reproducible.build_date()


# ---- a core-only install ----------------------------------------------------------------------------------

@pytest.mark.parametrize("command", [["build", "2025H1"], ["member-reports", "2025H1"],
                                     ["preview", "2025H1", "--port", "0"],
                                     ["intake", "serve", "--port", "0"]])  # variant: the intake service
def test_a_core_only_install_is_told_which_extra_to_install(config, command):
    """The issue: build on a member's core-only install was "internal error (PackageNotFoundError: matplotlib)",
    and preview served "No module named 'watchfiles' … undo the last edit" and retried without end."""
    start = time.monotonic()
    done = blocked(*command, "--config", str(config), cwd=config.parent, timeout=60)
    assert done.returncode == 1, done.stderr
    assert "[env.missing-extra]" in done.stderr and "pip install 'reportgen[publish]'" in done.stderr
    assert f"reportgen {command[0]} needs the publishing packages" in done.stderr
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr
    assert time.monotonic() - start < 50  # the preview stops at once rather than serving a loop


def test_check_and_doctor_run_on_a_core_only_install(config):
    done = blocked("check", "2025H1", "--config", str(config), cwd=config.parent)
    assert "env.missing-extra" not in done.stderr + done.stdout and "internal error" not in done.stderr
    done = blocked("doctor", "--config", str(config), cwd=config.parent)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "[ missing] 'publish' extra" in done.stdout
    assert ("→ pip install 'reportgen[publish]'; needed by reportgen build, intake serve, member-reports, preview"
            in done.stdout)


def test_a_package_missing_part_way_through_is_a_finding_not_a_bug(config, capsys, monkeypatch):
    """Variant: the preflight passes, but an optional module is missing when the build imports it (a broken
    install): the same finding, exit 1."""
    import reportgen.build

    def broken(*args, **kwargs):
        raise ModuleNotFoundError("No module named 'matplotlib'", name="matplotlib")

    monkeypatch.setattr(reportgen.build, "build", broken)
    code = main(["build", "2025H1", "--config", str(config)])
    err = capsys.readouterr().err
    assert code == 1 and "[env.missing-extra]" in err and "matplotlib" in err and "internal error" not in err


def test_the_preview_watcher_stops_once_on_a_missing_package(monkeypatch, tmp_path):
    """Variant: watchfiles vanishing under a running preview: one finding in the page, the watcher stops (before,
    it retried every half second for ever)."""
    calls = []

    def watch(*args):
        calls.append(1)
        raise ModuleNotFoundError("No module named 'watchfiles'", name="watchfiles")

    monkeypatch.setattr(preview, "_watch", watch)
    state, stop = preview.PreviewState(), threading.Event()
    log = tmp_path / "log.txt"
    with log.open("w") as fh:
        t = threading.Thread(target=preview.watch_loop, args=(tmp_path / "config.yaml", Period.parse("2025H1"), state,
                                                              stop, fh))
        t.start()
        t.join(timeout=5)
    stop.set()
    assert not t.is_alive() and calls == [1]
    assert [f.code for f in state.findings] == ["env.missing-extra"]
    assert "pip install 'reportgen[publish]'" in log.read_text()


# ---- reportgen doctor ---------------------------------------------------------------------------------------

def test_doctor_reports_every_piece(config, capsys):
    code = main(["doctor", "--config", str(config)])
    out = capsys.readouterr().out
    assert code == 0, out
    for what in ("Python", "reportgen", "core packages", "'publish' extra", "'test' extra", "fonts with macrons",
                 "poppler", "qpdf", "Chromium (for the tests)", "config", "default templates", "writable folders"):
        assert re.search(rf"^  \[ *\w+\] {re.escape(what)} ", out, re.M), what
    assert f"{config.resolve()} (16 regions" in out
    assert "reportgen/templates (" in out


def test_doctor_says_what_stops_reportgen(config, capsys, monkeypatch, tmp_path):
    """Each problem with what to do: a SOURCE_DATE_EPOCH that is not a time, a config that does not load, a
    folder reportgen writes that cannot be made (variant: a file stands where the cache keys go)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "soon")
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("REPORTGEN_KEY_DIR", str(blocker / "keys"))
    config.write_text(config.read_text() + "colour: blue\n")
    code = main(["doctor", "--config", str(config)])
    out = capsys.readouterr().out
    assert code == 1
    assert "[ PROBLEM] SOURCE_DATE_EPOCH" in out and "→ set it to the seconds since 1970-01-01 UTC" in out
    assert "[ PROBLEM] config" in out and "unknown key 'colour'" in out
    assert "[ PROBLEM] writable folders" in out and f"{blocker} is a file, not a folder" in out
    assert "3 problems stop reportgen" in out


# ---- check --member for an org that is not in the register --------------------------------------------------

def test_check_for_an_unknown_member_is_an_error_with_a_suggestion(config, capsys):
    """The issue: check 2025H1 --member XYZ999 said "0 errors, 0 warnings", exit 0, and the JSON the same."""
    code = main(["check", "2025H1", "--config", str(config), "--member", "XYZ999"])
    out = capsys.readouterr().out
    assert code == 1
    assert "error: --member XYZ999 is not in the member register, so no finding can be about it" in out
    assert "1 error, 0 warnings" in out
    code = main(["check", "2025H1", "--config", str(config), "--member", "C11", "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 1 and doc["member"] == "C11" and doc["summary"]["errors"] == 1
    [f] = doc["findings"]
    assert (f["code"], f["file"], f["hint"]) == ("data.unknown-member", "data/members.csv", "did you mean 'C1'?")


def test_check_for_a_look_alike_member_says_so(config, capsys):
    """Variant: --member typed with a Cyrillic letter (copied from a document): the hint names it."""
    code = main(["check", "2025H1", "--config", str(config), "--member", "\u04101"])
    out = capsys.readouterr().out
    assert code == 1 and "contains a Cyrillic А (U+0410), not a Latin A" in out






"""Issue 19: no exit 3 for a problem a user can fix. Environment problems (a read-only or full output
folder, a full cache, a locked project) are coded findings with a hint; concurrent builds of one project
are serialised; the crash log is per project and per run; config values that would crash a build are
refused by ``check``."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from reportgen import cli
from reportgen.runtime.lock import project_lock

from .conftest import STORY, cli_in_process, copy_project, run_cli, small_project


def _mount(where: Path, options: str) -> None:
    where.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")


def _umount(where: Path) -> None:
    subprocess.run(["umount", "-l", str(where)], check=False)


def _check(root: Path):
    out = cli_in_process("check", "2025H1", cwd=root)
    assert "Traceback" not in out.stdout + out.stderr and "internal error" not in out.stderr
    return out


def _set(config: Path, old: str, new: str) -> int:
    text = config.read_text(encoding="utf-8")
    assert old in text
    config.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def test_an_output_folder_that_is_a_file_or_an_input_is_refused_by_check(tmp_path):
    root = copy_project(tmp_path / "p", data=False)
    config = root / "config.yaml"
    original = config.read_text(encoding="utf-8")
    for folder in ("config.yaml", "narratives", "data"):
        config.write_text(original + f"\noutput:\n  folder: {folder}\n", encoding="utf-8")
        out = _check(root)
        assert out.returncode == 1
        line = original.count("\n") + 3
        assert f"config.yaml:{line}:11: error: output.folder:" in out.stderr and "[config.invalid-value]" in out.stderr


def test_confidentiality_values_that_would_crash_a_build_are_refused(tmp_path):
    root = copy_project(tmp_path / "p", data=False)
    config = root / "config.yaml"
    text = config.read_text(encoding="utf-8")
    if "suppress_below:" not in text:
        config.write_text(text + "\nconfidentiality:\n  suppress_below: 6\n", encoding="utf-8")
    line = _set(config, "suppress_below: 6", "suppress_below: 1e30")
    out = _check(root)
    assert out.returncode == 1 and f"config.yaml:{line}:" in out.stderr and "confidentiality.suppress_below" in out.stderr


def test_the_crash_log_is_per_project_and_per_run(tmp_path, monkeypatch, capsys):
    root = copy_project(tmp_path / "p", data=False)
    import reportgen.build

    def bug(*args, **kwargs):
        raise RuntimeError("a bug planted by the test")

    monkeypatch.setattr(reportgen.build, "check", bug)
    logs = []
    for _ in range(2):
        code = cli.main(["check", "2025H1", "--config", str(root / "config.yaml")])
        err = capsys.readouterr().err
        assert code == 3 and "a bug planted by the test" in err
        logs.append(Path(err.split("details are in ")[1].strip()))
    assert logs[0] != logs[1]
    for log in logs:
        assert log.parent == root / ".reportgen-cache" / "crash" and log.is_file()
        assert stat.S_IMODE(log.stat().st_mode) == 0o600 and "RuntimeError" in log.read_text()


def test_a_locked_project_is_a_finding_after_the_wait(tmp_path):
    root = copy_project(tmp_path / "p", data=False)
    with project_lock(root):
        out = subprocess.run([sys.executable, "-m", "reportgen", "build", "2025H1"], cwd=root, capture_output=True,
                             text=True, env={**os.environ, "REPORTGEN_LOCK_WAIT": "1"})
    assert out.returncode == 1, out.stderr
    assert "[env.locked]" in out.stderr and f"process {os.getpid()}" in out.stderr and "hint:" in out.stderr
    assert "waiting up to 1 s" in out.stderr


@pytest.mark.slow
def test_two_builds_at_once_make_two_drafts_each_with_its_edit(tmp_path):
    root = small_project(tmp_path / "p")
    story = root / STORY
    assert cli_in_process("build", "2025H1", "-q", cwd=root).returncode == 0  # draft 1 (the two builds below: processes)
    results = {}

    def build(tag: str):
        results[tag] = run_cli("build", "2025H1", "-q", cwd=root)

    story.write_text(story.read_text(encoding="utf-8").replace("mother of four", "mother of five"), encoding="utf-8")
    first = threading.Thread(target=build, args=("a",))
    first.start()
    second = threading.Thread(target=build, args=("b",))
    second.start()  # the same inputs: it waits, then finds them built (or builds them: never the same number)
    first.join()
    second.join()
    assert results["a"].returncode == 0 and results["b"].returncode == 0, (results["a"].stderr, results["b"].stderr)
    outs = sorted(r.stdout.splitlines()[0] for r in results.values())
    assert any("draft 2" in o for o in outs), outs
    assert not any("draft 3" in o for o in outs)
    html = (root / "output/2025H1/drafts/2/report.html").read_text(encoding="utf-8")
    assert "mother of five" in html


@pytest.mark.slow
def test_a_read_only_output_folder_is_a_finding(tmp_path):
    root = small_project(tmp_path / "p")
    _mount(root / "output", "ro,size=1m")
    try:
        out = cli_in_process("build", "2025H1", "-q", cwd=root)  # in process: what the command does is tested
    finally:
        _umount(root / "output")
    assert out.returncode == 1, out.stderr
    assert "[env.read-only]" in out.stderr and "hint:" in out.stderr and "internal error" not in out.stderr


@pytest.mark.slow
def test_a_full_output_folder_is_a_finding(tmp_path):
    root = small_project(tmp_path / "p")
    _mount(root / "output", "size=64k")
    try:
        out = cli_in_process("build", "2025H1", "-q", cwd=root)
        left = [p for p in (root / "output").rglob("*") if p.is_file()]
    finally:
        _umount(root / "output")
    assert out.returncode == 1, out.stderr
    assert "[env.disk-full]" in out.stderr and "internal error" not in out.stderr
    assert not [p for p in left if p.suffix == ".tmp"], left


@pytest.mark.slow
def test_a_full_cache_folder_does_not_stop_a_build(tmp_path, monkeypatch):
    root = small_project(tmp_path / "p")
    cache = tmp_path / "cache"
    _mount(cache, "size=256k")
    monkeypatch.setenv("REPORTGEN_CACHE_DIR", str(cache))
    try:
        out = cli_in_process("build", "2025H1", "-q", cwd=root)
        left = [p for p in cache.rglob("*.tmp")]
    finally:
        _umount(cache)
    assert out.returncode == 0, out.stderr
    assert "Built 2025H1 draft 1" in out.stdout and "[cache.not-written]" in out.stderr
    assert not left, left


def test_the_memory_ceiling_turns_into_a_finding(tmp_path):
    big = copy_project(tmp_path / "big")
    # a 110 MB submission (two million rows, within the file-size limit) needs well over 1 GiB to read:
    # the ceiling is reached by the data itself, whatever the machine's threads reserve
    with (big / "data" / "submissions" / "big.csv").open("w", encoding="utf-8") as fh:
        fh.write("org_id,period,region,measure,dimension,category,value\n")
        fh.write("ANG001,2025Q1,AKL,sessions,service_type,counselling,12\n" * 2_000_000)
    out = subprocess.run([sys.executable, "-m", "reportgen", "check", "2025H1", "-q"], cwd=big, capture_output=True,
                         text=True, env={**os.environ, "REPORTGEN_MEMORY_LIMIT": "1G"}, timeout=300)
    assert out.returncode == 1, out.stderr
    assert "[env.out-of-memory]" in out.stderr and "(1.0 GiB)" in out.stderr and "REPORTGEN_MEMORY_LIMIT" in out.stderr
    assert "Traceback" not in out.stderr and "internal error" not in out.stderr
    root = copy_project(tmp_path / "p")
    ok = subprocess.run([sys.executable, "-m", "reportgen", "check", "2025H1", "-q"], cwd=root, capture_output=True,
                        text=True, timeout=300)  # the default ceiling is far above what a check of the sample needs
    assert ok.returncode == 0, ok.stderr

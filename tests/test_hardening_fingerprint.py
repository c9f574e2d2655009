"""Issue 19: fingerprints that cannot go stale, and that do not depend on where reportgen is installed."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from reportgen.core.config import load_config
from reportgen.core.periods import Period
from reportgen.runtime import fingerprint
from reportgen.runtime.cache import cache_dir
from reportgen.runtime.fingerprint import input_fingerprint

from .conftest import cli_in_process, copy_project, small_project

P = Period.parse("2025H1")


def _same_size_edit(path: Path) -> None:
    """Change a submission's content but keep its size and modification time, as in the attack."""
    st = path.stat()
    text = path.read_bytes()
    i = text.index(b",clients,total,,") + len(b",clients,total,,")
    digit = text[i:i + 1]
    path.write_bytes(text[:i] + (b"7" if digit != b"7" else b"8") + text[i + 1:])
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_size == st.st_size and path.stat().st_mtime_ns == st.st_mtime_ns


def test_an_edit_that_keeps_size_and_time_is_seen(tmp_path):
    root = copy_project(tmp_path / "p")
    config = load_config(root / "config.yaml")
    time.sleep(fingerprint.SETTLED_NS / 1e9 + 0.2)  # the copies settle: now their hashes are remembered
    before = input_fingerprint(config, P)
    assert (cache_dir(root) / fingerprint.HASHES_FILE).is_file()
    target = sorted((root / "data" / "submissions").rglob("*.csv"))[0]
    _same_size_edit(target)
    after = input_fingerprint(config, P)
    assert after.parts["data"] != before.parts["data"]
    assert after == input_fingerprint(config, P, memo=False)


def test_a_file_changed_just_now_is_not_remembered(tmp_path):
    root = copy_project(tmp_path / "p")
    memo: dict = {}
    target = sorted((root / "data" / "submissions").rglob("*.csv"))[0]
    fingerprint._data_digest(target, memo)
    assert str(target) not in memo  # changed less than SETTLED_NS ago: hashed again next time
    old = time.time_ns() - 10 * fingerprint.SETTLED_NS
    os.utime(target, ns=(old, old))
    fingerprint._data_digest(target, memo)
    assert str(target) not in memo  # its ctime is still new (utime sets it): still not trusted


def test_reportgen_sources_are_recorded_by_their_place_in_the_package(tmp_path, monkeypatch):
    root = copy_project(tmp_path / "p", data=False)
    config = load_config(root / "config.yaml")
    here = input_fingerprint(config, P, memo=False)
    elsewhere = tmp_path / "site-packages" / "reportgen"
    shutil.copytree(fingerprint.PACKAGE, elsewhere, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(fingerprint, "PACKAGE", elsewhere)
    there = input_fingerprint(config, P, memo=False)
    assert there.parts["reportgen"] == here.parts["reportgen"] and there.digest == here.digest


def test_an_unsigned_memo_is_ignored(tmp_path):
    root = copy_project(tmp_path / "p")
    config = load_config(root / "config.yaml")
    target = sorted((root / "data" / "submissions").rglob("*.csv"))[0]
    st = target.stat()
    forged = {str(target): [*fingerprint._stamp(st), "0" * 64]}
    memo = cache_dir(root) / fingerprint.HASHES_FILE
    memo.parent.mkdir(parents=True, exist_ok=True)
    import json

    memo.write_text(json.dumps({"mac": "0" * 64, "hashes": forged}), encoding="utf-8")
    assert input_fingerprint(config, P) == input_fingerprint(config, P, memo=False)


@pytest.mark.slow
def test_build_after_a_same_size_edit_is_not_unchanged(tmp_path):
    root = small_project(tmp_path / "p")
    time.sleep(fingerprint.SETTLED_NS / 1e9 + 0.2)
    first = cli_in_process("build", "2025H1", "-q", cwd=root)
    assert first.returncode == 0, first.stderr
    target = next(p for p in sorted((root / "data" / "submissions").rglob("*.csv"))
                  if b",clients,total,," in p.read_bytes())
    st = target.stat()
    text = target.read_bytes()
    i = text.index(b",clients,total,,") + len(b",clients,total,,")
    target.write_bytes(text[:i] + b"x" + text[i + 1:])  # a value that is not a number, same size
    os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))
    second = cli_in_process("build", "2025H1", "-q", cwd=root)
    check = cli_in_process("check", "2025H1", "-q", cwd=root)
    assert check.returncode == 1 and "data.bad-value" in check.stdout
    assert second.returncode == 1 and "No input changed" not in second.stdout and "data.bad-value" in second.stderr

"""Issue 19: a cache that cannot run code, and that never stops a build when its folder is full.

The cache folder may be shared between projects (``$REPORTGEN_CACHE_DIR``); in the attack a pickle
written there ran ``os.system`` in the next build. Entries are now signed with a per-project key kept
outside every cache folder, and verified before anything is unpickled."""

from __future__ import annotations

import os
import pickle
import subprocess
from pathlib import Path

import pytest

from reportgen.runtime import cache as cachemod
from reportgen.runtime.cache import MAGIC, StageCache, cache_dir, take_warnings
from reportgen.runtime.cachepaths import key_dir, project_key


class Evil:
    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def _entry(cache: StageCache, name: str, key: str) -> Path:
    return cache._path(name, key)


def test_a_planted_pickle_never_runs(tmp_path):
    marker = tmp_path / "ran"
    cache = StageCache(tmp_path / "project")
    evil = pickle.dumps(Evil(marker))
    path = _entry(cache, "inputs", "planted")
    path.parent.mkdir(parents=True, exist_ok=True)
    for blob in (evil, MAGIC + b"\0" * 32 + evil, MAGIC + evil):  # bare, with a forged and with no signature
        path.write_bytes(blob)
        (path.parent / "planted.pickle").write_bytes(evil)  # the old format's name too
        assert cache.run("inputs", "planted", lambda: "recomputed") == "recomputed"
        assert not marker.exists()
        assert cache.rejected and path.read_bytes() != blob  # discarded, then rewritten by reportgen
        path.unlink()
    pickle.loads(evil)  # the payload is live: unpickled here, on purpose, it does run
    assert marker.exists()


def test_an_entry_signed_by_another_project_is_not_trusted(tmp_path):
    a, b = StageCache(tmp_path / "a"), StageCache(tmp_path / "b")
    a.put("s", "k2", {"from": "a"})
    b_path = _entry(b, "s", "k2")
    if b_path != _entry(a, "s", "k2"):  # (in the test session both use one shared folder already)
        b_path.parent.mkdir(parents=True, exist_ok=True)
        b_path.write_bytes(_entry(a, "s", "k2").read_bytes())
    assert b.run("s", "k2", lambda: {"from": "b"}) == {"from": "b"} and b.rejected == ["s"]
    assert a.run("s", "k2", lambda: {"again": "a"}) == ({"again": "a"} if b_path == _entry(a, "s", "k2")
                                                         else {"from": "a"})


def test_the_key_is_kept_outside_the_cache_and_private(tmp_path, monkeypatch):
    monkeypatch.setenv(cachemod.CACHE_ENV, str(tmp_path / "shared"))
    root = tmp_path / "project"
    StageCache(root).put("s", "k", 1)
    keys = key_dir()
    assert not keys.resolve().is_relative_to((tmp_path / "shared").resolve())
    [path] = [p for p in keys.glob("*.key") if p.read_bytes() == project_key(root)]
    assert path.stat().st_mode & 0o077 == 0
    assert project_key(root) not in b"".join(p.read_bytes() for p in (tmp_path / "shared").rglob("*") if p.is_file())


@pytest.fixture
def tiny_fs(tmp_path):
    """A real, nearly full file system (tmpfs of 64 KiB), or skip where mounting is not allowed."""
    mount = tmp_path / "fs"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_cache_folder_leaves_no_temporary_files_and_warns(tiny_fs, monkeypatch):
    monkeypatch.setenv(cachemod.CACHE_ENV, str(tiny_fs))
    take_warnings()
    cache = StageCache(tiny_fs.parent / "project")
    big = os.urandom(200_000)
    assert cache.run("s", "k", lambda: big) == big  # computed; storing it fails
    assert not list(tiny_fs.rglob("*.tmp"))
    [w] = take_warnings()
    assert w.code == "cache.not-written" and w.severity == "warning" and "No space" in w.message


def test_a_read_only_cache_folder_is_not_an_error(tmp_path, monkeypatch):
    ro = tmp_path / "ro"
    ro.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(ro)], capture_output=True)
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        monkeypatch.setenv(cachemod.CACHE_ENV, str(ro))
        take_warnings()
        assert StageCache(tmp_path / "p").run("s", "k", lambda: 5) == 5
        assert [w.code for w in take_warnings()] == ["cache.not-written"]
    finally:
        subprocess.run(["umount", "-l", str(ro)], check=False)


def test_cache_and_fingerprint_do_not_import_each_other():
    import ast

    here = Path(cachemod.__file__).parent
    for name, other in (("cache.py", "fingerprint"), ("fingerprint.py", "cache")):
        tree = ast.parse((here / name).read_text(encoding="utf-8"))
        imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        assert other not in imported and f".{other}" not in imported, name
    assert cache_dir(Path("x")).name in (".reportgen-cache", Path(os.environ[cachemod.CACHE_ENV]).name)

"""Issue 19: no process outlives a killed build by more than a second, whatever killed it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import small_project


def _children() -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            stat = Path(f"/proc/{name}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        out.setdefault(ppid, []).append(int(name))
    return out


def descendants(pid: int) -> set[int]:
    tree, found, todo = _children(), set(), [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has exited (its parent, init, reaps it)


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc and PR_SET_PDEATHSIG are Linux's")
@pytest.mark.parametrize("moment", [3.0, 6.0])
def test_kill_9_of_a_build_leaves_no_process_behind(tmp_path, moment):
    root = small_project(tmp_path / "p")
    read, write = os.pipe()
    proc = subprocess.Popen([sys.executable, "-m", "reportgen", "build", "2025H1", "--no-cache", "--jobs", "2"],
                            cwd=root, stdout=write, stderr=write)
    os.close(write)
    seen: set[int] = set()
    end = time.monotonic() + moment
    while time.monotonic() < end and proc.poll() is None:
        seen |= descendants(proc.pid)
        time.sleep(0.05)
    if proc.poll() is not None:
        pytest.skip("the build finished before it could be killed")
    seen |= descendants(proc.pid)
    assert len(seen) >= 2, "the build had started no workers yet"  # the forkserver and tracker at least
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    killed = time.monotonic()
    while time.monotonic() - killed < 1.0 and any(alive(p) for p in seen):
        time.sleep(0.02)
    survivors = [p for p in seen if alive(p)]
    try:
        assert not survivors, [Path(f"/proc/{p}/cmdline").read_bytes()[:100] for p in survivors]
        # nothing holds the caller's pipe: reading it reaches the end
        os.set_blocking(read, False)
        time.sleep(0.05)
        try:
            while os.read(read, 65536):
                pass
        except BlockingIOError:
            pytest.fail("a process still holds the build's output pipe")
    finally:
        for p in survivors:
            os.kill(p, signal.SIGKILL)
        os.close(read)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_a_forkserver_whose_build_died_before_it_could_mark_itself_exits():
    """The race the kill -9 test can hit on a loaded machine: the build is killed after starting its
    forkserver but before the forkserver imported ``deathsig`` (which sets the kernel's death signal). The
    forkserver is then the child of init, not of the build: it must see that and exit, not live on."""
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()  # a pid that is gone
    code = "import reportgen.runtime.deathsig; print('still here')"
    env = {**os.environ, "REPORTGEN_POOL_PARENT": str(dead.pid)}
    gone = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert (gone.returncode, gone.stdout) == (1, "")
    # the build alive but not the parent (some other process that inherited the variable): left alone
    alive = subprocess.run([sys.executable, "-c", code], env={**os.environ, "REPORTGEN_POOL_PARENT": "1"},
                           capture_output=True, text=True, timeout=60)
    assert (alive.returncode, alive.stdout) == (0, "still here\n")

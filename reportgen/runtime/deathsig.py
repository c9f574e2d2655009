"""Worker processes that die with their build.

On Linux, ``prctl(PR_SET_PDEATHSIG, SIGKILL)`` asks the kernel to kill a
process the moment its parent dies. The build's forkserver (a child of the
build) sets it when it starts — this module is the first one it preloads, and
it acts only there: in the process whose parent is the one named by
``$REPORTGEN_POOL_PARENT``, or, if that build has died before the forkserver
got this far, by exiting at once — and every worker sets it again in its initializer
(the mark is not inherited over fork). So however the build ends, kill -9 and
the OOM killer included, the forkserver dies at once, then its workers; and
multiprocessing's resource tracker, which stays only as long as some process
holds its pipe, exits right after them. In the forkserver it also makes garbage
collections rarer (``memory.py``) before the heavy modules are imported, and the
workers forked from it inherit that. Importing this module elsewhere does
nothing. Only the standard library is used; on other systems it is a no-op.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

PARENT_ENV = "REPORTGEN_POOL_PARENT"
_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int | None = None) -> bool:
    """Be killed (SIGKILL) when the parent process dies; exit now if ``parent`` is already gone."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) != 0:
            return False
    except (OSError, AttributeError):
        return False
    if parent is not None and os.getppid() != parent:  # it died before the mark was set
        os._exit(1)
    return True


def alive(pid: int) -> bool:
    """Whether process ``pid`` still exists (another user's counts as alive)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # alive, but another user's
        return True
    return True


def _in_forkserver() -> None:
    expected = os.environ.get(PARENT_ENV, "")
    if not expected.isdigit():
        return
    if int(expected) == os.getppid():
        die_with_parent(int(expected))
        from .memory import fewer_collections

        fewer_collections()  # WeasyPrint and matplotlib are imported next (0.07–0.19 s less cpu measured)
    elif not alive(int(expected)):  # the build died before this process could mark itself: go too
        os._exit(1)


_in_forkserver()

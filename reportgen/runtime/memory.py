"""Giving freed memory back to the operating system, after a burst of allocations; and collecting
cyclic garbage less often.

Reading 145,000 submission files parses them on a helper thread (``inputs/submissions.py``); the C
library keeps the memory that thread freed in its own arena, where the rest of the build cannot use it,
and the process's resident size stays hundreds of megabytes above what it holds (measured at 5,000
members × 20 quarters: 3.15 GB peak without, 2.71 GB with). ``release_free_memory`` asks glibc to
return it (``malloc_trim``); elsewhere it does nothing. Only the standard library is imported.

CPython's cyclic garbage collector runs by default after every 700 net allocations (2,000 from Python
3.13), and every tenth and hundredth run goes through older and older objects — in a build, hundreds of
thousands of them that stay alive to the end: the imported libraries, the published store's cells, the
tables' rows, and on the workers WeasyPrint's boxes while a document is laid out. ``fewer_collections``
makes the young collections rarer (every 50,000 allocations), so that the full collections, which go
through them all, run far less often (measured in docs/benchmarks.md). Memory freed by reference
counting — nearly all of it: arrays, frames, strings — is freed at once as before; only garbage in
reference cycles waits longer.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import sys
from functools import cache


@cache
def _libc():
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc if hasattr(libc, "malloc_trim") else None
    except OSError:
        return None


def release_free_memory() -> bool:
    """Return the heap's free memory to the operating system (glibc); True when it was asked."""
    libc = _libc()
    if libc is None:
        return False
    libc.malloc_trim(0)
    return True


# gc.set_threshold: a young collection every YOUNG net allocations (CPython: 700, or 2,000 from 3.13), the
# middle one every MIDDLE young ones and the full one every OLD middle ones (both 10, CPython's own)
YOUNG, MIDDLE, OLD = 50_000, 10, 10


def fewer_collections() -> None:
    """Collect cyclic garbage less often in this process (a build's, a worker's, a test run's)."""
    gc.set_threshold(YOUNG, MIDDLE, OLD)

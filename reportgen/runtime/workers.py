"""Worker processes for the build's parallel stages: chart drawing and PDF layout.

One pool per build. Workers never inherit this process's state: on Linux they
come from a *forkserver* — a fresh, single-threaded interpreter that imports
WeasyPrint and matplotlib once and then forks a worker per slot — elsewhere
they are spawned (each imports what it needs). Either way the tasks are
module-level functions with picklable arguments (spawn-safe), and the
preview's threads never reach a worker. The pool is started once the inputs
are known to be good, so the imports run while this process computes the
published figures. ``jobs=1`` runs every task in this process, one after
another, with no pool.

Workers ignore Ctrl-C: the build process handles it, cancels what has not
started and stops the pool, so an interrupted build prints one line, not a
traceback per worker.

Workers die with their build (``deathsig.py``): the forkserver and every
worker are marked to be killed by the kernel when their parent dies, so a
build killed by any means (kill -9, the OOM killer) leaves no process behind
for more than a moment, and none holds the caller's output pipe.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any


def default_jobs() -> int:
    """The cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def _init_worker(build_pid: int | None = None) -> None:
    from .deathsig import alive, die_with_parent
    from .memory import fewer_collections

    die_with_parent()  # the parent: the forkserver (or, spawned, the build itself)
    if build_pid is not None and not alive(build_pid):  # the build is gone already
        os._exit(1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    fewer_collections()  # a layout makes many objects: cyclic garbage collected less often (memory.py)


# What the tasks import (WeasyPrint, matplotlib through the chart drawing, the PDF stamp), named
# rather than imported here: the workers serve the stages above them without depending on them.
PRELOAD = ["reportgen.runtime.deathsig", "weasyprint", "reportgen.charts.draw", "reportgen.documents.render_pdf",
           "reportgen.release.stamp"]


def _warm_up() -> int:
    """Import what the tasks need, so the first real task does not wait for it."""
    import importlib

    for name in PRELOAD:
        importlib.import_module(name)
    return os.getpid()


def _context():
    """forkserver with the heavy modules preloaded (Linux), else spawn."""
    import multiprocessing

    if "forkserver" in multiprocessing.get_all_start_methods() and os.environ.get("REPORTGEN_SPAWN") != "1":
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(PRELOAD)
        return ctx
    return multiprocessing.get_context("spawn")


class Workers:
    """``submit``/``map`` to a spawn process pool, or in this process when ``jobs`` is 1."""

    def __init__(self, jobs: int | None = None):
        self.jobs = max(1, jobs if jobs is not None else default_jobs())
        self._pool: ProcessPoolExecutor | None = None
        self._starting: threading.Thread | None = None
        self._failed: BaseException | None = None

    @property
    def parallel(self) -> bool:
        return self.jobs > 1

    def start(self) -> Workers:
        """Start the pool without waiting for it. The forkserver is started here, in the calling
        thread (its death signal follows the thread that made it); the workers, which the forkserver
        forks only once it has imported WeasyPrint and matplotlib, are asked for on a helper thread,
        so that this process goes on with its own stages meanwhile (``submit`` waits for the pool)."""
        if self.parallel and self._pool is None and self._starting is None:
            from .deathsig import PARENT_ENV

            # the forkserver marks itself to die with this process
            previous = os.environ.get(PARENT_ENV)
            os.environ[PARENT_ENV] = str(os.getpid())
            try:
                context = _context()
                if context.get_start_method() == "forkserver":
                    from multiprocessing import forkserver

                    forkserver.ensure_running()  # returns at once; the server imports on its own
                    self._starting = threading.Thread(target=self._open, args=(context,), daemon=True,
                                                      name="reportgen-workers")
                    self._starting.start()
                else:  # spawned workers die with the thread that made them: make them here
                    self._open(context)
            finally:
                if previous is None:
                    os.environ.pop(PARENT_ENV, None)
                else:
                    os.environ[PARENT_ENV] = previous
        return self

    def _open(self, context) -> None:
        try:
            pool = ProcessPoolExecutor(self.jobs, mp_context=context, initializer=_init_worker,
                                       initargs=(os.getpid(),))
            for _ in range(self.jobs):
                pool.submit(_warm_up)  # each submit asks the forkserver for a worker and waits for its pid
        except BaseException as exc:  # raised again where the pool is first used
            self._failed = exc
            return
        self._pool = pool

    def _ready(self) -> ProcessPoolExecutor:
        if self._pool is None and self._starting is None:
            self.start()
        if self._starting is not None:
            self._starting.join()
            self._starting = None
        if self._failed is not None:
            raise self._failed
        assert self._pool is not None
        return self._pool

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future:
        """``fn(*args)`` in a worker (``fn`` must be a module-level function); here when ``jobs`` is 1."""
        if self.parallel:
            return self._ready().submit(fn, *args)
        done: Future = Future()
        try:
            done.set_result(fn(*args))
        except BaseException as exc:  # re-raised by .result(), as a pool would
            done.set_exception(exc)
        return done

    def map(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> list[Any]:
        """``[fn(item) for item in items]``, spread over the workers, results in order."""
        futures = [self.submit(fn, item) for item in items]
        return [f.result() for f in futures]

    def close(self) -> None:
        if self._starting is not None:
            self._starting.join()
            self._starting = None
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

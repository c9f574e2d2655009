"""Every resource limit reportgen enforces, in one place (documented in docs/limits.md).

Inputs come from people (editors, members, staff) and some of them from outside
the federation, so each input has a size bound that is far above any real file
and far below what could exhaust the machine. A limit that is reached becomes a
coded finding pointing at the file (and line, where there is one), never a
crash, a hang or an out-of-memory kill. Only the standard library is imported.

The values are module attributes read at the moment they are used, so a test may
lower one with ``monkeypatch.setattr(limits, NAME, value)``.
"""

from __future__ import annotations

import ctypes
import os
import threading
import time
from contextlib import contextmanager

# ---- YAML files (config.yaml, narratives, data/events.yaml) ---------------------------------
YAML_FILE_BYTES = 1 << 20  # 1 MiB: the largest narrative or config file read
YAML_DEPTH = 40  # nesting of mappings and lists
YAML_NODES = 50_000  # values after expanding every alias (&anchor / *alias)
YAML_TEXT_CHARS = 100_000  # one text value (a story body is a few thousand)
# narrative files (editors') refuse aliases outright; config and events allow them within YAML_NODES

# ---- submissions and the register -------------------------------------------------------------
SUBMISSION_FILE_BYTES = 256 << 20  # 256 MiB: one CSV or XLSX submission
SUBMISSION_ROWS = 5_000_000  # rows of one XLSX worksheet (a compressed workbook can be small on disk)
REGISTER_FILE_BYTES = 16 << 20  # 16 MiB: data/members.csv
SUBMISSION_COLUMNS = 16_384  # columns of one submission's header or row (Excel's own limit)
FIELD_CHARS = 200  # one CSV/XLSX cell (codes are short, values are numbers)
MAX_VALUE = 10**12  # the largest value accepted in a submission: sums of values stay exact
                    # in the float64 published store (below 2**53) for thousands of contributions

# ---- XLSX workbooks: what one may expand to, measured before it is parsed -------------------------
XLSX_PARTS = 1_000  # files inside the zip (a workbook has a dozen or two)
XLSX_SHEETS = 256  # worksheets in one workbook (a submission uses one)
XLSX_UNCOMPRESSED_BYTES = 2 << 30  # 2 GiB: every part decompressed (5,000,000 rows of seven cells fit)
XLSX_PART_BYTES = 64 << 20  # 64 MiB: one part other than a worksheet (shared strings, styles, workbook)
XLSX_SHARED_STRINGS = 1_000_000  # distinct texts of one workbook
XLSX_CELL_CHARS = 32_767  # one text in the workbook's XML (Excel's own limit for one cell)

# ---- findings: no floods -------------------------------------------------------------------------
FINDINGS_PER_FILE = 20  # findings of one code listed for one file …
FINDINGS_PER_CODE = 200  # … and in one run; then one line with the count of the rest
FINDINGS_TOTAL = 2_000  # findings listed in all; past it only the first of each further code
FINDING_MESSAGE_CHARS = 1_000  # one message, hint or file name as printed (a quoted value is cut)

# ---- placeholders in narratives ---------------------------------------------------------------
PLACEHOLDER_TEXT = 10_000  # characters one placeholder may produce
PLACEHOLDER_NUMBER = 10**15  # a whole number a placeholder computes must lie within ±this
PLACEHOLDER_SECONDS = 2.0  # time one field's placeholders may take to evaluate

# ---- templates (staff's Jinja templates) -------------------------------------------------------
TEMPLATE_FILE_BYTES = 4 << 20  # 4 MiB: one template or stylesheet file (report.css is ~8 KiB)
TEMPLATE_TEXT = 1_000_000  # one string a template builds ('x' * n, a filter's result)
TEMPLATE_NUMBER = 10**15  # a whole number a template computes must lie within ±this
TEMPLATE_OUTPUT = 64 << 20  # characters one rendered document may have (64 Mi; the report is ~0.3 Mi)
TEMPLATE_SECONDS = 30.0  # time one document may take to render (the report takes ~0.2 s)

# ---- the whole build ---------------------------------------------------------------------------
MEMORY_ENV = "REPORTGEN_MEMORY_LIMIT"  # e.g. "6G", "800M"; "0" or "off": no ceiling
MEMORY_DEFAULT_FRACTION = 0.5  # default ceiling: half of the machine's memory …
MEMORY_DEFAULT_MAX = 12 << 30  # … and at most 12 GiB of address space per process
MEMORY_MINIMUM = 1 << 30  # a smaller ceiling given in the environment is raised to this (Python, numpy and
                          # their threads need about this much address space to start at all)
LOCK_WAIT_ENV = "REPORTGEN_LOCK_WAIT"
LOCK_WAIT_SECONDS = 120.0  # a second build of one project waits this long for the first, then refuses


class LimitExceeded(Exception):
    """An input or a computation went past one of the limits above."""


class TimeLimit(LimitExceeded):
    """A template or placeholder ran longer than its time limit."""


class TooBig(LimitExceeded):
    """A placeholder or template would build a result too large to be a figure or a document."""


# ---- guards shared by the placeholder and template sandboxes -------------------------------------

def _size(value) -> int | None:
    return len(value) if isinstance(value, (str, list, tuple)) else None


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def check_number(value, bound: int) -> None:
    """Refuse a number beyond ±``bound`` (or not finite): no figure is that large."""
    if _number(value) and not (-bound <= value <= bound):  # NaN fails both comparisons
        shown = f"{value:.3g}" if isinstance(value, float) else (
            f"a number of {len(str(abs(value)))} digits" if abs(value) > 10**30 else str(value))
        raise TooBig(f"the result ({shown}) is beyond ±{bound:,}, larger than any figure")


def guarded_binop(operator: str, left, right, *, text: int, number: int) -> None:
    """Raise before an operation whose result would be too large to build (shared with templates)."""
    if operator == "*":
        for seq, n in ((left, right), (right, left)):
            size = _size(seq)
            if size is not None and _number(n) and size * max(int(n), 0) > text:
                raise TooBig(f"the text would be {size * int(n):,} characters long (at most {text:,})")
    elif operator == "**":
        if _number(left) and _number(right) and abs(left) > 1 and right > 0:
            import math

            if right * math.log10(abs(left)) > math.log10(number) + 1:
                raise TooBig(f"{left} ** {right} is beyond ±{number:,}, larger than any figure")
    elif operator == "+":
        a, b = _size(left), _size(right)
        if a is not None and b is not None and a + b > text:
            raise TooBig(f"the text would be longer than {text:,} characters")




def parse_size(text: str) -> int | None:
    """'6G' → bytes; '0', 'off', 'none' → None (no limit). Raises ValueError for anything else."""
    t = text.strip().lower()
    if t in ("0", "off", "none", "no"):
        return None
    units = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}
    t = t.removesuffix("b").removesuffix("i")
    mult = units.get(t[-1:], 1)
    number = t[:-1] if t[-1:] in units else t
    if not number.replace(".", "", 1).isdigit():
        raise ValueError(f"not a size: {text!r} (write e.g. 6G or 800M, or 0 for no limit)")
    return int(float(number) * mult)


def memory_ceiling() -> int | None:
    """The address-space ceiling for a build process, in bytes (None: none)."""
    given = os.environ.get(MEMORY_ENV, "").strip()
    if given:
        size = parse_size(given)
        return None if size is None else max(size, MEMORY_MINIMUM)
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # pragma: no cover - not on Linux
        return MEMORY_DEFAULT_MAX
    return int(min(max(total * MEMORY_DEFAULT_FRACTION, 2 << 30), MEMORY_DEFAULT_MAX))


def lock_wait() -> float:
    try:
        return max(0.0, float(os.environ.get(LOCK_WAIT_ENV, "") or LOCK_WAIT_SECONDS))
    except ValueError:
        return LOCK_WAIT_SECONDS


# ---- time limits that work in any thread -------------------------------------------------------
# A template or placeholder is pure Python run by Jinja; a watchdog thread raises TimeLimit inside
# the thread that overruns (PyThreadState_SetAsyncExc), so a runaway loop stops wherever it is,
# in the main thread of a build as in the preview's watcher thread. One watchdog per process,
# started on first use; entering and leaving a deadline costs a lock and a dictionary entry.

_set_async = ctypes.PYFUNCTYPE(ctypes.c_int, ctypes.c_ulong, ctypes.py_object)(
    ("PyThreadState_SetAsyncExc", ctypes.pythonapi))
_clear_async = ctypes.PYFUNCTYPE(ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p)(
    ("PyThreadState_SetAsyncExc", ctypes.pythonapi))


class _Watchdog:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.wake = threading.Condition(self.lock)
        self.entries: dict[int, list] = {}  # token → [thread id, deadline, fired, seconds]
        self.next_token = 0
        self.thread: threading.Thread | None = None
        self.pid = os.getpid()

    def _ensure(self) -> None:
        if self.thread is None or not self.thread.is_alive() or self.pid != os.getpid():
            self.pid = os.getpid()
            self.thread = threading.Thread(target=self._run, name="reportgen-watchdog", daemon=True)
            self.thread.start()

    def _run(self) -> None:
        with self.lock:
            while True:
                now = time.monotonic()
                soonest = None
                for entry in self.entries.values():
                    tid, deadline, fired, _ = entry
                    if fired:
                        continue
                    if deadline <= now:
                        entry[2] = True
                        _set_async(tid, TimeLimit)
                    elif soonest is None or deadline < soonest:
                        soonest = deadline
                self.wake.wait(None if soonest is None else max(soonest - now, 0.001))

    def enter(self, seconds: float) -> int:
        with self.lock:
            self._ensure()
            token = self.next_token = self.next_token + 1
            self.entries[token] = [threading.get_ident(), time.monotonic() + seconds, False, seconds]
            self.wake.notify()
            return token

    def leave(self, token: int) -> bool:
        """Forget the deadline; True when it had fired (a pending TimeLimit is then cleared)."""
        with self.lock:
            entry = self.entries.pop(token, None)
            fired = bool(entry and entry[2])
            if fired:
                _clear_async(threading.get_ident(), None)  # not yet delivered: delivered nowhere
            return fired


_watchdog = _Watchdog()


@contextmanager
def deadline(seconds: float, what: str = "this"):
    """Run the body for at most ``seconds``; raises TimeLimit (in this thread) when it overruns."""
    token = _watchdog.enter(seconds)
    message = f"{what} took longer than {seconds:g} s"
    try:
        yield
    except TimeLimit as exc:
        _leave(token)
        raise TimeLimit(message).with_traceback(exc.__traceback__) from None  # keeps where it stopped
    except BaseException:
        _leave(token)
        raise
    if _leave(token):
        raise TimeLimit(message)


def _leave(token: int) -> bool:
    while True:
        try:
            return _watchdog.leave(token)
        except TimeLimit:  # delivered on the way out: the deadline had passed
            _watchdog.leave(token)
            return True

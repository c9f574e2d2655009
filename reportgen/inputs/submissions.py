"""Load stage: read every submission file into one table of text cells.

Every ``*.csv`` and ``*.xlsx`` below ``data.submissions`` is read, at any
depth. Meaning comes from the rows, never from the path; the path and the
line number are kept on each row only to say where a problem is.

Nothing is interpreted here beyond the file format: codes and values stay as
text (pandas categoricals, so millions of rows with few distinct codes stay
small), and ``validate`` decides what they mean.

Two readers, chosen per file (see docs/benchmarks.md for the measurements):

* the fast path: a CSV whose first line is exactly the canonical header and
  which has no quote marks, carriage returns, blank lines, NUL bytes or
  non-ASCII bytes, and exactly six commas per line. Such files are
  concatenated in batches and parsed by ``pyarrow.csv`` in one call per
  batch; file line numbers are then simply 2, 3, … per file.
* the careful path (Python's ``csv`` module) for everything else: BOM, CRLF,
  quoted fields (even with newlines inside), blank lines, any header case,
  order and extra columns, and every kind of broken file, with exact line
  numbers. XLSX files are read with openpyxl.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
from pandas.api.types import union_categoricals

from ..core import limits
from ..core.config import Config
from ..core.findings import Capped, Finding, relative, suggestion_hint
from ..core.safefile import NotAFile, open_regular
from ..core.safefile import data_files as _find  # the fingerprint lists the data with it too
from ..runtime.memory import release_free_memory

REQUIRED = ("org_id", "period", "region", "measure", "dimension", "category", "value")
ROW_COLUMNS = [*REQUIRED, "file", "line"]
CANONICAL_HEADER = (",".join(REQUIRED) + "\n").encode()
_BATCH_BYTES = 64 << 20  # fast-path files are parsed in batches of about this size
_DICT = pa.dictionary(pa.int32(), pa.string())


@dataclass
class Submissions:
    rows: pd.DataFrame  # REQUIRED columns as (categorical) text, plus file and line
    files: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    # file → column name → 1-based column number in that file, for locations
    columns: dict[str, dict[str, int]] = field(default_factory=dict)

    def column(self, file: str, name: str) -> int | None:
        return self.columns.get(file, {}).get(name)


def _finding(code: str, severity: str, message: str, file: str, line: int | None = None,
             column: int | None = None, hint: str | None = None) -> Finding:
    return Finding(code, severity, message, file=file, line=line, column=column, hint=hint)  # type: ignore[arg-type]


def _header_map(header: list[str], shown: str, findings: list[Finding]) -> dict[str, int] | None:
    if len(header) > limits.SUBMISSION_COLUMNS:
        findings.append(_finding("data.too-large", "error", f"the header has {len(header):,} columns, more than the "
                                 f"{limits.SUBMISSION_COLUMNS:,} a submission may have", shown, 1,
                                 hint="a submission has the contract's seven columns; check that this is the "
                                      "right file (see docs/limits.md)"))
        return None
    names = [str(h or "").strip().lower() for h in header]
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        hint = f"the header row must name: {', '.join(REQUIRED)}"
        if len(names) == 1 and ";" in names[0]:
            hint = "the file seems to use semicolons; the contract requires commas between fields"
        elif len(names) == 1 and "\t" in names[0]:
            hint = "the file seems to use tabs; the contract requires commas between fields"
        else:
            near = [f"'{h}' → '{c}'" for h in names[:100] for c in missing
                    if h and h not in REQUIRED and suggestion_hint(h, [c]).startswith("did you mean")]
            if near:
                hint = f"check the column names ({'; '.join(near[:12])})"
        findings.append(_finding("data.missing-column", "error",
                                 f"required column(s) missing: {', '.join(missing)}", shown, 1,
                                 hint=hint))
        return None
    seen: set[str] = set()
    extra: list[int] = []
    for i, name in enumerate(names):
        if name in REQUIRED and name in seen:
            findings.append(_finding("data.repeated-column", "error",
                                     f"column '{header[i]}' appears twice in the header", shown, 1, i + 1,
                                     hint="remove one of the two columns"))
            return None
        seen.add(name)
        if name not in REQUIRED:
            extra.append(i)
    if extra:  # one warning for them all: a wide export's 100,000 columns are one problem, not 100,000
        first = extra[0]
        listed = ", ".join(f"'{header[i]}'" if names[i] else "an empty one" for i in extra[:12])
        more = f" and {len(extra) - 12:,} more" if len(extra) > 12 else ""
        many = len(extra) > 1
        hint = ("remove the empty column" if not names[first] and not many else
                suggestion_hint(names[first], REQUIRED, "columns") if not many else
                "remove them; the contract's columns are " + ", ".join(REQUIRED))
        findings.append(_finding("data.extra-column", "warning",
                                 f"column{'s' * many} {listed}{more} {'are' if many else 'is'} not in the contract "
                                 f"and {'are' if many else 'is'} ignored", shown, 1, first + 1, hint=hint))
    return {c: names.index(c) for c in REQUIRED}


_ALLOWED = bytes(range(0x20, 0x7F)).replace(b'"', b"") + b"\n"


def _is_fast(raw: bytes) -> bool:
    """True when the file is plain canonical CSV that pyarrow can read with line = row + 1:
    the exact header, printable ASCII without quote marks, LF line ends, no blank
    lines, and six commas a line on average (a line with too many fields balanced by
    one with too few makes pyarrow fail, and then the batch is read carefully)."""
    if not raw.startswith(CANONICAL_HEADER) or not raw.endswith(b"\n") or len(raw) <= len(CANONICAL_HEADER):
        return False
    if raw.translate(None, _ALLOWED) or b"\n\n" in raw:
        return False
    return raw.count(b",") == 6 * raw.count(b"\n")


def _read_csv(raw: bytes, shown: str, findings: list[Finding],
              columns: dict[str, dict[str, int]]) -> list[list]:
    """The careful reader: any CSV the contract allows, and findings for the rest."""
    if b"\x00" in raw[:8192]:
        findings.append(_finding("data.not-text", "error", "the file is not a text CSV file", shown,
                                 hint="send a UTF-8 CSV, or an .xlsx workbook with the .xlsx ending"))
        return []
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        findings.append(_finding("data.not-utf8", "error", "the file is not UTF-8 text", shown, line,
                                 hint="save it as 'CSV UTF-8' (it looks like Latin-1 or Windows-1252)"))
        return []
    if not text.strip():
        findings.append(_finding("data.empty-file", "error", "the file is empty", shown,
                                 hint="send a header row and the submission's rows"))
        return []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
        while not any(h.strip() for h in header):  # blank lines before the header
            header = next(reader)
    except (csv.Error, StopIteration) as exc:
        findings.append(_finding("data.bad-csv", "error", f"the header row cannot be read: {exc}", shown, 1,
                                 hint="check for an unclosed quote mark"))
        return []
    header_line = reader.line_num
    cols = _header_map(header, shown, findings)
    if cols is None:
        return []
    columns[shown] = {c: i + 1 for c, i in cols.items()}
    out: list[list] = []
    width = len(header)
    need = max(cols.values()) + 1
    line = header_line
    capped = Capped(findings)  # a file of a million short rows: twenty findings and a count
    try:
        for row in reader:
            start = line + 1  # the row starts on the line after the previous record ended
            line = reader.line_num
            if not row or not any(c.strip() for c in row):
                continue
            if len(row) < width and len(row) < need:
                if capped.wants("data.short-row", shown):
                    capped.add(_finding("data.short-row", "error",
                                        f"the row has {len(row)} field(s) where the header has {width}",
                                        shown, start, hint="check for missing commas"))
                else:
                    capped.count("data.short-row", shown)
                continue
            if len(row) > width and any(c.strip() for c in row[width:]):
                if capped.wants("data.long-row", shown):
                    capped.add(_finding("data.long-row", "error",
                                        f"the row has {len(row):,} fields where the header has {width}",
                                        shown, start, width + 1,
                                        hint="a number written with a thousands separator (1,200) splits "
                                             "into two fields: write 1200; quote text that contains commas"))
                else:
                    capped.count("data.long-row", shown)
                continue
            out.append([row[cols[c]].strip() for c in REQUIRED] + [shown, start])
    except csv.Error as exc:
        findings.append(_finding("data.bad-csv", "error", f"the file cannot be read as CSV: {exc}",
                                 shown, line + 1, hint="check for an unclosed quote mark"))
    capped.close()
    return out


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return str(value)
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).strip()


@dataclass
class Workbooks:
    """Workbooks read before, by name and content: ``before`` as an earlier build left them (the stage cache
    keeps them, ``publication.load_inputs``), ``now`` those this build read. A workbook is the slow kind of
    file to read (openpyxl, cell by cell), so a build after one member resubmits, or the first release of a
    new quarter, reads again only the workbooks that changed."""

    before: dict[tuple[str, str], tuple] = field(default_factory=dict)
    now: dict[tuple[str, str], tuple] = field(default_factory=dict)


def workbooks_key(source: str, root: str) -> str:
    """The stage cache's key for the workbooks read before: reportgen's source (``source``, its digest) and
    openpyxl's version decide how a workbook is read; the project (``root``) keeps its own; not the period."""
    from importlib.metadata import version

    return hashlib.sha256(f"workbooks\n{source}\nopenpyxl {version('openpyxl')}\n{root}\n".encode(
        "utf-8", "surrogatepass")).hexdigest()


def _read_xlsx(path: Path, shown: str, findings: list[Finding], columns: dict[str, dict[str, int]],
               workbooks: Workbooks | None = None) -> list[list]:
    """Every row of the worksheet (named 'submission', else the first), whatever its stated dimension says;
    the workbook is measured first (``workbook.inspect``), then its worksheet's shape (``workbook.shape``).
    With ``workbooks``, a workbook of the same name and bytes as one read before is not read again: its rows
    and findings are the earlier ones (its bytes are hashed as they stream past, never held whole). Raises
    OSError (``NotAFile`` included) when the file cannot be opened."""
    with open_regular(path) as fh:
        if workbooks is None:
            return _parse_xlsx(fh, shown, findings, columns)
        digest, size = hashlib.sha256(), 0
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
            size += len(block)
            if size > limits.SUBMISSION_FILE_BYTES:  # grown since the folder was listed
                findings.append(_too_large(shown, size))
                return []
        fh.seek(0)
        return remembered_xlsx(fh, shown, digest.hexdigest(), findings, columns, workbooks)


def remembered_xlsx(fh, shown: str, sha256: str, findings: list[Finding], columns: dict[str, dict[str, int]],
                    workbooks: Workbooks) -> list[list]:
    """The workbook ``fh`` (named ``shown``, of SHA-256 ``sha256``) as read before, or read now and kept (not
    when it has an error: it is read, and reported, again next time)."""
    key = (shown, sha256)
    known = workbooks.before.get(key)
    if known is None:
        before = len(findings)
        rows = _parse_xlsx(fh, shown, findings, columns)
        if not any(f.is_error for f in findings[before:]):
            workbooks.now[key] = (rows, findings[before:], columns.get(shown))
        return rows
    rows, found, header = workbooks.now[key] = known
    findings.extend(found)
    if header is not None:
        columns[shown] = header
    return rows


def _parse_xlsx(fh, shown: str, findings: list[Finding], columns: dict[str, dict[str, int]]) -> list[list]:
    from openpyxl import load_workbook

    from . import workbook

    try:
        workbook.inspect(fh)
    except workbook.Refused as exc:
        findings.append(_finding(exc.code, "error", exc.message, shown, exc.line, hint=exc.hint))
        return []
    except workbook.BROKEN as exc:
        findings.append(_finding("data.bad-xlsx", "error", f"the workbook cannot be opened ({type(exc).__name__})",
                                 shown, hint="save it again from the spreadsheet program as .xlsx"))
        return []
    fh.seek(0)
    try:
        wb = load_workbook(fh, read_only=True, data_only=True)
    except MemoryError:  # the machine's limit, not the file's fault: out-of-memory, as anywhere else
        raise
    except Exception as exc:  # openpyxl raises many types for broken files
        findings.append(_finding("data.bad-xlsx", "error",
                                 f"the workbook cannot be opened ({type(exc).__name__})", shown,
                                 hint="save it again from the spreadsheet program as .xlsx"))
        return []
    try:
        ws = wb["submission"] if "submission" in wb.sheetnames else wb.worksheets[0]
        try:
            with wb._archive.open(ws._worksheet_path) as stream:
                shape = workbook.shape(stream)
        except workbook.Refused as exc:
            findings.append(_finding(exc.code, "error", exc.message, shown, exc.line, hint=exc.hint))
            return []
        ws.reset_dimensions()  # read every row and column there is, not what <dimension> claims
        return _xlsx_rows(ws, shape, shown, findings, columns)
    except MemoryError:
        raise
    except Exception as exc:  # a workbook that opens but whose sheets are broken
        findings.append(_finding("data.bad-xlsx", "error",
                                 f"the workbook cannot be read ({type(exc).__name__})", shown,
                                 hint="save it again from the spreadsheet program as .xlsx"))
        return []
    finally:
        wb.close()


def _xlsx_rows(ws, shape, shown: str, findings: list[Finding], columns: dict[str, dict[str, int]]) -> list[list]:
    rows = ws.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        findings.append(_finding("data.empty-file", "error", "the worksheet is empty", shown))
        return []
    cols = _header_map([_cell_text(h) for h in header], shown, findings)
    if cols is None:
        return []
    columns[shown] = {c: i + 1 for c, i in cols.items()}
    out: list[list] = []
    width = max(cols.values()) + 1
    for line, row in enumerate(rows, start=2):
        cells = [_cell_text(v) for v in row[:width]]
        if not any(cells):
            continue
        cells += [""] * (width - len(cells))
        out.append([cells[cols[c]] for c in REQUIRED] + [shown, line])
    stated_rows, stated_columns = shape.stated_rows, shape.stated_columns
    if stated_rows is not None and (shape.last_row > stated_rows or shape.last_column > (stated_columns or 0)):
        from openpyxl.utils import get_column_letter

        findings.append(_finding(
            "data.xlsx-dimension", "warning",
            f"the worksheet says its cells end at {get_column_letter(stated_columns or 1)}{stated_rows}, but it has "
            + " and ".join(part for part in (
                f"cells down to row {shape.last_row:,}" if shape.last_row > stated_rows else "",
                f"cells across to column {get_column_letter(shape.last_column)}"
                if shape.last_column > (stated_columns or 0) else "") if part)
            + ": every row and column was read", shown, min(shape.last_row, stated_rows + 1),
            hint="nothing is lost; the program that wrote the workbook recorded its size wrongly (saving it "
                 "again from a spreadsheet program corrects it)"))
    return out


class _FastBatches:
    """Concatenates fast-path files and parses each batch with pyarrow, on a thread of its own: pyarrow
    parses (without the interpreter's lock) while this thread reads and checks the next files. At most
    two batches wait at once. ``close`` collects the frames in order; a batch pyarrow refuses (a line
    with a wrong number of fields) is then read file by file carefully, by ``fallback(file index, raw
    bytes, findings)``, and its findings are put where they would have been had it been read at once
    (``mark()``: how many findings there were when the batch was sent)."""

    def __init__(self, fallback, mark) -> None:
        self.fallback, self.mark = fallback, mark
        self.frames: list[pd.DataFrame] = []
        self._bodies: list[bytes] = []
        self._files: list[int] = []
        self._counts: list[int] = []
        self._size = 0
        self._pool = ThreadPoolExecutor(max_workers=1)
        self._sent: list[tuple[Future, list[int], list[bytes], int]] = []  # (parse, files, bodies, mark)
        self._late: list[tuple[int, list[Finding]]] = []  # findings of refused batches, and where they go

    def add(self, file_index: int, raw: bytes) -> int:
        body = raw[len(CANONICAL_HEADER):]
        n = body.count(b"\n")
        self._bodies.append(body)
        self._files.append(file_index)
        self._counts.append(n)
        self._size += len(body)
        if self._size >= _BATCH_BYTES:
            self.flush()
        return n

    def flush(self) -> None:
        if not self._bodies:
            return
        while len(self._sent) >= 2:  # bounded memory: wait for the oldest batch
            self._collect(self._sent.pop(0))
        parse = self._pool.submit(_parse_batch, self._bodies, self._files, self._counts)
        self._sent.append((parse, self._files, self._bodies, self.mark()))
        self._bodies, self._files, self._counts, self._size = [], [], [], 0

    def _collect(self, sent: tuple[Future, list[int], list[bytes], int]) -> None:
        parse, files, bodies, mark = sent
        frame = parse.result()
        if frame is not None:
            self.frames.append(frame)
            return
        found: list[Finding] = []  # a line with a wrong number of fields: these files carefully
        for index, body in zip(files, bodies):
            self.fallback(index, CANONICAL_HEADER + body, found)
        self._late.append((mark, found))

    def close(self, findings: list[Finding]) -> None:
        """Every batch parsed and collected; the findings of refused batches put in their places."""
        self.flush()
        while self._sent:
            self._collect(self._sent.pop(0))
        self._pool.shutdown()
        for mark, found in reversed(self._late):
            findings[mark:mark] = found
        self._late = []


# what parsing a batch may take, as a multiple of its bytes (arrow's buffers, then the pandas frame)
_PARSE_NEEDS = 6


def _address_space_left() -> int | None:
    """Bytes of address space left under the process's memory ceiling (RLIMIT_AS, ``reportgen``'s
    ``REPORTGEN_MEMORY_LIMIT``), or None when there is no ceiling or it cannot be told."""
    import resource

    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft == resource.RLIM_INFINITY:
        return None
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            used = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None
    return soft - used


def _parse_batch(bodies: list[bytes], files: list[int], counts: list[int]) -> pd.DataFrame | None:
    """One batch of fast-path files parsed by pyarrow (None when pyarrow refuses it). Under a memory
    ceiling a batch that may not fit is refused with MemoryError (the env.out-of-memory finding) before
    pyarrow starts: pyarrow's parser aborts the process when an allocation fails inside it."""
    size = sum(map(len, bodies))
    left = _address_space_left()
    if left is not None and size * _PARSE_NEEDS > left:
        raise MemoryError(f"reading {size:,} bytes of submissions needs more memory than the ceiling leaves")
    buf = b"".join(bodies)
    try:
        table = pacsv.read_csv(
            pa.py_buffer(buf), memory_pool=pa.system_memory_pool(),
            read_options=pacsv.ReadOptions(column_names=list(REQUIRED), block_size=16 << 20),
            parse_options=pacsv.ParseOptions(newlines_in_values=False),
            convert_options=pacsv.ConvertOptions(column_types={c: _DICT for c in REQUIRED},
                                                 strings_can_be_null=False))
    except pa.ArrowInvalid:
        return None
    del buf
    n = np.asarray(counts, dtype=np.int64)
    starts = np.repeat(np.cumsum(n) - n, n)
    line = (np.arange(int(n.sum()), dtype=np.int64) - starts + 2).astype(np.int32)
    file_idx = np.repeat(np.asarray(files, dtype=np.int32), n)
    # to pandas at once: categorical codes (1–2 bytes a cell) instead of arrow's int32 indices
    frame = table.to_pandas()
    del table
    frame["file"] = file_idx
    frame["line"] = line
    return frame


def _slow_frame(rows: list[list], index: dict[str, int]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=ROW_COLUMNS)
    for c in REQUIRED:
        frame[c] = frame[c].astype("category")
    frame["file"] = np.array([index[f] for f in frame["file"]], dtype=np.int32)
    frame["line"] = frame["line"].astype(np.int32)
    return frame


def _object_categorical(series: pd.Series) -> pd.Categorical:
    """A categorical with plain ``object`` categories, so that batches can be unified."""
    if not isinstance(series.dtype, pd.CategoricalDtype):
        series = series.astype(str).astype("category")
    cats = pd.Index([str(c) for c in series.cat.categories], dtype=object)
    return pd.Categorical.from_codes(series.cat.codes.to_numpy(), categories=cats)


def _frame(frames: list[pd.DataFrame], files: list[str]) -> pd.DataFrame:
    """One frame from the batches: categories unified per column, rows in file order."""
    if not frames:
        return pd.DataFrame({c: pd.Series([], dtype="category" if c != "line" else "int32")
                             for c in ROW_COLUMNS})
    file_idx = np.concatenate([f["file"].to_numpy() for f in frames])
    order = None
    if len(file_idx) and (np.diff(file_idx) < 0).any():  # careful-path rows came last: restore file order
        order = np.argsort(file_idx, kind="stable")
    out: dict[str, object] = {}
    for c in REQUIRED:
        joined = union_categoricals([_object_categorical(f[c]) for f in frames])
        out[c] = joined if order is None else joined[order]
    line = np.concatenate([f["line"].to_numpy() for f in frames]).astype(np.int32)
    if order is not None:
        file_idx, line = file_idx[order], line[order]
    out["file"] = pd.Categorical.from_codes(file_idx, categories=pd.Index(files, dtype=object))
    out["line"] = line
    return pd.DataFrame(out)[ROW_COLUMNS]


class _TooLarge(Exception):
    """A submission file larger than ``limits.SUBMISSION_FILE_BYTES`` (not read)."""

    def __init__(self, size: int):
        super().__init__(size)
        self.size = size


def _read_many(paths: list[str]) -> list[bytes | OSError | _TooLarge]:
    out: list[bytes | OSError | _TooLarge] = []
    for path in paths:
        try:
            with open_regular(path) as fh:  # never waits on a pipe, never reads a device
                size = os.fstat(fh.fileno()).st_size
                if size > limits.SUBMISSION_FILE_BYTES:
                    out.append(_TooLarge(size))
                    continue
                data = fh.read(size + 1)  # sized to the file: read(limit) would allocate the whole limit
                out.append(data if len(data) <= limits.SUBMISSION_FILE_BYTES else _TooLarge(len(data)))
        except OSError as exc:
            out.append(exc)
    return out


def _too_large(shown: str, size: int) -> Finding:
    return _finding("data.too-large", "error",
                    f"the file is {size / (1 << 20):,.0f} MiB, more than the {limits.SUBMISSION_FILE_BYTES >> 20} MiB "
                    "a submission may be", shown,
                    hint="send one member's submission per file; see docs/limits.md")


_DIGITS = re.compile(r"^([0-9]+)(\.[0-9]*)?$|^\.[0-9]+$")


def _value_too_large(text: str) -> bool:
    """A value written in the contract's digits that is larger than ``limits.MAX_VALUE``."""
    m = _DIGITS.match(text)
    if not m or m.group(1) is None:
        return False
    whole = m.group(1).lstrip("0")
    return len(whole) > len(str(limits.MAX_VALUE)) or float(text) > limits.MAX_VALUE


def first_per_file(idx: np.ndarray, files: np.ndarray, per_file: int | None = None
                   ) -> tuple[np.ndarray, dict[int, int]]:
    """Of the rows ``idx`` (ascending), those among the first ``per_file`` (``limits.FINDINGS_PER_FILE``) of
    their file (``files[idx]``, codes), and per file code how many more there are: the rows worth a
    finding each, and the counts for one summary line per file (vectorised: a million bad rows cost a
    sort, not a million findings)."""
    per_file = limits.FINDINGS_PER_FILE if per_file is None else per_file
    idx = np.asarray(idx)
    if len(idx) <= per_file:
        return idx, {}
    codes = np.asarray(files)[idx]
    order = np.argsort(codes, kind="stable")
    ordered = codes[order]
    rank = np.arange(len(ordered)) - np.searchsorted(ordered, ordered, side="left")
    keep = np.sort(order[rank < per_file])
    uniq, counts = np.unique(codes, return_counts=True)
    rest = {int(u): int(n) - per_file for u, n in zip(uniq, counts) if n > per_file}
    return idx[keep], rest


def more_like_this(code: str, severity: str, file: str, n: int, *, member: str | None = None,
                   hint: str | None = None, column: int | None = None) -> Finding:
    """The summary line for ``n`` findings of ``code`` in ``file`` not made one by one."""
    return Finding(code, severity, f"… and {n:,} more like this in {file}", file=file,  # type: ignore[arg-type]
                   column=column, member=member, hint=hint, omitted=n)


def _refuse_oversized(frame: pd.DataFrame, columns: dict[str, dict[str, int]],
                      findings: list[Finding]) -> pd.DataFrame:
    """Rows with a cell longer than ``limits.FIELD_CHARS`` or a value above ``limits.MAX_VALUE``: an
    error each (file, line, column) and the row is not read further. Checked once per distinct text."""
    if frame.empty:
        return frame
    bad = np.zeros(len(frame), dtype=bool)
    file_codes = frame["file"].cat.codes.to_numpy()
    files = [str(c) for c in frame["file"].cat.categories]
    lines = frame["line"].to_numpy()
    org_names, org_codes = frame["org_id"].cat.categories, frame["org_id"].cat.codes.to_numpy()
    for col in REQUIRED:
        series = frame[col]
        cats = [str(c) for c in series.cat.categories]
        long = np.array([len(c) > limits.FIELD_CHARS for c in cats] + [False])
        big = np.array([col == "value" and _value_too_large(c.strip()) for c in cats] + [False])
        codes = series.cat.codes.to_numpy()
        for mask, kind in ((long[codes], "long"), (big[codes] & ~long[codes], "big")):
            code = "data.field-too-long" if kind == "long" else "data.value-too-large"
            hint = ("each cell holds a short code or a number; check for text pasted into the wrong column"
                    if kind == "long" else "check the value: no count or number of hours is this large")
            shown_rows, rest = first_per_file(np.flatnonzero(mask & ~bad), file_codes)
            for i in shown_rows:
                shown = files[file_codes[i]]
                where = dict(file=shown, line=int(lines[i]), column=columns.get(shown, {}).get(col),
                             member=(str(org_names[org_codes[i]]) if org_codes[i] >= 0 else "nan"
                                     ).strip().upper()[:limits.FIELD_CHARS] or None)
                if kind == "long":
                    message = f"the {col} has {len(cats[codes[i]]):,} characters (at most {limits.FIELD_CHARS})"
                else:
                    text = cats[codes[i]].strip()
                    message = (f"the value {text[:30]}{'…' if len(text) > 30 else ''} is larger than "
                               f"{limits.MAX_VALUE:,}, the largest value reportgen accepts")
                findings.append(Finding(code, "error", message, **where, hint=hint))
            for file_code, n in rest.items():
                findings.append(more_like_this(code, "error", files[file_code], n, hint=hint,
                                               column=columns.get(files[file_code], {}).get(col)))
            bad |= mask
    if not bad.any():
        return frame
    return frame[~bad].reset_index(drop=True)


def _contents(folder: Path, names: list[str]) -> Iterator[tuple[str, bytes | OSError | None]]:
    """CSV files' bytes in order, read by a few threads (reading waits on the disk, not
    the CPU), 1,024 files at a time, the next batch read while the caller works on this one;
    XLSX files come with None and the caller opens them."""
    base = str(folder)
    batches = [names[start:start + 1024] for start in range(0, len(names), 1024)]

    def start(pool: ThreadPoolExecutor, batch: list[str]):
        csvs = [n for n in batch if n.lower().endswith(".csv")]
        return csvs, [pool.submit(_read_many, [f"{base}/{n}" for n in csvs[i:i + 64]]) for i in range(0, len(csvs), 64)]

    with ThreadPoolExecutor(max_workers=4) as pool:
        ahead = start(pool, batches[0]) if batches else None
        for k, batch in enumerate(batches):
            assert ahead is not None
            csvs, futures = ahead
            ahead = start(pool, batches[k + 1]) if k + 1 < len(batches) else None
            done = dict(zip(csvs, (b for f in futures for b in f.result())))
            for name in batch:
                yield name, done.get(name)


def _not_a_file(shown: str, why: str) -> Finding:
    hint = ("rename the folder, or move its files up into the submissions folder" if why.startswith("a folder named")
            else "copy the folder's files into the submissions folder" if why.startswith("a link to the folder")
            else "put the member's file itself here (a copy, not a link, pipe or device)")
    return _finding("data.not-a-file", "error", f"this is {why}" if why.startswith("a ") else why, shown, hint=hint)


def load_submissions(config: Config, workbooks: Workbooks | None = None) -> Submissions:
    """Every submission in the folder; ``workbooks``: the workbooks read before (``Workbooks``)."""
    folder = config.submissions_dir
    findings: list[Finding] = []
    if not folder.is_dir():
        findings.append(Finding("data.no-submissions", "error", "the submissions folder does not exist",
                                file=relative(folder, config.root),
                                hint="set data.submissions in config.yaml"))
        return Submissions(_frame([], []), [], findings)
    paths, odd = _find(folder, [config.root, folder])
    base = relative(folder, config.root)
    findings.extend(_not_a_file(f"{base}/{name}", why) for name, why in odd)
    files: list[str] = []
    columns: dict[str, dict[str, int]] = {}
    slow: list[list] = []

    def careful(index: int, raw: bytes, found: list[Finding]) -> None:
        slow.extend(_read_csv(raw, files[index], found, columns))

    fast = _FastBatches(careful, lambda: len(findings))
    canonical = {c: i + 1 for i, c in enumerate(REQUIRED)}
    for name, raw in _contents(folder, paths):
        shown = f"{base}/{name}"
        index = len(files)
        files.append(shown)
        before = len(findings)
        try:
            if isinstance(raw, OSError):
                raise raw
            if isinstance(raw, _TooLarge):
                findings.append(_too_large(shown, raw.size))
                continue
            if raw is None and (folder / name).stat().st_size > limits.SUBMISSION_FILE_BYTES:
                findings.append(_too_large(shown, (folder / name).stat().st_size))
                continue
            if raw is not None:
                if _is_fast(raw):
                    columns[shown] = canonical
                    fast.add(index, raw)
                    continue
                got = _read_csv(raw, shown, findings, columns)
            else:
                got = _read_xlsx(folder / name, shown, findings, columns, workbooks)
        except NotAFile as exc:  # swapped for a pipe or a device after the folder was listed
            findings.append(_not_a_file(shown, exc.kind))
            continue
        except OSError as exc:
            findings.append(_finding("data.unreadable", "error", f"cannot read the file: {exc.strerror or exc}",
                                     shown))
            continue
        slow += got
        if not got and not any(f.is_error for f in findings[before:]):
            findings.append(_finding("data.no-rows", "warning", "the file has a header but no rows: a nil return "
                                     "(the member had nothing to report), not a missing one", shown,
                                     hint="nothing to do if the member had no activity; coverage still counts it as "
                                          "not reporting the quarter (rule 10: no quarter rows)"))
    if not paths and not odd:
        findings.append(Finding("data.no-submissions", "error", "no .csv or .xlsx files were found",
                                file=base))
    fast.close(findings)
    frames = fast.frames
    if slow:
        frames.append(_slow_frame(slow, {f: i for i, f in enumerate(files)}))
    rows = _refuse_oversized(_frame(frames, files), columns, findings)
    del frames, fast  # the batches' frames (the rows are a new frame now)
    release_free_memory()  # what the parsing thread freed goes back to the system, not to the next stage
    return Submissions(rows, files, findings, columns)

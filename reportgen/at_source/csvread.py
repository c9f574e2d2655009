"""Reading one export CSV: its header, the columns the export format uses, and each row's line.

Two readers give identical results (a test checks it on generated files):

* the fast one, ``pyarrow.csv``, for files where every line is one record with
  as many fields as the header (quoted fields, CRLF and blank lines allowed;
  no line break inside a quoted field, no NUL byte, no lone carriage return).
  That it applied is verified, not assumed: the number of records pyarrow
  returns must equal the number of non-blank lines after the header, so each
  record's line number is exact. Anything else falls back to
* the careful one, Python's ``csv`` module, which handles every CSV and turns
  every broken row into a finding with its line.

Both read quoted fields the same lenient way (``"x"y`` is ``xy``). Cells are
returned untrimmed as Arrow string arrays; the caller trims them once, the
same way for both. Rows whose every cell is blank count as blank lines.
Nothing here interprets a value.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ..core.findings import did_you_mean
from ..core.safefile import NotAFile, open_regular
from .problems import Problems, clip

MAX_FILE_BYTES = 512 << 20  # a file larger than this is refused with a finding
MAX_FIELD = 10_000  # characters in one field

csv.field_size_limit(MAX_FILE_BYTES)  # long fields are findings (MAX_FIELD), never csv errors


@dataclass
class Table:
    """One file's used columns, untrimmed, and the line where each row starts."""

    name: str  # the file name as shown in findings (e.g. "clients.csv")
    cells: dict[str, pa.Array]  # contract column → string array
    columns: dict[str, int]  # contract column → 1-based column number in the file
    lines: np.ndarray  # int64, the line each row starts on (the header is line 1)
    header: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return len(self.lines)


@dataclass(frozen=True)
class Layout:
    """What a file must and may contain: contract column names, and the CMS's names for them."""

    required: tuple[str, ...]
    optional: tuple[str, ...]
    renamed: dict[str, str] = field(default_factory=dict)  # contract column → CMS column (mapping file)


def _norm(name: str) -> str:
    return name.strip().lower()


def read_table(path: Path, name: str, layout: Layout, problems: Problems,
               *, force_careful: bool = False) -> Table | None:
    """The file's table, or None when it cannot be read (the reason is in ``problems``)."""
    try:
        with open_regular(path) as fh:  # a pipe or a device is refused, never waited on or read for ever
            size = os.fstat(fh.fileno()).st_size
            if size > MAX_FILE_BYTES:
                problems.add("member.file-too-large",
                             f"the file is {size / (1 << 20):,.0f} MiB; reportgen reads files of up to "
                             f"{MAX_FILE_BYTES >> 20} MiB", file=name,
                             hint="export fewer years at once, or leave out columns the export does not use")
                return None
            raw = fh.read(size + 1)  # sized to the file (a larger read would allocate the whole limit)
    except NotAFile as exc:
        problems.add("member.not-a-file", f"{name} is {exc.kind}, not a file", file=name,
                     hint="export the file itself into the folder (a copy, not a link, pipe or device)")
        return None
    except OSError as exc:
        problems.add("member.unreadable", f"cannot read the file: {exc.strerror or exc}", file=name,
                     hint="check that the file exists and that you may read it")
        return None
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        problems.add("member.not-text", "the file is not a text CSV file (it contains NUL bytes)", file=name,
                     line=line, hint="save it as 'CSV UTF-8' from the CMS or the spreadsheet program")
        return None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        _not_utf8(raw, exc, name, problems)
        return None
    if not text.strip():
        problems.add("member.empty-file", "the file is empty: it has no header row", file=name,
                     hint="export the file with its header row")
        return None
    # the header: the first non-blank record
    head_reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(head_reader)
        while not any(h.strip() for h in header):
            header = next(head_reader)
    except (csv.Error, StopIteration) as exc:
        problems.add("member.bad-csv", f"the header row cannot be read ({exc})", file=name, line=1,
                     hint="check for an unclosed quote mark")
        return None
    header_line = head_reader.line_num
    used = _header_columns(header, name, layout, problems)
    if used is None:
        return None
    body_start = _offset_after_lines(raw, header_line)
    got = None if force_careful else _fast(raw, body_start, header_line, len(header), used)
    if got is None:
        got = _careful(text, header, header_line, used, name, problems)
        if got is None:
            return None
    cells, lines = got
    return _checked(Table(name, cells, {c: i + 1 for c, i in used.items()}, lines, header), problems)


def _not_utf8(raw: bytes, exc: UnicodeDecodeError, name: str, problems: Problems) -> None:
    start = raw.rfind(b"\n", 0, exc.start) + 1
    line = raw[: exc.start].count(b"\n") + 1
    prefix = raw[start: exc.start].decode("latin-1")
    try:
        column = len(next(csv.reader([prefix]), [""])) or 1
    except csv.Error:
        column = None
    bad = raw[exc.start: exc.start + 1]
    problems.add("member.not-utf8",
                 f"the file is not UTF-8 text: byte 0x{bad.hex().upper()} ('{bad.decode('cp1252', 'replace')}' "
                 f"in Windows-1252/Latin-1) is not UTF-8", file=name, line=line, column=column,
                 hint="save the file as 'CSV UTF-8' (in Excel: Save As → CSV UTF-8); it looks like Latin-1 "
                      "or Windows-1252")


def _offset_after_lines(raw: bytes, lines: int) -> int:
    """Byte offset just after the first ``lines`` lines (as csv counts them: \\n, \\r\\n or \\r)."""
    pos = 0
    for _ in range(lines):
        n = raw.find(b"\n", pos)
        r = raw.find(b"\r", pos)
        if r != -1 and (n == -1 or r < n) and raw[r + 1: r + 2] != b"\n":
            pos = r + 1
        elif n == -1:
            return len(raw)
        else:
            pos = n + 1
    return pos


def _header_columns(header: list[str], name: str, layout: Layout, problems: Problems) -> dict[str, int] | None:
    """Contract column → index in the file; findings for missing, repeated and extra columns."""
    names = [_norm(h) for h in header]
    used: dict[str, int] = {}
    ok = True
    wanted = {c: _norm(layout.renamed.get(c, c)) for c in (*layout.required, *layout.optional)}
    for contract, want in wanted.items():
        where = [i for i, h in enumerate(names) if h == want]
        if len(where) > 1:
            problems.add("member.repeated-column", f"column '{clip(header[where[1]])}' appears twice in the header",
                         file=name, line=1, column=where[1] + 1, hint="remove or rename one of the two columns")
            ok = False
        elif where:
            used[contract] = where[0]
        elif contract in layout.required:
            mapped = contract in layout.renamed
            what = (f"column '{clip(layout.renamed[contract])}' (the mapping file's name for {contract}) is "
                    f"not in the header" if mapped else f"required column '{contract}' is missing")
            near = did_you_mean(want, [n for n in names if n and n not in wanted.values()])
            hint = (f"did you mean '{header[names.index(near)].strip()}'? If so, correct the name"
                    + ("" if mapped else f", or map it in the mapping file: columns: {{{contract}: ...}}")
                    if near else
                    f"add the column, or name the CMS's column for it in the mapping file "
                    f"(columns: {{{contract}: YourColumn}}); the header has: "
                    f"{clip(', '.join(h.strip() for h in header if h.strip()), 200)}")
            problems.add("member.missing-column", what, file=name, line=1, hint=hint)
            ok = False
    if not ok:
        return None
    extra = [i for i, h in enumerate(names) if i not in used.values() and h]
    if extra:
        shown = ", ".join(f"'{clip(header[i].strip(), 40)}'" for i in extra[:12])
        more = f" and {len(extra) - 12} more" if len(extra) > 12 else ""
        problems.add("member.extra-column",
                     f"column{'s' * (len(extra) > 1)} {shown}{more} {'are' if len(extra) > 1 else 'is'} not part "
                     f"of the export format and {'are' if len(extra) > 1 else 'is'} ignored",
                     file=name, line=1, column=extra[0] + 1,
                     hint="nothing to do: ignored columns are never read and never leave the organisation")
    return used


def _fast(raw: bytes, body_start: int, header_line: int, width: int,
          used: dict[str, int]) -> tuple[dict[str, pa.Array], np.ndarray] | None:
    """pyarrow's reading of the body, when it provably gives each record's exact line; else None."""
    body = raw[body_start:]
    if b"\r" in body and body.count(b"\r") != body.count(b"\r\n"):
        return None  # a lone carriage return ends a line for csv, not for our line count
    if not body.strip():
        return {c: pa.array([], pa.string()) for c in used}, np.zeros(0, dtype=np.int64)
    names = [f"c{i}" for i in range(width)]
    try:
        table = pacsv.read_csv(
            pa.py_buffer(body),
            read_options=pacsv.ReadOptions(column_names=names, block_size=16 << 20),
            parse_options=pacsv.ParseOptions(newlines_in_values=False, ignore_empty_lines=True),
            convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                                 strings_can_be_null=False, quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        return None
    buf = np.frombuffer(body, dtype=np.uint8)
    ends = np.flatnonzero(buf == 10)
    starts = np.concatenate(([0], ends + 1))
    stops = np.concatenate((ends, [len(buf)]))
    if starts[-1] == len(buf):  # the file ends with a line break: no last partial line
        starts, stops = starts[:-1], stops[:-1]
    length = stops - starts
    cr_only = (length == 1) & (buf[np.minimum(starts, len(buf) - 1)] == 13)
    nonblank = np.flatnonzero((length > 0) & ~cr_only)
    if table.num_rows != len(nonblank):
        return None  # a record over several lines (or a blank line pyarrow kept): read it carefully
    lines = (nonblank + header_line + 1).astype(np.int64)
    blank = None
    for n in names:
        empty = pc.equal(pc.utf8_length(pc.utf8_trim_whitespace(table[n])), 0)
        blank = empty if blank is None else pc.and_(blank, empty)
    cells = {c: table[f"c{i}"].combine_chunks() for c, i in used.items()}
    if blank is not None and pc.any(blank).as_py():
        keep = pc.invert(blank).combine_chunks() if hasattr(blank, "combine_chunks") else pc.invert(blank)
        cells = {c: a.filter(keep) for c, a in cells.items()}
        lines = lines[np.asarray(keep.to_numpy(zero_copy_only=False), dtype=bool)]
    return cells, lines


def _careful(text: str, header: list[str], header_line: int, used: dict[str, int], name: str,
             problems: Problems) -> tuple[dict[str, pa.Array], np.ndarray] | None:
    reader = csv.reader(io.StringIO(text, newline=""))
    width = len(header)
    need = max(used.values()) + 1 if used else 0
    cols: dict[str, list[str]] = {c: [] for c in used}
    lines: list[int] = []
    items = list(used.items())
    line = 0
    try:
        for _ in range(header_line):
            next(reader)
        line = reader.line_num
        for row in reader:
            start = line + 1
            line = reader.line_num
            if not any(c.strip() for c in row):
                continue
            if len(row) < width:
                if len(row) < need:
                    hint = "check for missing commas"
                    if any("\n" in c for c in row):
                        hint = "a quote mark opened in this row is never closed, so the rest of the file is one field"
                    problems.add("member.short-row", f"the row has {len(row)} field(s) where the header has {width}",
                                 file=name, line=start, column=len(row) + 1 if row else None, hint=hint)
                    continue
                row = row + [""] * (width - len(row))
            elif len(row) > width and any(c.strip() for c in row[width:]):
                problems.add("member.long-row", f"the row has {len(row)} fields where the header has {width}",
                             file=name, line=start, column=width + 1,
                             hint="put text that contains commas in double quotes, and write numbers "
                                  "without thousands separators (1200, not 1,200)")
                continue
            for c, i in items:
                cols[c].append(row[i])
            lines.append(start)
    except csv.Error as exc:
        problems.add("member.bad-csv", f"the file cannot be read as CSV: {exc}", file=name, line=line + 1,
                     hint="check for an unclosed quote mark")
        return None
    return ({c: pa.array(v, pa.string()) for c, v in cols.items()}, np.asarray(lines, dtype=np.int64))


def _checked(table: Table, problems: Problems) -> Table | None:
    """The table, or None when a field is too long to be a value (a finding for each such field)."""
    bad = False
    for c, arr in table.cells.items():
        if not len(arr):
            continue
        length = pc.utf8_length(arr)
        if pc.max(length).as_py() > MAX_FIELD:
            for i in np.flatnonzero(length.to_numpy(zero_copy_only=False) > MAX_FIELD):
                problems.add("member.field-too-long",
                             f"the {c} field has {length[int(i)].as_py():,} characters; no value of the export "
                             f"is longer than {MAX_FIELD:,}", file=table.name, line=int(table.lines[i]),
                             column=table.columns[c],
                             hint="check for an unclosed quote mark, or free text exported in this column")
            bad = True
    return None if bad else table

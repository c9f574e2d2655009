"""Reading and checking an export: the five CSV files, after the mapping, into typed arrays.

Every problem is a finding with the file, line, column, the value and a hint;
all of them are collected in one run. Values are interpreted once per
*distinct* text (dates, codes and numbers repeat a lot), and rows are
handled as NumPy/Arrow arrays, so a million sessions stay fast. The export
is only read, never modified.

The result, ``Export``, holds what the counting rules need and nothing else:
people are integers (their position in clients.csv), dates are day numbers,
codes are positions in the contract's lists. No identifier is kept beyond
what is needed to order sessions (their ``session_id``).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..core.findings import Finding, did_you_mean, did_you_mean_hint
from ..core.safefile import why_not_a_file
from .csvread import Layout, Table, read_table
from .formats import CODED, FILES, OPTIONAL_FILES, REQUIRED_FILES
from .mapping import Mapping
from .problems import Problems, clip

MAX_NUMBER = 1_000_000_000  # the largest unidentified or hours value one row may hold
NO_DATE = np.iinfo(np.int64).max  # "no date" in day-number arrays (later than every real date)
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_YEAR = re.compile(r"^\d{4}$")
_NUMBER = re.compile(r"^([0-9]+(\.[0-9]*)?|\.[0-9]+)$")  # the contract's numbers: digits, an optional decimal point
_MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                "October", "November", "December"]


@dataclass
class Export:
    present: set[str]  # the files read: clients, sessions and any optional ones
    # clients (one entry per distinct client_key, in file order)
    n_clients: int = 0
    birth: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # day number, NO_DATE if none
    birth_year: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # 0 if none
    gender: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int8))  # position in CODED["gender"]
    ethnicity: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))  # bit i: CODED["ethnicity"][i]
    first_service: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # day number or NO_DATE
    # sessions (one entry per row)
    s_date: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    s_rank: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # order by (date, session_id)
    s_region: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int8))
    s_service: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int8))
    s_unidentified: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    # attendance: distinct (session row, client) pairs
    a_session: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    a_client: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    # needs.csv
    n_client: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    n_date: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    n_need: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int8))
    # assessments.csv (file order kept: it breaks ties between ratings on one date)
    r_client: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    r_date: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    r_domain: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int8))
    r_rating: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int8))
    r_line: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    # hours.csv
    h_date: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    h_region: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int8))
    h_kind: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int8))  # 0 paid, 1 volunteer
    h_value: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # index into h_values
    h_values: list[Fraction] = field(default_factory=list)  # exact hours, one per distinct text
    columns: dict[str, dict[str, int]] = field(default_factory=dict)  # file → column → number, for findings
    client_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # row of each client
    client_lines: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # line of each clients.csv row


def find_files(folder: Path, problems: Problems) -> dict[str, Path]:
    """The export's files by name (case-insensitive); findings for missing and unexpected ones."""
    found: dict[str, Path] = {}
    try:
        entries = sorted(os.listdir(folder))
    except OSError as exc:
        problems.add("member.unreadable", f"cannot read the export folder: {exc.strerror or exc}",
                     file=folder.name or str(folder), hint="check the folder's name and permissions")
        return found
    for entry in entries:
        path = folder / entry
        if not entry.lower().endswith(".csv"):
            continue
        why = why_not_a_file(path, [folder], outside="the export folder")
        if why is not None:  # a pipe, a device, a folder, a broken link, a link out of the export: never skipped
            problems.add("member.not-a-file", f"'{clip(entry)}' is {why}", file=entry,
                         hint="export the file itself into the folder (a copy, not a link, pipe or device)")
            continue
        stem = entry[:-4].strip().lower()
        if stem in FILES and stem not in found:
            found[stem] = path
        else:
            problems.add("member.extra-file", f"'{clip(entry)}' is not one of the export's files and is ignored",
                         file=entry, hint="the export's files are clients.csv, sessions.csv, needs.csv, "
                                          "assessments.csv and hours.csv")
    for name in REQUIRED_FILES:
        if name not in found:
            problems.add("member.missing-file", f"the export has no {name}.csv", file=f"{name}.csv",
                         hint=f"{name}.csv is required (needs.csv, assessments.csv and hours.csv are optional); "
                              "check that the folder given is the export folder")
    return found


# ---------------------------------------------------------------------------
# values, interpreted once per distinct text


def _encode(arr: pa.Array) -> tuple[np.ndarray, list[str]]:
    """Dictionary indices per row and the distinct values."""
    if len(arr) == 0:
        return np.zeros(0, dtype=np.int64), []
    enc = pc.dictionary_encode(arr)
    if isinstance(enc, pa.ChunkedArray):
        enc = enc.combine_chunks()
    return enc.indices.to_numpy(zero_copy_only=False).astype(np.int64), enc.dictionary.to_pylist()


def _trim(arr: pa.Array) -> pa.Array:
    return pc.utf8_trim_whitespace(arr)


def date_problem(text: str) -> str:
    """Why ``text`` is not a YYYY-MM-DD date, as a hint."""
    m = _ISO.match(text)
    if m:
        y, mo, d = (int(g) for g in m.groups())
        if not 1 <= mo <= 12:
            return f"there is no month {mo}; write dates as YYYY-MM-DD"
        if y == 0:
            return "there is no year 0"
        if mo == 2 and d == 29:
            return f"{y} is not a leap year: February {y} has 28 days"
        days = (dt.date(y + mo // 12, mo % 12 + 1, 1) - dt.date(y, mo, 1)).days
        return f"{_MONTH_NAMES[mo - 1]} has {days} days"
    m = re.match(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$", text)
    if m:
        d, mo, y = m.groups()
        return f"write dates as YYYY-MM-DD: {y}-{int(mo):02d}-{int(d):02d} for {d}/{mo}/{y} read day first"
    if re.match(r"^\d{4}-\d{1,2}-\d{1,2}$", text):
        y, mo, d = text.split("-")
        return f"write two digits for the month and the day: {y}-{int(mo):02d}-{int(d):02d}"
    if "T" in text or ":" in text:
        return "write the date alone, without a time: YYYY-MM-DD"
    return "write dates as YYYY-MM-DD, e.g. 2025-03-30"


def parse_date(text: str) -> int | None:
    """The day number (proleptic ordinal) of an ISO date, or None."""
    m = _ISO.match(text)
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))).toordinal()
    except ValueError:
        return None


class _File:
    """One table being checked: its name, locations, and findings helpers."""

    def __init__(self, table: Table, problems: Problems):
        self.t, self.p = table, problems
        self.name = table.name
        self.lines = table.lines
        self.trimmed: dict[str, pa.Array] = {c: _trim(a) for c, a in table.cells.items()}
        self.bad = np.zeros(table.rows, dtype=bool)  # rows with an error
        # rows dated (validly) outside the quarters asked for, and the columns whose problems in such rows
        # change nothing that is sent: those are warnings (member.uncounted-row), never errors
        self.outside = np.zeros(table.rows, dtype=bool)
        self.lenient: set[str] = set()

    def has(self, column: str) -> bool:
        return column in self.trimmed

    def col(self, column: str) -> int | None:
        return self.t.columns.get(column)

    def date_outside(self, days: np.ndarray, counted: tuple[int, int] | None, *lenient: str) -> None:
        """Mark the rows whose date (day numbers, NO_DATE when bad) lies outside ``counted`` (the first and
        last day of the quarters asked for): problems in ``lenient`` columns of those rows are warnings."""
        if counted is None or not len(days):
            return
        first, last = counted
        self.outside = (days != NO_DATE) & ((days < first) | (days > last))
        self.lenient = set(lenient)

    def report(self, code: str, column: str, rows: np.ndarray, describe, *, lenient: bool | None = None) -> None:
        if not len(rows):
            return
        rows = np.asarray(rows)
        if (column in self.lenient if lenient is None else lenient) and self.outside.any():
            uncounted = self.outside[rows]
            if uncounted.any():
                def warn(i: int) -> tuple[str, str]:
                    message, hint = describe(i)
                    return (f"{message}, in a row dated outside the quarters asked for: it is not counted, so "
                            "nothing sent depends on it", hint)

                self.p.rows("member.uncounted-row", self.name, self.col(column), rows[uncounted], self.lines, warn)
                rows = rows[~uncounted]
                if not len(rows):
                    return
        self.p.rows(code, self.name, self.col(column), rows, self.lines, describe)
        self.bad[rows] = True

    def required(self, column: str) -> tuple[np.ndarray, list[str]]:
        """Indices and distinct values of a required column; empty cells reported."""
        idx, values = _encode(self.trimmed[column])
        empty = [j for j, v in enumerate(values) if v == ""]
        if empty:
            rows = np.flatnonzero(np.isin(idx, empty))
            self.report("member.missing-value", column, rows,
                        lambda i: (f"the {column} is empty", f"every row of {self.name} needs a {column}"))
        return idx, values

    def dates(self, column: str, *, required: bool) -> np.ndarray:
        """Day numbers; NO_DATE for empty cells of an optional column; bad dates reported."""
        if not self.has(column):
            return np.full(self.t.rows, NO_DATE, dtype=np.int64)
        idx, values = self.required(column) if required else _encode(self.trimmed[column])
        parsed = [parse_date(v) if v else None for v in values]
        lut = np.array([NO_DATE if p is None else p for p in parsed] + [NO_DATE], dtype=np.int64)
        wrong = [j for j, (v, p) in enumerate(zip(values, parsed)) if v and p is None]
        if wrong:
            rows = np.flatnonzero(np.isin(idx, wrong))
            self.report("member.bad-date", column, rows,
                        lambda i: (f"'{clip(values[idx[i]])}' is not a date", date_problem(values[idx[i]])))
        return lut[idx] if len(idx) else np.zeros(0, dtype=np.int64)

    def codes(self, column: str, field_name: str, mapping: Mapping, *, required: bool,
              empty_code: str | None = None) -> np.ndarray:
        """Positions in ``CODED[field_name]``; -1 where bad (reported)."""
        known = CODED[field_name]
        pos = {c.lower(): i for i, c in enumerate(known)}
        if not self.has(column):
            return np.full(self.t.rows, pos[empty_code] if empty_code else -1, dtype=np.int64)
        idx, values = self.required(column) if required else _encode(self.trimmed[column])
        lut = np.full(len(values) + 1, -1, dtype=np.int64)
        wrong: list[int] = []
        for j, v in enumerate(values):
            if v == "" and empty_code is not None:
                code = mapping.translate(field_name, v)
                lut[j] = pos.get(code.lower(), pos[empty_code]) if code else pos[empty_code]
                continue
            if v == "":
                continue  # reported by required()
            got = pos.get(mapping.translate(field_name, v).lower())
            if got is None:
                wrong.append(j)
            else:
                lut[j] = got
        if wrong:
            rows = np.flatnonzero(np.isin(idx, wrong))
            self.report("member.unknown-code", column, rows,
                        lambda i: unknown_code(values[idx[i]], field_name, mapping))
        return lut[idx] if len(idx) else np.zeros(0, dtype=np.int64)

    def numbers(self, column: str, *, whole: bool, empty_zero: bool) -> tuple[np.ndarray, list[str], np.ndarray]:
        """Row indices into the distinct texts, the texts, and which distinct texts are valid."""
        if not self.has(column):
            return np.zeros(self.t.rows, dtype=np.int64), ["0"], np.array([True, False])
        idx, values = (_encode(self.trimmed[column]) if empty_zero else self.required(column))
        ok = np.zeros(len(values) + 1, dtype=bool)
        wrong: list[int] = []
        for j, v in enumerate(values):
            if v == "":
                ok[j] = empty_zero
                continue
            if _NUMBER.match(v) and len(v) <= 40 and Fraction(v) <= MAX_NUMBER and \
                    (not whole or Fraction(v).denominator == 1):
                ok[j] = True
            else:
                wrong.append(j)
        if wrong:
            rows = np.flatnonzero(np.isin(idx, wrong))
            what = "a whole number ≥ 0" if whole else "a number ≥ 0"

            def describe(i: int) -> tuple[str, str]:
                v = values[idx[i]]
                if v.startswith("-"):
                    hint = f"{column} cannot be negative"
                elif "," in v:
                    hint = "write the number without a thousands separator or decimal comma (1200, 7.5)"
                elif _NUMBER.match(v) and (len(v) > 40 or Fraction(v) > MAX_NUMBER):
                    hint = f"no row holds more than {MAX_NUMBER:,}: check for a typing error"
                elif _NUMBER.match(v):
                    hint = f"{column} is a count of people: a whole number"
                else:
                    hint = "write plain digits with an optional decimal point, e.g. 12 or 7.5"
                return f"the {column} '{clip(v)}' is not {what}", hint

            self.report("member.bad-number", column, rows, describe)
        return idx, values, ok


def unknown_code(value: str, field_name: str, mapping: Mapping) -> tuple[str, str]:
    known = CODED[field_name]
    near = did_you_mean(value, known)
    where = f"map it in {mapping.shown}" if mapping.shown else "map it in a mapping file (--mapping)"
    if near:
        hint = f"{did_you_mean_hint(value, near)} Or, if it is your CMS's own code, {where}: codes: " \
               f"{{{field_name}: {{\"{clip(value, 30)}\": {near}}}}}"
    else:
        from .mapping import nearest

        hint = (f"{field_name} codes, nearest first: {', '.join(nearest(value, field_name)[:6])}; if it is your "
                f"CMS's own code, {where} under codes: {field_name}")
    mapped = " and the mapping file does not map it" if mapping.shown else ""
    article = "an" if field_name[0] in "aeiou" else "a"
    return f"'{clip(value)}' is not {article} {field_name} code{mapped}", hint


# ---------------------------------------------------------------------------
# the files


def read_export(folder: Path, mapping: Mapping, problems: Problems,
                counted: tuple[int, int] | None = None) -> Export | None:
    """The checked export, or None when any error was found (all findings are in ``problems``).

    ``counted``: the first and last day (day numbers) of the quarters asked for. In rows dated outside
    them, a problem that cannot change what is sent is a warning (``member.uncounted-row``): in hours.csv
    and needs.csv everything but the date; in sessions.csv the service type, the unidentified attendees
    and a session with no attendee (its region and attendees stay errors: outcomes and first services
    read sessions of any date)."""
    paths = find_files(folder, problems)
    tables: dict[str, Table] = {}
    for name, path in paths.items():
        layout = FILES[name]
        layout = Layout(layout.required, layout.optional, mapping.columns.get(name, {}))
        table = read_table(path, f"{name}.csv", layout, problems)
        if table is not None:
            tables[name] = table
            problems.label_columns(table.name, {number: column_label(table, contract)
                                                for contract, number in table.columns.items()})
            if table.rows == 0:
                what = ("its measures are sent as zeros" if name in OPTIONAL_FILES else
                        "no session is counted" if name == "sessions" else "no client is known")
                problems.add("member.no-rows", f"{name}.csv has a header and no rows: {what}", file=f"{name}.csv",
                             hint="check that the CMS exported this file in full")
    ex = Export(present=set(tables))
    ex.columns = {name: dict(t.columns) for name, t in tables.items()}
    keys = None
    if "clients" in tables:
        keys = _clients(_File(tables["clients"], problems), mapping, ex)
    if "sessions" in tables:
        _sessions(_File(tables["sessions"], problems), mapping, ex, keys, counted)
    if "needs" in tables:
        f = _File(tables["needs"], problems)
        ex.n_date = f.dates("date", required=True)
        f.date_outside(ex.n_date, counted, "client_key", "need")
        ex.n_client = _client_refs(f, keys)
        ex.n_need = f.codes("need", "need", mapping, required=True).astype(np.int8)
    if "assessments" in tables:
        _assessments(_File(tables["assessments"], problems), mapping, ex, keys)
    if "hours" in tables:
        _hours(_File(tables["hours"], problems), mapping, ex, counted)
    if "clients" in tables:
        ex.client_lines = tables["clients"].lines
    if problems.has_errors or "clients" not in tables or "sessions" not in tables:
        return None
    return ex


def _clients(f: _File, mapping: Mapping, ex: Export) -> pa.Array:
    """Fills the client arrays; returns the distinct client_keys (position = client number)."""
    idx, values = f.required("client_key")
    n = len(values)
    first, dup = _first_rows(idx, values)
    f.report("member.duplicate-client-key", "client_key", dup,
             lambda i: (f"client_key '{clip(values[idx[i]])}' appears twice (first on line "
                        f"{f.lines[first[idx[i]]]})", "each person once in clients.csv: merge the two records"))
    rows = first  # the row that describes each client
    birth = f.dates("birth_date", required=False)
    if f.has("birth_year"):
        yidx, yvalues = _encode(f.trimmed["birth_year"])
        ylut = np.zeros(len(yvalues) + 1, dtype=np.int64)
        wrong = []
        for j, v in enumerate(yvalues):
            if not v:
                continue
            if _YEAR.match(v) and int(v) > 0:
                ylut[j] = int(v)
            else:
                wrong.append(j)
        if wrong:
            f.report("member.bad-date", "birth_year", np.flatnonzero(np.isin(yidx, wrong)),
                     lambda i: (f"'{clip(yvalues[yidx[i]])}' is not a year of birth",
                                "write the year alone with four digits, e.g. 1984; or give birth_date instead"))
        year = ylut[yidx] if len(yidx) else np.zeros(0, np.int64)
    else:
        year = np.zeros(f.t.rows, dtype=np.int64)
    gender = f.codes("gender", "gender", mapping, required=False, empty_code="not_stated")
    ethnicity = _ethnicity(f, mapping)
    first_service = f.dates("first_service_date", required=False)
    ex.n_clients = n
    ex.birth, ex.birth_year = birth[rows], year[rows]
    ex.gender, ex.ethnicity = gender[rows].astype(np.int8), ethnicity[rows]
    ex.first_service = first_service[rows]
    ex.client_rows = rows
    return pa.array(values, pa.string())


def _first_rows(idx: np.ndarray, values: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The first row of each distinct value (dictionary order), and the rows repeating a non-empty value."""
    if not len(idx):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    _, first = np.unique(idx, return_index=True)  # dictionary indices are 0..n-1, all present
    dup = np.flatnonzero(first[idx] != np.arange(len(idx)))
    nonempty = np.array([v != "" for v in values] + [False], dtype=bool)
    return first.astype(np.int64), dup[nonempty[idx[dup]]]


def _split(f: _File, column: str, sep: str) -> tuple[np.ndarray, pa.Array]:
    """(row of each element, trimmed non-empty elements) of a list column."""
    parts = pc.split_pattern(f.t.cells[column], pattern=sep)
    if isinstance(parts, pa.ChunkedArray):
        parts = parts.combine_chunks()
    parent = pc.list_parent_indices(parts).to_numpy(zero_copy_only=False).astype(np.int64)
    flat = _trim(pc.list_flatten(parts))
    keep = pc.greater(pc.utf8_length(flat), 0)
    return parent[keep.to_numpy(zero_copy_only=False)], flat.filter(keep)


def _ethnicity(f: _File, mapping: Mapping) -> np.ndarray:
    codes = CODED["ethnicity"]
    not_stated = 1 << codes.index("not_stated")
    if not f.has("ethnicity"):
        return np.full(f.t.rows, not_stated, dtype=np.int32)
    parent, flat = _split(f, "ethnicity", mapping.separator("ethnicity"))
    idx, values = _encode(flat)
    pos = {c.lower(): i for i, c in enumerate(codes)}
    lut = np.full(len(values) + 1, -1, dtype=np.int64)
    for j, v in enumerate(values):
        lut[j] = pos.get(mapping.translate("ethnicity", v).lower(), -1)
    got = lut[idx] if len(idx) else np.zeros(0, np.int64)
    wrong = got < 0
    if wrong.any():
        where = np.flatnonzero(wrong)
        # one finding per row (the first unknown element of that row)
        _, first = np.unique(parent[where], return_index=True)
        where = where[first]
        f.p.rows("member.unknown-code", f.name, f.col("ethnicity"), parent[where], f.lines,
                 _describe_elements(parent, where, idx, values, "ethnicity", mapping))
        f.bad[parent[where]] = True
    mask = np.zeros(f.t.rows, dtype=np.int32)
    ok = ~wrong
    np.bitwise_or.at(mask, parent[ok], (1 << got[ok]).astype(np.int32))
    mask[mask == 0] = not_stated
    return mask


def _describe_elements(parent, where, idx, values, field_name, mapping):
    by_row = {int(parent[w]): values[idx[w]] for w in where}

    def describe(row: int) -> tuple[str, str]:
        return unknown_code(by_row[row], field_name, mapping)

    return describe


def _client_refs(f: _File, keys: pa.Array | None) -> np.ndarray:
    """Client numbers of a client_key column; unknown keys reported."""
    idx, values = f.required("client_key")
    if keys is None:
        return np.full(f.t.rows, -1, dtype=np.int64)
    pos = _lookup(keys, pa.array(values, pa.string()))
    lut = np.concatenate([pos, [-1]])
    got = lut[idx] if len(idx) else np.zeros(0, np.int64)
    nonempty = np.array([v != "" for v in values] + [False], dtype=bool)
    unknown = np.flatnonzero((got < 0) & nonempty[idx]) if len(idx) else np.zeros(0, np.int64)
    f.report("member.unknown-client", "client_key", unknown,
             lambda i: (f"client_key '{clip(values[idx[i]])}' is not in clients.csv",
                        "export every client who has a session, a need or an assessment in clients.csv"))
    return got


def _lookup(keys: pa.Array, elements: pa.Array) -> np.ndarray:
    if len(elements) == 0:
        return np.zeros(0, dtype=np.int64)
    pos = pc.index_in(elements, value_set=keys)
    return pc.fill_null(pos, -1).to_numpy(zero_copy_only=False).astype(np.int64)


def _sessions(f: _File, mapping: Mapping, ex: Export, keys: pa.Array | None,
              counted: tuple[int, int] | None = None) -> None:
    ex.s_date = f.dates("date", required=True)
    f.date_outside(ex.s_date, counted, "service_type", "unidentified")
    idx, values = f.required("session_id")
    rows = f.t.rows
    if rows:
        first, dup = _first_rows(idx, values)
        f.report("member.duplicate-session-id", "session_id", dup,
                 lambda i: (f"session_id '{clip(values[idx[i]])}' appears twice (first on line "
                            f"{f.lines[first[idx[i]]]})",
                            "one row per session, with all its attendees in client_keys"))
    ex.s_region = f.codes("region", "region", mapping, required=True).astype(np.int8)
    ex.s_service = f.codes("service_type", "service_type", mapping, required=False,
                           empty_code="not_stated").astype(np.int8)
    uidx, utexts, uok = f.numbers("unidentified", whole=True, empty_zero=True)
    ulut = np.array([int(Fraction(t)) if ok and t else 0 for t, ok in zip(utexts, uok)] + [0], dtype=np.int64)
    ex.s_unidentified = ulut[uidx] if len(uidx) else np.zeros(0, np.int64)
    # order: date, then session_id (code-point order, as Python compares text)
    table = pa.table({"d": pa.array(ex.s_date), "s": f.trimmed["session_id"]})
    order = pc.sort_indices(table, sort_keys=[("d", "ascending"), ("s", "ascending")]).to_numpy()
    rank = np.empty(rows, dtype=np.int64)
    rank[order] = np.arange(rows)
    ex.s_rank = rank
    # attendees
    if f.has("client_keys"):
        parent, flat = _split(f, "client_keys", mapping.separator("client_keys"))
        client = _lookup(keys, flat) if keys is not None else np.full(len(flat), -1, np.int64)
        unknown = client < 0
        if keys is not None and unknown.any():
            where = np.flatnonzero(unknown)
            _, first_el = np.unique(parent[where], return_index=True)
            where = where[first_el]
            names = flat.take(pa.array(where)).to_pylist()
            by_row = dict(zip(parent[where].tolist(), names))
            counts = np.bincount(parent[np.flatnonzero(unknown)], minlength=rows)
            f.p.rows("member.unknown-client", f.name, f.col("client_keys"), parent[where], f.lines,
                     lambda i: (f"client_key '{clip(by_row[i])}' is not in clients.csv"
                                + (f" (and {counts[i] - 1} more in this session)" if counts[i] > 1 else ""),
                                "export every client who attended a session in clients.csv"))
            f.bad[parent[where]] = True
        ok = ~unknown
        pair = parent[ok] * max(ex.n_clients, 1) + client[ok]
        uniq, first_pos, counts = np.unique(pair, return_index=True, return_counts=True)
        repeated = np.flatnonzero(counts > 1)
        if len(repeated):
            rep_rows = (uniq[repeated] // max(ex.n_clients, 1)).astype(np.int64)
            order_r = np.argsort(rep_rows, kind="stable")
            rep_rows = rep_rows[order_r]
            names = flat.filter(pa.array(ok)).take(pa.array(first_pos[repeated][order_r])).to_pylist()
            by_row: dict[int, str] = {}
            for r, nm in zip(rep_rows.tolist(), names):
                by_row.setdefault(r, nm)
            rr = np.unique(rep_rows)
            f.p.rows("member.repeated-attendee", f.name, f.col("client_keys"), rr, f.lines,
                     lambda i: (f"client_key '{clip(by_row[i])}' is listed more than once in this session; "
                                "it counts once", "list each attendee of a session once"))
        ex.a_session = uniq // max(ex.n_clients, 1)
        ex.a_client = uniq % max(ex.n_clients, 1)
        identified = np.bincount(parent, minlength=rows)  # elements given, known or not
    else:
        identified = np.zeros(rows, dtype=np.int64)
    unid_ok = uok[uidx] if len(uidx) else np.zeros(0, bool)
    none = np.flatnonzero((identified == 0) & (ex.s_unidentified == 0) & unid_ok)
    column = "client_keys" if f.has("client_keys") else "unidentified" if f.has("unidentified") else "session_id"
    f.report("member.no-attendee", column, none,
             lambda i: ("the session has no attendee: no client_keys and no unidentified attendees",
                        "give the attendees' client_keys, or the number of people not recorded individually "
                        "in unidentified; a session nobody attended is not a session"), lenient=True)


def _assessments(f: _File, mapping: Mapping, ex: Export, keys: pa.Array | None) -> None:
    ex.r_client = _client_refs(f, keys)
    ex.r_date = f.dates("date", required=True)
    ex.r_domain = f.codes("domain", "domain", mapping, required=True).astype(np.int8)
    idx, values = f.required("rating")
    lut = np.zeros(len(values) + 1, dtype=np.int8)
    wrong = []
    for j, v in enumerate(values):
        if not v:
            continue
        if _NUMBER.match(v) and Fraction(v).denominator == 1 and 1 <= Fraction(v) <= 5:
            lut[j] = int(Fraction(v))
        else:
            wrong.append(j)
    if wrong:
        def describe(i: int) -> tuple[str, str]:
            v = values[idx[i]]
            if _NUMBER.match(v) and Fraction(v).denominator == 1:
                return f"the rating {clip(v)} is outside 1–5", "ratings are whole numbers from 1 to 5"
            if _NUMBER.match(v):
                return f"the rating {clip(v)} is not a whole number", "ratings are whole numbers from 1 to 5"
            return f"the rating '{clip(v)}' is not a number", "ratings are whole numbers from 1 to 5"

        f.report("member.bad-rating", "rating", np.flatnonzero(np.isin(idx, wrong)), describe)
    ex.r_rating = lut[idx] if len(idx) else np.zeros(0, np.int8)
    ex.r_line = f.lines.copy()


def _hours(f: _File, mapping: Mapping, ex: Export, counted: tuple[int, int] | None = None) -> None:
    ex.h_date = f.dates("date", required=True)
    f.date_outside(ex.h_date, counted, "region", "kind", "hours")
    ex.h_region = f.codes("region", "region", mapping, required=True).astype(np.int8)
    ex.h_kind = f.codes("kind", "kind", mapping, required=True).astype(np.int8)
    idx, texts, ok = f.numbers("hours", whole=False, empty_zero=False)
    ex.h_values = [Fraction(t) if good and t else Fraction(0) for t, good in zip(texts, ok)] + [Fraction(0)]
    ex.h_value = idx


def years(days: np.ndarray) -> np.ndarray:
    """Calendar years of day numbers (proleptic ordinals)."""
    months = (days - _EPOCH).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    return months // 12 + 1970


_EPOCH = dt.date(1970, 1, 1).toordinal()


def born_after_sessions(ex: Export, counted: np.ndarray, problems: Problems) -> None:
    """A birth date (or year) after a session is impossible. After a *counted* session (``counted``: a
    mask over sessions, those in the quarters asked for) it is an error, since the age counted would be
    wrong; after only sessions outside those quarters it is a warning: those sessions are not counted, so
    nothing sent depends on them, and data outside the quarters asked for never blocks a submission."""
    if not len(ex.a_client):
        return
    pair_counted = counted[ex.a_session]
    first = np.full(ex.n_clients, NO_DATE, dtype=np.int64)  # first session of all
    np.minimum.at(first, ex.a_client, ex.s_date[ex.a_session])
    first_counted = np.full(ex.n_clients, NO_DATE, dtype=np.int64)  # first session in the quarters asked for
    np.minimum.at(first_counted, ex.a_client[pair_counted], ex.s_date[ex.a_session[pair_counted]])
    has_date = ex.birth != NO_DATE
    has_year = ~has_date & (ex.birth_year > 0)

    def after(day: np.ndarray) -> np.ndarray:
        seen = day != NO_DATE
        year = np.zeros(ex.n_clients, dtype=np.int64)
        year[seen] = years(day[seen])
        return (seen & has_date & (ex.birth > day)) | (seen & has_year & (ex.birth_year > year))

    late_counted = after(first_counted)
    late_other = after(first) & ~late_counted
    for code, mask, day in (("member.born-after-session", late_counted, first_counted),
                            ("member.born-after-uncounted-session", late_other, first)):
        for column, which in (("birth_date", mask & has_date), ("birth_year", mask & has_year)):
            who = np.flatnonzero(which)
            if not len(who):
                continue
            client_of_row = {int(ex.client_rows[c]): int(c) for c in who}
            counted_word = "" if code == "member.born-after-session" else "uncounted "

            def describe(row: int, column=column, client_of_row=client_of_row, day=day,
                         counted_word=counted_word) -> tuple[str, str]:
                c = client_of_row[row]
                born = (dt.date.fromordinal(int(ex.birth[c])).isoformat() if column == "birth_date"
                        else str(int(ex.birth_year[c])))
                what = "date of birth" if column == "birth_date" else "year of birth"
                session = dt.date.fromordinal(int(day[c])).isoformat()
                if counted_word:
                    return (f"the {what} {born} is after this client's first session ({session}), which is outside "
                            "the quarters asked for: nothing sent depends on it",
                            "correct the date of birth, or the date of the session, in the CMS")
                return (f"the {what} {born} is after this client's first session in the quarters asked for "
                        f"({session})", "correct the date of birth, or the date of the session")

            rows = np.asarray(sorted(client_of_row), dtype=np.int64)
            problems.rows(code, "clients.csv", ex.columns.get("clients", {}).get(column), rows, ex.client_lines,
                          describe)


def column_label(table: Table, contract: str) -> str:
    """A column as the member's export names it, with the export format's name beside it when they
    differ: "'SessionDate', the format's date", or "'date'"."""
    number = table.columns.get(contract)
    header = table.header[number - 1].strip() if number and number <= len(table.header) else contract
    if header.strip().lower() == contract:
        return f"'{clip(header, 40)}'"
    return f"'{clip(header, 40)}', the format's {contract}"


def sorted_findings(findings: list[Finding]) -> list[Finding]:
    """Findings in the order a person reads an export: by file, then line."""
    order = {f"{n}.csv": i for i, n in enumerate(FILES)}
    return sorted(findings, key=lambda f: (order.get(f.file or "", -1 if f.file is None else len(order)),
                                           f.file or "", f.line or 0, f.column or 0))

"""What ``reportgen member init`` reads from an export: headers, guessed columns, coded values."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyarrow.compute as pc

from ..core.findings import Finding
from .csvread import Layout, read_table
from .export import find_files
from .formats import CODED_IN, FILES, LIST_FIELDS
from .mapping import Seen, guess_columns, guess_separator
from .problems import Problems


def _header(path: Path) -> list[str]:
    import csv
    import io

    from ..core.safefile import open_regular

    with open_regular(path) as fh:  # the first MiB only, never the whole file; never a pipe
        raw = fh.read(1 << 20)
    text = raw.decode("utf-8-sig", errors="replace")
    for row in csv.reader(io.StringIO(text, newline="")):
        if any(c.strip() for c in row):
            return row
    return []


def survey(folder: Path) -> tuple[Seen, list[Finding]]:
    problems = Problems()
    seen = Seen()
    paths = find_files(folder, problems)
    tables = {}
    for name, path in paths.items():
        try:
            header = _header(path)
        except OSError:
            header = []
        guessed = guess_columns(name, header)
        seen.headers[name] = header
        seen.guessed[name] = guessed
        coded = [col for fld, places in CODED_IN.items() for f, col in places if f == name]
        lists = [c for c in LIST_FIELDS if c in FILES[name].optional or c in FILES[name].required]
        wanted = tuple(c for c in (*coded, *lists) if c in guessed)
        table = read_table(path, f"{name}.csv", Layout((), wanted, {c: guessed[c] for c in wanted}), problems)
        if table is not None:
            tables[name] = table
    for name in LIST_FIELDS:
        for file, table in tables.items():
            if name in table.cells:
                sample = pc.utf8_trim_whitespace(table.cells[name]).to_pylist()[:5000]
                seen.separators[name] = guess_separator([v for v in sample if v])
    for fld, places in CODED_IN.items():
        counter: Counter = Counter()
        for file, column in places:
            table = tables.get(file)
            if table is None or column not in table.cells:
                if file in seen.headers:
                    seen.sources.setdefault(fld, []).append(f"{file}.csv: no column found for {column}")
                continue
            values = pc.utf8_trim_whitespace(table.cells[column])
            if fld in LIST_FIELDS:
                sep = seen.separators.get(fld, ";")
                values = pc.utf8_trim_whitespace(pc.list_flatten(pc.split_pattern(values, pattern=sep)))
            counts = pc.value_counts(values)
            for item in counts.to_pylist():
                if item["values"]:
                    counter[item["values"]] += item["counts"]
            seen.sources.setdefault(fld, []).append(
                f"{file}.csv column {seen.guessed[file][column]} ({table.rows:,} rows)")
        if counter:
            seen.values[fld] = counter
    # problems that stop init: a file that cannot be read at all; a missing file is only noted
    quiet = {"member.missing-file", "member.extra-column", "member.no-rows"}  # init reads a few columns only
    found = [f for f in problems.findings() if f.code not in quiet]
    return seen, found

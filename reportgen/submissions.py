"""Load stage: read every submission file into one table of text cells.

Every ``*.csv`` and ``*.xlsx`` below ``data.submissions`` is read, at any
depth. Meaning comes from the rows, never from the path; the path and the
line number are kept on each row only to say where a problem is.

Nothing is interpreted here beyond the file format: codes and values stay as
text, and ``validate`` decides what they mean.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .config import Config
from .findings import Finding, relative, suggestion_hint

REQUIRED = ("org_id", "period", "region", "measure", "dimension", "category", "value")
ROW_COLUMNS = [*REQUIRED, "file", "line"]


@dataclass
class Submissions:
    rows: pd.DataFrame  # REQUIRED columns as stripped text, plus file and line
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
    names = [str(h or "").strip().lower() for h in header]
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        hint = f"the header row must name: {', '.join(REQUIRED)}"
        if len(names) == 1 and ";" in names[0]:
            hint = "the file seems to use semicolons; the contract requires commas between fields"
        elif len(names) == 1 and "\t" in names[0]:
            hint = "the file seems to use tabs; the contract requires commas between fields"
        else:
            near = [f"'{h}' → '{c}'" for h in names for c in missing
                    if h and h not in REQUIRED and suggestion_hint(h, [c]).startswith("did you mean")]
            if near:
                hint = f"check the column names ({'; '.join(near)})"
        findings.append(_finding("data.missing-column", "error",
                                 f"required column(s) missing: {', '.join(missing)}", shown, 1,
                                 hint=hint))
        return None
    for i, name in enumerate(names):
        if name not in REQUIRED:
            findings.append(_finding("data.extra-column", "warning",
                                     f"column '{header[i]}' is not in the contract and is ignored",
                                     shown, 1, i + 1,
                                     hint=suggestion_hint(name, REQUIRED, "columns")
                                     if name else "remove the empty column"))
    return {c: names.index(c) for c in REQUIRED}


def _read_csv(path: Path, shown: str, findings: list[Finding],
              columns: dict[str, dict[str, int]]) -> list[list]:
    raw = path.read_bytes()
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
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except csv.Error as exc:
        findings.append(_finding("data.bad-csv", "error", f"the header row cannot be read: {exc}", shown, 1))
        return []
    cols = _header_map(header, shown, findings)
    if cols is None:
        return []
    columns[shown] = {c: i + 1 for c, i in cols.items()}
    out: list[list] = []
    width = len(header)
    try:
        for row in reader:
            if not row or not any(c.strip() for c in row):
                continue
            line = reader.line_num
            if len(row) < width and len(row) < max(cols.values()) + 1:
                findings.append(_finding("data.short-row", "error",
                                         f"the row has {len(row)} field(s) where the header has {width}",
                                         shown, line, hint="check for missing commas"))
                continue
            if len(row) > width and any(c.strip() for c in row[width:]):
                findings.append(_finding("data.long-row", "error",
                                         f"the row has {len(row)} fields where the header has {width}",
                                         shown, line, width + 1,
                                         hint="a number written with a thousands separator (1,200) splits "
                                              "into two fields: write 1200; quote text that contains commas"))
                continue
            out.append([row[cols[c]].strip() for c in REQUIRED] + [shown, line])
    except csv.Error as exc:
        findings.append(_finding("data.bad-csv", "error", f"the file cannot be read as CSV: {exc}",
                                 shown, reader.line_num, hint="check for an unclosed quote mark"))
    return out


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).strip()


def _read_xlsx(path: Path, shown: str, findings: list[Finding],
               columns: dict[str, dict[str, int]]) -> list[list]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for broken files
        findings.append(_finding("data.bad-xlsx", "error",
                                 f"the workbook cannot be opened ({type(exc).__name__})", shown,
                                 hint="save it again from the spreadsheet program as .xlsx"))
        return []
    try:
        ws = wb["submission"] if "submission" in wb.sheetnames else wb.worksheets[0]
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
        for line, row in enumerate(rows, start=2):
            cells = [_cell_text(v) for v in row]
            if not any(cells):
                continue
            cells += [""] * (max(cols.values()) + 1 - len(cells))
            out.append([cells[cols[c]] for c in REQUIRED] + [shown, line])
        return out
    finally:
        wb.close()


def load_submissions(config: Config) -> Submissions:
    folder = config.submissions_dir
    findings: list[Finding] = []
    if not folder.is_dir():
        findings.append(Finding("data.no-submissions", "error", "the submissions folder does not exist",
                                file=relative(folder, config.root),
                                hint="set data.submissions in config.yaml"))
        return Submissions(pd.DataFrame(columns=ROW_COLUMNS), [], findings)
    paths = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in (".csv", ".xlsx"))
    rows: list[list] = []
    files: list[str] = []
    columns: dict[str, dict[str, int]] = {}
    for path in paths:
        shown = relative(path, config.root)
        files.append(shown)
        before = len(rows)
        try:
            if path.suffix.lower() == ".csv":
                rows += _read_csv(path, shown, findings, columns)
            else:
                rows += _read_xlsx(path, shown, findings, columns)
        except OSError as exc:
            findings.append(_finding("data.unreadable", "error", f"cannot read the file: {exc.strerror}", shown))
            continue
        if len(rows) == before and not any(f.file == shown and f.is_error for f in findings):
            findings.append(_finding("data.no-rows", "warning", "the file has a header but no rows", shown,
                                     hint="if the member had nothing to report, say so to the data team"))
    if not paths:
        findings.append(Finding("data.no-submissions", "error", "no .csv or .xlsx files were found",
                                file=relative(folder, config.root)))
    frame = pd.DataFrame(rows, columns=ROW_COLUMNS)
    return Submissions(frame, files, findings, columns)

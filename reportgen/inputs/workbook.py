"""An XLSX submission measured before it is parsed, and its worksheet's real shape.

A workbook is a zip of XML files, so a small file can expand to far more than
it looks: a 10 MB workbook can hold a gigabyte of shared strings, a 60 KB one
a single 50-million-character cell. Before openpyxl parses anything,
``inspect`` reads every part once, as a stream, and refuses a workbook that
goes past a bound of ``limits.py`` (parts, worksheets, total uncompressed
size, the size of any part other than a worksheet, the number of shared
strings, the length of one text, a DTD or entity declaration, which no
spreadsheet program writes). Memory stays at one chunk.

openpyxl's read-only mode trusts the worksheet's ``<dimension>``: it stops
reading where the dimension says the data end, and fills a gap in the row
numbers with empty rows, however large the gap. ``shape`` reads the chosen
worksheet's structure with expat (no tree is built): the last row and column
that hold a cell, the dimension it states, and rows or cells out of order or
beyond the limits, which openpyxl would drop or expand. The reader then reads
every row, whatever the dimension says (``reset_dimensions``).
"""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass
from typing import IO
from xml.parsers import expat

import numpy as np

from ..core import limits

_CHUNK = 1 << 20
_DECLARATION = re.compile(rb"<!(?:DOCTYPE|ENTITY)")
_SHARED_STRING = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?si[\s/>]")
_SHEET = re.compile(r"^xl/worksheets/[^/]+\.xml$", re.I)
_XML = (".xml", ".rels", ".vml")
_CELL_REF = re.compile(r"^([A-Za-z]{1,4})(\d{1,10})$")


class Refused(Exception):
    """The workbook goes past a bound, or its structure would make the reader lose or invent rows."""

    def __init__(self, code: str, message: str, hint: str, line: int | None = None):
        super().__init__(message)
        self.code, self.message, self.hint, self.line = code, message, hint, line


_TOO_BIG = "check that this is the member's submission; a submission workbook is small (see docs/limits.md)"
_RESAVE = "save the workbook again from the spreadsheet program as .xlsx"


def _mib(n: int) -> str:
    return f"{n / (1 << 20):,.0f} MiB"


def inspect(fh: IO[bytes]) -> None:
    """Raise ``Refused`` when the workbook in ``fh`` expands past a bound; ``zipfile.BadZipFile`` (and
    the like) when it is not a readable zip."""
    with zipfile.ZipFile(fh) as zf:
        infos = zf.infolist()
        if len(infos) > limits.XLSX_PARTS:
            raise Refused("data.workbook-too-big", f"the workbook holds {len(infos):,} files (at most "
                          f"{limits.XLSX_PARTS:,})", _TOO_BIG)
        sheets = [i for i in infos if _SHEET.match(i.filename)]
        if len(sheets) > limits.XLSX_SHEETS:
            raise Refused("data.workbook-too-big", f"the workbook has {len(sheets):,} worksheets (at most "
                          f"{limits.XLSX_SHEETS:,})", "send the submission as one worksheet, named 'submission'")
        total = 0
        for info in infos:
            total = _scan_part(zf, info, total, is_sheet=_SHEET.match(info.filename) is not None)


def _scan_part(zf: zipfile.ZipFile, info: zipfile.ZipInfo, total: int, *, is_sheet: bool) -> int:
    """Decompress one part as a stream, measuring it; returns the running total of bytes."""
    name = info.filename
    is_xml = name.lower().endswith(_XML)
    shared = name.lower().endswith("sharedstrings.xml")
    size = strings = 0
    run = 0  # characters of the text (or tag) that runs on from the previous chunk
    tail = b""
    with zf.open(info) as stream:
        while True:
            chunk = stream.read(_CHUNK)
            if not chunk:
                break
            size += len(chunk)
            total += len(chunk)
            if total > limits.XLSX_UNCOMPRESSED_BYTES:
                raise Refused("data.workbook-too-big", f"the workbook expands to more than "
                              f"{_mib(limits.XLSX_UNCOMPRESSED_BYTES)} (reached in {name})", _TOO_BIG)
            if not is_sheet and size > limits.XLSX_PART_BYTES:
                raise Refused("data.workbook-too-big", f"{name} inside the workbook expands to more than "
                              f"{_mib(limits.XLSX_PART_BYTES)}", _TOO_BIG)
            if not is_xml:
                continue
            joined = tail + chunk
            if _DECLARATION.search(joined):
                raise Refused("data.bad-xlsx", f"{name} inside the workbook declares a DTD or entities, which no "
                              "spreadsheet program writes", _RESAVE)
            if shared:
                strings += sum(1 for m in _SHARED_STRING.finditer(joined) if m.end() > len(tail))
                if strings > limits.XLSX_SHARED_STRINGS:
                    raise Refused("data.workbook-too-big", f"the workbook has more than "
                                  f"{limits.XLSX_SHARED_STRINGS:,} distinct texts (shared strings)", _TOO_BIG)
            run = _longest_text(chunk, run, name)
            tail = joined[-64:]
    return total


def _longest_text(chunk: bytes, run: int, name: str) -> int:
    """Refuse a text (or a tag) longer than ``limits.XLSX_CELL_CHARS`` characters between '<' and '>';
    returns the characters of the one still open at the chunk's end."""
    buf = np.frombuffer(chunk, dtype=np.uint8)
    starts = np.cumsum((buf & 0xC0) != 0x80)  # characters up to and including each byte (UTF-8)
    delim = np.flatnonzero((buf == 60) | (buf == 62))
    if not len(delim):
        longest = run + int(starts[-1])
        run = longest
    else:
        lead = run + int(starts[delim[0]]) - 1
        inner = np.diff(starts[delim]) - 1
        longest = max(lead, int(inner.max()) if len(inner) else 0)
        run = int(starts[-1] - starts[delim[-1]])
        longest = max(longest, run)
    if longest > limits.XLSX_CELL_CHARS:
        raise Refused("data.workbook-too-big", f"{name} inside the workbook holds a text of more than "
                      f"{limits.XLSX_CELL_CHARS:,} characters, more than a spreadsheet cell can hold",
                      "check for text pasted into a cell; a submission's cells hold short codes and numbers")
    return run


@dataclass
class Shape:
    """What a worksheet's XML really holds."""

    stated_rows: int | None = None  # the last row its <dimension> names
    stated_columns: int | None = None
    last_row: int = 0  # the last row with a cell
    last_column: int = 0
    rows: int = 0  # <row> elements


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def _ref(text: str) -> tuple[int, int] | None:
    m = _CELL_REF.match(text.strip())
    return (int(m.group(2)), _column_number(m.group(1))) if m else None


def shape(stream: IO[bytes]) -> Shape:
    """The shape of the worksheet XML in ``stream``; ``Refused`` for rows or cells out of order, or row
    and column numbers beyond the limits (which the reader would otherwise drop, or expand into
    millions of empty rows)."""
    out = Shape()
    max_row = limits.SUBMISSION_ROWS + 1  # the header and the rows
    state = {"row": 0, "column": 0}

    def start(name: str, attrs: dict) -> None:
        local = name.rsplit(":", 1)[-1]
        if local == "row":
            given = attrs.get("r")
            if given is not None:
                if not given.strip().isdigit():
                    raise Refused("data.bad-xlsx", f"a row number '{given[:20]}' is not a number", _RESAVE,
                                  state["row"] + 1)
                r = int(given)
                if r <= state["row"]:
                    raise Refused("data.bad-xlsx", f"row {r} comes after row {state['row']} in the worksheet's "
                                  "XML: rows out of order would be lost", _RESAVE, r)
            else:
                r = state["row"] + 1
            if r > max_row:
                raise Refused("data.too-large", f"the worksheet has a row numbered {r:,}: more than "
                              f"{limits.SUBMISSION_ROWS:,} rows", "send one submission per file (see docs/limits.md)",
                              r)
            state["row"], state["column"] = r, 0
            out.rows += 1
        elif local == "c":
            ref = attrs.get("r")
            if ref is not None:
                where = _ref(ref)
                if where is None:
                    raise Refused("data.bad-xlsx", f"a cell reference '{ref[:20]}' is not like A1", _RESAVE,
                                  state["row"] or None)
                row, column = where
                if row != state["row"]:
                    raise Refused("data.bad-xlsx", f"cell {ref} is inside row {state['row']}", _RESAVE,
                                  state["row"] or None)
            else:
                column = state["column"] + 1
            if column <= state["column"]:
                raise Refused("data.bad-xlsx", f"cell {ref} comes after column {state['column']} in its row: cells "
                              "out of order would be lost", _RESAVE, state["row"])
            if column > limits.SUBMISSION_COLUMNS:
                raise Refused("data.too-large", f"the worksheet has a cell in column {column:,}: more than "
                              f"{limits.SUBMISSION_COLUMNS:,} columns", "a submission has seven columns",
                              state["row"])
            state["column"] = column
            out.last_row = max(out.last_row, state["row"])
            out.last_column = max(out.last_column, column)
        elif local == "dimension":
            ref = str(attrs.get("ref", ""))
            corner = _ref(ref.split(":")[-1]) if ref else None
            if corner is not None:
                out.stated_rows, out.stated_columns = corner

    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    try:
        while True:
            chunk = stream.read(_CHUNK)
            if not chunk:
                break
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise Refused("data.bad-xlsx", f"the worksheet's XML cannot be read ({expat.ErrorString(exc.code)})",
                      _RESAVE) from None
    return out


BROKEN = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, NotImplementedError, KeyError,
          ValueError, RuntimeError)  # what zipfile raises for a broken, encrypted or odd archive

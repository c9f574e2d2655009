"""A small, fast writer for the published workbook (Office Open XML SpreadsheetML).

The tables workbook is plain text and numbers (shown with thousands separators: 9,081), with
the workbook's title as a document property; no formulas, no merged cells;
each sheet may have a title in A1 (larger, bold), a bold header row, the rows
above and including it frozen, column widths and links to other sheets. openpyxl (which reads the
workbook back in the tests and in ``scripts/verify_published.py``) took about
4 s to write it, most of a cold build's table stage; writing the few XML
parts directly takes a fraction of that (docs/benchmarks.md). Strings go to
the shared-string table (the scopes, periods and measures repeat on every
row), empty cells are left out, and the zip has fixed timestamps, so the same
tables give the same bytes.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

WHEN = (2000, 1, 1, 0, 0, 0)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # not allowed in XML 1.0

Cell = str | int | float | None


@dataclass
class Sheet:
    name: str  # at most 31 characters, none of []:*?/\
    rows: Sequence[Sequence[Cell]]
    bold_header: bool = True
    freeze_header: bool = False
    widths: Mapping[int, float] = field(default_factory=dict)  # column index (0-based) → width in characters
    header_row: int = 1  # the (1-based) row that is the table's header: bold, and frozen with those above
    title: bool = False  # A1 is the sheet's title (larger and bold)
    links: dict[str, str] = field(default_factory=dict)  # cell ("A5") → a place in the workbook ("'clients'!A1")
    wrap: set[int] = field(default_factory=set)  # columns (0-based) whose text wraps


def _column(i: int) -> str:
    letters = ""
    i += 1
    while i:
        i, rem = divmod(i - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _text(value: str) -> str:
    return escape(_NOT_XML.sub("", value))


class _Strings:
    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.count = 0

    def __call__(self, value: str) -> int:
        self.count += 1
        found = self.index.get(value)
        if found is None:
            found = self.index[value] = len(self.index)
        return found

    def xml(self) -> str:
        items = "".join(f'<si><t xml:space="preserve">{_text(s)}</t></si>' for s in self.index)
        return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{_MAIN}" '
                f'count="{self.count}" uniqueCount="{len(self.index)}">{items}</sst>')


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"


def _sheet_xml(sheet: Sheet, strings: _Strings) -> str:
    columns = [_column(i) for i in range(max((len(r) for r in sheet.rows), default=0))]
    out = [f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_MAIN}" '
           f'xmlns:r="{_REL}">']
    if sheet.freeze_header:
        h = sheet.header_row
        out.append(f'<sheetViews><sheetView workbookViewId="0"><pane ySplit="{h}" topLeftCell="A{h + 1}" '
                   'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft"/></sheetView></sheetViews>')
    else:
        out.append('<sheetViews><sheetView workbookViewId="0"/></sheetViews>')
    if sheet.widths:
        out.append("<cols>" + "".join(f'<col min="{i + 1}" max="{i + 1}" width="{w}" customWidth="1"/>'
                                      for i, w in sorted(sheet.widths.items())) + "</cols>")
    out.append("<sheetData>")
    links, wrap = sheet.links, sheet.wrap
    for r, row in enumerate(sheet.rows, start=1):
        row_style = ' s="1"' if r == sheet.header_row and sheet.bold_header else ""
        if r == 1 and sheet.title:
            row_style = ' s="2"'
        cells = []
        for i, (col, value) in enumerate(zip(columns, row)):
            if value is None or value == "":
                continue
            style = row_style
            if not style:
                if links and f"{col}{r}" in links:
                    style = ' s="4"'
                elif i in wrap:
                    style = ' s="3"'
            if isinstance(value, str):
                cells.append(f'<c r="{col}{r}"{style} t="s"><v>{strings(value)}</v></c>')
            elif isinstance(value, bool) or not isinstance(value, int | float):
                raise TypeError(f"unsupported cell value {value!r}")
            else:
                cells.append(f'<c r="{col}{r}"{style or _number_style(value)}><v>{value!r}</v></c>')
        out.append(f'<row r="{r}">{"".join(cells)}</row>')
    out.append("</sheetData>")
    if sheet.links:  # links inside the workbook: no relationship part needed
        out.append("<hyperlinks>" + "".join(
            f'<hyperlink ref="{ref}" location="{_text(place)}" display="{_text(place)}"/>'
            for ref, place in sheet.links.items()) + "</hyperlinks>")
    out.append("</worksheet>")
    return "".join(out)


def _number_style(value: int | float) -> str:
    """A number shown with thousands separators and the decimals it has (issue 27: "9081" read as
    "9,081"): #,##0 for whole numbers, #,##0.0 to #,##0.000 for one to three decimals."""
    if isinstance(value, int) or float(value).is_integer():
        return ' s="5"'
    decimals = len(repr(float(value)).split(".")[1].rstrip("0")) if "e" not in repr(value) else 3
    return f' s="{5 + min(max(decimals, 1), 3)}"'


_STYLES = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{_MAIN}">'
           '<numFmts count="2"><numFmt numFmtId="164" formatCode="#,##0.0"/>'
           '<numFmt numFmtId="165" formatCode="#,##0.000"/></numFmts>'
           '<fonts count="4"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
           '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
           '<font><b/><sz val="14"/><name val="Calibri"/><family val="2"/></font>'
           '<font><u/><sz val="11"/><color rgb="FF0563C1"/><name val="Calibri"/><family val="2"/></font></fonts>'
           '<fills count="2"><fill><patternFill patternType="none"/></fill>'
           '<fill><patternFill patternType="gray125"/></fill></fills>'
           '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
           '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
           '<cellXfs count="9"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
           '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
           '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
           '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">'
           '<alignment vertical="top" wrapText="1"/></xf>'
           '<xf numFmtId="0" fontId="3" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
           '<xf numFmtId="3" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
           '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
           '<xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
           '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
           '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
           '</styleSheet>')


def workbook(sheets: list[Sheet], title: str | None = None) -> bytes:
    """The .xlsx bytes of ``sheets`` (in order). ``title``: the workbook's title property (what a file
    browser, a screen reader and Excel's "Info" show); by default the first sheet's title (its A1)."""
    if title is None and sheets and sheets[0].title and sheets[0].rows and isinstance(sheets[0].rows[0][0], str):
        title = sheets[0].rows[0][0]
    names = [s.name for s in sheets]
    if len(set(n.lower() for n in names)) != len(names) or any(len(n) > 31 or re.search(r"[\[\]:*?/\\]", n)
                                                                for n in names):
        raise ValueError(f"invalid or repeated sheet names: {names}")
    strings = _Strings()
    parts: dict[str, str] = {}
    for i, sheet in enumerate(sheets, start=1):
        parts[f"xl/worksheets/sheet{i}.xml"] = _sheet_xml(sheet, strings)
    n = len(sheets)
    overrides = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
                        f'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' for i in range(1, n + 1))
    head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    package = {
        "[Content_Types].xml": (
            f'{head}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            '<Override PartName="/docProps/core.xml" ContentType="application/'
            'vnd.openxmlformats-package.core-properties+xml"/>'
            f"{overrides}</Types>"),
        "_rels/.rels": (
            f'{head}<Relationships xmlns="{_PKG}"><Relationship Id="rId1" Type="{_REL}/officeDocument" '
            'Target="xl/workbook.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/'
            'relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>'),
        "docProps/core.xml": (
            f'{head}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
            'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f'<dc:title>{_text(title or "")}</dc:title><dc:language>en-NZ</dc:language></cp:coreProperties>'),
        "xl/workbook.xml": (
            f'{head}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
            + "".join(f'<sheet name="{_text(s.name)}" sheetId="{i}" r:id="rId{i}"/>'
                      for i, s in enumerate(sheets, start=1))
            + "</sheets></workbook>"),
        "xl/_rels/workbook.xml.rels": (
            f'{head}<Relationships xmlns="{_PKG}">'
            + "".join(f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                      for i in range(1, n + 1))
            + f'<Relationship Id="rId{n + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
            + f'<Relationship Id="rId{n + 2}" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
            + "</Relationships>"),
        "xl/styles.xml": _STYLES,
        "xl/sharedStrings.xml": strings.xml(),
        **parts,
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
        for name, text in package.items():
            z.writestr(zipfile.ZipInfo(name, date_time=WHEN), text.encode("utf-8"), compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()

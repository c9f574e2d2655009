"""Every finding code of the member side, and a collector that keeps findings readable.

The codes are listed once here with their severity, meaning and fix; the
member guide (``docs/member-guide.md``) shows each one, and a test checks that
every code used in ``reportgen/member`` is listed here and in the guide.

An export with a million sessions can have a million bad dates; printing a
million lines helps nobody. ``Problems`` keeps the first ``PER_KIND`` findings
of each kind (code, file, column) and then one finding saying how many more
there are, so every kind of problem is still reported in one run.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..findings import Finding

PER_KIND = 20  # findings shown per (code, file, column) before "… and N more"
MAX_SHOWN = 60  # characters of a value quoted in a message


@dataclass(frozen=True)
class Code:
    code: str
    severity: str
    meaning: str
    fix: str


CODES: list[Code] = [
    # ---- the export folder and its files ---------------------------------------------
    Code("member.missing-file", "error", "clients.csv or sessions.csv is not in the export folder",
         "export both files (the other three are optional); check the folder name given"),
    Code("member.extra-file", "warning", "a .csv file in the export folder that is not one of the five",
         "nothing to do if it is not part of the export; otherwise rename it to the expected name"),
    Code("member.file-too-large", "error", "a file is larger than reportgen reads (512 MiB)",
         "export one file per year or per quarter range, or remove columns the export does not need"),
    Code("member.unreadable", "error", "a file cannot be opened", "check its permissions"),
    Code("member.not-text", "error", "a file is not text (a spreadsheet saved under a .csv name, say)",
         "save it from the CMS or spreadsheet as 'CSV UTF-8'"),
    Code("member.not-utf8", "error", "a file is not UTF-8 text (usually Latin-1 or Windows-1252)",
         "save it as 'CSV UTF-8'; the message names the first line and field with another encoding"),
    Code("member.empty-file", "error", "a file has no header row", "export the file with its header row"),
    Code("member.no-rows", "warning", "a file has a header and no rows",
         "an optional file with no rows sends zeros for its measures; check that this is true"),
    Code("member.bad-csv", "error", "the file cannot be read as CSV",
         "check for an unclosed quote mark near the line named"),
    Code("member.missing-column", "error", "a required column is missing from the header",
         "add the column, or name the CMS's column in the mapping file's `columns` section"),
    Code("member.repeated-column", "error", "a column appears twice in the header (after mapping)",
         "remove or rename one of the two columns"),
    Code("member.extra-column", "warning", "columns that the export format does not use; they are ignored",
         "nothing to do; they are never read (names, addresses and notes can stay in the export)"),
    Code("member.short-row", "error", "a row has fewer fields than the header",
         "check for missing commas or an unclosed quote mark"),
    Code("member.long-row", "error", "a row has more fields than the header",
         "put text containing commas in double quotes"),
    Code("member.field-too-long", "error", "a field is longer than 10,000 characters",
         "check for an unclosed quote mark, or free text exported in the wrong column"),
    # ---- values --------------------------------------------------------------------
    Code("member.missing-value", "error", "a required value is empty", "fill it in, or remove the row"),
    Code("member.bad-date", "error", "a date that is not a real YYYY-MM-DD date (or a birth year not YYYY)",
         "write dates as YYYY-MM-DD (2025-03-30); check the day exists in that month"),
    Code("member.born-after-session", "error", "a client's date or year of birth is after their first session",
         "correct the birth date (or year) or the session date"),
    Code("member.unknown-code", "error", "a code that is not a contract code after mapping",
         "map the CMS's value in the mapping file's `codes` section, or correct it; the hint names the "
         "nearest contract code"),
    Code("member.bad-number", "error", "unidentified or hours is not a number ≥ 0 (unidentified: a whole number)",
         "write plain digits with an optional decimal point (12, 7.5); no minus sign, no thousands separator"),
    Code("member.bad-rating", "error", "a rating that is not a whole number from 1 to 5",
         "ratings are whole numbers 1–5; correct or remove the row"),
    Code("member.duplicate-client-key", "error", "a client_key appears twice in clients.csv",
         "each person once in clients.csv; merge the two records in the CMS"),
    Code("member.duplicate-session-id", "error", "a session_id appears twice in sessions.csv",
         "each session once; one row per session with all its attendees in client_keys"),
    Code("member.unknown-client", "error", "a client_key that is not in clients.csv",
         "export every client who attended a session, has a need or an assessment"),
    Code("member.no-attendee", "error", "a session with no identified and no unidentified attendee",
         "give the attendees' client_keys, or the number of unidentified attendees"),
    Code("member.repeated-attendee", "warning", "a client_key listed twice in one session (counted once)",
         "list each attendee once"),
    Code("member.outcome-no-session", "warning",
         "an outcome whose client has no session on or before the end assessment (not counted)",
         "check the assessment date, or the client's sessions"),
    Code("member.outcome-region-quiet", "warning",
         "an outcome falls to a region with no session and no hours in its quarter (not sent)",
         "check the client's last session before the end assessment, or the region's sessions"),
    # ---- the mapping file ----------------------------------------------------------
    Code("member.mapping-not-found", "error", "the mapping file given does not exist",
         "check the path given to --mapping"),
    Code("member.mapping-invalid", "error", "the mapping file does not have the expected shape",
         "see the mapping file section of the member guide; `reportgen member init` writes one"),
    Code("member.mapping-unknown-key", "error", "an unknown section, file, column or field name in the mapping",
         "correct the name; the hint names the nearest known one"),
    Code("member.mapping-empty", "error", "a mapping entry left empty (a template line not filled in)",
         "write the contract code the CMS value means, or delete the line"),
    Code("member.mapping-unknown-code", "error", "a mapping entry whose target is not a contract code",
         "write one of the contract codes listed in the hint"),
    Code("member.mapping-conflict", "error", "a CMS value or column mapped twice (ignoring case and spaces)",
         "keep one of the entries"),
    # ---- the run -------------------------------------------------------------------
    Code("member.nothing-to-send", "error", "no session and no hours in any quarter of the range",
         "check the range (--from, --to) and that the export covers it"),
    Code("member.quiet-period", "warning", "a quarter or half-year with no session and no hours (a file with no rows)",
         "check that the export covers that quarter"),
    Code("member.unknown-org", "error", "--org is not in the member register given with --register",
         "use the org_id the federation gave you"),
    Code("member.output-exists", "error", "an output file already exists with other content",
         "choose another --out folder, or add --force to replace the files"),
]

BY_CODE = {c.code: c for c in CODES}


def clip(value: object, limit: int = MAX_SHOWN) -> str:
    """A value as quoted in a message: at most ``limit`` characters."""
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class Problems:
    """Findings of one run, at most ``PER_KIND`` of each (code, file, column) plus a count of the rest."""

    items: list[Finding] = field(default_factory=list)
    _kinds: dict[tuple, int] = field(default_factory=dict)
    _first: dict[tuple, Finding] = field(default_factory=dict)

    def add(self, code: str, message: str, *, file: str | None = None, line: int | None = None,
            column: int | None = None, hint: str | None = None) -> None:
        spec = BY_CODE[code]  # a KeyError here is a bug: every code is listed above
        kind = (code, file, column)
        n = self._kinds.get(kind, 0) + 1
        self._kinds[kind] = n
        finding = Finding(code, spec.severity, message, file=file, line=line, column=column, hint=hint)  # type: ignore[arg-type]
        if n == 1:
            self._first[kind] = finding
        if n <= PER_KIND:
            self.items.append(finding)

    def rows(self, code: str, file: str, column: int | None, rows, lines, describe) -> None:
        """A finding for each of ``rows`` (indexes into ``lines``), described by ``describe(row)`` →
        (message, hint), without building more than ``PER_KIND`` of them."""
        kind = (code, file, column)
        room = max(PER_KIND + 1 - self._kinds.get(kind, 0), 0)
        for i in rows[:room]:
            message, hint = describe(int(i))
            self.add(code, message, file=file, line=int(lines[int(i)]), column=column, hint=hint)
        rest = len(rows) - min(room, len(rows))
        if rest > 0:
            self._kinds[kind] += rest

    def extend(self, findings: list[Finding]) -> None:
        self.items.extend(findings)

    def count(self, code: str) -> int:
        return sum(n for (c, _, _), n in self._kinds.items() if c == code)

    @property
    def has_errors(self) -> bool:
        return any(f.is_error for f in self.items)

    def findings(self) -> list[Finding]:
        """Every finding kept, and one "… and N more" finding per kind that had more."""
        out = list(self.items)
        for kind, n in self._kinds.items():
            if n > PER_KIND:
                first = self._first[kind]
                where = f"{first.file}" + (f", column {first.column}" if first.column else "")
                out.append(Finding(first.code, first.severity,
                                   f"… and {n - PER_KIND:,} more like this in {where} (not shown)",
                                   file=first.file, column=first.column, hint=first.hint))
        return out

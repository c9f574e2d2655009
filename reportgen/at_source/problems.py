"""Every finding code of the member side, and a collector that keeps findings readable.

The codes are declared in ``reportgen/core/codes.py`` (its ``member.`` section) with
their severity, meaning and fix; the member guide (``docs/member-guide.md``)
shows each one, and tests check that every code used here is declared there
and explained in the guide.

An export with a million sessions can have a million bad dates; printing a
million lines helps nobody. ``Problems`` keeps the first ``PER_KIND`` findings
of each kind (code, file, column) and then one finding saying how many more
there are, so every kind of problem is still reported in one run.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..core.codes import REGISTRY as _REGISTRY
from ..core.codes import Code
from ..core.findings import Finding

PER_KIND = 20  # findings shown per (code, file, column) before "… and N more"
MAX_SHOWN = 60  # characters of a value quoted in a message


CODES: list[Code] = [c for c in _REGISTRY.values() if c.code.startswith("member.")]

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
    _labels: dict[str, dict[int, str]] = field(default_factory=dict)  # file → column number → how to name it

    def label_columns(self, file: str, labels: dict[int, str]) -> None:
        """How to name the columns of ``file`` in messages: as the member's export names them, with the
        export format's name beside it ("'SessionDate', the format's date")."""
        self._labels[file] = labels

    def add(self, code: str, message: str, *, file: str | None = None, line: int | None = None,
            column: int | None = None, hint: str | None = None) -> None:
        spec = BY_CODE[code]  # a KeyError here is a bug: every code is listed above
        kind = (code, file, column)
        n = self._kinds.get(kind, 0) + 1
        self._kinds[kind] = n
        label = self._labels.get(file or "", {}).get(column) if column is not None and line != 1 else None
        if label is not None:  # a row's value: say which column, as the export names it
            message = f"{message} (column {label})"
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
                label = self._labels.get(first.file or "", {}).get(first.column) if first.column else None
                where = f"{first.file}" + (f", column {label or first.column}" if first.column else "")
                out.append(Finding(first.code, first.severity,
                                   f"… and {n - PER_KIND:,} more like this in {where} (not shown)",
                                   file=first.file, column=first.column, hint=first.hint, omitted=n - PER_KIND))
        return out

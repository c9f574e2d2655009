"""Point at text inside a YAML value: the line and column of a fragment in the file.

YAML values are read into strings (block scalars lose their indentation,
folded text loses its line breaks), so a position inside the string is not a
position in the file. We search the file from the value's start for the
fragment itself, which is exact for the common cases, and fall back to the
value's own position.
"""

from __future__ import annotations

from ..core.findings import Finding
from ..core.yamlsource import Loc, YamlSource


def _offset(text: str, line: int, col: int) -> int:
    lines = text.splitlines(keepends=True)
    return sum(len(x) for x in lines[: line - 1]) + col - 1


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def locate(src: YamlSource, loc: Loc, fragment: str, occurrence: int = 0) -> tuple[int | None, int | None]:
    """Line and column of ``fragment`` (its ``occurrence``-th appearance) in the value at ``loc``."""
    line, col = src.position(loc)
    if line is None or col is None or not fragment.strip():
        return line, col
    start = _offset(src.text, line, col)
    end = src.value_ends.get(tuple(loc), len(src.text))  # only inside this value, never in a later field
    idx = start - 1
    for _ in range(occurrence + 1):
        idx = src.text.find(fragment, idx + 1, end)
        if idx < 0:
            break
    if idx < 0:  # the fragment was folded over lines or escaped: try ever shorter prefixes
        words = fragment.split()
        for k in range(len(words) - 1, 0, -1):
            idx = src.text.find(" ".join(words[:k]), start, end)
            if idx >= 0:
                break
    if idx < 0:
        return line, col
    return _line_col(src.text, idx)


def finding_at(src: YamlSource, loc: Loc, fragment: str, code: str, message: str, hint: str,
               occurrence: int = 0, severity: str = "error") -> Finding:
    """A finding pointing at ``fragment`` inside the value at ``loc``."""
    line, col = locate(src, loc, fragment, occurrence)
    return Finding(code, severity, message, file=src.display, line=line, column=col,  # type: ignore[arg-type]
                   excerpt=src.line_text(line), hint=hint)


def strings(data, loc: Loc = ()):
    """Every string value in parsed YAML, with its location (keys are not included)."""
    if isinstance(data, str):
        yield loc, data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from strings(value, loc + (key,))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from strings(value, loc + (i,))

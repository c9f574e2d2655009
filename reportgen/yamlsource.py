"""YAML files that remember where every key and value came from.

Config and narrative files are YAML written by people. When something in them
is wrong we must point at the line and column, and when the YAML itself does
not parse we must say so in plain words. PyYAML's composer keeps the position
of every node; we walk that tree once to record them.
"""

from __future__ import annotations

import re
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from .findings import Finding, did_you_mean

Loc = tuple[Any, ...]


@dataclass
class YamlSource:
    """A parsed YAML document plus the 1-based position of every node."""

    path: Path
    display: str  # the path as shown to users
    text: str
    data: Any
    value_marks: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    key_marks: dict[Loc, tuple[int, int]] = field(default_factory=dict)

    def position(self, loc: Loc, *, key: bool = False) -> tuple[int | None, int | None]:
        """Line and column of the node at ``loc``, or of its nearest ancestor."""
        loc = tuple(loc)
        while True:
            marks = self.key_marks if key else self.value_marks
            if loc in marks:
                return marks[loc]
            if key and loc in self.value_marks:
                return self.value_marks[loc]
            if not loc:
                return (1, 1) if self.text.strip() else (None, None)
            loc = loc[:-1]

    def line_text(self, line: int | None) -> str | None:
        if line is None:
            return None
        lines = self.text.splitlines()
        return lines[line - 1] if 0 < line <= len(lines) else None


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps an impossible date (2025-02-30) as text, for the schema to report with its line."""

    def construct_yaml_timestamp(self, node):  # type: ignore[override]
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


def _walk(node: yaml.Node, loc: Loc, src: YamlSource, ctor: yaml.constructor.SafeConstructor,
          duplicates: list[tuple[Loc, tuple[int, int]]]) -> None:
    src.value_marks[loc] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set = set()
        for key_node, value_node in node.value:
            try:
                key = ctor.construct_object(key_node, deep=True)
            except Exception:  # an unhashable or odd key: the constructor reports it later
                continue
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                key = str(key)
            here = loc + (key,)
            mark = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            if key in seen:
                duplicates.append((here, mark))
            seen.add(key)
            src.key_marks[here] = mark
            _walk(value_node, here, src, ctor, duplicates)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, loc + (i,), src, ctor, duplicates)


_TEXT_COLON = re.compile(r"^\s*(?:-\s+)?(?:[\w'’\-]+:\s+)?[^\"'#|>\s][^#:]*?\s\S*:\s+\S")


def stray_colon_line(text: str, line: int | None) -> int | None:
    """The line, at or up to four lines above ``line``, holding unquoted text with ': ' inside it.

    A key is a single word; text with a space before its colon (``- Housing is
    up: it now…``) is prose, which YAML misreads as ``key: value``.
    """
    if line is None:
        return None
    lines = text.splitlines()
    for n in range(min(line, len(lines)), max(line - 5, 0), -1):
        if _TEXT_COLON.match(lines[n - 1]):
            return n
    return None


def _explain(err: yaml.YAMLError, text: str) -> tuple[str, str | None]:
    """A plain-words message and a hint for a YAML syntax error."""
    problem = getattr(err, "problem", "") or ""
    context = getattr(err, "context", "") or ""
    mark = getattr(err, "problem_mark", None)
    stray = stray_colon_line(text, mark.line + 1 if mark else None)
    if stray is not None and ("mapping values are not allowed" in problem or "expected ':'" in problem
                              or "expected <block end>" in problem + context
                              or "flow mapping" in problem + context):
        return (f"line {stray} has a colon followed by a space inside unquoted text, so YAML reads the "
                "words before the colon as a field name",
                'put that text in double quotes ("…"), or write `key: |` and put the text on the '
                "following lines, indented; or use a dash (–) instead of the colon")
    lines = text.splitlines()
    here = lines[mark.line] if mark is not None and mark.line < len(lines) else ""
    above = next((x for x in reversed(lines[: mark.line]) if x.strip() and not x.lstrip().startswith("#")),
                 "") if mark is not None else ""
    if re.match(r"^\s*(?:-\s+|[\w\-]+:\s+)\{\{", here):
        return ("text that starts with a placeholder ({{ … }}) must be in quotes: YAML reads '{' as the "
                "start of a table",
                'put the whole text in double quotes: summary: "{{ clients }} people …", or write '
                "`key: |` and put the text on the following lines, indented")
    if mark is not None and re.match(r"^\s*(?:-\s+)?[\w\-]+:\s+([\"']).*\1", here[: mark.column + 1]) \
            and mark.column > 0 and here[mark.column - 1] in "\"'":
        return ("a quoted text ends early: a quote mark inside it closes the quote, and more text follows",
                "inside double quotes write \\\" for a quote mark, or put text that contains \" in "
                "single quotes ('…'), or use `key: |`")
    if "mapping values are not allowed" in problem and re.match(r"^\s*[\w\-]+:(\s|$)", here) \
            and len(here) - len(here.lstrip()) > len(above) - len(above.lstrip()) \
            and re.match(r"^\s*(?:-\s+)?[\w\-]+:\s+\S", above):
        return ("this line is indented more than the line above it, so YAML reads it as part of that "
                "line's text",
                "line this key up with the other keys at the same level (the same number of spaces)")
    if "mapping values are not allowed" in problem:
        return ("a colon followed by a space appears inside unquoted text",
                'put the whole text in double quotes ("…"), or write `key: |` and put the '
                "text on the following lines, indented")
    if "found character '\\t'" in problem or "\\t" in problem:
        return ("a tab character is used for indentation",
                "YAML indents with spaces only: replace the tab with spaces")
    if "could not find expected ':'" in problem:
        return ("a line is not a 'key: value' pair where one was expected",
                "check that the key has a colon after it and that the line is indented like "
                "its neighbours; text that runs over several lines needs `key: |`")
    if "end of stream" in problem and "quoted" in context:
        return ("a quotation mark is opened but never closed",
                "close the quote, or write the text without quotes using `key: |`")
    if "quoted scalar" in context:
        return ("a quoted text is not closed properly or has text after its closing quote",
                "inside double quotes write \\\" for a quote mark; or use `key: |` for long text")
    if "expected <block end>" in problem or "expected <block end>" in context:
        return ("the indentation of this line does not match the lines above it",
                "line the key up with the other keys at the same level (spaces, not tabs)")
    if "alias" in problem or "alias" in context or "anchor" in context:
        return ("text starts with '*' or '&', which YAML reads as a reference",
                'put the text in double quotes ("*…")')
    if "cannot start any token" in problem:
        return (f"the text starts with a character YAML reserves ({problem.split('character')[-1].split('that')[0].strip()})",
                'put the text in double quotes ("…")')
    if "expected a single document" in problem + context:
        return ("the file holds more than one YAML document (a line '---' in the middle)",
                "remove the extra '---' line")
    return (f"the file is not valid YAML: {problem or context or err}",
            "check the line shown, and the line above it, for a missing quote, colon or indentation")


def load_yaml(path: Path, display: str | None = None) -> tuple[YamlSource | None, list[Finding]]:
    """Read and parse ``path``.

    Returns the parsed source (None when the file cannot be parsed at all) and
    the findings: a syntax or encoding error, or every duplicated key.
    """
    display = display or path.as_posix()

    def problem(code: str, message: str, line=None, col=None, hint=None, excerpt=None):
        return Finding(code, "error", message, file=display, line=line, column=col,
                       hint=hint, excerpt=excerpt)

    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [problem("yaml.unreadable", f"cannot read the file: {exc.strerror or exc}",
                              hint="check that the file exists and can be read")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [problem("yaml.not-utf8", "the file is not saved as UTF-8 text", line,
                              hint="save the file as UTF-8 (in most editors: Save As → Encoding → UTF-8)")]
    src = YamlSource(path=path, display=display, text=text, data=None)
    loader = _Loader(text)
    duplicates: list[tuple[Loc, tuple[int, int]]] = []
    try:
        node = loader.get_single_node()
        if node is not None:
            _walk(node, (), src, loader, duplicates)
            src.data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if "quoted" in (exc.context or "") and "end of stream" in (exc.problem or "") and exc.context_mark:
            mark = exc.context_mark  # an unclosed quote: point at where it opens
        line = mark.line + 1 if mark else None
        col = mark.column + 1 if mark else None
        message, hint = _explain(exc, text)
        if message.startswith("text that starts with a placeholder") and "{{" in (src.line_text(line) or ""):
            col = (src.line_text(line) or "").find("{{") + 1
        stray = stray_colon_line(text, line) if message.startswith("line ") else None
        if stray is not None and stray != line:  # point at the line with the colon, not where YAML gave up
            line, col = stray, (src.line_text(stray) or "").find(": ") + 1 or None
        return None, [problem("yaml.syntax", message, line, col, hint, src.line_text(line))]
    except yaml.YAMLError as exc:
        message, hint = _explain(exc, text)
        return None, [problem("yaml.syntax", message, hint=hint)]
    finally:
        loader.dispose()
    findings = [
        problem("yaml.duplicate-key", f"the key '{here[-1]}' appears twice at the same level",
                line, col, "keep one of them: the second would silently replace the first",
                src.line_text(line))
        for here, (line, col) in duplicates
    ]
    return src, findings


# ---------------------------------------------------------------------------
# pydantic validation errors → findings that point at the YAML


def _model_at(root: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    """The model class whose field the last element of ``loc`` names."""
    model: Any = root
    for part in loc[:-1]:
        if isinstance(model, type) and issubclass(model, BaseModel):
            fld = model.model_fields.get(str(part))
            if fld is None:
                return None
            model = fld.annotation
        elif typing.get_origin(model) in (dict, list):
            model = typing.get_args(model)[-1]
        else:
            return None
        if typing.get_origin(model) in (typing.Union, getattr(__import__("types"), "UnionType")):
            args = [a for a in typing.get_args(model) if a is not type(None)]
            model = args[0] if args else None
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


_FRIENDLY = {
    "int_parsing": "expected a whole number",
    "int_from_float": "expected a whole number",
    "float_parsing": "expected a number",
    "bool_parsing": "expected true or false",
    "string_type": "expected text",
    "dict_type": "expected a set of 'key: value' lines",
    "list_type": "expected a list ('- item' lines)",
    "date_from_datetime_parsing": "expected a date written as YYYY-MM-DD",
    "date_parsing": "expected a date written as YYYY-MM-DD",
    "date_type": "expected a date written as YYYY-MM-DD",
}


def validation_findings(exc: ValidationError, src: YamlSource | None, root: type[BaseModel],
                        prefix: str, help_hint: str) -> list[Finding]:
    """One finding per pydantic error, located in the YAML, with did-you-mean for unknown keys.

    Codes: ``<prefix>.unknown-key``, ``<prefix>.missing-key``, ``<prefix>.invalid-value``.
    """
    display = src.display if src is not None else None
    out: list[Finding] = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        dotted = ".".join(str(p) for p in loc) or "(top level)"
        kind = err["type"]
        line = col = excerpt = None
        if src is not None:
            line, col = src.position(loc, key=kind in ("extra_forbidden", "missing"))
            excerpt = src.line_text(line)
        where = dict(file=display, line=line, column=col, excerpt=excerpt)
        if kind == "extra_forbidden":
            model = _model_at(root, loc)
            known = [k for k, f in (model.model_fields.items() if model else [])
                     if not f.exclude]
            near = did_you_mean(str(loc[-1]), known)
            hint = f"did you mean '{near}'?" if near else (
                f"known keys here: {', '.join(known)}" if known else "remove this key")
            out.append(Finding(f"{prefix}.unknown-key", "error", f"unknown key '{dotted}'",
                               hint=hint, **where))
        elif kind == "missing":
            out.append(Finding(f"{prefix}.missing-key", "error", f"'{dotted}' is required but missing",
                               hint=f"add '{loc[-1]}:'; {help_hint}", **where))
        else:
            message = _FRIENDLY.get(kind) or err["msg"]
            if message.startswith("Value error, "):
                message = message[len("Value error, "):]
            given = err.get("input")
            given_text = f" (found {given!r})" if isinstance(given, (str, int, float, bool)) else ""
            out.append(Finding(f"{prefix}.invalid-value", "error", f"{dotted}: {message}{given_text}",
                               hint=help_hint, **where))
    return out

"""YAML files that remember where every key and value came from.

Config and narrative files are YAML written by people. When something in them
is wrong we must point at the line and column, and when the YAML itself does
not parse we must say so in plain words. PyYAML's composer keeps the position
of every node; we walk that tree once to record them.
"""

from __future__ import annotations

import re
import typing
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from . import limits
from .findings import Finding, did_you_mean
from .safefile import open_regular

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
    value_ends: dict[Loc, int] = field(default_factory=dict)  # offset in ``text`` just past each value

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
        text = lines[line - 1] if 0 < line <= len(lines) else None
        return text if text is None or len(text) <= EXCERPT_CHARS else text[:EXCERPT_CHARS] + "…"


EXCERPT_CHARS = 240  # a source line shown under a finding is cut here


class _Refused(Exception):
    """A YAML file goes past a limit (limits.py) or uses something its kind of file may not."""

    def __init__(self, code: str, message: str, mark, hint: str):
        super().__init__(message)
        self.code, self.message, self.mark, self.hint = code, message, mark, hint


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps an impossible date (2025-02-30) as text, for the schema to report with its
    line, and that refuses, while composing, nesting deeper than ``limits.YAML_DEPTH`` and (in editors'
    files) any alias."""

    def __init__(self, stream, *, aliases: bool = True):
        super().__init__(stream)
        self._depth = 0
        self._aliases = aliases
        self.alias_marks: list = []

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            if not self._aliases:
                raise _Refused("yaml.alias", "a '*' reference (a YAML alias) is not allowed in a narrative file",
                               mark, 'write the text out in full; text that starts with "*" must be in '
                               'double quotes ("*…")')
            self.alias_marks.append(mark)
            return super().compose_node(parent, index)
        if self._aliases is False and self.check_event(yaml.ScalarEvent, yaml.SequenceStartEvent,
                                                       yaml.MappingStartEvent):
            event = self.peek_event()
            if event.anchor is not None:
                raise _Refused("yaml.alias", "a '&' anchor (a YAML alias) is not allowed in a narrative file",
                               event.start_mark, 'remove the &name; text that starts with "&" must be in '
                               'double quotes ("&…")')
        self._depth += 1
        try:
            if self._depth > limits.YAML_DEPTH:
                raise _Refused("yaml.too-deep", f"the values are nested more than {limits.YAML_DEPTH} levels deep",
                               self.peek_event().start_mark, "no reportgen file needs this many levels: "
                               "check the indentation and the brackets")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_yaml_timestamp(self, node):
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


def _check_size(root: yaml.Node, alias_marks: list) -> None:
    """Refuse a document that expands (through aliases) to more than ``limits.YAML_NODES`` values, refers
    to itself, or has a text longer than ``limits.YAML_TEXT_CHARS``. Each distinct node is visited
    once, so an alias bomb is measured without being expanded."""
    sizes: dict[int, int] = {}
    first_alias = alias_marks[0] if alias_marks else None

    def too_many(mark) -> _Refused:
        how = " through its '*' references (YAML aliases)" if alias_marks else ""
        return _Refused("yaml.too-big", f"the file expands to more than {limits.YAML_NODES:,} values{how}",
                        mark, "write each value out once; a reportgen file needs far fewer values"
                        if alias_marks else "split the file, or remove what reportgen does not read")

    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    active: set[int] = set()
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            active.discard(key)
            children = _children(node)
            sizes[key] = 1 + sum(sizes[id(c)] for c in children)
            if sizes[key] > limits.YAML_NODES:
                raise too_many(first_alias or node.start_mark)
            continue
        if key in sizes:
            continue
        if key in active:
            raise _Refused("yaml.too-big", "a '*' reference (a YAML alias) refers to the value that contains it",
                           first_alias or node.start_mark, "write the value out in full")
        if isinstance(node, yaml.ScalarNode):
            if len(node.value) > limits.YAML_TEXT_CHARS:
                raise _Refused("yaml.too-long", f"a text of {len(node.value):,} characters (at most "
                               f"{limits.YAML_TEXT_CHARS:,} in one value)", node.start_mark,
                               "shorten it, or split it over several fields")
            if node.tag.endswith((":int", ":float")) and len(node.value) > 40:
                raise _Refused("yaml.too-long", f"a number written with {len(node.value):,} characters",
                               node.start_mark, "no value reportgen reads needs more than a few digits")
            sizes[key] = 1
            continue
        active.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in _children(node) if id(c) not in sizes)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _nfc(value):
    """Text in Unicode normal form C (composed: 'ū' as one character, as the fonts and the name
    lists expect), throughout parsed YAML."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        return {_nfc(k): _nfc(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_nfc(v) for v in value]
    return value


# Characters YAML does not allow in a file (PyYAML's Reader would refuse the whole file with no line):
# C0 controls other than tab, line feed and carriage return, DEL, C1 controls other than NEL, surrogates
# and U+FFFE/U+FFFF.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
_CONTROL_NAMES = {0: "a NUL", 7: "a BEL", 8: "a backspace", 0x0B: "a vertical tab", 0x0C: "a form feed",
                  0x1B: "an ESC", 0x7F: "a DEL"}


def control_characters(text: str, limit: int = 10) -> list[tuple[int, int, str]]:
    """(line, column, description) of the first ``limit`` characters that YAML does not allow."""
    out = []
    for m in _FORBIDDEN.finditer(text):
        code = ord(m.group(0))
        line = text.count("\n", 0, m.start()) + 1
        col = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
        name = _CONTROL_NAMES.get(code, "a control")
        out.append((line, col, f"{name} character (U+{code:04X})"))
        if len(out) >= limit:
            break
    return out


# After parsing: what an escape in a double-quoted text ("\0", "\x1b", "\e", "\uD800") can put in a value.
# Tab and line feed are text; every other control character, a lone surrogate (half of a character: no
# output can encode it) and U+FFFE/U+FFFF are refused, where the escape is written.
_ESCAPED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_SHORT_ESCAPES = {0: "\\0", 7: "\\a", 8: "\\b", 0x0B: "\\v", 0x0C: "\\f", 0x0D: "\\r", 0x1B: "\\e",
                  0x85: "\\N"}


def _escape_spellings(code: int) -> list[str]:
    """How a character can be written as an escape in a YAML double-quoted text."""
    out = [f"\\x{code:02x}", f"\\u{code:04x}", f"\\U{code:08x}"] if code <= 0xFF else [f"\\u{code:04x}",
                                                                                        f"\\U{code:08x}"]
    if code in _SHORT_ESCAPES:
        out.insert(0, _SHORT_ESCAPES[code])
    return out


def escaped_characters(src: YamlSource, limit: int = 10) -> list[tuple[int | None, int | None, str]]:
    """(line, column, description) of characters in parsed values (and keys) that no text may hold: a
    control character or a lone surrogate written as an escape. Located at the escape when it can be
    found in the value's source, else at the value."""
    out: list[tuple[int | None, int | None, str]] = []

    def visit(value, loc: Loc, key: bool = False) -> None:
        if len(out) >= limit:
            return
        if isinstance(value, str):
            for m in _ESCAPED.finditer(value):
                out.append((*_escape_position(src, loc, ord(m.group(0)), key), _describe(ord(m.group(0)))))
                if len(out) >= limit:
                    return
        elif isinstance(value, dict):
            for k, v in value.items():
                visit(k, loc + (k,), key=True)
                visit(v, loc + (k,))
        elif isinstance(value, list):
            for i, v in enumerate(value):
                visit(v, loc + (i,))

    visit(src.data, ())
    return out


def _describe(code: int) -> str:
    if 0xD800 <= code <= 0xDFFF:
        return f"a lone surrogate (U+{code:04X}: half of a character, which no file or page can hold)"
    return f"{_CONTROL_NAMES.get(code, 'a control')} character (U+{code:04X})"


def _escape_position(src: YamlSource, loc: Loc, code: int, key: bool) -> tuple[int | None, int | None]:
    line, col = src.position(loc, key=key)
    if line is None or col is None:
        return line, col
    lines = src.text.splitlines(keepends=True)
    start = sum(len(x) for x in lines[: line - 1]) + col - 1
    end = src.value_ends.get(tuple(loc), len(src.text)) if not key else start + 1000
    window = src.text[start:end].lower()
    found = [i for i in (window.find(e.lower()) for e in _escape_spellings(code)) if i >= 0]
    if not found:
        return line, col
    at = start + min(found)
    return src.text.count("\n", 0, at) + 1, at - (src.text.rfind("\n", 0, at) + 1) + 1


def _walk(node: yaml.Node, loc: Loc, src: YamlSource, ctor: yaml.constructor.SafeConstructor,
          duplicates: list[tuple[Loc, tuple[int, int]]]) -> None:
    src.value_marks[loc] = (node.start_mark.line + 1, node.start_mark.column + 1)
    src.value_ends[loc] = node.end_mark.index
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


def _unclosed_quote(text: str, line: int | None) -> tuple[int, int] | None:
    """Where a quoted text opens that ran on, over a line that looks like the next ``key:``, to the
    place YAML gave up (``line``): a missing closing quote, reported where it should have been."""
    if line is None:
        return None
    lines = text.splitlines()
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if token.start_mark.line + 1 > line:
                break
            if (isinstance(token, yaml.ScalarToken) and token.style in ('"', "'")
                    and token.end_mark.line > token.start_mark.line
                    and token.start_mark.line + 1 < line <= token.end_mark.line + 2):
                inside = lines[token.start_mark.line + 1: token.end_mark.line + 1]
                if any(re.match(r"^\s*(?:-\s+)?[\w\-]+:(\s|$)", x) for x in inside):
                    return token.start_mark.line + 1, token.start_mark.column + 1
    except yaml.YAMLError:
        pass
    return None


def load_yaml(path: Path, display: str | None = None, *, aliases: bool = True) -> tuple[YamlSource | None, list[Finding]]:
    """Read and parse ``path``.

    Returns the parsed source (None when the file cannot be parsed at all) and
    the findings: a syntax or encoding error, or every duplicated key. Every limit
    of ``limits.py`` for YAML is enforced (size, depth, values after alias expansion,
    text length), and ``aliases=False`` (editors' files) refuses anchors and aliases.
    Text values come back in Unicode normal form C.
    """
    display = display or path.as_posix()

    def problem(code: str, message: str, line=None, col=None, hint=None, excerpt=None):
        return Finding(code, "error", message, file=display, line=line, column=col,
                       hint=hint, excerpt=excerpt)

    try:
        with open_regular(path) as fh:  # a pipe or a device named like a YAML file is refused, never waited on
            raw = fh.read(limits.YAML_FILE_BYTES + 1)
    except OSError as exc:
        return None, [problem("yaml.unreadable", f"cannot read the file: {exc.strerror or exc}",
                              hint="check that the file exists and can be read")]
    if len(raw) > limits.YAML_FILE_BYTES:
        return None, [problem("yaml.too-large", f"the file is larger than {limits.YAML_FILE_BYTES >> 10:,} KiB",
                              hint="a config or narrative file is a few kilobytes: check that this is the "
                                   "right file (see docs/limits.md)")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        at = raw[: exc.start].count(b"\n") + 1
        return None, [problem("yaml.not-utf8", "the file is not saved as UTF-8 text", at,
                              hint="save the file as UTF-8 (in most editors: Save As → Encoding → UTF-8)")]
    src = YamlSource(path=path, display=display, text=text, data=None)
    bad_chars = control_characters(text)
    if bad_chars:
        return None, [problem("yaml.control-character", f"{what} is in the file, where only text may be", line,
                              col, "delete it (it is invisible in most editors; it often comes with text "
                              "pasted from another program), then save the file as plain UTF-8 text",
                              src.line_text(line))
                      for line, col, what in bad_chars]
    duplicates: list[tuple[Loc, tuple[int, int]]] = []
    try:
        loader = _Loader(text, aliases=aliases)
    except yaml.YAMLError as exc:  # pragma: no cover - control characters are caught above
        return None, [problem("yaml.syntax", _explain(exc, text)[0], hint=_explain(exc, text)[1])]
    try:
        node = loader.get_single_node()
        if node is not None:
            _check_size(node, loader.alias_marks)
            _walk(node, (), src, loader, duplicates)
            src.data = _nfc(loader.construct_document(node))
    except _Refused as exc:
        at = exc.mark.line + 1
        return None, [problem(exc.code, exc.message, at, exc.mark.column + 1, exc.hint, src.line_text(at))]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if "quoted" in (exc.context or "") and "end of stream" in (exc.problem or "") and exc.context_mark:
            mark = exc.context_mark  # an unclosed quote: point at where it opens
        line = mark.line + 1 if mark else None
        col = mark.column + 1 if mark else None
        opened = _unclosed_quote(text, line)
        if opened is not None:
            qline, qcol = opened
            return None, [problem("yaml.syntax", f"a quotation mark opened on line {qline} is not closed there, "
                                  f"so YAML reads the lines after it as part of the text (it gave up on line {line})",
                                  qline, qcol, "close the quote at the end of the text on that line, or write the "
                                  "text without quotes using `key: |`", src.line_text(qline))]
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
    except (ValueError, OverflowError, RecursionError, MemoryError) as exc:  # a value YAML parsed but cannot build
        return None, [problem("yaml.syntax", f"a value in the file cannot be read ({type(exc).__name__})",
                              hint="check the numbers and dates in the file")]
    finally:
        loader.dispose()
    escaped = escaped_characters(src)
    if escaped:
        return None, [problem("yaml.control-character", f"{what} is written as an escape in a quoted text, "
                              "where only text may be", line, col,
                              'delete the escape (\\0, \\e, \\x1b, \\uD800 …): write the text itself; a '
                              "character beyond U+FFFF is written \\U0001F600, or typed as it is",
                              src.line_text(line))
                      for line, col, what in escaped]
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
    "bool_type": "expected true or false, without quotes (\"true\" in quotes is text)",
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
        line: int | None = None
        col: int | None = None
        excerpt: str | None = None
        if src is not None:
            line, col = src.position(loc, key=kind in ("extra_forbidden", "missing"))
            excerpt = src.line_text(line)
        where: dict[str, Any] = dict(file=display, line=line, column=col, excerpt=excerpt)
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

"""Placeholders: ``{{ … }}`` in narrative text, evaluated in a guarded sandbox.

Each ``{{ … }}`` is checked and evaluated on its own, so every bad
placeholder in a field is reported (not only the first), each at its own
line and column. Three guards, from outside in:

1. only expressions: ``{% … %}`` blocks (loops, macros, assignments) and
   ``{# … #}`` are refused before anything runs, and so are function calls,
   list/tuple/dict literals and names starting with ``_`` — so no loop, and no
   way to reach a method such as ``'x'.ljust(10**9)``;
2. Jinja's ``ImmutableSandboxedEnvironment``, with no globals and only the
   documented filters, blocks attribute access into Python internals;
3. the operators ``*``, ``**``, ``+``, ``%`` are intercepted: text cannot be repeated
   with ``*``, and a result longer than ``limits.PLACEHOLDER_TEXT`` characters or a
   number beyond ±``limits.PLACEHOLDER_NUMBER`` is refused before it is built; so is
   every placeholder whose output is longer than ``limits.PLACEHOLDER_TEXT``;
4. each field's placeholders together may run for ``limits.PLACEHOLDER_SECONDS``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import jinja2
from jinja2 import nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from ..core import limits
from ..core.findings import did_you_mean
from ..core.limits import TooBig, check_number, guarded_binop
from .namespace import FILTERS, SYMBOL_CLOSE, SYMBOL_OPEN, PlaceholderError, quarter_items

MAX_TEXT = limits.PLACEHOLDER_TEXT  # characters one placeholder may produce (kept for callers)

_TAG = re.compile(r"\{\{(.*?)\}\}|\{%.*?(?:%\}|$)|\{#.*?(?:#\}|$)|\{\{", re.S)
_ALLOWED_NODES = (nodes.Template, nodes.Output, nodes.TemplateData, nodes.Name, nodes.Getattr, nodes.Getitem,
                  nodes.Const, nodes.Filter, nodes.Test, nodes.Keyword, nodes.Concat, nodes.CondExpr,
                  nodes.Compare, nodes.Operand, nodes.And, nodes.Or, nodes.Not, nodes.Neg, nodes.Pos,
                  nodes.Add, nodes.Sub, nodes.Mul, nodes.Div, nodes.FloorDiv, nodes.Mod, nodes.Pow)


class NotAllowed(Exception):
    """A placeholder uses something outside the documented language."""


class GuardedEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox with resource guards on the operators that can blow up."""

    intercepted_binops = frozenset({"*", "**", "+", "%", "-", "/", "//"})
    intercepted_unops = frozenset({"-"})

    def __init__(self) -> None:
        super().__init__(undefined=jinja2.StrictUndefined, autoescape=False)
        self.globals.clear()  # no range(), lipsum(), dict(), cycler(), namespace()
        self.filters = dict(FILTERS)

    def getattr(self, obj, attribute: str):
        """Figures have documented parts; text and numbers have none (no ``.upper``, no ``.format``)."""
        if isinstance(obj, (str, int, float)):
            raise PlaceholderError(f"'{attribute}' cannot follow a piece of text or a number in a placeholder")
        return super().getattr(obj, attribute)

    def getitem(self, obj, argument):
        if isinstance(obj, (str, int, float)) and isinstance(argument, str):
            return self.getattr(obj, argument)
        return super().getitem(obj, argument)

    def call_binop(self, context, operator: str, left, right):
        if operator == "*" and (isinstance(left, str) or isinstance(right, str)):
            raise NotAllowed("text cannot be multiplied: write the text out")
        if operator == "%" and isinstance(left, str):
            raise NotAllowed("'%' text formatting is not available; write the text around the placeholder")
        guarded_binop(operator, left, right, text=limits.PLACEHOLDER_TEXT, number=limits.PLACEHOLDER_NUMBER)
        out = super().call_binop(context, operator, left, right)
        check_number(out, limits.PLACEHOLDER_NUMBER)
        return out

    def call_unop(self, context, operator: str, arg):
        out = super().call_unop(context, operator, arg)
        check_number(out, limits.PLACEHOLDER_NUMBER)
        return out


ENV = GuardedEnvironment()


@dataclass(frozen=True)
class Problem:
    """One placeholder that could not be filled: code, message, and the placeholder's text."""

    code: str
    message: str
    fragment: str


def _check_tree(tree: nodes.Node, names: dict) -> None:
    for node in tree.find_all(nodes.Node):
        if isinstance(node, nodes.Name) and not node.name.startswith("_") and node.name not in names:
            near = did_you_mean(node.name, list(names))  # also keeps out Jinja's own self, loop, super
            raise PlaceholderError(f"unknown name '{node.name}' in a placeholder"
                                   + (f" — did you mean '{near}'?" if near else ""))
        if isinstance(node, (nodes.Getattr,)) and node.attr.startswith("_"):
            raise SecurityError(f"'{node.attr}' is internal")
        if isinstance(node, nodes.Name) and node.name.startswith("_"):
            raise SecurityError(f"'{node.name}' is internal")
        if isinstance(node, nodes.Const) and not isinstance(node.value, (str, int, float, bool, type(None))):
            raise NotAllowed("only text and numbers can be written inside a placeholder")
        if isinstance(node, nodes.Const):
            check_number(node.value, limits.PLACEHOLDER_NUMBER)
        if isinstance(node, nodes.Call):
            raise NotAllowed("functions and methods cannot be called in a placeholder")
        if isinstance(node, (nodes.List, nodes.Tuple, nodes.Dict)):
            raise NotAllowed("lists and tables cannot be written in a placeholder")
        if not isinstance(node, _ALLOWED_NODES):
            raise NotAllowed(f"'{type(node).__name__}' is not available in a placeholder")


def evaluate(expression: str, names: dict) -> str:
    """Evaluate the inside of one ``{{ … }}``; raises on any problem (see ``fill``)."""
    source = "{{" + quarter_items(expression) + "}}"
    tree = ENV.parse(source)
    _check_tree(tree, names)
    out = ENV.from_string(tree).render(names)
    if len(out) > limits.PLACEHOLDER_TEXT:
        raise TooBig(f"the placeholder produced {len(out):,} characters (at most {limits.PLACEHOLDER_TEXT:,})")
    return out


def _classify(exc: Exception, names: dict) -> tuple[str, str]:
    if isinstance(exc, jinja2.TemplateSyntaxError):
        if "No filter named" in (exc.message or ""):
            name = (exc.message or "").split("'")[1] if (exc.message or "").count("'") >= 2 else ""
            near = did_you_mean(name, list(FILTERS))
            return ("placeholder.unknown", f"unknown filter '{name}' in a placeholder"
                    + (f" — did you mean '{near}'?" if near else f" (filters: {', '.join(FILTERS)})"))
        return "placeholder.syntax", f"a placeholder is not written correctly: {exc.message}"
    if isinstance(exc, jinja2.UndefinedError):
        msg = exc.message or ""
        name = msg.split("'")[1] if msg.count("'") >= 2 else ""
        if "has no attribute" in msg and msg.count("'") >= 4:
            name = msg.split("'")[3]
        if name.startswith("_"):
            return "placeholder.unsafe", f"a placeholder tried to reach '{name}', which is internal"
        near = did_you_mean(name, list(names)) if name else None
        return ("placeholder.unknown", f"unknown name '{name}' in a placeholder"
                + (f" — did you mean '{near}'?" if near else ""))
    if isinstance(exc, SecurityError):
        return "placeholder.unsafe", f"a placeholder tried something that is not allowed: {exc}"
    if isinstance(exc, PlaceholderError):
        return "placeholder.unknown", str(exc)
    if isinstance(exc, NotAllowed):
        return "placeholder.not-allowed", str(exc)
    if isinstance(exc, limits.TimeLimit):
        return "placeholder.too-slow", f"a placeholder took too long to work out: {exc}"
    if isinstance(exc, (TooBig, MemoryError, OverflowError, RecursionError)):
        return "placeholder.too-big", f"a placeholder would produce too much: {exc or type(exc).__name__}"
    if isinstance(exc, ZeroDivisionError):
        return "placeholder.error", "a placeholder divides by zero"
    if isinstance(exc, TypeError):
        return ("placeholder.error", "a placeholder calculates with something that is not a number "
                "(figures are shown as text and cannot be calculated with)")
    return "placeholder.error", f"a placeholder could not be evaluated ({type(exc).__name__}: {exc})"


def fill(text: str, names: dict) -> tuple[str, list[Problem]]:
    """The text with every placeholder filled, and a Problem per placeholder that failed.

    A failed placeholder is left as written. Text outside placeholders is not
    touched (editors may write single braces freely); the private symbol markers
    are removed from it, so only figures can produce footnoted symbols.
    """
    text = text.replace(SYMBOL_OPEN, "").replace(SYMBOL_CLOSE, "")
    if "{" not in text:
        return text, []
    out: list[str] = []
    found: list[Problem] = []
    pos = 0
    try:
        with limits.deadline(limits.PLACEHOLDER_SECONDS, "the placeholders of this text"):
            pos = _fill_all(text, names, out, found)
    except limits.TimeLimit as exc:
        code, message = _classify(exc, names)
        found.append(Problem(code, message, "{{"))
        return text, found
    out.append(text[pos:])
    return "".join(out), found


def _fill_all(text: str, names: dict, out: list[str], found: list[Problem]) -> int:
    pos = 0
    for m in _TAG.finditer(text):
        out.append(text[pos:m.start()])
        pos = m.end()
        whole = m.group(0)
        if whole.startswith(("{%", "{#")):
            kind = "blocks such as {% for %} or {% if %}" if whole.startswith("{%") else "comments {# … #}"
            found.append(Problem("placeholder.not-allowed",
                                 f"{kind} are not available in narratives: only {{{{ … }}}} placeholders",
                                 whole.splitlines()[0]))
            out.append(whole)
            continue
        if m.group(1) is None:  # '{{' never closed
            found.append(Problem("placeholder.syntax",
                                 "a placeholder is opened with {{ but not closed with }}", "{{"))
            out.append(whole)
            continue
        try:
            out.append(evaluate(m.group(1), names))
        except limits.TimeLimit:
            raise
        except Exception as exc:  # every failure inside an editor's expression becomes a finding
            code, message = _classify(exc, names)
            found.append(Problem(code, message, whole.splitlines()[0]))
            out.append(whole)
    return pos

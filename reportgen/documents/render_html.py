"""Render stage (HTML): documents from templates, in a sandbox, self-contained.

Templates live in the project's ``templates/`` folder, where staff can change
the look. They format; Python computes. They run in Jinja's sandbox with
autoescaping, and receive a documented context (docs/templates.md).

The sandbox is guarded against exhausting the machine (limits in ``limits.py``,
docs/limits.md): operators and filters that build text or numbers refuse results
beyond ``TEMPLATE_TEXT`` characters or ±``TEMPLATE_NUMBER``; a document may be at
most ``TEMPLATE_OUTPUT`` characters and take at most ``TEMPLATE_SECONDS``. Every
problem in a template — a syntax error, an undefined name, a blocked include, a
limit reached, an error such as ``1/0`` — is raised as ``StageFailed`` carrying a
``template.*`` finding with the template file and line.
"""

from __future__ import annotations

import base64
import functools
import re
from dataclasses import dataclass
from pathlib import Path

import jinja2
from jinja2 import FileSystemLoader, StrictUndefined, select_autoescape
from jinja2.sandbox import SandboxedEnvironment, SecurityError
from markupsafe import Markup

from ..core import limits
from ..core.config import Config
from ..core.findings import Finding, StageFailed
from ..core.limits import TooBig, check_number, guarded_binop

DEFAULT_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@dataclass
class Document:
    """One published document: its name in the bundle and its HTML."""

    name: str  # e.g. "report" → report.html, report.pdf
    title: str
    html: str
    for_print: bool = False  # made to be laid out as PDF (without what print never shows), not for the web


def template_dirs(config: Config) -> list[Path]:
    dirs = [config.root / "templates"]
    if DEFAULT_TEMPLATES not in dirs and DEFAULT_TEMPLATES.is_dir():
        dirs.append(DEFAULT_TEMPLATES)
    return [d for d in dirs if d.is_dir()]


_environments: dict[tuple[str, ...], SandboxedEnvironment] = {}


def environment(config: Config) -> SandboxedEnvironment:
    """The sandboxed template environment for the config's template folders. One per set of
    folders, so each template is compiled once, not once per document; Jinja checks each
    template file's modification time on use and recompiles a changed one."""
    dirs = tuple(str(d) for d in template_dirs(config))
    env = _environments.get(dirs)
    if env is None:
        env = _environments[dirs] = _new_environment(list(dirs))
    return env


_FORMAT_WIDTH = re.compile(r"%[-+ #0]*(\*|\d+)?(?:\.(\*|\d+))?|\{[^{}]*?:[^{}]*?(\d+)")


def _check_format(fmt: str) -> None:
    """Refuse '%…d' and '{:…}' specifications that would build a huge string (or ask for '*')."""
    for m in _FORMAT_WIDTH.finditer(fmt):
        for width in m.groups():
            if width == "*" or (width and len(width) > 6) or (width and width != "*" and int(width) > limits.TEMPLATE_TEXT):
                raise TooBig(f"a format width of {width} is larger than a document needs")


def _check_size(value) -> None:
    if isinstance(value, (str, list, tuple)) and len(value) > limits.TEMPLATE_TEXT:
        raise TooBig(f"a text or list of {len(value):,} items (at most {limits.TEMPLATE_TEXT:,})")
    check_number(value, limits.TEMPLATE_NUMBER)


def _check_args(args, kwargs) -> None:
    for a in (*args, *kwargs.values()):
        if isinstance(a, int) and not isinstance(a, bool) and abs(a) > limits.TEMPLATE_TEXT:
            raise TooBig(f"the argument {a:,} is larger than a document needs")


def _guard_filter(name: str, fn):
    """A filter that refuses arguments and results beyond the template limits."""
    @functools.wraps(fn)  # keeps Jinja's pass_context / pass_environment marks
    def guarded(*args, **kwargs):
        _check_args(args[1:], kwargs)
        values = [a for a in args if isinstance(a, str)]
        if name == "replace" and len(values) >= 3:
            text, old, new = values[-3:]
            times = len(text) + 1 if not old else text.count(old)
            if times * len(new) > limits.TEMPLATE_TEXT:
                raise TooBig("the replaced text would be too long")
        if name == "format" and values:
            _check_format(values[0])
        out = fn(*args, **kwargs)
        _check_size(out)
        return out

    return guarded


class TemplateEnvironment(SandboxedEnvironment):
    """Jinja's sandbox with resource guards on operators, method calls and filters."""

    intercepted_binops = frozenset({"*", "**", "+", "%", "-", "/", "//"})

    def call_binop(self, context, operator: str, left, right):
        guarded_binop(operator, left, right, text=limits.TEMPLATE_TEXT, number=limits.TEMPLATE_NUMBER)
        if operator == "%" and isinstance(left, str):
            _check_format(left)
        out = super().call_binop(context, operator, left, right)
        _check_size(out)
        return out

    def wrap_str_format(self, value):
        """Jinja's own sandboxing of a text's ``format`` and ``format_map``, once the text's format widths are
        checked: where the method is looked up, before any text is built (``call`` is handed Jinja's wrapper,
        not the method)."""
        owner = getattr(value, "__self__", None)
        if isinstance(owner, str) and getattr(value, "__name__", "") in ("format", "format_map"):
            _check_format(owner)
        return super().wrap_str_format(value)

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 - Jinja's signature
        if isinstance(getattr(__obj, "__self__", None), str):  # format and format_map: wrap_str_format
            _check_args(args, kwargs)
        out = super().call(__context, __obj, *args, **kwargs)
        _check_size(out)
        return out


class _BoundedLoader(FileSystemLoader):
    """Template files of at most ``limits.TEMPLATE_FILE_BYTES`` (a template is a few kilobytes)."""

    def get_source(self, environment, template):
        import os

        from jinja2.loaders import split_template_path

        for folder in self.searchpath:  # measured before it is read
            path = os.path.join(folder, *split_template_path(template))
            if os.path.isfile(path):
                if os.path.getsize(path) > limits.TEMPLATE_FILE_BYTES:
                    raise TooBig(f"the template file {template} is larger than {limits.TEMPLATE_FILE_BYTES:,} bytes")
                break
        return super().get_source(environment, template)


def _new_environment(dirs: list[str]) -> SandboxedEnvironment:
    env = TemplateEnvironment(
        loader=_BoundedLoader(dirs),
        auto_reload=True,
        autoescape=select_autoescape(["html", "j2"], default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["data_uri"] = lambda data, mime: f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
    env.filters = {name: _guard_filter(name, fn) for name, fn in env.filters.items()}
    return env


def render(config: Config, template: str, context: dict) -> str:
    """The document ``template`` makes from ``context``; raises StageFailed (a ``template.*`` finding at the
    template's file and line) for any problem in the templates."""
    env = environment(config)
    try:
        with limits.deadline(limits.TEMPLATE_SECONDS, f"rendering {template}"):
            css = env.loader.get_source(env, "report.css")[0]  # type: ignore[union-attr]
            out: list[str] = []
            size = 0
            for chunk in env.get_template(template).generate(styles=Markup(css), **context):
                size += len(chunk)
                if size > limits.TEMPLATE_OUTPUT:
                    raise TooBig(f"the document would be longer than {limits.TEMPLATE_OUTPUT:,} characters")
                out.append(chunk)
        return "".join(out)
    except _TEMPLATE_PROBLEMS as exc:
        raise StageFailed([template_finding(exc, config, template)]) from None


_TEMPLATE_PROBLEMS = (jinja2.TemplateError, limits.LimitExceeded, SecurityError, MemoryError,
                      RecursionError, ArithmeticError, TypeError, ValueError, LookupError, AttributeError)


def _shown(path: str, config: Config) -> str:
    p = Path(path)
    for base in (config.root, DEFAULT_TEMPLATES.parent):
        try:
            return p.resolve().relative_to(Path(base).resolve()).as_posix()
        except ValueError:
            continue
    return p.as_posix()


def _where(exc: BaseException, config: Config) -> tuple[str | None, int | None]:
    """The template file and line where ``exc`` happened: the innermost template frame of its traceback
    (Jinja rewrites tracebacks so that template frames carry the template's file and line)."""
    if isinstance(exc, jinja2.TemplateSyntaxError) and exc.filename:
        return _shown(exc.filename, config), exc.lineno
    dirs = [str(d.resolve()) for d in template_dirs(config)]
    found: tuple[str | None, int | None] = (None, None)
    tb = exc.__traceback__
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if any(name.startswith(d) for d in dirs):
            found = (_shown(name, config), tb.tb_lineno)
        tb = tb.tb_next
    return found


def template_finding(exc: BaseException, config: Config, template: str) -> Finding:
    file, line = _where(exc, config)
    if file is None:
        file = f"templates/{template}"
    hint = "see docs/templates.md for the context a template receives"
    if isinstance(exc, jinja2.TemplateSyntaxError):
        code, message = "template.syntax", f"the template is not written correctly: {exc.message}"
    elif isinstance(exc, jinja2.UndefinedError):
        code, message = "template.undefined", f"the template uses something the context does not have: {exc.message}"
    elif isinstance(exc, jinja2.TemplateNotFound):
        code, message = ("template.not-found", f"the template asks for '{exc.name}', which is not a file in "
                         "templates/")
        hint = "templates may include or extend only other files in templates/"
    elif isinstance(exc, SecurityError):
        code, message = "template.unsafe", f"the template tried something the sandbox does not allow: {exc}"
        hint = "templates format what they are given; Python internals are out of reach"
    elif isinstance(exc, limits.TimeLimit):
        code, message = "template.too-slow", f"the template ran too long: {exc}"
        hint = f"look for a loop that never ends or repeats too often (at most {limits.TEMPLATE_SECONDS:g} s)"
    elif isinstance(exc, (TooBig, limits.LimitExceeded, MemoryError, RecursionError, OverflowError)):
        code, message = "template.too-big", f"the template would produce too much: {exc or type(exc).__name__}"
        hint = "see docs/limits.md for the limits on templates"
    else:
        code, message = "template.error", f"the template could not be rendered ({type(exc).__name__}: {exc})"
    return Finding(code, "error", message, file=file, line=line, hint=hint)

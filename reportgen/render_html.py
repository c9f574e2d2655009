"""Render stage (HTML): documents from templates, in a sandbox, self-contained.

Templates live in the project's ``templates/`` folder, where staff can change
the look. They format; Python computes. They run in Jinja's sandbox with
autoescaping, and receive a documented context (docs/templates.md).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path

from jinja2 import FileSystemLoader, StrictUndefined, select_autoescape
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from .config import Config

DEFAULT_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@dataclass
class Document:
    """One published document: its name in the bundle and its HTML."""

    name: str  # e.g. "report" → report.html, report.pdf
    title: str
    html: str


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


def _new_environment(dirs: list[str]) -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        loader=FileSystemLoader(dirs),
        auto_reload=True,
        autoescape=select_autoescape(["html", "j2"], default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["data_uri"] = lambda data, mime: f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
    return env


def render(config: Config, template: str, context: dict) -> str:
    env = environment(config)
    css = env.loader.get_source(env, "report.css")[0]  # type: ignore[union-attr]
    return env.get_template(template).render(styles=Markup(css), **context)

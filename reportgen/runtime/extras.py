"""Optional packages: which command needs which, and a finding that says what to install.

A member's organisation installs reportgen's core only (``pip install reportgen``,
docs/member-guide.md): ``reportgen member …`` and ``reportgen check`` need nothing
more. Laying out PDFs, drawing charts and the live preview need the ``publish``
extra. A command that needs a package that is not installed says so, naming the
extra to install, before it starts: never "internal error (PackageNotFoundError)".
"""

from __future__ import annotations

import importlib.util
from importlib.metadata import PackageNotFoundError, version

from ..core.findings import Finding

EXTRA = "publish"
INSTALL = "pip install 'reportgen[publish]'"
# module → the distribution that provides it
PUBLISH = {"weasyprint": "weasyprint", "matplotlib": "matplotlib", "pikepdf": "pikepdf", "watchfiles": "watchfiles",
           "starlette": "starlette", "uvicorn": "uvicorn", "python_multipart": "python-multipart"}
NEEDS = {
    "build": ("weasyprint", "matplotlib", "pikepdf"),
    "member-reports": ("weasyprint", "matplotlib", "pikepdf"),
    "preview": ("weasyprint", "matplotlib", "watchfiles"),
    "intake serve": ("starlette", "uvicorn", "python_multipart"),  # checked when it imports them (intake/cli.py)
}


def installed(module: str) -> bool:
    """Whether ``module`` can be imported here (without importing it)."""
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def package_version(distribution: str) -> str | None:
    try:
        return version(distribution)
    except PackageNotFoundError:
        return None


def missing(command: str) -> list[str]:
    """The packages ``command`` needs that are not installed."""
    return [m for m in NEEDS.get(command, ()) if not installed(m)]


def missing_finding(command: str, modules: list[str]) -> Finding:
    names = ", ".join(modules)
    return Finding("env.missing-extra", "error",
                   f"reportgen {command} needs the publishing packages, and {names} "
                   f"{'is' if len(modules) == 1 else 'are'} not installed here",
                   hint=f"install them with: {INSTALL} (a member's data officer needs only the core: "
                        "reportgen member and reportgen check work without them); reportgen doctor lists what "
                        "is installed")


def missing_module(exc: BaseException) -> str | None:
    """The optional package an ImportError or PackageNotFoundError is about, or None when it is not one."""
    name = getattr(exc, "name", None) or (exc.args[0] if isinstance(exc, PackageNotFoundError) and exc.args else None)
    if not isinstance(name, str):
        return None
    top = name.split(".")[0]
    top = "python_multipart" if top == "multipart" else top
    return top if top in PUBLISH else None

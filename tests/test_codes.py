"""Every finding code is declared once (reportgen/core/codes.py), documented (docs/finding-codes.md), and used.

Three directions: the generated page equals the registry; every code written in
the source is declared; every declared code is reported somewhere (a literal in
the source, or one of the few codes assembled from a prefix, listed below).
The fourth, at run time, is the strict mode the whole suite runs in
(``REPORTGEN_STRICT_CODES=1`` in conftest): a finding with an undeclared code fails.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reportgen.core import codes
from reportgen.core.findings import Finding

REPO = Path(__file__).resolve().parent.parent
AREAS = sorted({c.split(".", 1)[0] for c in codes.REGISTRY})
LITERAL = re.compile(r"""["']((?:{})\.[a-z][a-z0-9-]*)["']""".format("|".join(AREAS)))
FILE_NAMES = {"config.yaml", "events.yaml", "intake.css", "intake.sqlite3"}  # look like codes, are file names

# Codes assembled from a prefix at run time, and the pieces each is assembled from.
ASSEMBLED = {
    "data.unknown-{what}": ["member", "region", "measure", "dimension"],  # validate.py, rule 2
    "privacy.{kind}": ["email", "phone", "nhi", "ird", "address", "name"],  # narratives/load.py
    "story.{state}": ["withheld", "withdrawn"],  # narratives/render.py
    "{prefix}.unknown-key": ["config", "narrative"],  # yamlsource.validation_findings
    "{prefix}.missing-key": ["config", "narrative"],
    "{prefix}.invalid-value": ["config", "narrative"],
}


def _source_literals() -> set[str]:
    found: set[str] = set()
    for path in (REPO / "reportgen").rglob("*.py"):
        if path.name == "codes.py":
            continue
        found |= set(LITERAL.findall(path.read_text(encoding="utf-8")))
    return found - FILE_NAMES


def _assembled() -> set[str]:
    out = set()
    for pattern, pieces in ASSEMBLED.items():
        field = re.search(r"\{(\w+)\}", pattern).group(0)
        out |= {pattern.replace(field, piece) for piece in pieces}
    return out


def test_the_page_is_generated_from_the_registry():
    page = (REPO / "docs" / "finding-codes.md").read_text(encoding="utf-8")
    assert page == codes.markdown(), "regenerate it: python -m reportgen.core.codes > docs/finding-codes.md"


def test_the_page_lists_exactly_the_registered_codes():
    page = (REPO / "docs" / "finding-codes.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `([a-z]+\.[a-z0-9-]+)` \|", page, flags=re.M))
    assert listed == set(codes.REGISTRY)


def test_every_code_in_the_source_is_declared():
    undeclared = sorted(_source_literals() - set(codes.REGISTRY))
    assert not undeclared, f"declare these in reportgen/core/codes.py: {undeclared}"


def test_every_declared_code_is_reported_somewhere():
    unused = sorted(set(codes.REGISTRY) - _source_literals() - _assembled())
    assert not unused, f"no stage reports these any more: {unused}"


def test_assembled_codes_are_declared():
    assert _assembled() <= set(codes.REGISTRY)


def test_every_entry_is_complete():
    for entry in codes.REGISTRY.values():
        assert entry.severity in ("error", "warning", "either"), entry
        assert entry.meaning and entry.hint, entry
        assert re.fullmatch(r"[a-z]+\.[a-z0-9-]+", entry.code), entry
        if entry.guide:
            assert (REPO / "docs" / entry.guide).is_file(), entry


def test_strict_mode_refuses_an_undeclared_code():
    assert codes.STRICT, "conftest sets REPORTGEN_STRICT_CODES=1 before reportgen is imported"
    with pytest.raises(AssertionError, match="not declared"):
        Finding("data.no-such-code", "error", "x")
    assert Finding("data.bad-value", "error", "x").code == "data.bad-value"

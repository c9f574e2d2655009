"""The input fingerprint follows every kind of input, and nothing else."""

from __future__ import annotations

import pytest

from reportgen.core.config import load_config
from reportgen.core.periods import Period
from reportgen.runtime.fingerprint import input_fingerprint

from .conftest import own_template

H1 = Period.parse("2025H1")


def fp(root):
    return input_fingerprint(load_config(root / "config.yaml"), H1)


def test_unchanged_inputs_give_the_same_fingerprint(project):
    assert fp(project) == fp(project)
    (project / "output").mkdir()
    (project / "output" / "x.pdf").write_bytes(b"not an input")
    assert fp(project).digest == fp(project).digest


@pytest.mark.parametrize("path,part", [
    ("data/submissions/2025Q1/ANG001.csv", "data"),
    ("data/members.csv", "register"),
    ("data/events.yaml", "register"),
    ("narratives/2025H1/report.yaml", "narratives"),
    ("templates/report.css", "templates"),
    ("config.yaml", "config"),
])
def test_each_kind_of_input_moves_its_part(project, path, part):
    if path.startswith("templates/"):
        own_template(project, path.removeprefix("templates/"))
    before = fp(project)
    target = project / path
    target.write_bytes(target.read_bytes() + b"\n# edited\n" if not path.endswith(".csv") else
                       target.read_bytes().replace(b",", b", ", 1))
    after = fp(project)
    assert after.digest != before.digest
    assert after.changed_parts(before) == [part]


def test_the_rounding_key_counts_but_is_never_recorded(project, monkeypatch):
    before = fp(project)
    monkeypatch.setenv("REPORTGEN_CONFIDENTIALITY_KEY", "another-secret")
    after = fp(project)
    assert after.changed_parts(before) == ["environment"]
    assert "another-secret" not in repr(after)

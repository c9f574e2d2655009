"""Property-based robustness: whatever members send, ``check`` answers with findings.

Random bytes, random edits of a valid file and random values are written as
a submission; ``reportgen check`` (run in-process through ``cli.main`` for
speed, plus a few real subprocesses) must never crash: exit 0 or 1, no
traceback, and the summary printed.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reportgen.cli import main

from .test_submissions_rules import MEMBERS, SUB, base_files, quarter_text

pytestmark = pytest.mark.slow  # builds projects, or runs many generated cases

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
BASE = quarter_text("A1", "2025Q1")


def make_project(root: Path) -> Path:
    if root.exists():
        shutil.rmtree(root)
    (root / "data").mkdir(parents=True)
    (root / "config.yaml").write_text("confidentiality:\n  key: test-key\n")
    (root / "data" / "members.csv").write_text(MEMBERS)
    for name, text in base_files().items():
        path = root / SUB / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def check_in_process(root: Path, capsys, content: bytes, name: str = "2025Q1/A1.csv") -> tuple[int, str]:
    (root / SUB / name).write_bytes(content)
    capsys.readouterr()
    code = main(["check", "2025H1", "-q", "--config", str(root / "config.yaml")])
    out = capsys.readouterr()
    return code, out.out + out.err


def assert_handled(code: int, text: str) -> None:
    assert code in (0, 1), text
    assert "Traceback" not in text and "internal error" not in text, text
    assert "error" in text.splitlines()[-1]  # the summary line: "N errors, M warnings"


@SETTINGS
@given(st.binary(max_size=2000))
def test_random_bytes_never_crash(tmp_path, capsys, content):
    root = make_project(tmp_path / "p")
    assert_handled(*check_in_process(root, capsys, content))


@SETTINGS
@given(st.binary(max_size=600))
def test_random_bytes_as_xlsx_never_crash(tmp_path, capsys, content):
    root = make_project(tmp_path / "p")
    (root / SUB / "2025Q1" / "A1.csv").unlink()
    assert_handled(*check_in_process(root, capsys, content, "2025Q1/A1.xlsx"))


EDIT = st.tuples(st.sampled_from(["delete", "insert", "replace"]), st.integers(0, len(BASE)),
                 st.integers(0, 40), st.text(alphabet=',"\n\r;. -eE0123456789aAkKlLQH\ufeff\x00é', max_size=6))


@SETTINGS
@given(st.lists(EDIT, min_size=1, max_size=8))
def test_random_edits_of_a_valid_file_never_crash(tmp_path, capsys, edits):
    text = BASE
    for kind, at, length, new in edits:
        at = min(at, len(text))
        if kind == "delete":
            text = text[:at] + text[at + length:]
        elif kind == "insert":
            text = text[:at] + new + text[at:]
        else:
            text = text[:at] + new + text[at + len(new):]
    root = make_project(tmp_path / "p")
    assert_handled(*check_in_process(root, capsys, text.encode("utf-8", "surrogatepass")))


VALUE = st.one_of(st.integers(-5, 10**12).map(str), st.floats(allow_nan=True, allow_infinity=True).map(repr),
                  st.text(alphabet="0123456789.,-+eE xX", max_size=12))


@SETTINGS
@given(st.lists(st.tuples(st.integers(1, 124), VALUE), min_size=1, max_size=10))
def test_random_values_never_crash(tmp_path, capsys, changes):
    lines = BASE.split("\n")
    for row, value in changes:
        head = lines[row].rsplit(",", 1)[0]
        lines[row] = f"{head},{value}"
    root = make_project(tmp_path / "p")
    code, text = check_in_process(root, capsys, "\n".join(lines).encode())
    assert_handled(code, text)


@SETTINGS
@given(st.lists(st.sampled_from(["org_id", "period", "region", "measure", "dimension", "category", "value",
                                 "VALUE ", "notes", ""]), min_size=0, max_size=9))
def test_random_headers_never_crash(tmp_path, capsys, header):
    body = BASE.split("\n", 1)[1]
    root = make_project(tmp_path / "p")
    assert_handled(*check_in_process(root, capsys, (",".join(header) + "\n" + body).encode()))


def test_real_subprocesses_on_broken_inputs(tmp_path):
    root = make_project(tmp_path / "p")
    cases = {"2025Q1/A1.csv": b"\x00\x01\x02", "2025Q1/B1.csv": b"org_id;period\n",
             "2025Q1/C1.xlsx": b"not a zip", "2025Q2/A1.csv": BASE.replace(",100\n", ',"100\n', 1).encode()}
    for name, content in cases.items():
        (root / SUB / name).write_bytes(content)
    for args in (["check", "2025H1"], ["check", "2025H1", "--format", "json"],
                 ["check", "2025H1", "--member", "A1"], ["build", "2025H1", "-q"]):
        r = subprocess.run([sys.executable, "-m", "reportgen", *args, "--config", str(root / "config.yaml")],
                           capture_output=True, text=True, timeout=300, cwd=root)
        assert r.returncode == 1, (args, r.stdout, r.stderr)
        assert "Traceback" not in r.stdout + r.stderr
    assert not (root / "output").exists()

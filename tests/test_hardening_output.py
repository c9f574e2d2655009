"""Issue 25, output: nothing printed raw, and look-alikes named.

Text from inputs (codes, categories, file names) reaches the terminal and the JSON of ``check --format json``
inside findings. Control characters (a terminal title change, a screen clear, a carriage return that rewrites
the line shown), bidirectional overrides and lone surrogates are printed escaped; a code that differs from the
right one only by look-alike characters gets a hint that says so.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from reportgen.cli import main
from reportgen.core.findings import Finding

from .test_submissions_rules import SUB, base_files, set_value

RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def project(tmp_path: Path, files: dict) -> Path:
    from .test_submissions_rules import run

    run(tmp_path, files)  # lays the project out: config, register, submissions
    return tmp_path / "config.yaml"


def check(config: Path, capsys, *extra: str) -> tuple[int, str, str]:
    code = main(["check", "2025H1", "--config", str(config), *extra])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_control_characters_from_a_category_and_a_file_name_are_escaped(tmp_path, capsys):
    """The issue: a category holding ESC ] 0;pwned BEL (retitles the terminal) or ESC [2J (clears it) was printed
    as is, and a file name with a carriage return rewrote the line shown."""
    files = base_files()
    set_value(files, "2025Q1/A1.csv", ",clients,age_band,0_15,", "1")
    files["2025Q1/A1.csv"] = files["2025Q1/A1.csv"].replace(",clients,age_band,0_15,", ",clients,age_band,\x1b]0;pwned\x07,")
    files["2025Q1/B1.csv"] = files["2025Q1/B1.csv"].replace(",clients,gender,male,", ",clients,gender,\x1b[2J,")
    files["2025Q2/evil\rfile.csv"] = files.pop("2025Q2/C1.csv").replace(",AKL,sessions,total,", ",AKX,sessions,total,")
    config = project(tmp_path, files)
    code, out, _ = check(config, capsys)
    assert code == 1
    assert not RAW.search(out), [m.group(0) for m in RAW.finditer(out)]
    assert "unknown age_band category '\\x1b]0;pwned\\x07'" in out
    assert "unknown gender category '\\x1b[2J'" in out
    assert f"{SUB}/2025Q2/evil\\rfile.csv:" in out
    code, out, _ = check(config, capsys, "--format", "json")
    assert not RAW.search(out)
    doc = json.loads(out)
    texts = [str(v) for f in doc["findings"] for v in f.values() if isinstance(v, str)]
    assert not any(RAW.search(t) for t in texts)  # what a portal reads back is escaped too
    assert any(t == f"{SUB}/2025Q2/evil\\rfile.csv" for t in texts)


def test_bidirectional_overrides_and_undecodable_file_names_are_escaped(tmp_path, capsys):
    """Variant: a right-to-left override in an org code (it reverses the text shown after it), and a file name
    that is not UTF-8 (a lone surrogate to Python, which no terminal encoding accepts: exit 3 before)."""
    files = base_files()
    files["2025Q1/A1.csv"] = files["2025Q1/A1.csv"].replace("\nA1,2025Q1,AKL,new_clients,", "\nA1\u202eX,2025Q1,AKL,new_clients,")
    config = project(tmp_path, files)
    bad_name = os.fsencode(str(tmp_path / SUB / "2025Q2")) + b"/bad\xff.csv"
    with open(bad_name, "wb") as fh:
        fh.write(b"not,a,submission\n")
    code, out, err = check(config, capsys)
    assert code == 1 and "internal error" not in err
    assert not RAW.search(out)
    assert "unknown member code 'A1\\u202eX'" in out
    assert f"{SUB}/2025Q2/bad\\udcff.csv:1: error: required column(s) missing" in out
    code, out, _ = check(config, capsys, "--format", "json")
    assert not RAW.search(out) and json.loads(out)["summary"]["errors"] >= 2


def test_a_data_file_whose_name_is_not_utf8_goes_into_the_fingerprint(tmp_path):
    """Variant: a well-formed submission whose file name is not UTF-8. Every build and check hashes the data's
    names into the inputs' fingerprint first; plain ``encode()`` refused the lone surrogate, and the build
    stopped with an internal error (exit 3) before reading a file."""
    from reportgen.core.config import load_config
    from reportgen.core.periods import Period
    from reportgen.runtime.fingerprint import input_fingerprint

    config = project(tmp_path, base_files())
    before = input_fingerprint(load_config(config), Period.parse("2025H1"), memo=False)
    folder = os.fsencode(str(tmp_path / SUB / "2025Q2"))
    os.rename(folder + b"/C1.csv", folder + b"/C1\xff.csv")
    after = input_fingerprint(load_config(config), Period.parse("2025H1"), memo=False)
    assert after.parts["data"] != before.parts["data"]  # the new name is part of it
    assert f"{SUB}/2025Q2/C1\udcff.csv" in after.files


def test_a_cyrillic_look_alike_code_is_named_as_one(tmp_path, capsys):
    """The issue: a Cyrillic look-alike org code got "did you mean 'ANG001'?", though both look the same."""
    files = base_files()
    files["2025Q1/A1.csv"] = files["2025Q1/A1.csv"].replace("\nA1,2025Q1,AKL,new_clients,", "\n\u04101,2025Q1,AKL,new_clients,")
    code, out, _ = check(project(tmp_path, files), capsys)
    assert code == 1
    assert ("hint: did you mean 'A1'? 'А1' contains a Cyrillic А (U+0410), not a Latin A: the two look the same on "
            "screen but are different text; type it again") in out


def test_fullwidth_and_invisible_look_alikes_are_named_too(tmp_path, capsys):
    """Variant: a region in fullwidth letters (ＡKL), and a measure with an invisible zero-width space inside."""
    files = base_files()
    text = files["2025Q1/A1.csv"]
    text = text.replace("\nA1,2025Q1,AKL,new_clients,", "\nA1,2025Q1,\uff21KL,new_clients,")
    text = text.replace("\nA1,2025Q1,AKL,sessions,total,", "\nA1,2025Q1,AKL,sess\u200bions,total,")
    files["2025Q1/A1.csv"] = text
    code, out, _ = check(project(tmp_path, files), capsys)
    assert "did you mean 'AKL'? 'ＡKL' contains a Fullwidth Ａ (U+FF21), not a Latin A" in out
    assert "unknown measure code 'sess\\u200bions'" in out
    assert "did you mean 'sessions'? 'sess\\u200bions' contains an invisible U+200B (ZERO WIDTH SPACE)" in out


def test_every_finding_is_escaped_when_it_is_made():
    """The one place every message, hint, file name and excerpt passes through, whichever stage made it; and a
    message quoting a huge value is cut."""
    f = Finding("data.bad-value", "error", "x\x1b[31m\ud800" + "y" * 5000, file="a\rb", hint="\x07", member="\x1b",
                excerpt="a\tb\x1bc")
    assert f.message.startswith("x\\x1b[31m\\ud800y") and len(f.message) == 1000
    assert (f.file, f.hint, f.member, f.excerpt) == ("a\\rb", "\\x07", "\\x1b", "a\tb\\x1bc")
    json.dumps(f.to_dict(), ensure_ascii=False).encode("utf-8")  # encodable: no lone surrogate left

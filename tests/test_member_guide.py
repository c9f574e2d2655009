"""The member guide: its worked example is run as written, its sample output is current, every code is in it."""

from __future__ import annotations

import re
from pathlib import Path

from reportgen.at_source.problems import CODES
from reportgen.cli import main

REPO = Path(__file__).resolve().parent.parent
GUIDE = (REPO / "docs" / "member-guide.md").read_text(encoding="utf-8")


def _blocks(marker: str) -> dict[str, str]:
    return {m.group(1): m.group(2) for m in re.finditer(rf"<!-- {marker}:? ?(\S*) -->\n```\w*\n(.*?)```", GUIDE,
                                                        re.S)}


def test_the_worked_example_gives_the_rows_the_guide_lists(tmp_path, capsys):
    files = _blocks("file")
    assert set(files) == {"clients.csv", "sessions.csv", "needs.csv", "assessments.csv", "hours.csv"}
    folder = tmp_path / "export"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["member", "aggregate", str(folder), "--org", "MET001", "--from", "2025Q1", "--to", "2025Q2",
                 "--out", str(out)]) == 0, capsys.readouterr().err
    err = capsys.readouterr().err
    for code in ("member.repeated-attendee", "data.unidentified-share", "data.large-movement"):
        assert f"[{code}]" in err  # the warnings the guide mentions
    expected = _blocks("expected-nonzero-rows")[""].splitlines()
    got = []
    for period in ("2025Q1", "2025Q2", "2025H1"):
        lines = (out / period / "MET001.csv").read_text().splitlines()[1:]
        got += [line.removeprefix("MET001,") for line in lines if not line.endswith(",0")]
    assert got == expected


def test_the_sample_command_prints_what_the_guide_shows(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    export = REPO / "data" / "member-export"
    assert main(["member", "aggregate", str(export / "export"), "--mapping", str(export / "mapping.yaml"),
                 "--org", "MET001", "--from", "2025Q1", "--to", "2025Q2", "--out", "member-out",
                 "--register", str(REPO / "data" / "members.csv")]) == 0
    shown = capsys.readouterr().out.replace(str(tmp_path) + "/", "")
    block = GUIDE.split("files written:\n\n```\n")[1].split("```")[0]
    assert shown == block


def test_every_code_is_explained_with_its_fix():
    for c in CODES:
        assert f"| `{c.code}` | {c.severity} |" in GUIDE, c.code


def test_every_code_used_is_declared():
    declared = {c.code for c in CODES}
    used = set()
    for path in (REPO / "reportgen" / "at_source").glob("*.py"):
        used |= set(re.findall(r'"(member\.[a-z0-9-]+)"', path.read_text(encoding="utf-8")))
    assert used <= declared, used - declared
    assert declared <= used, declared - used

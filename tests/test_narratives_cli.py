"""`reportgen check` and `reportgen build` report narrative problems as users see them."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from .conftest import cli_as_user

pytestmark = pytest.mark.slow  # builds projects, or runs many generated cases


def reportgen(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return cli_as_user(*args, cwd=cwd)


def test_check_covers_narratives_with_file_line_column_and_excerpt(project):
    story = project / "narratives" / "2025H1" / "stories" / "kai-on-the-table.yaml"
    text = story.read_text(encoding="utf-8")
    story.write_text(text.replace("region: AKL", "region: AKK").replace(
        "Mele is a mother of four", "Mele (021 555 0123) is a mother of {{ fuor }}"), encoding="utf-8")
    r = reportgen(project, "check", "2025H1", "-q")
    assert r.returncode == 1 and "Traceback" not in r.stdout + r.stderr
    out = r.stdout
    assert ("narratives/2025H1/stories/kai-on-the-table.yaml:4:9: error: unknown region code 'AKK' "
            "[narrative.unknown-region]\n    | region: AKK\n    |         ^\n    hint: did you mean 'AKL'?") in out
    assert ("narratives/2025H1/stories/kai-on-the-table.yaml:8:9: error: a phone number in narrative text: "
            "'021 555 0123' [privacy.phone]") in out
    assert "story 'starting-over-in-otautahi' is withheld" in out
    assert "2 errors" in out


def test_check_reaches_placeholders_and_build_writes_nothing(project):
    report = project / "narratives" / "2025H1" / "report.yaml"
    report.write_text(report.read_text(encoding="utf-8").replace("{{ new_clients }}", "{{ new_cleints }}"),
                      encoding="utf-8")
    r = reportgen(project, "check", "2025H1", "-q")
    assert r.returncode == 1
    assert ("narratives/2025H1/report.yaml:13:71: error: unknown name 'new_cleints' in a placeholder — did you "
            "mean 'new_clients'? [placeholder.unknown]") in r.stdout
    b = reportgen(project, "build", "2025H1", "-q")
    assert b.returncode == 1 and "[placeholder.unknown]" in b.stderr
    assert not (project / "output").exists()

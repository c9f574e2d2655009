"""`reportgen new story|region|report`: commented files with every field, never overwriting."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from reportgen.core.config import load_config
from reportgen.narratives import RegionCommentary, ReportNarrative, Story, load_narratives
from reportgen.narratives.scaffold import default_period

from .conftest import REPO, cli_as_user


def reportgen(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return cli_as_user(*args, cwd=cwd)  # in this process: what the command writes and prints is tested


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "config.yaml").write_text((REPO / "config.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    return tmp_path


FILL = {
    "report": [('title: ""', 'title: "Our report"'), ('publisher: ""', "publisher: The Federation"),
               ("summary: |\n", "summary: |\n  In {{ period }} we saw {{ clients }} people.\n")],
    "region": [("intro: |\n", "intro: |\n  Auckland saw {{ clients }} people.\n")],
    "story": [('title: ""', "title: A story"), ('voice: ""', "voice: whānau"), ('region: ""', "region: CAN"),
              ("body: |\n", "body: |\n  It began in winter.\n")],
}


@pytest.mark.parametrize("kind,args,rel,model", [
    ("report", [], "narratives/2025H1/report.yaml", ReportNarrative),
    ("region", ["--region", "akl"], "narratives/2025H1/regions/AKL.yaml", RegionCommentary),
    ("story", ["--name", "kai-time"], "narratives/2025H1/stories/kai-time.yaml", Story),
])
def test_new_file_has_every_field_commented_and_loads_once_filled(project, kind, args, rel, model):
    r = reportgen(project, "new", kind, "--period", "2025H1", *args)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(f"Wrote {rel}: fill in the fields marked REQUIRED")
    path = project / rel
    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text)

    def keys(m, prefix=""):
        out = set()
        for name, field in m.model_fields.items():
            out.add(prefix + name)
            ann = field.annotation
            if isinstance(ann, type) and hasattr(ann, "model_fields"):
                out |= keys(ann, prefix + name + ".")
        return out

    def present(d, prefix=""):
        out = set()
        for k, v in d.items():
            out.add(prefix + k)
            if isinstance(v, dict):
                out |= present(v, prefix + k + ".")
        return out

    assert present(data) == keys(model)  # every field, nothing else
    lines = text.splitlines()
    for i, line in enumerate(lines):  # every top-level field has a comment just above it
        if re.match(r"^[a-z_]+:", line):
            assert lines[i - 1].startswith("#"), line
    assert "2025H1" in text and "docs/editors-guide.md" in text

    config = load_config(project / "config.yaml")
    folder = project / "narratives" / "2025H1"
    before = load_narratives(folder, project, config=config).findings
    mine = [f for f in before if f.file == rel]
    assert mine and {f.code for f in mine} == {"narrative.empty"}  # unfilled REQUIRED fields are named

    for old, new in FILL[kind]:
        assert old in text, old
        text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    after = [f for f in load_narratives(folder, project, config=config).findings if f.file == rel]
    assert after == []


def test_new_refuses_to_overwrite(project):
    assert reportgen(project, "new", "story", "--period", "2025H1", "--name", "kai").returncode == 0
    path = project / "narratives/2025H1/stories/kai.yaml"
    path.write_text("title: mine\n", encoding="utf-8")
    r = reportgen(project, "new", "story", "--period", "2025H1", "--name", "kai")
    assert r.returncode == 1
    assert "narratives/2025H1/stories/kai.yaml already exists: it was left as it is [scaffold.exists]" in r.stderr
    assert path.read_text(encoding="utf-8") == "title: mine\n"


@pytest.mark.parametrize("args,code,message", [
    (["story", "--name", "Kai Time"], 1, "cannot name a story file"),
    (["region", "--region", "AKK"], 1, "did you mean 'AKL'?"),
    (["story"], 2, "Missing option '--name'"),
    (["story", "--name", "x", "--period", "2025Q1"], 2, "is a quarter, not a report period"),
    (["poem"], 2, "No such command 'poem'"),
])
def test_new_usage_and_problems(project, args, code, message):
    r = reportgen(project, "new", *args)
    assert r.returncode == code and message in r.stderr and "Traceback" not in r.stderr
    assert not (project / "narratives").exists()


def test_default_period_is_the_half_that_ended_last():
    assert str(default_period(dt.date(2025, 9, 1))) == "2025H1"
    assert str(default_period(dt.date(2026, 2, 1))) == "2025H2"


def test_help_lists_the_new_commands():
    r = reportgen(REPO, "new", "--help")
    assert r.returncode == 0 and all(k in r.stdout for k in ("story", "region", "report"))

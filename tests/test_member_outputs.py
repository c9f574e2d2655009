"""What aggregate writes: the page, the manifest, byte-identical reruns, the overwrite policy, the register."""

from __future__ import annotations

import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from reportgen.cli import main

from .test_member_bad_input import SESSIONS, export

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "data" / "member-export"


def _sample(out: Path, *extra: str) -> int:
    return main(["member", "aggregate", str(SAMPLE / "export"), "--mapping", str(SAMPLE / "mapping.yaml"),
                 "--org", "MET001", "--from", "2025Q1", "--to", "2025Q2", "--out", str(out), *extra])


@pytest.fixture(scope="module")
def sample_out(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sample") / "out"
    assert _sample(out) == 0
    return out


class _Tables(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.cells: list[str] = []
        self._in_code = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_code = tag == "code"

    def handle_endtag(self, tag):
        self._in_code = False if tag == "code" else self._in_code

    def handle_data(self, data):
        if self._in_code:
            self.cells.append(data)


def test_the_page_shows_every_row_with_labels_and_says_what_is_not_in_it(sample_out):
    page = next(sample_out.glob("what-leaves-MET001-2025Q1-2025Q2.html")).read_text(encoding="utf-8")
    parser = _Tables()
    parser.feed(page)
    assert ("html", {"lang": "en-NZ"}) in parser.tags
    assert "<title>What will leave your organisation: MET001, 2025Q1 to 2025Q2</title>" in page
    assert "No client identifier, no date and no free text is in these files." in page
    # every row of every file is on the page, exactly as written in the file
    shown = set(parser.cells)
    n = 0
    for path in sorted(sample_out.glob("20*/MET001.csv")):
        for line in path.read_text().splitlines()[1:]:
            org, period, region, rest = line.split(",", 3)
            assert rest in shown
            n += 1
    assert f"{n} rows in 3 files" in page
    # labels, grouped by period and region
    for text in ("Bay of Plenty (BOP), 2025Q1", "Tasman (TAS), 2025H1", "65 years and over", "Māori",
                 "Food support", "Housing"):
        assert text in page
    # real table markup: header cells with scope, captions; self-contained
    ths = [a for t, a in parser.tags if t == "th"]
    assert ths and all(a.get("scope") in ("col", "row") for a in ths)
    assert sum(1 for t, _ in parser.tags if t == "caption") == sum(1 for t, _ in parser.tags if t == "table")
    assert not re.search(r"<(script|link|img|iframe)\b", page) and "http" not in page.replace("http-equiv", "")
    # the files' hashes on the page are the real ones
    for path in sample_out.glob("20*/MET001.csv"):
        assert hashlib.sha256(path.read_bytes()).hexdigest() in page


def test_the_manifest_names_each_file_with_its_sha256(sample_out):
    doc = json.loads((sample_out / "manifest-MET001-2025Q1-2025Q2.json").read_text(encoding="utf-8"))
    assert doc["org_id"] == "MET001" and (doc["from"], doc["to"]) == ("2025Q1", "2025Q2")
    assert [f["path"] for f in doc["files"]] == ["2025Q1/MET001.csv", "2025Q2/MET001.csv", "2025H1/MET001.csv"]
    for f in doc["files"] + [doc["page"]]:
        content = (sample_out / f["path"]).read_bytes()
        assert f["sha256"] == hashlib.sha256(content).hexdigest() and f["bytes"] == len(content)
    for f in doc["files"]:
        assert f["rows"] == len((sample_out / f["path"]).read_text().splitlines()) - 1


def test_outputs_are_byte_identical_across_runs(tmp_path, sample_out, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1751328000")
    again = tmp_path / "again"
    assert _sample(again) == 0
    names = sorted(p.relative_to(sample_out).as_posix() for p in sample_out.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(again).as_posix() for p in again.rglob("*") if p.is_file())
    for name in names:
        assert (sample_out / name).read_bytes() == (again / name).read_bytes(), name


def test_running_again_leaves_identical_files_and_refuses_other_content(tmp_path, capsys):
    out = tmp_path / "out"
    folder = export(tmp_path)
    args = ["member", "aggregate", str(folder), "--org", "MET001", "--from", "2025Q1", "--to", "2025Q2", "--out",
            str(out)]
    assert main(args) == 0
    target = out / "2025Q1" / "MET001.csv"
    before = target.read_bytes(), target.stat().st_mtime_ns
    assert main(args) == 0
    assert (target.read_bytes(), target.stat().st_mtime_ns) == before
    assert "already up to date" in capsys.readouterr().out
    (folder / "sessions.csv").write_text(SESSIONS + "s9,2025-03-01,AKL,,A1,\n", encoding="utf-8")
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "2025Q1/MET001.csv: error: 2025Q1/MET001.csv already exists with other content" in err
    assert "--force" in err and target.read_bytes() == before[0]
    assert main([*args, "--force"]) == 0
    assert target.read_bytes() != before[0]
    assert "MET001,2025Q1,AKL,sessions,total,,2" in target.read_text()
    assert not any(p.name.startswith(".reportgen-member-") for p in out.iterdir())


def test_a_quarter_without_activity_gets_a_header_only_file(tmp_path, capsys):
    out = tmp_path / "out"
    folder = export(tmp_path)
    assert main(["member", "aggregate", str(folder), "--org", "MET001", "--from", "2025Q1", "--to", "2025Q3",
                 "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "warning: no session and no hours in 2025Q3" in err
    assert (out / "2025Q3" / "MET001.csv").read_text() == "org_id,period,region,measure,dimension,category,value\n"
    assert not (out / "2025H2").exists()  # 2025H2 is not wholly inside the range


def test_with_the_register_the_org_regions_and_quarters_are_checked(tmp_path, capsys):
    folder = export(tmp_path)  # regions AKL and WKO; MET001 is registered for BOP and TAS
    register = REPO / "data" / "members.csv"
    code = main(["member", "aggregate", str(folder), "--org", "met001", "--from", "2025Q1", "--to", "2025Q3",
                 "--out", str(tmp_path / "out"), "--register", str(register)])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "[data.region-not-registered]" in err and "[data.missing-quarter]" in err
    code = main(["member", "aggregate", str(folder), "--org", "MET01", "--from", "2025Q1", "--to", "2025Q2",
                 "--out", str(tmp_path / "out2"), "--register", str(register)])
    err = capsys.readouterr().err
    assert code == 1 and "members.csv: error: org id 'MET01' is not in the member register" in err
    assert "did you mean 'MET001'?" in err and not (tmp_path / "out2").exists()


def test_without_a_register_no_register_rule_is_applied(tmp_path, capsys):
    assert main(["member", "aggregate", str(export(tmp_path)), "--org", "ZZZ9", "--from", "2025Q1", "--to", "2025Q3",
                 "--out", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err
    for code in ("data.unknown-member", "data.region-not-registered", "data.inactive-period", "data.missing-quarter"):
        assert code not in err
    assert (tmp_path / "out" / "2025Q1" / "ZZZ9.csv").is_file()


def test_the_rows_pass_the_federations_own_reader(tmp_path, sample_out):
    """What the federation will do with the files: load them with reportgen's own reader and validate."""
    from reportgen.core.config import load_config
    from reportgen.inputs.register import load_register
    from reportgen.inputs.submissions import load_submissions
    from reportgen.inputs.validate import validate

    project = tmp_path / "project"
    (project / "data" / "submissions").mkdir(parents=True)
    (project / "config.yaml").write_text((REPO / "config.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (project / "data" / "members.csv").write_text((REPO / "data" / "members.csv").read_text(encoding="utf-8"),
                                                  encoding="utf-8")
    for path in sample_out.glob("20*/MET001.csv"):
        dest = project / "data" / "submissions" / path.parent.name
        dest.mkdir()
        dest.joinpath(path.name).write_bytes(path.read_bytes())
    config = load_config(project / "config.yaml")
    register, _ = load_register(config)
    data = validate(load_submissions(config), register, config)
    assert not [f.format() for f in data.findings if f.is_error]
    assert len(data.rows) == 248 + 248 + 64


def test_the_terminal_shows_the_rows_briefly(tmp_path, capsys):
    assert _sample(tmp_path / "out") == 0
    out = capsys.readouterr().out
    assert "What will leave your organisation: MET001, 2025Q1 to 2025Q2" in out
    assert re.search(r"2025H1\s+BOP\s+232", out)


def test_the_page_has_no_accessibility_violations(sample_out, browser):
    from .browser import axe_violations, describe

    page_file = next(sample_out.glob("what-leaves-*.html"))
    page = browser.new_page()
    page.goto(page_file.as_uri())
    violations = axe_violations(page)
    page.close()
    assert not violations, describe(violations)

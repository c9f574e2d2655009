"""``reportgen check``: grouping, summary, --member, --format json; the internal quality report."""

from __future__ import annotations

import json
import re
from pathlib import Path

from reportgen.cli import main


def check(project: Path, capsys, *args: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["check", "2025H1", "-q", "--config", str(project / "config.yaml"), *args])
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    return code, out.out


def test_check_groups_by_member_and_summarises(project, capsys):
    code, out = check(project, capsys)
    assert code == 0
    assert "\n── member MET001 ──\n" in out
    block = out.split("── member MET001 ──")[1].split("── member")[0]
    assert block.count("[data.unidentified-share]") == 6
    assert "  files read: 501\n" in out
    assert "  rows (valid): 74,700\n" in out
    # one definition of reporting: BAP002 sent 2025Q1 only, so it reported, in part
    assert "  coverage: 43 of 43 members reported, 1 of them in part (2025Q1: 43 of 43; 2025Q2: 42 of 43)\n" in out
    # 58 data warnings, plus the sample story withheld for pending consent
    assert out.rstrip().endswith("0 errors, 59 warnings")


def test_check_member_limits_findings_and_summary(project, capsys):
    code, out = check(project, capsys, "--member", "pre001")
    assert code == 0
    assert re.findall(r"\[(data\.[a-z-]+)\]", out) == ["data.unidentified-share", "data.large-movement"]
    assert "PRE001.csv:2:7: warning: clients of PRE001 moved by +79% from 2025Q1 (112) to 2025Q2 (200)" in out
    assert "Summary for 2025H1, member PRE001:" in out and "  files read: 12\n" in out
    assert out.rstrip().endswith("0 errors, 2 warnings")


def test_check_json_document(project, capsys):
    code, out = check(project, capsys, "--format", "json")
    doc = json.loads(out)
    assert code == 0 and doc["schema"] == 1 and doc["member"] is None
    s = doc["summary"]
    assert (s["period"], s["files_read"], s["rows"], s["errors"], s["warnings"]) == ("2025H1", 501, 74700, 0, 59)  # 58 data warnings + the withheld sample story
    assert (s["members_expected"], s["members_reporting"], s["members_partial"]) == (43, 43, 1)
    assert s["quarters"] == {"2025Q1": {"reporting": 43, "expected": 43},
                             "2025Q2": {"reporting": 42, "expected": 43}}
    missing = [f for f in doc["findings"] if f["code"] == "data.missing-quarter"]
    assert missing == [{"code": "data.missing-quarter", "severity": "warning",
                        "message": "member BAP002 sent no rows for 2025Q2, a quarter in which it is active",
                        "file": None, "line": None, "column": None,
                        "hint": "ask the member for its submission, or correct its active dates in the member "
                                "register", "member": "BAP002", "excerpt": None}]
    assert set(doc["findings"][0]) == {"code", "severity", "message", "file", "line", "column", "hint",
                                       "member", "excerpt"}


def test_check_json_with_errors_for_one_member_exits_1(project, capsys):
    bad = project / "data" / "submissions" / "2025Q1" / "ANG001.csv"
    bad.write_text(bad.read_text().replace("ANG001,2025Q1,HKB,clients,ethnicity,maori,",
                                           "ANG001,2025Q1,HKB,clients,ethnicity,maaori,", 1))
    code, out = check(project, capsys, "--format", "json", "--member", "ANG001")
    doc = json.loads(out)
    assert code == 1 and doc["member"] == "ANG001"
    errors = [f for f in doc["findings"] if f["severity"] == "error"]
    assert [(f["code"], f["file"], f["column"], f["hint"]) for f in errors] == [
        ("data.unknown-category", "data/submissions/2025Q1/ANG001.csv", 6, "did you mean 'maori'?")]
    assert {f["member"] for f in doc["findings"]} == {"ANG001"}
    # another member's view of the same data has no errors, so exit 0
    code, out = check(project, capsys, "--format", "json", "--member", "PRE001")
    assert code == 0 and json.loads(out)["summary"]["errors"] == 0


def test_member_filter_keeps_unreadable_files_named_for_the_member(project, capsys):
    (project / "data" / "submissions" / "2025Q2" / "ANG001.csv").write_bytes(b"\x00\x01binary")
    code, out = check(project, capsys, "--member", "ANG001")
    assert code == 1 and "2025Q2/ANG001.csv: error: the file is not a text CSV file [data.not-text]" in out


def test_internal_quality_report_is_written_marked_and_never_published(built_sample: Path):
    quality = built_sample.parent.parent / "internal" / "quality.html"  # output/<period>/internal/
    html = quality.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert html.count("Internal — not for publication") >= 3  # banner, heading note, footer
    assert '@top-center { content: "Internal — not for publication"' in html  # every printed page
    assert "43 of 43 members reported, 1 of them in part" in html  # one definition of reporting
    # the grid: one row per member, a cell per quarter; BAP002 missing 2025Q2
    row = re.search(r"<tr><th scope=\"row\">BAP002</th>(.*?)</tr>", html).group(1)
    assert row.count("<td class=\"sent\">") == 7 and row.endswith('<td class="missing">missing</td>')
    assert "<code>data.large-movement</code>" in html and "+79%" in html
    # coverage by area: the same figures that flag published cells P (Bay of Plenty lacks BAP002's 2025Q2)
    assert ('<tr class="over"><th scope="row">Bay of Plenty</th><td>2025Q2</td><td>9</td><td>8</td>'
            '<td>BAP002</td></tr>') in html
    assert re.search(r'<tr class="over"><th scope="row">MET001</th>', html)
    assert "src=" not in html and "href=" not in html and "http" not in html  # self-contained
    # never published: not in the manifest, not linked from or copied into published files
    manifest = json.loads((built_sample / "manifest.json").read_text())
    assert not any(name.startswith("internal") for name in manifest["files"])
    for published in ("report.html", "manifest.json"):
        text = (built_sample / published).read_text(encoding="utf-8")
        assert "internal/" not in text and "quality.html" not in text and "not for publication" not in text
    assert b"not for publication" not in (built_sample / "report.pdf").read_bytes()

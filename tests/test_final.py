"""The guarded final: refusals listing every blocker, success once approved, revisions."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from .conftest import cli_in_process, copy_project, record_reviews, run_cli, tree

pytestmark = pytest.mark.slow  # builds projects, or runs many generated cases

PENDING = Path("narratives/2025H1/stories/starting-over-in-otautahi.yaml")


def approve(root: Path) -> None:
    path = root / PENDING
    text = path.read_text(encoding="utf-8")
    text = text.replace('status: pending\n  date: null\n  reference: ""',
                        "status: given\n  date: 2025-06-01\n  reference: CONSENT-2025-CAN-07")
    path.write_text(text.replace("approved: false", "approved: true"), encoding="utf-8")


@pytest.fixture(scope="module")
def finals(tmp_path_factory) -> dict:
    """One project through the whole release path; every step's CLI result kept for the tests."""
    root = copy_project(tmp_path_factory.mktemp("final") / "project")
    steps = {"root": root, "pending": cli_in_process("build", "2025H1", "--final", "-q", cwd=root)}
    steps["after_pending"] = sorted(p.name for p in (root / "output").glob("*/*")) if (root / "output").exists() else []
    approve(root)
    record_reviews(root, "2025H1")  # the Māori data review a final needs (issue 27)
    steps["first"] = cli_in_process("build", "2025H1", "--final", "-q", cwd=root)
    steps["first_tree"] = tree(root / "output/2025H1/final")
    steps["again"] = cli_in_process("build", "2025H1", "--final", "-q", cwd=root)
    steps["again_tree"] = tree(root / "output/2025H1/final")
    steps["revision"] = cli_in_process("build", "2025H1", "--final", "--revision", "Corrected the Canterbury story",
                                "-q", cwd=root)
    return steps


def test_final_refuses_with_a_pending_story_and_writes_nothing(finals):
    r = finals["pending"]
    assert r.returncode == 1
    assert ("narratives/2025H1/stories/starting-over-in-otautahi.yaml: error: story 'starting-over-in-otautahi' "
            "is withheld (consent pending; not approved) — a final cannot be made until it is approved with "
            "consent given, or its file is removed [final.story-not-ready]") in r.stderr
    assert "[final.review-missing]" in r.stderr  # and the review it needs is not recorded yet (issue 27)
    assert "The final was refused: 2 blockers above. Nothing was written." in r.stderr
    assert finals["after_pending"] == []


def test_final_lists_every_blocker_at_once(tmp_path: Path):
    root = copy_project(tmp_path / "project")
    report = root / "narratives/2025H1/report.yaml"
    text = report.read_text(encoding="utf-8")
    start, end = text.index("  needs: |\n"), text.index("  services: |\n")
    report.write_text(text[:start] + text[end:], encoding="utf-8")  # the needs section loses its text
    r = cli_in_process("build", "2025H1", "--final", "-q", cwd=root)
    assert r.returncode == 1
    assert "[final.story-not-ready]" in r.stderr
    assert ("narratives/2025H1/report.yaml: error: section 'needs' has no text — a final needs every "
            "section written [final.empty-section]") in r.stderr
    assert "The final was refused: 3 blockers above. Nothing was written." in r.stderr  # the review, too
    assert not (root / "output").exists()


def test_final_succeeds_once_approved_without_draft_marks(finals):
    r = finals["first"]
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("Built 2025H1 final: output/2025H1/final/report.pdf")
    final = finals["root"] / "output/2025H1/final"
    pdf = final / "report.pdf"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "DRAFT" not in text and "not for circulation" not in text and "Changes since" not in text
    assert "Starting over in Ōtautahi" in text  # the approved story is published
    html = (final / "report.html").read_text(encoding="utf-8")
    assert "review-banner" not in html and 'id="review-changes"' not in html
    release = json.loads(finals["first_tree"]["release.json"])
    assert set(release["libraries"]) == {"weasyprint", "pandas", "matplotlib", "jinja2", "pydantic", "pikepdf"}
    assert all(v and v != "not installed" for v in release["libraries"].values())
    assert release["reportgen"] and release["reason"] is None
    assert set(release["inputs"]["parts"]) >= {"config", "data", "narratives", "templates", "register"}
    assert release["disclosure_audit"]["proofs"]
    assert "starting-over" not in finals["first_tree"]["release.json"].decode()  # no file names
    manifest = json.loads(finals["first_tree"]["manifest.json"])
    assert manifest["inputs"]["digest"] == release["inputs"]["digest"]
    # per-file hashes are kept for staff, outside the published release
    internal = json.loads((finals["root"] / "output/2025H1/internal/releases/1/inputs.json").read_text())
    assert "narratives/2025H1/stories/starting-over-in-otautahi.yaml" in internal["files"]


def test_a_second_final_without_revision_refuses(finals):
    r = finals["again"]
    assert r.returncode == 1
    assert "error: a final of 2025H1 already exists" in r.stderr and "[final.exists]" in r.stderr
    assert 'hint: make a revision instead: reportgen build PERIOD --final --revision "what changed and why"' in r.stderr
    assert finals["again_tree"] == finals["first_tree"]


def test_a_revision_is_recorded_and_the_first_release_kept(finals):
    r = finals["revision"]
    assert r.returncode == 0, r.stderr
    out = finals["root"] / "output/2025H1"
    log = json.loads((out / "final/revisions.json").read_text())
    assert [(x["release"], x["reason"]) for x in log["releases"]] == [(1, None), (2, "Corrected the Canterbury story")]
    assert json.loads((out / "final/release.json").read_text())["reason"] == "Corrected the Canterbury story"
    kept = tree(out / "releases/1")
    assert {k: v for k, v in kept.items() if k != "revisions.json"} == \
        {k: v for k, v in finals["first_tree"].items() if k != "revisions.json"}
    assert sorted(p.name for p in (out / "releases").iterdir()) == ["1", "2"]


def test_revision_needs_final_and_a_reason(project):
    r = run_cli("build", "2025H1", "--revision", "x", cwd=project)
    assert r.returncode == 2 and r.stderr.strip() == "reportgen: --revision needs --final"
    r = run_cli("build", "2025H1", "--final", "--revision", "  ", cwd=project)
    assert r.returncode == 2 and "--revision needs a reason" in r.stderr

"""Numbered drafts: numbering, history, latest, the unchanged rebuild, failed builds."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from reportgen.build import build
from reportgen.core.config import load_config
from reportgen.core.periods import Period
from reportgen.runtime import drafts
from reportgen.runtime.fingerprint import input_fingerprint

from .conftest import run_cli as run
from .conftest import tree

P = Period.parse("2025H1")


def test_each_changed_build_is_a_new_numbered_draft_kept_whole(two_drafts: Path):
    out = two_drafts / "output" / "2025H1"
    assert drafts.draft_numbers(out) == [1, 2]
    for n in (1, 2):
        d = out / "drafts" / str(n)
        names = set(tree(d))
        assert {"report.pdf", "report.html", "manifest.json", "dashboard.json", "review-data.json",
                "tables/tables.xlsx"} <= names
        assert not any(name.startswith("internal") for name in names)
        manifest = json.loads((d / "manifest.json").read_text(encoding="utf-8"))
        assert set(manifest["files"]) == names - {"manifest.json"}
    # draft 1 still has the old text; draft 2 the new
    assert "mother of four" in (out / "drafts/1/report.html").read_text(encoding="utf-8")
    assert "mother of five" in (out / "drafts/2/report.html").read_text(encoding="utf-8")
    assert (out / "internal" / "quality.html").is_file()
    assert (out / "internal" / "drafts" / "2" / "inputs.json").is_file()


def test_latest_is_a_relative_symlink_to_the_newest_draft(two_drafts: Path):
    link = two_drafts / "output" / "2025H1" / "latest"
    assert link.is_symlink() and os.readlink(link) == "drafts/2"
    assert (link / "report.pdf").read_bytes() == (link.parent / "drafts/2/report.pdf").read_bytes()


def test_unchanged_rebuild_keeps_the_draft_and_renders_nothing(two_drafts: Path):
    out = two_drafts / "output" / "2025H1"
    before = tree(out / "drafts")
    r = run("build", "2025H1", "-q", cwd=two_drafts)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "No input changed since draft 2: output/2025H1/drafts/2"
    assert drafts.draft_numbers(out) == [1, 2] and tree(out / "drafts") == before


def test_the_early_exit_runs_no_stage(two_drafts: Path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1751328000")
    config = load_config(two_drafts / "config.yaml")
    pdir = drafts.period_dir(config, P)
    manifest = json.loads((pdir / "drafts/2/manifest.json").read_text())
    assert manifest["inputs"]["digest"] == input_fingerprint(config, P).digest
    result = build(config, P)
    assert result.ok and result.unchanged and result.draft == 2 and result.out_dir == pdir / "drafts/2"
    assert result.timings == {}  # not one stage ran


def test_a_failed_build_leaves_every_draft_untouched(two_drafts: Path):
    out = two_drafts / "output" / "2025H1"
    before = tree(out / "drafts")
    numbers = drafts.draft_numbers(out)
    link = os.readlink(out / "latest")
    bad = two_drafts / "data" / "submissions" / "2025Q1" / "ZZZ.csv"
    bad.write_text("org_id,period,region,measure,dimension,category,value\nANG001,2025Q1,AKK,clients,total,,12\n")
    try:
        r = run("build", "2025H1", "-q", cwd=two_drafts)
    finally:
        bad.unlink()
    assert r.returncode == 1
    assert "ZZZ.csv:2:3: error: unknown region code 'AKK'" in r.stderr
    assert "Nothing was written." in r.stderr
    assert tree(out / "drafts") == before and drafts.draft_numbers(out) == numbers
    assert os.readlink(out / "latest") == link
    assert not [p for p in (out / "drafts").iterdir() if p.name.startswith(".")]  # no temp folder left


def test_a_draft_is_never_overwritten(tmp_path: Path):
    pdir = tmp_path / "out"
    drafts.publish_draft(pdir, 1, {"report.html": b"one"}, {})
    with pytest.raises(FileExistsError):
        drafts.publish_draft(pdir, 1, {"report.html": b"two"}, {})
    assert (pdir / "drafts/1/report.html").read_bytes() == b"one"
    assert not [p for p in (pdir / "drafts").iterdir() if p.name.startswith(".")]


def test_latest_falls_back_to_a_text_file_when_the_symlink_fails(tmp_path: Path):
    pdir = tmp_path / "out"
    (pdir / "latest").mkdir(parents=True)  # a folder in the way: the symlink cannot replace it
    (pdir / "latest" / "keep.txt").write_text("x")
    assert drafts.point_latest(pdir, 4) == pdir / "LATEST"
    assert (pdir / "latest" / "keep.txt").read_text() == "x"
    assert not [p for p in pdir.iterdir() if p.name.startswith(".")]
    assert (pdir / "LATEST").read_text() == "drafts/4\n"
    assert drafts.resolve_latest(pdir) == 4

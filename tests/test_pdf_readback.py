"""The built PDF read back with real tools: pikepdf, qpdf, pdftotext; and reproducibility."""

from __future__ import annotations

import html as htmllib
import re
import subprocess
from pathlib import Path

import pikepdf
import pytest


def figure_alts(pdf_path: Path) -> list[str]:
    alts: list[str] = []

    def walk(node):
        if isinstance(node, pikepdf.Dictionary):
            if node.get("/S") == "/Figure":
                alts.append(str(node.get("/Alt", "")))
            if "/K" in node:
                walk(node.K)
        elif isinstance(node, pikepdf.Array):
            for item in node:
                walk(item)

    with pikepdf.open(pdf_path) as pdf:
        walk(pdf.Root.StructTreeRoot)
    return alts


def test_structure_language_and_alt_text_on_every_figure(built_sample: Path):
    pdf_path = built_sample / "report.pdf"
    with pikepdf.open(pdf_path) as pdf:
        assert str(pdf.Root.Lang) == "en-NZ"
        assert bool(pdf.Root.MarkInfo.Marked)
        assert "/StructTreeRoot" in pdf.Root and "/Outlines" in pdf.Root
        assert "Who we support" in str(pdf.docinfo["/Title"])
    alts = figure_alts(pdf_path)
    html = (built_sample / "report.html").read_text(encoding="utf-8")
    html_alts = [htmllib.unescape(a) for a in re.findall(r'<img src="data:[^"]+" alt="([^"]*)"', html)]
    assert len(alts) == len(html_alts) >= 10
    assert alts == html_alts  # one alt text per chart, the same in PDF and HTML
    assert all(re.search(r"\d", a) for a in alts)  # every alt text states numbers


def test_qpdf_check_passes(built_sample: Path):
    r = subprocess.run(["qpdf", "--check", str(built_sample / "report.pdf")], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "No syntax or stream encoding errors" in r.stdout


@pytest.mark.slow
def test_two_builds_are_byte_identical_with_source_date_epoch(epoch_builds):
    outs = list(epoch_builds)  # the second built without any cache: every PDF laid out afresh
    briefs = sorted(str(p.relative_to(outs[0])) for p in (outs[0] / "briefs").iterdir())
    assert len(briefs) >= 4 and briefs == sorted(str(p.relative_to(outs[1])) for p in (outs[1] / "briefs").iterdir())
    for name in ("report.pdf", "report.html", "manifest.json", *briefs):
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name

"""Per-draft marks: watermark and stamp on every page, after layout, the PDF still sound."""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path

import pikepdf
from weasyprint import HTML

from reportgen.core.config import load_config
from reportgen.core.periods import Period
from reportgen.documents.render_html import environment
from reportgen.release.modes import Draft
from reportgen.release.stamp import stamp_document
from reportgen.runtime.fingerprint import Fingerprint


def pages_text(pdf: Path) -> list[str]:
    # content-stream order: the overlay is drawn last, so layout analysis cannot interleave it with the page
    text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1]


def test_every_page_of_a_draft_carries_watermark_and_stamp(two_drafts: Path):
    d2 = two_drafts / "output/2025H1/drafts/2"
    short = json.loads((d2 / "manifest.json").read_text())["inputs"]["digest"][:12]
    pages = pages_text(d2 / "report.pdf")
    assert len(pages) > 10
    for n, page in enumerate(pages, 1):
        assert "DRAFT 2 — not for circulation" in page, n
        assert f"Draft 2 · built 2025-07-01T00:00:00Z · inputs {short}" in page, n
    check = subprocess.run(["qpdf", "--check", str(d2 / "report.pdf")], capture_output=True, text=True)
    assert check.returncode == 0 and "No syntax or stream encoding errors" in check.stdout
    fonts = subprocess.run(["pdffonts", str(d2 / "report.pdf")], capture_output=True, text=True, check=True).stdout
    assert all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:]), fonts  # every font embedded


def test_the_stamp_is_an_artifact_and_the_structure_is_kept(two_drafts: Path):
    with pikepdf.open(two_drafts / "output/2025H1/drafts/2/report.pdf") as pdf:
        assert "/StructTreeRoot" in pdf.Root and pdf.Root.MarkInfo.Marked
        for page in pdf.pages:
            ops = pikepdf.unparse_content_stream(pikepdf.parse_content_stream(page))
            # the marks are drawn first (behind the content), as an artifact, in their own q … Q
            first = ops.split(b"EMC", 1)[0]
            assert ops.startswith(b"q\n") and b"/Artifact BMC" in first and b"BDC" not in first
            assert ops.rstrip().endswith(b"Q")


def test_stamping_keeps_pages_and_text_and_is_deterministic():
    pdf = HTML(string="<html lang='en'><title>t</title><p>Kia ora</p><p style='break-before: page'>two</p>"
               ).write_pdf(pdf_variant="pdf/ua-1")
    a = stamp_document(pdf, 7, "2025-07-01T00:00:00Z", "abcdef123456")
    assert a == stamp_document(pdf, 7, "2025-07-01T00:00:00Z", "abcdef123456")
    with pikepdf.open(io.BytesIO(a)) as doc:
        assert len(doc.pages) == 2
    path = Path("/dev/shm") if Path("/dev/shm").is_dir() else Path("/tmp")
    out = path / f"stamp-test-{id(a)}.pdf"
    out.write_bytes(a)
    try:
        pages = pages_text(out)
    finally:
        out.unlink()
    assert "Kia ora" in pages[0] and "two" in pages[1]
    assert all("DRAFT 7 — not for circulation" in p and "Draft 7 · built" in p for p in pages)


def test_print_html_carries_no_per_draft_value(project: Path):
    config = load_config(project / "config.yaml")
    draft = Draft(config, Period.parse("2025H1"))  # the first draft: nothing to compare with
    draft.number, draft.built = 5, "2025-07-01T00:00:00Z"
    web, printed = draft.reviews(None, Fingerprint("abcdef123456" + "0" * 52))
    banner = environment(config).get_template("_review_banner.html.j2")
    shown = banner.render(review=web)
    assert "DRAFT 5 — not for circulation" in shown and "abcdef123456" in shown
    hidden = banner.render(review=printed)
    assert "DRAFT" not in hidden and "abcdef123456" not in hidden and "2025-07-01" not in hidden
    assert banner.render(review=None).strip() == ""
    assert "@media print {\n  .review-banner { display: none; }" in web.css

"""No text over text, in any document, as a reader sees it (issue 27).

Measured in the laid-out PDFs (every word's box, pdftotext) and in the HTML in Chromium at a desktop
(1366 px) and a phone (390 px) width — the national report, every regional brief and the members'
private reports, on the sample and on generated data with five times its members. The charts are
also measured in matplotlib, line by line (tests/test_quality_charts.py); here they are measured as
printed, in the fonts WeasyPrint lays them out with. Each check is seen to fail on a planted fault.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .overlap import overlapping, page_overlaps, pdf_overlaps

BUNDLES = ["built_sample", "built_large"]
WIDTHS = (1366, 390)


@pytest.fixture(params=BUNDLES)
def bundle(request) -> Path:
    return request.getfixturevalue(request.param)


def members(bundle: Path) -> Path:
    return bundle.parent.parent / "internal" / "members"


def every(paths: list[Path], step: int) -> list[Path]:
    """Every ``step``-th of ``paths`` (the large bundle's 200-odd members: a spread of them)."""
    return paths[::step]


def documents(bundle: Path, suffix: str) -> list[Path]:
    reports = sorted(members(bundle).glob(f"*{suffix}"))
    step = (1 if len(reports) < 60 else 5) * (2 if suffix == ".html" else 1)
    return [bundle / f"report{suffix}", *sorted((bundle / "briefs").glob(f"*{suffix}")), *every(reports, step)]


@pytest.mark.slow
def test_no_text_over_text_in_any_pdf(bundle: Path):
    # a draft lays out no member's letter (issue 28): their PDFs are checked where they are laid out,
    # test_member_reports.py::test_no_text_over_text_in_any_members_pdf
    docs = documents(bundle, ".pdf")
    assert len(docs) >= 15 and (bundle / "report.pdf") in docs
    problems = [p for pdf in docs for p in pdf_overlaps(pdf)]
    assert problems == [], "\n".join(problems[:40])


@pytest.mark.browser
def test_no_text_over_text_in_any_page_at_desktop_and_phone_widths(browser, bundle: Path):
    docs = documents(bundle, ".html")
    problems = []
    for width in WIDTHS:
        page = browser.new_page(viewport={"width": width, "height": 900})
        for html in docs:
            page.goto(html.as_uri())
            problems += [f"{width} px {html.name}: {p}" for p in page_overlaps(page)]
        page.close()
    assert problems == [], "\n".join(problems[:40])


def test_the_pdf_check_finds_a_label_printed_over_another(tmp_path: Path):
    """Planted: two labels at one place, and a figure running into the next column (the members'
    tables before issue 27) — both found; a plain paragraph of several lines is not."""
    from weasyprint import HTML

    html = """<html><body style="font: 10pt 'Noto Sans'">
      <p style="position: absolute; top: 20mm; left: 20mm; margin: 0">Middle Eastern, Latin American</p>
      <p style="position: absolute; top: 21mm; left: 20mm; margin: 0">Other ethnicity</p>
      <table style="position: absolute; top: 60mm; table-layout: fixed; width: 36mm; border-collapse: collapse">
        <tr><td style="width: 18mm; white-space: nowrap">47 % of 5,444</td><td style="width: 18mm">46 % A</td></tr>
      </table>
      <p style="position: absolute; top: 100mm; width: 50mm; line-height: 1.2">A paragraph of plain text that
        runs over several lines, one below the other, as every paragraph of the report does.</p>
    </body></html>"""
    pdf = tmp_path / "planted.pdf"
    HTML(string=html).write_pdf(pdf)
    found = pdf_overlaps(pdf)
    assert any("Other" in p for p in found), found
    assert any("5,444" in p and "46" in p for p in found), found
    assert not any("paragraph" in p or "lines" in p for p in found), found


@pytest.mark.browser
def test_the_page_check_finds_the_members_tables_of_before(browser, built_sample: Path):
    """Planted: the members' table rule of before issue 27 (figures kept on one line in fixed
    columns) put back into a member's report: the page check finds a figure running into the next
    column at desktop width, and headers colliding at phone width."""
    html = (members(built_sample) / "ANG001.html").read_text(encoding="utf-8")
    planted = html.replace("</style>", "table.t td { white-space: nowrap; } table.t { table-layout: fixed; }\n"
                           "table.shares th:first-child { width: 44%; } table.shares thead th:nth-child(2) "
                           "{ width: auto; } .track { display: inline-block !important; }</style>", 1)
    found = {}
    for width in WIDTHS:
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.set_content(planted)
        found[width] = page_overlaps(page)
        page.set_content(html)
        assert page_overlaps(page) == [], width  # the report as built
        page.close()
    assert any(re.search(r"5,444' over '46", p) for p in found[1366]), found[1366]
    assert found[390], "nothing found at phone width"


def test_the_sweep_leaves_touching_lines_alone():
    lines = [("first", 10, 10.0, 40, 23.6), ("second", 10, 22.0, 50, 35.6)]  # a 1.15 line height
    assert overlapping(lines) == []
    assert overlapping([("a", 10, 10, 40, 20), ("b", 30, 12, 60, 22)]) == ["'a' over 'b' at (10, 10)"]


@pytest.mark.browser
def test_the_data_quality_report_fits_a_phone(browser, built_sample: Path):
    """Issue 27: quality.html (staff only) was wider than a phone; its tables now scroll in their own
    box, so the page itself never does, and nothing overlaps."""
    quality = built_sample.parent.parent / "internal" / "quality.html"
    problems = []
    for width in WIDTHS:
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.goto(quality.as_uri())
        wide = page.evaluate("document.documentElement.scrollWidth")
        if wide > width:
            problems.append(f"{width} px: the page is {wide} px wide")
        problems += [f"{width} px: {p}" for p in page_overlaps(page)]
        page.close()
    assert problems == [], "\n".join(problems)

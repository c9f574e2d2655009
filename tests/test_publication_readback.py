"""The national report and the regional briefs, read back with real tools.

pdftotext, pdffonts, pdfinfo, qpdf and pikepdf read the PDFs the sample build
wrote; the figures they find are compared with a PublishedStore rebuilt here
from the same inputs, and the contents page numbers with the pages the
headings really fall on.
"""

from __future__ import annotations

import re
import subprocess
from functools import cache
from pathlib import Path

import pikepdf
import pytest

from reportgen.core.config import load_config
from reportgen.core.periods import Period
from reportgen.publication import figures_for
from reportgen.statistics.aggregate import NATIONAL

from .test_pdf_readback import figure_alts

PERIOD = Period.parse("2025H1")


@cache
def published(out_dir: Path):
    """(config, store, metrics) rebuilt from the project the bundle was built from."""
    root = next(p for p in out_dir.parents if (p / "config.yaml").is_file())  # the bundle may be a draft
    config = load_config(root / "config.yaml")
    store, metrics, run = figures_for(config, PERIOD)  # the figures only: no narrative, chart or document
    assert store is not None, [f.format() for f in run.findings if f.is_error]
    return config, store, metrics


def pdftext(pdf: Path, *, page: int | None = None, layout: bool = True) -> str:
    # without layout: content-stream order, so a draft's watermark (drawn last) never splits the text
    args = ["pdftotext"] + (["-layout"] if layout else ["-raw"]) + (["-f", str(page), "-l", str(page)] if page else [])
    return subprocess.run([*args, str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


def test_one_brief_per_eligible_region_and_none_for_the_others(built_sample: Path):
    config, _, metrics = published(built_sample)
    eligible = metrics.eligible_regions()
    barred = metrics.not_published_regions()
    assert eligible and barred  # the sample has both kinds
    assert sorted(p.name for p in (built_sample / "briefs").iterdir()) == sorted(
        [f"{c}.pdf" for c in eligible] + [f"{c}.html" for c in eligible])
    text = pdftext(built_sample / "report.pdf", layout=False)
    flat = " ".join(text.split())
    for code, why in barred.items():
        assert f"{config.region_label(code)}: {why}." in flat


def shown(p) -> str:
    """A figure as the documents show it: its value, and its flag P after a space."""
    return p.display() + (f" {p.flag}" if p.flag and not p.symbol else "")


def test_briefs_are_two_to_four_pages_with_the_regions_figures_against_national(built_sample: Path):
    config, store, metrics = published(built_sample)
    for code in metrics.eligible_regions():
        pdf = built_sample / "briefs" / f"{code}.pdf"
        assert 2 <= pages(pdf) <= 4, code
        text = pdftext(pdf)
        name = config.region_label(code)
        assert name in text  # macrons too: Manawatū-Whanganui
        for measure, label in (("clients", "People supported"), ("new_clients", "Came to us for the first time"),
                               ("sessions", "Sessions delivered")):
            here = shown(store.get(measure, scope=code, period=PERIOD))
            nz = shown(store.get(measure, scope=NATIONAL, period=PERIOD))
            assert re.search(rf"{label}\s+{re.escape(here)}\s+{re.escape(nz)}\n", text.replace("\u00a0", " ")), \
                (code, label, here, nz)
        change = store.like_for_like("clients", scope=code, period=PERIOD, base=PERIOD.year_earlier()).display()
        assert change.replace("\u00a0", " ") in text.replace("\u00a0", " ")  # pdftotext writes a plain space
    assert "Manawatū-Whanganui" in pdftext(built_sample / "briefs" / "MWT.pdf")


def test_brief_carries_its_commentary_and_only_its_own_published_stories(built_sample: Path):
    akl = pdftext(built_sample / "briefs" / "AKL.pdf", layout=False)
    assert "Tāmaki Makaurau is where the housing squeeze bites hardest" in " ".join(akl.split())
    assert "Kai on the table again" in akl  # the Auckland story
    assert "The rent went up again" not in akl  # a Canterbury story
    wgn = pdftext(built_sample / "briefs" / "WGN.pdf", layout=False)
    assert "Commentary" not in wgn  # Wellington has no regional commentary file


@pytest.mark.parametrize("doc", ["report", "briefs/AKL", "briefs/MWT"])
def test_fonts_embedded_structure_metadata_and_qpdf(built_sample: Path, doc: str):
    pdf_path = built_sample / f"{doc}.pdf"
    fonts = subprocess.run(["pdffonts", str(pdf_path)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts), fonts  # the "emb" column
    with pikepdf.open(pdf_path) as pdf:
        assert str(pdf.Root.Lang) == "en-NZ"
        assert "/StructTreeRoot" in pdf.Root and bool(pdf.Root.MarkInfo.Marked)
        outline_titles = []
        with pdf.open_outline() as outline:
            def walk(items):
                for item in items:
                    outline_titles.append(item.title)
                    walk(item.children)
            walk(outline.root)
        info = pdf.docinfo
        assert str(info["/Author"]) == "Aotearoa Community Services Federation"
        assert "January–June 2025" in str(info["/Subject"])
        assert "Aotearoa New Zealand" in str(info["/Keywords"])
        title = str(info["/Title"])
    assert "Key figures" in outline_titles or "Executive summary" in outline_titles
    if doc.startswith("briefs/"):
        assert "regional brief" in title and "regional brief" in str(info["/Keywords"])
    alts = figure_alts(pdf_path)
    assert alts and all(len(a) > 40 and re.search(r"\d", a) for a in alts)
    r = subprocess.run(["qpdf", "--check", str(pdf_path)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_contents_page_numbers_point_at_the_headings(built_sample: Path):
    pdf = built_sample / "report.pdf"
    contents = pdftext(pdf, page=2)
    entries = re.findall(r"^\s*(\S[^.\n]*?)\s*\.{3,}\s*(\d+)\s*$", contents, flags=re.M)
    names = [name for name, _ in entries]
    assert names[:3] == ["Executive summary", "Key findings", "Who came to us"]
    assert {"The regional picture", "Recommendations", "Methodology and data notes",
            "Appendix: data tables"} <= set(names)
    for name, page in entries:  # content-stream order: a draft's watermark never splits a heading
        lines = [line.strip() for line in pdftext(pdf, page=int(page), layout=False).splitlines()]
        assert name in lines, (name, page)  # the heading is on the page the contents gives


def test_running_header_names_report_and_section_and_pages_are_x_of_y(built_sample: Path):
    pdf = built_sample / "report.pdf"
    total = pages(pdf)
    page4 = pdftext(pdf, page=4)
    # the first line below a draft's small level watermark (stamp.py), which sits above the header
    head = next(line.strip() for line in page4.strip().splitlines()
                if line.strip() and "not for circulation" not in line)
    assert head.startswith("Te Hunga e Tautokona: Who we support")
    assert f"Page 4 of {total}" in page4
    assert "Page 1 of" not in pdftext(pdf, page=1)  # the cover is clean


def test_report_numbers_paragraphs_and_keeps_links_public(built_sample: Path):
    config, _, metrics = published(built_sample)
    html = (built_sample / "report.html").read_text(encoding="utf-8")
    assert config.report.numbered_paragraphs
    assert re.search(r'<body class="report numbered">', html)
    hrefs = re.findall(r'href="([^"#][^"]*)"', html)
    assert "tables/tables.xlsx" in hrefs
    for code in metrics.eligible_regions():
        assert f"briefs/{code}.html" in hrefs
    for doc in [built_sample / "report.html", *sorted((built_sample / "briefs").glob("*.html"))]:
        text = doc.read_text(encoding="utf-8")
        links = [h for h in re.findall(r'href="([^"#][^"]*)"', text) if not h.startswith(("http", "mailto", "tel:"))]
        assert links, doc
        for href in links:
            assert "internal" not in href, (doc, href)
            assert (doc.parent / href).resolve().is_file(), (doc, href)  # every relative link resolves


@pytest.mark.parametrize("doc", ["report", "briefs/AKL"])
def test_pdf_links_are_internal_or_web_never_the_build_folder(built_sample: Path, doc: str):
    uris = []
    with pikepdf.open(built_sample / f"{doc}.pdf") as pdf:
        for page in pdf.pages:
            for annot in page.get("/Annots", []):
                if "/A" in annot and "/URI" in annot.A:
                    uris.append(str(annot.A.URI))
    web = [u for u in uris if u.startswith(("https://", "http://", "mailto:", "tel:"))]
    local = [u for u in uris if u not in web]
    assert local and not any(u.startswith("file:") or u.startswith("/") for u in local), uris
    prefix = "../" if doc.startswith("briefs/") else ""
    assert f"{prefix}tables/tables.xlsx" in local and f"{prefix}tables/clients.csv" in local  # relative links
    if doc == "report":  # the report also names the files, for readers of paper
        text = "".join(pdftext(built_sample / f"{doc}.pdf", layout=False).split())
        assert "(tables/tables.xlsx)" in text and "(tables/clients.csv)" in text


@pytest.mark.parametrize("doc", ["report", "briefs/AKL", "briefs/WGN"])
def test_no_heading_is_stranded_at_a_page_foot(built_sample: Path, doc: str):
    pdf = built_sample / f"{doc}.pdf"
    html = (built_sample / f"{doc}.html").read_text(encoding="utf-8")
    headings = {re.sub(r"<[^>]+>", "", h).strip()
                for h in re.findall(r"<h[23][^>]*>(.*?)</h[23]>", html)}
    headings = {h.replace("&#39;", "'").replace("&amp;", "&") for h in headings if h}
    assert "Key figures" in headings or "Executive summary" in headings
    for n in range(1, pages(pdf) + 1):
        lines = [line.strip() for line in pdftext(pdf, page=n).splitlines() if line.strip()]
        body = [line for line in lines if not re.fullmatch(r"Page \d+ of \d+", line)]
        assert body, n
        assert body[-1] not in headings, (doc, n, body[-1])


def test_every_figure_has_its_data_table_on_screen_and_the_report_prints_them_in_its_appendix(built_sample: Path):
    """On screen each figure's data table is beside it (a <details>); the HTML laid out as PDF leaves those
    out (print never showed them) and the report prints every figure's table in its appendix instead."""
    documents = [built_sample / "report.html", *sorted((built_sample / "briefs").glob("*.html"))]
    for path in documents:
        html = path.read_text(encoding="utf-8")
        figures = re.findall(r'<span class="fig-no">Figure (\d+)\.</span>', html)
        beside = re.findall(r'<details class="fig-data">\s*<summary>Data for figure (\d+)</summary>', html)
        assert figures and beside == figures, path.name
    html = documents[0].read_text(encoding="utf-8")
    text = " ".join(pdftext(built_sample / "report.pdf", layout=False).split())
    for number in re.findall(r'<span class="fig-no">Figure (\d+)\.</span>', html):
        assert f"Table for figure {number}:" in text, number

"""Pages read as a statistical release should: measured in the real PDFs and HTML.

Each property is checked on the sample bundle and on a bundle built from generated data with
five times the members (``built_large``), for the national report and every regional brief:
pages used to at least 70 % of their height (except where a chapter ends), no heading at the
foot of a page, running headers naming the section in force at the top of the page, numbers
never split from their unit, briefs of two pages (three with a story), the draft watermark
diagonal and behind the content, label-then-number key figures, scope on every header cell
(and /Scope in the PDF), te reo Māori phrases tagged lang="mi" (and /Lang in the PDF), and
every download a real, relative link; and the briefs' data notes in two columns (with a project's older
copy of the template too), every word of them printed even where a page ends inside them.
"""

from __future__ import annotations

import html as htmlmod
import re
from pathlib import Path

import pikepdf
import pytest

from .pdfpages import chapter_headings, headings, is_heading, pages

pytestmark = pytest.mark.slow  # every test reads a built bundle

BUNDLES = ["built_sample", "built_large"]
MAX_EMPTY = 0.30


def documents(bundle: Path) -> list[Path]:
    return [bundle / "report.pdf", *sorted((bundle / "briefs").glob("*.pdf"))]


@pytest.fixture(params=BUNDLES)
def bundle(request) -> Path:
    return request.getfixturevalue(request.param)


def _chapter_starts(pdf: Path) -> tuple[list, dict[str, str]]:
    names = headings(pdf.with_suffix(".html"), "2")
    return pages(pdf), names


def test_no_page_is_more_than_30_percent_empty_except_where_a_chapter_ends(bundle: Path):
    """A chapter is a part of the report that starts on a new page; a brief has none (only its
    last page may be short)."""
    problems = []
    for pdf in documents(bundle):
        laid, h2 = pages(pdf), chapter_headings(pdf.with_suffix(".html"))
        for k, page in enumerate(laid):
            if k == 0 and pdf.name == "report.pdf":
                continue  # the cover
            if k == len(laid) - 1:
                continue  # the last page ends the last chapter
            following = laid[k + 1]
            if following.lines and is_heading(following.lines[0], h2):
                continue  # the next page starts a chapter: this is a chapter's last page
            if page.fill < 1 - MAX_EMPTY:
                problems.append(f"{pdf.relative_to(bundle)} page {page.number}: {1 - page.fill:.0%} empty")
    assert problems == [], "\n".join(problems)


def test_a_heading_never_ends_a_page(bundle: Path):
    problems = []
    for pdf in documents(bundle):
        names = headings(pdf.with_suffix(".html"))
        for page in pages(pdf)[:-1]:
            tail = page.lines[-2:]
            for line in tail:
                if is_heading(line, names):
                    problems.append(f"{pdf.relative_to(bundle)} page {page.number} ends with '{line.text}'")
    assert problems == [], "\n".join(problems)


def test_running_headers_name_the_section_in_force_at_the_top_of_the_page(bundle: Path):
    problems = []
    for pdf in documents(bundle):
        laid, h2 = _chapter_starts(pdf)
        in_force = None
        for page in laid:
            starts = is_heading(page.lines[0], h2) if page.lines else None
            expected = starts or in_force
            shown = " ".join(page.header_right.split())
            if page.header and expected and shown != expected:
                problems.append(f"{pdf.relative_to(bundle)} page {page.number}: header '{shown}', "
                                f"in force '{expected}'")
            for line in page.lines:
                found = is_heading(line, h2)
                if found:
                    in_force = found
    assert problems == [], "\n".join(problems)


def test_numbers_and_their_units_never_split(bundle: Path):
    problems = []
    for pdf in documents(bundle):
        for page in pages(pdf):
            problems += [f"{pdf.relative_to(bundle)} page {page.number}: a line starts with '{line.text[:20]}'"
                         for line in page.lines if re.match(r"%", line.text)]
        body = pdf.with_suffix(".html").read_text(encoding="utf-8").split("<body", 1)[1]
        text = re.sub(r"<style.*?</style>|<[^>]+>", " ", body, flags=re.S)
        problems += [f"{pdf.with_suffix('.html').name}: '{m.group(0)}' has a breaking space"
                     for m in re.finditer(r"\d[ \t\n]%", text)]
    assert problems == [], "\n".join(problems)


def test_briefs_are_two_pages_three_with_a_story(bundle: Path):
    problems = []
    for pdf in sorted((bundle / "briefs").glob("*.pdf")):
        html = pdf.with_suffix(".html").read_text(encoding="utf-8")
        limit = 3 if 'id="story"' in html else 2
        with pikepdf.open(pdf) as doc:
            if len(doc.pages) > limit:
                problems.append(f"{pdf.name}: {len(doc.pages)} pages (at most {limit})")
        if 'id="commentary"' not in html:
            assert 'id="in-brief"' in html, pdf.name  # computed sentences instead
    assert problems == [], "\n".join(problems)


def test_the_draft_watermark_is_diagonal_and_behind_the_content(built_sample: Path):
    with pikepdf.open(built_sample / "report.pdf") as pdf:
        for page in pdf.pages:
            ops = pikepdf.parse_content_stream(page)
            first_draw = next(i for i, (_, op) in enumerate(ops) if str(op) in ("Do", "Tj", "TJ", "re", "f"))
            operands, op = ops[first_draw]
            assert str(op) == "Do" and str(operands[0]) == "/ReportgenDraftMarks", page  # drawn first
            assert any(str(o) == "BMC" and str(a[0]) == "/Artifact" for a, o in ops[:first_draw])
            form = page.Resources.XObject["/ReportgenDraftMarks"]
            rotated = [a for a, o in pikepdf.parse_content_stream(form)
                       if str(o) == "cm" and abs(float(a[1])) > 0.3 and abs(float(a[2])) > 0.3]
            assert rotated, "the watermark is not drawn at an angle"


def test_key_figures_read_label_then_number_and_show_the_number_large(built_sample: Path):
    html = (built_sample / "report.html").read_text(encoding="utf-8")
    items = re.findall(r'<li class="key-figure">(.*?)</li>', html, flags=re.S)
    assert items
    for item in items:
        assert item.index('class="kf-label"') < item.index('class="kf-value"'), item
    # in print the number still sits above its label
    page = next(p for p in pages(built_sample / "report.pdf") if any("people supported" == ln.text
                                                                     for ln in p.lines))
    label = next(ln for ln in page.lines if ln.text == "people supported")
    number = next(ln for ln in page.lines if re.fullmatch(r"[\d,]+(\s?P)?", ln.text) and abs(ln.x0 - label.x0) < 2)
    assert number.y1 <= label.y0 + 1 and (number.y1 - number.y0) > 1.5 * (label.y1 - label.y0)


def _struct(pdf: Path):
    found = []
    with pikepdf.open(pdf) as doc:
        stack = [doc.Root.StructTreeRoot]
        while stack:
            node = stack.pop()
            kids = node.get("/K") if isinstance(node, pikepdf.Dictionary) else None
            if isinstance(node, pikepdf.Dictionary) and "/S" in node:
                attrs = node.get("/A")
                scope = str(attrs.get("/Scope", "")) if isinstance(attrs, pikepdf.Dictionary) else ""
                found.append((str(node.S), str(node.get("/Lang", "")), scope))
            if isinstance(kids, pikepdf.Array):
                stack += [k for k in kids if isinstance(k, pikepdf.Dictionary)]
            elif isinstance(kids, pikepdf.Dictionary):
                stack.append(kids)
    return found


def test_every_header_cell_has_a_scope_in_html_and_pdf(built_sample: Path):
    for pdf in documents(built_sample):
        html = pdf.with_suffix(".html").read_text(encoding="utf-8")
        cells = re.findall(r"<th\b[^>]*>", html)
        assert cells and all(re.search(r'scope="(col|row)"', c) for c in cells), pdf.name
        heads = [s for s in _struct(pdf) if s[0] == "/TH"]
        assert heads and all(scope in ("/Column", "/Row") for _, _, scope in heads), pdf.name
    assert len([s for s in _struct(built_sample / "report.pdf") if s[0] == "/TH"]) > 100


def test_te_reo_maori_phrases_carry_lang_mi_in_html_and_pdf(built_sample: Path):
    html = (built_sample / "report.html").read_text(encoding="utf-8")
    tagged = {re.sub(r"<[^>]+>", "", m) for m in re.findall(r'<span lang="mi">(.*?)</span>', html)}
    assert "Te Hunga e Tautokona" in tagged  # the title's te reo part (glossary in config.yaml)
    assert {"whānau", "kaimahi"} <= {t.lower() for t in tagged}
    assert re.search(r'<span lang="mi">ngā mihi nui</span>', html)
    head = html.split("<body", 1)[0]
    assert "<span" not in head and "[[" not in head
    langs = {lang for _, lang, _ in _struct(built_sample / "report.pdf")}
    assert "mi" in langs


@pytest.mark.browser
def test_chromium_sees_the_lang_of_te_reo_phrases(browser, built_sample: Path):
    page = browser.new_page()
    page.goto((built_sample / "report.html").as_uri())
    spans = page.evaluate("() => [...document.querySelectorAll('[lang=mi]')].map(e => e.textContent)")
    assert "Te Hunga e Tautokona" in spans and len(spans) >= 5
    assert page.evaluate("() => document.querySelector('h1 [lang=mi]').closest('[lang]').lang") == "mi"
    page.close()


def test_every_download_is_a_relative_link_to_a_file_in_the_bundle(bundle: Path):
    for pdf in documents(bundle):
        with pikepdf.open(pdf) as doc:
            uris = [str(a.A.URI) for page in doc.pages for a in page.get("/Annots", [])
                    if "/A" in a and "/URI" in a.A]
        local = [u for u in uris if not u.startswith(("http://", "https://", "mailto:", "tel:"))]
        assert not any(u.startswith("file:") or "/tmp/" in u for u in uris), (pdf.name, uris[:5])
        assert any(u.endswith(".csv") for u in local) and any(u.endswith(".xlsx") for u in local), pdf.name
        for u in local:
            assert (pdf.parent / u.split("#")[0]).resolve().is_file(), (pdf.name, u)
        html = pdf.with_suffix(".html").read_text(encoding="utf-8")
        for href in re.findall(r'<a href="([^"#][^"]*)"', html):
            if not href.startswith(("http", "mailto:", "tel:")):
                assert (pdf.parent / href).resolve().is_file(), (pdf.name, href)


MIN_ROWS = 3  # a table split across pages leaves at least this many rows on each


def table_pages(pdf: Path, html: str) -> dict[str, dict[int, int]]:
    """Each printed table (by its caption) → how many of its body rows each page holds. A table is
    printed when its caption starts a line of the PDF; its rows are found in order after it, by the
    first words of each row's first cell."""
    laid = pages(pdf)
    lines = [(k, " ".join(ln.text.split())) for k, page in enumerate(laid) for ln in page.lines]
    out: dict[str, dict[int, int]] = {}
    for table in re.findall(r"<table\b.*?</table>", html, flags=re.S):
        cap = re.search(r"<caption[^>]*>(.*?)</caption>", table, flags=re.S)
        if not cap:
            continue
        caption = " ".join(htmlmod.unescape(re.sub(r"<[^>]+>", " ", cap.group(1))).split())[:40]
        start = next((i for i, (_, text) in enumerate(lines) if text.startswith(caption)), None)
        if start is None:
            continue  # not printed (a screen-only table)
        body = table.split("<tbody", 1)[-1]
        labels = []
        for row in re.findall(r"<tr\b[^>]*>(.*?)</tr>", body, flags=re.S):
            first = re.search(r"<t[hd]\b[^>]*>(.*?)</t[hd]>", row, flags=re.S)
            words = " ".join(htmlmod.unescape(re.sub(r"<[^>]+>", " ", first.group(1))).split()) if first else ""
            if words:  # its first characters: a narrow column hyphenates "Manawatū-Whanganui" after "Manawatū-"
                labels.append(words[:9])
        where, i = [], start
        for label in labels:  # each row's first words, in order, after the caption
            i = next((j for j in range(i + 1, len(lines)) if lines[j][1].startswith(label)), None)
            if i is None:
                break
            where.append(lines[i][0])
        if len(where) == len(labels) and where:
            out[caption] = {page + 1: where.count(page) for page in sorted(set(where))}
    return out


def test_a_table_never_leaves_fewer_than_three_rows_on_a_page(bundle: Path):
    """Every printed table of the report, the briefs and the members' reports: it may run on to the
    next page, but each page holds at least three of its rows (a table of five rows or fewer stays
    whole)."""
    problems, checked = [], 0
    members = sorted((bundle.parent.parent / "internal" / "members").glob("*.pdf"))
    for pdf in [*documents(bundle), *members[:: 1 if len(members) < 60 else 10]]:
        found = table_pages(pdf, pdf.with_suffix(".html").read_text(encoding="utf-8"))
        checked += len(found)
        for caption, counts in found.items():
            if len(counts) > 1 and min(counts.values()) < MIN_ROWS:
                problems.append(f"{pdf.relative_to(bundle.parent.parent)}: {caption}: rows per page {counts}")
    assert checked > 20 and problems == [], "\n".join(problems)


def test_provisional_notes_are_given_once_per_section_not_after_every_figure(bundle: Path):
    """A flag (P) is marked, with its note's number, once in a section's text — the executive
    summary, the key findings, a chapter — and a chart's note on provisional quarters is not repeated
    under every later chart of the same section (issue 27: "P¹" about twelve times on one page)."""
    problems = []
    for pdf in documents(bundle):
        html = pdf.with_suffix(".html").read_text(encoding="utf-8")
        for section in re.findall(r'<section id="([^"]+)"(.*?)</section>', html, flags=re.S):
            name, body = section
            refs = re.findall(r'<sup class="note-ref"><a href="#narrative-note-(\d+)">', body)
            flag_notes = set(re.findall(r'<li id="narrative-note-(\d+)" value="\d+"><span class="symbol">[PRA]</span>',
                                        html))
            if any(refs.count(n) > 1 for n in flag_notes):
                problems.append(f"{pdf.with_suffix('.html').name} #{name}: {refs}")
            notes = [m.group(0) for note in re.findall(r'<p class="fig-note">([^<]*)</p>', body)
                     if (m := re.search(r"P: provisional.*?(need|did not)\.", note))]
            if len(notes) != len(set(notes)):
                problems.append(f"{pdf.with_suffix('.html').name} #{name}: the same note {len(notes)} times")
    assert problems == [], "\n".join(problems)
    summary = (bundle / "report.html").read_text(encoding="utf-8").split('id="summary"', 1)[1].split("</section>")[0]
    # the sample's half-year is provisional: its note once, and no flag inside a sentence (issue 23)
    assert summary.count('class="note-ref"') == 1 and '<span class="symbol">P</span>' not in summary


def _brief_notes_laid_out(built_sample: Path, html: str, css: str = "") -> tuple[list[str], bytes, str]:
    """The words of the brief's data notes (as printed: a brief leaves out the file names), and the PDF of
    ``html`` laid out with ``css`` added, and its text (pdftotext)."""
    import subprocess

    from reportgen.core.config import load_config
    from reportgen.documents.render_pdf import render_pdf, template_dirs

    config = load_config(built_sample.parents[3] / "config.yaml")
    pdf, _ = render_pdf(html.replace("</head>", f"<style>{css}</style></head>"), base_dir=config.root / "templates",
                        allowed=template_dirs(config), source="briefs/AKL.html")
    notes = html.split('<section id="notes"', 1)[1].split("</section>", 1)[0].split(">", 1)[1]
    notes = re.sub(r'<span class="[^"]*file-name[^"]*">[^<]*</span>', " ", notes)  # not printed in a brief
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return re.findall(r"\w+", htmlmod.unescape(re.sub(r"<[^>]+>", " ", notes))), pdf, text


def _missing(words: list[str], text: str) -> list[str]:
    printed = re.findall(r"\w+", text)
    return [w for w in dict.fromkeys(words) if words.count(w) > printed.count(w)]


@pytest.mark.parametrize("left_on_first_page_mm", [20, 45])
def test_a_briefs_notes_keep_every_word_where_a_page_ends_inside_them(built_sample: Path, left_on_first_page_mm: int):
    """The brief's data notes sit in two columns (report.css); laid out with the page ending inside
    them, both columns go on over the page and no word is lost (floats were tried: WeasyPrint drops
    what overflows them at the foot of a page)."""
    html = (built_sample / "briefs" / "AKL.html").read_text(encoding="utf-8")
    # the notes start a page, and a gap before their columns leaves so much of the page to them
    words, _, text = _brief_notes_laid_out(
        built_sample, html, f"@media print {{ #notes {{ break-before: page; }} "
                            f"#notes .notes-body {{ margin-top: {251 - 12 - left_on_first_page_mm}mm; }} }}")
    pages_text = [re.findall(r"\w+", page) for page in text.split("\f")[-3:-1]]
    assert all(set(page) & set(words[8:]) for page in pages_text), "the page did not end inside the notes"
    missing = _missing(words, text)
    assert missing == [], f"words of the notes missing from the PDF: {missing[:20]}"


@pytest.mark.parametrize("template", ["this", "older"])
def test_a_briefs_notes_are_in_two_columns_with_this_template_and_a_projects_older_copy(built_sample: Path,
                                                                                          template: str):
    """The notes' second part ("About this release" ends it) is in the right half of the page, every word
    printed — with the shipped template (two parts in a grid) and with a project's own copy of the
    template as it was before them (one block, which keeps its CSS columns)."""
    import subprocess

    html = (built_sample / "briefs" / "AKL.html").read_text(encoding="utf-8")
    if template == "older":  # the notes as one block, without the two parts
        head, notes = html.split('<section id="notes"', 1)
        notes, tail = notes.split("</section>", 1)
        assert notes.count('<div class="notes-col">') == 2
        notes = notes.replace('<div class="notes-body notes-grid">', '<div class="notes-body">')
        notes = re.sub(r'<div class="notes-col">|</div>(?=\s*<div class="notes-col">)', "", notes)
        notes = notes[:notes.rindex("</div>")]  # the second part's end (the notes-body's own is before it)
        html = f'{head}<section id="notes"{notes}</section>{tail}'
    words, pdf, text = _brief_notes_laid_out(built_sample, html)
    assert _missing(words, text) == []
    box = subprocess.run(["pdftotext", "-bbox", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    width = float(re.search(r'<page width="([\d.]+)"', box).group(1))
    about = [float(x) for x in re.findall(r'<word xMin="([\d.]+)"[^>]*>About</word>', box)]
    assert about and about[-1] > width / 2, (template, about, width)

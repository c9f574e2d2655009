"""The quarterly dashboard for its readers (issue 27), on the sample and on generated data with five
times its members: every page shows the release details and links to the downloads; a downloads
page whose files are inside the folder the website copies; breakdown pages (need, age group,
ethnicity) for the nation and every published region, true to the published figures; chart text
at least 12 px at 390 px (and at 1366); no text over text; axe-core clean at 1366 and 390 px; a
print stylesheet that keeps each chart with its heading and prints its data table; one name for
the nation; a schema that lets new optional fields through; a release calendar."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
from pathlib import Path

import pytest

from reportgen.build import build
from reportgen.core.config import load_config
from reportgen.core.periods import Period

from .browser import axe_context, axe_violations, describe
from .conftest import copy_project, once
from .overlap import page_overlaps
from .test_dashboard import validate

# one worker makes both quarterly releases and runs their tests: a release has no layout for the other
# core, so a worker waiting for the other to make it would leave a core idle (the run's summary shows waits)
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("quarterly_bundles")]
Q2 = Period.parse("2025Q2")
WIDTHS = (1366, 390)


def _quarterly(tmp_path_factory, name: str, members: int | None) -> Path:
    def make(folder: Path) -> None:
        root = copy_project(folder / "project", data=members is None)
        if members is not None:
            from reportgen.inputs.sample_data import generate

            generate(root / "data", members=members)
        result = build(load_config(root / "config.yaml"), Q2)
        assert result.ok, [f.format() for f in result.findings if f.is_error]

    return once(tmp_path_factory, name, make) / "project" / "output" / "2025Q2" / "drafts" / "1"


@pytest.fixture(scope="session")
def quarterly_sample(tmp_path_factory) -> Path:
    """The sample's 2025Q2 draft, built once per run (read only)."""
    return _quarterly(tmp_path_factory, "q2-sample", None)


@pytest.fixture(scope="session")
def quarterly_large(tmp_path_factory) -> Path:
    """A 2025Q2 draft of generated data with five times the sample's members (read only)."""
    return _quarterly(tmp_path_factory, "q2-large", 220)


@pytest.fixture(params=["quarterly_sample", "quarterly_large"])
def bundle(request) -> Path:
    return request.getfixturevalue(request.param)


def pages(bundle: Path) -> list[Path]:
    return sorted((bundle / "dashboard").rglob("*.html"))


def sample_of_pages(bundle: Path) -> list[Path]:
    """One page of every kind (the overview, a region, the breakdowns of the nation and of a region,
    the downloads, the regions not shown)."""
    d = bundle / "dashboard"
    region = sorted((d / "regions").glob("*.html"))[0]
    return [d / "index.html", region, d / "breakdowns" / "index.html", d / "breakdowns" / region.name,
            d / "downloads.html", d / "not-published.html"]


def links(html: str) -> list[str]:
    return re.findall(r'<a href="([^"#]+)"', html)


def test_every_page_shows_the_release_details_and_links_to_the_downloads(bundle: Path):
    config = load_config(bundle.parents[3] / "config.yaml")
    expected = ["Published by", "Released", "Next release", "Licence", "Contact", "How to cite"]
    for page in pages(bundle):
        html = page.read_text(encoding="utf-8")
        footer = html.split('<section class="release"', 1)[1].split("</section>", 1)[0]
        terms = re.findall(r"<dt>(.*?)</dt>", footer)
        footer = re.sub(r"<[^>]+>", "", footer)  # the words (te reo Māori tagging aside)
        assert terms == expected, (page.name, terms)
        assert "10:00\u00a0am, 14\u00a0August 2025 (New Zealand time)" in footer  # the calendar's 2025Q2
        assert "13\u00a0November 2025" in footer  # the next quarterly release
        assert config.publication.contact in footer and "CC BY 4.0" in footer
        assert "Aotearoa Community Services Federation (2025). Who we support, quarter by quarter, April–June 2025." \
            in footer
        hrefs = links(html)
        for wanted in ("downloads.html", "downloads/tables/tables.xlsx", "downloads/calendar.ics"):
            found = [h for h in hrefs if h.endswith(wanted)]
            assert found, (page.name, wanted)
            assert all((page.parent / h).resolve().is_file() for h in found), (page.name, found)
        assert all((page.parent / h).resolve().is_file() for h in hrefs if not h.startswith(("http", "mailto:", "tel:")))
        assert 'href="' in html.split("revised: different", 1)[1][:200]  # "see revisions.csv" is a link


def test_the_downloads_page_offers_every_file_of_the_release_inside_the_folder_the_website_copies(bundle: Path):
    page = bundle / "dashboard" / "downloads.html"
    offered = {h for h in links(page.read_text(encoding="utf-8")) if h.startswith("downloads/")}
    top = {p.relative_to(bundle).as_posix() for p in bundle.rglob("*") if p.is_file()}
    wanted = {n for n in top if n.startswith("tables/")} | {"dashboard.json", "dashboard.schema.json", "revisions.csv",
                                                            "calendar.ics", "calendar.json"}
    assert {h.removeprefix("downloads/") for h in offered} == wanted
    manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))["files"]
    for name in wanted:  # the same bytes as the bundle's own (audited) files, listed in the manifest
        copy = bundle / "dashboard" / "downloads" / name
        assert copy.read_bytes() == (bundle / name).read_bytes(), name
        assert f"dashboard/downloads/{name}" in manifest
    assert not list((bundle / "dashboard" / "downloads").glob("report-*.pdf"))  # no half-year report released yet


def test_breakdown_pages_for_the_nation_and_every_published_region_show_the_published_shares(bundle: Path):
    dash = json.loads((bundle / "dashboard.json").read_text(encoding="utf-8"))
    config = load_config(bundle.parents[3] / "config.yaml")
    published = [s["code"] for s in dash["scopes"] if s["type"] == "region" and s["published"]]
    folder = bundle / "dashboard" / "breakdowns"
    assert {p.stem for p in folder.glob("*.html")} == {"index", *published}
    for scope in dash["scopes"]:
        if not scope["published"]:
            continue
        page = folder / ("index.html" if scope["code"] == "NZ" else f"{scope['code']}.html")
        html = page.read_text(encoding="utf-8")
        shares = {(s["dimension"], s["category"]): s["points"][-1] for s in scope["shares"] if s["measure"] == "clients"}
        for dimension in ("need", "age_band", "ethnicity"):
            chart = f"{dimension}-{scope['code'].lower()}"
            data = (bundle / "dashboard" / "data" / f"{chart}.csv").read_text(encoding="utf-8-sig")
            rows = {r["category"]: r for r in csv.DictReader(io.StringIO(data))}
            assert list(rows) == list(config.dimensions[dimension].categories), (page.name, dimension)
            for code, row in rows.items():
                point = shares[(dimension, code)]
                want = point["symbol"] or str(round(point["value"]))
                assert row["share_percent"] == want, (page.name, dimension, code, row, point)
            assert f'id="chart-{chart}"' in html and html.count(f'id="{chart}-t"') == 1
        if scope["coverage"][dash["release"]["period"]]["provisional"]:  # said once, not after every bar
            values = re.findall(r'<text class="bar-value"[^>]*>([^<]+)</text>', html)
            assert values and not [v for v in values if "P" in v.split("\u00a0")[1:]], (page.name, values[:5])
            assert html.count("(provisional, P)") >= 6 and html.count("P: provisional — a member expected") == 1
    assert "Māori" in (folder / "index.html").read_text(encoding="utf-8")


def test_one_name_for_the_nation_everywhere(bundle: Path):
    dash = json.loads((bundle / "dashboard.json").read_text(encoding="utf-8"))
    assert dash["scopes"][0]["label"] == "Aotearoa New Zealand"
    bare = re.compile(r"(?<!Aotearoa )(?<!Aotearoa</span> )New Zealand(?! time)")
    for path in [*pages(bundle), bundle / "dashboard.json", *sorted((bundle / "tables").glob("*.csv")),
                 *sorted((bundle / "dashboard" / "data").glob("*.csv"))]:
        found = bare.findall(path.read_text(encoding="utf-8-sig"))
        assert not found, path.relative_to(bundle)


def test_the_schema_lets_new_optional_fields_through_as_its_versioning_note_promises(quarterly_sample: Path):
    dash = json.loads((quarterly_sample / "dashboard.json").read_text(encoding="utf-8"))
    validate(dash)
    assert dash["schema_version"] == "2.1.0" and dash["publication"]["released"] == "2025-08-14T10:00:00+12:00"
    assert dash["publication"]["next_release"]["period"] == "2025Q3"
    newer = json.loads(json.dumps(dash))
    newer["schema_version"] = "2.2.0"
    newer["a_field_of_2_2"] = {"anything": 1}
    newer["release"]["embargoed_until"] = None
    newer["scopes"][0]["new_list"] = []
    newer["scopes"][0]["counts"][0]["points"][0]["note"] = "new"
    newer["quarters"][0]["months"] = ["April"]
    validate(newer)
    newer["schema_version"] = "3.0.0"  # a major version is still refused
    with pytest.raises(AssertionError):
        validate(newer)


def test_the_release_calendar_is_published_and_read_by_an_rfc_5545_parser(quarterly_sample: Path):
    import icalendar

    ics = (quarterly_sample / "calendar.ics").read_bytes()
    assert all(len(line) <= 75 for line in ics.split(b"\r\n")) and not re.search(rb"[^\r]\n", ics)
    cal = icalendar.Calendar.from_ical(ics)
    events = {str(e["UID"]).split("@")[0]: e for e in cal.walk("VEVENT")}
    config = load_config(quarterly_sample.parents[3] / "config.yaml")
    assert set(events) == set(config.releases.calendar)
    start = events["2025Q2"]["DTSTART"].dt
    assert start.isoformat() == "2025-08-13T22:00:00+00:00"  # 10:00 am in Aotearoa New Zealand (NZST)
    assert str(events["2025H1"]["SUMMARY"]).endswith("the half-year report, January–June 2025")
    listed = json.loads((quarterly_sample / "calendar.json").read_text(encoding="utf-8"))
    assert [r["period"] for r in listed["releases"]] == ["2025Q1", "2025Q2", "2025H1", "2025Q3", "2025Q4", "2025H2",
                                                         "2026Q1"]
    assert listed["releases"][1]["datetime"] == "2025-08-14T10:00:00+12:00"


# ---- in Chromium --------------------------------------------------------------------------------

TEXT_SIZES = """() => [...document.querySelectorAll('svg text')].filter(t => t.getClientRects().length)
  .map(t => { const svg = t.ownerSVGElement.getBoundingClientRect(), r = t.getBoundingClientRect();
    return [t.textContent, parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a,
            r.left >= svg.left - 0.5 && r.right <= svg.right + 0.5 && r.top >= svg.top - 0.5 && r.bottom <= svg.bottom + 0.5]; })"""


@pytest.mark.browser
def test_pages_pass_axe_and_show_no_text_over_text_at_desktop_and_phone_widths(browser, bundle: Path):
    problems = []
    for width in WIDTHS:
        context = axe_context(browser, viewport={"width": width, "height": 900})
        page = context.new_page()
        for path in sample_of_pages(bundle):
            page.goto(path.as_uri())
            violations = axe_violations(page)
            if violations:
                problems.append(f"{width} px {path.name}: {describe(violations)}")
            problems += [f"{width} px {path.name}: {p}" for p in page_overlaps(page)]
        context.close()
    assert problems == [], "\n".join(problems)


@pytest.mark.browser
def test_chart_text_is_at_least_12_px_and_inside_its_chart_at_390_and_1366(browser, bundle: Path):
    problems = []
    for width in WIDTHS:
        page = browser.new_page(viewport={"width": width, "height": 900})
        for path in sample_of_pages(bundle)[:4]:
            page.goto(path.as_uri())
            texts = page.evaluate(TEXT_SIZES)
            assert texts, (width, path.name)
            problems += [f"{width} px {path.name}: '{t}' at {size:.1f} px" for t, size, _ in texts if size < 12]
            problems += [f"{width} px {path.name}: '{t}' runs out of its chart" for t, _, inside in texts if not inside]
        page.close()
    assert problems == [], "\n".join(problems[:30])


def test_the_text_size_check_finds_a_chart_drawn_too_small(browser, quarterly_sample: Path):
    """Planted: the narrow charts hidden again (the wide one shown at 390 px, as before issue 27)."""
    page = browser.new_page(viewport={"width": 390, "height": 900})
    html = (quarterly_sample / "dashboard" / "index.html").read_text(encoding="utf-8")
    page.set_content(html.replace("</style>", ".chart-svg.wide { display: block !important; } "
                                              ".chart-svg.narrow { display: none !important; }</style>", 1))
    sizes = [size for _, size, _ in page.evaluate(TEXT_SIZES)]
    page.close()
    assert sizes and min(sizes) < 9  # 14-unit text on a 640-unit chart squeezed into 350 px


def printed(browser, path: Path, out: Path) -> list[str]:
    """The page printed by Chromium (its print stylesheet, A4): each page's text."""
    page = browser.new_page()
    page.goto(path.as_uri())
    page.emulate_media(media="print")
    page.pdf(path=str(out), format="A4", prefer_css_page_size=True)
    page.close()
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")


@pytest.mark.browser
def test_printed_each_chart_stays_with_its_heading_and_prints_its_data_table(browser, bundle: Path, tmp_path):
    problems = []
    for path in sample_of_pages(bundle)[:4]:
        html = path.read_text(encoding="utf-8")
        sheets = [" ".join(s.split()) for s in printed(browser, path, tmp_path / f"{path.stem}.pdf")]
        for figure in re.findall(r'<div class="dash-chart-unit">.*?<p class="chart-csv">', html, flags=re.S):
            title = " ".join(re.sub(r"<[^>]+>", "", re.search(r'class="chart-title">(.*?)</span>', figure).group(1)).split())
            where = [k for k, s in enumerate(sheets) if title[:60] in s]
            if not where:
                problems.append(f"{path.name}: '{title[:40]}' not printed")
                continue
            k = where[0]
            after = sheets[k].split(title[:60], 1)[1]
            ticks = re.findall(r'<text class="(?:tick|bar-label)"[^>]*>([^<]+)</text>', figure.split('class="chart-svg narrow"')[0])
            if not any(t in after for t in ticks[:3]):
                problems.append(f"{path.name}: '{title[:40]}' printed apart from its chart (page {k + 1})")
            table = re.search(r'<div class="print-only chart-data-print">.*?<tbody>(.*?)</tbody>', figure, flags=re.S)
            labels = re.findall(r'<th scope="row">([^<]+)</th>', table.group(1))
            printed_text = " ".join(sheets[k:k + 2])
            # every word of every row's label (a long label wraps in its cell, between the other columns)
            missing = [x for x in labels if not all(w in printed_text for w in x.split())]
            if missing:
                problems.append(f"{path.name}: the data table of '{title[:40]}' is not printed with it: {missing}")
        for k, sheet in enumerate(sheets[:-1]):  # no page ends with a section heading
            last = sheet.strip().rsplit("  ", 1)[-1].strip()
            if last and re.search(rf'<h2[^>]*>{re.escape(last)}</h2>', html):
                problems.append(f"{path.name}: page {k + 1} ends with the heading '{last}'")
    assert problems == [], "\n".join(problems)

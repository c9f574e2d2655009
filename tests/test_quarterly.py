"""The quarterly release on held-out data running to 2025Q4 (made by the test): `reportgen build
2025Q3` makes drafts and a guarded final with the dashboard data, pages and tables, no PDF; the data
validate against the schema; the pages pass axe in Chromium at 1280 and 375 px, work by keyboard and
without script, and fetch nothing outside the bundle; a quarter has the same values in its release and
in the 2025H2 report; a resubmission is marked R in the next release; and empty periods are refused."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from reportgen.build import build
from reportgen.core.config import load_config
from reportgen.core.periods import Period
from reportgen.inputs.sample_data import generate

from .browser import axe_context, axe_violations, describe
from .conftest import cli_in_process, copy_project, record_reviews
from .test_dashboard import validate

pytestmark = pytest.mark.slow
EPOCH = {"SOURCE_DATE_EPOCH": "1767225600"}  # 2026-01-01


def cli(root: Path, *args: str) -> subprocess.CompletedProcess:
    """``reportgen ARGS`` in this process (what the command does is under test here, not the process)."""
    return cli_in_process(*args, cwd=root, epoch=EPOCH["SOURCE_DATE_EPOCH"])


def rows(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = copy_project(tmp_path_factory.mktemp("quarterly") / "project", data=False)
    generate(root / "data", members=16, quarters=10, last="2025Q4", seed=97)
    h2 = root / "narratives" / "2025H2"
    shutil.copytree(root / "narratives" / "2025H1", h2)
    for story in (h2 / "stories").glob("*.yaml"):  # stories stay with their own period
        story.unlink()
    report = h2 / "report.yaml"
    report.write_text(report.read_text(encoding="utf-8").replace("[[check ", "[[ignored "), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def q3_final(project) -> Path:
    record_reviews(project, "2025Q3")  # the Māori data review a final needs (issue 27)
    r = cli(project, "build", "2025Q3", "--final", "-q")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("Built 2025Q3 final: output/2025Q3/final/dashboard/index.html")
    return project / "output" / "2025Q3" / "final"


def test_a_quarterly_draft_has_pages_data_and_tables_and_no_pdf(project):
    r = cli(project, "build", "2025Q3", "-q")
    assert r.returncode == 0, r.stderr
    out = project / "output" / "2025Q3" / "latest"
    names = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert {"dashboard.json", "dashboard.schema.json", "revisions.csv", "manifest.json", "tables/clients.csv",
            "dashboard/index.html", "dashboard/not-published.html", "dashboard/dashboard.js"} <= names
    assert not [n for n in names if n.endswith(".pdf")]
    assert any(n.startswith("dashboard/regions/") for n in names)
    again = cli(project, "build", "2025Q3", "-q")
    assert again.returncode == 0 and again.stdout.startswith("No input changed since draft 1")


def test_the_final_validates_and_its_release_is_the_quarter(q3_final):
    dash = json.loads((q3_final / "dashboard.json").read_text(encoding="utf-8"))
    validate(dash)
    assert dash["release"] == {"period": "2025Q3", "kind": "quarter", "label": "July–September 2025",
                               "latest_quarter": "2025Q3"}
    assert dash["quarters"][-1]["code"] == "2025Q3"  # nothing after the quarter released
    html = (q3_final / "dashboard" / "index.html").read_text(encoding="utf-8")
    assert "DRAFT" not in html and "July–September 2025" in html
    assert 'src="http' not in html and "file://" not in html
    import re  # the one link out is the licence's own page (issue 27: every page names its licence)

    assert {h for h in re.findall(r'href="(https?://[^"]*)"', html)} == {"https://creativecommons.org/licenses/by/4.0/"}


def test_each_chart_has_its_table_and_a_csv_of_exactly_what_it_shows(q3_final):
    import re

    html = (q3_final / "dashboard" / "index.html").read_text(encoding="utf-8")
    charts = re.findall(r'<figure class="dash-chart" id="chart-([^"]+)".*?</figure>', html, flags=re.S)
    assert len(charts) == 3
    for chart_id in charts:  # the figure, then its data table (folded on screen, printed in print) and its CSV
        block = html[html.index(f'id="chart-{chart_id}"'):]
        block = block[:block.index("</p>", block.index('class="chart-csv"'))]
        block = block.split('class="print-only chart-data-print"')[0] + block[block.index('class="chart-csv"'):]
        assert '<svg' in block and 'role="img"' in block and "<desc" in block and "<table>" in block
        href = re.search(r'<a href="([^"]+\.csv)" download>', block).group(1)
        data = rows((q3_final / "dashboard" / href).read_bytes())
        table = re.findall(r"<tr><th scope=\"row\">([^<]+)</th><td>([^<]*)</td>", block)
        # the same quarters and values (the page writes 5,154 P; the CSV 5154 with the flag in its column)
        assert [(r["Quarter"], r[list(r)[1]]) for r in data] == \
            [(q, v.split("\u00a0")[0].replace(",", "")) for q, v in table]


def test_pages_pass_axe_by_keyboard_without_script_and_fetch_nothing_outside(q3_final, browser):
    pages = sorted(q3_final.joinpath("dashboard").rglob("*.html"))
    assert len(pages) >= 4
    bundle = q3_final.resolve().as_uri()
    for width in (1280, 375):  # one page per width, every dashboard page opened in it in turn
        context = axe_context(browser, viewport={"width": width, "height": 900})
        page = context.new_page()
        outside: list[str] = []
        page.on("request", lambda req: outside.append(req.url) if not req.url.startswith((bundle, "data:"))
                else None)
        for path in pages:
            page.goto(path.as_uri())
            page.wait_for_load_state("load")
            violations = axe_violations(page)
            assert not violations, (path.name, width, describe(violations))
            assert page.evaluate("document.documentElement.scrollWidth") <= width, (path.name, width)
            assert outside == [], (path.name, width, outside)
        context.close()
    # keyboard only: the skip link first, then into the page; the region picker (script) goes to a region
    page = browser.new_page()
    page.goto((q3_final / "dashboard" / "index.html").as_uri())
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.focus("#region-select")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "region-go"
    page.keyboard.press("Enter")
    page.wait_for_url("**/regions/*.html")
    page.close()
    # without script every page still shows its figures and its region links (the picker stays hidden)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto((q3_final / "dashboard" / "index.html").as_uri())
    assert page.locator(".region-picker").is_hidden() and page.locator(".region-links a").count() >= 3
    assert page.locator(".fig-value").count() == 3
    context.close()


def test_the_quarter_has_the_same_values_in_the_half_year_report(project, q3_final, monkeypatch):
    """The 2025H2 report's tables, made in this process as its build makes them (no PDF is read)."""
    from reportgen.charts import ChartCache, chart_cache_dir
    from reportgen.datafiles.tables import table_files
    from reportgen.publication import publication_for

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH["SOURCE_DATE_EPOCH"])
    config = load_config(project / "config.yaml")
    publication, run = publication_for(config, Period.parse("2025H2"), charts=ChartCache(chart_cache_dir(config)))
    assert publication is not None, [f.format() for f in run.findings if f.is_error]
    h2, _ = table_files(publication.store, publication.metrics, config, publication.period)
    quarter = {(r["scope"], r["measure"], r["dimension"], r["category"]): (r["value"], r["symbol"])
               for r in rows((q3_final / "tables" / "clients_by_need.csv").read_bytes()) if r["period"] == "2025Q3"}
    report = {(r["scope"], r["measure"], r["dimension"], r["category"]): (r["value"], r["symbol"])
              for r in rows(h2["tables/clients_by_need.csv"]) if r["period"] == "2025Q3"}
    assert quarter and quarter == report
    for name in ("sessions.csv", "staff_hours.csv", "clients_by_age_band.csv"):
        a = [r for r in rows((q3_final / "tables" / name).read_bytes()) if r["period"] == "2025Q3"]
        b = [r for r in rows(h2[f"tables/{name}"]) if r["period"] == "2025Q3"]
        assert [(r["scope"], r["category"], r["value"], r["symbol"]) for r in a] == \
            [(r["scope"], r["category"], r["value"], r["symbol"]) for r in b], name


def test_a_resubmission_is_marked_revised_in_the_next_release(project, q3_final, tmp_path):
    root = tmp_path / "project"
    shutil.copytree(project, root, ignore=shutil.ignore_patterns(".reportgen-cache"), symlinks=True)
    before = {p.relative_to(root / "output" / "2025Q3").as_posix(): p.read_bytes()
              for p in (root / "output" / "2025Q3").rglob("*") if p.is_file()}
    sub = sorted((root / "data" / "submissions" / "2025Q3").glob("*.csv"))[0]
    lines = sub.read_text(encoding="utf-8").split("\n")
    for i, line in enumerate(lines):
        cells = line.split(",")
        if len(cells) > 6 and cells[3] == "sessions" and cells[4] in ("total", "service_type") and \
                (cells[4] == "total" or cells[5] == "not_stated"):
            cells[6] = str(int(cells[6]) + 300)
            lines[i] = ",".join(cells)
    sub.write_text("\n".join(lines), encoding="utf-8")
    org, region = sub.stem, next(line.split(",")[2] for line in lines[1:] if line)
    record_reviews(root, "2025Q4")
    r = cli(root, "build", "2025Q4", "--final", "-q")
    assert r.returncode == 0, r.stderr
    q4 = root / "output" / "2025Q4" / "final"
    revised = rows((q4 / "revisions.csv").read_bytes())
    assert {(x["scope"], x["period"], x["measure"], x["dimension"]) for x in revised} >= {
        ("NZ", "2025Q3", "sessions", "total"), (region, "2025Q3", "sessions", "total")}
    assert all(x["previous_release"] == "2025Q3/releases/1" and x["previous"] != x["now"] for x in revised)
    sessions = {(x["scope"], x["period"]): x for x in rows((q4 / "tables" / "sessions.csv").read_bytes())}
    assert "R" in sessions[("NZ", "2025Q3")]["flag"].split() and "R" not in sessions[("NZ", "2025Q2")]["flag"].split()
    dash = json.loads((q4 / "dashboard.json").read_text(encoding="utf-8"))
    validate(dash)
    nz = next(s for s in dash["scopes"] if s["code"] == "NZ")
    point = next(p for c in nz["counts"] if c["measure"] == "sessions" and c["dimension"] == "total"
                 for p in c["points"] if p["period"] == "2025Q3")
    assert "R" in point["flags"]
    after = {p.relative_to(root / "output" / "2025Q3").as_posix(): p.read_bytes()
             for p in (root / "output" / "2025Q3").rglob("*") if p.is_file()}
    assert after == before  # the earlier release is untouched
    assert org  # the resubmitted member's file


@pytest.mark.parametrize("period,code", [("2023Q1", "data.period-empty"), ("2026Q3", "data.period-empty"),
                                         ("2099Q1", "usage")])
def test_a_period_without_data_is_refused(project, period, code):
    r = cli(project, "build", period, "-q")
    if code == "usage":
        assert r.returncode == 2 and "has not ended yet" in r.stderr
    else:
        assert r.returncode == 1 and f"[{code}]" in r.stderr and "Traceback" not in r.stderr
        assert not (project / "output" / period).exists()


def test_a_half_year_missing_a_quarter_is_refused(tmp_path):
    root = copy_project(tmp_path / "project", data=False)
    generate(root / "data", members=12, quarters=9, last="2025Q3", seed=5)  # no 2025Q4 at all
    shutil.copytree(root / "narratives" / "2025H1", root / "narratives" / "2025H2")
    result = build(load_config(root / "config.yaml"), Period.parse("2025H2"))
    hits = [f for f in result.findings if f.code == "data.period-empty"]
    assert hits and "2025Q4, a quarter of 2025H2" in hits[0].message and not result.ok

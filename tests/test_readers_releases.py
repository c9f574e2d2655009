"""Governed and embargoed releases (issue 27), on a small generated project taken through a release:

- the final refuses until its review (the Māori data review) is recorded, with who and when, for the
  items the release has — and again once something it covered changes;
- every draft writes the review pack; ``reportgen review`` says what each review covers and records one;
- the methodology says how the data were governed, before and after the review;
- an embargoed copy is the final's content with "EMBARGOED until …" and its number and recipient
  stamped on every page, in a folder of its own, and the log records who received which copy;
- a final followed by a half-year build makes no empty draft ("Nothing published changed");
- once a half-year report is released, the quarterly dashboard offers its PDF among the downloads.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import subprocess
from pathlib import Path

import pikepdf
import pytest
import yaml

from reportgen.build import build
from reportgen.core.config import load_config
from reportgen.core.periods import Period

from .conftest import cli_in_process, small_project

pytestmark = pytest.mark.slow
H1, Q2 = Period.parse("2025H1"), Period.parse("2025Q2")
PENDING = "narratives/2025H1/stories/starting-over-in-otautahi.yaml"
MINISTER = "Office of the Minister for Social Development"
COMMITTEE = "Social Services and Community Committee"


def pdf_pages_text(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return [" ".join(p.split()) for p in text.split("\f") if p.strip()]


def methodology(html: str) -> str:
    part = html.split("How the data were governed</h3>", 1)[1].split("<h3", 1)[0]
    return " ".join(re.sub(r"<[^>]+>", "", part).replace("&#39;", "'").split())


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> dict:
    """One small project taken through a governed release; every step's result kept for the tests (with
    one SOURCE_DATE_EPOCH throughout, as a reproducible release is made)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", "1751328000")
        return _release(tmp_path_factory)


def command(root: Path, *args: str):
    """``reportgen ARGS`` in this process, in the project's folder (conftest.cli_in_process)."""
    return cli_in_process(*args, cwd=root)


def _release(tmp_path_factory) -> dict:
    from reportgen.publication import publication_for

    root = small_project(tmp_path_factory.mktemp("governed") / "project", final=True)
    (root / PENDING).unlink()  # the sample's story waiting for consent: its own test is test_final.py
    config = load_config(root / "config.yaml")
    steps: dict = {"root": root}
    steps["refused"] = build(config, H1, final=True)
    steps["status"] = command(root, "review", "2025H1")
    publication, _ = publication_for(config, H1)
    steps["not_reviewed"] = publication.documents[0].governance
    steps["record"] = command(root, "review", "2025H1", "--record", "maori-data", "--by", "Aroha Te Whata",
                              "--role", "Chair, Māori data advisory rōpū")
    steps["copy1"] = command(root, "build", "2025H1", "--embargo", "2025-09-15", "--to", MINISTER)
    config = load_config(root / "config.yaml")
    steps["copy2"] = build(config, H1, embargo=(dt.datetime.fromisoformat("2025-09-15T10:00:00+12:00"), COMMITTEE))
    steps["final"] = build(config, H1, final=True)
    steps["draft"] = build(config, H1)
    steps["revision"] = build(config, H1, final=True, revision="the same figures, released again")
    steps["nothing"] = command(root, "build", "2025H1", "-q")
    steps["quarter"] = build(config, Q2)
    return steps


def test_the_final_is_refused_until_its_review_is_recorded(release):
    refused = release["refused"]
    errors = [f for f in refused.findings if f.is_error]
    assert [f.code for f in errors] == ["final.review-missing"]
    f = errors[0]
    assert re.fullmatch(r"the final of 2025H1 needs its Māori data review \(every table and sentence about Māori: "
                        r"\d+ items\), and none is recorded", f.message), f.message
    assert f.file == "reviews/2025H1.yaml"
    assert f.hint.endswith('then: reportgen review 2025H1 --record maori-data --by "NAME"')
    assert "output/2025H1/internal/reviews/maori-data.html" in f.hint
    assert refused.out_dir is None  # nothing written


def test_review_says_what_each_review_covers_and_records_who_and_when(release):
    status = release["status"]
    assert status.returncode == 0, status.stderr
    lines = status.stdout.splitlines()
    assert re.fullmatch(r"Māori data review \(maori-data, needed for the final\): every table and sentence about "
                        r"Māori, (\d+) items", lines[0]), lines[0]
    assert lines[1] == "  not recorded"
    record = release["record"]
    assert record.returncode == 0, record.stderr
    assert record.stdout.startswith("Recorded the Māori data review of 2025H1: by Aroha Te Whata (Chair, Māori data "
                                    "advisory rōpū), ")
    saved = yaml.safe_load((release["root"] / "reviews/2025H1.yaml").read_text(encoding="utf-8"))
    assert [r["review"] for r in saved] == ["maori-data"] and saved[0]["by"] == "Aroha Te Whata"
    assert saved[0]["at"].endswith(("+12:00", "+13:00")) and len(saved[0]["digest"]) == 64
    assert saved[0]["items"] == int(re.search(r"(\d+) items", lines[0]).group(1)) > 0


def test_every_draft_writes_the_review_pack_and_says_whether_the_review_is_done(release):
    pack = release["root"] / "output/2025H1/internal/reviews"
    rows = (pack / "maori-data.csv").read_text(encoding="utf-8-sig").splitlines()
    assert rows[0] == "where,item" and len(rows) > 20
    assert any("ethnicity" in r and "maori" in r for r in rows)  # the tables' rows about Māori
    assert any("Māori" in r and "chart" in r for r in rows)  # a chart's words
    assert "Recorded by Aroha Te Whata" in (pack / "maori-data.html").read_text(encoding="utf-8")
    said = " ".join(release["not_reviewed"]).replace("\u00a0", " ")  # before the review was recorded
    assert said.startswith("Māori data review: every table and sentence about Māori in this report (")
    assert "following Te Mana Raraunga's principles of Māori data sovereignty, the CARE principles for Indigenous " \
           "data governance and Ngā Tikanga Paihere" in said
    assert said.endswith("This draft has not yet been reviewed.")
    html = (release["root"] / "output/2025H1/drafts/1/report.html").read_text(encoding="utf-8")
    assert '<span lang="mi">Ngā Tikanga Paihere</span>' in html and "Reviewed by Aroha Te Whata" in methodology(html)


def test_the_final_names_its_review_in_the_methodology(release):
    final = release["final"]
    assert final.ok, [f.format() for f in final.findings if f.is_error]
    html = (release["root"] / "output/2025H1/final/report.html").read_text(encoding="utf-8")
    said = methodology(html)
    assert said.startswith("Māori data review: before release, every table and sentence about Māori in this report")
    assert re.search(r"Reviewed by Aroha Te Whata \(Chair, Māori data advisory rōpū\) on \d+ \w+ \d{4}\.$", said), said
    assert "Aroha Te Whata" in " ".join(pdf_pages_text(release["root"] / "output/2025H1/final/report.pdf"))


def test_an_embargoed_copy_is_stamped_on_every_page_and_logged(release):
    root = release["root"]
    cli = release["copy1"]
    assert cli.returncode == 0, cli.stderr
    assert f"Built 2025H1 embargoed copy 1 for {MINISTER}: output/2025H1/embargoed/1/report.pdf" in cli.stdout
    assert "logged in output/2025H1/internal/embargo-log.json" in cli.stdout
    assert release["copy2"].ok and release["copy2"].draft == 2
    for n, to in ((1, MINISTER), (2, COMMITTEE)):
        folder = root / f"output/2025H1/embargoed/{n}"
        pdfs = [folder / "report.pdf", *sorted((folder / "briefs").glob("*.pdf"))]
        assert len(pdfs) >= 2
        for pdf in pdfs:
            pages = pdf_pages_text(pdf)
            with pikepdf.open(pdf) as doc:
                assert len(pages) == len(doc.pages)
            for k, text in enumerate(pages, start=1):
                assert "EMBARGOED until 10:00 am, 15 September 2025 (New Zealand time)" in text, (pdf.name, k)
                assert f"Embargoed copy {n} for {to}" in text, (pdf.name, k)
        for html in [folder / "report.html", *sorted((folder / "briefs").glob("*.html"))]:
            assert 'class="embargo-banner"' in html.read_text(encoding="utf-8"), html.name
        note = json.loads((folder / "EMBARGO.json").read_text(encoding="utf-8"))
        assert note["copy"] == n and note["to"] == to and note["embargoed_until"] == "2025-09-15T10:00:00+12:00"
    log = json.loads((root / "output/2025H1/internal/embargo-log.json").read_text(encoding="utf-8"))["copies"]
    assert [(c["copy"], c["to"]) for c in log] == [(1, MINISTER), (2, COMMITTEE)]
    for c in log:
        folder = root / "output" / c["folder"]
        assert c["files"] and all(hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest
                                  for name, digest in c["files"].items())
    csv_log = (root / "output/2025H1/internal/embargo-log.csv").read_text(encoding="utf-8-sig").splitlines()
    assert csv_log[0] == "copy,to,embargoed_until,made,folder,inputs" and len(csv_log) == 3
    assert not list((root / "output").glob("*/embargoed/*/internal"))  # the log is staff's, never in a copy
    # the copy is what the final would be: the same figures, without the draft's marks
    final_tables = (root / "output/2025H1/final/tables/clients.csv").read_bytes()
    assert (root / "output/2025H1/embargoed/1/tables/clients.csv").read_bytes() == final_tables


def test_an_embargo_needs_a_date_and_a_recipient(release):
    root = release["root"]
    for args, message in ((["--embargo", "next Tuesday", "--to", MINISTER], "is not a date and time"),
                          (["--embargo", "2025-09-15T10:00"], "--embargo UNTIL and --to RECIPIENT go together"),
                          (["--embargo", "2025-09-15", "--to", MINISTER, "--final"], "leave out --final")):
        r = command(root, "build", "2025H1", *args)
        assert r.returncode == 2 and message in r.stderr, (args, r.stderr)


def test_a_final_then_a_build_with_nothing_published_changed_makes_no_empty_draft(release):
    assert release["draft"].draft == 1 and release["revision"].ok
    r = release["nothing"]
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("Nothing published changed since draft 1 (only the release log did: a final was made "
                               "since): no new draft.")
    assert sorted(p.name for p in (release["root"] / "output/2025H1/drafts").iterdir()) == ["1"]
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", "1751328000")
        again = command(release["root"], "build", "2025H1", "-q")  # remembered: nothing is gathered again
    assert again.stdout.startswith("No input changed since draft 1")


def test_the_quarterly_dashboard_offers_the_released_report(release):
    quarter = release["quarter"]
    assert quarter.ok
    out = quarter.out_dir / "dashboard"
    offered = out / "downloads" / "report-2025H1.pdf"
    final = release["root"] / "output/2025H1/releases/2/report.pdf"
    assert offered.read_bytes() == final.read_bytes()
    page = (out / "downloads.html").read_text(encoding="utf-8")
    assert 'href="downloads/report-2025H1.pdf"' in page and "The half-year report, January–June 2025" in page


def test_a_review_goes_out_of_date_when_what_it_covered_changes(release, tmp_path):
    import shutil

    root = tmp_path / "project"
    shutil.copytree(release["root"], root, ignore=shutil.ignore_patterns("output", ".reportgen-cache"))
    report = root / "narratives/2025H1/report.yaml"
    text = report.read_text(encoding="utf-8")
    assert "Māori" in text
    report.write_text(text.replace("Māori", "Māori (tangata whenua)", 1), encoding="utf-8")
    refused = build(load_config(root / "config.yaml"), H1, final=True)
    errors = [f for f in refused.findings if f.is_error]
    assert [f.code for f in errors] == ["final.review-out-of-date"]
    assert errors[0].message.startswith("the Māori data review recorded by Aroha Te Whata on ")
    assert not (root / "output" / "2025H1" / "final").exists()

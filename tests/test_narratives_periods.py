"""Narratives belong to their period: period words and dates in the text, the release date (not before the
period's end, nor before its data close) and the next release are held to the period built; a copy from
another period is reported at every place it shows; `reportgen new report --from` starts a period from the
previous one with those parts cleared."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest

from reportgen.core.config import IntakeSettings, PeriodDates, load_config
from reportgen.core.periods import Period
from reportgen.narratives import load_narratives
from reportgen.narratives.periods import release_findings, scan

from .conftest import REPO, cli_as_user
from .narratives_support import write

H1, H2 = Period.parse("2025H1"), Period.parse("2025H2")


def words(text: str, period: Period, **kw) -> list[tuple[str, str]]:
    return [(p.code, p.fragment) for p in scan(text, 0, len(text), period, field=kw.pop("field", "text"), **kw)]


@pytest.mark.parametrize("text,period,found", [
    ("What our members saw in the first half of 2025", H1, []),
    ("What our members saw in the first half of 2025", H2, [("period.other-period", "first half of 2025")]),
    ("Figures for April–June, when one member could not send.", H1, []),
    ("Figures for April–June, when one member could not send.", H2, [("period.no-year", "April–June")]),
    ("The fund closed in March.", H2, [("period.no-year", "March")]),
    ("The fund closed in March 2025.", H2, []),
    ("In the first half of 2025 members saw more people.", H2, [("period.other-period", "first half of 2025")]),
    ("Against the first half of 2025, members saw more people.", H2, []),  # a comparison
    ("Housing need stepped up in July–September 2024.", H2, []),  # a quarter before the period, named in full
    ("By September 2025 the queue had doubled.", H1, [("period.after-period", "September 2025")]),
    ("The next report, for July–December 2025, is due in March 2026.", H1, []),  # the next release
    ("In 2026 we expect more.", H1, [("period.after-period", "2026")]),
    ("Q2 2025 was the quietest quarter.", H2, []),
    ("H1 2025 was quiet.", H2, [("period.other-period", "H1 2025")]),
    ("Members may report late in May 2025.", H1, []),  # "may": not a month
    ("In {{ period }} members saw more people.", H2, []),
])
def test_period_words_are_held_to_the_period(text, period, found):
    assert words(text, period) == found


def test_a_titles_half_year_must_be_the_reports_own():
    assert words("Who we support: the second half of 2024", H1, field="title") == [
        ("period.other-period", "second half of 2024")]


def test_a_story_is_read_only_for_explicit_period_labels():
    assert words("In March she lost her job; by April–June she had a home.", H2, story=True) == []
    assert words("In the first half of 2026 she found work.", H2, story=True) == [
        ("period.other-period", "first half of 2026")]


# ---- the release date and the next release ---------------------------------------------------------------

def release(tmp_path: Path, period: Period, *, publication_date: str | None, final: bool = False, **changes):
    config = load_config(REPO / "config.yaml")
    intake = changes.pop("intake", None)
    calendar = changes.pop("calendar", None)
    releases = config.releases.model_copy(update={"calendar": {**config.releases.calendar, **calendar}}) \
        if calendar else config.releases
    config = config.model_copy(update={"publication": config.publication.model_copy(update=changes),
                                       "releases": releases, **({"intake": intake} if intake else {})})
    report = "title: T\npublisher: P\nsummary: S\n" + (f"publication_date: {publication_date}\n"
                                                         if publication_date else "")
    folder = write(tmp_path, {"report.yaml": report})
    if period != H1:
        folder = folder.rename(folder.parent / str(period))
    narr = load_narratives(folder, tmp_path, config=config)
    return [(f.code, "config.yaml" if f.file == config.source else f.file, f.line, f.severity, f.message)
            for f in release_findings(narr, config, period, final=final)]


def test_the_samples_dates_are_right_for_its_period(tmp_path):
    assert release(tmp_path, H1, publication_date="2025-09-15") == []


def test_a_release_dated_before_the_period_ends_is_reported_where_the_date_is(tmp_path):
    got = release(tmp_path, H2, publication_date="2025-09-15", release_date=None, next_release=None)
    assert got == [("period.publication-date", "narratives/2025H2/report.yaml", 4, "warning",
                    "the publication date is 15 September 2025, but July–December 2025 ends on 31 December 2025: a "
                    "report cannot come out before its period is over")]
    # the release calendar's date for the period (config releases.calendar), and a next release in config
    got = release(tmp_path / "b", H2, publication_date=None, final=True, next_release="March 2026 (July–December 2025)",
                  calendar={"2025H2": dt.date(2025, 12, 1)})
    calendar_line = next(i for i, line in enumerate((REPO / "config.yaml").read_text(encoding="utf-8").splitlines(), 1)
                         if line.strip().startswith("2025H2:"))
    publication_line = (REPO / "config.yaml").read_text(encoding="utf-8").splitlines().index("publication:") + 1
    assert [(c, f, line, s) for c, f, line, s, _ in got] == [
        ("period.publication-date", "config.yaml", calendar_line, "error"),
        ("period.next-release", "config.yaml", publication_line + 1, "error")]  # the key is not in the file: its section
    assert got[0][4].startswith("the release calendar's date for 2025H2 is 1 December 2025, but July–December 2025 "
                                "ends on 31 December 2025")
    assert got[1][4] == ("the next release is said to be for July–December 2025, but the release after "
                         "July–December 2025 is for January–June 2026")


def test_a_release_before_the_data_close_is_reported(tmp_path):
    closes = IntakeSettings(calendar={"2025Q2": PeriodDates(opens=dt.date(2025, 7, 1), due=dt.date(2025, 7, 31),
                                                             closes=dt.date(2025, 9, 30))})
    got = release(tmp_path, H1, publication_date=None, intake=closes, next_release=None)
    assert got == [("period.publication-date", "config.yaml", 36, "warning",
                    "the release calendar's date for 2025H1 is 15 September 2025, before the data close on "
                    "30 September 2025 (intake.calendar)")]
    assert (REPO / "config.yaml").read_text(encoding="utf-8").splitlines()[35].strip() == "2025H1: 2025-09-15"


def test_a_next_release_not_after_this_one_is_reported(tmp_path):
    got = release(tmp_path, H1, publication_date=None, next_release="August 2025")
    assert [m for *_, m in got] == ["the next release is said to come in August 2025, which is not after this release "
                                    "(15 September 2025)"]


# ---- reportgen new report --from ---------------------------------------------------------------------------

def reportgen(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return cli_as_user(*args, cwd=cwd)  # in this process: what the command writes and prints is tested


def test_new_starts_a_period_from_the_previous_one_with_its_period_parts_cleared(tmp_path):
    shutil.copy(REPO / "config.yaml", tmp_path / "config.yaml")
    shutil.copytree(REPO / "narratives" / "2025H1", tmp_path / "narratives" / "2025H1")
    r = reportgen(tmp_path, "new", "report", "--period", "2025H2", "--from", "2025H1")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("Wrote narratives/2025H2/report.yaml, narratives/2025H2/regions/AKL.yaml, "
                               "narratives/2025H2/regions/CAN.yaml: from 2025H1")
    text = (tmp_path / "narratives" / "2025H2" / "report.yaml").read_text(encoding="utf-8")
    assert "subtitle: What our members saw in {{ period }}\n" in text
    assert "\npublication_date: null  # cleared by reportgen new" in text and "2025-09-15" not in text
    assert text.startswith("# The national report for July–December 2025.")
    assert not (tmp_path / "narratives" / "2025H2" / "stories").exists()
    # what is left for the editor: each period word that does not belong to July–December 2025, at its line
    listed = [line.split(": warning")[0] for line in r.stdout.splitlines() if ": warning:" in line]
    assert listed, r.stdout
    assert all(x.startswith("narratives/2025H2/") for x in listed)
    assert "January–March without a year" in r.stdout and "names March without a year" in r.stdout
    # the new narratives load; a second run never overwrites them
    narr = load_narratives(tmp_path / "narratives" / "2025H2", tmp_path, load_config(tmp_path / "config.yaml"))
    assert narr.report is not None and narr.report.publication_date is None
    again = reportgen(tmp_path, "new", "report", "--period", "2025H2", "--from", "2025H1")
    assert again.returncode == 1 and "[scaffold.exists]" in again.stderr


def test_new_from_a_period_without_a_report_says_so(tmp_path):
    shutil.copy(REPO / "config.yaml", tmp_path / "config.yaml")
    r = reportgen(tmp_path, "new", "report", "--period", "2025H2", "--from", "2024H2")
    assert r.returncode == 1 and "narratives/2024H2/report.yaml does not exist" in r.stderr
    assert "[scaffold.no-source]" in r.stderr

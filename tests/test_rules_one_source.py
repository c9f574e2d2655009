"""Issue 22: every disclosure number is read from the config wherever it acts or is stated.

A project with a rounding base of 5 and a suppression threshold of 10 (not the defaults, 3 and 6)
is gathered for a half-year and a quarter; every published count, the audit's proofs, the
independent checker and every sentence of the report, the briefs, the workbook, the dashboard's
pages and the members' reports agree with those numbers, and none states the defaults.
"""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from reportgen.core.config import load_config
from reportgen.core.periods import Period
from reportgen.datafiles.tables import table_files
from reportgen.disclosure.audit import audit_bundle
from reportgen.documents.documents import render
from reportgen.member_reports.files import render_member
from reportgen.publication import publication_for

from .conftest import REPO, small_project

BASE, THRESHOLD = 5, 10
# what the default rules (base 3, counts of 1 to 5) would make a sentence say
DEFAULT_WORDS = re.compile(r"multiple of 3\b|base 3\b|1 to 5\b|1–5\b|more than 2 from|within 2\b")


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = small_project(tmp_path_factory.mktemp("rules") / "p", members=8)
    path = root / "config.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("rounding_base: 3", f"rounding_base: {BASE}").replace("suppress_below: 6",
                                                                              f"suppress_below: {THRESHOLD}")
    path.write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def half(project):
    config = load_config(project / "config.yaml")
    publication, run = publication_for(config, Period.parse("2025H1"))
    assert publication is not None, [f.format() for f in run.findings if f.is_error]
    files, _ = table_files(publication.store, publication.metrics, config, publication.period)
    return config, publication, files


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_every_count_is_a_multiple_of_the_configured_base_and_the_audit_proves_it(half, project):
    config, publication, files = half
    counts = 0
    for name, data in files.items():
        if name.endswith(".csv"):
            for row in csv.DictReader(io.StringIO(data.decode("utf-8-sig"))):
                if row["unit"] == "count" and row["value"]:
                    counts += 1
                    assert int(row["value"]) % BASE == 0, (name, row)
    assert counts > 1000
    disclosure, problems = audit_bundle(publication.store, publication.metrics, config, files)
    assert problems == [] and all(p["holds"] for p in disclosure["proofs"].values()), disclosure["proofs"]
    # the independent checker, told the project's config, agrees; told the defaults, it does not
    tables = project / "tables"
    tables.mkdir(exist_ok=True)
    for name, data in files.items():
        if name.startswith("tables/") and name.endswith(".csv"):
            (tables / name.removeprefix("tables/")).write_bytes(data)
    script = [sys.executable, str(REPO / "scripts" / "verify_published.py"), str(project / "data" / "submissions"),
              str(tables)]
    ok = subprocess.run(script + ["--config", str(project / "config.yaml")], capture_output=True, text=True)
    assert ok.returncode == 0 and "all pass" in ok.stdout, ok.stdout[-1500:]
    default = subprocess.run(script, capture_output=True, text=True)
    assert default.returncode == 1 and "is not a multiple of 3" in default.stdout


def test_the_audit_fails_a_count_further_from_raw_than_the_base_allows(half):
    config, publication, files = half
    store = publication.store
    grid = store._grid
    i = int(((grid["symbol"] == "") & (grid["kind"] == "count") & (grid["raw"] > 50)).to_numpy().argmax())
    before = grid.at[i, "value"]
    try:
        grid.at[i, "value"] = grid.at[i, "raw"] - (grid.at[i, "raw"] % BASE) - BASE  # a multiple, too far
        disclosure, problems = audit_bundle(store, publication.metrics, config, {})
        assert disclosure["proofs"]["within_rounding_of_raw"]["violations"] == 1 and problems
    finally:
        grid.at[i, "value"] = before


def test_every_sentence_states_the_configured_rules(half):
    config, publication, files = half
    texts = {context.name: _text(render(config, context).html) for context in publication.documents}
    report = texts["report"]
    assert f"randomly rounded to a multiple of {BASE}" in report and f"never more than {BASE - 1} from" in report
    assert f"Counts of 1 to {THRESHOLD - 1} are suppressed" in report
    with zipfile.ZipFile(io.BytesIO(files["tables/tables.xlsx"])) as z:
        sheets = " ".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))
    assert f"randomly rounded to base {BASE}" in sheets and f"multiple of {BASE}" in sheets
    texts["tables.xlsx"] = sheets
    members = publication.members
    assert members
    for context in members[:3]:
        html = _text(render_member(config, context, final=False).html)
        assert f"randomly rounded to a multiple of {BASE}" in html
        texts[context.name] = html
    for name, text in texts.items():
        assert not DEFAULT_WORDS.search(text), (name, DEFAULT_WORDS.search(text).group(0))


def test_the_quarterly_pages_state_the_configured_rules(project):
    config = load_config(project / "config.yaml")
    publication, run = publication_for(config, Period.parse("2025Q2"))
    assert publication is not None, [f.format() for f in run.findings if f.is_error]
    pages = {context.name: _text(render(config, context).html) for context in publication.documents}
    assert all(f"Counts are randomly rounded to a multiple of {BASE}" in t for t in pages.values())
    assert f"counts of 1 to {THRESHOLD - 1}" in pages["dashboard/index"]
    assert "fewer than three member organisations" in pages["dashboard/not-published"]
    for name, text in pages.items():
        assert not DEFAULT_WORDS.search(text), (name, DEFAULT_WORDS.search(text).group(0))

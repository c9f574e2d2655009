"""Issue 23: the audit's proofs over the whole bundle hold on the sample, and each fails — stopping the
build — when its breach is planted: a derived figure not made from the published counts, a published
cell one member dominates, a like-for-like change that narrows a count for the member left out of it,
margins that pin a count, and a cell an earlier release published differently without R."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest

from reportgen.core.config import load_config
from reportgen.core.periods import Period
from reportgen.datafiles.tables import table_files
from reportgen.disclosure import confidentiality
from reportgen.disclosure.audit import audit_bundle
from reportgen.disclosure.confidentiality import PublishedStore
from reportgen.publication import figures_for

from .conftest import copy_project

H1 = Period.parse("2025H1")


def bundle(root: Path):
    config = load_config(root / "config.yaml")
    store, metrics, run = figures_for(config, H1)
    assert store is not None, [f.format() for f in run.findings if f.is_error]
    files, _ = table_files(store, metrics, config, H1)
    return config, store, metrics, files


def failing(config, store, metrics, files) -> dict[str, int]:
    disclosure, findings = audit_bundle(store, metrics, config, files)
    failed = {name: p["violations"] for name, p in disclosure["proofs"].items() if not p["holds"]}
    assert bool(failed) == bool(findings) and all(f.code == "audit.failed" for f in findings)
    return failed


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    return copy_project(tmp_path_factory.mktemp("proofs") / "project")


@pytest.fixture(scope="module")
def clean(sample):
    return bundle(sample)


def test_every_proof_holds_on_the_sample_and_counts_what_it_checked(clean):
    config, store, metrics, files = clean
    disclosure, findings = audit_bundle(store, metrics, config, files)
    proofs = disclosure["proofs"]
    assert findings == [] and all(p["holds"] for p in proofs.values())
    for name in ("derived_from_published", "dominance", "like_for_like_left_out", "no_count_pinned_by_margins"):
        assert proofs[name]["checked"] > 0, name
    assert proofs["no_count_pinned_by_margins"]["narrowed"] > 0  # the known limit, measured
    dominance_cells = sum(t["confidential_dominance"] for t in disclosure["tables"].values())
    assert dominance_cells > 100 and store.unpinned > 0


def test_a_derived_figure_not_made_from_the_published_counts_fails_the_audit(clean):
    config, store, metrics, files = clean
    rows = list(csv.DictReader(io.StringIO(files["tables/ratios.csv"].decode("utf-8-sig"))))
    i = next(i for i, r in enumerate(rows) if r["value"] and r["measure"] == "clients_per_100_staff_hours")
    rows[i]["value"] = f"{float(rows[i]['value']) + 0.1:.1f}"  # what a raw count would give
    buf = io.StringIO()
    writer = csv.DictWriter(buf, list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    tampered = {**files, "tables/ratios.csv": ("\ufeff" + buf.getvalue()).encode("utf-8")}
    assert failing(config, store, metrics, tampered) == {"derived_from_published": 1}


def test_a_count_table_that_differs_from_the_store_fails_the_audit(clean):
    """Planted: one published count moved by the rounding base (still a multiple of it), as a table written
    from anything but the store would be; the tables are read back by position, every row."""
    config, store, metrics, files = clean
    rows = list(csv.DictReader(io.StringIO(files["tables/clients.csv"].decode("utf-8-sig"))))
    last = rows[-1]  # the last row read: a number where the store has a number or a symbol
    last["value"], last["symbol"] = str(int(last["value"] or 0) + config.confidentiality.rounding_base), ""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    tampered = {**files, "tables/clients.csv": ("\ufeff" + buf.getvalue()).encode("utf-8")}
    assert failing(config, store, metrics, tampered).get("tables_match_store") == 1


def test_a_dominated_cell_published_fails_the_audit(sample, clean, monkeypatch):
    config, _, _, _ = clean
    monkeypatch.setattr(confidentiality, "dominated", lambda *a, **k: confidentiality.np.zeros(len(a[0]), bool))
    _, store, metrics, files = bundle(sample)  # the rule not applied…
    monkeypatch.undo()
    failed = failing(config, store, metrics, files)  # …the audit, with it, finds every such cell
    assert failed.get("dominance", 0) > 100


def test_pinned_margins_fail_the_audit(sample, clean, monkeypatch):
    config, _, _, _ = clean
    monkeypatch.setattr(confidentiality, "unpin", lambda *a, **k: 0)
    _, store, metrics, files = bundle(sample)
    monkeypatch.undo()
    moved = figures_for(config, H1)[0].unpinned  # the half-years the build moves off a pin…
    assert failing(config, store, metrics, files) == {"no_count_pinned_by_margins": 3 * moved}  # …pin 3 each


def test_a_like_for_like_that_narrows_for_its_left_out_member_fails_the_audit(sample, clean, monkeypatch):
    config, _, _, _ = clean
    original = PublishedStore.narrows_for_left_out
    monkeypatch.setattr(PublishedStore, "narrows_for_left_out", lambda *a, **k: False)
    _, store, metrics, files = bundle(sample)  # the changes computed without the check…
    monkeypatch.setattr(PublishedStore, "narrows_for_left_out", original)  # …and audited with it
    failed = failing(config, store, metrics, files)
    assert set(failed) == {"like_for_like_left_out"} and failed["like_for_like_left_out"] > 0


def test_a_cell_an_earlier_release_published_differently_needs_its_R(sample, clean, tmp_path):
    config, store, metrics, files = clean
    root = tmp_path / "project"
    shutil.copytree(sample, root)
    out = root / "output"
    bundle_dir = out / "2025Q1" / "releases" / "1" / "tables"
    bundle_dir.mkdir(parents=True)
    rows = list(csv.DictReader(io.StringIO(files["tables/sessions.csv"].decode("utf-8-sig"))))
    earlier = [r for r in rows if r["period"] == "2025Q1"]
    i = next(i for i, r in enumerate(earlier) if r["scope"] == "NZ" and r["value"])
    earlier[i] = {**earlier[i], "value": str(int(earlier[i]["value"]) + 30)}  # what the release said then
    buf = io.StringIO()
    writer = csv.DictWriter(buf, list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(earlier)
    (bundle_dir / "sessions.csv").write_text("\ufeff" + buf.getvalue(), encoding="utf-8")
    (out / "releases.json").write_text(json.dumps({"releases": [
        {"period": "2025Q1", "release": 1, "bundle": "2025Q1/releases/1", "built": "2025-04-20T00:00:00Z"}]}),
        encoding="utf-8")
    config_here = load_config(root / "config.yaml")
    assert failing(config_here, store, metrics, files) == {"releases_agree": 1}  # unflagged, it fails
    store_r, metrics_r, _ = figures_for(config_here, H1)  # a build reads the release and marks R
    files_r, _ = table_files(store_r, metrics_r, config_here, H1)
    assert failing(config_here, store_r, metrics_r, files_r) == {}


def test_the_numbers_docs_confidentiality_quotes_are_the_samples(clean):
    """docs/confidentiality.md quotes what the rules do to the sample: the numbers must be so."""
    import re

    from reportgen.disclosure.audit import proofs

    from .conftest import REPO

    config, store, _, _ = clean
    doc = " ".join((REPO / "docs" / "confidentiality.md").read_text(encoding="utf-8").split())
    grid = store.internal_frame()
    dominance = int((grid["status"] == "dominance").sum())
    assert f"the rule protects {dominance:,} of {len(grid):,} cells" in doc
    assert re.search(rf"nearer, rounding \({store.unpinned} half-year cells on the sample\)", doc)
    margins = proofs(store, config)["no_count_pinned_by_margins"]
    assert f"on the sample {margins['narrowed']:,} of {margins['checked']:,} ranges lose one or more values" in doc


def test_a_change_from_a_period_not_available_to_a_region_not_published_is_c_or_not_available(clean):
    """A region published in neither quarter (no data before, fewer than three members now): its change
    is C or .., never a number and never S (a planted S or number fails)."""
    from reportgen.disclosure.proofs import derived_from_published

    config = clean[0]
    head = "scope,period,measure,dimension,category,value,symbol,flag\r\n"
    counts = head + "MBH,2025Q4,clients,total,,,C,\r\nMBH,2025Q3,clients,total,,,..,\r\n"

    def proof(value: str, symbol: str) -> dict:
        change = head + f"MBH,2025Q4,clients,total,,{value},{symbol},\r\n"
        files = {"tables/clients.csv": counts.encode(), "tables/change_percent_vs_previous.csv": change.encode()}
        return derived_from_published(files, config, [], {})

    assert proof("", "C") == {"holds": True, "checked": 1, "violations": 0}
    assert proof("", "..")["holds"]
    assert not proof("", "S")["holds"] and not proof("12.5", "")["holds"]


def test_no_sentence_of_the_bundle_holds_a_symbol_and_a_planted_one_fails(built_sample, built_large):
    """Issue 23: prose never contains a symbol — the sample's pages and five times its members hold none
    (a withheld figure is said in words, a flag noted once), and each kind of leak planted in a real
    page is caught: a flag after a figure, a symbol for a figure, a symbol in alt text."""
    from reportgen.disclosure.proofs import no_symbol_in_prose

    for bundle in (built_sample, built_large):
        files = {p.relative_to(bundle).as_posix(): p.read_bytes() for p in bundle.rglob("*.html")}
        result = no_symbol_in_prose(files)
        assert result["holds"] and result["checked"] > 300, result
    files = {p.relative_to(built_sample).as_posix(): p.read_bytes() for p in built_sample.rglob("*.html")}
    report = files["report.html"].decode("utf-8")
    assert "suppressed (S)" in report  # a symbol named in brackets, to explain it, is no leak
    plants = ['<p>We supported 15,048 P people.</p>', '<p>Māori were S of the people supported in Gisborne.</p>',
              '<li>Sessions: .. on a year earlier</li>', '<p>Outcomes improved for 45 % A of them.</p>',
              '<img src="x.svg" alt="Bars of clients by region: Gisborne C, Otago 1,203.">']
    fine = ['<p>Review note 1 A new member began reporting.</p>', '<p>Counts of 1 to 5 are suppressed (S).</p>',
            '<p>P: provisional, a member expected to report did not.</p>']
    for text in fine:
        tampered = {**files, "report.html": report.replace("</main>", text + "</main>", 1).encode("utf-8")}
        assert no_symbol_in_prose(tampered)["holds"], text
    for plant in plants:
        tampered = {**files, "report.html": report.replace("</main>", plant + "</main>", 1).encode("utf-8")}
        assert "</main>" in report and no_symbol_in_prose(tampered)["violations"] == 1, plant


def test_a_build_proves_its_pages_and_refuses_a_symbol_typed_into_a_sentence(tmp_path):
    """The prose proof runs on the pages a build makes (not only on files handed to it): a draft whose
    narrative types a flag after a figure writes nothing, and names the page and the text."""
    from reportgen.build import build

    from .conftest import small_project

    root = small_project(tmp_path / "p")
    report = root / "narratives" / "2025H1" / "report.yaml"
    text = report.read_text(encoding="utf-8")
    report.write_text(text.replace("summary: |\n", "summary: |\n  We saw 1,234 P people. [[no check: a test]]\n", 1),
                      encoding="utf-8")
    result = build(load_config(root / "config.yaml"), H1)
    failed = [f for f in result.findings if f.code == "audit.failed"]
    assert not result.ok and len(failed) == 1 and "'no_symbol_in_prose' fails" in failed[0].message
    assert "report.html: 'We saw 1,234 P people." in failed[0].message and "typed" in failed[0].hint
    assert not (root / "output" / "2025H1" / "latest").exists()

"""Published tables, dashboard data and the audit, read back from a built sample."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from openpyxl import load_workbook

from reportgen.core.config import load_config
from reportgen.core.periods import Period
from reportgen.datafiles.dashboard_data import dashboard_data
from reportgen.datafiles.tables import DERIVED_TABLES, TABLE_COLUMNS, published_tables, table_csv
from reportgen.figures.metrics import compute_metrics

from .conftest import REPO
from .test_confidentiality_properties import CONFIG, H1, build_store, member_rows

SYMBOLS = {"S", "C", "–", ".."}


def read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def count_table_paths(tables: Path) -> list[Path]:
    config = load_config(REPO / "config.yaml")
    names = {m if d == "total" else f"{m}_by_{d}" for m, s in config.measures.items() for d in s.dimensions}
    return [p for p in sorted(tables.glob("*.csv")) if p.stem in names]


def test_every_table_is_tidy_with_the_documented_columns(built_sample):
    tables = built_sample / "tables"
    paths = sorted(tables.glob("*.csv"))
    assert len(paths) == 25
    units = {"count", "hours", "percent", "percent_change", "ratio", "members"}
    for path in paths:
        data = path.read_bytes()
        assert data.startswith("\ufeff".encode()), path.name  # UTF-8 with a byte-order mark, for Excel
        assert data.decode("utf-8-sig").split("\n", 1)[0] == ",".join(TABLE_COLUMNS), path.name
        rows = read_csv(path)
        kinds = [r["period_kind"] for r in rows if r["scope"] == "NZ"]
        assert kinds == sorted(kinds, key=["quarter", "half-year"].index), path.name  # quarters, then half-years
        for row in rows:
            assert (row["value"] == "") == (row["symbol"] != ""), (path.name, row)
            assert row["symbol"] in SYMBOLS | {""}
            assert row["unit"] in units and row["scope_label"] and row["measure_label"] and row["period_label"]
            assert row["dimension_label"] and (row["category_label"] != "") == (row["dimension"] != "total")
            assert row["flag"] in ("", "P", "A", "P A"), (path.name, row)
    shares = read_csv(tables / "shares.csv")
    assert {r["unit"] for r in shares} == {"percent"}
    assert any(r["category"] == "melaa" and r["category_label"].startswith("Middle Eastern") for r in shares)
    assert any(r["category"] == "information_advice" and r["category_label"] == "Information and advice"
               for r in shares)
    # outcome rates where fewer than half the clients were assessed carry A (all of them, in the sample)
    rates = [r for r in read_csv(tables / "outcomes.csv")
             if r["measure"] == "improvement_rate" and r["scope"] == "NZ" and r["period"] == "2025H1"]
    assert rates and all("A" in r["flag"].split() for r in rates if r["value"])
    # the sample's national 2025H1 lacks one member's 2025Q2 return: provisional, and not its year earlier
    clients = {(r["scope"], r["period"]): r["flag"] for r in read_csv(tables / "clients.csv")}
    assert clients[("NZ", "2025H1")] == clients[("NZ", "2025Q2")] == "P" and clients[("NZ", "2024H1")] == ""
    for path in count_table_paths(tables):
        for row in read_csv(path):
            if row["value"]:
                n = int(row["value"])
                assert row["measure"].endswith("_hours") or n % 3 == 0, (path.name, row)


def test_xlsx_is_for_readers_cover_contents_notes_and_a_wide_sheet_per_table(built_sample):
    from reportgen.datafiles.tables import FLAGS_HEADER, LABEL_HEADER

    wb = load_workbook(built_sample / "tables" / "tables.xlsx")
    assert wb.sheetnames[:3] == ["Cover", "Contents", "Notes"]
    cover = {r[0]: r[1] for r in wb["Cover"].iter_rows(min_row=3, values_only=True) if r[0]}
    assert wb["Cover"]["A1"].value.endswith("published tables, January–June 2025") and wb["Cover"]["A1"].font.b
    assert cover["Licence"].startswith("CC BY 4.0") and "@" in cover["Contact"] and cover["Period"]
    assert cover["How to cite"] and cover["Released"] and cover["Next release"]
    notes = {r[0]: r[1] for r in wb["Notes"].iter_rows(min_row=4, values_only=True)}
    assert wb["Notes"]["A1"].value == "Notes" and wb["Notes"].freeze_panes == "A4"
    assert notes["Symbol S"].startswith("Suppressed: a small count, or a figure withheld")
    assert notes["Symbol .."].startswith("Not available") and notes["Symbol P"].startswith("Provisional")
    assert "multiple of 3" in notes["Rounding"]
    assert "counted in every ethnic group" in notes["Ethnicity"]
    assert re.fullmatch(r"\d+ of \d+ members reported for January–June 2025(, \d+ of them in part)?\.", notes["Coverage"])
    assert "West Coast" in notes["Not published: West Coast"] and "Southland" in notes["Not published: Southland"]
    contents = list(wb["Contents"].iter_rows(min_row=4, values_only=True))
    assert len(contents) == 25
    for sheet, title, csv_file, _units in contents:
        assert wb["Contents"].cell(row=4 + contents.index((sheet, title, csv_file, _units)), column=1).hyperlink
        name = csv_file.removeprefix("tables/").removesuffix(".csv")
        assert sheet == name if len(name) <= 31 else sheet == name.replace("_by_", "_")
        ws = wb[sheet]
        assert not ws.merged_cells.ranges and ws["A1"].value == title and ws.freeze_panes == "A5"
        rows = list(ws.iter_rows(values_only=True))
        header = list(rows[3])
        assert header[:6] == LABEL_HEADER and header[-1] == FLAGS_HEADER
        periods = header[6:-1]
        expected = read_csv(built_sample / csv_file)
        label_of = {r["period_label"]: r["period"] for r in expected}
        assert [label_of[p] for p in periods] == sorted(
            label_of.values(), key=lambda p: (Period.parse(p).kind != "Q", Period.parse(p)._ordinal()))
        cells, flags = {}, {}
        for row in rows[4:]:
            for p, v in zip(periods, row[6:-1]):
                cells[(row[0], row[2], row[3], row[4], row[5], label_of[p])] = v
            flags[(row[0], row[2], row[3], row[4], row[5])] = dict(
                part.split(": ", 1) for part in (row[-1] or "").split("; ") if part)
        seen = set()
        for r in expected:
            key = (r["scope"], r["measure_label"], r["dimension_label"], r["category_label"] or "Total", r["unit"],
                   r["period"])
            want = r["symbol"] or (float(r["value"]) if "." in r["value"] else int(r["value"]))
            assert cells[key] == want, (sheet, key)
            seen.add(key)
            for flag in ("P", "A"):
                named = r["period_label"] in flags[key[:5]].get(flag, "").split(", ")
                assert named == (flag in r["flag"].split() and not r["symbol"]), (sheet, key, flag)
        assert all(v == ".." for k, v in cells.items() if k not in seen), sheet  # no blank cell in a table


def test_same_cell_same_value_in_every_output(built_sample):
    """CSV, XLSX (above), dashboard and report all show the store's one value."""
    tables = built_sample / "tables"
    table_value = {}
    for path in count_table_paths(tables):
        for r in read_csv(path):
            key = (r["scope"], r["period"], r["measure"], r["dimension"], r["category"])
            shown = r["symbol"] or r["value"]
            assert table_value.setdefault(key, shown) == shown, key  # totals repeated in breakdowns agree
    dash = json.loads((built_sample / "dashboard.json").read_text(encoding="utf-8"))
    checked = 0
    for scope in dash["scopes"]:
        for s in scope["counts"]:
            for p in s["points"]:
                key = (scope["code"], p["period"], s["measure"], s["dimension"], s["category"])
                assert table_value[key] == (p["symbol"] or str(p["value"])), key
                checked += 1
    assert checked > 10_000
    html = (built_sample / "report.html").read_text(encoding="utf-8")
    clients = int(table_value[("NZ", "2025H1", "clients", "total", "")])
    assert f'<span class="kf-value">{clients:,}\u00a0P</span>' in html  # provisional: a member missed 2025Q2


def test_manifest_holds_the_disclosure_audit(built_sample):
    manifest = json.loads((built_sample / "manifest.json").read_text(encoding="utf-8"))
    audit = manifest["disclosure_audit"]
    assert {name: p["holds"] for name, p in audit["proofs"].items()} == {
        "within_rounding_of_raw": True, "no_small_counts": True, "min_contributors": True,
        "no_recovery_by_subtraction": True, "tables_match_store": True, "derived_follow_inputs": True,
        "no_count_pinned_by_margins": True, "derived_from_published": True, "like_for_like_left_out": True,
        "dominance": True, "releases_agree": True}
    assert audit["proofs"]["derived_from_published"]["checked"] > 20_000
    assert audit["proofs"]["dominance"]["checked"] > 10_000
    for path in count_table_paths(built_sample / "tables"):
        counts = audit["tables"][path.stem]
        rows = read_csv(path)
        assert counts["cells"] == len(rows), path.stem
        assert counts["confidential"] + counts["confidential_dominance"] == sum(r["symbol"] == "C" for r in rows)
        assert counts["suppressed_primary"] + counts["suppressed_secondary"] == sum(r["symbol"] == "S" for r in rows)
    assert "tables/tables.xlsx" in manifest["files"] and "dashboard.json" in manifest["files"]


def test_independent_script_confirms_every_published_count(built_sample):
    out = subprocess.run([sys.executable, str(REPO / "scripts" / "verify_published.py"),
                          str(REPO / "data" / "submissions"), str(built_sample / "tables")],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-2000:]
    assert re.search(r"^\d{5,} published cells checked against the submissions: all pass$", out.stdout, re.M)


def test_independent_script_catches_a_tampered_table(built_sample, tmp_path):
    tables = tmp_path / "tables"
    shutil.copytree(built_sample / "tables", tables)
    path = tables / "sessions.csv"
    rows = read_csv(path)
    i = next(i for i, r in enumerate(rows) if r["scope"] == "NZ" and r["period"] == "2025H1")
    rows[i]["value"] = str(int(rows[i]["value"]) + 6)  # at least 4 from raw
    buf = io.StringIO()
    w = csv.DictWriter(buf, TABLE_COLUMNS, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    out = subprocess.run([sys.executable, str(REPO / "scripts" / "verify_published.py"),
                          str(REPO / "data" / "submissions"), str(tables)], capture_output=True, text=True)
    assert out.returncode == 1
    assert f"sessions.csv:{i + 2} NZ/sessions/total/ 2025H1:" in out.stdout
    assert "is not a multiple of 3 within 2 of the raw value" in out.stdout


@pytest.fixture(scope="module")
def two_builds(epoch_builds):
    """Two builds of the sample with the same SOURCE_DATE_EPOCH (conftest.epoch_builds)."""
    return epoch_builds


def test_two_builds_give_identical_tables_and_dashboard(two_builds):
    a, b = two_builds
    names = sorted(p.relative_to(a).as_posix() for p in a.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(b).as_posix() for p in b.rglob("*") if p.is_file())
    for name in names:
        if name.startswith("tables/") or name in ("dashboard.json",):
            assert (a / name).read_bytes() == (b / name).read_bytes(), name
    ma = json.loads((a / "manifest.json").read_text())
    mb = json.loads((b / "manifest.json").read_text())
    assert ma["disclosure_audit"] == mb["disclosure_audit"]
    assert {k: v for k, v in ma["files"].items() if not k.startswith("report.")} == \
        {k: v for k, v in mb["files"].items() if not k.startswith("report.")}


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(member_rows())
def test_generated_data_show_one_value_per_cell_in_tables_and_dashboard(rows):
    """For any data: a cell's CSV value, its dashboard point and the store agree."""
    agg, store = build_store(rows)
    metrics = compute_metrics(store, agg, CONFIG)
    shown: dict[tuple, str] = {}
    for table in published_tables(store, metrics, CONFIG):
        if table.name in DERIVED_TABLES:
            continue
        for r in csv.DictReader(io.StringIO(table_csv(table).decode("utf-8-sig"))):
            key = (r["scope"], r["period"], r["measure"], r["dimension"], r["category"])
            p = store.get(*key[2:], scope=key[0], period=key[1])
            assert (r["symbol"] or r["value"]) == (p.symbol or str(int(p.value))), key
            shown[key] = r["symbol"] or r["value"]
    dash = dashboard_data(store, metrics, CONFIG, H1)
    for scope in dash["scopes"]:
        for s in scope["counts"]:
            for pt in s["points"]:
                key = (scope["code"], pt["period"], s["measure"], s["dimension"], s["category"])
                assert shown[key] == (pt["symbol"] or str(pt["value"])), key

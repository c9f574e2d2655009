"""One test group per pipeline stage, on small hand-made inputs."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from reportgen.core.config import load_config
from reportgen.core.periods import Period
from reportgen.disclosure.confidentiality import PublishedStore, random_round, rr3_draw
from reportgen.documents.render_pdf import render_pdf
from reportgen.inputs.register import load_register
from reportgen.inputs.submissions import load_submissions
from reportgen.inputs.validate import validate
from reportgen.runtime.bundle import write_bundle
from reportgen.statistics.aggregate import NATIONAL, aggregate

HEADER = "org_id,period,region,measure,dimension,category,value\n"
H1 = Period.parse("2025H1")


def mini_project(tmp_path: Path, files: dict[str, str], members: str | None = None) -> Path:
    (tmp_path / "config.yaml").write_text("confidentiality:\n  key: test-key\n")
    (tmp_path / "data" / "submissions").mkdir(parents=True)
    (tmp_path / "data" / "members.csv").write_text(members or (
        "org_id,name,network,regions,active_from,active_to\n"
        "A1,Alpha,Anglican,AKL,2024Q1,\nB1,Beta,Baptist,AKL;WGN,2024Q1,\nC1,Gamma,Catholic,AKL,2024Q1,\n"))
    for name, text in files.items():
        path = tmp_path / "data" / "submissions" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text) if isinstance(text, str) else path.write_bytes(text)
    return tmp_path


def run_to_validate(root: Path):
    config = load_config(root / "config.yaml")
    register, _ = load_register(config)
    return config, register, validate(load_submissions(config), register, config)


# ---- load -------------------------------------------------------------------

def test_load_reads_bom_crlf_quotes_blank_lines_any_order_and_case(tmp_path):
    text = ("\ufeffValue , ORG_ID,Period,region,Measure,dimension,category,notes\r\n"
            '12,a1,2025q1," akl ",clients,total,,"a, quoted note"\r\n\r\n')
    root = mini_project(tmp_path, {"q1/a.csv": text})
    config, register, data = run_to_validate(root)
    # the one-row file also triggers cross-row warnings (no breakdowns, no half-year rows)
    assert [f.code for f in data.findings if f.is_error or f.file and f.line == 1] == ["data.extra-column"]
    row = data.rows.iloc[0]
    assert (row.org_id, row.period, row.region, row.measure, row.value) == ("A1", "2025Q1", "AKL", "clients", 12)


def test_load_reads_xlsx_submission_sheet(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "notes"
    ws = wb.create_sheet("submission")
    ws.append(["org_id", "period", "region", "measure", "dimension", "category", "value"])
    ws.append(["A1", "2025Q1", "AKL", "clients", "total", None, 12.0])
    root = mini_project(tmp_path, {})
    wb.save(root / "data" / "submissions" / "a.xlsx")
    _, _, data = run_to_validate(root)
    # a lone clients total: only the cross-row warnings for what it did not send
    assert sorted(f.code for f in data.findings) == ["data.breakdown-not-sent", "data.breakdown-not-sent",
                                                     "data.summed-from-quarters"]
    assert data.rows.iloc[0].value == 12


@pytest.mark.parametrize("content,code", [
    (b"\x00\x01binary", "data.not-text"),
    (b"org_id;period;region;measure;dimension;category;value\n", "data.missing-column"),
    (HEADER.encode() + "A1,2025Q1,AKL,clients,total,,12 café\n".encode("latin-1"), "data.not-utf8"),
    (b"", "data.empty-file"),
])
def test_load_broken_files_are_findings(tmp_path, content, code):
    root = mini_project(tmp_path, {"x.csv": content})
    _, _, data = run_to_validate(root)
    assert code in [f.code for f in data.findings]
    assert all(f.file == "data/submissions/x.csv" for f in data.findings)


def test_semicolon_file_gets_a_hint(tmp_path):
    root = mini_project(tmp_path, {"x.csv": "org_id;period;region;measure;dimension;category;value\n"})
    _, _, data = run_to_validate(root)
    assert "semicolons" in data.findings[0].hint


# ---- validate ---------------------------------------------------------------

def test_validate_codes_values_and_duplicates(tmp_path):
    root = mini_project(tmp_path, {
        "a.csv": HEADER + "A1,2025Q1,AKK,clients,total,,12\n"
                          "A1,2025Q1,AKL,clients,ethnicity,maaori,3\n"
                          "A1,2025Q1,AKL,clients,total,,1,200\n"
                          "A1,2025Q1,AKL,sessions,total,,7.5\n"
                          "A1,2025Q1,AKL,staff_hours,total,,7.5\n"
                          "A1,2025Q1,AKL,clients,total,,12\n",
        "b.csv": HEADER + "A1,2025Q1,AKL,clients,total,,12\n",
    })
    _, _, data = run_to_validate(root)
    got = {(f.code, f.file, f.line, f.column, f.hint) for f in data.findings}
    assert ("data.long-row", "data/submissions/a.csv", 4, 8,
            "a number written with a thousands separator (1,200) splits into two fields: write 1200; "
            "quote text that contains commas") in got
    assert ("data.unknown-region", "data/submissions/a.csv", 2, 3, "did you mean 'AKL'?") in got
    assert ("data.unknown-category", "data/submissions/a.csv", 3, 6, "did you mean 'maori'?") in got
    assert ("data.not-whole", "data/submissions/a.csv", 5, 7,
            "counts of people and sessions must be whole numbers") in got
    assert any(c == "data.hours-rounded" and line == 6 for c, _, line, *_ in got)
    dup = [f for f in data.findings if f.code == "data.duplicate-key"]
    assert len(dup) == 1 and "data/submissions/a.csv:7" in dup[0].message and dup[0].file.endswith("b.csv")
    assert data.rows.loc[data.rows.measure == "staff_hours", "value"].tolist() == [8]


# ---- aggregate ----------------------------------------------------------------

def test_half_year_rows_take_precedence_else_quarters_are_summed(tmp_path):
    root = mini_project(tmp_path, {
        "a.csv": HEADER + "A1,2025Q1,AKL,clients,total,,10\nA1,2025Q2,AKL,clients,total,,10\n"
                          "A1,2025H1,AKL,clients,total,,15\n",
        "b.csv": HEADER + "B1,2025Q1,AKL,clients,total,,7\nB1,2025Q2,AKL,clients,total,,8\n"
                          "B1,2025Q1,AKL,sessions,total,,30\nB1,2025Q2,AKL,sessions,total,,40\n",
    })
    config, register, data = run_to_validate(root)
    agg = aggregate(data.rows, register, config, H1)
    cells = agg.cells.set_index(["scope", "period", "measure", "dimension", "category"])
    assert cells.loc[(NATIONAL, "2025H1", "clients", "total", ""), "raw"] == 15 + 15
    assert cells.loc[(NATIONAL, "2025H1", "sessions", "total", ""), "raw"] == 70
    assert cells.loc[(NATIONAL, "2025Q1", "clients", "total", ""), "raw"] == 17
    assert agg.summed_from_quarters[["org_id", "measure"]].values.tolist() == [["B1", "clients"]]
    # rule 5: B1 sent no gender: its total counts as not stated
    assert cells.loc[("AKL", "2025H1", "clients", "gender", "not_stated"), "raw"] == 30
    assert cells.loc[(NATIONAL, "2025H1", "clients", "total", ""), "members"] == 2


# ---- confidentialise ------------------------------------------------------------

@given(st.integers(0, 10**7), st.floats(0, 1, exclude_max=True))
def test_random_rounding_invariants(raw, draw):
    out = random_round(raw, draw)
    assert out % 3 == 0 and abs(out - raw) <= 2
    if raw in (1, 2):
        assert out == 3


def test_rounding_is_keyed_and_deterministic():
    assert rr3_draw("k", "clients|total||NZ|2025H1") == rr3_draw("k", "clients|total||NZ|2025H1")
    assert rr3_draw("k", "clients|total||NZ|2025H1") != rr3_draw("other", "clients|total||NZ|2025H1")


def test_nil_small_and_confidential_cells(tmp_path):
    config = load_config(mini_project(tmp_path, {})["config.yaml"] if False else mini_project(tmp_path, {}) / "config.yaml")
    cells = pd.DataFrame([
        ("NZ", "2025H1", "clients", "total", "", 100, 3),
        ("NZ", "2025H1", "clients", "need", "housing", 4, 3),
        ("NZ", "2025H1", "clients", "need", "food", 50, 2),
        ("NZ", "2025H1", "clients", "need", "debt", 0, 0),
        ("NZ", "2025H1", "staff_hours", "total", "", 1001, 3),
    ], columns=["scope", "period", "measure", "dimension", "category", "raw", "members"])
    store = PublishedStore(cells, config, "k")
    assert store.get("clients", "need", "housing", period=H1).display() == "S"
    assert store.get("clients", "need", "food", period=H1).display() == "C"
    assert store.get("clients", "need", "debt", period=H1).display() == "–"
    assert store.get("staff_hours", period=H1).display() == "1,001"  # hours are not rounded
    assert store.get("clients", period=H1).value in (99, 102)
    assert store.get("clients", period="2019H1").display() == ".."
    assert store.share("clients", "need", "housing", period=H1).display() == "S"


# ---- charts, narratives, HTML/PDF ------------------------------------------------

def test_pdf_fetcher_refuses_local_files_and_network(tmp_path):
    html = ('<html lang="en"><head><title>t</title></head><body><p>x</p>'
            '<img src="file:///etc/passwd" alt="x"><img src="http://127.0.0.1:9/x.png" alt="y">'
            '<link rel="attachment" href="file:///etc/hostname"></body></html>')
    pdf, findings = render_pdf(html, base_dir=tmp_path, allowed=[tmp_path], source="t.html")
    refused = {f.message for f in findings}
    assert any("/etc/passwd" in m for m in refused) and any("127.0.0.1" in m for m in refused)
    assert b"root:" not in pdf and pdf.startswith(b"%PDF")


def test_bundle_replaces_whole_folder_or_nothing(tmp_path):
    dest = tmp_path / "out" / "2025H1"
    write_bundle({"a.txt": b"one", "sub/b.txt": b"two"}, dest)
    assert (dest / "sub" / "b.txt").read_bytes() == b"two"

    class Boom(dict):
        def items(self):
            yield "a.txt", b"new"
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_bundle(Boom(), dest)
    assert (dest / "a.txt").read_bytes() == b"one"
    assert [p.name for p in dest.parent.iterdir()] == ["2025H1"]

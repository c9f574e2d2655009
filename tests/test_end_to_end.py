"""Build the sample and read the PDF back with real tools."""

import csv
import re
import subprocess
from collections import defaultdict
from pathlib import Path

from .conftest import REPO


def independent_clients_total(data: Path, half: str = "2025H1", quarters=("2025Q1", "2025Q2")) -> int:
    """The national clients total computed straight from the CSV/XLSX files by the
    contract's rules, without reportgen: half-year rows where a member sent them for
    a region, else the sum of its quarter rows."""
    from openpyxl import load_workbook

    rows = []
    for path in sorted((data / "submissions").rglob("*")):
        if path.suffix.lower() == ".csv":
            text = path.read_text(encoding="utf-8-sig")
            reader = csv.DictReader(text.splitlines())
            for r in reader:
                rows.append({k.strip().lower(): (v or "").strip() for k, v in r.items()})
        elif path.suffix.lower() == ".xlsx":
            ws = load_workbook(path, read_only=True)["submission"]
            it = ws.iter_rows(values_only=True)
            header = [str(h).strip().lower() for h in next(it)]
            for values in it:
                rows.append({h: "" if v is None else str(v).strip() for h, v in zip(header, values)})
    half_total: dict[tuple, float] = {}
    quarter_total: dict[tuple, float] = defaultdict(float)
    for r in rows:
        if r["measure"].lower() != "clients" or r["dimension"].lower() != "total":
            continue
        key = (r["org_id"].upper(), r["region"].upper())
        if r["period"].upper() == half:
            half_total[key] = float(r["value"])
        elif r["period"].upper() in quarters:
            quarter_total[key] += float(r["value"])
    keys = set(half_total) | set(quarter_total)
    return int(sum(half_total.get(k, quarter_total.get(k, 0)) for k in keys))


def test_sample_pdf_has_sane_pages_and_the_clients_total(built_sample: Path):
    pdf = built_sample / "report.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert 2 <= pages <= 80
    assert "Tagged:          yes" in info
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    raw = independent_clients_total(REPO / "data")
    # published counts are randomly rounded to base 3: within 2 of raw, a multiple of 3
    candidates = {v for v in range(raw - 2, raw + 3) if v % 3 == 0}
    # the figure may carry the flag P (provisional) and its footnote number
    shown = {int(m.replace(",", "")) for m in re.findall(r"supported\s+([\d,]+)(?:\s+P\s*\d*)?\s+people", text)}
    assert shown and shown <= candidates, (shown, raw)
    assert "Māori" in text or "whānau" in text  # macrons survive into extractable text


def test_sample_html_sits_beside_the_pdf(built_sample: Path):
    html = (built_sample / "report.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and '<html lang="en-NZ">' in html
    assert "synthetic sample dataset" in html


def test_all_fonts_embedded(built_sample: Path):
    out = subprocess.run(["pdffonts", str(built_sample / "report.pdf")], capture_output=True, text=True,
                         check=True).stdout.splitlines()[2:]
    assert out and all(line.split()[-5] == "yes" for line in out), out

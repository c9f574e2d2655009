"""Members' private reports (issue 17) on data the test generates, not the shipped sample.

Every reporting member gets a report outside the published bundle; every number in it is
the member's own (read here from its own submission files, independently of reportgen) or a
published one (read from the bundle's tables); no other member's name, code, file or value
is in it; the missing quarter and the planted warnings appear in the right member's report;
the PDFs are tagged and the HTML passes axe-core; an unchanged member's report is not laid
out again; ``reportgen member-reports`` remakes one member's report.
"""

from __future__ import annotations

import csv
import hashlib
import itertools
import re
import subprocess
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path

import pikepdf
import pytest

from reportgen.build import build
from reportgen.core.config import load_config
from reportgen.core.periods import Period

from .conftest import cli_in_process, record_reviews

pytestmark = pytest.mark.slow

H1, Q1, Q2 = Period.parse("2025H1"), Period.parse("2025Q1"), Period.parse("2025Q2")


# ---- the generated project, built once --------------------------------------------------------------

@pytest.fixture(scope="module")
def members_built(generated_h1):
    """The generated project (conftest.generated_h1), built once (a draft: the reports as HTML only), with
    the members' PDFs then laid out on request (``reportgen member-reports``, in this process); these tests
    add drafts to it."""
    from reportgen.release.remake import remake

    root, result = generated_h1
    DRAFT_INDEX[:] = read_index_csv(folder(root) / "index.csv")  # the draft's own, before the PDFs are asked for
    written, findings = remake(load_config(root / "config.yaml"), H1)
    assert not [f for f in findings if f.is_error] and any(name.endswith(".pdf") for name in written)
    return root, result


def folder(root: Path, period: str = "2025H1") -> Path:
    return root / "output" / period / "internal" / "members"


DRAFT_INDEX: list[dict] = []  # the mailing manifest of the generated project's first draft (members_built)


def read_index_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def register(root: Path) -> dict[str, dict]:
    with (root / "data" / "members.csv").open(encoding="utf-8-sig", newline="") as fh:
        return {r["org_id"]: r for r in csv.DictReader(fh)}


def own_rows(root: Path, org: str) -> list[dict]:
    """The member's contract rows, read straight from its own CSV files (XLSX through openpyxl)."""
    out = []
    for path in sorted((root / "data" / "submissions").glob(f"*/{org}.*")):
        if path.suffix.lower() == ".csv":
            with path.open(encoding="utf-8-sig", newline="") as fh:
                out += [{k.strip().lower(): (v or "").strip() for k, v in r.items()} for r in csv.DictReader(fh)]
        else:
            from openpyxl import load_workbook

            sheet = load_workbook(path, read_only=True).worksheets[0]
            rows = list(sheet.iter_rows(values_only=True))
            head = [str(h).strip().lower() for h in rows[0]]
            out += [{h: ("" if v is None else str(v)).strip() for h, v in zip(head, r)} for r in rows[1:]]
    for r in out:
        r["measure"], r["dimension"], r["category"] = (r["measure"].lower(), r["dimension"].lower(),
                                                       r["category"].lower())
        r["period"], r["region"] = r["period"].upper(), r["region"].upper()
    return out


def text_of_html(path: Path) -> str:
    class Text(HTMLParser):
        def __init__(self):
            super().__init__()
            self.parts, self.skip = [], 0

        def handle_starttag(self, tag, attrs):
            self.skip += tag in ("style", "script")

        def handle_endtag(self, tag):
            self.skip -= tag in ("style", "script")

        def handle_data(self, data):
            if not self.skip:
                self.parts.append(data)

    parser = Text()
    parser.feed(path.read_text(encoding="utf-8"))
    return re.sub(r"\s+", " ", " ".join(parser.parts)).replace("\u00a0", " ").replace("\u202f", " ")


def text_of_pdf(path: Path) -> str:
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub(r"\s+", " ", out).replace("\u00a0", " ").replace("\u202f", " ")


# ---- the two sources every number must come from ----------------------------------------------------

def own_numbers(rows: list[dict], groups: list[list[tuple[str, str]]] = ()) -> tuple[set[int], set[float]]:
    """The member's own integers, and the percentages and ratios computed from them alone."""
    sent: dict[tuple, float] = defaultdict(float)  # (period, region, measure, dimension, category)
    as_sent: set[float] = set()  # the values as written (hours with a fraction, before rounding up)
    for r in rows:
        try:
            value = float(r["value"])
        except ValueError:
            continue
        as_sent.add(value)
        sent[(r["period"], r["region"], r["measure"], r["dimension"], r["category"])] += float(-(-value // 1))
    # a half-year: the rows sent for it, else (for a region and measure without them) its quarters summed
    halves: dict[tuple, float] = defaultdict(float)
    for (p, *rest), v in sent.items():
        if "Q" in p:
            halves[(f"{p[:4]}H{1 if int(p[-1]) <= 2 else 2}", *rest)] += v
    has_half = {(p, reg, m) for (p, reg, m, _, _) in sent if "H" in p}
    by_region = dict(sent)
    for (h, reg, m, d, c), v in halves.items():
        if (h, reg, m) not in has_half:
            by_region[(h, reg, m, d, c)] = v
    cells: dict[tuple, float] = defaultdict(float)  # (period, measure, dimension, category), over its regions
    for (p, reg, m, d, c), v in by_region.items():
        cells[(p, m, d, c)] += v
    for (h, reg, m, d, c), v in halves.items():  # the quarters summed, whatever was sent
        cells[(h + "+", m, d, c)] += v
    for (p, m, d, c), v in list(cells.items()):  # a breakdown short of its total: the rest is not stated
        if d == "total":
            for dim in {k[2] for k in cells if k[0] == p and k[1] == m and k[2] != "total"}:
                given = sum(x for k, x in cells.items() if k[:3] == (p, m, dim) and k[3] != "not_stated")
                cells[(p, m, dim, "not_stated")] = v - given
    ints = {int(v) for v in cells.values()} | {int(v) for v in by_region.values()}
    ratios: set[float] = set(as_sent)
    by_period: dict[str, dict[tuple, float]] = defaultdict(dict)
    for k, v in cells.items():
        if len(k) == 4:
            by_period[k[0]][k[1:]] = v
    totals_by_measure: dict[str, dict[str, float]] = defaultdict(dict)
    for p, cs in by_period.items():
        totals = {m: v for (m, d, _), v in cs.items() if d == "total"}
        for m, v in totals.items():
            totals_by_measure[m][p] = v
        for (m, d, c), v in cs.items():  # shares of its own total; assessed over clients; improved over assessed
            for den in {totals.get(m), totals.get("clients"),
                        cs.get(("outcome_assessed", d, c)), totals.get("clients", 0) + totals.get(m, 0)}:
                if den:
                    ratios.add(100 * v / den)
        for (a, x), (b, y) in itertools.product(totals.items(), repeat=2):  # the ratios of its totals
            ints.add(int(x + y))
            if y:
                ratios |= {x / y, 100 * x / y, 100 * x / (x + y) if x + y else 0.0}
        assessed = [v for (m, d, c), v in cs.items() if m == "outcome_assessed" and d != "total"]
        if assessed and totals.get("clients"):
            ratios.add(100 * sum(assessed) / len(assessed) / totals["clients"])  # mean coverage over domains
        for group in [*outcome_groups(cs), *groups]:
            ass = sum(cs.get(("outcome_assessed", d, c), 0) for d, c in group)
            imp = sum(cs.get(("outcome_improved", d, c), 0) for d, c in group)
            ints |= {int(ass), int(imp)}
            if ass:
                ratios.add(100 * imp / ass)
            if totals.get("clients"):
                ratios.add(100 * ass / len(group) / totals["clients"])
    for m, series in totals_by_measure.items():  # changes between any two of its own periods
        for (p, x), (q, y) in itertools.product(series.items(), repeat=2):
            if y:
                ratios.add(100 * (x / y - 1))
    return ints, ratios


def config_groups(config) -> list[list[tuple[str, str]]]:
    """The named groups of categories in the config (the outcome domains' groups)."""
    return [[(name, c) for c in cats] for name, dim in config.dimensions.items()
            for cats in (getattr(dim, "groups", None) or {}).values()]


def outcome_groups(cells: dict) -> list[list[tuple[str, str]]]:
    domains = sorted({(d, c) for (m, d, c) in cells if m == "outcome_assessed" and d != "total"})
    groups = defaultdict(list)
    for d, c in domains:
        groups[d].append((d, c))
    return [domains, *groups.values()]


def published_numbers(bundle: Path) -> tuple[set[str], set[float]]:
    """Every value in the published tables, as written and as a number."""
    shown, values = set(), set()
    for path in (bundle / "tables").glob("*.csv"):
        with path.open(encoding="utf-8-sig", newline="") as fh:
            for r in csv.DictReader(fh):
                if r.get("value"):
                    shown.add(r["value"])
                    values.add(float(r["value"]))
    return shown, values


NUMBER = re.compile(r"(?<![\w.])([+−-]?)(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?![\w])")


def strip_structure(text: str, config, root: Path) -> str:
    """Remove the words that carry numbers but no figure: labels, periods, places in files, limits."""
    labels = [label for d in config.dimensions.values() for label in d.categories.values()]
    for label in sorted(labels, key=len, reverse=True):
        text = text.replace(label, " ")
    text = re.sub(r"\S+\.(?:csv|xlsx)(?::\d+){0,2}", " ", text)  # a file and a place in it
    text = re.sub(r"\b(?:Q[1-4] )?20\d\d(?:Q[1-4]|H[12])?\b", " ", text)  # quarters, halves, years
    text = re.sub(r"Page \d+ of \d+", " ", text)
    text = re.sub(r"\bper 100\b", " ", text)  # a ratio's unit ("People per 100 staff hours")
    text = re.sub(r"\b[A-Z]{3}\d{3}\b", " ", text)  # an org code (checked separately)
    text = re.sub(r"reportgen \d+\.\d+(?:\.\d+)?\S*", " ", text)
    text = re.sub(r"\S+@\S+|\b0800 \d{3} \d{3}\b|PDF/UA-1|CC BY \d\.\d|\bISSN \S+", " ", text)
    return text


def structural_ok(value: float, after: str) -> bool:
    """Limits the report states (5 %, 25–40 %, 50 %, ±50 %, the bands) and small counts of things
    (quarters, domains, warnings, members reporting, up to eight quarters)."""
    limits = {0, 1, 2, 5, 10, 20, 25, 40, 50, 100}
    return value in limits or (value == int(value) and 0 <= value <= 8 and not after.startswith("%"))


def near(value: float, pool: set[float], decimals: int) -> bool:
    return any(abs(round(x, decimals) - value) < 1e-9 or abs(round(-x, decimals) - value) < 1e-9 for x in pool)


def unexplained(text: str, own_ints: set[int], own_ratios: set[float], pub_shown: set[str],
                pub_values: set[float]) -> list[str]:
    bad = []
    for match in NUMBER.finditer(text):
        sign, whole, frac = match.groups()
        raw = whole.replace(",", "") + (frac or "")
        value = float(raw)
        after = text[match.end():match.end() + 24].lstrip()
        decimals = len(frac) - 1 if frac else 0
        if raw in pub_shown or value in pub_values or near(value, pub_values, decimals):
            continue
        if not frac and int(value) in own_ints:
            continue
        if near(value, own_ratios, decimals):
            continue
        if after.startswith("percentage point"):  # own share minus a published share
            if any(abs(abs(round(o, 0) - p) - value) < 1e-9 for o in own_ratios for p in pub_values if 0 <= p <= 100):
                continue
        if structural_ok(value, after):
            continue
        bad.append(text[max(0, match.start() - 60):match.end() + 30])
    return bad


# ---- tests ------------------------------------------------------------------------------------------

def test_every_reporting_member_gets_a_report_outside_the_bundle_with_a_mailing_manifest(members_built):
    root, result = members_built
    reg = register(root)
    sent = {p.stem.upper() for q in ("2025Q1", "2025Q2", "2025H1")
            for p in (root / "data" / "submissions" / q).glob("*.*")}
    with (folder(root) / "index.csv").open(encoding="utf-8-sig", newline="") as fh:
        index = list(csv.DictReader(fh))
    assert {r["org_id"] for r in index} == sent and sent
    for r in index:
        assert r["name"] == reg[r["org_id"]]["name"]
        assert r["contact"] == f"data@{r['org_id'].lower()}.example.nz"  # the register's optional column
        for kind in ("pdf", "html"):
            path = folder(root).parent / r[kind]
            assert hashlib.sha256(path.read_bytes()).hexdigest() == r[f"{kind}_sha256"]
    bundle = {p.relative_to(result.out_dir).as_posix() for p in result.out_dir.rglob("*")}
    assert not [p for p in bundle if "members" in p or any(org in p for org in reg)]
    assert "members/" not in (result.out_dir / "manifest.json").read_text(encoding="utf-8")


def test_every_number_in_every_report_is_the_members_own_or_published(members_built):
    root, result = members_built
    config = load_config(root / "config.yaml")
    pub_shown, pub_values = published_numbers(result.out_dir)
    checked = 0
    for path in sorted(folder(root).glob("*.html")):
        org = path.stem
        own_ints, own_ratios = own_numbers(own_rows(root, org), config_groups(config))
        for text in (text_of_html(path), text_of_pdf(path.with_suffix(".pdf"))):
            body = strip_structure(text, config, root)
            bad = unexplained(body, own_ints, own_ratios, pub_shown, pub_values)
            assert not bad, f"{org}: numbers neither its own nor published: {bad[:5]}"
            checked += len(NUMBER.findall(body))
    assert checked > 1000  # the check read real reports, not empty pages


def test_no_report_names_or_carries_another_member(members_built):
    root, _ = members_built
    reg = register(root)
    config = load_config(root / "config.yaml")
    _, pub_values = published_numbers(_bundle(root))  # read once: the same for every member
    own = {org: own_numbers(own_rows(root, org), config_groups(config))[0] for org in reg}
    for path in sorted(folder(root).glob("*.html")):
        org = path.stem
        text = text_of_html(path) + text_of_pdf(path.with_suffix(".pdf"))
        own_ints = own[org]
        for other, row in reg.items():
            if other == org:
                continue
            assert other not in text, (org, other)
            assert row["name"] not in text or row["name"] == reg[org]["name"], (org, other)
        # another member's distinctive figures (large, not the member's own, not published) never appear
        body = strip_structure(text, config, root)
        shown = {int(m.group(2).replace(",", "")) for m in NUMBER.finditer(body) if not m.group(3)}
        for other in reg:
            if other == org:
                continue
            theirs = {v for v in own[other] if v > 50} - own_ints - pub_values
            assert not (shown & theirs), (org, other, sorted(shown & theirs)[:5])


def _bundle(root: Path) -> Path:
    return (root / "output" / "2025H1" / "latest").resolve()


def test_the_missing_quarter_and_the_planted_warnings_are_in_the_right_report(members_built):
    root, result = members_built
    reg = register(root)
    missing = [org for org, r in reg.items()
               if not (root / "data" / "submissions" / "2025Q2" / f"{org}.csv").exists()
               and not (root / "data" / "submissions" / "2025Q2" / f"{org}.xlsx").exists()
               and (not r["active_to"] or Period.parse(r["active_to"]) >= Q2)
               and Period.parse(r["active_from"]) <= Q2]
    assert len(missing) == 1
    by_code, in_period = defaultdict(set), defaultdict(set)
    for f in result.findings:
        if f.file and f.code in ("data.unidentified-share", "data.large-movement"):
            by_code[f.code].add(Path(f.file).stem.upper())
            if Path(f.file).parent.name in ("2025Q1", "2025Q2"):
                in_period[f.code].add(Path(f.file).stem.upper())
    assert in_period["data.unidentified-share"]  # the planted member, in the period itself
    assert by_code["data.unidentified-share"] and by_code["data.large-movement"]
    for path in sorted(folder(root).glob("*.html")):
        org, text = path.stem, text_of_html(path)
        if org in missing:
            assert "Not met: Every quarter sent" in text and "April–June 2025 is missing" in text, org
        else:
            assert "is missing" not in text, org
        for code, orgs in by_code.items():
            assert (code in text) == (org in orgs), (org, code)
        assert ("Not met: Attendees recorded individually" in text) == (org in in_period["data.unidentified-share"])
        pdf = text_of_pdf(path.with_suffix(".pdf"))
        assert ("Not met: Every quarter sent" in pdf) == (org in missing)


def test_the_reports_are_tagged_pdfs_with_the_members_name_and_no_other(members_built):
    root, _ = members_built
    reg = register(root)
    for path in sorted(folder(root).glob("*.pdf"))[:6]:
        with pikepdf.open(path) as pdf:
            assert "/StructTreeRoot" in pdf.Root and bool(pdf.Root.MarkInfo.Marked)
            assert str(pdf.Root.Lang) == "en-NZ"
            meta = pdf.open_metadata()
            assert str(meta.get("pdfuaid:part")) == "1"
            assert reg[path.stem]["name"] in str(pdf.docinfo["/Title"])
            assert 2 <= len(pdf.pages) <= 4, path.name
        subprocess.run(["qpdf", "--check", str(path)], capture_output=True, check=True)


def test_the_html_reports_pass_axe_in_chromium(members_built, browser):
    from .browser import axe_violations, describe

    root, _ = members_built
    page = browser.new_page()
    for path in sorted(folder(root).glob("*.html"))[:3]:
        page.goto(path.as_uri())
        assert page.title().endswith("January–June 2025")
        violations = axe_violations(page)
        assert not violations, describe(violations)
    page.close()


def pdf_layouts(root: Path) -> set[str]:
    """The PDF layouts in the project's cache (one entry per document ever laid out)."""
    return {p.name for p in (root / ".reportgen-cache" / "pdf").glob("*.pdf")}


def test_a_draft_makes_the_reports_as_html_only_and_member_reports_lays_them_out(members_built):
    root, result = members_built
    # the draft: every report as HTML, no PDF laid out, the manifest's pdf column empty
    assert result.member_reports > 0 and not result.member_pdfs and result.members_laid_out == []
    assert len(DRAFT_INDEX) == result.member_reports and {r["pdf"] for r in DRAFT_INDEX} == {""}
    assert all(r["html_sha256"] for r in DRAFT_INDEX)
    # asked for (members_built ran reportgen member-reports): every member's PDF, in the manifest too
    index = read_index_csv(folder(root) / "index.csv")
    assert {r["org_id"] for r in index} == {r["org_id"] for r in DRAFT_INDEX}
    for r in index:
        assert r["pdf"] == r["html"].removesuffix(".html") + ".pdf"
        assert hashlib.sha256((folder(root).parent / r["pdf"]).read_bytes()).hexdigest() == r["pdf_sha256"]


def test_an_unchanged_members_report_is_not_laid_out_again(members_built, tmp_path):
    root, _ = members_built
    config = load_config(root / "config.yaml")
    story = next((root / "narratives" / "2025H1" / "stories").glob("*.yaml"))
    before = {p.name: p.read_bytes() for p in folder(root).glob("*.pdf")}
    assert before  # laid out on request (members_built)
    original = story.read_text(encoding="utf-8")
    story.write_text(original.replace("body: |", "body: |\n  A new opening sentence from the editor.", 1),
                     encoding="utf-8")
    try:
        again = build(config, H1)
        assert again.ok and again.draft == 2
        assert again.members_laid_out == [] and not list(folder(root).glob("*.pdf"))  # a draft: HTML only
        layouts = pdf_layouts(root)
        from reportgen.release.remake import remake

        written, findings = remake(config, H1)  # every member's PDF asked for again
    finally:
        story.write_text(original, encoding="utf-8")
    assert not [f for f in findings if f.is_error] and len([w for w in written if w.endswith(".pdf")]) == len(before)
    assert pdf_layouts(root) == layouts  # a story edit changes no member's letter: none was laid out again
    assert {p.name: p.read_bytes() for p in folder(root).glob("*.pdf")} == before


def test_member_reports_remakes_one_members_report_and_refuses_an_unknown_member(members_built):
    root, _ = members_built
    story = next((root / "narratives" / "2025H1" / "stories").glob("*.yaml"))
    story.write_text(story.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # inputs the last draft lacks
    refused = cli_in_process("member-reports", "2025H1", cwd=root)
    assert refused.returncode == 1 and "[feedback.inputs-changed]" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert cli_in_process("build", "2025H1", "-q", cwd=root).returncode == 0  # a draft of these inputs (HTML only)
    org = sorted(p.stem for p in folder(root).glob("*.html"))[0]
    target = folder(root) / f"{org}.pdf"
    assert not target.exists()
    every = cli_in_process("member-reports", "2025H1", cwd=root)
    assert every.returncode == 0, every.stderr
    before = target.read_bytes()
    target.unlink()
    done = cli_in_process("member-reports", "2025H1", "--org", org, cwd=root)
    assert done.returncode == 0, done.stderr
    assert target.read_bytes() == before and f"{org}.pdf" in done.stdout
    unknown = cli_in_process("member-reports", "2025H1", "--org", "NOPE999", cwd=root)
    assert unknown.returncode != 0 and "Traceback" not in unknown.stderr
    assert "NOPE999" in unknown.stderr


def test_a_quarterly_release_makes_the_members_reports_for_its_quarter(members_built, monkeypatch):
    root, _ = members_built
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1751328000")  # as run_cli's processes have it
    result = build(load_config(root / "config.yaml"), Q2)
    assert result.ok, [f.format() for f in result.findings if f.is_error]
    reports = sorted(folder(root, "2025Q2").glob("*.html"))
    assert reports
    text = text_of_html(reports[0])
    assert "April–June 2025" in text and "national report" not in text
    # a quarterly draft stays quick: its reports are HTML only, until they are asked for
    assert not list(folder(root, "2025Q2").glob("*.pdf")) and result.members_laid_out == []
    with (folder(root, "2025Q2") / "index.csv").open(encoding="utf-8-sig", newline="") as fh:
        assert {r["pdf"] for r in csv.DictReader(fh)} == {""}
    org = reports[0].stem
    done = cli_in_process("member-reports", "2025Q2", "--org", org, cwd=root)
    assert done.returncode == 0, done.stderr
    assert (folder(root, "2025Q2") / f"{org}.pdf").is_file()
    with (folder(root, "2025Q2") / "index.csv").open(encoding="utf-8-sig", newline="") as fh:
        made = {r["org_id"]: r["pdf"] for r in csv.DictReader(fh)}
    assert made[org] == f"members/{org}.pdf" and len(made) == len(reports)
    # the quarter's release (final) lays every report out
    record_reviews(root, "2025Q2")  # the Māori data review a final needs (issue 27)
    final = build(load_config(root / "config.yaml"), Q2, final=True)
    assert final.ok, [f.format() for f in final.findings if f.is_error]
    assert len(list(folder(root, "2025Q2").glob("*.pdf"))) == len(reports)


def test_no_text_over_text_in_any_members_pdf(members_built):
    """Issue 27's check of every document, on the members' letters as laid out on request (a draft makes
    them as HTML only): no text printed over other text in any of them."""
    from .overlap import pdf_overlaps

    root, _ = members_built
    pdfs = sorted(folder(root).glob("*.pdf"))
    assert len(pdfs) >= 10
    problems = [p for pdf in pdfs for p in pdf_overlaps(pdf)]
    assert problems == [], "\n".join(problems[:40])

"""The docs cannot drift from the sample (issue 27): every number they quote about the shipped sample
is computed here from the sample and compared, and every command they show is parsed by reportgen's
own command line and, where it names the sample's periods, members or files, checked against them.

- the editors' guide's placeholder table: each placeholder rendered on the sample (2025H1);
- the data contract's table of the sample's warnings, and the counts the build's summary prints;
- coverage lines, the register's size, the workbook's size, the key figures quoted in the
  templates' page;
- every ``reportgen …`` and ``python -m reportgen…`` command in a code block or code span of the
  README, CONTRIBUTING and docs/: it parses; its period has data in the sample and ``check`` finds no
  error there; ``new story --name`` names a file the sample does not have (and works in a copy);
  ``--org`` names a member of the register.
"""

from __future__ import annotations

import csv
import importlib.util
import re
import shlex
from collections import defaultdict

import pytest

from reportgen.build import check
from reportgen.core.config import load_config
from reportgen.core.periods import Period
from reportgen.runtime.check_report import summary_lines
from reportgen.runtime.warning_summary import _who, needs_action, problems
from reportgen.runtime.warning_summary import summary_lines as warning_lines

from .conftest import REPO, copy_project

H1, Q2 = Period.parse("2025H1"), Period.parse("2025Q2")
DOCS = [REPO / "README.md", REPO / "CONTRIBUTING.md", *sorted((REPO / "docs").glob("*.md"))]
CONFIG = REPO / "config.yaml"


def text(name: str) -> str:
    return (REPO / name).read_text(encoding="utf-8")


def flat(s: str) -> str:
    return " ".join(s.replace("\u00a0", " ").split())


@pytest.fixture(scope="module")
def checked():
    config = load_config(CONFIG)
    return {p: check(config, p) for p in (H1, Q2)}


@pytest.fixture(scope="module")
def names():
    """The placeholder namespace of the sample's 2025H1 report, as the narratives get it."""
    from reportgen.disclosure.confidentiality import confidentialise
    from reportgen.narratives.namespace import namespace
    from reportgen.publication import load_inputs
    from reportgen.runtime.run import Run

    config = load_config(CONFIG)
    inputs = load_inputs(config, H1, Run(H1))
    return namespace(confidentialise(inputs.aggregates, config, config.confidentiality_key()), config, H1)


def rendered(placeholder: str, names) -> str:
    from reportgen.narratives.namespace import SYMBOL_CLOSE, SYMBOL_OPEN
    from reportgen.narratives.placeholders import fill

    out, problems_ = fill(placeholder, names)
    assert not problems_, (placeholder, problems_)
    return flat(out.replace(SYMBOL_OPEN, "").replace(SYMBOL_CLOSE, ""))


# ---- numbers ---------------------------------------------------------------------------------

def test_the_editors_guide_placeholder_examples_are_what_the_sample_gives(names):
    guide = text("docs/editors-guide.md")
    rows = re.findall(r"^\| `(\{\{.*?\}\})` \| .*? \| (.*?) \|$", guide, flags=re.M)
    assert len(rows) >= 20
    wrong = [(ph, shown, rendered(ph.replace("\\|", "|"), names)) for ph, shown in rows
             if flat(shown) != rendered(ph.replace("\\|", "|"), names)]
    assert wrong == [], "regenerate the guide's examples: " + repr(wrong)
    clients = rendered("{{ clients }}", names).split()[0]
    housing = " ".join(rendered("{{ clients.need.housing.share }}", names).split()[:2])
    assert f"separators (`{clients}`), shares and changes with a percent sign (`{housing}`)" in flat(guide)
    assert f"(`{rendered('{{ clients }}', names)}`)" in flat(guide)  # a provisional figure carries its flag


def table_of_warnings(result, period) -> list[tuple[str, str, str, bool]]:
    warnings = [f for f in result.findings if f.severity == "warning"]
    by: dict[str, list] = defaultdict(list)
    for f in warnings:
        by[f.code].append(f)
    return [(code, str(len(found)), ", ".join(sorted({_who(f) for f in found})),
             any(needs_action(f, period) for f in found))
            for code, found in sorted(by.items(), key=lambda kv: (-len(kv[1]), kv[0]))]


def test_the_data_contract_lists_the_samples_warnings_as_they_are(checked):
    doc = text("docs/data-contract.md").split("## The sample's warnings", 1)[1].split("\n## ", 1)[0]
    listed = [(code, n, who, bool(action.strip())) for code, n, who, action in
              re.findall(r"^\| `([a-z]+\.[a-z0-9-]+)` \| (\d+) \| (.*?) \|(.*?)\|$", doc, flags=re.M)]
    assert listed == table_of_warnings(checked[H1], H1)
    for period, sentence in ((H1, "reportgen check 2025H1` on the shipped sample reports"),
                             (Q2, "reportgen check 2025Q2`, reports")):
        result = checked[period]
        warnings = [f for f in result.findings if f.severity == "warning"]
        errors = [f for f in result.findings if f.is_error]
        said = flat(doc.split(sentence, 1)[1])
        assert said.startswith(f"{len(errors)} errors and {len(warnings)} warnings: {problems(warnings)} problems"), \
            (period, said[:80])


def test_the_builds_summary_says_what_the_docs_say(checked):
    """What `reportgen build 2025H1` prints after the sample's build, against the data contract."""
    lines = warning_lines(checked[H1].findings, H1, sample=True)
    doc = flat(text("docs/data-contract.md"))
    head = lines[0]
    assert head.startswith("59 warnings: the sample data's 27 deliberate problems, explained in docs/data-contract.md")
    assert flat(head.split(", explained")[0]) in doc
    assert lines[1].startswith("  Need action before the release (2)")
    acted = [ln.split()[0] for ln in lines[2:6] if ln.startswith("    ") and not ln.strip().startswith("→")]
    assert acted == ["data.missing-quarter", "story.withheld"]  # first, above the 57 for review
    assert any(ln.startswith("  For review (57), by code:") for ln in lines)


def test_coverage_and_the_register_as_the_docs_quote_them(checked):
    lines = {p: next(ln for ln in summary_lines(checked[p], checked[p].findings, None) if "coverage:" in ln)
             for p in (H1, Q2)}
    h1 = lines[H1].split("coverage: ", 1)[1]
    assert f'("{h1}")' in flat(text("docs/data-contract.md")), h1
    q2 = lines[Q2].split("coverage: ", 1)[1]
    assert f'"{q2}"' in flat(text("docs/policy-staff-guide.md")), q2
    with (REPO / "data" / "members.csv").open(encoding="utf-8-sig", newline="") as fh:
        register = list(csv.DictReader(fh))
    networks = {r["network"] for r in register}
    staff = flat(text("docs/policy-staff-guide.md"))
    assert f"{len(register)} members in {len(networks)} networks" in staff
    per_region: dict[str, int] = defaultdict(int)
    for r in register:  # members active in the sample's last quarter
        if not r["active_to"] or Period.parse(r["active_to"]) >= Q2:
            for code in r["regions"].split(";"):
                per_region[code] += 1
    assert per_region["WTC"] == per_region["STL"] == 2  # "West Coast and Southland with only two members each"
    assert "West Coast and Southland with only two members each" in staff


@pytest.mark.slow
def test_the_workbook_and_key_figures_as_the_docs_quote_them(built_sample):
    import json

    from openpyxl import load_workbook

    wb = load_workbook(built_sample / "tables" / "tables.xlsx")
    rows = sum(ws.max_row for ws in wb.worksheets)
    assert f"the sample's workbook ({len(wb.sheetnames)} sheets, {rows:,} rows)" in flat(text("README.md"))
    proofs = json.loads((built_sample / "manifest.json").read_text(encoding="utf-8"))["disclosure_audit"]["proofs"]
    pinned = proofs["no_count_pinned_by_margins"]
    assert f"on the sample {pinned['narrowed']:,} of {pinned['checked']:,} ranges" in flat(text("docs/confidentiality.md"))
    dash = (built_sample / "report.html").read_text(encoding="utf-8")
    people = re.search(r'<span class="kf-label">people supported</span> <span class="kf-value">([^<]+)</span>', dash)
    assert people and f'"people supported, {flat(people.group(1))}"' in flat(text("docs/templates.md"))


def test_the_latest_quarters_headline_as_the_templates_page_quotes_it():
    """`9,972 P`: the nation's clients in the sample's latest quarter, as a dashboard Figure shows it."""
    import json

    from reportgen.datafiles.dashboard_data import dashboard_data
    from reportgen.publication import publication_for

    config = load_config(CONFIG)
    publication, run = publication_for(config, Q2)
    assert publication is not None, [f.format() for f in run.findings if f.is_error]
    doc = json.loads(json.dumps(dashboard_data(publication.store, publication.metrics, config, Q2)))
    nz = next(s for s in doc["scopes"] if s["code"] == "NZ")
    point = next(c for c in nz["counts"] if c["measure"] == "clients" and c["dimension"] == "total")["points"][-1]
    shown = f"{point['value']:,}" + (" " + " ".join(point["flags"]) if point["flags"] else "")
    assert f"(`{shown}`)" in flat(text("docs/templates.md"))


# ---- commands --------------------------------------------------------------------------------

PLACEHOLDERS = {"PERIOD": "2025H1", "ORG": "ANG001", "N": "1", "M": "2", "NAME": "Aroha Te Whata",
                "ID": "maori-data", "SLUG": "rent-day", "UNTIL": "2025-09-15T10:00", "RECIPIENT": "Minister",
                "CODE": "AKL", "PATH": "config.yaml", "REASON": "why", "ROLE": "Chair", "TEXT": "a note",
                "EXPORT_DIR": "data/member-export/export", "OUT": "out", "OUT_DIR": "out", "ORG_ID": "MET001"}
NEEDS_A_SERVICE = {"intake", "send"}  # the intake service, and sending to one: not run against the sample


def documented_commands() -> list[tuple[str, str]]:
    """(file, command) for every reportgen command in a fenced code block or a code span."""
    out = []
    for path in DOCS:
        body = path.read_text(encoding="utf-8")
        blocks = re.findall(r"^```[a-z]*\n(.*?)^```", body, flags=re.S | re.M)
        prose = re.sub(r"^```.*?^```", "", body, flags=re.S | re.M)
        prose = re.sub(r"^\| `[a-z]+\.[a-z0-9-]+` \|.*$", "", prose, flags=re.M)  # a table of errors shows wrong input
        spans = re.findall(r"`([^`\n]+)`", prose)
        lines = [ln for block in blocks for ln in re.sub(r"\\\n\s*", " ", block).splitlines()] + spans
        for line in lines:
            m = re.match(r"\s*(?:\$ )?((?:\.venv/bin/)?reportgen\s+\S.*|python3? -m reportgen\S*.*)", line)
            if m:
                command = re.split(r"\s+#\s", m.group(1))[0].strip()
                out.append((path.name, command))
    return out


def resolve(args: list[str]):
    """The click command ``args`` name, parsed with its options (a usage error raises)."""
    import click

    from reportgen.cli import cli

    ctx = cli.make_context("reportgen", list(args), resilient_parsing=False)
    command, rest = cli, [*getattr(ctx, "_protected_args", []), *ctx.args]
    while isinstance(command, click.Group) and rest:
        name, sub, rest = command.resolve_command(ctx, rest)
        if isinstance(sub, click.Group) and not rest:
            return sub, ctx  # a group named in passing ("`reportgen member`")
        ctx = sub.make_context(name, rest, parent=ctx)
        command, rest = sub, [*getattr(ctx, "_protected_args", []), *ctx.args]
    return command, ctx


def test_the_docs_show_commands():
    commands = documented_commands()
    assert len(commands) > 40
    assert any("review" in c for _, c in commands) and any("--embargo" in c for _, c in commands)


def test_every_command_in_the_guides_works_on_the_sample(tmp_path, monkeypatch):
    import click

    monkeypatch.chdir(REPO)  # the guides' paths are the project's
    config = load_config(CONFIG)
    with (REPO / "data" / "members.csv").open(encoding="utf-8-sig", newline="") as fh:
        members = {r["org_id"] for r in csv.DictReader(fh)}
    with_data = {p.name for p in (REPO / "data" / "submissions").iterdir() if p.is_dir()}
    problems_, periods = [], set()
    for doc, command in documented_commands():
        try:
            words = shlex.split(command.replace("…", ""))
        except ValueError:
            problems_.append(f"{doc}: cannot split: {command}")
            continue
        if words[0].startswith("python"):
            module = words[2]
            try:
                found = importlib.util.find_spec(module) is not None
            except ModuleNotFoundError:
                found = False
            if not found:
                problems_.append(f"{doc}: no module {module}: {command}")
            continue
        args = [PLACEHOLDERS.get(w, w) for w in words[1:] if w not in ("[--org", "ORG]")]
        if not args or args[0] in ("-h", "--help", "--version") or "[" in " ".join(args):
            continue
        if NEEDS_A_SERVICE & set(args[:2]):
            continue
        try:
            command_obj, ctx = resolve(args)
        except click.MissingParameter:
            continue  # a command named in passing ("`reportgen check` lists …"), not one to run
        except click.UsageError as exc:
            problems_.append(f"{doc}: {command}: {exc}")
            continue
        if isinstance(command_obj, click.Group):
            continue  # a group named in passing ("`reportgen member`")
        name = command_obj.name
        period = ctx.params.get("period")
        if name in ("build", "check", "preview", "diff", "member-reports", "review") and period:
            p = Period.parse(period)
            quarters = [str(q) for q in p.quarters()] if p.is_half else [str(p)]
            missing = [q for q in quarters if q not in with_data]
            if missing:
                problems_.append(f"{doc}: {command}: the sample has no data for {', '.join(missing)}")
            else:
                periods.add(p)
        if name == "story" and ctx.params.get("slug"):
            slug = ctx.params["slug"]
            where = Period.parse(ctx.params.get("period") or "2025H1")
            if (REPO / "narratives" / str(where) / "stories" / f"{slug}.yaml").exists():
                problems_.append(f"{doc}: {command}: the sample already has stories/{slug}.yaml")
        if ctx.params.get("org") and ctx.params["org"] not in members:
            problems_.append(f"{doc}: {command}: {ctx.params['org']} is not in the sample's register")
        if name == "build" and ctx.params.get("embargo_until"):
            from reportgen.release.embargo import parse_until

            parse_until(ctx.params["embargo_until"], config, Period.parse(period))
    assert problems_ == [], "\n".join(problems_)
    for p in sorted(periods):  # every period the guides build or check: the sample has no error there
        errors = [f.format() for f in check(config, p).findings if f.is_error]
        assert errors == [], (p, errors[:3])


def test_the_guides_new_story_command_works_in_a_copy_of_the_sample(tmp_path):
    from click.testing import CliRunner

    from reportgen.cli import cli

    shown = [c for _, c in documented_commands() if " new story " in f" {c} "]
    assert shown
    for k, command in enumerate(shown):
        root = copy_project(tmp_path / f"project{k}", data=False)
        args = [PLACEHOLDERS.get(w, w) for w in shlex.split(command)[1:]]
        result = CliRunner().invoke(cli, [*args, "--config", str(root / "config.yaml")])
        assert result.exit_code == 0, (command, result.output)
        slug = args[args.index("--name") + 1]
        assert list((root / "narratives").rglob(f"{slug}.yaml")), command

"""Issue 19: a fresh attack of the same kinds finds nothing. Hypothesis writes hostile submissions,
narrative YAML and config.yaml (aliases, NULs and other control characters, huge numbers, deep
nesting, bad encodings, hostile placeholders) into a small project and runs the real ``check``.
Asserted for every example: exit 0 or 1, a JSON document whose every finding has a declared code and
a file, no traceback, bounded time (a deadline per example) and bounded memory (a ceiling on the
address space while the examples run: running out would be an ``env.out-of-memory`` finding)."""

from __future__ import annotations

import json
import resource
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reportgen.cli import main
from reportgen.core import codes

from .conftest import REPO
from .test_hardening_yaml import BOMB
from .test_submissions_rules import MEMBERS, SUB, base_files

pytestmark = pytest.mark.slow
SETTINGS = settings(max_examples=int(__import__("os").environ.get("REPORTGEN_FUZZ_EXAMPLES", "20")), deadline=30_000, derandomize=False, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
PROJECT_LEVEL = {"data.missing-quarter", "config.no-key"}  # findings about the project as a whole


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("fuzz") / "base"
    (root / "data").mkdir(parents=True)
    config = (REPO / "config.yaml").read_text(encoding="utf-8")
    (root / "config.yaml").write_text(config + "\n", encoding="utf-8")
    (root / "data" / "members.csv").write_text(MEMBERS)
    for name, text in base_files().items():
        path = root / SUB / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    shutil.copytree(REPO / "narratives", root / "narratives")
    return root


@pytest.fixture(scope="module", autouse=True)
def ceiling():
    """At most 3 GiB more address space than the test process has now, while the examples run."""
    size = next(int(line.split()[1]) * 1024 for line in Path("/proc/self/status").read_text().splitlines()
                if line.startswith("VmSize:"))
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (size + (3 << 30), hard))
    yield
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _project(base: Path, tmp: Path) -> Path:
    root = tmp / "p"
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(base, root)
    return root


def _check(root: Path, capsys) -> list[dict]:
    capsys.readouterr()
    code = main(["check", "2025H1", "--format", "json", "--config", str(root / "config.yaml")])
    out = capsys.readouterr()
    assert code in (0, 1), out.err[-2000:]
    assert "Traceback" not in out.out + out.err and "internal error" not in out.err, out.err[-2000:]
    if out.out.strip().startswith("{"):
        findings = json.loads(out.out)["findings"]
    else:  # config.yaml itself could not be loaded: its findings are printed as text on stderr
        assert code == 1 and "config.yaml" in out.err and "[" in out.err, out.err[-2000:]
        findings = []
    for f in findings:
        assert f["code"] in codes.REGISTRY, f
        assert f["file"] or f["code"] in PROJECT_LEVEL, f
        assert f["code"] != "env.out-of-memory", f
    return findings


FRAGMENTS = [BOMB, "&a [1, *a]", "*nope", "&x ", "\x00", "\x1b[31m", "\x7f", "\x0c", "\t", "[" * 200, "{" * 200,
             "9" * 5000, "{{ 9**9**9 }}", "{{ 7*'7' }}", "{{ 'x' * 10**10 }}", "{{ ''.__class__.__mro__ }}",
             "{{ range(10**9) }}", "{% for x in y %}", '"unclosed', "'", ": ", "- ", "? ", "|", ">",
             "!!python/object/apply:os.system ['id']", "!!binary xx", "<<: *a", "%YAML 1.1\n", "\n---\n", "...",
             "Tu\u0304hoe", "\u0663\u0664", "\uff11\uff12", "\u2011", "\u200b", "x" * 200_000,
             '{{ "aroha" ~ "@" ~ "example.org.nz" }}', '{{ "021 123" ~ " 4567" }}', "{{ clients | number(10**9) }}",
             "{{ (" * 60 + "1" + ")" * 60 + " }}", "{{ 10**15 * 10**15 }}", "{{ -1e308 * 10 }}"]
TEXT = st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=40),
                 st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=4).map("".join))


def _mutate(text: str, edits) -> str:
    for at, kind, new in edits:
        at = min(at, len(text))
        if kind == "insert":
            text = text[:at] + new + text[at:]
        elif kind == "replace":
            text = text[:at] + new + text[at + len(new):]
        else:
            text = text[:at] + text[at + len(new) + 1:]
    return text


EDITS = st.lists(st.tuples(st.integers(0, 3000), st.sampled_from(["insert", "replace", "delete"]), TEXT),
                 min_size=1, max_size=5)
ENCODING = st.sampled_from(["utf-8", "utf-8-sig", "latin-1", "utf-16", "surrogates"])


def _encode(text: str, how: str) -> bytes:
    if how == "surrogates":
        return text.encode("utf-8", "surrogatepass") + b"\xed\xa0\x80"
    return text.encode(how, "replace")


@SETTINGS
@given(which=st.sampled_from(["report.yaml", "regions/AKL.yaml", "stories/kai-on-the-table.yaml"]),
       edits=EDITS, how=ENCODING)
def test_hostile_narratives(base, tmp_path, capsys, which, edits, how):
    root = _project(base, tmp_path)
    path = root / "narratives" / "2025H1" / which
    original = path.read_text(encoding="utf-8") if path.exists() else "intro: x\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_encode(_mutate(original, edits), how if how != "utf-16" else "utf-8"))
    _check(root, capsys)


NUMBER = st.one_of(st.sampled_from(["1e30", "-1", ".inf", ".nan", "1" + "0" * 400, "0", "x", "[]", "{}", "*a",
                                    "99999999999999999999", "0x7fffffffffffffff", "1_000", "~", "!!float 1e400"]),
                   st.integers(-10**20, 10**20).map(str), st.floats().map(repr))
SETTING = st.sampled_from(["confidentiality:\n  rounding_base: {}", "confidentiality:\n  suppress_below: {}",
                           "confidentiality:\n  min_members: {}", "confidentiality:\n  min_denominator: {}",
                           "confidentiality:\n  percent_decimals: {}", "checks:\n  plausibility_limit: {}",
                           "checks:\n  movement_share: {}", "checks:\n  unidentified_share: {}",
                           "output:\n  folder: {}", "data:\n  submissions: {}", "report:\n  language: {}",
                           "regions:\n  AKL: {}", "privacy:\n  names: {}"])
PATHS = st.sampled_from(["config.yaml", "/", "..", "data", "narratives", "data/submissions", "'\\0'", "a" * 5000,
                         "/etc/passwd", "~", "templates", "output/../data"])


@SETTINGS
@given(settings_=st.lists(st.tuples(SETTING, st.one_of(NUMBER, PATHS, TEXT.map(json.dumps))), min_size=1,
                          max_size=3),
       edits=st.one_of(st.just([]), EDITS), how=ENCODING)
def test_hostile_config(base, tmp_path, capsys, settings_, edits, how):
    root = _project(base, tmp_path)
    path = root / "config.yaml"
    text = path.read_text(encoding="utf-8")
    for template, value in settings_:
        text += "\n" + template.format(value) + "\n"
    path.write_bytes(_encode(_mutate(text, edits) if edits else text, how if how != "utf-16" else "utf-8"))
    _check(root, capsys)


VALUE = st.one_of(st.sampled_from(["9" * n for n in (13, 19, 20, 64, 400, 5000)]),
                  st.sampled_from(["1e999", "NaN", "inf", "-0", "0x10", "\u0661\u0662\u0663", "\uff11\uff12",
                                   "1_000", " 12 ", "12\x00", "1" * 300, "1.5", "٫5", "18446744073709551616",
                                   "9223372036854775807", "1000000000000", "1000000000001", '"12"', "'12'"]),
                  st.integers(0, 10**25).map(str), st.text(max_size=20))


@SETTINGS
@given(changes=st.lists(st.tuples(st.integers(1, 124), VALUE), min_size=1, max_size=8), edits=st.one_of(st.just([]),
                                                                                                    EDITS),
       how=ENCODING)
def test_hostile_submissions(base, tmp_path, capsys, changes, edits, how):
    root = _project(base, tmp_path)
    path = root / SUB / "2025Q1" / "A1.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    for row, value in changes:
        head = lines[row].rsplit(",", 1)[0]
        lines[row] = f"{head},{value}"
    text = "\n".join(lines)
    path.write_bytes(_encode(_mutate(text, edits) if edits else text, how))
    _check(root, capsys)

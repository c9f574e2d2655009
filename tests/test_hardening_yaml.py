"""Issue 19: YAML files that try to exhaust time or memory, or carry characters YAML refuses, are
findings with a line and column, in bounded time — in narratives, config.yaml and data/events.yaml."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from reportgen.core import limits
from reportgen.core.config import load_config
from reportgen.core.findings import StageFailed
from reportgen.core.yamlsource import load_yaml

from .conftest import copy_project, run_cli

# 354 bytes in the attack: nine levels of nine aliases each, 9**9 = 387 million values when expanded
BOMB = "".join(f"{chr(97 + i)}: &{chr(97 + i)} [{', '.join([('*' + chr(96 + i)) if i else 'x'] * 9)}]\n"
               for i in range(9))


def _load(tmp_path: Path, text: str, **kw):
    path = tmp_path / "f.yaml"
    path.write_text(text, encoding="utf-8")
    start = time.perf_counter()
    src, findings = load_yaml(path, "f.yaml", **kw)
    assert time.perf_counter() - start < 2
    return src, findings


def test_alias_bomb_is_measured_not_expanded(tmp_path):
    assert len(BOMB.encode()) < 400
    src, findings = _load(tmp_path, BOMB)
    assert src is None
    [f] = findings
    assert f.code == "yaml.too-big" and (f.line, f.column) == (2, 8), f.format()


def test_aliases_within_the_bound_still_work_in_config_files(tmp_path):
    src, findings = _load(tmp_path, "a: &x {k: 1}\nb: *x\n")
    assert findings == [] and src.data == {"a": {"k": 1}, "b": {"k": 1}}


def test_editors_files_refuse_aliases_and_anchors(tmp_path):
    for text, where in (("title: &t Hello\nsummary: *t\n", (1, 8)), ("title: *t\n", (1, 8))):
        src, [f] = _load(tmp_path, text, aliases=False)
        assert src is None and f.code == "yaml.alias" and (f.line, f.column) == where, f.format()


def test_self_reference_is_refused(tmp_path):
    src, [f] = _load(tmp_path, "a: &a [1, *a]\n")
    assert src is None and f.code == "yaml.too-big" and f.line == 1


@pytest.mark.parametrize("text", ["a: " + "[" * 3000 + "]" * 3000 + "\n",
                                  "".join("  " * i + f"k{i}:\n" for i in range(300)) + "  " * 300 + "x: 1\n"])
def test_deep_nesting_is_refused(tmp_path, text):
    src, [f] = _load(tmp_path, text)
    assert src is None and f.code == "yaml.too-deep" and f.line is not None


@pytest.mark.parametrize("char, name", [("\x00", "NUL"), ("\x1b", "ESC"), ("\x7f", "DEL"), ("\x08", "backspace")])
def test_control_characters_are_located(tmp_path, char, name):
    src, [f] = _load(tmp_path, f"title: ok\nsummary: a{char}b\n")
    assert src is None and f.code == "yaml.control-character" and (f.line, f.column) == (2, 11)
    assert name in f.message and f.hint


def test_sizes_are_bounded(tmp_path, monkeypatch):
    src, [f] = _load(tmp_path, "a: " + "9" * 5000 + "\n")
    assert f.code == "yaml.too-long" and f.line == 1 and len(f.excerpt) < 300
    monkeypatch.setattr(limits, "YAML_TEXT_CHARS", 100)
    src, [f] = _load(tmp_path, "a: ok\nb: " + "x" * 101 + "\n")
    assert f.code == "yaml.too-long" and f.line == 2
    monkeypatch.setattr(limits, "YAML_FILE_BYTES", 1000)
    src, [f] = _load(tmp_path, "a: " + "x" * 1000 + "\n")
    assert f.code == "yaml.too-large"


def test_an_unclosed_quote_is_reported_where_it_opens(tmp_path):
    lines = [f"k{i}: v" for i in range(20)]
    lines[12] = 'title: "Hello there'
    lines += [f"x{i}: y" for i in range(150)] + ['last: "oops"']
    src, [f] = _load(tmp_path, "\n".join(lines) + "\n")
    assert f.code == "yaml.syntax" and (f.line, f.column) == (13, 8), f.format()
    assert "quotation mark" in f.message


def test_text_is_normalised_to_nfc(tmp_path):
    src, findings = _load(tmp_path, "name: Tu\u0304hoe\n")
    assert src.data == {"name": "T\u016bhoe"}


def test_config_bomb_and_nul_are_findings(tmp_path):
    root = copy_project(tmp_path / "p", data=False)
    config = root / "config.yaml"
    original = config.read_text(encoding="utf-8")
    for extra, code in ((BOMB.replace("a:", "bomb_a:", 1), "yaml.too-big"), ("\x00\n", "yaml.control-character")):
        config.write_text(original + extra, encoding="utf-8")
        with pytest.raises(StageFailed) as exc:
            load_config(config)
        assert [f.code for f in exc.value.findings] == [code]
        assert exc.value.findings[0].line is not None


@pytest.mark.slow
def test_check_reports_bombs_in_narratives_and_events_in_seconds(tmp_path):
    root = copy_project(tmp_path / "p")
    story = root / "narratives/2025H1/stories/kai-on-the-table.yaml"
    story.write_text(BOMB, encoding="utf-8")
    (root / "data/events.yaml").write_text(BOMB, encoding="utf-8")
    (root / "narratives/2025H1/regions/AKL.yaml").write_text("intro: a\x1b[31mb\n", encoding="utf-8")
    start = time.perf_counter()
    out = run_cli("check", "2025H1", cwd=root)
    assert time.perf_counter() - start < 60
    assert out.returncode == 1, out.stderr
    assert "Traceback" not in out.stdout + out.stderr
    assert "stories/kai-on-the-table.yaml:1:4: error" in out.stdout and "[yaml.alias]" in out.stdout
    assert "data/events.yaml:2:8: error" in out.stdout and "[yaml.too-big]" in out.stdout
    assert "regions/AKL.yaml:1:9: error" in out.stdout and "[yaml.control-character]" in out.stdout

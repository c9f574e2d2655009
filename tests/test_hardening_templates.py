"""Issue 19: templates. Every blocked or broken template is a ``template.*`` finding at the template's
file and line (raised as StageFailed, so the build reports it with exit 1), and the sandbox bounds the
text, numbers, output and time a template may use."""

from __future__ import annotations

import time

import pytest

from reportgen.core import limits
from reportgen.core.config import load_config
from reportgen.core.findings import StageFailed
from reportgen.documents.render_html import render

from .conftest import cli_in_process, copy_project

PROBES = [
    ("{{ no_such_name }}", "template.undefined"),
    ("{{ 1/0 }}", "template.error"),
    ("{% include '/etc/passwd' %}", "template.not-found"),
    ("{% include '../../../../etc/passwd' %}", "template.not-found"),
    ("{% extends 'missing.html.j2' %}", "template.not-found"),
    ("{% for x in %}", "template.syntax"),
    ("{{ ''.__class__.__mro__ }}", "template.unsafe"),
    ("{{ 'x' * 10**10 }}", "template.too-big"),
    ("{{ '{:>1000000000}'.format(1) }}", "template.too-big"),
    ("{{ 'x'|center(10**9) }}", "template.too-big"),
    ("{{ '%0999999999d' % 1 }}", "template.too-big"),
    ("{{ 9**9**9**9 }}", "template.too-big"),
    ("{{ ('a' * 100000)|replace('a', 'b' * 100000) }}", "template.too-big"),
    ("{{ range(10**10)|list }}", "template.too-big"),
    ("{{ 'x'.ljust(10**10) }}", "template.too-big"),
    ("{{ [1] * 10**9 }}", "template.too-big"),
]


@pytest.fixture(scope="module")
def config(tmp_path_factory):
    root = copy_project(tmp_path_factory.mktemp("tpl") / "p", data=False)
    return load_config(root / "config.yaml")


def _probe(config, body: str, name: str = "probe.html.j2"):
    (config.root / "templates" / name).write_text("<p>line one</p>\n" + body + "\n", encoding="utf-8")
    start = time.perf_counter()
    with pytest.raises(StageFailed) as exc:
        render(config, name, {})
    took = time.perf_counter() - start
    [f] = exc.value.findings
    return f, took


@pytest.mark.parametrize("body", ["{{ '{:>1000000000}'.format(1) }}", "{{ '{x:>1000000000}'.format_map({'x': 1}) }}"])
def test_a_huge_format_width_is_refused_before_its_text_is_built(config, body):
    """The width is refused where ``format`` is looked up: the 1,000,000,000 characters are never built
    (they were, and then refused for their length: a gigabyte, and seconds on a busy machine)."""
    f, _ = _probe(config, body)
    assert f.code == "template.too-big" and "a format width of 1000000000" in f.message, f.format()


@pytest.mark.parametrize("body, code", PROBES, ids=[p[0][:40] for p in PROBES])
def test_each_probe_is_a_located_finding(config, body, code):
    f, took = _probe(config, body)
    assert f.code == code, f.format()
    assert f.file == "templates/probe.html.j2" and f.line == 2, f.format()
    assert f.hint and took < 5


def test_a_runaway_loop_is_stopped_by_the_time_limit(config, monkeypatch):
    monkeypatch.setattr(limits, "TEMPLATE_SECONDS", 0.5)
    f, took = _probe(config, "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}")
    assert f.code == "template.too-slow" and f.line == 2 and took < 3


def test_output_is_bounded(config, monkeypatch):
    monkeypatch.setattr(limits, "TEMPLATE_OUTPUT", 100_000)
    f, _ = _probe(config, "{% for i in range(100000) %}{{ 'x' * 1000 }}{% endfor %}")
    assert f.code == "template.too-big"


def test_a_problem_in_an_included_template_points_at_that_file(config):
    (config.root / "templates" / "_part.html.j2").write_text("ok\n\n{{ missing_thing }}\n", encoding="utf-8")
    f, _ = _probe(config, "{% include '_part.html.j2' %}")
    assert (f.code, f.file, f.line) == ("template.undefined", "templates/_part.html.j2", 3)


def test_ordinary_templates_still_render(config):
    (config.root / "templates" / "ok.html.j2").write_text(
        "{% for i in range(3) %}{{ '%.1f' % 2.25 }} {{ 'x' * 3 }} {{ 'a b'|replace('a', 'c') }}{% endfor %}",
        encoding="utf-8")
    assert render(config, "ok.html.j2", {}).startswith("2.2 xxx c b")


@pytest.mark.slow
def test_build_reports_a_template_error_with_exit_1(tmp_path):
    from .conftest import own_template, small_project

    root = small_project(tmp_path / "p")
    tpl = own_template(root, "report.html.j2")
    lines = tpl.read_text(encoding="utf-8").splitlines()
    lines.insert(3, "{{ 1/0 }}")
    tpl.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = cli_in_process("build", "2025H1", "-q", cwd=root)  # what the command reports (in process)
    assert out.returncode == 1, out.stderr
    assert "templates/report.html.j2:4: error:" in out.stderr and "[template.error]" in out.stderr
    assert "internal error" not in out.stderr and "Traceback" not in out.stderr


def test_a_huge_template_file_is_refused_before_it_is_read(config, monkeypatch):
    monkeypatch.setattr(limits, "TEMPLATE_FILE_BYTES", 200_000)  # report.css, read by every document, is smaller
    (config.root / "templates" / "_big.html.j2").write_text("x" * 300_000, encoding="utf-8")
    f, _ = _probe(config, "{% include '_big.html.j2' %}")
    assert f.code == "template.too-big" and "_big.html.j2" in f.message

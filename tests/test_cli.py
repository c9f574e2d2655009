"""The command line, run as users run it: a real subprocess, exit codes, no tracebacks."""

import subprocess
import sys
from pathlib import Path

import pytest

from reportgen import __version__

from .conftest import REPO, copied, run_cli


def run(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reportgen", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300)


def test_version():
    r = run("--version")
    assert r.returncode == 0 and __version__ in r.stdout


@pytest.mark.parametrize("command", [[], ["build"], ["check"]])
def test_help_on_every_command(command):
    r = run(*command, "--help")
    assert r.returncode == 0 and "Usage:" in r.stdout and "--help" in r.stdout


@pytest.mark.parametrize("period", ["2025H9", "banana", "2025Q5", "2099Q1", "2099H2"])
@pytest.mark.parametrize("command", ["build", "check"])
def test_bad_period_is_one_line_and_exit_2(command, period):
    r = run(command, period)
    assert r.returncode == 2
    assert r.stderr.strip().count("\n") == 0, r.stderr
    assert "Traceback" not in r.stderr
    if period.startswith("2099"):
        assert "has not ended yet" in r.stderr  # a period in the future
    else:
        assert "2025H1" in r.stderr and "2025Q1" in r.stderr


def test_unknown_option_is_usage_error():
    r = run("build", "2025H1", "--frobnicate")
    assert r.returncode == 2 and "Traceback" not in r.stderr


def test_typo_in_config_exits_1_with_one_clear_message(project):
    cfg = project / "config.yaml"
    cfg.write_text(cfg.read_text().replace("confidentiality:", "confidentality:", 1))
    r = run("build", "2025H1", "--config", str(cfg), cwd=project)
    assert r.returncode == 1
    assert "unknown key 'confidentality'" in r.stderr and "did you mean 'confidentiality'" in r.stderr
    assert "Traceback" not in r.stderr + r.stdout
    assert not (project / "output").exists()


def test_check_sample_is_clean_but_for_warnings(project):
    r = run("check", "2025H1", "-q", cwd=project)
    assert r.returncode == 0, r.stdout
    assert "0 errors" in r.stdout


@pytest.mark.slow
def test_build_with_data_error_writes_nothing_and_keeps_previous(built_sample, tmp_path):
    # the sample with its draft 1, made by the same command (conftest.built_sample), copied
    project = copied(built_sample.parents[3], tmp_path / "project")
    pdf = project / "output" / "2025H1" / "latest" / "report.pdf"
    before = pdf.read_bytes()
    bad = project / "data" / "submissions" / "2025Q1" / "ZZZ.csv"
    bad.write_text("org_id,period,region,measure,dimension,category,value\nANG001,2025Q1,AKK,clients,total,,12\n")
    r = run_cli("build", "2025H1", "-q", cwd=project)
    assert r.returncode == 1
    assert "ZZZ.csv:2:3: error: unknown region code 'AKK'" in r.stderr
    assert "did you mean 'AKL'?" in r.stderr
    assert pdf.read_bytes() == before

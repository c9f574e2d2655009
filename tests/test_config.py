from pathlib import Path

import pytest

from reportgen.core.config import load_config
from reportgen.core.findings import StageFailed

REPO = Path(__file__).resolve().parent.parent


def problems(path: Path) -> list:
    with pytest.raises(StageFailed) as exc:
        load_config(path)
    return exc.value.findings


def test_shipped_config_loads_with_macrons_and_catalogue():
    c = load_config(REPO / "config.yaml")
    assert c.regions["MWT"] == "Manawatū-Whanganui"
    assert c.category_label("ethnicity", "maori") == "Māori"
    assert c.measures["clients"].additive is False
    assert c.measures["staff_hours"].kind == "hours"
    assert c.confidentiality.min_members == 3
    assert c.submissions_dir == (REPO / "data" / "submissions").resolve()


def test_minimal_config_takes_contract_defaults(tmp_path):
    (tmp_path / "config.yaml").write_text("output:\n  folder: out\n")
    c = load_config(tmp_path / "config.yaml")
    assert len(c.measures) == 10 and "need" in c.dimensions and len(c.regions) == 16
    assert c.output_dir == (tmp_path / "out").resolve()


def test_config_may_add_a_measure_and_a_category(tmp_path):
    (tmp_path / "config.yaml").write_text(
        "dimensions:\n  need:\n    categories:\n      transport: Transport\n"
        "measures:\n  referrals:\n    label: Referrals\n    unit: referrals made\n"
        "    dimensions: [total]\n    additive: true\n")
    c = load_config(tmp_path / "config.yaml")
    assert "transport" in c.dimensions["need"].categories and "housing" in c.dimensions["need"].categories
    assert c.measures["referrals"].label == "Referrals" and "clients" in c.measures


def test_typo_key_gets_line_column_and_suggestion(tmp_path):
    p = tmp_path / "config.yaml"
    p.write_text("data:\n  submisions: data/submissions\n")
    [f] = problems(p)
    assert f.code == "config.unknown-key"
    assert (f.line, f.column) == (2, 3)
    assert f.message == "unknown key 'data.submisions'"
    assert f.hint == "did you mean 'submissions'?"


def test_all_problems_reported_at_once(tmp_path):
    p = tmp_path / "config.yaml"
    p.write_text("confidentality: {}\nchecks:\n  movement_share: lots\nreport:\n  numbered_paragraphs: maybe\n")
    found = {(f.code, f.line) for f in problems(p)}
    assert found == {("config.unknown-key", 1), ("config.invalid-value", 3), ("config.invalid-value", 5)}


def test_measure_with_undefined_dimension(tmp_path):
    p = tmp_path / "config.yaml"
    p.write_text("measures:\n  clients:\n    dimensions: [agebnd]\n")
    [f] = problems(p)
    assert "dimension 'agebnd'" in f.message and "did you mean 'age_band'" in f.message


def test_yaml_syntax_error_in_plain_words(tmp_path):
    p = tmp_path / "config.yaml"
    p.write_text("report:\n  language: en-NZ\n\tnumbered_paragraphs: true\n")
    [f] = problems(p)
    assert f.code == "yaml.syntax" and f.line == 3 and "tab" in f.message


def test_missing_config_file(tmp_path):
    [f] = problems(tmp_path / "nope.yaml")
    assert f.code == "config.not-found" and "--config" in f.hint


def test_an_output_folder_the_file_system_cannot_name_is_a_finding(tmp_path):
    """A name longer than the file system allows (found by the config fuzzer): a located finding,
    not an internal error."""
    (tmp_path / "config.yaml").write_text("confidentiality:\n  key: k\noutput:\n  folder: " + "x" * 300 + "\n",
                                          encoding="utf-8")
    with pytest.raises(StageFailed) as exc:
        load_config(tmp_path / "config.yaml")
    f, = exc.value.findings
    assert (f.code, f.line, f.column) == ("config.invalid-value", 4, 11)
    assert f.message == "output.folder: the folder cannot be used (File name too long)"

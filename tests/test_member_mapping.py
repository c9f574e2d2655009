"""The mapping file (every problem located) and `reportgen member init`."""

from __future__ import annotations

from pathlib import Path

import yaml

from reportgen.at_source.mapping import load_mapping, nearest
from reportgen.at_source.run import plan
from reportgen.cli import main
from reportgen.core.periods import Period

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "data" / "member-export"


def _load(tmp_path: Path, text: str):
    path = tmp_path / "mapping.yaml"
    path.write_text(text, encoding="utf-8")
    return load_mapping(path)


def _where(findings, code):
    return [(f.line, f.column) for f in findings if f.code == code]


def test_every_scalar_is_text_and_values_match_trimmed_without_case(tmp_path):
    m, found = _load(tmp_path, "codes:\n  gender: {01: female, yes: male, ' No ': not_stated, 1.0: another_gender}\n")
    assert found == []
    assert m.codes["gender"] == {"01": "female", "yes": "male", "no": "not_stated", "1.0": "another_gender"}
    assert m.translate("gender", "YES") == "male" and m.translate("gender", "1") == "1"  # 01 is not 1


def test_mapped_codes_and_columns_are_used(tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "clients.csv").write_text("ID,Sex\nk1,01\nk2,yes\n", encoding="utf-8")
    (folder / "sessions.csv").write_text("SID,When,Where,Who\na,2025-01-02,Hamilton Office ,k1|k2\n", encoding="utf-8")
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("columns:\n  clients: {client_key: ID, gender: Sex}\n"
                       "  sessions.csv: {session_id: sid, date: WHEN, region: ' Where ', client_keys: Who}\n"
                       "codes:\n  gender: {01: female, yes: male}\n  region: {hamilton office: wko}\n"
                       "separators:\n  client_keys: '|'\n", encoding="utf-8")
    result = plan(folder, "m1", Period.parse("2025Q1"), Period.parse("2025Q1"), mapping_file=mapping)
    assert result.ok, [f.format() for f in result.findings]
    rows = {r[2:5]: r[5] for r in result.rows["2025Q1"] if r[1] == "WKO"}
    assert rows[("clients", "total", "")] == 2
    assert rows[("clients", "gender", "female")] == 1 and rows[("clients", "gender", "male")] == 1
    assert result.org == "M1"


def test_unknown_names_are_located_with_the_nearest_suggested(tmp_path):
    _, found = _load(tmp_path, "colums:\n  x: 1\ncolumns:\n  client:\n    client_key: ID\n  sessions:\n"
                               "    sesion_id: SID\ncodes:\n  gendr: {F: female}\nseparators:\n  ethnic: '|'\n")
    got = {(f.line, f.column, f.hint) for f in found if f.code == "member.mapping-unknown-key"}
    assert (1, 1, "did you mean 'columns'?") in got
    assert (4, 3, "did you mean 'clients'?") in got
    assert (7, 5, "did you mean 'session_id'?") in got
    assert (9, 3, "did you mean 'gender'?") in got
    assert (11, 3, "did you mean 'ethnicity'?") in got


def test_targets_must_be_contract_codes_and_entries_filled_in(tmp_path):
    _, found = _load(tmp_path, 'codes:\n  gender:\n    F: femail\n    M: ""\n    X:\n  region: {Office: Waikato}\n')
    assert _where(found, "member.mapping-unknown-code") == [(3, 8), (6, 20)]
    assert "did you mean 'female'?" in [f.hint for f in found if f.line == 3][0]
    assert _where(found, "member.mapping-empty") == [(4, 8), (5, 7)]


def test_conflicts_and_shapes(tmp_path):
    _, found = _load(tmp_path, "codes:\n  gender: {F: female, ' f': male}\ncolumns:\n"
                               "  clients: {birth_date: DOB, first_service_date: dob}\n  sessions: [a, b]\n")
    assert _where(found, "member.mapping-conflict") == [(2, 23), (4, 50)]
    assert _where(found, "member.mapping-invalid") == [(5, 13)]


def test_a_key_twice_is_found_on_its_text(tmp_path):
    _, found = _load(tmp_path, "codes:\n  gender: {F: female}\n  gender: {M: male}\n")
    assert _where(found, "member.mapping-conflict") == [(3, 3)]


def test_yaml_syntax_errors_are_findings(tmp_path):
    _, found = _load(tmp_path, "codes:\n  gender: {F: female\n")
    assert [f.code for f in found] == ["yaml.syntax"] and found[0].line is not None


def test_a_broken_mapping_stops_before_the_export_is_read(tmp_path, capsys):
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("codes:\n  gender: {F: femail}\n", encoding="utf-8")
    code = main(["member", "aggregate", str(SAMPLE / "export"), "--mapping", str(mapping), "--org", "MET001",
                 "--from", "2025Q1", "--to", "2025Q2", "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 1 and "mapping.yaml:2:15: error: 'femail' is not a gender code" in err
    assert not (tmp_path / "out").exists()


def test_nearest_codes(tmp_path):
    assert nearest("Food parcel", "service_type")[0] == "food_support"
    assert nearest("Tauranga office", "region")[0] == "BOP"
    assert nearest("Whangārei", "region")[0] == "NTL"
    assert nearest("Samoan", "ethnicity")[0] == "pacific"
    assert nearest("U", "gender")[0] == "not_stated"
    assert sorted(nearest("x", "kind")) == ["paid", "volunteer"]


def test_init_guesses_columns_and_lists_values_then_a_filled_in_file_works(tmp_path, capsys):
    out = tmp_path / "my-mapping.yaml"
    assert main(["member", "init", str(SAMPLE / "export"), "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    sample = yaml.safe_load((SAMPLE / "mapping.yaml").read_text(encoding="utf-8"))
    for file, columns in sample["columns"].items():
        for column, name in columns.items():
            guessed = (data["columns"][file] or {}).get(column)
            if name.lower() != column:
                assert guessed == name, (file, column)
    assert '"Tauranga office": ""   # 846 rows; nearest first: BOP' in text
    assert '"Food parcel": ""' in text and "nearest first: food_support" in text
    # fill in each "" with the first code suggested, as a hurried data officer would; the file then works
    filled = []
    for line in text.splitlines():
        if ': ""' in line and not line.lstrip().startswith("#") and "nearest first: " in line:
            line = line.replace('""', line.split("nearest first: ")[1].split(",")[0])
        filled.append(line)
    out.write_text("\n".join(filled) + "\n", encoding="utf-8")
    capsys.readouterr()
    code = main(["member", "aggregate", str(SAMPLE / "export"), "--mapping", str(out), "--org", "MET001",
                 "--from", "2025Q1", "--to", "2025Q2", "--out", str(tmp_path / "o")])
    assert code == 0, capsys.readouterr().err


def test_init_never_overwrites_nor_writes_into_the_export(tmp_path, capsys):
    out = tmp_path / "mapping.yaml"
    out.write_text("# mine\n", encoding="utf-8")
    assert main(["member", "init", str(SAMPLE / "export"), "--out", str(out)]) == 1
    assert out.read_text() == "# mine\n"
    assert "member.output-exists" in capsys.readouterr().err
    assert main(["member", "init", str(SAMPLE / "export"), "--out", str(out), "--force"]) == 0
    assert main(["member", "init", str(SAMPLE / "export"), "--out", str(SAMPLE / "export" / "m.yaml")]) == 2
    assert not (SAMPLE / "export" / "m.yaml").exists()


def test_init_on_an_unreadable_export(tmp_path, capsys):
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "clients.csv").write_bytes("client_key,Sex\nA,Féminin\n".encode("latin-1"))
    assert main(["member", "init", str(folder), "--out", str(tmp_path / "m.yaml")]) == 1
    assert "clients.csv:2:2: error" in capsys.readouterr().err
    assert not (tmp_path / "m.yaml").exists()

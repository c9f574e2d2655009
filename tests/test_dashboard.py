"""dashboard.json (schema 2): validated against its JSON Schema, and documented; read back from the
built sample. ``validate`` uses jsonschema-rs (a compliant Draft 2020-12 validator, about a hundred times
faster on a whole dashboard.json than the reference ``jsonschema``: 20 ms against 2.5 s); the schema
itself is checked against the meta-schema by ``jsonschema``, and on the sample both validators are run
and must agree."""

from __future__ import annotations

import json

import jsonschema
import jsonschema_rs

from reportgen.datafiles.dashboard_data import SCHEMA_FILE

from .conftest import REPO


def validate(doc: dict) -> None:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    errors = sorted(jsonschema_rs.Draft202012Validator(schema).iter_errors(doc), key=lambda e: list(e.instance_path))
    assert not errors, [f"{list(e.instance_path)[:6]}: {e.message}" for e in errors[:10]]


def reference_errors(doc: dict) -> list[str]:
    """The reference validator's (``jsonschema``) errors on ``doc``: slow, so used once, as a cross-check."""
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return [e.message for e in jsonschema.Draft202012Validator(schema).iter_errors(doc)]


def test_the_schema_catches_what_it_should():
    """A control: a point with a value and a symbol, and an unknown flag, are refused."""
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    point = schema["$defs"]["point"] | {"$defs": schema["$defs"]}
    ok = {"period": "2025Q1", "value": 12, "symbol": "", "flags": ["P"]}
    jsonschema.validate(ok, point)
    assert jsonschema_rs.Draft202012Validator(point).is_valid(ok)
    for bad in ({**ok, "symbol": "S"}, {**ok, "flags": ["X"]}, {**ok, "value": None}, {**ok, "period": "25Q1"}):
        assert not jsonschema_rs.Draft202012Validator(point).is_valid(bad), f"jsonschema-rs accepted {bad}"
        try:
            jsonschema.validate(bad, point)
        except jsonschema.ValidationError:
            continue
        raise AssertionError(f"the schema accepted {bad}")


def test_the_sample_dashboard_validates_and_is_documented(built_sample):
    dash = json.loads((built_sample / "dashboard.json").read_text(encoding="utf-8"))
    validate(dash)
    assert reference_errors(dash) == []  # the reference validator agrees
    broken = json.loads(json.dumps(dash))
    broken["scopes"][0]["counts"][0]["points"][0]["flags"] = ["X"]
    assert reference_errors(broken) and not jsonschema_rs.Draft202012Validator(
        json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))).is_valid(broken)  # and both refuse a planted fault
    assert (built_sample / "dashboard.schema.json").read_bytes() == SCHEMA_FILE.read_bytes()
    assert dash["schema_version"] == "2.1.0" and dash["release"] == {
        "period": "2025H1", "kind": "half-year", "label": "January–June 2025", "latest_quarter": "2025Q2"}
    assert [q["code"] for q in dash["quarters"]] == ["2023Q3", "2023Q4", "2024Q1", "2024Q2", "2024Q3",
                                                      "2024Q4", "2025Q1", "2025Q2"]
    scopes = {s["code"]: s for s in dash["scopes"]}
    assert list(scopes)[0] == "NZ" and len(scopes) == 17
    assert scopes["WTC"]["published"] is False and "only 2 members" in scopes["WTC"]["not_published_reason"]
    assert scopes["AKL"]["published"] is True and scopes["AKL"]["not_published_reason"] is None
    nz = {(s["measure"], s["dimension"], s["category"]): s["points"] for s in scopes["NZ"]["counts"]}
    assert [p["period"] for p in nz[("clients", "total", "")]] == [q["code"] for q in dash["quarters"]]
    assert scopes["NZ"]["coverage"]["2025Q2"] == {"members_expected": 43, "members_reporting": 42,
                                                  "provisional": True}
    assert nz[("clients", "total", "")][-1]["flags"] == ["P"]
    shares = {(s["measure"], s["dimension"], s["category"]): s["points"] for s in scopes["NZ"]["shares"]}
    assert shares[("clients", "need", "housing")][-1]["value"] > 0
    changes = {(c["measure"], c["base"], c["method"]): c["points"] for c in scopes["NZ"]["changes"]}
    assert {m for m, _, _ in changes} == {m for m, s in dash["measures"].items() if "total" in s["dimensions"]}
    assert changes[("clients", "same_quarter_year_earlier", "like_for_like")][-1]["flags"] == []
    assert {r["metric"] for r in scopes["NZ"]["rates"]} == set(dash["metrics"])
    documented = (REPO / "docs" / "dashboard-schema.md").read_text(encoding="utf-8")
    assert f"`schema_version`: `\"{dash['schema_version']}\"`" in documented
    for key in dash:
        assert f"`{key}`" in documented, key
    for key in scopes["NZ"]:
        assert f"`{key}`" in documented, key

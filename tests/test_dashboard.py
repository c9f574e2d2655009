"""dashboard.json: the documented, versioned schema, read back from the built sample."""

from __future__ import annotations

import json

from .conftest import REPO


def test_dashboard_schema(built_sample):
    dash = json.loads((built_sample / "dashboard.json").read_text(encoding="utf-8"))
    assert dash["schema_version"] == "1.0.0" and dash["report_period"] == "2025H1"
    assert [q["code"] for q in dash["quarters"]] == ["2023Q3", "2023Q4", "2024Q1", "2024Q2", "2024Q3",
                                                      "2024Q4", "2025Q1", "2025Q2"]
    scopes = {s["code"]: s for s in dash["scopes"]}
    assert list(scopes)[0] == "NZ" and len(scopes) == 17
    assert scopes["WTC"]["published"] is False and "only 2 members" in scopes["WTC"]["not_published_reason"]
    assert scopes["AKL"]["published"] is True and scopes["AKL"]["not_published_reason"] is None
    nz = {(s["measure"], s["dimension"], s["category"]): s["points"] for s in scopes["NZ"]["series"]}
    assert [p["period"] for p in nz[("clients", "total", "")]] == [q["code"] for q in dash["quarters"]]
    assert {d["metric"] for d in scopes["NZ"]["derived"]} == set(dash["metrics"])
    documented = (REPO / "docs" / "dashboard-schema.md").read_text(encoding="utf-8")
    assert f"`schema_version`: `\"{dash['schema_version']}\"`" in documented
    for key in dash:
        assert f"`{key}`" in documented, key

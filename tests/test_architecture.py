"""Issue 22: the house as docs/architecture.md draws it — every room in the table exists, every
module is in a room, no import goes where the table does not allow, no module circle — and the
README's layout table names the same rooms."""

from __future__ import annotations

import importlib.util
import re

from .conftest import REPO

_spec = importlib.util.spec_from_file_location("import_graph", REPO / "scripts" / "import_graph.py")
graph_tool = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(graph_tool)


def test_every_room_of_the_table_exists_and_every_module_is_in_one():
    rules = graph_tool.allowed()
    assert list(rules)[:3] == ["core/", "runtime/", "inputs/"] and "cli.py" in rules
    for room in rules:
        assert (REPO / "reportgen" / room.rstrip("/")).exists(), room
    rooms = {graph_tool.room_of(m) for m in graph_tool.modules()}
    assert rooms - {"", "__main__.py"} <= set(rules), rooms - set(rules)


def test_no_import_goes_where_the_table_does_not_allow_and_no_circle():
    graph = graph_tool.imports(graph_tool.modules())
    assert sum(len(d) for d in graph.values()) > 250  # the scan sees the imports (lazy ones too)
    assert graph_tool.breaches(graph, graph_tool.allowed()) == []
    assert graph_tool.circles(graph) == []


def test_a_planted_upward_import_and_circle_are_caught():
    graph = graph_tool.imports(graph_tool.modules())
    planted = {**graph, "reportgen.core.formats": graph["reportgen.core.formats"] | {"reportgen.disclosure.audit"}}
    found = graph_tool.breaches(planted, graph_tool.allowed())
    assert found == ["reportgen.core.formats imports reportgen.disclosure.audit: core/ may not import disclosure/"]
    loop = {**graph, "reportgen.disclosure.rules": graph["reportgen.disclosure.rules"] | {"reportgen.disclosure.audit"}}
    assert any({"reportgen.disclosure.audit", "reportgen.disclosure.rules"} <= set(c) for c in graph_tool.circles(loop))


def test_the_readme_layout_names_the_same_rooms():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    listed = re.findall(r"^\| `reportgen/([a-z_]+/|[a-z_]+\.py)` \|", readme, re.M)
    assert set(listed) == set(graph_tool.allowed()), set(listed) ^ set(graph_tool.allowed())

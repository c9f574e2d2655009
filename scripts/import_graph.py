#!/usr/bin/env python3
"""The package's import graph, room by room (docs/architecture.md, "The rooms").

Reads every module of ``reportgen/`` as text (nothing is imported or run) and prints, for each
room, the rooms it imports — every import counts, at the top of a file or inside a function,
``TYPE_CHECKING`` ones too — then any import the architecture's table does not allow and any
circle between modules. Exit status 1 when there is either.

    .venv/bin/python scripts/import_graph.py            # the rooms and their arrows
    .venv/bin/python scripts/import_graph.py --modules  # every module and what it imports

``tests/test_architecture.py`` runs the same checks.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "reportgen"
DOC = REPO / "docs" / "architecture.md"


def modules(package: Path = PACKAGE) -> dict[str, Path]:
    """Dotted module name → file, for every module of the package."""
    out = {}
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def imports(mods: dict[str, Path]) -> dict[str, set[str]]:
    """Module → the package's modules it imports (a name imported from a package that is itself a
    module counts as that module)."""
    out: dict[str, set[str]] = {}
    for name, path in mods.items():
        here = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = here[: len(here) - node.level + 1]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                if not target.split(".")[0] == PACKAGE.name:
                    continue
                for alias in node.names:
                    full = f"{target}.{alias.name}"
                    deps.add(full if full in mods else target)
            elif isinstance(node, ast.Import):
                deps |= {a.name for a in node.names if a.name.split(".")[0] == PACKAGE.name}
        deps.discard(name)
        out[name] = {d for d in deps if d in mods}
    return out


def room_of(module: str) -> str:
    """'reportgen.disclosure.audit' → 'disclosure/'; 'reportgen.build' → 'build.py'; the package → ''."""
    parts = module.split(".")[1:]
    if not parts:
        return ""
    if len(parts) == 1 and (PACKAGE / f"{parts[0]}.py").is_file():
        return f"{parts[0]}.py"
    return f"{parts[0]}/"


def allowed(doc: Path = DOC) -> dict[str, set[str]]:
    """The architecture's table: room → the rooms it may import ("every room above" expanded)."""
    rows = []
    in_table = False
    for line in doc.read_text(encoding="utf-8").splitlines():
        if line.startswith("| room |"):
            in_table = True
            continue
        if in_table and not line.startswith("|"):
            break
        if in_table and not line.startswith("|---"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            rows.append((cells[0].strip("`"), cells[-1]))
    out: dict[str, set[str]] = {}
    seen: list[str] = []
    for room, may in rows:
        names = set(re.findall(r"`([^`]+)`", may))
        if "every room above" in may:
            names |= set(seen)
        out[room] = names
        seen.append(room)
    return out


def breaches(graph: dict[str, set[str]], rules: dict[str, set[str]]) -> list[str]:
    """Every import between rooms that the table does not allow, and every module in no room."""
    out = []
    for module, deps in sorted(graph.items()):
        room = room_of(module)
        if room and room not in rules and room not in ("__main__.py",):
            out.append(f"{module}: its room {room} is not in docs/architecture.md")
            continue
        for dep in sorted(deps):
            other = room_of(dep)
            if not other or other == room or room in ("", "__main__.py"):
                continue
            if other not in rules.get(room, set()):
                out.append(f"{module} imports {dep}: {room} may not import {other}")
    return out


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    sys.setrecursionlimit(10_000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--modules", action="store_true", help="print every module's imports, not the rooms'")
    args = ap.parse_args(argv)
    graph = imports(modules())
    if args.modules:
        for module, deps in sorted(graph.items()):
            print(f"{module} -> {' '.join(sorted(deps)) or '(nothing of reportgen)'}")
    else:
        rooms: dict[str, set[str]] = {}
        for module, deps in graph.items():
            room = room_of(module)
            rooms.setdefault(room, set()).update(room_of(d) for d in deps if room_of(d) not in ("", room))
        for room in allowed():
            print(f"{room:<18} -> {', '.join(sorted(rooms.get(room, ()))) or '(nothing of reportgen)'}")
    problems = breaches(graph, allowed())
    loops = circles(graph)
    for p in problems:
        print(f"not allowed: {p}", file=sys.stderr)
    for loop in loops:
        print(f"circle: {' <-> '.join(loop)}", file=sys.stderr)
    return 1 if problems or loops else 0


if __name__ == "__main__":
    raise SystemExit(main())

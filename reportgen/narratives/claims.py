"""Claims: an editor's sentence checked against the published figures.

An editor writes, after a sentence that states a direction, a ranking or a
comparison, the condition that makes it true, in double square brackets::

    Tāmaki Makaurau is where the housing squeeze bites hardest.
    [[check region.AKL.clients.need.housing.share is the highest of the regions]]

(``[[check: …]]`` is accepted too, but a colon followed by a space breaks a YAML
line that is not in quotes or a ``|`` block, so the guide shows the form
without it.)

The build evaluates the condition on the published figures (the same values
the placeholders show) and reports a located finding when it does not hold —
a warning in a draft, an error for the final. The bracket is never
published. The condition language, in plain words (docs/editors-guide.md):

    CHECK   := CLAUSE ( "and" CLAUSE )*
    CLAUSE  := FIGURE "is" TEST
    TEST    := "up" | "down" | "unchanged" | "not up" | "not down"
             | "the highest of" GROUP | "the lowest of" GROUP
             | COMPARE FIGURE
    COMPARE := "above" | "below" | "higher than" | "lower than" | "more than" | "less than"
             | "fewer than" | "at least" | "at most" | "the same as"
    GROUP   := "the regions" | a FIGURE without its last part, e.g. clients.need

A FIGURE is a placeholder name as written inside ``{{ }}``. Conditions compare
like with like: a share with a share, a count with a count, a change with a
change; "up" and "down" need a change (``.change``). A figure that is
suppressed or not available cannot be checked (a finding says so).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .namespace import PlaceholderError, resolve

MARKER = re.compile(r"\s*\[\[\s*check\b\s*:?(?P<body>[^\[\]]*)\]\]", re.IGNORECASE)
_COMPARE = {"above": ">", "higher than": ">", "more than": ">", "below": "<", "lower than": "<",
            "less than": "<", "fewer than": "<", "at least": ">=", "at most": "<=", "the same as": "=="}
_TESTS = ("not up", "not down", "up", "down", "unchanged")
KIND_WORDS = {"count": "a count of people or sessions", "hours": "a number of hours", "percent": "a share",
              "change": "a change", "ratio": "a ratio", "difference": "a difference"}


@dataclass(frozen=True)
class Problem:
    code: str  # claim.false | claim.not-available | claim.syntax | claim.unlike | claim.unknown
    message: str
    fragment: str  # the whole [[check: …]] as written, to locate the finding


def extract(text: str) -> tuple[str, list[str]]:
    """The text without its ``[[check: …]]`` markers (and the space before each), and the markers."""
    found = [m.group(0).strip() for m in MARKER.finditer(text)]
    return MARKER.sub("", text), found


def evaluate(marker: str, names: dict, config) -> list[Problem]:
    """Every problem with one ``[[check: …]]`` marker: none when its condition holds."""
    body = MARKER.match(marker).group("body").strip()  # type: ignore[union-attr]
    if not body:
        return [Problem("claim.syntax", "the check is empty: write the condition after 'check'", marker)]
    out = []
    for clause in re.split(r"\s+and\s+", body, flags=re.IGNORECASE):
        problem = _clause(clause.strip(), names, config, marker)
        if problem is not None:
            out.append(problem)
    return out


def _figure(path: str, names: dict, marker: str):
    try:
        return resolve(names, path), None
    except PlaceholderError as exc:
        return None, Problem("claim.unknown", f"the check names '{path}', which is not a figure: {exc}", marker)
    except Exception as exc:  # an attribute a figure does not have, any other failure of the path
        return None, Problem("claim.unknown", f"the check names '{path}', which is not a figure ({exc})", marker)


def _shown(p) -> str:
    return p.display()


def _clause(clause: str, names: dict, config, marker: str) -> Problem | None:
    m = re.fullmatch(r"(?P<figure>[A-Za-z_][\w.]*)\s+is\s+(?P<test>.+)", clause, flags=re.IGNORECASE)
    if not m:
        return Problem("claim.syntax", f"'{clause}' is not a check: write '<figure> is <test>', e.g. "
                       "'clients.change is up' or 'region.AKL.clients is the highest of the regions'", marker)
    path, test = m.group("figure"), " ".join(m.group("test").lower().split())
    value, problem = _figure(path, names, marker)
    if problem:
        return problem
    if test in _TESTS:
        return _direction(path, value, test, marker)
    ranking = re.fullmatch(r"the (highest|lowest) of (.+)", test)
    if ranking:
        return _ranking(path, value, ranking.group(1), ranking.group(2), names, config, marker)
    for words, op in sorted(_COMPARE.items(), key=lambda kv: -len(kv[0])):
        if test.startswith(words + " "):
            return _compare(path, value, op, words, test[len(words):].strip(), names, marker)
    return Problem("claim.syntax", f"'is {test}' is not a test: use up, down, unchanged, the highest of …, the "
                   "lowest of …, above …, below …, at least …, at most … or the same as …", marker)


def _unavailable(path: str, value, marker: str) -> Problem | None:
    if value.is_number:
        return None
    return Problem("claim.not-available", f"the check cannot be made: {path} is {value.symbol} (not published as "
                   "a number), so the sentence cannot be shown to be true", marker)


def _direction(path: str, value, test: str, marker: str) -> Problem | None:
    if value.kind not in ("change", "difference"):
        return Problem("claim.unlike", f"'{path} is {test}' needs a change, but {path} is "
                       f"{KIND_WORDS.get(value.kind, value.kind)}: use {path}.change", marker)
    missing = _unavailable(path, value, marker)
    if missing:
        return missing
    v = round(value.value)
    holds = {"up": v > 0, "down": v < 0, "unchanged": v == 0, "not up": v <= 0, "not down": v >= 0}[test]
    if holds:
        return None
    return Problem("claim.false", f"the sentence says {path} is {test}, but it is {_shown(value)}", marker)


def _ranking(path: str, value, which: str, group: str, names: dict, config, marker: str) -> Problem | None:
    missing = _unavailable(path, value, marker)
    if missing:
        return missing
    others = _group(path, group, names, config)
    if isinstance(others, str):
        return Problem("claim.syntax", others, marker)
    shown = {label: p for label, p in others.items() if p.is_number}
    if not shown:
        return Problem("claim.not-available", f"the check cannot be made: no other figure of {group} is published",
                       marker)
    better = {label: p for label, p in shown.items()
              if (p.value > value.value if which == "highest" else p.value < value.value)}
    tied = [label for label, p in shown.items() if p.value == value.value]
    if better:
        label, p = max(better.items(), key=lambda kv: kv[1].value) if which == "highest" else \
            min(better.items(), key=lambda kv: kv[1].value)
        return Problem("claim.false", f"the sentence says {path} ({_shown(value)}) is the {which} of {group}, but "
                       f"{label} has {_shown(p)}", marker)
    if tied:
        return Problem("claim.false", f"the sentence says {path} ({_shown(value)}) is the {which} of {group}, but "
                       f"{', '.join(tied)} {'has' if len(tied) == 1 else 'have'} the same", marker)
    return None


def _group(path: str, group: str, names: dict, config) -> dict | str:
    """The other figures a ranking compares with: {label: published value}; or why it cannot."""
    parts = path.split(".")
    scope = getattr(names, "scope", "NZ")
    if group in ("the regions", "the published regions", "regions") and parts[0] != "region" and scope != "NZ":
        parts = ["region", scope, *parts]  # a regional commentary's own figure
        path = ".".join(parts)
    if group in ("the regions", "the published regions", "regions"):
        if parts[0] != "region" or len(parts) < 3:
            return (f"'{path}' is not a region's figure: to compare regions write region.<CODE>.… "
                    "(e.g. region.AKL.clients.need.housing.share)")
        code, rest = parts[1].upper(), ".".join(parts[2:])
        out = {}
        store = getattr(names, "_args", (None,))[0]
        period = getattr(names, "_args", (None, None, None))[2]
        for other, label in config.regions.items():
            if other == code or (store is not None and (other, str(period)) in store.unpublished):
                continue
            try:
                out[label] = resolve(names, f"region.{other}.{rest}")
            except PlaceholderError:
                continue
        return out
    prefix = group.strip()
    if not path.startswith(prefix + "."):
        return f"'{path}' is not one of {prefix}: a ranking compares a figure with others of its own group"
    rest = path[len(prefix) + 1:].split(".")
    dims = prefix.split(".")
    dimension = dims[-1] if dims else ""
    if dimension not in config.dimensions:
        return f"'{prefix}' is not a breakdown: write, e.g., clients.need (then the figure clients.need.food.share)"
    tail = ".".join(rest[1:])
    out = {}
    for code, label in config.dimensions[dimension].categories.items():
        if code == rest[0]:
            continue
        try:
            out[label] = resolve(names, ".".join([prefix, code, *([tail] if tail else [])]))
        except PlaceholderError:
            continue
    return out


def _compare(path: str, value, op: str, words: str, other_path: str, names: dict, marker: str) -> Problem | None:
    other, problem = _figure(other_path, names, marker)
    if problem:
        return problem
    if other.kind != value.kind:
        return Problem("claim.unlike", f"the check compares {path} ({KIND_WORDS.get(value.kind, value.kind)}) with "
                       f"{other_path} ({KIND_WORDS.get(other.kind, other.kind)}): compare like with like, a share "
                       "with a share, a count with a count", marker)
    for p, name in ((value, path), (other, other_path)):
        missing = _unavailable(name, p, marker)
        if missing:
            return missing
    a, b = value.value, other.value
    holds = {">": a > b, "<": a < b, ">=": a >= b, "<=": a <= b, "==": a == b}[op]
    if holds:
        return None
    return Problem("claim.false", f"the sentence says {path} ({_shown(value)}) is {words} {other_path} "
                   f"({_shown(other)}), which is not so", marker)


def hint(code: str) -> str:
    return {"claim.false": "rewrite the sentence so that it says what the figures show, or correct the check",
            "claim.not-available": "the figure is suppressed or not available: write the sentence without it",
            "claim.syntax": "see 'Checks: sentences the figures must bear out' in docs/editors-guide.md; e.g. "
                            "[[check clients.change is up]]",
            "claim.unlike": "compare like with like: a share with a share, a count with a count",
            "claim.unknown": "use a figure's name as in a placeholder, e.g. region.AKL.clients.need.housing.share",
            }[code]


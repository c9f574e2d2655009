"""Claims: an editor's sentence checked against the published figures.

An editor writes, after a sentence that states a direction, a ranking, a comparison or a fact
about who reported, the condition that makes it true, in double square brackets::

    Tāmaki Makaurau is where the housing squeeze bites hardest.
    [[check region.AKL.clients.need.housing.share is the highest of the regions]]

(``[[check: …]]`` is accepted too, but a colon followed by a space breaks a YAML line that is
not in quotes or a ``|`` block, so the guide shows the form without it.)

The build evaluates the condition on the published figures (the same values the placeholders
show) and reports a located finding when it does not hold — a warning in a draft, an error for
the final; in a draft the sentence is marked for the reviewer (``render.py``). The bracket is
never published. The condition language, in plain words (docs/editors-guide.md):

    CHECK   := CLAUSE ( "and" CLAUSE )*
    CLAUSE  := FIGURE "is" TEST
    TEST    := "up" | "down" | "little changed" | "unchanged" | "not up" | "not down"
             | "published" | "not published"
             | "the highest of" GROUP | "the lowest of" GROUP
             | "among the highest of" GROUP | "among the lowest of" GROUP
             | COMPARE (FIGURE | NUMBER) | NUMBER
    COMPARE := "above" | "below" | "higher than" | "lower than" | "more than" | "less than"
             | "fewer than" | "at least" | "at most" | "the same as" | "about the same as"
    GROUP   := "the regions" | a FIGURE without its last part, e.g. clients.need

A FIGURE is a placeholder name as written inside ``{{ }}`` (a quarter's: ``quarter.2024Q3.…``);
a NUMBER compares a count of members (``members_partial is 1``). Conditions compare like with
like. **A claim of change or difference holds only when it is material** (``figures/materiality.py``,
handed in as the namespace's ``judge``): "up", "down", "above", "below", "more than", "fewer
than" and "the highest" need a difference larger than rounding and who reported can explain;
otherwise the finding is ``claim.not-material`` and suggests "little changed" (or "about the same",
"among the highest"). Rankings compare published values: a tie is never "the highest". A figure
that is suppressed or not available cannot be checked (a finding says so).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..disclosure.published import Published
from .namespace import PlaceholderError, resolve_ref

MARKER = re.compile(r"\s*\[\[\s*check\b\s*:?(?P<body>[^\[\]]*)\]\]", re.IGNORECASE)
_COMPARE = {"above": ">", "higher than": ">", "more than": ">", "greater than": ">", "below": "<",
            "lower than": "<", "less than": "<", "fewer than": "<", "at least": ">=", "at most": "<=",
            "the same as": "==", "about the same as": "~"}
_TESTS = ("not up", "not down", "up", "down", "unchanged", "little changed", "not published", "published")
KIND_WORDS = {"count": "a count of people or sessions", "hours": "a number of hours", "percent": "a share",
              "change": "a change", "ratio": "a ratio", "difference": "a difference",
              "members": "a count of member organisations"}
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


@dataclass(frozen=True)
class Problem:
    code: str  # claim.false | claim.not-material | claim.not-available | claim.syntax | claim.unlike | claim.unknown
    message: str
    fragment: str  # the whole [[check: …]] as written, to locate the finding


@dataclass(frozen=True)
class Change:
    """A change a passing claim speaks of (for the one-member caveat, ``render.py``)."""

    measure: str
    dimension: str
    category: str
    scope: str
    period: object
    base: object


def extract(text: str) -> tuple[str, list[str]]:
    """The text without its ``[[check: …]]`` markers (and the space before each), and the markers."""
    found = [m.group(0).strip() for m in MARKER.finditer(text)]
    return MARKER.sub("", text), found


def evaluate(marker: str, names: dict, config) -> list[Problem]:
    """Every problem with one ``[[check: …]]`` marker: none when its condition holds."""
    return Evaluation(marker, names, config).problems


class Evaluation:
    """One marker's clauses evaluated: its problems, and the changes it vouches for."""

    def __init__(self, marker: str, names: dict, config, *, totals: bool = False):
        self.marker, self.names, self.config = marker, names, config
        self.totals = totals  # the sentence says who reported: a change of the totals is claimed as such
        self.judge = getattr(names, "judge", None)
        self.problems: list[Problem] = []
        self.changes: list[Change] = []
        body = MARKER.match(marker).group("body").strip()  # type: ignore[union-attr]
        if not body:
            self.problems.append(Problem("claim.syntax", "the check is empty: write the condition after 'check'",
                                         marker))
            return
        for clause in re.split(r"\s+and\s+", body, flags=re.IGNORECASE):
            problem = self._clause(clause.strip())
            if problem is not None:
                self.problems.append(problem)

    def _problem(self, code: str, message: str) -> Problem:
        return Problem(code, message, self.marker)

    def _figure(self, path: str):
        try:
            value, ref = resolve_ref(self.names, path)
            return value, ref, None
        except PlaceholderError as exc:
            return None, None, self._problem("claim.unknown", f"the check names '{path}', which is not a figure: {exc}")
        except Exception as exc:  # an attribute a figure does not have, any other failure of the path
            return None, None, self._problem("claim.unknown", f"the check names '{path}', which is not a figure ({exc})")

    def _clause(self, clause: str) -> Problem | None:
        m = re.fullmatch(r"(?P<figure>[A-Za-z_][\w.]*)\s+is\s+(?P<test>.+)", clause, flags=re.IGNORECASE)
        if not m:
            return self._problem("claim.syntax", f"'{clause}' is not a check: write '<figure> is <test>', e.g. "
                                 "'clients.change is up' or 'region.AKL.clients is the highest of the regions'")
        path, written = m.group("figure"), " ".join(m.group("test").split())
        test = written.lower()  # the test's words in any case; a figure's name as written
        value, ref, problem = self._figure(path)
        if problem:
            return problem
        if test in ("published", "not published"):
            holds = value.is_number if test == "published" else not value.is_number
            return None if holds else self._problem(
                "claim.false", f"the sentence says {path} is {test}, but it is "
                f"{value.display() if value.is_number else 'not published (' + value.symbol + ')'}")
        if test in _TESTS:
            return self._direction(path, value, ref, test)
        if _NUMBER.fullmatch(test):
            test, written = f"the same as {test}", f"the same as {written}"
        ranking = re.fullmatch(r"(among )?the (highest|lowest) of (.+)", test)
        if ranking:
            return self._ranking(path, value, ref, ranking.group(2), ranking.group(3), bool(ranking.group(1)))
        for words, op in sorted(_COMPARE.items(), key=lambda kv: -len(kv[0])):
            if test.startswith(words + " "):
                return self._compare(path, value, ref, op, words, written[len(words):].strip())
        return self._problem("claim.syntax", f"'is {test}' is not a test: use up, down, little changed, the "
                             "highest of …, the lowest of …, among the highest of …, above …, below …, at least …, "
                             "at most …, the same as …, about the same as …, published or not published")

    def _unavailable(self, path: str, value) -> Problem | None:
        if value.is_number:
            return None
        return self._problem("claim.not-available", f"the check cannot be made: {path} is not published as a "
                             f"number ({value.symbol}), so the sentence cannot be shown to be true")

    def _direction(self, path: str, value, ref, test: str) -> Problem | None:
        if value.kind not in ("change", "difference"):
            return self._problem("claim.unlike", f"'{path} is {test}' needs a change, but {path} is "
                                 f"{KIND_WORDS.get(value.kind, value.kind)}: use {path}.change")
        missing = self._unavailable(path, value)
        if missing:
            return missing
        v = round(value.value)
        verdict = self.judge.change(value, ref, totals=self.totals) if self.judge is not None else None
        material = verdict.material if verdict is not None else v != 0
        if test in ("unchanged", "little changed"):
            holds = (v == 0 if test == "unchanged" or self.judge is None else
                     self.judge.little_changed(value, ref, totals=self.totals))
            if holds:
                return None
            little = test == "unchanged" and self.judge is not None and self.judge.little_changed(value, ref)
            return self._problem("claim.false", f"the sentence says {path} is {test}, but it is {value.display()}"
                                 + (": say it is little changed" if little else ""))
        holds = {"up": v > 0, "down": v < 0, "not up": v <= 0, "not down": v >= 0}[test]
        if not holds:
            return self._problem("claim.false", f"the sentence says {path} is {test}, but it is {value.display()}")
        if test in ("up", "down") and not material:
            why = verdict.why  # type: ignore[union-attr]
            return self._problem("claim.not-material", f"the sentence says {path} is {test}, but {why}"
                                 + ("" if why.endswith("little changed") else ": say it is little changed"))
        if test in ("up", "down") and ref is not None and ref.base is not None:
            self.changes.append(Change(ref.measure, ref.dimension, ref.category, ref.scope, ref.period, ref.base))
        return None

    def _ranking(self, path: str, value, ref, which: str, group: str, among: bool) -> Problem | None:
        missing = self._unavailable(path, value)
        if missing:
            return missing
        others = _group(path, group, self.names, self.config)
        if isinstance(others, str):
            return self._problem("claim.syntax", others)
        shown = {label: (p, r) for label, (p, r) in others.items() if p.is_number}
        if not shown:
            return self._problem("claim.not-available", f"the check cannot be made: no other figure of {group} is "
                                 "published")

        def beats(p) -> bool:
            return p.value > value.value if which == "highest" else p.value < value.value

        better = {label: pr for label, pr in shown.items() if beats(pr[0])}
        tied = [label for label, (p, _) in shown.items() if p.value == value.value]
        best = (max if which == "highest" else min)(shown.items(), key=lambda kv: kv[1][0].value)
        phrase = f"{'among ' if among else ''}the {which} of {group}"
        if among:
            close = {label: pr for label, pr in better.items() if self._material(pr[0], pr[1], value, ref)}
            if not close:
                return None
            label, (p, _) = (max if which == "highest" else min)(close.items(), key=lambda kv: kv[1][0].value)
            return self._problem("claim.false", f"the sentence says {path} ({value.display()}) is {phrase}, but "
                                 f"{label} has {p.display()}, clearly {'higher' if which == 'highest' else 'lower'}")
        if better:
            label, (p, _) = best
            return self._problem("claim.false", f"the sentence says {path} ({value.display()}) is the {which} of "
                                 f"{group}, but {label} has {p.display()}")
        if tied:
            return self._problem("claim.false", f"the sentence says {path} ({value.display()}) is the {which} of "
                                 f"{group}, but {', '.join(tied)} {'has' if len(tied) == 1 else 'have'} the same: say "
                                 f"'joint {which}' or 'among the {which}' ([[check {path} is among the {which} of "
                                 f"{group}]])")
        label, (p, r) = best
        if self.judge is not None:
            verdict = self.judge.difference(value, ref, p, r)
            if not verdict.material:
                nexts = [name for name, (q, _) in shown.items() if q.value == p.value]
                who = (f"comes {nexts[0]}" if len(nexts) == 1 else
                       f"come {', '.join(nexts[:-1])} and {nexts[-1]}")
                return self._problem("claim.not-material", f"the sentence says {path} ({value.display()}) is the "
                                     f"{which} of {group}, but next {who} with {p.display()}: {verdict.why}; "
                                     f"say 'among the {which}' ([[check {path} is among the {which} of {group}]])")
        return None

    def _material(self, a, ref_a, b, ref_b) -> bool:
        if self.judge is None:
            return a.value != b.value
        return self.judge.difference(a, ref_a, b, ref_b, totals=self.totals).material

    def _compare(self, path: str, value, ref, op: str, words: str, other_path: str) -> Problem | None:
        if _NUMBER.fullmatch(other_path):
            other, other_ref = Published(float(other_path), "", value.kind), None
            if value.kind != "members":
                return self._problem("claim.unlike", f"the check compares {path} with the number {other_path}: "
                                     "compare a figure with another figure (a number only with a count of members, "
                                     "e.g. members_partial is 1)")
        else:
            other, other_ref, problem = self._figure(other_path)
            if problem:
                return problem
            if other.kind != value.kind:
                return self._problem("claim.unlike", f"the check compares {path} ({KIND_WORDS.get(value.kind, value.kind)}) "
                                     f"with {other_path} ({KIND_WORDS.get(other.kind, other.kind)}): compare like with "
                                     "like, a share with a share, a count with a count")
        for p, name in ((value, path), (other, other_path)):
            missing = self._unavailable(name, p)
            if missing:
                return missing
        a, b = value.value, other.value
        if op == "~":  # "about the same": their size alone (a withheld like-for-like figure proves nothing)
            if not self._material(value, None, other, None):
                return None
            return self._problem("claim.false", f"the sentence says {path} ({value.display()}) is {words} "
                                 f"{other_path} ({other.display()}), but the difference is material")
        holds = {">": a > b, "<": a < b, ">=": a >= b, "<=": a <= b, "==": a == b}[op]
        if not holds:
            if other_ref is None and _NUMBER.fullmatch(other_path):
                said = other_path if op == "==" else f"{words} {other_path}"
                return self._problem("claim.false", f"the sentence says {path} is {said}, but it is {value.display()}")
            return self._problem("claim.false", f"the sentence says {path} ({value.display()}) is {words} "
                                 f"{other_path} ({other.display()}), which is not so")
        if op in (">", "<") and self.judge is not None and value.kind != "members":
            verdict = self.judge.difference(value, ref, other, other_ref, totals=self.totals)
            if not verdict.material:
                return self._problem("claim.not-material", f"the sentence says {path} ({value.display()}) is {words} "
                                     f"{other_path} ({other.display()}), but {verdict.why}: say they are about the "
                                     f"same ([[check {path} is about the same as {other_path}]])")
        if op in (">", "<") and ref is not None and other_ref is not None and _same_cell(ref, other_ref):
            later, earlier = (ref, other_ref) if ref.period > other_ref.period else (other_ref, ref)
            self.changes.append(Change(ref.measure, ref.dimension, ref.category, ref.scope, later.period,
                                       earlier.period))
        return None


def _same_cell(a, b) -> bool:
    return ((a.measure, a.dimension, a.category, a.scope, a.what) == (b.measure, b.dimension, b.category, b.scope,
                                                                       b.what) and str(a.period) != str(b.period))


def _group(path: str, group: str, names: dict, config) -> dict | str:
    """The other figures a ranking compares with: {label: (published value, ref)}; or why it cannot."""
    parts = path.split(".")
    scope = getattr(names, "scope", "NZ")
    if group in ("the regions", "the published regions", "regions") and parts[0] != "region" and scope != "NZ":
        parts = ["region", scope, *parts]  # a regional commentary's own figure
        path = ".".join(parts)
    if group in ("the regions", "the published regions", "regions"):
        if parts[0] != "region" or len(parts) < 3:
            return (f"'{path}' is not a region's figure: to compare regions write region.<CODE>.… "
                    "(e.g. region.AKL.clients.need.housing.share)")
        code, figure = parts[1].upper(), ".".join(parts[2:])
        out = {}
        store = getattr(names, "_args", (None,))[0]
        period = getattr(names, "_args", (None, None, None))[2]
        for other, label in config.regions.items():
            if other == code or (store is not None and (other, str(period)) in store.unpublished):
                continue
            try:
                out[label] = resolve_ref(names, f"region.{other}.{figure}")
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
            out[label] = resolve_ref(names, ".".join([prefix, code, *([tail] if tail else [])]))
        except PlaceholderError:
            continue
    return out


def hint(code: str) -> str:
    return {"claim.false": "rewrite the sentence so that it says what the figures show, or correct the check",
            "claim.not-material": "the difference is within what rounding and who reported can explain: say the "
                                  "figure is little changed (or about the same), and check that instead",
            "claim.not-available": "the figure is suppressed or not available: write the sentence without it",
            "claim.syntax": "see 'Checks: sentences the figures must bear out' in docs/editors-guide.md; e.g. "
                            "[[check clients.change is up]]",
            "claim.unlike": "compare like with like: a share with a share, a count with a count",
            "claim.unknown": "use a figure's name as in a placeholder, e.g. region.AKL.clients.need.housing.share",
            }[code]

"""A published value: a number or the symbol standing in for one, with its flags — the one type every
surface (documents, charts, tables, dashboard, members' reports) shows, and the symbols' meanings.

Confidentiality rule 9: one state has one symbol and one phrase on every surface.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core import formats
from ..inputs.coverage import PROVISIONAL

SUPPRESSED, CONFIDENTIAL, NIL, NOT_AVAILABLE = "S", "C", "–", ".."
REVISED = "R"  # the flag of a figure that differs from the one an earlier release published (revisions.py)
SYMBOLS = {
    SUPPRESSED: "suppressed: a small count, or a figure withheld so that another cannot be worked out",
    CONFIDENTIAL: "confidential: too few members contributed, or one member's figure could be worked out",
    NIL: "nil",
    NOT_AVAILABLE: "not available (no data for that scope or period)",
    PROVISIONAL: "provisional: a member expected to report did not; changes are compared like for like",
    REVISED: "revised: different from the value an earlier release published (see revisions.csv)",
    "A": "fewer than half of the clients were assessed: the outcome rate describes only part of them",
}
# a figure that stands as a symbol is said in words inside a sentence, never as its symbol (a sentence
# holds no symbol: "7,350 P people" or "Māori were S of the people" read as nonsense); the flags (P, R, A)
# are not said beside each figure but noted once at the end of the text
IN_WORDS = {SUPPRESSED: "not published (suppressed)", CONFIDENTIAL: "not published (confidential)",
            NIL: "nil", NOT_AVAILABLE: "not available"}

@dataclass(frozen=True, slots=True)
class Published:
    """A published figure: a number, or a symbol standing in for one; and its flag."""

    value: float | None
    symbol: str = ""
    kind: str = "count"  # count | hours | percent | ratio | change | difference
    flag: str = ""  # "P": provisional, an expected member did not report for this scope and period

    @property
    def is_number(self) -> bool:
        return self.value is not None and not self.symbol

    def __str__(self) -> str:
        return self.display()

    def display(self) -> str:
        return self.symbol or formats.display(float(self.value or 0), self.kind)

    def shown(self) -> str:
        """As a reader sees it in a table or a figure: the value or symbol, and the flag (P, R, A)
        after a no-break space (a symbol carries no flag)."""
        return self.display() + (f"\u00a0{self.flag}" if self.flag and not self.symbol else "")

    def __reduce__(self):
        # pickled (the stage cache) as its four fields: a store holds tens of thousands of these, and
        # dataclasses' own state for a frozen class with slots is several times slower to load
        return Published, (self.value, self.symbol, self.kind, self.flag)


FLAG_ORDER = (PROVISIONAL, REVISED, "A")


def merge_flags(*flags: str) -> str:
    """The flags of a figure made from others: every letter any of them carries, in a fixed order."""
    letters = {f for text in flags for f in text.split()}
    return " ".join(sorted(letters, key=lambda f: FLAG_ORDER.index(f) if f in FLAG_ORDER else len(FLAG_ORDER)))

"""The editors' guide's examples of checked sentences stay true: every "✗" example in "Every sentence true of
the figures" gives the finding it names, and every "✓" example gives none, built against the sample data."""

from __future__ import annotations

import re

import pytest

from .conftest import REPO
from .narratives_support import run

GUIDE = (REPO / "docs" / "editors-guide.md").read_text(encoding="utf-8")
SECTION = GUIDE.split("## Every sentence true of the figures", 1)[1].split("\n## Checks:", 1)[0]
EXAMPLES = re.findall(r"```yaml\n# (✗|✓) ?([\w./-]*)\n(.*?)```", SECTION, flags=re.S)


def test_the_guide_shows_each_kind_of_checked_sentence():
    wrong = [code for mark, code, _ in EXAMPLES if mark == "✗"]
    assert {"statement.typed-number", "statement.unverified", "statement.seasonal", "claim.not-material",
            "claim.false"} <= set(wrong)
    assert sum(mark == "✓" for mark, _, _ in EXAMPLES) >= 10
    assert "[[no check:" in SECTION and "members_partial" in SECTION and "quarter.2024Q3" in SECTION


@pytest.mark.parametrize("mark,target,block", EXAMPLES, ids=[f"{i}-{m}{c}" for i, (m, c, _) in enumerate(EXAMPLES)])
def test_each_example_gives_what_the_guide_says(tmp_path, mark, target, block):
    if target.endswith(".yaml"):
        files = {target: block}
    else:
        files = {"report.yaml": "title: T\npublisher: P\n" + block}
    _, findings = run(tmp_path, files)
    found = [f for f in findings if f.code.split(".")[0] in ("statement", "claim", "period")]
    others = [f for f in findings if f.is_error]
    assert not others, [f.format() for f in others]
    if mark == "✓":
        assert found == [], [f.format() for f in found]
    else:
        assert target in {f.code for f in found}, [f.format() for f in found]

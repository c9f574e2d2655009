"""Story governance: which stories a document may carry.

A story is **published** only when consent is given, it is approved, names
and places were changed, and it has not expired. Otherwise:

* consent **withdrawn** → the story is left out of every output, drafts
  included, and nothing about it (not even its title) is shown;
* anything else (consent pending, not approved, names not changed, expired)
  → in a draft a marked placeholder box ("story withheld: consent pending"),
  in a final build nothing.

Expiry is judged against the *reference date*: the later of the report's
publication date and the day of the build (the date of ``SOURCE_DATE_EPOCH``
when that is set, as for reproducible builds). A story must not be used after its
``expires`` date, so a report dated after it cannot carry it, and neither can
a rebuild made after it (the story is usable on the expiry date itself).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..core.findings import Finding, suggestion_hint
from .schema import Story

PUBLISHED, WITHHELD, WITHDRAWN = "published", "withheld", "withdrawn"


def reference_date(publication_date: dt.date | None, today: dt.date) -> dt.date:
    """The date expiry is judged against: the later of publication and build."""
    return max(publication_date, today) if publication_date else today


def status(story: Story, reference: dt.date) -> tuple[str, list[str]]:
    """(published | withheld | withdrawn, the reasons it is not published)."""
    if story.consent.status == "withdrawn":
        return WITHDRAWN, ["consent withdrawn"]
    reasons = []
    if story.consent.status != "given":
        reasons.append(f"consent {story.consent.status}")
    if not story.approved:
        reasons.append("not approved")
    if not story.names_changed:
        reasons.append("names not changed")
    if story.expires is not None and reference > story.expires:
        reasons.append(f"expired on {story.expires.isoformat()}")
    return (WITHHELD, reasons) if reasons else (PUBLISHED, [])


@dataclass(frozen=True)
class Selected:
    """A story's place in a document: shown in full, or as a withheld box (drafts only)."""

    slug: str
    state: str  # published | withheld
    reasons: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """The text of a withheld box: 'story withheld: consent pending'."""
        return "story withheld: " + "; ".join(self.reasons) if self.reasons else ""


def select_stories(stories: list[tuple[str, Story]], *, final: bool, reference: dt.date) -> list[Selected]:
    """The stories a document carries, in slug order.

    ``final`` builds carry published stories only; drafts also carry a
    withheld box for each story that is not (yet) publishable. Withdrawn
    stories appear in neither.
    """
    out = []
    for slug, story in sorted(stories, key=lambda s: s[0]):
        state, reasons = status(story, reference)
        if state == PUBLISHED or (state == WITHHELD and not final):
            out.append(Selected(slug, state, tuple(reasons)))
    return out


def story_member_findings(narratives, register) -> list[Finding]:
    """A story's ``member`` that is not in the register (a typo would keep it out of the member's
    report): a warning at the field."""
    out: list[Finding] = []
    if register is None or not getattr(register, "usable", True):  # no register to look in: reported once
        return out
    for s in narratives.stories:
        story, src = s.story, s.source
        if story is None or src is None or not story.member.strip():
            continue
        if register.get(story.member) is None:
            line, col = src.position(("member",))
            out.append(Finding("story.unknown-member", "warning",
                               f"story '{s.slug}' names member '{story.member}', which is not in the member "
                               "register: it is left out of every member's report", file=src.display,
                               line=line, column=col, excerpt=src.line_text(line),
                               hint=suggestion_hint(story.member, list(register.members), "org_ids")))
    return out

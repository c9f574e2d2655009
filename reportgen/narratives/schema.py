"""What editors write: the report file, regional commentary and stories.

Every model forbids unknown fields (they are reported with a "did you mean"),
and every field is documented in docs/editors-guide.md. Codes that depend on
the catalogue (regions, need codes, voices, consent states) are checked by the
loader, which can suggest the nearest known code.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, model_validator

VOICES = ("client", "whānau", "staff", "kaimahi", "volunteer")
CONSENT_STATES = ("given", "pending", "withdrawn")
SECTIONS = ("demographics", "needs", "services", "outcomes", "regions", "stories", "policy")


def _date_only(value):
    """Dates are written 2025-09-15; a bare number is not a date (pydantic would read a timestamp)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise ValueError("expected a date written as YYYY-MM-DD")
    return value


Date = Annotated[dt.date, BeforeValidator(_date_only)]


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("is empty: fill it in")
    return value


Text = Annotated[str, AfterValidator(_not_blank)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Sections(_Model):
    """An introduction for each section of the report (Markdown)."""

    demographics: str = ""
    needs: str = ""
    services: str = ""
    outcomes: str = ""
    regions: str = ""
    stories: str = ""
    policy: str = ""


class ReportNarrative(_Model):
    """narratives/<period>/report.yaml"""

    title: Text
    subtitle: str = ""
    publication_date: Date | None = None
    publisher: Text
    contact: str = ""
    summary: Text
    findings: list[str] = Field(default_factory=list)
    recommendations: list[str] = Field(default_factory=list)
    sections: Sections = Field(default_factory=Sections)
    methodology: str = ""


class RegionCommentary(_Model):
    """narratives/<period>/regions/<CODE>.yaml"""

    intro: Text
    key_points: list[str] = Field(default_factory=list)


class Consent(_Model):
    status: Text
    date: Date | None = None
    reference: str = ""

    @model_validator(mode="after")
    def _given_needs_record(self):
        if self.status == "given" and (self.date is None or not self.reference.strip()):
            missing = [n for n, v in (("date", self.date), ("reference", self.reference.strip())) if not v]
            raise ValueError(f"consent given needs its {' and '.join(missing)} (where the signed "
                             f"consent is recorded)")
        return self


class Story(_Model):
    """narratives/<period>/stories/<slug>.yaml"""

    title: Text
    voice: Text
    region: Text
    themes: list[str] = Field(default_factory=list)
    pull_quote: str = ""
    body: Text
    consent: Consent
    names_changed: StrictBool = False  # true or false as YAML writes them: "true" in quotes is text, and refused
    approved: StrictBool = False
    expires: Date | None = None
    member: str = ""  # org_id of the member that gathered it: never published; shown in that member's own report

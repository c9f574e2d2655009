"""config.yaml: loaded once into one typed, validated ``Config``.

Every option is declared here once, with its default and a description. All
problems are reported together, each with its key path, line and column; an
unknown key gets a "did you mean" suggestion.

The measure catalogue defaults to the data contract's (``catalogue.py``);
config.yaml may relabel it and add measures, dimensions and categories.
"""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator, model_validator

from . import catalogue, limits
from .findings import Finding, StageFailed, did_you_mean
from .yamlsource import load_yaml, validation_findings

DEFAULT_CONFIG_NAME = "config.yaml"
KEY_ENV_DEFAULT = "REPORTGEN_CONFIDENTIALITY_KEY"


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DataPaths(Section):
    """Where the inputs are, relative to the folder holding config.yaml."""

    submissions: str = Field("data/submissions", description="folder read for *.csv and *.xlsx submissions")
    members: str = Field("data/members.csv", description="the member register")
    events: str = Field("data/events.yaml", description="policy events marked on trend charts")


class OutputSettings(Section):
    folder: str = Field("output", description="where bundles are written, one folder per period")


class DimensionSpec(Section):
    label: str
    response: Literal["single", "multiple", "pool"] = Field(
        description="single: categories add up to the total; multiple: a person can be in "
                    "several; pool: each category is its own pool (outcome domains)")
    categories: dict[str, str] = Field(description="category code → display label")
    groups: dict[str, list[str]] = Field(default_factory=dict,
                                         description="named groups of categories (outcome domains)")
    note: str | None = Field(None, description="a footnote shown with this breakdown")

    @model_validator(mode="after")
    def _groups_known(self) -> DimensionSpec:
        for group, members in self.groups.items():
            for code in members:
                if code not in self.categories:
                    raise ValueError(f"group '{group}' names '{code}', which is not a category")
        return self


class MeasureSpec(Section):
    label: str
    unit: str
    dimensions: list[str] = Field(description="'total' and/or dimension codes allowed")
    additive: bool = Field(description="adds up across quarters (else taken from half-year rows)")
    kind: Literal["count", "hours"] = Field("count", description="hours are not rounded to base 3")


class Confidentiality(Section):
    """Disclosure control; see docs and the confidentiality spec."""

    rounding_base: int = Field(3, ge=1, le=100, description="random rounding base (RR3)")
    suppress_below: int = Field(6, ge=1, le=10_000, description="raw counts 1 to this-1 are published as S")
    min_members: int = Field(3, ge=1, le=1_000, description="contributors needed, else C")
    min_denominator: int = Field(20, ge=1, le=1_000_000,
                                 description="published denominators below this suppress a derived value")
    dominance_p: float = Field(10, ge=0, le=100,
                               description="p % rule: a cell where the second-largest member could estimate "
                                           "the largest within this per cent is C (0: off)")
    percent_decimals: int = Field(0, ge=0, le=3)
    key: str | None = Field(None, description="secret for the rounding hash; prefer the environment variable")
    key_env: str = Field(KEY_ENV_DEFAULT, description="environment variable holding the secret key")
    sum_groups: dict[str, list[str]] = Field(
        default_factory=lambda: {"outcome_assessed": ["outcome_improved", "outcome_same",
                                                      "outcome_declined"]},
        description="a measure whose value is the sum of other measures, cell by cell: "
                    "secondary suppression protects these sums like a breakdown")


class Checks(Section):
    """Thresholds for the data-contract warnings."""

    unidentified_share: float = Field(0.05, gt=0, lt=1, allow_inf_nan=False)
    movement_share: float = Field(0.5, gt=0, le=1_000, allow_inf_nan=False)
    plausibility_limit: float = Field(100_000, gt=0, le=limits.MAX_VALUE, allow_inf_nan=False)


class ReportSettings(Section):
    language: str = Field("en-NZ", description="the documents' language tag")
    numbered_paragraphs: bool = Field(True, description="number paragraphs in narrative sections")
    sample_data: bool = Field(False, description="say in every document that the data are synthetic")


class DashboardSettings(Section):
    """The quarterly dashboard pages (docs/website.md): the federation's name, colours and logo."""

    name: str = Field("Aotearoa Community Services Federation", description="the federation's name on every page")
    title: str = Field("Who we support, quarter by quarter", description="the dashboard's title")
    accent: str = Field("#1f5f8b", pattern=r"^#[0-9a-fA-F]{6}$", description="the accent colour (#rrggbb)")
    ink: str = Field("#1b1f23", pattern=r"^#[0-9a-fA-F]{6}$", description="the text colour (#rrggbb)")
    logo: str = Field("", description="a logo file (SVG or PNG) in templates/, copied into the pages; empty for none")
    logo_alt: str = Field("", description="the logo's alternative text (required with a logo)")
    headline: list[str] = Field(default_factory=lambda: ["clients", "new_clients", "sessions"],
                                description="the measures the overview page leads with")
    breakdowns: list[str] = Field(default_factory=lambda: ["need", "age_band", "ethnicity"],
                                  description="the breakdowns of clients with a page each, nationally and "
                                              "per region")

    @model_validator(mode="after")
    def _logo_has_alt(self):
        if self.logo and not self.logo_alt.strip():
            raise ValueError("dashboard.logo needs dashboard.logo_alt: the words a screen reader says for it")
        return self


class PrivacySettings(Section):
    """The personal-information scan of narratives (docs/editors-guide.md)."""

    names: list[str] = Field(default_factory=list,
                             description="names that must never appear in a narrative (real names of "
                                         "storytellers, whānau, staff)")
    allow: list[str] = Field(default_factory=list,
                             description="text the scan lets through, e.g. the publisher's own e-mail "
                                         "address, phone number and street address")


# ---- issue 18: what a release carries, and the te reo Māori glossary (additive) ----------------
import datetime as _dt  # noqa: E402
import re as _re  # noqa: E402

CC_BY = ("CC BY 4.0", "https://creativecommons.org/licenses/by/4.0/")
DEFAULT_CITATION = "{publisher} ({year}). {title}, {period}. {where}"
# Words and phrases of te reo Māori common in the federation's writing, tagged lang="mi" wherever
# they appear in a document (docs/editors-guide.md). Place names inside English-language proper
# nouns (region names such as "Manawatū-Whanganui") are left alone; editors mark anything else
# with [[mi: …]].
DEFAULT_MI_GLOSSARY = (
    "Aotearoa", "ngā mihi nui", "ngā mihi", "kia ora", "tēnā koe", "tēnā koutou", "mōrena", "whānau",
    "kaimahi", "tamariki", "rangatahi", "kaumātua", "kuia", "koroua", "mokopuna", "pātaka", "kai",
    "mahi", "hapū", "iwi", "marae", "tangata whenua", "te reo Māori", "te reo", "tikanga", "kaupapa",
    "manaakitanga", "whanaungatanga", "kotahitanga", "wairua", "hui", "koha", "mātauranga",
    "whakapapa", "whare", "Māori", "Te Mana Raraunga", "Ngā Tikanga Paihere", "rōpū",
)


class PublicationSettings(Section):
    """What a statistical release carries (docs/policy-staff-guide.md): shown on the report's
    imprint page, the briefs, the HTML and the workbook's cover sheet."""

    series: str | None = Field(None, description="the name of the series, for the workbook's title")
    publisher: str | None = Field(None, description="who publishes; default: the report narrative's publisher")
    contact: str | None = Field(None, description="where readers write with questions (an e-mail address)")
    contact_phone: str | None = Field(None, description="a phone number for questions")
    licence: str = Field(CC_BY[0], description="the licence of the text and data")
    licence_url: str | None = Field(None, description="the licence's address (default: CC BY 4.0's)")
    citation: str = Field(DEFAULT_CITATION, description="how to cite; {publisher} {year} {title} {period} "
                                                        "{where} are filled in")
    issn: str | None = Field(None, description="the series' ISSN, if it has one (NNNN-NNNX)")
    release_date: _dt.date | None = Field(None, description="the release date (default: the report "
                                                             "narrative's publication_date)")
    release_time: str = Field("10:00", description="the release time, 24-hour HH:MM, New Zealand time")
    next_release: str | None = Field(None, description="when the next release is due, e.g. 'March 2026'")
    base_url: str | None = Field(None, description="the website's address for this release's files "
                                                   "(https://…/); downloads link there when set, "
                                                   "else relative to the document")

    @field_validator("issn")
    @classmethod
    def _issn(cls, v: str | None) -> str | None:
        if v is None:
            return v
        v = v.strip()
        if not _re.fullmatch(r"\d{4}-\d{3}[\dX]", v):
            raise ValueError(f"'{v}' is not an ISSN: write it as NNNN-NNNN (the last may be X)")
        digits = v.replace("-", "")
        total = sum((8 - i) * int(c) for i, c in enumerate(digits[:7]))
        check = (11 - total % 11) % 11
        if digits[7] != ("X" if check == 10 else str(check)):
            raise ValueError(f"'{v}' is not a valid ISSN: its check digit should be "
                             f"{'X' if check == 10 else check}")
        return v

    @field_validator("release_time")
    @classmethod
    def _time(cls, v: str) -> str:
        if not _re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", v.strip()):
            raise ValueError(f"'{v}' is not a time: write it as HH:MM on the 24-hour clock, e.g. 10:00")
        return v.strip()

    @field_validator("base_url", "licence_url")
    @classmethod
    def _url(cls, v: str | None) -> str | None:
        if v is None:
            return v
        v = v.strip()
        if not _re.fullmatch(r"https?://[^\s/$.?#][^\s]*", v):
            raise ValueError(f"'{v}' is not a web address: write it as https://…")
        return v

    @field_validator("base_url")
    @classmethod
    def _slash(cls, v: str | None) -> str | None:
        return v if v is None or v.endswith("/") else v + "/"

    @field_validator("citation")
    @classmethod
    def _citation(cls, v: str) -> str:
        known = {"publisher", "year", "title", "period", "where"}
        for name in _re.findall(r"{([^{}]*)}", v):
            if name not in known:
                raise ValueError(f"the citation names {{{name}}}, which is not one of "
                                 f"{', '.join('{' + k + '}' for k in sorted(known))}")
        return v

    def release_text(self, fallback: _dt.date | None = None) -> tuple[str, str]:
        """("10:00 am, 15 September 2025 (New Zealand time)", "2025-09-15T10:00"), or ("", "")."""
        when = self.release_date or fallback
        if when is None:
            return "", ""
        hour, minute = (int(x) for x in self.release_time.split(":"))
        clock = f"{(hour % 12) or 12}:{minute:02d}\u00a0{'am' if hour < 12 else 'pm'}"
        return (f"{clock}, {when.day}\u00a0{when.strftime('%B %Y')} (New Zealand time)",
                f"{when.isoformat()}T{self.release_time}")

    @property
    def licence_link(self) -> str:
        return self.licence_url or (CC_BY[1] if self.licence == CC_BY[0] else "")


class GlossarySettings(Section):
    """Phrases in another language than the documents', tagged with their language wherever they
    appear (HTML lang attribute, PDF /Lang), so that screen readers pronounce them right."""

    mi: list[str] = Field(default_factory=lambda: list(DEFAULT_MI_GLOSSARY),
                          description="te reo Māori words and phrases (the default list is docs/editors-guide.md's)")
    mi_add: list[str] = Field(default_factory=list, description="phrases added to the default list")
    never: list[str] = Field(default_factory=list,
                             description="text never tagged, e.g. an English-language proper noun "
                                         "containing a te reo word")

    @field_validator("mi", "mi_add", "never")
    @classmethod
    def _phrases(cls, v: list[str]) -> list[str]:
        for phrase in v:
            if not str(phrase).strip():
                raise ValueError("an empty phrase: remove it")
            if any(c in str(phrase) for c in "<>[]&"):
                raise ValueError(f"'{phrase}': a phrase may not contain < > [ ] or &")
        return [str(p).strip() for p in v]

    def phrases(self) -> dict[str, list[str]]:
        """Language tag → phrases, longest first (so "ngā mihi nui" wins over "ngā mihi")."""
        return {"mi": sorted(dict.fromkeys([*self.mi, *self.mi_add]), key=lambda p: (-len(p), p))}


# ---- issue 26: the intake service (reportgen/intake/) and its calendar (additive) ------------------
class PeriodDates(Section):
    """When members may send one period: a date alone means 00:00 for ``opens`` and 23:59:59 for ``due`` and
    ``closes``, in ``intake.timezone``. After ``closes`` a submission is still taken, as a revision (late)."""

    opens: _dt.datetime | _dt.date = Field(description="from when the period can be sent")
    due: _dt.datetime | _dt.date = Field(description="the date members are asked to send by")
    closes: _dt.datetime | _dt.date = Field(description="after this a submission is late (a revision, marked R)")

    def moment(self, which: str, zone: _dt.tzinfo) -> _dt.datetime:
        """``opens``, ``due`` or ``closes`` as an aware date and time in ``zone`` (a date alone: its start
        for ``opens``, its last second for the others)."""
        value = getattr(self, which)
        if not isinstance(value, _dt.datetime):
            value = _dt.datetime.combine(value, _dt.time(0, 0) if which == "opens" else _dt.time(23, 59, 59))
        return value.replace(tzinfo=zone) if value.tzinfo is None else value.astimezone(zone)

    @model_validator(mode="after")
    def _in_order(self) -> PeriodDates:
        utc = _dt.UTC
        opens, due, closes = (self.moment(w, utc) for w in ("opens", "due", "closes"))
        if not opens <= due <= closes:
            raise ValueError("the dates must come in order: opens, then due, then closes")
        return self


class IntakeSettings(Section):
    """The intake service (docs/intake-operator.md): where it keeps what members send, and the calendar."""

    store: str | None = Field(None, description="folder of the intake store (its SQLite file and the files "
                                                "members sent); set, builds read members' accepted versions "
                                                "from it")
    timezone: str = Field("Pacific/Auckland", description="the calendar's time zone")
    hosts: list[str] = Field(default_factory=lambda: ["127.0.0.1", "localhost"],
                             description="host names the service answers to (the Host header)")
    public_url: str | None = Field(None, description="the address members use, e.g. https://intake.example.nz/; "
                                                     "https makes the session cookie Secure")
    max_file_bytes: int = Field(32 << 20, ge=1024, le=limits.SUBMISSION_FILE_BYTES,
                                description="the largest file one upload may carry")
    max_request_bytes: int = Field(64 << 20, ge=1024, le=1 << 30, description="the largest upload request")
    max_files: int = Field(20, ge=1, le=200, description="files in one upload")
    upload_seconds: float = Field(300, ge=1, le=3600, description="the longest one upload may take")
    idle_seconds: float = Field(30, ge=0.5, le=600, description="the longest an upload may pause")
    calendar: dict[str, PeriodDates] = Field(default_factory=dict,
                                             description="period (2025Q3, 2025H1) → opens, due, closes")

    @field_validator("calendar")
    @classmethod
    def _periods(cls, v: dict[str, PeriodDates]) -> dict[str, PeriodDates]:
        from .periods import Period, PeriodError

        out = {}
        for key, dates in v.items():
            try:
                period = Period.parse(str(key))
            except PeriodError as exc:
                raise ValueError(str(exc)) from None
            out[str(period)] = dates
        return out

    @field_validator("timezone")
    @classmethod
    def _zone(cls, v: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"'{v}' is not a time zone (e.g. Pacific/Auckland)") from None
        return v


# ---- issue 27: the release calendar, the reviews a release needs, the dashboard's breakdowns (additive) ----
class ReleaseCalendarSettings(Section):
    """The release calendar (``releases`` in config.yaml; not the intake's calendar of submissions,
    ``intake.calendar``): when each release is published. Published as ``calendar.ics`` and
    ``calendar.json`` in every bundle and linked from every dashboard page; every release's date and
    time, and its next release, come from it (``core/release_calendar.py``)."""

    timezone: str = Field("Pacific/Auckland", description="the time zone of the dates and times below")
    time: str = Field("10:00", description="the time of day releases are published, 24-hour HH:MM")
    calendar: dict[str, _dt.datetime | _dt.date] = Field(
        default_factory=dict, description="period (2025Q3, 2025H1) → its release date (or date and time)")

    @field_validator("calendar")
    @classmethod
    def _periods(cls, v: dict[str, _dt.datetime | _dt.date]) -> dict[str, _dt.datetime | _dt.date]:
        from .periods import Period, PeriodError

        out = {}
        for key, when in v.items():
            try:
                period = Period.parse(str(key))
            except PeriodError as exc:
                raise ValueError(str(exc)) from None
            out[str(period)] = when
        return out

    @field_validator("time")
    @classmethod
    def _time(cls, v: str) -> str:
        if not _re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", v.strip()):
            raise ValueError(f"'{v}' is not a time: write it as HH:MM on the 24-hour clock, e.g. 10:00")
        return v.strip()

    @field_validator("timezone")
    @classmethod
    def _zone(cls, v: str) -> str:
        return IntakeSettings._zone(v)


RELEASE_KINDS: tuple[Literal["half-year", "quarter"], ...] = ("half-year", "quarter")
DEFAULT_PRINCIPLES = (
    "Te Mana Raraunga's principles of Māori data sovereignty",
    "the CARE principles for Indigenous data governance",
    "Ngā Tikanga Paihere",
)


class ReviewSpec(Section):
    """A review a final needs: of every table and sentence a release has about a group (by default,
    about Māori), recorded with who reviewed it and when (``reportgen review``)."""

    name: str = Field(description="the review's name, e.g. 'Māori data review'")
    about: str = Field(description="what is reviewed, in words: 'every table and sentence about Māori'")
    categories: dict[str, list[str]] = Field(
        default_factory=dict, description="dimension → categories whose figures are reviewed, e.g. ethnicity: [maori]")
    words: list[str] = Field(default_factory=list,
                             description="a sentence containing any of these words is reviewed")
    principles: list[str] = Field(default_factory=list, description="what the review follows, for the methodology")
    reviewers: str = Field("", description="who reviews, in words, e.g. 'the federation's Māori data advisory "
                                           "rōpū' (the methodology names them)")
    releases: list[Literal["half-year", "quarter"]] = Field(
        default_factory=lambda: list(RELEASE_KINDS), description="the finals that need it")

    @model_validator(mode="after")
    def _something(self) -> ReviewSpec:
        if not self.categories and not self.words:
            raise ValueError("a review needs categories or words: what it reviews")
        return self


def _default_reviews() -> dict[str, ReviewSpec]:
    return {"maori-data": ReviewSpec(
        name="Māori data review", about="every table and sentence about Māori",
        categories={"ethnicity": ["maori"]}, words=["Māori", "Maori", "iwi", "hapū"],
        principles=list(DEFAULT_PRINCIPLES))}


class GovernanceSettings(Section):
    """How a release is governed (docs/policy-staff-guide.md): the reviews a final needs, and where
    their records are kept. The methodology says how the data were governed."""

    reviews: dict[str, ReviewSpec] = Field(default_factory=_default_reviews,
                                           description="review id → what it reviews; {} for none")
    records: str = Field("reviews", description="folder of the review records, one YAML file per period")

    @field_validator("reviews")
    @classmethod
    def _ids(cls, v: dict[str, ReviewSpec]) -> dict[str, ReviewSpec]:
        for key in v:
            if not _re.fullmatch(r"[a-z0-9][a-z0-9-]{0,40}", str(key)):
                raise ValueError(f"'{key}': a review id is lower-case letters, digits and hyphens")
        return v


# ---- issue 24: when a difference is worth a sentence (figures/materiality.py; additive) ---------------
class Materiality(Section):
    """When a change or a difference between published figures may be called one (docs/editors-guide.md,
    "Claims that mean something"): smaller than these, rounding and who reported can explain it, and the
    honest sentence is "little changed" or "about the same"."""

    share_points: float = Field(2.0, ge=0, le=100, allow_inf_nan=False,
                                description="shares (percentages) that differ by less than this many "
                                            "percentage points are about the same")
    change_percent: float = Field(2.0, ge=0, le=1_000, allow_inf_nan=False,
                                  description="a change (or a difference between counts, hours or ratios) "
                                              "smaller than this per cent is little changed")
    one_member: float = Field(0.5, gt=0, le=1, allow_inf_nan=False,
                              description="a change is driven by one member when one member flagged for a "
                                          "large movement (contract rule 12) makes more than this share of it")
    usual_quarters: int = Field(8, ge=2, le=40, description="the quarters before a quarter whose like-for-like "
                                                            "changes give the usual quarter-to-quarter variation")
    usual_minimum: int = Field(4, ge=2, le=40, description="fewer quarters than this: the usual variation is "
                                                           "not judged")


class Config(Section):
    data: DataPaths = DataPaths()
    output: OutputSettings = OutputSettings()
    regions: dict[str, str] = Field(default_factory=lambda: dict(catalogue.REGIONS))
    dimensions: dict[str, DimensionSpec] = Field(default_factory=dict)
    measures: dict[str, MeasureSpec] = Field(default_factory=dict)
    confidentiality: Confidentiality = Confidentiality()
    checks: Checks = Checks()
    report: ReportSettings = ReportSettings()
    dashboard: DashboardSettings = DashboardSettings()
    privacy: PrivacySettings = PrivacySettings()
    publication: PublicationSettings = PublicationSettings()  # issue 18
    glossary: GlossarySettings = GlossarySettings()  # issue 18
    intake: IntakeSettings = IntakeSettings()  # issue 26
    releases: ReleaseCalendarSettings = ReleaseCalendarSettings()  # issue 27
    governance: GovernanceSettings = GovernanceSettings()  # issue 27
    materiality: Materiality = Materiality()  # issue 24

    # set by load_config, not by the file
    root: Path = Field(Path("."), exclude=True)
    source: str = Field(DEFAULT_CONFIG_NAME, exclude=True)
    _positions: dict[tuple[str, ...], tuple[int | None, int | None]] = PrivateAttr(default_factory=dict)

    def located(self, *keys: str) -> tuple[int | None, int | None] | None:
        """Line and column of the value at ``keys`` in config.yaml (``data``, ``members``), or None when the
        file does not set it: a finding about what a setting names can point at the setting."""
        return self._positions.get(tuple(keys))

    @field_validator("regions")
    @classmethod
    def _upper_regions(cls, v: dict[str, str]) -> dict[str, str]:
        return {str(k).strip().upper(): str(label) for k, label in v.items()}

    @model_validator(mode="after")
    def _dimensions_exist(self) -> Config:
        for name, m in self.measures.items():
            for d in m.dimensions:
                if d != "total" and d not in self.dimensions:
                    near = did_you_mean(d, list(self.dimensions) + ["total"])
                    extra = f" (did you mean '{near}'?)" if near else ""
                    raise ValueError(f"measure '{name}' allows dimension '{d}', which is not "
                                     f"defined under 'dimensions'{extra}")
        return self

    @model_validator(mode="after")
    def _sum_groups_known(self) -> Config:
        for total, parts in self.confidentiality.sum_groups.items():
            for code in [total, *parts]:
                if code not in self.measures:
                    near = did_you_mean(code, list(self.measures))
                    extra = f" (did you mean '{near}'?)" if near else ""
                    raise ValueError(f"confidentiality.sum_groups names measure '{code}', which is not "
                                     f"in the catalogue{extra}")
        return self

    # ---- conveniences --------------------------------------------------
    def path(self, relative: str) -> Path:
        return (self.root / relative).resolve()

    @property
    def submissions_dir(self) -> Path:
        return self.path(self.data.submissions)

    @property
    def members_file(self) -> Path:
        return self.path(self.data.members)

    @property
    def events_file(self) -> Path:
        return self.path(self.data.events)

    @property
    def intake_store(self) -> Path | None:
        """The intake store's folder, when builds read members' versions from it (issue 26)."""
        return self.path(self.intake.store) if self.intake.store else None

    @property
    def output_dir(self) -> Path:
        return self.path(self.output.folder)

    def region_label(self, code: str) -> str:
        return self.regions.get(code, code)

    def category_label(self, dimension: str, code: str) -> str:
        if dimension == "total":
            return "Total"
        return self.dimensions[dimension].categories.get(code, code)

    def confidentiality_key(self) -> str | None:
        return os.environ.get(self.confidentiality.key_env) or self.confidentiality.key


# ---------------------------------------------------------------------------
# loading

def _merge_catalogue(raw: dict) -> dict:
    """Defaults from the contract, with config.yaml's additions and relabels on top."""
    merged = dict(raw)
    for section, defaults in (("regions", catalogue.REGIONS), ("dimensions", catalogue.DIMENSIONS),
                              ("measures", catalogue.MEASURES)):
        given = raw.get(section)
        if given is None:
            merged[section] = copy.deepcopy(defaults)
            continue
        if not isinstance(given, dict):
            continue  # the model reports the wrong type
        out: dict[str, Any] = copy.deepcopy(defaults)
        for code, spec in given.items():
            if isinstance(spec, dict) and isinstance(out.get(code), dict):
                base: dict = out[code]
                for k, v in spec.items():
                    if isinstance(v, dict) and isinstance(base.get(k), dict):
                        base[k] = {**base[k], **v}
                    elif k == "dimensions" and isinstance(v, list) and isinstance(base.get(k), list):
                        base[k] = base[k] + [d for d in v if d not in base[k]]
                    else:
                        base[k] = v
            else:
                out[code] = spec
        merged[section] = out
    return merged


def load_config(path: Path | str | None = None) -> Config:
    """Load and validate config.yaml. Raises StageFailed carrying every problem."""
    path = Path(path or DEFAULT_CONFIG_NAME)
    display = path.as_posix()
    if not path.exists():
        raise StageFailed([Finding(
            "config.not-found", "error", f"no config file at '{display}'", file=display,
            hint="run reportgen from the project folder, or pass --config PATH")])
    src, findings = load_yaml(path, display)
    if src is None:
        raise StageFailed(findings)
    raw = src.data if src.data is not None else {}
    if not isinstance(raw, dict):
        raise StageFailed(findings + [Finding(
            "config.invalid-value", "error", "config.yaml must be a set of 'key: value' sections",
            file=display, line=1, column=1)])
    merged = _merge_catalogue(raw)
    merged["root"] = path.resolve().parent
    merged["source"] = display
    try:
        config = Config.model_validate(merged)
    except ValidationError as exc:
        findings += validation_findings(exc, src, Config, "config",
                                        "see docs/policy-staff-guide.md for every option")
        raise StageFailed(findings) from None
    findings += _path_findings(config, src)
    if findings:
        raise StageFailed(findings)
    data = raw.get("data")
    for key in ("members", "submissions", "events"):
        if isinstance(data, dict) and key in data:
            config._positions[("data", key)] = src.position(("data", key))
    return config


def _path_findings(config: Config, src) -> list[Finding]:
    """The output folder must be a folder of its own: not a file, and not one of the inputs (a build
    would write into them; inputs are never modified)."""
    out = config.output_dir
    line, col = src.position(("output", "folder"))

    def bad(message: str, hint: str) -> Finding:
        return Finding("config.invalid-value", "error", f"output.folder: {message}", file=src.display, line=line,
                       column=col, excerpt=src.line_text(line), hint=hint)

    hint = "set output.folder to a folder of its own, e.g. output"
    try:
        if out.exists() and not out.is_dir():
            return [bad(f"'{config.output.folder}' is a file, not a folder", hint)]
    except OSError as exc:  # a name too long for the file system, say
        return [bad(f"the folder cannot be used ({exc.strerror or type(exc).__name__})", hint)]
    config_file = Path(src.path).resolve()
    if out == config_file or config_file.is_relative_to(out) and out != config.root:
        return [bad(f"'{config.output.folder}' holds config.yaml", hint)]
    inputs = [config.submissions_dir, config.members_file, config.events_file, config.root / "narratives",
              config.root / "templates"]
    for path in inputs:
        path = path.resolve()
        if out == path or out.is_relative_to(path) or (path.is_relative_to(out) and out != config.root):
            return [bad(f"'{config.output.folder}' would mix the outputs with the inputs "
                        f"({path.relative_to(config.root) if path.is_relative_to(config.root) else path})", hint)]
    return []

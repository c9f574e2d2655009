"""Members' private reports: what each member that reported gets back for a period (issue 17).

Each member whose rows are in the period's figures gets a short letter-style
report, ``output/<period>/internal/members/<org>.pdf`` and ``.html``, outside
every published bundle (``member_reports/files.py`` renders and writes them). Its
template context, ``MemberContext`` (``context.py``, docs/templates.md), is
gathered here from the Publication, and holds exactly two kinds of number:

* the member's **own** figures — its own validated rows (``member_reports/own_figures.py``),
  and shares, ratios and changes computed from them, as the report says;
* **published** figures of scopes (the member's regions and Aotearoa New
  Zealand), read from the ``PublishedStore`` and ``Metrics`` exactly as the
  public documents read them (never ``raw_of``).

So a member's report tells the member nothing beyond its own data and the
published bundle: no other member's value, name or code, and no figure from
which, with the published totals, another member's could be worked out. Its
share of a published total is given as a band, never exactly (``band``).
The contexts are period-generic: a quarter's release gathers them the same
way (``gather_members`` reads ``publication.period``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..core import codes, formats
from ..core.findings import Finding
from ..core.periods import Period
from ..disclosure.published import SYMBOLS, Published
from ..disclosure.rules import Rules
from ..documents.context import (
    Check,
    CompareRow,
    CompareTable,
    FindingGroup,
    FindingLine,
    MemberContext,
    MemberFigure,
    MemberRegion,
    OutcomeRow,
    TrendRow,
)
from ..figures.metrics import COVERAGE_CAVEAT, OUTCOMES, RATIOS
from ..inputs.register import COMMUNITY_LEADERS, COMMUNITY_LEADERS_SHARE
from ..runtime.check_report import select_member
from ..runtime.provenance import describe
from ..statistics.aggregate import NATIONAL
from .own_figures import BANDS, OwnFigures, band

TEMPLATE = "member.html.j2"
FOLDER = "members"  # inside output/<period>/internal/
NZ_NAME = "Aotearoa New Zealand"
HEADLINE = (("clients", "people supported"), ("new_clients", "came to you for the first time"),
            ("sessions", "sessions delivered"), ("staff_hours", "staff hours"),
            ("volunteer_hours", "volunteer hours"))
TREND = (("clients", "People supported"), ("new_clients", "New clients"), ("sessions", "Sessions"),
         ("staff_hours", "Staff hours"), ("volunteer_hours", "Volunteer hours"))
PEOPLE = ("age_band", "gender", "ethnicity", "need")
RATIO_LABELS = {"sessions_per_client": "Sessions per person", "clients_per_100_staff_hours": "People per 100 staff hours",
                "volunteer_share_of_hours": "Volunteers' share of hours",
                "unidentified_share": "Unidentified attendances (share)"}
MET, NOT_MET, NONE = "met", "not-met", "none"
NOT_STATED_LIMIT = 10.0  # % not stated (the member's or the nation's) above which a breakdown is not ranked
VERDICT = {MET: "Met", NOT_MET: "Not met", NONE: "Nothing to judge"}


def file_stem(org: str) -> str:
    """The member's file name (without ending): its org_id, with anything but letters, digits, - and _
    replaced, so that no register entry can name a path outside internal/members/."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", org) or "_"


def reporting_members(publication) -> list[str]:
    """Members whose rows are in the period's figures (whole or partial: a member that missed a quarter
    still gets its report, which says so), in org_id order."""
    cov = publication.aggregates.coverage.get(NATIONAL, publication.period)
    orgs = set(cov.contributing)
    if not orgs:  # a period coverage was not computed for (e.g. a quarter before issue 16 wires it)
        rows = OwnFigures(publication).period_rows(publication.period)
        orgs = set(rows["org_id"].astype(str)) if len(rows) else set()
    return sorted(orgs)


def gather_members(publication, findings: list[Finding] | None = None,
                   only: str | None = None) -> tuple[MemberContext, ...]:
    """A ``MemberContext`` for every reporting member (or only for ``only``), from the Publication.
    ``findings``: the build's findings (default: the inputs'), each member's picked with
    ``check_report.select_member``."""
    g = _Gather(publication, publication.inputs.findings if findings is None else findings)
    orgs = reporting_members(publication)
    if only is not None:
        orgs = [o for o in orgs if o == only.strip().upper()]
    return tuple(g.context(org) for org in orgs)


@dataclass
class _Scope:
    """Published figures of one scope for the period, formatted once and shared by every member."""

    code: str
    name: str
    figures: dict


class _Gather:
    def __init__(self, publication, findings: list[Finding]):
        self.pub = publication
        self.config, self.period = publication.config, publication.period
        self.store, self.metrics = publication.store, publication.metrics
        self.own = OwnFigures(publication)
        self.findings = findings
        self.briefs = set(publication.charts.regions) if publication.charts is not None else set()
        self.barred = self.metrics.not_published_regions(self.period)
        self.decimals = self.config.confidentiality.percent_decimals
        self._shown: dict[tuple, str] = {}

    # ---- published values (cached: every member of a region reads the same ones) ---------------
    def published(self, kind: str, scope: str, *args) -> str:
        """A published figure as the public documents show it (``Published.shown``: value or symbol, flag)."""
        key = (kind, scope, *args)
        if key not in self._shown:
            self._shown[key] = self._value(kind, scope, *args).shown()
        return self._shown[key]

    def _value(self, kind: str, scope: str, *args) -> Published:
        s, m, p = self.store, self.metrics, self.period
        if kind == "count":
            return s.get(args[0], scope=scope, period=p)
        if kind == "share":
            return s.share(*args, scope=scope, period=p)
        if kind == "ratio":
            return m.ratio(next(r for r in RATIOS if r.code == args[0]), scope=scope, period=p)
        if kind == "rate":
            return m.improvement_rate(*args, scope=scope, period=p)
        if kind == "group_rate":
            return m.group_improvement_rate(*args, scope=scope, period=p)
        raise ValueError(kind)

    def share_value(self, measure: str, dim: str, cat: str, scope: str) -> float | None:
        p = self.store.share(measure, dim, cat, scope=scope, period=self.period)
        return float(p.value) if p.is_number else None

    def label(self, dim: str, cat: str) -> str:
        return self.config.dimensions[dim].categories.get(cat, cat)

    def pct(self, num: float, den: float, decimals: int | None = None) -> str:
        if not den:
            return ".."
        return formats.percent(round(100.0 * num / den, self.decimals if decimals is None else decimals) + 0.0,
                               self.decimals if decimals is None else decimals)

    # ---- one member -------------------------------------------------------------------------------
    def context(self, org: str) -> MemberContext:
        register = self.pub.inputs.data.register
        member = register.get(org) if register is not None else None
        name = (member.name if member is not None and member.name else org)
        cells = self.own.cells(org, self.period)
        regions = self.regions(org)
        main = next((r for r in regions if r.main), None)
        main_code = main.code if main is not None else NATIONAL
        period_label = self.period.label()
        report = self.pub.report  # None in a quarterly release: no report, no stories
        mine = [s for s in report.stories if s.member == org] if report is not None else []
        settings = self.config.publication
        publisher = settings.publisher or (report.publisher if report is not None else self.config.dashboard.name)
        contact = settings.contact or (report.contact if report is not None else "")
        return MemberContext(
            name=f"{FOLDER}/{file_stem(org)}", template=TEMPLATE, language=self.config.report.language,
            title=f"{name}: your figures for {period_label}",
            description=f"Private report for {name}: its own figures beside the published ones, {period_label}",
            version=describe(), period_label=period_label, synthetic=bool(self.config.report.sample_data),
            publisher=publisher, contact=contact,
            org_id=org, member_name=name, member_contact=member.contact if member is not None else "",
            mark=f"Private — for {name} only",
            headline=self.headline(org, cells),
            regions=regions,
            main_region=main.name if main is not None else NZ_NAME,
            national_band=band(sum(self.own.region_clients(org, self.period).values()),
                               self.store.get("clients", scope=NATIONAL, period=self.period)),
            key_table=self.key_table(cells, main_code),
            differences=self.differences(cells, main_code, main.name if main is not None else NZ_NAME),
            trend_columns=["Quarter", *[label for _, label in TREND]],
            trend=self.trend(org),
            trend_note=self.trend_note(org),
            people=[t for t in (self.compare("clients", dim, cells, main_code) for dim in PEOPLE) if t is not None],
            services=self.compare("sessions", "service_type", cells, main_code) or CompareTable("services", "", "", []),
            outcomes=self.outcomes(cells, main_code),
            outcome_note=(f"Assessed: people with a start and an end rating in the domain, as a share of the people "
                          f"you supported. Improved: the share of those assessed whose rating rose. Published rates "
                          f"marked A rest on fewer than {formats.percent(COVERAGE_CAVEAT * 100, 0)} of clients."),
            contributed=self.contributed(org, regions),
            checks=self.checks(org, cells, member),
            findings=finding_groups(select_member(self.findings, org)),
            stories=[s for s in mine if s.state == "published"],
            stories_waiting=[s.label for s in mine if s.state != "published"],
            symbols=dict(SYMBOLS), rounding=Rules.of(self.config).rounding_phrase(),
        )

    def trend_note(self, org: str) -> str:
        """How the quarters add up: true of this member (one that sent no half-year file has its quarters
        summed, so its half-year figure is not fewer than they are)."""
        note = "Quarterly figures add up your regions: a person you saw in two regions is counted in each."
        if self.period.is_quarter:
            return note
        if self.own.summed_regions(org):
            return note + (" You sent no half-year file for some regions, so your half-year people supported there "
                           "add up the quarters: a person seen in two quarters is counted twice.")
        return note + (" A half-year's people supported count each person once, so they are fewer than the two "
                       "quarters added together.")

    def headline(self, org: str, cells: dict) -> list[MemberFigure]:
        before = self.period.previous()
        prev = self.own.cells(org, before)
        gap_now, gap_then = self.own.missing(org, self.period), self.own.missing(org, before)
        out: list[MemberFigure] = []
        for measure, label in HEADLINE:
            value = cells.get((measure, "total", ""))
            if value is None or measure not in self.config.measures:
                continue
            then = prev.get((measure, "total", ""))
            if then is None or then <= 0:
                change = ""
            elif gap_now or gap_then:  # said once, on the first figure (the data-quality check says which)
                change = "" if out else f"not compared with {before.label()}: a quarter is missing"
            else:
                change = f"{formats.words(100.0 * (value - then) / then)} on {before.label()}"
            out.append(MemberFigure(formats.count(value), label, change))
        return out

    def regions(self, org: str) -> list[MemberRegion]:
        """Every region the member has rows for in the period, in the configured order; the main region
        (the comparisons' region) is the one with most of its clients."""
        clients = self.own.region_clients(org, self.period)
        order = {code: i for i, code in enumerate(self.config.regions)}
        main = max(clients, key=lambda r: (clients[r], -order.get(r, 99)), default=None)
        out = []
        for code in sorted(clients, key=lambda r: order.get(r, 99)):
            n, expected = self.metrics.members_reporting(code, self.period)
            pub = self.store.get("clients", scope=code, period=self.period)
            out.append(MemberRegion(
                code=code, name=self.config.region_label(code), clients=formats.count(clients[code]),
                published=pub.shown(), members=f"{n} of {expected}", band=band(clients[code], pub),
                brief=code in self.briefs, main=code == main, note=self.barred.get(code, "")))
        return out

    def key_table(self, cells: dict, region: str) -> list[CompareRow]:
        own = {m: cells.get((m, "total", "")) for m in self.config.measures}
        rows = []
        for measure, label in HEADLINE:
            value = own.get(measure)
            if measure in self.config.measures and value is not None:
                rows.append(CompareRow(label[:1].upper() + label[1:], formats.count(value), "",
                                       self.published("count", region, measure),
                                       self.published("count", NATIONAL, measure)))
        for ratio in self.metrics.active_ratios():
            num = sum(own.get(m) or 0 for m in ratio.numerator)
            den = sum(own.get(m) or 0 for m in ratio.denominator)
            if not den or any(own.get(m) is None for m in (*ratio.numerator, *ratio.denominator)):
                continue
            value = num / den * (100.0 if ratio.percent else ratio.per)
            text = formats.percent(round(value, self.decimals) + 0.0, self.decimals) if ratio.percent \
                else formats.ratio(value)
            rows.append(CompareRow(RATIO_LABELS.get(ratio.code, ratio.label), text, "",
                                   self.published("ratio", region, ratio.code),
                                   self.published("ratio", NATIONAL, ratio.code)))
        return rows

    def compare(self, measure: str, dim: str, cells: dict, region: str) -> CompareTable | None:
        spec = self.config.measures.get(measure)
        if spec is None or dim not in spec.dimensions:
            return None
        total = cells.get((measure, "total", ""))
        cats = self.config.dimensions[dim].categories
        sent = any((measure, dim, c) in cells for c in cats)
        rows = []
        for cat, label in cats.items():
            value = cells.get((measure, dim, cat), 0)
            rows.append(CompareRow(label, formats.count(value) if sent else "..",
                                   self.pct(value, total) if sent and total else "..",
                                   self.published("share", region, measure, dim, cat),
                                   self.published("share", NATIONAL, measure, dim, cat)))
        dim_label = self.config.dimensions[dim].label
        of = "sessions" if measure == "sessions" else "people supported"
        note = self.config.dimensions[dim].note or ""
        if not sent:
            note = f"You sent no {dim_label.lower()} breakdown of {of} for this period. " + note
        return CompareTable(f"{measure}-{dim}", f"{dim_label}: share of {of}", note.strip(), rows)

    def differences(self, cells: dict, region: str, region_name: str) -> list[str]:
        """The three categories where the member's share differs most from the national share, in
        percentage points (the member's share rounded as shown, against the published share)."""
        found = []
        for measure, dim in [*(("clients", d) for d in PEOPLE), ("sessions", "service_type")]:
            spec = self.config.measures.get(measure)
            total = cells.get((measure, "total", ""))
            if spec is None or dim not in spec.dimensions or not total \
                    or total < self.config.confidentiality.min_denominator:
                continue
            cats = self.config.dimensions[dim].categories
            if not any((measure, dim, c) in cells for c in cats):
                continue
            if "not_stated" in cats:  # where many are not stated, a difference says more about recording
                own_ns = 100.0 * cells.get((measure, dim, "not_stated"), 0) / total
                nat_ns = self.share_value(measure, dim, "not_stated", NATIONAL)
                if own_ns >= NOT_STATED_LIMIT or nat_ns is None or nat_ns >= NOT_STATED_LIMIT:
                    continue
            for cat, label in cats.items():
                nat = self.share_value(measure, dim, cat, NATIONAL)
                if cat == "not_stated" or nat is None:
                    continue
                mine = round(100.0 * cells.get((measure, dim, cat), 0) / total, self.decimals) + 0.0
                gap = round(mine - nat, self.decimals) + 0.0
                if abs(gap) >= 1:
                    found.append((-abs(gap), measure, dim, cat, label, mine, nat, gap))
        out = []
        for _, measure, dim, cat, label, mine, nat, gap in sorted(found)[:3]:
            reg = self.share_value(measure, dim, cat, region) if region != NATIONAL else None
            where = f", {formats.percent(reg, self.decimals)} in {region_name}" if reg is not None else ""
            subject = _subject(dim, label)
            of = "your sessions" if measure == "sessions" else "the people you supported"
            points = formats.number(abs(gap), self.decimals)
            out.append(f"{subject} {formats.percent(mine, self.decimals)} of {of}, against "
                       f"{formats.percent(nat, self.decimals)} across {NZ_NAME}{where}: {points} percentage "
                       f"point{'s' if abs(gap) != 1 else ''} {'above' if gap > 0 else 'below'} the national share.")
        return out

    def trend(self, org: str) -> list[TrendRow]:
        quarters = self.own.quarters(org, self.period.quarters()[-1])
        top = max((q.totals.get("clients", 0) for q in quarters), default=0)
        out = []
        for q in quarters:
            when = q.period.axis_label()
            if not q.sent:
                out.append(TrendRow(when, [], 0, "not sent" if q.active else "not active"))
                continue
            figures = [formats.count(q.totals[m]) if m in q.totals else ".." for m, _ in TREND]
            bar = round(100 * q.totals.get("clients", 0) / top) if top else 0
            out.append(TrendRow(when, figures, bar))
        return out

    def outcomes(self, cells: dict, region: str) -> list[OutcomeRow]:
        clients = cells.get((OUTCOMES.people, "total", ""), 0)
        out = []
        for dim in self.metrics.outcome_dimensions():
            spec = self.config.dimensions[dim]
            grouped = [c for codes_ in spec.groups.values() for c in codes_]
            sections = [(g, list(codes_)) for g, codes_ in spec.groups.items()]
            rest = [c for c in spec.categories if c not in grouped]
            if rest:
                sections.append(("", rest))
            for group, cats in sections:
                if group:
                    ass = sum(cells.get((OUTCOMES.assessed, dim, c), 0) for c in cats)
                    imp = sum(cells.get((OUTCOMES.improved, dim, c), 0) for c in cats)
                    out.append(OutcomeRow(group.capitalize(), True, formats.count(ass),
                                          self.pct(ass, clients * len(cats)), self.pct(imp, ass),
                                          self.published("group_rate", region, dim, group),
                                          self.published("group_rate", NATIONAL, dim, group)))
                for cat in cats:
                    ass = cells.get((OUTCOMES.assessed, dim, cat), 0)
                    imp = cells.get((OUTCOMES.improved, dim, cat), 0)
                    out.append(OutcomeRow(self.label(dim, cat), False, formats.count(ass), self.pct(ass, clients),
                                          self.pct(imp, ass), self.published("rate", region, dim, cat),
                                          self.published("rate", NATIONAL, dim, cat)))
        return out

    def contributed(self, org: str, regions: list[MemberRegion]) -> list[str]:
        """Where the member's figures are: every national figure, and each of its regions (published with a
        brief, published, or counted in the national figures only), with its share as a band."""
        nat = band(sum(self.own.region_clients(org, self.period).values()),
                   self.store.get("clients", scope=NATIONAL, period=self.period))
        where = ("the national report, the published data tables and the dashboard data" if self.period.is_half
                 else "the quarter's dashboard, its published data tables and the dashboard data")
        out = [f"Aotearoa New Zealand: your figures are in every national figure for {self.period.label()} — "
               + where
               + (f". You supported {_band_words(nat)} of the people our members supported." if nat else ".")]
        for r in regions:
            head = f"{r.name}{' (your main region)' if r.main else ''}: "
            if r.note:
                out.append(head + f"not published on its own ({r.note}); your figures there are counted in the "
                           "national figures only.")
                continue
            where = "the region's published figures and its regional brief" if r.brief else \
                "the region's published figures"
            pub = self.store.get("clients", scope=r.code, period=self.period)
            total = pub.display() + (" (provisional, P)" if pub.flag else "")
            share = f", {_band_words(r.band)} of the {total} people supported there" if r.band else ""
            out.append(head + f"your figures are in {where}. You supported {r.clients} people{share}; "
                       f"{r.members} members reported for the region.")
        return out

    def checks(self, org: str, cells: dict, member) -> list[Check]:
        out = [self._quarters_check(org)]
        if self.period.is_half:
            out.append(self._half_check(org))
        out += [self._unidentified_check(org, member), self._outcome_check(cells), self._movement_check(org)]
        n = len(select_member(self.findings, org))
        out.append(Check("No warnings on your submissions", "files that meet every rule of the data contract",
                         MET if n == 0 else NOT_MET, VERDICT[MET if n == 0 else NOT_MET],
                         "None of your files raised a warning." if n == 0 else
                         f"Your files raised {n} warning{'s' if n != 1 else ''}: each is listed below with its fix."))
        return out

    def _quarters_check(self, org: str) -> Check:
        expected, missing = self.own.expected(org, self.period), self.own.missing(org, self.period)
        name, want = "Every quarter sent", "a return for every quarter you are active in"
        if not missing:
            return Check(name, want, MET, VERDICT[MET],
                         f"You sent {len(expected)} of {len(expected)} quarter{'s' if len(expected) != 1 else ''}.")
        gone = ", ".join(q.label() for q in missing)
        return Check(name, want, NOT_MET, VERDICT[NOT_MET],
                     f"You sent {len(expected) - len(missing)} of {len(expected)} quarters: {gone} is missing. "
                     f"Until it arrives your figures for {self.period.label()} are incomplete, and so are your "
                     "regions' and the nation's (marked P, provisional).")

    def _half_check(self, org: str) -> Check:
        summed = self.own.summed_regions(org)
        name = "Half-year people counted once"
        want = f"a {self.period} file counting each person once over the half-year"
        if not summed:
            return Check(name, want, MET, VERDICT[MET], "You sent half-year client counts for every region.")
        where = ", ".join(self.config.region_label(r) for r in summed)
        if self.own.missing(org, self.period):  # one quarter only: nobody is counted twice yet
            added = ("your people supported there are your one quarter's; once the other arrives they will add "
                     "up both, and a person seen in both will be counted twice")
        else:
            added = "your people supported there add up your two quarters, so a person seen in both is counted twice"
        return Check(name, want, NOT_MET, VERDICT[NOT_MET],
                     f"You sent no half-year client counts for {where}: {added}. Send a {self.period} file (the "
                     "member toolkit, reportgen member aggregate, writes it).")

    def _unidentified_check(self, org: str, member) -> Check:
        leaders = member is not None and member.delivery == COMMUNITY_LEADERS
        limit = COMMUNITY_LEADERS_SHARE[1] if leaders else self.config.checks.unidentified_share
        low = COMMUNITY_LEADERS_SHARE[0]
        name = "Attendees recorded individually"
        want = (f"unidentified attendances at most {formats.percent(limit * 100, 0)} of clients and unidentified "
                f"attendances (services through community leaders: usually {formats.percent(low * 100, 0)}–"
                f"{formats.percent(limit * 100, 0)})" if leaders else
                f"unidentified attendances at most {formats.percent(limit * 100, 0)} of clients and unidentified "
                "attendances (services to individuals)")
        rows = self.own.unidentified_in(org, self.period)
        if not rows:
            return Check(name, want, NONE, VERDICT[NONE], "You sent no quarter figures for this period.")
        parts = [f"{q.label()}: {formats.percent(round(s * 100, 1) + 0.0, 1)} ({formats.count(u)} of "
                 f"{formats.count(c + u)})" for q, c, u, s in rows]
        over = [q for q, c, u, s in rows if s > limit]
        status = NOT_MET if over else MET
        return Check(name, want, status, VERDICT[status], "; ".join(parts) + "." + (
            " Record people individually wherever you can: only identified people are counted as clients."
            if over else ""))

    def _outcome_check(self, cells: dict) -> Check:
        name = "Outcomes assessed"
        want = f"at least {formats.percent(COVERAGE_CAVEAT * 100, 0)} of the people you supported with a start " \
               "and an end rating, in each outcome domain on average"
        clients = cells.get((OUTCOMES.people, "total", ""), 0)
        dims = self.metrics.outcome_dimensions()
        domains = [(d, c) for d in dims for c in self.config.dimensions[d].categories]
        assessed = sum(cells.get((OUTCOMES.assessed, d, c), 0) for d, c in domains)
        if not domains or not any((OUTCOMES.assessed, d, c) in cells for d, c in domains) or not clients:
            return Check(name, want, NONE, VERDICT[NONE], "You sent no outcome assessments for this period: your "
                         "people's outcomes are not in the report.")
        share = assessed / (clients * len(domains))
        status = MET if share >= COVERAGE_CAVEAT else NOT_MET
        return Check(name, want, status, VERDICT[status],
                     f"On average {self.pct(assessed, clients * len(domains))} of the people you supported had a "
                     f"start and an end rating in each of the {len(domains)} domains."
                     + ("" if status == MET else " Rates resting on fewer people describe only part of them."))

    def _movement_check(self, org: str) -> Check:
        limit = self.config.checks.movement_share
        name = "Steady from quarter to quarter"
        want = f"people supported within ±{formats.percent(limit * 100, 0)} of your previous quarter"
        moves = self.own.movements_in(org, self.period)
        if not moves:
            return Check(name, want, NONE, VERDICT[NONE], "There is no previous quarter to compare with.")
        parts = [f"{q.label()}: {formats.change(round(ch * 100) + 0.0)} on {prev.label()} ({formats.count(b)} → "
                 f"{formats.count(c)})" for q, prev, b, c, ch in moves]
        big = [m for m in moves if abs(m[4]) > limit]
        status = NOT_MET if big else MET
        return Check(name, want, status, VERDICT[status], "; ".join(parts) + "." + (
            " A change this large is checked with you: a new service, a closure or a data error?" if big else ""))


def finding_groups(findings: list[Finding]) -> list[FindingGroup]:
    """A member's findings by code (errors first, then in the order they were found), each code's fix once."""
    groups: dict[str, FindingGroup] = {}
    for f in findings:
        if f.code not in groups:
            groups[f.code] = FindingGroup(f.code, f.severity, f.hint or codes.hint_for(f.code) or "", [])
        groups[f.code].items.append(FindingLine(f.location(), f.message))
    return sorted(groups.values(), key=lambda g: g.severity != "error")




def _subject(dim: str, label: str) -> str:
    if dim == "age_band":
        return f"People aged {label.lower()} were"
    if dim == "gender":
        return f"People recorded as {label.lower()} were"
    if dim == "need":
        return f"{label} was a reason for"
    if dim == "service_type":
        return f"{label} was"
    return f"{label} made up"


def _band_words(text: str) -> str:
    """ "2–5 %" → "between 2 and 5 %"; "under 1 %" and "20 % or more" stay."""
    for low, high, label in BANDS:
        if label == text and low > 0 and high != float("inf"):
            return f"between {formats.number(low)} and {formats.percent(high, 0)}"
    return text


def band_limits() -> list[float]:
    """The band limits, in per cent (structural numbers of every member's report)."""
    return sorted({x for low, high, _ in BANDS for x in (low, high) if x != float("inf")})


__all__ = ["FOLDER", "TEMPLATE", "band_limits", "file_stem", "gather_members", "reporting_members",
           "Period"]

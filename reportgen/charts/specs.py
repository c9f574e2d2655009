"""Chart specs: published values → what a chart shows and says.

Each function here reads the ``PublishedStore`` only and returns a
``ChartSpec``: the title (which states the finding), subtitle (the measure and
period), caption, alternative text generated from the data, the data table,
and the plain data the drawing function needs. Nothing here draws.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..core import formats
from ..core.catalogue import NATION
from ..core.config import Config
from ..core.periods import Period
from ..disclosure.confidentiality import PublishedStore
from ..disclosure.published import Published
from ..figures import breakdowns
from ..figures.materiality import Cell, Judge
from ..inputs.register import Event
from ..statistics.aggregate import NATIONAL

SOURCE = "Source: member organisations' quarterly submissions, aggregated and confidentialised."
EVENTS_CAPTION = "Dashed lines mark policy events, numbered and listed under the chart."


@dataclass
class ChartSpec:
    id: str
    kind: str  # a key of draw.DRAW
    title: str
    subtitle: str
    caption: str
    alt: str
    table_header: list[str]
    table_rows: list[list[str]]
    draw: dict
    section: str
    source: str = SOURCE
    scope: str = NATIONAL
    provisional: str = ""  # the note on provisional (P) quarters: shown once per section (documents.by_section)


@dataclass
class ChartInputs:
    """Everything a chart may read."""

    store: PublishedStore
    config: Config
    period: Period
    quarters: list[Period]
    events: list[Event] = field(default_factory=list)
    scope: str = NATIONAL
    outcome_caveat: str = ""  # Metrics.outcome_caveat: fewer than half of the clients assessed
    judge: Judge | None = None  # when a difference may be called one (figures/materiality.py)

    @property
    def j(self) -> Judge:
        """The build's judge, or one over the published figures alone (no member-level data: no caveats)."""
        if self.judge is None:
            self.judge = Judge(self.store, self.config)
        return self.judge

    def about_the_same(self, a: Published, b: Published) -> bool:
        """Two published values of one kind that may not be said to differ (judged on their size alone)."""
        return not self.j.difference(a, None, b, None, internal=False).material

    @property
    def where(self) -> str:
        return NATION if self.scope == NATIONAL else self.config.region_label(self.scope)

    @property
    def suffix(self) -> str:
        return self.scope.lower()


def _num(p: Published) -> float | None:
    return float(p.value) if p.is_number else None


def _ratio(store: PublishedStore, num: tuple[str, str, str], den: tuple[str, str, str], *,
           scope: str, period: Period, percent: bool = True, per: float = 1.0) -> Published:
    """A ratio of two cells, computed by the store from raw values and suppressed per rule 7."""
    return store.ratio([num], [den], scope=scope, period=period, percent=percent, per=per)


def _listing(items: list[tuple[str, str]], limit: int = 3) -> str:
    parts = [f"{label} ({value})" for label, value in items[:limit]]
    return ", ".join(parts[:-1]) + f" and {parts[-1]}" if len(parts) > 1 else (parts[0] if parts else "")


def _and(names: list[str]) -> str:
    """"Food", "Food and income", "Food, income and housing"."""
    return ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else (names[0] if names else "")


# ---------------------------------------------------------------------------
# breakdowns as bars

RESIDUAL_CODES = ("not_stated", "other")  # categories that always come last, "Other" before "Not stated"


def residual_rank(code: str) -> int:
    """0 for an ordinary category; 1 for "Other …", 2 for "Not stated" (shown last, in that order)."""
    if code == "not_stated":
        return 2
    return 1 if code == "other" or code.startswith("other_") else 0


def share_bars(ci: ChartInputs, measure: str, dimension: str, *, section: str, sort: bool,
               chart_id: str, noun: str, compact: bool = False) -> ChartSpec:
    cfg = ci.config
    dim = cfg.dimensions[dimension]
    rows = []  # (label, share, count, code)
    for code, label in dim.categories.items():
        share = ci.store.share(measure, dimension, code, scope=ci.scope, period=ci.period)
        count = ci.store.get(measure, dimension, code, scope=ci.scope, period=ci.period)
        rows.append((label, share, count, code))
    # the published count orders ties of the published share (an order of raw values would tell which
    # of two equal figures is larger: nothing unpublished decides what a reader sees)
    raw = {r[3]: float(r[2].value) if r[2].is_number else 0.0 for r in rows}

    def by_size(r):
        return (-r[1].value, -raw[r[3]], r[0]) if r[1].is_number else (1, 0, r[0])

    if sort:
        rows.sort(key=lambda r: (residual_rank(r[3]), not r[1].is_number, *by_size(r)))
    else:
        rows.sort(key=lambda r: residual_rank(r[3]))  # stable: the catalogue's order otherwise
    shown = [r for r in rows if r[1].is_number]
    ranked = sorted(shown, key=by_size)
    stated = [r for r in ranked if not residual_rank(r[3])]
    measure_label = cfg.measures[measure].label.lower()
    if stated:
        top = stated[0]
        stated_word = "" if top is ranked[0] else "stated "  # an "Other" or "Not stated" was larger
        # honest ties: every category whose published share is not clearly below the top's leads with it
        leaders = [r for r in stated if r is top or ci.about_the_same(top[1], r[1])]
        names = [r[0] if i == 0 or dimension not in ("need", "service_type") else r[0].lower()
                 for i, r in enumerate(leaders)]
        several = len(leaders) > 1
        group = f"largest {stated_word}group{'s' if several else ''}"
        shares = _and([str(r[1]) for r in leaders])
        title = {
            "need": (f"{_and(names)} {'were' if several else 'was'} the most common {stated_word}"
                     f"reason{'s' if several else ''} people sought support"),
            "service_type": (f"{_and(names)} {'were' if several else 'was'} the most common {stated_word}"
                             f"service{'s' if several else ''}"),
        }.get(dimension, f"{_and(names)}: the {group} of {measure_label}, at {shares}")
        pattern = _listing([(r[0].lower() if dimension in ("need", "service_type") else r[0], str(r[1]))
                            for r in ranked])
        alt = (f"Bar chart of {noun} in {ci.where}, {ci.period.label()}. Largest: {pattern}. "
               f"Smallest: {stated[-1][0]} ({stated[-1][1]}).")
    else:
        title = f"{dim.label} of {measure_label}"
        alt = f"Bar chart of {noun} in {ci.where}, {ci.period.label()}; every value is suppressed."
    hidden = [r[0] for r in rows if not r[1].is_number]
    if hidden:
        alt += f" Not shown for confidentiality: {', '.join(hidden)}."
    caption = dim.note or ""
    unrecorded = breakdowns.note(cfg, measure, dimension,
                                 breakdowns.unrecorded(ci.j.agg, measure, dimension, ci.scope, ci.period))
    caption = f"{caption} {unrecorded}".strip()
    if unrecorded:
        alt += " " + unrecorded
    return ChartSpec(
        id=chart_id, kind="bars", title=title, section=section, scope=ci.scope,
        subtitle=f"{noun[0].upper() + noun[1:]}, {ci.where}, {ci.period.label()}",
        caption=caption.strip(), alt=alt,
        table_header=[dim.label, cfg.measures[measure].label, "Share"],
        table_rows=[[r[0], str(r[2]), str(r[1])] for r in rows],
        draw={"labels": [r[0] for r in rows], "values": [_num(r[1]) for r in rows],
              "symbols": [r[1].symbol for r in rows], "unit": "percent", **({"row_in": 0.17} if compact else {})},
    )


# ---------------------------------------------------------------------------
# trends over quarters

def _event_positions(events: list[Event], quarters: list[Period]) -> list[dict]:
    """An event's x position on a quarter axis (quarter i spans i-0.5 … i+0.5)."""
    out = []
    for ev in events:
        for i, q in enumerate(quarters):
            start = dt.date(q.year, (q.number - 1) * 3 + 1, 1)
            end = dt.date(q.year + (q.number == 4), (q.number % 4) * 3 + 1, 1)
            if start <= ev.date < end:
                frac = (ev.date - start).days / (end - start).days
                out.append({"x": round(i - 0.5 + frac, 3), "label": ev.title})
    return out


def trend(ci: ChartInputs, series: list[tuple[str, list[Published]]], *, chart_id: str, section: str,
          title: str, subtitle: str, unit: str, noun: str, caption: str = "", events: bool = False,
          zero: bool = True, change: str = "") -> ChartSpec:
    """A line per series over the quarters. The alt text states the values, not a direction:
    ``change`` (a like-for-like sentence, when the caller has one) says which way things went."""
    labels = [q.axis_label() for q in ci.quarters]
    header = ["Quarter"] + [name for name, _ in series]
    rows = [[labels[i]] + [_cell(vals[i]) for _, vals in series] for i in range(len(labels))]
    alt_parts = []
    for name, vals in series:
        pts = [(labels[i], v) for i, v in enumerate(vals) if v.is_number]
        if not pts:
            alt_parts.append(f"{name}: every quarter is suppressed.")
            continue
        first, last = pts[0], pts[-1]
        top = max(p[1].value for p in pts)
        highs = [q for q, v in pts if v.value == top]
        at = _and(highs) if len(highs) <= 3 else f"{len(highs)} quarters"
        high_value = next(v for _, v in pts if v.value == top)
        text = (f"{name}: {first[1]} in {first[0]}, {last[1]} in {last[0]}; the highest was "
                f"{high_value} in {at}.")
        gaps = [labels[i] for i, v in enumerate(vals) if not v.is_number and v.symbol != ".."]
        if gaps:
            text += f" Suppressed in {', '.join(gaps)}."
        absent = [labels[i] for i, v in enumerate(vals) if v.symbol == ".."]
        if absent:
            text += f" No figures for {', '.join(absent)}."
        alt_parts.append(text)
    if change:
        alt_parts.append(change)
    flagged = [labels[i] for i in range(len(labels)) if any(vals[i].flag for _, vals in series)]
    if flagged:
        note = (f"P: provisional ({', '.join(flagged)}): a member expected to report did not, so the "
                "line may dip there without any change in need.")
        alt_parts.append(note)
    marked = _event_positions(ci.events, ci.quarters) if events else []
    if marked:
        alt_parts.append("Marked events: " + "; ".join(e["label"] for e in marked) + ".")
    elif caption.startswith(EVENTS_CAPTION):
        caption = caption[len(EVENTS_CAPTION):].strip()  # no event falls inside the quarters shown
    return ChartSpec(
        id=chart_id, kind="trend", title=title, subtitle=subtitle, caption=caption, section=section,
        scope=ci.scope, provisional=note if flagged else "",
        alt=f"Line chart of {noun}, {ci.where}, by quarter. " + " ".join(alt_parts),
        table_header=header, table_rows=rows,
        draw={"x": labels, "unit": unit, "zero": zero, "events": marked,
              "series": [{"label": name, "values": [_num(v) for v in vals],
                          "symbols": [v.symbol for v in vals], "flags": [v.flag for v in vals]}
                         for name, vals in series]},
    )


def _comparable(ci: ChartInputs, a: Period, b: Period) -> bool:
    """Two quarters' figures can be set against each other as they stand: the same members'
    rows are in both and neither lacks an expected return."""
    store = ci.store
    return not (store.flag(ci.scope, a) or store.flag(ci.scope, b) or store.coverage.excluded(ci.scope, b, a))


def _cell(p: Published) -> str:
    """A chart data table's cell: the value or symbol, and the flag P."""
    return str(p) + (f"\u00a0{p.flag}" if p.flag and not p.symbol else "")


def _year_on_year(ci: ChartInputs, measure: str) -> Published:
    """The last quarter against the same quarter a year earlier, like for like."""
    last = ci.quarters[-1]
    return ci.store.like_for_like(measure, scope=ci.scope, period=last, base=last.year_earlier())


def _year_cell(ci: ChartInputs, measure: str) -> Cell:
    last = ci.quarters[-1]
    return Cell(measure, scope=ci.scope, period=last, what="change", base=last.year_earlier())


def _direction_title(ci: ChartInputs, measure: str, what: str, unit_word: str = "") -> str:
    """Which way ``measure`` went over the year: the last quarter against the same quarter a year earlier,
    like for like (over the members that reported in both quarters), never across a missing return, and
    only when the change is material (``figures/materiality.py``: otherwise it "held steady"). The
    quarter-to-quarter steps are not counted: the data are seasonal and not seasonally adjusted."""
    what = what[0].upper() + what[1:]
    if len(ci.quarters) < 5:  # too few quarters to say what the year did: a whole title all the same
        return f"{what}, each quarter"
    year = _year_on_year(ci, measure)
    if not year.is_number:
        return f"{what}, each quarter"
    if not ci.j.change(year, _year_cell(ci, measure), internal=False).material:
        return f"{what} held steady over the year"
    return f"{what} {'rose' if year.value > 0 else 'fell'} over the year"


def _year_sentence(ci: ChartInputs, measure: str, name: str) -> str:
    """The year's like-for-like change in words for the alt text: "little changed" when it is not material,
    and the caveat when one member's flagged movement makes most of it."""
    year = _year_on_year(ci, measure)
    if not year.is_number:
        return ""
    last = ci.quarters[-1]
    cell = _year_cell(ci, measure)
    if not ci.j.change(year, cell, internal=False).material:
        return (f"Like for like (members that reported in both quarters), {name.lower()} in {last.axis_label()} "
                f"were little changed on a year earlier ({formats.change(year.value)}).")
    driver = ci.j.driver(measure, "total", "", ci.scope, last, last.year_earlier())
    return (f"Like for like (members that reported in both quarters), {name.lower()} in {last.axis_label()} "
            f"were {formats.words(year.value).replace('up', 'up by').replace('down', 'down by')} on a year earlier"
            + (f"; {driver.caveat}" if driver else "") + ".")


def clients_trend(ci: ChartInputs, *, section: str = "context") -> ChartSpec:
    vals = [ci.store.get("clients", scope=ci.scope, period=q) for q in ci.quarters]
    return trend(ci, [("Clients", vals)], chart_id=f"clients-trend-{ci.suffix}", section=section,
                 title=_direction_title(ci, "clients", "the number of people we saw", "rising"),
                 subtitle=f"People seen each quarter, {ci.where}", unit="count", noun="clients each quarter",
                 caption=EVENTS_CAPTION, events=True, change=_year_sentence(ci, "clients", "Clients"))


def housing_trend(ci: ChartInputs, *, section: str = "needs") -> ChartSpec:
    vals = [ci.store.share("clients", "need", "housing", scope=ci.scope, period=q) for q in ci.quarters]
    pts = [(q, v) for q, v in zip(ci.quarters, vals) if v.is_number]
    title = "Housing need"
    if len(pts) >= 2 and _comparable(ci, pts[0][0], pts[-1][0]):
        first, last = pts[0][1], pts[-1][1]
        if ci.about_the_same(last, first):
            title = f"The share of clients seeking help with housing held at about {last}"
        else:
            verb = "rose" if last.value > first.value else "fell"
            title = f"The share of clients seeking help with housing {verb} from {first} to {last}"
    elif pts:
        title = f"{pts[-1][1]} of clients sought help with housing in {pts[-1][0].axis_label()}"
    return trend(ci, [("Housing", vals)], chart_id=f"housing-trend-{ci.suffix}", section=section, title=title,
                 subtitle=f"Share of clients seeking help with housing each quarter, {ci.where}",
                 unit="percent", noun="the share of clients seeking help with housing", events=True,
                 caption=EVENTS_CAPTION)


def hours_trend(ci: ChartInputs, *, section: str = "services") -> ChartSpec:
    staff = [ci.store.get("staff_hours", scope=ci.scope, period=q) for q in ci.quarters]
    vol = [ci.store.get("volunteer_hours", scope=ci.scope, period=q) for q in ci.quarters]
    title = "Staff and volunteer hours"
    last = next((q for q, s, v in zip(reversed(ci.quarters), reversed(staff), reversed(vol))
                 if s.is_number and v.is_number), None)
    if last is not None:  # the published ratio (ratios table: volunteer_share_of_hours)
        share = ci.store.ratio([("volunteer_hours", "total", "")],
                               [("staff_hours", "total", ""), ("volunteer_hours", "total", "")],
                               scope=ci.scope, period=last, percent=True)
        if share.is_number:
            title = f"Volunteers gave {share} of all the hours worked in {last.axis_label()}"
    return trend(ci, [("Staff", staff), ("Volunteers", vol)], chart_id=f"hours-trend-{ci.suffix}",
                 section=section, title=title, subtitle=f"Hours worked each quarter, {ci.where}", unit="count",
                 noun="staff and volunteer hours each quarter",
                 caption="Hours are not rounded; they are published only where at least three members "
                         "contributed.")


def workload_trend(ci: ChartInputs, *, section: str = "services") -> ChartSpec:
    """Clients per 100 staff hours each quarter: how stretched paid staff are."""
    vals = [_ratio(ci.store, ("clients", "total", ""), ("staff_hours", "total", ""), scope=ci.scope,
                   period=q, percent=False, per=100) for q in ci.quarters]
    pts = [(q, v) for q, v in zip(ci.quarters, vals) if v.is_number]
    title = "Clients per 100 staff hours"
    if len(pts) >= 2:
        (q0, first), (q1, last) = pts[0], pts[-1]
        title = f"Each 100 hours of paid staff time served {last} clients in {q1.axis_label()}"
        if _comparable(ci, q0, q1):
            verb = ("held" if ci.about_the_same(last, first) else "rose" if last.value > first.value else "fell")
            title += f"; the load {verb} over the period"
    return trend(ci, [("Clients per 100 staff hours", vals)], chart_id=f"workload-trend-{ci.suffix}",
                 section=section, title=title, unit="ratio", noun="clients per 100 staff hours",
                 subtitle=f"Clients seen per 100 hours worked by paid staff, each quarter, {ci.where}",
                 caption="Computed from unrounded figures.", zero=True)


# ---------------------------------------------------------------------------
# outcomes

def outcomes(ci: ChartInputs, *, section: str = "outcomes") -> ChartSpec:
    cfg = ci.config
    dim = cfg.dimensions["score_domain"]
    groups, rows_table = [], []
    shown: list[tuple[Published, Published, str]] = []  # (improved, declined, label) of each domain shown
    hidden = 0
    for group, codes in dim.groups.items():
        rows = []
        for code in codes:
            shares = {k: _ratio(ci.store, (f"outcome_{k}", "score_domain", code),
                                ("outcome_assessed", "score_domain", code), scope=ci.scope, period=ci.period)
                      for k in ("improved", "same", "declined")}
            n = ci.store.get("outcome_assessed", "score_domain", code, scope=ci.scope, period=ci.period)
            ok = all(v.is_number for v in shares.values())
            symbol = next((v.symbol for v in shares.values() if not v.is_number), "")
            label = dim.categories[code]
            rows.append({"label": label, "n": str(n), "symbol": symbol,
                         **{k: (_num(v) if ok else None) for k, v in shares.items()}})
            rows_table.append([f"{group.title()}: {label}", str(n), str(shares["improved"]),
                               str(shares["same"]), str(shares["declined"])])
            if ok:
                shown.append((shares["improved"], shares["declined"], label))
            else:
                hidden += 1
        groups.append({"name": group, "rows": rows})
    if shown:
        top = max(imp.value for imp, _, _ in shown)
        bottom = min(imp.value for imp, _, _ in shown)
        best = [label for imp, _, label in shown if imp.value == top]  # ties in the published rate: all named
        worst = [label for imp, _, label in shown if imp.value == bottom]
        # honest ties: domains whose rate is not clearly below the top's share the "most often"
        top_value = next(imp for imp, _, _ in shown if imp.value == top)
        leaders = [label for imp, _, label in shown if imp.value == top or ci.about_the_same(top_value, imp)]
        title = _outcomes_title(ci, shown, leaders, hidden)
        rose = sum(1 for imp, dec, _ in shown if imp.value > dec.value and not ci.about_the_same(imp, dec))
        every = "every domain" if not hidden else "every domain shown"
        more = (f"in {every} more ratings rose than fell" if rose == len(shown) else
                f"in {rose} of the {len(shown)} domains shown more ratings rose than fell")
        alt = (f"Diverging bar chart of outcome ratings by domain, {ci.where}, {ci.period.label()}. "
               f"The share whose rating improved ranged from {formats.percent(bottom, 0)} ({_and(worst)}) to "
               f"{formats.percent(top, 0)} ({_and(best)}); {more}.")
    else:
        title = "Outcome ratings"
        alt = f"Diverging bar chart of outcome ratings, {ci.where}; every value is suppressed."
    caption = "Each bar is 100\u00a0% of the people assessed in that domain; n is the number assessed."
    if ci.outcome_caveat:
        caption += " " + ci.outcome_caveat
        alt += " " + ci.outcome_caveat
    return ChartSpec(
        id=f"outcomes-{ci.suffix}", kind="diverging", title=title, section=section, scope=ci.scope,
        subtitle=f"People with a start and end assessment whose rating rose, held or fell, {ci.period.label()}",
        caption=caption, alt=alt, table_header=["Domain", "Assessed", "Improved", "Same", "Declined"],
        table_rows=rows_table, draw={"groups": groups},
    )


def _outcomes_title(ci: ChartInputs, shown: list[tuple[Published, Published, str]], leaders: list[str],
                    hidden: int) -> str:
    """What the ratings did in the domains shown (improved, declined), and where most often: every domain
    whose rate is not clearly below the highest is named ("most often for felt listened to and satisfied with
    the service"); a domain whose rates are withheld is not claimed ("every domain shown")."""
    where = f"most often for {_and([x.lower() for x in leaders[:3]])}" if len(leaders) <= 3 else \
        f"most often in {len(leaders)} domains"
    every = "every domain" if not hidden else "every domain shown"
    if all(imp.value > 50 for imp, _, _ in shown):
        return f"Ratings improved for most people assessed, {where}"
    if all(imp.value > dec.value and not ci.about_the_same(imp, dec) for imp, dec, _ in shown):
        return f"Ratings rose more often than they fell in {every}, {where}"
    return f"Ratings improved {where}"


# ---------------------------------------------------------------------------
# regions

def region_dots(ci: ChartInputs, *, section: str = "regions") -> ChartSpec:
    cfg = ci.config
    rows = []
    raw: dict[str, float] = {}
    for code, label in cfg.regions.items():
        rows.append((label, ci.store.share("clients", "need", "housing", scope=code, period=ci.period)))
        # ties of the published share: the larger published count first, then the name (never a raw value)
        count = ci.store.get("clients", "need", "housing", scope=code, period=ci.period)
        raw[label] = float(count.value) if count.is_number else 0.0
    rows.sort(key=lambda r: (0, -r[1].value, -raw[r[0]], r[0]) if r[1].is_number else (1, 0, 0, r[0]))
    national = ci.store.share("clients", "need", "housing", scope=NATIONAL, period=ci.period)
    shown = [r for r in rows if r[1].is_number]
    title = "Housing need by region"
    alt = f"Dot plot of the share of clients seeking help with housing by region, {ci.period.label()}."
    if shown:
        # ties in the published share are named together, never broken by the unrounded figures
        highs = [r[0] for r in shown if r[1].value == shown[0][1].value]
        lows = [r[0] for r in shown if r[1].value == shown[-1][1].value]

        def regions(names: list[str]) -> str:
            return _and(names) if len(names) <= 3 else f"{len(names)} regions"

        if shown[0][1].value == shown[-1][1].value:  # one published value: no range to speak of
            title = (f"Housing need was {shown[0][1]} of clients in "
                     f"{'every region shown' if len(shown) > 1 else shown[0][0]}")
        else:
            title = (f"Housing need ranged from {shown[-1][1]} of clients in {regions(lows)} "
                     f"to {shown[0][1]} in {regions(highs)}")
        alt += (f" Highest: {_listing([(r[0], str(r[1])) for r in shown])}. "
                f"Lowest: {_and(lows)} ({shown[-1][1]}). National figure: {national}.")
    unpublished = [label for code, label in cfg.regions.items() if (code, str(ci.period)) in ci.store.unpublished]
    hidden = [r[0] for r in rows if not r[1].is_number and r[0] not in unpublished]
    if unpublished:
        alt += f" Not published (too few members reported): {', '.join(unpublished)}."
    if hidden:
        alt += f" Suppressed for confidentiality: {', '.join(hidden)}."
    return ChartSpec(
        id="housing-regions", kind="dots", title=title, section=section,
        subtitle=f"Share of clients seeking help with housing, by region, {ci.period.label()}",
        caption="The dashed line is the national share.", alt=alt,
        table_header=["Region", "Share of clients"], table_rows=[[r[0], str(r[1])] for r in rows]
        + [[NATION, str(national)]],
        draw={"labels": [r[0] for r in rows], "values": [_num(r[1]) for r in rows],
              "symbols": [r[1].symbol for r in rows], "national": _num(national), "unit": "percent"},
    )


def region_multiples(ci: ChartInputs, *, section: str = "regions") -> ChartSpec:
    """Clients each quarter in every region. The title and alt text compare the last quarter with the same
    quarter a year earlier like for like (members that reported in both), so a missing return or a member
    that joined is never read as a rise or fall; a change is a rise or a fall only when it is material
    (``figures/materiality.py``), and "every region shown" is said only when it is true of every panel shown:
    each one's like-for-like change a material rise (or fall), and its own line going the same way. The
    largest rise names every region tied with it, and carries the caveat when one member's flagged movement
    makes most of it."""
    cfg = ci.config
    labels = [q.axis_label() for q in ci.quarters]
    last = ci.quarters[-1]
    base = last.year_earlier()
    panels, rows = [], []
    not_published: list[str] = []
    # (published change, name, code) of every region shown whose like-for-like change is published
    changes: list[tuple[Published, str, str]] = []
    withheld, disagree = [], []  # regions shown with no like-for-like change; whose line goes the other way
    for code, name in cfg.regions.items():
        vals = [ci.store.get("clients", scope=code, period=q) for q in ci.quarters]
        panels.append({"label": name, "values": [_num(v) for v in vals], "symbols": [v.symbol for v in vals],
                       "flags": [v.flag for v in vals]})
        rows.append([name] + [_cell(v) for v in vals])
        if (code, str(last)) in ci.store.unpublished or not any(v.is_number for v in vals):
            not_published.append(name)  # too few members, or none: no panel is shown
            continue
        year = ci.store.like_for_like("clients", scope=code, period=last, base=base)
        if not year.is_number:
            withheld.append(name)
            continue
        changes.append((year, name, code))
        now, then = ci.store.get("clients", scope=code, period=last), ci.store.get("clients", scope=code, period=base)
        if now.is_number and then.is_number and (now.value - then.value) * year.value < 0:
            disagree.append(name)
    cells = {code: Cell("clients", scope=code, period=last, what="change", base=base) for _, _, code in changes}
    material = [(c, n, code) for c, n, code in changes if ci.j.change(c, cells[code], internal=False).material]
    rises = [x for x in material if x[0].value > 0]
    falls = [x for x in material if x[0].value < 0]
    shown = len(changes) + len(withheld)
    alt = f"Small multiple line charts of clients each quarter in each of {len(panels)} regions."
    if changes:
        alt += (f" Against {base.axis_label()}, like for like (members that reported in both quarters), "
                + _extremes(ci, changes, last, base) + ".")
    if disagree:
        alt += (f" In {_and(disagree)} the line goes the other way: members that joined, left or did not report "
                "move it, and the like-for-like change leaves them out.")
    flagged = [p["label"] for p in panels if any(p["flags"])]
    if flagged:
        alt += (f" Some quarters are provisional (P: a member did not report) in {', '.join(flagged)}: "
                "a dip there is not a change in need.")
    if not_published:
        alt += f" Not published (too few members reported): {', '.join(not_published)}."
    gaps = [p["label"] for p in panels if any(s in ("S", "C") for s in p["symbols"]) and p["label"] not in not_published]
    if gaps:
        alt += f" Some quarters are not published for confidentiality in {', '.join(gaps)}."
    every = shown and not withheld and not disagree
    if rises and falls:
        title = "Client numbers moved differently across the regions"
    elif rises and len(rises) == shown and every:
        title = "Client numbers rose in every region shown"
    elif falls and len(falls) == shown and every:
        title = "Client numbers fell in every region shown"
    elif rises:
        title = f"Like for like, client numbers rose in {len(rises)} of the {shown} regions shown"
    elif falls:
        title = f"Like for like, client numbers fell in {len(falls)} of the {shown} regions shown"
    else:
        title = "Client numbers by region"
    caption = "Each panel has its own scale: compare shapes, not heights."
    return ChartSpec(
        id="clients-regions", kind="multiples", title=title,
        section=section, subtitle=f"People seen each quarter by region, {labels[0]} to {labels[-1]}",
        caption=caption, provisional="P: provisional, a member expected to report did not." if flagged else "", alt=alt, table_header=["Region"] + labels, table_rows=rows,
        draw={"x": labels, "panels": panels},
    )


def _extremes(ci: ChartInputs, changes: list[tuple[Published, str, str]], last: Period, base: Period) -> str:
    """"the largest rise was in Canterbury (+29 %; most of this rise comes from one member …) and the
    smallest in Otago (+1 %, little changed)": ties in the published change named together."""
    values = sorted({c.value for c, _, _ in changes})
    high, low = values[-1], values[0]

    def at(value: float) -> tuple[str, str]:
        names = [n for c, n, _ in changes if c.value == value]
        codes = [code for c, _, code in changes if c.value == value]
        note = ""
        change = next(c for c, _, _ in changes if c.value == value)
        if not ci.j.change(change, Cell("clients", scope=codes[0], period=last, what="change", base=base),
                           internal=False).material:
            note = ", little changed"
        elif len(codes) == 1:
            driver = ci.j.driver("clients", "total", "", codes[0], last, base)
            note = f"; {driver.caveat}" if driver else ""
        return _and(names), f"{formats.change(value)}{note}"

    (hi_names, hi), (lo_names, lo) = at(high), at(low)
    top = (f"the largest rise was in {hi_names} ({hi})" if high > 0 else
           f"the smallest fall was in {hi_names} ({hi})")
    if high == low:
        return top
    bottom = (f"the largest fall in {lo_names} ({lo})" if low < 0 else f"the smallest rise in {lo_names} ({lo})")
    return f"{top} and {bottom}"

"""The reviews a release needs, as its documents see them (config ``governance``; issue 27).

By default every table and sentence a release has about Māori is reviewed with Māori before the
final — following Te Mana Raraunga's principles of Māori data sovereignty, the CARE principles and
Ngā Tikanga Paihere — and recorded with who reviewed it and when (``reportgen review``;
``core/reviews.py``). Here:

- ``review_items``: what a review covers in a release — every published cell of its categories
  (``ethnicity: maori``: every row of the tables and of ``dashboard.json`` about Māori), and every
  sentence that names one of its words, wherever it is published (the narratives and stories, the
  regional commentary, each chart's title, alternative text, note and data table, the dashboard's
  sentences);
- ``review_status``: whether the latest record of each review covers exactly those items (their
  digest): recorded and current, out of date (something it covered changed), or not recorded;
- ``governance_sentences``: what the methodology says about how the data were governed.

The final refuses while a review it needs is not current (``release/governance.py``).
"""

from __future__ import annotations

import hashlib
import html as htmlmod
import re
from dataclasses import dataclass

from ..core.config import Config, ReviewSpec
from ..core.periods import Period
from ..core.reviews import ReviewRecord, latest, read_records
from ..disclosure.confidentiality import PublishedStore

_TAG = re.compile(r"<[^>]+>")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\u0100-\u017f\"'“(])")


@dataclass(frozen=True)
class Item:
    """One thing a review covers: where it is published, and what it says."""

    where: str  # "tables: clients by ethnicity", "report: Executive summary", "chart ethnicity-nz: title"
    text: str


@dataclass(frozen=True)
class Status:
    """One review of one release: what it covers, and its latest record."""

    id: str
    spec: ReviewSpec
    items: list[Item]
    digest: str
    record: ReviewRecord | None
    state: str  # "current" | "out of date" | "not recorded"
    needed: bool  # the final of this release needs it

    @property
    def current(self) -> bool:
        return self.state == "current"


def plain(html: str) -> str:
    return " ".join(htmlmod.unescape(_TAG.sub(" ", html or "")).split())


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(plain(text)) if s.strip()]


def _mentions(text: str, words: list[str]) -> bool:
    return any(re.search(rf"(?<!\w){re.escape(w)}(?!\w)", text, flags=re.IGNORECASE) for w in words)


def texts_of(report=None, charts=(), pages=()) -> list[tuple[str, str]]:
    """(where, text) of every published text of a release: the narratives, each chart's words and
    data table, the dashboard pages' sentences and charts."""
    out: list[tuple[str, str]] = []
    if report is not None:
        out += [("report: title", report.title), ("report: subtitle", report.subtitle),
                ("report: executive summary", report.summary_html)]
        out += [(f"report: key finding {i}", t) for i, t in enumerate(report.findings_html, 1)]
        out += [(f"report: section {k}", v) for k, v in report.sections_html.items()]
        out += [(f"report: recommendation {i}", t) for i, t in enumerate(report.recommendations_html, 1)]
        out.append(("report: methodology", report.methodology_html))
        for s in report.stories:
            if s.state == "published":
                out.append((f"story {s.slug}", f"{s.title}. {s.pull_quote_html} {s.body_html}"))
        for code, region in report.regions.items():
            out.append((f"brief {code}: commentary", region.intro_html + " " + " ".join(region.key_points_html)))
    for chart in charts:
        spec = getattr(chart, "spec", chart)
        for part in ("title", "subtitle", "alt", "caption"):
            out.append((f"chart {spec.id}: {part}", getattr(spec, part, "") or ""))
        rows = getattr(spec, "table_rows", None) or getattr(chart, "table_rows", [])
        out += [(f"chart {spec.id}: data table", " ".join(str(c) for c in row)) for row in rows]
    for page in pages:
        out += [(f"{page.name}: sentence", s) for s in getattr(page, "sentences", [])]
        for chart in getattr(page, "charts", []):
            out += [(f"{page.name}: chart {chart.id}", t) for t in (chart.title, chart.subtitle, chart.alt, chart.note)]
            out += [(f"{page.name}: chart {chart.id}: data table", " ".join(str(c) for c in row))
                    for row in chart.table_rows]
    return out


def review_items(spec: ReviewSpec, store: PublishedStore, texts: list[tuple[str, str]]) -> list[Item]:
    """What ``spec`` covers in a release: its categories' published cells, and every sentence naming one
    of its words (each once, sorted: the digest does not depend on the order things were made in)."""
    found: set[Item] = set()
    if spec.categories:
        frame = store.frame()
        for dimension, categories in spec.categories.items():
            part = frame[(frame["dimension"] == dimension) & (frame["category"].isin(categories))]
            for rec in part.itertuples(index=False):
                value = rec.symbol or ("" if rec.value != rec.value else f"{float(rec.value):g}")
                found.add(Item(f"tables: {rec.measure} by {rec.dimension}",
                               f"{rec.scope} {rec.period} {rec.measure} {rec.category}: {value} {rec.flag}".strip()))
    if spec.words:
        for where, text in texts:
            for sentence in sentences(text):
                if _mentions(sentence, spec.words):
                    found.add(Item(where, sentence))
    return sorted(found, key=lambda i: (i.where, i.text))


def digest(items: list[Item]) -> str:
    h = hashlib.sha256()
    for item in items:
        h.update(f"{item.where}\t{item.text}\n".encode())
    return h.hexdigest()


def review_status(config: Config, period: Period, store: PublishedStore,
                  texts: list[tuple[str, str]]) -> list[Status]:
    """Every review of the config, for this release: its items, its latest record and whether that
    record covers exactly these items."""
    records, _ = read_records(config, period)
    kind = "quarter" if period.is_quarter else "half-year"
    out = []
    for rid, spec in config.governance.reviews.items():
        items = review_items(spec, store, texts)
        d = digest(items)
        record = latest(records, rid)
        state = "not recorded" if record is None else "current" if record.digest == d else "out of date"
        out.append(Status(rid, spec, items, d, record, state, kind in spec.releases))
    return out


def _date(at) -> str:
    return f"{at.day}\u00a0{at.strftime('%B %Y')}"


def _listed(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def governance_sentences(statuses: list[Status], *, what: str = "this report") -> list[str]:
    """How the data were governed, for the methodology: one paragraph per review the release needs."""
    out = []
    for st in statuses:
        if not st.needed:
            continue
        spec, n = st.spec, len(st.items)
        following = f", following {_listed(spec.principles)}" if spec.principles else ""
        with_whom = f" with {spec.reviewers}" if spec.reviewers else ""
        counted = f"{n} item{'s' * (n != 1)}: figures and sentences"
        if st.current and st.record is not None:
            who = st.record.by + (f" ({st.record.role})" if st.record.role else "")
            out.append(f"{spec.name}: before release, {spec.about} in {what} ({counted}) was reviewed{with_whom}"
                       f"{following}. Reviewed by {who} on {_date(st.record.at)}.")
        elif st.record is not None:
            out.append(f"{spec.name}: {spec.about} in {what} ({counted}) was reviewed{with_whom} on "
                       f"{_date(st.record.at)}, but some of it has changed since: it is reviewed again before "
                       f"the final is released{following}.")
        else:
            out.append(f"{spec.name}: {spec.about} in {what} ({counted}) is reviewed{with_whom} before the "
                       f"final is released{following}. This draft has not yet been reviewed.")
    return out

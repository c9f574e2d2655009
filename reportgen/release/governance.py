"""Governed releases (issue 27): the reviews a final needs, their review packs, and their records.

``config.yaml`` names the reviews (``governance.reviews``; by default a Māori data review of every
table and sentence about Māori). For each, a draft writes a review pack for the reviewers
(``output/<period>/internal/reviews/<id>.html`` and ``.csv``: every item the review covers);
``reportgen review PERIOD --record ID --by NAME`` records that it was done, by whom and when, with
the digest of the items it covered (``core/reviews.py``); the final refuses while a review it needs
is not recorded, or was recorded for items that have changed since (``final_blockers``). What a
review covers, and the methodology's sentences, are ``documents/governance.py``'s.
"""

from __future__ import annotations

import csv
import io
from html import escape
from zoneinfo import ZoneInfo

from ..core.config import Config
from ..core.findings import Finding
from ..core.periods import Period
from ..core.reviews import ReviewRecord, append_record, read_records, records_file
from ..documents.governance import Status, review_status, texts_of
from ..runtime.reproducible import build_time


def statuses(publication) -> list[Status]:
    """Every review of the config, for this Publication (the same texts its documents were made from)."""
    if publication.period.is_quarter:
        texts = texts_of(pages=publication.documents)
    else:
        charts = [*publication.charts.national, *(c for r in publication.charts.regions.values() for c in r)]
        texts = texts_of(publication.report, charts)
    return review_status(publication.config, publication.period, publication.store, texts)


def final_blockers(publication) -> list[Finding]:
    """Error findings for every review the final needs and does not have (not recorded, or recorded for
    items that have changed since)."""
    config, period = publication.config, publication.period
    out = []
    _, problems = read_records(config, period)
    source = records_file(config, period)
    shown = source.relative_to(config.root).as_posix() if source.is_relative_to(config.root) else str(source)
    for problem in problems:
        out.append(Finding("governance.unreadable-record", "error", f"a review record cannot be read: {problem}", file=shown,
                           hint="record the review again with reportgen review; the file is written by it"))
    for st in statuses(publication):
        if not st.needed or st.current:
            continue
        pack = f"output/{period}/internal/reviews/{st.id}.html"
        how = f'reportgen review {period} --record {st.id} --by "NAME"'
        n = len(st.items)
        if st.record is None:
            out.append(Finding(
                "final.review-missing", "error",
                f"the final of {period} needs its {st.spec.name} ({st.spec.about}: {n} item{'s' * (n != 1)}), "
                "and none is recorded", file=shown,
                hint=f"have the items reviewed (the review pack of the latest draft: {pack}), then: {how}"))
        else:
            out.append(Finding(
                "final.review-out-of-date", "error",
                f"the {st.spec.name} recorded by {st.record.by} on {st.record.at.date().isoformat()} covered "
                f"{st.record.items} items; what it covers has changed since (now {n} items)", file=shown,
                hint=f"have the changed items reviewed (the latest draft's review pack: {pack}), then: {how}"))
    return out


def review_pack(publication) -> dict[str, bytes]:
    """``reviews/<id>.html`` and ``.csv`` for the internal folder: every item each review covers."""
    files = {}
    for st in statuses(publication):
        files[f"reviews/{st.id}.csv"] = _pack_csv(st)
        files[f"reviews/{st.id}.html"] = _pack_html(st, publication.period).encode("utf-8")
    return files


def _pack_csv(st: Status) -> bytes:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(["where", "item"])
    writer.writerows([item.where, item.text] for item in st.items)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _pack_html(st: Status, period: Period) -> str:
    rows = "".join(f"<tr><td>{escape(i.where)}</td><td>{escape(i.text)}</td></tr>" for i in st.items)
    record = (f"Recorded by {escape(st.record.by)} on {st.record.at.date().isoformat()}: "
              f"{'covers these items' if st.current else 'covered other items: some have changed since'}."
              if st.record else "Not yet recorded.")
    principles = "; ".join(escape(p) for p in st.spec.principles)
    return (f"<!DOCTYPE html><html lang=\"en-NZ\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
            f"content=\"width=device-width, initial-scale=1\"><title>{escape(st.spec.name)}: {period}</title>"
            "<style>body{font:16px/1.5 'Noto Sans',sans-serif;max-width:60rem;margin:0 auto;padding:1rem}"
            "table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ccc;padding:.3rem;"
            "text-align:left;vertical-align:top;overflow-wrap:anywhere}</style></head><body><main>"
            f"<h1>{escape(st.spec.name)}: {period}</h1>"
            f"<p>What is reviewed: {escape(st.spec.about)} — {len(st.items)} items, listed below "
            f"(digest {st.digest[:12]}).{' Following: ' + principles + '.' if principles else ''}</p>"
            f"<p>{record}</p><p>When the review is done: <code>reportgen review {period} --record {st.id} "
            "--by \"NAME\"</code>.</p>"
            "<table><caption>Every item the review covers</caption><thead><tr><th scope=\"col\">Where</th>"
            f"<th scope=\"col\">Item</th></tr></thead><tbody>{rows}</tbody></table></main></body></html>\n")


def record_review(config: Config, period: Period, publication, review: str, by: str, role: str = "",
                  note: str = "") -> tuple[ReviewRecord | None, list[Finding]]:
    """Record that ``review`` of ``period`` was done by ``by``, now, covering the items the release has
    now (their count and digest)."""
    if review not in config.governance.reviews:
        known = ", ".join(config.governance.reviews) or "none"
        return None, [Finding("governance.unknown-review", "error", f"there is no review '{review}' in config governance.reviews "
                              f"(reviews: {known})", file=config.source,
                              hint="name one of the reviews config.yaml lists under governance.reviews")]
    st = next(s for s in statuses(publication) if s.id == review)
    at = build_time().astimezone(ZoneInfo(config.releases.timezone)).replace(microsecond=0)
    record = ReviewRecord(review, by.strip(), role.strip(), at, len(st.items), st.digest, note.strip())
    append_record(config, period, record)
    return record, []


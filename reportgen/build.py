"""The whole build, one stage after another.

    load → validate → aggregate → confidentialise → charts → narratives
         → HTML → PDF → write

Each stage is a plain function in its own module. Stages return findings
rather than raising; ``build`` stops before writing anything when any stage
has reported an error, so the previous outputs stay untouched.

Builds are incremental: the input fingerprint is taken first (standard
library only), so an unchanged rebuild returns before pandas, matplotlib or
WeasyPrint is even imported; each stage's result is cached under a key of
exactly what it reads (``cache.py``); charts and PDF layouts are cached on
their own content (``charts``, ``render_pdf``).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__, drafts
from .cache import CACHE_NAME, StageCache, cache_dir, stage_key
from .config import Config
from .findings import Finding
from .fingerprint import Fingerprint, input_fingerprint
from .periods import Period
from .reproducible import build_stamp
from .workers import Workers

if TYPE_CHECKING:  # the stages import pandas, matplotlib, WeasyPrint: only when they run (imported in the functions)
    from .aggregate import Aggregates
    from .register import Event
    from .validate import ValidData

Progress = Callable[[str], None]


@dataclass
class BuildResult:
    period: Period
    findings: list[Finding] = field(default_factory=list)
    out_dir: Path | None = None
    files: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    data: ValidData | None = None  # the validated rows, for check's summary and the quality report
    draft: int | None = None  # the draft number written (or kept, when ``unchanged``)
    unchanged: bool = False  # inputs equal to the latest draft's: nothing rendered, nothing written
    final: bool = False
    documents: list = field(default_factory=list)  # the HTML documents (what ``preview`` serves)
    laid_out: list[str] = field(default_factory=list)  # documents laid out as PDF (the others: cached)
    charts_drawn: int = 0  # charts drawn (the others came from the cache)

    @property
    def ok(self) -> bool:
        return not any(f.is_error for f in self.findings)


class _Stages:
    """Runs stages in order, timing each and reporting progress."""

    def __init__(self, result: BuildResult, progress: Progress | None):
        self.result, self.progress = result, progress or (lambda _msg: None)

    def __call__(self, name: str, fn, *args, **kwargs):
        self.progress(name)
        start = time.perf_counter()
        out = fn(*args, **kwargs)
        self.result.timings[name] = time.perf_counter() - start
        return out


@dataclass
class Inputs:
    data: ValidData
    events: list[Event]
    aggregates: Aggregates | None  # None when the data have errors


def check_inputs(config: Config, period: Period, stage: _Stages, cache: StageCache | None = None,
                 fp: Fingerprint | None = None) -> Inputs:
    """load → validate → aggregate: everything ``reportgen check`` needs (cached on the data's content)."""
    if cache is not None and fp is not None:
        key = stage_key("inputs", fp, ("config", "data", "register"), period, str(config.root))
        found, cached = cache.get("inputs", key)
        if found:
            return stage("inputs (cached)", lambda: cached)
        fresh = check_inputs(config, period, stage)
        cache.put("inputs", key, fresh)
        return fresh
    from .aggregate import aggregate
    from .register import load_events, load_register
    from .submissions import load_submissions
    from .validate import validate

    register, findings = stage("register", load_register, config)
    events, more = stage("events", load_events, config)
    subs = stage("load", load_submissions, config)
    data = stage("validate", validate, subs, register, config, period)
    data.findings[:0] = findings + more
    if data.has_errors:
        return Inputs(data, events, None)
    return Inputs(data, events, stage("aggregate", aggregate, data.rows, register, config, period))


def check(config: Config, period: Period, progress: Progress | None = None) -> BuildResult:
    from .confidentiality import confidentialise
    from .figures import namespace
    from .narratives import load_narratives, render_report

    result = BuildResult(period)
    stage = _Stages(result, progress)
    inputs = check_inputs(config, period, stage)
    data, agg = inputs.data, inputs.aggregates
    result.findings += data.findings
    result.data = data
    narr = stage("narratives", load_narratives, config.root / "narratives" / str(period), config.root,
                 config=config)
    result.findings += narr.findings
    key = config.confidentiality_key()
    if agg is not None and key:
        store = confidentialise(agg, config, key)
        ns = namespace(store, config, period, reporting=agg.reporting, expected=agg.expected)
        result.findings += render_report(narr, ns, config=config, final=False)[1]
    return result


def build(config: Config, period: Period, progress: Progress | None = None, *, final: bool = False,
          revision: str | None = None, jobs: int | None = None, use_cache: bool = True,
          html_only: bool = False) -> BuildResult:
    """The whole build: a numbered draft (or, with ``final``, the release).

    ``jobs``: processes laying out PDFs (default: every core); ``use_cache=False``:
    recompute every stage; ``html_only``: stop after the HTML documents, writing
    nothing (for ``preview``)."""
    result = BuildResult(period, final=final)
    stage = _Stages(result, progress)
    # review workflow (issue 7): a numbered draft per changed input; a guarded final
    pdir, fp = drafts.period_dir(config, period), input_fingerprint(config, period, memo=use_cache and not final)
    previous = drafts.latest_draft(pdir)
    if (not final and not html_only and use_cache and previous is not None
            and drafts.input_digest(drafts.draft_dir(pdir, previous)) == fp.digest):
        result.draft, result.unchanged, result.out_dir = previous, True, drafts.draft_dir(pdir, previous)
        return result  # no input changed since that draft: nothing rendered (and nothing heavy imported)
    if final and drafts.releases(pdir) and not (revision or "").strip():
        result.findings.append(Finding(
            "final.exists", "error", f"a final of {period} already exists ({pdir / 'final'}); it is never overwritten",
            hint='make a revision instead: reportgen build PERIOD --final --revision "what changed and why"'))

    # chart drawing and PDF layout run on worker processes (the preview draws in this process)
    workers = Workers(1 if html_only else jobs)
    try:
        return _build(config, period, result, stage, pdir, fp, previous, workers, final=final, revision=revision,
                      use_cache=use_cache, html_only=html_only)
    finally:
        workers.close()


def _build(config: Config, period: Period, result: BuildResult, stage: _Stages, pdir: Path, fp: Fingerprint,
           previous: int | None, workers: Workers, *, final: bool, revision: str | None, use_cache: bool,
           html_only: bool) -> BuildResult:
    # the workers start now: their imports (WeasyPrint, matplotlib) overlap this process's own
    # imports and its data stages, so the first chart or layout does not wait for them
    workers.start()
    from . import changes
    from .audit import audit, audit_findings, derived_counts, derived_proof
    from .bundle import write_bundle
    from .charts import ChartCache, make_charts, national_specs, region_specs
    from .confidentiality import confidentialise
    from .dashboard import dashboard_json
    from .documents import national_report, regional_briefs
    from .figures import namespace
    from .metrics import compute_metrics
    from .narratives import load_narratives, render_report
    from .quality_report import render_quality_report
    from .render_pdf import start_rendering
    from .stamp import stamp_document
    from .tables import table_files

    cache = StageCache(config.root, enabled=use_cache)
    # the published figures depend on the data, the register, the config and the rounding key
    published_key = stage_key("published", fp, ("config", "data", "register"), period, str(config.root))
    chart_cache = ChartCache(cache_dir(config.root) / "charts" if use_cache else None, workers=workers)

    inputs = check_inputs(config, period, stage, cache, fp)
    data, agg = inputs.data, inputs.aggregates
    result.findings += data.findings
    key = config.confidentiality_key()
    if not key:
        result.findings.append(Finding(
            "config.no-key", "error", "no key for the confidential rounding",
            file=config.source, hint=f"set the environment variable {config.confidentiality.key_env}"))
    narr = stage("narratives", load_narratives, config.root / "narratives" / str(period), config.root,
                 config=config)
    result.findings += narr.findings
    if agg is None or not result.ok:
        return result

    store = stage("confidentialise", cache.run, "confidentialise", published_key, confidentialise, agg, config, key)
    metrics = stage("metrics", cache.run, "metrics", published_key, compute_metrics, store, agg, config)
    # every chart not in the cache starts drawing on the workers now: the national report's, then the briefs'
    chart_cache.prefetch(national_specs(store, config, period, agg.quarters, inputs.events)
                         + [spec for code in metrics.eligible_regions()
                            for spec in region_specs(store, config, period, agg.quarters, inputs.events, code)])
    charts = stage("charts", make_charts, store, config, period, agg.quarters, inputs.events, cache=chart_cache)
    ns = namespace(store, config, period, reporting=agg.reporting, expected=agg.expected)
    report, problems = stage("placeholders", render_report, narr, ns, config=config, final=final)
    result.findings += problems
    if final:
        result.findings += drafts.final_blockers(result.findings, report, narr)
    if report is None or not result.ok:
        return result

    def briefs(review: dict | None):
        # one regional brief per region with enough members reporting (metrics.eligible_regions())
        return regional_briefs(config, period, agg, store, report, inputs.events, metrics, cache=chart_cache,
                               review=review)

    if html_only:  # preview: the documents as a reader sees them on the web, without draft marks
        result.documents = [stage("html", national_report, config, period, agg, store, report, charts,
                                  inputs.events, metrics)] + stage("briefs", briefs, None)
        result.charts_drawn = chart_cache.drawn
        return result

    n = (previous or 0) + 1
    built = build_stamp()
    snapshot = changes.snapshot(report, store, charts)
    web_review = print_review = None
    if not final:
        diff = None
        if previous is not None:
            old, old_inputs = drafts.previous_review(pdir, previous)
            if old is not None:
                diff = changes.compare(old, snapshot, previous, n, old_inputs, json.loads(drafts.inputs_record(fp, config)))
        web_review, print_review = drafts.review_contexts(config, n, built, fp.short, diff, pdir)
    # the HTML laid out as PDF carries no per-draft values (marks are stamped on after layout),
    # so an unchanged document's layout comes from the cache
    # PDF layout runs on the workers, each document as soon as its HTML is made, while this
    # process makes the next documents, the web pages and the tables
    documents = [stage("html", national_report, config, period, agg, store, report, charts, inputs.events,
                       metrics, review=print_review)]
    layout = start_rendering(documents, config, workers, use_cache=use_cache)
    brief_documents = stage("briefs", briefs, None)
    layout.add(brief_documents)
    documents += brief_documents
    result.documents = documents
    web: dict[str, str] = {}
    if not final:  # the web HTML of a draft carries the banner (and the report its changes)
        web["report"] = stage("web html", national_report, config, period, agg, store, report, charts,
                              inputs.events, metrics, review=web_review).html
        web.update((d.name, d.html) for d in stage("web briefs", briefs, web_review))
    # published tables and dashboard data, from the same store; then the disclosure audit
    tables, _ = stage("tables", cache.run, "tables", published_key, table_files, store, metrics, config, period)
    dashboard = stage("dashboard", cache.run, "dashboard", published_key, dashboard_json, store, metrics,
                      config, period)
    files: dict[str, bytes] = {}
    result.laid_out, result.charts_drawn = list(layout.laid_out), chart_cache.drawn
    for doc, (pdf, problems) in zip(documents, stage("pdf", layout.result)):
        files[f"{doc.name}.html"] = web.get(doc.name, doc.html).encode("utf-8")
        files[f"{doc.name}.pdf"] = pdf
        result.findings += problems
    if not final:  # the draft's number, date and inputs on every page (stamped on the workers)
        names = [f"{d.name}.pdf" for d in documents]
        stamped = stage("stamp", lambda: [f.result() for f in [
            workers.submit(stamp_document, files[name], n, built, fp.short) for name in names]])
        files.update(zip(names, stamped))
    files.update(tables)
    files["dashboard.json"] = dashboard
    disclosure = stage("audit", audit, store, config, files)
    disclosure["derived_tables"] = derived_counts(metrics.derived)
    disclosure["proofs"]["derived_follow_inputs"] = derived_proof(store, metrics.derived, config)
    result.findings += audit_findings(disclosure)
    if not result.ok:
        return result
    if final:
        files["release.json"] = drafts.release_manifest(fp, disclosure, reason=revision, built=built,
                                                        version=__version__)
    else:
        files["review-data.json"] = (json.dumps(snapshot, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
    files["manifest.json"] = _manifest(config, period, files, disclosure, fp)
    published = sorted(files)
    # internal, for staff: output/<period>/internal/, outside every published bundle
    internal = drafts.internal_files(pdir)
    internal["quality.html"] = stage("quality", render_quality_report, config, period, data.rows,
                                     data.register, result.findings).encode("utf-8")
    if final:
        record = {"built": built, "reason": revision, "inputs": fp.digest}
        internal[f"releases/{len(drafts.releases(pdir)) + 1}/inputs.json"] = drafts.inputs_record(fp, config)
        result.out_dir = stage("write", drafts.publish_final, pdir, files, record)
        write_bundle(internal, pdir / "internal")
    else:
        internal[f"drafts/{n}/inputs.json"] = drafts.inputs_record(fp, config)
        result.out_dir = stage("write", drafts.publish_draft, pdir, n, files, internal)
        result.draft = n
    result.files = published
    return result


def _manifest(config: Config, period: Period, files: dict[str, bytes], disclosure: dict | None = None,
              inputs: Fingerprint | None = None) -> bytes:
    manifest = {
        "period": str(period),
        "reportgen": __version__,
        "built": build_stamp(),
        "files": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())},
    }
    if inputs is not None:
        # digests only: per-file paths would reveal, e.g., a withdrawn story's file name
        manifest["inputs"] = {"digest": inputs.digest, "parts": inputs.parts}
    if disclosure is not None:
        manifest["disclosure_audit"] = disclosure
    return (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8")

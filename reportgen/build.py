"""The whole build, one stage after another.

    load → validate → aggregate → confidentialise → charts → narratives
         → HTML → PDF → write

Each stage is a plain function in its own module. Stages return findings
rather than raising; ``build`` stops before writing anything when any stage
has reported an error, so the previous outputs stay untouched.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__, changes, drafts
from .aggregate import Aggregates, aggregate
from .audit import audit, audit_findings, derived_counts, derived_proof
from .bundle import write_bundle
from .charts import ChartCache, make_charts
from .config import Config
from .confidentiality import confidentialise
from .dashboard import dashboard_json
from .figures import namespace
from .findings import Finding
from .fingerprint import Fingerprint, input_fingerprint
from .metrics import compute_metrics
from .narratives import load_narratives, render_report
from .periods import Period
from .register import Event, load_events, load_register
from .documents import national_report, regional_briefs
from .render_pdf import render_documents
from .stamp import stamp_document
from .quality_report import render_quality_report
from .submissions import load_submissions
from .tables import table_files
from .validate import ValidData, validate

Progress = Callable[[str], None]
CACHE_DIR = ".reportgen-cache"  # beside config.yaml; safe to delete at any time


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


def check_inputs(config: Config, period: Period, stage: _Stages) -> Inputs:
    """load → validate → aggregate: everything ``reportgen check`` needs."""
    register, findings = stage("register", load_register, config)
    events, more = stage("events", load_events, config)
    subs = stage("load", load_submissions, config)
    data = stage("validate", validate, subs, register, config, period)
    data.findings[:0] = findings + more
    if data.has_errors:
        return Inputs(data, events, None)
    return Inputs(data, events, stage("aggregate", aggregate, data.rows, register, config, period))


def check(config: Config, period: Period, progress: Progress | None = None) -> BuildResult:
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
          revision: str | None = None) -> BuildResult:
    result = BuildResult(period, final=final)
    stage = _Stages(result, progress)
    # review workflow (issue 7): a numbered draft per changed input; a guarded final
    pdir, fp = drafts.period_dir(config, period), input_fingerprint(config, period)
    previous = drafts.latest_draft(pdir)
    if not final and previous is not None and drafts.input_digest(drafts.draft_dir(pdir, previous)) == fp.digest:
        result.draft, result.unchanged, result.out_dir = previous, True, drafts.draft_dir(pdir, previous)
        return result  # no input changed since that draft: nothing rendered
    if final and drafts.releases(pdir) and not (revision or "").strip():
        result.findings.append(Finding(
            "final.exists", "error", f"a final of {period} already exists ({pdir / 'final'}); it is never overwritten",
            hint='make a revision instead: reportgen build PERIOD --final --revision "what changed and why"'))

    inputs = check_inputs(config, period, stage)
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

    store = stage("confidentialise", confidentialise, agg, config, key)
    charts = stage("charts", make_charts, store, config, period, agg.quarters, inputs.events,
                   cache=ChartCache(config.root / CACHE_DIR / "charts"))
    metrics = stage("metrics", compute_metrics, store, agg, config)
    ns = namespace(store, config, period, reporting=agg.reporting, expected=agg.expected)
    report, problems = stage("placeholders", render_report, narr, ns, config=config, final=final)
    result.findings += problems
    if final:
        result.findings += drafts.final_blockers(result.findings, report, narr)
    if report is None or not result.ok:
        return result

    n = (previous or 0) + 1
    built = _built()
    snapshot = changes.snapshot(report, store, charts)
    web_review = print_review = None
    if not final:
        diff = None
        if previous is not None:
            old, old_inputs = drafts.previous_review(pdir, previous)
            if old is not None:
                diff = changes.compare(old, snapshot, previous, n, old_inputs, json.loads(drafts.inputs_record(fp, config)))
        web_review, print_review = drafts.review_contexts(config, n, built, fp.short, diff, pdir)
    documents = [stage("html", national_report, config, period, agg, store, report, charts, inputs.events,
                       metrics, review=print_review)]
    # one regional brief per region with enough members reporting (metrics.eligible_regions());
    # the HTML laid out as PDF carries no per-draft values: marks are stamped on after layout
    briefs = stage("briefs", regional_briefs, config, period, agg, store, report, inputs.events, metrics,
                   cache=ChartCache(config.root / CACHE_DIR / "charts"), review=None)
    documents += briefs
    web: dict[str, str] = {}
    if not final:  # the web HTML of a draft carries the banner (and the report its changes)
        web["report"] = national_report(config, period, agg, store, report, charts, inputs.events, metrics,
                                        review=web_review).html
        web.update((d.name, d.html) for d in regional_briefs(
            config, period, agg, store, report, inputs.events, metrics,
            cache=ChartCache(config.root / CACHE_DIR / "charts"), review=web_review))
    files: dict[str, bytes] = {}
    for doc, (pdf, problems) in zip(documents, stage("pdf", render_documents, documents, config)):
        files[f"{doc.name}.html"] = web.get(doc.name, doc.html).encode("utf-8")
        files[f"{doc.name}.pdf"] = pdf if final else stamp_document(pdf, n, built, fp.short)
        result.findings += problems
    # published tables and dashboard data, from the same store; then the disclosure audit
    tables, _ = stage("tables", table_files, store, metrics, config, period)
    files.update(tables)
    files["dashboard.json"] = stage("dashboard", dashboard_json, store, metrics, config, period)
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


def _built() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(epoch) if epoch else None))


def _manifest(config: Config, period: Period, files: dict[str, bytes], disclosure: dict | None = None,
              inputs: Fingerprint | None = None) -> bytes:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    built = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(epoch) if epoch else None))
    manifest = {
        "period": str(period),
        "reportgen": __version__,
        "built": built,
        "files": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())},
    }
    if inputs is not None:
        # digests only: per-file paths would reveal, e.g., a withdrawn story's file name
        manifest["inputs"] = {"digest": inputs.digest, "parts": inputs.parts}
    if disclosure is not None:
        manifest["disclosure_audit"] = disclosure
    return (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8")

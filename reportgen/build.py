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
from typing import TYPE_CHECKING

from . import __version__
from .cache import StageCache, stage_key
from .config import Config
from .findings import Finding
from .fingerprint import Fingerprint, input_fingerprint
from .periods import Period

if TYPE_CHECKING:  # the stages import pandas, matplotlib, WeasyPrint: only when they run (imported in the functions)
    from .aggregate import Aggregates
    from .register import Event
    from .validate import ValidData

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
    documents: list = field(default_factory=list)  # the HTML documents (what ``preview`` serves)

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


def build(config: Config, period: Period, progress: Progress | None = None, *, jobs: int | None = None,
          use_cache: bool = True, html_only: bool = False) -> BuildResult:
    """The whole build. ``jobs``: processes laying out PDFs; ``use_cache=False``: recompute every stage;
    ``html_only``: stop after the HTML documents (for ``preview``; nothing is written)."""
    from .audit import audit, audit_findings, derived_counts, derived_proof
    from .bundle import write_bundle
    from .charts import ChartCache, make_charts
    from .confidentiality import confidentialise
    from .dashboard import dashboard_json
    from .documents import national_report
    from .figures import namespace
    from .metrics import compute_metrics
    from .narratives import load_narratives, render_report
    from .quality_report import render_quality_report
    from .render_pdf import start_rendering
    from .tables import table_files

    result = BuildResult(period)
    stage = _Stages(result, progress)
    cache = StageCache(config.root, enabled=use_cache)
    fp = input_fingerprint(config, period)
    published_key = stage_key("published", fp, ("config", "data", "register"), period, str(config.root))

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
    charts = stage("charts", make_charts, store, config, period, agg.quarters, inputs.events,
                   cache=ChartCache(config.root / CACHE_DIR / "charts" if use_cache else None))
    metrics = stage("metrics", cache.run, "metrics", published_key, compute_metrics, store, agg, config)
    ns = namespace(store, config, period, reporting=agg.reporting, expected=agg.expected)
    report, problems = stage("placeholders", render_report, narr, ns, config=config, final=False)
    result.findings += problems
    if report is None or not result.ok:
        return result

    documents = [stage("html", national_report, config, period, agg, store, report, charts, inputs.events,
                       metrics)]
    result.documents = documents
    if html_only:
        return result
    files: dict[str, bytes] = {}
    # PDF layout runs in worker processes while this process makes the tables (both cores busy)
    layout = start_rendering(documents, config, jobs=jobs, use_cache=use_cache)
    # published tables and dashboard data, from the same store; then the disclosure audit
    tables, _ = stage("tables", cache.run, "tables", published_key, table_files, store, metrics, config, period)
    files["dashboard.json"] = stage("dashboard", cache.run, "dashboard", published_key, dashboard_json, store,
                                    metrics, config, period)
    for doc, (pdf, problems) in zip(documents, stage("pdf", layout.result)):
        files[f"{doc.name}.html"] = doc.html.encode("utf-8")
        files[f"{doc.name}.pdf"] = pdf
        result.findings += problems
    files.update(tables)
    disclosure = stage("audit", audit, store, config, files)
    disclosure["derived_tables"] = derived_counts(metrics.derived)
    disclosure["proofs"]["derived_follow_inputs"] = derived_proof(store, metrics.derived, config)
    result.findings += audit_findings(disclosure)
    if not result.ok:
        return result
    files["manifest.json"] = _manifest(config, period, files, disclosure, fp)
    published = sorted(files)
    # internal, for staff: written with the bundle (atomically) but not in the manifest nor linked
    files["internal/quality.html"] = stage("quality", render_quality_report, config, period, data.rows,
                                           data.register, result.findings).encode("utf-8")
    result.out_dir = stage("write", write_bundle, files, config.output_dir / str(period))
    result.files = published
    return result


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

"""``reportgen member-reports PERIOD [--org ORG]``: the members' reports of the latest draft or final
made again, from the same inputs, without building a new draft.

It refuses when the inputs that decide the figures have changed since (the published figures beside
a member's own would then be figures no bundle has)."""

from __future__ import annotations

from pathlib import Path

from ..core.config import Config
from ..core.findings import Finding
from ..core.periods import Period
from ..member_reports.files import DECIDING_PARTS, FOLDER, INDEX, MemberReports, index_csv, read_index


def released_with(config: Config, period: Period, fp) -> tuple[bool | None, list[Finding]]:
    """Whether the current inputs are those of the final (True) or of the latest draft (False) — the
    inputs that decide the figures (``DECIDING_PARTS``); None, with a finding, when neither."""
    from ..runtime import drafts

    pdir = drafts.period_dir(config, period)
    latest = drafts.latest_draft(pdir)
    candidates = [(True, pdir / "final")] + ([(False, drafts.draft_dir(pdir, latest))] if latest else [])
    found_any = False
    for final, folder in candidates:
        manifest = drafts.read_json(folder / "manifest.json")
        if not manifest:
            continue
        found_any = True
        parts = (manifest.get("inputs") or {}).get("parts") or {}
        if all(parts.get(k) == fp.parts.get(k) for k in DECIDING_PARTS):
            return final, []
    if not found_any:
        return None, [Finding("feedback.no-release", "error", f"there is no draft or final of {period} yet: member "
                              "reports go with a build", hint=f"build one first: reportgen build {period}")]
    changed = sorted(k for k in DECIDING_PARTS if k in fp.parts and _latest_parts(pdir, latest).get(k) != fp.parts[k])
    return None, [Finding("feedback.inputs-changed", "error",
                          f"the inputs changed since the latest draft or final of {period} "
                          f"({', '.join(changed) or 'inputs'}): its members' reports would show figures no "
                          "bundle has", hint=f"build a new draft (reportgen build {period}), which makes every "
                                             "member's report")]


def _latest_parts(pdir: Path, latest: int | None) -> dict:
    from ..runtime import drafts

    folder = drafts.draft_dir(pdir, latest) if latest else pdir / "final"
    return ((drafts.read_json(folder / "manifest.json") or {}).get("inputs") or {}).get("parts") or {}


def remake(config: Config, period: Period, org: str | None = None, *, jobs: int | None = None,
           progress=None) -> tuple[list[str], list[Finding]]:
    """Make the member reports of ``period`` again (only ``org``'s when given) from the inputs of its
    latest draft or final, into ``internal/members/``; nothing else is written. Returns the files
    written (relative to the period's folder) and every finding."""
    from ..charts import ChartCache, chart_cache_dir
    from ..core.findings import StageFailed, suggestion_hint
    from ..member_reports.gather import gather_members, reporting_members
    from ..publication import gather, load_inputs
    from ..runtime import drafts
    from ..runtime.cache import StageCache
    from ..runtime.fingerprint import input_fingerprint
    from ..runtime.run import Run
    from ..runtime.workers import Workers

    fp = input_fingerprint(config, period)
    final, findings = released_with(config, period, fp)
    if final is None:
        return [], findings
    run = Run(period, progress, final=final)
    with Workers(jobs) as workers:
        try:
            cache = StageCache(config.root)
            inputs = load_inputs(config, period, run, cache, fp)
            publication = gather(config, period, inputs, run, cache=cache, fp=fp, final=final,
                                 charts=ChartCache(chart_cache_dir(config), workers=workers))
        except StageFailed as exc:
            run.report(exc.findings)
            publication = None
        if publication is None or not run.ok:
            return [], run.findings
        if org is not None:
            want = org.strip().upper()
            orgs = reporting_members(publication)
            if want not in orgs:
                return [], run.findings + [Finding(
                    "feedback.not-reporting", "error", f"'{org}' is not a member with figures in {period}, so it "
                    "has no report", hint=suggestion_hint(want, orgs, "org_ids") if orgs else
                    "no member has figures in this period")]
        contexts = gather_members(publication, only=org)
        with run.stage("member reports"):
            reports = MemberReports(config, contexts, final=final).start(workers)
            files, problems = reports.files()
    run.report(problems)
    pdir = drafts.period_dir(config, period)
    current = drafts.internal_files(pdir)
    rows = {r["org_id"]: r for r in read_index(current.get(INDEX))} if org is not None else {}
    rows.update({r["org_id"]: r for r in reports.rows(files)})
    if org is None:  # every report made again: the folder is replaced whole
        current = {k: v for k, v in current.items() if not k.startswith(f"{FOLDER}/")}
    new = {**files, INDEX: index_csv(list(rows.values()))}
    drafts.write_internal(pdir, {**current, **new})
    return sorted(f"internal/{name}" for name in new), run.findings

"""A build's warnings, summarised for the person at the terminal (issue 27: "59 warnings" said nothing).

Grouped by code and member, the ones that need action first: a warning needs action when the
period's figures or the final depend on it — a member's missing return for a quarter of the period
(its figures are provisional until it comes), a story withheld or a placeholder or claim the final
would refuse. The rest are for review: every one is listed, with its file and line, by
``reportgen check PERIOD``. On the shipped sample (config ``report.sample_data``) the summary says
that they are the sample's deliberate problems, and where they are explained.
"""

from __future__ import annotations

from collections import defaultdict

from ..core.findings import Finding

SAMPLE_DOC = 'docs/data-contract.md, "The sample\'s warnings"'
# warnings whose fix changes what the period publishes, or that a final refuses
ACTION = {
    "data.missing-quarter": "ask the member for its return: until it comes, the period's figures are provisional (P)",
    "story.withheld": "the final leaves the story out: record consent and approval, or remove its file",
}
ACTION_PREFIXES = {
    "placeholder.": "the final refuses an unresolved placeholder: fix it",
    "claim.": "the final refuses a claim the figures do not bear out: correct it",
}


def needs_action(f: Finding, period) -> str:
    """Why ``f`` needs action before the release, or ""."""
    if f.code == "data.missing-quarter":
        quarters = [str(q) for q in period.quarters()] if period.is_half else [str(period)]
        return ACTION[f.code] if any(q in f.message for q in quarters) else ""
    if f.code in ACTION:
        return ACTION[f.code]
    return next((why for prefix, why in ACTION_PREFIXES.items() if f.code.startswith(prefix)), "")


def _who(f: Finding) -> str:
    if f.member:
        return f.member
    return f.file.rsplit("/", 1)[-1] if f.file else "the project"


def _members(names: list[str], limit: int = 6) -> str:
    unique = sorted(dict.fromkeys(names))
    shown = ", ".join(unique[:limit])
    return shown + (f" and {len(unique) - limit} more" if len(unique) > limit else "")


def problems(warnings: list[Finding]) -> int:
    """How many distinct problems the warnings describe: one per code and member (or file)."""
    return len({(f.code, _who(f)) for f in warnings})


def summary_lines(findings: list[Finding], period, *, sample: bool) -> list[str]:
    """The lines printed after a build with warnings (none without)."""
    warnings = [f for f in findings if f.severity == "warning"]
    if not warnings:
        return []
    n, k = len(warnings), problems(warnings)
    head = f"{n} warning{'s' * (n != 1)}"
    if sample:
        head += f": the sample data's {k} deliberate problem{'s' * (k != 1)}, explained in {SAMPLE_DOC}"
    else:
        head += f" ({k} problem{'s' * (k != 1)})"
    lines = [head]
    action = [(f, why) for f in warnings if (why := needs_action(f, period))]
    if action:
        lines.append(f"  Need action before the release ({len(action)}):")
        for f, why in action:
            where = f.member or (f.file or "")
            lines.append(f"    {f.code}  {where}: {f.message}")
            lines.append(f"      → {why}")
    acted = {id(f) for f, _ in action}
    rest: dict[str, list[Finding]] = defaultdict(list)
    for f in warnings:
        if id(f) not in acted:
            rest[f.code].append(f)
    if rest:
        lines.append(f"  For review ({sum(len(v) for v in rest.values())}), by code:")
        width = max(len(code) for code in rest)
        for code, found in sorted(rest.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            lines.append(f"    {code:<{width}}  {len(found):>3}  {_members([_who(f) for f in found])}")
    lines.append(f"  Every one, with its file, line and hint: reportgen check {period}")
    return lines

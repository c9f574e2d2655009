"""The build's disclosure audit (confidentiality rules 11 to 13).

For every published table: how many cells were rounded, published exactly
(hours), suppressed (primary and secondary), confidential (too few members, or
one member dominant), nil and not available. And the proofs, each checked in code against the raw values
inside the store — a build whose audit fails writes nothing:

* ``within_rounding_of_raw``: every published count is a multiple of the rounding
  base and at most ``base − 1`` from its raw value (2 for base 3); hours equal their raw value;
* ``no_small_counts``: no raw count of 1 to ``suppress_below - 1`` is
  published as a number;
* ``min_contributors``: every cell with fewer than ``min_members``
  contributing members is ``C`` (so no member's own figure is published);
* ``no_recovery_by_subtraction``: no single-response breakdown, regional
  breakdown or sum of measures has exactly one suppressed cell;
* ``tables_match_store``: every count in the published CSV tables is the
  store's value for that cell;
* ``no_count_pinned_by_margins`` (rule 13): no published count's raw value is
  pinned to one value by a group it adds up in (with how many ranges the
  margins narrow, a known limit of rounding parts and totals on their own);
* ``derived_follow_inputs`` (rule 7): every published share is ``S`` where
  its part or total is ``S`` or ``C`` or the published total is below
  ``min_denominator``, and is a number only when both inputs are numbers;
* and over the whole bundle (``proofs.py``, rules 12 and 13):
  ``derived_from_published``, ``like_for_like_left_out``, ``dominance`` and
  ``releases_agree``.

The audit holds counts only, never raw values: it is safe in the manifest.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..core.config import Config
from ..core.findings import Finding
from ..statistics.aggregate import NATIONAL
from .confidentiality import (
    CONF,
    DOMINANT,
    EXACT,
    NA,
    NIL_STATUS,
    PRIMARY,
    ROUNDED,
    SECONDARY,
    PublishedStore,
    margin_ranges,
)
from .rules import Rules

STATUS_NAMES = {ROUNDED: "rounded", EXACT: "exact_hours", PRIMARY: "suppressed_primary",
                SECONDARY: "suppressed_secondary", CONF: "confidential", DOMINANT: "confidential_dominance",
                NIL_STATUS: "nil", NA: "not_available"}


def _table_of(frame: pd.DataFrame) -> np.ndarray:
    """The count table each store cell is published in (breakdowns also carry totals)."""
    return np.where(frame["dimension"] == "total", frame["measure"],
                    frame["measure"] + "_by_" + frame["dimension"])


def proofs(store: PublishedStore, config: Config, files: dict[str, bytes] | None = None) -> dict[str, dict]:
    """Each proof: ``{"holds": bool, "checked": n, "violations": n}``."""
    rules = config.confidentiality
    most = Rules.of(config).max_error
    g = store.internal_frame()
    out: dict[str, dict] = {}

    def record(name: str, checked: int, bad: int) -> None:
        out[name] = {"holds": bool(bad == 0), "checked": int(checked), "violations": int(bad)}

    number = g["symbol"] == ""
    counts = number & (g["kind"] != "hours")
    hours = number & (g["kind"] == "hours")
    v, raw = g["value"], g["raw"]
    bad = counts & (((v - raw).abs() > most) | (v % rules.rounding_base != 0))
    bad |= hours & (v != raw)
    record("within_rounding_of_raw", number.sum(), bad.sum())
    small = (raw >= 1) & (raw < rules.suppress_below) & (g["kind"] != "hours")
    record("no_small_counts", small.sum(), (small & number).sum())
    few = (g["members"] < rules.min_members) & (raw > 0)
    record("min_contributors", few.sum(), (few & (g["symbol"] != "C")).sum())

    groups = store.additive_groups()
    supp = g["symbol"].isin(["S", "C"]).to_numpy()
    per_group = np.bincount(groups["gid"], weights=supp[groups["idx"]])
    # an all-zero group protects nothing (its nil total says every part is zero)
    live = np.bincount(groups["gid"], weights=g["raw"].to_numpy()[groups["idx"]] > 0, minlength=len(per_group)) > 0
    record("no_recovery_by_subtraction", len(per_group), int(((per_group == 1) & live).sum()))
    # rule 13: a total with its parts narrows a count's range (documented), but never to one value
    status = g["status"].to_numpy()
    ranges = margin_ranges(g["value"].fillna(0).to_numpy(np.float64), np.isin(status, [EXACT, NIL_STATUS]),
                           g["symbol"].isin(["", "–"]).to_numpy(), groups, rules.rounding_base, rules.suppress_below)
    counted = ranges[ranges["own"] > 0]
    record("no_count_pinned_by_margins", len(counted), int((counted["left"] <= 0).sum()))
    out["no_count_pinned_by_margins"]["narrowed"] = int((counted["left"] < counted["own"]).sum())

    if files is not None:
        record("tables_match_store", *_tables_match(store, config, files))
    return out


def _tables_match(store: PublishedStore, config: Config, files: dict[str, bytes]) -> tuple[int, int]:
    from .proofs import count_table_rows

    checked = bad = 0
    for m, d, c, scope, period, symbol, value in count_table_rows(
            files, config, ("measure", "dimension", "category", "scope", "period", "symbol", "value")):
        p = store.get(m, d, c, scope=scope, period=period)
        shown = p.symbol or str(int(p.value or 0))
        checked += 1
        bad += shown != (symbol or value)
    return checked, bad


def audit(store: PublishedStore, config: Config, files: dict[str, bytes] | None = None) -> dict:
    """Per-table counts and the proofs, for the build manifest."""
    g = store.internal_frame()
    g = g.assign(table=_table_of(g))
    per_table: dict[str, dict[str, int]] = {}
    for table, part in g.groupby("table", sort=True):
        counts = part["status"].value_counts()
        per_table[str(table)] = {"cells": int(len(part)),
                                 **{label: int(counts.get(s, 0)) for s, label in STATUS_NAMES.items()}}
    # breakdown tables also show the measure's total rows
    for m, spec in config.measures.items():
        if "total" in spec.dimensions:
            totals = per_table.get(m)
            for d in spec.dimensions:
                name = f"{m}_by_{d}"
                if d != "total" and name in per_table and totals:
                    per_table[name] = {k: per_table[name][k] + totals[k] for k in per_table[name]}
    return {"tables": per_table, "proofs": proofs(store, config, files),
            "unresolved_groups": len(store.unresolved_groups)}


def derived_proof(store: PublishedStore, derived: pd.DataFrame, config: Config) -> dict:
    """Rule 7 checked on the published shares table against the store (the denominator judged on its
    published value)."""
    g = store.internal_frame()
    key = ["scope", "period", "measure", "dimension", "category"]
    shares = derived[derived["table"] == "shares"][[*key, "symbol"]]
    parts = g[key + ["symbol"]].rename(columns={"symbol": "part"})
    totals = (g[g["dimension"] == "total"][["scope", "period", "measure", "symbol", "value"]]
              .rename(columns={"symbol": "whole", "value": "published_whole"}))
    m = shares.merge(parts, on=key, how="left").merge(totals, on=["scope", "period", "measure"], how="left")
    hidden = m["part"].isin(["S", "C"]) | m["whole"].isin(["S", "C"])
    small = m["published_whole"].fillna(0) < config.confidentiality.min_denominator
    available = ~(m["part"].eq("..") | m["whole"].eq(".."))
    withheld = m["symbol"].isin(["S", "C"])  # C: every figure of a region not published
    bad = ((hidden | small) & available & ~withheld) | (m["part"].isna() | m["whole"].isna())
    return {"holds": bool(not bad.any()), "checked": int(len(m)), "violations": int(bad.sum())}


def derived_counts(derived: pd.DataFrame) -> dict[str, dict[str, int]]:
    """For derived tables: how many figures were published and how many carry each symbol."""
    out = {}
    for table, part in derived.groupby("table", sort=True):
        sym = part["symbol"].value_counts()
        out[str(table)] = {"cells": int(len(part)), "published": int((part["symbol"] == "").sum()),
                           "suppressed": int(sym.get("S", 0)), "confidential": int(sym.get("C", 0)),
                           "nil": int(sym.get("–", 0)), "not_available": int(sym.get("..", 0))}
    return out


PROSE_HINT = ("a sentence holds a symbol where a figure goes: if it was typed in a narrative or a template, write "
              "the figure as a placeholder (a figure not published is said in words); otherwise this is a bug in "
              "reportgen: please report it with the build log")


def audit_findings(report: dict) -> list[Finding]:
    """An audit proof that fails is a bug in reportgen: stop the build, say which."""
    out = []
    for name, proof in report["proofs"].items():
        if not proof["holds"]:
            out.append(Finding("audit.failed", "error",
                               f"disclosure audit: '{name}' fails for {proof['violations']} of "
                               f"{proof['checked']} cells; nothing was published"
                               + (f" (the first: {proof['first']})" if proof.get("first") else ""),
                               hint=PROSE_HINT if name == "no_symbol_in_prose" else
                               "this is a bug in reportgen: please report it with the build log"))
    return out


def audit_bundle(store: PublishedStore, metrics, config: Config, files: dict[str, bytes]) -> tuple[dict, list[Finding]]:
    """The build's audit of its whole bundle: per-table counts and every proof (for the manifest),
    and a finding for each proof that fails (rules 11 to 13, ``proofs.py``)."""
    from ..runtime.drafts import release_log
    from . import proofs as bundle

    disclosure = audit(store, config, files)
    disclosure["derived_tables"] = derived_counts(metrics.derived)
    found = disclosure["proofs"]
    found["derived_follow_inputs"] = derived_proof(store, metrics.derived, config)
    ratios = [(r.code, r.numerator, r.denominator, r.per, r.percent) for r in metrics.active_ratios()]
    groups = {d: config.dimensions[d].groups for d in metrics.outcome_dimensions()}
    found["derived_from_published"] = bundle.derived_from_published(files, config, ratios, groups)
    found["like_for_like_left_out"] = bundle.like_for_like_left_out(store, metrics.derived)
    found["dominance"] = bundle.dominance(store, metrics.agg.member_rows, config, NATIONAL)
    found["releases_agree"] = bundle.releases_agree(files, config, release_log(Path(config.output_dir)))
    return disclosure, audit_findings(disclosure)


def prose_audit(disclosure: dict, pages: dict[str, bytes]) -> tuple[dict, list[Finding]]:
    """The sentences of every page (report, briefs, dashboard pages; the PDFs are laid out from them)
    proved to hold no symbol (``proofs.no_symbol_in_prose``), added to the audit's report: on every
    build, not cached with the figures' proofs (an edit to a story changes the pages, not the tables)."""
    from .proofs import no_symbol_in_prose

    proof = no_symbol_in_prose(pages)
    disclosure = {**disclosure, "proofs": {**disclosure["proofs"], "no_symbol_in_prose": proof}}
    return disclosure, audit_findings({"proofs": {"no_symbol_in_prose": proof}})

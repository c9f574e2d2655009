"""What changed between two drafts.

Each draft keeps ``review-data.json`` (published values only: the narrative
texts as published, the stories' states, every published cell as displayed,
each chart's data hash). Comparing two snapshots gives: narrative texts
changed (a word-level diff), stories added, removed or withheld, published
figures changed (old → new, and why where known), and charts whose data
changed. ``why`` comes from the drafts' internal input records (which data
files were resubmitted or are new, whether the member register changed).
"""

from __future__ import annotations

import difflib
import hashlib
import html as htmllib
import json
import re
from dataclasses import dataclass, field

from ..core import formats

_TAG = re.compile(r"<[^>]+>")


def plain(html: str) -> str:
    """Readable text of a narrative's HTML: tags dropped, entities decoded, spaces collapsed."""
    return " ".join(htmllib.unescape(_TAG.sub(" ", html or "")).split())


def snapshot(report, store, charts, revisions=None) -> dict:
    """The published values a later draft is compared with (nothing unpublished). A quarterly
    release has no report: its figures only. ``revisions``: the cells this release marks revised (R)
    against the last release made (issue 27: a new draft can differ from the last only by them)."""
    revised = _revised(revisions)
    if report is None:
        return {"texts": {}, "stories": {}, "cells": _cells(store), "charts": {}, **revised}
    texts: dict[str, str] = {"Title": report.title, "Subtitle": report.subtitle, "Summary": plain(report.summary_html)}
    texts.update({f"Key finding {i}": plain(t) for i, t in enumerate(report.findings_html, 1)})
    texts.update({f"Section: {k.replace('_', ' ')}": plain(v) for k, v in report.sections_html.items()})
    texts.update({f"Recommendation {i}": plain(t) for i, t in enumerate(report.recommendations_html, 1)})
    texts["Methodology"] = plain(report.methodology_html)
    stories = {}
    for s in report.stories:
        stories[s.slug] = {"state": s.state, "label": s.label, "title": s.title or s.slug}
        if s.state == "published":
            texts[f"Story: {s.title}"] = plain(s.pull_quote_html + " " + s.body_html)
    for code, region in sorted(report.regions.items()):
        texts[f"Region {region.name}"] = plain(region.intro_html + " " + " ".join(region.key_points_html))
    cells = _cells(store)
    chart_data = {c.spec.id: {"title": c.spec.title, "data": hashlib.sha256(json.dumps(
        c.spec.draw, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()} for c in charts}
    return {"texts": {k: v for k, v in texts.items() if v}, "stories": stories, "cells": cells, "charts": chart_data,
            **revised}


def _revised(revisions) -> dict:
    """{"revised": {cell: "previous → now (release)"}}, or {} when nothing is revised (so that drafts made
    before issue 27 compare equal)."""
    if revisions is None or not revisions.changed:
        return {}
    return {"revised": {" · ".join(str(v) for v in key if v): f"{old} → {now} ({revisions.source})"
                        for key, (old, now) in sorted(revisions.changed.items())}}


def _cells(store) -> dict[str, str]:
    cells = {}
    frame = store.frame()
    columns = [frame[c].tolist() for c in ("scope", "period", "measure", "dimension", "category", "value",
                                           "symbol", "kind")]
    for scope, period, measure, dimension, category, value, symbol, kind in zip(*columns):
        key = " · ".join(str(v) for v in (scope, period, measure, dimension, category) if v)
        cells[key] = _display(value, symbol, kind)
    return cells


def _display(value, symbol, kind) -> str:
    if symbol:
        return str(symbol)
    if value is None or value != value:
        return ""
    return formats.display(float(value), kind)


@dataclass
class Piece:
    op: str  # same | ins | del
    text: str


@dataclass
class TextChange:
    name: str
    pieces: list[Piece]
    kind: str = "changed"  # changed | added | removed


@dataclass
class Changes:
    old: int
    new: int
    texts: list[TextChange] = field(default_factory=list)
    stories_added: list[str] = field(default_factory=list)
    stories_removed: list[str] = field(default_factory=list)
    stories_withheld: list[str] = field(default_factory=list)  # "title: reason" (withheld now, not before)
    stories_released: list[str] = field(default_factory=list)  # withheld before, published now
    figures: list[tuple[str, str, str]] = field(default_factory=list)  # name, old, new
    why: list[str] = field(default_factory=list)
    charts: list[str] = field(default_factory=list)
    revised: list[tuple[str, str]] = field(default_factory=list)  # figures newly marked R: name, "6 → S (release)"
    unrevised: list[str] = field(default_factory=list)  # figures no longer marked R

    @property
    def empty(self) -> bool:
        return not (self.texts or self.stories_added or self.stories_removed or self.stories_withheld
                    or self.stories_released or self.figures or self.charts or self.revised or self.unrevised)


def word_diff(old: str, new: str, context: int = 8) -> list[Piece]:
    """Word-level diff; long unchanged runs are shortened to ``context`` words each side."""
    a, b = old.split(), new.split()
    out: list[Piece] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            words = a[i1:i2]
            if len(words) > 2 * context:
                first = not out
                words = (["…"] if first else words[:context] + ["…"]) + words[-context:]
            out.append(Piece("same", " ".join(words)))
            continue
        if op in ("delete", "replace"):
            out.append(Piece("del", " ".join(a[i1:i2])))
        if op in ("insert", "replace"):
            out.append(Piece("ins", " ".join(b[j1:j2])))
    if out and out[-1].op == "same":
        words = out[-1].text.split()
        if len(words) > context + 1 and len(out) > 1:
            out[-1] = Piece("same", " ".join(words[:context] + ["…"]))
    return out


def _why(old_inputs: dict | None, new_inputs: dict | None) -> list[str]:
    if old_inputs is None or new_inputs is None:
        return []
    of, nf = old_inputs.get("files", {}), new_inputs.get("files", {})
    def data(files):
        return {k: v for k, v in files.items() if k.startswith(old_inputs.get("data_prefix", "data/"))}
    od, nd = data(of), data(nf)
    out = [f"resubmitted data: {k}" for k in sorted(set(od) & set(nd)) if od[k] != nd[k]]
    out += [f"new submission: {k}" for k in sorted(set(nd) - set(od))]
    out += [f"submission removed: {k}" for k in sorted(set(od) - set(nd))]
    if old_inputs.get("parts", {}).get("register") != new_inputs.get("parts", {}).get("register"):
        out.append("member register changed (e.g. a new member)")
    if old_inputs.get("parts", {}).get("config") != new_inputs.get("parts", {}).get("config"):
        out.append("configuration changed")
    return out


def compare(old: dict, new: dict, old_n: int, new_n: int, old_inputs: dict | None = None,
            new_inputs: dict | None = None) -> Changes:
    ch = Changes(old_n, new_n)
    ot, nt = old.get("texts", {}), new.get("texts", {})
    for name in list(nt) + [k for k in ot if k not in nt]:
        if name not in ot:
            ch.texts.append(TextChange(name, [Piece("ins", nt[name])], "added"))
        elif name not in nt:
            ch.texts.append(TextChange(name, [Piece("del", ot[name])], "removed"))
        elif ot[name] != nt[name]:
            ch.texts.append(TextChange(name, word_diff(ot[name], nt[name])))
    os_, ns = old.get("stories", {}), new.get("stories", {})
    def title(s):
        return s.get("title") or "untitled story"
    for slug in sorted(set(ns) - set(os_)):
        s = ns[slug]
        ch.stories_added.append(title(s) + (f" ({s['label']})" if s["state"] == "withheld" else ""))
    ch.stories_removed = [title(os_[s]) for s in sorted(set(os_) - set(ns))]
    for slug in sorted(set(os_) & set(ns)):
        before, after = os_[slug]["state"], ns[slug]["state"]
        if before == "published" and after == "withheld":
            ch.stories_withheld.append(f"{title(os_[slug])} ({ns[slug]['label']})")
        elif before == "withheld" and after == "published":
            ch.stories_released.append(title(ns[slug]))
    oc, nc = old.get("cells", {}), new.get("cells", {})
    for key in sorted(set(oc) | set(nc)):
        if oc.get(key) != nc.get(key):
            ch.figures.append((key, oc.get(key, "(none)") or "(blank)", nc.get(key, "(none)") or "(blank)"))
    if ch.figures:
        ch.why = _why(old_inputs, new_inputs)
    och, nch = old.get("charts", {}), new.get("charts", {})
    ch.charts = [nch.get(k, och.get(k, {})).get("title", k) for k in sorted(set(och) | set(nch))
                 if och.get(k, {}).get("data") != nch.get(k, {}).get("data")]
    orv, nrv = old.get("revised", {}), new.get("revised", {})
    ch.revised = [(k, nrv[k]) for k in sorted(nrv) if orv.get(k) != nrv[k]]
    ch.unrevised = sorted(set(orv) - set(nrv))
    return ch


# ---- terminal and Markdown --------------------------------------------------------------------

def _inline(pieces: list[Piece], fmt: str) -> str:
    marks = {"text": ("[-", "-]", "{+", "+}"), "markdown": ("~~[deleted: ", "]~~", "**[inserted: ", "]**")}[fmt]
    out = []
    for p in pieces:
        if p.op == "same":
            out.append(p.text)
        elif p.op == "del":
            out.append(f"{marks[0]}{p.text}{marks[1]}")
        else:
            out.append(f"{marks[2]}{p.text}{marks[3]}")
    return " ".join(out)


def format_changes(ch: Changes, fmt: str = "text", figure_limit: int = 200) -> str:
    md = fmt == "markdown"
    lines = [f"{'# ' if md else ''}Changes since draft {ch.old} (draft {ch.new})", ""]
    if ch.empty:
        return "\n".join(lines + ["Nothing published changed.", ""])
    bullet = "- " if md else "  - "

    def head(text: str) -> None:
        lines.extend([f"## {text}" if md else text, ""] if md else [text])

    if ch.texts:
        head("Narrative text" + ("" if md else " ([-deleted-] {+inserted+})"))
        for t in ch.texts:
            lines.append(f"{bullet}{'**' + t.name + '**' if md else t.name} ({t.kind}): {_inline(t.pieces, fmt)}")
        lines.append("")
    story_lines = ([f"{bullet}added: {s}" for s in ch.stories_added] + [f"{bullet}removed: {s}" for s in ch.stories_removed]
                   + [f"{bullet}now withheld: {s}" for s in ch.stories_withheld]
                   + [f"{bullet}now published: {s}" for s in ch.stories_released])
    if story_lines:
        head("Stories")
        lines += story_lines + [""]
    if ch.figures:
        head(f"Published figures ({len(ch.figures)} changed)")
        if ch.why:
            lines.append(("Why: " if not md else "Why: ") + "; ".join(ch.why))
            lines.append("")
        for name, a, b in ch.figures[:figure_limit]:
            lines.append(f"{bullet}{name}: {a} → {b}")
        if len(ch.figures) > figure_limit:
            lines.append(f"{bullet}… and {len(ch.figures) - figure_limit} more (see tables/)")
        lines.append("")
    if ch.charts:
        head("Charts whose data changed")
        lines += [f"{bullet}{c}" for c in ch.charts] + [""]
    if ch.revised or ch.unrevised:
        head(f"Figures marked revised (R) against the last release ({len(ch.revised)} now, "
             f"{len(ch.unrevised)} no longer)")
        lines += [f"{bullet}{name}: {what}" for name, what in ch.revised[:figure_limit]]
        lines += [f"{bullet}no longer revised: {name}" for name in ch.unrevised[:figure_limit]] + [""]
    return "\n".join(lines)

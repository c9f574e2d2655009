"""A real headless Chromium (Debian's headless shell), driven by Playwright, plus axe-core from npm.

Chromium runs with the background-networking features off: this machine has no
network, and the pages under test must not need one.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from reportgen.runtime.doctor import BROWSERS

REPO = Path(__file__).resolve().parent.parent
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


# Debian's headless shell first (reportgen doctor looks for the same, BROWSERS): the same Blink (layout,
# fonts, accessibility tree, print) as Chromium without the browser around it, as Playwright's own headless
# runs use. The browser tests alone (-m browser, fixtures included) took a third less time with it: 135 and
# 137 s against 194 and 203 s, two alternated runs (the whole suite, side by side: the same time).
def chromium_path() -> str:
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    raise RuntimeError("Chromium is not installed: run scripts/setup.sh --test")


def launch(playwright):
    return playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)


def axe_violations(page, *, tags: tuple[str, ...] = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa",
                                                     "best-practice")) -> list[dict]:
    """Run axe-core in ``page`` and return its violations (an empty list is a pass)."""
    if not page.evaluate("typeof window.axe === 'object'"):  # not loaded with the page (``axe_context``)
        page.evaluate(_axe().read_text(encoding="utf-8") + ";0")  # as a script, not a tag: compiled 30 % quicker
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})", list(tags))
    return result["violations"]


def axe_context(browser, **options):
    """A new browser context whose every page loads axe-core before its own scripts run: for a test that
    runs axe on many pages (Chromium keeps the compiled script; about 40 % quicker than adding it to
    each page once loaded). axe-core asks for nothing over the network."""
    context = browser.new_context(**options)
    context.add_init_script(path=str(_axe()))
    return context


def _axe() -> Path:
    if not AXE.is_file():
        raise RuntimeError("axe-core is not installed: run scripts/setup.sh --test")
    return AXE


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:5]:
            lines.append(f"    at {node['target']}: {node.get('failureSummary', '')[:300]}")
    return "\n".join(lines)

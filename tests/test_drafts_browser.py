"""A draft's web page in the real headless Chromium: banner, changes section, axe, print."""

from __future__ import annotations

from pathlib import Path

from .browser import axe_violations


def test_draft_2_page_in_chromium(two_drafts: Path, browser):
    page_file = two_drafts / "output/2025H1/drafts/2/report.html"
    page = browser.new_page()
    try:
        page.goto(page_file.as_uri())
        banner = page.locator(".review-banner")
        assert banner.is_visible()
        assert banner.inner_text().startswith("DRAFT 2 — not for circulation.")
        # the banner comes straight after the skip link, and links to the changes
        first = page.evaluate("Array.from(document.body.children).filter(e => e.tagName !== 'STYLE')"
                              ".slice(0, 2).map(e => e.className)")
        assert first == ["skip-link", "review-banner"]
        page.locator(".review-banner a").click()
        assert page.evaluate("location.hash") == "#review-changes"
        changes = page.locator("#review-changes")
        assert changes.locator("h2").inner_text() == "Changes since draft 1"
        assert changes.locator("dd del").first.inner_text() == "[deleted: four]"
        assert changes.locator("dd ins").first.inner_text() == "[inserted: five]"
        # not by colour alone: struck through and underlined
        assert "line-through" in changes.locator("dd del").first.evaluate("e => getComputedStyle(e).textDecorationLine")
        assert "underline" in changes.locator("dd ins").first.evaluate("e => getComputedStyle(e).textDecorationLine")
        assert axe_violations(page) == []
        page.emulate_media(media="print")
        assert not banner.is_visible()
        page.screenshot(path=str(two_drafts / "draft2.png"))
    finally:
        page.close()

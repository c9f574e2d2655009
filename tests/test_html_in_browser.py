"""The published HTML opened in a real headless Chromium: accessibility and self-containment."""

from __future__ import annotations

from pathlib import Path

import pytest

from .browser import axe_violations, describe


def open_offline(browser, path: Path):
    """Open a page with every request outside the file itself and data: URLs refused and recorded."""
    page = browser.new_page()
    outside: list[str] = []

    def gate(route):
        url = route.request.url
        if url.startswith("data:") or url == path.as_uri():
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    page.route("**/*", gate)
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, outside


def test_report_html_has_no_axe_violations(browser, built_sample: Path):
    page, _ = open_offline(browser, built_sample / "report.html")
    violations = axe_violations(page)
    assert violations == [], describe(violations)


def test_report_html_is_self_contained_and_shows_its_chart(browser, built_sample: Path):
    page, outside = open_offline(browser, built_sample / "report.html")
    assert outside == []
    images = page.locator("figure img")
    assert images.count() >= 1
    for i in range(images.count()):
        img = images.nth(i)
        assert img.evaluate("el => el.complete && el.naturalWidth > 0")  # the data: SVG rendered
        assert len(img.get_attribute("alt")) > 40
    assert page.locator("html").get_attribute("lang") == "en-NZ"
    assert page.title().startswith(page.locator("h1").inner_text().split("\n")[0][:20])


def test_axe_harness_catches_a_real_violation(browser, tmp_path: Path):
    """Control: the harness must be able to fail (an image without alt, no lang)."""
    bad = tmp_path / "bad.html"
    bad.write_text("<!DOCTYPE html><html><head><title>x</title></head><body><main>"
                   "<img src='data:image/gif;base64,R0lGODlhAQABAAAAACw='></main></body></html>")
    page, _ = open_offline(browser, bad)
    ids = {v["id"] for v in axe_violations(page)}
    assert {"image-alt", "html-has-lang"} <= ids


def test_a_regional_brief_has_no_axe_violations(browser, built_sample: Path):
    page, outside = open_offline(browser, built_sample / "briefs" / "AKL.html")
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    assert outside == []  # self-contained: styles and charts inside


@pytest.mark.parametrize("doc", ["report.html", "briefs/AKL.html"])
def test_no_horizontal_scrolling_at_375_px(browser, built_sample: Path, doc: str):
    page, _ = open_offline(browser, built_sample / doc)
    page.set_viewport_size({"width": 375, "height": 800})
    page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")  # data tables too
    widths = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], widths
    wide = page.evaluate("""() => [...document.querySelectorAll('main *')]
        .filter(el => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1
                      && !el.closest('.table-wrap') && getComputedStyle(el).position !== 'absolute')
        .map(el => el.tagName + '.' + el.className).slice(0, 5)""")
    assert wide == []


def test_skip_link_landmarks_contents_and_data_tables(browser, built_sample: Path):
    page, _ = open_offline(browser, built_sample / "report.html")
    page.keyboard.press("Tab")
    focused = page.evaluate("() => [document.activeElement.className, document.activeElement.getAttribute('href')]")
    assert focused == ["skip-link", "#main"]
    assert page.locator("header[role=banner]").count() == 1 and page.locator("main#main").count() == 1
    assert page.locator("footer[role=contentinfo]").count() == 1
    contents = page.locator("nav.contents a")
    assert contents.count() >= 10
    for i in range(contents.count()):
        target = contents.nth(i).get_attribute("href")
        assert page.locator(target).count() == 1, target  # every contents entry lands on a section
    figures = page.locator("main figure.chart")
    assert figures.count() >= 10
    for i in range(figures.count()):
        fig = figures.nth(i)
        assert fig.locator("details table.data caption").count() == 1  # its data beside it
        assert fig.locator("details table.data th[scope=col]").count() >= 2
    page.locator("main figure.chart details summary").first.click()
    assert page.locator("main figure.chart details table").first.is_visible()

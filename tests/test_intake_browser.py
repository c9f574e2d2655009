"""Issue 26, "Done when": in a real Chromium, with JavaScript off, a data officer signs in, uploads a file
with an error, sees the located finding, uploads the fixed file and gets a receipt; staff see the period's
status and the list to chase. Every page passes axe-core at desktop width and on a 390 px phone."""

from __future__ import annotations

import re

import pytest

from .browser import axe_violations, describe
from .conftest import with_register_columns
from .intake_support import Service, intake_project, issue, sample_file, with_bad_region


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    root = intake_project(tmp_path_factory.mktemp("intake-web") / "project")
    with_register_columns(root, contact=lambda org: f"data@{org.lower()}.example.nz")
    s = Service(root).start()
    yield s
    s.stop()


def sign_in(page, service, key):
    page.goto(f"{service.url}/signin")
    page.get_by_label("Your key").fill(key)
    page.get_by_role("button", name="Sign in").click()


def no_overflow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_a_data_officer_and_staff_without_javascript(browser, service, tmp_path):
    key, staff = issue(service.root, "member", "MET001"), issue(service.root, "staff", "aroha")
    good = sample_file("MET001", "2025Q3")
    (tmp_path / "MET001.csv").write_bytes(with_bad_region(good))
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, service, "rg1.wrong.key")
    assert "That key did not work" in page.content()
    sign_in(page, service, key)
    assert page.url.endswith("/periods")
    page.get_by_role("link", name="2025Q3").click()
    page.get_by_label("Your files").set_input_files(str(tmp_path / "MET001.csv"))
    page.get_by_role("button", name="Send and check").click()
    assert re.search(r"/receipts/2025Q3-MET001-1$", page.url)
    text = page.inner_text("main")
    assert "Not accepted." in text and "MET001.csv, line 2, column 3" in text
    assert "unknown region code 'AKX'" in text and "What to do: did you mean 'AKL'?" in text
    assert "MET001.csv:2:3: error: unknown region code 'AKX' [data.unknown-region]" in text  # as check prints it
    (tmp_path / "MET001.csv").write_bytes(good)
    page.get_by_role("link", name="the 2025Q3 page").click()
    page.get_by_label("Your files").set_input_files(str(tmp_path / "MET001.csv"))
    page.get_by_role("button", name="Send and check").click()
    assert page.url.endswith("/receipts/2025Q3-MET001-2")
    assert "Accepted." in page.inner_text("main")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download this receipt (JSON)").click()
    assert download.value.suggested_filename == "receipt-2025Q3-MET001-2.json"
    page.get_by_role("link", name="Everything you have sent").click()
    assert "2025Q3-MET001-1" in page.content() and "2025Q3-MET001-2" in page.content()
    page.get_by_role("button", name="Sign out").click()
    assert page.url.endswith("/signin")
    page.goto(f"{service.url}/history")
    assert page.url.endswith("/signin")  # the session is gone
    # staff: the period's status, with the contacts to chase
    sign_in(page, service, staff)
    assert page.url.endswith("/staff")
    page.get_by_role("link", name="2025Q3").click()
    text = page.inner_text("main")
    assert "To chase" in text and "data@ang001.example.nz" in text
    row = page.get_by_role("row").filter(has_text="MET001").last
    assert "accepted" in row.inner_text() and "2025Q3-MET001-1" in row.inner_text()
    page.get_by_role("link", name="2025Q3-MET001-1").click()
    page.get_by_label("Reason").fill("sent in error")
    page.get_by_role("button", name="Withdraw version 1").click()
    assert "The version was withdrawn." in page.inner_text("main")
    context.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_every_page_passes_axe_and_fits(browser, service, width):
    key, staff = issue(service.root, "member", "PRE001"), issue(service.root, "staff", "wiremu")
    from .intake_support import send
    send(service, key, "2025Q3", [("PRE001.csv", with_bad_region(sample_file("PRE001", "2025Q3")))])
    context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
    page = context.new_page()
    pages = []
    page.goto(f"{service.url}/signin")
    pages.append("/signin")
    problems = {}
    for path in ["/signin"]:
        problems[path] = axe_violations(page)
    sign_in(page, service, key)
    for path in ["/periods", "/periods/2025Q3", "/periods/2025Q2", "/history", "/receipts/2025Q3-PRE001-1",
                 "/receipts/nothing"]:
        page.goto(f"{service.url}{path}")
        problems[path] = axe_violations(page)
        assert no_overflow(page), path
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, service, staff)
    for path in ["/staff", "/staff/periods/2025Q3", "/receipts/2025Q3-PRE001-1"]:
        page.goto(f"{service.url}{path}")
        problems[path] = axe_violations(page)
        assert no_overflow(page), path
    bad = {p: describe(v) for p, v in problems.items() if v}
    assert not bad, bad
    context.close()

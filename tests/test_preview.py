"""Live preview: served on 127.0.0.1 only, rebuilt on change, reloaded in a real headless Chromium."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

from reportgen.core.findings import Finding
from reportgen.core.periods import Period
from reportgen.preview import HOST, PreviewState, decorate, make_server, rebuild

pytestmark = pytest.mark.slow  # builds projects, or runs many generated cases


P = Period.parse("2025H1")


def test_the_script_and_panel_are_added_in_preview_only(built_sample: Path):
    published = (built_sample / "report.html").read_text(encoding="utf-8")
    assert "reportgen-preview" not in published and "__preview" not in published
    page = decorate(published, 7, [Finding("placeholder.unknown", "error", "unknown name 'x'", file="r.yaml",
                                           line=3, column=5)])
    assert page.count('<script id="reportgen-preview">') == 1 and "var version = 7" in page
    # the panel opens the <body> (not inside the stylesheet's comment that mentions "<body>")
    assert re.search(r"</head>\s*<body[^>]*>\s*<section id=\"reportgen-preview-findings\"", page)
    assert "r.yaml:3:5: error: unknown name &#x27;x&#x27; [placeholder.unknown]" in page


def test_a_broken_edit_keeps_the_last_good_render(project: Path):
    state = PreviewState()
    assert rebuild(project / "config.yaml", P, state) == []
    good = state.documents["report"]
    story = project / "narratives" / "2025H1" / "report.yaml"
    story.write_text(story.read_text(encoding="utf-8").replace("**{{ clients }} people**", "**{{ clientz }} people**"),
                     encoding="utf-8")
    errors = rebuild(project / "config.yaml", P, state)
    assert [(f.code, f.file, f.line) for f in errors] == [("placeholder.unknown", "narratives/2025H1/report.yaml", 13)]
    assert state.documents["report"] == good and state.version == 2
    assert not (project / "output").exists()  # preview writes nothing


def test_the_server_listens_on_loopback_only():
    state = PreviewState(version=3, documents={"report": "<html><body><p>hi</p></body></html>"},
                         titles={"report": "Report"})
    server = make_server(state, 0)
    try:
        assert server.server_address[0] == HOST == "127.0.0.1"
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_address[1]}"
        assert json.loads(urllib.request.urlopen(base + "/__preview/state").read()) == \
            {"version": 3, "ok": True, "errors": 0}
        assert "var version = 3" in urllib.request.urlopen(base + "/report.html").read().decode()
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(base + "/../config.yaml")
        assert missing.value.code == 404
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def preview(project: Path):
    """``reportgen preview 2025H1 --port 0`` running in the project, and its URL."""
    proc = subprocess.Popen([sys.executable, "-m", "reportgen", "preview", "2025H1", "--port", "0"], cwd=project,
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    lines: list[str] = []
    url = None
    deadline = time.monotonic() + 120
    while url is None and time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        lines.append(line)
        match = re.search(r"(http://127\.0\.0\.1:\d+/report\.html)", line)
        url = match.group(1) if match else None
    assert url, "".join(lines)
    threading.Thread(target=lambda: lines.extend(proc.stderr), daemon=True).start()
    yield url, project, lines
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)  # a hang guard, not a timing: a rebuild may be finishing on a loaded machine


def test_editing_a_narrative_reloads_the_open_page(browser, preview):
    url, project, _ = preview
    page = browser.new_page()
    page.goto(url)
    expect(page.locator("h1").first).to_contain_text("Who we support")
    report = project / "narratives" / "2025H1" / "report.yaml"
    report.write_text(report.read_text(encoding="utf-8").replace("Who we support", "Who we walk beside"),
                      encoding="utf-8")
    expect(page.locator("h1").first).to_contain_text("Who we walk beside", timeout=30_000)
    assert page.locator("#reportgen-preview-findings").count() == 0


def test_a_broken_edit_shows_its_findings_over_the_last_good_page(browser, preview):
    url, project, _ = preview
    page = browser.new_page()
    page.goto(url)
    expect(page.locator("h1").first).to_contain_text("Who we support")
    report = project / "narratives" / "2025H1" / "report.yaml"
    good = report.read_text(encoding="utf-8")
    report.write_text(good.replace("**{{ clients }} people**", "**{{ clientz }} people**"), encoding="utf-8")
    panel = page.locator("#reportgen-preview-findings")
    expect(panel).to_contain_text("unknown name 'clientz' in a placeholder", timeout=30_000)
    expect(panel).to_contain_text("narratives/2025H1/report.yaml:13:43")
    expect(page.locator("main h1, h1").last).to_be_visible()
    assert "Who we support" in page.content()  # the last good render is still shown under the panel
    report.write_text(good, encoding="utf-8")
    expect(panel).to_have_count(0, timeout=30_000)  # fixed: the panel goes away by itself


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # as a background job of a script inherits it


@pytest.mark.parametrize("sig,start", [(signal.SIGINT, None), (signal.SIGHUP, None), (signal.SIGINT, _ignore_sigint)],
                         ids=["Ctrl-C", "terminal closed", "Ctrl-C, started with SIGINT ignored"])
def test_ctrl_c_or_closing_the_terminal_stops_preview_cleanly(project: Path, sig, start):
    proc = subprocess.Popen([sys.executable, "-m", "reportgen", "preview", "2025H1", "--port", "0"], cwd=project,
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, preexec_fn=start)
    line = ""
    while "Ctrl-C stops" not in line:
        line = proc.stderr.readline()
        assert line, "preview ended before serving"
    proc.send_signal(sig)
    assert proc.wait(timeout=60) == 0  # a hang guard, not a timing
    rest = proc.stderr.read()
    assert "Preview stopped." in rest and "Traceback" not in rest

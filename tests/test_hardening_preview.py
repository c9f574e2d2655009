"""Issue 19: the preview answers only when addressed as 127.0.0.1:PORT or localhost:PORT (no DNS
rebinding), and its watcher survives any input, showing the problem in the page's panel."""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.request

import pytest

from reportgen.core.periods import Period
from reportgen.preview import PreviewState, make_server, rebuild

from .test_preview import preview  # noqa: F401  (the fixture: a real `reportgen preview` process)

P = Period.parse("2025H1")


def _raw(port: int, request: bytes) -> tuple[int, bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


@pytest.fixture
def server():
    state = PreviewState(version=1, documents={"report": "<html><body><p>secret draft</p></body></html>"},
                         titles={"report": "Report"})
    srv = make_server(state, 0)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield srv.server_address[1]
    srv.shutdown()
    srv.server_close()


@pytest.mark.parametrize("host, status", [
    ("attacker.example", 421), ("attacker.example:{port}", 421), ("127.0.0.1", 421), ("127.0.0.2:{port}", 421),
    ("localhost.attacker.example:{port}", 421), ("127.0.0.1:{port}", 200), ("localhost:{port}", 200),
    ("LOCALHOST:{port}", 200),
])
def test_only_the_servers_own_name_is_answered(server, host, status):
    got, body = _raw(server, f"GET /report.html HTTP/1.1\r\nHost: {host.format(port=server)}\r\n"
                             "Connection: close\r\n\r\n".encode())
    assert got == status
    assert (b"secret draft" in body) == (status == 200)


def test_a_request_without_a_host_or_with_two_is_refused(server):
    assert _raw(server, b"GET /report.html HTTP/1.0\r\n\r\n")[0] == 400
    two = f"GET /report.html HTTP/1.1\r\nHost: 127.0.0.1:{server}\r\nHost: attacker.example\r\nConnection: close\r\n\r\n"
    assert _raw(server, two.encode())[0] == 400
    got, body = _raw(server, f"GET /__preview/state HTTP/1.1\r\nHost: evil:{server}\r\nConnection: close\r\n\r\n"
                     .encode())
    assert got == 421 and b"version" not in body


def test_an_unexpected_exception_in_a_rebuild_is_a_finding(project, monkeypatch):
    import reportgen.build

    def broken(*args, **kwargs):
        raise RuntimeError("something nobody foresaw")

    monkeypatch.setattr(reportgen.build, "build", broken)
    state = PreviewState()
    [f] = rebuild(project / "config.yaml", P, state)
    assert f.code == "preview.rebuild-failed" and "something nobody foresaw" in f.message and f.hint
    assert state.findings == [f] and state.version == 1


def _state(url: str) -> dict:
    base = url.rsplit("/", 1)[0]
    return json.loads(urllib.request.urlopen(base + "/__preview/state", timeout=10).read())


def _wait(url: str, ok: bool, after: int, timeout: float = 60) -> dict:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        state = _state(url)
        if state["version"] > after and state["ok"] == ok:
            return state
        time.sleep(0.2)
    raise AssertionError(f"the preview did not become ok={ok}: {state}")


@pytest.mark.slow
def test_a_nul_typed_into_a_narrative_is_shown_and_the_watcher_goes_on(preview):  # noqa: F811
    url, project, lines = preview
    report = project / "narratives" / "2025H1" / "report.yaml"
    good = report.read_text(encoding="utf-8")
    v0 = _state(url)["version"]
    report.write_text(good.replace("Who we support", "Who we\x00 support", 1), encoding="utf-8")
    broken = _wait(url, ok=False, after=v0)
    page = urllib.request.urlopen(url, timeout=10).read().decode()
    assert "reportgen-preview-findings" in page and "yaml.control-character" in page
    assert "Who we support" in page  # the last good version, under the panel
    report.write_text(good.replace("Who we support", "Who we walk beside", 1), encoding="utf-8")
    _wait(url, ok=True, after=broken["version"])  # the watcher survived: the fix is picked up
    assert "Who we walk beside" in urllib.request.urlopen(url, timeout=10).read().decode()
    assert "Traceback" not in "".join(lines)

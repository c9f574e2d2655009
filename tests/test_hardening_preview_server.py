"""Issue 25, the preview server: HEAD sends headers only; what is not HTTP is closed at once; two hundred
parallel requests from one browser session are all answered, by a fixed pool of threads."""

from __future__ import annotations

import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from reportgen import preview
from reportgen.preview import PreviewState, make_server

PAGE = "<html><body><p>secret draft</p></body></html>"


@pytest.fixture
def server():
    state = PreviewState(version=1, documents={"report": PAGE}, titles={"report": "Report"})
    srv = make_server(state, 0)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield srv
    srv.shutdown()
    srv.server_close()


def exchange(port: int, request: bytes, timeout: float = 10) -> tuple[bytes, float]:
    """Everything the server sends back until it closes, and how long that took."""
    start = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return data, time.monotonic() - start


def get(port: int, method: str = "GET", path: str = "/report.html") -> bytes:
    return exchange(port, f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
                    .encode())[0]


def test_head_sends_the_headers_of_a_get_and_no_body(server):
    """The issue: HEAD returned the whole body."""
    port = server.server_address[1]
    full = get(port)
    head = get(port, "HEAD")
    get_head, _, body = full.partition(b"\r\n\r\n")
    head_head, _, head_body = head.partition(b"\r\n\r\n")
    assert b"secret draft" in body and head_body == b""
    length = [line for line in head_head.split(b"\r\n") if line.lower().startswith(b"content-length")]
    assert length and length == [line for line in get_head.split(b"\r\n") if line.lower().startswith(b"content-length")]
    assert head.startswith(b"HTTP/1.0 200")
    misdirected = exchange(port, b"HEAD /report.html HTTP/1.1\r\nHost: attacker.example\r\n\r\n")[0]
    assert misdirected.startswith(b"HTTP/1.0 421") and misdirected.endswith(b"\r\n\r\n")  # refused ones too


def test_a_tls_handshake_is_closed_at_once(server):
    """The issue: a TLS handshake sent to the port held the connection 15 s or more."""
    hello = bytes.fromhex("160301020001000200fc03") + bytes(range(32)) * 8  # no line break anywhere
    data, took = exchange(server.server_address[1], hello)
    assert data == b"" and took < 2


@pytest.mark.parametrize("junk", [b"\x00\x01\x02\x03", b"\x80\x00\x00\x01 binary", b"get / HTTP/1.1\r\n\r\n"])
def test_anything_that_cannot_start_an_http_request_is_closed_at_once(server, junk):
    """Variant: other bytes no HTTP method starts with (NUL, a high byte, a lower-case method)."""
    data, took = exchange(server.server_address[1], junk)
    assert data == b"" and took < 2


def test_a_connection_that_sends_nothing_is_closed_after_the_read_timeout(monkeypatch):
    """Variant: a client that connects and says nothing holds a worker READ_TIMEOUT seconds at most (lowered
    here from 5 s to 1 s)."""
    assert preview.Handler.timeout == preview.READ_TIMEOUT <= 10
    monkeypatch.setattr(preview.Handler, "timeout", 1.0)
    srv = make_server(PreviewState(version=1, documents={"report": PAGE}), 0)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        with socket.create_connection(("127.0.0.1", srv.server_address[1]), timeout=10) as sock:
            start = time.monotonic()
            assert sock.recv(10) == b""
            assert time.monotonic() - start < 5
    finally:
        srv.shutdown()
        srv.server_close()


def test_two_hundred_parallel_requests_are_all_answered():
    """The issue: 19 of 200 parallel requests got no answer in 60 s (a listen backlog of 5). The two hundred
    connect while the accept loop is busy for a second (as during a rebuild's first moments), then all send at
    once: with a backlog of 5 most of them would wait for the kernel's SYN retries and time out."""
    srv = make_server(PreviewState(version=1, documents={"report": PAGE}), 0)
    port = srv.server_address[1]
    threading.Timer(1.0, srv.serve_forever).start()

    def one(i: int) -> bytes:
        with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
            sock.sendall(f"GET /report.html?{i} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
            return data

    before = threading.active_count()
    peak = [before]
    sampling = threading.Event()

    def sample() -> None:
        while not sampling.is_set():
            peak[0] = max(peak[0], threading.active_count())
            time.sleep(0.005)

    sampler = threading.Thread(target=sample)
    sampler.start()
    start = time.monotonic()
    try:
        with ThreadPoolExecutor(max_workers=200) as pool:
            answers = list(pool.map(one, range(200)))
    finally:
        sampling.set()
        sampler.join()
        srv.shutdown()
        srv.server_close()
    assert time.monotonic() - start < 15
    assert all(a.startswith(b"HTTP/1.0 200") and b"secret draft" in a for a in answers)
    # no thread per connection: the fixed pool answered them (the client's 200 threads, the timer and the sampler)
    assert peak[0] <= before + 200 + 3

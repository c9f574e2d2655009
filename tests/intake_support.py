"""The intake service for tests: a copy of the sample project with an intake store and a calendar, the
real service (uvicorn, in a subprocess: real HTTP, real SQLite), keys, and members' files."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from .conftest import REPO, copy_project

CALENDAR = """
intake:
  store: intake
  max_file_bytes: {max_file}
  max_request_bytes: {max_request}
  max_files: 5
  calendar:
    2025Q2: {{opens: 2025-07-01, due: 2025-07-21, closes: 2025-07-28}}
    2025Q3: {{opens: 2025-10-01, due: 2025-10-21, closes: 2099-10-28}}
    2025Q4: {{opens: 2026-01-01, due: 2026-01-21, closes: 2099-01-28}}
    2025H2: {{opens: 2026-01-01, due: 2026-01-21, closes: 2099-01-28}}
    2099Q1: {{opens: 2099-04-01, due: 2099-04-21, closes: 2099-04-28}}
"""


def intake_project(dest: Path, *, max_file: int = 1 << 20, max_request: int = 3 << 20) -> Path:
    root = copy_project(dest)
    with (root / "config.yaml").open("a", encoding="utf-8") as fh:
        fh.write(CALENDAR.format(max_file=max_file, max_request=max_request))
    return root


def sample_file(org: str, period: str, source: str = "2025Q2") -> bytes:
    """A member's real sample submission for ``source``, relabelled as ``period``."""
    text = (REPO / "data" / "submissions" / source / f"{org}.csv").read_text(encoding="utf-8")
    return text.replace(f",{source},", f",{period},").encode("utf-8")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def issue(root: Path, kind: str, subject: str) -> str:
    from reportgen.intake import accounts
    from reportgen.intake.store import Store

    store = Store(root / "intake").create()
    try:
        return accounts.issue(store, kind, subject, "test", rotate=True)
    finally:
        store.close()


@dataclass
class Service:
    root: Path
    port: int = 0
    proc: subprocess.Popen | None = None
    log: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Service:
        self.port = self.port or free_port()
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen([sys.executable, "-m", "reportgen", "intake", "serve", "--config",
                                      str(self.root / "config.yaml"), "--port", str(self.port)],
                                     cwd=self.root, env=env, stdout=subprocess.DEVNULL,
                                     stderr=open(self.root / f"serve-{self.port}.log", "ab"))  # noqa: SIM115
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError((self.root / f"serve-{self.port}.log").read_text())
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the intake service did not start within 60 s")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.proc = None


def multipart(fields: dict[str, str], files: list[tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    out = bytearray()
    for name, value in fields.items():
        out += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").encode()
    for filename, data in files:
        out += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n"
                "Content-Type: application/octet-stream\r\n\r\n").encode() + data + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out), f"multipart/form-data; boundary={boundary}"


def call(url: str, key: str | None = None, *, method: str = "GET", body: bytes | None = None,
         headers: dict | None = None, timeout: float = 60) -> tuple[int, dict, dict]:
    """(status, JSON body, headers) of one request."""
    h = dict(headers or {})
    if key is not None:
        h["Authorization"] = f"Bearer {key}"
    req = urllib.request.Request(url, data=body, method=method, headers=h)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            raw, status, got = resp.read(), resp.status, {k.lower(): v for k, v in resp.headers.items()}
    except urllib.error.HTTPError as exc:
        raw, status, got = exc.read(), exc.code, {k.lower(): v for k, v in exc.headers.items()}
    try:
        doc = json.loads(raw) if raw else {}
    except ValueError:
        doc = {"raw": raw.decode("utf-8", "replace")}
    return status, doc, got


def send(service: Service, key: str, period: str, files: list[tuple[str, bytes]], **fields: str):
    body, ctype = multipart({"period": period, **fields}, files)
    return call(f"{service.url}/api/v1/submissions", key, method="POST", body=body,
                headers={"Content-Type": ctype})


def with_bad_region(data: bytes) -> bytes:
    """The file with its first row's region made 'AKX' (line 2, column 3: unknown region)."""
    lines = data.split(b"\n")
    cells = lines[1].split(b",")
    cells[2] = b"AKX"
    lines[1] = b",".join(cells)
    return b"\n".join(lines)

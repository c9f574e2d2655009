"""Live preview: ``reportgen preview PERIOD`` serves the HTML report and briefs on 127.0.0.1.

It builds the HTML documents only (no PDF, nothing written to output/), then
watches the narratives, templates, config and data (watchfiles) and rebuilds
on every change. Each page served carries a small script — added here, on
the way out, never in published files — that polls ``/__preview/state`` and
reloads the page when the build version changes. A broken edit keeps the
last good render and shows the findings at the top of the page. Ctrl-C,
closing the terminal (SIGHUP) or SIGTERM stop the server and the watcher.

Hardening (issue 19): the server answers only requests addressed to it by
name — ``Host: 127.0.0.1:PORT`` or ``localhost:PORT`` — so a web page on
another site cannot read drafts through DNS rebinding (400 without a Host,
421 for any other). The watcher survives anything a rebuild raises: the
problem becomes a finding in the page's panel and the watcher goes on.

Issue 25: a fixed pool of worker threads answers the connections the accept
loop queues (a listen backlog of ``BACKLOG``, a queue of ``QUEUED``), so two
hundred parallel requests from one browser session are all answered and no
number of connections makes more threads; a connection whose first byte
cannot start an HTTP request (a TLS handshake starts with 0x16) is closed at
once, and one that sends nothing is closed after ``READ_TIMEOUT`` seconds;
``HEAD`` sends the headers only.
"""

from __future__ import annotations

import html as htmlmod
import json
import queue
import re
import signal
import socket
import threading
import time
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import TextIO

from .core.findings import Finding, StageFailed, cap, tally
from .core.periods import Period

HOST = "127.0.0.1"  # never another interface: drafts and unpublished figures stay on this machine
STATE_PATH = "/__preview/state"
POLL_MS = 150
BACKLOG = 512  # connections the kernel holds before the accept loop takes them (socketserver's default: 5)
WORKERS = 16  # threads answering requests: every connection is answered by one of these, never a new one
QUEUED = 1024  # accepted connections waiting for a worker; past it a connection is closed at once
READ_TIMEOUT = 5.0  # seconds a connection may take to send its request (then it is closed)

RELOAD_SCRIPT = """<script id="reportgen-preview">(function () {
  var version = %(version)d, key = "reportgen-preview-scroll:" + location.pathname;
  var y = sessionStorage.getItem(key);
  if (y !== null) { sessionStorage.removeItem(key); window.addEventListener("load", function () { scrollTo(0, +y); }); }
  function poll() {
    fetch("%(state)s", {cache: "no-store"}).then(function (r) { return r.json(); }).then(function (s) {
      if (s.version !== version) { sessionStorage.setItem(key, String(scrollY)); location.reload(); }
      else { setTimeout(poll, %(poll)d); }
    }).catch(function () { setTimeout(poll, 1000); });
  }
  setTimeout(poll, %(poll)d);
})();</script>"""

PANEL_STYLE = ("position:sticky;top:0;z-index:1000;margin:0;padding:1em 1.5em;background:#fff4e5;color:#3b2300;"
               "border-bottom:3px solid #b35900;font:15px/1.45 system-ui,sans-serif;max-height:50vh;overflow:auto")


@dataclass
class PreviewState:
    """What the server shows: the last good documents, and the findings of the last build if it failed."""

    version: int = 0
    documents: dict[str, str] = field(default_factory=dict)  # "report" → HTML, "briefs/AKL" → HTML
    titles: dict[str, str] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)  # errors of the latest build; empty when it succeeded
    built_at: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def snapshot(self) -> tuple[int, dict[str, str], dict[str, str], list[Finding]]:
        with self.lock:
            return self.version, dict(self.documents), dict(self.titles), list(self.findings)


def rebuild(config_path: Path, period: Period, state: PreviewState) -> list[Finding]:
    """Build the HTML once; on success replace the documents, otherwise keep them and record the errors."""
    from .build import build
    from .core.config import load_config

    result = None
    try:
        config = load_config(config_path)
        result = build(config, period, html_only=True)
        errors = [f for f in result.findings if f.is_error]
        if not errors and not result.documents:
            errors = [Finding("preview.no-documents", "error", "the build produced no documents")]
    except StageFailed as exc:
        errors = [f for f in exc.findings if f.is_error] or exc.findings
        result = None
    except Exception as exc:  # never let one rebuild stop the watcher: show what happened instead
        errors = [unexpected_finding(exc, config_path)]
        result = None
    with state.lock:
        if not errors and result is not None:
            state.documents = {doc.name: doc.html for doc in result.documents}
            state.titles = {doc.name: doc.title for doc in result.documents}
        state.findings = errors
        state.version += 1
        state.built_at = time.time()
    return errors


def unexpected_finding(exc: BaseException, config_path: Path) -> Finding:
    """A finding for anything a rebuild raised that is not already a finding (logged in full)."""
    from .runtime.environment import is_environment_error, memory_finding, os_finding

    if isinstance(exc, OSError) and is_environment_error(exc):
        return os_finding(exc, config_path.resolve().parent)
    if isinstance(exc, MemoryError):
        return memory_finding(None)
    from .runtime.extras import missing_finding, missing_module
    from .runtime.reproducible import EPOCH_HINT, BadEpoch

    if isinstance(exc, BadEpoch):
        return Finding("env.source-date-epoch", "error", str(exc), hint=EPOCH_HINT)
    module = missing_module(exc)
    if module is not None:
        return missing_finding("preview", [module])
    import traceback

    where = None
    tb = traceback.extract_tb(exc.__traceback__)
    if tb:
        where = f"{Path(tb[-1].filename).name}:{tb[-1].lineno}"
    return Finding("preview.rebuild-failed", "error",
                   f"the preview could not rebuild: {type(exc).__name__}: {exc}"[:500]
                   + (f" (in reportgen's {where})" if where else ""),
                   hint="undo the last edit or fix the file it touched; the preview keeps watching. If the "
                        "files are right, this is a bug in reportgen: reportgen build will log it")


def findings_panel(findings: list[Finding]) -> str:
    if not findings:
        return ""
    n = tally(findings)[0] or len(findings)
    items = "".join(f"<li><pre style='white-space:pre-wrap;margin:.3em 0'>{htmlmod.escape(f.format())}</pre></li>"
                    for f in cap(findings))
    return (f'<section id="reportgen-preview-findings" role="alert" style="{PANEL_STYLE}">'
            f"<h2 style='margin:0 0 .4em;font-size:1.1em'>Preview: the last edit has {n} "
            f"error{'s' * (n != 1)}; showing the last good version</h2><ul style='margin:0;padding-left:1.2em'>"
            f"{items}</ul></section>")


def decorate(page: str, version: int, findings: list[Finding]) -> str:
    """The served page: the document plus the findings panel and the reload script (preview only)."""
    script = RELOAD_SCRIPT % {"version": version, "state": STATE_PATH, "poll": POLL_MS}
    panel = findings_panel(findings)
    head_end = page.lower().find("</head>")  # the <body> tag itself, not a mention of it in the styles
    match = re.compile(r"<body[^>]*>", flags=re.IGNORECASE).search(page, max(head_end, 0))
    if match:
        page = page[:match.end()] + panel + page[match.end():]
    else:
        page = panel + page
    close = page.lower().rfind("</body>")
    return page[:close] + script + page[close:] if close >= 0 else page + script


def index_page(titles: dict[str, str], version: int, findings: list[Finding]) -> str:
    links = "".join(f'<li><a href="/{htmlmod.escape(name)}.html">{htmlmod.escape(title)}</a> '
                    f"<code>{htmlmod.escape(name)}</code></li>" for name, title in sorted(titles.items()))
    body = f"<h1>reportgen preview</h1><ul>{links}</ul>" if links else "<h1>reportgen preview</h1><p>No document yet.</p>"
    return decorate(f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>reportgen preview</title>'
                    f"</head><body><main>{body}</main></body></html>", version, findings)


class Handler(BaseHTTPRequestHandler):
    state: PreviewState  # set on the subclass made by ``make_server``
    timeout = READ_TIMEOUT  # a client that sends nothing (or too slowly) holds a worker this long at most

    def log_message(self, format, *args):  # noqa: A002 - quiet: the terminal shows rebuilds, not requests
        pass

    def handle(self) -> None:
        """Close a connection at once when its first byte cannot begin an HTTP request (a method is
        upper-case letters: a TLS handshake, a stray binary protocol, an empty connection)."""
        try:
            first = self.connection.recv(1, socket.MSG_PEEK)
        except OSError:  # the client went away, or sent nothing within READ_TIMEOUT
            self.close_connection = True
            return
        if not first or not 0x41 <= first[0] <= 0x5A:
            self.close_connection = True
            return
        super().handle()

    def _send(self, status: int, body: str, ctype: str = "text/html; charset=utf-8") -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command != "HEAD":  # HEAD: the headers a GET would send, and no body
            self.wfile.write(data)

    def _host_ok(self) -> bool:
        """Only requests addressed to this server by name: Host 127.0.0.1:PORT or localhost:PORT."""
        host = self.headers.get("Host")
        address = self.server.server_address  # (host, port): it listens on 127.0.0.1
        port = address[1] if isinstance(address, tuple) else None
        if host is None or len(self.headers.get_all("Host") or []) != 1:
            self._send(HTTPStatus.BAD_REQUEST, "<!doctype html><title>Bad request</title><p>A Host header is required.")
            return False
        if host.strip().lower() not in (f"127.0.0.1:{port}", f"localhost:{port}"):
            self._send(HTTPStatus.MISDIRECTED_REQUEST, "<!doctype html><title>Misdirected request</title>"
                       f"<p>This preview answers only at http://127.0.0.1:{port}/ and http://localhost:{port}/.")
            return False
        return True

    def do_HEAD(self) -> None:  # noqa: N802
        self.do_GET()

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        if not self._host_ok():
            return
        path = self.path.split("?", 1)[0]
        version, docs, titles, findings = self.state.snapshot()
        if path == STATE_PATH:
            self._send(200, json.dumps({"version": version, "ok": not findings, "errors": len(findings)}),
                       "application/json")
        elif path in ("/", "/index.html"):
            self._send(200, index_page(titles, version, findings))
        elif path.endswith(".html") and path[1:-5] in docs:
            self._send(200, decorate(docs[path[1:-5]], version, findings))
        elif path.endswith(".html") and not docs:
            self._send(200, index_page(titles, version, findings))  # nothing good yet: show why
        else:
            self._send(HTTPStatus.NOT_FOUND, "<!doctype html><title>Not found</title><p>Not found. "
                       '<a href="/">All documents</a></p>')


class PreviewServer(HTTPServer):
    """An HTTP server on a fixed pool of ``WORKERS`` threads: the accept loop only queues connections."""

    request_queue_size = BACKLOG
    daemon_threads = True

    def __init__(self, address, handler) -> None:
        super().__init__(address, handler)
        self._queue: queue.Queue = queue.Queue(maxsize=QUEUED)
        self._workers = [threading.Thread(target=self._work, name=f"reportgen-preview-{i}", daemon=True)
                         for i in range(WORKERS)]
        for worker in self._workers:
            worker.start()

    def process_request(self, request, client_address) -> None:
        try:
            self._queue.put_nowait((request, client_address))
        except queue.Full:  # far more connections than a browser opens: close this one at once
            self.shutdown_request(request)

    def _work(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            request, client_address = item
            try:
                self.finish_request(request, client_address)
            except Exception:  # a client that vanished mid-answer: nothing to tell anyone
                pass
            finally:
                self.shutdown_request(request)

    def handle_error(self, request, client_address) -> None:  # quiet: no traceback for a dropped client
        pass

    def server_close(self) -> None:
        super().server_close()
        for _ in self._workers:
            try:
                self._queue.put(None, timeout=1)
            except queue.Full:
                break


def make_server(state: PreviewState, port: int) -> PreviewServer:
    handler = type("PreviewHandler", (Handler,), {"state": state})
    return PreviewServer((HOST, port), handler)


def watched_paths(config_path: Path, period: Period) -> list[Path]:
    """Narratives, templates, the config file and the data (submissions, register, events)."""
    from .core.config import load_config

    root = config_path.resolve().parent
    paths = [config_path.resolve(), root / "narratives", root / "templates"]
    try:
        config = load_config(config_path)
        paths += [config.submissions_dir, config.members_file.parent, config.events_file.parent]
    except StageFailed:
        paths.append(root / "data")
    out: list[Path] = []
    for p in paths:
        p = p.resolve()
        if p.exists() and not any(p == q or p.is_relative_to(q) for q in out if q.is_dir()):
            out = [q for q in out if not (q.is_relative_to(p) and p.is_dir())] + [p]
    return out


def _ignore(change, path: str) -> bool:
    name = Path(path).name
    parts = Path(path).parts
    return not (name.startswith(".") or name.endswith(("~", ".swp", ".tmp")) or ".reportgen-cache" in parts
                or "output" in parts)


def watch_loop(config_path: Path, period: Period, state: PreviewState, stop: threading.Event,
               log: TextIO, watching: threading.Event | None = None) -> None:
    while not stop.is_set():
        try:
            _watch(config_path, period, state, stop, log, watching)
        except ImportError as exc:  # watchfiles is not installed: say so once, never retry for ever
            from .runtime.extras import missing_finding

            with state.lock:
                state.findings = [missing_finding("preview", [getattr(exc, "name", None) or "watchfiles"])]
                state.version += 1
            log.write(f"  the watcher cannot run ({exc}); the page will not follow edits: "
                      "pip install 'reportgen[publish]'\n")
            log.flush()
            if watching is not None:
                watching.set()
            return
        except Exception as exc:  # the watcher itself failed (a watched folder vanished…): show it, watch again
            with state.lock:
                state.findings = [unexpected_finding(exc, config_path)]
                state.version += 1
            log.write(f"  the watcher stopped ({type(exc).__name__}: {exc}); watching again\n")
            log.flush()
            stop.wait(0.5)


def _watch(config_path: Path, period: Period, state: PreviewState, stop: threading.Event,
           log: TextIO, watching: threading.Event | None = None) -> None:
    from watchfiles import watch

    for changes in watch(*watched_paths(config_path, period), watch_filter=_ignore, stop_event=stop,
                         debounce=80, step=20, rust_timeout=200, yield_on_timeout=True):
        if not changes:  # a timeout: the watcher is in place (so no edit made after "watching" is missed)
            if watching is not None:
                watching.set()
            continue
        names = sorted({Path(p).name for _, p in changes})
        start = time.perf_counter()
        errors = rebuild(config_path, period, state)
        took = time.perf_counter() - start
        what = ", ".join(names[:3]) + (" …" if len(names) > 3 else "")
        if errors:
            log.write(f"  {what} changed: {len(errors)} error(s); the page keeps the last good version\n")
            for f in errors:
                log.write(f.format() + "\n")
        else:
            log.write(f"  {what} changed: rebuilt in {took:.2f} s\n")
        log.flush()


def serve(config_path: Path, period: Period, port: int, log: TextIO, ready=None) -> None:
    """Build, serve on 127.0.0.1:port and rebuild on change until interrupted (returns cleanly)."""
    from .runtime.cache import keep_in_memory
    from .runtime.fingerprint import remember_data_hashes

    keep_in_memory(True)
    remember_data_hashes(True)
    state = PreviewState()
    errors = rebuild(config_path, period, state)
    server = make_server(state, port)
    stop, watching = threading.Event(), threading.Event()
    watcher = threading.Thread(target=watch_loop, args=(config_path, period, state, stop, log, watching),
                               name="reportgen-watch", daemon=True)
    watcher.start()
    watching.wait(timeout=10)

    def _stop(signum, frame):
        raise KeyboardInterrupt

    # Ctrl-C too: a process started in the background of a script inherits SIGINT ignored, and would
    # otherwise never stop on it
    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGINT, signal.SIGHUP, signal.SIGTERM)}
    url = f"http://{HOST}:{server.server_address[1]}/report.html"
    try:  # from here on, a signal at any moment ends in the clean stop below
        log.write(f"Preview of {period}: {url}\n")
        if errors:
            log.write(f"  {len(errors)} error(s); the page shows them until they are fixed\n")
        log.write("  watching narratives, templates, config and data; Ctrl-C stops\n")
        log.flush()
        if ready is not None:
            ready(url)
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.server_close()
        watcher.join(timeout=2)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        log.write("Preview stopped.\n")
        log.flush()

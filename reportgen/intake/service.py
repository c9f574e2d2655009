"""The intake service: the API of ``shared/spec/intake-api.md`` and the web pages, on Starlette.

    POST /api/v1/submissions            send files for one period → 201 receipt (200: the same bytes again)
    GET  /api/v1/submissions?period=P   your receipts for P, newest first (staff: everyone's)
    GET  /api/v1/submissions/{id}       one receipt with its findings (another member's: 404)
    GET  /api/v1/calendar               the periods open for submission

    /signin /signout                    web sign-in with a key; a session cookie (HttpOnly, SameSite=Strict,
                                        Secure behind TLS) and a CSRF token in every form
    /periods, /periods/{P}, /history    a data officer: choose the period, upload, see findings and receipts
    /receipts/{id} (.json)              one receipt (a member's own; staff: any, and withdraw it)
    /staff, /staff/periods/{P}          staff: every period's status, the list to chase, every version

A member's key reaches only that member's versions: anything else answers 404 exactly as a receipt
that does not exist, with the same body. The service answers only to the hosts in ``intake.hosts``.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import anyio
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from ..core.config import Config, load_config
from ..core.periods import Period, PeriodError
from . import accounts
from .auth import Principal, RateLimit, Verifier, same
from .calendar import Calendar
from .store import Store, Version
from .upload import Upload, UploadError, flush, receive

log = logging.getLogger("reportgen.intake")
HERE = Path(__file__).resolve().parent
SESSION_COOKIE = "rg_session"
PRE_COOKIE = "rg_signin"
NOTE_CHARS = 1000
CHECKS_AT_ONCE = 2  # files checked at once (CPU-bound; the machine's cores)
UPLOADS_PER_MINUTE = 60  # per member (or staff member): a runaway client is slowed, never the others
FAILED_SIGNINS = 10  # per address and per key id, every 15 minutes
FAILED_API_KEYS = 30  # bad keys per address per minute


def _json(status: int, body: dict, headers: dict | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=headers)


def error(status: int, code: str, message: str, headers: dict | None = None) -> JSONResponse:
    return _json(status, {"error": code, "message": message}, headers)


NOT_FOUND_MESSAGE = "there is no such receipt"


@dataclass
class Outcome:
    """What one upload came to: a receipt (created or the same as before) or a refusal."""

    version: Version | None = None
    created: bool = False
    status: int = 201
    code: str = ""
    message: str = ""


class Intake:
    """The service's state: config, register, store, keys, calendar, limits and templates."""

    def __init__(self, config: Config):
        assert config.intake_store is not None
        self.config = config
        self.store = Store(config.intake_store)
        self.verifier = Verifier(self.store)
        self.calendar = Calendar(config)
        self.signin_limit = RateLimit(FAILED_SIGNINS, 900)
        self.key_limit = RateLimit(FAILED_API_KEYS, 60)
        self.upload_limit = RateLimit(UPLOADS_PER_MINUTE, 60)
        self.checks = anyio.Semaphore(CHECKS_AT_ONCE)
        self.secure = (config.intake.public_url or "").lower().startswith("https://")
        self._register = None
        self._register_stamp: tuple | None = None
        self.templates = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(
            default=True, default_for_string=True), trim_blocks=True, lstrip_blocks=True)

    def start(self) -> None:
        self.store.create()
        removed, orphans = self.store.sweep()
        if orphans:
            log.warning("removed %d stored file(s) that no version names (left by an interrupted upload)", orphans)
        self.register()
        import reportgen.inputs.validate  # noqa: F401  (pandas: loaded before the first upload, not during it)

    def register(self):
        """The member register, read again when the file changed."""
        from ..inputs.register import load_register

        path = self.config.members_file
        try:
            st = path.stat()
            stamp: tuple | None = (st.st_mtime_ns, st.st_size, st.st_ino)
        except OSError:
            stamp = None
        if self._register is None or stamp != self._register_stamp:
            self._register, _ = load_register(self.config)
            self._register_stamp = stamp
        return self._register

    # ---- who is asking ------------------------------------------------------------------------
    async def bearer(self, request: Request) -> Principal | Response:
        ip = request.client.host if request.client else "-"
        wait = self.key_limit.retry_after(ip)
        if wait:
            return error(429, "too-many-requests", "too many requests with a missing or wrong key; wait and try "
                                                   "again", {"Retry-After": str(wait)})
        header = request.headers.get("authorization", "")
        scheme, _, key = header.partition(" ")
        who = await run_in_threadpool(self.verifier.principal, key.strip()) if scheme.lower() == "bearer" else None
        if who is None:
            self.key_limit.hit(ip)
            return error(401, "unauthorized", "a valid key is needed: send the header 'Authorization: Bearer "
                                              "<your key>'", {"WWW-Authenticate": "Bearer"})
        return who

    def web_session(self, request: Request) -> tuple[Principal, str] | None:
        return accounts.session(self.store, request.cookies.get(SESSION_COOKIE))

    # ---- one upload, from the API or the page ------------------------------------------------------
    async def submit(self, request: Request, who: Principal, period_text: str | None = None,
                     csrf: str | None = None) -> Outcome:
        """One upload: received within its bounds, checked, stored, recorded. ``csrf``: the session's token,
        which the page's form must carry (field ``csrf``)."""
        if who.is_staff is False:
            wait = self.upload_limit.retry_after(who.subject)
            if wait:
                return Outcome(status=429, code="too-many-requests",
                               message=f"too many uploads in a minute; wait {wait} seconds")
        limits = self.config.intake
        try:
            upload = await receive(request, self.store.tmp_dir(), max_request=limits.max_request_bytes,
                                   max_file=limits.max_file_bytes, max_files=limits.max_files,
                                   seconds=limits.upload_seconds, idle=limits.idle_seconds)
        except UploadError as exc:
            return Outcome(status=exc.status, code=exc.code, message=exc.message)
        try:
            if csrf is not None and not same(upload.fields.get("csrf"), csrf):
                return Outcome(status=400, code="form-expired",
                               message="the form had expired: please choose the files again and send them")
            self.upload_limit.hit(who.subject)
            return await self._submit(upload, who, period_text)
        finally:
            await run_in_threadpool(upload.discard)

    async def _submit(self, upload: Upload, who: Principal, period_text: str | None) -> Outcome:
        fields = upload.fields
        period_text = period_text if period_text is not None else fields.get("period")
        if not period_text or not period_text.strip():
            return Outcome(status=422, code="no-period", message="say which period the files are for (form field "
                                                                 "'period', e.g. 2025Q3)")
        at = self.calendar.now()
        try:
            period = str(Period.parse(period_text.strip()[:20]))
        except PeriodError:
            return Outcome(status=422, code="bad-period", message=f"'{period_text.strip()[:20]}' is not a period: "
                                                                  "write a quarter like 2025Q3 or a half-year like "
                                                                  "2025H1")
        window = self.calendar.window(period)
        if window is None or not window.is_open(at):
            return Outcome(status=422, code="period-not-open",
                           message=f"{period} is not open for submission; see GET /api/v1/calendar")
        note = fields.get("note") or None
        if note is not None and len(note) > NOTE_CHARS:
            return Outcome(status=422, code="note-too-long", message=f"the note has {len(note):,} characters; at "
                                                                     f"most {NOTE_CHARS:,}")
        register = self.register()
        if who.is_staff:
            org_text = (fields.get("org_id") or "").strip().upper()
            member = register.get(org_text) if org_text else None
            if member is None:
                return Outcome(status=422, code="no-member", message="staff send on a member's behalf only by naming "
                                                                     "it: form field 'org_id', a member of the register")
            org, sent_by = member.org_id, f"staff:{who.subject}"
        else:
            org, sent_by = who.subject, "member"
        if not upload.files:
            return Outcome(status=422, code="no-files", message="no files were sent: add one or more form fields "
                                                                "'file' (CSV or XLSX)")
        from .checking import check_files

        async with self.checks:
            checked = await run_in_threadpool(check_files, self.config, register, org, period,
                                              upload.folder / "files")
        if checked.foreign is not None:
            return Outcome(status=422, code="org-mismatch", message=checked.foreign.message(org))
        findings = [{"severity": f.severity, "code": f.code, "file": f.file, "line": f.line, "column": f.column,
                     "message": f.message, "hint": f.hint} for f in checked.findings]
        files = [{"name": f.name, "bytes": f.bytes, "sha256": f.sha256} for f in upload.files]

        def store() -> tuple[Version, bool]:
            flush(upload)
            for f in upload.files:
                self.store.keep_file(f.path, f.sha256)
            return self.store.add_version(org_id=org, period=period,
                                          status="accepted" if checked.accepted else "rejected",
                                          received_at=at.isoformat(), late=window.is_late(at), note=note,
                                          files=files, findings=findings, sent_by=sent_by)

        version, created = await run_in_threadpool(store)
        return Outcome(version, created, 201 if created else 200)

    # ---- what a principal may see ----------------------------------------------------------------
    def visible(self, who: Principal, receipt_id: str) -> Version | None:
        if len(receipt_id) > 80:
            return None
        return self.store.version(receipt_id, None if who.is_staff else who.subject)

    def render(self, name: str, request: Request, status: int = 200, **context) -> HTMLResponse:
        html = self.templates.get_template(name).render(request=request, **context)
        return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})


# ---- the API ------------------------------------------------------------------------------------

async def api_submit(request: Request) -> Response:
    intake: Intake = request.app.state.intake
    who = await intake.bearer(request)
    if isinstance(who, Response):
        return who  # the body is never read
    outcome = await intake.submit(request, who)
    if outcome.version is None:
        headers = {"Retry-After": "60"} if outcome.status == 429 else {}
        if outcome.status in (408, 413):  # the rest of the body is never read: end the connection
            headers["Connection"] = "close"
        return error(outcome.status, outcome.code, outcome.message, headers)
    return _json(outcome.status, outcome.version.receipt())


async def api_list(request: Request) -> Response:
    intake: Intake = request.app.state.intake
    who = await intake.bearer(request)
    if isinstance(who, Response):
        return who
    text = request.query_params.get("period", "")
    try:
        period = str(Period.parse(text.strip()[:20]))
    except PeriodError:
        return error(422, "bad-period", "say which period: ?period=2025Q3")
    versions = await run_in_threadpool(intake.store.versions, None if who.is_staff else who.subject, period)
    versions.sort(key=lambda v: (v.received_at, v.version), reverse=True)
    return _json(200, {"period": period, "receipts": [v.receipt() for v in versions]})


async def api_receipt(request: Request) -> Response:
    intake: Intake = request.app.state.intake
    who = await intake.bearer(request)
    if isinstance(who, Response):
        return who
    version = await run_in_threadpool(intake.visible, who, request.path_params["receipt_id"])
    if version is None:
        return error(404, "not-found", NOT_FOUND_MESSAGE)
    return _json(200, version.receipt())


async def api_calendar(request: Request) -> Response:
    intake: Intake = request.app.state.intake
    who = await intake.bearer(request)
    if isinstance(who, Response):
        return who
    at = intake.calendar.now()
    return _json(200, {"periods": [w.to_json(at) for w in intake.calendar.open_now(at)]})


# ---- the pages ----------------------------------------------------------------------------------

def _cookie_options(intake: Intake, request: Request) -> dict:
    return {"httponly": True, "samesite": "strict", "path": "/",
            "secure": intake.secure or request.url.scheme == "https"}


async def home(request: Request) -> Response:
    intake: Intake = request.app.state.intake
    found = intake.web_session(request)
    if found is None:
        return RedirectResponse("/signin", 303)
    return RedirectResponse("/staff" if found[0].is_staff else "/periods", 303)


async def signin(request: Request) -> Response:
    intake: Intake = request.app.state.intake
    if request.method == "GET":
        return _signin_page(intake, request)
    ip = request.client.host if request.client else "-"
    form = await _small_form(request)
    if form is None or not same(form.get("csrf"), request.cookies.get(PRE_COOKIE)):
        return _signin_page(intake, request, "The form had expired. Please sign in again.", 400)
    key = (form.get("key") or "").strip()
    ident = key.split(".")[1] if key.count(".") == 2 else ""
    wait = intake.signin_limit.retry_after(ip) or (intake.signin_limit.retry_after(f"id:{ident}") if ident else None)
    if wait:
        response = _signin_page(intake, request, f"Too many attempts. Please wait {wait // 60 + 1} minutes and try "
                                                 "again.", 429)
        response.headers["Retry-After"] = str(wait)
        return response
    who = await run_in_threadpool(intake.verifier.principal, key)
    if who is None:
        intake.signin_limit.hit(ip)
        if ident:
            intake.signin_limit.hit(f"id:{ident}")
        return _signin_page(intake, request, "That key did not work. Check that you copied all of it, or ask the "
                                             "federation for a new one.", 401)
    token, _csrf = await run_in_threadpool(accounts.start_session, intake.store, who)
    response = RedirectResponse("/staff" if who.is_staff else "/periods", 303)
    response.set_cookie(SESSION_COOKIE, token, max_age=accounts.SESSION_SECONDS, **_cookie_options(intake, request))
    response.delete_cookie(PRE_COOKIE, path="/")
    return response


def _signin_page(intake: Intake, request: Request, problem: str | None = None, status: int = 200) -> Response:
    token = secrets.token_urlsafe(32)
    response = intake.render("signin.html.j2", request, status, csrf=token, problem=problem, who=None)
    response.set_cookie(PRE_COOKIE, token, max_age=3600, **_cookie_options(intake, request))
    return response


async def _small_form(request: Request) -> dict[str, str] | None:
    """A small urlencoded form (sign-in, sign-out, withdrawal): at most 16 KiB."""
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return None
    body = b""
    try:
        with anyio.fail_after(30):
            async for chunk in request.stream():
                body += chunk
                if len(body) > 16384:
                    return None
    except TimeoutError:
        return None
    from urllib.parse import parse_qsl

    try:
        return dict(parse_qsl(body.decode("utf-8"), max_num_fields=20))
    except (UnicodeDecodeError, ValueError):
        return None


async def signout(request: Request) -> Response:
    intake: Intake = request.app.state.intake
    found = intake.web_session(request)
    form = await _small_form(request)
    if found is not None and form is not None and same(form.get("csrf"), found[1]):
        await run_in_threadpool(accounts.end_session, intake.store, request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/signin", 303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _signed_in(request: Request, *, staff: bool | None = None) -> tuple[Principal, str]:
    """The session, or a redirect to sign in; the wrong kind of session sees 404 (nothing is there for it)."""
    intake: Intake = request.app.state.intake
    found = intake.web_session(request)
    if found is None:
        raise HTTPException(303, headers={"Location": "/signin"})
    if staff is not None and found[0].is_staff != staff:
        raise HTTPException(404)
    return found


def _period_or_404(text: str) -> str:
    try:
        return str(Period.parse(text[:20]))
    except PeriodError:
        raise HTTPException(404) from None


def _my_status(versions: list[Version]) -> str:
    live = [v for v in versions if v.withdrawn is None]
    if not live:
        return "not sent yet"
    latest = live[0]
    if latest.status == "accepted":
        return "accepted (late)" if latest.late else "accepted"
    if any(v.status == "accepted" for v in live):
        return "latest rejected: an earlier accepted version is used"
    return "rejected"


async def periods(request: Request) -> Response:
    intake: Intake = request.app.state.intake
    who, csrf = _signed_in(request, staff=False)
    at = intake.calendar.now()
    mine = await run_in_threadpool(intake.store.versions, who.subject)
    rows = []
    for w in intake.calendar.open_now(at):
        versions = [v for v in mine if v.period == w.period]
        rows.append({"window": w, "state": w.state(at), "status": _my_status(versions), "count": len(versions)})
    return intake.render("periods.html.j2", request, who=who, csrf=csrf, rows=rows, show=_when)


async def period_page(request: Request) -> Response:
    intake: Intake = request.app.state.intake
    who, csrf = _signed_in(request, staff=False)
    period = _period_or_404(request.path_params["period"])
    window = intake.calendar.window(period)
    at = intake.calendar.now()
    if window is None or not window.is_open(at):
        raise HTTPException(404)
    problem, status = None, 200
    if request.method == "POST":
        outcome = await intake.submit(request, who, period, csrf)
        if outcome.version is not None:
            return RedirectResponse(f"/receipts/{quote(outcome.version.receipt_id)}", 303)
        problem, status = _plain_refusal(outcome), outcome.status
    versions = await run_in_threadpool(intake.store.versions, who.subject, period)
    return intake.render("period.html.j2", request, status, who=who, csrf=csrf, window=window, state=window.state(at),
                         versions=versions, my_status=_my_status(versions), problem=problem, show=_when,
                         limits=intake.config.intake, max_mib=intake.config.intake.max_file_bytes / (1 << 20))


def _plain_refusal(outcome: Outcome) -> str:
    if outcome.code == "no-files":
        return "Please choose at least one file to send."
    return outcome.message[0].upper() + outcome.message[1:] + ("" if outcome.message.endswith(".") else ".")


async def history(request: Request) -> Response:
    intake: Intake = request.app.state.intake
    who, csrf = _signed_in(request, staff=False)
    versions = await run_in_threadpool(intake.store.versions, who.subject)
    return intake.render("history.html.j2", request, who=who, csrf=csrf, versions=versions, show=_when)


async def receipt_page(request: Request) -> Response:
    intake: Intake = request.app.state.intake
    who, csrf = _signed_in(request)
    receipt_id = request.path_params["receipt_id"]
    as_json = receipt_id.endswith(".json")
    version = await run_in_threadpool(intake.visible, who, receipt_id[:-5] if as_json else receipt_id)
    if version is None:
        raise HTTPException(404)
    if as_json:
        body = json.dumps(version.receipt(), indent=2, ensure_ascii=False) + "\n"
        return Response(body, media_type="application/json", headers={
            "Content-Disposition": f'attachment; filename="receipt-{version.receipt_id}.json"',
            "Cache-Control": "no-store"})
    problem = request.query_params.get("withdrawn")
    return intake.render("receipt.html.j2", request, who=who, csrf=csrf, v=version, show=_when,
                         errors=[f for f in version.findings if f["severity"] == "error"],
                         warnings=[f for f in version.findings if f["severity"] != "error"],
                         located=_located, just_withdrawn=problem == "1")


async def withdraw(request: Request) -> Response:
    intake: Intake = request.app.state.intake
    who, csrf = _signed_in(request, staff=True)
    receipt_id = request.path_params["receipt_id"]
    form = await _small_form(request)
    if form is None or not same(form.get("csrf"), csrf):
        raise HTTPException(400)
    reason = (form.get("reason") or "").strip()
    version = await run_in_threadpool(intake.store.version, receipt_id)
    if version is None:
        raise HTTPException(404)
    if not reason or len(reason) > 500:
        return intake.render("receipt.html.j2", request, 422, who=who, csrf=csrf, v=version, show=_when,
                             errors=[f for f in version.findings if f["severity"] == "error"],
                             warnings=[f for f in version.findings if f["severity"] != "error"],
                             located=_located, problem="Give the reason for the withdrawal (at most 500 characters).")
    await run_in_threadpool(intake.store.withdraw, receipt_id, f"staff:{who.subject}", reason)
    return RedirectResponse(f"/receipts/{quote(receipt_id)}?withdrawn=1", 303)


async def staff_home(request: Request) -> Response:
    intake: Intake = request.app.state.intake
    who, csrf = _signed_in(request, staff=True)
    at = intake.calendar.now()
    summaries = []
    for w in sorted(intake.calendar.windows.values(), key=lambda w: w.opens, reverse=True):
        table = await run_in_threadpool(_period_status, intake, w.period)
        counts: dict[str, int] = {}
        for row in table:
            counts[row["status"]] = counts.get(row["status"], 0) + 1
        summaries.append({"window": w, "state": w.state(at), "counts": counts, "expected": len(table)})
    return intake.render("staff.html.j2", request, who=who, csrf=csrf, summaries=summaries, show=_when)


def _period_status(intake: Intake, period: str) -> list[dict]:
    """Each expected member's status for ``period`` (and any other member that sent it)."""
    register = intake.register()
    quarters = Period.parse(period).quarters()
    versions = intake.store.versions(None, period)
    by_org: dict[str, list[Version]] = {}
    for v in versions:
        by_org.setdefault(v.org_id, []).append(v)
    expected = {m.org_id for m in register.expected_in(quarters)}
    rows = []
    for org in sorted(expected | set(by_org)):
        member = register.get(org)
        mine = by_org.get(org, [])
        live = [v for v in mine if v.withdrawn is None]
        latest = live[0] if live else None
        used = next((v for v in live if v.status == "accepted"), None)
        if latest is None:
            status = "not sent yet"
        elif latest.status == "rejected":
            status = "rejected"
        else:
            status = "accepted"
        rows.append({"org_id": org, "name": member.name if member else "", "contact": member.contact if member else "",
                     "expected": org in expected, "status": status, "late": bool(used and used.late),
                     "latest": latest, "used": used, "versions": mine})
    return rows


async def staff_period(request: Request) -> Response:
    intake: Intake = request.app.state.intake
    who, csrf = _signed_in(request, staff=True)
    period = _period_or_404(request.path_params["period"])
    window = intake.calendar.window(period)
    if window is None:
        raise HTTPException(404)
    table = await run_in_threadpool(_period_status, intake, period)
    chase = [r for r in table if r["expected"] and r["status"] != "accepted"]
    return intake.render("staff_period.html.j2", request, who=who, csrf=csrf, window=window,
                         state=window.state(intake.calendar.now()), table=table, chase=chase, show=_when,
                         located=_located)


def _when(text: str) -> str:
    """An ISO time as a person reads it: 14 October 2025, 9:12 am."""
    try:
        t = dt.datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return str(text)
    hour = t.hour % 12 or 12
    return f"{t.day} {t:%B %Y}, {hour}:{t:%M} {'am' if t.hour < 12 else 'pm'}"


def _located(f: dict) -> str:
    """A finding's place as ``reportgen check`` prints it: file:line:column."""
    parts = [str(f.get("file") or "")]
    if f.get("line") is not None:
        parts.append(str(f["line"]))
        if f.get("column") is not None:
            parts.append(str(f["column"]))
    return ":".join(p for p in parts if p)


async def css(request: Request) -> Response:
    return FileResponse(HERE / "static" / "intake.css", media_type="text/css",
                        headers={"Cache-Control": "public, max-age=3600"})


# ---- errors, hosts and headers --------------------------------------------------------------------

async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 303 and exc.headers:
        return RedirectResponse(exc.headers["Location"], 303)
    if request.url.path.startswith("/api/"):
        if exc.status_code == 404:
            return error(404, "not-found", NOT_FOUND_MESSAGE)
        if exc.status_code == 405:
            return error(405, "method-not-allowed", "this address does not take that method")
        return error(exc.status_code, "bad-request", "the request could not be read")
    intake: Intake = request.app.state.intake
    found = intake.web_session(request)
    who, csrf = found if found else (None, "")
    messages = {404: "There is nothing here. Check the address, or go back to your periods.",
                405: "That page cannot be used that way.", 400: "The form had expired or could not be read. "
                                                                 "Please go back and try again."}
    return intake.render("error.html.j2", request, exc.status_code, who=who, csrf=csrf,
                         message=messages.get(exc.status_code, "Something about that request was wrong."))


async def disconnected(request: Request, exc: Exception) -> Response:
    return Response(status_code=400)


async def internal_error(request: Request, exc: Exception) -> Response:
    log.exception("internal error on %s %s", request.method, request.url.path)
    return error(500, "internal", "the intake service had a problem of its own; nothing was stored. Try again later, "
                                  "or tell the federation")


SECURITY_HEADERS = [
    (b"content-security-policy", b"default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
                                 b"frame-ancestors 'none'; base-uri 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
]


class Guard:
    """ASGI middleware: answer only to the configured hosts (a request for another name is refused before any
    work), and add the security headers to every answer."""

    def __init__(self, app, hosts: list[str]):
        self.app = app
        self.hosts = {h.lower() for h in hosts}

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        host = ""
        for name, value in scope.get("headers", []):
            if name == b"host":
                host = value.decode("latin-1").lower()
                break
        bare = host.split("]")[0] + "]" if host.startswith("[") else host.split(":")[0]
        if bare not in self.hosts:
            body = json.dumps({"error": "bad-host", "message": "this service does not answer to that host name"})
            await send({"type": "http.response.start", "status": 400, "headers": [
                (b"content-type", b"application/json"), (b"connection", b"close"), *SECURITY_HEADERS]})
            await send({"type": "http.response.body", "body": body.encode()})
            return

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *SECURITY_HEADERS]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def create_app(config: Config | Path | str) -> Starlette:
    if not isinstance(config, Config):
        config = load_config(Path(config))
    intake = Intake(config)
    intake.start()
    routes = [
        Route("/api/v1/submissions", api_submit, methods=["POST"]),
        Route("/api/v1/submissions", api_list, methods=["GET"]),
        Route("/api/v1/submissions/{receipt_id}", api_receipt, methods=["GET"]),
        Route("/api/v1/calendar", api_calendar, methods=["GET"]),
        Route("/", home, methods=["GET"]),
        Route("/signin", signin, methods=["GET", "POST"]),
        Route("/signout", signout, methods=["POST"]),
        Route("/periods", periods, methods=["GET"]),
        Route("/periods/{period}", period_page, methods=["GET", "POST"]),
        Route("/history", history, methods=["GET"]),
        Route("/receipts/{receipt_id}", receipt_page, methods=["GET"]),
        Route("/receipts/{receipt_id}/withdraw", withdraw, methods=["POST"]),
        Route("/staff", staff_home, methods=["GET"]),
        Route("/staff/periods/{period}", staff_period, methods=["GET"]),
        Route("/static/intake.css", css, methods=["GET"]),
    ]
    app = Starlette(routes=routes, exception_handlers={HTTPException: http_error, ClientDisconnect: disconnected,
                                                        Exception: internal_error})
    app.state.intake = intake
    return Guard(app, config.intake.hosts)  # type: ignore[return-value]

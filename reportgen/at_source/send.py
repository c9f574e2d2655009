"""``reportgen member send``: the member's files for one period sent to the federation's intake service.

Standard library only (``urllib``): a member installs reportgen's core alone. The key comes from a file
(``--key-file``) or the environment (``REPORTGEN_INTAKE_KEY``), never from the command line, where other
users of the machine could read it. A failed connection, a 5xx answer or a 429 is tried again (at most
``TRIES`` times, waiting longer each time, ``Retry-After`` respected): safe, because the service makes no
new version of bytes it already has — it answers with that version's receipt.
"""

from __future__ import annotations

import json
import os
import re
import ssl
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

KEY_ENV = "REPORTGEN_INTAKE_KEY"
TRIES = 4
TIMEOUT = 120
MAX_FILE = 256 << 20
API = "api/v1/submissions"


class SendError(Exception):
    """Something a member can act on, said plainly."""


@dataclass
class Answer:
    status: int
    body: dict


def read_key(key_file: Path | None) -> str:
    if key_file is not None:
        try:
            if key_file.stat().st_size > 4096:
                raise SendError(f"{key_file} is not a key file (it is too large)")
            text = key_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise SendError(f"cannot read the key file {key_file}: {exc.strerror or exc}") from None
        except UnicodeDecodeError:
            raise SendError(f"{key_file} is not a key file (not text)") from None
    else:
        text = os.environ.get(KEY_ENV, "").strip()
    if not text:
        raise SendError(f"no key: put it in a file readable only by you and pass --key-file FILE, or set the "
                        f"environment variable {KEY_ENV}")
    if not text.startswith("rg1.") or any(c.isspace() for c in text) or len(text) > 200:
        raise SendError("that is not an intake key (a key starts with rg1. and is one line)")
    return text


def files_for(out_dir: Path, period: str) -> list[Path]:
    """The files of ``period``: OUT_DIR/<period>/*.csv|*.xlsx (as ``reportgen member aggregate`` writes them)."""
    folder = out_dir / period
    if not folder.is_dir():
        raise SendError(f"there is no folder {folder}: make the files first with reportgen member aggregate "
                        f"(it writes OUT_DIR/{period}/ORG.csv)")
    found = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in (".csv", ".xlsx"))
    if not found:
        raise SendError(f"{folder} has no .csv or .xlsx file to send")
    for p in found:
        if p.stat().st_size > MAX_FILE:
            raise SendError(f"{p} is larger than any submission can be")
    return found


def _body(period: str, files: list[Path], note: str | None) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    out = bytearray()
    fields = {"period": period, **({"note": note} if note else {})}
    for name, value in fields.items():
        out += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode() + value.encode() \
            + b"\r\n"
    for path in files:
        safe = path.name.replace('"', "_").replace("\r", "_").replace("\n", "_")
        out += (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{safe}"\r\n'
                "Content-Type: application/octet-stream\r\n\r\n").encode() + path.read_bytes() + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out), f"multipart/form-data; boundary={boundary}"


def endpoint(url: str) -> str:
    if not url.startswith(("https://", "http://")):
        raise SendError(f"--to {url[:100]}: give the service's address, e.g. https://intake.example.nz/")
    if url.startswith("http://") and not url.startswith(("http://127.0.0.1", "http://localhost", "http://[::1]")):
        raise SendError("--to must be an https:// address (the key must never travel unencrypted)")
    return url.rstrip("/") + "/" + API


def send(url: str, key: str, period: str, files: list[Path], note: str | None = None,
         sleep=time.sleep) -> Answer:
    """POST the files; retried on a failed connection, 5xx or 429. The answer's status and JSON body."""
    body, ctype = _body(period, files, note)
    target = endpoint(url)
    context = ssl.create_default_context()
    last = ""
    for attempt in range(1, TRIES + 1):
        req = urllib.request.Request(target, data=body, method="POST", headers={
            "Authorization": f"Bearer {key}", "Content-Type": ctype, "User-Agent": "reportgen-member-send"})
        wait = 2.0 ** attempt
        try:
            with urllib.request.urlopen(req, timeout=TIMEOUT, context=context) as resp:
                return Answer(resp.status, _json(resp.read(1 << 24)))
        except urllib.error.HTTPError as exc:
            answer = Answer(exc.code, _json(exc.read(1 << 24)))
            if exc.code < 500 and exc.code != 429:
                return answer
            last = f"the service answered {exc.code}"
            retry = exc.headers.get("Retry-After", "")
            if retry.isdigit():
                wait = min(float(retry), 120.0)
            if attempt == TRIES:
                return answer
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            reason = getattr(exc, "reason", exc)
            last = f"cannot reach {url}: {reason}"
        if attempt < TRIES:
            sleep(wait)
    raise SendError(f"{last} (tried {TRIES} times); nothing more to do now: try again later")


def _json(raw: bytes) -> dict:
    try:
        doc = json.loads(raw)
    except ValueError:
        return {"error": "not-json", "message": "the service's answer was not JSON: is --to the intake service?"}
    return doc if isinstance(doc, dict) else {"error": "not-json", "message": "unexpected answer"}


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def plain(value) -> str:
    """Text from the service as the terminal may show it: control characters escaped, never obeyed."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", str(value))


def receipt_lines(doc: dict) -> list[str]:
    """The receipt as the terminal shows it."""
    status = doc.get("status", "?")
    lines = [f"Receipt {doc.get('receipt_id')}: {status}" + (" (late: a revision)" if doc.get("late") else ""),
             f"  {doc.get('org_id')} {doc.get('period')}, version {doc.get('version')}, received "
             f"{doc.get('received_at')}" + (f", replaces {doc['replaces']}" if doc.get("replaces") else "")]
    for f in doc.get("files", []):
        lines.append(f"  {f.get('name')}: {f.get('bytes'):,} bytes, SHA-256 {f.get('sha256')}")
    return [plain(line) for line in lines]


def findings_lines(doc: dict) -> list[str]:
    """Each finding as ``reportgen check`` prints it: file:line:column: severity: message [code], hint."""
    out = []
    for f in doc.get("findings", []):
        where = ":".join(str(x) for x in (f.get("file"), f.get("line"), f.get("column")) if x is not None)
        out.append(f"{where + ': ' if where else ''}{f.get('severity')}: {f.get('message')} [{f.get('code')}]")
        if f.get("hint"):
            out.append(f"    hint: {f['hint']}")
    return [plain(line) for line in out]

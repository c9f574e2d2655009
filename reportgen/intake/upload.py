"""Receiving an upload: multipart/form-data parsed while it streams, every bound checked as bytes arrive.

Bounds (config.yaml ``intake``): bytes per request (``Content-Length`` is refused at once when over,
and the bytes are counted anyway), bytes per file, files per request; form fields are small. A request
must finish within ``UPLOAD_SECONDS`` and may not pause for longer than ``IDLE_SECONDS``: a slow or
broken client is cut off, and the event loop never waits on it (nothing here blocks a worker).
Each file goes straight to a temporary file while its SHA-256 is computed; nothing is kept in memory.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import shutil
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import anyio
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

UPLOAD_SECONDS = 300.0  # defaults; config.yaml intake.upload_seconds and idle_seconds
IDLE_SECONDS = 30.0
FIELD_BYTES = 8192  # one form field (the note is at most 1,000 characters)
FIELDS = 20
NAME_CHARS = 100
ALLOWED = (".csv", ".xlsx")


class UploadError(Exception):
    """An upload refused: the HTTP status, the error code and a plain message."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass
class Received:
    name: str  # safe: a plain file name ending .csv or .xlsx
    path: Path
    bytes: int = 0
    sha256: str = ""


@dataclass
class Upload:
    folder: Path  # the temporary folder holding ``files/``
    fields: dict[str, str] = field(default_factory=dict)
    files: list[Received] = field(default_factory=list)

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")


def safe_name(raw: str, taken: set[str]) -> str:
    """A file name from the client reduced to a plain name: no folders, no control or odd characters, no
    leading dot, at most 100 characters; the type is checked by the caller. Unique within the upload."""
    base = unicodedata.normalize("NFKC", raw).replace("\\", "/").split("/")[-1]
    base = _UNSAFE.sub("_", base).strip(" .") or "file"
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    stem = stem[: NAME_CHARS - len(ext) - 5] or "file"
    name = f"{stem}.{ext}" if ext else stem
    n = 2
    while name.lower() in taken:
        name = f"{stem}-{n}.{ext}" if ext else f"{stem}-{n}"
        n += 1
    taken.add(name.lower())
    return name


async def receive(request, tmp_root: Path, *, max_request: int, max_file: int, max_files: int,
                  seconds: float = UPLOAD_SECONDS, idle: float = IDLE_SECONDS) -> Upload:
    """The form fields and files of ``request``, or UploadError (and nothing left on disk)."""
    ctype, params = parse_options_header(request.headers.get("content-type", ""))
    boundary = params.get(b"boundary")
    if ctype != b"multipart/form-data" or not boundary or len(boundary) > 200:
        raise UploadError(422, "malformed", "send the files as multipart/form-data (form fields period and file)")
    length = request.headers.get("content-length")
    if length is not None:
        if not length.isdigit():
            raise UploadError(422, "malformed", "the Content-Length header is not a number")
        if int(length) > max_request:
            raise UploadError(413, "too-large", f"the upload is larger than {_size(max_request)}, the limit for one "
                                                "request")
    upload = Upload(tmp_root / secrets.token_hex(12))
    (upload.folder / "files").mkdir(parents=True, mode=0o700)
    state: dict = {"headers": {}, "header": b"", "value": b"", "part": None, "field": None, "data": bytearray(),
                   "hash": None, "fh": None, "ended": False}
    taken: set[str] = set()

    def on_part_begin() -> None:
        state["headers"], state["part"], state["field"] = {}, None, None

    def on_header_field(data: bytes, start: int, end: int) -> None:
        state["header"] += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        state["value"] += data[start:end]

    def on_header_end() -> None:
        state["headers"][state["header"].lower()] = state["value"]
        state["header"], state["value"] = b"", b""

    def on_headers_finished() -> None:
        disposition, opts = parse_options_header(state["headers"].get(b"content-disposition", b""))
        if disposition != b"form-data" or b"name" not in opts:
            raise UploadError(422, "malformed", "a part of the form has no name")
        name = opts[b"name"].decode("utf-8", "replace")
        if b"filename" in opts:
            if name != "file":
                raise UploadError(422, "malformed", f"files go in form fields named 'file', not '{name[:40]}'")
            if len(upload.files) >= max_files:
                raise UploadError(413, "too-many-files", f"at most {max_files} files can be sent at once")
            raw = opts[b"filename"].decode("utf-8", "replace")
            if not raw.lower().rstrip(" .").endswith(ALLOWED):
                raise UploadError(415, "unsupported-file-type",
                                  f"'{raw[:80]}' is not a CSV (.csv) or Excel workbook (.xlsx) file: the data "
                                  "contract allows only these")
            received = Received(safe_name(raw, taken), Path())
            received.path = upload.folder / "files" / received.name
            upload.files.append(received)
            state["part"], state["hash"] = received, hashlib.sha256()
            state["fh"] = open(received.path, "xb")  # noqa: SIM115 (closed at the part's end or on error)
        else:
            if len(upload.fields) >= FIELDS:
                raise UploadError(422, "malformed", "the form has too many fields")
            state["field"], state["data"] = name, bytearray()

    def on_part_data(data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        part = state["part"]
        if part is not None:
            part.bytes += len(chunk)
            if part.bytes > max_file:
                raise UploadError(413, "too-large", f"{part.name} is larger than {_size(max_file)}, the limit for "
                                                    "one file")
            state["hash"].update(chunk)
            state["fh"].write(chunk)
        elif state["field"] is not None:
            state["data"] += chunk
            if len(state["data"]) > FIELD_BYTES:
                raise UploadError(422, "malformed", f"the form field '{state['field'][:40]}' is too long")

    def on_part_end() -> None:
        part = state["part"]
        if part is not None:
            part.sha256 = state["hash"].hexdigest()
            state["fh"].close()
            state["fh"], state["part"] = None, None
        elif state["field"] is not None:
            try:
                upload.fields.setdefault(state["field"], bytes(state["data"]).decode("utf-8"))
            except UnicodeDecodeError:
                raise UploadError(422, "malformed", f"the form field '{state['field'][:40]}' is not UTF-8 text") \
                    from None
            state["field"] = None

    def on_end() -> None:
        state["ended"] = True

    parser = MultipartParser(boundary, {
        "on_part_begin": on_part_begin, "on_header_field": on_header_field, "on_header_value": on_header_value,
        "on_header_end": on_header_end, "on_headers_finished": on_headers_finished, "on_part_data": on_part_data,
        "on_part_end": on_part_end, "on_end": on_end}, max_header_size=4096)
    total = 0
    try:
        with anyio.fail_after(seconds):
            stream = request.stream().__aiter__()
            while True:
                try:
                    with anyio.fail_after(idle):
                        chunk = await stream.__anext__()
                except StopAsyncIteration:
                    break
                total += len(chunk)
                if total > max_request:
                    raise UploadError(413, "too-large", f"the upload is larger than {_size(max_request)}, the limit "
                                                        "for one request")
                if chunk:
                    parser.write(chunk)
        parser.finalize()
        if not state["ended"]:
            raise UploadError(422, "malformed", "the upload ended before the end of the form: send it again")
    except TimeoutError:
        upload.discard()
        raise UploadError(408, "too-slow", "the upload took too long or stalled; send it again") from None
    except MultipartParseError:
        upload.discard()
        raise UploadError(422, "malformed", "the form could not be read as multipart/form-data") from None
    except BaseException:
        if state["fh"] is not None:
            state["fh"].close()
        upload.discard()
        raise
    return upload


def flush(upload: Upload) -> None:
    """Every received file on disk for good (before it is stored and a receipt given)."""
    for f in upload.files:
        fd = os.open(f.path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _size(n: int) -> str:
    if n >= 1 << 20:
        return f"{n / (1 << 20):,.0f} MiB ({n:,} bytes)"
    return f"{n:,} bytes"

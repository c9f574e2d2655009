"""Byte-reproducible builds: the same content gives the same bytes, and one build time."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import zipfile


def reproducible_zip(data: bytes, *, when: tuple[int, int, int, int, int, int] = (2000, 1, 1, 0, 0, 0)) -> bytes:
    """Rewrite a zip (an XLSX workbook) with fixed entry timestamps and document dates."""
    stamp = "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}Z".format(*when).encode()
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", stamp, body)
            dst.writestr(zipfile.ZipInfo(info.filename, date_time=when), body, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


SOURCE_DATE_EPOCH = "SOURCE_DATE_EPOCH"  # https://reproducible-builds.org/specs/source-date-epoch/


def build_time() -> dt.datetime:
    """When this build happened, in UTC: the time ``SOURCE_DATE_EPOCH`` gives (whole seconds since
    1970) when it is set, else now. The one place reportgen reads it; a value that is not a whole
    number of seconds is ignored."""
    epoch = os.environ.get(SOURCE_DATE_EPOCH, "").strip()
    if epoch.isascii() and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def build_stamp() -> str:
    """The build time as written in manifests and draft stamps: '2025-07-01T00:00:00Z'."""
    return build_time().strftime("%Y-%m-%dT%H:%M:%SZ")


def build_date() -> dt.date:
    """The day of this build: the date of ``SOURCE_DATE_EPOCH`` (UTC) when set, else today where
    the build runs (story expiry is judged against it)."""
    epoch = os.environ.get(SOURCE_DATE_EPOCH, "").strip()
    return build_time().date() if epoch.isascii() and epoch.isdigit() else dt.date.today()

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
EPOCH_MAX = 253_402_300_799  # 9999-12-31T23:59:59Z: the last second a date can hold


class BadEpoch(ValueError):
    """``SOURCE_DATE_EPOCH`` is set to something that is not a time a build can have."""


def source_date_epoch() -> int | None:
    """``SOURCE_DATE_EPOCH`` as seconds since 1970-01-01 UTC; None when it is unset or empty. A value
    that is not a whole number of seconds from 0 to ``EPOCH_MAX`` raises ``BadEpoch`` (the spec asks
    a build to stop, rather than be silently not reproducible): the command line reports it as a
    finding naming the variable, before anything runs (``epoch_problem``)."""
    text = os.environ.get(SOURCE_DATE_EPOCH, "").strip()
    if not text:
        return None
    shown = text if len(text) <= 40 else text[:39] + "…"
    if text.isascii() and text.isdigit():
        if len(text) > 20 or int(text) > EPOCH_MAX:
            raise BadEpoch(f"{SOURCE_DATE_EPOCH}={shown} is after the year 9999, later than a date can hold")
        return int(text)
    if text.startswith("-") and text[1:].isascii() and text[1:].isdigit():
        raise BadEpoch(f"{SOURCE_DATE_EPOCH}={shown} is negative: a build time before 1970")
    what = ("written with digits other than 0–9" if any(c.isdigit() for c in text) and text.isdigit() else
            "not a whole number of seconds")
    raise BadEpoch(f"{SOURCE_DATE_EPOCH}='{shown}' is {what}")


EPOCH_HINT = ("set it to the seconds since 1970-01-01 UTC, e.g. SOURCE_DATE_EPOCH=$(git log -1 --format=%ct), or "
              "unset it (the build then uses the current time)")


def epoch_problem() -> str | None:
    """Why ``SOURCE_DATE_EPOCH`` cannot be used, or None when it can (or is not set)."""
    try:
        source_date_epoch()
    except BadEpoch as exc:
        return str(exc)
    return None


def build_time() -> dt.datetime:
    """When this build happened, in UTC: the time ``SOURCE_DATE_EPOCH`` gives (whole seconds since
    1970) when it is set, else now. The one place reportgen reads it."""
    epoch = source_date_epoch()
    if epoch is not None:
        return dt.datetime.fromtimestamp(epoch, dt.UTC)
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def build_stamp() -> str:
    """The build time as written in manifests and draft stamps: '2025-07-01T00:00:00Z'."""
    return build_time().strftime("%Y-%m-%dT%H:%M:%SZ")


def build_date() -> dt.date:
    """The day of this build: the date of ``SOURCE_DATE_EPOCH`` (UTC) when set, else today where
    the build runs (story expiry and consent dates are judged against it)."""
    return build_time().date() if source_date_epoch() is not None else dt.date.today()

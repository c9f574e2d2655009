"""Byte-reproducible files: the same content gives the same bytes on every build."""

from __future__ import annotations

import io
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

"""Per-draft marks on a laid-out PDF: a watermark and a stamp on every page.

The marks are applied AFTER layout, so the HTML handed to WeasyPrint carries
no per-draft value and an unchanged document's layout can be reused from the
PDF cache. A one-page PDF holding the watermark ("DRAFT n — not for
circulation") and the stamp (draft number, build time, short input hash) is
rendered by WeasyPrint at the page's size and drawn over every page with
pikepdf, marked as an artifact so that assistive technology skips it and the
document's tagged structure stays as it was.
"""

from __future__ import annotations

import io
from functools import lru_cache
from html import escape


STAMP_CSS = """
@page {{ size: {w}pt {h}pt; margin: 0; }}
html, body {{ margin: 0; padding: 0; }}
body {{ width: {w}pt; height: {h}pt; position: relative; font-family: "Noto Sans", "DejaVu Sans", sans-serif; }}
.watermark {{ position: absolute; left: 0; right: 0; top: {mid}pt; text-align: center;
  font-size: 30pt; font-weight: bold; color: rgba(150, 20, 20, 0.18);
  letter-spacing: 1pt; white-space: nowrap; }}
.stamp {{ position: absolute; left: 0; right: 0; bottom: 6pt; text-align: center; font-size: 7pt;
  color: #7a1010; white-space: nowrap; }}
"""


def watermark_text(n: int) -> str:
    return f"DRAFT {n} — not for circulation"


def stamp_text(n: int, built: str, short_hash: str) -> str:
    return f"Draft {n} · built {built} · inputs {short_hash}"


@lru_cache(maxsize=8)  # one overlay per draft and page size, shared by every document
def stamp_pdf(n: int, built: str, short_hash: str, width: float, height: float) -> bytes:
    """The one-page overlay, rendered by WeasyPrint at ``width`` × ``height`` points."""
    css = STAMP_CSS.format(w=f"{width:.2f}", h=f"{height:.2f}", mid=f"{height / 2 - 20:.2f}")
    html = (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>stamp</title>"
            f"<style>{css}</style></head><body>"
            f"<div class='watermark'>{escape(watermark_text(n))}</div>"
            f"<div class='stamp'>{escape(stamp_text(n, built, short_hash))}</div></body></html>")
    from weasyprint import HTML  # only where stamps are made (on the workers, when there are some)

    return HTML(string=html).write_pdf()


def stamp_document(pdf: bytes, n: int, built: str, short_hash: str) -> bytes:
    """``pdf`` with the draft's watermark and stamp drawn over every page."""
    import pikepdf

    overlays: dict[tuple[float, float], bytes] = {}
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        forms: dict[tuple[float, float], pikepdf.Object] = {}
        for page in doc.pages:
            box = [float(v) for v in page.mediabox]
            size = (round(box[2] - box[0], 2), round(box[3] - box[1], 2))
            if size not in forms:
                overlays[size] = stamp_pdf(n, built, short_hash, *size)
                with pikepdf.open(io.BytesIO(overlays[size])) as src:
                    forms[size] = doc.copy_foreign(pikepdf.Page(src.pages[0]).as_form_xobject())
            name = page.add_resource(forms[size], pikepdf.Name.XObject, pikepdf.Name("/ReportgenDraftMarks"),
                                     replace_existing=True)
            # the page's own content may leave its graphics state changed (WeasyPrint flips the
            # y axis): wrap it in q … Q so that the overlay starts from the default state
            page.contents_add(pikepdf.Stream(doc, b"q\n"), prepend=True)
            page.contents_add(
                pikepdf.Stream(doc, b"\nQ q 1 0 0 1 %.2f %.2f cm /Artifact BMC %s Do EMC Q\n"
                               % (box[0], box[1], bytes(name))), prepend=False)
        out = io.BytesIO()
        doc.save(out, deterministic_id=True)
    return out.getvalue()

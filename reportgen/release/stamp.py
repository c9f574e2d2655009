"""Per-draft marks on a laid-out PDF: a watermark and a stamp on every page.

The marks are applied AFTER layout, so the HTML handed to WeasyPrint carries
no per-draft value and an unchanged document's layout can be reused from the
PDF cache. A one-page PDF holding the watermark ("DRAFT n — not for
circulation") and the stamp (draft number, build time, short input hash) is
rendered by WeasyPrint at the page's size and drawn on every page with
pikepdf, marked as an artifact so that assistive technology skips it and the
document's tagged structure stays as it was. The marks are drawn *first*, so
the page's content sits on top of them: the watermark runs diagonally, light,
behind the text, the tables and the key figures (the print CSS leaves the page
background transparent for that), and stays extractable as text.
"""

from __future__ import annotations

import io
from functools import lru_cache
from html import escape

STAMP_CSS = """
@page {{ size: {w}pt {h}pt; margin: 0; }}
html, body {{ margin: 0; padding: 0; }}
body {{ width: {w}pt; height: {h}pt; position: relative; font-family: "Noto Sans", "DejaVu Sans", sans-serif; }}
.watermark {{ position: absolute; left: -{w}pt; width: {w3}pt; top: {mid}pt; text-align: center;
  font-size: 40pt; font-weight: bold; color: rgb(246, 222, 222);
  letter-spacing: 1pt; white-space: nowrap; transform: rotate({angle}deg); transform-origin: 50% 50%; }}
.stamp {{ position: absolute; left: 0; right: 0; bottom: 6pt; text-align: center; font-size: 7pt;
  color: #7a1010; white-space: nowrap; }}
.topmark {{ position: absolute; left: 0; right: 0; top: 8pt; text-align: center; font-size: 7pt;
  font-weight: bold; color: #7a1010; white-space: nowrap; }}
"""


def watermark_text(n: int) -> str:
    return f"DRAFT {n} — not for circulation"


def stamp_text(n: int, built: str, short_hash: str) -> str:
    return f"Draft {n} · built {built} · inputs {short_hash}"


@lru_cache(maxsize=8)  # one overlay per draft and page size, shared by every document
def stamp_pdf(n: int, built: str, short_hash: str, width: float, height: float) -> bytes:
    """The one-page overlay, rendered by WeasyPrint at ``width`` × ``height`` points."""
    import math

    angle = -math.degrees(math.atan2(height, width))  # along the page's diagonal, bottom left to top right
    css = STAMP_CSS.format(w=f"{width:.2f}", w3=f"{width * 3:.2f}", h=f"{height:.2f}",
                           mid=f"{height / 2 - 26:.2f}", angle=f"{angle:.2f}")
    html = (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>stamp</title>"
            f"<style>{css}</style></head><body>"
            f"<div class='watermark'>{escape(watermark_text(n))}</div>"
            # the same words, small and level at the top: text extraction and search find them
            # (tools skip diagonal text)
            f"<div class='topmark'>{escape(watermark_text(n))}</div>"
            f"<div class='stamp'>{escape(stamp_text(n, built, short_hash))}</div></body></html>")
    from weasyprint import HTML  # only where stamps are made (on the workers, when there are some)

    return HTML(string=html).write_pdf()


def stamp_document(pdf: bytes, n: int, built: str, short_hash: str) -> bytes:
    """``pdf`` with the draft's watermark and stamp drawn on every page, behind its content."""
    return overlay_document(pdf, lambda w, h: stamp_pdf(n, built, short_hash, w, h), "/ReportgenDraftMarks")


def marks_pdf(diagonal: str, top: str, bottom: str, width: float, height: float) -> bytes:
    """A one-page overlay of ``width`` × ``height`` points: ``diagonal`` across the page (light, large),
    ``top`` level at the top and ``bottom`` at the foot (small, dark red), as the draft's marks are."""
    import math

    angle = -math.degrees(math.atan2(height, width))
    css = STAMP_CSS.format(w=f"{width:.2f}", w3=f"{width * 3:.2f}", h=f"{height:.2f}",
                           mid=f"{height / 2 - 26:.2f}", angle=f"{angle:.2f}")
    html = (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>marks</title>"
            f"<style>{css}</style></head><body><div class='watermark'>{escape(diagonal)}</div>"
            f"<div class='topmark'>{escape(top)}</div><div class='stamp'>{escape(bottom)}</div></body></html>")
    from weasyprint import HTML

    return HTML(string=html).write_pdf()


def overlay_document(pdf: bytes, overlay_for, resource: str) -> bytes:
    """``pdf`` with ``overlay_for(width, height)`` (a one-page PDF) drawn on every page first, behind the
    page's content, as an artifact (``resource``: the name of its form XObject)."""
    import pikepdf

    overlays: dict[tuple[float, float], bytes] = {}
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        forms: dict[tuple[float, float], pikepdf.Object] = {}
        for page in doc.pages:
            box = [float(v) for v in page.mediabox]
            size = (round(box[2] - box[0], 2), round(box[3] - box[1], 2))
            if size not in forms:
                overlays[size] = overlay_for(*size)
                with pikepdf.open(io.BytesIO(overlays[size])) as src:
                    forms[size] = doc.copy_foreign(pikepdf.Page(src.pages[0]).as_form_xobject())
            name = page.add_resource(forms[size], pikepdf.Name.XObject, pikepdf.Name(resource),
                                     replace_existing=True)
            # the marks first, in their own q … Q, then the page's own content (wrapped in q … Q too,
            # so that whatever graphics state it leaves does not leak), drawn on top of them
            page.contents_add(
                pikepdf.Stream(doc, b"q 1 0 0 1 %.2f %.2f cm /Artifact BMC %s Do EMC Q\nq\n"
                               % (box[0], box[1], bytes(name))), prepend=True)
            page.contents_add(pikepdf.Stream(doc, b"\nQ\n"), prepend=False)
        out = io.BytesIO()
        doc.save(out, deterministic_id=True)
    return out.getvalue()

"""Text over text, measured where readers see it: word boxes in a laid-out PDF (pdftotext -bbox, the
draft's watermark taken out first) and in a page in Chromium (each text's line boxes, SVG texts too).

Two words overlap when their boxes share more than a sliver of width and more than a third of the
smaller one's height: lines of one paragraph touch (a word's box is its font's full height) but do
not overlap that much; a label printed over another, or a figure running into the next column,
does. In a page, a word that runs off the right edge of the window (outside any scrolling box)
counts too.
"""

from __future__ import annotations

import subprocess
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

NS = "{http://www.w3.org/1999/xhtml}"
SHARE = 0.35  # of the smaller box's height
SLIVER = 0.5  # points (PDF) of width shared by boxes that only touch


def _unstamped(pdf: Path, folder: Path) -> Path:
    """A copy of ``pdf`` without the draft's marks (its diagonal watermark is not page content)."""
    import pikepdf

    out = folder / pdf.name
    with pikepdf.open(pdf) as doc:
        for page in doc.pages:
            xobjects = page.Resources.get("/XObject")
            if xobjects is not None and "/ReportgenDraftMarks" in xobjects:
                xobjects["/ReportgenDraftMarks"] = pikepdf.Stream(
                    doc, b"", Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Form, BBox=[0, 0, 1, 1])
        doc.save(out)
    return out


def pdf_words(pdf: Path) -> list[list[tuple[str, float, float, float, float]]]:
    """Each page's words: (text, x0, y0, x1, y1) in points, y down."""
    with tempfile.TemporaryDirectory() as tmp:
        plain = _unstamped(pdf, Path(tmp))
        out = subprocess.run(["pdftotext", "-bbox", str(plain), "-"], capture_output=True, text=True,
                             check=True).stdout
    pages = []
    for page in ET.fromstring(out).iter(NS + "page"):
        pages.append([(w.text or "", *(float(w.get(k)) for k in ("xMin", "yMin", "xMax", "yMax")))
                      for w in page.iter(NS + "word")])
    return pages


def overlapping(words: list[tuple], sliver: float = SLIVER) -> list[str]:
    """Pairs of words (text, x0, y0, x1, y1[, which text]) whose boxes overlap (a sweep down the
    page); the lines of one text are not compared with each other."""
    ordered = sorted(words, key=lambda w: w[2])
    out = []
    for i, a in enumerate(ordered):
        for b in ordered[i + 1:]:
            if b[2] >= a[4]:
                break
            if len(a) > 5 and len(b) > 5 and a[5] == b[5]:
                continue
            wide = min(a[3], b[3]) - max(a[1], b[1])
            high = min(a[4], b[4]) - max(a[2], b[2])
            if wide > sliver and high > SHARE * min(a[4] - a[2], b[4] - b[2]):
                out.append(f"'{a[0]}' over '{b[0]}' at ({a[1]:.0f}, {a[2]:.0f})")
    return out


def pdf_overlaps(pdf: Path) -> list[str]:
    return [f"{pdf.name} page {n}: {problem}" for n, words in enumerate(pdf_words(pdf), start=1)
            for problem in overlapping(words)]


# every text's line boxes in the page (and every SVG text's box), then the same sweep; text inside a
# closed <details> is not shown, so not measured
PAGE_SCRIPT = """() => {
  const boxes = [], off = [];
  const width = document.documentElement.clientWidth;
  const shown = (el) => { const s = getComputedStyle(el);
    return s.visibility !== 'hidden' && s.display !== 'none' && parseFloat(s.opacity) > 0; };
  const scrolls = (el) => { for (; el; el = el.parentElement) {
    if (['auto', 'scroll'].includes(getComputedStyle(el).overflowX)) return true; } return false; };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  let node, id = 0;
  while ((node = walker.nextNode())) {
    const el = node.parentElement, text = node.textContent.trim();
    if (!text || !el || !shown(el) || el.closest('svg, script, style, .skip-link')) continue;
    if (el.closest('details:not([open])') && !el.closest('summary')) continue;
    const inScroller = scrolls(el);
    range.selectNodeContents(node);
    id += 1;
    for (const r of range.getClientRects()) {
      if (r.width <= 0 || r.height <= 0) continue;
      boxes.push([text.slice(0, 30), r.left + scrollX, r.top + scrollY, r.right + scrollX, r.bottom + scrollY, id]);
      if (!inScroller && r.right > width + 1) off.push(text.slice(0, 30));
    }
  }
  for (const el of document.querySelectorAll('svg text')) {
    const r = el.getBoundingClientRect();
    id += 1;
    if (el.textContent.trim() && r.width > 0 && r.height > 0 && shown(el))
      boxes.push([el.textContent.trim(), r.left + scrollX, r.top + scrollY, r.right + scrollX, r.bottom + scrollY, id]);
  }
  return {boxes, off};
}"""


def page_overlaps(page) -> list[str]:
    """Words over words in the page open in ``page`` (Playwright), and words off its right edge."""
    found = page.evaluate(PAGE_SCRIPT)
    texts = [tuple(b) for b in found["boxes"]]
    return overlapping(texts, sliver=1.0) + [f"'{w}' runs off the page" for w in found["off"][:10]]

"""Reading a laid-out PDF page by page, as a reader sees it: text lines with their positions
(pdftotext -bbox-layout), the content area between the running header and the footer."""

from __future__ import annotations

import html as htmlmod
import re
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

NS = {"x": "http://www.w3.org/1999/xhtml"}
# pdftotext returns the diagonal draft watermark ("DRAFT n — not for circulation", 40 pt) as
# scattered tall fragments: they are not page content
_WATERMARK = re.compile(r"[DRAFT0-9—notfrciulaN\s]+")
MM = 72 / 25.4
TOP, BOTTOM = 24 * MM, 22 * MM  # the print margins of report.css (@page)


@dataclass
class Line:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass
class Page:
    number: int
    width: float
    height: float
    lines: list[Line]  # in the content area, top to bottom
    header: list[Line]  # above it (running headers, draft mark)

    @property
    def fill(self) -> float:
        """How much of the content area's height is used, 0–1."""
        if not self.lines:
            return 0.0
        top, bottom = TOP, self.height - BOTTOM
        return (max(line.y1 for line in self.lines) - top) / (bottom - top)

    @property
    def header_right(self) -> str:
        return " ".join(line.text for line in self.header if line.x0 > self.width / 2)


def pages(pdf: Path) -> list[Page]:
    out = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, text=True,
                         check=True).stdout
    root = ET.fromstring(out)
    result = []
    for n, page in enumerate(root.iter(f"{{{NS['x']}}}page"), start=1):
        width, height = float(page.get("width")), float(page.get("height"))
        content, header = [], []
        for line in page.iter(f"{{{NS['x']}}}line"):
            words = [w.text or "" for w in line.iter(f"{{{NS['x']}}}word")]
            item = Line(" ".join(words), *(float(line.get(k)) for k in ("xMin", "yMin", "xMax", "yMax")))
            if item.y1 - item.y0 > 16 and _WATERMARK.fullmatch(item.text):
                continue  # a piece of the diagonal draft watermark
            if item.y1 <= TOP - 12:  # the running headers sit well above the content
                header.append(item)
            elif item.y0 >= height - BOTTOM + 2:
                continue  # the page number and the draft stamp
            else:
                content.append(item)
        content.sort(key=lambda ln: (round(ln.y0), ln.x0))
        result.append(Page(n, width, height, content, header))
    return result


def headings(html_file: Path, levels: str = "234") -> dict[str, str]:
    """Heading text → its level ("h2"…) in a document's HTML (print-only content included)."""
    text = html_file.read_text(encoding="utf-8")
    out = {}
    for level, inner in re.findall(rf"<(h[{levels}])\b[^>]*>(.*?)</\1>", text, flags=re.S):
        plain = " ".join(htmlmod.unescape(re.sub(r"<[^>]+>", "", inner)).split())
        if plain:
            out[plain] = level
    return out


def is_heading(line: Line, names: dict[str, str]) -> str | None:
    """The heading a line shows (the whole heading, or its first line when it wraps), or None."""
    text = " ".join(line.text.split())
    for name in names:
        if text == name or (len(text) >= 12 and name.startswith(text)):
            return name
    return None


def chapter_headings(html_file: Path) -> dict[str, str]:
    """The headings of the parts that start on a new page (``<section class="… chapter …">``, and a
    draft's "Changes since draft n" appendix)."""
    text = html_file.read_text(encoding="utf-8")
    out = {}
    for inner in re.findall(r'<section\b[^>]*class="[^"]*\b(?:chapter|review-changes)\b[^"]*"[^>]*>\s*<h2\b[^>]*>(.*?)</h2>', text,
                            flags=re.S):
        plain = " ".join(htmlmod.unescape(re.sub(r"<[^>]+>", "", inner)).split())
        out[plain] = "h2"
    return out

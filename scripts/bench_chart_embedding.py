"""Measure how charts should be embedded in the PDF: SVG <img>, inline <svg>, or PNG.

Builds the sample report's HTML once, then renders it with WeasyPrint with the
charts embedded each way, three times each, and prints a Markdown table of the
median render time, PDF size, and whether chart text is extractable.

    .venv/bin/python scripts/bench_chart_embedding.py
"""

from __future__ import annotations

import base64
import io
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from reportgen.build import build  # noqa: E402
from reportgen.core.config import load_config  # noqa: E402
from reportgen.core.periods import Period  # noqa: E402
from reportgen.documents.render_pdf import render_pdf  # noqa: E402

IMG = re.compile(r'<img src="data:image/svg\+xml;base64,([^"]+)" alt="([^"]*)">')


def png_charts(config, period: Period, dpi: int = 200) -> list[bytes]:
    """The report's charts drawn again by matplotlib as PNG (same specs, same order)."""
    import matplotlib.pyplot as plt

    from reportgen.charts import make_charts
    from reportgen.charts import style as chart_style
    from reportgen.charts.draw import DRAW
    from reportgen.disclosure.confidentiality import confidentialise
    from reportgen.inputs.register import load_events, load_register
    from reportgen.inputs.submissions import load_submissions
    from reportgen.inputs.validate import validate
    from reportgen.statistics.aggregate import aggregate

    register, _ = load_register(config)
    events, _ = load_events(config)
    data = validate(load_submissions(config), register, config)
    agg = aggregate(data.rows, register, config, period)
    store = confidentialise(agg, config, config.confidentiality_key())
    charts = make_charts(store, config, period, agg.quarters, events)

    def to_png(fig) -> bytes:
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", pad_inches=0.05)
        plt.close(fig)
        return buf.getvalue()

    original = chart_style.to_svg
    chart_style.to_svg = to_png
    try:
        return [DRAW[c.kind](c.draw) for c in charts]
    finally:
        chart_style.to_svg = original


def variants(html: str, pngs: list[bytes]) -> dict[str, str]:
    def inline(m):
        svg = base64.b64decode(m.group(1)).decode()
        svg = re.sub(r"^<\?xml[^>]*>\s*<!DOCTYPE[^>]*>\s*", "", svg, flags=re.S)
        return svg.replace("<svg ", f'<svg role="img" aria-label="{m.group(2)}" style="width:100%;height:auto" ', 1)

    queue = list(pngs)

    def png(m):
        data = queue.pop(0)
        return f'<img src="data:image/png;base64,{base64.b64encode(data).decode()}" alt="{m.group(2)}">'

    return {"SVG as <img> (data: URI)": html, "inline <svg>": IMG.sub(inline, html),
            "PNG 200 dpi (data: URI)": IMG.sub(png, html)}


def main() -> None:
    config = load_config(REPO / "config.yaml")
    with tempfile.TemporaryDirectory() as tmp:
        config = config.model_copy(update={"output": config.output.model_copy(update={"folder": tmp})})
        result = build(config, Period.parse("2025H1"))
        html = (result.out_dir / "report.html").read_text(encoding="utf-8")
        charts = len(IMG.findall(html))
        rows = []
        for name, variant in variants(html, png_charts(config, Period.parse("2025H1"))).items():
            times, pdf = [], b""
            for _ in range(3):
                start = time.perf_counter()
                pdf, _ = render_pdf(variant, base_dir=REPO / "reportgen" / "templates", allowed=[REPO / "reportgen" / "templates"],
                                    source="bench")
                times.append(time.perf_counter() - start)
            path = Path(tmp) / "x.pdf"
            path.write_bytes(pdf)
            text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
            pages = re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(path)], capture_output=True,
                                                                 text=True).stdout).group(1)
            rows.append((name, statistics.median(times), len(pdf) / 1024, "n assessed" in text, pages))
    print(f"Sample national report, {charts} charts, WeasyPrint, median of 3 renders:\n")
    print("| embedding | render time | PDF size | chart text extractable | pages |")
    print("|---|---|---|---|---|")
    for name, t, kb, extractable, pages in rows:
        print(f"| {name} | {t:.2f} s | {kb:,.0f} KiB | {'yes' if extractable else 'no'} | {pages} |")


if __name__ == "__main__":
    main()

"""Hostile templates and hostile narratives: the PDF renderer fetches nothing it should not.

A real build of the sample project, with a template that tries to attach, load
and import local files and network resources, and a narrative that tries raw
HTML and Markdown images pointing at local files. A real HTTP server listens at
the address the template names, and records every request it gets: it must get
none. The PDFs are read back with pikepdf (attachments, every stream decoded)
and must carry nothing of the files named.
"""

from __future__ import annotations

import http.server
import threading
from pathlib import Path

import pikepdf
import pytest

from reportgen.build import build
from reportgen.core.config import load_config
from reportgen.core.periods import Period

from .conftest import copy_project, own_template, small_project

pytestmark = pytest.mark.slow  # builds projects, or runs many generated cases

SECRET = "reportgen-hostile-secret-7f3a"


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        type(self).requests.append(self.path)
        body = b"GIF89a" + SECRET.encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    _Recorder.requests = []
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}", _Recorder.requests
    srv.shutdown()
    srv.server_close()


def every_stream_and_attachment(pdf_path: Path) -> tuple[bytes, dict]:
    """All decoded stream data and string objects of a PDF, and its attachments."""
    chunks: list[bytes] = []
    with pikepdf.open(pdf_path) as pdf:
        attachments = dict(pdf.attachments)
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Stream):
                try:
                    chunks.append(obj.read_bytes())
                except pikepdf.PdfError:
                    chunks.append(obj.read_raw_bytes())
            elif isinstance(obj, pikepdf.Dictionary):
                chunks.append(repr(obj).encode("utf-8", "replace"))
    return b"\n".join(chunks), attachments


def hostile_layout(base: str, secret_file: Path) -> str:
    """The shipped base layout, with hostile additions in head and body."""
    return (f'<link rel="attachment" href="file:///etc/passwd">\n'
            f'<link rel="attachment" href="{secret_file.as_uri()}">\n'
            f'<link rel="stylesheet" href="{base}/sheet.css">\n'
            f'<style>@import url(file:///etc/hostname); @import url("{base}/import.css");\n'
            f'body {{ background: url({base}/bg.png); }} h1 {{ background-image: url({secret_file.as_uri()}); }}'
            f'</style>\n')


def test_hostile_template_fetches_nothing_and_every_refusal_is_reported(tmp_path, server):
    base, requests = server
    root = small_project(tmp_path / "project")  # the report and three briefs: every document is laid out
    secret_file = tmp_path / "secret.txt"  # outside the templates folder
    secret_file.write_text(SECRET, encoding="utf-8")
    layout = own_template(root, "_base.html.j2")
    text = layout.read_text(encoding="utf-8")
    hostile = hostile_layout(base, secret_file)
    text = text.replace("</head>", hostile + "</head>", 1)
    text = text.replace("{% block content %}", f'<img src="{base}/pixel.gif" alt="x">'
                        f'<img src="{secret_file.as_uri()}" alt="y">{{% block content %}}', 1)
    layout.write_text(text, encoding="utf-8")

    result = build(load_config(root / "config.yaml"), Period.parse("2025H1"))

    assert result.ok, [f.format() for f in result.findings if f.is_error]
    assert requests == []  # the server saw nothing: no network fetch at all
    blocked = [f for f in result.findings if f.code == "render.blocked-url"]
    expected_urls = {"file:///etc/passwd", secret_file.as_uri(), f"{base}/sheet.css", "file:///etc/hostname",
                     f"{base}/import.css", f"{base}/bg.png", f"{base}/pixel.gif"}
    by_doc: dict[str, set[str]] = {}
    for f in blocked:
        assert f.severity == "warning"
        assert f.hint == "documents may only use files in templates/ and data: URLs"
        url = f.message.removeprefix("refused to fetch '").removesuffix("' while making the PDF")
        by_doc.setdefault(f.file, set()).add(url)
    # the shared layout is in every document: the report and every brief report the refusals
    briefs = sorted(p.stem for p in (result.out_dir / "briefs").glob("*.pdf"))
    assert set(by_doc) == {"report.html", *(f"briefs/{code}.html" for code in briefs)}
    for doc, urls in by_doc.items():
        assert expected_urls <= urls, (doc, expected_urls - urls)
    passwd = Path("/etc/passwd").read_text(encoding="utf-8").splitlines()[0].encode()
    for pdf_path in [result.out_dir / "report.pdf", result.out_dir / "briefs" / f"{briefs[0]}.pdf"]:
        data, attachments = every_stream_and_attachment(pdf_path)
        assert attachments == {}
        assert b"/EmbeddedFile" not in data
        assert SECRET.encode() not in data
        assert passwd not in data
        assert b"GIF89a" not in data


NARRATIVE_ATTACKS = [
    '![logo](file:///etc/passwd)',
    '<img src="file:///etc/passwd" alt="x">',
    '<link rel="attachment" href="file:///etc/passwd">',
    '![secret](SECRET_FILE)',
    '<img src="SERVER/story.gif">',
]


def test_hostile_narrative_is_reported_and_nothing_is_fetched_or_embedded(tmp_path, server):
    base, requests = server
    root = copy_project(tmp_path / "project")
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text(SECRET, encoding="utf-8")
    report_yaml = root / "narratives" / "2025H1" / "report.yaml"
    text = report_yaml.read_text(encoding="utf-8")
    attacks = [a.replace("SECRET_FILE", secret_file.as_uri()).replace("SERVER", base) for a in NARRATIVE_ATTACKS]
    lines = "".join(f"\n\n  {a}" for a in attacks)
    marker = "  Behind every number is a whānau"
    assert marker in text
    text = text.replace(marker, lines.lstrip("\n") + "\n\n" + marker, 1)
    report_yaml.write_text(text, encoding="utf-8")

    result = build(load_config(root / "config.yaml"), Period.parse("2025H1"))

    found = {(f.code, f.file) for f in result.findings if f.code.startswith("markdown.")}
    source = "narratives/2025H1/report.yaml"
    assert ("markdown.image", source) in found
    assert ("markdown.raw-html", source) in found
    messages = [f.message for f in result.findings if f.code.startswith("markdown.")]
    assert "images cannot be placed in narrative text (file:///etc/passwd)" in messages
    assert f"images cannot be placed in narrative text ({secret_file.as_uri()[:60]})" in messages  # cut at 60
    assert 'HTML is not allowed in narrative text: <img src="file:///etc/passwd" alt="x">' in messages
    assert 'HTML is not allowed in narrative text: <link rel="attachment" href="file:///etc/passwd">' in messages
    assert requests == []
    # narrative problems are errors: the build stops before anything is rendered or written
    assert not result.ok and result.out_dir is None
    assert {f.severity for f in result.findings if f.code.startswith("markdown.")} == {"error"}


def test_hostile_narrative_html_fetches_nothing_even_if_it_reached_the_renderer(tmp_path, server):
    """Second line of defence: the Markdown renderer's output for the same attacks, laid out as a
    PDF with the real fetcher, fetches and embeds nothing."""
    from reportgen.documents.render_pdf import render_pdf
    from reportgen.narratives.markdown import markdown_to_html

    base, requests = server
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text(SECRET, encoding="utf-8")
    attacks = [a.replace("SECRET_FILE", secret_file.as_uri()).replace("SERVER", base) for a in NARRATIVE_ATTACKS]
    body = "".join(markdown_to_html(a) for a in attacks)
    assert "<img" not in body and "<link" not in body  # escaped or dropped, never live
    html = f'<!DOCTYPE html><html lang="en-NZ"><head><title>t</title></head><body><main>{body}</main></body></html>'
    templates = tmp_path / "templates"
    templates.mkdir()
    pdf, findings = render_pdf(html, base_dir=templates, allowed=[templates], source="report.html")
    assert requests == [] and findings == []
    out = tmp_path / "n.pdf"
    out.write_bytes(pdf)
    data, attachments = every_stream_and_attachment(out)
    assert attachments == {} and SECRET.encode() not in data and b"GIF89a" not in data

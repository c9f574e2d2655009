"""te reo Māori phrases tagged lang="mi": the glossary, an editor's [[mi: …]] markup and its
findings; and the publication config's values checked with coded, located findings."""

from __future__ import annotations

import pytest

from reportgen.core import codes
from reportgen.core.config import load_config
from reportgen.core.findings import StageFailed
from reportgen.documents.language import plain, problems, tag_html

from .conftest import REPO, copy_project

GLOSSARY = {"mi": ["ngā mihi nui", "ngā mihi", "whānau", "Aotearoa", "kai", "Māori"]}


def page(body: str, head: str = "<title>t</title>") -> str:
    return f'<!DOCTYPE html><html lang="en-NZ"><head>{head}</head><body>{body}</body></html>'


def test_glossary_phrases_are_tagged_longest_first_and_only_as_whole_words():
    html = tag_html(page("<p>Ngā mihi nui to every whānau in Aotearoa New Zealand; kai at Kaiapoi, "
                         "Tipene-Kai and kaimoana.</p>"), GLOSSARY, document_lang="en-NZ")
    body = html.split("<body>", 1)[1]
    assert '<span lang="mi">Ngā mihi nui</span>' in body  # not "ngā mihi" + " nui"
    assert '<span lang="mi">whānau</span>' in body and '<span lang="mi">Aotearoa</span> New Zealand' in body
    assert '<span lang="mi">kai</span> at Kaiapoi' in body  # Kaiapoi, kaimoana, Tipene-Kai left alone
    assert body.count('lang="mi"') == 4


def test_markup_is_converted_and_never_reaches_head_attributes_or_existing_languages():
    html = tag_html(page('<p>[[mi: Te Hunga e Tautokona]]: who we support. <img alt="[[mi: kai]] a">'
                         '<span lang="sm">kai</span> <code>kai</code></p><style>.kai {}</style>',
                         head="<title>[[mi: Te Hunga]] x</title>"), GLOSSARY, document_lang="en-NZ")
    head, body = html.split("<body>", 1)
    assert "<title>Te Hunga x</title>" in head and "[[" not in html
    assert '<span lang="mi">Te Hunga e Tautokona</span>: who' in body
    assert 'alt="kai a"' in body  # inside an attribute: the markup is removed, no tag added
    assert '<span lang="sm">kai</span>' in body and "<code>kai</code>" in body and ".kai {}" in body


def test_malformed_markup_is_left_as_written_and_each_kind_has_a_code():
    text = "a [[mi: ok]] b [[xx: no]] [[mi:]] [[mi: *half]] [[mi ngā]] c"
    found = {code for code, _, _ in problems(text)}
    assert found == {"lang.unknown-language", "lang.empty", "lang.unbalanced", "lang.malformed"}
    assert all(code in codes.REGISTRY for code in found)
    assert problems("[[mi: ngā mihi nui]] and [[sm: talofa]]") == []
    html = tag_html(page("<p>[[xx: no]] [[mi ngā]]</p>"), GLOSSARY, document_lang="en-NZ")
    assert "[[xx: no]] [[mi ngā]]" in html  # visible, so the editor sees it; never a traceback
    assert plain("[[mi: Te Hunga]] x") == "Te Hunga x"


def test_numbers_and_percent_signs_are_joined_in_editors_text():
    html = tag_html(page("<p>up 12 % on last year</p>"), {}, document_lang="en-NZ")
    assert "12\u00a0%" in html


@pytest.mark.parametrize("key,value,message", [
    ("issn", "1234-5678", "check digit"),
    ("release_time", "25:00", "HH:MM"),
    ("base_url", "ftp://example.org", "web address"),
    ("citation", "{publisher} {month}", "{month}"),
])
def test_bad_publication_values_are_coded_located_findings(tmp_path, key, value, message):
    root = copy_project(tmp_path / "p", data=False)
    text = (root / "config.yaml").read_text(encoding="utf-8")
    text = text.replace("publication:\n", f"publication:\n  {key}: '{value}'\n", 1)
    if key in ("release_time",):
        text = text.replace('  release_time: "10:00"             # New Zealand time\n', "", 1)
    (root / "config.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(StageFailed) as failed:
        load_config(root / "config.yaml")
    found = failed.value.findings
    assert any(f.code == "config.invalid-value" and message in f.message and f.line for f in found), \
        [f.format() for f in found]


def test_the_sample_config_validates_and_defaults_to_cc_by():
    pub = load_config(REPO / "config.yaml").publication
    assert pub.licence == "CC BY 4.0" and pub.licence_link == "https://creativecommons.org/licenses/by/4.0/"
    assert load_config(REPO / "config.yaml").glossary.phrases()["mi"][0]  # longest first


def test_downloads_link_absolute_under_the_base_url_and_relative_without(tmp_path):
    from pathlib import Path

    from reportgen.core.periods import Period
    from reportgen.disclosure.confidentiality import PublishedStore
    from reportgen.documents.documents import downloads
    from reportgen.documents.render_pdf import render_pdf
    from reportgen.figures.metrics import compute_metrics
    from reportgen.inputs.register import load_register
    from reportgen.inputs.submissions import load_submissions
    from reportgen.inputs.validate import validate
    from reportgen.statistics.aggregate import aggregate

    root = copy_project(tmp_path / "p")
    config = load_config(root / "config.yaml")
    register, _ = load_register(config)
    agg = aggregate(validate(load_submissions(config), register, config).rows, register, config,
                    Period.parse("2025H1"))
    metrics = compute_metrics(PublishedStore(agg.cells, config, "links-key"), agg, config)
    rel = downloads(metrics, config, "../")
    assert rel[0].href == "../tables/tables.xlsx" and rel[0].file == "tables/tables.xlsx"
    text = (root / "config.yaml").read_text(encoding="utf-8").replace(
        "publication:\n", "publication:\n  base_url: https://www.example.org.nz/reports/2025H1\n", 1)
    (root / "config.yaml").write_text(text, encoding="utf-8")
    config = load_config(root / "config.yaml")
    absolute = downloads(metrics, config, "../")
    assert absolute[0].href == "https://www.example.org.nz/reports/2025H1/tables/tables.xlsx"
    # in the PDF: a relative link stays relative (never a file:// path), an absolute one as it is
    html = ('<!DOCTYPE html><html lang="en"><head><title>t</title></head><body>'
            '<p><a href="../tables/clients.csv">a</a> <a href="tables/x.csv">b</a> '
            f'<a href="{absolute[1].href}">c</a></p></body></html>')
    import io

    import pikepdf
    pdf, _ = render_pdf(html, base_dir=root / "templates", allowed=[root / "templates"], source="t")
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        uris = [str(a.A.URI) for a in doc.pages[0].Annots]
    assert uris == ["../tables/clients.csv", "tables/x.csv", absolute[1].href]
    # no trace of the build folder (link descriptions, the file ID): laid out elsewhere, the same bytes
    other = copy_project(tmp_path / "elsewhere", data=False)
    again, _ = render_pdf(html, base_dir=other / "templates", allowed=[other / "templates"], source="t")
    assert again == pdf and str(root).encode() not in pdf
    assert Path(absolute[1].href).name.endswith(".csv")

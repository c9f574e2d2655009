"""Parallel, cached PDF layout: real WeasyPrint in a spawn process pool, PDFs read back with pdftotext."""

from __future__ import annotations

import multiprocessing
import os
import pickle
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from reportgen.charts import _draw_job
from reportgen.cli import cli
from reportgen.core.config import load_config
from reportgen.documents import render_pdf
from reportgen.documents.render_html import Document
from reportgen.documents.render_pdf import pdf_cache, render_documents
from reportgen.release.stamp import stamp_document
from reportgen.runtime.cache import CACHE_ENV
from reportgen.runtime.workers import Workers

from .conftest import copy_project, own_template

pytestmark = pytest.mark.slow  # builds projects, or runs many generated cases


def doc(name: str, words: str, pages: int = 1) -> Document:
    body = "".join(f'<section style="break-after: page"><h1>{words} {i}</h1><p>{words} page {i}.</p></section>'
                   for i in range(1, pages + 1))
    return Document(name, words, f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{words}'
                                 f"</title></head><body>{body}</body></html>")


def text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "read.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def pages(pdf: bytes, tmp_path: Path) -> int:
    path = tmp_path / "pages.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


@pytest.fixture(autouse=True)
def own_cache(monkeypatch):
    monkeypatch.delenv(CACHE_ENV, raising=False)  # this project's own .reportgen-cache/, counted below


@pytest.fixture
def config(tmp_path: Path):
    return load_config(copy_project(tmp_path / "project", data=False) / "config.yaml")


DOCS = [doc("report", "National report", 3), doc("briefs/AKL", "Auckland brief", 1),
        doc("briefs/WGN", "Wellington brief", 2)]


def test_documents_render_in_parallel_in_order_and_are_cached(config, tmp_path: Path):
    results = render_documents(DOCS, config, jobs=2, use_cache=False)
    assert [pages(pdf, tmp_path) for pdf, _ in results] == [3, 1, 2]
    for d, (pdf, findings) in zip(DOCS, results):
        assert d.title + " 1" in text(pdf, tmp_path) and findings == []
    cached = sorted((pdf_cache(config)).glob("*.pdf"))
    assert len(cached) == 3
    stamps = {p: p.stat().st_mtime_ns for p in cached}
    again = render_documents(DOCS, config, jobs=2)
    assert [pdf for pdf, _ in again] == [pdf for pdf, _ in results]  # byte-identical: served from the cache
    assert {p: p.stat().st_mtime_ns for p in cached} == stamps  # nothing was laid out or rewritten


def test_sequential_and_parallel_layouts_read_the_same(config, tmp_path: Path):
    one = render_documents(DOCS, config, jobs=1, use_cache=False)
    two = render_documents(DOCS, config, jobs=2, use_cache=False)
    assert [text(a, tmp_path) for a, _ in one] == [text(b, tmp_path) for b, _ in two]


def test_only_the_changed_document_is_laid_out_again(config, tmp_path: Path):
    render_documents(DOCS, config, jobs=2)
    folder = pdf_cache(config)
    before = {p.name for p in folder.glob("*.pdf")}
    edited = [DOCS[0], doc("briefs/AKL", "Auckland brief, edited", 1), DOCS[2]]
    results = render_documents(edited, config, jobs=2)
    after = {p.name for p in folder.glob("*.pdf")}
    assert len(after - before) == 1  # exactly one new layout
    assert "Auckland brief, edited 1" in text(results[1][0], tmp_path)
    assert "Wellington brief 1" in text(results[2][0], tmp_path)


def test_a_torn_cached_pdf_is_laid_out_again_and_findings_survive_the_cache(config, tmp_path: Path):
    hostile = Document("report", "Hostile", '<!doctype html><html lang="en"><head><title>H</title></head><body>'
                                            '<p>Hostile</p><img src="file:///etc/passwd" alt=""></body></html>')
    (pdf, findings), = render_documents([hostile], config, jobs=1)
    assert [f.code for f in findings] == ["render.blocked-url"]
    (_, from_cache), = render_documents([hostile], config, jobs=1)
    assert from_cache == findings  # the warning is not lost when the layout comes from the cache
    entry, = (pdf_cache(config)).glob("*.pdf")
    entry.write_bytes(b"%PDF-1.7 torn")
    (again, _), = render_documents([hostile], config, jobs=1)
    assert again.startswith(b"%PDF") and "Hostile" in text(again, tmp_path)


def test_the_key_is_the_exact_html_and_the_renderer(config):
    renderer = render_pdf.renderer_digest([config.root / "templates"])
    assert render_pdf.layout_key("<p>a</p>", renderer) != render_pdf.layout_key("<p>a</p> ", renderer)
    assert render_pdf.layout_key("<p>a</p>", renderer) != render_pdf.layout_key("<p>a</p>", renderer + "x")
    own_template(config.root, "report.css").open("a").write("\n/* a fetchable file changed */\n")
    assert render_pdf.renderer_digest([config.root / "templates"]) != renderer


def test_the_worker_is_spawn_safe():
    # a spawned worker receives the function by reference: it must be a module-level name
    for job in (render_pdf._render_job, _draw_job, stamp_document):
        assert pickle.loads(pickle.dumps(job)) is job


def _meet(barrier) -> int:
    barrier.wait(timeout=60)  # returns only when both tasks run at the same time
    return os.getpid()


@pytest.mark.parametrize("spawn", ["0", "1"], ids=["forkserver", "spawn"])
def test_two_jobs_run_at_the_same_time_in_two_processes(monkeypatch, spawn: str):
    monkeypatch.setenv("REPORTGEN_SPAWN", spawn)  # 1: plain spawn, as on systems without forkserver
    with multiprocessing.get_context("spawn").Manager() as manager, Workers(2) as workers:
        barrier = manager.Barrier(2)
        pids = workers.map(_meet, [barrier, barrier])
    assert len(set(pids)) == 2 and os.getpid() not in pids


def test_one_job_runs_here_one_task_after_another():
    with Workers(1) as workers:
        assert not workers.parallel and workers.map(_pid, [0, 1]) == [os.getpid()] * 2


def test_jobs_must_be_positive(tmp_path: Path):
    result = CliRunner().invoke(cli, ["build", "2025H1", "--jobs", "0"])
    assert result.exit_code == 2
    assert "--jobs" in result.output and "0 is not in the range x>=1" in result.output


def _pid(_: object) -> int:
    return os.getpid()


def test_a_command_its_forkserver_and_its_workers_collect_garbage_less_often():
    """runtime/memory.fewer_collections where the work is done: a command's own process (cli.main), the
    forkserver, which imports WeasyPrint and matplotlib after its first preload (runtime/deathsig.py),
    and each worker; importing reportgen alone changes nothing."""
    import gc
    import sys

    from reportgen.runtime.deathsig import PARENT_ENV
    from reportgen.runtime.memory import MIDDLE, OLD, YOUNG

    def thresholds(code: str, **env: str) -> str:
        out = subprocess.run([sys.executable, "-c", f"import gc\n{code}\nprint('gc', *gc.get_threshold())"],
                             capture_output=True, text=True, check=True, env={**os.environ, **env}).stdout
        return out.splitlines()[-1]

    tuned = "gc " + " ".join(map(str, (YOUNG, MIDDLE, OLD)))
    python = thresholds("")  # this Python's own (700 10 10 up to 3.12)
    assert python != tuned  # else the test would prove nothing
    assert thresholds("import reportgen.cli, reportgen.runtime.deathsig") == python
    assert thresholds("from reportgen.cli import main\nmain(['--version'])") == tuned
    assert thresholds("import reportgen.runtime.deathsig", **{PARENT_ENV: str(os.getpid())}) == tuned  # the forkserver
    with Workers(2) as workers:  # forked from the forkserver (a spawned worker sets it in its initializer)
        assert "gc " + " ".join(map(str, workers.submit(gc.get_threshold).result())) == tuned

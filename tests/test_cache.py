"""The build caches can never serve stale output.

For every kind of input a build reads — a data file, the member register,
the events file, a narrative, a story, a template, a config section, the
disclosure rules, the rounding key — the test changes it in a project with a
warm cache, builds again with the cache, and asserts the documents equal a
build of the same inputs with ``use_cache=False`` and differ from before the
change. reportgen's own source is covered through the keys (the
fingerprint's ``reportgen`` part). The project is small (5 members: the
report and three briefs) so that every kind can be built four times; the
caches do not depend on the project's size.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from reportgen.build import build, check
from reportgen.core.config import load_config
from reportgen.core.periods import Period
from reportgen.runtime.cache import CACHE_ENV, StageCache, cache_dir, stage_key
from reportgen.runtime.fingerprint import Fingerprint, input_fingerprint, remember_data_hashes

from .conftest import cli_in_process, copied, own_template, small_project

pytestmark = pytest.mark.slow  # builds projects, or runs many generated cases

P = Period.parse("2025H1")


@pytest.fixture(scope="module", autouse=True)
def own_caches():
    """Each project's own .reportgen-cache/ (not the session's shared one); a fixed build date."""
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv(CACHE_ENV, raising=False)
        mp.delenv("REPORTGEN_CONFIDENTIALITY_KEY", raising=False)
        mp.setenv("SOURCE_DATE_EPOCH", "1757894400")  # 2025-09-15: the same build date every time
        yield


@pytest.fixture(scope="module")
def warm(tmp_path_factory) -> Path:
    """A small project whose cache has been filled by one build."""
    root = small_project(tmp_path_factory.mktemp("warm") / "project")
    html_documents(root)
    return root


def html_documents(root: Path, **kwargs) -> dict[str, str]:
    result = build(load_config(root / "config.yaml"), P, html_only=True, **kwargs)
    assert result.ok, [f.format() for f in result.findings if f.is_error]
    assert result.out_dir is None and not (root / "output").exists()  # html_only writes nothing
    return {doc.name: doc.html for doc in result.documents}


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def resubmit(root: Path) -> None:
    """One member resubmits a 2025Q2 file with more volunteer hours (shown in the summary)."""
    files = sorted((root / "data" / "submissions" / "2025Q2").glob("*.csv"))
    target = files[len(files) // 2]
    lines = target.read_text(encoding="utf-8").splitlines(keepends=True)
    for i, line in enumerate(lines):
        if ",volunteer_hours," in line:
            head, value = line.rstrip("\r\n").rsplit(",", 1)
            lines[i] = f"{head},{int(float(value)) + 1000}\n"
            break
    else:
        raise AssertionError(f"no volunteer_hours row in {target}")
    target.write_text("".join(lines), encoding="utf-8")


CHANGES = {
    "data file": resubmit,
    "register": lambda root: (root / "data" / "members.csv").open("a", encoding="utf-8").write(
        "ZZZ001,Zed New Community Trust,Independent,AKL,2023Q3,\n"),
    "events": lambda root: _replace(root / "data" / "events.yaml", "title: General election",
                                    "title: The general election"),
    "narrative": lambda root: _replace(root / "narratives" / "2025H1" / "report.yaml", "Who we support",
                                       "Who we stand beside"),
    "story": lambda root: _replace(root / "narratives" / "2025H1" / "stories" / "kai-on-the-table.yaml",
                                   " the ", " that "),
    "template": lambda root: own_template(root, "report.css").open("a", encoding="utf-8").write(
        "\n.cache-test { color: #123456; }\n"),
    "config section": lambda root: _replace(root / "config.yaml", "  AKL: Auckland", "  AKL: Tāmaki Makaurau"),
    "disclosure rules": lambda root: _replace(root / "config.yaml", "min_members: 3", "min_members: 4"),
    "rounding key": lambda root: _replace(root / "config.yaml", "key: sample-data-only-not-a-secret",
                                          "key: another-sample-key"),
}


def test_cached_build_follows_every_kind_of_input(warm: Path, tmp_path: Path):
    """The kinds one after another in one copy of the warm project (each change on top of the ones before):
    every cached build after a change starts from a cache, and a memory of the data's hashes, that the
    build before it in the same folder left — as a staff member's edits follow one another."""
    root = copied(warm, tmp_path / "project")  # with its warm .reportgen-cache/
    before = html_documents(root)  # charts from the cache; the stage caches filled for this folder
    assert html_documents(root) == before  # served from the cache, identical
    for kind, change in CHANGES.items():
        change(root)
        cached = html_documents(root)
        fresh = html_documents(root, use_cache=False)
        assert cached == fresh, f"the cache served stale output after a {kind} change"
        assert cached != before, f"a {kind} change did not change the report (the test would prove nothing)"
        before = cached


def _checked(root: Path, **kwargs) -> tuple[list[str], set[str]]:
    """``reportgen check``'s findings (as printed) and the stages it ran."""
    result = check(load_config(root / "config.yaml"), P, **kwargs)
    return [f.format() for f in result.findings], set(result.timings)


class _TooBigToKeep:
    """A stage result whose pickling runs out of memory (as a large one does under REPORTGEN_MEMORY_LIMIT)."""

    def __reduce__(self):
        raise MemoryError


def test_a_result_too_big_to_keep_is_returned_not_kept_with_one_warning(tmp_path: Path):
    from reportgen.runtime.cache import take_warnings

    take_warnings()
    cache = StageCache(tmp_path)
    value = cache.run("big", "k", _TooBigToKeep)
    assert isinstance(value, _TooBigToKeep) and not (cache_dir(tmp_path) / "stages" / "big").exists()
    assert [(w.code, w.severity) for w in take_warnings()] == [("cache.not-written", "warning")]


def test_check_shares_the_builds_caches_and_reads_the_data_again_only_when_they_change(warm: Path, tmp_path: Path):
    """``check`` keeps the data it read and the figures it made in the stage cache, as a build does: after
    an edit to a narrative it does not read the data again, and says what a check without the cache says;
    after an edit to the data it reads them again and reports the new problem; a build after a check starts
    from what the check read. ``check --no-cache`` writes nothing."""
    root = copied(warm, tmp_path / "project")
    found, stages = _checked(root)
    assert "load" in stages and found == _checked(root, use_cache=False)[0]  # a new folder: read once
    CHANGES["narrative"](root)
    found, stages = _checked(root)
    assert "inputs (cached)" in stages and "load" not in stages
    assert found == _checked(root, use_cache=False)[0]
    bad = root / "data" / "submissions" / "2025Q2" / "ZZZ.csv"
    bad.write_text("org_id,period,region,measure,dimension,category,value\nZZZ001,2025Q2,AKK,clients,total,,12\n",
                   encoding="utf-8")
    found, stages = _checked(root)
    assert "load" in stages and any("ZZZ.csv:2:3: error: unknown region code 'AKK'" in f for f in found), found
    assert found == _checked(root, use_cache=False)[0]
    bad.unlink()
    assert "load" not in _checked(root)[1]  # the data as they were before: their entry is still there
    built = build(load_config(root / "config.yaml"), P, html_only=True)
    assert built.ok and "inputs (cached)" in built.timings
    fresh = small_project(tmp_path / "fresh")
    done = cli_in_process("check", "2025H1", "-q", "--no-cache", cwd=fresh)
    assert done.returncode == 0 and "0 errors" in done.stdout, done.stdout + done.stderr
    assert not cache_dir(fresh).exists()  # --no-cache: nothing written


def test_a_workbook_read_before_is_not_read_again_until_its_bytes_change(project: Path, monkeypatch):
    """The workbooks (the slow files to read) a build read are kept (``submissions.Workbooks``, in the stage
    cache between builds): the next load reads none of them again and gives the same rows and findings;
    a workbook whose bytes changed is read again, and only it."""
    from openpyxl import load_workbook

    from reportgen.inputs import submissions

    config = load_config(project / "config.yaml")
    books = submissions.Workbooks()
    first = submissions.load_submissions(config, books)
    assert len(books.now) == len(list(config.submissions_dir.rglob("*.xlsx"))) > 1
    parsed: list[str] = []
    real = submissions._parse_xlsx
    monkeypatch.setattr(submissions, "_parse_xlsx", lambda raw, shown, *a: parsed.append(shown) or real(raw, shown, *a))
    again = submissions.load_submissions(config, books := submissions.Workbooks(books.now))
    assert parsed == [] and again.rows.equals(first.rows) and again.columns == first.columns
    assert [f.format() for f in again.findings] == [f.format() for f in first.findings]
    target = sorted(config.submissions_dir.rglob("*.xlsx"))[-1]
    wb = load_workbook(target)
    ws = wb["submission"] if "submission" in wb.sheetnames else wb.worksheets[0]
    ws.cell(row=2, column=7).value = 98765  # the value column of the first row
    wb.save(target)
    changed = submissions.load_submissions(config, submissions.Workbooks(books.now))
    assert parsed == [f"data/submissions/{target.relative_to(config.submissions_dir).as_posix()}"]
    assert "98765" in set(changed.rows["value"].astype(str))
    assert changed.rows.equals(submissions.load_submissions(config).rows)  # as a load without the memory


def test_a_workbook_with_an_error_is_read_again_and_running_out_of_memory_is_not_its_error(project: Path,
                                                                                              monkeypatch):
    """A workbook that cannot be read is not remembered (it is read, and reported, again next time); and the
    machine's memory running out while openpyxl opens one is an out-of-memory error, not ``data.bad-xlsx``
    (which the memory would have kept for good)."""
    import openpyxl

    from reportgen.inputs import submissions

    config = load_config(project / "config.yaml")
    (config.submissions_dir / "2025Q2" / "BROKEN.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    books = submissions.Workbooks()
    read = submissions.load_submissions(config, books)
    assert [f.file for f in read.findings if f.code == "data.bad-xlsx"] == ["data/submissions/2025Q2/BROKEN.xlsx"]
    assert not any(name.endswith("BROKEN.xlsx") for name, _ in books.now) and len(books.now) > 1

    def no_memory(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(openpyxl, "load_workbook", no_memory)
    with pytest.raises(MemoryError):
        submissions.load_submissions(config, submissions.Workbooks())


def test_every_file_the_reader_reads_or_refuses_is_in_the_fingerprint(project: Path):
    """The inputs' fingerprint lists the data as the reader does (``core/safefile.data_files``): a hidden
    ``.csv`` (read), a broken link, a folder named like a file and a pipe (each refused as an error) all
    change it. Before, it listed only visible regular files: a cached build or check after one of them was
    added said "no input changed", and the file was neither read nor reported."""
    import os

    from reportgen.inputs.submissions import load_submissions

    config = load_config(project / "config.yaml")
    sub = config.submissions_dir / "2025Q2"
    seen = [input_fingerprint(config, P, memo=False).parts["data"]]
    (sub / ".hidden.csv").write_text((sub / "ANG001.csv").read_text(encoding="utf-8").replace("ANG001", "ZZZ001"),
                                     encoding="utf-8")
    seen.append(input_fingerprint(config, P, memo=False).parts["data"])
    (sub / "BROKEN.csv").symlink_to(sub / "nowhere.csv")
    seen.append(input_fingerprint(config, P, memo=False).parts["data"])
    (sub / "DIR.csv").mkdir()
    seen.append(input_fingerprint(config, P, memo=False).parts["data"])
    os.mkfifo(sub / "PIPE.csv")
    seen.append(input_fingerprint(config, P, memo=False).parts["data"])
    assert len(set(seen)) == 5, seen
    register = config.members_file
    kept = register.read_bytes()
    kinds = [input_fingerprint(config, P, memo=False).parts["register"]]
    register.unlink()
    kinds.append(input_fingerprint(config, P, memo=False).parts["register"])  # missing
    register.mkdir()
    kinds.append(input_fingerprint(config, P, memo=False).parts["register"])  # a folder in its place
    register.rmdir()
    os.mkfifo(register)
    kinds.append(input_fingerprint(config, P, memo=False).parts["register"])  # a pipe
    register.unlink()
    register.write_bytes(kept)
    assert len(set(kinds)) == 4 and input_fingerprint(config, P, memo=False).parts["register"] == kinds[0], kinds
    read = load_submissions(config)  # and the reader does read, or refuse, each of them
    assert "data/submissions/2025Q2/.hidden.csv" in read.files
    assert {f.file for f in read.findings if f.code == "data.not-a-file"} == {
        f"data/submissions/2025Q2/{n}" for n in ("BROKEN.csv", "DIR.csv", "PIPE.csv")}


def test_a_file_changed_between_the_fingerprint_and_the_reading_is_an_error_and_not_kept(tmp_path: Path, monkeypatch):
    """The fingerprint is taken before the data are read: a file saved in between would be read under the old
    key, and every later build or check would reuse it. It is an error instead (nothing published, nothing
    kept), and the next run reads the file as it is."""
    from reportgen.publication import load_inputs
    from reportgen.runtime import fingerprint
    from reportgen.runtime.fingerprint import RELEASE_LOG
    from reportgen.runtime.run import Run

    root = small_project(tmp_path / "project")
    config = load_config(root / "config.yaml")
    # what the reading does not read may change meanwhile: a final of another period writing the release log
    fp = input_fingerprint(config, P, memo=False)  # as a final takes it: every file hashed, nothing remembered
    (Path(config.output_dir) / RELEASE_LOG).parent.mkdir(parents=True, exist_ok=True)
    (Path(config.output_dir) / RELEASE_LOG).write_text('{"releases": []}', encoding="utf-8")
    taken: list[bool] = []
    real = fingerprint.input_fingerprint
    monkeypatch.setattr(fingerprint, "input_fingerprint",
                        lambda *a, memo=True: taken.append(memo) or real(*a, memo=memo))
    calm = load_inputs(config, P, Run(P), StageCache(root), fp)
    assert calm.aggregates is not None and not any(f.code == "data.changed-while-read" for f in calm.findings)
    assert taken == [False]  # taken again as the first was: every file hashed, no remembered hash trusted
    fp = input_fingerprint(config, P)
    resubmit(root)  # after the fingerprint, before the reading
    cache = StageCache(root)
    inputs = load_inputs(config, P, Run(P), cache, fp)
    moved = [f for f in inputs.findings if f.code == "data.changed-while-read"]
    assert len(moved) == 1 and moved[0].file.startswith("data/submissions/2025Q2/") and inputs.aggregates is None
    assert len(list((cache_dir(root) / "stages" / "inputs").glob("*.entry"))) == 1  # the calm one; none under the old key
    again = load_inputs(config, P, Run(P), cache, input_fingerprint(config, P))
    assert again.aggregates is not None and not any(f.code == "data.changed-while-read" for f in again.findings)


def test_stage_keys_follow_reportgens_source_and_the_environment(project: Path):
    config = load_config(project / "config.yaml")
    fp = input_fingerprint(config, P)
    key = stage_key("inputs", fp, ("config", "data", "register"), P)
    for part in ("reportgen", "environment", "config", "data", "register"):
        changed = Fingerprint(fp.digest, {**fp.parts, part: "0" * 64})
        assert stage_key("inputs", changed, ("config", "data", "register"), P) != key, part
    # parts a stage does not read leave its key alone: a story edit does not invalidate the data
    other = Fingerprint(fp.digest, {**fp.parts, "narratives": "0" * 64, "templates": "1" * 64})
    assert stage_key("inputs", other, ("config", "data", "register"), P) == key
    assert stage_key("inputs", fp, ("config", "data", "register"), Period.parse("2024H2")) != key


def test_a_torn_cache_entry_is_recomputed_not_trusted(tmp_path: Path):
    cache = StageCache(tmp_path)
    assert cache.run("s", "k", lambda: [1, 2]) == [1, 2] and cache.misses == ["s"]
    assert cache.run("s", "k", lambda: [3]) == [1, 2] and cache.hits == ["s"]
    (tmp_path / ".reportgen-cache" / "stages" / "s" / "k.entry").write_bytes(b"\x80\x05torn")
    assert cache.run("s", "k", lambda: [3]) == [3]
    assert StageCache(tmp_path, enabled=False).run("s", "k", lambda: [4]) == [4]  # --no-cache recomputes


@pytest.fixture(scope="module")
def cold(tmp_path_factory):
    """A small project built once (draft 1) with an empty cache of its own, and that build's result: the
    tests below each copy it (with its output and its .reportgen-cache/) and go on from there."""
    root = small_project(tmp_path_factory.mktemp("cold") / "project")
    first = build(load_config(root / "config.yaml"), P)
    assert first.ok, [f.format() for f in first.findings if f.is_error]
    return root, first


def test_full_build_tables_and_dashboard_follow_a_resubmission(cold, tmp_path: Path):
    root = copied(cold[0], tmp_path / "project")
    old_dashboard = (cold[0] / "output" / "2025H1" / "drafts" / "1" / "dashboard.json").read_bytes()
    resubmit(root)
    # the same project without its cache, to build afresh as draft 2 as well (drafts carry their number)
    twin = tmp_path / "twin"
    shutil.copytree(root, twin, symlinks=True, ignore=shutil.ignore_patterns(".reportgen-cache"))
    cached = build(load_config(root / "config.yaml"), P)
    assert cached.ok and cached.draft == 2
    cached_files = {name: (cached.out_dir / name).read_bytes() for name in cached.files}
    assert cached_files["dashboard.json"] != old_dashboard
    fresh = build(load_config(twin / "config.yaml"), P, use_cache=False, jobs=1)
    assert fresh.ok and fresh.draft == 2
    fresh_files = {name: (fresh.out_dir / name).read_bytes() for name in fresh.files}
    assert sorted(cached_files) == sorted(fresh_files)
    for name in cached_files:
        if name.endswith(".pdf"):
            assert pdf_text(cached.out_dir / name) == pdf_text(fresh.out_dir / name), name
        else:
            assert cached_files[name] == fresh_files[name], name
    manifest = json.loads(cached_files["manifest.json"])
    assert manifest["inputs"]["digest"] == input_fingerprint(load_config(root / "config.yaml"), P).digest
    assert (cache_dir(root) / "stages" / "tables").is_dir() and cache_dir(root) == root / ".reportgen-cache"


def _charts(documents) -> set[str]:
    """The distinct chart images (SVG data URIs) in ``documents``."""
    return set(re.findall(r'src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', "".join(d.html for d in documents)))


def test_a_story_edit_lays_out_only_its_documents_and_a_resubmission_redraws_only_changed_charts(cold,
                                                                                                 tmp_path: Path):
    root, first = copied(cold[0], tmp_path / "project"), cold[1]
    assert first.ok and sorted(first.laid_out) == sorted(d.name for d in first.documents)
    assert first.charts_drawn == len(_charts(first.documents)) > 0
    html = {d.name: d.html for d in first.documents}

    _replace(root / "narratives" / "2025H1" / "stories" / "kai-on-the-table.yaml", "a mother of four",
             "a mother of five")  # a story from Auckland
    second = build(load_config(root / "config.yaml"), P)
    assert second.ok and second.draft == 2
    changed = {d.name for d in second.documents if d.html != html[d.name]}
    assert changed == {"report", "briefs/AKL"}  # the story is in the report and in Auckland's brief
    assert sorted(second.laid_out) == sorted(changed)  # the other briefs' layouts came from the cache
    assert second.charts_drawn == 0
    for name in ("report", "briefs/AKL"):
        assert "a mother of five" in " ".join(pdf_text(second.out_dir / f"{name}.pdf").split()), name

    resubmit(root)  # more volunteer hours for one member: the hours chart and the figures that use them
    third = build(load_config(root / "config.yaml"), P)
    assert third.ok
    new = _charts(third.documents) - _charts(second.documents)
    assert 0 < len(new) < len(_charts(third.documents))
    assert third.charts_drawn == len(new)  # exactly the charts whose published values changed


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_preview_remembers_data_hashes_but_still_sees_a_changed_file(warm: Path, tmp_path: Path):
    root = copied(warm, tmp_path / "project")
    config = load_config(root / "config.yaml")
    remember_data_hashes(True)
    try:
        before = input_fingerprint(config, P)
        assert input_fingerprint(config, P) == before
        resubmit(root)
        after = input_fingerprint(config, P)
        assert after.parts["data"] != before.parts["data"] and after.parts["narratives"] == before.parts["narratives"]
    finally:
        remember_data_hashes(False)
    assert input_fingerprint(config, P) == after  # the same as hashing every file afresh


def test_the_cache_folder_can_live_elsewhere(monkeypatch, tmp_path: Path):
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "elsewhere"))
    assert cache_dir(tmp_path / "project") == tmp_path / "elsewhere"
    assert StageCache(tmp_path / "project").run("s", "k", lambda: 1) == 1
    assert (tmp_path / "elsewhere" / "stages" / "s" / "k.entry").is_file()


def test_data_hashes_are_remembered_on_disk_by_size_time_and_inode(warm: Path, tmp_path: Path, monkeypatch):
    from reportgen.runtime import fingerprint

    monkeypatch.setattr(fingerprint, "SETTLED_NS", 0)  # the copies were made just now: remember them anyway
    root = copied(warm, tmp_path / "project")
    config = load_config(root / "config.yaml")
    fresh = input_fingerprint(config, P, memo=False)
    assert input_fingerprint(config, P) == fresh  # the first run hashes every file and remembers
    memo_file = cache_dir(root) / "data-hashes.json"
    memo = json.loads(memo_file.read_text(encoding="utf-8"))["hashes"]
    assert len(memo) == len([k for k in fresh.files if k.startswith("data/submissions/")])
    resubmit(root)  # a changed file has a new size or modification time: hashed again
    assert input_fingerprint(config, P).parts["data"] == input_fingerprint(config, P, memo=False).parts["data"]
    assert input_fingerprint(config, P).parts["data"] != fresh.parts["data"]
    # an unchanged file's remembered hash is trusted (not re-read) when reportgen signed it;
    # memo=False (--no-cache, --final) re-reads
    memo = json.loads(memo_file.read_text(encoding="utf-8"))["hashes"]
    some = sorted(memo)[0]
    memo[some][-1] = "0" * 64
    memo_file.write_text(json.dumps({"mac": fingerprint._memo_mac(root, memo), "hashes": memo}), encoding="utf-8")
    assert input_fingerprint(config, P).parts["data"] != input_fingerprint(config, P, memo=False).parts["data"]

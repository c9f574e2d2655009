"""The build caches can never serve stale output.

For every kind of input a build reads — a data file, the member register,
the events file, a narrative, a template, a config section, the rounding
key — the test changes it in a project with a warm cache, builds again with
the cache, and asserts the documents equal a build of the same inputs with
``use_cache=False`` and differ from before the change. reportgen's own source
is covered through the keys (the fingerprint's ``reportgen`` part).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reportgen.build import CACHE_DIR, build
from reportgen.cache import StageCache, stage_key
from reportgen.config import load_config
from reportgen.fingerprint import Fingerprint, input_fingerprint
from reportgen.periods import Period

from .conftest import copy_project

P = Period.parse("2025H1")


@pytest.fixture(autouse=True)
def fixed_epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1757894400")  # 2025-09-15: the same build date every time
    monkeypatch.delenv("REPORTGEN_CONFIDENTIALITY_KEY", raising=False)


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
    target = sorted((root / "data" / "submissions" / "2025Q2").glob("*.csv"))[3]
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
    "template": lambda root: (root / "templates" / "report.css").open("a", encoding="utf-8").write(
        "\n.cache-test { color: #123456; }\n"),
    "config section": lambda root: _replace(root / "config.yaml", "  AKL: Auckland", "  AKL: Tāmaki Makaurau"),
    "disclosure rules": lambda root: _replace(root / "config.yaml", "min_members: 3", "min_members: 4"),
    "rounding key": lambda root: _replace(root / "config.yaml", "key: sample-data-only-not-a-secret",
                                          "key: another-sample-key"),
}


@pytest.mark.parametrize("kind", list(CHANGES))
def test_cached_build_follows_every_kind_of_input(tmp_path: Path, kind: str):
    root = copy_project(tmp_path / "project")
    before = html_documents(root)  # fills the cache
    assert html_documents(root) == before  # served from the cache, identical
    CHANGES[kind](root)
    cached = html_documents(root)
    fresh = html_documents(root, use_cache=False)
    assert cached == fresh, f"the cache served stale output after a {kind} change"
    assert cached != before, f"a {kind} change did not change the report (the test would prove nothing)"


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
    (tmp_path / ".reportgen-cache" / "stages" / "s" / "k.pickle").write_bytes(b"\x80\x05torn")
    assert cache.run("s", "k", lambda: [3]) == [3]
    assert StageCache(tmp_path, enabled=False).run("s", "k", lambda: [4]) == [4]  # --no-cache recomputes


def test_full_build_tables_and_dashboard_follow_a_resubmission(tmp_path: Path):
    root = copy_project(tmp_path / "project")
    config = load_config(root / "config.yaml")
    first = build(config, P)
    assert first.ok
    old_dashboard = (first.out_dir / "dashboard.json").read_bytes()
    resubmit(root)
    cached = build(load_config(root / "config.yaml"), P)
    assert cached.ok
    cached_files = {name: (cached.out_dir / name).read_bytes() for name in cached.files}
    assert cached_files["dashboard.json"] != old_dashboard
    fresh = build(load_config(root / "config.yaml"), P, use_cache=False, jobs=1)
    assert fresh.ok
    fresh_files = {name: (fresh.out_dir / name).read_bytes() for name in fresh.files}
    assert sorted(cached_files) == sorted(fresh_files)
    for name in cached_files:
        if name.endswith(".pdf"):
            continue  # PDFs: same HTML gives the same layout key; their text is compared in test_parallel
        assert cached_files[name] == fresh_files[name], name
    manifest = json.loads(cached_files["manifest.json"])
    assert manifest["inputs"]["digest"] == input_fingerprint(load_config(root / "config.yaml"), P).digest
    assert (root / CACHE_DIR / "stages" / "tables").is_dir()

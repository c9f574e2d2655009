"""Issue 26, "Done when": a build uses the intake's accepted versions, release.json names their receipts, a
late resubmission shows R in the next build, and a member whose latest version is rejected is reported in
the data-quality report with the accepted version used instead."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import subprocess
import sys

import pytest

from reportgen.build import build
from reportgen.core.config import load_config
from reportgen.core.periods import Period

from .conftest import REPO, record_reviews
from .intake_support import Service, intake_project, issue, send, with_bad_region

pytestmark = pytest.mark.slow


def halved_new_clients(data: bytes) -> tuple[bytes, int]:
    out, changed = [], 0
    for line in data.decode().splitlines():
        cells = line.split(",")
        if len(cells) == 7 and cells[3] == "new_clients":
            cells[6] = str(int(cells[6]) // 2)
            changed += 1
        out.append(",".join(cells))
    return ("\n".join(out) + "\n").encode(), changed


def only_members_in(root, regions: set[str]) -> None:
    """The sample cut down to the members that serve ``regions`` (their register rows and every file they
    sent): each final lays out a letter per reporting member, and none of them is what is tested here."""
    register = root / "data" / "members.csv"
    with register.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    kept = [r for r in rows if set(r["regions"].split(";")) & regions]
    with register.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, list(rows[0]))
        writer.writeheader()
        writer.writerows(kept)
    keep = {r["org_id"] for r in kept}
    for path in (root / "data" / "submissions").rglob("*.*"):
        if path.stem not in keep:
            path.unlink()


def test_builds_use_the_intake_receipts_and_a_late_revision_is_marked_r(tmp_path):
    root = intake_project(tmp_path / "project")
    only_members_in(root, {"AKL", "WGN"})  # ANG001, ANG002 and BAP001 among them
    config = load_config(root / "config.yaml")
    q2 = Period.parse("2025Q2")
    from reportgen.intake.store import Store
    Store(root / "intake").create().close()  # as the service's first start makes it
    record_reviews(root, "2025Q2")  # the Māori data review a final needs (issue 27)
    first = build(config, q2, final=True)
    assert first.ok, [f.format() for f in first.findings if f.is_error]
    service = Service(root).start()
    try:
        ang, bap = issue(root, "member", "ANG001"), issue(root, "member", "BAP001")
        source = (REPO / "data" / "submissions" / "2025Q2" / "ANG001.csv").read_bytes()
        revised, changed = halved_new_clients(source)
        assert changed
        out = tmp_path / "out" / "2025Q2"
        out.mkdir(parents=True)
        (out / "ANG001.csv").write_bytes(revised)
        sent = subprocess.run([sys.executable, "-m", "reportgen", "member", "send", str(tmp_path / "out"),
                               "--period", "2025Q2", "--to", service.url],
                              env={**os.environ, "REPORTGEN_INTAKE_KEY": ang}, capture_output=True, text=True)
        assert sent.returncode == 0, sent.stderr
        assert "Receipt 2025Q2-ANG001-1: accepted (late: a revision)" in sent.stdout
        good_bap = (REPO / "data" / "submissions" / "2025Q2" / "BAP001.csv").read_bytes()
        assert send(service, bap, "2025Q2", [("BAP001.csv", good_bap)])[1]["status"] == "accepted"
        assert send(service, bap, "2025Q2", [("BAP001.csv", with_bad_region(good_bap))])[1]["status"] == "rejected"
    finally:
        service.stop()
    record_reviews(root, "2025Q2")
    again = build(load_config(root / "config.yaml"), q2, final=True, revision="ANG001 sent a late revision")
    assert again.ok, [f.format() for f in again.findings if f.is_error]
    release = json.loads((again.out_dir / "release.json").read_text())
    used = {(e["org_id"], e["period"]): e for e in release["submissions"]}
    assert used[("ANG001", "2025Q2")] == {"org_id": "ANG001", "period": "2025Q2", "receipt_id": "2025Q2-ANG001-1"}
    assert used[("BAP001", "2025Q2")]["receipt_id"] == "2025Q2-BAP001-1"  # the accepted one, not the rejected 2
    assert used[("ANG002", "2025Q2")]["files"] == ["data/submissions/2025Q2/ANG002.csv"]  # history: the folder
    revisions = list(csv.DictReader(io.StringIO((again.out_dir / "revisions.csv").read_text(encoding="utf-8-sig"))))
    assert any(r["measure"] == "new_clients" and r["period"] == "2025Q2" for r in revisions), revisions[:3]
    rejected = [f for f in again.findings if f.code == "intake.rejected-latest"]
    assert [(f.member, f.message) for f in rejected] == [
        ("BAP001", "the latest version of 2025Q2 (2025Q2-BAP001-2) was rejected: the build uses 2025Q2-BAP001-1, "
                   "the latest accepted version")]
    quality = next(root.glob("output/2025Q2/**/quality.html")).read_text(encoding="utf-8")
    assert "2025Q2-BAP001-2" in quality and "intake.rejected-latest" in quality
    # a stored file damaged after that build: a check, through the caches the build left, reads it again and
    # says so (what the store holds is in the inputs' fingerprint, not only the hashes its database records)
    from reportgen.build import check
    from reportgen.runtime.intake_db import blob_path

    before = check(load_config(root / "config.yaml"), q2)  # fills the caches
    assert "load" in before.timings and not any(f.code == "intake.file-damaged" for f in before.findings)
    assert "inputs (cached)" in check(load_config(root / "config.yaml"), q2).timings
    with blob_path(root / "intake", hashlib.sha256(revised).hexdigest()).open("ab") as fh:
        fh.write(b"damage")
    damaged = check(load_config(root / "config.yaml"), q2)
    assert [f.file for f in damaged.findings if f.code == "intake.file-damaged"] == ["intake/2025Q2-ANG001-1/ANG001.csv"]


def test_a_workbook_in_the_intake_store_is_read_from_its_checked_bytes_and_remembered(tmp_path, monkeypatch):
    """A member's .xlsx kept by the intake is read from the bytes the build has just checked against the
    store's SHA-256 (not opened again), gives the rows the same workbook gives in the submissions folder, and
    is not read again by the next build (``submissions.Workbooks``)."""
    from reportgen.inputs import submissions
    from reportgen.inputs.intake_files import load_intake
    from reportgen.intake.store import Store

    root = intake_project(tmp_path / "project")
    book = (root / "data" / "submissions" / "2025Q2" / "CAT002.xlsx").read_bytes()
    store = Store(root / "intake").create()
    sha = hashlib.sha256(book).hexdigest()
    (store.tmp_dir() / "upload").parent.mkdir(parents=True, exist_ok=True)
    (store.tmp_dir() / "upload").write_bytes(book)
    store.keep_file(store.tmp_dir() / "upload", sha)
    store.add_version(org_id="CAT002", period="2025Q2", status="accepted", received_at="2025-07-10T00:00:00Z",
                      late=False, note=None, files=[{"name": "CAT002.xlsx", "bytes": len(book), "sha256": sha}],
                      findings=[], sent_by="member")
    store.close()
    config = load_config(root / "config.yaml")
    books = submissions.Workbooks()
    first, _ = load_intake(config, root / "intake", books)
    folder = submissions.load_submissions(config)
    in_folder = folder.rows[folder.rows["file"] == "data/submissions/2025Q2/CAT002.xlsx"]
    assert len(first.rows) == len(in_folder) > 0 and not any(f.is_error for f in first.findings)
    assert list(first.rows["value"].astype(str)) == list(in_folder["value"].astype(str))
    parsed: list[str] = []
    real = submissions._parse_xlsx
    monkeypatch.setattr(submissions, "_parse_xlsx", lambda fh, shown, *a: parsed.append(shown) or real(fh, shown, *a))
    again, _ = load_intake(config, root / "intake", submissions.Workbooks(books.now))
    assert parsed == [] and again.rows.equals(first.rows)


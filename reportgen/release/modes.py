"""Release modes: the ways a Publication is released.

    Preview   HTML only, in memory, for ``reportgen preview``: no PDF, nothing written
    Draft     a numbered draft: review banner, "Changes since draft n−1", stamped PDFs,
              review-data.json; output/<period>/drafts/<n>/ and ``latest``
    Final     the guarded release: every blocker listed, no marks, release.json;
              output/<period>/final/ and releases/<n>/ (a later final needs --revision)

Each mode answers the same questions for the build: is there anything to do
(``unchanged``), what stops it (``refusals``, ``blockers``), which review marks
its documents carry (``reviews``), what it adds to the bundle (``records``,
``marks``), and where it goes (``write``). Folder layout is ``drafts.py``'s.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from .. import __version__
from ..core.config import Config
from ..core.findings import Finding
from ..core.periods import Period
from ..documents.context import Review
from ..runtime import drafts
from ..runtime.drafts import SNAPSHOT
from ..runtime.fingerprint import Fingerprint
from ..runtime.provenance import source_commit
from ..runtime.reproducible import build_stamp
from .changes import compare, snapshot


class Release:
    """The common part: a bundle with a manifest, and the internal files beside it."""

    name = "release"
    preview = False
    final = False
    members = True  # makes the members' private reports (an embargoed copy does not)
    previous: int | None = None  # the latest draft (drafts only)

    def __init__(self, config: Config, period: Period):
        self.config, self.period = config, period
        self.pdir = drafts.period_dir(config, period)
        self.built = build_stamp()

    def unchanged(self, fp: Fingerprint, *, use_cache: bool) -> bool:
        """True when no input changed since the last release of this kind: nothing to do."""
        return False

    def nothing_new(self, publication, fp: Fingerprint) -> bool:
        """True when the Publication would publish exactly what the latest release of this kind does."""
        return False

    def refusals(self) -> list[Finding]:
        """What stops this release before anything is computed."""
        return []

    def blockers(self, publication, findings: list[Finding]) -> list[Finding]:
        """What stops this release once the Publication is gathered."""
        return []

    def reviews(self, publication, fp: Fingerprint) -> tuple[Review | None, Review | None]:
        """(web, print) review marks of the national report; the briefs' web pages carry the first's banner."""
        return None, None

    def marks(self, fp: Fingerprint) -> tuple | None:
        """Marks drawn on every laid-out PDF (drafts only): ``(fn, args)``, ``fn(pdf, *args)`` run on the
        workers as soon as each PDF exists (``render_pdf.Rendering``)."""
        return None

    def records(self, publication, fp: Fingerprint, disclosure: dict) -> dict[str, bytes]:
        """Files this mode adds to the bundle."""
        return {}

    def write(self, files: dict[str, bytes], internal: dict[str, bytes], fp: Fingerprint) -> Path | None:
        return None

    def manifest(self, files: dict[str, bytes], disclosure: dict, fp: Fingerprint) -> bytes:
        """manifest.json: every file's SHA-256, the input digests (digests only: per-file paths would
        reveal, e.g., a withdrawn story's file name) and the disclosure audit."""
        manifest = {
            "period": str(self.period),
            "reportgen": __version__,
            "reportgen_commit": source_commit(),
            "built": self.built,
            "files": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())},
            "inputs": {"digest": fp.digest, "parts": fp.parts},
            "disclosure_audit": disclosure,
        }
        return (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8")

    def inputs_record(self, fp: Fingerprint) -> bytes:
        """Internal record of the inputs (per-file hashes): tells why figures changed."""
        root = Path(self.config.root).resolve()
        try:
            prefix = Path(self.config.submissions_dir).resolve().relative_to(root).as_posix() + "/"
        except ValueError:
            prefix = Path(self.config.submissions_dir).as_posix() + "/"
        record = {"digest": fp.digest, "parts": fp.parts, "files": fp.files, "data_prefix": prefix}
        return (json.dumps(record, indent=2, sort_keys=True) + "\n").encode("utf-8")


class Preview(Release):
    """``reportgen preview``: the documents as a reader sees them on the web, without draft marks."""

    name = "preview"
    preview = True


class Draft(Release):
    """A numbered draft: every build whose inputs changed since the latest draft makes one."""

    name = "draft"

    def __init__(self, config: Config, period: Period):
        super().__init__(config, period)
        self.previous = drafts.latest_draft(self.pdir)
        self.number = (self.previous or 0) + 1
        self._snap: dict | None = None

    def unchanged(self, fp: Fingerprint, *, use_cache: bool) -> bool:
        return (use_cache and self.previous is not None
                and fp.digest in (drafts.input_digest(drafts.draft_dir(self.pdir, self.previous)),
                                  *drafts.same_inputs(self.pdir, self.previous)))

    def nothing_new(self, publication, fp: Fingerprint) -> bool:
        """True when only the release log changed since the latest draft (another period's final was made)
        and this draft would publish exactly what that one does: the same figures and texts, the same
        revisions, the same report in the downloads. Then no new draft is made (issue 27: a quarterly final
        followed by a half-year build made an empty draft, "Nothing published changed"), and the new inputs
        are remembered as the latest draft's."""
        if self.previous is None:
            return False
        prev = drafts.draft_dir(self.pdir, self.previous)
        old = drafts.input_parts(prev)
        if not old or {k for k in set(old) | set(fp.parts) if old.get(k) != fp.parts.get(k)} - {"releases"}:
            return False
        if drafts.read_json(prev / SNAPSHOT) != json.loads(json.dumps(self._snapshot(publication), ensure_ascii=False)):
            return False
        revisions = publication.revisions.csv() if publication.revisions is not None else b""
        before = (prev / "revisions.csv").read_bytes() if (prev / "revisions.csv").is_file() else b""
        if revisions != before:
            return False
        if publication.period.is_quarter:  # the downloads page offers the latest half-year report released
            from ..dashboard_site.release_details import latest_report

            report = latest_report(self.config, publication.period)
            offered = sorted((prev / "dashboard" / "downloads").glob("report-*.pdf"))
            if [p.name for p in offered] != ([f"report-{report[0]}.pdf"] if report else []):
                return False
            if report and offered[0].read_bytes() != report[1].read_bytes():
                return False
        drafts.remember_same_inputs(self.pdir, self.previous, fp.digest)
        return True

    def reviews(self, publication, fp: Fingerprint) -> tuple[Review | None, Review | None]:
        """The web HTML carries the banner (draft number, build time, inputs); the print HTML only
        the changes appendix (the PDF's marks are stamped on after layout, so that an unchanged
        document's layout comes from the cache)."""
        changes = None
        if self.previous is not None:
            old, old_inputs = drafts.previous_review(self.pdir, self.previous)
            if old is not None:
                changes = compare(old, self._snapshot(publication), self.previous, self.number, old_inputs,
                                  json.loads(self.inputs_record(fp)))
        css = review_css(self.config)
        return (Review(self.number, self.built, fp.short, changes, css),
                Review(None, changes=changes, css=css, print=True))

    def marks(self, fp: Fingerprint) -> tuple | None:
        """The draft's number, build time and inputs on every page (stamped on the workers)."""
        from .stamp import stamp_document

        return stamp_document, (self.number, self.built, fp.short)

    def records(self, publication, fp: Fingerprint, disclosure: dict) -> dict[str, bytes]:
        """review-data.json: the published values the next draft is compared with."""
        data = json.dumps(self._snapshot(publication), ensure_ascii=False, separators=(",", ":")) + "\n"
        return {SNAPSHOT: data.encode("utf-8")}

    def _snapshot(self, publication) -> dict:
        if self._snap is None:
            self._snap = snapshot(publication.report, publication.store, publication.charts.national,
                                  publication.revisions)
        return self._snap

    def write(self, files: dict[str, bytes], internal: dict[str, bytes], fp: Fingerprint) -> Path:
        internal = {**merged_internal(drafts.internal_files(self.pdir), internal),
                    f"drafts/{self.number}/inputs.json": self.inputs_record(fp)}
        return drafts.publish_draft(self.pdir, self.number, files, internal)


FINAL_STORY_CODES = ("story.withheld",)


class Final(Release):
    """The release: refused while anything is wrong; never overwritten (a later one is a revision)."""

    name = "final"
    final = True

    def __init__(self, config: Config, period: Period, revision: str | None):
        super().__init__(config, period)
        self.revision = revision
        self.history = drafts.releases(self.pdir)

    def refusals(self) -> list[Finding]:
        if self.history and not (self.revision or "").strip():
            return [Finding("final.exists", "error",
                            f"a final of {self.period} already exists ({self.pdir / 'final'}); it is never "
                            "overwritten",
                            hint='make a revision instead: reportgen build PERIOD --final --revision "what changed '
                                 'and why"')]
        return []

    def blockers(self, publication, findings: list[Finding]) -> list[Finding]:
        """Everything that stops a final: withheld stories, unresolved placeholders, sections
        without text. Returned as error findings (code ``final.*``), all at once; every other
        error has already stopped the build."""
        out = []
        for f in findings:
            if f.code in FINAL_STORY_CODES:
                out.append(Finding("final.story-not-ready", "error", f.message.split(":")[0] + " — a final "
                                   "cannot be made until it is approved with consent given, or its file is removed",
                                   file=f.file, hint="set consent.status: given and approved: true once they are"))
            elif f.code.startswith("placeholder.") and not f.is_error:
                out.append(Finding("final.placeholder", "error", f"unresolved placeholder: {f.message}",
                                   file=f.file, line=f.line, column=f.column, hint=f.hint))
        report = publication.report
        for name, text in (report.sections_html.items() if report is not None else ()):
            if not text.strip():
                out.append(Finding("final.empty-section", "error",
                                   f"section '{name}' has no text — a final needs every section written",
                                   file=report.source_file, hint=f"write sections.{name} in the report narrative"))
        from .governance import final_blockers  # issue 27: the reviews a final needs

        return out + final_blockers(publication)

    def records(self, publication, fp: Fingerprint, disclosure: dict) -> dict[str, bytes]:
        """release.json: the input fingerprint (overall and per group; the per-file hashes stay
        internal, since a path — even a hashed one, which can be guessed — could reveal a withdrawn
        story's file name), the versions of reportgen and its key libraries, the disclosure audit."""
        from importlib.metadata import PackageNotFoundError
        from importlib.metadata import version as pkg_version

        from ..inputs.intake_files import receipts_used

        libs = {}
        for lib in ("weasyprint", "pandas", "matplotlib", "jinja2", "pydantic", "pikepdf"):
            try:
                libs[lib] = pkg_version(lib)
            except PackageNotFoundError:
                libs[lib] = "not installed"
        manifest = {"built": self.built, "reason": self.revision, "reportgen": __version__,
                    "reportgen_commit": source_commit(), "libraries": libs,
                    "inputs": {"digest": fp.digest, "parts": fp.parts,
                               "per_file": "kept by staff, outside the published bundle"},
                    "disclosure_audit": disclosure,
                    # issue 26: for every member and period used, the intake receipt (or the folder's files)
                    "submissions": receipts_used(publication.inputs.data.rows)}
        return {"release.json": (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8")}

    def write(self, files: dict[str, bytes], internal: dict[str, bytes], fp: Fingerprint) -> Path:
        n = len(self.history) + 1
        internal = {**merged_internal(drafts.internal_files(self.pdir), internal),
                    f"releases/{n}/inputs.json": self.inputs_record(fp)}
        record = {"built": self.built, "reason": self.revision, "inputs": fp.digest}
        out = drafts.publish_final(self.pdir, files, record)
        drafts.write_internal(self.pdir, internal)
        return out


def merged_internal(current: dict[str, bytes], new: dict[str, bytes]) -> dict[str, bytes]:
    """The internal folder's files with ``new`` over them (a folder made whole, the members' reports, replaced)."""
    from ..member_reports.files import merged_internal as merge

    return merge(current, new)


def choose(config: Config, period: Period, *, final: bool = False, revision: str | None = None,
           preview: bool = False) -> Release:
    """The release mode a build asked for (an embargoed copy: ``embargo.Embargoed``)."""
    if preview:
        return Preview(config, period)
    return Final(config, period, revision) if final else Draft(config, period)


def review_css(config: Config) -> str:
    from ..documents.render_html import template_dirs

    for folder in template_dirs(config):
        if (folder / "review.css").is_file():
            return (folder / "review.css").read_text(encoding="utf-8")
    return ""

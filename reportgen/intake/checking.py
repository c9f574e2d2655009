"""A submission checked at once, with exactly the rules a build applies (``inputs/``).

The files received are read by ``inputs.submissions`` from their staging folder and checked by
``inputs.validate`` against the member register and the config, as ``reportgen check --member``
would; each finding keeps its line and column and names the file as the member named it. Two
checks are the intake's own: every row carries the sender's ``org_id`` (else the request is refused,
422, and nothing is stored), and every row is of the period sent (``intake.other-period``). A
workbook that would unpack to far more than the upload limit is not opened (``intake.xlsx-too-large``).
"""

from __future__ import annotations

import dataclasses
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..core.config import Config
from ..core.findings import Finding, relative
from ..core.periods import Period, PeriodError
from ..inputs.register import Register
from ..inputs.submissions import load_submissions
from ..inputs.validate import validate

XLSX_EXPANSION = 20  # a workbook may unpack to at most this many times the largest upload


@dataclass(frozen=True)
class Foreign:
    """The first row whose org_id is not the sender's."""

    file: str
    line: int
    org_id: str

    def message(self, org: str) -> str:
        shown = self.org_id[:40] or "(empty)"
        return (f"{self.file}, line {self.line}: the org_id is '{shown}', not {org}. A submission may carry only "
                f"your own organisation's rows; nothing was stored.")


@dataclass
class Checked:
    findings: list[Finding]
    foreign: Foreign | None = None

    @property
    def accepted(self) -> bool:
        return not any(f.is_error for f in self.findings)


def _xlsx_problem(path: Path, limit: int) -> str | None:
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            if len(infos) > 10_000 or sum(i.file_size for i in infos) > limit * XLSX_EXPANSION:
                return "the workbook unpacks to far more data than a submission can hold"
    except (zipfile.BadZipFile, OSError, ValueError):
        return None  # not a zip at all: the reader says so, with its own code
    return None


def check_files(config: Config, register: Register, org: str, period: str, folder: Path) -> Checked:
    """Every finding about the files in ``folder`` (only they are there), as a build would report them."""
    folder = folder.resolve()
    findings: list[Finding] = []
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() == ".xlsx":
            problem = _xlsx_problem(path, config.intake.max_file_bytes)
            if problem:
                findings.append(Finding("intake.xlsx-too-large", "error", problem, file=path.name,
                                        hint="save the sheet as CSV UTF-8 and send that"))
                path.unlink()
    local = config.model_copy(update={"data": config.data.model_copy(update={"submissions": str(folder)})})
    subs = load_submissions(local)
    base = relative(folder, config.root) + "/"

    def shown(name: str | None) -> str | None:
        return name[len(base):] if name and name.startswith(base) else name

    rows = subs.rows
    if not rows.empty:
        orgs = rows["org_id"].astype(str).str.strip().str.upper()
        other = (orgs != org).to_numpy()
        if other.any():
            i = int(other.argmax())
            return Checked([], Foreign(str(shown(str(rows["file"].iloc[i]))), int(rows["line"].iloc[i]),
                                       str(rows["org_id"].iloc[i]).strip()))
    data = validate(subs, register, local)
    findings += [dataclasses.replace(f, file=shown(f.file)) for f in data.findings]
    if not rows.empty:
        findings += _other_periods(subs, period, shown)
    return Checked(findings)


def _other_periods(subs, period: str, shown) -> list[Finding]:
    """Rows of a period other than the one sent (a valid period: a bad one is rule 1's)."""
    out: list[Finding] = []
    rows = subs.rows
    texts = {str(c) for c in rows["period"].cat.categories}
    wrong = set()
    for text in texts:
        try:
            if str(Period.parse(text.strip())) != period:
                wrong.add(text)
        except PeriodError:
            continue
    if not wrong:
        return out
    for rec in rows[rows["period"].astype(str).isin(wrong)].head(50).itertuples():
        file = str(rec.file)
        out.append(Finding("intake.other-period", "error",
                           f"this row is for {str(rec.period).strip()[:20]}, but the files were sent for {period}",
                           file=shown(file), line=int(rec.line), column=subs.column(file, "period"),
                           member=str(rec.org_id).strip().upper() or None,
                           hint=f"send each period's file on its own: choose {str(rec.period).strip()[:20]} to send "
                                "this one, or correct the period column"))
    return out

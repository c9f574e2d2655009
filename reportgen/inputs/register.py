"""Reference inputs: the member register and the policy events."""

from __future__ import annotations

import csv
import datetime as dt
import os
from dataclasses import dataclass

from ..core import limits
from ..core.config import Config
from ..core.findings import Capped, Finding, relative, suggestion_hint
from ..core.periods import Period, PeriodError
from ..core.safefile import open_regular, why_not_a_file
from ..core.yamlsource import load_yaml

REGISTER_COLUMNS = ("org_id", "name", "network", "regions", "active_from", "active_to")
# Optional columns (docs/data-contract.md): how the member delivers its services, which sets the
# expectation for unidentified attendances (rule 11), and who receives its private report.
OPTIONAL_COLUMNS = ("delivery", "contact")
INDIVIDUAL, COMMUNITY_LEADERS = "individual", "community_leaders"
DELIVERY = (INDIVIDUAL, COMMUNITY_LEADERS)
# Services delivered through community leaders (a pastor running a food bank, a kaumātua speaking for
# a whānau group) record many attendees as unidentified: 25–40 % is usual there, against about 5 % for
# services to individuals (the config's checks.unidentified_share). Rule 11 warns above the upper limit.
COMMUNITY_LEADERS_SHARE = (0.25, 0.40)


@dataclass(frozen=True)
class Member:
    org_id: str
    name: str
    network: str
    regions: tuple[str, ...]
    active_from: Period
    active_to: Period | None
    delivery: str = INDIVIDUAL  # individual | community_leaders (optional column; default individual)
    contact: str = ""  # who receives the member's private report (optional column; internal only)

    def active_in(self, quarter: Period) -> bool:
        return self.active_from <= quarter and (self.active_to is None or quarter <= self.active_to)


@dataclass(frozen=True)
class Register:
    members: dict[str, Member]  # by upper-case org_id
    usable: bool = True  # False when data.members names no readable register: org_ids are then not checked

    def get(self, org_id: str) -> Member | None:
        return self.members.get(org_id.strip().upper())

    def expected_in(self, quarters: tuple[Period, ...]) -> list[Member]:
        """Members active in any of ``quarters``."""
        return [m for m in self.members.values() if any(m.active_in(q) for q in quarters)]


@dataclass(frozen=True)
class Event:
    date: dt.date
    title: str
    description: str = ""
    source: str = ""


def load_register(config: Config) -> tuple[Register, list[Finding]]:
    path = config.members_file
    shown = relative(path, config.root)
    findings: list[Finding] = []
    capped = Capped(findings)  # a 16 MiB register of bad rows: the first of each kind, then a count
    setting = config.located("data", "members")

    def bad(code: str, message: str, line: int | None = None, hint: str | None = None, column=None):
        capped.add(Finding(code, "error", message, file=shown, line=line, column=column, hint=hint))

    def unusable(code: str, message: str, hint: str) -> tuple[Register, list[Finding]]:
        """The file cannot be a register: one finding, at data.members in config.yaml when the config
        names it there (the config is what to fix), and no finding per submitted row."""
        if setting is not None:
            line, col = setting
            findings.append(Finding(code, "error", f"data.members names {shown}, which {message}",
                                    file=config.source, line=line, column=col, hint=hint))
        else:
            findings.append(Finding(code, "error", f"the member register {shown} {message}", file=shown, hint=hint))
        return Register({}, usable=False), findings

    why = why_not_a_file(path)
    if why is not None and not path.exists() and not path.is_symlink():
        return unusable("register.not-found", "does not exist",
                        "set data.members in config.yaml to the register's path")
    if why is not None:
        return unusable("register.unreadable", f"is {why}" if why.startswith("a ") else why,
                        "set data.members in config.yaml to the register, a CSV file")
    try:
        with open_regular(path) as fh:
            raw = fh.read(min(os.fstat(fh.fileno()).st_size, limits.REGISTER_FILE_BYTES) + 1)
    except OSError as exc:
        return unusable("register.unreadable", f"cannot be read ({exc.strerror or exc})",
                        "check the file's permissions")
    if len(raw) > limits.REGISTER_FILE_BYTES:
        return unusable("register.too-large", f"is larger than {limits.REGISTER_FILE_BYTES >> 20} MiB",
                        "check that data.members names the register (see docs/limits.md)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return unusable("register.not-utf8", "is not UTF-8 text", "save it as UTF-8 CSV, or check that data.members "
                        "names the register")
    try:
        reader = csv.reader(text.splitlines())
        header = [h.strip().lower() for h in next(reader, [])]
    except csv.Error as exc:
        return unusable("register.missing-column", f"has no readable header ({exc})",
                        f"the header must name: {', '.join(REGISTER_COLUMNS)}")
    missing = [c for c in REGISTER_COLUMNS if c not in header]
    if missing:
        return unusable("register.missing-column", f"is not a member register: it lacks column(s) "
                        f"{', '.join(missing)}", f"the header must name: {', '.join(REGISTER_COLUMNS)}; check "
                        "that data.members names the register")
    idx = {c: header.index(c) for c in REGISTER_COLUMNS + OPTIONAL_COLUMNS if c in header}
    members: dict[str, Member] = {}
    try:
        _register_rows(reader, header, idx, config, members, bad)
    except csv.Error as exc:
        bad("register.unreadable", f"the register cannot be read as CSV past line {reader.line_num} ({exc})",
            reader.line_num, hint="check for an unclosed quote mark")
    capped.close()
    return Register(members), findings


def _register_rows(reader, header: list[str], idx: dict[str, int], config: Config, members: dict[str, Member],
                   bad) -> None:
    for line_no, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        row = row + [""] * (len(header) - len(row))
        cell = {c: "" for c in OPTIONAL_COLUMNS} | {c: row[i].strip() for c, i in idx.items()}
        org = cell["org_id"].upper()
        if not org:
            bad("register.missing-org", "a register row has no org_id", line_no)
            continue
        if org in members:
            bad("register.duplicate-org", f"org_id '{org}' appears twice in the register", line_no)
            continue
        regions = tuple(r.strip().upper() for r in cell["regions"].split(";") if r.strip())
        for r in regions:
            if r not in config.regions:
                bad("register.unknown-region", f"member {org} lists unknown region '{r}'", line_no,
                    hint=suggestion_hint(r, config.regions, "regions"), column=idx["regions"] + 1)
        try:
            active_from = Period.parse(cell["active_from"])
            active_to = Period.parse(cell["active_to"]) if cell["active_to"] else None
            if not active_from.is_quarter or (active_to is not None and not active_to.is_quarter):
                raise PeriodError("active dates are quarters")
        except PeriodError:
            bad("register.bad-period", f"member {org} has active dates that are not quarters "
                f"('{cell['active_from']}', '{cell['active_to']}')", line_no,
                hint="write quarters like 2024Q3; leave active_to empty while the member is active")
            continue
        delivery = cell["delivery"].lower().replace("-", "_").replace(" ", "_") or INDIVIDUAL
        if delivery not in DELIVERY:
            bad("register.bad-delivery", f"member {org} has delivery '{cell['delivery']}', which is not one of: "
                f"{', '.join(DELIVERY)}", line_no, column=idx["delivery"] + 1,
                hint=suggestion_hint(cell["delivery"], DELIVERY, "delivery kinds"))
            delivery = INDIVIDUAL  # the member is kept, so that its rows are not reported as unknown too
        members[org] = Member(org, cell["name"], cell["network"], regions, active_from, active_to,
                              delivery, cell["contact"])


def load_events(config: Config) -> tuple[list[Event], list[Finding]]:
    path = config.events_file
    shown = relative(path, config.root)
    if not path.is_file():
        return [], [Finding("events.not-found", "warning", "no policy events file; trend charts "
                            "will have no event markers", file=shown,
                            hint="create it, or set data.events in config.yaml")]
    src, findings = load_yaml(path, shown)
    if src is None:
        return [], findings
    items = src.data or []
    if not isinstance(items, list):
        return [], findings + [Finding("events.not-a-list", "error", "the events file must be a list "
                                       "of events ('- date: …' entries)", file=shown, line=1)]
    events: list[Event] = []
    for i, item in enumerate(items):
        line, col = src.position((i,))
        if not isinstance(item, dict):
            findings.append(Finding("events.bad-event", "error", "an event must have date and title",
                                    file=shown, line=line, column=col))
            continue
        date = item.get("date")
        if isinstance(date, str):
            try:
                date = dt.date.fromisoformat(date)
            except ValueError:
                pass
        if not isinstance(date, dt.date) or not item.get("title"):
            findings.append(Finding("events.bad-event", "error",
                                    "an event needs an ISO date (2024-04-01) and a title",
                                    file=shown, line=line, column=col, excerpt=src.line_text(line)))
            continue
        unknown = set(item) - {"date", "title", "description", "source"}
        for key in sorted(unknown):
            kl, kc = src.position((i, key), key=True)
            findings.append(Finding("events.unknown-field", "warning", f"unknown event field '{key}'",
                                    file=shown, line=kl, column=kc,
                                    hint=suggestion_hint(key, ["date", "title", "description", "source"])))
        events.append(Event(date, str(item["title"]), str(item.get("description") or ""),
                            str(item.get("source") or "")))
    return sorted(events, key=lambda e: e.date), findings

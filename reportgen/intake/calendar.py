"""The calendar of config.yaml's ``intake.calendar``: when each period opens, is due and closes.

A period can be sent from its opening; after its closing a submission is still taken, as a revision
(``late``), and the next build marks what it changes with R. Times are shown in ISO 8601 with the
offset of ``intake.timezone`` (Pacific/Auckland: +12:00 or +13:00 in daylight time).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from ..core.config import Config


@dataclass(frozen=True)
class Window:
    period: str
    opens: dt.datetime
    due: dt.datetime
    closes: dt.datetime

    def is_open(self, at: dt.datetime) -> bool:
        return at >= self.opens

    def is_late(self, at: dt.datetime) -> bool:
        return at > self.closes

    def state(self, at: dt.datetime) -> str:
        if at < self.opens:
            return "not open yet"
        if at > self.closes:
            return "closed: late revisions only"
        return "overdue" if at > self.due else "open"

    def to_json(self, at: dt.datetime) -> dict:
        return {"period": self.period, "opens": self.opens.isoformat(), "due": self.due.isoformat(),
                "closes": self.closes.isoformat(), "late": self.is_late(at)}


class Calendar:
    def __init__(self, config: Config) -> None:
        self.zone = ZoneInfo(config.intake.timezone)
        self.windows = {p: Window(p, d.moment("opens", self.zone), d.moment("due", self.zone),
                                  d.moment("closes", self.zone))
                        for p, d in sorted(config.intake.calendar.items())}

    def now(self) -> dt.datetime:
        return dt.datetime.now(self.zone).replace(microsecond=0)

    def window(self, period: str) -> Window | None:
        return self.windows.get(period)

    def open_now(self, at: dt.datetime | None = None) -> list[Window]:
        """The periods that can be sent now (opened; closed ones still take late revisions), newest first."""
        at = at or self.now()
        return sorted((w for w in self.windows.values() if w.is_open(at)), key=lambda w: w.opens, reverse=True)

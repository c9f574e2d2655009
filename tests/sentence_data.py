"""Small held-out datasets for the computed-sentence properties: members, their regions and their client
numbers quarter by quarter, made into contract rows and run through the real pipeline (aggregate,
confidentialise, the judge) — no file, no validation stage, so that hypothesis can try many of them.

A member is ``Org(code, region, start, clients, needs)``: ``clients`` maps a quarter to its client count
(a quarter left out is a missing return); ``needs`` the share of its clients with each need. Other measures
follow from the clients (sessions, new clients), so that every chart and sentence has something to say.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import pandas as pd

from reportgen.core.config import load_config
from reportgen.core.periods import Period
from reportgen.disclosure.confidentiality import confidentialise
from reportgen.figures.materiality import Judge
from reportgen.inputs.register import Member, Register
from reportgen.statistics.aggregate import aggregate

from .conftest import REPO

H1 = Period.parse("2025H1")
QUARTERS = [Period.parse(q) for q in ("2024Q1", "2024Q2", "2024Q3", "2024Q4", "2025Q1", "2025Q2")]
NEEDS = ("food", "housing", "income")
KEY = "sentence-properties-key"


REGIONS = ("AKL", "WKO", "CAN", "OTA")


@functools.cache
def config():
    """The sample's config cut to four regions and the measures the sentences speak of (every stage reads
    the config's catalogue, so a smaller one is a faster build, not a different rule)."""
    full = load_config(REPO / "config.yaml")
    measures = {m: full.measures[m] for m in ("clients", "new_clients", "sessions")}
    measures["clients"] = measures["clients"].model_copy(update={"dimensions": ["total", "need"]})
    measures["sessions"] = measures["sessions"].model_copy(update={"dimensions": ["total"]})
    return full.model_copy(update={"regions": {c: full.regions[c] for c in REGIONS}, "measures": measures,
                                   "dimensions": {"need": full.dimensions["need"]},
                                   "confidentiality": full.confidentiality.model_copy(update={"sum_groups": {}})})


@dataclass(frozen=True)
class Org:
    code: str
    region: str
    clients: dict[str, int]  # quarter → clients; a quarter missing from it was not sent
    needs: tuple[float, float, float] = (0.5, 0.3, 0.35)  # food, housing, income
    start: str = "2024Q1"  # active from (the register)
    extra_region: str = ""  # rows also sent for a region the register does not give it


@dataclass
class Built:
    orgs: list[Org]
    rows: pd.DataFrame
    register: Register
    agg: object
    store: object
    judge: Judge
    config: object = field(default_factory=config)


def rows_of(orgs: list[Org]) -> pd.DataFrame:
    out = []
    for o in orgs:
        for q, n in o.clients.items():
            for region, scale in ((o.region, 1.0), *(((o.extra_region, 0.3),) if o.extra_region else ())):
                c = max(int(round(n * scale)), 0)

                def add(measure, dimension, category, value, _q=q, _region=region):
                    out.append((o.code, _q, _region, measure, dimension, category, int(value)))

                add("clients", "total", "", c)
                for need, rate in zip(NEEDS, o.needs):
                    add("clients", "need", need, round(c * rate))
                add("new_clients", "total", "", round(c * 0.4))
                add("sessions", "total", "", c * 3)
    frame = pd.DataFrame(out, columns=["org_id", "period", "region", "measure", "dimension", "category", "value"])
    return frame.astype({"value": "int64"})


def register_of(orgs: list[Org]) -> Register:
    return Register({o.code: Member(o.code, o.code, "Anglican", (o.region,), Period.parse(o.start), None)
                     for o in orgs})


def build(orgs: list[Org]) -> Built:
    cfg = config()
    rows = rows_of(orgs)
    register = register_of(orgs)
    agg = aggregate(rows, register, cfg, H1)
    store = confidentialise(agg, cfg, KEY)
    return Built(orgs, rows, register, agg, store, Judge(store, cfg, agg, rows))


def series(first: int, growth: float, quarters=QUARTERS, *, missing: tuple[str, ...] = (), jump: float = 1.0,
           seasonal: bool = True) -> dict[str, int]:
    """A member's clients by quarter: ``first`` growing by ``growth`` a quarter, a winter bump, the last quarter
    multiplied by ``jump``, and the quarters in ``missing`` not sent."""
    season = {1: 0.94, 2: 1.02, 3: 1.10, 4: 1.0}
    out = {}
    for i, q in enumerate(quarters):
        if str(q) in missing:
            continue
        value = first * (1 + growth) ** i * (season[q.number] if seasonal else 1.0)
        if i == len(quarters) - 1:
            value *= jump
        out[str(q)] = int(round(value))
    return out

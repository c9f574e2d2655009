"""The export format of ``shared/spec/member-export.md``: files, columns and coded fields."""

from __future__ import annotations

from ..core import catalogue
from .csvread import Layout

FILES: dict[str, Layout] = {
    "clients": Layout(("client_key",), ("birth_date", "birth_year", "gender", "ethnicity", "first_service_date")),
    "sessions": Layout(("session_id", "date", "region"), ("service_type", "client_keys", "unidentified")),
    "needs": Layout(("client_key", "date", "need"), ()),
    "assessments": Layout(("client_key", "date", "domain", "rating"), ()),
    "hours": Layout(("date", "region", "kind", "hours"), ()),
}
REQUIRED_FILES = ("clients", "sessions")
OPTIONAL_FILES = ("needs", "assessments", "hours")


def _cats(dimension: str) -> list[str]:
    return list(catalogue.DIMENSIONS[dimension]["categories"])


# coded field → its contract codes, in the contract's order
CODED: dict[str, list[str]] = {
    "gender": _cats("gender"),
    "ethnicity": _cats("ethnicity"),
    "region": list(catalogue.REGIONS),
    "service_type": _cats("service_type"),
    "need": _cats("need"),
    "domain": _cats("score_domain"),
    "kind": ["paid", "volunteer"],
}
LABELS: dict[str, dict[str, str]] = {
    "gender": catalogue.DIMENSIONS["gender"]["categories"],
    "ethnicity": catalogue.DIMENSIONS["ethnicity"]["categories"],
    "region": catalogue.REGIONS,
    "service_type": catalogue.DIMENSIONS["service_type"]["categories"],
    "need": catalogue.DIMENSIONS["need"]["categories"],
    "domain": catalogue.DIMENSIONS["score_domain"]["categories"],
    "kind": {"paid": "Paid staff", "volunteer": "Volunteers"},
}
# where each coded field is found: (file, column)
CODED_IN: dict[str, list[tuple[str, str]]] = {
    "gender": [("clients", "gender")],
    "ethnicity": [("clients", "ethnicity")],
    "region": [("sessions", "region"), ("hours", "region")],
    "service_type": [("sessions", "service_type")],
    "need": [("needs", "need")],
    "domain": [("assessments", "domain")],
    "kind": [("hours", "kind")],
}
LIST_FIELDS = ("ethnicity", "client_keys")  # split on a separator (";" unless the mapping says otherwise)
DEFAULT_SEPARATOR = ";"

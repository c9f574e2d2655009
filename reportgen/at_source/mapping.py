"""The mapping file: the CMS's own column names and codes, translated to the export format's.

```yaml
columns:   {clients: {client_key: ClientID}, sessions: {date: SessionDate, region: Office}}
codes:     {gender: {F: female, M: male}, region: {"Hamilton office": WKO}}
separators: {ethnicity: "|"}
```

Every YAML scalar is read as text (``01`` and ``yes`` stay text). ``codes``
keys are the contract's field names; the CMS values under them match
trimmed and without regard to case, and each target must be a contract code.
A value with no entry passes through unchanged (and must then be a contract
code itself). Problems are findings with the mapping file's line and column.

``template`` writes the commented file that ``reportgen member init`` gives a
data officer to fill in, from the export's headers and the distinct values of
each coded column, with the contract's codes beside each value, nearest first.
"""

from __future__ import annotations

import difflib
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..core.findings import Finding, did_you_mean
from ..core.yamlsource import load_yaml
from .formats import CODED, DEFAULT_SEPARATOR, FILES, LABELS, LIST_FIELDS
from .problems import BY_CODE, clip

SECTIONS = ("columns", "codes", "separators")


@dataclass
class Mapping:
    columns: dict[str, dict[str, str]] = field(default_factory=dict)  # file → contract column → CMS column
    codes: dict[str, dict[str, str]] = field(default_factory=dict)  # field → CMS value (trimmed, lower) → code
    separators: dict[str, str] = field(default_factory=dict)  # list field → separator
    shown: str | None = None  # the file as named in messages, when there is one

    def separator(self, name: str) -> str:
        return self.separators.get(name, DEFAULT_SEPARATOR)

    def translate(self, name: str, value: str) -> str:
        """The contract code a trimmed CMS value stands for (unchanged when not mapped)."""
        return self.codes.get(name, {}).get(value.lower(), value)


def _finding(code: str, message: str, shown: str, node: yaml.Node | None, hint: str | None,
             text: str) -> Finding:
    line = col = excerpt = None
    if node is not None:
        line, col = node.start_mark.line + 1, node.start_mark.column + 1
        lines = text.splitlines()
        excerpt = lines[line - 1] if 0 < line <= len(lines) else None
    return Finding(code, BY_CODE[code].severity, message, file=shown, line=line, column=col,  # type: ignore[arg-type]
                   hint=hint, excerpt=excerpt)


def load_mapping(path: Path, shown: str | None = None) -> tuple[Mapping, list[Finding]]:
    """The mapping and its problems (an empty mapping when the file cannot be used)."""
    shown = shown or path.name
    if not path.is_file():
        return Mapping(), [Finding("member.mapping-not-found", "error", "the mapping file does not exist",
                                   file=shown, hint="check the path given to --mapping; "
                                                    "`reportgen member init EXPORT_DIR` writes one to fill in")]
    src, findings = load_yaml(path, shown)
    # load_yaml reads `yes` as true and `01` as 1, so it sees `{yes: male, 1: x}` as a key twice; here
    # every scalar is text, and repeated keys are found below on the text itself
    findings = [f for f in findings if f.code != "yaml.duplicate-key"]
    if src is None or findings:
        return Mapping(), findings
    root = yaml.compose(src.text, Loader=yaml.SafeLoader)
    problems: list[Finding] = []
    out = Mapping(shown=shown)

    def bad(code: str, message: str, node: yaml.Node | None, hint: str | None = None) -> None:
        problems.append(_finding(code, message, shown, node, hint, src.text))

    def pairs(node: yaml.Node, where: str) -> list[tuple[yaml.ScalarNode, yaml.Node]]:
        if isinstance(node, yaml.ScalarNode) and node.value == "" and node.tag.endswith(":null"):
            return []  # an empty section
        if not isinstance(node, yaml.MappingNode):
            bad("member.mapping-invalid", f"{where} must be a set of 'name: value' lines", node,
                "see the mapping file section of docs/member-guide.md")
            return []
        got = []
        seen: dict[str, yaml.Node] = {}
        for k, v in node.value:
            if not isinstance(k, yaml.ScalarNode):
                bad("member.mapping-invalid", f"a key in {where} is not plain text", k)
                continue
            if k.value in seen:
                bad("member.mapping-conflict", f"'{clip(k.value)}' appears twice in {where}", k,
                    f"keep one of them (the other is on line {seen[k.value].start_mark.line + 1}): "
                    "the second would replace the first")
                continue
            seen[k.value] = k
            got.append((k, v))
        return got

    def scalar(node: yaml.Node, where: str) -> str | None:
        if not isinstance(node, yaml.ScalarNode):
            bad("member.mapping-invalid", f"{where} must be a single value, not a list or a set of lines", node)
            return None
        return node.value

    if root is None:
        return out, []
    for key, value in pairs(root, "the mapping file"):
        name = key.value
        if name not in SECTIONS:
            bad("member.mapping-unknown-key", f"unknown section '{clip(name)}'", key,
                _near(name, SECTIONS, "sections"))
            continue
        if name == "columns":
            _columns(pairs, scalar, bad, value, out)
        elif name == "codes":
            _codes(pairs, scalar, bad, value, out)
        else:
            for k, v in pairs(value, "separators"):
                if k.value not in LIST_FIELDS:
                    bad("member.mapping-unknown-key", f"'{clip(k.value)}' is not a list field", k,
                        _near(k.value, LIST_FIELDS, "list fields"))
                    continue
                sep = scalar(v, f"separators.{k.value}")
                if sep is None:
                    continue
                if sep == "" or sep.strip() == "":
                    bad("member.mapping-empty", f"the separator for {k.value} is empty or blank", v,
                        'write the character between the values, in quotes: "|"')
                    continue
                out.separators[k.value] = sep
    return out, problems


def _near(word: str, choices, what: str) -> str:
    near = did_you_mean(word, list(choices))
    return f"did you mean '{near}'?" if near else f"known {what}: {', '.join(choices)}"


def _columns(pairs, scalar, bad, node, out: Mapping) -> None:
    for fk, fv in pairs(node, "columns"):
        file = fk.value.strip().lower()
        if file.endswith(".csv"):
            file = file[:-4]
        if file not in FILES:
            bad("member.mapping-unknown-key", f"'{clip(fk.value)}' is not a file of the export", fk,
                _near(file, FILES, "files (without .csv)"))
            continue
        layout = FILES[file]
        known = (*layout.required, *layout.optional)
        seen: dict[str, yaml.Node] = {}
        for ck, cv in pairs(fv, f"columns.{file}"):
            column = ck.value.strip().lower()
            if column not in known:
                bad("member.mapping-unknown-key", f"'{clip(ck.value)}' is not a column of {file}.csv", ck,
                    _near(column, known, f"columns of {file}.csv"))
                continue
            cms = scalar(cv, f"columns.{file}.{column}")
            if cms is None:
                continue
            if not cms.strip():
                bad("member.mapping-empty", f"no CMS column is given for {file}.{column}", cv,
                    f"write the name of the column in your {file}.csv that holds {column}, or delete the line")
                continue
            norm = cms.strip().lower()
            if norm in seen:
                bad("member.mapping-conflict", f"column '{clip(cms)}' is given for two columns of {file}.csv", cv,
                    f"one CMS column can stand for only one column of the export (see line {seen[norm].start_mark.line + 1})")
                continue
            seen[norm] = cv
            out.columns.setdefault(file, {})[column] = cms.strip()


def _codes(pairs, scalar, bad, node, out: Mapping) -> None:
    for fk, fv in pairs(node, "codes"):
        name = fk.value.strip().lower()
        if name not in CODED:
            bad("member.mapping-unknown-key", f"'{clip(fk.value)}' is not a coded field", fk,
                _near(name, CODED, "coded fields"))
            continue
        known = {c.lower(): c for c in CODED[name]}
        table = out.codes.setdefault(name, {})
        where: dict[str, yaml.Node] = {}
        for vk, vv in pairs(fv, f"codes.{name}"):
            target = scalar(vv, f"codes.{name}.{vk.value}")
            if target is None:
                continue
            cms = vk.value.strip().lower()
            if not target.strip():
                bad("member.mapping-empty", f"no contract code is given for {name} value '{clip(vk.value)}'", vv,
                    f"write one of: {', '.join(nearest(vk.value, name))}; or delete the line")
                continue
            code = known.get(target.strip().lower())
            if code is None:
                bad("member.mapping-unknown-code", f"'{clip(target)}' is not a {name} code", vv,
                    _code_hint(target, name))
                continue
            if cms in table and table[cms] != code:
                bad("member.mapping-conflict", f"{name} value '{clip(vk.value)}' is mapped twice "
                    f"(to {table[cms]} and to {code})", vk,
                    f"values match without regard to case and spaces; keep one entry "
                    f"(the other is on line {where[cms].start_mark.line + 1})")
                continue
            table[cms] = code
            where[cms] = vk


def _code_hint(value: str, name: str) -> str:
    near = did_you_mean(value, CODED[name])
    if near:
        return f"did you mean '{near}'?"
    return f"{name} codes, nearest first: {', '.join(nearest(value, name)[:8])}"


# ---------------------------------------------------------------------------
# the template for `reportgen member init`

_SIMPLE = re.compile(r"[^0-9a-z]+")

# other names CMSs give the export's columns (compared without case, spaces or punctuation)
SYNONYMS: dict[str, list[str]] = {
    "client_key": ["clientid", "clientkey", "clientno", "clientnumber", "personid", "personkey", "clientref",
                   "nhi", "id", "key", "client"],
    "birth_date": ["dob", "dateofbirth", "birthdate", "born", "birthday"],
    "birth_year": ["yob", "yearofbirth", "birthyear"],
    "gender": ["sex", "genderidentity", "gendercode"],
    "ethnicity": ["ethnicities", "ethnicgroup", "ethnicgroups", "ethnic", "ethnicitycodes"],
    "first_service_date": ["firstseen", "firstcontact", "datefirstseen", "intakedate", "firstservice",
                           "startdate", "registered", "registrationdate", "firstvisit"],
    "session_id": ["sessionid", "sessionno", "sessionkey", "eventid", "appointmentid", "contactid", "visitid",
                   "activityid", "id", "key"],
    "date": ["sessiondate", "eventdate", "contactdate", "appointmentdate", "visitdate", "dateofsession",
             "needdate", "recorded", "daterecorded", "assessmentdate", "scoredate", "workdate", "weekending",
             "weekstarting", "periodending", "when", "day"],
    "region": ["office", "site", "location", "branch", "area", "centre", "center", "regioncode"],
    "service_type": ["service", "servicecategory", "servicetype", "activity", "activitytype", "type",
                     "category"],
    "client_keys": ["attendees", "clients", "clientids", "participants", "attendeeids", "people", "clientlist"],
    "unidentified": ["unnamed", "anonymous", "unidentifiedattendees", "others", "unregistered", "guests",
                     "extra", "headcount"],
    "need": ["reason", "presentingissue", "needtype", "issue", "needcode", "referralreason"],
    "domain": ["outcomedomain", "scoredomain", "scorearea", "outcomearea", "area", "question"],
    "rating": ["score", "value", "ratingvalue", "result", "points"],
    "kind": ["stafftype", "workertype", "type", "paidvolunteer", "role", "employment", "category"],
    "hours": ["hoursworked", "hrs", "time", "duration", "totalhours", "hoursgiven"],
}


def _simple(text: str) -> str:
    return _SIMPLE.sub("", text.lower())


def guess_columns(file: str, header: list[str]) -> dict[str, str]:
    """Contract column → the header name that most likely holds it (exact, synonym, then similar)."""
    layout = FILES[file]
    names = [h.strip() for h in header if h.strip()]
    simple = {_simple(h): h for h in reversed(names)}
    out: dict[str, str] = {}
    taken: set[str] = set()
    columns = (*layout.required, *layout.optional)
    for stage in ("exact", "synonym", "contains", "similar"):
        for column in columns:
            if column in out:
                continue
            got = None
            if stage == "exact":
                got = next((h for h in names if h.lower() == column), None) or simple.get(_simple(column))
            elif stage == "synonym":
                got = next((simple[s] for s in SYNONYMS.get(column, []) if s in simple), None)
            elif stage == "contains":  # RecordedDate, DateOfVisit; for dates also RecordedOn, AssessedOn
                word = _simple(column)
                got = next((h for s, h in simple.items() if h not in taken and
                            (word in s or (column == "date" and (s.endswith("on") or "date" in s)))), None)
            else:
                near = difflib.get_close_matches(_simple(column), [s for s in simple if simple[s] not in taken],
                                                 n=1, cutoff=0.75)
                got = simple[near[0]] if near else None
            if got is not None and got not in taken:
                out[column] = got
                taken.add(got)
    return out


# words CMSs use for a contract code that look nothing like it (towns for regions, groups for ethnicity)
KNOWN: dict[str, dict[str, str]] = {
    "gender": {"u": "not_stated", "unknown": "not_stated", "notstated": "not_stated", "declined": "not_stated",
               "x": "another_gender", "diverse": "another_gender", "nonbinary": "another_gender",
               "other": "another_gender", "w": "female", "woman": "female", "wahine": "female", "girl": "female",
               "man": "male", "tane": "male", "boy": "male"},
    "ethnicity": {"nzeuropean": "european", "pakeha": "european", "nzpakeha": "european", "british": "european",
                  "samoan": "pacific", "tongan": "pacific", "cookislandmaori": "pacific", "cookisland": "pacific",
                  "niuean": "pacific", "fijian": "pacific", "tokelauan": "pacific", "pasifika": "pacific",
                  "chinese": "asian", "indian": "asian", "korean": "asian", "filipino": "asian",
                  "japanese": "asian", "sri lankan": "asian", "srilankan": "asian", "arab": "melaa",
                  "african": "melaa", "latinamerican": "melaa", "middleeastern": "melaa",
                  "unknown": "not_stated", "declined": "not_stated"},
    "region": {"whangarei": "NTL", "kerikeri": "NTL", "kaitaia": "NTL", "auckland": "AKL", "manukau": "AKL",
               "otara": "AKL", "hamilton": "WKO", "thames": "WKO", "taupo": "WKO", "tauranga": "BOP",
               "rotorua": "BOP", "whakatane": "BOP", "gisborne": "GIS", "napier": "HKB", "hastings": "HKB",
               "newplymouth": "TKI", "hawera": "TKI", "palmerstonnorth": "MWT", "whanganui": "MWT",
               "wanganui": "MWT", "levin": "MWT", "wellington": "WGN", "lowerhutt": "WGN", "upperhutt": "WGN",
               "porirua": "WGN", "masterton": "WGN", "richmond": "TAS", "motueka": "TAS", "nelson": "NSN",
               "blenheim": "MBH", "greymouth": "WTC", "westport": "WTC", "hokitika": "WTC",
               "christchurch": "CAN", "timaru": "CAN", "ashburton": "CAN", "dunedin": "OTA",
               "queenstown": "OTA", "oamaru": "OTA", "invercargill": "STL", "gore": "STL"},
    "kind": {"staff": "paid", "employee": "paid", "employed": "paid", "salaried": "paid", "wages": "paid",
             "volunteers": "volunteer", "unpaid": "volunteer", "vol": "volunteer"},
}


def _known(value: str, name: str) -> str | None:
    table = KNOWN.get(name, {})
    simple = _simple(_fold(value))
    if simple in table:
        return table[simple]
    words = [_simple(w) for w in re.split(r"[\s/,&()-]+", _fold(value)) if w]
    joined = [a + b for a, b in zip(words, words[1:])]
    return next((table[w] for w in (*joined, *words) if w in table), None)


def _fold(text: str) -> str:
    """Lower case without macrons (Whangārei → whangarei)."""
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))


def nearest(value: str, name: str) -> list[str]:
    """The contract codes of ``name``, the most similar to ``value`` first (code and label compared)."""
    v = value.strip().lower()
    vs = _simple(v)
    known = _known(value, name)

    def score(code: str) -> float:
        label = LABELS[name].get(code, code).lower()
        s = max(difflib.SequenceMatcher(None, v, code.lower()).ratio(),
                difflib.SequenceMatcher(None, v, label).ratio(),
                difflib.SequenceMatcher(None, vs, _simple(code)).ratio())
        words = set(re.findall(r"[a-zāēīōū]+", v))
        if vs and (_simple(code).startswith(vs) or _simple(label).startswith(vs)):
            s += 0.5
        if words & set(re.findall(r"[a-zāēīōū]+", label + " " + code.replace("_", " "))):
            s += 0.3
        if code == known:
            s += 2
        return s

    order = {c: i for i, c in enumerate(CODED[name])}
    return sorted(CODED[name], key=lambda c: (-score(c), order[c]))


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


MAX_VALUES = 200  # distinct values listed per coded field


@dataclass
class Seen:
    """What ``init`` found in the export: each file's header and each coded field's values."""

    headers: dict[str, list[str]] = field(default_factory=dict)  # file → header
    guessed: dict[str, dict[str, str]] = field(default_factory=dict)  # file → contract column → header name
    values: dict[str, Counter] = field(default_factory=dict)  # coded field → value → rows
    sources: dict[str, list[str]] = field(default_factory=dict)  # coded field → "file.csv column X"
    separators: dict[str, str] = field(default_factory=dict)  # list field → guessed separator


def guess_separator(values: list[str]) -> str:
    """';' unless the values show another list separator and never ';'."""
    text = "".join(values)
    if ";" in text or not text:
        return DEFAULT_SEPARATOR
    for sep in ("|", ",", "/", "+"):
        if sep in text:
            return sep
    return DEFAULT_SEPARATOR


def template(seen: Seen) -> str:
    """The commented mapping file to fill in."""
    out: list[str] = [
        "# Mapping file for `reportgen member aggregate --mapping FILE`: your CMS's column names and codes,",
        "# translated to the export format of docs/member-guide.md. Written by `reportgen member init` from",
        "# the export's headers and the values found in it. Check every line, fill in every \"\", and delete",
        "# what you do not need. Everything is read as text; values match without regard to case and spaces.",
        "# A value with no line here must already be a contract code.",
        "",
        "columns:   # per file, the export format's column: the column in your file",
    ]
    for file, layout in FILES.items():
        if file not in seen.headers:
            out.append(f"  # {file}: (no {file}.csv in the export)")
            continue
        header = seen.headers[file]
        guessed = seen.guessed.get(file, {})
        out.append(f"  {file}:")
        out.append(f"    # header of {file}.csv: {clip(', '.join(h.strip() for h in header), 300)}")
        for column in (*layout.required, *layout.optional):
            need = "required" if column in layout.required else "optional"
            got = guessed.get(column)
            if got is None:
                out.append(f"    # {column}: \"\"   # not found ({need}); name your column for it")
            elif got.lower() == column:
                out.append(f"    # {column}: {_q(got)}   # ({need}) found under its own name: nothing to map")
            else:
                out.append(f"    {column}: {_q(got)}   # ({need}) guessed: check")
    out += ["", "codes:   # per field, your CMS's value: the contract's code"]
    for name in CODED:
        values = seen.values.get(name)
        where = "; ".join(seen.sources.get(name, [])) or "no column found"
        if not values:
            out.append(f"  # {name}: {{}}   # no values found ({where})")
            continue
        known = {c.lower() for c in CODED[name]}
        to_map = [(v, n) for v, n in values.most_common() if v.strip().lower() not in known]
        already = [v for v in values if v.strip().lower() in known]
        out.append(f"  {name}:")
        out.append(f"    # {len(values):,} distinct value{'s' * (len(values) != 1)} in {where}")
        out.append(f"    # contract codes: {', '.join(CODED[name])}")
        if already:
            out.append(f"    # already contract codes, nothing to map: {clip(', '.join(sorted(already)), 300)}")
        for value, rows in to_map[:MAX_VALUES]:
            codes = ", ".join(nearest(value, name)[:6])
            out.append(f"    {_q(value.strip())}: \"\"   # {rows:,} row{'s' * (rows != 1)}; nearest first: {codes}")
        if len(to_map) > MAX_VALUES:
            out.append(f"    # … and {len(to_map) - MAX_VALUES:,} more values not listed (the rarest)")
        if not to_map:
            out.append("    # every value is already a contract code")
    out += ["", "separators:   # the character between the values of a list field, when it is not \";\""]
    for name in LIST_FIELDS:
        sep = seen.separators.get(name, DEFAULT_SEPARATOR)
        if sep != DEFAULT_SEPARATOR:
            out.append(f"  {name}: {_q(sep)}   # guessed from the values: check")
        else:
            out.append(f"  # {name}: \"|\"")
    return "\n".join(out) + "\n"

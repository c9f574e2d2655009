"""Every error code in docs/editors-guide.md is triggered here, with its message and location.

The guide's error table is parsed, so a code added to the guide without a
test here (or tested here but missing from the guide) fails.
"""

from __future__ import annotations

import re

import pytest

from reportgen.core.config import load_config
from reportgen.core.periods import Period
from reportgen.narratives.scaffold import new_file, start_from

from .conftest import REPO
from .narratives_support import H1, STORY, run

GUIDE = REPO / "docs" / "editors-guide.md"
R = "narratives/2025H1/report.yaml"
S = "narratives/2025H1/stories/s.yaml"


def guide_codes() -> set[str]:
    text = GUIDE.read_text(encoding="utf-8")
    table = text.split("## Errors and how to fix them", 1)[1]
    return set(re.findall(r"^\| `([a-z]+\.[a-z0-9-]+)` \|", table, re.M))


def report(summary_line: str) -> dict[str, str]:
    return {"report.yaml": f"title: T\npublisher: P\n{summary_line}\n"}


def story_with(old: str, new: str) -> dict[str, str]:
    assert old in STORY
    return {"stories/s.yaml": STORY.replace(old, new)}


# code: (files, file, line, column, message fragment)
CASES: dict[str, tuple] = {
    "yaml.syntax": ({"report.yaml": "title: Housing: up again\npublisher: P\nsummary: S\n"}, R, 1, 15,
                    "a colon followed by a space appears inside unquoted text"),
    "yaml.duplicate-key": ({"report.yaml": "title: T\npublisher: P\nsummary: a\nsummary: b\n"}, R, 4, 1,
                           "the key 'summary' appears twice at the same level"),
    "yaml.alias": ({"report.yaml": "title: &t T\npublisher: P\nsummary: *t\n"}, R, 1, 8,
                   "a '&' anchor (a YAML alias) is not allowed in a narrative file"),
    "yaml.control-character": ({"report.yaml": "title: T\npublisher: P\nsummary: a\x1bb\n"}, R, 3, 11,
                               "an ESC character (U+001B) is in the file"),
    "yaml.not-utf8": ({"report.yaml": "title: T\npublisher: P\nsummary: caf\xe9\n".encode("latin-1")}, R, 3, None,
                      "the file is not saved as UTF-8 text"),
    "narrative.no-report": ({"stories/.keep": ""}, R, None, None, "the report narrative is missing"),
    "narrative.not-a-mapping": ({"report.yaml": "- title: T\n"}, R, 1, None,
                                "the file must be a set of 'field: value' lines"),
    "narrative.unknown-key": ({"report.yaml": "title: T\npublisher: P\nsummary: S\nsumary: x\n"}, R, 4, 1,
                              "unknown key 'sumary'"),
    "narrative.missing-key": ({"report.yaml": "publisher: P\nsummary: S\n"}, R, 1, 1,
                              "'title' is required but missing"),
    "narrative.empty": ({"report.yaml": 'title: ""\npublisher: P\nsummary: S\n'}, R, 1, 8,
                        "'title' is empty: fill it in"),
    "narrative.invalid-value": ({"report.yaml": "title: T\npublisher: P\nsummary: S\n"
                                                "publication_date: 15/09/2025\n"}, R, 4, 19,
                                "publication_date: expected a date written as YYYY-MM-DD (found '15/09/2025')"),
    "narrative.unknown-file": ({"stories/kai.txt": "title: x\n"}, "narratives/2025H1/stories/kai.txt", None, None,
                               "'kai.txt' is not read"),
    "narrative.unknown-region": (story_with("region: AKL", "region: AKK"), S, 3, 9,
                                 "unknown region code 'AKK'"),
    "story.unknown-voice": (story_with("voice: client", "voice: whanau"), S, 2, 8, "unknown voice 'whanau'"),
    "story.unknown-theme": (story_with("themes: [food]", "themes: [food, hosuing]"), S, 4, 16,
                            "unknown theme (need code) 'hosuing'"),
    "story.unknown-consent": (story_with("status: given", "status: pendng"), S, 8, 11,
                              "unknown consent status 'pendng'"),
    "story.consent-date": (story_with("date: 2025-05-01", "date: 2099-01-01"), S, 9, 9,
                           "the consent is dated 2099-01-01, after today"),
    "story.withheld": (story_with("approved: true", "approved: false"), S, None, None,
                       "story 's' is withheld (not approved): drafts show a placeholder box"),
    "story.withdrawn": (story_with("status: given", "status: withdrawn"), S, None, None,
                        "story 's' is left out of every output: consent withdrawn"),
    "placeholder.unknown": (report('summary: "Hi {{ cleints }}"'), R, 3, 14,
                            "unknown name 'cleints' in a placeholder — did you mean 'clients'?"),
    "placeholder.syntax": (report('summary: "Hi {{ clients + }}"'), R, 3, 14,
                           "a placeholder is not written correctly"),
    "placeholder.unsafe": (report('summary: "Hi {{ clients.__class__ }}"'), R, 3, 14,
                           "'__class__' is internal"),
    "placeholder.not-allowed": (report("summary: |\n  Line one\n  {% for x in clients %}x{% endfor %}"), R, 5, 3,
                                "blocks such as {% for %} or {% if %} are not available in narratives"),
    "placeholder.too-big": (report("summary: \"Hi {{ 9**9**9 }}\""), R, 3, 14,
                            "is beyond ±1,000,000,000,000,000, larger than any figure"),
    "placeholder.error": (report('summary: "Hi {{ 1 / 0 }}"'), R, 3, 14, "a placeholder divides by zero"),
    "claim.false": (report("summary: |\n  Otago feels it most. [[check region.OTA.clients.need.housing.share is the "
                           "highest of the regions]]"), R, 4, 24, "is the highest of the regions, but Auckland has"),
    "claim.not-available": (report("summary: West Coast rose. [[check region.WTC.clients.change is up]]"), R, 3, 27,
                            "the check cannot be made: region.WTC.clients.change is C"),  # not published: C everywhere
    "claim.syntax": (report("summary: It grew. [[check clients goes up]]"), R, 3, 19, "'clients goes up' is not a check"),
    "claim.unlike": (report("summary: More. [[check clients.need.housing.share is above clients]]"), R, 3, 16,
                     "compare like with like"),
    "claim.unknown": (report("summary: Up. [[check cleints.change is up]]"), R, 3, 14, "did you mean 'clients'"),
    "claim.not-material": (report("summary: Bay of Plenty saw more people. [[check region.BOP.clients.change_all is up]]"),
                           R, 3, 41, "+1\u00a0% is less than 2\u00a0%: little changed"),
    "claim.one-member": (report("summary: Tasman saw {{ region.TAS.clients.change }} more people."), R, 3, 10,
                         "comes mostly from one member whose client numbers moved by more than 50 % in a quarter"),
    "statement.unverified": (report("summary: Demand stepped up again this year."), R, 3, 17,
                             "the sentence states a direction ('stepped up') but carries no check"),
    "statement.typed-number": (report("summary: We supported 14,220 people."), R, 3, 23,
                               "the sentence states a number typed as text ('14,220')"),
    "statement.seasonal": (report("summary: Against the previous half-year clients were "
                                  "{{ clients.change_all_previous }}."), R, 3, 57,
                           "without saying it is not seasonally adjusted"),
    "statement.no-reason": (report("summary: |\n  Rents rose faster than wages. [[no check]]"), R, 4, 33,
                            "a [[no check]] needs its reason"),
    "period.other-period": ({"report.yaml": "title: T\nsubtitle: What we saw in the second half of 2024\npublisher: P"
                                            "\nsummary: S\n"}, R, 2, 30,
                            "the title names second half of 2024 (July–December 2024), but this report is for "
                            "January–June 2025"),
    "period.no-year": (report("summary: The fund closed in September."), R, 3, 29,
                       "the text names September without a year, and September is not part of January–June 2025"),
    "period.after-period": (report("summary: By September 2025 the queue had doubled. [[check clients.change is up]]"),
                            R, 3, 13, "the text names September 2025, after the end of the period this report covers"),
    "period.publication-date": (report("summary: S\npublication_date: 2025-06-30"), R, 4, 19,
                                "the publication date is 30 June 2025, but January–June 2025 ends on 30 June 2025"),
    "markdown.raw-html": (report('summary: Hi <img src="file:///etc/passwd"> there'), R, 3, 13,
                          'HTML is not allowed in narrative text: <img src="file:///etc/passwd">'),
    "markdown.image": (report("summary: See ![x](file:///etc/passwd)"), R, 3, 19,
                       "images cannot be placed in narrative text (file:///etc/passwd)"),
    "markdown.unsafe-link": (report("summary: See [click](javascript:alert(1))"), R, 3, 22,
                             "a link to 'javascript:alert(1)' is not allowed"),
    "privacy.email": (report("summary: Write to mere.smith@example.com today"), R, 3, 19,
                      "an e-mail address in narrative text: 'mere.smith@example.com'"),
    "privacy.phone": (report("summary: |\n  Hello.\n  Ring +64 9 555 0123 now"), R, 5, 8,
                      "a phone number in narrative text: '+64 9 555 0123'"),
    "privacy.nhi": (report("summary: Her NHI is ZAC5361."), R, 3, 21, "an NHI number in narrative text: 'ZAC5361'"),
    "privacy.ird": (report("summary: IRD 49-091-850 was shown"), R, 3, 14,
                    "an IRD number in narrative text: '49-091-850'"),
    "privacy.address": (report("summary: She lived at 12 Kōwhai Street until May"), R, 3, 23,
                        "a street address in narrative text: '12 Kōwhai Street'"),
    "privacy.name": (story_with("body: The story.", "body: Then Sione Fifita came."), S, 6, 12,
                     "a name on the list of names that must not appear"),
}

DRAFT_WARNINGS = {"claim.false", "claim.not-available", "claim.not-material", "claim.one-member",
                  "statement.unverified", "statement.typed-number", "statement.seasonal", "period.other-period",
                  "period.no-year", "period.after-period", "period.publication-date"}

SCAFFOLD_CASES = {
    "scaffold.exists": (dict(kind="story", slug="kai"), "already exists: it was left as it is"),
    "scaffold.bad-name": (dict(kind="story", slug="Kai Time"), "'Kai Time' cannot name a story file"),
    "scaffold.unknown-region": (dict(kind="region", region="AKK"), "unknown region code 'AKK'"),
    "scaffold.no-source": (dict(kind="from", old="2024H2"), "narratives/2024H2/report.yaml does not exist"),
}


def test_every_code_in_the_guide_is_tested_here_and_vice_versa():
    assert guide_codes() == set(CASES) | set(SCAFFOLD_CASES)


@pytest.mark.parametrize("code", sorted(CASES))
def test_guide_error_code(tmp_path, code):
    files, file, line, column, fragment = CASES[code]
    no_report = "report.yaml" in files or code == "narrative.no-report"
    rendered, findings = run(tmp_path, files, report=None if no_report else "title: T\npublisher: P\nsummary: S\n")
    hits = [f for f in findings if f.code == code]
    assert hits, [f.format() for f in findings]
    f = hits[0]
    assert fragment in f.message, f.format()
    assert (f.file, f.line, f.column) == (file, line, column), f.format()
    assert f.hint
    if code.startswith("story.with") or code == "narrative.unknown-file" or code in DRAFT_WARNINGS:
        assert f.severity == "warning"  # claims: an error for the final (test_narratives_claims.py)
    else:
        assert f.severity == "error"


@pytest.mark.parametrize("code", sorted(SCAFFOLD_CASES))
def test_guide_scaffold_code(tmp_path, code):
    (tmp_path / "config.yaml").write_text((REPO / "config.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    config = load_config(tmp_path / "config.yaml")
    args, fragment = dict(SCAFFOLD_CASES[code][0]), SCAFFOLD_CASES[code][1]
    kind = args.pop("kind")
    if kind == "from":
        written, problems = start_from(config, Period.parse("2025H2"), Period.parse(args["old"]))
        assert written == [] and [p.code for p in problems] == [code]
        assert fragment in problems[0].message and problems[0].hint
        return
    if code == "scaffold.exists":
        path, problems = new_file(kind, config, H1, **args)
        assert path is not None and not problems
        path.write_text(path.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
        before = path.read_bytes()
    path, problems = new_file(kind, config, H1, **args)
    assert path is None and [p.code for p in problems] == [code]
    assert fragment in problems[0].message and problems[0].hint
    if code == "scaffold.exists":
        assert problems[0].file == "narratives/2025H1/stories/kai.yaml"
        assert (tmp_path / "narratives/2025H1/stories/kai.yaml").read_bytes() == before

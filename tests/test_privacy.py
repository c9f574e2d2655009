"""The personal-information scan: check characters, patterns, the allow-list, locations."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reportgen.narratives.privacy import _NHI_LETTERS, ird_valid, nhi_valid, scan

from .narratives_support import STORY, run


@pytest.mark.parametrize("nhi", ["WLD9413", "ZAC5361", "JBX3656", "ZZZ0016", "ZZZ0024", "ZAA0105",
                                 "zac5361",  # case does not matter
                                 "ZSC21TN", "ZBN77VL", "ZVB97XQ",  # new format, HISO 10046:2023 (mod 23)
                                 "ZZZ00AX", "ZVU27KZ", "ALU18KZ"])  # new format, earlier routine (mod 24)
def test_valid_nhi_numbers(nhi):
    assert nhi_valid(nhi)


@pytest.mark.parametrize("nhi", ["ZZZ0044", "ZZZ0017", "DAB8233", "JBX3650", "JBX3659",  # wrong check digit
                                 "ZZZ00AA", "ZZZ00AY", "ZHW58CZ",  # wrong check letter
                                 "IAB1234", "ABO1234", "AB12345", "ABC123"])  # I and O never used; bad shape
def test_invalid_nhi_numbers(nhi):
    assert not nhi_valid(nhi)


def test_old_format_nhi_with_checksum_zero_is_never_valid():
    assert not any(nhi_valid(f"ZZZ004{i}") for i in range(10))


@pytest.mark.parametrize("ird", ["49091850", "35901981", "49098576", "136410132", "49-091-850", "136 410 132"])
def test_valid_ird_numbers(ird):
    assert ird_valid(ird)


@pytest.mark.parametrize("ird", ["136410133", "9125568", "49091851", "150000001", "1234"])
def test_invalid_ird_numbers(ird):
    assert not ird_valid(ird)


@given(st.text(alphabet=_NHI_LETTERS, min_size=3, max_size=3), st.integers(0, 999))
def test_exactly_one_check_digit_fits_an_old_nhi_or_none(letters, number):
    fitting = [d for d in range(10) if nhi_valid(f"{letters}{number:03d}{d}")]
    assert len(fitting) <= 1


@given(st.integers(10_000_000, 14_999_999))
def test_at_most_one_check_digit_fits_an_ird_base(base8):
    fitting = [d for d in range(10) if ird_valid(f"{base8}{d}")]
    assert len(fitting) <= 1


@pytest.mark.parametrize("text,kind,found", [
    ("mail mere.smith@example.co.nz now", "email", "mere.smith@example.co.nz"),
    ("ring 021 555 0123", "phone", "021 555 0123"),
    ("ring 0275550123 now", "phone", "0275550123"),
    ("ring 022-555-01234", "phone", "022-555-01234"),
    ("ring (09) 555 0123", "phone", "(09) 555 0123"),
    ("ring me (021 555 0123)", "phone", "021 555 0123"),
    ("ring 04-555 0123", "phone", "04-555 0123"),
    ("ring 03 555 0123", "phone", "03 555 0123"),
    ("ring +64 21 555 0123", "phone", "+64 21 555 0123"),
    ("ring +64 (0)9 555 0123", "phone", "+64 (0)9 555 0123"),
    ("ring +6495550123", "phone", "+6495550123"),
    ("ring 0064 4 555 0123", "phone", "0064 4 555 0123"),
    ("ring 0800 555 014", "phone", "0800 555 014"),
    ("NHI ZAC5361.", "nhi", "ZAC5361"),
    ("NHI zbn77vl", "nhi", "zbn77vl"),
    ("IRD 49-091-850", "ird", "49-091-850"),
    ("IRD 136410132", "ird", "136410132"),
    ("at 12 Kōwhai Street", "address", "12 Kōwhai Street"),
    ("at 3/45 Great North Rd.", "address", "3/45 Great North Rd"),
    ("at 7A Te Awa Road", "address", "7A Te Awa Road"),
    ("at 101 Queen st", "address", "101 Queen st"),
])
def test_scan_finds(text, kind, found):
    hits = scan(text)
    assert [(h.kind, h.text) for h in hits] == [(kind, found)]
    assert text[hits[0].start:hits[0].end].rstrip(".") == found


@pytest.mark.parametrize("text", [
    "In 2025 our members supported 14,220 people, up 10 % on 2024.",
    "3 more whānau came down the road to the marae on 15 June.",
    "We ran 12 sessions at the hall; 40 kaimahi gave 1,200 hours.",
    "The 2024-25 year, 2025-09-15, CONSENT-2025-AKL-03 and 1 in 3 people.",
    "ZAC5362 is not a valid NHI; 49091851 is not a valid IRD number.",
    "She paid $140 a week more, 58 years old, 11 years in the house.",
    "Ōtautahi Christchurch, Kirikiriroa Hamilton, Tāmaki Makaurau.",
])
def test_scan_leaves_ordinary_report_text_alone(text):
    assert scan(text) == []


def test_names_are_matched_whole_and_case_insensitively():
    hits = scan("Then sione  fifita came, not Sione Fifitaki.", names=["Sione Fifita"])
    assert [(h.kind, h.text) for h in hits] == [("name", "sione  fifita")]


def test_allow_list_lets_the_publishers_own_details_through():
    text = "Contact research@federation.example.nz or 0800 555 014; or mere@example.com, 0800 555 015."
    hits = scan(text, allow=["research@federation.example.nz", "0800 555 014"])
    assert [(h.kind, h.text) for h in hits] == [("email", "mere@example.com"), ("phone", "0800 555 015")]


def test_scan_covers_every_string_in_every_file_with_line_and_column(tmp_path):
    files = {
        "report.yaml": "title: T\npublisher: P\nsummary: S\ncontact: research@federation.example.nz · 0800 555 014\n"
                       "sections:\n  stories: |\n    Thanks.\n    Ring 021 555 0123.\n",
        "regions/AKL.yaml": "intro: Hi\nkey_points:\n  - fine\n  - write to kim@example.org\n",
        "stories/s.yaml": STORY.replace("pull_quote: A quote.", "pull_quote: Aroha Tipene-Walker said so")
                               .replace("reference: C-1", "reference: NHI ZAC5361"),
    }
    _, findings = run(tmp_path, files)
    got = [(f.code, f.file.rsplit("/", 1)[-1], f.line, f.column) for f in findings if f.code.startswith("privacy")]
    assert got == [("privacy.phone", "report.yaml", 8, 10), ("privacy.email", "AKL.yaml", 4, 14),
                   ("privacy.name", "s.yaml", 5, 13), ("privacy.nhi", "s.yaml", 10, 18)]
    assert all(f.severity == "error" and f.excerpt for f in findings if f.code.startswith("privacy"))


def test_repeated_hits_in_one_value_point_at_each_occurrence(tmp_path):
    files = {"report.yaml": "title: T\npublisher: P\nsummary: |\n  a@b.nz here\n  and a@b.nz there\n"}
    _, findings = run(tmp_path, files)
    assert [(f.line, f.column) for f in findings] == [(4, 3), (5, 7)]


def _old_nhi(letters: str, number: int) -> str | None:
    from reportgen.narratives.privacy import _nhi_value

    body = f"{letters}{number:03d}"
    rem = sum(_nhi_value(c) * w for c, w in zip(body, range(7, 1, -1))) % 11
    return None if rem == 0 else f"{body}{(11 - rem) % 10}"


def _ird(base8: int) -> str | None:
    digits = str(base8).zfill(8)
    for weights in ((3, 2, 7, 6, 5, 4, 3, 2), (7, 4, 3, 2, 5, 2, 7, 6)):
        rem = sum(int(d) * w for d, w in zip(digits, weights)) % 11
        check = 0 if rem == 0 else 11 - rem
        if check != 10:
            return f"{digits}{check}"
    return None


_WORDS = st.lists(st.sampled_from(["whānau", "came", "to", "us", "in", "June", "with", "a", "letter", "—", "kai"]),
                  max_size=6).map(" ".join)


@given(_WORDS, st.text(alphabet=_NHI_LETTERS, min_size=3, max_size=3), st.integers(0, 999), _WORDS)
def test_any_valid_old_nhi_in_text_is_found(before, letters, number, after):
    nhi = _old_nhi(letters, number)
    if nhi is None:
        return
    hits = scan(f"{before} {nhi} {after}")
    assert [(h.kind, h.text) for h in hits] == [("nhi", nhi)]


@given(_WORDS, st.integers(10_000_000, 15_000_000), st.sampled_from(["", "-", " "]), _WORDS)
def test_any_valid_ird_in_text_is_found(before, base8, sep, after):
    ird = _ird(base8)
    if ird is None or not 10_000_000 <= int(ird) <= 150_000_000:
        return
    shown = sep.join([ird[:-6], ird[-6:-3], ird[-3:]]) if sep else ird
    hits = scan(f"{before} {shown} {after}")
    assert [(h.kind, h.text) for h in hits] == [("ird", shown)]


def test_privacy_config_is_checked_like_every_other_option(tmp_path):
    from reportgen.core.config import load_config
    from reportgen.core.findings import StageFailed

    (tmp_path / "config.yaml").write_text("privacy:\n  name: [Hemi]\n  allow: research@x.nz\n", encoding="utf-8")
    with pytest.raises(StageFailed) as failed:
        load_config(tmp_path / "config.yaml")
    got = sorted((f.code, f.line, f.hint if f.code.endswith("unknown-key") else f.message)
                 for f in failed.value.findings)
    assert got == [("config.invalid-value", 3, "privacy.allow: expected a list ('- item' lines) (found 'research@x.nz')"),
                   ("config.unknown-key", 2, "did you mean 'names'?")]

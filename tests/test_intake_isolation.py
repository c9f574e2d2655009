"""Issue 26: isolation tested as an attacker would. Member A holds a valid key and tries everything of
member B's: receipts, history, guessed ids, other periods, the staff pages, path tricks in file names and
in addresses, a forged org_id. Nothing of B's is revealed, not even whether it exists: every miss is the
same 404 as for a receipt that was never made. Planting a leak makes these tests fail (see the report)."""

from __future__ import annotations

import re

import pytest

from .intake_support import Service, call, intake_project, issue, sample_file, send


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = intake_project(tmp_path_factory.mktemp("intake-iso") / "project")
    s = Service(root).start()
    a, b = issue(root, "member", "ANG001"), issue(root, "member", "BAP001")
    for n in range(3):  # B has three versions of 2025Q3 and one of 2025Q2
        data = sample_file("BAP001", "2025Q3") + b"\n" * n
        assert send(s, b, "2025Q3", [("BAP001.csv", data)])[0] == 201
    assert send(s, b, "2025Q2", [("BAP001.csv", sample_file("BAP001", "2025Q2"))])[0] == 201
    yield s, a, b
    s.stop()


def not_found(url, key):
    status, doc, headers = call(url, key)
    return status == 404 and doc == {"error": "not-found", "message": "there is no such receipt"}


def test_a_cannot_read_bs_receipts_by_id_or_guess(world):
    s, a, b = world
    assert call(f"{s.url}/api/v1/submissions/2025Q3-BAP001-1", b)[0] == 200  # they exist
    never = call(f"{s.url}/api/v1/submissions/2025Q3-BAP001-99", a)
    for rid in ["2025Q3-BAP001-1", "2025Q3-BAP001-3", "2025Q2-BAP001-1", "2025Q3-bap001-1", "2025Q3-BAP001-1 ",
                "2025Q3-BAP001-01", "2025Q3-BAP001-1.json", "%32025Q3-BAP001-1", "2025Q3-BAP001-1%00"]:
        got = call(f"{s.url}/api/v1/submissions/{rid}", a)
        assert got[0] == 404 and got[1] == never[1], rid
        assert got[2]["content-length"] == never[2]["content-length"], rid  # not even the size differs


def test_a_lists_only_its_own_and_its_numbering_is_its_own(world):
    s, a, b = world
    for period in ("2025Q3", "2025Q2", "2025Q4"):
        status, doc, _ = call(f"{s.url}/api/v1/submissions?period={period}", a)
        assert status == 200 and doc["receipts"] == []
    status, doc, _ = call(f"{s.url}/api/v1/submissions?period=2025Q3&org_id=BAP001", a)
    assert doc["receipts"] == []
    status, first, _ = send(s, a, "2025Q3", [("ANG001.csv", sample_file("ANG001", "2025Q3"))])
    assert first["version"] == 1 and first["receipt_id"] == "2025Q3-ANG001-1"  # B's three versions do not show
    assert "BAP001" not in str(first)
    status, doc, _ = call(f"{s.url}/api/v1/submissions?period=2025Q3", a)
    assert [r["org_id"] for r in doc["receipts"]] == ["ANG001"]


def test_a_forged_org_id_stores_nothing_and_names_nothing_of_b(world):
    s, a, b = world
    files = sorted(p.name for p in (s.root / "intake" / "files").rglob("*") if p.is_file())
    status, doc, _ = send(s, a, "2025Q3", [("ANG001.csv", sample_file("BAP001", "2025Q3"))])
    assert status == 422 and doc["error"] == "org-mismatch"
    assert sorted(p.name for p in (s.root / "intake" / "files").rglob("*") if p.is_file()) == files
    # a made-up org and a real one get the same answer (the message only repeats what was sent)
    forged = sample_file("ANG001", "2025Q3").replace(b"ANG001,", b"ZZZ999,")
    status2, doc2, _ = send(s, a, "2025Q3", [("ANG001.csv", forged)])
    assert status2 == 422 and doc2["message"].replace("ZZZ999", "BAP001") == doc["message"]
    assert call(f"{s.url}/api/v1/submissions?period=2025Q3", b)[1]["receipts"][0]["version"] == 3


@pytest.mark.parametrize("name", ["../../config.yaml.csv", "..\\..\\evil.csv", "/etc/passwd.csv", ".hidden.csv",
                                  "a/../../b.csv", "con\x00.csv", "BAP001.csv", "é" * 300 + ".csv"])
def test_path_tricks_in_file_names_stay_inside_the_store(world, name):
    s, a, b = world
    before = {p for p in s.root.rglob("*") if p.is_file() and "serve-" not in p.name}
    data = sample_file("ANG001", "2025Q3") + name.encode("utf-8", "replace")[:0] + b"\n" * (len(name) % 7 + 3)
    status, doc, _ = send(s, a, "2025Q3", [(name, data)])
    assert status in (200, 201), doc
    stored = doc["files"][0]["name"]
    assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._ -]*\.csv", stored) and len(stored) <= 100, stored
    after = {p for p in s.root.rglob("*") if p.is_file() and "serve-" not in p.name}
    new = after - before
    assert all(p.parent.parent == s.root / "intake" / "files" or p.name.startswith("intake.sqlite3") for p in new), new
    assert not (s.root.parent / "evil.csv").exists() and not (s.root / "b.csv").exists()


def test_a_cannot_reach_b_through_the_pages(world, tmp_path):
    s, a, b = world
    import http.cookiejar
    import urllib.request

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{s.url}/signin").read().decode()
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    opener.open(f"{s.url}/signin", urllib.parse.urlencode({"csrf": csrf, "key": a}).encode()).read()

    def status(path):
        try:
            with opener.open(f"{s.url}{path}") as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    code, own = status("/history")
    assert code == 200 and b"ANG001" in own and b"BAP001" not in own
    nothing = status("/receipts/2025Q3-ANG001-77")
    assert nothing[0] == 404
    for path in ["/receipts/2025Q3-BAP001-1", "/receipts/2025Q3-BAP001-1.json", "/receipts/2025Q2-BAP001-1",
                 "/staff", "/staff/periods/2025Q3", "/staff/periods/2025Q2", "/receipts/..%2F..%2Fconfig.yaml",
                 "/periods/..%2F..%2Fconfig.yaml", "/periods/2099Q1", "/static/..%2F..%2Fservice.py"]:
        code, body = status(path)
        assert code == 404 and b"BAP001" not in body, path
        assert body == nothing[1], path  # the same page as for a receipt that never existed
    # withdrawing is for staff: A's attempt is the same 404, and nothing is withdrawn
    try:
        opener.open(f"{s.url}/receipts/2025Q3-BAP001-1/withdraw",
                    urllib.parse.urlencode({"csrf": "x", "reason": "mine now"}).encode())
        raise AssertionError("withdraw answered")
    except urllib.error.HTTPError as exc:
        assert exc.code == 404
    assert "withdrawn" not in call(f"{s.url}/api/v1/submissions/2025Q3-BAP001-1", b)[1]

"""Issue 26: the intake API of shared/spec/intake-api.md over real HTTP, against the real service (uvicorn,
SQLite), and ``reportgen member send`` against it. One service for the module."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time

import pytest

from .intake_support import Service, call, intake_project, issue, multipart, sample_file, send, with_bad_region


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    root = intake_project(tmp_path_factory.mktemp("intake-api") / "project", max_file=64 << 10,
                          max_request=160 << 10)
    with (root / "config.yaml").open("a", encoding="utf-8") as fh:
        fh.write("  idle_seconds: 1.5\n")
    s = Service(root).start()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def keys(service):
    return {org: issue(service.root, "member", org) for org in ("ANG001", "ANG002", "BAP001", "CAT001")} | {
        "staff": issue(service.root, "staff", "aroha")}


def stored_files(root):
    return sorted(p.name for p in (root / "intake" / "files").rglob("*") if p.is_file())


def test_accepted_rejected_fixed_and_the_same_bytes_again(service, keys):
    good = sample_file("ANG001", "2025Q3")
    status, first, _ = send(service, keys["ANG001"], "2025Q3", [("ANG001.csv", good)], note="first go")
    assert status == 201, first
    assert first["receipt_id"] == "2025Q3-ANG001-1" and first["version"] == 1 and first["status"] == "accepted"
    assert first["org_id"] == "ANG001" and first["period"] == "2025Q3" and first["late"] is False
    assert "replaces" not in first and first["note"] == "first go"
    assert first["received_at"][-6:] in ("+13:00", "+12:00")
    import hashlib
    assert first["files"] == [{"name": "ANG001.csv", "bytes": len(good), "sha256": hashlib.sha256(good).hexdigest()}]
    assert {"severity", "code", "file", "line", "column", "message", "hint"} <= set(first["findings"][0])
    # the same bytes again: no new version, that receipt, 200
    status, again, _ = send(service, keys["ANG001"], "2025Q3", [("renamed.csv", good)])
    assert status == 200 and again["receipt_id"] == "2025Q3-ANG001-1"
    # an error: rejected, kept, located exactly as reportgen check shows it
    bad = good.replace(b"ANG001,2025Q3,AKL,clients,total,,", b"ANG001,2025Q3,AKX,clients,total,,", 1)
    status, rejected, _ = send(service, keys["ANG001"], "2025Q3", [("ANG001.csv", bad)])
    assert status == 201 and rejected["status"] == "rejected" and rejected["version"] == 2
    assert "replaces" not in rejected
    region = [f for f in rejected["findings"] if f["code"] == "data.unknown-region"]
    assert region == [{"severity": "error", "code": "data.unknown-region", "file": "ANG001.csv", "line": 2,
                       "column": 3, "message": "unknown region code 'AKX'", "hint": "did you mean 'AKL'?"}]
    # the same rejected bytes again: that receipt, no third version
    status, same_bad, _ = send(service, keys["ANG001"], "2025Q3", [("ANG001.csv", bad)])
    assert status == 200 and same_bad["receipt_id"] == "2025Q3-ANG001-2"
    # fixed: accepted, replacing version 1
    fixed = good.replace(b",AKL,clients,age_band,0_15,", b",AKL,clients,age_band,0_15,", 1) + b"\n"
    status, third, _ = send(service, keys["ANG001"], "2025Q3", [("ANG001.csv", fixed)])
    assert status == 201 and third["status"] == "accepted" and third["replaces"] == "2025Q3-ANG001-1"
    # the list: newest first; one receipt with its findings
    status, listed, _ = call(f"{service.url}/api/v1/submissions?period=2025Q3", keys["ANG001"])
    assert status == 200 and [r["version"] for r in listed["receipts"]] == [3, 2, 1]
    status, one, _ = call(f"{service.url}/api/v1/submissions/2025Q3-ANG001-2", keys["ANG001"])
    assert status == 200 and one == rejected


def test_a_late_submission_is_a_revision(service, keys):
    status, receipt, _ = send(service, keys["ANG002"], "2025Q2", [("ANG002.csv", sample_file("ANG002", "2025Q2"))])
    assert status == 201 and receipt["late"] is True and receipt["status"] == "accepted"


def test_the_calendar_lists_the_open_periods_with_offsets(service, keys):
    status, doc, _ = call(f"{service.url}/api/v1/calendar", keys["ANG001"])
    assert status == 200
    periods = {p["period"]: p for p in doc["periods"]}
    assert set(periods) == {"2025Q2", "2025Q3", "2025Q4", "2025H2"}  # 2099Q1 has not opened
    assert periods["2025Q3"]["opens"] == "2025-10-01T00:00:00+13:00"
    assert periods["2025Q2"]["closes"] == "2025-07-28T23:59:59+12:00" and periods["2025Q2"]["late"] is True


@pytest.mark.parametrize("fields, files, status, code", [
    ({}, [("ANG001.csv", b"x")], 422, "no-period"),
    ({"period": "2025Q9"}, [("ANG001.csv", b"x")], 422, "bad-period"),
    ({"period": "2099Q1"}, [("ANG001.csv", b"x")], 422, "period-not-open"),
    ({"period": "2024Q1"}, [("ANG001.csv", b"x")], 422, "period-not-open"),
    ({"period": "2025Q3"}, [], 422, "no-files"),
    ({"period": "2025Q3", "note": "n" * 1001}, [("ANG001.csv", b"x")], 422, "note-too-long"),
    ({"period": "2025Q3"}, [("ANG001.txt", b"x")], 415, "unsupported-file-type"),
    ({"period": "2025Q3"}, [("ANG001.pdf", b"%PDF")], 415, "unsupported-file-type"),
    ({"period": "2025Q3"}, [("ANG001.csv", b"x" * (65 << 10))], 413, "too-large"),
    ({"period": "2025Q3"}, [(f"f{i}.csv", b"x") for i in range(6)], 413, "too-many-files"),
])
def test_refusals_have_the_spec_error_and_store_nothing(service, keys, fields, files, status, code):
    before = stored_files(service.root)
    body, ctype = multipart(fields, files)
    got, doc, _ = call(f"{service.url}/api/v1/submissions", keys["CAT001"], method="POST", body=body,
                       headers={"Content-Type": ctype})
    assert (got, doc["error"]) == (status, code), doc
    assert set(doc) == {"error", "message"} and doc["message"]
    if code == "too-large":
        assert "65,536 bytes" in doc["message"]  # the limit is in the message
    assert stored_files(service.root) == before
    assert call(f"{service.url}/api/v1/submissions?period=2025Q3", keys["CAT001"])[1]["receipts"] == []


def test_an_org_id_that_is_not_the_senders_is_422_and_nothing_is_stored(service, keys):
    before = stored_files(service.root)
    mixed = sample_file("CAT001", "2025Q3") + sample_file("BAP001", "2025Q3").split(b"\n", 1)[1]
    status, doc, _ = send(service, keys["CAT001"], "2025Q3", [("CAT001.csv", mixed)])
    assert status == 422 and doc["error"] == "org-mismatch"
    assert "'BAP001', not CAT001" in doc["message"] and "line" in doc["message"]
    assert stored_files(service.root) == before
    assert call(f"{service.url}/api/v1/submissions?period=2025Q3", keys["CAT001"])[1]["receipts"] == []


def test_keys(service, keys):
    url = f"{service.url}/api/v1/calendar"
    for header in ({}, {"Authorization": "Bearer rg1.nothere.nothing"}, {"Authorization": "Basic abc"},
                   {"Authorization": "Bearer " + keys["ANG001"][:-2]}, {"Authorization": "Bearer " + "x" * 5000}):
        status, doc, _ = call(url, headers={**header, "X-Forwarded-For": "10.9.9.1"})
        assert (status, doc["error"]) == (401, "unauthorized")
    # a rotated key stops at once; the new one works
    old = issue(service.root, "member", "BAP001")
    assert call(url, old)[0] == 200
    new = issue(service.root, "member", "BAP001")
    assert call(url, old, headers={"X-Forwarded-For": "10.9.9.2"})[0] == 401 and call(url, new)[0] == 200
    keys["BAP001"] = new


def test_too_many_bad_keys_is_429_with_retry_after(service):
    url = f"{service.url}/api/v1/calendar"
    statuses = [call(url, "rg1.abc.def", headers={"X-Forwarded-For": "10.1.2.3"}) for _ in range(32)]
    assert [s for s, _, _ in statuses[:30]] == [401] * 30
    status, doc, headers = statuses[-1]
    assert status == 429 and doc["error"] == "too-many-requests" and int(headers["retry-after"]) > 0
    assert call(url, "rg1.abc.def", headers={"X-Forwarded-For": "10.1.2.4"})[0] == 401  # others unaffected


def raw_request(service, data: bytes, timeout: float = 10) -> bytes:
    with socket.create_connection(("127.0.0.1", service.port), timeout=timeout) as s:
        s.sendall(data)
        out = b""
        try:
            while chunk := s.recv(65536):
                out += chunk
                head, sep, body = out.partition(b"\r\n\r\n")
                length = [int(line.split(b":")[1]) for line in head.split(b"\r\n")
                          if line.lower().startswith(b"content-length:")]
                if sep and length and len(body) >= length[0]:
                    break  # one whole answer
        except TimeoutError:
            pass
        return out


@pytest.mark.parametrize("body, ctype", [
    (b"not a form", "multipart/form-data; boundary=zzz"),
    (b"--zzz\r\nContent-Disposition: form-data; name=\"period\"\r\n\r\n2025Q3\r\n--zzz\r\nContent-Dispo", "multipart/form-data; boundary=zzz"),
    (b"period=2025Q3", "application/x-www-form-urlencoded"),
    (b"{}", "application/json"),
    (b"--zzz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\n\xff\xfe\r\n--zzz--\r\n",
     "multipart/form-data"),
    (b"--zzz\r\nContent-Disposition: attachment\r\n\r\nx\r\n--zzz--\r\n", "multipart/form-data; boundary=zzz"),
    (b"--zzz\r\nContent-Disposition: form-data; name=\"period\"\r\n\r\n\xff\xfe\r\n--zzz--\r\n",
     "multipart/form-data; boundary=zzz"),
])
def test_malformed_uploads_are_422_never_500(service, keys, body, ctype):
    status, doc, _ = call(f"{service.url}/api/v1/submissions", keys["CAT001"], method="POST", body=body,
                          headers={"Content-Type": ctype})
    assert status == 422 and doc["error"] == "malformed", doc


def test_a_stalled_upload_is_cut_off_and_a_huge_declared_one_refused_unread(service, keys):
    head = (f"POST /api/v1/submissions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {keys['CAT001']}\r\n"
            "Content-Type: multipart/form-data; boundary=zzz\r\n")
    started = time.monotonic()
    answer = raw_request(service, (head + "Content-Length: 100000\r\n\r\n--zzz\r\n").encode(), timeout=20)
    assert b" 408 " in answer.split(b"\r\n")[0] and b"too-slow" in answer
    assert time.monotonic() - started < 10
    answer = raw_request(service, (head + f"Content-Length: {1 << 40}\r\n\r\n").encode())
    assert b" 413 " in answer.split(b"\r\n")[0] and b"too-large" in answer
    # streamed without a length: counted as it arrives, refused at the limit
    conn = http.client.HTTPConnection("127.0.0.1", service.port, timeout=20)
    conn.putrequest("POST", "/api/v1/submissions")
    conn.putheader("Authorization", f"Bearer {keys['CAT001']}")
    conn.putheader("Content-Type", "multipart/form-data; boundary=zzz")
    conn.putheader("Transfer-Encoding", "chunked")
    conn.endheaders()
    chunk = b"--zzz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\n" + b"1" * 40000
    try:
        for _ in range(10):
            conn.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            chunk = b"1" * 40000
    except OSError:
        pass  # the service may close as soon as it has answered
    resp = conn.getresponse()
    assert resp.status == 413 and json.loads(resp.read())["error"] == "too-large"


def test_host_header_and_unknown_routes(service, keys):
    answer = raw_request(service, b"GET /api/v1/calendar HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n")
    assert b" 400 " in answer.split(b"\r\n")[0] and b"bad-host" in answer
    status, doc, _ = call(f"{service.url}/api/v1/nothing", keys["ANG001"])
    assert status == 404 and doc["error"] == "not-found"
    status, doc, _ = call(f"{service.url}/api/v1/calendar", keys["ANG001"], method="DELETE")
    assert status == 405 and doc["error"] == "method-not-allowed"
    status, doc, _ = call(f"{service.url}/api/v1/submissions?period=garbage", keys["ANG001"])
    assert status == 422 and doc["error"] == "bad-period"


def test_staff_see_everyone_and_send_on_behalf_only_naming_the_member(service, keys):
    # ANG001's 2025Q3 file (the same bytes as the first test's: its receipt again, or a first one when this
    # test runs alone), so that the staff's list has another member's receipt in it
    status, sent, _ = send(service, keys["ANG001"], "2025Q3", [("ANG001.csv", sample_file("ANG001", "2025Q3"))])
    assert status in (200, 201) and sent["org_id"] == "ANG001", sent
    status, doc, _ = call(f"{service.url}/api/v1/submissions?period=2025Q3", keys["staff"])
    assert status == 200 and {r["org_id"] for r in doc["receipts"]} >= {"ANG001"}, doc
    status, doc, _ = send(service, keys["staff"], "2025Q3", [("x.csv", sample_file("BAP001", "2025Q3"))])
    assert (status, doc["error"]) == (422, "no-member")
    status, doc, _ = send(service, keys["staff"], "2025Q3", [("x.csv", sample_file("BAP001", "2025Q3"))],
                          org_id="BAP001")
    assert status == 201 and doc["org_id"] == "BAP001" and doc["status"] == "accepted"
    from reportgen.intake.store import Store
    store = Store(service.root / "intake")
    assert store.version(doc["receipt_id"]).sent_by == "staff:aroha"
    assert store.query("SELECT actor, action FROM events WHERE subject = ?", (doc["receipt_id"],)) == [
        ("staff:aroha", "sent on behalf")]


def member_send(service, out_dir, period, key=None, key_file=None):
    env = {k: v for k, v in os.environ.items() if k != "REPORTGEN_INTAKE_KEY"}
    if key:
        env["REPORTGEN_INTAKE_KEY"] = key
    args = [sys.executable, "-m", "reportgen", "member", "send", str(out_dir), "--period", period,
            "--to", service.url + "/"]
    if key_file:
        args += ["--key-file", str(key_file)]
    return subprocess.run(args, capture_output=True, text=True, env=env, timeout=120)


def test_member_send(service, keys, tmp_path):
    out = tmp_path / "out"
    (out / "2025Q4").mkdir(parents=True)
    (out / "2025Q4" / "ANG002.csv").write_bytes(sample_file("ANG002", "2025Q4"))
    key_file = tmp_path / "key"
    key_file.write_text(keys["ANG002"] + "\n")
    got = member_send(service, out, "2025Q4", key_file=key_file)
    assert got.returncode == 0, got.stderr
    assert "Receipt 2025Q4-ANG002-1: accepted" in got.stdout and keys["ANG002"] not in got.stdout + got.stderr
    again = member_send(service, out, "2025Q4", key=keys["ANG002"])  # from the environment; same bytes
    assert again.returncode == 0 and "Receipt 2025Q4-ANG002-1: accepted" in again.stdout
    assert "no new version" in again.stdout
    (out / "2025Q4" / "ANG002.csv").write_bytes(with_bad_region(sample_file("ANG002", "2025Q4")))
    bad = member_send(service, out, "2025Q4", key=keys["ANG002"])
    assert bad.returncode == 1 and "Receipt 2025Q4-ANG002-2: rejected" in bad.stdout
    assert "ANG002.csv:2:3: error: unknown region code 'AKX' [data.unknown-region]" in bad.stderr
    assert "hint: did you mean 'AKL'?" in bad.stderr
    none = member_send(service, out, "2025Q4")
    assert none.returncode == 1 and "no key" in none.stderr
    forged = member_send(service, out, "2025Q4", key=keys["ANG001"])  # ANG002's rows with ANG001's key
    assert forged.returncode == 1 and "org-mismatch" in forged.stderr
    wrong = member_send(service, out, "2099Q1", key=keys["ANG002"])
    assert wrong.returncode == 1 and "no folder" in wrong.stderr
    argv = subprocess.run([sys.executable, "-m", "reportgen", "member", "send", "--help"], capture_output=True,
                          text=True)
    assert "--key " not in argv.stdout  # never on the command line


def test_member_send_needs_nothing_but_the_core(service, keys, tmp_path):
    """The member's machine has the core only: send runs with the rendering stack and the service's own
    packages (Starlette, uvicorn, python-multipart) blocked."""
    from .test_member_install import BLOCKER, RENDERING

    out = tmp_path / "out" / "2025Q4"
    out.mkdir(parents=True)
    (out / "CAT001.csv").write_bytes(sample_file("CAT001", "2025Q4"))
    blocked = ",".join([*RENDERING, "starlette", "uvicorn", "python_multipart", "httpx", "requests"])
    proc = subprocess.run([sys.executable, "-c", BLOCKER, blocked, "member", "send", str(tmp_path / "out"),
                           "--period", "2025Q4", "--to", service.url], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "REPORTGEN_INTAKE_KEY": keys["CAT001"]}, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Receipt 2025Q4-CAT001-1: accepted" in proc.stdout

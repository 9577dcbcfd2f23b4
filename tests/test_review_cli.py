"""``govreport users add`` and ``govreport review next|show|set|accept`` in a terminal; ``serve`` answers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from typer.testing import CliRunner

from test_review_support import PASSWORD, filled_store


@pytest.fixture
def db(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    filled_store(url).close()
    return url


def run(*args, input=None):
    from extractor.cli import app

    return CliRunner().invoke(app, list(args), input=input)


def test_users_add(db):
    r = run("users", "add", "alice", "--role", "admin", "--password-stdin", "--db", db, input=PASSWORD + "\n")
    assert r.exit_code == 0, r.output
    r = run("users", "add", "bob", "--db", db, input=f"{PASSWORD}\n{PASSWORD}\n")  # prompt, twice
    assert r.exit_code == 0, r.output
    r = run("users", "list", "--db", db)
    assert r.output.splitlines() == ["alice\tadmin", "bob\treviewer"]
    assert run("users", "add", "alice", "--password-stdin", "--db", db, input=PASSWORD + "\n").exit_code == 1
    assert run("users", "add", "carol", "--role", "boss", "--password-stdin", "--db", db, input=PASSWORD + "\n").exit_code == 2
    from extractor.review.auth import authenticate, users_table
    from extractor.store import open_store

    store = open_store(db)
    assert authenticate(store, "alice", PASSWORD).role == "admin"
    with store.engine.connect() as c:  # argon2, not the password
        h = c.execute(users_table.select()).first().password_hash
    assert h.startswith("$argon2") and PASSWORD not in h


def test_review_next_show_set_accept(db):
    run("users", "add", "alice", "--password-stdin", "--db", db, input=PASSWORD + "\n")
    run("users", "add", "bob", "--password-stdin", "--db", db, input=PASSWORD + "\n")
    assert run("review", "next", "--db", db, "--user", "nobody").exit_code == 2
    assert run("review", "show", "--db", db, "--user", "alice").exit_code == 1  # holds nothing yet

    r = run("review", "next", "--db", db, "--user", "alice")
    assert r.exit_code == 0, r.output
    first_key = r.output.splitlines()[1].split()[0]
    assert first_key in ("review.total", "litigation_after_review.total")
    assert "BROKEN review-total:" in r.output and "suggestions:" in r.output and "1) " in r.output
    r = run("review", "show", "--db", db, "--user", "alice")
    assert r.exit_code == 0 and r.output.splitlines()[1].split()[0] == first_key
    # bob gets another item; he cannot save alice's
    r = run("review", "next", "--db", db, "--user", "bob")
    assert r.exit_code == 0 and r.output.splitlines()[1].split()[0] != first_key
    r = run("review", "set", first_key, "11", "--report", "1", "--db", db, "--user", "bob")
    assert r.exit_code == 1 and "alice holds" in r.output

    # alice corrects review.total (typed) and accepts what she holds next
    r = run("review", "set", "review.total", "11", "--db", db, "--user", "alice")
    assert r.exit_code == 0, r.output
    assert "review.total: 0 → 11 (typed" in r.output and "review-total:review: holds (11 vs 11)" in r.output
    r = run("review", "set", "review.total", "eleven", "--db", db, "--user", "alice", "--report", "1")
    assert r.exit_code == 2 and "whole number" in r.output
    # a stale --version is refused
    r = run("review", "set", "review.total", "12", "--report", "1", "--version", "1", "--db", db, "--user", "alice")
    assert r.exit_code == 1 and "changed meanwhile" in r.output
    r = run("review", "next", "--db", db, "--user", "alice")
    assert r.exit_code == 0
    key = r.output.splitlines()[1].split()[0]
    r = run("review", "accept", "--db", db, "--user", "alice")
    assert r.exit_code == 0 and f"saved {key}" in r.output and "(accept" in r.output

    from extractor.store import open_store

    store = open_store(db)
    log = store.audit_log(report_id=1)
    assert [(a.who, a.field_key, a.how) for a in log] == [("alice", "review.total", "typed"), ("alice", key, "accept")]
    assert store.field_by_key(1, "review.total").reviewed_value == 11
    assert {c.relation: c.status for c in store.checks_of(1)}["review-total:review"] == "ok"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_starts_and_refuses_anonymous(db, tmp_path):
    port = _free_port()
    exe = os.path.join(os.path.dirname(sys.executable), "govreport")
    cmd = [exe] if os.path.exists(exe) else [sys.executable, "-m", "extractor.cli"]
    proc = subprocess.Popen(cmd + ["serve", "--db", db, "--port", str(port), "--cache-dir", str(tmp_path / "c")],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/queue", timeout=2)
                pytest.fail("the API answered without a login")
            except urllib.error.HTTPError as e:
                assert e.code == 401
                break
            except (urllib.error.URLError, ConnectionError):
                assert proc.poll() is None, proc.stdout.read().decode()
                assert time.monotonic() < deadline, "serve did not come up"
                time.sleep(0.2)
        page = urllib.request.urlopen(f"http://127.0.0.1:{port}/queue", timeout=5)  # redirected to the login form
        assert page.url.startswith(f"http://127.0.0.1:{port}/login")
        assert b'name="csrf_token"' in page.read()
    finally:
        proc.terminate()
        proc.wait(timeout=10)

"""Issue 14, defects 7, 8 and 9: login throttling, revocable sessions, reviewer permissions."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from test_review_support import PASSWORD, add_users, filled_store, login

pytestmark = pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")


class Clock:
    def __init__(self):
        self.t = 1000.0

    def __call__(self):
        return self.t


@pytest.fixture
def app_store(tmp_path):
    from extractor.review.app import create_app

    store = filled_store(f"sqlite:///{tmp_path / 'r.db'}")
    add_users(store, "alice", "bob")
    add_users(store, "root", role="admin")
    app = create_app(store, cache_dir=tmp_path / "crops")
    yield app, store
    store.close()


def _client(app):
    from fastapi.testclient import TestClient

    return TestClient(app)


def _try_login(c, name, password):
    page = c.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    return c.post("/login", data={"name": name, "password": password, "csrf_token": token}, follow_redirects=False)


# --- defect 7: throttling -----------------------------------------------------------------------


def test_wrong_passwords_are_throttled_before_any_hashing(app_store, monkeypatch, caplog):
    from extractor.review import auth

    app, store = app_store
    clock = Clock()
    app.state.throttle.clock = clock
    calls = []
    real = auth.authenticate
    monkeypatch.setattr(auth, "authenticate", lambda *a, **k: calls.append(a[1]) or real(*a, **k))
    c = _client(app)
    lim = app.state.throttle.limits
    statuses = []
    with caplog.at_level("INFO", logger="govreport.review"):
        for _ in range(lim.login_free_failures + 1):
            statuses.append(_try_login(c, "alice", "wrong password").status_code)
        r = _try_login(c, "alice", "wrong password")  # too soon after the last failure
        hashed = len(calls)
        assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
        assert len(calls) == hashed  # refused before argon2
        # the right password is refused too while throttled
        assert _try_login(c, "alice", PASSWORD).status_code == 429
        assert statuses == [401] * (lim.login_free_failures + 1)
        # backoff doubles; after login_lock_after failures the account is locked
        for _ in range(lim.login_lock_after):
            clock.t += lim.login_backoff_max_s + 1
            _try_login(c, "alice", "wrong password")
        clock.t += lim.login_backoff_max_s + 1
        r = _try_login(c, "alice", PASSWORD)
        assert r.status_code == 429 and int(r.headers["Retry-After"]) > lim.login_backoff_max_s
    assert any("locked" in rec.message for rec in caplog.records)
    assert any("throttled" in rec.message for rec in caplog.records)
    # other accounts are not locked by it (the address allowance is larger)
    assert _try_login(_client(app), "bob", PASSWORD).status_code == 303
    # the lock ends
    clock.t += lim.login_lock_s + 1
    assert _try_login(c, "alice", PASSWORD).status_code == 303


def test_one_address_trying_many_accounts_is_throttled(app_store):
    from extractor.review.throttle import IP_FACTOR

    app, _ = app_store
    app.state.throttle.clock = Clock()
    lim = app.state.throttle.limits
    c = _client(app)
    codes = [_try_login(c, f"user{i}", "wrong password").status_code for i in range(lim.login_free_failures * IP_FACTOR + 2)]
    assert codes[0] == 401 and codes[-1] == 429


# --- defect 8: sessions end on the server -------------------------------------------------------


def test_logout_ends_every_session_copied_cookies_included(app_store):
    app, _ = app_store
    a = _client(app)
    login(a, "alice")
    copy = _client(app)
    copy.cookies.update(a.cookies)  # a stolen cookie
    assert copy.get("/api/me").status_code == 200
    tok = a.get("/api/me").json()["csrf_token"]
    assert a.post("/logout", data={"csrf_token": tok}, follow_redirects=False).status_code == 303
    assert copy.get("/api/me").status_code == 401
    b = _client(app)  # logging in again works
    login(b, "alice")
    assert b.get("/api/me").status_code == 200


def test_password_change_and_disable_end_sessions(app_store, tmp_path):
    from extractor.cli import app as cli

    app, store = app_store
    a = _client(app)
    login(a, "alice")
    from extractor.review.auth import set_password

    set_password(store, "alice", "a new password!")
    assert a.get("/api/me").status_code == 401
    b = _client(app)
    login(b, "bob")
    assert b.get("/api/me").status_code == 200
    r = CliRunner().invoke(cli, ["users", "disable", "bob", "--db", store.url])
    assert r.exit_code == 0, r.output
    assert b.get("/api/me").status_code == 401
    assert _try_login(_client(app), "bob", PASSWORD).status_code == 401
    r = CliRunner().invoke(cli, ["users", "list", "--db", store.url])
    assert "bob\treviewer\tdisabled" in r.output
    assert CliRunner().invoke(cli, ["users", "disable", "nobody", "--db", store.url]).exit_code == 1
    assert CliRunner().invoke(cli, ["users", "enable", "bob", "--db", store.url]).exit_code == 0
    c = _client(app)
    login(c, "bob")
    assert c.get("/api/me").status_code == 200


# --- defect 9: reviewers save only what they hold -----------------------------------------------


def test_reviewers_cannot_rewrite_fields_outside_the_queue_or_reviewed_by_others(app_store):
    app, store = app_store
    fid = store.field_by_key(1, "review.total").id  # in the queue (a broken relation)
    from extractor.review import queue as Q

    outside = next(f for f in store.fields_of(1) if f.key.startswith("litigation_direct.") and not Q.in_queue(store, f))

    assert not Q.in_queue(store, outside) and Q.in_queue(store, store.field(fid))
    a, b, root = _client(app), _client(app), _client(app)
    ta, tb, tr = login(a, "alice"), login(b, "bob"), login(root, "root")
    # a field that is not in the queue: neither claimed nor saved by a reviewer
    assert a.post(f"/api/items/{outside.id}/claim", headers={"X-CSRF-Token": ta}).status_code == 403
    r = a.post(f"/api/items/{outside.id}/review", json={"how": "typed", "value": 99, "version": outside.version},
               headers={"X-CSRF-Token": ta})
    assert r.status_code == 403 and "not in the review queue" in r.json()["detail"]
    assert store.field(outside.id).reviewed_by is None
    # alice holds the item: bob cannot save it
    assert a.post(f"/api/items/{fid}/claim", headers={"X-CSRF-Token": ta}).status_code == 200
    r = b.post(f"/api/items/{fid}/review", json={"how": "typed", "value": 12, "version": 1}, headers={"X-CSRF-Token": tb})
    assert r.status_code == 423
    r = a.post(f"/api/items/{fid}/review", json={"how": "typed", "value": 11, "version": 1}, headers={"X-CSRF-Token": ta})
    assert r.status_code == 200
    # reviewed by alice: bob may not change it, an admin may (audited)
    v = store.field(fid).version
    r = b.post(f"/api/items/{fid}/review", json={"how": "typed", "value": 12, "version": v}, headers={"X-CSRF-Token": tb})
    assert r.status_code == 403 and "only an admin" in r.json()["detail"]
    assert store.field(fid).reviewed_value == 11
    r = root.post(f"/api/items/{fid}/review", json={"how": "typed", "value": 12, "version": v}, headers={"X-CSRF-Token": tr})
    assert r.status_code == 200
    last = store.audit_log(report_id=1)[-1]
    assert (last.who, last.note) == ("root", "admin changed a value reviewed by alice")
    # an admin may also review a field outside the queue
    r = root.post(f"/api/items/{outside.id}/review", json={"how": "accept", "version": outside.version},
                  headers={"X-CSRF-Token": tr})
    assert r.status_code == 200


def test_cli_reviewer_cannot_change_another_reviewers_value(tmp_path):
    from extractor.cli import app as cli

    url = f"sqlite:///{tmp_path / 'c.db'}"
    store = filled_store(url)
    add_users(store, "alice", "bob")
    store.close()
    run = lambda *a: CliRunner().invoke(cli, list(a))  # noqa: E731
    assert run("review", "set", "review.total", "11", "--report", "1", "--user", "alice", "--db", url).exit_code == 0
    r = run("review", "set", "review.total", "12", "--report", "1", "--user", "bob", "--db", url)
    assert r.exit_code == 1 and "only an admin" in r.output
    r = run("review", "set", "litigation_direct.upheld", "12", "--report", "1", "--user", "bob", "--db", url)
    assert r.exit_code == 1 and "not in the review queue" in r.output


def test_cli_ids_beyond_64_bits_are_usage_errors(tmp_path):
    from extractor.cli import app as cli

    url = f"sqlite:///{tmp_path / 'i.db'}"
    store = filled_store(url)
    add_users(store, "alice")
    store.close()
    for args in (["review", "show", "--report", str(2**70)],
                 ["review", "set", "review.total", "11", "--report", "1", "--version", str(2**70)]):
        r = CliRunner().invoke(cli, args + ["--user", "alice", "--db", url])
        assert r.exit_code == 2, r.output
        assert r.exception is None or isinstance(r.exception, SystemExit)

"""The review app refuses everything without a login and every POST without the CSRF token;
the JSON API saves, refuses stale saves, re-evaluates relations and keeps an audit log."""

from __future__ import annotations

import re

import pytest

from test_review_support import PASSWORD, add_users, filled_store, login

pytestmark = pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")


@pytest.fixture
def app_store(tmp_path):
    from extractor.review.app import create_app

    store = filled_store(f"sqlite:///{tmp_path / 'r.db'}")
    add_users(store, "alice", "bob")
    add_users(store, "root", role="admin")
    app = create_app(store, cache_dir=tmp_path / "crops")
    yield app, store
    store.close()


def client(app):
    from fastapi.testclient import TestClient

    return TestClient(app)


PAGES = ["/", "/queue", "/queue?state=done", "/items/1", "/items/1/crop.png", "/reports/1", "/docs"]
API_GETS = ["/api/me", "/api/queue", "/api/items/1", "/api/items/1/crop.png", "/api/reports/1/audit",
            "/api/reports/1/relations"]
POSTS = ["/next", "/items/1", "/items/1/skip", "/logout", "/api/next", "/api/items/1/claim",
         "/api/items/1/release", "/api/items/1/review"]


def test_nothing_without_login(app_store):
    app, _ = app_store
    c = client(app)
    for path in PAGES:
        r = c.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login?next="), path
        assert "洪" not in r.text and "review.total" not in r.text
    for path in API_GETS:
        r = c.get(path)
        assert r.status_code == 401, path
        assert r.json() == {"detail": "login required"}
    # the API's description is public (no stored data in it) and says every route needs auth
    schema = c.get("/openapi.json").json()
    assert "洪" not in str(schema)
    assert all(op["security"] for methods in schema["paths"].values() for op in methods.values())
    for path in POSTS:
        r = c.post(path, json={"how": "accept", "version": 1}, follow_redirects=False)
        assert r.status_code in (401, 303), path
        if path.startswith("/api"):
            assert r.status_code == 401
    assert c.get("/login").status_code == 200  # the one page open to all
    assert c.get("/static/review.js").status_code == 200  # the app's own script, no data


def test_wrong_password_and_unknown_user_refused(app_store):
    app, _ = app_store
    c = client(app)
    page = c.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    for name, pw in (("alice", "wrong password"), ("nobody", PASSWORD)):
        r = c.post("/login", data={"name": name, "password": pw, "csrf_token": token}, follow_redirects=False)
        assert r.status_code == 401
        assert "Wrong name or password" in r.text
    assert c.get("/api/me").status_code == 401


def test_post_without_csrf_refused(app_store):
    app, store = app_store
    c = client(app)
    # the login form itself needs the token
    r = c.post("/login", data={"name": "alice", "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 403
    token = login(c, "alice")
    fid = store.field_by_key(1, "review.total").id
    # JSON API: no header, a wrong header
    for headers in ({}, {"X-CSRF-Token": "forged"}):
        r = c.post(f"/api/items/{fid}/review", json={"how": "typed", "value": 11, "version": 1}, headers=headers)
        assert r.status_code == 403
        r = c.post("/api/next", headers=headers)
        assert r.status_code == 403
    # forms: no field, a wrong field
    for extra in ({}, {"csrf_token": "forged"}):
        r = c.post(f"/items/{fid}", data={"how": "typed", "value": "11", "version": "1", **extra}, follow_redirects=False)
        assert r.status_code == 403
        r = c.post("/logout", data=extra, follow_redirects=False)
        assert r.status_code == 403
    f = store.field(fid)
    assert f.reviewed_by is None and f.version == 1 and store.audit_log(report_id=1) == []
    # a token from another session does not work either
    other = client(app)
    other_token = login(other, "bob")
    assert other_token != token
    r = c.post(f"/api/items/{fid}/review", json={"how": "typed", "value": 11, "version": 1},
               headers={"X-CSRF-Token": other_token})
    assert r.status_code == 403
    # and with the right one it goes through
    r = c.post(f"/api/items/{fid}/review", json={"how": "typed", "value": 11, "version": 1},
               headers={"X-CSRF-Token": token})
    assert r.status_code == 200, r.text
    assert store.field(fid).reviewed_value == 11


def test_api_review_flow_stale_and_audit(app_store):
    app, store = app_store
    a, b = client(app), client(app)
    ta, tb = login(a, "alice"), login(b, "bob")

    q = a.get("/api/queue").json()
    keys = [i["key"] for g in q["groups"] for i in g["items"]]
    # broken relations first; the flagged totals (with suggestions) lead
    assert set(keys[:2]) == {"review.total", "litigation_after_review.total"}, keys
    assert "litigation_direct.total" not in keys  # its relation holds and it is not flagged

    # alice takes the top item; bob's next is a different one
    ia = a.post("/api/next", headers={"X-CSRF-Token": ta}).json()
    ib = b.post("/api/next", headers={"X-CSRF-Token": tb}).json()
    assert ia["item"]["field_id"] != ib["item"]["field_id"]
    assert ia["item"]["claimed_by"] == "alice"
    # bob cannot save alice's item while she holds it
    r = b.post(f"/api/items/{ia['item']['field_id']}/review", json={"how": "accept", "version": ia["item"]["version"]},
               headers={"X-CSRF-Token": tb})
    assert r.status_code == 423

    total = store.field_by_key(1, "review.total")
    item = a.get(f"/api/items/{total.id}").json()
    assert item["relations"][0]["status"] == "broken" and item["relations"][0]["rhs"] == 11
    assert item["suggestions"][0]["suggested"] == 11
    r = a.post(f"/api/items/{total.id}/claim", headers={"X-CSRF-Token": ta})
    assert r.status_code == 200
    r = a.post(f"/api/items/{total.id}/review", json={"how": "suggestion", "suggestion": 1, "version": total.version},
               headers={"X-CSRF-Token": ta})
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["item"]["value"] == 11 and out["item"]["printed"] == 0 and out["item"]["state"] == "done"
    assert out["relations"][0]["status"] == "ok"
    # a save over the old version is refused and changes nothing
    r = b.post(f"/api/items/{total.id}/review", json={"how": "typed", "value": 12, "version": total.version},
               headers={"X-CSRF-Token": tb})
    assert r.status_code == 409 and "stale" in r.json()["detail"]
    assert store.field(total.id).reviewed_value == 11
    # the stored checks were re-evaluated: that relation holds now, its other terms left the queue
    checks = {c.relation: c for c in store.checks_of(1)}
    assert checks["review-total:review"].status == "ok"
    keys = [i["key"] for g in a.get("/api/queue").json()["groups"] for i in g["items"]]
    assert not any(k.startswith("review.") for k in keys)
    done = a.get("/api/queue?state=done").json()
    assert [i["key"] for g in done["groups"] for i in g["items"]] == ["review.total"]
    # the audit log says who, how, old and new
    log = a.get("/api/reports/1/audit").json()
    assert [(e["who"], e["how"], e["old"], e["new"]) for e in log] == [("alice", "suggestion", 0, 11)]
    assert "suggestion 1" in log[0]["note"]
    # pages render for a logged-in reviewer
    assert "review.total" in a.get("/reports/1").text
    assert a.get("/docs").status_code == 200 and "/api/items/{field_id}/review" in a.get("/docs").text
    assert "/api/queue" in a.get("/openapi.json").json()["paths"]


def test_queue_filters(app_store):
    app, store = app_store
    c = client(app)
    login(c, "alice")
    q = c.get("/api/queue?rule=review-total").json()
    assert q["total"] == 10  # the terms of the two broken 四 relations
    assert c.get("/api/queue?rule=balance").json()["total"] == 0
    assert c.get("/api/queue?year=2022").json()["total"] == 0
    assert c.get("/api/queue?agency=测试0").json()["total"] == q["total"]
    assert c.get("/api/queue?agency=nowhere").json()["total"] == 0
    assert c.get("/api/queue?state=claimed").json()["total"] == 0
    assert c.get("/api/queue?rule=nonsense").status_code == 422
    page = c.get("/queue?rule=review-total&year=2023")
    assert page.status_code == 200 and "review.total" in page.text


def test_admin_releases_claims_reviewer_cannot(app_store):
    app, store = app_store
    a, b, root = client(app), client(app), client(app)
    ta, tb, tr = login(a, "alice"), login(b, "bob"), login(root, "root")
    fid = a.post("/api/next", headers={"X-CSRF-Token": ta}).json()["item"]["field_id"]
    assert b.post(f"/api/items/{fid}/release", headers={"X-CSRF-Token": tb}).status_code == 403
    assert root.post(f"/api/items/{fid}/release", headers={"X-CSRF-Token": tr}).json() == {"released": True}
    assert store.field(fid).claimed_by is None


def test_stale_form_save_refused_with_message(tmp_path):
    """Two reviewers on the same item page (claims expire at once here): the second save,
    made over the version its page showed, is refused with a message and not applied."""
    from datetime import timedelta

    from extractor.review.app import create_app

    store = filled_store(f"sqlite:///{tmp_path / 's.db'}")
    add_users(store, "alice", "bob")
    app = create_app(store, cache_dir=tmp_path / "crops", claim_ttl=timedelta(seconds=0))
    a, b = client(app), client(app)
    ta, tb = login(a, "alice"), login(b, "bob")
    fid = store.field_by_key(1, "review.total").id
    pa, pb = a.get(f"/items/{fid}"), b.get(f"/items/{fid}")
    version = re.search(r'name="version" value="(\d+)"', pa.text).group(1)
    assert version == re.search(r'name="version" value="(\d+)"', pb.text).group(1) == "1"
    r = b.post(f"/items/{fid}", data={"take": "1", "version": version, "csrf_token": tb}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] != f"/items/{fid}"
    r = a.post(f"/items/{fid}", data={"how": "typed", "value": "12", "version": version, "csrf_token": ta})
    assert r.status_code == 200 and r.url.path == f"/items/{fid}"
    assert "Not saved" in r.text and "changed by bob" in r.text
    f = store.field(fid)
    assert (f.reviewed_value, f.reviewed_by) == (11, "bob")
    assert [e.who for e in store.audit_log(report_id=1)] == ["bob"]
    # a bad value is refused with a message too
    r = a.post(f"/items/{fid}", data={"how": "typed", "value": "abc", "version": str(f.version), "csrf_token": ta})
    assert "Not saved" in r.text and "whole number" in r.text
    # skip moves on to another item
    r = a.post(f"/items/{fid}/skip", data={"csrf_token": ta}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/items/") and r.headers["location"] != f"/items/{fid}"
    store.close()

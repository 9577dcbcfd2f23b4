"""The service API with tokens: upload, poll until done, the report JSON and exports; roles and
limits (401 without a token, 403 for a reader uploading, 413 and 429); the OpenAPI schema."""

from __future__ import annotations

import csv
import io
import time
import zipfile
from pathlib import Path

import pytest

from test_review_support import add_users, login

pytestmark = pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
PDF = SAMPLES / "gen-2021-large-wrapped.pdf"  # a text report with review items


def _app(tmp_path, **settings):
    from extractor.review.app import create_app
    from extractor.service.settings import ServiceSettings
    from extractor.store import open_store

    store = open_store(f"sqlite:///{tmp_path / 's.db'}")
    add_users(store, "alice")  # reviewer
    add_users(store, "root", role="admin")
    add_users(store, "rita", role="reader")
    svc = ServiceSettings(upload_dir=tmp_path / "up", poll_seconds=0.2, **settings)
    return create_app(store, cache_dir=tmp_path / "crops", service=svc), store


def _token(store, name):
    from extractor.service.tokens import create_token

    return {"Authorization": f"Bearer {create_token(store, name)}"}


def _wait(c, ids, headers, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        docs = [c.get(f"/api/documents/{i}", headers=headers).json() for i in ids]
        if all(d["status"] in ("ok", "review", "failed") for d in docs):
            return docs
        time.sleep(0.3)
    raise AssertionError(f"not done in {timeout} s: {docs}")


def test_upload_poll_report_export_with_token(tmp_path):
    from fastapi.testclient import TestClient

    app, store = _app(tmp_path)
    alice = _token(store, "alice")
    with TestClient(app) as c:
        data = PDF.read_bytes()
        r = c.post("/api/documents", headers=alice, files=[
            ("files", ("a.pdf", data, "application/pdf")),
            ("files", ("same-content.pdf", data, "application/pdf")),
            ("files", ("not-a-report.pdf", b"%PDF-1.4 broken", "application/pdf")),
        ])
        assert r.status_code == 202, r.text
        docs = r.json()["documents"]
        assert [d["status"] for d in docs] == ["queued", "duplicate", "queued"]
        assert docs[0]["sha256"] == docs[1]["sha256"] and docs[0]["name"] == "a.pdf"
        assert all(isinstance(d["id"], int) for d in docs)
        # stored before the answer
        assert any((tmp_path / "up").rglob(f"{docs[0]['sha256']}.pdf"))

        done = _wait(c, [d["id"] for d in docs], alice)
        assert done[0]["status"] == "review" and done[0]["report_id"] is not None
        assert done[1]["report_id"] == done[0]["report_id"] and done[1]["duplicate"] is True
        assert done[2]["status"] == "failed" and done[2]["report_id"] is None
        assert done[2]["errors"] and done[2]["errors"][0]["fatal"] and done[2]["errors"][0]["message"]
        assert sum(done[0]["timings"].values()) > 0

        rid = done[0]["report_id"]
        rep = c.get(f"/api/reports/{rid}", headers=alice).json()
        assert set(rep) >= {"report", "fields", "checks", "suggestions"}
        f = rep["fields"]["applications.received.total"]
        assert f["value"] == f["printed"] and f["reviewed_by"] is None and isinstance(f["field_id"], int)

        # a review changes `value`, `printed` stays as extracted
        root = _token(store, "root")
        flagged = next(k for k, v in rep["fields"].items() if v["status"] == "review" and isinstance(v["value"], int))
        fid, printed = rep["fields"][flagged]["field_id"], rep["fields"][flagged]["printed"]
        item = c.get(f"/api/items/{fid}", headers=root).json()
        r = c.post(f"/api/items/{fid}/review", headers=root,
                   json={"how": "typed", "value": printed + 1, "version": item["item"]["version"]})
        assert r.status_code == 200, r.text
        rep = c.get(f"/api/reports/{rid}", headers=alice).json()
        assert rep["fields"][flagged]["value"] == printed + 1 and rep["fields"][flagged]["printed"] == printed
        assert rep["fields"][flagged]["reviewed_by"] == "root"

        # exports over HTTP
        r = c.get(f"/api/reports/{rid}/export?format=csv", headers=alice)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
        assert len(rows) == 1 and rows[0]["report_id"] == str(rid)
        assert rows[0][flagged] == str(printed + 1)
        assert rows[0]["applications.received.total"] == str(rep["fields"]["applications.received.total"]["value"])
        long = list(csv.DictReader(io.StringIO(c.get(f"/api/reports/{rid}/export?format=csv&long=true", headers=alice).content.decode("utf-8-sig"))))
        assert {r["key"] for r in long} >= {"applications.received.total", flagged}
        for fmt, magic in (("xlsx", b"PK"), ("parquet", b"PAR1")):
            r = c.get(f"/api/reports/{rid}/export?format={fmt}", headers=alice)
            assert r.status_code == 200 and r.content[:4].startswith(magic), fmt
        js = c.get("/api/export?format=json&status=review", headers=alice).json()
        assert [row["report_id"] for row in js] == [rid]
        assert c.get("/api/export?format=json&status=ok", headers=alice).json() == []

        # the list with filters
        lst = c.get("/api/reports?has_review=true&per_page=10", headers=alice).json()
        assert lst["total"] == 1 and lst["items"][0]["id"] == rid and lst["items"][0]["name"] == "a.pdf"
        assert c.get("/api/reports?year=1999", headers=alice).json() == {"items": [], "total": 0, "page": 1, "per_page": 50}

        # the same content again: duplicate, nothing extracted again
        r = c.post("/api/documents", headers=alice, files=[("files", ("again.pdf", data, "application/pdf"))])
        again = r.json()["documents"][0]
        assert again["status"] == "duplicate"
        assert c.get(f"/api/documents/{again['id']}", headers=alice).json()["report_id"] == rid
    from sqlalchemy import func, select

    from extractor.store.schema import Document, Upload

    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Document.__table__)).scalar() == 2
        attempts = conn.execute(select(Upload.__table__.c.attempts).order_by(Upload.__table__.c.id)).scalars().all()
    assert attempts == [1, 0, 1, 0]
    store.close()


def test_roles_and_missing_tokens(tmp_path):
    from fastapi.testclient import TestClient

    from extractor.service.tokens import revoke_tokens

    app, store = _app(tmp_path, run_jobs=False)
    reader = _token(store, "rita")
    files = [("files", ("a.pdf", PDF.read_bytes(), "application/pdf"))]
    with TestClient(app) as c:
        assert c.post("/api/documents", files=files).status_code == 401
        assert c.get("/api/reports").status_code == 401
        assert c.get("/api/documents/1").status_code == 401
        assert c.get("/api/reports", headers={"Authorization": "Bearer grt_nonsense"}).status_code == 401
        r = c.post("/api/documents", headers=reader, files=files)
        assert r.status_code == 403 and "reader" in r.json()["detail"]
        assert c.get("/api/reports", headers=reader).status_code == 200
        assert c.get("/api/export?format=csv", headers=reader).status_code == 200
        # a reader cannot review either (the review API's POSTs)
        assert c.post("/api/next", headers=reader).status_code == 403
        # a revoked token is refused
        assert revoke_tokens(store, "rita") == 1
        assert c.get("/api/reports", headers=reader).status_code == 401
        # a reader logged in with a session may browse, not upload
        login(c, "rita")
        assert c.get("/reports").status_code == 200
        me = c.get("/api/me").json()
        r = c.post("/api/documents", files=files, headers={"X-CSRF-Token": me["csrf_token"]})
        assert r.status_code == 403
    store.close()


def test_limits_413_and_429(tmp_path):
    from fastapi.testclient import TestClient

    app, store = _app(tmp_path, run_jobs=False, max_upload_bytes=300_000, max_files_per_upload=2, uploads_per_minute=3)
    alice = _token(store, "alice")
    big = b"%PDF-1.4\n" + b"0" * 400_000
    with TestClient(app) as c:
        r = c.post("/api/documents", headers=alice, files=[("files", ("big.pdf", big, "application/pdf"))])
        assert r.status_code == 413 and "MiB" in r.json()["detail"]
        three = [("files", (f"{i}.pdf", b"%PDF-1.4 " + bytes([i]), "application/pdf")) for i in range(3)]
        r = c.post("/api/documents", headers=alice, files=three)
        assert r.status_code == 413 and "files" in r.json()["detail"]
        # zip members count as files
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            for i in range(3):
                z.writestr(f"r{i}.pdf", b"%PDF-1.4 " + bytes([i]))
        r = c.post("/api/documents", headers=alice, files=[("files", ("all.zip", buf.getvalue(), "application/zip"))])
        assert r.status_code == 413 and "zip" in r.json()["detail"]
        # a zip's report members are unpacked; other members are left alone
        buf2 = io.BytesIO()
        with zipfile.ZipFile(buf2, "w") as z:
            z.writestr("x/r.pdf", b"%PDF-1.4 small")
            z.writestr("notes.txt", b"not a report")
        r = c.post("/api/documents", headers=alice, files=[("files", ("two.zip", buf2.getvalue(), "application/zip"))])
        assert r.status_code == 202 and [d["name"] for d in r.json()["documents"]] == ["two.zip!x/r.pdf"]
        # only accepted uploads count (the three refused above did not): two more, then 429
        for name in ("y.pdf", "z.pdf"):
            r = c.post("/api/documents", headers=alice, files=[("files", (name, b"%PDF-1.4 " + name.encode(), "application/pdf"))])
            assert r.status_code == 202, r.text
        r = c.post("/api/documents", headers=alice, files=[("files", ("w.pdf", b"%PDF-1.4 w", "application/pdf"))])
        assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
        assert "3 accepted uploads a minute" in r.json()["detail"]
        # another user has a minute of their own
        r = c.post("/api/documents", headers=_token(store, "root"), files=[("files", ("z.pdf", b"%PDF-1.4 z", "application/pdf"))])
        assert r.status_code == 202
    store.close()


def test_hostile_zips(tmp_path):
    from fastapi.testclient import TestClient

    app, store = _app(tmp_path, run_jobs=False, max_upload_bytes=300_000, uploads_per_minute=100)
    alice = _token(store, "alice")

    def zipped(members: dict[str, bytes]) -> bytes:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
            for n, data in members.items():
                z.writestr(n, data)
        return buf.getvalue()

    with TestClient(app) as c:
        def post(name, data):
            return c.post("/api/documents", headers=alice, files=[("files", (name, data, "application/zip"))])

        bomb = zipped({"big.pdf": b"\0" * 50_000_000})  # ~50 KB that unpacks to 50 MB
        assert len(bomb) < 300_000
        r = post("bomb.zip", bomb)
        assert r.status_code == 413 and "unpacks to more than" in r.json()["detail"]
        assert not list((tmp_path / "up").rglob("*.pdf")) if (tmp_path / "up").exists() else True
        # nested archives are unpacked; a member's path never decides where it is written
        inner = zipped({"../../escape.pdf": b"%PDF-1.4 inner"})
        r = post("outer.zip", zipped({"inner.zip": inner, "a/b.pdf": b"%PDF-1.4 b"}))
        assert r.status_code == 202, r.text
        assert sorted(d["name"] for d in r.json()["documents"]) == ["outer.zip!a/b.pdf", "outer.zip!inner.zip!../../escape.pdf"]
        assert not (tmp_path.parent / "escape.pdf").exists()
        assert {p.parent.parent for p in (tmp_path / "up").rglob("*.pdf")} == {tmp_path / "up"}
        r = post("broken.zip", b"PK\x03\x04 not really")
        assert r.status_code == 400 and "broken.zip" in r.json()["detail"]
    store.close()


def test_openapi_documents_every_route_with_its_auth(tmp_path):
    from fastapi.testclient import TestClient

    app, store = _app(tmp_path, run_jobs=False)
    with TestClient(app) as c:
        schema = c.get("/openapi.json", headers=_token(store, "rita")).json()
    paths = schema["paths"]
    for p in ("/api/documents", "/api/documents/{upload_id}", "/api/reports", "/api/reports/{report_id}",
              "/api/reports/{report_id}/export", "/api/export", "/api/queue"):
        assert p in paths, p
    for p, methods in paths.items():
        for m, op in methods.items():
            assert op["security"] == [{"token": []}, {"session": []}], (p, m)
            assert "Auth:" in op["description"], (p, m)
    assert paths["/api/documents"]["post"]["x-roles"] == ["reviewer", "admin"]
    assert "multipart/form-data" in paths["/api/documents"]["post"]["requestBody"]["content"]
    assert {"401", "403", "413", "429"} <= set(paths["/api/documents"]["post"]["responses"])
    assert schema["components"]["securitySchemes"]["token"]["scheme"] == "bearer"
    store.close()


def test_users_token_cli(tmp_path):
    from fastapi.testclient import TestClient
    from typer.testing import CliRunner

    from extractor.cli import app as cli

    web, store = _app(tmp_path, run_jobs=False)
    db = ["--db", store.url]
    r = CliRunner().invoke(cli, ["users", "token", "rita", *db])
    assert r.exit_code == 0, r.output
    token = r.output.strip()
    assert token.startswith("grt_") and len(token) > 40
    from sqlalchemy import select

    from extractor.store.schema import ApiToken

    with store.engine.connect() as conn:
        hashes = conn.execute(select(ApiToken.__table__.c.token_hash)).scalars().all()
    assert token not in hashes and len(hashes) == 1  # stored hashed only
    with TestClient(web) as c:
        h = {"Authorization": f"Bearer {token}"}
        assert c.get("/api/reports", headers=h).status_code == 200
        r = CliRunner().invoke(cli, ["users", "token", "rita", "--revoke", *db])
        assert r.exit_code == 0 and "revoked 1 token(s) of rita" in r.output
        assert c.get("/api/reports", headers=h).status_code == 401
    r = CliRunner().invoke(cli, ["users", "token", "nobody", *db])
    assert r.exit_code == 1
    store.close()

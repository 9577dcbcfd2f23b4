"""The service's pages without a browser: the report page lays out the tables as printed with
flagged cells linked to their review items, reviewed cells marked, thumbnails, relations with
sums; document text never becomes markup; the reports page filters, sorts and pages; readers
browse but cannot upload."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from test_review_support import add_users, login

pytestmark = pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
HOSTILE = '<script>alert(1)</script>局'


@pytest.fixture
def app_store(tmp_path):
    from extractor.pipeline import extract
    from extractor.review.app import create_app
    from extractor.service.settings import ServiceSettings
    from extractor.store import open_store

    store = open_store(f"sqlite:///{tmp_path / 'p.db'}")
    ex = extract(SAMPLES / "gen-2021-large-wrapped.pdf")
    ex = ex.model_copy(update={"report": ex.report.model_copy(update={"agency": HOSTILE})})
    store.save_extraction(ex, str(SAMPLES / "gen-2021-large-wrapped.pdf"))
    for name in ("seed_chaoyang-minzheng-2023.pdf", "gen-2019-mixed-zeros-typos.pdf"):
        store.save_extraction(extract(SAMPLES / name), str(SAMPLES / name))
    add_users(store, "alice")
    add_users(store, "rita", role="reader")
    app = create_app(store, cache_dir=tmp_path / "crops", service=ServiceSettings(upload_dir=tmp_path / "up", run_jobs=False))
    yield app, store
    store.close()


def test_report_page(app_store):
    from fastapi.testclient import TestClient

    app, store = app_store
    with TestClient(app) as c:
        login(c, "alice")
        html = c.get("/reports/1").text
        assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html
        assert html.count('<table class="printed-table">') == 3
        # each flagged cell links to the review item of that very field
        flags = re.findall(r'<a class="flag" href="/items/(\d+)" data-key="([^"]+)"', html)
        assert flags
        for fid, key in flags:
            assert store.field(int(fid)).key == key
        assert {k for _f, k in flags} >= {"review.total"}
        # broken relations with their sums; the suggestion; thumbnails of pages with table boxes
        assert "review-total:review" in html and 'id="broken"' in html
        thumbs = re.findall(r'src="(/reports/1/pages/\d+\.png)"', html)
        assert thumbs
        r = c.get(thumbs[0])
        assert r.status_code == 200 and r.content[:8] == b"\x89PNG\r\n\x1a\n"
        # a review: the cell shows the reviewed value, marked, the printed one kept in its title
        fi = store.field_by_key(1, "review.total")
        csrf = c.get("/api/me").json()["csrf_token"]
        r = c.post(f"/api/items/{fi.id}/review", json={"how": "suggestion", "suggestion": 1, "version": fi.version},
                   headers={"X-CSRF-Token": csrf})
        assert r.status_code == 200, r.text
        html = c.get("/reports/1").text
        assert re.search(r'title="printed 0, reviewed by alice">7✎', html), "the reviewed cell"
        assert 'id="audit"' in html and "review.total" in html
        assert c.get("/reports/99").status_code == 404
        # the agency page of a hostile name: escaped, with a chart
        from urllib.parse import quote

        r = c.get("/agencies/" + quote(HOSTILE))
        assert r.status_code == 200 and "<script>alert(1)" not in r.text and "<svg" in r.text
        assert c.get("/agencies/nobody").status_code == 404
        # the upload form without JavaScript: stored, then the page follows the new ids
        r = c.post("/upload", data={"csrf_token": csrf}, follow_redirects=False,
                   files=[("files", ("again.pdf", (SAMPLES / "seed_chaoyang-minzheng-2023.pdf").read_bytes(), "application/pdf"))])
        assert r.status_code == 303 and re.fullmatch(r"/upload\?ids=\d+", r.headers["location"])
        uid = int(r.headers["location"].split("=")[1])
        doc = c.get(f"/api/documents/{uid}").json()
        assert doc["status"] == "ok" and doc["duplicate"] and doc["report_id"] == 2  # stored already: not run again
        assert 'data-ids="%d"' % uid in c.get(r.headers["location"]).text
        # without the CSRF token: refused
        r = c.post("/upload", files=[("files", ("x.pdf", b"%PDF-1.4", "application/pdf"))])
        assert r.status_code == 403


def test_reports_page_and_reader(app_store):
    from fastapi.testclient import TestClient

    app, store = app_store
    with TestClient(app) as c:
        login(c, "rita")
        html = c.get("/reports?sort=year&order=asc&per_page=2").text
        years = re.findall(r'<tr data-report="\d+">\s*<td>.*?</td>\s*<td>.*?</td>\s*<td>(\d+)</td>', html, re.S)
        assert len(years) == 2 and years == sorted(years)
        assert "page 1 of 2" in html and "page=2" in html
        assert "page 2 of 2" in c.get("/reports?sort=year&order=asc&per_page=2&page=2").text
        html = c.get("/reports?has_review=1").text
        assert html.count('<tr data-report=') == 1
        assert c.get("/reports?agency=朝阳").text.count('<tr data-report=') == 1
        # a reader may look at a review item but does not claim it (nor save: 403)
        fi = store.field_by_key(1, "review.total")
        assert c.get(f"/items/{fi.id}").status_code == 200
        assert store.field(fi.id).claimed_by is None
        # a reader sees the upload page without the form, and cannot post to it
        html = c.get("/upload").text
        assert 'id="upload-form"' not in html and "may browse and export" in html
        csrf = c.get("/api/me").json()["csrf_token"]
        r = c.post("/upload", data={"csrf_token": csrf}, files=[("files", ("a.pdf", b"%PDF-1.4", "application/pdf"))])
        assert r.status_code == 403

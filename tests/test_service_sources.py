"""A saved page and its own attachment that disagree on a number, seen through the service: the
report is not ``ok`` anywhere (status, export, the reports list, the API), the review item shows
the other source's value and offers it as a fix, the report and agency pages list the link as a
source check (not a cross-year one), and a web page / Word report draws no page thumbnails."""

from __future__ import annotations

import copy
import csv
import re
import sys
from pathlib import Path

import pytest

from test_review_support import add_users, login

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

pytestmark = pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")


@pytest.fixture
def pair(tmp_path):
    """A page and its DOCX attachment, the DOCX printing one number 7 higher; ingested."""
    from extractor.ingest import ingest
    from scripts.samplegen.content import generate_report
    from scripts.samplegen.docx import write_docx
    from scripts.samplegen.html import write_html
    from test_web_sources import _stock_key

    r = generate_report(812, layout="2021", inconsistencies=0)
    folder = tmp_path / "in" / "b"
    folder.mkdir(parents=True)
    page = write_html(r, folder, style="trs", encoding="utf-8", seed=5, name="t20230121_2")
    page.write_text(page.read_text(encoding="utf-8").replace(
        "</body>", '<p>附件：<a href="P1.docx">P1.docx</a></p></body>'), encoding="utf-8")
    rb = copy.deepcopy(r)
    key = _stock_key(r)
    rb.printed[key] = str(int(r.values[key]) + 7)
    write_docx(rb, folder, seed=2, textbox=False, name="P1")
    for f in folder.rglob("*.truth.json"):
        f.unlink()
    url = f"sqlite:///{tmp_path / 's.db'}"
    summary = ingest([tmp_path / "in"], db=url, workers=1, cross_year=False)
    assert summary.source_pairs == 1
    return url, key, int(r.values[key])


def test_disagreeing_sources_are_not_ok(pair, tmp_path):
    from extractor.store import open_store
    from extractor.store.export import export

    url, key, page_value = pair
    with open_store(url) as store:
        docs = {Path(d.path).suffix: d for d in store.documents()}
        # both extractions alone were clean: only the disagreement puts them in review
        assert docs[".html"].status == "review" and docs[".docx"].status == "review"
        assert {r.status for r in store.reports()} == {"review"}
        assert store.status_summary()["by_status"] == {"review": 2}
        out = tmp_path / "w.csv"
        assert export(store, out, "csv") == 1
        row = next(csv.DictReader(out.open(encoding="utf-8-sig")))
        assert row["status"] == "review"


@pytest.fixture
def client(pair, tmp_path):
    from fastapi.testclient import TestClient

    from extractor.review.app import create_app
    from extractor.service.settings import ServiceSettings
    from extractor.store import open_store

    url, key, page_value = pair
    store = open_store(url)
    add_users(store, "alice")
    app = create_app(store, cache_dir=tmp_path / "crops", service=ServiceSettings(upload_dir=tmp_path / "up", run_jobs=False))
    with TestClient(app) as c:
        login(c, "alice")
        yield c, store, key, page_value
    store.close()


def test_review_item_shows_the_other_source(client):
    c, store, key, page_value = client
    docs = {Path(d.path).suffix: d for d in store.documents()}
    page_id, word_id = docs[".html"].report_id, docs[".docx"].report_id
    assert c.get("/api/reports?status=ok").json()["total"] == 0
    assert c.get("/api/reports?status=review").json()["total"] == 2
    fi = store.field_by_key(page_id, key)
    item = c.get(f"/api/items/{fi.id}").json()
    other = item["other_sources"]
    assert [(o["report_id"], o["value"], o["kind"]) for o in other] == [(word_id, page_value + 7, "attachment")]
    assert item["suggestions"][0]["suggested"] == page_value + 7 and item["suggestions"][0]["kind"] == "other-source"
    html = c.get(f"/items/{fi.id}").text
    assert 'id="other-sources"' in html and f'<b class="other-value">{page_value + 7}</b>' in html
    # and from the attachment's side, the page's value
    wf = store.field_by_key(word_id, key)
    item = c.get(f"/api/items/{wf.id}").json()
    assert [(o["report_id"], o["value"], o["kind"]) for o in item["other_sources"]] == [(page_id, page_value, "page")]
    # taking the other source's value is a review like any suggestion
    csrf = c.get("/api/me").json()["csrf_token"]
    r = c.post(f"/api/items/{wf.id}/review", json={"how": "suggestion", "suggestion": 1, "version": wf.version},
               headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200, r.text
    assert store.field(wf.id).reviewed_value == page_value


def test_source_checks_are_not_cross_year_and_no_thumbnails(client):
    c, store, key, _ = client
    docs = {Path(d.path).suffix: d for d in store.documents()}
    for rid in (docs[".html"].report_id, docs[".docx"].report_id):
        html = c.get(f"/reports/{rid}").text
        assert 'id="source-checks"' in html and f"sources-agree:{key}" in html
        assert "Cross-year checks" not in html
        # a web page or a Word file has no pages: no thumbnail is requested
        assert not re.search(r"/reports/\d+/pages/\d+\.png", html) and 'id="no-pages"' in html
    rep = store.report(docs[".html"].report_id)
    from urllib.parse import quote

    html = c.get("/agencies/" + quote(rep.agency)).text
    cross_year = html.split("<h2>Cross-year checks</h2>")[1].split("<h2>Source checks</h2>")[0]
    assert "sources-agree" not in cross_year and "same-report" not in cross_year
    assert "None: no consecutive years" in cross_year
    assert f"sources-agree:{key}" in html.split('id="source-checks"')[1]
    # one row for the year: the attachment is listed as the other copy, not as a second row
    years = html.split('id="years"')[1].split("</table>")[0]
    assert years.count("<tr>") == 2  # the header and one year
    assert f'href="/reports/{docs[".docx"].report_id}"' in years

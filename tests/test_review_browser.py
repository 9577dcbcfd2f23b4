"""The review app in a real browser (Playwright driving Debian's chromium) on a real report.

huaian-hongze-district-gov_2023.pdf prints two wrong totals in table 四: 行政复议 总计 0 where
10 + 1, and 复议后起诉 总计 0 where 5. A reviewer logs in, opens the queue, sees the crop of the
page, takes the suggestion for the first with the keyboard (``1``) and types the second
(``e``, ``5``, Enter); the database, the export and the relations agree afterwards.

Set ``GOVREPORT_SCREENSHOT=/tmp/review-item.png`` to keep a screenshot of the item page.
"""

from __future__ import annotations

import csv
import os
import time
from pathlib import Path

import pytest

from helpers_browser import ARGS, CHROMIUM, serving
from test_review_support import PASSWORD, add_users

pytestmark = pytest.mark.browser

REPORT = "huaian-hongze-district-gov_2023.pdf"


@pytest.fixture
def served(tmp_path):
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is absent: install Debian's chromium (apt-get install chromium) for the browser test")
    from conftest import corpus_file

    pdf = corpus_file(REPORT)  # skips when ../shared is absent
    from extractor.pipeline import extract
    from extractor.review.app import create_app
    from extractor.store import open_store

    store = open_store(f"sqlite:///{tmp_path / 'review.db'}")
    saved = store.save_extraction(extract(pdf))
    add_users(store, "alice")
    app = create_app(store, cache_dir=tmp_path / "crops")
    with serving(app) as base:
        yield base, store, saved.report_id, tmp_path
    store.close()


def test_review_in_browser(served):
    from playwright.sync_api import sync_playwright

    base, store, rid, tmp_path = served
    started = time.monotonic()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(10_000)
            # not logged in: sent to the login page
            page.goto(f"{base}/queue")
            assert "/login" in page.url
            page.fill("input[name=name]", "alice")
            page.fill("input[name=password]", PASSWORD)
            with page.expect_navigation():
                page.click("button[type=submit]")
            assert page.url.endswith("/queue")
            # the queue: this report, its broken relations first
            rows = page.locator("tr.item-row")
            keys = [rows.nth(i).get_attribute("data-key") for i in range(rows.count())]
            assert "review.total" in keys and "litigation_after_review.total" in keys
            assert set(keys[:2]) == {"review.total", "litigation_after_review.total"}, keys
            assert "洪泽区人民政府" in page.inner_text("section.report-group h2")

            # open 行政复议 总计: the crop loads, the relation shows 0 = 11, suggestion 1 is 11
            with page.expect_navigation():
                page.click("tr[data-key='review.total'] a")
            page.wait_for_function(
                "() => { const i = document.getElementById('crop'); return i && i.complete && i.naturalWidth > 0; }"
            )
            assert page.evaluate("document.getElementById('crop').naturalWidth") > 100
            assert page.inner_text("#field-key") == "review.total"
            assert page.inner_text("#value").strip() == "0"
            relation = page.inner_text(".relation")
            assert "review-total:review" in relation and "broken" in relation and "11" in relation
            assert "11" in page.inner_text("#suggestion-1")
            shot = os.environ.get("GOVREPORT_SCREENSHOT")
            if shot:
                page.screenshot(path=shot, full_page=True)

            # take the suggestion with the keyboard
            with page.expect_navigation():
                page.keyboard.press("1")
            assert "review-total:review holds" in page.inner_text(".flash-ok")

            # the next item is another one; go to 复议后起诉 总计 and type the correction
            if page.get_attribute(".item-head", "data-key") != "litigation_after_review.total":
                page.goto(f"{base}/queue")
                with page.expect_navigation():
                    page.click("tr[data-key='litigation_after_review.total'] a")
            assert page.inner_text("#field-key") == "litigation_after_review.total"
            page.keyboard.press("e")
            assert page.evaluate("document.activeElement.id") == "correction"
            page.keyboard.type("5")
            with page.expect_navigation():
                page.keyboard.press("Enter")
            assert "review-total:litigation_after_review holds" in page.inner_text(".flash-ok")

            # the report page shows both changes in its audit log
            page.goto(f"{base}/reports/{rid}")
            audit = page.inner_text("#audit")
            assert "review.total" in audit and "litigation_after_review.total" in audit and "alice" in audit
            assert "Every relation holds" in page.inner_text("main")
        finally:
            browser.close()
    elapsed = time.monotonic() - started
    assert elapsed < 30, f"the browser part took {elapsed:.1f} s"

    # the database: reviewed values beside the printed ones, how each was made
    total = store.field_by_key(rid, "review.total")
    lit = store.field_by_key(rid, "litigation_after_review.total")
    assert (total.value, total.reviewed_value, total.reviewed_by) == (0, 11, "alice")
    assert (lit.value, lit.reviewed_value, lit.reviewed_by) == (0, 5, "alice")
    assert total.raw == "0" and lit.raw == "0"
    log = store.audit_log(report_id=rid)
    assert [(a.field_key, a.how, a.old_value, a.new_value) for a in log] == [
        ("review.total", "suggestion", 0, 11),
        ("litigation_after_review.total", "typed", 0, 5),
    ]
    # the relations hold now, with the reviewed values
    checks = {c.relation: c for c in store.checks_of(rid)}
    assert checks["review-total:review"].status == "ok" and checks["review-total:review"].lhs == 11
    assert checks["review-total:litigation_after_review"].status == "ok"
    assert not [c for c in checks.values() if c.status == "broken" and c.severity == "error"]
    # the export carries the reviewed values (wide) and both values (long)
    from extractor.store.export import export

    wide, long_ = tmp_path / "wide.csv", tmp_path / "long.csv"
    export(store, wide, "csv")
    export(store, long_, "csv", long=True)
    with wide.open(encoding="utf-8-sig") as fh:
        row = next(csv.DictReader(fh))
    assert row["review.total"] == "11" and row["litigation_after_review.total"] == "5"
    assert row["review.upheld"] == "10"
    with long_.open(encoding="utf-8-sig") as fh:
        by_key = {r["key"]: r for r in csv.DictReader(fh)}
    assert (by_key["review.total"]["extracted_value"], by_key["review.total"]["reviewed_value"]) == ("0", "11")
    assert "suggestion" in by_key["review.total"]["review_history"]
    assert "typed" in by_key["litigation_after_review.total"]["review_history"]

"""The review page for a field read from a web page, in a real browser (Debian's chromium).

A generated page prints a wrong 行政复议 总计; the reviewer opens it from the queue and sees the
page's table 四 rendered with that cell marked (a web page has no page to crop), the same keys
and actions as for a PDF: the correction is saved and the relation holds.

Set ``GOVREPORT_SCREENSHOT_WEB=/tmp/review-web-item.png`` to keep a screenshot of the item page.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from helpers_browser import ARGS, CHROMIUM, serving
from test_review_support import PASSWORD, add_users

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@pytest.fixture
def served(tmp_path):
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is absent: install Debian's chromium (apt-get install chromium) for the browser test")
    from extractor.pipeline import extract
    from extractor.review.app import create_app
    from extractor.store import open_store
    from scripts.samplegen.content import generate_report
    from scripts.samplegen.html import write_html

    report = generate_report(903, layout="2021", inconsistencies=["review.total"])
    page = write_html(report, tmp_path, style="trs", encoding="gbk", seed=3)
    result = extract(page)
    assert result.fields["review.total"].status == "review"
    store = open_store(f"sqlite:///{tmp_path / 'review.db'}")
    saved = store.save_extraction(result)
    add_users(store, "alice")
    app = create_app(store, cache_dir=tmp_path / "crops")
    with serving(app) as base:
        yield base, store, saved.report_id, result
    store.close()


def test_review_html_field_in_browser(served):
    from playwright.sync_api import sync_playwright

    base, store, rid, result = served
    printed = result.fields["review.total"].raw
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(10_000)
            page.goto(f"{base}/queue")
            page.fill("input[name=name]", "alice")
            page.fill("input[name=password]", PASSWORD)
            with page.expect_navigation():
                page.click("button[type=submit]")
            with page.expect_navigation():
                page.click("tr[data-key='review.total'] a")
            assert page.inner_text("#field-key") == "review.total"
            # the source table, not a crop: table 四 with the 行政复议 总计 cell marked
            assert page.locator("#crop").count() == 0
            table = page.inner_text("#source-table")
            assert "行政复议" in table and "维持" in table
            assert page.inner_text("#source-cell").strip() == printed
            assert "hit" in page.get_attribute("#source-cell", "class")
            caption = page.inner_text("figure.source-table figcaption")
            assert "html table 3" in caption and "/td" in caption
            shot = os.environ.get("GOVREPORT_SCREENSHOT_WEB")
            if shot:
                page.screenshot(path=shot, full_page=True)
            # the same actions as for a PDF: type the sum and save
            expected = sum(int(result.fields[f"review.{k}"].value) for k in ("upheld", "corrected", "other", "pending"))
            page.keyboard.press("e")
            page.keyboard.type(str(expected))
            with page.expect_navigation():
                page.keyboard.press("Enter")
            assert "review-total:review holds" in page.inner_text(".flash-ok")
        finally:
            browser.close()
    total = store.field_by_key(rid, "review.total")
    assert total.reviewed_value == expected and total.reviewed_by == "alice"

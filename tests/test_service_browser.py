"""The service in a real browser (Playwright driving Debian's chromium): log in, upload two PDFs
on the upload page, watch them finish, open the reports page, open a report, click a flagged cell
and land on its review item, open the agency page and see its chart.

Set ``GOVREPORT_SCREENSHOT_DIR=/tmp/shots`` to keep screenshots of the pages.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from helpers_browser import ARGS, CHROMIUM, serving
from test_review_support import PASSWORD, add_users

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
# two text reports with flagged cells (committed samples)
PDFS = [ROOT / "samples" / "gen-2021-large-wrapped.pdf", ROOT / "samples" / "gen-2019-blank-rects-inconsistent.pdf"]


def _last_year_of_first(store) -> None:
    """The store holds the same agency's previous year already (as from an earlier ingest), so
    the agency page has two years to chart and the carry-over to check across them."""
    from extractor.pipeline import extract

    ex = extract(PDFS[0])
    fields = dict(ex.fields)
    for key, value in (("applications.received.total", 5000), ("applications.carried_forward.total", 46)):
        fields[key] = fields[key].model_copy(update={"value": value, "raw": str(value)})
    ex = ex.model_copy(update={"report": ex.report.model_copy(update={"year": ex.report.year - 1}), "fields": fields})
    store.save_extraction(ex, "last-year.pdf", sha256="0" * 64)


@pytest.fixture
def served(tmp_path):
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is absent: install Debian's chromium (apt-get install chromium) for the browser test")
    from extractor.review.app import create_app
    from extractor.service.settings import ServiceSettings
    from extractor.store import open_store

    store = open_store(f"sqlite:///{tmp_path / 'svc.db'}")
    add_users(store, "alice")
    _last_year_of_first(store)
    app = create_app(store, cache_dir=tmp_path / "crops",
                     service=ServiceSettings(upload_dir=tmp_path / "uploads", poll_seconds=0.2))
    with serving(app, lifespan="auto", start_timeout=20, stop_timeout=30) as base:
        yield base, store
    store.close()


def test_upload_browse_report_agency_in_browser(served):
    from playwright.sync_api import sync_playwright

    base, store = served
    shots = os.environ.get("GOVREPORT_SCREENSHOT_DIR")

    def shot(page, name):
        if shots:
            Path(shots).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(shots) / f"{name}.png"), full_page=True)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 1000})
            page.set_default_timeout(15_000)
            page.goto(f"{base}/upload")
            assert "/login" in page.url
            page.fill("input[name=name]", "alice")
            page.fill("input[name=password]", PASSWORD)
            with page.expect_navigation():
                page.click("button[type=submit]")
            assert page.url.endswith("/upload")

            # upload two PDFs; the table follows them until both are done
            page.set_input_files("#files", [str(p) for p in PDFS])
            page.wait_for_selector("#progress tbody tr[data-id]")
            page.wait_for_selector("#progress[data-done='1']", timeout=120_000)
            rows = page.locator("#progress tbody tr")
            assert rows.count() == 2
            statuses = [rows.nth(i).get_attribute("data-status") for i in range(2)]
            assert statuses == ["review", "review"], statuses
            assert {rows.nth(i).locator("td").nth(1).inner_text() for i in range(2)} == {p.name for p in PDFS}
            shot(page, "upload")

            # the reports page, filtered to reports with review items, sorted by year
            page.click("header nav a[href='/reports']")
            page.select_option("select[name=has_review]", "1")
            with page.expect_navigation():
                page.click("form.filters button[type=submit]")
            assert page.locator("#reports tbody tr[data-report]").count() == 3
            with page.expect_navigation():
                page.click("#reports thead a:has-text('year')")
            years = page.locator("#reports tbody tr[data-report] td:nth-child(3)").all_inner_texts()
            assert years == sorted(years)
            shot(page, "reports")

            # open the report of the first file
            with page.expect_navigation():
                page.click(f"#reports tbody tr:has-text('{PDFS[0].name}') td:first-child a")
            assert page.locator("table.printed-table caption").count() == 3
            assert "三、收到和处理政府信息公开申请情况" in page.inner_text("section.printed")
            page.wait_for_function("() => [...document.querySelectorAll('aside.thumbs img')]"
                                   ".every(i => i.complete && i.naturalWidth > 0)")
            assert page.locator("aside.thumbs img").count() >= 1
            shot(page, "report")
            report_url = page.url

            # a flagged cell leads to its review item
            flag = page.locator("a.flag").first
            key = flag.get_attribute("data-key")
            with page.expect_navigation():
                flag.click()
            assert "/items/" in page.url
            assert page.inner_text("#field-key") == key

            # the agency page and its chart
            page.goto(report_url)
            with page.expect_navigation():
                page.click("div.crumbs a[href^='/agencies/']")
            chart = page.locator("#chart svg.chart")
            assert chart.is_visible()
            assert chart.locator("polyline").count() == 5  # two years: a line per series
            assert "收到申请 received" in chart.text_content()
            assert page.locator("#years tbody tr").count() == 2
            total = page.inner_text("#cross tr:has-text('carry-chain:total')")
            assert "46" in total and total.rstrip().endswith("ok")  # last year's 46 carried forward = this year's 46 carried over
            shot(page, "agency")
        finally:
            browser.close()

"""Helpers of the review tests (no tests here): stores filled with a small synthetic report, users,
a logged-in HTTP client."""

from __future__ import annotations

import hashlib
import re

from models.extraction import BBox, Extraction, Field, ReportMeta
from models.fields import Layout

PASSWORD = "correct horse battery"


def synthetic_extraction(tag: str = "a", agency: str = "测试区人民政府", year: int = 2023) -> Extraction:
    """Table 四 as a report prints it with two wrong totals: 行政复议 10 + 1 + 0 + 0 printed 总计 0,
    复议后起诉 5 + 0 + 0 + 0 printed 总计 0 (the Hongze 2023 pattern), validated."""
    from extractor.validate import validate

    values = {
        "review": (10, 1, 0, 0, 0),
        "litigation_direct": (0, 0, 0, 0, 0),
        "litigation_after_review": (5, 0, 0, 0, 0),
    }
    fields: dict[str, Field] = {}
    x = 100.0
    for group, nums in values.items():
        for col, v in zip(("upheld", "corrected", "other", "pending", "total"), nums):
            key = f"{group}.{col}"
            fields[key] = Field(key=key, value=v, raw=str(v), confidence=0.99, page=1,
                                bbox=BBox(x0=x, top=400.0, x1=x + 28, bottom=426.0))
            x += 30
    sha = hashlib.sha256(f"synthetic-{tag}".encode()).hexdigest()
    ext = Extraction(
        report=ReportMeta(agency=agency, year=year, title=f"{agency}{year}年政府信息公开工作年度报告",
                          layout=Layout.L2021, pages=1, path=None, sha256=sha),
        fields=fields,
    )
    return validate(ext)


def filled_store(url: str, n_reports: int = 1):
    from extractor.store import open_store

    store = open_store(url)
    for i in range(n_reports):
        store.save_extraction(synthetic_extraction(tag=str(i), agency=f"测试{i}区人民政府"))
    return store


def add_users(store, *names: str, role: str = "reviewer") -> None:
    from extractor.review.auth import add_user

    for n in names:
        add_user(store, n, PASSWORD, role)


def login(client, name: str, password: str = PASSWORD):
    """Log in through the form (with the login page's CSRF token); returns the API CSRF token."""
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = client.post("/login", data={"name": name, "password": password, "csrf_token": token, "next": "/queue"},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    return client.get("/api/me").json()["csrf_token"]

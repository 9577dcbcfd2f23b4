"""What a fresh user of the service met: agency filters that match 人民政府 for 民政, a report
header repeating a file uploaded several times, a failed upload's error naming the server's
storage path, and the API description behind a login."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from test_service_api import PDF, SAMPLES, _app, _token, _wait

pytestmark = pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")


def test_agency_filter_full_name_is_one_agency(tmp_path):
    from fastapi.testclient import TestClient

    from extractor.pipeline import extract

    app, store = _app(tmp_path, run_jobs=False)
    ex = extract(SAMPLES / "seed_chaoyang-minzheng-2023.pdf")
    for i, agency in enumerate(["朝阳市民政局", "朝阳市人民政府", "朝阳市民政局机关党委"]):
        e = ex.model_copy(update={"report": ex.report.model_copy(update={"agency": agency})})
        store.save_extraction(e, f"{i}.pdf", sha256=f"{i:064x}")
    rita = _token(store, "rita")
    with TestClient(app) as c:
        def agencies(q):
            r = c.get("/api/reports", params={"agency": q}, headers=rita)
            assert r.status_code == 200, r.text
            return sorted(i["agency"] for i in r.json()["items"])

        # a full name: that agency alone (spaces around it ignored)
        assert agencies("朝阳市民政局") == ["朝阳市民政局"]
        assert agencies(" 朝阳市民政局\u3000") == ["朝阳市民政局"]
        # part of a name: every agency containing it, 人民政府 included (documented)
        assert agencies("民政") == ["朝阳市人民政府", "朝阳市民政局", "朝阳市民政局机关党委"]
        assert agencies("民政局") == ["朝阳市民政局", "朝阳市民政局机关党委"]
        assert agencies("100%_") == []
        # the README's curl form: percent-encoded parameters
        r = c.get("/api/export?format=csv&agency=%E6%9C%9D%E9%98%B3%E5%B8%82%E6%B0%91%E6%94%BF%E5%B1%80", headers=rita)
        assert r.status_code == 200 and r.text.count("朝阳市民政局") >= 1 and "朝阳市人民政府" not in r.text
    store.close()


def test_readme_curl_examples_encode_parameters():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    for line in readme.splitlines():
        if line.lstrip().startswith("curl") and "?" in line:
            url = line.split("'")[1] if "'" in line else ""
            assert url.isascii(), f"raw UTF-8 in a URL is refused by the server (400): {line}"


def test_duplicates_once_and_failed_upload_names_the_file(tmp_path):
    from fastapi.testclient import TestClient

    app, store = _app(tmp_path)
    alice = _token(store, "alice")
    data = PDF.read_bytes()
    fake = io.BytesIO()
    with zipfile.ZipFile(fake, "w") as z:
        z.writestr("a.txt", "not word")
        z.writestr("b.txt", "still not")
    with TestClient(app) as c:
        ids = []
        for _ in range(3):
            r = c.post("/api/documents", headers=alice, files=[("files", ("report.pdf", data, "application/pdf"))])
            ids += [d["id"] for d in r.json()["documents"]]
        r = c.post("/api/documents", headers=alice, files=[("files", ("年报.docx", fake.getvalue(), "application/octet-stream"))])
        ids += [d["id"] for d in r.json()["documents"]]
        done = _wait(c, ids, alice)
        # the failed upload's error names the uploaded file, never the server's storage path
        failed = done[-1]
        assert failed["status"] == "failed" and failed["errors"], failed
        msg = failed["errors"][0]["message"]
        assert "年报.docx" in msg and str(tmp_path) not in msg and "/up/" not in msg, msg
        # three uploads of one file: one report, its name once in the header (with the count)
        rid = done[0]["report_id"]
        assert {d["report_id"] for d in done[:3]} == {rid}
        from test_review_support import login

        login(c, "alice")
        html = c.get(f"/reports/{rid}").text
        assert html.count("report.pdf (uploaded by alice") == 1 and "3 times" in html
    store.close()


def test_openapi_is_public_and_says_each_routes_auth(tmp_path):
    from fastapi.testclient import TestClient

    app, store = _app(tmp_path, run_jobs=False)
    with TestClient(app) as c:
        r = c.get("/openapi.json")
        assert r.status_code == 200
        paths = r.json()["paths"]
        assert all(op["security"] == [{"token": []}, {"session": []}] for m in paths.values() for op in m.values())
        # what it describes still needs auth
        assert c.get("/api/reports").status_code == 401
        assert c.get("/docs", follow_redirects=False).status_code == 303
    store.close()

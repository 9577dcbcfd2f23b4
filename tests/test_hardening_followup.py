"""Issue 14, follow-up findings 1–10 of a fresh tester: extract CSV cells, booleans as counts,
rendered-page pixels and ``--dpi``, manifests (long cells, GBK), the security log of ``serve``,
library texts in messages, bounded queue filters and cookie, ``--db`` checked and
``$GOVREPORT_DB`` honoured everywhere, archive members named as the input names them."""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import SAMPLES, sec_case, SHARED
from test_review_support import add_users, filled_store, login, synthetic_extraction

pytestmark = pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")




@pytest.fixture
def app_store(tmp_path):
    from extractor.review.app import create_app

    store = filled_store(f"sqlite:///{tmp_path / 'r.db'}")
    add_users(store, "alice")
    app = create_app(store, cache_dir=tmp_path / "crops")
    yield app, store
    store.close()


def _client(app):
    from fastapi.testclient import TestClient

    return TestClient(app)


def _cli():
    from extractor.cli import app

    return app


# --- 1: one CSV cell rule, extract and export -----------------------------------------------------

LIVE = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def _live(cell: str) -> bool:
    if re.fullmatch(r"[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?|-{1,2}|－{1,2}", cell):
        return False
    return cell.startswith(LIVE)


@pytest.mark.parametrize("cell,expected", [
    ("-", "-"), ("--", "--"), ("0", "0"), ("-3", "-3"), ("+5", "+5"), ("-1,234.5", "-1,234.5"), ("－", "－"),
    ("=2+5+3", "'=2+5+3"), ("+北京市某某区民政局", "'+北京市某某区民政局"), ("-2+3", "'-2+3"), ("-1e5", "'-1e5"),
    ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("＝1+1", "'＝1+1"), ("- 3", "'- 3"),
    ("---", "'---"), ("北京", "北京"), (None, ""), (-3, -3), (7.5, 7.5),
])
def test_csv_cell_neutralises_formulas_and_keeps_plain_numbers(cell, expected):
    from extractor.render import csv_cell
    from extractor.store.export import csv_cell as export_cell

    assert export_cell is csv_cell  # one rule for every CSV written
    assert csv_cell(cell) == expected


def test_extract_csv_neutralises_like_the_export(tmp_path):
    from models.extraction import FieldStatus

    from extractor.render import to_csv

    ex = synthetic_extraction(tag="f")
    keys = list(ex.fields)
    ex.fields[keys[0]].raw = "=2+5+HYPERLINK(\"http://x.invalid\")"
    ex.fields[keys[1]].raw = "+北京市某某区民政局"
    ex.fields[keys[2]].raw = "-"
    ex.fields[keys[2]].status = FieldStatus.OK
    rows = list(csv.reader(io.StringIO(to_csv(ex))))
    cells = [c for r in rows[1:] for c in r]
    assert not [c for c in cells if _live(c)]
    assert "'=2+5+HYPERLINK(\"http://x.invalid\")" in cells and "'+北京市某某区民政局" in cells
    assert "-" in cells  # a printed zero mark stays as printed


def test_extract_cli_csv_of_formula_title_pdf(tmp_path):
    pdf = sec_case("formula_title.pdf")
    out = tmp_path / "ft.csv"
    r = CliRunner().invoke(_cli(), ["extract", str(pdf), "--format", "csv", "-o", str(out)])
    assert r.exit_code == 0, r.output
    with out.open(encoding="utf-8", newline="") as fh:
        cells = [c for row in list(csv.reader(fh))[1:] for c in row]
    assert cells and not [c for c in cells if _live(c)]


# --- 2: JSON booleans (and lists, objects) are not values ------------------------------------------


def test_booleans_are_not_counts(app_store):
    app, store = app_store
    c = _client(app)
    tok = login(c, "alice")
    fid = store.field_by_key(1, "review.total").id
    for value in (True, False, [1], {"v": 1}):
        r = c.post(f"/api/items/{fid}/review", json={"how": "typed", "value": value, "version": 1},
                   headers={"X-CSRF-Token": tok})
        assert r.status_code == 422, (value, r.status_code, r.text)
    f = store.field(fid)
    assert f.reviewed_by is None and f.version == 1 and store.audit_log(report_id=1) == []
    r = c.post(f"/api/items/{fid}/review", json={"how": "typed", "value": 11, "version": 1},
               headers={"X-CSRF-Token": tok})
    assert r.status_code == 200 and store.field(fid).reviewed_value == 11


# --- 3: rendered pages are capped, --dpi is checked -------------------------------------------------


def _huge_scanned_pdf(path: Path, side_pt: float = 14400) -> Path:
    import pypdfium2 as pdfium
    from PIL import Image

    jpg = path.with_suffix(".jpg")
    Image.new("RGB", (64, 64), "white").save(jpg)
    pdf = pdfium.PdfDocument.new()
    page = pdf.new_page(side_pt, side_pt)
    img = pdfium.PdfImage.new(pdf)
    img.load_jpeg(str(jpg))
    img.set_matrix(pdfium.PdfMatrix().scale(side_pt, side_pt))
    page.insert_obj(img)
    page.gen_content()
    pdf.save(str(path))
    pdf.close()
    return path


def test_a_200_inch_page_is_refused_before_it_is_rendered(tmp_path):
    import resource

    from extractor import extract

    pdf = _huge_scanned_pdf(tmp_path / "poster.pdf")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    ex = extract(pdf)
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    err = ex.fatal_error
    assert err is not None and err.code == "page_too_large", ex.errors
    assert str(pdf) in err.message and "max_render_pixels" in err.message and "\n" not in err.message
    assert grown_mib < 500  # 1.6 G pixels were never allocated


def test_an_oversized_render_names_the_dpi_that_fits(tmp_path):
    from extractor.errors import UnreadableFile
    from extractor.io.document import open_document

    pdf = _huge_scanned_pdf(tmp_path / "a3.pdf", side_pt=1190)  # 16.5 in square
    with open_document(pdf) as doc:
        with pytest.raises(UnreadableFile) as e:
            doc.pages[0].render(1200)
        assert e.value.code == "page_too_large" and "--dpi 484" in e.value.message
        assert doc.pages[0].render(100).shape[:2] == (1653, 1653)


@pytest.mark.parametrize("dpi", ["0", "-5", "3000", "100000"])
def test_dpi_out_of_range_is_a_usage_error(tmp_path, report_pdf, dpi):
    for args in (["extract", str(report_pdf)], ["ingest", str(report_pdf), "--db", f"sqlite:///{tmp_path / 'd.db'}"]):
        r = CliRunner().invoke(_cli(), [*args, "--dpi", dpi])
        assert r.exit_code == 2, r.output
        assert "--dpi" in r.output and len(r.output.strip().splitlines()) == 1
    assert not (tmp_path / "d.db").exists()


# --- 4: manifests: an overlong cell is one bad row; GBK manifests are read ----------------------------


def test_an_overlong_manifest_cell_is_one_bad_row(tmp_path, report_pdf):
    from extractor.ingest.manifest import ManifestProblem, ManifestRow, read_manifest
    from extractor.limits import Limits

    (tmp_path / "a.pdf").write_bytes(report_pdf.read_bytes())
    lines = ["path,agency,year", "a.pdf,甲局,2023", "a.pdf," + "x" * 16_385 + ",2023",
             "a.pdf,乙局,2022", '"a.pdf","' + "y" * 5000 + '",2021', "a.pdf,丙局,2021"]
    m = tmp_path / "m.csv"
    m.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = list(read_manifest(m, "m.csv", Limits()))
    rows = [o for o in out if isinstance(o, ManifestRow)]
    bad = [o for o in out if isinstance(o, ManifestProblem)]
    assert [r.agency for r in rows] == ["甲局", "乙局", "丙局"]
    assert len(bad) == 2 and all("row skipped" in b.message for b in bad)
    assert bad[0].name == "m.csv:3" and all(len(b.message) < 300 for b in bad)


def test_a_gbk_manifest_is_read(tmp_path, report_pdf):
    from extractor.ingest.manifest import ManifestRow, manifest_encoding, read_manifest
    from extractor.limits import Limits

    (tmp_path / "报告.pdf").write_bytes(report_pdf.read_bytes())
    m = tmp_path / "清单.csv"
    m.write_bytes("path,agency,year,source_url\r\n报告.pdf,北京市某某区民政局,2023,http://x.invalid/a\r\n".encode("gbk"))
    assert manifest_encoding(m) == "gb18030"
    rows = [o for o in read_manifest(m, "清单.csv", Limits()) if isinstance(o, ManifestRow)]
    assert [(r.ref, r.agency, r.year) for r in rows] == [("报告.pdf", "北京市某某区民政局", 2023)]
    m.write_bytes("\ufeffpath,agency\n报告.pdf,民政局\n".encode("utf-8"))
    assert manifest_encoding(m) == "utf-8-sig"
    assert [r.agency for r in read_manifest(m, "m", Limits()) if isinstance(r, ManifestRow)] == ["民政局"]


# --- 5: serve's security events reach stderr, library warnings do not ---------------------------------

SERVE_SCRIPT = r"""
import logging, re, sys
import uvicorn
from extractor.cli import _quiet_libraries
from extractor.review.cli import serve_command

_quiet_libraries()

def fake_run(app, **kw):  # drive the app instead of listening on a port
    from fastapi.testclient import TestClient
    c = TestClient(app)
    for _ in range(12):
        page = c.get("/login")
        tok = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        c.post("/login", data={"name": "alice", "password": "wrong", "csrf_token": tok})
    logging.getLogger("pdfminer.pdfpage").warning("NOISY-LIBRARY-WARNING")
    logging.getLogger("PIL").warning("NOISY-PIL-WARNING")

uvicorn.run = fake_run
serve_command(db=sys.argv[1])
"""


def test_serve_logs_throttling_with_account_and_address(tmp_path):
    url = f"sqlite:///{tmp_path / 's.db'}"
    store = filled_store(url)
    add_users(store, "alice")
    store.close()
    env = {**os.environ, "GOVREPORT_LOGIN_BACKOFF_BASE_S": "30"}
    env.pop("GOVREPORT_DEBUG", None)
    r = subprocess.run([sys.executable, "-c", SERVE_SCRIPT, url], capture_output=True, text=True, timeout=300,
                       env=env, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    throttled = [ln for ln in r.stderr.splitlines() if "login throttled" in ln]
    assert throttled and "'alice'" in throttled[0] and "testclient" in throttled[0]
    assert any("login failed: account 'alice' from testclient" in ln for ln in r.stderr.splitlines())
    assert "NOISY" not in r.stderr


# --- 6: library texts are sanitised before they reach a message ---------------------------------------

PDFMINER_TEXT = ("Invalid dictionary construct: [/'CreationDate', b'D:2024\\xc3\\x28\\x00\\x1b[31m', /'Producer', "
                 "b'" + "\\xff" * 400 + "'] \x1b[2J\x07")


def test_safe_reason_drops_bytes_and_controls():
    from extractor.limits import safe_reason

    s = safe_reason(PDFMINER_TEXT)
    assert "\\x" not in s and "D:2024" not in s and len(s) <= 200
    assert s.isprintable() and "Invalid dictionary construct" in s
    assert safe_reason("Bob's file b'unterminated \\xff") == "Bob's file b'…'"


def test_a_damaged_pdf_message_carries_no_file_bytes(tmp_path, report_pdf, monkeypatch):
    import pdfplumber

    from extractor.errors import UnreadableFile
    from extractor.io.document import open_document

    def broken(*a, **k):
        raise ValueError(PDFMINER_TEXT)

    monkeypatch.setattr(pdfplumber, "open", broken)
    with pytest.raises(UnreadableFile) as e:
        open_document(report_pdf)
    msg = e.value.message
    assert str(report_pdf) in msg and "\\x" not in msg and "D:2024" not in msg and msg.isprintable()


def test_extract_json_errors_carry_no_file_bytes(report_pdf):
    import json

    from extractor import pipeline

    def title_fails(run):
        raise ValueError(PDFMINER_TEXT)

    i = next(n for n, (name, _) in enumerate(pipeline.STAGES) if name == "title")
    saved = pipeline.STAGES[i]
    pipeline.STAGES[i] = ("title", title_fails)  # the same list run_stages uses by default
    try:
        r = CliRunner().invoke(_cli(), ["extract", str(report_pdf), "--format", "json"])
    finally:
        pipeline.STAGES[i] = saved
    assert r.exit_code == 0, r.output
    errors = json.loads(r.stdout)["errors"]
    assert errors and all("\\x" not in e["message"] and e["message"].isprintable() for e in errors), errors


def test_stored_worker_messages_are_sanitised_and_name_the_member():
    from models.extraction import Extraction, ExtractionIssue, ReportMeta

    from extractor.ingest.inputs import Item
    from extractor.ingest.runner import _own_messages

    tmp = "/tmp/x/govreport-ingest-abc/zip2/0/x.pdf"
    ex = Extraction(report=ReportMeta(), errors=[
        ExtractionIssue(stage="open", code="corrupt_pdf", message=f"{tmp}: the PDF is corrupt ({PDFMINER_TEXT})")])
    _own_messages(ex, Item(Path(tmp), "outer.zip!inner.zip!x.pdf"))
    msg = ex.errors[0].message
    assert msg.startswith("outer.zip!inner.zip!x.pdf: ") and "govreport-ingest" not in msg
    assert "\\x" not in msg and msg.isprintable()


# --- 7: bounded filters and a bounded cookie ----------------------------------------------------------


def test_queue_filters_are_bounded(app_store):
    app, store = app_store
    c = _client(app)
    tok = login(c, "alice")
    assert c.get("/api/queue", params={"agency": "x" * 50_010}).status_code == 422
    assert c.get("/api/queue", params={"agency": "局" * 201}).status_code == 422
    assert c.post("/api/next", params={"agency": "x" * 50_010}, headers={"X-CSRF-Token": tok}).status_code == 422
    assert c.get("/api/queue", params={"agency": "局" * 200}).status_code == 200
    assert c.get("/queue", params={"agency": "局" * 1000}).status_code == 422
    r = c.get("/queue", params={"agency": "局" * 200, "year": "9" * 3000})
    assert r.status_code == 200
    assert len(r.headers["set-cookie"]) < 4096  # browsers drop larger cookies (logged out)
    assert c.get("/api/me").status_code == 200  # still logged in
    from extractor.review import queue as Q

    with pytest.raises(ValueError):
        Q.Filters(agency="x" * 50_010)


# --- 8 and 10: --db checked once, $GOVREPORT_DB everywhere ---------------------------------------------


@pytest.mark.parametrize("cmd", [["status"], ["export"], ["ingest", "nothing.pdf"], ["users", "list"],
                                 ["review", "next", "--user", "alice"]])
def test_an_unparsable_db_url_is_a_usage_error(tmp_path, monkeypatch, cmd):
    monkeypatch.chdir(tmp_path)
    for bad in ("foo", "mysql://u@h/db"):
        r = CliRunner().invoke(_cli(), [*cmd, "--db", bad])
        assert r.exit_code == 2, (cmd, bad, r.output)
        assert len(r.output.strip().splitlines()) == 1 and "not a database URL" in r.output
    assert list(tmp_path.iterdir()) == []


def test_govreport_db_is_the_default_everywhere(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'env.db'}"
    filled_store(url, n_reports=2).close()
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    env = {"GOVREPORT_DB": url}
    r = CliRunner().invoke(_cli(), ["export", "-o", str(work / "w.csv")], env=env)
    assert r.exit_code == 0 and "wrote 2 row(s)" in r.output, r.output
    r = CliRunner().invoke(_cli(), ["status", "--json"], env=env)
    assert r.exit_code == 0 and '"reports": 2' in r.output, r.output
    r = CliRunner().invoke(_cli(), ["ingest", str(work / "missing.pdf"), "--quiet", "--workers", "1"], env=env)
    assert r.exit_code == 0, r.output
    assert not (work / "govreport.db").exists()
    from extractor.store import open_store

    with open_store(url) as store:
        assert any(d.error_code == "not_found" for d in store.documents(status="failed"))


# --- 9: members of nested zips are named by their archives ---------------------------------------------


def test_errors_of_nested_zip_members_name_the_archives(tmp_path):
    from extractor.ingest import ingest
    from extractor.store import open_store

    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as z:
        z.writestr("x.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog garbage \xc3\x28 >>\n%%EOF")
    with zipfile.ZipFile(tmp_path / "outer.zip", "w") as z:
        z.writestr("inner.zip", inner.getvalue())
    url = f"sqlite:///{tmp_path / 'z.db'}"
    s = ingest([tmp_path / "outer.zip"], db=url, workers=1, cross_year=False)
    assert s.failed == 1
    with open_store(url) as store:
        (doc,) = store.documents(status="failed")
        text = f"{doc.path} {doc.error_message}"
    assert f"{tmp_path / 'outer.zip'}!inner.zip!x.pdf" in text, text
    assert "govreport-ingest" not in text and "/zip2/" not in text, text

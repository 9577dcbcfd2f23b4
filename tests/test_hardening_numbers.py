"""Issue 14, defects 1 and 12: one bounded number parser everywhere (extraction, review web and
CLI, manifests); a hostile correction neither freezes the server nor reaches the exports."""

from __future__ import annotations

import re
import socket
import threading
import time
import urllib.request
from decimal import Decimal

import pytest
from typer.testing import CliRunner

from test_review_support import PASSWORD, add_users, filled_store, login

pytestmark = pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")

HOSTILE = ["1e1000000", "1e10000000", "1E5", "12e3", "9" * 16, "1" * 5000, "-3", "－3", "inf", "NaN",
           "Infinity", "٣", "١٢", "²", "①", "३४", "1.5"]


# --- the parser on its own --------------------------------------------------------------------


@pytest.mark.parametrize("text", HOSTILE)
def test_parser_refuses_hostile_counts(text):
    from extractor.mapping.numbers import NumberError, parse_bounded, parse_number
    from models.fields import ValueType

    with pytest.raises(NumberError):
        parse_bounded(text, ValueType.INT)
    p = parse_number(text, ValueType.INT)
    assert not p.ok and p.value is None and p.reason


@pytest.mark.parametrize("text,value", [("１２３", 123), ("3,119", 3119), ("21件", 21), ("０", 0), ("—", 0),
                                        ("999999999999999", None), ("1000000000", 1_000_000_000)])
def test_parser_accepts_printed_counts(text, value):
    from extractor.mapping.numbers import OutOfRange, parse_bounded
    from models.fields import ValueType

    if value is None:  # 15 digits: well formed but out of the plausible range
        with pytest.raises(OutOfRange):
            parse_bounded(text, ValueType.INT)
        assert parse_bounded(text, ValueType.INT, allow_out_of_range=True)[0] == int(text)
    else:
        assert parse_bounded(text, ValueType.INT)[0] == value


def test_parser_bounds_non_string_values_and_amounts():
    from extractor.mapping.numbers import NumberError, OutOfRange, parse_bounded, parse_number
    from models.fields import ValueType

    for v in (float("inf"), float("nan"), 1e300, 10**30, Decimal("1E+1000000"), Decimal("NaN"), True):
        with pytest.raises(NumberError):
            parse_bounded(v, ValueType.INT)
    assert parse_bounded(7.0, ValueType.INT)[0] == 7
    assert parse_bounded("7730.28", ValueType.DECIMAL)[0] == Decimal("7730.28")
    with pytest.raises(NumberError):
        parse_bounded("0.0000000000000001", ValueType.DECIMAL)  # 16 significant digits
    with pytest.raises(OutOfRange):
        parse_bounded("2101", ValueType.INT, key="report.year")
    # extraction: an out-of-range printed count keeps its value and goes to review
    p = parse_number("2,000,000,000", ValueType.INT)
    assert (p.ok, p.value, p.reason) == (False, 2_000_000_000, "out_of_range")
    # the work is bounded whatever the input: a megabyte of digits is refused at once
    t0 = time.perf_counter()
    for _ in range(20):
        with pytest.raises(NumberError):
            parse_bounded("1" * 1_000_000, ValueType.INT)
    assert time.perf_counter() - t0 < 5  # a generous bound: the old parser never returned


@pytest.mark.parametrize("text,value", [("3 5", 35), ("0 5", 5), ("05", 5), ("1 234", 1234), ("００５", 5), ("00", 0)])
def test_digits_that_may_be_two_numbers_keep_their_value_for_review(text, value):
    """Two cells' numbers read as one where a scan lost the rule between them (``3 5``), or a speck
    read as a 0 before a digit (``05``): the value as read, never ok (the number parser's
    hardening: a wrong value must land in review)."""
    from extractor.mapping.numbers import parse_number

    p = parse_number(text)
    assert (p.value, p.ok, p.reason) == (value, False, "digits_apart")


@pytest.mark.parametrize("text", ["35", "0", "3,119", "12，345", "21件", " 5 ", "—", "０", "1,050", "2,005", "1，050"])
def test_plain_printed_counts_stay_ok(text):
    from extractor.mapping.numbers import parse_number

    assert parse_number(text).ok  # 1,050: a group after a thousands separator is no leading 0


def test_a_text_layers_spaces_between_digits_are_no_evidence():
    """A PDF's text layer makes a space of the gap between two glyph boxes (4119 in a font whose
    1 is narrow reads 41 19: a real report's 行政处罚): there only a leading 0 counts. A scan's
    space was seen, a web page's printed: there it sends the field to review."""
    from extractor.mapping.cell_field import make_field, spaces_real
    from models.extraction import BBox, Source, SourceRef
    from models.fields import ValueType
    from models.page import Cell

    from extractor.mapping.numbers import parse_number

    assert parse_number("41 19", spaces_real=False).ok and not parse_number("0 5", spaces_real=False).ok

    def cell(source, ref=None):
        return Cell(row=0, col=0, page=1, bbox=BBox(x0=0, top=0, x1=10, bottom=10), text="41 19", confidence=1.0,
                    source=source, ref=ref)

    layer = cell(Source.TEXT)
    assert not spaces_real(layer) and make_field("applications.granted.total", layer, ValueType.INT).status.value == "ok"
    assert spaces_real(cell(Source.OCR))
    web = cell(Source.TEXT, SourceRef.model_construct())
    assert spaces_real(web) and make_field("applications.granted.total", web, ValueType.INT).status.value == "review"


def test_a_real_reports_text_layer_number_stays_ok():
    from conftest import SHARED
    from extractor import Extractor

    pdf = SHARED / "corpus" / "huaian-hongze-district-gov_2023.pdf"
    if not pdf.exists():
        pytest.skip(f"the shared corpus is absent: {pdf} not found")
    field = Extractor().extract(pdf).fields["active.penalty.decisions"]
    assert field.value == 4119 and field.status.value == "ok"


def test_spaced_digits_in_every_table_go_to_review():
    """Table 三 (``make_field``), table 二's signed change and its amount alike."""
    from extractor.mapping.cell_field import make_field
    from extractor.mapping.change import parse_amount, parse_change
    from models.extraction import BBox, Source
    from models.fields import ValueType
    from models.page import Cell

    def cell(text):
        return Cell(row=0, col=0, page=1, bbox=BBox(x0=0, top=0, x1=10, bottom=10), text=text, confidence=0.99,
                    source=Source.OCR)

    joined = make_field("applications.granted.natural_person", cell("3 5"), ValueType.INT)
    assert joined.value == 35 and joined.status.value == "review" and joined.evidence["parsed"] == 0.0
    assert make_field("applications.granted.natural_person", cell("35"), ValueType.INT).status.value == "ok"
    assert (parse_change("3 5").value, parse_change("3 5").ok) == (35, False)
    assert (parse_change("-3").value, parse_change("-3").ok) == (-3, True)
    assert (parse_amount("12 5.3").value, parse_amount("12 5.3").ok) == (Decimal("125.3"), False)
    assert parse_amount("0.5").ok and parse_amount("7730.28").ok


# --- the review app: 422 with a reason, nothing written ----------------------------------------


@pytest.fixture
def app_store(tmp_path):
    from extractor.review.app import create_app

    store = filled_store(f"sqlite:///{tmp_path / 'r.db'}")
    add_users(store, "alice")
    add_users(store, "root", role="admin")
    app = create_app(store, cache_dir=tmp_path / "crops")
    yield app, store
    store.close()


def _client(app):
    from fastapi.testclient import TestClient

    return TestClient(app)


def test_api_refuses_hostile_values_with_422(app_store):
    app, store = app_store
    c = _client(app)
    tok = login(c, "alice")
    fid = store.field_by_key(1, "review.total").id
    for value in HOSTILE + [1e308, -1, 10**40]:
        r = c.post(f"/api/items/{fid}/review", json={"how": "typed", "value": value, "version": 1},
                   headers={"X-CSRF-Token": tok})
        assert r.status_code == 422, (value, r.status_code, r.text)
        assert "review.total" in r.json()["detail"] or isinstance(r.json()["detail"], list)
    f = store.field(fid)
    assert f.reviewed_by is None and f.version == 1 and store.audit_log(report_id=1) == []
    # a JSON integer with a million digits never becomes an int: refused before the route runs
    r = c.post(f"/api/items/{fid}/review", content=b'{"how": "typed", "version": 1, "value": ' + b"9" * 1_000_000 + b"}",
               headers={"X-CSRF-Token": tok, "content-type": "application/json"})
    assert 400 <= r.status_code < 500
    # ids, versions and years beyond 64 bits are a 422, not a 500
    assert c.get(f"/api/items/{2**70}").status_code == 422
    assert c.get(f"/api/reports/{2**70}/audit").status_code == 422
    assert c.get(f"/api/queue?year={2**70}").status_code == 422
    r = c.post(f"/api/items/{fid}/review", json={"how": "accept", "version": 2**70}, headers={"X-CSRF-Token": tok})
    assert r.status_code == 422
    assert c.get(f"/queue?year={'9' * 50}").status_code == 200


def test_form_refuses_exponent_with_a_message(app_store):
    app, store = app_store
    c = _client(app)
    tok = login(c, "alice")
    fid = store.field_by_key(1, "review.total").id
    c.get(f"/items/{fid}")
    r = c.post(f"/items/{fid}", data={"how": "typed", "value": "1e1000000", "version": "1", "csrf_token": tok})
    assert "Not saved" in r.text and "exponent" in r.text
    assert store.field(fid).reviewed_by is None


def test_out_of_range_needs_an_admin_who_confirms(app_store):
    app, store = app_store
    fid = store.field_by_key(1, "review.total").id
    a = _client(app)
    ta = login(a, "alice")
    body = {"how": "typed", "value": "2000000000", "version": 1, "confirm_out_of_range": True}
    r = a.post(f"/api/items/{fid}/review", json=body, headers={"X-CSRF-Token": ta})
    assert r.status_code == 422 and "admin" in r.json()["detail"]
    a.post(f"/api/items/{fid}/release", headers={"X-CSRF-Token": ta})
    root = _client(app)
    tr = login(root, "root")
    r = root.post(f"/api/items/{fid}/review", json={**body, "confirm_out_of_range": False}, headers={"X-CSRF-Token": tr})
    assert r.status_code == 422 and "confirm" in r.json()["detail"]
    r = root.post(f"/api/items/{fid}/review", json=body, headers={"X-CSRF-Token": tr})
    assert r.status_code == 200, r.text
    assert store.field(fid).reviewed_value == 2_000_000_000
    assert "admin confirmed" in (store.audit_log(report_id=1)[-1].note or "")


def test_cli_set_refuses_with_exit_2(tmp_path):
    from extractor.cli import app

    url = f"sqlite:///{tmp_path / 'c.db'}"
    store = filled_store(url)
    add_users(store, "alice")
    store.close()
    for value in ("1e1000000", "-3", "9" * 20, "nan", "٣"):
        r = CliRunner().invoke(app, ["review", "set", "--report", "1", "--user", "alice", "--db", url, "--",
                                     "review.total", value])
        assert r.exit_code == 2, (value, r.output)
        assert "not saved" in r.output and "review.total" in r.output
    r = CliRunner().invoke(app, ["review", "set", "review.total", "11", "--report", "1", "--user", "alice", "--db", url])
    assert r.exit_code == 0, r.output


# --- the server stays responsive while a hostile save is made ----------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_login_page_answers_while_another_client_saves_a_huge_exponent(tmp_path):
    import uvicorn

    from extractor.review.app import create_app

    store = filled_store(f"sqlite:///{tmp_path / 'srv.db'}")
    add_users(store, "alice")
    fid = store.field_by_key(1, "review.total").id
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(store, cache_dir=tmp_path / "crops"), host="127.0.0.1",
                                           port=port, log_level="warning", lifespan="off"))
    th = threading.Thread(target=server.run, daemon=True)
    th.start()
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            if server.started:
                break
            time.sleep(0.05)
        import httpx

        with httpx.Client(base_url=base) as attacker:
            page = attacker.get("/login")
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
            attacker.post("/login", data={"name": "alice", "password": PASSWORD, "csrf_token": token})
            api_token = attacker.get("/api/me").json()["csrf_token"]
            statuses: list[int] = []
            stop = threading.Event()

            def attack():
                while not stop.is_set():
                    for v in ("1e1000000", "1e10000000"):
                        r = attacker.post(f"/api/items/{fid}/review", json={"how": "typed", "value": v, "version": 1},
                                          headers={"X-CSRF-Token": api_token}, timeout=30)
                        statuses.append(r.status_code)

            t = threading.Thread(target=attack, daemon=True)
            t.start()
            try:
                worst = 0.0
                for _ in range(10):
                    t0 = time.perf_counter()
                    with urllib.request.urlopen(f"{base}/login", timeout=10) as resp:
                        assert resp.status == 200
                    worst = max(worst, time.perf_counter() - t0)
            finally:
                stop.set()
                t.join(30)
        assert statuses and set(statuses) == {422}
        assert worst < 1.0, worst
        assert store.field(fid).reviewed_by is None
    finally:
        server.should_exit = True
        th.join(10)
        store.close()


# --- defect 12: the Parquet export and a value stored before numbers were bounded ---------------


def test_parquet_export_survives_a_30_digit_stored_count(tmp_path):
    import pyarrow.parquet as pq
    from sqlalchemy import update

    from extractor.store.export import export
    from extractor.store.schema import FieldRow

    store = filled_store(f"sqlite:///{tmp_path / 'p.db'}")
    fid = store.field_by_key(1, "review.total").id
    huge = "1" * 30
    with store.engine.begin() as conn:  # as an older version could store it
        conn.execute(update(FieldRow.__table__).where(FieldRow.__table__.c.id == fid)
                     .values(reviewed_value=huge, reviewed_by="old", version=2))
    assert export(store, tmp_path / "w.parquet", "parquet") == 1
    t = pq.read_table(tmp_path / "w.parquet").to_pylist()[0]
    assert t["review.total"] is None and t["review.upheld"] == 10
    assert export(store, tmp_path / "l.parquet", "parquet", long=True) > 0
    rows = pq.read_table(tmp_path / "l.parquet").to_pylist()
    assert any(r["value"] == huge for r in rows)  # the long export keeps the exact text
    # and the bounded parser refuses the same value as a new correction
    from extractor.review import queue as Q

    with pytest.raises(Q.ReviewError, match="significant digits"):
        Q.save(store, fid, "old", "typed", huge, expected_version=2)
    store.close()


@pytest.mark.parametrize("old,new,key,value", [
    ("2293", "3 5", "active.licensing.decisions", 35),  # in no relation: only the parser can doubt it
    ("30", "3 0", "applications.granted.total", 30),  # in relations that still hold
])
def test_digits_apart_reach_review_end_to_end(tmp_path, old, new, key, value):
    """The parser's doubt survives validation (which recomputes every status): a real web page
    whose one value cell prints digits that may be two numbers has that field in review and no
    other (a fresh user's probe: the verdict was lost and 35 stood as ok)."""
    import lxml.html

    from conftest import SHARED
    from extractor import Extractor

    page = SHARED / "corpus" / "web" / "pingtan_2021.html"
    if not page.exists():
        pytest.skip(f"the shared corpus is absent: {page} not found")
    doc = lxml.html.fromstring(page.read_bytes())
    cell = next(td for td in doc.iter("td") if td.text_content().strip() == old)
    for child in list(cell):
        cell.remove(child)
    cell.text = new
    edited = tmp_path / "edited.html"
    edited.write_bytes(lxml.html.tostring(doc, encoding="utf-8"))
    result = Extractor().extract(edited)
    field = result.fields[key]
    assert field.value == value and field.status.value == "review"
    assert [k for k, f in result.fields.items() if f.status.value == "review"] == [key]

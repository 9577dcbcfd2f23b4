"""Table 三 cell recovery: govreport beside camelot (lattice) and pdfplumber ``extract_tables``.

Each tool is scored the same way: the fraction of table 三's cells (rows × 7 columns, truth
from the ``.truth.json`` beside each PDF) recovered at the right row and column. A tool's
tables are taken page by page in order; their rows are aligned to the registry's rows by label
(the same monotone alignment govreport uses), and a row's value cells are its last seven.
"""

from __future__ import annotations

import json
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extractor.mapping.numbers import looks_numeric, parse_number  # noqa: E402
from extractor.mapping.tables import ObservedRow, align_rows  # noqa: E402
from models.fields import APPLICANT_COLUMNS, APPLICATION_ROWS, Layout, ValueType  # noqa: E402


def truth_of(pdf: Path) -> dict:
    return json.loads(pdf.with_name(pdf.name.replace(".pdf", ".truth.json")).read_text(encoding="utf-8"))


def application_truth(truth: dict) -> dict[str, int]:
    return {k: v for k, v in truth["fields"].items() if k.startswith("applications.")}


def rows_from_tables(tables: list[list[list[str | None]]]) -> list[ObservedRow]:
    """Rows of plain string tables (what camelot and pdfplumber give) as observed rows."""
    out: list[ObservedRow] = []
    n = len(APPLICANT_COLUMNS)
    for table in tables:
        for row in table:
            cells = [(c or "").replace("\n", "") for c in row]
            if len(cells) < n + 1:
                continue
            values = cells[-n:]
            if not all(looks_numeric(v) for v in values):
                continue
            labels = [c for c in cells[:-n] if c.strip()]
            if not labels:
                continue
            out.append(ObservedRow(label=labels[-1], context="".join(labels[:-1]), values=values))
    return out


def score_rows(rows: list[ObservedRow], truth: dict[str, int]) -> tuple[int, int]:
    """(cells right, cells in truth) for one document."""
    matches = align_rows(rows, APPLICATION_ROWS)
    got: dict[str, int | None] = {}
    for i, j, _ in matches:
        for col, text in zip(APPLICANT_COLUMNS, rows[i].values):
            parsed = parse_number(text if isinstance(text, str) else str(text), ValueType.INT)
            got[f"applications.{APPLICATION_ROWS[j].key}.{col.key}"] = parsed.value if parsed.ok else None
    right = sum(1 for k, v in truth.items() if got.get(k) == v)
    return right, len(truth)


def camelot_tables(pdf: Path) -> list[list[list[str]]]:
    import camelot

    tables = camelot.read_pdf(str(pdf), pages="all", flavor="lattice")
    return [t.df.values.tolist() for t in tables]


def pdfplumber_tables(pdf: Path) -> list[list[list[str | None]]]:
    import pdfplumber

    out = []
    with pdfplumber.open(str(pdf)) as doc:
        for page in doc.pages:
            out.extend(page.extract_tables())
    return out


def govreport_cells(pdf: Path) -> tuple[dict, float]:
    from extractor import extract

    start = time.perf_counter()
    result = extract(pdf)
    elapsed = time.perf_counter() - start
    values = {}
    for k, f in result.fields.items():
        values[k] = float(f.value) if isinstance(f.value, Decimal) else f.value
    return values, elapsed


def compare(pdfs: list[Path]) -> dict:
    """Score the three tools on the same files in the same run."""
    totals = {name: {"right": 0, "cells": 0, "seconds": 0.0, "errors": 0} for name in ("govreport", "camelot", "pdfplumber")}
    for pdf in pdfs:
        truth = application_truth(truth_of(pdf))
        values, elapsed = govreport_cells(pdf)
        t = totals["govreport"]
        t["right"] += sum(1 for k, v in truth.items() if values.get(k) == v)
        t["cells"] += len(truth)
        t["seconds"] += elapsed
        for name, fn in (("camelot", camelot_tables), ("pdfplumber", pdfplumber_tables)):
            t = totals[name]
            start = time.perf_counter()
            try:
                tables = fn(pdf)
            except Exception:  # a tool failing on a file scores 0 for it
                tables = []
                t["errors"] += 1
            t["seconds"] += time.perf_counter() - start
            right, cells = score_rows(rows_from_tables(tables), truth)
            t["right"] += right
            t["cells"] += cells
    for t in totals.values():
        t["accuracy"] = t["right"] / t["cells"] if t["cells"] else 0.0
        t["s_per_report"] = t["seconds"] / max(len(pdfs), 1)
    return {"files": len(pdfs), "tools": totals}


def markdown(summary: dict) -> str:
    lines = [
        f"Table 三 cells recovered at the right row and column, {summary['files']} text-layer reports:",
        "",
        "| tool | cells right | accuracy | s/report | files it failed on |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, t in summary["tools"].items():
        lines.append(
            f"| {name} | {t['right']}/{t['cells']} | {100 * t['accuracy']:.2f} % | {t['s_per_report']:.2f} | {t['errors']} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    files = [Path(a) for a in sys.argv[1:]] or sorted((ROOT.parent / "shared" / "corpus").glob("*.pdf"))
    print(markdown(compare(files)))

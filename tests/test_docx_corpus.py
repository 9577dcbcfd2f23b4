"""The real 平潭 2021 report moved into a Word file (its title, prose and the three tables with the
page's own cell texts and merges, made with python-docx): every field of its truth file. Real
labels and layout in the Word path, not only the generator's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers_compare import as_plain

ROOT = Path(__file__).resolve().parent.parent
WEB = ROOT.parent / "shared" / "corpus" / "web"


def test_pingtan_2021_as_docx(tmp_path):
    page = WEB / "pingtan_2021.html"
    if not page.exists():
        pytest.skip(f"the shared web corpus is absent: {page} not found (tests read ../shared/corpus/web)")
    import docx
    from docx.shared import Pt

    from extractor import extract
    from extractor.io.html import read_html

    content = read_html(page)
    d = docx.Document()
    d.add_paragraph().add_run(content.title).font.size = Pt(22)
    for p in content.paragraphs:
        d.add_paragraph(p)
    for g in content.grids:
        t = d.add_table(rows=g.n_rows, cols=g.n_cols)
        for c in g.cells:
            cell = t.cell(c.row, c.col)
            if c.row_span > 1 or c.col_span > 1:
                cell = cell.merge(t.cell(c.row + c.row_span - 1, c.col + c.col_span - 1))
            cell.text = c.text
        d.add_paragraph("")
    out = tmp_path / "pingtan_2021.docx"
    d.save(str(out))
    result = extract(out)
    truth = json.loads(page.with_name("pingtan_2021.truth.json").read_text(encoding="utf-8"))["fields"]
    bad = [f"{k}: {v!r} got {None if k not in result.fields else result.fields[k].value!r}"
           for k, v in truth.items() if k not in result.fields or as_plain(result.fields[k].value) != v]
    assert bad == []
    assert result.report.source_kind == "docx"

"""Word files: generated DOCX reports (merges made by Word's own mechanism, a table in a text box)
with every field exact; the merge layout on hand-made XML; ``.doc`` through LibreOffice."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers_compare import mismatches

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _truth(path: Path) -> dict:
    return json.loads(path.with_name(path.stem + ".truth.json").read_text(encoding="utf-8"))["fields"]


@pytest.mark.parametrize("seed,textbox", [(0, False), (1, True), (2, False), (3, True), (4, False), (5, False)])
def test_generated_docx_every_field(tmp_path, seed, textbox):
    from extractor import extract
    from scripts.samplegen.content import generate_report
    from scripts.samplegen.docx import write_docx

    report = generate_report(600 + seed)
    path = write_docx(report, tmp_path, seed=seed, textbox=textbox)
    result = extract(path)
    assert result.fatal_error is None, result.errors
    assert mismatches(result, _truth(path)) == []
    assert result.report.source_kind == "docx"
    where = result.fields["review.total"].provenance
    assert where.kind == "docx" and where.path.startswith("txbx/" if textbox else "body/")


def test_textbox_table_read_once(tmp_path):
    """Word saves a text box twice (DrawingML and a VML fallback copy): the table is read once."""
    from extractor.io.docx import read_docx
    from scripts.samplegen.content import generate_report
    from scripts.samplegen.docx import write_docx

    path = write_docx(generate_report(77), tmp_path, seed=77, textbox=True)
    content = read_docx(path)
    assert len(content.grids) == 3


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def test_merges_gridspan_vmerge_gridbefore():
    from lxml import etree

    from extractor.grid.docx_grid import layout_table

    def tc(text, span=None, vmerge=None):
        pr = ""
        if span:
            pr += f'<w:gridSpan w:val="{span}"/>'
        if vmerge is not None:
            pr += '<w:vMerge w:val="restart"/>' if vmerge == "restart" else "<w:vMerge/>"
        return f"<w:tc><w:tcPr>{pr}</w:tcPr><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>"

    xml = (f'<w:tbl xmlns:w="{W}">'
           f"<w:tr>{tc('三、本年度办理结果', vmerge='restart')}{tc('（一）予以公开', span=2)}{tc('5')}</w:tr>"
           f"<w:tr>{tc('', vmerge='continue')}{tc('（二）部分公开', span=2)}{tc('3')}</w:tr>"
           f'<w:tr><w:trPr><w:gridBefore w:val="1"/></w:trPr>{tc("1.属于国家秘密")}{tc("x")}{tc("0")}</w:tr>'
           f"<w:tr>{tc('a')}{tc('b')}<w:tc><w:tcPr/><w:p><w:r><w:rPr><w:vanish/></w:rPr><w:t>隐</w:t></w:r>"
           f"<w:r><w:t>7</w:t></w:r><w:r><w:delText>9</w:delText></w:r></w:p></w:tc>{tc('8')}</w:tr>"
           "</w:tbl>")
    cells, n_rows, n_cols = layout_table(etree.fromstring(xml))
    got = {(c.row, c.col): (c.text, c.row_span, c.col_span) for c in cells}
    assert got[(0, 0)] == ("三、本年度办理结果", 2, 1)
    assert got[(0, 1)] == ("（一）予以公开", 1, 2)
    assert got[(1, 3)] == ("3", 1, 1)
    assert got[(2, 1)] == ("1.属于国家秘密", 1, 1)  # gridBefore skips a column
    assert got[(3, 2)] == ("7", 1, 1)  # hidden and deleted text left out
    assert (n_rows, n_cols) == (4, 4)


@pytest.mark.skipif(shutil.which("soffice") is None and shutil.which("libreoffice") is None,
                    reason="LibreOffice (soffice) is not on the PATH: .doc conversion cannot be tested here "
                           "(apt-get install libreoffice-writer)")
def test_doc_converted_by_libreoffice(tmp_path):
    from extractor import extract
    from scripts.samplegen.content import generate_report
    from scripts.samplegen.docx import write_docx

    report = generate_report(640)
    docx_path = write_docx(report, tmp_path / "src", seed=640, textbox=False)
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    subprocess.run([exe, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--convert-to", "doc", "--outdir", str(tmp_path), str(docx_path)], check=True, timeout=180,
                   capture_output=True)
    doc = tmp_path / (docx_path.stem + ".doc")
    result = extract(doc)
    assert result.fatal_error is None, result.errors
    assert mismatches(result, _truth(docx_path)) == []


def test_trailing_empty_row_is_not_read_as_zeros(tmp_path):
    """An empty row left under table 四's numbers (common in Word files) must not become fifteen
    zeros printed blank: the numbers above are read."""
    from extractor import extract
    from scripts.samplegen.content import generate_report
    from scripts.samplegen.docx import write_docx

    import docx as python_docx

    report = generate_report(650, layout="2021")
    path = write_docx(report, tmp_path, seed=650, textbox=False)
    d = python_docx.Document(str(path))
    d.tables[-1].add_row()
    d.tables[-1].add_row()
    d.save(str(path))
    result = extract(path)
    assert mismatches(result, _truth(path)) == []


def test_title_under_a_red_file_head(tmp_path):
    """A red 文件 head in larger type above the two-line title: the agency is the title's, once."""
    import docx as python_docx
    from docx.shared import Pt

    from extractor import extract
    from scripts.samplegen.content import generate_report
    from scripts.samplegen.docx import write_docx

    report = generate_report(660, layout="2021", title_lines=2)
    path = write_docx(report, tmp_path, seed=2, textbox=False)  # seed 2: title in 22pt runs
    d = python_docx.Document(str(path))
    first = d.paragraphs[0]
    head = first.insert_paragraph_before()
    run = head.add_run(report.agency + "文件")
    run.font.size = Pt(36)
    d.save(str(path))
    result = extract(path)
    assert (result.report.agency, result.report.year) == (report.agency, report.year)
    assert mismatches(result, _truth(path)) == []


def test_macro_enabled_and_template_files_read(tmp_path):
    """A .docm (macro-enabled) or .dotx is the same markup: read, never run."""
    import zipfile

    from extractor import extract
    from scripts.samplegen.content import generate_report
    from scripts.samplegen.docx import write_docx

    path = write_docx(generate_report(670), tmp_path, seed=3, textbox=False)
    docm = tmp_path / "report.docm"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(docm, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"wordprocessingml.document.main+xml", b"PLACEHOLDER").replace(
                    b"application/vnd.openxmlformats-officedocument.PLACEHOLDER",
                    b"application/vnd.ms-word.document.macroEnabled.main+xml")
            dst.writestr(info, data)
    result = extract(docm)
    assert result.fatal_error is None, result.errors
    assert mismatches(result, _truth(path)) == []


def test_sliver_grid_columns_are_dropped():
    """A 1-twip ``w:gridCol`` (LibreOffice writes them when it saves a .doc as .docx) must not put a
    header cell over two groups of columns: every cell keeps its place among the real columns."""
    from lxml import etree

    from extractor.grid.docx_grid import W, docx_grid

    def tc(text, span=1):
        grid = f'<w:tcPr><w:gridSpan w:val="{span}"/></w:tcPr>' if span > 1 else ""
        return f"<w:tc>{grid}<w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>"

    xml = (f'<w:tbl xmlns:w="{W}"><w:tblGrid><w:gridCol w:w="2000"/><w:gridCol w:w="2000"/>'
           '<w:gridCol w:w="1"/><w:gridCol w:w="2000"/></w:tblGrid>'
           f"<w:tr>{tc('行政复议', 2)}{tc('行政诉讼', 2)}</w:tr>"  # group titles: the border at the sliver's left
           f"<w:tr>{tc('结果维持')}{tc('总计', 2)}{tc('结果维持')}</w:tr>"  # values' border at its right
           f"<w:tr>{tc('1')}{tc('2', 2)}{tc('3')}</w:tr></w:tbl>")
    grid = docx_grid(etree.fromstring(xml), index=0, top=0.0, path="t")
    got = {(c.row, c.col): (c.text, c.col_span) for c in grid.cells}
    assert got[(0, 0)] == ("行政复议", 2) and got[(0, 2)] == ("行政诉讼", 1)
    assert got[(1, 1)] == ("总计", 1) and got[(1, 2)] == ("结果维持", 1)
    assert got[(2, 1)] == ("2", 1)

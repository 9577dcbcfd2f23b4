"""A generated report as a Word ``.docx`` file (python-docx), with the PDF's truth.

Merged cells are made the way Word makes them (``cell.merge``: ``w:gridSpan`` across,
``w:vMerge`` restart/continue down). Variants drawn from the seed:

* title in one or two paragraphs of large type (run size) or in the ``Title`` style;
* long labels split over two paragraphs in their cell; a vertical group label one character a line;
* ``textbox`` — table 四 placed in a text box, as Word saves one: ``mc:AlternateContent`` with the
  DrawingML box (``wps:txbx``) and the VML fallback copy (``v:textbox``) holding the same table.
"""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path

from .content import Report, truth_dict
from .tables import TableSpec, active_table, application_table, litigation_table

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
WPS = "http://schemas.microsoft.com/office/word/2010/wordprocessingShape"
V = "urn:schemas-microsoft-com:vml"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"


def _fill(cell, text: str, *, vertical: bool, split: bool) -> None:
    if vertical:
        parts = list(text)
    elif split and len(text) > 8:
        parts = [text[: len(text) // 2], text[len(text) // 2 :]]
    else:
        parts = [text]
    cell.paragraphs[0].text = parts[0] if parts else ""
    for p in parts[1:]:
        cell.add_paragraph(p)


def add_table(document, spec: TableSpec, rng: random.Random):
    n_cols = len(spec.col_widths)
    table = document.add_table(rows=spec.n_rows, cols=n_cols)
    table.style = "Table Grid"
    split = rng.random() < 0.6
    for c in spec.cells:
        top_left = table.cell(c.row, c.col)
        if c.rowspan > 1 or c.colspan > 1:
            top_left = top_left.merge(table.cell(c.row + c.rowspan - 1, c.col + c.colspan - 1))
        _fill(top_left, c.text, vertical=c.vertical, split=split and c.key is None)
        if c.shade:
            _shade(top_left, c.shade)
    _set_widths(table, spec)
    return table


def _set_widths(table, spec: TableSpec) -> None:
    """The spec's column widths, as Word saves them: ``w:tblGrid/w:gridCol`` and each cell's
    ``w:tcW`` (a merged cell: the sum of its columns), fixed layout (no autofit)."""
    from docx.shared import Pt

    table.autofit = False
    for col, w in zip(table._tbl.tblGrid.gridCol_lst, spec.col_widths):
        col.w = Pt(w)
    for c in spec.cells:
        table.cell(c.row, c.col).width = Pt(sum(spec.col_widths[c.col : c.col + c.colspan]))


def _shade(cell, rgb: tuple[int, int, int]) -> None:
    """Fill a cell as Word does: ``w:tcPr/w:shd`` with ``w:fill`` RRGGBB."""
    from docx.oxml import parse_xml

    fill = "".join(f"{v:02X}" for v in rgb)
    cell._tc.get_or_add_tcPr().append(parse_xml(f'<w:shd xmlns:w="{W}" w:val="clear" w:color="auto" w:fill="{fill}"/>'))


def _in_textbox(document, table) -> None:
    """Move ``table`` into a text box anchored in a new paragraph (DrawingML + VML fallback)."""
    from docx.oxml import parse_xml

    tbl = table._tbl
    body = tbl.getparent()
    xml = (
        f'<w:p xmlns:w="{W}" xmlns:mc="{MC}" xmlns:wps="{WPS}" xmlns:v="{V}" xmlns:wp="{WP}" xmlns:a="{A}">'
        f"<w:r><mc:AlternateContent><mc:Choice Requires=\"wps\"><w:drawing><wp:anchor distT=\"0\" distB=\"0\" "
        f'distL="0" distR="0" simplePos="0" relativeHeight="1" behindDoc="0" locked="0" layoutInCell="1" '
        f'allowOverlap="1"><wp:simplePos x="0" y="0"/><wp:positionH relativeFrom="column"><wp:posOffset>0'
        f'</wp:posOffset></wp:positionH><wp:positionV relativeFrom="paragraph"><wp:posOffset>0</wp:posOffset>'
        f'</wp:positionV><wp:extent cx="5400000" cy="1200000"/><wp:wrapTopAndBottom/><wp:docPr id="99" '
        f'name="文本框 1"/><a:graphic><a:graphicData uri="{WPS}"><wps:wsp><wps:txbx><w:txbxContent>'
        f"</w:txbxContent></wps:txbx><wps:bodyPr/></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing>"
        f'</mc:Choice><mc:Fallback><w:pict><v:shape style="width:425pt;height:95pt"><v:textbox><w:txbxContent>'
        f"</w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>"
    )
    p = parse_xml(xml)
    tbl.addprevious(p)
    boxes = p.findall(f".//{{{W}}}txbxContent")
    body.remove(tbl)
    for i, box in enumerate(boxes):
        box.append(tbl if i == 0 else copy.deepcopy(tbl))
        box.append(parse_xml(f'<w:p xmlns:w="{W}"/>'))


def write_docx(report: Report, outdir: Path, *, seed: int = 0, name: str | None = None,
               textbox: bool | None = None) -> Path:
    """``NAME.docx`` + ``NAME.truth.json`` (the PDF's fields)."""
    import docx
    from docx.shared import Pt

    rng = random.Random(seed)
    textbox = rng.random() < 0.3 if textbox is None else textbox
    document = docx.Document()
    if rng.random() < 0.5:
        for line in report.title_lines:
            run = document.add_paragraph().add_run(line)
            run.font.size = Pt(22)
            run.bold = True
    else:
        document.add_paragraph("".join(report.title_lines), style="Title")
    for p in report.intro:
        document.add_paragraph(p)
    width = 432.0  # python-docx's default page: Letter, 1.25 in margins
    specs = dict(zip(("二", "三", "四"), (active_table(report, width), application_table(report, width),
                                       litigation_table(report, width)), strict=True))
    for sec, (heading, paras) in report.sections.items():
        document.add_paragraph(heading).runs[0].bold = True
        for p in paras:
            document.add_paragraph(p)
        if sec in specs:
            table = add_table(document, specs[sec], rng)
            if textbox and sec == "四":
                _in_textbox(document, table)
    for line in report.closing:
        document.add_paragraph(line)
    name = name or f"{report.name}-word{'-textbox' if textbox else ''}"
    outdir.mkdir(parents=True, exist_ok=True)
    out = outdir / f"{name}.docx"
    document.save(str(out))
    truth = truth_dict(report)
    meta = dict(truth["meta"], source=out.name, docx_textbox=textbox)
    meta.pop("tables", None)
    meta.pop("pages", None)
    (outdir / f"{name}.truth.json").write_text(
        json.dumps({"fields": truth["fields"], "meta": meta}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return out

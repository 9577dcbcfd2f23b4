"""Table 三's structure from the registry (``extractor.ocr.registry_bands``,
``extractor.ocr.band_check``): small read tables without OCR, and a generated page with a rule painted out. A row the rules lost is cut at its labels and read for review; a
doubled rule cannot make an extra column; a header word is never a value."""

from __future__ import annotations

import pytest

from extractor.grid.image_grid import ImageTable
from extractor.mapping.tables import map_tables
from extractor.ocr.band_check import check_columns, empty_header_words, mend
from extractor.ocr.registry_bands import DOUBT, Line, find_bands, header_word, split_label
from models.extraction import BBox, FieldStatus, Source
from models.page import Cell, Grid

DPI = 200.0
F = 72.0 / DPI


def _cell(row, col, box, text, rows=1, cols=1):
    return Cell(row=row, col=col, page=1, row_span=rows, col_span=cols, text=text, source=Source.OCR, confidence=0.99,
                bbox=BBox(x0=box[0] * F, top=box[1] * F, x1=box[2] * F, bottom=box[3] * F),
                bbox_px=BBox(x0=box[0], top=box[1], x1=box[2], bottom=box[3]), dpi=DPI)


def _table(spec, rows, cols):
    """``spec``: (row, col, row_span, col_span, text); ``rows``/``cols``: line positions (px)."""
    cells, boxes = [], []
    for r, c, rs, cs, text in spec:
        box = (cols[c], rows[r], cols[c + cs], rows[r + rs])
        cells.append(_cell(r, c, box, text, rs, cs))
        boxes.append(box)
    grid = Grid(cells=cells, n_rows=len(rows) - 1, n_cols=len(cols) - 1, pages=[1], col_edges=[x * F for x in cols])
    return ImageTable(grid=grid, boxes=boxes, rows=list(rows), cols=list(cols))


def test_header_words_are_the_registrys_titles_and_labels_never_numbers():
    assert header_word("总计") and header_word("自然人") and header_word("法人或其他组织") and header_word("商业企业")
    assert header_word("1.属于国家秘密")
    assert not header_word("12") and not header_word("0") and not header_word("")


def test_a_label_cell_splits_only_where_each_part_is_a_registry_label():
    two = [Line(0, 0, 200, 16, "1.属于国家秘密"), Line(0, 30, 280, 46, "2.其他法律行政法规禁止公开")]
    assert [len(p) for p in split_label(two)] == [1, 1]
    wrapped = [Line(0, 0, 280, 16, "（二）部分公开（区分处理的，只计"), Line(0, 20, 200, 36, "这一情形，不计其他情形）")]
    assert len(split_label(wrapped)) == 1


def _lost_row_table():
    # header: 申请人情况 | 自然人 | 总计; row 1 its own; rows 2 and 3 lost the rule between them
    # (labels and values): one label cell with two registry labels, value cells over both
    spec = [(0, 0, 1, 1, "申请人情况"), (0, 1, 1, 1, "自然人"), (0, 2, 1, 1, "科研机构"), (0, 3, 1, 1, "总计"),
            (1, 0, 1, 1, "一、本年新收政府信息公开申请数量"), (1, 1, 1, 1, "5"), (1, 2, 1, 1, "0"), (1, 3, 1, 1, "5"),
            (2, 0, 1, 1, "二、上年结转政府信息公开申请数量（一）予以公开"), (2, 1, 1, 1, "34"), (2, 2, 1, 1, ""),
            (2, 3, 1, 1, "34"),
            (3, 0, 1, 1, "1.属于国家秘密"), (3, 1, 1, 1, "0"), (3, 2, 1, 1, "0"), (3, 3, 1, 1, "0")]
    table = _table(spec, [0, 40, 80, 160, 200], [0, 300, 360, 420, 480])
    label = table.grid.cells[8]
    lines = {id(label): [Line(5, 84, 290, 100, "二、上年结转政府信息公开申请数量"), Line(5, 124, 150, 140, "（一）予以公开")]}
    return table, lines


def test_a_row_the_rules_lost_is_cut_at_its_labels_and_read_again_with_doubt():
    table, lines = _lost_row_table()
    bands, fresh = mend(table, lines)
    assert [b.key for b in bands.rows] == ["received", "carried_over", "granted", "denied.state_secret"]
    grid = table.grid
    assert grid.n_rows == 5 and table.rows[2:4] == [80, 112.0]
    labels = [(c.row, c.text) for c in grid.cells if c.col == 0]
    assert labels[2:4] == [(2, "二、上年结转政府信息公开申请数量"), (3, "（一）予以公开")]
    assert sorted((c.row, c.col) for c in fresh) == [(2, 1), (2, 2), (2, 3), (3, 1), (3, 2), (3, 3)]
    assert all(c.structure == DOUBT for c in fresh)
    boxes = {(c.row, c.col): b for c, b in zip(grid.cells, table.boxes)}
    assert boxes[(3, 1)] == (300, 112.0, 360, 160)  # read from the row band, not the merged cell
    # read (here: by hand), the rows map to their keys, each for review, never ok
    for c, text in zip(sorted(fresh, key=lambda c: (c.row, c.col)), ["3", "", "3", "4", "", "4"]):
        c.text, c.confidence = text, 0.99
    fields = map_tables([grid]).fields
    for key, value in (("carried_over.natural_person", 3), ("granted.total", 4)):
        assert fields[f"applications.{key}"].value == value
        assert fields[f"applications.{key}"].evidence["structure"] == DOUBT
    assert fields["applications.received.natural_person"].evidence["structure"] == 1.0


def test_a_doubled_rule_does_not_make_an_extra_column():
    # a second line 4 px right of the rule between 自然人 and 总计 in the value rows: a sliver column
    cols = [0, 300, 360, 364, 420, 480]
    spec = [(0, 0, 1, 1, "申请人情况"), (0, 1, 1, 2, "自然人"), (0, 3, 1, 1, "科研机构"), (0, 4, 1, 1, "总计"),
            (1, 0, 1, 1, "一、本年新收政府信息公开申请数量"), (1, 1, 1, 1, "7"), (1, 2, 1, 1, ""), (1, 3, 1, 1, "2"),
            (1, 4, 1, 1, "9"),
            (2, 0, 1, 1, "二、上年结转政府信息公开申请数量"), (2, 1, 1, 1, "2"), (2, 2, 1, 1, ""), (2, 3, 1, 1, "0"),
            (2, 4, 1, 1, "2"),
            (3, 0, 1, 1, "1.属于国家秘密"), (3, 1, 1, 1, "1"), (3, 2, 1, 1, ""), (3, 3, 1, 1, "0"), (3, 4, 1, 1, "1")]
    table = _table(spec, [0, 40, 80, 120, 160], cols)
    bands = find_bands(table, {})
    assert [c.key for c in bands.columns] == ["natural_person", "research_institution", "total"]
    assert check_columns(table, bands, {}) == 3
    row1 = [(c.col, c.col_span, c.text, c.structure) for c in table.grid.row_cells(1) if c.row == 1]
    assert row1 == [(0, 1, "一、本年新收政府信息公开申请数量", 1.0), (1, 2, "7", DOUBT), (3, 1, "2", 1.0), (4, 1, "9", 1.0)]
    fields = map_tables([table.grid]).fields
    assert fields["applications.received.natural_person"].value == 7
    assert fields["applications.received.research_institution"].value == 2  # the column after it is not shifted
    assert fields["applications.received.total"].value == 9
    assert fields["applications.received.natural_person"].evidence["structure"] == DOUBT


def _stray_line_table(lower_total: str):
    # a stray stroke (a fax's streak) taken for a rule at y 65 in the 总计 column only, inside
    # row 一's label band (40..80): the grid cut 一's total in two, every other cell spans both
    spec = [(0, 0, 1, 1, "申请人情况"), (0, 1, 1, 1, "自然人"), (0, 2, 1, 1, "科研机构"), (0, 3, 1, 1, "总计"),
            (1, 0, 2, 1, "一、本年新收政府信息公开申请数量"), (1, 1, 2, 1, "7"), (1, 2, 2, 1, "2"), (1, 3, 1, 1, "9"),
            (2, 3, 1, 1, lower_total),
            (3, 0, 1, 1, "二、上年结转政府信息公开申请数量"), (3, 1, 1, 1, "2"), (3, 2, 1, 1, "0"), (3, 3, 1, 1, "2"),
            (4, 0, 1, 1, "1.属于国家秘密"), (4, 1, 1, 1, "1"), (4, 2, 1, 1, "0"), (4, 3, 1, 1, "1")]
    return _table(spec, [0, 40, 65, 80, 120, 160], [0, 300, 360, 420, 480])


def test_a_stray_line_no_label_boundary_supports_splits_no_row():
    table = _stray_line_table("")
    bands, fresh = mend(table, {})
    assert fresh == []  # the lower part was blank: the total's own reading stands
    grid = table.grid
    assert grid.n_rows == 4 and table.rows == [0, 40, 80, 120, 160]
    row1 = [(c.col, c.row_span, c.text, c.structure) for c in grid.cells if c.row == 1]
    assert row1 == [(0, 1, "一、本年新收政府信息公开申请数量", 1.0), (1, 1, "7", 1.0), (2, 1, "2", 1.0), (3, 1, "9", 1.0)]
    assert table.boxes[[c.row == 1 and c.col == 3 for c in grid.cells].index(True)] == (420, 40, 480, 80)
    fields = map_tables([grid]).fields
    for key, value in (("natural_person", 7), ("research_institution", 2), ("total", 9)):
        f = fields[f"applications.received.{key}"]
        assert f.value == value and f.evidence["structure"] == 1.0
    assert fields["applications.carried_over.total"].value == 2


def test_a_stray_line_through_a_number_joins_it_for_a_doubtful_reading():
    table = _stray_line_table("1")  # the line ran through the ink: each part held a piece of it
    bands, fresh = mend(table, {})
    assert [(c.row, c.col, c.row_span, c.text, c.structure) for c in fresh] == [(1, 3, 1, "", DOUBT)]
    assert table.grid.n_rows == 4



def test_a_stray_line_between_a_labels_lines_is_joined_with_doubt():
    """The label beside the line wraps over two lines and the line stands in their gap: two
    labels the reading did not tell apart may meet there, so the joined cell is doubted."""
    table = _stray_line_table("")
    label = table.grid.cells[4]
    lines = {id(label): [Line(5, 44, 290, 60, "一、本年新收政府信息"), Line(5, 68, 200, 78, "公开申请数量")]}
    mend(table, lines)
    total = next(c for c in table.grid.cells if c.row == 1 and c.col == 3)
    assert total.text == "9" and total.structure == DOUBT
    assert map_tables([table.grid]).fields["applications.received.total"].evidence["structure"] == DOUBT

def test_a_rule_at_the_gap_between_two_labels_of_one_cell_is_kept():
    # the label column lost its rule between 二 and （一）; the value columns kept it, off the
    # middle of the labels' gap: it is a row line, not a stray one
    spec = [(0, 0, 1, 1, "申请人情况"), (0, 1, 1, 1, "自然人"), (0, 2, 1, 1, "科研机构"), (0, 3, 1, 1, "总计"),
            (1, 0, 1, 1, "一、本年新收政府信息公开申请数量"), (1, 1, 1, 1, "5"), (1, 2, 1, 1, "0"), (1, 3, 1, 1, "5"),
            (2, 0, 2, 1, "二、上年结转政府信息公开申请数量（一）予以公开"), (2, 1, 1, 1, "3"), (2, 2, 1, 1, "0"),
            (2, 3, 1, 1, "3"), (3, 1, 1, 1, "4"), (3, 2, 1, 1, "0"), (3, 3, 1, 1, "4"),
            (4, 0, 1, 1, "1.属于国家秘密"), (4, 1, 1, 1, "0"), (4, 2, 1, 1, "0"), (4, 3, 1, 1, "0")]
    table = _table(spec, [0, 40, 80, 102, 160, 200], [0, 300, 360, 420, 480])
    label = table.grid.cells[8]
    lines = {id(label): [Line(5, 84, 290, 100, "二、上年结转政府信息公开申请数量"), Line(5, 124, 150, 140, "（一）予以公开")]}
    mend(table, lines)
    assert table.grid.n_rows == 5 and 102 in table.rows
    fields = map_tables([table.grid]).fields
    assert fields["applications.carried_over.natural_person"].value == 3
    assert fields["applications.granted.natural_person"].value == 4


def test_a_header_word_read_in_a_value_cell_is_never_a_value():
    spec = [(0, 0, 1, 1, "申请人情况"), (0, 1, 1, 1, "自然人"), (0, 2, 1, 1, "科研机构"), (0, 3, 1, 1, "总计"),
            (1, 0, 1, 1, "一、本年新收政府信息公开申请数量"), (1, 1, 1, 1, "自然人"), (1, 2, 1, 1, "0"), (1, 3, 1, 1, "5"),
            (2, 0, 1, 1, "二、上年结转政府信息公开申请数量"), (2, 1, 1, 1, "1"), (2, 2, 1, 1, "0"), (2, 3, 1, 1, "总计"),
            (3, 0, 1, 1, "1.属于国家秘密"), (3, 1, 1, 1, "0"), (3, 2, 1, 1, "0"), (3, 3, 1, 1, "0")]
    table = _table(spec, [0, 40, 80, 120, 160], [0, 300, 360, 420, 480])
    bands = find_bands(table, {})
    assert empty_header_words(table, bands) == 2
    fields = map_tables([table.grid]).fields
    for key in ("received.natural_person", "carried_over.total"):
        f = fields[f"applications.{key}"]
        assert f.status == FieldStatus.REVIEW and f.raw == "" and f.evidence["structure"] == DOUBT
    assert fields["applications.received.total"].value == 5
    # the header keeps its words
    assert [c.text for c in table.grid.cells if c.row == 0] == ["申请人情况", "自然人", "科研机构", "总计"]


@pytest.mark.parametrize("rule,n_recovered", [(3, 14), (4, 14), (0, 7)],
                         ids=["leaf-labels", "under-a-label-over-two-columns", "under-the-header"])
def test_a_rule_lost_across_the_whole_table_keeps_both_rows_for_review(tmp_path, rule, n_recovered):
    """A generated report's table 三 page at 200 dpi with one row rule painted out across the
    whole table (labels too, so the label side cannot cut the values): the two rows beside it
    come back, read where their label bands meet the columns, every field for review; without
    the registry's bands both rows were one row of merged cells (values lost or misread)."""
    import json
    import sys

    import numpy as np
    import pypdfium2 as pdfium
    from PIL import ImageDraw

    from conftest import ROOT
    from extractor import Extractor
    from helpers_compare import as_plain

    sys.path.insert(0, str(ROOT))
    from scripts.samplegen.build import write_report
    from scripts.samplegen.content import generate_report
    from scripts.samplegen.rule_kinds import rule_positions

    report = generate_report(706)
    report.name = "lost-row"
    rendered = write_report(report, tmp_path)
    part = next(t for t in rendered.tables if t["table"] == "三")  # the part with the header
    scale = 200 / 72
    img = pdfium.PdfDocument(str(rendered.path))[part["page"] - 1].render(scale=scale).to_pil().convert("RGB")
    box = [v * scale for v in part["bbox"]]
    ys = rule_positions(np.asarray(img.convert("L")), box, True)
    # 3: between two rows whose labels stand in one label column; 4: under （二）部分公开, whose
    # label spans two columns, above 1.属于国家秘密 beside its group （三）不予公开 (the grid then
    # holds one label cell over both rows and the group); 0: under the header, the first row's
    # values read with the titles (自然人8349) and its label with the header's note
    y = ys[rule]
    ImageDraw.Draw(img).rectangle((box[0] + 4, y - 3, box[2] - 4, y + 3), fill=(255, 255, 255))
    png = tmp_path / "lost-row.png"
    img.save(png, dpi=(200, 200))
    truth = json.loads((tmp_path / "lost-row.truth.json").read_text(encoding="utf-8"))["fields"]
    result = Extractor().extract(png)
    found = {k: f for k, f in result.fields.items() if k.startswith("applications.") and f.value is not None}
    assert found
    wrong_ok = [k for k, f in found.items() if as_plain(f.value) != truth[k] and f.status != FieldStatus.REVIEW]
    assert wrong_ok == []
    recovered = [k for k, f in found.items() if f.evidence.get("structure") == DOUBT]
    assert len(recovered) >= n_recovered, sorted(found)  # the rows beside the rule, for a person to confirm
    assert all(found[k].status == FieldStatus.REVIEW and as_plain(found[k].value) == truth[k] for k in recovered)


def test_a_number_standing_outside_its_titles_band_is_doubtful():
    # row 1's rule between 自然人 and 科研机构 stands 30 px too far right (a stray stroke taken for
    # it): the cell mostly under 自然人 holds a number that stands under 科研机构
    cols = [0, 300, 360, 390, 420, 480]
    spec = [(0, 0, 1, 1, "申请人情况"), (0, 1, 1, 1, "自然人"), (0, 2, 1, 2, "科研机构"), (0, 4, 1, 1, "总计"),
            (1, 0, 1, 1, "一、本年新收政府信息公开申请数量"), (1, 1, 1, 2, "6"), (1, 3, 1, 1, ""), (1, 4, 1, 1, "6"),
            (2, 0, 1, 1, "二、上年结转政府信息公开申请数量"), (2, 1, 1, 1, "1"), (2, 2, 1, 2, "0"), (2, 4, 1, 1, "1"),
            (3, 0, 1, 1, "1.属于国家秘密"), (3, 1, 1, 1, "0"), (3, 2, 1, 2, "0"), (3, 4, 1, 1, "0")]
    table = _table(spec, [0, 40, 80, 120, 160], cols)
    cell = table.grid.cells[5]
    lines = {id(cell): [Line(370, 50, 378, 70, "6")]}
    bands = find_bands(table, lines)
    check_columns(table, bands, lines)
    assert cell.structure == DOUBT
    assert [c.structure for c in table.grid.cells if c.row == 2] == [1.0] * 4


def _wrapped_table(third_label: str):
    # a narrow column (two digits a line): 6533 wraps as 65 over 33 beside 一、本年新收…
    spec = [(0, 0, 1, 1, "申请人情况"), (0, 1, 1, 1, "自然人"), (0, 2, 1, 1, "科研机构"), (0, 3, 1, 1, "总计"),
            (1, 0, 1, 1, "一、本年新收政府信息公开申请数量"), (1, 1, 1, 1, "6533"), (1, 2, 1, 1, "0"),
            (1, 3, 1, 1, "6533"),
            (2, 0, 1, 1, "二、上年结转政府信息公开申请数量"), (2, 1, 1, 1, "12"), (2, 2, 1, 1, "0"), (2, 3, 1, 1, "12"),
            (3, 0, 1, 1, third_label), (3, 1, 1, 1, "0"), (3, 2, 1, 1, "0"), (3, 3, 1, 1, "0")]
    table = _table(spec, [0, 40, 80, 120, 160], [0, 300, 360, 420, 480])
    cell = table.grid.cells[5]
    lines = {id(cell): [Line(320, 42, 340, 56, "65"), Line(320, 62, 340, 76, "33")],
             id(table.grid.cells[9]): [Line(320, 82, 340, 96, "12")]}
    return table, cell, lines


def test_a_number_wrapped_in_a_narrow_column_is_one_number_not_two_rows():
    """LibreOffice wraps a number by its digits in a narrow column (soffice seed 1802: 39 fields
    in review, every one right). Full upper lines, one well-matched row with its registry
    neighbours beside it: one number."""
    table, cell, lines = _wrapped_table("（一）予以公开")
    mend(table, lines)
    assert cell.structure == 1.0


def test_wrapped_looking_numbers_beside_a_row_whose_neighbour_is_missing_are_doubtful():
    # the row after 二 is 1.属于国家秘密: the rows between are not where they should be, so the
    # cell beside 一 may hold a second row's value
    table, cell, lines = _wrapped_table("1.属于国家秘密")
    lines[id(cell)] = [Line(320, 42, 340, 56, "65"), Line(320, 62, 340, 76, "3")]
    mend(table, lines)
    assert cell.structure == 1.0  # 一 and 二 are neighbours: still one number (65 / 3, last line shorter)
    table, cell, lines = _wrapped_table("1.属于国家秘密")
    row2 = table.grid.cells[9]
    lines[id(row2)] = [Line(320, 82, 340, 96, "12"), Line(320, 102, 340, 116, "40")]
    mend(table, lines)
    assert row2.structure == DOUBT  # beside 二, whose next band skips (一)…(二)


def test_a_speck_read_as_a_dash_in_the_headers_blank_label_cell_ends_no_header():
    """table 三's header broken by a page: the next page starts with the rest of the titles over a
    blank label cell, where a speck was read as a dash (faded+stamp_numbers+header_break seed
    7238). Taken for the first number, it put the header's end above every title; the titles
    were then emptied as header words read as values and 115 fields were lost."""
    spec = [(0, 0, 1, 1, "—"), (0, 1, 1, 1, "商业企业"), (0, 2, 1, 1, "科研机构"), (0, 3, 1, 1, "总计"),
            (1, 0, 1, 1, "一、本年新收政府信息公开申请数量"), (1, 1, 1, 1, "2"), (1, 2, 1, 1, "0"), (1, 3, 1, 1, "3"),
            (2, 0, 1, 1, "二、上年结转政府信息公开申请数量"), (2, 1, 1, 1, "0"), (2, 2, 1, 1, "0"), (2, 3, 1, 1, "2"),
            (3, 0, 1, 1, "（一）予以公开"), (3, 1, 1, 1, "0"), (3, 2, 1, 1, "0"), (3, 3, 1, 1, "0")]
    table = _table(spec, [0, 60, 100, 140, 180], [0, 300, 360, 420, 480])
    mend(table, {})
    assert [c.text for c in table.grid.cells if c.row == 0][1:] == ["商业企业", "科研机构", "总计"]


def test_two_numbers_stacked_in_one_value_cell_are_doubtful():
    spec = [(0, 0, 1, 1, "申请人情况"), (0, 1, 1, 1, "自然人"), (0, 2, 1, 1, "科研机构"), (0, 3, 1, 1, "总计"),
            (1, 0, 1, 1, "一、本年新收政府信息公开申请数量"), (1, 1, 1, 1, "195"), (1, 2, 1, 1, "0"), (1, 3, 1, 1, "5"),
            (2, 0, 1, 1, "二、上年结转政府信息公开申请数量"), (2, 1, 1, 1, "1"), (2, 2, 1, 1, "0"), (2, 3, 1, 1, "1"),
            (3, 0, 1, 1, "1.属于国家秘密"), (3, 1, 1, 1, "0"), (3, 2, 1, 1, "0"), (3, 3, 1, 1, "0")]
    table = _table(spec, [0, 40, 80, 120, 160], [0, 300, 360, 420, 480])
    cell = table.grid.cells[5]
    lines = {id(cell): [Line(320, 42, 330, 56, "1"), Line(315, 62, 335, 76, "95")]}
    mend(table, lines)
    assert cell.structure == DOUBT
    assert [c.structure for c in table.grid.cells if c.row == 2] == [1.0] * 4


def test_a_label_run_on_into_its_first_value_is_cut_where_the_values_start():
    """missing_rule seed 9102 (and the generator's missing_label_rule): the rule between
    四、结转下年度继续办理 and its first number lost, the grid made one cell of both, the row's
    numbers one column short. Cut at the line where the other rows' numbers start; both parts
    doubted and handed back to be read from their own crops. A part of two rows after a page
    break (no titles, too few labels for bands) is cut the same way."""
    from extractor.grid.image_grid import ImageTable
    from extractor.ocr.label_runs import cut_label_runs
    from models.extraction import BBox
    from models.page import Cell, Grid

    cols = [0, 50, 300, 400, 500, 600]
    rows = [0, 40, 80]

    def cell(r, c, text, span=1):
        return Cell(row=r, col=c, col_span=span, page=1, text=text,
                    bbox=BBox(x0=cols[c], top=rows[r], x1=cols[c + span], bottom=rows[r + 1]))

    cells = [cell(0, 0, ""), cell(0, 1, "(七)总计"), cell(0, 2, "12"), cell(0, 3, "3"), cell(0, 4, "15"),
             cell(1, 0, "四、结转下年度继续办理1", span=3), cell(1, 3, "2"), cell(1, 4, "4")]
    table = ImageTable(grid=Grid(cells=cells, n_rows=2, n_cols=5), boxes=[
        (c.bbox.x0, c.bbox.top, c.bbox.x1, c.bbox.bottom) for c in cells], rows=rows, cols=cols)
    bands, fresh = mend(table, {})
    assert bands is None and fresh == []  # too short a part for bands …
    fresh = cut_label_runs(table, None)  # … its label is cut all the same
    assert len(fresh) == 2
    row = sorted((c for c in table.grid.cells if c.row == 1), key=lambda c: c.col)
    assert [(c.col, c.col_span) for c in row] == [(0, 2), (2, 1), (3, 1), (4, 1)]
    assert all(c.structure <= DOUBT for c in fresh) and all(c.confidence == 0 for c in fresh)
    at = {id(c): b for c, b in zip(table.grid.cells, table.boxes)}
    assert len(table.boxes) == len(table.grid.cells) and at[id(row[1])] == (300, 40, 400, 80)  # its own crop
    assert [c.structure for c in table.grid.cells if c.row == 0] == [1.0] * 5
    # a label that stays left of the line, or a row without numbers (a header), is left alone
    assert cut_label_runs(table, None) == []
    header = ImageTable(grid=Grid(cells=[cell(0, 0, "申请人情况", span=5), cell(1, 0, "自然人", span=3),
                                         cell(1, 3, "总计"), cell(1, 4, "其他")], n_rows=2, n_cols=5),
                        boxes=[(0, 0, 1, 1)] * 4, rows=rows, cols=cols)
    assert cut_label_runs(header, None) == []

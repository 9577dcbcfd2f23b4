"""Row bands from the label side (``extractor.ocr.row_bands``): a row rule missing across the
number columns cannot unite two rows of values; small inputs, no OCR."""

from __future__ import annotations

import numpy as np

from extractor.grid.image_grid import ImageTable
from extractor.ocr.row_bands import DOUBT, split_by_labels
from models.extraction import BBox
from models.page import Cell, Grid

DPI = 200.0
ROWS = [0.0, 40.0, 80.0, 120.0]  # y of the row lines, px
COLS = [0.0, 200.0, 260.0, 320.0]  # label | value | value


def _cell(row, col, rows=1, cols=1):
    box = (COLS[col], ROWS[row], COLS[col + cols], ROWS[row + rows])
    f = 72.0 / DPI
    return Cell(row=row, col=col, page=1, row_span=rows, col_span=cols,
                bbox=BBox(x0=box[0] * f, top=box[1] * f, x1=box[2] * f, bottom=box[3] * f),
                bbox_px=BBox(x0=box[0], top=box[1], x1=box[2], bottom=box[3])), box


def _table(cells_and_boxes):
    cells = [c for c, _ in cells_and_boxes]
    return ImageTable(grid=Grid(cells=cells, n_rows=3, n_cols=3, pages=[1]), boxes=[b for _, b in cells_and_boxes],
                      rows=list(ROWS), cols=list(COLS))


def _digit(ink, x, y0, y1):
    ink[y0:y1, x : x + 8] = 255


def test_a_value_cell_over_two_labelled_rows_is_cut_at_the_labels_line_and_reviewed():
    # three labelled rows; the rule between rows 1 and 2 is missing across column 1 (not 2)
    parts = [_cell(0, 0), _cell(1, 0), _cell(2, 0), _cell(0, 1), _cell(1, 1, rows=2), _cell(0, 2), _cell(1, 2), _cell(2, 2)]
    table = _table(parts)
    ink = np.zeros((130, 330), np.uint8)
    _digit(ink, 225, 50, 70)  # row 1's number
    _digit(ink, 225, 90, 110)  # row 2's number, clear of the line at y=80
    assert split_by_labels(table, ink, DPI) == 1
    col1 = sorted((c.row, c.row_span, c.structure) for c in table.grid.cells if c.col == 1)
    assert col1 == [(0, 1, 1.0), (1, 1, DOUBT), (2, 1, DOUBT)]
    i = next(k for k, c in enumerate(table.grid.cells) if c.col == 1 and c.row == 2)
    assert table.boxes[i] == (200.0, 80.0, 260.0, 120.0)  # crops from the row band, not the merged cell
    cut = table.grid.cells[i]
    assert abs(cut.bbox.top - 80 * 72 / DPI) < 1e-6 and cut.bbox_px.top == 80.0


def test_ink_across_the_line_is_one_text_and_stays_whole():
    parts = [_cell(0, 0), _cell(1, 0), _cell(2, 0), _cell(1, 1, rows=2)]
    table = _table(parts)
    ink = np.zeros((130, 330), np.uint8)
    _digit(ink, 225, 60, 100)  # one tall glyph standing across y=80
    assert split_by_labels(table, ink, DPI) == 0
    assert [(c.row, c.row_span) for c in table.grid.cells if c.col == 1] == [(1, 2)]


def test_a_piece_of_the_rule_left_on_the_line_does_not_stop_the_cut():
    parts = [_cell(0, 0), _cell(1, 0), _cell(2, 0), _cell(1, 1, rows=2)]
    table = _table(parts)
    ink = np.zeros((130, 330), np.uint8)
    ink[79:82, 200:230] = 255  # a thin run along the line: what the scan kept of the rule
    _digit(ink, 235, 50, 70)
    _digit(ink, 235, 90, 110)
    assert split_by_labels(table, ink, DPI) == 1


def test_a_title_spanning_header_rows_beside_a_merged_header_is_left_alone():
    # the label header spans rows 0-1 (it starts above the line): no label starts at row 1
    parts = [_cell(0, 0, rows=2), _cell(2, 0), _cell(0, 1, rows=2), _cell(0, 2), _cell(1, 2), _cell(2, 1), _cell(2, 2)]
    table = _table(parts)
    ink = np.zeros((130, 330), np.uint8)
    _digit(ink, 225, 10, 30)
    _digit(ink, 225, 50, 70)
    assert split_by_labels(table, ink, DPI) == 0


def test_a_header_title_beside_a_sub_title_row_is_not_cut():
    # 总计 spans two header rows; left of it the second header row (商业企业 …) starts at the
    # value columns, beside a merged note: that line is no label's
    parts = [_cell(0, 0, rows=2), _cell(2, 0), _cell(0, 1), _cell(1, 1), _cell(2, 1), _cell(0, 2, rows=2), _cell(2, 2)]
    table = _table(parts)
    ink = np.zeros((130, 330), np.uint8)
    _digit(ink, 285, 10, 30)
    _digit(ink, 285, 50, 70)
    assert split_by_labels(table, ink, DPI) == 0

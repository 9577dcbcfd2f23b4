"""Table structure from where the ink stands (issue 13), on small drawn tables: a rule missing
between two number columns must not merge their values; a title spanning columns stays whole."""

from __future__ import annotations

import cv2
import numpy as np

from extractor.grid.image_grid import find_grids, find_lines
from extractor.ocr.structure import DOUBT, split_by_ink

DPI = 200
COLS = [100, 300, 380, 460, 540, 620]
ROWS = [100, 160] + list(range(210, 661, 50))


def _page(missing_row: int | None = None, left: str = "3", right: str = "0", stub: int = 0,
          stub_width: int = 2, fleck: tuple[int, int] | None = None, bulge: int = 0) -> np.ndarray:
    img = np.full((760, 720), 255, np.uint8)
    for y in ROWS:
        cv2.line(img, (COLS[0], y), (COLS[-1], y), 0, 2)
    for x in COLS:
        for r in range(len(ROWS) - 1):
            if r == 0 and x not in (COLS[0], COLS[1], COLS[-1]):
                continue  # the header row: one title over the number columns
            if missing_row == r and x == COLS[3]:
                if stub:  # the lost piece begins a little below the row's top rule
                    cv2.rectangle(img, (x - stub_width // 2, ROWS[r]),
                                  (x - stub_width // 2 + stub_width - 1, ROWS[r] + stub), 0, -1)
                if bulge:  # the blurred rule a pixel wider over a few rows of the stub
                    x_left = x - stub_width // 2
                    cv2.rectangle(img, (x_left - 1, ROWS[r] + 4), (x_left + stub_width - 1, ROWS[r] + 4 + bulge), 0, -1)
                if fleck:  # a fleck of the broken rule further down: (its top below the row's top, its height)
                    cv2.rectangle(img, (x - 2, ROWS[r] + fleck[0]), (x + 2, ROWS[r] + fleck[0] + fleck[1] - 1), 0, -1)
                continue  # the rule between the 2nd and 3rd number column lost in this row
            cv2.line(img, (x, ROWS[r]), (x, ROWS[r + 1]), 0, 2)
    cv2.putText(img, "TITLE", (400, 140), cv2.FONT_HERSHEY_SIMPLEX, 0.7, 0, 2)
    for r in range(1, len(ROWS) - 1):
        for c in range(1, len(COLS) - 1):
            text = left if c == 2 else right if c == 3 else str(r)
            cv2.putText(img, text, (COLS[c] + 30, ROWS[r] + 35), cv2.FONT_HERSHEY_SIMPLEX, 0.8, 0, 2)
    return img


def _table(img):
    lines = find_lines(img, DPI)
    tables = find_grids(lines, DPI, 1)
    assert len(tables) == 1
    return tables[0], lines.text_ink()


def test_missing_rule_between_numbers_is_cut_where_they_stand():
    table, ink = _table(_page(missing_row=3))
    merged = [c for c in table.grid.cells if c.row == 3 and c.col_span > 1]
    assert merged, "the drawn grid should merge the two cells of row 3"
    assert split_by_ink(table, ink, DPI) == 1
    row = sorted((c for c in table.grid.cells if c.row == 3), key=lambda c: c.col)
    assert [c.col_span for c in row] == [1] * len(row)
    cut = [c for c in row if c.structure <= DOUBT]
    assert len(cut) == 2  # both parts reviewed: their column was inferred, not seen
    assert len(table.boxes) == len(table.grid.cells)


def test_missing_rule_over_a_blank_cell_is_cut_too():
    table, ink = _table(_page(missing_row=3, right=" "))
    assert split_by_ink(table, ink, DPI) == 1


def test_stub_of_the_lost_rule_is_no_text_across_the_line():
    # missing_rule seed 1302: the rule's piece left at the cell's top stood on the column line,
    # so 1 and 1 were taken for one text spanning it and read as 11
    table, ink = _table(_page(missing_row=3, left="1", right="1", stub=10))
    assert split_by_ink(table, ink, DPI) == 1
    row = sorted((c for c in table.grid.cells if c.row == 3), key=lambda c: c.col)
    assert [c.col_span for c in row] == [1] * len(row)


def test_long_stub_from_the_row_top_is_no_text_either():
    # missing_rule seed 985 (300 dpi): the rule's piece ran from the row's top 40 % down
    table, ink = _table(_page(missing_row=3, left="0", right="1", stub=22))
    assert split_by_ink(table, ink, DPI) == 1


def test_stub_as_wide_as_a_blurred_rule_is_no_text_either():
    # missing_rule seeds 986 and 1401 (200 dpi): the stub was 5 px wide, over 0.02 in
    table, ink = _table(_page(missing_row=3, left="0", right="1", stub=12, stub_width=5))
    assert split_by_ink(table, ink, DPI) == 1


def test_stub_wider_over_a_few_rows_is_no_text_either():
    # missing_rule seed 909: a 5 px stub 6 px wide over three of its rows
    table, ink = _table(_page(missing_row=3, left="0", right="1", stub=22, stub_width=5, bulge=3))
    assert split_by_ink(table, ink, DPI) == 1


def test_fleck_of_the_rule_below_its_stub_is_no_text_either():
    # missing_rule seed 995: the broken rule's end, a 5 x 3 px fleck a little below its stub
    table, ink = _table(_page(missing_row=3, left="0", right="1", stub=12, fleck=(18, 3)))
    assert split_by_ink(table, ink, DPI) == 1


def test_digit_on_the_lost_line_still_spans_it():
    # a text standing mid-cell across the line is one text: the cell stays whole
    img = _page(missing_row=3)
    cv2.rectangle(img, (COLS[2] + 30, ROWS[3] + 8), (COLS[4] - 30, ROWS[4] - 8), 255, -1)
    cv2.putText(img, "12345", (COLS[2] + 20, ROWS[3] + 35), cv2.FONT_HERSHEY_SIMPLEX, 0.8, 0, 2)
    table, ink = _table(img)
    assert split_by_ink(table, ink, DPI) == 0


def test_title_over_columns_stays_whole():
    table, ink = _table(_page())
    n = len(table.grid.cells)
    assert split_by_ink(table, ink, DPI) == 0
    assert len(table.grid.cells) == n
    assert any(c.row == 0 and c.col_span == 4 for c in table.grid.cells)


def test_row_line_no_cell_uses_is_dropped():
    from extractor.grid.image_grid import ImageTable
    from extractor.ocr.structure import drop_unused_rows
    from models.extraction import BBox
    from models.page import Cell, Grid

    box = BBox(x0=0, top=0, x1=1, bottom=1)
    # rows 0 | 1-2 (every cell crosses line 2) | 3
    cells = [Cell(row=0, col=0, page=1, bbox=box), Cell(row=0, col=1, page=1, bbox=box),
             Cell(row=1, col=0, page=1, bbox=box, row_span=2), Cell(row=1, col=1, page=1, bbox=box, row_span=2),
             Cell(row=3, col=0, page=1, bbox=box), Cell(row=3, col=1, page=1, bbox=box)]
    table = ImageTable(grid=Grid(cells=cells, n_rows=4, n_cols=2), boxes=[(0, 0, 1, 1)] * 6,
                       rows=[0, 10, 20, 30, 40], cols=[0, 10, 20])
    assert drop_unused_rows(table) == 1
    assert table.grid.n_rows == 3 and table.rows == [0, 10, 30, 40]
    assert [(c.row, c.row_span) for c in table.grid.cells] == [(0, 1), (0, 1), (1, 1), (1, 1), (2, 1), (2, 1)]
    assert len(table.grid.row_cells(1)) == 2


def test_specks_beside_a_lone_number_are_no_second_text():
    """A title over several columns with one value under it, and a faded page's paper grain
    (dots) scattered over the row's height left of the value: together the dots span a glyph's
    height, each is a dot — the cell is not cut (the value went to the empty half, in review)."""
    from extractor.ocr.structure import _falls_apart

    ink = np.zeros((60, 400), np.uint8)
    ink[20:42, 300:314] = 255  # a 3, 22 px tall
    for x, y in ((40, 18), (90, 26), (130, 34), (170, 22), (210, 40)):
        ink[y : y + 3, x : x + 4] = 255  # dots, 3 px tall, over 25 px of height
    assert not _falls_apart(ink, (0, 0, 400, 60), [200.0], DPI)
    ink[18:40, 100:114] = 255  # a second number left of the line: two texts
    assert _falls_apart(ink, (0, 0, 400, 60), [200.0], DPI)

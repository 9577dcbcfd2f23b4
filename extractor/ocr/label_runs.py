"""A row's label run on into its first value, cut where the values start.

When the rule between a row's label and its first number is lost (broken, faint, never
printed), the grid builder unites them into one cell: the label reads with the number at its
end (or a stub of the lost rule read as 1), and the row's numbers stand a column short, every
value one column left of its title (missing_rule seed 9102: 四、结转下年度继续办理 and its 2).
No label of table 三 crosses the line where the values start, so such a cell is cut there,
both parts ``DOUBT`` (under ``extractor.validate.stage.STRUCTURE_REVIEW``: never ``ok``) and
read again from their own crops. The line is where the first title stands (``Bands``), or, in a
part too short for bands (two rows after a page break), where most rows' numbers start.
Positions are upright page pixels (``ImageTable.boxes``, ``ImageTable.cols``).
"""

from __future__ import annotations

from extractor.grid.image_grid import ImageTable
from extractor.mapping.numbers import looks_numeric
from extractor.ocr.band_check import TOL, part
from extractor.ocr.registry_bands import Bands, first_number
from models.page import Cell


def _number_columns(table: ImageTable) -> dict[int, list[int]]:
    """Row → the grid columns of its cells that read as numbers."""
    out: dict[int, list[int]] = {}
    for c in table.grid.cells:
        if c.text.strip() and looks_numeric(c.text):
            out.setdefault(c.row, []).append(c.col)
    return out


def _value_line(table: ImageTable, bands: Bands | None, numbers: dict[int, list[int]]) -> int | None:
    """The grid's inner column line where the value side starts: at ``bands.value_x0`` (the
    first title's left), or without bands (a part of two or three rows after a page break) where
    most rows holding two numbers or more (``numbers``: ``_number_columns``) have their first."""
    cols = table.cols
    if bands is not None:
        near = [k for k in range(1, len(cols) - 1) if abs(cols[k] - bands.value_x0) <= 0.3 * (cols[k + 1] - cols[k])]
        return min(near, key=lambda k: abs(cols[k] - bands.value_x0), default=None)
    firsts: dict[int, int] = {}
    for row_cols in numbers.values():
        if len(row_cols) >= 2:
            firsts[min(row_cols)] = firsts.get(min(row_cols), 0) + 1
    k = max(sorted(firsts), key=lambda c: firsts[c], default=None)
    return k if k is not None and 0 < k < len(cols) - 1 else None


def cut_label_runs(table: ImageTable, bands: Bands | None) -> list[Cell]:
    """A row's label cell running on over the line where the values start, in a row of two
    numbers or more (the rule between a label and its first value lost: missing_rule seed 9102
    read 四、结转下年度继续办理 and its 2 as one cell, the row's numbers a column short; a
    stub of the lost rule read as a 1 at the label's end, its dash beside it lost) is cut at
    that line (``_value_line``): no label of table 三 crosses it. The label and the value
    parts, both ``DOUBT``, are to be read again from their own crops (what the merged crop
    read cannot tell). Changes ``table`` in place; returns the parts."""
    numbers = _number_columns(table)
    k = _value_line(table, bands, numbers)
    if k is None:
        return []
    x = table.cols[k]
    top = bands.header_y1 if bands is not None else first_number(table)
    grid = table.grid
    cells, boxes, fresh = [], [], []
    for cell, box in zip(grid.cells, table.boxes):
        runs_on = (cell.col < k < cell.col + cell.col_span and cell.row_span == 1 and box[1] >= top - TOL
                   and len(numbers.get(cell.row, ())) >= 2 and cell.text.strip() and not looks_numeric(cell.text))
        if not runs_on:
            cells.append(cell)
            boxes.append(box)
            continue
        for sub, col, span in (((box[0], box[1], x, box[3]), cell.col, k - cell.col),
                               ((x, box[1], box[2], box[3]), k, cell.col + cell.col_span - k)):
            p, pb = part(cell, box, sub, cell.row, cell.row_span, col, span)
            cells.append(p)
            boxes.append(pb)
            fresh.append(p)
    if fresh:
        table.set_cells(cells, boxes)
    return fresh

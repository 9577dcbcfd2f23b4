"""Table structure on a scan, checked against where the ink stands: rules are evidence, not
the only truth.

A value cell of tables 二–四 is never merged with its neighbour: each number stands under its
own column title. When a rule between two columns is missing in one row (broken, faint, under
a seal, never printed), the grid builder unites the two slots into one cell, and the two
numbers in it would be read as one (3 and 0 as "30") or the one number given to the wrong
column. ``split_by_ink`` looks at every cell spanning several columns: if its ink falls apart
at every inner column line the grid has (ink on both sides, a clear band at the line), the
cell is cut there into one cell per column — the columns the numbers stand in — each marked
with ``DOUBT`` structure: a cell whose column was inferred, not seen, goes to review
(``extractor.validate.stage``: OCR fields with structure under ``STRUCTURE_REVIEW`` are never ok).
A wrapped label or a header title spanning columns has its ink across the lines (no clear
band, or ink on one side only) and is left as it is.

Input: an ``ImageTable`` (grid cells and their upright pixel boxes, aligned by index) and the
page's text ink (uint8, 255 = ink, rules removed). Changes the table in place.
"""

from __future__ import annotations

import cv2
import numpy as np

from extractor.grid.image_grid import ImageTable
from extractor.ocr.components import components
from models.extraction import BBox
from models.page import Cell

DOUBT = 0.3  # structure of a cell cut from a merge by where its ink stands
CLEAR_INCHES = 0.02  # half-width of the ink-free band a cut needs at the column line
MIN_INK = 12  # px of ink that make a side of the line hold something
COLUMN_SHARE = 0.75  # a column line the table has in this share of its rows …
MIN_ROWS = 4  # … and in at least this many
GLYPH_INCHES = 0.05  # each side's ink must be at least this tall (a 7.5 pt digit is ~0.07 in)


def _cell_ink(ink: np.ndarray, box, dpi: float) -> tuple[np.ndarray, int]:
    """The ink inside ``box`` less a thin inset top and bottom (its rules), and the box's left x."""
    x0, y0, x1, y1 = (int(round(v)) for v in box)
    inset = max(2, int(dpi * 0.015))
    return ink[y0 + inset : y1 - inset, x0:x1], x0


def _crossed_in(sub: np.ndarray, x0: int, inner: list[float], dpi: float) -> bool:
    cols = (sub > 0).sum(axis=0)
    clear = max(2, int(round(dpi * CLEAR_INCHES)))
    return any(cols[max(0, int(round(x)) - x0 - clear) : int(round(x)) - x0 + clear + 1].any() for x in inner)


def _falls_apart(ink: np.ndarray, box, inner: list[float], dpi: float) -> bool:
    sub, x0 = _cell_ink(ink, box, dpi)
    if sub.size == 0 or not sub.any() or _crossed_in(sub, x0, inner, dpi):
        return False  # nothing, or ink across a line: one text
    clear = max(2, int(round(dpi * CLEAR_INCHES)))
    edges = [0] + [int(round(x)) - x0 for x in inner] + [sub.shape[1]]
    tall = max(3, int(round(dpi * GLYPH_INCHES)))
    masses = []
    for a, b in zip(edges, edges[1:]):
        part = sub[:, a + clear : max(a + clear, b - clear)]
        if not _glyph_tall(part, tall):
            return False  # nothing glyph-tall in a column (dust, a seal's trace): not two texts
        masses.append(int(np.count_nonzero(part)))
    return min(masses) >= max(MIN_INK, 0.1 * max(masses))


def _glyph_tall(part: np.ndarray, tall: int) -> bool:
    """Some ink component of ``part`` is at least ``tall`` px high: a glyph's stroke. Specks
    scattered over a row's height (a faded page's paper grain, stretched) span it together,
    one by one they are dots."""
    if part.size == 0 or not part.any():
        return False
    n, _, stats = components((part > 0).astype(np.uint8))
    return bool(n > 1 and stats[1:, cv2.CC_STAT_HEIGHT].max() >= tall)


def _crossed(ink: np.ndarray, box, inner: list[float], dpi: float) -> bool:
    """Ink across one of the ``inner`` column lines inside ``box``: one text spans them. A
    piece of the lost rule itself left at the cell's top or bottom (``_without_rule_stubs``)
    is no text."""
    sub, x0 = _cell_ink(ink, box, dpi)
    if sub.size == 0 or not sub.any():
        return False
    return _crossed_in(_without_rule_stubs(sub, x0, inner, dpi), x0, inner, dpi)


STUB_INCHES = 0.025  # a rule's stub is at most this wide (a 0.5-1 pt rule, blurred and leaning a pixel:
# 5 px at 200 dpi, missing_rule seeds 986 and 1401, where 0.02 in (4 px) kept it as text across the line)
STUB_REACH = 1 / 3  # … and keeps to the top or bottom third of the cell (numbers stand mid-cell) …
STUB_EDGE_INCHES = 0.02  # … or reaches this close to the cell's top or bottom, not both (a digit keeps clear)


def _without_rule_stubs(sub: np.ndarray, x0: int, inner: list[float], dpi: float) -> np.ndarray:
    """``sub`` less the stubs of a column rule broken inside the cell: a thin upright stroke (its
    rows' median ink at most ``STUB_INCHES``, its box at most twice that wide) on
    one of the ``inner`` lines that keeps to the cell's top or bottom third, or runs from its
    top or its bottom edge (missing_rule seed 985: a stub 40 % of the row tall), where the rule
    above or below ends (missing_rule seed 1302: a 3 × 7 px stub at 150 dpi stood on the line,
    so two 1s side by side were taken for one text spanning it and read as 11). A digit on the
    line stands in the cell's middle and is kept. A fleck of the rule as thin and lower than a
    digit's stroke (``GLYPH_INCHES``), anywhere on the line, is no text either: the broken
    rule's end a few pixels below its stub (missing_rule seed 995: a 5 × 3 px fleck)."""
    n, labels, stats = components((sub > 0).astype(np.uint8))
    h = sub.shape[0]
    thin = max(3, int(round(dpi * STUB_INCHES)))
    clear = max(2, int(round(dpi * CLEAR_INCHES)))
    reach = max(3, int(round(dpi * STUB_EDGE_INCHES)))
    tall = max(3, int(round(dpi * GLYPH_INCHES)))
    out = sub
    for i in range(1, n):
        x, y, w, hh, _ = stats[i]
        on_line = any(x - clear <= round(v) - x0 <= x + w + clear for v in inner)
        at_top, at_bottom = y <= reach, y + hh >= h - reach
        off_middle = y + hh <= h * STUB_REACH or y >= h * (1 - STUB_REACH)
        stub = hh >= w and (off_middle or at_top != at_bottom)
        thin_stroke = w <= 2 * thin and _stroke_width(labels[y : y + hh, x : x + w] == i) <= thin
        if on_line and thin_stroke and (stub or hh < tall):
            out = out.copy() if out is sub else out
            out[labels == i] = 0
    return out


def _stroke_width(mask: np.ndarray) -> float:
    """An upright stroke's width, px: the median of its rows' ink (a blurred rule widens by a
    pixel here and there, missing_rule seed 909: 5 px wide, 6 over three of its 25 rows)."""
    return float(np.median(mask.sum(axis=1)))


def _table_columns(grid) -> set[int]:
    """Column lines the table has in most rows: a cell starts there in at least
    ``COLUMN_SHARE`` of the rows that reach it and in ``MIN_ROWS`` rows or more."""
    starts: dict[int, set[int]] = {}
    spans: dict[int, set[int]] = {}
    for c in grid.cells:
        for r in range(c.row, c.row + c.row_span):
            starts.setdefault(c.col, set()).add(r)
            for j in range(c.col + 1, c.col + c.col_span):
                spans.setdefault(j, set()).add(r)
    out = set()
    for j, rows in starts.items():
        crossed = len(spans.get(j, ()))
        if len(rows) >= MIN_ROWS and len(rows) >= COLUMN_SHARE * (len(rows) + crossed):
            out.add(j)
    return out


def _value_row(grid, cell) -> bool:
    """The row holds, besides ``cell``, at least three single-column cells right of it or left
    of it within the columns it shares with them: a row of values, not a header's titles."""
    singles = [c for c in grid.cells if c.row == cell.row and c.row_span == 1 and c.col_span == 1 and c is not cell]
    return len(singles) >= 3


def split_by_ink(table: ImageTable, ink: np.ndarray, dpi: float) -> int:
    """Cut merged cells whose ink stands in separate columns (see the module's docstring).
    Returns how many cells were cut."""
    grid = table.grid
    cells: list[Cell] = []
    boxes = []
    cut = 0
    columns = _table_columns(grid)
    for cell, box in zip(grid.cells, table.boxes):
        if cell.col_span < 2:
            cells.append(cell)
            boxes.append(box)
            continue
        inner = table.cols[cell.col + 1 : cell.col + cell.col_span]
        # a rule missing in a row of values, where the table has that column everywhere else:
        # cut unless one text spans the line; elsewhere only where two texts stand apart
        lost_rule = (cell.row_span == 1 and set(range(cell.col + 1, cell.col + cell.col_span)) <= columns
                     and _value_row(grid, cell) and not _crossed(ink, box, inner, dpi))
        if not lost_rule and not _falls_apart(ink, box, inner, dpi):
            cells.append(cell)
            boxes.append(box)
            continue
        cut += 1
        xs = [box[0], *inner, box[2]]
        f = 72.0 / dpi
        for k in range(cell.col_span):
            part = (xs[k], box[1], xs[k + 1], box[3])
            # source boxes: the share of the merged cell's source box this column takes
            sx0 = cell.bbox.x0 + (cell.bbox.x1 - cell.bbox.x0) * (xs[k] - box[0]) / (box[2] - box[0])
            sx1 = cell.bbox.x0 + (cell.bbox.x1 - cell.bbox.x0) * (xs[k + 1] - box[0]) / (box[2] - box[0])
            px = cell.bbox_px
            cells.append(Cell(
                row=cell.row, col=cell.col + k, row_span=cell.row_span, col_span=1, page=cell.page,
                bbox=BBox(x0=sx0, top=cell.bbox.top, x1=sx1, bottom=cell.bbox.bottom), source=cell.source,
                confidence=0.0, structure=min(cell.structure, DOUBT),
                bbox_px=None if px is None else BBox(x0=sx0 / f, top=px.top, x1=sx1 / f, bottom=px.bottom),
                dpi=cell.dpi,
            ))
            boxes.append(part)
    if cut:
        table.set_cells(cells, boxes)
    return cut


def drop_unused_rows(table: ImageTable) -> int:
    """Row lines no cell starts or ends at (every cell crosses them: a short stroke taken for a
    piece of rule, kept by the grid builder) are no row lines: taken out, so a row of values
    is one row (a value cell spanning two grid rows is not read as a value). Returns how many."""
    grid = table.grid
    used = {0, grid.n_rows}
    for c in grid.cells:
        used.add(c.row)
        used.add(c.row + c.row_span)
    unused = [i for i in range(1, grid.n_rows) if i not in used]
    if not unused:
        return 0
    for c in grid.cells:
        below = sum(1 for i in unused if i <= c.row)
        inside = sum(1 for i in unused if c.row < i < c.row + c.row_span)
        c.row -= below
        c.row_span -= inside
    grid.n_rows -= len(unused)
    table.rows = [y for i, y in enumerate(table.rows) if i not in unused]
    grid._by_row = None
    return len(unused)

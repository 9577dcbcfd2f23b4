"""Row bands of a scanned table from its label side: a rule missing between two rows of
numbers cannot unite the rows.

Tables 二–四 give every row its own label, at the left. When a horizontal rule is missing across
the number columns (never printed, faded, painted out by a scan), the grid builder makes each
number column's two slots one cell spanning two rows, while the label side still has the line:
read as one crop, the two numbers stacked in it are one text or none, and both rows lose their
values. ``split_by_labels`` cuts such a cell at each row line a label left of it starts at, when
no ink crosses the line inside the cell (a number's glyphs stand in one band; a wrapped title
crosses), into one cell per row band, each with ``DOUBT`` structure: a value whose row was taken
from the labels, against the rules, goes to review (``extractor.validate.stage``), never ``ok``.

The row's label is the evidence: a line only the label side has is cut only where a single-row
cell left of the cell starts and ends at it and the row's first cell stands on the label side
(no further right than most rows start). Header titles spanning rows (自然人, 总计 over two header
rows) stand beside a header row that starts far right (商业企业 … under 法人或其他组织, the
left side one merged note), so they are left as they are.

Input: an ``ImageTable`` and the page's text ink (uint8, 255 = ink, rules removed). Changes the
table in place.
"""

from __future__ import annotations

import numpy as np

from extractor.grid.image_grid import ImageTable
from models.extraction import BBox
from models.page import Cell

DOUBT = 0.3  # structure of a cell cut at a row line its labels have and its rules lack
CLEAR_INCHES = 0.012  # half-height of the ink-free band a cut needs at the row line


def _label_lines(grid, cell: Cell, label_col: float) -> list[int]:
    """Inner row lines of ``cell`` at which a single-row cell left of it starts and ends, where
    the row's first cell stands on the label side (no further right than ``label_col``)."""
    inner = range(cell.row + 1, cell.row + cell.row_span)
    left = [c for c in grid.cells if c.col + c.col_span <= cell.col and c.row_span == 1]
    starts = {c.row for c in left}
    ends = {c.row + 1 for c in left}
    first = _first_cols(grid)
    return [r for r in inner if r in starts and r in ends and first.get(r, grid.n_cols) <= label_col]


def _first_cols(grid) -> dict[int, int]:
    """Per row, the column of the leftmost cell starting in it."""
    out: dict[int, int] = {}
    for c in grid.cells:
        out[c.row] = min(out.get(c.row, c.col), c.col)
    return out


def _label_col(grid) -> float:
    """Where rows start on the label side: the median of each row's first column. A header's
    second row (商业企业 … under 法人或其他组织) starts far right of it, beside a merged header."""
    first = sorted(_first_cols(grid).values())
    return float(first[len(first) // 2]) if first else 0.0


def _clear_at(ink: np.ndarray, box, ys: list[float], dpi: float) -> bool:
    """No ink crosses any of the row lines ``ys`` inside ``box`` (pixels, upright page): no
    column has ink at the line and on both sides of it (a glyph standing across it). A thin
    run along the line (a piece of the rule the scan kept) crosses nothing."""
    x0, y0, x1, y1 = (int(round(v)) for v in box)
    inset = max(2, int(dpi * 0.015))
    sub = ink[y0:y1, x0 + inset : x1 - inset] > 0
    if sub.size == 0:
        return False
    clear = max(1, int(round(dpi * CLEAR_INCHES)))
    for y in ys:
        k = int(round(y)) - y0
        band = sub[max(0, k - clear) : k + clear + 1].any(axis=0)
        above = sub[max(0, k - 3 * clear) : max(0, k - clear)].any(axis=0)
        below = sub[k + clear + 1 : k + 3 * clear + 1].any(axis=0)
        if (band & above & below).any():
            return False
    return True


def split_by_labels(table: ImageTable, ink: np.ndarray, dpi: float) -> int:
    """Cut value cells spanning rows that their labels keep apart (see the module's docstring).
    Returns how many cells were cut."""
    grid = table.grid
    cells: list[Cell] = []
    boxes = []
    cut = 0
    label_col = _label_col(grid)
    for cell, box in zip(grid.cells, table.boxes):
        lines = _label_lines(grid, cell, label_col) if cell.row_span > 1 and cell.col_span == 1 and cell.col > 0 else []
        if not lines or not _clear_at(ink, box, [table.rows[r] for r in lines], dpi):
            cells.append(cell)
            boxes.append(box)
            continue
        cut += 1
        bounds = [cell.row, *lines, cell.row + cell.row_span]
        ys = [box[1], *(table.rows[r] for r in lines), box[3]]
        b = cell.bbox
        px = cell.bbox_px
        for k in range(len(bounds) - 1):
            t0 = (ys[k] - box[1]) / (box[3] - box[1])
            t1 = (ys[k + 1] - box[1]) / (box[3] - box[1])
            top, bottom = b.top + (b.bottom - b.top) * t0, b.top + (b.bottom - b.top) * t1
            cells.append(Cell(
                row=bounds[k], col=cell.col, row_span=bounds[k + 1] - bounds[k], col_span=1, page=cell.page,
                bbox=BBox(x0=b.x0, top=top, x1=b.x1, bottom=bottom), source=cell.source, confidence=0.0,
                structure=min(cell.structure, DOUBT),
                bbox_px=None if px is None else BBox(
                    x0=px.x0, x1=px.x1, top=px.top + (px.bottom - px.top) * t0, bottom=px.top + (px.bottom - px.top) * t1),
                dpi=cell.dpi,
            ))
            boxes.append((box[0], ys[k], box[2], ys[k + 1]))
    if cut:
        table.set_cells(cells, boxes)
    return cut

"""Table 四's columns from its column titles, held against the rule grid (the counterpart of
``registry_bands`` + ``band_check`` for table 三).

Table 四 prints one row of 15 numbers under three groups × five column titles (结果维持 · 结果纠正 ·
其他结果 · 尚未审结 · 总计, ``LITIGATION_COLUMNS``). When a column rule is lost over the numbers
(a seal ring along it, a curl, a faint rule) the grid holds 14 value cells, one of them under two
titles, and the mapping (``extractor.mapping.litigation``) finds no row of 15. Issue 13: rules are
evidence, not the only truth — so here a value cell standing under two (or more) titles' bands is
cut at the boundary between those titles, where the numbers leave a gap of paper (no ink in any
of the cell's pixel columns); the parts are read again from their own crops and get ``DOUBT``
(under ``STRUCTURE_REVIEW``: never ``ok``). No gap there (ink across the boundary): the cell is
not cut, only flagged. A title cell as wide as two titles (the rule lost through the titles) is
cut with the value cell under it (ink across the titles' boundary — a seal's ring, a faded rule's
stub — leaves the title whole, flagged, and the numbers are cut alone), or at the grid's own line
when the numbers under it stand apart; a slot holding titles and numbers (the rules round it lost) is first cut where the
header ends.

Applies to a table that shows at least ``MIN_TITLES`` of table 四's column titles (table 三 shows
at most 总计 and 其他 of them). Positions are upright page pixels (``ImageTable.boxes``); ``ink``
is the page's ink mask (nonzero = ink) in the same pixels, the seal taken off.
"""

from __future__ import annotations

import numpy as np

from extractor.grid.image_grid import ImageTable
from extractor.ocr.band_check import TOL, columns_over, part
from extractor.ocr.registry_bands import DOUBT, ColumnBand, Line, column_bands
from models.fields import LITIGATION_COLUMNS
from models.page import Cell

MIN_TITLES = 8  # column titles of table 四 a table shows before its titles are gone by
# a title read this near one of table 四's stands where a column is (its band places cuts, every
# cut flagged; the mapping reads the titles again, to ``POSITIVE``): a 150 dpi fax reads 果 as
# 累 in 结果维持 and 结果纠正 alike, and with them under 8 titles the row of 13 cells stayed
# (fax+dpi150 seed 4711)
BAND_TITLE = 0.7
_TITLES = [("2021", c) for c in LITIGATION_COLUMNS]


def title_bands(table: ImageTable, lines: dict[int, list[Line]]) -> tuple[list[ColumnBand], float]:
    """Table 四's column titles read in ``table`` (every title cell, left to right) and where the
    header ends (px); no bands when fewer than ``MIN_TITLES`` are read."""
    bands, header_y1 = column_bands(table, lines, _TITLES, each_key_once=False, least=BAND_TITLE)
    return (bands, header_y1) if len(bands) >= MIN_TITLES else ([], 0.0)


def gap_cut(ink: np.ndarray, strips: list, at: float, reach: float) -> float | None:
    """Where to cut near ``at`` (px): the middle of the paper gap — pixel columns with no ink in
    any of ``strips`` (px boxes: the value cell, and the title cell over it when that one spans
    the same titles; the rows near their rules left out) — holding or nearest to ``at``, within
    ``reach`` px of it. None: ink all across (a number or a title over the boundary)."""
    lo = int(max(max(b[0] for b in strips) + 2, at - reach))
    hi = int(min(min(b[2] for b in strips) - 2, at + reach))
    if hi <= lo:
        return None
    free = np.ones(hi - lo, bool)
    for b in strips:
        y0, y1 = int(b[1]), int(b[3])
        inset = max(2, (y1 - y0) // 8)
        free &= ~(ink[y0 + inset: y1 - inset, lo:hi] > 0).any(axis=0)
    runs, start = [], None
    for k, f in enumerate(list(free) + [False]):
        if f and start is None:
            start = k
        elif not f and start is not None:
            runs.append((lo + start, lo + k - 1))
            start = None
    if not runs:
        return None
    s, e = min(runs, key=lambda r: 0 if r[0] <= at <= r[1] else min(abs(r[0] - at), abs(r[1] - at)))
    return at if s <= at <= e else (s + e) / 2


def _cut_at(table: ImageTable, i: int, x: float) -> list[Cell]:
    """Cut cell ``i`` at ``x`` (px): at the grid's column line there if it has one, else at a new
    column line (the cells it crosses above span one column more). Returns the two parts."""
    grid = table.grid
    cell, box = grid.cells[i], table.boxes[i]
    line = next((k for k in range(cell.col + 1, cell.last_col + 1) if abs(table.cols[k] - x) <= 2 * TOL), None)
    if line is None:
        c = next((k for k in range(cell.col, cell.last_col + 1) if table.cols[k] < x < table.cols[k + 1]), cell.last_col)
        for other in grid.cells:
            if other is cell:
                continue
            if other.col > c:
                other.col += 1
            elif other.last_col >= c:
                other.col_span += 1
        table.cols.insert(c + 1, x)
        grid.n_cols += 1
        left_span, right_span = c - cell.col + 1, cell.last_col - c + 1
    else:
        left_span, right_span = line - cell.col, cell.last_col - line + 1
    left, lbox = part(cell, box, (box[0], box[1], x, box[3]), cell.row, cell.row_span, cell.col, left_span)
    right, rbox = part(cell, box, (x, box[1], box[2], box[3]), cell.row, cell.row_span, cell.col + left_span, right_span)
    cells = grid.cells[:i] + [left, right] + grid.cells[i + 1:]
    boxes = table.boxes[:i] + [lbox, rbox] + table.boxes[i + 1:]
    table.set_cells(cells, boxes)
    return [left, right]


def cut_header_end(table: ImageTable, bands: list[ColumnBand], header_y1: float) -> list[Cell]:
    """Cut at the grid's row line where the header ends every cell of the titles' row reaching
    below it (a merged slot holding a title and the number under it: the rules around it lost).
    Returns the parts (title above, value below), not read yet, ``DOUBT``."""
    line = next((k for k in range(1, table.grid.n_rows) if abs(table.rows[k] - header_y1) <= 2 * TOL), None)
    if line is None:
        return []
    top = min(table.boxes[b.cell][1] for b in bands) - TOL
    out: list[Cell] = []
    for cell in [c for c, b in zip(table.grid.cells, table.boxes) if c.row < line <= c.last_row and b[1] >= top]:
        i = _index(table, cell)
        box, y = table.boxes[i], table.rows[line]
        upper, ubox = part(cell, box, (box[0], box[1], box[2], y), cell.row, line - cell.row, cell.col, cell.col_span)
        lower, lbox = part(cell, box, (box[0], y, box[2], box[3]), line, cell.last_row - line + 1, cell.col, cell.col_span)
        table.set_cells(table.grid.cells[:i] + [upper, lower] + table.grid.cells[i + 1:],
                        table.boxes[:i] + [ubox, lbox] + table.boxes[i + 1:])
        out += [upper, lower]
    return out


def _within(box, x: float, tol: float) -> bool:
    """``x`` (px) stands inside ``box``, clear of its sides by ``tol``."""
    return box[0] + tol < x < box[2] - tol


def _index(table: ImageTable, cell: Cell) -> int:
    return next(k for k, c in enumerate(table.grid.cells) if c is cell)


def _boundaries(box, bands: list[ColumnBand], wide: list[Cell], table: ImageTable, width: float
                ) -> tuple[list[float], Cell | None]:
    """Where the titles over the value cell ``box`` meet (px), and the wide title cell over it
    (None: the titles over it are read apart). A title cell as wide as k titles (the rule lost
    through the titles too) stands for its k parts, beside the titles read apart: a row of fewer
    than 15 cells, one under 总计 and a title the seal's star left unread (fax seed 4711)."""
    spans = [(b.x0, b.x1) for b in columns_over(box, bands)]
    title = None
    if box[2] - box[0] >= 1.6 * width:  # a value cell of one column: a wide title over several is the mapping's
        for head in wide:
            if not any(c is head for c in table.grid.cells):
                continue  # cut already, over another value cell
            t = table.boxes[_index(table, head)]
            if min(t[2], box[2]) - max(t[0], box[0]) < 0.5 * width:
                continue  # not over this cell
            k = max(1, round((t[2] - t[0]) / width))
            spans += [(t[0] + (t[2] - t[0]) * m / k, t[0] + (t[2] - t[0]) * (m + 1) / k) for m in range(k)]
            title = head
    spans = sorted(sp for sp in spans if min(sp[1], box[2]) - max(sp[0], box[0]) >= 0.5 * (sp[1] - sp[0]))
    cuts = [(a[1] + b[0]) / 2 for a, b in zip(spans, spans[1:])]
    return [x for x in cuts if box[0] + TOL < x < box[2] - TOL], title


def mend_litigation(table: ImageTable, lines: dict[int, list[Line]], ink: np.ndarray) -> list[Cell]:
    """Cut every value cell of table 四 that stands under several column titles, and a title cell
    as wide as several titles over it (see the module's docstring). Returns the parts, to be read
    from their crops; a cell under several titles with no gap to cut at is flagged (``DOUBT``)."""
    bands, header_y1 = title_bands(table, lines)
    if not bands:
        return []
    width = float(np.median([b.x1 - b.x0 for b in bands]))
    made = {id(c) for c in cut_header_end(table, bands, header_y1)}
    wide = [j for j, box in enumerate(table.boxes) if abs(box[3] - header_y1) <= 2 * TOL
            and 1.6 * width < box[2] - box[0] < 3.5 * width]  # a title cell read as one title or none
    bands = [b for b in bands if b.cell not in wide]
    wide_cells = [table.grid.cells[j] for j in wide]  # cells, not indices: cutting re-orders them
    todo = [cell for cell, box in zip(table.grid.cells, table.boxes)  # the row of numbers, however read
            if abs(box[1] - header_y1) <= 2 * TOL and cell.row_span == 1]
    for cell in todo:
        box = table.boxes[_index(table, cell)]
        cuts, title = _boundaries(box, bands, wide_cells, table, width)
        inner = table.cols[cell.col + 1: cell.last_col + 1]  # the grid's own lines in the cell come first
        cuts = [min(inner, key=lambda x: abs(x - at)) if inner and min(abs(x - at) for x in inner) < 0.35 * width
                else at for at in cuts]
        pieces, heads = [cell], [title] if title is not None else []
        for at in cuts:
            # the wide title is cut with the value cell where the cut falls inside it
            inside = [h for h in heads[-1:] if _within(table.boxes[_index(table, h)], at, TOL)]
            strips = [table.boxes[_index(table, pieces[-1])]] + [table.boxes[_index(table, h)] for h in inside]
            x = gap_cut(ink, strips, at, 0.35 * width)
            if x is None and inside:  # the title ink across (a seal's ring, a faded rule's stub): the
                x = gap_cut(ink, strips[:1], at, 0.35 * width)  # numbers cut alone, the title left whole
                if x is not None:
                    heads[-1].structure = min(heads[-1].structure, DOUBT)
                    inside = []
            if x is None:
                pieces[-1].structure = min(pieces[-1].structure, DOUBT)
                continue
            pieces[-1:] = _cut_at(table, _index(table, pieces[-1]), x)
            if inside:
                heads[-1:] = _cut_at(table, _index(table, heads[-1]), x)
        made.update(id(p) for p in pieces + heads if p is not cell and p is not title)
    for head in wide_cells:  # a wide title over value cells the grid holds apart: cut at its lines
        while any(c is head for c in table.grid.cells) and head.col_span > 1:
            box = table.boxes[_index(table, head)]
            line = min(table.cols[head.col + 1: head.last_col + 1], key=lambda x: abs(x - (box[0] + box[2]) / 2))
            x = gap_cut(ink, [box], line, 0.35 * width)
            if x is None or abs(x - line) > 0.25 * width:
                head.structure = min(head.structure, DOUBT)  # ink over the line: left whole, flagged
                break
            parts = _cut_at(table, _index(table, head), line)
            for k, p in enumerate(parts):  # each read from its own ink: the crops meet in the gap
                j = _index(table, p)
                b = table.boxes[j]
                table.boxes[j] = (b[0], b[1], x, b[3]) if k == 0 else (x, b[1], b[2], b[3])
            made.update(id(p) for p in parts)
            head = parts[0] if parts[0].col_span > 1 else parts[1]
    return [c for c in table.grid.cells if id(c) in made]  # the parts left at the end

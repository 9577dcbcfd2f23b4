"""From cell rectangles to a ``Grid`` with spans: the rule positions become row and column lines.

Pure functions over boxes, so the text-layer path (pdfplumber's cells) and any other source of
rectangles share them.
"""

from __future__ import annotations

from bisect import bisect_left

from models.extraction import BBox
from models.page import Cell, Grid


def cluster_positions(values: list[float], tolerance: float) -> list[float]:
    """Merge positions closer than ``tolerance`` into one (their mean), sorted."""
    out: list[list[float]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= tolerance:
            out[-1].append(v)
        else:
            out.append([v])
    return [sum(group) / len(group) for group in out]


def nearest_index(edges: list[float], value: float) -> int:
    i = bisect_left(edges, value)
    if i == 0:
        return 0
    if i == len(edges):
        return len(edges) - 1
    return i if edges[i] - value < value - edges[i - 1] else i - 1


def grid_from_boxes(boxes: list[tuple[float, float, float, float]], page: int, tolerance: float = 2.0) -> Grid:
    """Build a grid from cell boxes ``(x0, top, x1, bottom)`` in PDF points."""
    xs = cluster_positions([b[0] for b in boxes] + [b[2] for b in boxes], tolerance)
    ys = cluster_positions([b[1] for b in boxes] + [b[3] for b in boxes], tolerance)
    cells: list[Cell] = []
    seen: set[tuple[int, int]] = set()
    for x0, top, x1, bottom in boxes:
        c0, c1 = nearest_index(xs, x0), nearest_index(xs, x1)
        r0, r1 = nearest_index(ys, top), nearest_index(ys, bottom)
        if c1 <= c0 or r1 <= r0 or (r0, c0) in seen:
            continue
        seen.add((r0, c0))
        cells.append(
            Cell(
                row=r0, col=c0, row_span=r1 - r0, col_span=c1 - c0, page=page,
                bbox=BBox(x0=x0, top=top, x1=x1, bottom=bottom),
            )
        )
    cells.sort(key=lambda c: (c.row, c.col))
    bbox = BBox(x0=xs[0], top=ys[0], x1=xs[-1], bottom=ys[-1]) if xs and ys else None
    return Grid(cells=cells, n_rows=max(len(ys) - 1, 0), n_cols=max(len(xs) - 1, 0), pages=[page], bbox=bbox, col_edges=xs)


def cell_index(grid: Grid) -> tuple[list[float], list[float], list[list[int]]]:
    """Row edges, column edges and a [row][col] table of the index of the cell covering it."""
    xs = grid.col_edges
    ys = sorted({c.bbox.top for c in grid.cells} | {c.bbox.bottom for c in grid.cells})
    ys = cluster_positions(ys, 2.0)
    table = [[-1] * grid.n_cols for _ in range(grid.n_rows)]
    for i, c in enumerate(grid.cells):
        for r in range(c.row, min(c.row + c.row_span, grid.n_rows)):
            for k in range(c.col, min(c.col + c.col_span, grid.n_cols)):
                table[r][k] = i
    return ys, xs, table

"""Join the parts of a table that a page break cut, into one grid.

The continuation's header is not repeated, so the test is geometric: the last table of a page
and the first table of the next page continue each other when their column rules line up
(the continuation may lack some rules, where merged cells hide them) and no section heading
stands between them.
"""

from __future__ import annotations

import re

from extractor.grid.cells import cluster_positions
from models.page import Grid, PageContent

HEADING = re.compile(r"^\s*[一二三四五六七八九十]+\s*[、.．]")


def stitch_tables(pages: list[PageContent], tolerance: float = 4.0) -> list[Grid]:
    """Every table of the document in reading order, continued parts joined."""
    out: list[Grid] = []
    previous_page: PageContent | None = None
    for page in pages:
        grids = sorted(page.grids, key=lambda g: g.bbox.top if g.bbox else 0.0)
        for i, grid in enumerate(grids):
            if (
                i == 0
                and out
                and previous_page is not None
                and out[-1].pages[-1] == previous_page.number
                and page.number == previous_page.number + 1
                and _is_last_on_page(out[-1], previous_page)
                and not _heading_between(previous_page, out[-1], page, grid)
                and columns_match(out[-1], grid, tolerance)
            ):
                out[-1] = append_grid(out[-1], grid, tolerance)
            else:
                out.append(grid)
        previous_page = page
    return out


def _is_last_on_page(grid: Grid, page: PageContent) -> bool:
    own = [g for g in page.grids if g.bbox and grid.pages[-1] == page.number]
    if not own:
        return False
    lowest = max(own, key=lambda g: g.bbox.bottom)
    return any(c.page == page.number for c in grid.cells) and _bottom_on(grid, page.number) >= lowest.bbox.bottom - 1


def _bottom_on(grid: Grid, page: int) -> float:
    return max((c.bbox.bottom for c in grid.cells if c.page == page), default=0.0)


def _heading_between(prev_page: PageContent, prev: Grid, page: PageContent, grid: Grid) -> bool:
    bottom = _bottom_on(prev, prev_page.number)
    top = grid.bbox.top if grid.bbox else 0.0
    after = [ln for ln in prev_page.lines if ln.bbox.top > bottom]
    before = [ln for ln in page.lines if ln.bbox.bottom < top]
    return any(HEADING.match(ln.text) for ln in after + before)


def _onto(a: Grid, b: Grid):
    """Map ``b``'s x positions onto ``a``'s: scans of two pages sit a few points apart."""
    a0, a1 = a.col_edges[0], a.col_edges[-1]
    b0, b1 = b.col_edges[0], b.col_edges[-1]
    scale = (a1 - a0) / (b1 - b0) if b1 > b0 else 1.0
    return lambda x: a0 + (x - b0) * scale


def columns_match(a: Grid, b: Grid, tolerance: float, share: float = 0.7) -> bool:
    """Tables of (nearly) the same width, and most rules of the part with fewer rules are rules
    of the other, once ``b`` is laid onto ``a``.

    Merged cells hide rules, differently in each part (a sub-label column may only exist
    below the break), so a strict subset test would miss real continuations; scanned pages
    are shifted and scaled a little against each other, so rules are compared after aligning
    the outer edges.
    """
    if len(a.col_edges) < 2 or len(b.col_edges) < 2:
        return False
    width_a = a.col_edges[-1] - a.col_edges[0]
    width_b = b.col_edges[-1] - b.col_edges[0]
    if abs(width_a - width_b) > max(tolerance, 0.03 * width_a):
        return False
    onto = _onto(a, b)
    mapped = [onto(x) for x in b.col_edges]
    fewer, more = sorted((a.col_edges, mapped), key=len)
    shared = sum(1 for x in fewer if any(abs(x - y) <= tolerance for y in more))
    return shared >= share * len(fewer) and shared >= min(len(fewer), 3)


def append_grid(a: Grid, b: Grid, tolerance: float) -> Grid:
    """``b``'s rows below ``a``'s; both parts' columns renumbered onto the union of their rules."""
    onto = _onto(a, b)
    edges = cluster_positions(a.col_edges + [onto(x) for x in b.col_edges], tolerance)

    def col_of(x: float) -> int:
        return min(range(len(edges)), key=lambda i: abs(edges[i] - x))

    offset = a.n_rows
    for cell in b.cells:
        cell.row += offset
        c0, c1 = col_of(onto(cell.bbox.x0)), col_of(onto(cell.bbox.x1))
        cell.col, cell.col_span = c0, max(c1 - c0, 1)
    for cell in a.cells:
        c0, c1 = col_of(cell.bbox.x0), col_of(cell.bbox.x1)
        cell.col, cell.col_span = c0, max(c1 - c0, 1)
    return Grid(
        cells=a.cells + b.cells,
        n_rows=a.n_rows + b.n_rows,
        n_cols=len(edges) - 1,
        pages=a.pages + [p for p in b.pages if p not in a.pages],
        bbox=a.bbox,
        col_edges=edges,
    )

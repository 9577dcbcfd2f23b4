"""Join the parts of a table that a page break cut, into one grid.

The continuation's header is not repeated, so the test is geometric: the last table of a page
and the first table of the next page continue each other when their column rules line up
(the continuation may lack some rules, where merged cells hide them) and no section heading
stands between them.

Scanned pages that were turned to be read (``PageContent.rotation``) keep their boxes in the
frame of the page as rendered (the review crops from it); the stitcher compares positions in
the reading frame, so those boxes are turned first (``reading_box``).
"""

from __future__ import annotations

import math
import re
import unicodedata

from extractor.grid.cells import cluster_positions
from models.extraction import BBox, Source
from models.page import Grid, PageContent

HEADING = re.compile(r"^\s*[一二三四五六七八九十]+\s*[、.．]")
# Scans: each page is straightened on its own (perspective, curl), so the two parts of a table
# keep different and uneven scales: widths may differ by this share …
SCAN_WIDTH_SHARE = 0.08
# … and a rule of one part is the other's when it stands at the same share of the table's width
# within this (a photographed page's straightening leaves ~2 % along the width; 0.8 % of a
# 500 pt table is the 4 pt the unscaled test allows)
SCAN_RELATIVE_TOL = 0.025


def reading_box(box: BBox, page: PageContent | None) -> BBox:
    """``box`` (points, the page as rendered) in the frame the page is read in: a scanned page
    whose content showed turned by ``rotation`` (clockwise degrees) has its box turned back the
    way ``orient.turn`` turned the image. Deskew (a few degrees) is left out."""
    k = ((page.rotation if page is not None else 0) // 90) % 4
    if k == 0:
        return box
    w, h = page.width, page.height
    if k == 1:  # x' = y, y' = w - x
        return BBox(x0=box.top, top=w - box.x1, x1=box.bottom, bottom=w - box.x0)
    if k == 2:
        return BBox(x0=w - box.x1, top=h - box.bottom, x1=w - box.x0, bottom=h - box.top)
    return BBox(x0=h - box.bottom, top=box.x0, x1=h - box.top, bottom=box.x1)  # x' = h - y, y' = x


class _Frame:
    """Boxes of the document's pages in their reading frames."""

    def __init__(self, pages: list[PageContent]):
        self.pages = {p.number: p for p in pages}

    def box(self, box: BBox, page: int) -> BBox:
        return reading_box(box, self.pages.get(page))

    def turned(self, page: int) -> bool:
        p = self.pages.get(page)
        return p is not None and bool(p.rotation)

    def col_edges(self, grid: Grid) -> list[float]:
        """The grid's column rules in the reading frame: as found (a joined grid: in its first
        part's frame; a scan's grid: on its upright page, turned, deskewed and straightened), or,
        for one page's text-layer grid from a turned page whose rules no longer index its
        columns, from its cells' sides. (A skewed scan's cell boxes are turned back onto the
        page as rendered: their sides scatter by the skew, 3° over a 700 pt table 三 turned on
        its side: ±18 pt, and made a dozen columns per rule.)"""
        if (len(grid.pages) != 1 or not self.turned(grid.pages[0]) or _scanned(grid)
                or len(grid.col_edges) == grid.n_cols + 1):
            return grid.col_edges
        xs = [x for c in grid.cells for b in (self.box(c.bbox, c.page),) for x in (b.x0, b.x1)]
        return cluster_positions(xs, 2.0) if xs else []

    def grid_box(self, grid: Grid) -> BBox | None:
        return None if grid.bbox is None else self.box(grid.bbox, grid.pages[0])

    def upright_centre(self, box: BBox, page: int) -> tuple[float, float]:
        """The centre of ``box`` (points, the page as rendered) in the reading frame with the
        page's deskew undone (``PageContent.skew``, turned about the page's centre as
        ``orient.upright`` turned the image). A box's centre survives the tilt; its sides do not."""
        p = self.pages.get(page)
        b = self.box(box, page)
        x, y = (b.x0 + b.x1) / 2, (b.top + b.bottom) / 2
        if p is None or not p.skew:
            return x, y
        turned = ((p.rotation // 90) % 2) == 1
        w, h = (p.height, p.width) if turned else (p.width, p.height)
        # the image was rotated by -skew degrees counter-clockwise (y down) about its centre
        t = math.radians(-p.skew)
        c, s = math.cos(t), math.sin(t)
        dx, dy = x - w / 2, y - h / 2
        return w / 2 + c * dx + s * dy, h / 2 - s * dx + c * dy


UPRIGHT = _Frame([])


def stitch_tables(pages: list[PageContent], tolerance: float = 4.0) -> list[Grid]:
    """Every table of the document in reading order, continued parts joined."""
    frame = _Frame(pages)
    out: list[Grid] = []
    previous_page: PageContent | None = None
    for page in pages:
        grids = sorted(page.grids, key=lambda g: frame.grid_box(g).top if g.bbox else 0.0)
        for i, grid in enumerate(grids):
            if (
                i == 0
                and out
                and previous_page is not None
                and out[-1].pages[-1] == previous_page.number
                and page.number == previous_page.number + 1
                and _is_last_on_page(out[-1], previous_page, frame)
                and not _heading_between(previous_page, out[-1], page, grid, frame)
                and columns_match(out[-1], grid, tolerance, frame=frame)
            ):
                out[-1] = append_grid(out[-1], grid, tolerance, frame=frame)
            else:
                out.append(grid)
        previous_page = page
    return out


def _is_last_on_page(grid: Grid, page: PageContent, frame: _Frame = UPRIGHT) -> bool:
    own = [g for g in page.grids if g.bbox and grid.pages[-1] == page.number]
    if not own:
        return False
    lowest = max(frame.grid_box(g).bottom for g in own)
    return any(c.page == page.number for c in grid.cells) and _bottom_on(grid, page.number, frame) >= lowest - 1


def _bottom_on(grid: Grid, page: int, frame: _Frame = UPRIGHT) -> float:
    return max((frame.box(c.bbox, page).bottom for c in grid.cells if c.page == page), default=0.0)


def _heading_between(prev_page: PageContent, prev: Grid, page: PageContent, grid: Grid,
                     frame: _Frame = UPRIGHT) -> bool:
    """A section heading below ``prev``'s last cells on its page, or above ``grid``'s first
    cells on the next page. Compared by centres in the upright, deskewed frame: on a skewed
    scan the boxes (the page as rendered) are widened by the tilt, and a heading printed just
    under a table's last row stands inside its box (3° over a 500 pt table: 26 pt)."""
    def centre_y(box: BBox, number: int) -> float:
        return frame.upright_centre(box, number)[1]

    below = max((centre_y(c.bbox, prev_page.number) for c in prev.cells if c.page == prev_page.number), default=None)
    above = min((centre_y(c.bbox, page.number) for c in grid.cells if c.page == page.number), default=None)
    after = [ln for ln in prev_page.lines if below is not None and centre_y(ln.bbox, prev_page.number) > below]
    before = [ln for ln in page.lines if above is not None and centre_y(ln.bbox, page.number) < above]
    return any(HEADING.match(unicodedata.normalize("NFKC", ln.text)) for ln in after + before)


def _scanned(grid: Grid) -> bool:
    return any(c.source == Source.OCR for c in grid.cells)


def _anchors(ea: list[float], eb: list[float]) -> list[tuple[float, float]]:
    """Pairs (x in ``b``, x in ``a``) of rules standing at the same share of each part's width
    (within ``SCAN_RELATIVE_TOL``), in order, the outer edges always among them."""
    wa, wb = ea[-1] - ea[0], eb[-1] - eb[0]
    if wa <= 0 or wb <= 0:
        return [(eb[0], ea[0]), (eb[-1], ea[-1])]
    fa = [(x - ea[0]) / wa for x in ea]
    pairs, j0 = [(eb[0], ea[0])], 1
    for x in eb[1:-1]:
        f = (x - eb[0]) / wb
        best = min(range(j0, len(ea) - 1), key=lambda j: abs(fa[j] - f), default=None)
        if best is not None and abs(fa[best] - f) <= SCAN_RELATIVE_TOL:
            pairs.append((x, ea[best]))
            j0 = best + 1
    pairs.append((eb[-1], ea[-1]))
    return pairs


def _piecewise(pairs: list[tuple[float, float]]):
    """The map through ``pairs`` (sorted by their first item), straight between them and along
    the outer pieces beyond them."""
    def f(x: float) -> float:
        k = 0
        while k < len(pairs) - 2 and x > pairs[k + 1][0]:
            k += 1
        (b0, a0), (b1, a1) = pairs[k], pairs[k + 1]
        return a0 + (x - b0) * ((a1 - a0) / (b1 - b0) if b1 > b0 else 1.0)
    return f


def _onto(a: Grid, b: Grid, frame: _Frame = UPRIGHT):
    """Map ``b``'s x positions onto ``a``'s: scans of two pages sit a few points apart (parts
    of a text-alignment grid are on one page geometry; their outer edges are only guessed).

    Scans are mapped through every rule the two parts share in relative terms (``_anchors``),
    piece by piece: a page straightened from a photograph or a curl keeps an uneven scale
    across its width, which one scale for the whole table would carry into the columns."""
    from extractor.grid.text_grid import is_text_grid

    if is_text_grid(a) and is_text_grid(b):
        return lambda x: x
    ea, eb = frame.col_edges(a), frame.col_edges(b)
    if _scanned(a) or _scanned(b):
        return _piecewise(_anchors(ea, eb))
    a0, a1 = ea[0], ea[-1]
    b0, b1 = eb[0], eb[-1]
    scale = (a1 - a0) / (b1 - b0) if b1 > b0 else 1.0
    return lambda x: a0 + (x - b0) * scale


def columns_match(a: Grid, b: Grid, tolerance: float, share: float = 0.7, frame: _Frame = UPRIGHT) -> bool:
    """Tables of (nearly) the same width, and most rules of the part with fewer rules are rules
    of the other, once ``b`` is laid onto ``a``.

    Merged cells hide rules, differently in each part (a sub-label column may only exist
    below the break), so a strict subset test would miss real continuations; scanned pages
    are shifted and scaled a little against each other, so rules are compared after aligning
    the outer edges.
    """
    from extractor.grid.text_grid import is_text_grid

    ea, eb = frame.col_edges(a), frame.col_edges(b)
    if len(ea) < 2 or len(eb) < 2:
        return False
    if is_text_grid(a) and is_text_grid(b):  # no rules to compare: the right-hand sides agree
        return abs(ea[-1] - eb[-1]) <= 3 * tolerance
    width_a = ea[-1] - ea[0]
    width_b = eb[-1] - eb[0]
    allowance = SCAN_WIDTH_SHARE if _scanned(a) or _scanned(b) else 0.03
    if abs(width_a - width_b) > max(tolerance, allowance * width_a):
        return False
    onto = _onto(a, b, frame)
    mapped = [onto(x) for x in eb]
    fewer, more = sorted((ea, mapped), key=len)
    shared = sum(1 for x in fewer if any(abs(x - y) <= tolerance for y in more))
    return shared >= share * len(fewer) and shared >= min(len(fewer), 3)


def append_grid(a: Grid, b: Grid, tolerance: float, frame: _Frame = UPRIGHT) -> Grid:
    """``b``'s rows below ``a``'s; both parts' columns renumbered onto the union of their rules.

    A row the page break cut in two (``split_row``) becomes one row first."""
    from extractor.grid.split_row import join_split_row
    from extractor.grid.text_grid import fill_blank_columns, is_text_grid

    text = is_text_grid(a) and is_text_grid(b)
    onto = _onto(a, b, frame)

    # a scan's cells by its own column lines (``_own_edges``): on a skewed page their boxes stand
    # aside from the lines, by a narrow column at a table's foot (LibreOffice seed 9102, a turned
    # page: the split row's upper half 35 pt left of its lines, its 29 taken for no number's head)
    lines_a, lines_b = (None, None) if text else (_own_edges(a, frame), _own_edges(b, frame))

    def x_of(cell) -> tuple[float, float]:
        if lines_b is not None:
            return onto(lines_b[cell.col]), onto(lines_b[cell.col + cell.col_span])
        box = frame.box(cell.bbox, cell.page)
        return onto(box.x0), onto(box.x1)

    def x_of_a(cell) -> tuple[float, float]:
        if lines_a is not None:
            return lines_a[cell.col], lines_a[cell.col + cell.col_span]
        box = frame.box(cell.bbox, cell.page)
        return box.x0, box.x1

    join_split_row(a, b, x_of, x_of_a)
    if text:  # blank cells of the lower part sit on its own guessed columns: remade below
        b.cells = [c for c in b.cells if c.text.strip() or c.col < _first_value_col(b)]
        b._by_row = None
    edges = cluster_positions(frame.col_edges(a) + [onto(x) for x in frame.col_edges(b)], tolerance)
    if text:
        edges = _value_edges(a, b, edges, tolerance)
    a_first, b_first = (_first_value_col(a), _first_value_col(b)) if text else (None, None)

    def col_of(x: float) -> int:
        return min(range(len(edges)), key=lambda i: abs(edges[i] - x))

    def place(cell, box, x_map, first, own: list[float] | None) -> None:
        if first is not None and cell.col >= first and cell.col_span == 1:  # a value: by its middle
            middle = x_map((box.x0 + box.x1) / 2)
            cell.col, cell.col_span = max([i for i in range(len(edges) - 1) if edges[i] <= middle] or [0]), 1
            return
        if own is not None:  # a scan's cell by its own grid lines (see ``_own_edges``)
            c0, c1 = col_of(x_map(own[cell.col])), col_of(x_map(own[cell.col + cell.col_span]))
        else:
            c0, c1 = col_of(x_map(box.x0)), col_of(x_map(box.x1))
        cell.col, cell.col_span = c0, max(c1 - c0, 1)

    own_a, own_b = (None, None) if text else (_own_edges(a, frame), _own_edges(b, frame))
    offset = a.n_rows
    for cell in b.cells:
        cell.row += offset
        place(cell, frame.box(cell.bbox, cell.page), onto, b_first, own_b)
    for cell in a.cells:
        place(cell, frame.box(cell.bbox, cell.page), lambda x: x, a_first, own_a)
    out = Grid(
        cells=a.cells + b.cells,
        n_rows=a.n_rows + b.n_rows,
        n_cols=len(edges) - 1,
        pages=a.pages + [p for p in b.pages if p not in a.pages],
        bbox=a.bbox,
        col_edges=edges,
    )
    if text:
        fill_blank_columns(out, _first_value_col(out))
    return out


def _own_edges(grid: Grid, frame: _Frame) -> list[float] | None:
    """A scanned grid's column lines, when they index its cells (one more line than columns):
    a scan's lines are found on the straightened page, its cells' boxes are turned back onto the
    page as rendered, so on a skewed page a cell's box stands up to half a narrow column aside
    from its lines (3° over a 450 pt table: 23 pt) and would be placed in the next column."""
    if not _scanned(grid):
        return None
    edges = frame.col_edges(grid)
    if len(edges) != grid.n_cols + 1 or any(c.col + c.col_span >= len(edges) for c in grid.cells):
        return None
    return edges


def _first_value_col(grid: Grid) -> int:
    """The first column holding a number, in a text-alignment grid."""
    from extractor.mapping.numbers import looks_numeric

    cols = [c.col for c in grid.cells if c.text.strip() and looks_numeric(c.text)]
    return min(cols) if cols else grid.n_cols


def _value_edges(a: Grid, b: Grid, edges: list[float], tolerance: float) -> list[float]:
    """Column edges of two text-grid parts: the upper part's value columns (found with its
    header) win; the lower part adds only label columns left of them."""
    ea = a.col_edges
    first = _first_value_col(a)
    if first >= len(ea) - 1:
        return edges
    value_left = ea[first]
    return cluster_positions([x for x in edges if x < value_left - tolerance] + ea[first:], tolerance)

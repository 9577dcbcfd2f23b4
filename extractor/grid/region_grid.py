"""One table region's rule segments into a ``Grid`` of cells (steps 4-5 of
``extractor.grid.image_grid``).

The segments kept are those that are long or end on a rule of the other direction (runs of text
never do both); a glyph's stroke that lengthens a rule is cut back and a rule one short row tall
is added (``extractor.grid.rule_pieces``). A table cut by the page edge often lacks its top or
bottom rule: the vertical rules' ends stand in for it. The segments' line positions are the grid
lines; between two neighbouring slots, a missing rule segment means one merged cell: slots are
united across missing boundaries and each union becomes a ``Cell`` with row/col spans.

Every cell carries ``bbox`` in PDF points (px * 72 / dpi of the page as rendered), ``bbox_px``
(pixels of the rendered page), ``dpi``, ``page``, ``source=OCR`` and ``structure``: how cleanly
its borders were seen (1.0 = every border rule found, a clean rectangle).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from extractor.grid.broken_rules import PRESENT, mend_broken_rules
from extractor.grid.cells import cluster_positions
from extractor.grid.page_lines import PageLines
from extractor.grid.rule_pieces import Segment, short_rules, trim_overshoot
from extractor.grid.rule_pieces import scaled_px as _k
from models.extraction import BBox, Source
from models.page import Cell, Grid

PxBox = tuple[float, float, float, float]


@dataclass
class ImageTable:
    """One table found on the (upright) image: the Grid plus what OCR needs to crop its cells."""

    grid: Grid
    boxes: list[PxBox]  # per grid.cells[i]: its box in the upright image's pixels
    rows: list[float]  # y of the row lines, upright pixels
    cols: list[float]  # x of the column lines, upright pixels

    def set_cells(self, cells: list, boxes: list[PxBox]) -> None:
        """Replace the cells and their boxes (aligned by index), in reading order (row, column):
        what the structure stages that cut cells hand on."""
        order = sorted(range(len(cells)), key=lambda i: (cells[i].row, cells[i].col))
        self.grid.cells = [cells[i] for i in order]
        self.boxes = [boxes[i] for i in order]
        self.grid._by_row = None


def _in(seg: Segment, lo_pos: float, hi_pos: float, lo_al: float, hi_al: float, tol: float) -> bool:
    return lo_pos - tol <= seg.pos <= hi_pos + tol and seg.b >= lo_al - tol and seg.a <= hi_al + tol


def _grid_in_region(lines: PageLines, region, dpi: float, page: int, to_source,
                    kept: list[tuple[Segment, bool]]) -> ImageTable | None:
    x0, y0, x1, y1 = region
    tol = _k(dpi, 0.03, 4)
    hs = [s for s in lines.hsegs if _in(s, y0, y1, x0, x1, tol)]
    vs = [s for s in lines.vsegs if _in(s, x0, x1, y0, y1, tol)]
    if not hs and not vs:
        return None
    width, height = x1 - x0, y1 - y0
    meet = _k(dpi, 0.04, 5)
    # keep rules that are long or meet a rule of the other direction (text never does both)
    hs = [s for s in hs if (s.b - s.a) >= 0.5 * width
          or _touches(s.a, s.pos, vs, meet) or _touches(s.b, s.pos, vs, meet)]
    vs = [s for s in vs if (s.b - s.a) >= 0.5 * height
          or _touches(s.a, s.pos, hs, meet) or _touches(s.b, s.pos, hs, meet)]
    # a glyph touching a rule (a tight row's text sits on it) lengthens it into the next cell:
    # cut back to the rule it crosses, and painted out of that cell's text no more
    hs, vs = trim_overshoot(hs, vs, dpi), trim_overshoot(vs, hs, dpi)
    # a rule only one short row tall (LibreOffice's between two group titles) the opening lost
    for s in short_rules(lines.binary, hs, vs, dpi):
        vs.append(s)
        half = _k(dpi, 0.02, 3)
        x, a, b = int(round(s.pos)), int(s.a), int(s.b) + 1
        lines.vmask[a:b, x - half : x + half + 1] |= lines.binary[a:b, x - half : x + half + 1]
    if not vs:  # (a one-row table's column rules may all be short ones)
        return None
    kept.extend((s, True) for s in hs)
    kept.extend((s, False) for s in vs)
    # outer borders a page cut or a light print left out: the other rules' ends stand in
    min_row = _k(dpi, 0.12, 10)
    v_top, v_bot = min(s.a for s in vs), max(s.b for s in vs)
    if not hs or min(s.pos for s in hs) > v_top + min_row * 0.5:
        hs.append(Segment(pos=v_top, a=min(s.pos for s in vs), b=max(s.pos for s in vs), synthetic=True))
    if max(s.pos for s in hs) < v_bot - min_row * 0.5:
        hs.append(Segment(pos=v_bot, a=min(s.pos for s in vs), b=max(s.pos for s in vs), synthetic=True))
    h_left, h_right = min(s.a for s in hs), max(s.b for s in hs)
    if min(s.pos for s in vs) > h_left + min_row * 0.5:
        vs.append(Segment(pos=h_left, a=min(s.pos for s in hs), b=max(s.pos for s in hs), synthetic=True))
    if max(s.pos for s in vs) < h_right - min_row * 0.5:
        vs.append(Segment(pos=h_right, a=min(s.pos for s in hs), b=max(s.pos for s in hs), synthetic=True))

    rows = cluster_positions([s.pos for s in hs], _k(dpi, 0.04, 5))
    cols = cluster_positions([s.pos for s in vs], _k(dpi, 0.04, 5))
    rows = _drop_thin(rows, _k(dpi, 0.06, 6))
    cols = _drop_thin(cols, _k(dpi, 0.06, 6))
    if len(rows) < 2 or len(cols) < 2:
        return None
    nr, nc = len(rows) - 1, len(cols) - 1
    hlines = _by_line(hs, rows)  # row line index -> its segments
    vlines = _by_line(vs, cols)

    # coverage of each inner boundary by rule segments
    margin = _k(dpi, 0.03, 3)
    vcov = np.zeros((nr, nc + 1))  # vertical boundary at col line j, within row r
    hcov = np.zeros((nr + 1, nc))  # horizontal boundary at row line i, within col c
    for r in range(nr):
        for j in range(nc + 1):
            vcov[r, j] = _coverage(vlines[j], rows[r] + margin, rows[r + 1] - margin)
    for i in range(nr + 1):
        for c in range(nc):
            hcov[i, c] = _coverage(hlines[i], cols[c] + margin, cols[c + 1] - margin)
    # a rule broken into pieces too short for the opening (a seal, a faint print, a fax): where a
    # boundary's rule segments cover too little, thin pieces of a line along it (next to the rule)
    mend_broken_rules(lines.binary, rows, cols, vcov, hcov, margin, dpi)

    # union slots across missing boundaries
    parent = list(range(nr * nc))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    def union(a: int, b: int) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    for r in range(nr):
        for c in range(nc):
            if c + 1 < nc and vcov[r, c + 1] < PRESENT:
                union(r * nc + c, r * nc + c + 1)
            if r + 1 < nr and hcov[r + 1, c] < PRESENT:
                union(r * nc + c, (r + 1) * nc + c)
    groups: dict[int, list[tuple[int, int]]] = {}
    for r in range(nr):
        for c in range(nc):
            groups.setdefault(find(r * nc + c), []).append((r, c))

    cells: list[Cell] = []
    boxes: list[PxBox] = []
    px_to_pt = 72.0 / dpi
    for slots, rect in (block for union_ in groups.values() for block in _blocks(union_)):
        r0 = min(r for r, _ in slots)
        r1 = max(r for r, _ in slots)
        c0 = min(c for _, c in slots)
        c1 = max(c for _, c in slots)
        box = (cols[c0], rows[r0], cols[c1 + 1], rows[r1 + 1])
        sides = [
            float(np.mean(hcov[r0, c0 : c1 + 1])), float(np.mean(hcov[r1 + 1, c0 : c1 + 1])),
            float(np.mean(vcov[r0 : r1 + 1, c0])), float(np.mean(vcov[r0 : r1 + 1, c1 + 1])),
        ]
        # a table's outer border may be cut by the page or left unprinted: if the cell's two
        # perpendicular borders are there, its outer side is as good as seen
        if r0 == 0:
            sides[0] = max(sides[0], min(sides[2], sides[3]))
        if r1 == nr - 1:
            sides[1] = max(sides[1], min(sides[2], sides[3]))
        if c0 == 0:
            sides[2] = max(sides[2], min(sides[0], sides[1]))
        if c1 == nc - 1:
            sides[3] = max(sides[3], min(sides[0], sides[1]))
        inner = [vcov[r, j] for r in range(r0, r1 + 1) for j in range(c0 + 1, c1 + 1)]
        inner += [hcov[i, c] for i in range(r0 + 1, r1 + 1) for c in range(c0, c1 + 1)]
        structure = min(1.0, min(sides) / 0.9)  # a border seen over 90 % of its length is clean
        if inner:  # a rule half there inside a merged cell: was it a merge or a faint rule?
            structure = min(structure, 1.0 - 1.5 * max(0.0, max(inner) - 0.15))
        if not rect:
            structure = min(structure, 0.4)
        src = to_source(box)
        cells.append(
            Cell(
                row=r0, col=c0, row_span=r1 - r0 + 1, col_span=c1 - c0 + 1, page=page,
                bbox=BBox(x0=src[0] * px_to_pt, top=src[1] * px_to_pt, x1=src[2] * px_to_pt, bottom=src[3] * px_to_pt),
                source=Source.OCR, confidence=0.0, structure=round(max(0.0, structure), 3),
                bbox_px=BBox(x0=src[0], top=src[1], x1=src[2], bottom=src[3]), dpi=float(dpi),
            )
        )
        boxes.append(box)
    order = sorted(range(len(cells)), key=lambda i: (cells[i].row, cells[i].col))
    cells = [cells[i] for i in order]
    boxes = [boxes[i] for i in order]
    gsrc = to_source((cols[0], rows[0], cols[-1], rows[-1]))
    # the column rules as found on the upright (deskewed, straightened) page: straight there,
    # whereas on the page as rendered a photographed page's rules converge (the stitcher lines
    # up two pages' parts by their outer rules, shift and scale)
    col_edges_pt = [x * px_to_pt for x in cols]
    grid = Grid(
        cells=cells, n_rows=nr, n_cols=nc, pages=[page],
        bbox=BBox(x0=gsrc[0] * px_to_pt, top=gsrc[1] * px_to_pt, x1=gsrc[2] * px_to_pt, bottom=gsrc[3] * px_to_pt),
        col_edges=col_edges_pt,
    )
    return ImageTable(grid=grid, boxes=boxes, rows=rows, cols=cols)


def _touches(end_along: float, end_pos: float, others: list[Segment], tol: float) -> bool:
    """Does the end of a segment (at ``end_along`` along it, on line ``end_pos``) meet another rule?"""
    for o in others:
        if abs(o.pos - end_along) <= tol and o.a - tol <= end_pos <= o.b + tol:
            return True
    return False


def _blocks(slots: list[tuple[int, int]]) -> list[tuple[list[tuple[int, int]], bool]]:
    """The rectangles a union of grid slots (row, column) is made of, and whether the union was
    one rectangle. An L-shaped union (a rule missing where it should not be) is cut into its
    rows' runs of columns, a run over the same columns as the one above joining it: no cell's box
    lies over another's. Such a cell is flagged by a low structure score."""
    cells = set(slots)
    r0, r1 = min(r for r, _ in cells), max(r for r, _ in cells)
    c0, c1 = min(c for _, c in cells), max(c for _, c in cells)
    if len(cells) == (r1 - r0 + 1) * (c1 - c0 + 1):
        return [(list(slots), True)]
    out: list[list[tuple[int, int]]] = []
    open_: dict[tuple[int, int], list[tuple[int, int]]] = {}  # run (c0, c1) reaching the row above
    for r in range(r0, r1 + 1):
        runs, c = [], c0
        while c <= c1:
            if (r, c) in cells:
                start = c
                while (r, c + 1) in cells:
                    c += 1
                runs.append((start, c))
            c += 1
        still: dict[tuple[int, int], list[tuple[int, int]]] = {}
        for run in runs:
            block = open_.get(run)
            if block is None:
                block = []
                out.append(block)
            block.extend((r, k) for k in range(run[0], run[1] + 1))
            still[run] = block
        open_ = still
    return [(b, False) for b in out]


def _drop_thin(edges: list[float], min_gap: float) -> list[float]:
    """Two lines closer than a text line can fit between (a double rule) count as one."""
    out: list[float] = []
    for e in edges:
        if out and e - out[-1] < min_gap:
            out[-1] = (out[-1] + e) / 2
        else:
            out.append(e)
    return out


def _by_line(segs: list[Segment], edges: list[float]) -> list[list[Segment]]:
    out: list[list[Segment]] = [[] for _ in edges]
    for s in segs:
        i = int(np.argmin([abs(s.pos - e) for e in edges]))
        out[i].append(s)
    return out


def _coverage(segs: list[Segment], lo: float, hi: float) -> float:
    """Share of [lo, hi] covered by the segments (intervals along the rule)."""
    if hi <= lo:
        return 1.0 if any(s.a <= lo <= s.b for s in segs) else 0.0
    spans = sorted((max(lo, s.a), min(hi, s.b)) for s in segs if s.b > lo and s.a < hi)
    covered, cur_a, cur_b = 0.0, None, None
    for a, b in spans:
        if cur_b is None or a > cur_b:
            if cur_b is not None:
                covered += cur_b - cur_a
            cur_a, cur_b = a, b
        else:
            cur_b = max(cur_b, b)
    if cur_b is not None:
        covered += cur_b - cur_a
    return covered / (hi - lo)

"""Table grids from a scanned page's ruling lines (OpenCV), into the shared ``Grid`` model.

Steps, every length scaled with the dpi (a fixed threshold loses whole pages at 300 dpi):

1. the seal's red is lifted to paper white (``suppress_red``), then an adaptive threshold;
2. morphological opening with long thin horizontal / vertical kernels keeps the rules (text
   strokes are shorter than the kernels), a short closing first bridges small breaks;
3. rule pieces become segments; pieces on one line are joined across gaps (faint, broken rules);
   a segment is kept only if it is long or ends on a rule of the other direction, so runs of
   text never become rules; a seal's ring printed black (``extractor.ocr.seal.find_ring``, no
   colour to lift it by) gives no segments: its flat arcs are pieces on its band;
4. the rules' connected groups are tables; their line positions are the grid lines. A table cut
   by the page edge often lacks its top or bottom rule: the vertical rules' ends stand in for it;
5. between two neighbouring slots, a missing rule segment means one merged cell: slots are
   united across missing boundaries and each union becomes a ``Cell`` with row/col spans.

Every cell carries ``bbox`` in PDF points (px * 72 / dpi of the page as rendered), ``bbox_px``
(pixels of the rendered page), ``dpi``, ``page``, ``source=OCR`` and ``structure``: how cleanly
its borders were seen (1.0 = every border rule found, a clean rectangle).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import cv2
import numpy as np

from extractor.grid.broken_rules import PRESENT, mend_broken_rules
from extractor.grid.cells import cluster_positions
from extractor.grid.rule_pieces import Segment, bridge_dashes, short_rules, trim_overshoot
from extractor.grid.rule_pieces import scaled_px as _k
from extractor.layout.orient import binarize, suppress_red
from extractor.ocr.seal import Ring, find_ring
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


@dataclass
class PageLines:
    """The page's binarised image and its rule masks (upright image pixels)."""

    gray: np.ndarray  # red suppressed
    binary: np.ndarray  # ink = 255
    hmask: np.ndarray
    vmask: np.ndarray
    hsegs: list[Segment] = field(default_factory=list)
    vsegs: list[Segment] = field(default_factory=list)
    rules: np.ndarray | None = None  # pixels of the rules the grids were built from (dilated)
    ring: Ring | None = None  # a seal's ring printed black (``extractor.ocr.seal``): no rule

    def rule_mask(self) -> np.ndarray:
        if self.rules is None:  # no grid search yet: every long stroke
            return cv2.dilate(self.hmask | self.vmask, np.ones((3, 3), np.uint8))
        return self.rules

    def text_ink(self) -> np.ndarray:
        """Ink with the rules taken out."""
        return cv2.bitwise_and(self.binary, cv2.bitwise_not(self.rule_mask()))

    def clean_gray(self) -> np.ndarray:
        """The grey page with the rules painted white (crops then hold text only)."""
        out = self.gray.copy()
        out[self.rule_mask() > 0] = 255
        return out


def find_lines(image: np.ndarray, dpi: float) -> PageLines:
    """Binarise ``image`` (RGB or grey, upright) and extract its rule masks and segments."""
    gray = suppress_red(image) if image.ndim == 3 else image
    binary = binarize(gray, dpi)
    gap = _k(dpi, 0.015, 2)
    hk, vk = _k(dpi, 0.28, 15), _k(dpi, 0.22, 12)
    h = cv2.morphologyEx(binary, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (gap, 1)))
    h = cv2.morphologyEx(h, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (hk, 1)))
    v = cv2.morphologyEx(binary, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (1, gap)))
    v = cv2.morphologyEx(v, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, vk)))
    # a seal with no colour to lift it by (fax, greyscale scan), looked for away from the rules too
    ring = find_ring(gray, dpi, rules=h | v)
    lines = PageLines(gray=gray, binary=binary, hmask=h, vmask=v, ring=ring)
    # dashes bridged on the page without the other direction's rules, their ragged edges too
    # (a crossing rule joins the dashes either side of it into no thin line)
    edge = 2 * gap + 1
    lines.hsegs = bridge_dashes(_segments(h, dpi, horizontal=True, ring=ring),
                                binary & ~cv2.dilate(v, np.ones((1, edge), np.uint8)), dpi, True)
    lines.vsegs = bridge_dashes(_segments(v, dpi, horizontal=False, ring=ring),
                                binary & ~cv2.dilate(h, np.ones((edge, 1), np.uint8)), dpi, False)
    return lines


def component_boxes(mask: np.ndarray) -> list[tuple[int, int, int, int]]:
    """(x, y, w, h) of every 8-connected component of a binary mask. From the outer contours
    (a component's outer boundary is a top-level contour of RETR_CCOMP, even inside another's
    hole): on a page of rules or text this is 10-30x faster than connectedComponentsWithStats,
    which writes a label for every pixel of the page."""
    contours, hierarchy = cv2.findContours(mask, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return []
    return [cv2.boundingRect(c) for c, h in zip(contours, hierarchy[0]) if h[3] < 0]


def _segments(mask: np.ndarray, dpi: float, horizontal: bool, ring: Ring | None = None) -> list[Segment]:
    """The rule segments of ``mask``: its pieces, joined along their lines (``_join``); those
    made only of a seal's ring's pieces (``_ring_pieces``) left out."""
    thick = _k(dpi, 0.06, 5)
    on_ring = _ring_pieces(mask, ring, dpi)
    raw: list[Segment] = []
    off_ring: list[Segment] = []
    for x, y, w, h in component_boxes(mask):
        if horizontal:
            along0, along1, across0, across1 = x, x + w, y, y + h
        else:
            along0, along1, across0, across1 = y, y + h, x, x + w
        if across1 - across0 <= thick:
            pieces = [Segment(pos=(across0 + across1 - 1) / 2, a=along0, b=along1)]
        else:  # a block (a filled band): its two edges
            pieces = [Segment(pos=across0 + 1, a=along0, b=along1), Segment(pos=across1 - 2, a=along0, b=along1)]
        raw.extend(pieces)
        if (x, y, w, h) not in on_ring:
            off_ring.extend(pieces)
    tol = _k(dpi, 0.025, 3)
    joined = _join(raw, tol=tol, gap=_k(dpi, 0.08, 6))
    if not on_ring:
        return joined
    # a segment keeps its place if a piece of it is no piece of the ring: a rule the ring
    # crosses, or runs along with gaps the join bridged, is a rule still
    return [s for s in joined if any(abs(p.pos - s.pos) <= tol and s.a <= p.a and p.b <= s.b for p in off_ring)]


# a piece of the rule masks with this share of its pixels on a ring's band is the ring's (a
# glyph's stroke fused to the arc by the opening adds a few off it)
ON_RING = 0.9
# … unless it runs straight further than the ring's own line can (``_ring_pieces``' chord) by
# this much: a rule the ring lies along, the two one piece (a black seal whose side lay on
# table 四's rule between 尚未审结 and 总计 took the rule with it: fax seed 908)
RUN_SLACK = 1.1


def _ring_pieces(mask: np.ndarray, ring: Ring | None, dpi: float) -> set[tuple[int, int, int, int]]:
    """Boxes (x, y, w, h, as ``component_boxes``) of the pieces of ``mask`` that are a seal's
    ring: wholly within the ring's square and ``ON_RING`` of their pixels on its band (its half
    width and ~0.01 in beside it: a binarised ring is as much thicker). The opening keeps a
    ring's flat arcs as rules — its top and bottom, its sides, ~0.4 in where a 40 mm ring stays
    within its line's width — and in a table's one value row they split the row in two (table
    四's 15 numbers on two rows, none mapped). Its star's spine (a filled star's run as long as
    the opening's kernel) is one too, all of it where the star is (``Ring.in_star``): it split
    a column of table 三 the seal lay on. A rule the ring crosses or runs along, or the star
    lies on, is one piece with it that reaches beyond, or runs straighter for longer than a
    ring's line can (``RUN_SLACK``): not the ring's."""
    if ring is None:
        return set()
    margin = 0.5 * (ring.outer - ring.inner) + _k(dpi, 0.01, 2)
    reach = ring.outer + margin + 2
    x0, y0 = max(0, int(ring.cx - reach)), max(0, int(ring.cy - reach))
    sub = mask[y0 : int(ring.cy + reach) + 1, x0 : int(ring.cx + reach) + 1]
    n, labels, stats, _ = cv2.connectedComponentsWithStats(sub, connectivity=8)
    # the longest straight run the ring's line (its band and a pixel each side) holds: a chord
    # of its outer edge touching its inner edge
    r_out, r_in = ring.outer + 1.0, max(0.0, ring.inner - 1.0)
    run = 2.0 * float(np.sqrt(r_out**2 - r_in**2))
    out = set()
    for i in range(1, n):
        x, y, w, h, _area = (int(v) for v in stats[i])
        if x == 0 or y == 0 or x + w == sub.shape[1] or y + h == sub.shape[0]:
            continue  # it may go on outside the square
        ys, xs = np.nonzero(labels[y : y + h, x : x + w] == i)
        xs, ys = xs + x0 + x, ys + y0 + y
        if ring.in_star(xs, ys).all():
            out.add((x0 + x, y0 + y, w, h))
        elif ring.on_band(xs, ys, margin).mean() >= ON_RING and max(w, h) <= RUN_SLACK * run:
            out.add((x0 + x, y0 + y, w, h))
    return out


def _join(segs: list[Segment], tol: float, gap: float) -> list[Segment]:
    """Pieces on one line (positions within ``tol``) joined across gaps up to ``gap``."""
    segs = sorted(segs, key=lambda s: s.pos)
    groups: list[list[Segment]] = []
    for s in segs:
        if groups and s.pos - groups[-1][-1].pos <= tol:
            groups[-1].append(s)
        else:
            groups.append([s])
    out: list[Segment] = []
    for g in groups:
        g.sort(key=lambda s: s.a)
        cur: Segment | None = None
        pos_w = []
        for s in g:
            if cur is not None and s.a - cur.b <= gap:
                cur.b = max(cur.b, s.b)
                pos_w.append((s.pos, s.b - s.a))
            else:
                if cur is not None:
                    cur.pos = _wmean(pos_w)
                    out.append(cur)
                cur = Segment(pos=s.pos, a=s.a, b=s.b)
                pos_w = [(s.pos, s.b - s.a)]
        if cur is not None:
            cur.pos = _wmean(pos_w)
            out.append(cur)
    return out


def _wmean(pw: list[tuple[float, float]]) -> float:
    tot = sum(w for _, w in pw) or 1.0
    return sum(p * w for p, w in pw) / tot


def _touches(end_along: float, end_pos: float, others: list[Segment], tol: float) -> bool:
    """Does the end of a segment (at ``end_along`` along it, on line ``end_pos``) meet another rule?"""
    for o in others:
        if abs(o.pos - end_along) <= tol and o.a - tol <= end_pos <= o.b + tol:
            return True
    return False


def _table_regions(lines: PageLines, dpi: float) -> list[tuple[int, int, int, int]]:
    """Bounding boxes (x0, y0, x1, y1) of connected groups of rules big enough to be tables."""
    both = cv2.dilate(lines.hmask | lines.vmask, np.ones((_k(dpi, 0.02, 3),) * 2, np.uint8))
    out = []
    for x, y, w, h in component_boxes(both):
        if w >= dpi * 1.0 and h >= dpi * 0.25:
            out.append((x, y, x + w, y + h))
    out.sort(key=lambda b: (b[1], b[0]))
    return out


def widest_table() -> int:
    """Columns of the registry's widest table with its label columns: table 四, 3 groups x 5
    (``models.fields``); table 三 has 7 value columns and up to 3 of labels."""
    from models.fields import APPLICANT_COLUMNS, LITIGATION_COLUMNS, LITIGATION_GROUPS

    return max(len(LITIGATION_GROUPS) * len(LITIGATION_COLUMNS), len(APPLICANT_COLUMNS) + 3)


SHREDDED = 1.5  # a grid with more columns than this many times the widest table's is shredded


def shredded(tables: list[ImageTable]) -> bool:
    """Does any grid have far more columns than any table of the registry? Rules that lean or
    wave (a straightening gone wrong, a warp left in) break into pieces at many positions, each
    taken for a column rule: one table becomes dozens of slivers."""
    return any(t.grid.n_cols > SHREDDED * widest_table() for t in tables)


def find_tables(up: np.ndarray, tf, dpi: float, page: int) -> tuple[PageLines, list[ImageTable]]:
    """The rules and grids of an upright page (``extractor.layout.orient.upright`` with
    ``straighten=False``; ``tf`` its transform, given the bend used here), its ruling lines made
    straight first (``extractor.layout.straighten``: perspective, curl). If that page's grids
    are ``shredded`` and the page as it was gives grids that are not (or fewer columns), those
    are kept and ``tf.bend`` is None again: a straightening can only help."""
    from extractor.layout.straighten import straighten

    bent, bend = straighten(up, dpi)
    tf.bend = bend
    lines = find_lines(bent, dpi)
    tables = find_grids(lines, dpi, page, tf.box_to_source)
    if bend is None or not shredded(tables):
        return lines, tables
    del bent
    tf.bend = None
    plain_lines = find_lines(up, dpi)
    plain = find_grids(plain_lines, dpi, page, tf.box_to_source)
    if not shredded(plain) or max(t.grid.n_cols for t in plain) < max(t.grid.n_cols for t in tables):
        return plain_lines, plain
    tf.bend = bend  # no better: the straightened page's grids (each cell's reading is checked)
    return lines, tables


def find_grids(
    image: np.ndarray | PageLines,
    dpi: float,
    page: int,
    to_source: Callable[[PxBox], PxBox] | None = None,
) -> list[ImageTable]:
    """Every ruled table on the upright ``image``, top to bottom.

    ``to_source`` maps a box of the upright image back to pixels of the page as rendered (for
    ``bbox_px`` and ``bbox``); identity when the page needed no turning or deskew.
    """
    lines = image if isinstance(image, PageLines) else find_lines(image, dpi)
    to_source = to_source or (lambda b: b)
    tables = []
    kept: list[tuple[Segment, bool]] = []
    for region in _table_regions(lines, dpi):
        t = _grid_in_region(lines, region, dpi, page, to_source, kept)
        if t is not None:
            tables.append(t)
    # the rules actually used: only these are painted out of the text (a bold glyph's long
    # stroke survives the opening but is no rule, and must stay in the crop)
    band = np.zeros_like(lines.binary)
    half = _k(dpi, 0.02, 3)
    for seg, horizontal in kept:
        if seg.synthetic:
            continue
        if horizontal:
            cv2.rectangle(band, (int(seg.a), int(seg.pos - half)), (int(seg.b), int(seg.pos + half)), 255, -1)
        else:
            cv2.rectangle(band, (int(seg.pos - half), int(seg.a)), (int(seg.pos + half), int(seg.b)), 255, -1)
    rules = cv2.bitwise_and(lines.hmask | lines.vmask, band)
    lines.rules = cv2.dilate(rules, np.ones((3, 3), np.uint8))
    return tables


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
    if not vs:
        return None
    # a glyph touching a rule (a tight row's text sits on it) lengthens it into the next cell:
    # cut back to the rule it crosses, and painted out of that cell's text no more
    hs, vs = trim_overshoot(hs, vs, dpi), trim_overshoot(vs, hs, dpi)
    # a rule only one short row tall (LibreOffice's between two group titles) the opening lost
    for s in short_rules(lines.binary, hs, vs, dpi):
        vs.append(s)
        half = _k(dpi, 0.02, 3)
        x, a, b = int(round(s.pos)), int(s.a), int(s.b) + 1
        lines.vmask[a:b, x - half : x + half + 1] |= lines.binary[a:b, x - half : x + half + 1]
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

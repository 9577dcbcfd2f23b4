"""A scanned page's ruling lines: binarised, opened into rule masks, cut into rule segments.

Steps, every length scaled with the dpi (a fixed threshold loses whole pages at 300 dpi):

1. the seal's red is lifted to paper white (``suppress_red``), then an adaptive threshold;
2. morphological opening with long thin horizontal / vertical kernels keeps the rules (text
   strokes are shorter than the kernels), a short closing first bridges small breaks;
3. rule pieces become segments; pieces on one line are joined across gaps (faint, broken rules);
   a seal's ring printed black (``extractor.ocr.seal.find_ring``, no colour to lift it by) gives
   no segments: its flat arcs are pieces on its band.

Which segments make tables, and their cells: ``extractor.grid.image_grid`` and
``extractor.grid.region_grid``. Shapes: images are the upright page's pixels, uint8 (ink = 255
in the binary image and the masks); a ``Segment`` is one rule (``extractor.grid.rule_pieces``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from extractor.grid.rule_pieces import Segment, bridge_dashes
from extractor.grid.rule_pieces import scaled_px as _k
from extractor.layout.orient import binarize, suppress_red
from extractor.ocr.seal import Ring, find_ring


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

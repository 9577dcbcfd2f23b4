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

Modules: ``extractor.grid.page_lines`` (steps 1-3: the page's rule masks and segments),
``extractor.grid.region_grid`` (steps 4-5 within one table's region: its grid and cells), this
one (the page's table regions, and a straightened page's grids checked against the page as it
was). The names of the first two are imported here as well (``ImageTable``, ``find_lines``, ...).
"""

from __future__ import annotations

from typing import Callable

import cv2
import numpy as np

from extractor.grid.page_lines import PageLines, component_boxes, find_lines
from extractor.grid.region_grid import ImageTable, PxBox, _grid_in_region
from extractor.grid.rule_pieces import Segment, short_rules
from extractor.grid.rule_pieces import scaled_px as _k

__all__ = ["ImageTable", "PageLines", "PxBox", "component_boxes", "find_grids", "find_lines", "find_tables",
           "shredded", "widest_table"]


def _table_regions(lines: PageLines, dpi: float) -> list[tuple[int, int, int, int]]:
    """Bounding boxes (x0, y0, x1, y1) of connected groups of rules big enough to be tables."""
    rules = lines.hmask | lines.vmask
    # a table of one short row (a table's last row alone at the top of the next page): its column
    # rules are shorter than the opening's kernel, so its two rules are no group without them
    short = short_rules(lines.binary, [s for s in lines.hsegs if s.b - s.a >= dpi * 1.0], lines.vsegs, dpi)
    half = _k(dpi, 0.01, 1)
    for s in short:
        rules[int(s.a) : int(s.b) + 1, int(round(s.pos)) - half : int(round(s.pos)) + half + 1] = 255
    both = cv2.dilate(rules, np.ones((_k(dpi, 0.02, 3),) * 2, np.uint8))
    out = []
    for x, y, w, h in component_boxes(both):
        one_row = sum(x <= s.pos <= x + w and y <= s.a and s.b <= y + h for s in short) >= ONE_ROW_RULES
        if w >= dpi * 1.0 and (h >= dpi * 0.25 or one_row):
            out.append((x, y, x + w, y + h))
    out = _drop_nested(out, both, dpi)
    out.sort(key=lambda b: (b[1], b[0]))
    return out


ONE_ROW_RULES = 3  # short column rules a group under 0.25 in tall holds at least to be a one-row table
NESTED = 0.8  # a region with this share of its area inside a bigger one may be a piece of that table
CROSSING = 0.25  # … when rules of another group this long (in) run through its box


def _drop_nested(regions: list[tuple[int, int, int, int]], rules: np.ndarray, dpi: float
                 ) -> list[tuple[int, int, int, int]]:
    """``regions`` without the pieces of a bigger table: a region lying (``NESTED`` of its area)
    inside a bigger region's box with rules of another group (``CROSSING`` in long or more,
    in ``rules``, the page's dilated rule mask) running through its own box.

    Tables of a report never nest. Rules cut off from their table's rules, by a seal lifted to
    white across them or by ink a fade left too light, make a group of their own inside the
    table's box; read as a table, its grid takes the long rules through it and overlaps the real
    one (a seal's star and ring pieces on a faded page gave a 4x3 "table" over table 三, and
    table 三's continuation on the next page was no longer stitched to it). The enclosing region
    already holds those rules. A table inside a page's frame is kept: no other rules cross it."""
    def area(b):
        return max(0, b[2] - b[0]) * max(0, b[3] - b[1])

    kept: list[tuple[int, int, int, int]] = []
    for r in sorted(regions, key=area, reverse=True):
        inside = max((area((max(r[0], k[0]), max(r[1], k[1]), min(r[2], k[2]), min(r[3], k[3]))) for k in kept),
                     default=0)
        if inside < NESTED * area(r) or not _crossed(r, rules, dpi):
            kept.append(r)
    return kept


def _crossed(region: tuple[int, int, int, int], rules: np.ndarray, dpi: float) -> bool:
    """Rules not of ``region``'s own group run through its box (a piece ``CROSSING`` in long).
    The region's own group spans its whole box; every other piece in the box is another's."""
    x0, y0, x1, y1 = region
    crop = np.ascontiguousarray(rules[y0:y1, x0:x1])
    n, _, stats, _ = cv2.connectedComponentsWithStats(crop, connectivity=8)
    h, w = crop.shape
    long = CROSSING * dpi
    for x, y, bw, bh, _area in stats[1:]:
        own = x == 0 and y == 0 and bw == w and bh == h
        if not own and max(bw, bh) >= long:
            return True
    return False


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

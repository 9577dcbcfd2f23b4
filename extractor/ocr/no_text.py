"""Ink in a cell or on the page that is no text: specks, dust and JPEG ringing
(``_drop_specks``, ``_split_dust``), a rule's remnants at a cell's edge
(``_drop_edge_remnants``, ``_edge_stroke``), and the tests that tell a blank cell's dirt from a
glyph (``_only_specks``, ``_has_glyph``, ``_glyph_sized_remains``).

``ink``/``sub``: binary ink (uint8, 255 = ink), ``glyph``: the page's glyph height in px; lengths
scale with ``dpi``.
"""

from __future__ import annotations

import cv2
import numpy as np

from extractor.ocr.components import components
from extractor.ocr.minus_sign import at_middle_height


def _drop_specks(ink: np.ndarray, dpi: float) -> np.ndarray:
    """Noise, JPEG ringing and dust: ink components too small to be part of a glyph (fewer than
    ``min_area`` pixels, or under ``min_side`` both ways). Components come from their outer
    contours (see ``component_boxes``); only those whose box is small enough to hold a speck
    have their pixels counted: the ink within the filled outer contour (an island in its hole
    too). Returns ``ink`` itself when nothing is dropped, else a copy without the specks.

    A speckled page has thousands of such boxes: they are filled all at once, each in its own
    tile of one canvas (tiles stacked, so no two share a row of pixels and each fills as if
    drawn alone), and counted with the ink of their boxes in one go."""
    contours, hierarchy = cv2.findContours(ink, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return ink
    min_area = max(3, int((dpi / 200.0) ** 2 * 6))
    min_side = max(2, int(dpi * 0.012))
    lengths = np.fromiter((len(c) for c in contours), np.int64, len(contours))
    points = np.concatenate(contours).reshape(-1, 2)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    x = np.minimum.reduceat(points[:, 0], starts)
    y = np.minimum.reduceat(points[:, 1], starts)
    w = np.maximum.reduceat(points[:, 0], starts) - x + 1  # as cv2.boundingRect
    h = np.maximum.reduceat(points[:, 1], starts) - y + 1
    long_box = ((w >= min_side) | (h >= min_side)) & ((w >= min_area) | (h >= min_area))
    cand = np.flatnonzero((hierarchy[0][:, 3] < 0) & ~long_box)  # outer boundaries, speck-sized
    if not len(cand):
        return ink
    x, y, w, h = x[cand], y[cand], w[cand], h[cand]
    tile = int(max(w.max(), h.max()))
    n = len(cand)
    # each candidate's contour moved into its tile: tile k is rows k*tile .. k*tile + tile - 1
    counts = lengths[cand]
    own = np.repeat(np.arange(n), counts)
    pts = points[np.repeat(np.isin(np.arange(len(contours)), cand), lengths)]
    pts = pts - np.stack([x[own], y[own] - own * tile], axis=1)
    pts = pts.astype(np.int32).reshape(-1, 1, 2)
    ends = np.cumsum(counts)
    pieces = [pts[a:b] for a, b in zip((ends - counts).tolist(), ends.tolist())]
    canvas = np.zeros((n * tile, tile), np.uint8)
    cv2.drawContours(canvas, pieces, -1, 255, -1)
    # the ink of each box, in the same tiles (rows and columns past the page: the fill is 0 there)
    d = np.arange(tile)
    rows = np.minimum(y[:, None] + d[None, :], ink.shape[0] - 1)
    cols = np.minimum(x[:, None] + d[None, :], ink.shape[1] - 1)
    part = ink[rows[:, :, None], cols[:, None, :]]
    mine = (canvas.reshape(n, tile, tile) > 0) & (part > 0)
    keep = (np.maximum(w, h) >= min_side) & (np.count_nonzero(mine, axis=(1, 2)) >= min_area)
    if keep.all():
        return ink
    k, dy, dx = np.nonzero(mine & ~keep[:, None, None])
    out = ink.copy()
    out[y[k] + dy, x[k] + dx] = 0
    return out


def _split_dust(sub: np.ndarray, dpi: float) -> tuple[np.ndarray, np.ndarray | None]:
    """Small blobs far from any glyph-sized blob are dust: (ink without them, the dust)."""
    n, labels, stats = components(sub)
    if n <= 2:
        return sub, None
    small = (dpi / 200.0) ** 2 * 30
    areas = stats[1:, cv2.CC_STAT_AREA]
    big = [i + 1 for i in np.nonzero(areas >= small)[0]]
    if not big:
        return sub, None
    reach = dpi * 0.03
    x, y, w, h = (stats[:, k].astype(np.int64) for k in range(4))
    bigs = np.array(big)
    dust = np.zeros(n, bool)
    # vectorised over the big blobs, a block of small ones at a time (a noise page has 10^5)
    smalls = np.nonzero(areas < small)[0] + 1
    block = max(1, 4_000_000 // len(bigs))  # ≤ 4 M pairs (32 MB) at a time
    for at in range(0, len(smalls), block):
        i = smalls[at : at + block, None]
        dx = np.maximum(0, np.maximum(x[bigs] - (x[i] + w[i]), x[i] - (x[bigs] + w[bigs])))
        dy = np.maximum(0, np.maximum(y[bigs] - (y[i] + h[i]), y[i] - (y[bigs] + h[bigs])))
        dust[i[:, 0]] = ~((dx <= reach) & (dy <= reach)).any(axis=1)
    bars = dust & (w >= 2 * h) & (w >= MINUS_LONG * dpi)  # only a thin bar may be a minus
    for i in np.flatnonzero(bars):
        if _minus_beside(int(i), x, y, w, h, bigs, dpi):
            dust[i] = False
    if not dust.any():
        return sub, None
    mask = dust[labels]
    out = sub.copy()
    out[mask] = 0
    return out, np.where(mask, 255, 0).astype(np.uint8)


MINUS_REACH = 0.08  # inches: a minus sign stands at most this far before its digits
MINUS_LONG = 0.025  # inches: … and is at least this long


def _minus_beside(i: int, x, y, w, h, bigs, dpi: float) -> bool:
    """Is component ``i`` (of ``_split_dust``'s stats arrays) a minus sign: a thin bar (at least
    twice as long as thick, ``MINUS_LONG`` in long) ending at most ``MINUS_REACH`` in before a
    glyph-sized blob, at that blob's middle height? A fax thins a minus to a line one pixel
    thick, too small to count as a glyph's and further from the digits than a glyph's own
    pieces: dropped as dust, -3 was read 3 at 0.99 (fax seed 7219, 本年增/减). Kept, its sign
    is read or the cell doubted (``minus_sign``)."""
    if not (w[i] >= 2 * h[i] and w[i] >= MINUS_LONG * dpi):
        return False
    mid = y[i] + h[i] / 2
    for b in bigs:
        gap = x[b] - (x[i] + w[i])
        if 0 <= gap <= MINUS_REACH * dpi and at_middle_height(mid, y[b], y[b] + h[b]):
            return True
    return False


def _drop_edge_remnants(sub: np.ndarray, dpi: float) -> np.ndarray:
    """Bits of a rule left at the cell's edge (skew, a thick or doubled rule): thin components
    touching the border along it."""
    n, labels, stats = components(sub)
    if n <= 1:
        return sub
    h, w = sub.shape
    thin = max(2, int(dpi * 0.015))
    drop = np.zeros(n, bool)
    for i in range(1, n):
        x, y, bw, bh, _ = stats[i]
        touches_lr = x == 0 or x + bw >= w
        touches_tb = y == 0 or y + bh >= h
        if (touches_lr and bw <= thin) or (touches_tb and bh <= thin):
            drop[i] = True
    if not drop.any():
        return sub
    out = sub.copy()
    out[drop[labels]] = 0
    return out


def _only_specks(sub: np.ndarray, glyph: float) -> bool:
    """Every ink component of the cell is a speck: under 0.3 of a glyph both ways. A digit is a
    glyph tall; a dash is at least 0.3 of one wide and, alone, ``zero_mark`` has taken it
    already. Specks scattered across a wide blank cell make one long band of "text" whose crop
    the recogniser reads as a letter or a glyph (T, 大)."""
    if sub is None or not sub.any():
        return False
    n, _, stats = components(sub)
    if n < 2:
        return False
    limit = 0.3 * glyph
    return bool(np.all((stats[1:, cv2.CC_STAT_WIDTH] < limit) & (stats[1:, cv2.CC_STAT_HEIGHT] < limit)))


GLYPH_TALL = 0.45  # an ink piece this share of the glyph height tall is (part of) a character


def _has_glyph(sub: np.ndarray, glyph: float) -> bool:
    """Some ink component of the cell is as tall as a character: ``GLYPH_TALL`` of the page's glyph height
    (a digit is ~0.7 of it, a CJK glyph all of it; a broken stroke of one still reaches this).
    Specks clustered in a blank cell — dust, a seal's trace the red suppression left, JPEG
    smear — are each far lower, however widely they spread; read as a line, the recogniser
    turns them into a glyph (之, 平) or a mark (•, #, *). Lone bars and slashes (the zero marks)
    are taken before this by ``zero_mark``."""
    if sub is None or not sub.any():
        return False
    n, _, stats = components(sub)
    return bool(n > 1 and stats[1:, cv2.CC_STAT_HEIGHT].max() >= GLYPH_TALL * glyph)


def _glyph_sized_remains(sub: np.ndarray, glyph: float) -> bool:
    """The ink a blank cell threw away spans a glyph's box (at least half a glyph tall and a
    third wide) with some weight: the fragments of a faded digit rather than dust. Blank would
    be a 0 the relations cannot tell from the truth when a whole row faded alike."""
    if sub is None or not sub.any():
        return False
    ys = np.flatnonzero(sub.any(axis=1))
    xs = np.flatnonzero(sub.any(axis=0))
    tall, wide = ys[-1] - ys[0] + 1, xs[-1] - xs[0] + 1
    return bool(tall >= 0.5 * glyph and wide >= 0.3 * glyph and tall <= 1.6 * glyph and wide <= 3 * glyph
                and np.count_nonzero(sub) >= 0.06 * glyph * glyph)


def _edge_stroke(sub: np.ndarray, glyph: float) -> bool:
    """A thin upright stroke standing close to the cell's left or right side: a piece of the
    rule a faint or uneven print left beside the text (or a pen's stroke). Read, it is a 1
    glued to the number (2 as 12); a real 1 that close to the side cannot be told from it, so
    the cell is doubted, not cleaned."""
    n, _, stats = components(sub)
    if n < 3:  # the stroke alone is read as what it is (a lone 1 or 】), not glued to a number
        return False
    w_cell = sub.shape[1]
    near = 0.3 * glyph
    thin = max(2.0, 0.14 * glyph)
    for x, y, w, h, _area in stats[1:]:
        if w <= thin and h >= 0.5 * glyph and (x <= near or x + w >= w_cell - near):
            return True
    return False



SPECK_LINE = 0.4  # glyphs: a line of a cell this low beside a glyph-tall line is no text
STRAY_GAP = 0.35  # glyphs: a blank this wide parts a line's text from specks at its end
SPECK_HEIGHT = 0.4  # glyphs: ink no taller than this, at a line's end past the gap, is specks
SPECK = 0.3  # glyphs: a component under this both ways is a speck
DIGIT_TALL = 0.6  # glyphs: every other component of a line of digits is at least this tall
ONE_LINE = 1.4  # glyphs: a band taller than this holds more than one line

PxBox = tuple[int, int, int, int]


def drop_stray_ink(pieces: list[PxBox], sub: np.ndarray, origin: tuple[int, int],
                   glyph: float) -> tuple[list[PxBox], np.ndarray, bool]:
    """A cell's text lines (``pieces``: page px boxes, top to bottom; ``sub``: the cell's ink,
    255 = ink, top-left at ``origin``) without the specks beside the text:

    - a line of its own lower than ``SPECK_LINE`` when another line is glyph-tall (specks, a
      seal star's tip, a rule's piece: the pieces of a glyph a fax broke apart are one line
      by now, ``_one_line``), or one with neither a piece ``GLYPH_TALL`` tall nor a bar
      (``_glyph_or_bar``) when another line has one: specks at two heights make a "line" a
      glyph tall (a faded, low-quality JPEG's dust over 无 in a tall cell read 11无, seed 95011);
    - at either end of a line, ink past a blank ``STRAY_GAP`` wide that spans no more than
      ``SPECK_HEIGHT`` from its top to its bottom (a flat bar before the text is kept: a minus
      sign; a CJK glyph a fax broke into low pieces still spans a glyph);
    - above or below a line whose every other component is glyph-tall (``DIGIT_TALL``: digits;
      a CJK line has short strokes and keeps its dots), specks (``SPECK``) clear of its span.

    Returns (pieces, the ink without what was dropped — ``sub`` itself when nothing was —,
    whether ink was dropped by the first two rules: the caller doubts a number read there;
    specks over or under digits cannot be a digit or a sign, and a fax has them over every
    other cell). Read with the text, a 150 dpi fax's specks become characters of
    it: 1 read 11 (a speck line under the 1), 2 read m2 (a seal star's tip over it), 0 read 0E or 0≈ (specks after it), à (a speck
    over it; fax+dpi150 seeds 1601, 5201). What is dropped may have been a mark, so the caller
    doubts the cell."""
    if not pieces or glyph <= 0 or sub is None:
        return pieces, sub, False
    ox, oy = origin
    tall = [p for p in pieces if p[3] - p[1] >= 0.45 * glyph]
    marks = [_glyph_or_bar(sub[p[1] - oy : p[3] - oy, p[0] - ox : p[2] - ox], glyph) for p in pieces]
    clean = sub.copy()
    out: list[PxBox] = []
    for p, mark in zip(pieces, marks):
        x0, y0, x1, y1 = p
        if (tall and p not in tall and y1 - y0 < SPECK_LINE * glyph) or (not mark and sum(marks) > 0):
            clean[y0 - oy : y1 - oy, x0 - ox : x1 - ox] = 0
            continue
        box = _trim_ends(clean, (x0 - ox, y0 - oy, x1 - ox, y1 - oy), glyph)
        out.append(box)
    doubt = not np.array_equal(clean, sub)
    out = [_trim_over_under(clean, box, glyph) for box in out]
    if not doubt and np.array_equal(clean, sub):
        return pieces, sub, False
    return [(b[0] + ox, b[1] + oy, b[2] + ox, b[3] + oy) for b in out], clean, doubt


BAR_WIDE = 0.4  # glyphs: an ink piece this wide is a bar (一, a dash, a minus sign), not a speck


def _glyph_or_bar(line: np.ndarray, glyph: float) -> bool:
    """Whether a line's ink (255 = ink) holds a piece ``GLYPH_TALL`` of a glyph tall or
    ``BAR_WIDE`` wide: some character's stroke, not only specks."""
    if not line.any():
        return False
    n, _, stats = components(line)
    return bool(n > 1 and (stats[1:, cv2.CC_STAT_HEIGHT].max() >= GLYPH_TALL * glyph
                           or stats[1:, cv2.CC_STAT_WIDTH].max() >= BAR_WIDE * glyph))


def _trim_ends(ink: np.ndarray, box: PxBox, glyph: float) -> PxBox:
    """``box`` (px of ``ink``) narrowed to its text: low ink at either end past a blank is
    zeroed in ``ink`` (in place)."""
    x0, y0, x1, y1 = box
    block = ink[y0:y1, x0:x1]
    runs = _column_runs(block.any(axis=0), max(2, int(round(STRAY_GAP * glyph))))
    text = [i for i, (a, b) in enumerate(runs) if _ink_extent(block[:, a:b]) > SPECK_HEIGHT * glyph]
    if not text:
        return box
    first, last = text[0], text[-1]
    while first > 0 and _is_bar(block[:, runs[first - 1][0] : runs[first - 1][1]]):
        first -= 1
    block[:, : runs[first][0]] = 0
    block[:, runs[last][1] :] = 0
    return (x0 + runs[first][0], y0, x0 + runs[last][1], y1)


def _trim_over_under(ink: np.ndarray, box: PxBox, glyph: float) -> PxBox:
    """``box`` (px of ``ink``) cut to its digits' span when every component but specks is
    glyph-tall: specks wholly above or below it are zeroed in ``ink`` (in place)."""
    x0, y0, x1, y1 = box
    if y1 - y0 > ONE_LINE * glyph:  # lines run together: not one line of digits
        return box
    block = ink[y0:y1, x0:x1]
    n, labels, stats = components(block)
    if n < 3:
        return box
    w, h, top = stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT], stats[1:, cv2.CC_STAT_TOP]
    speck = (w < SPECK * glyph) & (h < SPECK * glyph)
    if speck.all() or not speck.any() or (h[~speck] < DIGIT_TALL * glyph).any():
        return box
    lo, hi = int(top[~speck].min()), int((top + h)[~speck].max())
    clear = speck & ((top + h <= lo) | (top >= hi))
    if not clear.any():
        return box
    block[np.isin(labels, np.flatnonzero(clear) + 1)] = 0
    ys = np.flatnonzero(block.any(axis=1))
    return (x0, y0 + int(ys[0]), x1, y0 + int(ys[-1]) + 1)


def _column_runs(on: np.ndarray, gap: int) -> list[tuple[int, int]]:
    """Runs of inked columns, blanks narrower than ``gap`` bridged: [(start, end)]."""
    xs = np.flatnonzero(on)
    if not len(xs):
        return []
    breaks = np.flatnonzero(np.diff(xs) > gap)
    starts = np.concatenate([[xs[0]], xs[breaks + 1]])
    ends = np.concatenate([xs[breaks], [xs[-1]]]) + 1
    return list(zip(starts.tolist(), ends.tolist()))


def _ink_extent(block: np.ndarray) -> int:
    """From the first row of ``block`` with ink to its last (px): a glyph a fax broke into low
    pieces still spans its height; a cluster of specks does not."""
    ys = np.flatnonzero(block.any(axis=1))
    return int(ys[-1] - ys[0] + 1) if len(ys) else 0


def _is_bar(block: np.ndarray) -> bool:
    """The run's ink is one flat bar: at least twice as wide as it is tall (a minus sign)."""
    ys = np.flatnonzero(block.any(axis=1))
    xs = np.flatnonzero(block.any(axis=0))
    return bool(len(ys) and xs[-1] - xs[0] + 1 >= 2 * (ys[-1] - ys[0] + 1))


def ink_box(mask: np.ndarray, min_area: float) -> tuple[int, int, int, int] | None:
    """The box (x0, y0, x1, y1; px of ``mask``, end exclusive) of ``mask``'s ink pieces of at
    least ``min_area`` px — specks beside the ink do not stretch it; None when there are none."""
    n, _, stats = components((mask > 0).astype(np.uint8))
    big = [i for i in range(1, n) if stats[i, cv2.CC_STAT_AREA] >= min_area]
    if not big:
        return None
    x0 = min(stats[i, cv2.CC_STAT_LEFT] for i in big)
    y0 = min(stats[i, cv2.CC_STAT_TOP] for i in big)
    x1 = max(stats[i, cv2.CC_STAT_LEFT] + stats[i, cv2.CC_STAT_WIDTH] for i in big)
    y1 = max(stats[i, cv2.CC_STAT_TOP] + stats[i, cv2.CC_STAT_HEIGHT] for i in big)
    return int(x0), int(y0), int(x1), int(y1)

"""A cell's ink cut into text lines: bands of its horizontal projection (``_cell_layout``;
a glyph's strokes that a blank row parts joined back, ``_merge_fragments``), bands that fit in
one glyph's height joined (``_one_line``), a band of lines that touch cut apart
(``_split_run_together``), a vertical cell's column of glyphs cut into glyphs
(``_split_stacked``). Boxes are page pixels (x0, y0, x1, y1); ``sub`` is a cell's binary ink
(uint8, 255 = ink) whose top-left is ``origin``; ``glyph`` the page's glyph height in px.
"""

from __future__ import annotations

import numpy as np

from extractor.ocr.crops import PxBox, _k
from extractor.ocr.no_text import _drop_edge_remnants, _split_dust


def _bands(profile: np.ndarray) -> list[tuple[int, int]]:
    on = profile > 0
    out = []
    i, n = 0, len(on)
    while i < n:
        if on[i]:
            j = i
            while j < n and on[j]:
                j += 1
            out.append((i, j))
            i = j
        else:
            i += 1
    return out


def _merge_fragments(bands: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Join bands that are pieces of one glyph row (三 is three strokes, with gaps) to a neighbour."""
    bands = list(bands)
    if len(bands) < 2:
        return bands
    full = max(b - a for a, b in bands)
    typical = np.median([b - a for a, b in bands if b - a >= 0.55 * full])
    while len(bands) > 1:
        heights = [b - a for a, b in bands]
        i = int(np.argmin(heights))
        if heights[i] >= 0.55 * typical:
            break
        # merge with the closer neighbour if the result still fits one glyph row
        cands = []
        if i > 0:
            cands.append((bands[i][0] - bands[i - 1][1], i - 1))
        if i + 1 < len(bands):
            cands.append((bands[i + 1][0] - bands[i][1], i + 1))
        cands.sort()
        merged = False
        for _, j in cands:
            a, b = min(bands[i][0], bands[j][0]), max(bands[i][1], bands[j][1])
            if b - a <= 1.35 * typical:
                lo, hi = min(i, j), max(i, j)
                bands[lo : hi + 1] = [(a, b)]
                merged = True
                break
        if not merged:
            break
    return bands


def _cell_layout(ink: np.ndarray, box, dpi: float):
    """The text lines (bands) of one cell's ink, and its dust. Returns (pieces, sub, origin, shape)."""
    inset = _k(dpi, 0.015, 2)
    x0, y0 = int(round(box[0])) + inset, int(round(box[1])) + inset
    x1, y1 = int(round(box[2])) - inset, int(round(box[3])) - inset
    if x1 - x0 < 3 or y1 - y0 < 3:
        return [], None, (x0, y0), (0, 0)
    sub = _drop_edge_remnants(ink[y0:y1, x0:x1], dpi)
    sub, _dust = _split_dust(sub, dpi)
    rows = sub.sum(axis=1, dtype=np.int64)
    if not rows.any():
        return [], sub, (x0, y0), (y1 - y0, x1 - x0)
    bands = _merge_fragments(_bands(rows))
    # bands with next to no ink (a speck row, a seal trace) are not text lines
    mass = [int(rows[a:b].sum()) for a, b in bands]
    bands = [b for b, m in zip(bands, mass) if m >= 0.08 * max(mass)]
    pieces: list[PxBox] = []
    for a, b in bands:
        cols = sub[a:b].sum(axis=0)
        xs = np.nonzero(cols)[0]
        pieces.append((x0 + int(xs[0]), y0 + a, x0 + int(xs[-1]) + 1, y0 + b))
    return pieces, sub, (x0, y0), (y1 - y0, x1 - x0)


ONE_LINE = 1.15  # bands that together stand no taller than this many glyphs are one line


def _one_line(pieces: list[PxBox], glyph: float) -> list[PxBox]:
    """Neighbouring bands (``_cell_layout``'s, top to bottom) that together fit in one glyph's
    height (``ONE_LINE``) joined: the pieces of one glyph a fax's threshold broke across (a 2's
    arc over its base, the two cut at a blank row), each read whole from its crop's margin
    and joined: 2 read 22 (fax+dpi150 seed 1302). The cell's own bands cannot tell: both halves
    are as tall as each other; the page's glyph height can."""
    out: list[PxBox] = []
    for p in pieces:
        if out and max(p[3], out[-1][3]) - min(p[1], out[-1][1]) <= ONE_LINE * glyph:
            q = out[-1]
            out[-1] = (min(p[0], q[0]), min(p[1], q[1]), max(p[2], q[2]), max(p[3], q[3]))
        else:
            out.append(p)
    return out


RUN_TOGETHER = 1.7  # glyphs: a band of horizontal text taller than this is lines that touch
LINE_PITCH = 1.3  # glyphs: a wrapped cell's line pitch, to count the lines run together


def _split_run_together(piece: PxBox, sub: np.ndarray, origin, glyph: float) -> list[PxBox]:
    """A band of horizontal text taller than ``RUN_TOGETHER`` glyphs: the lines of a wrapped
    label or column title with no blank row between them (a fax's blur, a descender reaching
    the next line), cut into its lines (height / ``LINE_PITCH``) at the emptiest row within a
    third of a glyph of each even cut. Read as one crop, two lines squeezed into the
    recogniser's height come out as one or two glyphs (其他结果 read 其; fax seed 1602's table 四)."""
    x0, y0, x1, y1 = piece
    h = y1 - y0
    n = int(round(h / (LINE_PITCH * glyph)))
    if h <= RUN_TOGETHER * glyph or x1 - x0 < glyph or n < 2:
        return [piece]
    ox, oy = origin
    rows = sub[y0 - oy : y1 - oy, x0 - ox : x1 - ox].sum(axis=1, dtype=np.int64)
    reach = max(1, int(glyph / 3))
    cuts = [0]
    for k in range(1, n):
        at = int(round(k * h / n))
        lo, hi = max(cuts[-1] + 1, at - reach), min(h - 1, at + reach + 1)
        if hi <= lo:
            return [piece]
        cuts.append(lo + int(np.argmin(rows[lo:hi])))
    cuts.append(h)
    out = []
    for a, b in zip(cuts, cuts[1:]):
        on = np.flatnonzero(rows[a:b])
        if len(on):
            out.append((x0, y0 + a + int(on[0]), x1, y0 + a + int(on[-1]) + 1))
    return out or [piece]


HEAVY_ROW = 0.5  # a row holding this share of a band's fullest row's ink is a line's body
HEAVY_RIM = 0.15  # … and its glyphs' lighter tops and feet reach this many glyphs beyond


def _heavy_line(piece: PxBox, sub: np.ndarray, origin, glyph: float) -> PxBox | None:
    """The one line a tall band (``_split_run_together``'s) may be, or None: when its heavy rows
    (``HEAVY_ROW`` of its fullest row's ink) fit in one line (``ONE_LINE`` glyphs), their box,
    ``HEAVY_RIM`` of a glyph more each way, across the ink of those rows. What stands faintly above
    and below such a line — a red seal's arcs that ``suppress_red`` left grey round a printed
    label (a corpus page's table 二: its band 2.8 glyphs tall, cut through its middle and read
    第一ホ第项 and 第一十反等(工)), a fax's junk under a 111 — is a few pixels a row against a
    line's tens. So is a wrapped label's short last line, though: the band's cut and this box are
    both read, and the reading decides (``cells.settle``)."""
    x0, y0, x1, y1 = piece
    ox, oy = origin
    band = sub[y0 - oy : y1 - oy, x0 - ox : x1 - ox]
    rows = band.sum(axis=1, dtype=np.int64)
    heavy = np.flatnonzero(rows >= HEAVY_ROW * rows.max()) if rows.any() else []
    if not len(heavy) or heavy[-1] - heavy[0] + 1 > ONE_LINE * glyph:
        return None
    rim = int(round(HEAVY_RIM * glyph))
    a, b = max(0, int(heavy[0]) - rim), min(len(rows), int(heavy[-1]) + 1 + rim)
    cols = np.flatnonzero(band[a:b].any(axis=0))
    return (x0 + int(cols[0]), y0 + a, x0 + int(cols[-1]) + 1, y0 + b)


def _split_stacked(piece: PxBox, sub: np.ndarray, origin, em: int) -> list[PxBox]:
    """A band of vertical text holding more than one glyph (三 over 、; glyphs that touch, or
    whose gap blur filled): cut off one glyph after another from the top, each about ``em``
    (the column's width) tall, at the blank row nearest to one em down, else the emptiest."""
    x0, y0, x1, y1 = piece
    ox, oy = origin
    rows = sub[y0 - oy : y1 - oy, x0 - ox : x1 - ox].sum(axis=1, dtype=np.int64)
    out = []
    top = 0
    while len(rows) - top > 1.25 * em:
        lo, hi = top + int(0.6 * em), min(len(rows) - 1, top + int(1.3 * em))
        if hi <= lo:
            break
        window = rows[lo:hi]
        blank = np.nonzero(window == 0)[0]
        if len(blank):
            cut = lo + int(blank[np.argmin(np.abs(blank + lo - top - em))])
        else:
            cut = lo + int(np.argmin(window))
        out.append((top, cut))
        top = cut
    out.append((top, len(rows)))
    boxes = []
    for a, b in out:
        on = np.nonzero(rows[a:b])[0]
        if len(on):
            boxes.append((x0, y0 + a + int(on[0]), x1, y0 + a + int(on[-1]) + 1))
    return boxes or [piece]

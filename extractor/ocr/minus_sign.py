"""A minus sign before a cell's number, from its ink: a short solid bar at the digits' middle
height (``_minus_bar``), and a reading that is a number with one dash before it (``_signed``).

``sub``: a cell's binary ink (uint8, 255 = ink), ``glyph``: the page's glyph height in px.
"""

from __future__ import annotations

import numpy as np

from extractor.ocr.components import components
from extractor.ocr.normalise import DASHES


MINUS, SHORT_MINUS, THIN_MINUS = 2, 1, 3  # ``_minus_bar``'s answers (0: no bar)
THIN = 0.08  # a bar under this share of a glyph thick (a fax's one-pixel line) is a doubted minus
SHORT_BAR_RATIO = 1.15  # a short minus: this many times as wide as tall at least …
SHORT_BAR_WIDTH = 0.25  # … this share of a glyph wide (a speck: rounder and smaller) …
SHORT_BAR_GAP = 0.5  # … and at most this share of a glyph before the digits
SPECK = 0.15  # ink under this share of a glyph both ways, left of the bar, is a speck


def at_middle_height(mid: float, top: float, bottom: float) -> bool:
    """A bar whose middle is at ``mid`` stands where a minus does beside digits spanning
    ``top``–``bottom`` (px): between 0.3 and 0.75 of their height from the top."""
    return top + 0.3 * (bottom - top) <= mid <= top + 0.75 * (bottom - top)


def _minus_bar(sub: np.ndarray, glyph: float) -> int:
    """The cell's leftmost ink is a minus sign: a short solid horizontal bar (under 0.3 of a
    glyph tall, at least 1.5 times as wide as tall and 0.15 of a glyph wide) standing at the
    middle height of the glyph-tall ink to its right, not touching it. The recogniser reads a
    minus as ``-`` — and as ``-`` it also reads a speck (``_strip_stray`` takes those off); the
    bar's shape tells the sign of 本年增/减 (-3) from a speck before a count. Returns ``MINUS``.

    A serif hyphen is short (~0.35 of a glyph wide): a curl or a perspective that narrows the
    line, and the blur that thickens it, leave it only 1.2–1.4 times as wide as tall (curl and
    perspective seed 935 at 200 dpi: 6–7 × 5 px, glyph 19 px), and its sign was dropped as a
    speck. Such a bar — wider than ``SHORT_BAR_RATIO`` times its height and ``SHORT_BAR_WIDTH`` of
    a glyph, at most ``SHORT_BAR_GAP`` of a glyph before the digits — is ``SHORT_MINUS``: a minus
    when the recogniser read a dash there too (``_fill_cell``), never from the shape alone.
    A bar under ``THIN`` of a glyph thick is ``THIN_MINUS``: a minus a fax thinned to a line, or
    a streak — read as a sign, and the cell doubted. Returns 0 for no bar."""
    n, _, stats = components(sub)
    if n < 3:
        return 0
    comps = sorted((tuple(int(v) for v in st) for st in stats[1:]), key=lambda c: c[0])
    # a speck before the bar (a fax's or a JPEG's, under ``SPECK`` of a glyph both ways) is none
    # of the text: the bar is the first ink past it (soffice and fax+dpi150 seed 1601: -3 read 3)
    while len(comps) > 2 and max(comps[0][2], comps[0][3]) < SPECK * glyph:
        comps = comps[1:]
    x, y, w, h, area = comps[0]
    if not (h <= 0.3 * glyph and w >= SHORT_BAR_RATIO * h and w >= 0.15 * glyph and area >= 0.6 * w * h):
        return 0
    rest = [c for c in comps[1:] if c[3] >= 0.45 * glyph]
    if not rest or min(c[0] for c in rest) < x + w:
        return 0
    top = min(c[1] for c in rest)
    bottom = max(c[1] + c[3] for c in rest)
    mid = (y + y + h) / 2
    if not at_middle_height(mid, top, bottom):
        return 0
    if w >= 1.5 * h:
        # a line a pixel thick (a fax thinned the minus, or a streak of its own): a sign, doubted
        return THIN_MINUS if h < THIN * glyph else MINUS
    near = min(c[0] for c in rest) - (x + w) <= SHORT_BAR_GAP * glyph
    return SHORT_MINUS if w >= SHORT_BAR_WIDTH * glyph and near else 0


def _signed(text: str, number: str) -> bool:
    """``text`` is ``number`` with one dash before it and nothing after it (-3, —3, _3)."""
    head = text[: len(text) - len(number)].strip()
    return text.endswith(number) and len(head) == 1 and head in DASHES

"""Cell reading, the crop half: what the recogniser is given and how often.

A crop is cut around a box of the upright grey page (at least a glyph tall, a white margin,
paper texture outside the ink made white), a faint print stretched to dark ink (``_stretch``),
long crops narrowed (recognition costs time in proportion to width). ``recognize_unique``
reads each distinct short crop once: a page's 0s are one print — but only prints that match
pixel for pixel (``same_ink``): at 200 dpi a 9 pt digit is ~14 px tall, and a pixel's slack
would let 5 6 8 9 stand in for one another.
"""

from __future__ import annotations

import cv2
import numpy as np

from extractor.ocr.engine import Recognition

PxBox = tuple[int, int, int, int]


def _k(dpi: float, inches: float, minimum: int = 1) -> int:
    return max(minimum, int(round(dpi * inches)))



# Recognition cost grows with the crop's width at the recogniser's fixed 48 px height. Long
# lines are narrowed to ``SQUEEZE``: CJK glyphs are square, so at 0.75 a glyph still spans ~3.6
# CTC steps (8 px each), enough to read it; short crops keep their shape. A prose line that may
# hold a figure the pipeline uses (``figures=True``, ``prose``: section 六's fee sentence, the
# title and opening lines' year) is not narrowed: a number among words loses digits of a run of
# one digit — at 0.75 11 of 154 fee sentences of 16–20 px glyphs (33333.33 read 3333.33), at
# 0.85 and 1.0 none. Narrowing more was measured and rejected: a table cell's long line to 0.5
# read 12888888.50元 as 1288888.50元, ``ok``, and a fax at 150 dpi lost table 三's header words;
# prose to 0.5 read 本年度收取信息处理费88888.88元 as 888.8, ``ok``.
SQUEEZE = 0.75
SQUEEZE_ASPECT = 3.0  # crops wider than this many line heights are narrowed
PAD = 0.12  # white margin around a crop, in line heights


def _crop(gray: np.ndarray, box: PxBox, glyph: float, ink: np.ndarray | None = None,
          origin: tuple[int, int] = (0, 0), figures: bool = False) -> np.ndarray:
    """A recogniser crop around ``box``: at least a glyph tall (a dash or a dot alone must not
    be blown up to fill the recogniser's 48 px), with a white margin. With ``ink`` (the cleaned
    ink of a region whose top-left is ``origin``) only the ink and a rim around it keep their
    grey; paper texture, dust and noise become white. ``figures``: a prose line whose numbers
    count, kept at its width (``SQUEEZE``)."""
    x0, y0, x1, y1 = box
    cy, cx = (y0 + y1) / 2, (x0 + x1) / 2
    if y1 - y0 < glyph:
        y0, y1 = int(round(cy - glyph / 2)), int(round(cy + glyph / 2))
    if x1 - x0 < 0.6 * glyph:
        x0, x1 = int(round(cx - 0.3 * glyph)), int(round(cx + 0.3 * glyph))
    H, W = gray.shape[:2]
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(W, x1), min(H, y1)
    sub = gray[y0:y1, x0:x1]
    if sub.size == 0:
        return _finish(np.full((8, 8), 255, np.uint8), glyph, figures)
    if ink is not None:
        ox, oy = origin
        keep = np.zeros(sub.shape, np.uint8)
        ya, xa = max(y0, oy), max(x0, ox)
        yb, xb = min(y1, oy + ink.shape[0]), min(x1, ox + ink.shape[1])
        if yb > ya and xb > xa:
            keep[ya - y0 : yb - y0, xa - x0 : xb - x0] = ink[ya - oy : yb - oy, xa - ox : xb - ox]
        keep = cv2.dilate(keep, np.ones((3, 3), np.uint8))
        sub = np.where(keep > 0, sub, 255).astype(np.uint8)
    return _finish(sub, glyph, figures)


CROP_MAX_GAIN = 3.0  # at most this stretch of a crop's ink contrast
FAINT = 80  # a crop whose darkest ink is lighter than this grey is a faint print


def _stretch(sub: np.ndarray) -> np.ndarray:
    """The crop's darkest ink to black, its paper kept white: a faint print (a faded toner, a
    light scan: a 1 at grey 110) reads as the recogniser was trained, on dark glyphs. The gain is
    capped so a crop of paper noise stays noise."""
    if sub.size == 0:
        return sub
    darkest = int(sub.min())
    if darkest < FAINT or darkest > 220:
        return sub  # black enough as printed (stretching would darken specks beside it too)
    gain = min(CROP_MAX_GAIN, 255.0 / (255 - darkest))
    return np.clip(255.0 - (255.0 - sub.astype(np.float32)) * gain, 0, 255).astype(np.uint8)


def _finish(sub: np.ndarray, glyph: float, figures: bool = False) -> np.ndarray:
    sub = _stretch(sub)
    h, w = sub.shape[:2]
    if w > SQUEEZE_ASPECT * h and not figures:
        sub = cv2.resize(sub, (max(1, int(w * SQUEEZE)), h), interpolation=cv2.INTER_AREA)
    pad = max(2, int(round(max(h, glyph) * PAD)))
    sub = cv2.copyMakeBorder(sub, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=255)
    return cv2.cvtColor(sub, cv2.COLOR_GRAY2RGB)


def _strip(gray: np.ndarray, pieces: list[PxBox], glyph: float, ink: np.ndarray, origin) -> np.ndarray:
    """Glyphs stacked vertically, laid side by side on one line."""
    height = max(p[3] - p[1] for p in pieces)
    gap = max(2, int(height * 0.15))
    parts = []
    ox, oy = origin
    for x0, y0, x1, y1 in pieces:
        g = gray[y0:y1, x0:x1]
        keep = cv2.dilate(ink[y0 - oy : y1 - oy, x0 - ox : x1 - ox], np.ones((3, 3), np.uint8))
        g = np.where(keep > 0, g, 255).astype(np.uint8)
        top = (height - g.shape[0]) // 2
        g = cv2.copyMakeBorder(g, top, height - g.shape[0] - top, gap, gap, cv2.BORDER_CONSTANT, value=255)
        parts.append(g)
    return _finish(np.hstack(parts), glyph)


def recognize_unique(engine, crops: list[np.ndarray]) -> list[Recognition]:
    """``engine.recognize`` with each distinct short crop read once: a page's 0s, 1s, 2s… are
    printed from one font at one size, and a crop whose ink matches another's to within a pixel
    (``same_ink``) takes its reading. Long crops (labels, prose) are read as they are."""
    if not crops:
        return []
    reps: list[tuple[np.ndarray, int]] = []  # (ink mask cut to its box, crop index)
    rep_of = list(range(len(crops)))
    for i, c in enumerate(crops):
        h, w = c.shape[:2]
        if w > DEDUP_ASPECT * h:
            continue
        ink = _ink_mask(c)
        if ink is None:
            continue
        for mask, j in reps:
            if same_ink(mask, ink):
                rep_of[i] = j
                break
        else:
            reps.append((ink, i))
    unique = sorted(set(rep_of))
    read = engine.recognize([crops[i] for i in unique])
    by_rep = dict(zip(unique, read))
    return [by_rep[rep_of[i]] for i in range(len(crops))]


DEDUP_ASPECT = 4.0  # crops wider than this many heights are not compared
MIN_DEDUP_INK = 12  # px: a crop with less ink than this is always read on its own


def _ink_mask(crop: np.ndarray) -> np.ndarray | None:
    """The crop's ink (dark pixels), cut to its bounding box."""
    g = crop[:, :, 0] if crop.ndim == 3 else crop
    darkest = int(g.min())
    if darkest > 200:
        return None
    # the faint strokes too (crops are stretched, ``_stretch``): a 4 whose bar and diagonal
    # printed light must not look like the 1 its stem is
    ink = g < darkest + 0.75 * (255 - darkest)
    if int(np.count_nonzero(ink)) < MIN_DEDUP_INK:
        return None  # too little ink to tell one print from another: read it on its own
    ys = np.flatnonzero(ink.any(axis=1))
    if len(ys) == 0:
        return None
    xs = np.flatnonzero(ink.any(axis=0))
    return ink[ys[0] : ys[-1] + 1, xs[0] : xs[-1] + 1]


_K3 = np.ones((3, 3), np.uint8)
SAME_INK_XOR = 0.12  # share of the ink that may differ between two prints of one glyph


def same_ink(a: np.ndarray, b: np.ndarray) -> bool:
    """Two ink masks (each cut to its box) are one print: boxes within a pixel of each other's
    size, and no ink of either more than a pixel away from the other's. Noise and JPEG move
    edges by a pixel; another digit adds or drops whole strokes, dozens of pixels."""
    if abs(a.shape[0] - b.shape[0]) > 1 or abs(a.shape[1] - b.shape[1]) > 1:
        return False
    na, nb = int(a.sum()), int(b.sum())
    if abs(na - nb) > 0.1 * max(na, nb):
        return False
    h, w = max(a.shape[0], b.shape[0]), max(a.shape[1], b.shape[1])
    pa = np.zeros((h + 2, w + 2), np.uint8)
    pb = np.zeros((h + 2, w + 2), np.uint8)
    pa[1 : 1 + a.shape[0], 1 : 1 + a.shape[1]] = a
    pb[1 : 1 + b.shape[0], 1 : 1 + b.shape[1]] = b
    da, db = cv2.dilate(pa, _K3), cv2.dilate(pb, _K3)
    stray = int(np.count_nonzero(pa & ~db & 1)) + int(np.count_nonzero(pb & ~da & 1))
    if stray > max(1, int(0.01 * max(na, nb))):
        return False
    # small glyphs (a 9 pt digit at 200 dpi is ~14 px tall): a pixel's slack is a stroke's
    # width there, and 5 6 8 9 differ by less than a stroke. The masks must also overlap
    # pixel for pixel, at the best of the nine one-pixel shifts
    best = min(int(np.count_nonzero(pa[1:-1, 1:-1] != pb[1 + dy : h + 1 + dy, 1 + dx : w + 1 + dx]))
               for dy in (-1, 0, 1) for dx in (-1, 0, 1))
    return best <= SAME_INK_XOR * max(na, nb)

"""A digit whose stroke lies along a black seal's ring: the ring's ink kept across the digit.

Taking a black seal's ring off (``extractor.ocr.seal.ring_mask``) takes the stroke of a digit
that lies along it: the top of a 0 the arc runs over leaves a U (read U, 1, p), the bowl of a 3
a hook. Where the reading without the ring is no value, the ring's pixels over the digit's own
span — the columns its remaining ink covers, and rows as far as the ring's band beyond them —
are put back: the arc stands in for the lost stroke (a 0 with a flat top reads 0). Only that
piece of the ring comes back, so the arc's run beside the digit (read as 1 or 二) stays off.

A reading so made is never sure: what the ring covered cannot be known; the caller doubts it.
"""

from __future__ import annotations

import numpy as np

from extractor.ocr.no_text import ink_box

# ink pieces smaller than this (px at 200 dpi, scaled by area) are specks, not the digit's span
SPECK_PX = 8


def digit_span(ink: np.ndarray, box, dpi: float) -> tuple[int, int, int, int] | None:
    """The span (x0, y0, x1, y1; page px, end exclusive) of the ink left in the cell ``box``
    (page px) without the ring — ``ink`` (uint8, 255 = ink) a pixel in from the box's edges,
    specks left out; None when none is left."""
    x0, y0, x1, y1 = (int(round(v)) for v in box)
    x0, y0 = max(0, x0 + 2), max(0, y0 + 2)
    x1, y1 = max(x0, x1 - 2), max(y0, y1 - 2)
    sub = (ink[y0:y1, x0:x1] > 0).astype(np.uint8)
    if not sub.any():
        return None
    span = ink_box(sub, SPECK_PX * (dpi / 200.0) ** 2)
    if span is None:
        return None
    lx, ty, rx, by = span
    return x0 + lx, y0 + ty, x0 + rx, y0 + by


def ring_over_digits(boxes, seal: np.ndarray, gray, ink, clean_gray, clean_ink, band: float,
                     dpi: float) -> tuple[np.ndarray, np.ndarray]:
    """(grey page, ink) without the ring, but with its pixels back over each cell's digit span
    (``digit_span``), rows grown by ``band`` px (the ring's band width: a stroke under it lies
    within that of the digit's remaining ink), clipped to the cell. ``boxes``: cells (page px);
    ``seal``: the ring's mask; ``gray, ink``: the page with the ring; ``clean_*``: without it.
    New arrays; the inputs are left as they are."""
    g, k = clean_gray.copy(), clean_ink.copy()
    h, w = seal.shape
    for box in boxes:
        span = digit_span(clean_ink, box, dpi)
        if span is None:
            continue
        bx0, by0, bx1, by1 = (int(round(v)) for v in box)
        sx0, sy0, sx1, sy1 = span
        ya, yb = max(by0, 0, int(sy0 - band)), min(by1, h, int(sy1 + band) + 1)
        xa, xb = max(bx0, 0, sx0), min(bx1, w, sx1)
        if ya >= yb or xa >= xb:
            continue
        back = seal[ya:yb, xa:xb]
        g[ya:yb, xa:xb][back] = gray[ya:yb, xa:xb][back]
        k[ya:yb, xa:xb][back] = ink[ya:yb, xa:xb][back]
    return g, k
